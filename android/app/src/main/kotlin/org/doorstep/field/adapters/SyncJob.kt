// Background sync through JobScheduler: a periodic job whenever a network is up (it survives
// reboots), and a one-off job for "sync now" so that it runs even if the screen is left. The
// sync itself is the core's: sealed visits and photos up, roster, decisions and ticket news
// down; what was committed before a cut stays committed.
package org.doorstep.field.adapters

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import org.doorstep.core.DoorstepException
import org.doorstep.core.SyncObserver
import org.doorstep.core.SyncReport
import org.doorstep.field.FieldApp
import org.doorstep.field.Opened
import org.doorstep.field.R
import org.doorstep.field.detail

class SyncJob : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        val app = FieldApp.of(this)
        app.onNetwork({ run(app, null) }) { result ->
            // Retried with the scheduler's back-off when the network or the server failed.
            jobFinished(params, result.getOrNull() == null)
        }
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean = true

    companion object {
        const val PERIODIC_ID = 1
        const val NOW_ID = 2
        private const val PERIOD_MS = 60 * 60 * 1000L

        private fun info(context: Context, id: Int) =
            JobInfo.Builder(id, ComponentName(context, SyncJob::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)

        /** The hourly sync; scheduling again keeps the one already there. */
        fun schedule(context: Context) {
            val js = context.getSystemService(JobScheduler::class.java) ?: return
            if (js.getPendingJob(PERIODIC_ID) != null) return
            js.schedule(info(context, PERIODIC_ID).setPeriodic(PERIOD_MS).setPersisted(true).build())
        }

        fun syncNow(context: Context) {
            context.getSystemService(JobScheduler::class.java)?.schedule(info(context, NOW_ID).build())
        }

        /** One sync (on the network thread): the report, or null with the reason kept in
         *  settings for the sync screen. */
        fun run(app: FieldApp, observer: SyncObserver?): SyncReport? {
            val core = (app.open() as? Opened.Ready)?.core ?: return null
            if (!core.status().enrolled) return null
            return try {
                val report = core.sync(app.transport(), observer)
                app.settings.lastSyncOutcome = app.getString(R.string.sync_done, report.sent.toLong(), report.receipted.toLong(), report.mediaSent.toLong())
                report
            } catch (e: DoorstepException) {
                app.settings.lastSyncOutcome = app.getString(R.string.sync_failed, e.detail)
                null
            } catch (e: org.doorstep.core.PlatformException.Failed) {
                app.settings.lastSyncOutcome = app.getString(R.string.sync_failed, e.reason)
                null
            }
        }
    }
}
