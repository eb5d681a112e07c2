// Enrolment: the county's server address and the one-time code from the supervisor (a QR
// scan can fill the same two fields later), optionally the county's CA certificate. Also
// where a phone lands when its key store lost the store's key.
package org.doorstep.field.ui

import android.content.Intent
import android.os.Bundle
import org.doorstep.field.Opened
import org.doorstep.field.R
import org.doorstep.field.adapters.UrlTransport

class EnrolActivity : Screen() {
    override fun created(savedInstanceState: Bundle?) = render()

    private fun render() {
        root.removeAllViews()
        if (app.open() is Opened.KeyLost) return keyLost()
        root.title(getString(R.string.enrol_title))
        root.body(getString(R.string.enrol_explain))
        val server = root.input(getString(R.string.enrol_server), "server", app.settings.server.ifEmpty { "https://" })
        val code = root.input(getString(R.string.enrol_code), "code")
        val ca = root.input(getString(R.string.enrol_ca), "ca", app.settings.countyCaPem, multiLine = true)
        val status = root.body("", "status")
        root.button(getString(R.string.enrol_go), "enrol") {
            val url = server.text.toString().trim()
            val pem = ca.text.toString().trim()
            if (pem.isNotEmpty()) {
                try {
                    UrlTransport.pinned(pem)
                } catch (e: Exception) {
                    status.text = words(e)
                    return@button
                }
            }
            app.settings.countyCaPem = pem
            status.text = getString(R.string.enrol_working)
            app.onNetwork({
                core.enroll(app.transport(), url, code.text.toString().trim().uppercase())
                // The roster comes down at once, so the due list is there before the first household.
                core.sync(app.transport(), null)
            }) { r ->
                r.onSuccess {
                    app.settings.server = url
                    org.doorstep.field.adapters.SyncJob.schedule(this)
                    startActivity(Intent(this, DueActivity::class.java).addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP))
                    finish()
                }.onFailure { status.text = words(it) }
            }
        }
    }

    private fun keyLost() {
        root.title(getString(R.string.key_lost_title), "key_lost")
        root.body(getString(R.string.key_lost_explain))
        root.button(getString(R.string.key_lost_set_aside), "set_aside") {
            app.setAsideLostStore()
            recreate()
        }
    }
}
