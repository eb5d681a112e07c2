// What every screen shares: the app and its open store, and showing a refusal in the core's
// own words (they name fields and ids, never personal data).
package org.doorstep.field.ui

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.widget.LinearLayout
import org.doorstep.core.Doorstep
import org.doorstep.core.DoorstepException
import org.doorstep.core.Language
import org.doorstep.core.PlatformException
import org.doorstep.field.FieldApp
import org.doorstep.field.Opened
import org.doorstep.field.detail

abstract class Screen : Activity() {
    val app: FieldApp get() = FieldApp.of(this)
    lateinit var core: Doorstep
        private set
    val lang: Language get() = core.language()

    /** The screen's column, rebuilt by [render]. */
    lateinit var root: LinearLayout

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        when (val o = app.open()) {
            is Opened.Ready -> core = o.core
            // Without a store nothing else can show: enrolment explains and offers the way out.
            else -> {
                if (this !is EnrolActivity) {
                    startActivity(Intent(this, EnrolActivity::class.java))
                    finish()
                    return
                }
            }
        }
        root = page()
        created(savedInstanceState)
    }

    val ready: Boolean get() = this::core.isInitialized

    /** After the store is open: build the screen. */
    abstract fun created(savedInstanceState: Bundle?)

    /** A refusal's words for the screen. */
    fun words(e: Throwable): String = when (e) {
        is DoorstepException -> e.detail
        is PlatformException.Failed -> e.reason
        else -> e.javaClass.simpleName
    }
}
