// Today's due list, the launcher: who is overdue first, then who is nearest (the core sorts),
// a search by name (or an exact ID number or mobile), drafts to go back to, and the lines to
// the tasks and the sync state with the unsent count.
package org.doorstep.field.ui

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.location.LocationManager
import android.os.Bundle
import android.text.Editable
import android.text.TextWatcher
import android.widget.LinearLayout
import org.doorstep.core.LatLon
import org.doorstep.core.RosterEntry
import org.doorstep.core.RosterQuery
import org.doorstep.core.Task
import org.doorstep.core.VisitProgress
import org.doorstep.core.labelCardStatus
import org.doorstep.core.labelCategory
import org.doorstep.field.R

class DueActivity : Screen() {
    private lateinit var list: LinearLayout
    private var search = ""

    override fun created(savedInstanceState: Bundle?) {
        if (!core.status().enrolled) {
            startActivity(Intent(this, EnrolActivity::class.java))
            finish()
        }
    }

    override fun onResume() {
        super.onResume()
        if (ready && core.status().enrolled) render()
    }

    private fun render() {
        root.removeAllViews()
        val status = core.status()
        val open = core.tasks().count { it is Task.Returned && !it.corrected || it is Task.TicketUpdate }
        root.button(getString(R.string.due_sync_line, status.unsent.toLong()), "to_sync") {
            startActivity(Intent(this, SyncActivity::class.java))
        }
        root.button(getString(R.string.due_tasks_line, open), "to_tasks") {
            startActivity(Intent(this, TasksActivity::class.java))
        }
        val drafts = core.visits().filter { it.progress == VisitProgress.DRAFT }
        if (drafts.isNotEmpty()) {
            root.title(getString(R.string.due_drafts))
            drafts.forEach { d ->
                root.button(getString(R.string.due_resume, d.recipientName ?: d.recipientId), "draft:${d.visitId}") {
                    startActivity(VisitActivity.intent(this, d.visitId))
                }
            }
        }
        root.title(getString(R.string.due_title))
        root.input(getString(R.string.due_search), "search", search).addTextChangedListener(object : TextWatcher {
            override fun beforeTextChanged(s: CharSequence?, a: Int, b: Int, c: Int) {}
            override fun onTextChanged(s: CharSequence?, a: Int, b: Int, c: Int) {}
            override fun afterTextChanged(s: Editable?) {
                search = s?.toString()?.trim() ?: ""
                fill()
            }
        })
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; tag = "due_list" }
        root.addView(list)
        fill()
    }

    private fun fill() {
        list.removeAllViews()
        val near = here()
        val rows = try {
            if (search.isEmpty()) core.dueList(LIMIT, near)
            else core.roster(RosterQuery(false, search, null, near, LIMIT))
        } catch (e: Exception) {
            list.body(words(e), "due_error")
            return
        }
        if (rows.isEmpty()) list.body(getString(if (search.isEmpty()) R.string.due_none else R.string.due_no_match), "due_empty")
        rows.forEach { entry(it) }
    }

    private fun entry(e: RosterEntry) {
        val place = listOfNotNull(e.townshipName, e.villageName).joinToString(" · ").ifEmpty { e.villageCode }
        val due = if (e.overdueDays > 0) getString(R.string.due_overdue, e.overdueDays) else getString(R.string.due_on, e.dueDate)
        val far = e.distanceM?.let { getString(R.string.due_distance, (it / 1000.0)) } ?: ""
        val words = listOf(
            e.name,
            e.categories.joinToString("、") { labelCategory(it, lang) } + " · " + labelCardStatus(e.cardStatus, lang),
            "$place  $due $far".trim(),
        ).joinToString("\n")
        list.button(words, "recipient:${e.id}") {
            startActivity(Intent(this, RecipientActivity::class.java).putExtra(RecipientActivity.ID, e.id))
        }.gravity = android.view.Gravity.START or android.view.Gravity.CENTER_VERTICAL
    }

    /** The last fix the GPS receiver had, for distances; none without the permission. */
    private fun here(): LatLon? {
        if (checkSelfPermission(Manifest.permission.ACCESS_FINE_LOCATION) != PackageManager.PERMISSION_GRANTED) return null
        val lm = getSystemService(LocationManager::class.java) ?: return null
        return try {
            lm.getLastKnownLocation(LocationManager.GPS_PROVIDER)?.let { LatLon(it.latitude, it.longitude) }
        } catch (e: SecurityException) {
            null
        }
    }

    companion object {
        private const val LIMIT = 200u
    }
}
