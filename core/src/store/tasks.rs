//! Tasks: review decisions on this device's visits and ledger updates on the tickets it
//! raised, as pulled from the server. A returned visit is work to do (correct it); a ticket
//! update tells the worker what to pass on to the household. The text (a supervisor's comment,
//! a department's reply) may name the household, so it is sealed. Rows are named by their
//! kind and the server's cursor, zero-padded to sort.

use rusqlite::{params, Connection, Transaction};

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
    super::sweep::reseal_sec(tx, keys, TABLE, "id", id, aad(id))
}

/// Every row not under the active key, re-sealed; returns the unreadable ids.
pub(crate) fn reseal_all(tx: &Transaction<'_>, keys: &Keyring) -> Result<Vec<String>> {
    let ids = ids_not_under_key(tx, keys.active_id(), "", usize::MAX)?;
    super::sweep::reseal_all(tx, keys, ids, reseal_one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RotateOptions;

    fn task(kind: &str, cursor: i64, comment: &str) -> Task {
        Task {
            kind: kind.into(),
            cursor,
            visit_id: "V1".into(),
            decision: "return".into(),
            comment: comment.into(),
            at: 1_700_000_000,
        }
    }

    #[test]
    fn tasks_are_sealed_kept_once_and_survive_a_rotation() {
        let mut t = crate::testing::temp_store();
        let (a, b) = (
            task("decision", 7, "照片不清楚"),
            task("ticket", 7, "已转县农商银行"),
        );
        t.store
            .write(|tx, keys| {
                put(tx, keys, &a)?;
                put(tx, keys, &a)?;
                put(tx, keys, &b)
            })
            .expect("put");
        let sec: Vec<u8> = t
            .store
            .conn()
            .query_row("SELECT sec FROM tasks WHERE kind = 'decision'", [], |r| {
                r.get(0)
            })
            .expect("row");
        assert!(
            !sec.windows(3).any(|w| w == "照".as_bytes()),
            "the comment is sealed"
        );
        t.store
            .rotate_data_key(&RotateOptions::default(), &mut |_| {})
            .expect("rotate");
        let keys = t.store.keys();
        assert_eq!(
            list(t.store.conn(), keys, "decision").expect("list"),
            vec![a]
        );
        assert_eq!(list(t.store.conn(), keys, "ticket").expect("list"), vec![b]);
        let old: i64 = t
            .store
            .conn()
            .query_row(
                "SELECT count(*) FROM tasks WHERE key_id <> ?1",
                [keys.active_id()],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(old, 0, "re-sealed under the new key");
    }
}
