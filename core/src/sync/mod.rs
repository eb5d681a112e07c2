//! The device side of the sync protocol (`doorstep_contract::wire`): enrolment, then syncs
//! that push sealed visits and their media and pull the roster, the policy, review decisions
//! and ticket updates, each step committed as it goes. HTTP is the platform's
//! (`crate::transport`); this builds each request, signs it and reads each answer. Also what
//! the device made of it all: its tasks and its standing with the server.

mod client;
mod run;
mod status;
mod tasks;

pub(crate) use run::{enroll, sync};
pub use run::{Enrolled, SyncReport, SyncStage};
pub(crate) use status::status;
pub use status::DeviceStatus;
pub(crate) use tasks::tasks;
pub use tasks::{ReviewTask, Tasks, TicketTask};
