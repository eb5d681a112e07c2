//! The ledger's rows: tickets entered from visit records, read back, and their versions.

use rusqlite::{params, Connection, OptionalExtension};

use super::Db;
use crate::ledger::{Step, TicketRow, TicketState};
use crate::storage::rules::{self, code_of};
use crate::storage::stored::{finish_ticket, StoredTicket, TICKET_COLUMNS};
use crate::storage::{IncomingVisit, Result, StorageError};

/// Enters a new visit's tickets in the ledger as accepted (受理), due as the device set.
pub(super) fn enter_tickets(tx: &Connection, v: &IncomingVisit) -> Result<()> {
    let r = &v.record;
    if r.tickets.is_empty() {
        return Ok(());
    }
    let village: String = tx
        .prepare_cached("SELECT village FROM recipients WHERE id = ?1")?
        .query_row([&r.recipient_id], |row| row.get(0))?;
    for t in &r.tickets {
        let version = next_ticket_version(tx)?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO tickets (id, visit_id, number, device_id, area, village, kind,
                 urgency, description, state, due, updated_at, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'accepted', ?10, ?11, ?12)",
        )?
        .execute(params![
            rules::ticket_id(&r.visit_id, t.number),
            r.visit_id,
            t.number,
            v.device_id,
            v.area,
            village,
            code_of(&t.kind),
            code_of(&t.urgency),
            t.description,
            t.due.to_string(),
            v.now,
            version
        ])?;
    }
    Ok(())
}

pub(super) fn next_ticket_version(tx: &Connection) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT coalesce(max(version), 0) + 1 FROM tickets")?
        .query_row([], |r| r.get(0))?)
}

pub(super) fn ticket_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredTicket> {
    Ok(StoredTicket {
        id: r.get(0)?,
        visit_id: r.get(1)?,
        village: r.get(2)?,
        kind: r.get(3)?,
        urgency: r.get(4)?,
        description: r.get(5)?,
        state: r.get(6)?,
        department: r.get(7)?,
        reply: r.get(8)?,
        outcome: r.get(9)?,
        due: r.get(10)?,
    })
}

impl Db {
    pub(super) fn ticket_in(
        conn: &Connection,
        id: &str,
        area: Option<&str>,
    ) -> Result<Option<TicketRow>> {
        let row = conn
            .prepare_cached(&format!(
                "SELECT {TICKET_COLUMNS} FROM tickets
                 WHERE id = ?1 AND village >= ?2 AND village < ?2 || ':'"
            ))?
            .query_row(params![id, area.unwrap_or("")], ticket_row)
            .optional()?;
        row.map(finish_ticket).transpose()
    }
}

/// Moves a ticket one step on from `from` (or `Changed` if someone moved it first), with its
/// audit entry and a new version devices pull by, in one transaction.
pub(super) fn advance(
    conn: &mut Connection,
    id: &str,
    from: TicketState,
    step: &Step,
    actor: &str,
    now: i64,
) -> Result<TicketRow> {
    let tx = conn.transaction()?;
    let version = next_ticket_version(&tx)?;
    let to = step.moves_to().code();
    let n = match step {
        Step::Transfer { department, due } => tx
            .prepare_cached(
                "UPDATE tickets SET state = ?3, department = ?4, due = ?5, updated_at = ?6,
                     version = ?7 WHERE id = ?1 AND state = ?2",
            )?
            .execute(params![
                id,
                from.code(),
                to,
                department,
                due.to_string(),
                now,
                version
            ])?,
        Step::Reply { text, due } => tx
            .prepare_cached(
                "UPDATE tickets SET state = ?3, reply = ?4, due = ?5, updated_at = ?6,
                     version = ?7 WHERE id = ?1 AND state = ?2",
            )?
            .execute(params![
                id,
                from.code(),
                to,
                text,
                due.to_string(),
                now,
                version
            ])?,
        Step::Close { outcome } => tx
            .prepare_cached(
                "UPDATE tickets SET state = ?3, outcome = ?4, updated_at = ?5, version = ?6
                 WHERE id = ?1 AND state = ?2",
            )?
            .execute(params![id, from.code(), to, outcome, now, version])?,
    };
    if n != 1 {
        return Err(StorageError::Changed);
    }
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![now, actor, format!("ticket:{to}"), id])?;
    let row = Db::ticket_in(&tx, id, None)?.ok_or(StorageError::NotFound)?;
    tx.commit()?;
    Ok(row)
}
