//! One recipient's detail view. Protected subsidies (orphans and children without support,
//! HIV-related) show as "protected" unless the worker asks to reveal them, and every reveal is
//! written to the reveal log in the same step.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use doorstep_contract::model::Recipient;
use doorstep_contract::roster::{due_date, overdue_days};

use crate::error::{Error, Result};
use crate::store::{divisions, policy, recipients, reveal_log, Store};

/// A subsidy line of the detail view. A hidden protected subsidy carries no code or name.
#[derive(Clone, PartialEq)]
pub enum DetailEnrolment {
    Shown {
        code: String,
        short_name: String,
        amount_fen: i64,
        protected: bool,
    },
    Hidden,
}

impl std::fmt::Debug for DetailEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DetailEnrolment::Shown { protected, .. } => f
                .debug_struct("Shown")
                .field("protected", protected)
                .finish_non_exhaustive(),
            DetailEnrolment::Hidden => f.write_str("Hidden"),
        }
    }
}

/// Debug shows only the recipient's Debug (its id) and the scheduling figures.
#[derive(Debug, Clone)]
pub struct RecipientDetail {
    pub recipient: Recipient,
    /// The ID number with its middle hidden, for screens.
    pub id_number_masked: String,
    pub village_name: Option<String>,
    pub township_name: Option<String>,
    pub enrolments: Vec<DetailEnrolment>,
    pub due_date: NaiveDate,
    pub overdue_days: i64,
    /// How many protected subsidies were revealed (and logged) by this call.
    pub revealed: u32,
}

/// `now` is the device's time with its offset: "today" is the local date, the reveal log
/// keeps the UTC instant.
pub(crate) fn show(
    store: &mut Store,
    id: &str,
    reveal_protected: bool,
    now: DateTime<FixedOffset>,
) -> Result<RecipientDetail> {
    let today = now.date_naive();
    let at = now.with_timezone(&Utc);
    let r = recipients::get(store.conn(), store.keys(), id)?
        .ok_or_else(|| Error::NotFound { id: id.to_owned() })?;
    let intervals = policy::read(store.conn())?.visit_intervals;
    let protected = r.enrolments.iter().filter(|e| e.protected).count() as u32;
    let revealed = if reveal_protected && protected > 0 {
        // The log is written before anything is shown: no reveal goes unrecorded.
        store.write(|tx, _| reveal_log::record(tx, id, at, protected))?;
        protected
    } else {
        0
    };
    let enrolments = r
        .enrolments
        .iter()
        .map(|e| {
            if e.protected && revealed == 0 {
                DetailEnrolment::Hidden
            } else {
                DetailEnrolment::Shown {
                    code: e.code.clone(),
                    short_name: e.short_name.clone(),
                    amount_fen: e.amount_fen,
                    protected: e.protected,
                }
            }
        })
        .collect();
    let due = due_date(&r, &intervals, today);
    let (village_name, township_name) =
        divisions::Names::load(store.conn())?.of(r.village.as_str());
    Ok(RecipientDetail {
        id_number_masked: r.id_number.masked(),
        village_name,
        township_name,
        enrolments,
        due_date: due,
        overdue_days: overdue_days(due, today),
        revealed,
        recipient: r,
    })
}
