// Tasks after a sync: visits a supervisor returned for correction (with the comment), the
// decisions, and ticket replies to pass on to the household by their date.
package org.doorstep.field.ui

import android.os.Bundle
import java.text.DateFormat
import java.util.Date
import org.doorstep.core.Task
import org.doorstep.field.R

class TasksActivity : Screen() {
    override fun created(savedInstanceState: Bundle?) {}

    override fun onResume() {
        super.onResume()
        if (ready) render()
    }

    private fun render() {
        root.removeAllViews()
        root.title(getString(R.string.tasks_title))
        val tasks = try { core.tasks() } catch (e: Exception) { root.body(words(e)); return }
        if (tasks.isEmpty()) root.body(getString(R.string.tasks_none), "tasks_empty")
        val names = core.visits().associate { it.visitId to (it.recipientName ?: it.recipientId) }
        tasks.forEach { t ->
            when (t) {
                is Task.Returned -> {
                    root.body(getString(R.string.tasks_returned, names[t.visitId] ?: "", when_(t.at), t.comment), "returned:${t.visitId}", WARN_COLOR)
                    if (t.corrected) root.small(getString(R.string.tasks_corrected))
                    else root.button(getString(R.string.tasks_correct), "correct:${t.visitId}") {
                        try {
                            val v = core.correctVisit(t.visitId)
                            startActivity(VisitActivity.intent(this, v.visitId()))
                            v.destroy()
                        } catch (e: Exception) {
                            root.body(words(e), "error")
                        }
                    }
                }
                is Task.TicketUpdate -> root.body(
                    if (t.text.isBlank()) getString(R.string.tasks_ticket_state, t.stateText, t.due ?: "—")
                    else getString(R.string.tasks_ticket, t.stateText, t.text, t.due ?: "—"),
                    "ticket_update:${t.ticketId}",
                )
                is Task.Approved -> root.small(getString(R.string.tasks_approved, names[t.visitId] ?: "", when_(t.at)), "approved:${t.visitId}")
                is Task.Rejected -> root.body(getString(R.string.tasks_rejected, names[t.visitId] ?: "", t.comment), "rejected:${t.visitId}", WARN_COLOR)
            }
            root.gap()
        }
    }

    private fun when_(unixSecs: Long): String = DateFormat.getDateTimeInstance(DateFormat.SHORT, DateFormat.SHORT).format(Date(unixSecs * 1000))
}
