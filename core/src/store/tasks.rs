//! Tasks: review decisions on this device's visits and ledger updates on the tickets it
//! raised, as pulled from the server. A returned visit is work to do (correct it); a ticket
//! update tells the worker what to pass on to the household. The text (a supervisor's comment,
//! a department's reply) may name the household, so it is sealed; the rest (ids, the
//! decision, the ticket's state and due date) is not personal. Rows are named by their kind
//! and the server's cursor, zero-padded to sort.

use chrono::NaiveDate;
use doorstep_contract::wire::{Decision, TicketState};
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

fn corrupt(id: &str) -> Error {
    Error::Corrupt {
        table: TABLE,
        id: id.to_owned(),
    }
}

/// A review decision on one of this device's visits, as pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionTask {
    pub cursor: i64,
    pub visit_id: String,
    pub decision: Decision,
    /// What to correct, or why it was rejected (sealed: it may name the household).
    pub comment: String,
    pub at: i64,
}

/// A ledger update on a ticket this device raised, as pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTask {
    pub cursor: i64,
    pub ticket_id: String,
    pub visit_id: String,
    pub state: TicketState,
    /// The newest text the ledger holds: the department, its reply or the outcome (sealed).
    pub text: String,
    /// None for updates kept before due dates had a column (their text carries it).
    pub due: Option<NaiveDate>,
    pub at: i64,
}

/// Keeps a decision (again: a no-op).
pub fn put_decision(tx: &Transaction<'_>, keys: &Keyring, t: &DecisionTask) -> Result<()> {
    let id = id_of("decision", t.cursor);
    let sec = keys.seal(aad(&id), t.comment.as_bytes())?;
    tx.prepare_cached(
        "INSERT INTO tasks (id, kind, cursor, visit_id, decision, at, key_id, sec)
         VALUES (?1, 'decision', ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        id,
        t.cursor,
        t.visit_id,
        t.decision.code(),
        t.at,
        keys.active_id(),
        sec
    ])?;
    Ok(())
}

/// Keeps a ticket update (again: a no-op).
pub fn put_ticket(tx: &Transaction<'_>, keys: &Keyring, t: &TicketTask) -> Result<()> {
    let id = id_of("ticket", t.cursor);
    let sec = keys.seal(aad(&id), t.text.as_bytes())?;
    tx.prepare_cached(
        "INSERT INTO tasks (id, kind, cursor, visit_id, decision, ticket_id, state, due, at,
                            key_id, sec)
         VALUES (?1, 'ticket', ?2, ?3, '', ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        id,
        t.cursor,
        t.visit_id,
        t.ticket_id,
        t.state.code(),
        t.due.map(|d| d.to_string()),
        t.at,
        keys.active_id(),
        sec
    ])?;
    Ok(())
}

/// Every decision kept, oldest first.
pub fn decisions(conn: &Connection, keys: &Keyring) -> Result<Vec<DecisionTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, cursor, visit_id, decision, at, sec FROM tasks
         WHERE kind = 'decision' ORDER BY cursor",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
                r.get(4)?,
                r.get::<_, Vec<u8>>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, cursor, visit_id, decision, at, sec)| {
            let plain = keys.open(aad(&id), &sec).map_err(|_| corrupt(&id))?;
            Ok(DecisionTask {
                cursor,
                visit_id,
                decision: Decision::parse(&decision).ok_or_else(|| corrupt(&id))?,
                comment: String::from_utf8(plain).map_err(|_| corrupt(&id))?,
                at,
            })
        })
        .collect()
}

/// Every ticket update kept, oldest first.
pub fn tickets(conn: &Connection, keys: &Keyring) -> Result<Vec<TicketTask>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, cursor, visit_id, ticket_id, state, due, at, sec FROM tasks
         WHERE kind = 'ticket' ORDER BY cursor",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get(6)?,
                r.get::<_, Vec<u8>>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, cursor, visit_id, ticket_id, state, due, at, sec)| {
            let plain = keys.open(aad(&id), &sec).map_err(|_| corrupt(&id))?;
            Ok(TicketTask {
                cursor,
                ticket_id: ticket_id.ok_or_else(|| corrupt(&id))?,
                visit_id,
                state: state
                    .as_deref()
                    .and_then(TicketState::parse)
                    .ok_or_else(|| corrupt(&id))?,
                text: String::from_utf8(plain).map_err(|_| corrupt(&id))?,
                due: due.and_then(|d| d.parse().ok()),
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

    #[test]
    fn tasks_are_sealed_kept_once_typed_and_survive_a_rotation() {
        let mut t = crate::testing::temp_store();
        let d = DecisionTask {
            cursor: 7,
            visit_id: "V1".into(),
            decision: Decision::Return,
            comment: "照片不清楚".into(),
            at: 1_700_000_000,
        };
        let k = TicketTask {
            cursor: 7,
            ticket_id: "V1-1".into(),
            visit_id: "V1".into(),
            state: TicketState::Transferred,
            text: "已转县农商银行".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 4),
            at: 1_700_000_100,
        };
        t.store
            .write(|tx, keys| {
                put_decision(tx, keys, &d)?;
                put_decision(tx, keys, &d)?;
                put_ticket(tx, keys, &k)
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
        assert_eq!(decisions(t.store.conn(), keys).expect("list"), vec![d]);
        assert_eq!(tickets(t.store.conn(), keys).expect("list"), vec![k]);
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
