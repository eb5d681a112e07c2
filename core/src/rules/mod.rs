//! The rules of a visit, pure functions over a draft with no store underneath: which actions
//! a draft accepts in which state (the three doors, the checklist, the signature), what the
//! worker still has to do (the view state), and the authenticity flags. The visit session
//! (`crate::visit`) persists what these decide.

pub mod action;
pub mod doors;
pub mod draft;
pub mod flags;

pub use action::{Action, ItemStatus, SignerRole};
pub use doors::{apply, view, Judged, ViewState};
pub use draft::{Context, Draft, SignatureRecord};
pub use flags::{CrossFlag, OtherVisit};
