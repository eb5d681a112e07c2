// The parts of the visit screen, one function each: what the worker records at each door.
// Every choice shown comes from the core (its vocabulary, the recipient's subsidies, the
// county's policy list and checklist) in the core's words; every tap is one action.
package org.doorstep.field.ui

import android.graphics.BitmapFactory
import android.widget.ImageView
import android.widget.LinearLayout
import java.math.BigDecimal
import org.doorstep.core.Arrival
import org.doorstep.core.ItemStatus
import org.doorstep.core.Outcome
import org.doorstep.core.SatisfactionLevel
import org.doorstep.core.SignerRole
import org.doorstep.core.TicketKind
import org.doorstep.core.Urgency
import org.doorstep.core.VisitAction
import org.doorstep.core.labelArrival
import org.doorstep.core.labelItemStatus
import org.doorstep.core.labelOutcome
import org.doorstep.core.labelSatisfaction
import org.doorstep.core.labelSignerRole
import org.doorstep.core.labelTicketKind
import org.doorstep.core.labelUrgency
import org.doorstep.field.R

/** First door: who opened, who was there. */
internal fun VisitActivity.knock(c: LinearLayout) {
    val rec = session.record()
    c.title(getString(R.string.knock_title))
    val present = c.input(getString(R.string.knock_present), "present", rec.present.joinToString("，"))
    fun names() = present.text.toString().split(',', '，', '、').map { it.trim() }.filter { it.isNotEmpty() }
    c.choices("outcome", Outcome.values().map { it to labelOutcome(it, lang) }, rec.outcome) { o ->
        act(VisitAction.Contact(o, names()))
    }
    c.button(getString(R.string.save), "save_present") {
        val o = session.record().outcome ?: return@button refuse(getString(R.string.knock_pick_first))
        act(VisitAction.Contact(o, names()))
    }
}

/** Second door: did each subsidy arrive, which policies were explained, how they live. */
internal fun VisitActivity.care(c: LinearLayout) {
    val rec = session.record()
    val detail = core.recipient(rec.recipientId)
    c.title(getString(R.string.care_subsidies))
    detail.subsidies.filter { !it.hidden && it.code != null }.forEach { s ->
        val code = s.code!!
        val done = rec.subsidies.firstOrNull { it.code == code }
        c.body("${s.name ?: code}  ${getString(R.string.care_due)} ${s.amountFen?.let { yuan(it) } ?: "—"}", "subsidy:$code")
        var arrived = done?.arrived
        c.choices("arrived:$code", Arrival.values().map { it to labelArrival(it, lang) }, arrived) { arrived = it }
        val amount = c.input(getString(R.string.care_amount_seen), "amount:$code", done?.amountSeenFen?.let { "%d.%02d".format(it / 100, it % 100) } ?: "", number = true)
        val sms = c.check(getString(R.string.care_sms), "sms:$code", done?.smsReceived == true) {}
        c.button(getString(R.string.care_record_subsidy), "record_subsidy:$code") {
            val a = arrived ?: return@button refuse(getString(R.string.care_pick_arrival))
            val fen = amount.text.toString().trim().takeIf { it.isNotEmpty() }?.let {
                it.toBigDecimalOrNull()?.multiply(BigDecimal(100))?.toLong() ?: return@button refuse(getString(R.string.care_bad_amount))
            }
            if (act(VisitAction.Subsidy(code, a, fen, sms.isChecked))) refuse(getString(R.string.saved))
        }
        c.gap()
    }
    c.title(getString(R.string.care_policies))
    core.policyTopics().forEach { t ->
        val told = t.code in rec.policiesExplained
        c.check(t.title, "policy:${t.code}", told) { on ->
            if (on && t.code !in session.record().policiesExplained) act(VisitAction.PolicyExplained(t.code))
        }.isEnabled = !told
    }
    c.title(getString(R.string.care_living))
    val living = c.input(getString(R.string.care_living_hint), "living", rec.livingSituation, multiLine = true)
    c.button(getString(R.string.save), "save_living") { act(VisitAction.Living(living.text.toString())) }
    c.title(getString(R.string.care_needs))
    val needs = c.input(getString(R.string.care_needs_hint), "needs", rec.needs, multiLine = true)
    c.button(getString(R.string.save), "save_needs") { act(VisitAction.Needs(needs.text.toString())) }
}

/** Third door: questions answered on the spot, problems raised as tickets with urgency. */
internal fun VisitActivity.open(c: LinearLayout) {
    val rec = session.record()
    c.title(getString(R.string.open_questions))
    rec.questionsAnswered.forEach { c.body("✓ $it") }
    val q = c.input(getString(R.string.open_question_hint), "question", multiLine = true)
    c.button(getString(R.string.open_add_question), "add_question") {
        if (act(VisitAction.QuestionAnswered(q.text.toString()))) show(VisitActivity.Part.OPEN)
    }
    c.gap()
    c.title(getString(R.string.open_tickets))
    rec.tickets.forEach { t ->
        c.body("#${t.number} ${labelTicketKind(t.kind, lang)} · ${labelUrgency(t.urgency, lang)} · ${getString(R.string.open_due, t.due)}\n${t.description}", "ticket:${t.number}")
    }
    var kind: TicketKind? = null
    var urgency = Urgency.NORMAL
    c.choices("ticket_kind", TicketKind.values().map { it to labelTicketKind(it, lang) }, null) { kind = it }
    c.choices("urgency", Urgency.values().map { it to labelUrgency(it, lang) }, urgency) { urgency = it }
    val d = c.input(getString(R.string.open_ticket_hint), "ticket_description", multiLine = true)
    c.button(getString(R.string.open_add_ticket), "add_ticket") {
        val k = kind ?: return@button refuse(getString(R.string.open_pick_kind))
        if (act(VisitAction.Ticket(k, d.text.toString(), urgency, null))) show(VisitActivity.Part.OPEN)
    }
}

/** The card checklist; the guardian's items show when the core says the visit goes
 *  through a proxy. A problem needs a note (the core says so if it is missing). */
internal fun VisitActivity.checklist(c: LinearLayout) {
    val rec = session.record()
    val list = core.checklist()
    c.title(list.title)
    list.items.filter { !it.proxyOnly || rec.actsThroughProxy }.forEach { item ->
        val answer = rec.checklist.firstOrNull { it.key == item.key }
        c.body(item.label, "item:${item.key}")
        val note = c.input(getString(R.string.checklist_note), "note:${item.key}", answer?.note ?: "")
        c.choices("status:${item.key}", ItemStatus.values().map { it to labelItemStatus(it, lang) }, answer?.status) { s ->
            act(VisitAction.Checklist(item.key, s, note.text.toString()))
        }
        c.gap()
    }
}

internal fun VisitActivity.satisfaction(c: LinearLayout) {
    val rec = session.record()
    c.title(getString(R.string.satisfaction_title))
    var level = rec.satisfaction
    c.choices("satisfaction", SatisfactionLevel.values().map { it to labelSatisfaction(it, lang) }, level) { level = it }
    val comment = c.input(getString(R.string.satisfaction_comment), "satisfaction_comment", rec.satisfactionComment, multiLine = true)
    c.button(getString(R.string.save), "save_satisfaction") {
        val l = level ?: return@button refuse(getString(R.string.satisfaction_pick))
        if (act(VisitAction.Satisfaction(l, comment.text.toString()))) refuse(getString(R.string.saved))
    }
}

/** Photos: the household, the card, documents; each one a thumbnail the core made. */
internal fun VisitActivity.photos(c: LinearLayout) {
    c.title(getString(R.string.photos_title))
    c.button(getString(R.string.photos_take), "take_photo") { takePhoto() }
    state.photos.forEach { sha ->
        val jpeg = try { session.photoThumbnail(sha, 480u) } catch (e: Exception) { null }
        jpeg?.let { BitmapFactory.decodeByteArray(it, 0, it.size) }?.let { bmp ->
            c.addView(ImageView(this).apply { setImageBitmap(bmp); adjustViewBounds = true; tag = "photo:$sha"; contentDescription = getString(R.string.photos_one) })
        }
        c.button(getString(R.string.photos_remove), "remove:$sha") {
            try {
                stateChanged(session.removePhoto(sha))
                show(VisitActivity.Part.PHOTOS)
            } catch (e: Exception) {
                refuse(words(e))
            }
        }
    }
}

/** The signature: the recipient, a proxy (name, relation) or a thumbprint (its photo next). */
internal fun VisitActivity.sign(c: LinearLayout) {
    val rec = session.record()
    c.title(getString(R.string.sign_title))
    var signer = rec.signature?.signer ?: SignerRole.RECIPIENT
    c.choices("signer", SignerRole.values().map { it to labelSignerRole(it, lang) }, signer) { signer = it }
    val proxy = c.input(getString(R.string.sign_proxy_name), "proxy_name", rec.signature?.proxyName ?: "")
    val relation = c.input(getString(R.string.sign_relation), "relation", rec.signature?.relation ?: "")
    val attest = c.input(getString(R.string.sign_attest_hint), "attested", rec.signature?.attested ?: getString(R.string.sign_attest), multiLine = true)
    val pad = SignaturePad(this).apply { tag = "pad" }
    c.addView(pad, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, dp(240)))
    c.button(getString(R.string.sign_clear), "clear_pad") { pad.clear() }
    c.button(getString(R.string.sign_confirm), "sign") {
        val strokes = if (signer == SignerRole.THUMBPRINT) null else pad.input() ?: return@button refuse(getString(R.string.sign_draw_first))
        if (act(VisitAction.Sign(signer, proxy.text.toString(), relation.text.toString(), strokes, attest.text.toString()))) {
            show(VisitActivity.Part.SIGN)
            refuse(getString(if (signer == SignerRole.THUMBPRINT) R.string.sign_thumbprint_photo else R.string.saved))
        }
    }
    if (rec.signature?.signer == SignerRole.THUMBPRINT || signer == SignerRole.THUMBPRINT) {
        c.button(getString(R.string.sign_take_thumbprint), "thumbprint_photo") { takePhoto() }
    }
    val png = try { session.signaturePreview() } catch (e: Exception) { null }
    png?.let { BitmapFactory.decodeByteArray(it, 0, it.size) }?.let { bmp ->
        c.small(getString(R.string.sign_kept))
        c.addView(ImageView(this).apply { setImageBitmap(bmp); adjustViewBounds = true; tag = "signature_preview" })
    }
}

/** What is still missing, the warnings, the flags; finish when the core allows it. */
internal fun VisitActivity.finishPart(c: LinearLayout) {
    c.title(getString(R.string.finish_title))
    state.missing.forEach { c.body("✗ " + it.text, "missing:${it.missing}", WARN_COLOR) }
    state.warnings.forEach { c.body("! " + it.text, "warning") }
    if (state.missing.isEmpty()) c.body(getString(R.string.finish_complete), "complete", CALM_COLOR)
    val b = c.button(getString(R.string.finish_seal), "seal") {
        try {
            val s = session.finish()
            sealed = true
            // Up as soon as a network is there, whether or not the worker opens the sync screen.
            org.doorstep.field.adapters.SyncJob.syncNow(this)
            show(VisitActivity.Part.FINISH)
            part.title(getString(R.string.finish_sealed), "sealed")
            part.body(getString(R.string.finish_sealed_detail, s.seq.toLong(), s.sha256.take(12)))
            s.flags.forEachIndexed { i, f -> part.body("⚑ " + f.text, "sealed_flag:$i", WARN_COLOR) }
            part.button(getString(R.string.finish_back), "back") { finish() }
        } catch (e: Exception) {
            refuse(words(e))
        }
    }
    b.isEnabled = state.canFinish
}
