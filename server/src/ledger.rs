//! The service-problem ledger (件件有着落): tickets raised in visits, moved by supervisors
//! through accepted (受理) → transferred to a department (传递) → replied (回复) → closed
//! (办结), each step with its due date and a line in the audit log. Plain functions over
//! [`Storage`], called by the web app and tests.

use chrono::NaiveDate;
use doorstep_contract::text::{Lang, Localize, Text};
use doorstep_contract::visit::{TicketKind, Urgency};
pub use doorstep_contract::wire::TicketState;

use crate::storage::{Storage, StorageError};

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

/// Why a ledger step was refused. Words from the catalogue; Display is the English.
#[derive(Debug)]
pub enum LedgerError {
    Storage(StorageError),
    OutOfOrder {
        found: TicketState,
        wanted: TicketState,
    },
    TextRequired,
}

impl From<StorageError> for LedgerError {
    fn from(e: StorageError) -> Self {
        LedgerError::Storage(e)
    }
}

impl Localize for LedgerError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            LedgerError::Storage(e) => e.localize(lang),
            LedgerError::OutOfOrder { found, wanted } => Text::LedgerOutOfOrder
                .fill_all(lang, &[&found.localize(lang), &wanted.localize(lang)]),
            LedgerError::TextRequired => Text::LedgerTextRequired.get(lang).to_owned(),
        }
    }
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.localize(Lang::En))
    }
}

impl std::error::Error for LedgerError {}

/// A ticket as the ledger shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: String,
    pub visit_id: String,
    pub village: String,
    pub kind: TicketKind,
    pub urgency: Urgency,
    pub description: String,
    pub state: TicketState,
    pub department: Option<String>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub due: NaiveDate,
}

/// Moves a ticket one step; `area` scopes a supervisor (a ticket elsewhere is not found).
pub async fn advance(
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
    let current = s
        .ticket(ticket_id, area)
        .await?
        .ok_or(StorageError::NotFound)?;
    if current.state != step.moves_from() {
        return Err(LedgerError::OutOfOrder {
            found: current.state,
            wanted: step.moves_to(),
        });
    }
    Ok(s.advance_ticket(ticket_id, current.state, step, actor, now)
        .await?)
}

// The description and the answers are the household's business.
impl std::fmt::Debug for TicketRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketRow")
            .field("id", &self.id)
            .field("state", &self.state)
            .field("due", &self.due)
            .finish_non_exhaustive()
    }
}
