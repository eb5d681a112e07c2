//! The ledger's rows: tickets entered from visit records, read back, and their versions.

use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStorage;
use crate::ledger::{TicketRow, TicketState};
use crate::storage::{IncomingVisit, Result, StorageError};

/// A ticket as a visit record carries it.
#[derive(serde::Deserialize)]
struct TicketIn {
    number: u32,
    kind: String,
    description: String,
    urgency: String,
    due: String,
}

#[derive(serde::Deserialize)]
struct WithTickets {
    #[serde(default)]
    tickets: Vec<TicketIn>,
}

/// Enters a new visit's tickets in the ledger as accepted (受理), due as the device set.
pub(super) fn enter_tickets(tx: &Connection, v: &IncomingVisit) -> Result<()> {
    let Ok(WithTickets { tickets }) = serde_json::from_slice::<WithTickets>(&v.record) else {
        return Ok(());
    };
    if tickets.is_empty() {
        return Ok(());
    }
    let village: String = tx
        .prepare_cached("SELECT village FROM recipients WHERE id = ?1")?
        .query_row([&v.head.recipient_id], |r| r.get(0))?;
    for t in tickets {
        let version = next_ticket_version(tx)?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO tickets (id, visit_id, number, device_id, area, village, kind,
                 urgency, description, state, due, updated_at, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'accepted', ?10, ?11, ?12)",
        )?
        .execute(params![
            format!("{}-{}", v.head.visit_id, t.number),
            v.head.visit_id,
            t.number,
            v.device_id,
            v.area,
            village,
            t.kind,
            t.urgency,
            t.description,
            t.due,
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

pub(super) const TICKET_COLUMNS: &str =
    "id, visit_id, village, kind, urgency, description, state, department, reply, outcome, due";

pub(super) fn ticket_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(TicketRow, String, String)> {
    let state: String = r.get(6)?;
    let due: String = r.get(10)?;
    Ok((
        TicketRow {
            id: r.get(0)?,
            visit_id: r.get(1)?,
            village: r.get(2)?,
            kind: r.get(3)?,
            urgency: r.get(4)?,
            description: r.get(5)?,
            state: TicketState::Accepted,
            department: r.get(7)?,
            reply: r.get(8)?,
            outcome: r.get(9)?,
            due: chrono::NaiveDate::MIN,
        },
        state,
        due,
    ))
}

/// Fills in the parsed state and due date; damage if either does not parse.
pub(super) fn finish_ticket((mut t, state, due): (TicketRow, String, String)) -> Result<TicketRow> {
    t.state = TicketState::parse(&state).ok_or(StorageError::Damaged("ticket state"))?;
    t.due = due
        .parse()
        .map_err(|_| StorageError::Damaged("ticket due date"))?;
    Ok(t)
}

impl SqliteStorage {
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
