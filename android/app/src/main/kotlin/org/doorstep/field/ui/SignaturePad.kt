// The signature pad: a finger's strokes as the core wants them — every point MotionEvent
// batched since the last frame (its history), with its time from the first touch and its
// pressure — drawn as they come.
package org.doorstep.field.ui

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.Path
import android.view.MotionEvent
import android.view.View
import org.doorstep.core.SignatureInput
import org.doorstep.core.StrokePoint

class SignaturePad(context: Context) : View(context) {
    private val strokes = mutableListOf<MutableList<StrokePoint>>()
    private var firstTouch = -1L
    private val path = Path()
    private val ink = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Color.BLACK
        style = Paint.Style.STROKE
        strokeWidth = context.dp(3).toFloat()
        strokeCap = Paint.Cap.ROUND
        strokeJoin = Paint.Join.ROUND
    }

    init {
        setBackgroundColor(0xFFF5F5F0.toInt())
        contentDescription = "signature"
    }

    override fun onTouchEvent(e: MotionEvent): Boolean {
        when (e.actionMasked) {
            MotionEvent.ACTION_DOWN -> {
                if (firstTouch < 0) firstTouch = e.eventTime
                strokes += mutableListOf<StrokePoint>()
                point(e.x, e.y, e.eventTime, e.pressure)
                path.moveTo(e.x, e.y)
                parent?.requestDisallowInterceptTouchEvent(true)
            }
            MotionEvent.ACTION_MOVE, MotionEvent.ACTION_UP -> {
                for (h in 0 until e.historySize) {
                    point(e.getHistoricalX(h), e.getHistoricalY(h), e.getHistoricalEventTime(h), e.getHistoricalPressure(h))
                    path.lineTo(e.getHistoricalX(h), e.getHistoricalY(h))
                }
                point(e.x, e.y, e.eventTime, e.pressure)
                path.lineTo(e.x, e.y)
            }
            else -> return false
        }
        invalidate()
        return true
    }

    private fun point(x: Float, y: Float, t: Long, p: Float) {
        val stroke = strokes.lastOrNull() ?: return
        stroke += StrokePoint(x.coerceIn(0f, width.toFloat()), y.coerceIn(0f, height.toFloat()), (t - firstTouch).toUInt(), p)
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        canvas.drawPath(path, ink)
    }

    fun clear() {
        strokes.clear()
        firstTouch = -1L
        path.reset()
        invalidate()
    }

    /** What was drawn, or null before the first stroke. */
    fun input(): SignatureInput? =
        if (strokes.none { it.isNotEmpty() }) null
        else SignatureInput(width.toUInt(), height.toUInt(), strokes.filter { it.isNotEmpty() }.map { it.toList() })
}
