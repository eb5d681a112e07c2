//! A buffered pool of system randomness for AES-GCM nonces: one `getrandom` call fills many
//! nonces, and each byte is handed out once, so no nonce is ever reused.

use ring::rand::{SecureRandom, SystemRandom};

use super::CryptoError;

pub const NONCE_LEN: usize = 12;
/// 256 nonces per refill: one syscall per 256 encrypted rows.
const POOL_NONCES: usize = 256;

pub struct NoncePool {
    rng: SystemRandom,
    buf: Box<[u8; NONCE_LEN * POOL_NONCES]>,
    next: usize,
}

impl std::fmt::Debug for NoncePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoncePool").finish_non_exhaustive()
    }
}

impl Default for NoncePool {
    fn default() -> Self {
        Self::new()
    }
}

impl NoncePool {
    pub fn new() -> Self {
        Self {
            rng: SystemRandom::new(),
            buf: Box::new([0; NONCE_LEN * POOL_NONCES]),
            // Empty: the first call refills.
            next: NONCE_LEN * POOL_NONCES,
        }
    }

    pub fn next_nonce(&mut self) -> Result<[u8; NONCE_LEN], CryptoError> {
        if self.next == self.buf.len() {
            self.rng
                .fill(&mut self.buf[..])
                .map_err(|_| CryptoError::Random)?;
            self.next = 0;
        }
        let mut out = [0u8; NONCE_LEN];
        out.copy_from_slice(&self.buf[self.next..self.next + NONCE_LEN]);
        // Wipe what was handed out so a later bug cannot hand it out again.
        self.buf[self.next..self.next + NONCE_LEN].fill(0);
        self.next += NONCE_LEN;
        Ok(out)
    }
}

/// `n` random bytes as lowercase hex (record ids).
pub fn random_hex(n: usize) -> Result<String, CryptoError> {
    let mut b = vec![0u8; n];
    random_bytes(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Fills `out` with system randomness (keys, salts).
pub fn random_bytes(out: &mut [u8]) -> Result<(), CryptoError> {
    SystemRandom::new()
        .fill(out)
        .map_err(|_| CryptoError::Random)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nonces_are_distinct_across_refills() {
        let mut pool = NoncePool::new();
        let mut seen = HashSet::new();
        for _ in 0..(POOL_NONCES * 3 + 7) {
            assert!(seen.insert(pool.next_nonce().expect("nonce")));
        }
    }
}
