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

/// Deletes the bytes stored under `sha` (a photo no visit names any more).
pub fn delete(tx: &Transaction<'_>, sha: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM media WHERE sha256 = ?1")?
        .execute([sha])?;
    Ok(())
}

/// Ids (in order, after `after`) of rows not sealed under `key_id`: a rotation's batch.
pub(crate) fn ids_not_under_key(
    conn: &Connection,
    key_id: u32,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    super::sweep::ids_not_under_key(conn, "media", "sha256", key_id, after, limit)
}

/// Re-seals one media file under the active key (one at a time: photos are large); false
/// when it cannot be read.
pub(crate) fn reseal_one(tx: &Transaction<'_>, keys: &Keyring, sha: &str) -> Result<bool> {
    super::sweep::reseal_sec(tx, keys, TABLE, "sha256", sha, aad(sha))
}

/// Every row not under the active key, re-sealed; returns the unreadable ids.
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let ids = ids_not_under_key(tx, keys.active_id(), "", usize::MAX)?;
    super::sweep::reseal_all(tx, keys, ids, reseal_one)
}
