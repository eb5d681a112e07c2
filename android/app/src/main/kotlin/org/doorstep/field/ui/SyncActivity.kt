// The sync state: enrolled as whom, for which area, the last sync, how many sealed visits are
// not yet on the server, and "sync now" (which also runs as a job if the screen is left).
package org.doorstep.field.ui

import android.os.Bundle
import java.text.DateFormat
import java.util.Date
import org.doorstep.core.SyncObserver
import org.doorstep.core.SyncStage
import org.doorstep.core.labelSyncStage
import org.doorstep.field.R
import org.doorstep.field.adapters.SyncJob

class SyncActivity : Screen() {
    override fun created(savedInstanceState: Bundle?) = render()

    private fun render() {
        root.removeAllViews()
        val s = core.status()
        root.title(getString(R.string.sync_title))
        root.body(getString(R.string.sync_unsent, s.unsent.toLong()), "unsent")
        root.body(getString(R.string.sync_drafts, s.drafts.toLong()), "drafts")
        root.body(
            s.lastSyncAt?.let { getString(R.string.sync_last, DateFormat.getDateTimeInstance(DateFormat.SHORT, DateFormat.SHORT).format(Date(it * 1000))) }
                ?: getString(R.string.sync_never),
            "last_sync",
        )
        s.clockSkewSecs?.takeIf { Math.abs(it) > 120 }?.let { root.body(getString(R.string.sync_clock, it), "clock", WARN_COLOR) }
        root.small(getString(R.string.sync_who, s.worker ?: "—", s.area ?: "—", s.server ?: "—"))
        root.body(app.settings.lastSyncOutcome, "outcome")
        val progress = root.body("", "progress")
        root.button(getString(R.string.sync_now), "sync_now") {
            progress.text = getString(R.string.sync_working)
            val lang = lang
            val observer = object : SyncObserver {
                override fun progress(stage: SyncStage, done: ULong, total: ULong) {
                    runOnUiThread { progress.text = "${labelSyncStage(stage, lang)} $done/$total" }
                }
            }
            app.onNetwork({ SyncJob.run(app, observer) }) { render() }
        }
    }
}
