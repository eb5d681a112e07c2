//! The row envelope: `version | key id | nonce | ciphertext+tag`, AES-256-GCM. The personal
//! fields of one row travel together in one envelope. The associated data binds the envelope
//! to its table, row id and record format, so an envelope copied into another row (or another
//! table) fails to open. Plaintext is padded to 64-byte blocks so lengths leak little.

use ring::aead::{Aad, Nonce};

use super::keys::KeySet;
use super::nonce::{NoncePool, NONCE_LEN};
use super::CryptoError;

pub const ENVELOPE_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
const TAG_LEN: usize = 16;
const PAD_BLOCK: usize = 64;

/// What an envelope is bound to. `format` is the version of the row's field layout (not the
/// database schema version), so schema migrations that leave the layout alone need not
/// re-encrypt anything.
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeAad<'a> {
    pub table: &'a str,
    pub row_id: &'a str,
    pub format: u16,
}

impl EnvelopeAad<'_> {
    fn len(&self, header: &[u8]) -> usize {
        header.len() + self.table.len() + self.row_id.len() + 4
    }

    fn write(&self, header: &[u8], out: &mut [u8]) {
        let mut at = 0;
        for part in [
            header,
            self.table.as_bytes(),
            &[0],
            self.row_id.as_bytes(),
            &[0],
        ] {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        out[at..at + 2].copy_from_slice(&self.format.to_be_bytes());
    }

    /// Runs `f` with the associated data bytes, built on the stack when they fit (every row
    /// id does), since this runs once per value sealed or opened.
    fn with_bytes<T>(&self, header: &[u8], f: impl FnOnce(&[u8]) -> T) -> T {
        let len = self.len(header);
        let mut stack = [0u8; 160];
        if len <= stack.len() {
            self.write(header, &mut stack[..len]);
            f(&stack[..len])
        } else {
            let mut heap = vec![0u8; len];
            self.write(header, &mut heap);
            f(&heap)
        }
    }
}

/// The key id an envelope was sealed under, read from its header without decrypting.
pub fn key_id_of(envelope: &[u8]) -> Result<u32, CryptoError> {
    if envelope.len() < HEADER_LEN + TAG_LEN {
        return Err(CryptoError::Malformed);
    }
    if envelope[0] != ENVELOPE_VERSION {
        return Err(CryptoError::Version(envelope[0]));
    }
    Ok(u32::from_be_bytes(
        envelope[1..5].try_into().expect("4 bytes"),
    ))
}

impl KeySet {
    /// Seals `plaintext` into a fresh envelope.
    pub fn seal(
        &self,
        nonces: &mut NoncePool,
        aad: EnvelopeAad<'_>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.seal_with(nonces, aad, plaintext.len(), |buf| {
            buf.extend_from_slice(plaintext);
            true
        })
    }

    /// Seals what `write` appends to the buffer: the plaintext is encoded straight into the
    /// envelope, with no intermediate copy. `write` returns false if it could not encode.
    pub fn seal_with(
        &self,
        nonces: &mut NoncePool,
        aad: EnvelopeAad<'_>,
        size_hint: usize,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::new();
        self.seal_into(nonces, aad, size_hint, &mut out, write)?;
        Ok(out)
    }

    /// `seal_with` into a caller's buffer (cleared first), so a writer sealing many rows
    /// reuses one allocation.
    pub fn seal_into(
        &self,
        nonces: &mut NoncePool,
        aad: EnvelopeAad<'_>,
        size_hint: usize,
        out: &mut Vec<u8>,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> Result<(), CryptoError> {
        let nonce = nonces.next_nonce()?;
        out.clear();
        out.reserve(HEADER_LEN + size_hint + PAD_BLOCK + TAG_LEN);
        out.push(ENVELOPE_VERSION);
        out.extend_from_slice(&self.key_id.to_be_bytes());
        out.extend_from_slice(&nonce);
        if !write(out) || out.len() < HEADER_LEN {
            return Err(CryptoError::Malformed);
        }
        let plain_len = out.len() - HEADER_LEN;
        let padded_len = (plain_len / PAD_BLOCK + 1) * PAD_BLOCK;
        // ISO/IEC 7816-4 padding: 0x80 then zeros; always at least one byte.
        out.push(0x80);
        out.resize(HEADER_LEN + padded_len, 0);
        let (header, body) = out.split_at_mut(HEADER_LEN);
        let tag = aad
            .with_bytes(header, |aad_bytes| {
                self.values.seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad_bytes),
                    body,
                )
            })
            .map_err(|_| CryptoError::Malformed)?;
        out.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Opens an envelope sealed under this key set and returns the unpadded plaintext.
    pub fn open(&self, aad: EnvelopeAad<'_>, envelope: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut buf = Vec::new();
        let len = self.open_into(aad, envelope, &mut buf)?;
        buf.truncate(len);
        Ok(buf)
    }

    /// Opens into `buf` (reused across calls, so scanning a table allocates once) and returns
    /// the length of the unpadded plaintext at its start.
    pub fn open_into(
        &self,
        aad: EnvelopeAad<'_>,
        envelope: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<usize, CryptoError> {
        let key_id = key_id_of(envelope)?;
        if key_id != self.key_id {
            return Err(CryptoError::UnknownKey(key_id));
        }
        let (header, body) = envelope.split_at(HEADER_LEN);
        let nonce: [u8; NONCE_LEN] = header[5..].try_into().expect("12 bytes");
        buf.clear();
        buf.extend_from_slice(body);
        let plain_len = aad
            .with_bytes(header, |aad_bytes| {
                self.values.open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad_bytes),
                    buf,
                )
            })
            .map_err(|_| CryptoError::Decrypt)?
            .len();
        let plain = &buf[..plain_len];
        plain
            .iter()
            .rposition(|&b| b != 0)
            .filter(|&i| plain[i] == 0x80)
            .ok_or(CryptoError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DataKey;

    fn keys() -> KeySet {
        KeySet::derive(7, &DataKey::generate().expect("key")).expect("derive")
    }

    const AAD: EnvelopeAad<'static> = EnvelopeAad {
        table: "recipients",
        row_id: "R1",
        format: 1,
    };

    #[test]
    fn round_trips_and_pads_to_blocks() {
        let k = keys();
        let mut pool = NoncePool::new();
        for len in [0usize, 1, 63, 64, 65, 300] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let env = k.seal(&mut pool, AAD, &plain).expect("seal");
            assert_eq!((env.len() - HEADER_LEN - TAG_LEN) % PAD_BLOCK, 0);
            assert!(env.len() - HEADER_LEN - TAG_LEN > len);
            assert_eq!(key_id_of(&env), Ok(7));
            assert_eq!(k.open(AAD, &env).expect("open"), plain);
        }
    }

    #[test]
    fn plaintext_ending_in_zeros_survives_padding() {
        let k = keys();
        let mut pool = NoncePool::new();
        let plain = vec![0x80, 0, 0, 0];
        let env = k.seal(&mut pool, AAD, &plain).expect("seal");
        assert_eq!(k.open(AAD, &env).expect("open"), plain);
    }

    #[test]
    fn envelopes_are_bound_to_their_row_and_table() {
        let k = keys();
        let mut pool = NoncePool::new();
        let env = k.seal(&mut pool, AAD, b"secret").expect("seal");
        let other_row = EnvelopeAad {
            row_id: "R2",
            ..AAD
        };
        let other_table = EnvelopeAad {
            table: "workers",
            ..AAD
        };
        let other_format = EnvelopeAad { format: 2, ..AAD };
        for aad in [other_row, other_table, other_format] {
            assert_eq!(k.open(aad, &env), Err(CryptoError::Decrypt));
        }
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let k = keys();
        let mut pool = NoncePool::new();
        let env = k.seal(&mut pool, AAD, b"secret value").expect("seal");
        for i in 0..env.len() {
            let mut bad = env.clone();
            bad[i] ^= 0x01;
            assert!(k.open(AAD, &bad).is_err(), "flip at {i} went unnoticed");
        }
    }

    #[test]
    fn a_different_key_cannot_open() {
        let mut pool = NoncePool::new();
        let a = keys();
        let b = keys();
        let env = a.seal(&mut pool, AAD, b"x").expect("seal");
        assert_eq!(b.open(AAD, &env), Err(CryptoError::Decrypt));
    }
}
