//! doorstep-contract: what the device side and the server agree on, typed once. The domain
//! model and the validation of its identifiers, the roster format, the policy record, the
//! vocabulary of a visit and its sealed record (`RecordV1`), the sync protocol's messages,
//! and the catalogue every shell takes its words from. No storage, no HTTP, no images: the
//! server and `doorstep verify` build this without the photo pipeline.
#![forbid(unsafe_code)]

pub mod geo;
pub mod model;
pub mod policy;
pub mod record;
pub mod roster;
pub mod text;
pub mod visit;
pub mod wire;
