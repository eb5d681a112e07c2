//! The roster on the device: importing it (the county's CSV or JSON export, or the rows a sync
//! brings down) into the encrypted store, working out who is due, and the list and detail
//! views the shells show. The format itself is the contract's (`doorstep_contract::roster`).

mod detail;
mod import;
mod query;
#[cfg(test)]
mod tests;

pub(crate) use detail::show;
pub use detail::{DetailEnrolment, RecipientDetail};
pub use doorstep_contract::roster::{
    lines_with_errors, RosterError, RosterFault, RosterFormat, RowError, RowProblem, FIELDS,
};
pub(crate) use import::{import, import_recipients};
pub use import::{ImportOptions, ImportReport};
pub(crate) use query::{list, lookup};
pub use query::{ListEntry, ListQuery, ListResult};
