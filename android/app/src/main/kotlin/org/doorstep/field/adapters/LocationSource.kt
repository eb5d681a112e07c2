// Location for a visit from the GPS receiver itself (LocationManager's GPS provider: most
// phones here have no Google services), with GnssStatus for the satellites used. Over a time
// window the best fix (smallest accuracy radius) is handed to the core as one fix; a mock
// fix seen in the window is handed over too, so the core flags it (never hidden, never
// blocking). What a fix means — too far, too old, inaccurate — is the core's to say.
package org.doorstep.field.adapters

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.GnssStatus
import android.location.Location
import android.location.LocationListener
import android.location.LocationManager
import android.os.Build
import android.os.Handler
import android.os.Looper
import org.doorstep.core.Datum
import org.doorstep.core.GpsFix

class LocationSource(
    context: Context,
    /** Called on the main thread with the fixes the window kept. */
    private val deliver: (List<GpsFix>) -> Unit,
    /** Called on the main thread as the receiver reports, for the screen's status line. */
    private val progress: (Reading) -> Unit,
) {
    /** What the receiver reports right now. */
    data class Reading(val accuracyM: Float?, val satellitesUsed: Int, val satellitesSeen: Int)

    enum class Start { STARTED, NO_PERMISSION, GPS_OFF }

    private val context = context.applicationContext
    private val manager = context.getSystemService(Context.LOCATION_SERVICE) as LocationManager
    private val handler = Handler(Looper.getMainLooper())
    private val seen = mutableListOf<Location>()
    private var used = 0
    private var visible = 0
    private var running = false

    private val listener = LocationListener { location ->
        seen += location
        progress(Reading(best()?.accuracy, used, visible))
        // A fix as good as the receiver gives ends the window early.
        if (location.hasAccuracy() && location.accuracy <= GOOD_ENOUGH_M && !location.mocked()) finishWindow()
    }

    private val satellites = object : GnssStatus.Callback() {
        override fun onSatelliteStatusChanged(status: GnssStatus) {
            visible = status.satelliteCount
            used = (0 until status.satelliteCount).count { status.usedInFix(it) }
            progress(Reading(best()?.accuracy, used, visible))
        }
    }

    private val windowEnd = Runnable { finishWindow() }

    fun permitted(): Boolean =
        context.checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION) == PackageManager.PERMISSION_GRANTED

    /** Listens for [windowMs]; the fixes kept are delivered when it ends. */
    fun start(windowMs: Long = WINDOW_MS): Start {
        if (!permitted()) return Start.NO_PERMISSION
        if (!manager.isProviderEnabled(LocationManager.GPS_PROVIDER)) return Start.GPS_OFF
        stop()
        seen.clear()
        running = true
        try {
            manager.requestLocationUpdates(LocationManager.GPS_PROVIDER, 1000L, 0f, listener, Looper.getMainLooper())
            manager.registerGnssStatusCallback(satellites, handler)
        } catch (e: SecurityException) {
            running = false
            return Start.NO_PERMISSION
        }
        handler.postDelayed(windowEnd, windowMs)
        return Start.STARTED
    }

    fun stop() {
        handler.removeCallbacks(windowEnd)
        if (!running) return
        running = false
        manager.removeUpdates(listener)
        manager.unregisterGnssStatusCallback(satellites)
    }

    private fun best(): Location? =
        seen.filter { it.hasAccuracy() }.minByOrNull { it.accuracy } ?: seen.lastOrNull()

    private fun finishWindow() {
        val best = best()
        stop()
        if (best == null) return deliver(emptyList())
        val mock = seen.firstOrNull { it.mocked() && it !== best }
        deliver(listOfNotNull(best, mock).map { it.toFix() })
    }

    companion object {
        const val WINDOW_MS = 30_000L
        const val GOOD_ENOUGH_M = 10f

        private fun Location.mocked(): Boolean =
            if (Build.VERSION.SDK_INT >= 31) isMock else @Suppress("DEPRECATION") isFromMockProvider

        /** Android's GPS provider reports WGS-84, whatever a map app shows. */
        fun Location.toFix(): GpsFix = GpsFix(
            latitude,
            longitude,
            if (hasAccuracy()) accuracy.toDouble() else 9999.0,
            time,
            provider ?: LocationManager.GPS_PROVIDER,
            mocked(),
            Datum.WGS84,
        )
    }
}
