//! Tasks: review decisions on this device's visits and ledger updates on the tickets it
//! raised, as pulled from the server. A returned visit is work to do (correct it); a ticket
//! update tells the worker what to pass on to the household. The text (a supervisor's comment,
//! a department's reply) may name the household, so it is sealed. Rows are named by their
//! kind and the server's cursor, zero-padded to sort.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::Keyring;
use crate::crypto::EnvelopeAad;
use crate::error::{Error, Result};

const TABLE: &str = "tasks";
const FORMAT: u16 = 1;

fn aad(id: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: id,
        format: FORMAT,
    }
}

fn id_of(kind: &str, cursor: i64) -> String {
    format!("{kind}-{cursor:020}")
}

/// One decision or ticket update as the device keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// `decision` or `ticket`.
    pub kind: String,
    pub cursor: i64,
    pub visit_id: String,
    /// A decision: approve | return | reject. A ticket: `<ticket id> <state>`.
    pub decision: String,
    /// The comment, or the ticket's department, reply or outcome.
    pub comment: String,
    pub at: i64,
}

/// Keeps a task (again: a no-op).
pub fn put(tx: &Transaction<'_>, keys: &Keyring, t: &Task) -> Result<()> {
    let id = id_of(&t.kind, t.cursor);
    let sec = keys.seal(aad(&id), t.comment.as_bytes())?;
    tx.execute(
        "INSERT INTO tasks (id, kind, cursor, visit_id, decision, at, key_id, sec)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
        params![
            id,
            t.kind,
            t.cursor,
            t.visit_id,
            t.decision,
            t.at,
            keys.active_id(),
            sec
        ],
    )?;
    Ok(())
}

/// Every task of one kind, oldest first.
pub fn list(conn: &Connection, keys: &Keyring, kind: &str) -> Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, cursor, visit_id, decision, at, sec FROM tasks WHERE kind = ?1 ORDER BY cursor",
    )?;
    let rows = stmt
        .query_map([kind], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, Vec<u8>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, cursor, visit_id, decision, at, sec)| {
            let corrupt = || Error::Corrupt {
                table: TABLE,
                id: id.clone(),
            };
            let plain = keys.open(aad(&id), &sec).map_err(|_| corrupt())?;
            Ok(Task {
                kind: kind.to_owned(),
                cursor,
                visit_id,
                decision,
                comment: String::from_utf8(plain).map_err(|_| corrupt())?,
                at,
            })
        })
        .collect()
}

pub(crate) fn ids_not_under_key(
    conn: &Connection,
    key_id: u32,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    super::sweep::ids_not_under_key(conn, TABLE, "id", key_id, after, limit)
}

/// Re-seals one task's comment under the active key; false when it cannot be read.
pub(crate) fn reseal_one(tx: &Transaction<'_>, keys: &Keyring, id: &str) -> Result<bool> {
    let sec: Option<Vec<u8>> = tx
        .prepare_cached("SELECT sec FROM tasks WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(match r.get_ref(0)? {
                ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            })
        })
        .optional()?
        .flatten();
    let Some(Ok(plain)) = sec.map(|s| keys.open(aad(id), &s)) else {
        return Ok(false);
    };
    let fresh = keys.seal(aad(id), &plain)?;
    tx.execute(
        "UPDATE tasks SET key_id = ?2, sec = ?3 WHERE id = ?1",
        params![id, keys.active_id(), fresh],
    )?;
    Ok(true)
}

/// Every row not under the active key, re-sealed; returns the unreadable ids.
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let ids = ids_not_under_key(tx, keys.active_id(), "", usize::MAX)?;
    super::sweep::reseal_all(tx, keys, ids, reseal_one)
}
