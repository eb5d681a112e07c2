// The core's HTTP on HttpURLConnection: every answer handed back whatever its status (the core
// reads refusals itself); over HTTPS the county's own CA when one is set, pinned as the only
// one trusted.
package org.doorstep.field.adapters

import java.io.ByteArrayInputStream
import java.io.IOException
import java.net.HttpURLConnection
import java.net.URL
import java.security.GeneralSecurityException
import java.security.KeyStore
import java.security.cert.CertificateFactory
import javax.net.ssl.HttpsURLConnection
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLSocketFactory
import javax.net.ssl.TrustManagerFactory
import org.doorstep.core.HttpHeader
import org.doorstep.core.HttpRequest
import org.doorstep.core.HttpResponse
import org.doorstep.core.HttpTransport
import org.doorstep.core.PlatformException

class UrlTransport(countyCaPem: String) : HttpTransport {
    private val sockets: SSLSocketFactory? = if (countyCaPem.isBlank()) null else pinned(countyCaPem)

    override fun send(request: HttpRequest): HttpResponse {
        try {
            val c = URL(request.url).openConnection() as HttpURLConnection
            if (c is HttpsURLConnection && sockets != null) c.sslSocketFactory = sockets
            c.requestMethod = request.method
            c.connectTimeout = 15_000
            c.readTimeout = 60_000
            c.useCaches = false
            for (h in request.headers) c.setRequestProperty(h.name, h.value)
            if (request.method != "GET") {
                c.doOutput = true
                c.setFixedLengthStreamingMode(request.body.size)
                c.outputStream.use { it.write(request.body) }
            }
            val status = c.responseCode
            val body = (if (status >= 400) c.errorStream else c.inputStream)?.use { it.readBytes() } ?: ByteArray(0)
            val headers = c.headerFields.entries
                .filter { it.key != null }
                .flatMap { (k, vs) -> vs.map { HttpHeader(k, it) } }
            c.disconnect()
            return HttpResponse(status.toUShort(), headers, body)
        } catch (e: IOException) {
            // The class says what failed (no route, timeout, TLS) without echoing the URL.
            throw PlatformException.Failed("network: ${e.javaClass.simpleName}")
        }
    }

    companion object {
        /** Sockets trusting only the certificate(s) in `pem`; a bad PEM is refused clearly. */
        fun pinned(pem: String): SSLSocketFactory {
            try {
                val certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(ByteArrayInputStream(pem.trim().toByteArray()))
                if (certs.isEmpty()) throw PlatformException.Failed(BAD_CA)
                val ks = KeyStore.getInstance(KeyStore.getDefaultType()).apply { load(null) }
                certs.forEachIndexed { i, cert -> ks.setCertificateEntry("county-$i", cert) }
                val tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).apply { init(ks) }
                return SSLContext.getInstance("TLS").apply { init(null, tmf.trustManagers, null) }.socketFactory
            } catch (e: GeneralSecurityException) {
                throw PlatformException.Failed(BAD_CA)
            } catch (e: IOException) {
                throw PlatformException.Failed(BAD_CA)
            }
        }

        const val BAD_CA = "the county CA in settings is not a certificate"
    }
}
