// The visit: one screen for the whole household call. The core's state leads — which step is
// next, what is missing, every flag in its words — and every tap is an action the core keeps
// in the encrypted draft at once, so a killed process loses nothing: the screen comes back
// from the visit id alone. Location runs for the whole visit; flags never block saving.
package org.doorstep.field.ui

import android.Manifest
import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Bundle
import android.provider.MediaStore
import android.provider.Settings
import android.view.View
import android.widget.HorizontalScrollView
import android.widget.LinearLayout
import android.widget.TextView
import java.io.File
import org.doorstep.core.Step
import org.doorstep.core.VisitAction
import org.doorstep.core.VisitSession
import org.doorstep.core.VisitState
import org.doorstep.field.R
import org.doorstep.field.adapters.LocationSource
import org.doorstep.field.adapters.PhotoProvider

class VisitActivity : Screen() {
    /** The parts of the screen, in the order of the three doors. */
    enum class Part(val label: Int) {
        KNOCK(R.string.part_knock), CARE(R.string.part_care), OPEN(R.string.part_open),
        CHECKLIST(R.string.part_checklist), SATISFACTION(R.string.part_satisfaction),
        PHOTOS(R.string.part_photos), SIGN(R.string.part_sign), FINISH(R.string.part_finish),
    }

    lateinit var session: VisitSession
        private set
    lateinit var state: VisitState
        private set
    private lateinit var header: LinearLayout
    private lateinit var partRow: LinearLayout
    lateinit var part: LinearLayout
        private set
    private lateinit var locationLine: TextView
    private lateinit var refusal: TextView
    var showing = Part.KNOCK
        private set
    private var location: LocationSource? = null
    private var askedLocation = false
    private var capture: File? = null
    var sealed = false
        internal set

    private val visitId: String get() = intent.getStringExtra(VISIT) ?: ""

    override fun created(savedInstanceState: Bundle?) {
        try {
            session = core.resumeVisit(visitId)
            state = session.view()
        } catch (e: Exception) {
            root.body(words(e), "error")
            return
        }
        showing = savedInstanceState?.getString(SHOWING)?.let { Part.valueOf(it) } ?: partFor(state.step)
        capture = savedInstanceState?.getString(CAPTURE)?.let { File(it) }
        askedLocation = savedInstanceState?.getBoolean(ASKED) ?: false
        val name = try { core.recipient(session.record().recipientId).name } catch (e: Exception) { "" }
        root.title(name, "visit_name")
        locationLine = root.body("", "location")
        root.row {
            button(getString(R.string.visit_locate), "locate") { startLocation() }
        }
        header = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; tag = "visit_header" }
        root.addView(header)
        partRow = LinearLayout(this).apply { orientation = LinearLayout.HORIZONTAL }
        root.addView(HorizontalScrollView(this).apply { addView(partRow) })
        refusal = root.body("", "refusal", WARN_COLOR)
        part = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; tag = "part" }
        root.addView(part)
        location = LocationSource(this, ::fixes) { r ->
            locationLine.text = getString(R.string.visit_locating, r.accuracyM?.let { "%.0f".format(it) } ?: "—", r.satellitesUsed, r.satellitesSeen)
        }
        refresh()
        show(showing)
        startLocation()
    }

    override fun onSaveInstanceState(out: Bundle) {
        super.onSaveInstanceState(out)
        out.putString(SHOWING, showing.name)
        capture?.let { out.putString(CAPTURE, it.path) }
        out.putBoolean(ASKED, askedLocation)
    }

    override fun onDestroy() {
        location?.stop()
        if (this::session.isInitialized) session.destroy()
        super.onDestroy()
    }

    /** The core's next step, as the part of the screen that records it. */
    private fun partFor(step: Step): Part = when (step) {
        Step.KNOCK -> Part.KNOCK
        Step.CARE -> Part.CARE
        Step.OPEN -> Part.OPEN
        Step.CHECKLIST -> Part.CHECKLIST
        Step.SIGN -> Part.SIGN
        Step.EVIDENCE -> Part.PHOTOS
        Step.READY -> Part.FINISH
    }

    fun show(p: Part) {
        showing = p
        refusal.text = ""
        part.removeAllViews()
        partRow.removeAllViews()
        Part.values().forEach { q ->
            partRow.addView(android.widget.Button(this).apply {
                text = getString(q.label)
                tag = "part:${q.name}"
                setTextSize(android.util.TypedValue.COMPLEX_UNIT_SP, SMALL_SP)
                minimumHeight = dp(TOUCH_DP)
                isAllCaps = false
                isEnabled = !sealed
                alpha = if (q == p) 1f else 0.6f
                setOnClickListener { show(q) }
            })
        }
        if (sealed) return
        when (p) {
            Part.KNOCK -> knock(part)
            Part.CARE -> care(part)
            Part.OPEN -> open(part)
            Part.CHECKLIST -> checklist(part)
            Part.SATISFACTION -> satisfaction(part)
            Part.PHOTOS -> photos(part)
            Part.SIGN -> sign(part)
            Part.FINISH -> finishPart(part)
        }
    }

    /** Hands one action to the core; a refusal shows in its words and the draft is unchanged. */
    fun act(a: VisitAction): Boolean = try {
        state = session.act(a)
        refusal.text = ""
        refresh()
        true
    } catch (e: Exception) {
        refusal.text = words(e)
        false
    }

    fun stateChanged(s: VisitState) {
        state = s
        refresh()
    }

    fun refuse(text: String) {
        refusal.text = text
    }

    /** The step line and the flags, after every change. Flags are the core's words. */
    private fun refresh() {
        header.removeAllViews()
        header.body(getString(R.string.visit_next, state.stepText), "step")
        if (state.flags.isNotEmpty()) {
            header.small(getString(R.string.visit_flags_note), "flags_note")
            state.flags.forEachIndexed { i, f -> header.body("⚑ " + f.text, "flag:$i", WARN_COLOR) }
        }
    }

    // Location -----------------------------------------------------------------------------

    fun startLocation() {
        val source = location ?: return
        when (source.start()) {
            LocationSource.Start.STARTED -> locationLine.text = getString(R.string.visit_locating, "—", 0, 0)
            LocationSource.Start.NO_PERMISSION -> {
                if (!askedLocation) {
                    askedLocation = true
                    requestPermissions(arrayOf(Manifest.permission.ACCESS_FINE_LOCATION), REQ_LOCATION)
                } else {
                    noLocation(R.string.visit_location_denied, Settings.ACTION_APPLICATION_DETAILS_SETTINGS)
                }
            }
            LocationSource.Start.GPS_OFF -> noLocation(R.string.visit_gps_off, Settings.ACTION_LOCATION_SOURCE_SETTINGS)
        }
    }

    /** Why there is no location, and the way to the setting; saving goes on without it. */
    private fun noLocation(text: Int, setting: String) {
        locationLine.text = getString(text)
        locationLine.setTextColor(WARN_COLOR)
        if (root.findViewWithTag<View>("open_settings") == null) {
            val b = android.widget.Button(this).apply {
                this.text = getString(R.string.visit_open_settings)
                tag = "open_settings"
                minimumHeight = dp(TOUCH_DP)
                isAllCaps = false
                setOnClickListener {
                    val i = Intent(setting)
                    if (setting == Settings.ACTION_APPLICATION_DETAILS_SETTINGS) i.data = Uri.fromParts("package", packageName, null)
                    try { startActivity(i) } catch (e: ActivityNotFoundException) { refuse(getString(R.string.visit_no_settings)) }
                }
            }
            root.addView(b, root.indexOfChild(locationLine) + 1)
        }
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, results: IntArray) {
        super.onRequestPermissionsResult(requestCode, permissions, results)
        if (requestCode != REQ_LOCATION) return
        if (results.firstOrNull() == PackageManager.PERMISSION_GRANTED) startLocation()
        else noLocation(R.string.visit_location_denied, Settings.ACTION_APPLICATION_DETAILS_SETTINGS)
    }

    private fun fixes(list: List<org.doorstep.core.GpsFix>) {
        if (list.isEmpty()) {
            locationLine.text = getString(R.string.visit_no_fix)
            return
        }
        for (f in list) {
            try {
                state = session.addFix(f)
            } catch (e: Exception) {
                refuse(words(e))
            }
        }
        locationLine.setTextColor(CALM_COLOR)
        locationLine.text = getString(R.string.visit_fixed, "%.0f".format(list.first().accuracyM))
        refresh()
    }

    // Camera -------------------------------------------------------------------------------

    /** The phone's camera app writes into a file of ours, through a URI granted for this capture. */
    fun takePhoto() {
        val (file, uri) = PhotoProvider.newCapture(this)
        capture = file
        val i = Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            .putExtra(MediaStore.EXTRA_OUTPUT, uri)
            .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION or Intent.FLAG_GRANT_READ_URI_PERMISSION)
        try {
            startActivityForResult(i, REQ_PHOTO)
        } catch (e: ActivityNotFoundException) {
            file.delete()
            capture = null
            refuse(getString(R.string.photo_no_camera))
        }
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        if (requestCode != REQ_PHOTO) return
        val f = capture ?: return
        capture = null
        if (resultCode != Activity.RESULT_OK || !f.exists() || f.length() == 0L) {
            f.delete()
            return
        }
        refuse(getString(R.string.photo_working))
        // Decoding and re-encoding a phone photo takes a moment on a cheap phone.
        app.inBackground({ session.addPhoto(f.readBytes()) }) { r ->
            f.delete()
            r.onSuccess { stateChanged(it); refuse(""); show(showing) }.onFailure { refuse(words(it)) }
        }
    }

    companion object {
        const val VISIT = "visit"
        private const val SHOWING = "showing"
        private const val CAPTURE = "capture"
        private const val ASKED = "asked_location"
        const val REQ_LOCATION = 1
        const val REQ_PHOTO = 2

        fun intent(context: Context, visitId: String): Intent =
            Intent(context, VisitActivity::class.java).putExtra(VISIT, visitId)
    }
}
