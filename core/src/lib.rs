//! doorstep-core: every rule of Doorstep, the offline field-visit system of the "three doors"
//! home-visit action. The shells (Android, iOS, CLI, server) turn input into calls here and
//! render what comes back; nothing here draws, speaks HTTP or calls the platform.
#![forbid(unsafe_code)]

pub mod crypto;
pub mod error;
pub mod geo;
pub mod i18n;
pub mod media;
pub mod model;
pub mod policy;
pub mod roster;
pub mod seal;
pub mod store;
pub mod sync;
pub mod visit;

#[cfg(test)]
mod testing;

pub use error::{Error, Result};
pub use store::Store;
