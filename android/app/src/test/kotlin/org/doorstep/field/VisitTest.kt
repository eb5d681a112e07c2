// Whole visits through the screens, tapping the real views, with the real core through JNA
// and a real server on loopback: scripted GPS fixes (one mock, one 5 km off), a photo from
// the camera intent, a signature drawn with MotionEvents, the process gone mid-visit and the
// draft resumed, sync by the scheduled job, a returned visit corrected and sent back up,
// and location refused.
package org.doorstep.field

import android.Manifest
import android.app.Activity
import android.app.job.JobParameters
import android.content.Intent
import android.content.pm.PackageManager
import android.location.GnssStatus
import android.location.Location
import android.location.LocationManager
import android.net.Uri
import android.os.Looper
import android.os.SystemClock
import android.provider.MediaStore
import android.view.MotionEvent
import android.widget.RadioButton
import java.io.File
import java.time.Duration
import org.doorstep.core.Flag
import org.doorstep.core.Outcome
import org.doorstep.core.SignerRole
import org.doorstep.core.Step
import org.doorstep.core.Task
import org.doorstep.core.VisitProgress
import org.doorstep.core.labelFlag
import org.doorstep.core.labelStep
import org.doorstep.field.adapters.PhotoProvider
import org.doorstep.field.adapters.SyncJob
import org.doorstep.field.ui.DueActivity
import org.doorstep.field.ui.RecipientActivity
import org.doorstep.field.ui.SignaturePad
import org.doorstep.field.ui.SyncActivity
import org.doorstep.field.ui.TasksActivity
import org.doorstep.field.ui.VisitActivity
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf

@RunWith(RobolectricTestRunner::class)
class VisitTest {
    private val photo = File(System.getProperty("doorstep.test.photo")!!).readBytes()
    private val lm get() = app.getSystemService(LocationManager::class.java)!!

    @Before
    fun phone() {
        FakeKeyStore.install()
        Robolectric.setupContentProvider(PhotoProvider::class.java, PhotoProvider.AUTHORITY)
        shadowOf(lm).setProviderEnabled(LocationManager.GPS_PROVIDER, true)
    }

    private fun fix(lat: Double, lon: Double, accuracy: Float, mock: Boolean) = Location(LocationManager.GPS_PROVIDER).apply {
        latitude = lat
        longitude = lon
        this.accuracy = accuracy
        time = System.currentTimeMillis()
        elapsedRealtimeNanos = SystemClock.elapsedRealtimeNanos()
        isMock = mock
    }

    private fun idleFor(seconds: Long) = shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(seconds))

    /** From the due list to a started visit of `id`, through the recipient screen. */
    private fun startVisit(due: DueActivity, id: String): Intent {
        due.click("recipient:$id")
        val recipient = open(RecipientActivity::class.java, due.started())
        recipient.assertElderFriendly()
        recipient.screenshot("recipient-$id")
        recipient.click("start_visit")
        return recipient.started()
    }

    /** A photo as the camera app would deliver it: written through the granted URI. */
    private fun cameraReturnsAPhoto(visit: VisitActivity) {
        val request = shadowOf(visit).nextStartedActivityForResult
        assertEquals(MediaStore.ACTION_IMAGE_CAPTURE, request.intent.action)
        assertTrue(request.intent.flags and Intent.FLAG_GRANT_WRITE_URI_PERMISSION != 0)
        @Suppress("DEPRECATION")
        val uri = request.intent.getParcelableExtra<Uri>(MediaStore.EXTRA_OUTPUT)!!
        app.contentResolver.openOutputStream(uri)!!.use { it.write(photo) }
        shadowOf(visit).receiveResult(request.intent, Activity.RESULT_OK, null)
        drain()
        assertTrue("the plain capture is gone once the core holds it", File(app.cacheDir, "capture").listFiles()!!.isEmpty())
    }

    /** Two strokes of a finger: points batched into each MOVE as the touch screen does. */
    private fun drawSignature(pad: SignaturePad) {
        assertTrue("the pad is laid out", pad.width > 0 && pad.height > 0)
        val t0 = SystemClock.uptimeMillis()
        for (s in 0 until 2) {
            val start = t0 + s * 1000L
            val y0 = 60f + s * 80f
            pad.dispatchTouchEvent(MotionEvent.obtain(start, start, MotionEvent.ACTION_DOWN, 20f, y0, 0.5f, 1f, 0, 1f, 1f, 0, 0))
            for (frame in 1..10) {
                val t = start + frame * 16L
                val move = MotionEvent.obtain(start, t - 8, MotionEvent.ACTION_MOVE, 20f + frame * 20f - 10f, y0 + (frame % 3) * 9f, 0.6f, 1f, 0, 1f, 1f, 0, 0)
                move.addBatch(t, 20f + frame * 20f, y0 + (frame % 4) * 7f, 0.7f, 1f, 0)
                pad.dispatchTouchEvent(move)
            }
            pad.dispatchTouchEvent(MotionEvent.obtain(start, start + 200, MotionEvent.ACTION_UP, 230f, y0, 0.4f, 1f, 0, 1f, 1f, 0, 0))
        }
        val drawn = pad.input()!!
        assertEquals(2, drawn.strokes.size)
        // Every batched point was kept: a DOWN, 10 MOVEs of two samples each, an UP.
        assertEquals(22, drawn.strokes[0].size)
        assertTrue(drawn.strokes[0].zipWithNext().all { (a, b) -> b.t >= a.t })
    }

    /** What every met-person visit needs: the door, the subsidy, the checklist, the
     *  satisfaction, a photo and the signature; then sealed. */
    private fun recordAndSeal(visit: VisitActivity, shots: Boolean) {
        visit.click("part:KNOCK")
        visit.click("outcome:MET_PERSON")
        visit.click("part:CARE")
        visit.click("arrived:GL01:YES")
        visit.type("amount:GL01", "100")
        visit.click("record_subsidy:GL01")
        visit.click("part:CHECKLIST")
        val items = app.core().checklist().items.filter { !it.proxyOnly }
        for (item in items) visit.click("status:${item.key}:DONE")
        if (shots) visit.screenshot("visit-checklist")
        visit.click("part:SATISFACTION")
        visit.click("satisfaction:SATISFIED")
        visit.click("save_satisfaction")
        visit.click("part:PHOTOS")
        visit.click("take_photo")
        cameraReturnsAPhoto(visit)
        assertEquals(1, visit.state.photos.size)
        assertTrue(visit.has("photo:${visit.state.photos[0]}"))
        visit.click("part:SIGN")
        drawSignature(visit.tagged("pad"))
        visit.click("sign")
        assertTrue(visit.texts(), visit.has("signature_preview"))
        if (shots) visit.screenshot("visit-signature")
        visit.click("part:FINISH")
        assertTrue(visit.texts(), visit.state.canFinish)
        if (shots) visit.screenshot("visit-finish")
        visit.click("seal")
        assertTrue(visit.texts(), visit.has("sealed"))
    }

    private fun jobParameters(): JobParameters {
        val ctor = JobParameters::class.java.declaredConstructors.maxByOrNull { it.parameterCount }!!
        ctor.isAccessible = true
        val args = ctor.parameterTypes.map<Class<*>, Any?> { t ->
            when (t) {
                Int::class.javaPrimitiveType -> SyncJob.PERIODIC_ID
                Boolean::class.javaPrimitiveType -> false
                Long::class.javaPrimitiveType -> 0L
                else -> null
            }
        }
        return ctor.newInstance(*args.toTypedArray()) as JobParameters
    }

    @Test
    fun aWholeVisitFromTheDueListToTheServerAndItsCorrection() {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val due = enrolThroughTheScreen()
        val controller = Robolectric.buildActivity(VisitActivity::class.java, startVisit(due, "A1")).setup()
        var visit = controller.get()
        shadowOf(Looper.getMainLooper()).idle()
        visit.assertElderFriendly()
        val visitId = visit.state.visitId

        // The receiver reports satellites; a fix 5 km off, precise enough to end the window.
        shadowOf(lm).simulateGnssStatus(
            GnssStatus.Builder()
                .addSatellite(GnssStatus.CONSTELLATION_BEIDOU, 11, 40f, 45f, 90f, true, true, true, false, 0f, false, 0f)
                .addSatellite(GnssStatus.CONSTELLATION_BEIDOU, 12, 38f, 30f, 180f, true, true, true, false, 0f, false, 0f)
                .addSatellite(GnssStatus.CONSTELLATION_GPS, 5, 30f, 60f, 270f, true, true, true, false, 0f, false, 0f)
                .addSatellite(GnssStatus.CONSTELLATION_GPS, 7, 12f, 10f, 10f, false, false, false, false, 0f, false, 0f)
                .build(),
        )
        shadowOf(Looper.getMainLooper()).idle()
        assertTrue(visit.textOf("location"), visit.textOf("location").contains("3/4"))
        shadowOf(lm).simulateLocation(fix(TestServer.LAT + 0.045, TestServer.LON, 8f, mock = false))
        shadowOf(Looper.getMainLooper()).idle()
        assertTrue(visit.state.flags.any { it.flag is Flag.TooFar })
        // Again: a mock fix at the door, kept when the 30 s window ends.
        visit.click("locate")
        shadowOf(lm).simulateLocation(fix(TestServer.LAT, TestServer.LON, 25f, mock = true))
        idleFor(31)
        assertTrue(visit.state.flags.any { it.flag is Flag.MockLocation })
        val flags = visit.state.flags
        val far = flags.map { it.flag }.filterIsInstance<Flag.TooFar>().single()
        assertTrue("${far.distanceM}", far.distanceM in 4800u..5200u)
        // Both shown as the core words them, and neither stops the visit.
        for ((i, f) in flags.withIndex()) assertEquals("⚑ " + f.text, visit.textOf("flag:$i"))
        assertTrue(visit.has("flags_note"))

        // First door, then part of the second.
        visit.screenshot("visit-knock")
        visit.click("outcome:MET_PERSON")
        // The next step is the core's to say, and the screen says it.
        assertNotEquals(Step.KNOCK, visit.state.step)
        assertTrue(visit.textOf("step").contains(labelStep(visit.state.step, app.core().language())))
        visit.click("part:CARE")
        visit.click("arrived:GL01:YES")
        visit.type("amount:GL01", "100.00")
        visit.click("sms:GL01")
        visit.click("record_subsidy:GL01")
        val topic = app.core().policyTopics().first()
        visit.click("policy:${topic.code}")
        visit.type("living", "独居，儿子每周回来")
        visit.click("save_living")
        visit.screenshot("visit-care")

        // The process goes: the screen is torn down without a saved state, the store closed.
        val stepBefore = visit.state.step
        controller.pause().stop().destroy()
        app.close()
        val back = open(DueActivity::class.java)
        assertTrue(back.texts(), back.has("draft:$visitId"))
        back.click("draft:$visitId")
        visit = open(VisitActivity::class.java, back.started())
        assertEquals(stepBefore, visit.state.step)
        visit.click("part:KNOCK")
        assertTrue(visit.tagged<RadioButton>("outcome:MET_PERSON").isChecked)
        visit.click("part:CARE")
        assertTrue(visit.tagged<RadioButton>("arrived:GL01:YES").isChecked)
        assertEquals("100.00", visit.textOf("amount:GL01"))
        assertEquals("独居，儿子每周回来", visit.textOf("living"))
        val rec = app.core().resumeVisit(visitId).record()
        assertEquals(10000L, rec.subsidies.single().amountSeenFen)
        assertEquals(true, rec.subsidies.single().smsReceived)
        assertEquals(listOf(topic.code), rec.policiesExplained)

        // Third door: a question answered and a ticket with its urgency.
        visit.click("part:OPEN")
        visit.type("question", "卡丢了怎么补办")
        visit.click("add_question")
        visit.click("ticket_kind:CARD_PROBLEM")
        visit.click("urgency:HIGH")
        visit.type("ticket_description", "社保卡未激活，银行网点远")
        visit.click("add_ticket")
        assertTrue(visit.texts(), visit.has("ticket:1"))
        visit.screenshot("visit-open")
        // A refused action is said in the core's words and changes nothing.
        visit.click("part:CHECKLIST")
        visit.click("status:card_in_hand:PROBLEM")
        assertTrue(visit.textOf("refusal").isNotBlank())
        assertTrue(app.core().resumeVisit(visitId).record().checklist.none { it.key == "card_in_hand" })

        recordAndSeal(visit, shots = true)
        val sealedFlags = (0 until 5).mapNotNull { i -> if (visit.has("sealed_flag:$i")) visit.textOf("sealed_flag:$i") else null }
        assertTrue(sealedFlags.toString(), sealedFlags.isNotEmpty())
        assertEquals(VisitProgress.WAITING, app.core().visits().single().progress)
        val soon = app.getSystemService(android.app.job.JobScheduler::class.java)!!.getPendingJob(SyncJob.NOW_ID)!!
        assertFalse("a one-off sync waits for a network, no longer", soon.isPeriodic)

        // The scheduled job syncs it: the record and its photo and signature go up.
        val job = Robolectric.buildService(SyncJob::class.java).create().get()
        assertTrue(job.onStartJob(jobParameters()))
        drain()
        assertTrue(shadowOf(job).isJobFinished)
        assertFalse("a good sync is not retried", shadowOf(job).isRescheduleNeeded)
        assertEquals(0uL, app.core().status().unsent)
        assertEquals(VisitProgress.RECEIPTED, app.core().visits().single().progress)

        // The supervisor returns it; "sync now" brings the decision down as a task.
        TestServer.review(visitId, "return", "照片看不清，请补拍")
        val sync = open(SyncActivity::class.java)
        sync.click("sync_now")
        drain()
        sync.screenshot("sync")
        assertTrue(app.settings.lastSyncOutcome, app.settings.lastSyncOutcome.isNotEmpty())
        val tasks = open(TasksActivity::class.java)
        assertTrue(tasks.textOf("returned:$visitId").contains("照片看不清，请补拍"))
        // The ticket raised at the third door was taken into the county's ledger: news to pass on.
        val update = app.core().tasks().filterIsInstance<Task.TicketUpdate>().single()
        assertTrue(tasks.textOf("ticket_update:${update.ticketId}").contains(update.stateText))
        tasks.screenshot("tasks")
        tasks.click("correct:$visitId")
        val correction = open(VisitActivity::class.java, tasks.started())
        shadowOf(lm).simulateLocation(fix(TestServer.LAT, TestServer.LON, 4f, mock = false))
        shadowOf(Looper.getMainLooper()).idle()
        recordAndSeal(correction, shots = false)
        // The core counts the returned visit as corrected: the new record points at it.
        assertTrue(app.core().tasks().filterIsInstance<Task.Returned>().single { it.visitId == visitId }.corrected)
        assertEquals(1uL, app.core().status().unsent)
        SyncJob.run(app, null)
        assertEquals(0uL, app.core().status().unsent)
        val after = open(TasksActivity::class.java)
        assertFalse("the task is done once the correction is sealed", after.has("correct:$visitId"))
    }

    @Test
    fun locationRefusedSaysSoAndTheVisitIsStillSaved() {
        shadowOf(app).denyPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val due = enrolThroughTheScreen()
        val visit = open(VisitActivity::class.java, startVisit(due, "B2"))
        val asked = shadowOf(visit).lastRequestedPermission
        assertEquals(listOf(Manifest.permission.ACCESS_FINE_LOCATION), asked.requestedPermissions.toList())
        visit.onRequestPermissionsResult(asked.requestCode, asked.requestedPermissions, intArrayOf(PackageManager.PERMISSION_DENIED))
        assertEquals(app.getString(R.string.visit_location_denied), visit.textOf("location"))
        assertTrue(visit.has("open_settings"))
        visit.screenshot("visit-no-location")

        visit.click("outcome:NOBODY_HOME")
        visit.click("part:PHOTOS")
        visit.click("take_photo")
        cameraReturnsAPhoto(visit)
        visit.click("part:FINISH")
        visit.click("seal")
        assertTrue(visit.texts(), visit.has("sealed"))
        assertTrue(app.core().visits().single().sealed)
        assertTrue(visit.state.flags.any { it.flag is Flag.NoLocation })
        val noLocation = labelFlag(Flag.NoLocation, app.core().language())
        assertTrue(visit.texts(), visit.texts().contains("⚑ $noLocation"))
    }

    /** An enrolled phone with location allowed, a visit to `id` started, the door answered. */
    private fun atTheDoor(id: String, outcome: Outcome): VisitActivity {
        shadowOf(app).grantPermissions(Manifest.permission.ACCESS_FINE_LOCATION)
        val visit = open(VisitActivity::class.java, startVisit(enrolThroughTheScreen(), id))
        visit.click("outcome:${outcome.name}")
        return visit
    }

    @Test
    fun aProxySignsForAMinorAndTheGuardianItemsShow() {
        val visit = atTheDoor("C3", Outcome.MET_PROXY)
        visit.click("part:CHECKLIST")
        val proxyItems = app.core().checklist().items.filter { it.proxyOnly }
        assertTrue(proxyItems.isNotEmpty())
        for (item in proxyItems) assertTrue("${item.key} shows for a proxy", visit.has("item:${item.key}"))
        visit.click("part:SIGN")
        visit.click("signer:PROXY")
        visit.type("proxy_name", "张大山")
        visit.type("relation", "父亲")
        drawSignature(visit.tagged("pad"))
        visit.click("sign")
        val signed = app.core().resumeVisit(visit.state.visitId).record().signature!!
        assertEquals(SignerRole.PROXY, signed.signer)
        assertEquals("张大山", signed.proxyName)
        assertEquals("父亲", signed.relation)
    }

    @Test
    fun aThumbprintIsEvidencedByThePhotoTakenAfterIt() {
        val visit = atTheDoor("A1", Outcome.MET_PERSON)
        visit.click("part:SIGN")
        visit.click("signer:THUMBPRINT")
        visit.click("sign")
        assertEquals(app.getString(R.string.sign_thumbprint_photo), visit.textOf("refusal"))
        assertTrue(visit.state.missing.any { it.missing is org.doorstep.core.Missing.ThumbprintPhoto })
        visit.click("thumbprint_photo")
        cameraReturnsAPhoto(visit)
        assertTrue(visit.state.missing.none { it.missing is org.doorstep.core.Missing.ThumbprintPhoto })
        assertEquals(1, visit.state.photos.size)
    }
}
