// What the worker or the county technician set on this phone: the server and the county's
// CA certificate. Nothing personal: the roster and visits live in the encrypted store.
package org.doorstep.field

import android.content.Context

class Settings(context: Context) {
    private val prefs = context.getSharedPreferences("doorstep", Context.MODE_PRIVATE)

    var server: String
        get() = prefs.getString("server", "") ?: ""
        set(v) = prefs.edit().putString("server", v).apply()

    /** PEM of the county's CA; empty trusts the system's CAs. */
    var countyCaPem: String
        get() = prefs.getString("county_ca", "") ?: ""
        set(v) = prefs.edit().putString("county_ca", v).apply()

    /** What the last sync came to, in words, for the sync screen (no personal data). */
    var lastSyncOutcome: String
        get() = prefs.getString("last_sync_outcome", "") ?: ""
        set(v) = prefs.edit().putString("last_sync_outcome", v).apply()
}
