// One recipient: who they are, their card, guardian and subsidies (protected ones hidden
// until a deliberate tap, which the core logs first), and the button that starts a visit.
package org.doorstep.field.ui

import android.os.Bundle
import org.doorstep.core.RecipientDetail
import org.doorstep.core.labelCardStatus
import org.doorstep.core.labelCategory
import org.doorstep.core.labelGender
import org.doorstep.field.R

class RecipientActivity : Screen() {
    private val id: String get() = intent.getStringExtra(ID) ?: ""

    override fun created(savedInstanceState: Bundle?) {
        try {
            render(core.recipient(id))
        } catch (e: Exception) {
            root.body(words(e), "error")
        }
    }

    private fun render(r: RecipientDetail) {
        root.removeAllViews()
        root.title(r.name, "name")
        root.body("${labelGender(r.gender, lang)} · ${getString(R.string.recipient_age, r.age.toInt())} · ${r.categories.joinToString("、") { labelCategory(it, lang) }}")
        root.body(listOfNotNull(r.townshipName, r.villageName).joinToString(" · ").ifEmpty { r.villageCode } + "\n" + r.address)
        root.body(getString(R.string.recipient_id_number, r.idNumberMasked))
        r.phone?.let { root.body(getString(R.string.recipient_phone, it)) }
        r.guardian?.let { root.body(getString(R.string.recipient_guardian, it.name, it.relation, it.phone ?: "")) }
        root.body(getString(R.string.recipient_card, labelCardStatus(r.cardStatus, lang)), "card")
        root.body(
            if (r.overdueDays > 0) getString(R.string.due_overdue, r.overdueDays) else getString(R.string.due_on, r.dueDate),
        )
        root.title(getString(R.string.recipient_subsidies))
        var hidden = false
        r.subsidies.forEach { s ->
            if (s.hidden) hidden = true
            else root.body("${s.name ?: s.code} ${s.amountFen?.let { yuan(it) } ?: ""}", "subsidy:${s.code}")
        }
        if (hidden) {
            root.button(getString(R.string.recipient_reveal), "reveal") {
                try {
                    render(core.revealProtected(id))
                } catch (e: Exception) {
                    root.body(words(e))
                }
            }
        }
        root.gap()
        root.button(getString(R.string.recipient_start), "start_visit") {
            try {
                val v = core.startVisit(id)
                startActivity(VisitActivity.intent(this, v.visitId()))
                v.destroy()
            } catch (e: Exception) {
                root.body(words(e), "error")
            }
        }
    }

    companion object {
        const val ID = "recipient"
    }
}

/** Fen as yuan: ¥100.00. */
fun yuan(fen: Long): String = "¥%d.%02d".format(fen / 100, Math.abs(fen % 100))
