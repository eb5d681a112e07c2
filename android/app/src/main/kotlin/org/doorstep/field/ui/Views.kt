// Views built in code for every screen, sized for elders' eyes and a worker's thumb: body
// text 20 sp and nothing under 18 sp (sp follows the phone's font-size setting), every
// touch target at least 56 dp tall. Each control carries a tag naming what it is, which
// the tests (and accessibility tooling) find it by.
package org.doorstep.field.ui

import android.app.Activity
import android.content.Context
import android.graphics.Typeface
import android.text.InputType
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.RadioButton
import android.widget.RadioGroup
import android.widget.ScrollView
import android.widget.TextView
import kotlin.math.roundToInt

const val TITLE_SP = 24f
const val BODY_SP = 20f
const val SMALL_SP = 18f
const val TOUCH_DP = 56
const val WARN_COLOR = 0xFFB3261E.toInt()
const val CALM_COLOR = 0xFF1B5E20.toInt()

fun Context.dp(v: Int): Int = (v * resources.displayMetrics.density).roundToInt()

/** A screen: a scrolling column; returns the column to fill. */
fun Activity.page(): LinearLayout {
    val column = column(this)
    setContentView(ScrollView(this).apply { isFillViewport = true; addView(column) })
    return column
}

fun column(context: Context): LinearLayout = LinearLayout(context).apply {
    orientation = LinearLayout.VERTICAL
    val p = context.dp(16)
    setPadding(p, p, p, p)
}

fun ViewGroup.add(v: View): View = v.also { addView(it) }

private fun <T : TextView> T.sized(sp: Float): T = apply { setTextSize(TypedValue.COMPLEX_UNIT_SP, sp) }

fun ViewGroup.title(text: CharSequence, tag: String? = null): TextView =
    TextView(context).sized(TITLE_SP).apply {
        this.text = text
        this.tag = tag
        setTypeface(typeface, Typeface.BOLD)
        setPadding(0, context.dp(12), 0, context.dp(6))
        addView(this)
    }

fun ViewGroup.body(text: CharSequence, tag: String? = null, color: Int? = null): TextView =
    TextView(context).sized(BODY_SP).apply {
        this.text = text
        this.tag = tag
        color?.let { setTextColor(it) }
        setPadding(0, context.dp(4), 0, context.dp(4))
        addView(this)
    }

fun ViewGroup.small(text: CharSequence, tag: String? = null): TextView =
    TextView(context).sized(SMALL_SP).apply {
        this.text = text
        this.tag = tag
        addView(this)
    }

fun ViewGroup.button(text: CharSequence, tag: String, onClick: () -> Unit): Button =
    Button(context).sized(BODY_SP).apply {
        this.text = text
        this.tag = tag
        minimumHeight = context.dp(TOUCH_DP)
        isAllCaps = false
        setOnClickListener { onClick() }
        addView(this, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT))
    }

fun ViewGroup.input(hint: CharSequence, tag: String, value: String = "", multiLine: Boolean = false, number: Boolean = false): EditText =
    EditText(context).sized(BODY_SP).apply {
        this.hint = hint
        this.tag = tag
        setText(value)
        inputType = when {
            number -> InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_DECIMAL
            multiLine -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE
            else -> InputType.TYPE_CLASS_TEXT
        }
        if (multiLine) minLines = 2
        // The view's own minimum: the line settings above replace TextView's minHeight.
        minimumHeight = context.dp(TOUCH_DP)
        addView(this, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT))
    }

fun ViewGroup.check(text: CharSequence, tag: String, checked: Boolean, onChange: (Boolean) -> Unit): CheckBox =
    CheckBox(context).sized(BODY_SP).apply {
        this.text = text
        this.tag = tag
        isChecked = checked
        minimumHeight = context.dp(TOUCH_DP)
        setOnCheckedChangeListener { _, c -> onChange(c) }
        addView(this)
    }

/** One choice among labelled values; `onPick` runs when the worker picks one (not when
 *  the screen shows what was picked before). Tags: "$tag:$value". */
fun <T> ViewGroup.choices(tag: String, options: List<Pair<T, String>>, selected: T?, onPick: (T) -> Unit): RadioGroup {
    val group = RadioGroup(context).apply { orientation = RadioGroup.VERTICAL; this.tag = tag }
    var showing = true
    options.forEach { (value, label) ->
        val rb = RadioButton(context).sized(BODY_SP).apply {
            id = View.generateViewId()
            text = label
            this.tag = "$tag:$value"
            minimumHeight = context.dp(TOUCH_DP)
            gravity = Gravity.CENTER_VERTICAL
        }
        group.addView(rb)
        if (value == selected) rb.isChecked = true
        rb.setOnCheckedChangeListener { _, on -> if (on && !showing) onPick(value) }
    }
    showing = false
    addView(group)
    return group
}

fun ViewGroup.row(build: LinearLayout.() -> Unit): LinearLayout = LinearLayout(context).apply {
    orientation = LinearLayout.HORIZONTAL
    build()
    this@row.addView(this)
}

/** A divider with space around it between the parts of a screen. */
fun ViewGroup.gap() {
    addView(View(context).apply { setBackgroundColor(0x22000000) }, LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, context.dp(1)).apply {
        topMargin = context.dp(12); bottomMargin = context.dp(12)
    })
}
