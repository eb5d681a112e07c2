//! The visits table: each draft in one envelope, rewritten by every accepted action (photos are
//! kept apart, so an action never rewrites them). Plaintext: the visit id, the recipient id,
//! the state and when it started.

use chrono::Utc;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Keyring;
use crate::crypto::EnvelopeAad;
use crate::error::{Error, Result};
use crate::visit::Draft;

pub const TABLE: &str = "visits";
/// Layout version of the draft envelope (postcard of `Draft`).
const FORMAT: u16 = 1;

fn aad(id: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: id,
        format: FORMAT,
    }
}

fn corrupt(id: &str) -> Error {
    Error::Corrupt {
        table: TABLE,
        id: id.to_owned(),
    }
}

/// Writes a draft (insert or replace).
pub fn save(tx: &Transaction<'_>, keys: &Keyring, d: &Draft) -> Result<()> {
    let plain = zeroize::Zeroizing::new(postcard::to_allocvec(d).map_err(|_| corrupt(&d.id))?);
    let sec = keys.seal(aad(&d.id), &plain)?;
    tx.prepare_cached(
        "INSERT INTO visits (id, recipient_id, state, started_at, key_id, sec, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, sec = excluded.sec,
             updated_at = excluded.updated_at",
    )?
    .execute(params![
        d.id,
        d.recipient_id,
        d.started_at.to_rfc3339(),
        keys.active_id(),
        sec,
        Utc::now().timestamp(),
    ])?;
    Ok(())
}

/// Reads a draft; `None` if there is no such visit.
pub fn load(conn: &Connection, keys: &Keyring, id: &str) -> Result<Option<Draft>> {
    let sec: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT sec FROM visits WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            })
        })
        .optional()?;
    let Some(sec) = sec else {
        return Ok(None);
    };
    let sec = sec.ok_or_else(|| corrupt(id))?;
    let plain = zeroize::Zeroizing::new(keys.open(aad(id), &sec).map_err(|_| corrupt(id))?);
    let draft: Draft = postcard::from_bytes(&plain).map_err(|_| corrupt(id))?;
    Ok(Some(draft))
}

/// Visit ids with their recipient and state, newest first.
pub fn list(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, recipient_id, state FROM visits ORDER BY started_at DESC, id",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// For a data-key rotation: re-seals every visit not under the active key. Returns the ids
/// that could not be read (they stay under their key, which the rotation then keeps).
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM visits WHERE key_id != ?1 OR substr(sec, 2, 4) != ?2")?
        .query_map(
            params![keys.active_id(), &keys.active_id().to_be_bytes()[..]],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut unreadable = Vec::new();
    for id in ids {
        match load(tx, keys, &id) {
            Ok(Some(d)) => save(tx, keys, &d)?,
            Ok(None) => {}
            Err(Error::Corrupt { .. }) => unreadable.push(id),
            Err(e) => return Err(e),
        }
    }
    Ok(unreadable)
}
