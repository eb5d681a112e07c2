// What the tests do to the app as a worker would: tap the real views by their tags, type,
// wait for the background thread and the main looper, and take screenshots of the screens.
package org.doorstep.field

import android.app.Activity
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.CompoundButton
import android.widget.EditText
import android.widget.TextView
import java.io.File
import java.util.concurrent.TimeUnit
import org.doorstep.field.ui.DueActivity
import org.doorstep.field.ui.EnrolActivity
import org.doorstep.field.ui.Screen
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

val app: FieldApp get() = RuntimeEnvironment.getApplication() as FieldApp

/** Until the app's two threads and the main looper have nothing left to do. */
fun drain() {
    repeat(8) {
        app.network.submit {}.get(60, TimeUnit.SECONDS)
        app.work.submit {}.get(60, TimeUnit.SECONDS)
        shadowOf(Looper.getMainLooper()).idle()
    }
}

@Suppress("UNCHECKED_CAST")
fun <T : View> Activity.tagged(tag: String): T =
    (window.decorView.findViewWithTag<View>(tag) as T?) ?: throw AssertionError("no view tagged $tag on ${javaClass.simpleName}: ${texts()}")

fun Activity.has(tag: String): Boolean = window.decorView.findViewWithTag<View>(tag) != null

fun Activity.click(tag: String) {
    val v = tagged<View>(tag)
    assertTrue("$tag is disabled", v.isEnabled)
    // A radio button or check box toggles without a click listener of its own.
    assertTrue("$tag did nothing", v.performClick() || v is CompoundButton)
    shadowOf(Looper.getMainLooper()).idle()
}

fun Activity.type(tag: String, text: String) {
    tagged<EditText>(tag).setText(text)
}

fun Activity.textOf(tag: String): String = tagged<TextView>(tag).text.toString()

/** Every text on the screen, in order, for assertions and failure messages. */
fun Activity.texts(): String {
    val out = StringBuilder()
    fun walk(v: View) {
        if (v is TextView && v.visibility == View.VISIBLE) out.append(v.text).append(" | ")
        if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(window.decorView)
    return out.toString()
}

/** Body text 18 sp or more and touch targets 48 dp or more, on every view of the screen. */
fun Activity.assertElderFriendly() {
    val m = resources.displayMetrics
    val scaled = m.density * resources.configuration.fontScale
    fun walk(v: View) {
        if (v is TextView && v.visibility == View.VISIBLE && v.text.isNotEmpty()) {
            assertTrue("text '${v.text}' is ${v.textSize / scaled} sp", v.textSize / scaled >= 18f - 0.01f)
        }
        if (v is TextView && (v is Button || v is CompoundButton || v is EditText)) {
            assertTrue("'${v.text}' is ${v.minimumHeight / m.density} dp tall", v.minimumHeight >= 48 * m.density)
        }
        if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(window.decorView)
}

/** The whole scrolling column of a screen, drawn by Robolectric's native graphics, as PNG. */
fun Screen.screenshot(name: String): File {
    val dir = File(System.getProperty("doorstep.screenshots") ?: "target/screenshots").apply { mkdirs() }
    val v = root
    val width = resources.displayMetrics.widthPixels
    v.measure(View.MeasureSpec.makeMeasureSpec(width, View.MeasureSpec.EXACTLY), View.MeasureSpec.makeMeasureSpec(0, View.MeasureSpec.UNSPECIFIED))
    v.layout(0, 0, v.measuredWidth, v.measuredHeight)
    val bmp = Bitmap.createBitmap(width, v.measuredHeight.coerceIn(1, 6000), Bitmap.Config.ARGB_8888)
    val canvas = Canvas(bmp)
    canvas.drawColor(Color.WHITE)
    v.draw(canvas)
    val f = File(dir, "$name.png")
    f.outputStream().use { bmp.compress(Bitmap.CompressFormat.PNG, 100, it) }
    return f
}

fun <A : Activity> open(cls: Class<A>, intent: Intent? = null): A {
    val c = if (intent == null) Robolectric.buildActivity(cls) else Robolectric.buildActivity(cls, intent)
    val a = c.setup().get()
    shadowOf(Looper.getMainLooper()).idle()
    return a
}

/** The screen the last tap on `from` started. */
fun Activity.started(): Intent = shadowOf(this).nextStartedActivity ?: throw AssertionError("nothing started from ${javaClass.simpleName}")

/** Enrols this phone through the enrolment screen, as a worker with a fresh code would. */
fun enrolThroughTheScreen(): DueActivity {
    val due = open(DueActivity::class.java)
    val toEnrol = shadowOf(due).nextStartedActivity
    assertEquals(EnrolActivity::class.java.name, toEnrol.component?.className)
    val enrol = open(EnrolActivity::class.java, toEnrol)
    enrol.type("server", TestServer.url)
    enrol.type("code", TestServer.code())
    enrol.click("enrol")
    drain()
    val next = shadowOf(enrol).nextStartedActivity
    assertEquals(enrol.texts(), DueActivity::class.java.name, next?.component?.className)
    return open(DueActivity::class.java, next)
}
