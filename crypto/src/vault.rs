//! Key vaults: where the key-encryption key (KEK) that wraps the data key comes from. On a
//! phone the shell's vault hands in a secret held by the Android Keystore or iOS Keychain; the
//! CLI and tests use a passphrase stretched with PBKDF2-HMAC-SHA256. Keys only ever travel
//! inward: the core asks the vault for the KEK and wraps the data key itself.

use std::num::NonZeroU32;

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::{hkdf, pbkdf2};
use zeroize::Zeroizing;

use super::keys::DataKey;
use super::nonce::{random_bytes, NONCE_LEN};
use super::CryptoError;

/// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
pub const MIN_PBKDF2_ITERATIONS: u32 = 600_000;
/// Beyond this, opening would take minutes on a phone: a stored count this high is damage.
pub const MAX_PBKDF2_ITERATIONS: u32 = 20_000_000;
const SALT_LEN: usize = 16;

/// What a store keeps in plaintext about its vault, so the same vault derives the same KEK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultParams {
    pub kind: String,
    pub salt: Vec<u8>,
    pub iterations: u32,
}

/// Parameters with a fresh random salt.
fn fresh_params(kind: &str, iterations: u32) -> Result<VaultParams, CryptoError> {
    let mut salt = vec![0u8; SALT_LEN];
    random_bytes(&mut salt)?;
    Ok(VaultParams {
        kind: kind.to_owned(),
        salt,
        iterations,
    })
}

/// The source of the key-encryption key.
pub trait KeyVault: Send + Sync {
    /// A short name stored with the store ("passphrase", "raw", "android-keystore"…), so that
    /// opening with the wrong kind of vault says so instead of "wrong key".
    fn kind(&self) -> &str;

    /// Fresh parameters for a new store or a re-wrap (random salt, the vault's cost).
    fn new_params(&self) -> Result<VaultParams, CryptoError>;

    /// The KEK for stored parameters.
    fn key_encryption_key(&self, params: &VaultParams) -> Result<Kek, CryptoError>;
}

/// A key-encryption key: 32 bytes held here (wiped when dropped) that wrap data keys with
/// AES-256-GCM, or a platform key store that wraps and unwraps them itself, so that its key
/// never leaves it (the Android Keystore, the iOS Keychain).
pub struct Kek(KekInner);

enum KekInner {
    Local(Zeroizing<[u8; 32]>),
    Platform(std::sync::Arc<dyn KeyWrapper>),
}

impl Kek {
    /// The same key for a second handle on the same store: a platform key store is shared,
    /// a local key copied (each copy wiped when dropped).
    pub fn duplicate(&self) -> Kek {
        Kek(match &self.0 {
            KekInner::Local(k) => KekInner::Local(Zeroizing::new(**k)),
            KekInner::Platform(w) => KekInner::Platform(w.clone()),
        })
    }
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

/// A platform key store that wraps secrets under a key it never releases. `aad` must be
/// bound to the wrapping (AES-GCM's associated data, say): unwrapping with other `aad` fails.
/// Implementations must not call back into the store.
pub trait KeyWrapper: Send + Sync {
    fn wrap(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Fails (any error) when this key did not wrap it: the wrong key store or a changed blob.
    fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// A vault whose KEK is a platform key store ([`KeyWrapper`]); `kind` names it
/// ("android-keystore", "ios-keychain") so a store opened with another kind of vault says so.
pub struct WrapperVault {
    kind: String,
    wrapper: std::sync::Arc<dyn KeyWrapper>,
}

impl std::fmt::Debug for WrapperVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrapperVault")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl WrapperVault {
    pub fn new(kind: impl Into<String>, wrapper: std::sync::Arc<dyn KeyWrapper>) -> Self {
        Self {
            kind: kind.into(),
            wrapper,
        }
    }
}

impl KeyVault for WrapperVault {
    fn kind(&self) -> &str {
        &self.kind
    }

    fn new_params(&self) -> Result<VaultParams, CryptoError> {
        fresh_params(&self.kind, 0)
    }

    fn key_encryption_key(&self, _params: &VaultParams) -> Result<Kek, CryptoError> {
        Ok(Kek(KekInner::Platform(self.wrapper.clone())))
    }
}

fn wrap_aad(key_id: u32) -> Vec<u8> {
    let mut aad = b"doorstep.dek.v1".to_vec();
    aad.extend_from_slice(&key_id.to_be_bytes());
    aad
}

impl Kek {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(KekInner::Local(Zeroizing::new(bytes)))
    }

    fn aead(key: &[u8; 32]) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&aead::AES_256_GCM, &key[..]).expect("32-byte AES key"))
    }

    /// The data key wrapped and bound to its key id: `nonce | ciphertext+tag` here, or what
    /// the platform key store returns.
    pub fn wrap(&self, key_id: u32, dek: &DataKey) -> Result<Vec<u8>, CryptoError> {
        let key = match &self.0 {
            KekInner::Local(k) => k,
            KekInner::Platform(w) => return w.wrap(&wrap_aad(key_id), &dek.expose()[..]),
        };
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let mut out = nonce.to_vec();
        let mut body = dek.expose().to_vec();
        Self::aead(key)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrap_aad(key_id)),
                &mut body,
            )
            .map_err(|_| CryptoError::Malformed)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Fails with `Decrypt` when this KEK did not wrap it: the wrong passphrase or key.
    pub fn unwrap(&self, key_id: u32, wrapped: &[u8]) -> Result<DataKey, CryptoError> {
        let key = match &self.0 {
            KekInner::Local(k) => k,
            KekInner::Platform(w) => {
                // A platform that cannot unwrap says "wrong key" here, whatever its reason.
                let plain = Zeroizing::new(
                    w.unwrap(&wrap_aad(key_id), wrapped)
                        .map_err(|_| CryptoError::Decrypt)?,
                );
                return DataKey::from_bytes(&plain[..]);
            }
        };
        if wrapped.len() != NONCE_LEN + 32 + 16 {
            return Err(CryptoError::Malformed);
        }
        let nonce: [u8; NONCE_LEN] = wrapped[..NONCE_LEN].try_into().expect("12 bytes");
        let mut body = Zeroizing::new(wrapped[NONCE_LEN..].to_vec());
        let plain = Self::aead(key)
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrap_aad(key_id)),
                &mut body,
            )
            .map_err(|_| CryptoError::Decrypt)?;
        DataKey::from_bytes(plain)
    }
}

/// A passphrase stretched with PBKDF2-HMAC-SHA256 (the CLI's vault, and the tests').
pub struct PassphraseVault {
    passphrase: Zeroizing<String>,
    iterations: u32,
}

impl std::fmt::Debug for PassphraseVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassphraseVault")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl PassphraseVault {
    pub fn new(passphrase: impl Into<String>) -> Self {
        Self {
            passphrase: Zeroizing::new(passphrase.into()),
            iterations: MIN_PBKDF2_ITERATIONS,
        }
    }

    /// A costlier vault for new stores; never below the minimum.
    pub fn with_iterations(passphrase: impl Into<String>, iterations: u32) -> Self {
        Self {
            passphrase: Zeroizing::new(passphrase.into()),
            iterations: iterations.clamp(MIN_PBKDF2_ITERATIONS, MAX_PBKDF2_ITERATIONS),
        }
    }
}

impl KeyVault for PassphraseVault {
    fn kind(&self) -> &str {
        "passphrase"
    }

    fn new_params(&self) -> Result<VaultParams, CryptoError> {
        fresh_params(self.kind(), self.iterations)
    }

    fn key_encryption_key(&self, params: &VaultParams) -> Result<Kek, CryptoError> {
        // A stored count below the minimum can only come from tampering: refuse to derive a
        // weak key rather than quietly accept it.
        if !(MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(&params.iterations) {
            return Err(CryptoError::Vault(format!(
                "PBKDF2 iteration count {} is outside {MIN_PBKDF2_ITERATIONS}..={MAX_PBKDF2_ITERATIONS}",
                params.iterations
            )));
        }
        let iterations = NonZeroU32::new(params.iterations).expect("checked above");
        let mut out = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            &params.salt,
            self.passphrase.as_bytes(),
            &mut out,
        );
        let kek = Kek::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        Ok(kek)
    }
}

/// A vault over a 32-byte secret the platform keeps (what the Android and iOS shells hand
/// in), also used by tests that need real keys without PBKDF2's cost. The KEK is derived from
/// the secret and the store's salt with HKDF.
pub struct RawKeyVault {
    secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for RawKeyVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawKeyVault(..)")
    }
}

impl RawKeyVault {
    pub fn new(secret: [u8; 32]) -> Self {
        Self {
            secret: Zeroizing::new(secret),
        }
    }

    pub fn generate() -> Result<Self, CryptoError> {
        let mut s = [0u8; 32];
        random_bytes(&mut s)?;
        Ok(Self::new(s))
    }
}

impl KeyVault for RawKeyVault {
    fn kind(&self) -> &str {
        "raw"
    }

    fn new_params(&self) -> Result<VaultParams, CryptoError> {
        // No stretching: the secret is already a full-strength key.
        fresh_params(self.kind(), 0)
    }

    fn key_encryption_key(&self, params: &VaultParams) -> Result<Kek, CryptoError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &params.salt).extract(&self.secret[..]);
        let info: [&[u8]; 1] = [b"doorstep.kek.v1"];
        let okm = prk
            .expand(&info, hkdf::HKDF_SHA256)
            .map_err(|_| CryptoError::Malformed)?;
        let mut out = [0u8; 32];
        okm.fill(&mut out).map_err(|_| CryptoError::Malformed)?;
        let kek = Kek::from_bytes(out);
        zeroize::Zeroize::zeroize(&mut out);
        Ok(kek)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_round_trips_and_is_bound_to_key_id() {
        let vault = RawKeyVault::generate().expect("vault");
        let params = vault.new_params().expect("params");
        let kek = vault.key_encryption_key(&params).expect("kek");
        let dek = DataKey::generate().expect("dek");
        let wrapped = kek.wrap(3, &dek).expect("wrap");
        assert_eq!(
            kek.unwrap(3, &wrapped).expect("unwrap").expose(),
            dek.expose()
        );
        assert_eq!(kek.unwrap(4, &wrapped).err(), Some(CryptoError::Decrypt));
    }

    #[test]
    fn wrong_passphrase_cannot_unwrap() {
        let right = PassphraseVault::new("correct horse");
        let params = right.new_params().expect("params");
        assert_eq!(params.iterations, MIN_PBKDF2_ITERATIONS);
        let wrapped = right
            .key_encryption_key(&params)
            .expect("kek")
            .wrap(1, &DataKey::generate().expect("dek"))
            .expect("wrap");
        let wrong = PassphraseVault::new("battery staple");
        let kek = wrong.key_encryption_key(&params).expect("kek");
        assert_eq!(kek.unwrap(1, &wrapped).err(), Some(CryptoError::Decrypt));
    }

    #[test]
    fn weak_stored_iteration_counts_are_refused() {
        let vault = PassphraseVault::new("p");
        let mut params = vault.new_params().expect("params");
        params.iterations = 1000;
        assert!(matches!(
            vault.key_encryption_key(&params),
            Err(CryptoError::Vault(_))
        ));
        assert_eq!(
            PassphraseVault::with_iterations("p", 5).iterations,
            MIN_PBKDF2_ITERATIONS
        );
    }
}
