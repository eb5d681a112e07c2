//! doorstep-core: every rule of Doorstep, the offline field-visit system of the "three doors"
//! home-visit action, and the device's encrypted store. The shells (Android, iOS, the CLI)
//! turn input into calls on [`Doorstep`] and render what comes back; nothing here draws,
//! speaks HTTP or calls the platform.
//!
//! Layers, each using only those before it: the contract's model (`doorstep_contract`), the
//! rules of a visit ([`rules`]: pure functions over a draft), sealing ([`seal`]: a draft
//! becomes a signed `RecordV1`), the store (private repositories over SQLite), the use cases
//! ([`visit`], [`roster`], [`sync`]), and the façade the shells call ([`Doorstep`]).
#![forbid(unsafe_code)]

pub mod error;
pub mod facade;
pub mod roster;
pub mod rules;
pub mod seal;
mod store;
pub mod sync;
pub mod transport;
pub mod visit;

#[cfg(test)]
mod testing;

pub use doorstep_contract::{geo, model, policy, record, text, wire};
pub use doorstep_crypto as crypto;
pub use doorstep_media as media;
pub use error::{Error, Result};
pub use facade::{Doorstep, ViewWords, VisitItem, VisitProgress};
pub use store::{RotateOptions, RotateProgress, RotateReport, DB_FILE, SCHEMA_VERSION};
