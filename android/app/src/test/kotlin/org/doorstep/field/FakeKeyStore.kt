// Robolectric has no AndroidKeyStore: this provider stands in for it with the same names
// (KeyStore "AndroidKeyStore", KeyGenerator "AES" taking a KeyGenParameterSpec), keeping keys
// in memory. The vault code under test is the app's, unchanged; the AES-GCM is the JDK's.
package org.doorstep.field

import android.security.keystore.KeyGenParameterSpec
import java.io.InputStream
import java.io.OutputStream
import java.security.Key
import java.security.KeyStoreSpi
import java.security.Provider
import java.security.SecureRandom
import java.security.Security
import java.security.cert.Certificate
import java.security.spec.AlgorithmParameterSpec
import java.util.Collections
import java.util.Date
import java.util.Enumeration
import javax.crypto.KeyGeneratorSpi
import javax.crypto.SecretKey
import javax.crypto.spec.SecretKeySpec

object FakeKeyStore {
    val keys: MutableMap<String, SecretKey> = Collections.synchronizedMap(mutableMapOf())

    fun install() {
        if (Security.getProvider("AndroidKeyStore") == null) Security.addProvider(FakeKeyStoreProvider())
    }
}

class FakeKeyStoreProvider : Provider("AndroidKeyStore", "1.0", "in-memory stand-in for the AndroidKeyStore") {
    init {
        put("KeyStore.AndroidKeyStore", FakeKeyStoreSpi::class.java.name)
        put("KeyGenerator.AES", FakeKeyGenerator::class.java.name)
    }
}

class FakeKeyGenerator : KeyGeneratorSpi() {
    private var spec: KeyGenParameterSpec? = null

    override fun engineInit(random: SecureRandom?) = throw UnsupportedOperationException("a KeyGenParameterSpec is required")
    override fun engineInit(params: AlgorithmParameterSpec?, random: SecureRandom?) {
        spec = params as? KeyGenParameterSpec ?: throw java.security.InvalidAlgorithmParameterException("not a KeyGenParameterSpec")
    }
    override fun engineInit(keysize: Int, random: SecureRandom?) = throw UnsupportedOperationException("a KeyGenParameterSpec is required")

    override fun engineGenerateKey(): SecretKey {
        val s = spec ?: throw IllegalStateException("not initialised")
        val key = SecretKeySpec(ByteArray(s.keySize / 8).also { SecureRandom().nextBytes(it) }, "AES")
        FakeKeyStore.keys[s.keystoreAlias] = key
        return key
    }
}

class FakeKeyStoreSpi : KeyStoreSpi() {
    private val keys get() = FakeKeyStore.keys
    override fun engineGetKey(alias: String, password: CharArray?): Key? = keys[alias]
    override fun engineGetCertificateChain(alias: String?): Array<Certificate>? = null
    override fun engineGetCertificate(alias: String?): Certificate? = null
    override fun engineGetCreationDate(alias: String?): Date? = null
    override fun engineSetKeyEntry(alias: String, key: Key, password: CharArray?, chain: Array<out Certificate>?) {
        keys[alias] = key as SecretKey
    }
    override fun engineSetKeyEntry(alias: String?, key: ByteArray?, chain: Array<out Certificate>?) = throw UnsupportedOperationException()
    override fun engineSetCertificateEntry(alias: String?, cert: Certificate?) = throw UnsupportedOperationException()
    override fun engineDeleteEntry(alias: String) {
        keys.remove(alias)
    }
    override fun engineAliases(): Enumeration<String> = Collections.enumeration(keys.keys.toList())
    override fun engineContainsAlias(alias: String): Boolean = alias in keys
    override fun engineSize(): Int = keys.size
    override fun engineIsKeyEntry(alias: String): Boolean = alias in keys
    override fun engineIsCertificateEntry(alias: String?): Boolean = false
    override fun engineGetCertificateAlias(cert: Certificate?): String? = null
    override fun engineStore(stream: OutputStream?, password: CharArray?) {}
    override fun engineLoad(stream: InputStream?, password: CharArray?) {}
}
