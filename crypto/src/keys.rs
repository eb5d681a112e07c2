//! The data key (DEK) and the subkeys derived from it with HKDF-SHA256, one per purpose, so
//! that a key used for one job is never used for another.

use ring::{aead, hkdf, hmac};
use zeroize::Zeroizing;

use super::nonce::random_bytes;
use super::CryptoError;

/// HKDF salt: fixed and public; the DEK is already uniformly random.
const HKDF_SALT: &[u8] = b"doorstep.hkdf.v1";

/// A 32-byte random data key. Wiped from memory when dropped; never leaves the core.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

impl DataKey {
    pub fn generate() -> Result<Self, CryptoError> {
        let mut k = Zeroizing::new([0u8; 32]);
        random_bytes(&mut k[..])?;
        Ok(Self(k))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(Self(Zeroizing::new(arr)))
    }

    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    fn prk(&self) -> hkdf::Prk {
        hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(&self.0[..])
    }
}

/// Purpose labels for HKDF. Changing one makes every value under it unreadable.
mod label {
    pub const VALUES: &[u8] = b"doorstep.values.aes256gcm";
    pub const BIDX_ID_NUMBER: &[u8] = b"doorstep.bidx.id_number";
    pub const BIDX_PHONE: &[u8] = b"doorstep.bidx.phone";
}

fn aead_key(prk: &hkdf::Prk, purpose: &[u8]) -> Result<aead::LessSafeKey, CryptoError> {
    let info = [purpose];
    let okm = prk
        .expand(&info, &aead::AES_256_GCM)
        .map_err(|_| CryptoError::Malformed)?;
    Ok(aead::LessSafeKey::new(aead::UnboundKey::from(okm)))
}

fn hmac_key(prk: &hkdf::Prk, purpose: &[u8]) -> Result<hmac::Key, CryptoError> {
    let info = [purpose];
    let okm = prk
        .expand(&info, hmac::HMAC_SHA256)
        .map_err(|_| CryptoError::Malformed)?;
    Ok(hmac::Key::from(okm))
}

/// The working keys of one data key, derived once when the store opens (deriving per value
/// would cost 10–20 % for nothing: AES-GCM with random nonces is safe far beyond a phone's
/// volume under one key).
pub struct KeySet {
    pub key_id: u32,
    pub(crate) values: aead::LessSafeKey,
    pub(crate) bidx_id_number: hmac::Key,
    pub(crate) bidx_phone: hmac::Key,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl KeySet {
    pub fn derive(key_id: u32, dek: &DataKey) -> Result<Self, CryptoError> {
        let prk = dek.prk();
        Ok(Self {
            key_id,
            values: aead_key(&prk, label::VALUES)?,
            bidx_id_number: hmac_key(&prk, label::BIDX_ID_NUMBER)?,
            bidx_phone: hmac_key(&prk, label::BIDX_PHONE)?,
        })
    }
}
