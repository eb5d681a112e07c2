//! Rows as every backend stores them, parsed into the contract's types: coded columns (a
//! status, a decision, a ticket's state, kind and urgency) and the JSON lists of flags. A
//! code that no longer parses is damage, never a guess.

use doorstep_contract::visit::ServerFlag;
use doorstep_contract::wire::VisitStatus;

use super::rules::parse_code;
use super::{Decision, Result, StorageError};
use crate::ledger::{TicketRow, TicketState};

/// The ticket columns both backends select, in this order, for [`StoredTicket`].
pub const TICKET_COLUMNS: &str =
    "id, visit_id, village, kind, urgency, description, state, department, reply, outcome, due";

/// A ticket's columns as stored; [`finish_ticket`] parses the coded ones.
pub struct StoredTicket {
    pub id: String,
    pub visit_id: String,
    pub village: String,
    pub kind: String,
    pub urgency: String,
    pub description: String,
    pub state: String,
    pub department: Option<String>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub due: String,
}

// A ticket's description may name a person.
impl std::fmt::Debug for StoredTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTicket")
            .field("id", &self.id)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Parses the state, kind, urgency and due date; damage if any does not parse.
pub fn finish_ticket(t: StoredTicket) -> Result<TicketRow> {
    let damaged = StorageError::Damaged;
    Ok(TicketRow {
        state: ticket_state(&t.state)?,
        kind: parse_code(&t.kind).ok_or(damaged("ticket kind"))?,
        urgency: parse_code(&t.urgency).ok_or(damaged("ticket urgency"))?,
        due: due_date(&t.due)?,
        id: t.id,
        visit_id: t.visit_id,
        village: t.village,
        description: t.description,
        department: t.department,
        reply: t.reply,
        outcome: t.outcome,
    })
}

pub fn ticket_state(code: &str) -> Result<TicketState> {
    TicketState::parse(code).ok_or(StorageError::Damaged("ticket state"))
}

pub fn due_date(s: &str) -> Result<chrono::NaiveDate> {
    s.parse()
        .map_err(|_| StorageError::Damaged("ticket due date"))
}

pub fn status_of(code: &str) -> Result<VisitStatus> {
    VisitStatus::parse(code).ok_or(StorageError::Damaged("visit status"))
}

pub fn decision_of(code: &str) -> Result<Decision> {
    Decision::parse(code).ok_or(StorageError::Damaged("decision"))
}

/// The server flags as stored (a JSON list of codes); an unknown code is left out.
pub fn server_flags(json: &str) -> Vec<ServerFlag> {
    let mut flags: Vec<ServerFlag> = serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| ServerFlag::parse(c))
        .collect();
    flags.sort_unstable();
    flags.dedup();
    flags
}
