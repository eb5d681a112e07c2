//! One module per command group.

pub mod demo;
pub mod init;
pub mod key;
pub mod policy;
pub mod roster;
pub mod server;
pub mod sync;
pub mod verify;
pub mod visit;
