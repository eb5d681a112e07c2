// The adapters' edges: HTTPS to a real TLS server on loopback (openssl s_server) trusted only
// through the county CA set on the phone, and the photo provider naming nothing but its own
// capture files.
package org.doorstep.field

import android.net.Uri
import java.io.File
import java.io.FileNotFoundException
import java.net.ServerSocket
import java.nio.file.Files
import org.doorstep.core.HttpRequest
import org.doorstep.core.PlatformException
import org.doorstep.field.adapters.PhotoProvider
import org.doorstep.field.adapters.UrlTransport
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner

@RunWith(RobolectricTestRunner::class)
class TransportTest {
    private val dir: File = Files.createTempDirectory("doorstep-tls").toFile()
    private var server: Process? = null

    @After
    fun stop() {
        server?.destroy()
        server?.waitFor()
        dir.deleteRecursively()
    }

    private fun run(vararg cmd: String) {
        val p = ProcessBuilder(*cmd).directory(dir).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { out }
    }

    /** A county CA, a server certificate it signed for 127.0.0.1, and s_server serving it. */
    private fun countyServer(): Int {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Lankao county CA")
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
        File(dir, "ext.cnf").writeText("subjectAltName=IP:127.0.0.1\n")
        run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
        val port = ServerSocket(0).use { it.localPort }
        server = ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:$port", "-cert", "srv.pem", "-key", "srv.key", "-www", "-quiet")
            .directory(dir).redirectErrorStream(true).start()
        // Ready when it accepts a connection.
        repeat(100) {
            try {
                java.net.Socket("127.0.0.1", port).close()
                return port
            } catch (e: java.io.IOException) {
                Thread.sleep(50)
            }
        }
        error("s_server did not start")
    }

    @Test
    fun httpsIsTrustedThroughTheCountyCaAndRefusedWithoutIt() {
        val port = countyServer()
        val get = HttpRequest("GET", "https://127.0.0.1:$port/", listOf(), ByteArray(0))
        val answer = UrlTransport(File(dir, "ca.pem").readText()).send(get)
        assertEquals(200, answer.status.toInt())
        assertTrue(String(answer.body).contains("s_server"))
        // The system's CAs do not know the county's: refused, in words without the address.
        val refused = assertThrows(PlatformException.Failed::class.java) { UrlTransport("").send(get) }
        assertTrue(refused.reason, refused.reason.startsWith("network: ") && !refused.reason.contains("127.0.0.1"))
        // Another CA pinned: refused too.
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=Another CA")
        assertThrows(PlatformException.Failed::class.java) { UrlTransport(File(dir, "other.pem").readText()).send(get) }
    }

    @Test
    fun thePhotoProviderServesOnlyItsOwnCaptureFiles() {
        Robolectric.setupContentProvider(PhotoProvider::class.java, PhotoProvider.AUTHORITY)
        val (file, uri) = PhotoProvider.newCapture(app)
        assertEquals(file, PhotoProvider.fileOf(app, uri))
        app.contentResolver.openOutputStream(uri)!!.use { it.write(byteArrayOf(1, 2, 3)) }
        assertEquals(3L, file.length())
        for (bad in listOf("../shared_prefs/doorstep.xml", "capture/../../x.jpg", "x.png", "%2e%2e%2fstore.jpg")) {
            val u = Uri.parse("content://${PhotoProvider.AUTHORITY}/$bad")
            assertNull(bad, PhotoProvider.fileOf(app, u))
            assertThrows(bad, FileNotFoundException::class.java) { app.contentResolver.openInputStream(u) }
        }
        assertNull(PhotoProvider.fileOf(app, Uri.parse("content://another.app/${file.name}")))
    }
}
