//! The visit roster: importing it from the county's CSV or JSON export, working out who is due
//! for a visit, and the list and detail views the shells show.

mod detail;
mod due;
mod import;
mod query;
mod row;
#[cfg(test)]
mod tests;

pub use detail::{show, DetailEnrolment, RecipientDetail};
pub use due::{due_date, overdue_days};
pub use import::{import, parse_roster, ImportOptions, ImportReport, RosterFormat};
pub use query::{list, lookup, ListEntry, ListQuery, ListResult};
pub use row::{
    lines_with_errors, to_recipient, Absent, RawRow, RosterFault, RowError, RowProblem, FIELDS,
};
