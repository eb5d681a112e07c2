//! The service-problem ledger (件件有着落): tickets raised in visits, moved by supervisors
//! through accepted (受理) → transferred to a department (传递) → replied (回复) → closed
//! (办结), each step with its due date and a line in the audit log. Plain functions over
//! [`Storage`], called by the web app and tests.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::storage::{Storage, StorageError};

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Accepted,
    Transferred,
    Replied,
    Closed,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketState::Accepted => "accepted",
            TicketState::Transferred => "transferred",
            TicketState::Replied => "replied",
            TicketState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<TicketState> {
        match s {
            "accepted" => Some(TicketState::Accepted),
            "transferred" => Some(TicketState::Transferred),
            "replied" => Some(TicketState::Replied),
            "closed" => Some(TicketState::Closed),
            _ => None,
        }
    }
}

/// One step along the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// To the department that can solve it, with the date it must answer by.
    Transfer { department: String, due: NaiveDate },
    /// The department's answer, with the date the case must be closed by.
    Reply { text: String, due: NaiveDate },
    /// The outcome, as told to the person.
    Close { outcome: String },
}

impl Step {
    fn moves_from(&self) -> TicketState {
        match self {
            Step::Transfer { .. } => TicketState::Accepted,
            Step::Reply { .. } => TicketState::Transferred,
            Step::Close { .. } => TicketState::Replied,
        }
    }

    pub fn moves_to(&self) -> TicketState {
        match self {
            Step::Transfer { .. } => TicketState::Transferred,
            Step::Reply { .. } => TicketState::Replied,
            Step::Close { .. } => TicketState::Closed,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error(
        "a ticket {found} cannot be {wanted}: steps go accepted → transferred → replied → closed"
    )]
    OutOfOrder {
        found: &'static str,
        wanted: &'static str,
    },
    #[error("this step needs its text (department, reply or outcome)")]
    TextRequired,
}

/// A ticket as the ledger shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketRow {
    pub id: String,
    pub visit_id: String,
    pub village: String,
    pub kind: String,
    pub urgency: String,
    pub description: String,
    pub state: TicketState,
    pub department: Option<String>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub due: NaiveDate,
}

/// Moves a ticket one step; `area` scopes a supervisor (a ticket elsewhere is not found).
pub fn advance(
    s: &dyn Storage,
    ticket_id: &str,
    area: Option<&str>,
    step: &Step,
    actor: &str,
    now: i64,
) -> Result<TicketRow, LedgerError> {
    let text = match step {
        Step::Transfer { department, .. } => department,
        Step::Reply { text, .. } => text,
        Step::Close { outcome } => outcome,
    };
    if text.trim().is_empty() {
        return Err(LedgerError::TextRequired);
    }
    let current = s.ticket(ticket_id, area)?.ok_or(StorageError::NotFound)?;
    if current.state != step.moves_from() {
        return Err(LedgerError::OutOfOrder {
            found: current.state.as_str(),
            wanted: step.moves_to().as_str(),
        });
    }
    Ok(s.advance_ticket(ticket_id, current.state, step, actor, now)?)
}
