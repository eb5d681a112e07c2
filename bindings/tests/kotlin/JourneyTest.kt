// The whole field journey through the Kotlin bindings on the JVM against a real
// `doorstep serve`: a store opened with a key vault backed by the JVM's AES-GCM (a key that
// never leaves it, as the Android Keystore's), enrolment, the roster down, a visit with
// fixes, checklist, photo and signature, finished, synced and receipted; and errors arriving
// as typed exceptions. HTTP is HttpURLConnection, implementing the bindings' HttpTransport.

import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.security.MessageDigest
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.doorstep.core.*
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

/** AES-256-GCM under a key held only here, the aad bound to each wrapping. */
class JvmKeyVault : KeyVault {
    private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    override fun wrap(aad: ByteArray, secret: ByteArray): ByteArray {
        val nonce = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val c = Cipher.getInstance("AES/GCM/NoPadding")
        c.init(Cipher.ENCRYPT_MODE, key, GCMParameterSpec(128, nonce))
        c.updateAAD(aad)
        return nonce + c.doFinal(secret)
    }

    override fun unwrap(aad: ByteArray, wrapped: ByteArray): ByteArray {
        try {
            val c = Cipher.getInstance("AES/GCM/NoPadding")
            c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
            c.updateAAD(aad)
            return c.doFinal(wrapped.copyOfRange(12, wrapped.size))
        } catch (e: Exception) {
            throw PlatformException.Failed("not wrapped by this key")
        }
    }
}

/** HttpURLConnection as the bindings' HTTP: every answer returned, whatever its status. */
class UrlConnectionTransport : HttpTransport {
    override fun send(request: HttpRequest): HttpResponse {
        try {
            val c = URI(request.url).toURL().openConnection() as HttpURLConnection
            c.requestMethod = request.method
            c.connectTimeout = 10_000
            c.readTimeout = 30_000
            for (h in request.headers) c.setRequestProperty(h.name, h.value)
            if (request.method != "GET") {
                c.doOutput = true
                c.outputStream.use { it.write(request.body) }
            }
            val status = c.responseCode
            val body = (if (status >= 400) c.errorStream else c.inputStream)?.use { it.readBytes() } ?: ByteArray(0)
            val headers = c.headerFields.filterKeys { it != null }
                .flatMap { (k, vs) -> vs.map { HttpHeader(k, it) } }
            return HttpResponse(status.toUShort(), headers, body)
        } catch (e: java.io.IOException) {
            throw PlatformException.Failed(e.toString())
        }
    }
}

fun idNumber(region: String, birth: String, seq: Int): String {
    val body = region + birth + "%03d".format(seq)
    val w = intArrayOf(7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    val sum = body.mapIndexed { i, c -> (c - '0') * w[i] }.sum()
    return body + "10X98765432"[sum % 11]
}

fun strokes(): SignatureInput {
    val points = (0 until 120).map { i ->
        val s = i / 119.0
        StrokePoint(
            (40 + s * 500 + 25 * Math.cos(s * 40)).toFloat(),
            (100 + 45 * Math.sin(s * 20) * (1 - s / 2)).toFloat(),
            (i * 8).toUInt(),
            0.6f,
        )
    }
    return SignatureInput(600u, 200u, listOf(points))
}

fun fix(lat: Double, lon: Double, accuracy: Double = 8.0) = GpsFix(lat, lon, accuracy, null, "gps", false, Datum.WGS84)

val ITEMS = listOf("identity_checked", "card_in_hand", "social_security_activated", "bank_activated",
    "ss_password_changed", "bank_pin_set", "sms_enabled", "balance_shown", "subsidies_seen")

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JourneyTest {
    private val doorstep = System.getenv("DOORSTEP_BIN")
    private val root = kotlin.io.path.createTempDirectory("doorstep-kotlin").toFile()
    private val data = File(root, "server").path
    private lateinit var server: Process
    private lateinit var url: String

    private fun admin(vararg args: String): String {
        val cmd = listOf(doorstep, "admin", args[0], "--data", data) + args.drop(1) + "--json"
        val p = ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor() == 0) { "admin ${args[0]} failed" }
        return out
    }

    private fun code(): String =
        Regex("\"code\"\\s*:\\s*\"([A-Z0-9]+)\"").find(admin("enrolment-code", "--worker", "李四", "--area", "410225"))!!.groupValues[1]

    @BeforeAll
    fun start() {
        server = ProcessBuilder(doorstep, "serve", "--data", data, "--listen", "127.0.0.1:0", "--json")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val line = server.inputStream.bufferedReader().readLine()
        url = Regex("\"listening\"\\s*:\\s*\"([^\"]+)\"").find(line)!!.groupValues[1]
        val roster = File(root, "roster.csv")
        roster.writeText(
            "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone," +
                "guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date\n" +
                "A1,王秀兰,${idNumber("410225", "19400312", 11)},,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,," +
                "GL01:高龄津贴:100:0,issued_inactive,\n"
        )
        admin("import-roster", "--area", "410225", roster.path)
    }

    @AfterAll
    fun stop() {
        server.destroy()
        server.waitFor()
        root.deleteRecursively()
    }

    @Test
    fun aVisitGoesFromTheRosterToAReceipt() {
        val vault = JvmKeyVault()
        val dir = File(root, "phone").path
        val ds = Doorstep.createWithVault(dir, "jvm-keystore", vault)
        val http = UrlConnectionTransport()
        assertEquals("410225", ds.enroll(http, url, code()).area)
        assertEquals(1uL, ds.sync(http, null).rosterRows)
        val due = ds.dueList(10u, LatLon(34.8, 114.8))
        assertEquals(listOf("A1"), due.map { it.id })
        assertEquals(listOf(Category.ELDERLY), due[0].categories)

        val v = ds.startVisit("A1")
        val knock = v.view()
        assertEquals(Step.KNOCK, knock.step)
        assertTrue(knock.missing[0].missing is Missing.Contact)
        // 1.5 km off: the flag carries its measurement, and says it in words.
        val far = v.addFix(fix(34.8135, 114.8))
        val tooFar = far.flags.map { it.flag }.filterIsInstance<Flag.TooFar>().single()
        assertTrue(tooFar.distanceM in 1400u..1600u, "${tooFar.distanceM}")
        assertTrue(far.flags.any { it.text.contains(tooFar.distanceM.toString()) })
        v.addFix(fix(34.8, 114.8, 4.0))
        val cared = v.actAll(
            listOf(
                VisitAction.Contact(Outcome.MET_PERSON, listOf()),
                VisitAction.Subsidy("GL01", Arrival.YES, 10000L, true),
                VisitAction.Satisfaction(SatisfactionLevel.SATISFIED, ""),
            )
        )
        assertEquals(Step.CHECKLIST, cared.step)
        v.actAll(ITEMS.map { VisitAction.Checklist(it, ItemStatus.DONE, "") })
        assertEquals(1, v.addPhoto(File(System.getenv("DOORSTEP_PHOTO")).readBytes()).photos.size)
        val signed = v.act(VisitAction.Sign(SignerRole.RECIPIENT, "", "", strokes(), "本人确认以上走访内容属实"))
        assertTrue(signed.canFinish, signed.missing.toString())
        val sealed = v.finish()
        // The precise fix at the door is the visit's best: the record is not flagged too far.
        assertTrue(sealed.flags.none { it.flag is Flag.TooFar }, sealed.flags.toString())
        val exported = v.export()
        val sha = MessageDigest.getInstance("SHA-256").digest(exported.record).joinToString("") { "%02x".format(it) }
        assertEquals(sealed.sha256, sha)
        assertEquals(2, exported.media.size)
        assertEquals(VisitProgress.WAITING, ds.visits()[0].progress)

        val up = ds.sync(http, null)
        assertEquals(Triple(1uL, 1uL, 2uL), Triple(up.sent, up.receipted, up.mediaSent))
        assertEquals(VisitProgress.RECEIPTED, ds.visits()[0].progress)
        assertEquals(0uL, ds.sync(http, null).sent)

        ds.destroy()
        Doorstep.openWithVault(dir, "jvm-keystore", vault).destroy()
        val wrong = assertThrows(DoorstepException.Store::class.java) {
            Doorstep.openWithVault(dir, "jvm-keystore", JvmKeyVault())
        }
        assertEquals(ErrorCode.WRONG_KEY, wrong.code)
    }

    @Test
    fun errorsArriveTypedWithCodes() {
        val dir = File(root, "passphrase-phone").path
        Doorstep.createWithPassphrase(dir, "a good long passphrase").destroy()
        val wrong = assertThrows(DoorstepException.Store::class.java) { Doorstep.openWithPassphrase(dir, "not the passphrase") }
        assertEquals(ErrorCode.WRONG_KEY, wrong.code)
        val ds = Doorstep.openWithPassphrase(dir, "a good long passphrase")
        ds.setLanguage(Language.EN)
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(DoorstepException.Visit::class.java) { ds.startVisit("NOBODY") }.code)
        assertEquals(
            ErrorCode.NOT_ENROLLED,
            assertThrows(DoorstepException.Sync::class.java) { ds.sync(UrlConnectionTransport(), null) }.code,
        )
        val refused = assertThrows(DoorstepException.Sync::class.java) { ds.enroll(UrlConnectionTransport(), url, "WRONGCODE123") }
        assertEquals(ErrorCode.REFUSED, refused.code)
        assertEquals(401.toUShort(), refused.httpStatus)
        ds.enroll(UrlConnectionTransport(), url, code())
        ds.sync(UrlConnectionTransport(), null)
        val v = ds.startVisit("A1")
        val early = assertThrows(DoorstepException.Visit::class.java) {
            v.act(VisitAction.Satisfaction(SatisfactionLevel.SATISFIED, ""))
        }
        assertEquals(ErrorCode.INVALID, early.code)
        assertEquals("record who was met at the door first", early.detail)
        assertEquals(Step.KNOCK, v.view().step, "refused actions left the draft alone")
        assertEquals("家中无人", labelOutcome(Outcome.NOBODY_HOME, Language.ZH))
    }
}
