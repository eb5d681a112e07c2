//! The visits table. A draft is one envelope rewritten by every accepted action (photos are
//! kept apart, so an action never rewrites them); a sealed visit is its signed record bytes
//! and signature in one envelope, never rewritten again. Plaintext: the visit id, recipient
//! id, state, start time, and for sealed visits their place in the device's hash chain.

use chrono::Utc;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::Keyring;
use crate::crypto::EnvelopeAad;
use crate::error::{Error, Result};
use crate::model::Invalid;
use crate::rules::Draft;

pub const TABLE: &str = "visits";
/// Layout versions of the two kinds of envelope (part of their associated data, so a
/// draft's envelope cannot pass for a sealed one).
const DRAFT_FORMAT: u16 = 1;
const SEALED_FORMAT: u16 = 2;

fn aad(id: &str, sealed: bool) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: id,
        format: if sealed { SEALED_FORMAT } else { DRAFT_FORMAT },
    }
}

fn corrupt(id: &str) -> Error {
    Error::Corrupt {
        table: TABLE,
        id: id.to_owned(),
    }
}

/// A sealed visit as stored: the exact signed bytes and the signature over them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Sealed {
    pub record: Vec<u8>,
    pub signature: Vec<u8>,
    pub seq: u64,
    pub hash: [u8; 32],
}

/// The row's state and envelope; `None` when there is no such visit.
fn row(conn: &Connection, id: &str) -> Result<Option<(bool, Vec<u8>)>> {
    let found: Option<(String, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT state, sec FROM visits WHERE id = ?1")?
        .query_row([id], |r| {
            let sec = match r.get_ref(1)? {
                ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            };
            Ok((r.get(0)?, sec))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((state, Some(sec))) => Ok(Some((state == "sealed", sec))),
        Some((_, None)) => Err(corrupt(id)),
    }
}

/// Writes a draft (insert or replace). A sealed visit is never overwritten.
pub fn save(tx: &Transaction<'_>, keys: &Keyring, d: &Draft) -> Result<()> {
    if matches!(row(tx, &d.id)?, Some((true, _))) {
        return Err(Invalid::VisitSealed.into());
    }
    let plain = zeroize::Zeroizing::new(postcard::to_allocvec(d).map_err(|_| corrupt(&d.id))?);
    let sec = keys.seal(aad(&d.id, false), &plain)?;
    tx.prepare_cached(
        "INSERT INTO visits (id, recipient_id, state, started_at, key_id, sec, updated_at)
         VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, sec = excluded.sec,
             updated_at = excluded.updated_at
         WHERE visits.state = 'draft'",
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

/// Reads a draft; `None` if there is no such visit; `VisitSealed` if it is sealed.
pub fn load(conn: &Connection, keys: &Keyring, id: &str) -> Result<Option<Draft>> {
    let Some((sealed, sec)) = row(conn, id)? else {
        return Ok(None);
    };
    if sealed {
        return Err(Invalid::VisitSealed.into());
    }
    let plain = zeroize::Zeroizing::new(keys.open(aad(id, false), &sec).map_err(|_| corrupt(id))?);
    let draft: Draft = postcard::from_bytes(&plain).map_err(|_| corrupt(id))?;
    Ok(Some(draft))
}

/// Reads a sealed visit; `None` if there is no such visit or it is still a draft.
pub fn load_sealed(conn: &Connection, keys: &Keyring, id: &str) -> Result<Option<Sealed>> {
    let Some((true, sec)) = row(conn, id)? else {
        return Ok(None);
    };
    let plain = keys.open(aad(id, true), &sec).map_err(|_| corrupt(id))?;
    postcard::from_bytes(&plain)
        .map(Some)
        .map_err(|_| corrupt(id))
}

/// Turns a draft row into its sealed record, in the caller's transaction.
pub fn seal(tx: &Transaction<'_>, keys: &Keyring, id: &str, s: &Sealed) -> Result<()> {
    let plain = postcard::to_allocvec(s).map_err(|_| corrupt(id))?;
    let sec = keys.seal(aad(id, true), &plain)?;
    let n = tx.execute(
        "UPDATE visits SET state = 'sealed', seq = ?2, hash = ?3, key_id = ?4, sec = ?5,
             updated_at = ?6
         WHERE id = ?1 AND state = 'draft'",
        params![
            id,
            s.seq as i64,
            &s.hash[..],
            keys.active_id(),
            sec,
            Utc::now().timestamp()
        ],
    )?;
    if n == 1 {
        Ok(())
    } else {
        Err(Invalid::VisitSealed.into())
    }
}

/// A visit's plaintext columns: nothing personal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitRow {
    pub id: String,
    pub recipient_id: String,
    pub sealed: bool,
    /// RFC 3339, the device's offset.
    pub started_at: String,
    /// Its place in the device's chain, once sealed.
    pub seq: Option<u64>,
}

/// Every visit, newest first.
pub fn list(conn: &Connection) -> Result<Vec<VisitRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, recipient_id, state, started_at, seq FROM visits ORDER BY started_at DESC, id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(VisitRow {
                id: r.get(0)?,
                recipient_id: r.get(1)?,
                sealed: r.get::<_, String>(2)? == "sealed",
                started_at: r.get(3)?,
                seq: r.get::<_, Option<i64>>(4)?.map(|s| s as u64),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Ids (in order, after `after`) of rows not sealed under `key_id`: a rotation's batch.
pub(crate) fn ids_not_under_key(
    conn: &Connection,
    key_id: u32,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    super::sweep::ids_not_under_key(conn, "visits", "id", key_id, after, limit)
}

/// Re-seals one visit envelope (draft or sealed, unchanged inside) under the active key;
/// false when it cannot be read (it stays under its key, which the rotation then keeps).
pub(crate) fn reseal_one(tx: &Transaction<'_>, keys: &Keyring, id: &str) -> Result<bool> {
    let Some((sealed, sec)) = row(tx, id).ok().flatten() else {
        return Ok(false);
    };
    let Ok(plain) = keys
        .open(aad(id, sealed), &sec)
        .map(zeroize::Zeroizing::new)
    else {
        return Ok(false);
    };
    let fresh = keys.seal(aad(id, sealed), &plain)?;
    tx.execute(
        "UPDATE visits SET key_id = ?2, sec = ?3 WHERE id = ?1",
        params![id, keys.active_id(), fresh],
    )?;
    Ok(true)
}

/// Every row not under the active key, re-sealed; returns the unreadable ids.
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let ids = ids_not_under_key(tx, keys.active_id(), "", usize::MAX)?;
    super::sweep::reseal_all(tx, keys, ids, reseal_one)
}

// The record bytes are personal.
impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}
