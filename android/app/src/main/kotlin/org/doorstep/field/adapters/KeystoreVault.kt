// The store's key vault on Android: an AES-256-GCM key generated inside the AndroidKeyStore
// (hardware-backed where the phone has it) wraps and unwraps the store's data key. The key
// never leaves the key store; the core only ever sees wrapped bytes.
package org.doorstep.field.adapters

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.doorstep.core.KeyVault
import org.doorstep.core.PlatformException

class KeystoreVault(private val alias: String) : KeyVault {
    private fun keyStore(): KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

    /** The key, made on first use (only a new store wraps before anything was unwrapped). */
    private fun key(create: Boolean): SecretKey? {
        val ks = keyStore()
        (ks.getKey(alias, null) as SecretKey?)?.let { return it }
        if (!create) return null
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, PROVIDER)
        gen.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                // The key store picks each nonce; a caller-chosen one is refused.
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        return gen.generateKey()
    }

    /** Nonce (12 bytes, chosen by the key store) then ciphertext and tag; `aad` is bound in. */
    override fun wrap(aad: ByteArray, secret: ByteArray): ByteArray = guarded {
        val c = Cipher.getInstance(TRANSFORMATION)
        c.init(Cipher.ENCRYPT_MODE, key(create = true))
        c.updateAAD(aad)
        val iv = c.iv
        check(iv.size == NONCE) { "unexpected nonce size" }
        iv + c.doFinal(secret)
    }

    override fun unwrap(aad: ByteArray, wrapped: ByteArray): ByteArray = guarded {
        val key = key(create = false) ?: throw PlatformException.Failed(KEY_LOST)
        if (wrapped.size <= NONCE) throw PlatformException.Failed(NOT_OURS)
        val c = Cipher.getInstance(TRANSFORMATION)
        c.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped.copyOfRange(0, NONCE)))
        c.updateAAD(aad)
        try {
            c.doFinal(wrapped.copyOfRange(NONCE, wrapped.size))
        } catch (e: GeneralSecurityException) {
            throw PlatformException.Failed(NOT_OURS)
        }
    }

    /** Key-store failures become the bindings' platform error, worded without secrets. */
    private inline fun guarded(body: () -> ByteArray): ByteArray = try {
        body()
    } catch (e: PlatformException) {
        throw e
    } catch (e: KeyPermanentlyInvalidatedException) {
        throw PlatformException.Failed(KEY_LOST)
    } catch (e: GeneralSecurityException) {
        throw PlatformException.Failed("key store: ${e.javaClass.simpleName}")
    } catch (e: java.io.IOException) {
        throw PlatformException.Failed("key store: ${e.javaClass.simpleName}")
    }

    companion object {
        const val PROVIDER = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val NONCE = 12
        const val KEY_LOST = "the key store no longer holds this phone's key"
        const val NOT_OURS = "not wrapped by this phone's key"
    }
}
