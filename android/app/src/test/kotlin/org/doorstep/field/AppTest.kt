// The app's declarations and its first minutes on a phone: the manifest as aapt2 linked it,
// the words in both languages, the vault in the key store, enrolment and the due list.
package org.doorstep.field

import android.Manifest
import android.app.job.JobScheduler
import android.content.pm.PackageManager
import android.content.res.Configuration
import java.io.File
import java.util.Locale
import org.doorstep.core.Doorstep
import org.doorstep.core.DoorstepException
import org.doorstep.core.ErrorCode
import org.doorstep.field.adapters.KeystoreVault
import org.doorstep.field.adapters.SyncJob
import org.doorstep.field.adapters.UrlTransport
import org.doorstep.field.ui.DueActivity
import org.doorstep.field.ui.EnrolActivity
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

@RunWith(RobolectricTestRunner::class)
class AppTest {
    @Before
    fun keyStore() = FakeKeyStore.install()

    @Test
    fun theManifestAsksOnlyForWhatTheWorkNeedsAndExportsOnlyTheLauncher() {
        val pm = app.packageManager
        val info = pm.getPackageInfo(
            app.packageName,
            PackageManager.GET_PERMISSIONS or PackageManager.GET_ACTIVITIES or PackageManager.GET_PROVIDERS or PackageManager.GET_SERVICES,
        )
        assertEquals(
            setOf(
                Manifest.permission.ACCESS_FINE_LOCATION, Manifest.permission.ACCESS_COARSE_LOCATION,
                Manifest.permission.INTERNET, Manifest.permission.ACCESS_NETWORK_STATE, Manifest.permission.RECEIVE_BOOT_COMPLETED,
            ),
            info.requestedPermissions!!.toSet(),
        )
        val exported = info.activities!!.filter { it.exported }.map { it.name }
        assertEquals(listOf(DueActivity::class.java.name), exported)
        val provider = info.providers!!.single()
        assertFalse(provider.exported)
        assertTrue(provider.grantUriPermissions)
        val job = info.services!!.single()
        assertFalse(job.exported)
        assertEquals(Manifest.permission.BIND_JOB_SERVICE, job.permission)
        assertEquals(26, app.applicationInfo.minSdkVersion)
        assertFalse("no backups of the store", app.applicationInfo.flags and android.content.pm.ApplicationInfo.FLAG_ALLOW_BACKUP != 0)

        // The same, read back from the package aapt2 linked (what an APK would carry).
        val dump = ProcessBuilder("aapt2", "dump", "permissions", System.getProperty("doorstep.apk")).start()
        val out = dump.inputStream.bufferedReader().readText()
        assertEquals(0, dump.waitFor())
        for (p in info.requestedPermissions!!) assertTrue(out, out.contains(p))
        assertFalse(out, out.contains("CAMERA") || out.contains("STORAGE"))
    }

    @Test
    fun everyWordIsInChineseAndEnglish() {
        val fields = R.string::class.java.fields.map { it.name to it.getInt(null) }
        val en = app.createConfigurationContext(Configuration(app.resources.configuration).apply { setLocale(Locale.ENGLISH) })
        val zh = app.createConfigurationContext(Configuration(app.resources.configuration).apply { setLocale(Locale.SIMPLIFIED_CHINESE) })
        assertTrue(fields.size > 100)
        val same = fields.filter { (_, id) -> en.getString(id) == zh.getString(id) }.map { it.first }
        assertEquals("only the layout of the worker line reads the same", listOf("sync_who"), same)
        assertTrue(zh.getString(R.string.app_name).contains("走访"))
    }

    @Test
    fun theVaultKeepsItsKeyInTheKeyStoreAndRefusesAnother() {
        val dir = File(app.noBackupFilesDir, "vault-test").path
        val vault = KeystoreVault("test-key")
        Doorstep.createWithVault(dir, FieldApp.VAULT_KIND, vault).destroy()
        assertTrue(FakeKeyStore.keys.containsKey("test-key"))
        // Wrapped bytes carry a fresh nonce each time and bind the aad.
        val a = vault.wrap("aad".toByteArray(), "secret".toByteArray())
        assertNotEquals(a.toList(), vault.wrap("aad".toByteArray(), "secret".toByteArray()).toList())
        assertArrayEquals("secret".toByteArray(), vault.unwrap("aad".toByteArray(), a))
        Doorstep.openWithVault(dir, FieldApp.VAULT_KIND, vault).destroy()
        val other = try {
            Doorstep.openWithVault(dir, FieldApp.VAULT_KIND, KeystoreVault("another-key"))
            null
        } catch (e: DoorstepException) {
            e
        }
        assertEquals(ErrorCode.WRONG_KEY, other?.errorCode)
    }

    @Test
    fun aLostKeyIsSaidPlainlyAndTheOldRecordsAreSetAsideNotDeleted() {
        enrolThroughTheScreen()
        app.close()
        FakeKeyStore.keys.remove(FieldApp.VAULT_ALIAS)
        val due = open(DueActivity::class.java)
        val enrol = open(EnrolActivity::class.java, due.started())
        assertTrue(enrol.texts(), enrol.has("key_lost"))
        enrol.click("set_aside")
        val aside = app.noBackupFilesDir.listFiles()!!.single { it.name.startsWith("store-set-aside-") }
        assertTrue("the old store is kept", aside.listFiles()!!.isNotEmpty())
        // A new store: the phone enrols again.
        assertTrue(app.open() is Opened.Ready)
        assertFalse(app.core().status().enrolled)
    }

    @Test
    fun enrolmentBringsTheRosterAndTheDueListPutsTheMostOverdueFirst() {
        // A wrong code: the server's refusal in words, and no enrolment.
        open(DueActivity::class.java)
        val enrol = open(EnrolActivity::class.java)
        enrol.type("server", TestServer.url)
        enrol.type("code", "WRONGCODE123")
        enrol.click("enrol")
        drain()
        enrol.assertElderFriendly()
        enrol.screenshot("enrol-refused")
        assertTrue(enrol.textOf("status").isNotBlank())
        assertFalse(app.core().status().enrolled)

        val due = enrolThroughTheScreen()
        due.assertElderFriendly()
        due.screenshot("due-list")
        val list = due.tagged<android.view.ViewGroup>("due_list")
        val ids = (0 until list.childCount).map { list.getChildAt(it).tag as String }
        assertEquals("B2 is overdue since last year", "recipient:B2", ids.first())
        assertEquals(setOf("recipient:A1", "recipient:B2", "recipient:C3"), ids.toSet())
        // Division names, not codes; categories and card state in the core's words.
        val a1 = due.textOf("recipient:A1")
        assertTrue(a1, a1.contains("城关镇 · 北街村") && a1.contains("高龄") && !a1.contains("410225100201"))

        due.type("search", "秀兰")
        assertEquals(1, list.childCount)
        assertEquals("recipient:A1", list.getChildAt(0).tag)
        due.type("search", "没有这个人")
        assertTrue(due.has("due_empty"))

        // Background sync is scheduled, needing a network, and survives reboots.
        val job = app.getSystemService(JobScheduler::class.java)!!.getPendingJob(SyncJob.PERIODIC_ID)!!
        assertTrue(job.isPeriodic && job.isPersisted)
        assertTrue(job.requiredNetwork!!.hasCapability(android.net.NetworkCapabilities.NET_CAPABILITY_INTERNET))
    }

    @Test
    fun aBadCountyCertificateIsRefusedBeforeEnrolment() {
        open(DueActivity::class.java)
        val enrol = open(EnrolActivity::class.java)
        enrol.type("server", TestServer.url)
        enrol.type("code", TestServer.code())
        enrol.type("ca", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")
        enrol.click("enrol")
        drain()
        assertEquals(UrlTransport.BAD_CA, enrol.textOf("status"))
        assertFalse(app.core().status().enrolled)
    }

    @Test
    fun textFollowsTheSystemFontSize() {
        enrolThroughTheScreen()
        val normal = open(DueActivity::class.java).tagged<android.widget.TextView>("to_sync").textSize
        RuntimeEnvironment.setFontScale(1.5f)
        val large = open(DueActivity::class.java).tagged<android.widget.TextView>("to_sync").textSize
        // Android 14 scales large text less than small (non-linear), but it grows.
        assertTrue("$normal -> $large", large > normal * 1.25f)
    }
}
