//! The roster format both sides read: the county's CSV or JSON export, one row per recipient,
//! validated into recipients with every problem named by line and field; and when each
//! recipient is next due for a visit.

mod due;
mod household;
mod parse;
mod row;

pub use due::{due_after, due_date, overdue_days};
pub use household::{Household, SubsidyLine};
pub use parse::{parse_roster, validate, RosterError, RosterFormat, ValidRow};
pub use row::{
    lines_with_errors, to_recipient, Absent, RawRow, RosterFault, RowError, RowProblem, FIELDS,
    REQUIRED,
};
