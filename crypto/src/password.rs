//! Supervisor passwords on the server: PBKDF2-HMAC-SHA256 with a random salt, stored as one
//! self-describing string so the iteration count can rise without a migration.

use std::num::NonZeroU32;

use ring::pbkdf2;

use super::{hex, nonce::random_bytes, CryptoError, MIN_PBKDF2_ITERATIONS};

const ALGORITHM: &str = "pbkdf2-sha256";

/// `pbkdf2-sha256$ITERATIONS$SALT_HEX$HASH_HEX`.
pub fn hash_password(password: &str) -> Result<String, CryptoError> {
    hash_with(password, MIN_PBKDF2_ITERATIONS)
}

fn hash_with(password: &str, iterations: u32) -> Result<String, CryptoError> {
    let mut salt = [0u8; 16];
    random_bytes(&mut salt)?;
    let mut out = [0u8; 32];
    let n = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        n,
        &salt,
        password.as_bytes(),
        &mut out,
    );
    Ok(format!(
        "{ALGORITHM}${iterations}${}${}",
        hex(&salt),
        hex(&out)
    ))
}

/// Whether `password` matches a stored hash; a malformed hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(ALGORITHM), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Some(n), Some(salt), Some(hash)) = (
        iter.parse::<u32>().ok().and_then(NonZeroU32::new),
        unhex(salt),
        unhex(hash),
    ) else {
        return false;
    };
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        n,
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// Lower-case or upper-case hex to bytes; `None` for anything else.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_only_itself() {
        // Few iterations: the format and the check are under test, not the cost.
        let stored = hash_with("correct horse", 1_000).expect("hash");
        assert!(stored.starts_with("pbkdf2-sha256$1000$"));
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("correct horsf", &stored));
        assert!(!verify_password(
            "correct horse",
            "pbkdf2-sha256$1000$zz$00"
        ));
        assert!(!verify_password("correct horse", ""));
        let again = hash_with("correct horse", 1_000).expect("hash");
        assert_ne!(stored, again, "a fresh salt each time");
    }

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        assert_eq!(unhex("00ff7A"), Some(vec![0, 255, 0x7a]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("é1"), None);
    }
}
