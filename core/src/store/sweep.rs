//! What a data-key rotation sweeps: the rows of a sealed table whose envelope is not under
//! the active key, by the plaintext key id or by the key id in the envelope's own header
//! (bytes 2-5), so a damaged column cannot hide a row that still needs the old key.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Keyring;
use crate::crypto::EnvelopeAad;
use crate::error::Result;

/// Ids (in order, after `after`) of rows of `table` not sealed under `key_id`.
/// `table` and `id_col` are this crate's own constants, never input.
pub(crate) fn ids_not_under_key(
    conn: &Connection,
    table: &'static str,
    id_col: &'static str,
    key_id: u32,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT {id_col} FROM {table}
         WHERE {id_col} > ?1 AND (key_id != ?2 OR substr(sec, 2, 4) != ?3)
         ORDER BY {id_col} LIMIT ?4"
    );
    let ids = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                after,
                key_id,
                &key_id.to_be_bytes()[..],
                limit.min(i64::MAX as usize) as i64
            ],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// Re-seals every row of a table still under another key with `reseal_one`; returns the ids
/// it could not read.
pub(crate) fn reseal_all(
    tx: &Transaction<'_>,
    keys: &Keyring,
    ids: Vec<String>,
    reseal_one: fn(&Transaction<'_>, &Keyring, &str) -> Result<bool>,
) -> Result<Vec<String>> {
    let mut unreadable = Vec::new();
    for id in ids {
        if !reseal_one(tx, keys, &id)? {
            unreadable.push(id);
        }
    }
    Ok(unreadable)
}

/// Re-seals one row's `sec` envelope under the active key (same associated data); false
/// when it cannot be read, which leaves the row as it was.
pub(crate) fn reseal_sec(
    tx: &Transaction<'_>,
    keys: &Keyring,
    table: &'static str,
    id_col: &'static str,
    id: &str,
    aad: EnvelopeAad<'_>,
) -> Result<bool> {
    let sec: Option<Vec<u8>> = tx
        .prepare_cached(&format!("SELECT sec FROM {table} WHERE {id_col} = ?1"))?
        .query_row([id], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            })
        })
        .optional()?
        .flatten();
    let Some(Ok(plain)) = sec.map(|s| keys.open(aad, &s)) else {
        return Ok(false);
    };
    let fresh = keys.seal(aad, &plain)?;
    tx.prepare_cached(&format!(
        "UPDATE {table} SET key_id = ?2, sec = ?3 WHERE {id_col} = ?1"
    ))?
    .execute(params![id, keys.active_id(), fresh])?;
    Ok(true)
}
