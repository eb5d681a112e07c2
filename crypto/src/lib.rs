//! doorstep-crypto: all of Doorstep's cryptography, on `ring` alone — the data-key
//! hierarchy, row envelopes, blind indexes, the vault that wraps the data key, password
//! hashes, and the device's Ed25519 signatures. Nothing else in the workspace calls `ring`.
#![forbid(unsafe_code)]

mod blind_index;
mod envelope;
mod keys;
mod nonce;
mod password;
mod signing;
mod vault;

pub use blind_index::{BlindIndex, BLIND_INDEX_LEN};
pub use envelope::{key_id_of as envelope_key_id, EnvelopeAad, ENVELOPE_VERSION};
pub use keys::{DataKey, KeySet};
pub use nonce::{random_bytes, random_hex, NoncePool};
pub use password::{hash_password, unhex, verify_password};
pub use signing::{verify as verify_signature, DeviceKey, PUBLIC_KEY_LEN, SIGNATURE_LEN};
pub use vault::{
    Kek, KeyVault, KeyWrapper, PassphraseVault, RawKeyVault, VaultParams, WrapperVault,
    MAX_PBKDF2_ITERATIONS, MIN_PBKDF2_ITERATIONS,
};

/// SHA-256 of `bytes` (record hashes, media names).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .try_into()
        .expect("SHA-256 is 32 bytes")
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Crypto failures. None carries key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the system random source failed")]
    Random,
    #[error("ciphertext failed authentication")]
    Decrypt,
    #[error("envelope is malformed")]
    Malformed,
    #[error("envelope version {0} is not supported")]
    Version(u8),
    #[error("envelope names key {0}, which this store does not have")]
    UnknownKey(u32),
    #[error("the key vault failed: {0}")]
    Vault(String),
}
