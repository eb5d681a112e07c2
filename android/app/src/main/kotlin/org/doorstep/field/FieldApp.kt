// The app process: the one core store this phone holds, opened with the key in the
// AndroidKeyStore, the settings, and the two background threads: one for what waits on the
// network, one for a photo's processing, so a photo never waits behind a slow sync.
package org.doorstep.field

import android.app.Application
import android.content.Context
import android.os.Handler
import android.os.Looper
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import org.doorstep.core.Doorstep
import org.doorstep.core.DoorstepException
import org.doorstep.core.ErrorCode
import org.doorstep.core.HttpTransport
import org.doorstep.core.KeyVault
import org.doorstep.core.languageFromLocale
import org.doorstep.field.adapters.KeystoreVault
import org.doorstep.field.adapters.SyncJob
import org.doorstep.field.adapters.UrlTransport

/** What opening the store came to: the screens route on it. */
sealed class Opened {
    class Ready(val core: Doorstep) : Opened()

    /** The key store no longer holds the key that wraps this store's data key (a reset lock
     *  screen, a restored backup on another phone): nothing on it can be read; enrol again. */
    object KeyLost : Opened()

    class Failed(val detail: String) : Opened()
}

class FieldApp : Application() {
    val settings: Settings by lazy { Settings(this) }

    /** Enrolment and sync: one thread, so two syncs never overlap. The core runs them on a
     *  second handle of the store, so the screens' calls go on meanwhile. */
    val network: ExecutorService = Executors.newSingleThreadExecutor { r -> Thread(r, "doorstep-network") }

    /** Work too slow for the main thread that does not wait on the network (photos). */
    val work: ExecutorService = Executors.newSingleThreadExecutor { r -> Thread(r, "doorstep-work") }
    private val main = Handler(Looper.getMainLooper())

    /** The vault: the AndroidKeyStore. A field so that a test can hand in its own. */
    var vault: KeyVault = KeystoreVault(VAULT_ALIAS)

    private var core: Doorstep? = null

    val storeDir: File get() = File(noBackupFilesDir, "store")

    /** Opens (or on first start creates) the store. The same instance until [close]. */
    @Synchronized
    fun open(): Opened {
        core?.let { return Opened.Ready(it) }
        return try {
            val ds = try {
                Doorstep.openWithVault(storeDir.path, VAULT_KIND, vault)
            } catch (e: DoorstepException.Store) {
                if (e.errorCode != ErrorCode.NO_STORE) throw e
                Doorstep.createWithVault(storeDir.path, VAULT_KIND, vault)
            }
            ds.setLanguage(languageFromLocale(resources.configuration.locales[0].toLanguageTag()))
            core = ds
            if (ds.status().enrolled) SyncJob.schedule(this)
            Opened.Ready(ds)
        } catch (e: DoorstepException) {
            if (e.errorCode == ErrorCode.WRONG_KEY || e.errorCode == ErrorCode.CRYPTO) Opened.KeyLost else Opened.Failed(e.detail)
        }
    }

    /** The open store; screens call this only after [open] said Ready. */
    fun core(): Doorstep = (open() as? Opened.Ready)?.core ?: error("the store is not open")

    /** Closes the store (the process going away does the same). */
    @Synchronized
    fun close() {
        core?.destroy()
        core = null
    }

    /** After the key was lost: the unreadable store is moved aside, never deleted (a county
     *  technician may still recover it), and a new one is made at the next [open]. */
    @Synchronized
    fun setAsideLostStore(): File {
        close()
        val aside = File(noBackupFilesDir, "store-set-aside-${System.currentTimeMillis()}")
        check(storeDir.renameTo(aside)) { "could not move the old store aside" }
        settings.server = ""
        return aside
    }

    fun transport(): HttpTransport = UrlTransport(settings.countyCaPem)

    /** Runs [task] on the network thread; its outcome goes to [done] on the main thread. */
    fun <T> onNetwork(task: () -> T, done: (Result<T>) -> Unit) = run(network, task, done)

    /** Runs [task] on the work thread; its outcome goes to [done] on the main thread. */
    fun <T> inBackground(task: () -> T, done: (Result<T>) -> Unit) = run(work, task, done)

    private fun <T> run(on: ExecutorService, task: () -> T, done: (Result<T>) -> Unit) {
        on.execute {
            val r = runCatching(task)
            main.post { done(r) }
        }
    }

    companion object {
        const val VAULT_KIND = "android-keystore"
        const val VAULT_ALIAS = "doorstep-store-key"

        fun of(context: Context): FieldApp = context.applicationContext as FieldApp
    }
}

/** The stable code of any refusal, whichever kind it is. */
val DoorstepException.errorCode: ErrorCode
    get() = when (this) {
        is DoorstepException.Store -> code
        is DoorstepException.Visit -> code
        is DoorstepException.Sync -> code
    }

/** The refusal in words a screen can show as it is (the exception's message adds its code). */
val DoorstepException.detail: String
    get() = when (this) {
        is DoorstepException.Store -> detail
        is DoorstepException.Visit -> detail
        is DoorstepException.Sync -> detail
    }
