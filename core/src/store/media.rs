//! Media of visits (signature images, photos), each sealed in its own envelope and named by
//! the SHA-256 of its bytes, so a record lists them by hash and they are stored once.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Keyring;
use crate::crypto::{hex, sha256, EnvelopeAad};
use crate::error::{Error, Result};

const TABLE: &str = "media";
const FORMAT: u16 = 1;

fn aad(sha: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: sha,
        format: FORMAT,
    }
}

fn corrupt(sha: &str) -> Error {
    Error::Corrupt {
        table: TABLE,
        id: sha.to_owned(),
    }
}

/// Stores `bytes` for a visit; returns their SHA-256 (hex). Storing the same bytes again is
/// a no-op.
pub fn put(
    tx: &Transaction<'_>,
    keys: &Keyring,
    visit_id: &str,
    kind: &str,
    bytes: &[u8],
) -> Result<String> {
    let sha = hex(&sha256(bytes));
    let sec = keys.seal(aad(&sha), bytes)?;
    tx.prepare_cached(
        "INSERT INTO media (sha256, visit_id, kind, key_id, sec) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sha256) DO NOTHING",
    )?
    .execute(params![sha, visit_id, kind, keys.active_id(), sec])?;
    Ok(sha)
}

/// The bytes stored under `sha` (hex), checked against their name.
pub fn get(conn: &Connection, keys: &Keyring, sha: &str) -> Result<Option<(String, Vec<u8>)>> {
    let found: Option<(String, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT kind, sec FROM media WHERE sha256 = ?1")?
        .query_row([sha], |r| {
            let sec = match r.get_ref(1)? {
                ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            };
            Ok((r.get(0)?, sec))
        })
        .optional()?;
    let Some((kind, sec)) = found else {
        return Ok(None);
    };
    let sec = sec.ok_or_else(|| corrupt(sha))?;
    let bytes = keys.open(aad(sha), &sec).map_err(|_| corrupt(sha))?;
    if hex(&sha256(&bytes)) != sha {
        return Err(corrupt(sha));
    }
    Ok(Some((kind, bytes)))
}

/// For a data-key rotation: re-seals media not under the active key; returns the unreadable.
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let rows: Vec<(String, Vec<u8>)> = tx
        .prepare("SELECT sha256, sec FROM media WHERE key_id != ?1 OR substr(sec, 2, 4) != ?2")?
        .query_map(
            params![keys.active_id(), &keys.active_id().to_be_bytes()[..]],
            |r| Ok((r.get(0)?, r.get::<_, Vec<u8>>(1).unwrap_or_default())),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut unreadable = Vec::new();
    for (sha, sec) in rows {
        let Ok(bytes) = keys.open(aad(&sha), &sec) else {
            unreadable.push(sha);
            continue;
        };
        let fresh = keys.seal(aad(&sha), &bytes)?;
        tx.execute(
            "UPDATE media SET key_id = ?2, sec = ?3 WHERE sha256 = ?1",
            params![sha, keys.active_id(), fresh],
        )?;
    }
    Ok(unreadable)
}
