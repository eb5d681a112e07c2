//! The device's Ed25519 key: it signs sealed records and, later, requests to the server. The
//! private half exists only in memory and, sealed under the data key, in the store.

use ring::rand::SystemRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use zeroize::Zeroizing;

use super::CryptoError;

pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

pub struct DeviceKey {
    pair: Ed25519KeyPair,
    /// The PKCS#8 document the store seals; wiped when dropped.
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey").finish_non_exhaustive()
    }
}

impl DeviceKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| CryptoError::Random)?;
        Self::from_pkcs8(doc.as_ref())
    }

    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| CryptoError::Malformed)?;
        Ok(Self {
            pair,
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    /// The private key as PKCS#8, for the store to seal under its data key (and nowhere else).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub fn public_key(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.pair
            .public_key()
            .as_ref()
            .try_into()
            .expect("Ed25519 public keys are 32 bytes")
    }

    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.pair
            .sign(message)
            .as_ref()
            .try_into()
            .expect("Ed25519 signatures are 64 bytes")
    }
}

/// Whether `sig` is `public`'s Ed25519 signature of `message`.
pub fn verify(public: &[u8], message: &[u8], sig: &[u8]) -> bool {
    UnparsedPublicKey::new(&signature::ED25519, public)
        .verify(message, sig)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_survives_a_pkcs8_round_trip() {
        let key = DeviceKey::generate().expect("key");
        let sig = key.sign(b"record bytes");
        assert!(verify(&key.public_key(), b"record bytes", &sig));
        assert!(!verify(&key.public_key(), b"record bytez", &sig));
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(!verify(&key.public_key(), b"record bytes", &bad));
        let again = DeviceKey::from_pkcs8(key.pkcs8()).expect("reload");
        assert_eq!(again.public_key(), key.public_key());
        assert!(DeviceKey::from_pkcs8(b"not a key").is_err());
        assert!(!format!("{key:?}").contains(&format!("{:?}", key.pkcs8())));
    }
}
