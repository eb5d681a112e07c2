//! The server's storage boundary: everything the API, the operator commands and the review
//! logic keep goes through [`Storage`]. The embedded default is one SQLite file
//! ([`SqliteStorage`]); a PostgreSQL backend for deployments that outgrow one machine fills
//! the same trait.

mod schema;
mod sqlite;
pub mod web;

pub use sqlite::SqliteStorage;

use doorstep_core::seal::RecordHead;
use serde::Serialize;

use crate::ledger::{Step, TicketRow, TicketState};

/// A ticket's change as the device that raised it pulls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketUpdate {
    pub cursor: i64,
    pub ticket_id: String,
    pub visit_id: String,
    pub number: u32,
    pub state: TicketState,
    pub department: Option<String>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub due: String,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub public_key: Vec<u8>,
    pub worker: String,
    pub area: String,
    pub revoked: bool,
}

/// One roster row as imported: its id, village code and the fields by column name (what a
/// device feeds to its own JSON roster import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub id: String,
    pub village: String,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// A sealed visit whose signature has been checked, ready to keep.
#[derive(Debug, Clone)]
pub struct IncomingVisit {
    pub device_id: String,
    pub area: String,
    pub head: RecordHead,
    pub sha256: String,
    pub record: Vec<u8>,
    pub signature: Vec<u8>,
    pub now: i64,
}

/// Where a record stands in its device's hash chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// Follows the device's previous record.
    Ok,
    /// The previous record has not arrived (yet): flagged until it does.
    Gap,
    /// Another record claims the same place, or the previous one's hash differs.
    Fork,
}

impl Chain {
    fn as_str(self) -> &'static str {
        match self {
            Chain::Ok => "ok",
            Chain::Gap => "gap",
            Chain::Fork => "fork",
        }
    }
}

/// What keeping a visit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Kept, with its place in the chain (its cross-device flags follow shortly).
    Stored(Chain),
    /// The same bytes were already here: nothing changed.
    Duplicate(Chain),
    /// Different bytes under this visit id: the first record stands.
    Conflict,
    /// The record names a recipient outside the device's area.
    UnknownRecipient,
}

/// A supervisor's decision on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    /// Back to the device for correction, with a comment.
    Return,
    /// Refused for good, with a reason.
    Reject,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Return => "return",
            Decision::Reject => "reject",
        }
    }

    /// The visit's status after the decision.
    pub fn status(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Return => "returned",
            Decision::Reject => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "approve" => Some(Decision::Approve),
            "return" => Some(Decision::Return),
            "reject" => Some(Decision::Reject),
            _ => None,
        }
    }
}

/// A decision as a device pulls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionOut {
    pub cursor: i64,
    pub visit_id: String,
    pub decision: Decision,
    pub comment: String,
    pub at: i64,
}

/// Where an upload of one media file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaState {
    /// No stored record of the device's area names this hash.
    NotNamed,
    Partial {
        received: u64,
        total: u64,
    },
    Complete {
        total: u64,
    },
    /// The chunk does not start where the upload stands.
    WrongOffset {
        received: u64,
    },
    /// All bytes arrived and they are not what the hash says: discarded.
    HashMismatch,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database was written by a newer server (schema {0})")]
    NewerSchema(u32),
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    #[error("the enrolment code is unknown, used or expired")]
    CodeUnusable,
    #[error("this public key is already enrolled")]
    KeyEnrolled,
    #[error("the visit has already been decided")]
    AlreadyDecided,
    #[error("someone else changed it meanwhile: reload and try again")]
    Changed,
    #[error("stored data is damaged: {0}")]
    Damaged(&'static str),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// What the server keeps. Implementations are used from blocking threads.
pub trait Storage: Send + Sync + 'static {
    fn add_supervisor(&self, login: &str, area: &str, password_hash: &str, now: i64) -> Result<()>;
    fn add_enrolment_code(
        &self,
        code_hash: &str,
        worker: &str,
        area: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// Consumes the code and registers the key, in one transaction.
    fn enrol(
        &self,
        code_hash: &str,
        device_id: &str,
        public_key: &[u8],
        now: i64,
    ) -> Result<Device>;
    fn device(&self, id: &str) -> Result<Option<Device>>;
    fn revoke_device(&self, id: &str, now: i64) -> Result<()>;
    /// Records a request signature; `false` when it was seen before (a replay). Forgets
    /// signatures older than `forget_before`, which the time check already refuses.
    fn first_use(
        &self,
        device_id: &str,
        signature: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool>;
    /// Replaces nothing on error: all rows or none, upserting by id.
    fn import_roster(&self, area: &str, rows: &[RosterRow]) -> Result<usize>;
    /// Rows of the area changed after `cursor`, oldest first, and the cursor to ask next.
    fn roster_since(&self, area: &str, cursor: i64, limit: usize) -> Result<(Vec<RosterRow>, i64)>;
    /// Keeps a batch in one transaction; one outcome per visit, in order.
    fn keep_visits(&self, batch: &[IncomingVisit]) -> Result<Vec<Kept>>;
    fn decisions_since(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<DecisionOut>>;
    /// Decides on a submitted visit; `area` scopes it to a supervisor's area (None: the
    /// operator).
    fn decide(
        &self,
        visit_id: &str,
        area: Option<&str>,
        d: Decision,
        comment: &str,
        actor: &str,
        now: i64,
    ) -> Result<()>;
    /// Raises the cross-device flags of up to `limit` visits kept since the last call, in
    /// one transaction; returns how many it handled.
    fn raise_pending_flags(&self, limit: usize) -> Result<usize>;
    /// Visits whose cross-device flags are not raised yet.
    fn flags_pending(&self) -> Result<usize>;
    /// A visit's status, chain and server flags.
    fn visit_status(&self, visit_id: &str) -> Result<Option<(String, Chain, Vec<String>)>>;
    fn media_append(
        &self,
        area: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<MediaState>;
    fn media_state(&self, area: &str, sha256: &str) -> Result<MediaState>;
    fn audit(&self, actor: &str, action: &str, subject: &str, now: i64) -> Result<()>;
    /// A ticket, if it is in `area` (None: anywhere).
    fn ticket(&self, id: &str, area: Option<&str>) -> Result<Option<TicketRow>>;
    /// Moves a ticket from `from` by `step`, with an audit line; `Changed` if it was moved
    /// meanwhile.
    fn advance_ticket(
        &self,
        id: &str,
        from: TicketState,
        step: &Step,
        actor: &str,
        now: i64,
    ) -> Result<TicketRow>;
    /// Tickets of an area, oldest due first.
    fn tickets_in(&self, area: &str) -> Result<Vec<TicketRow>>;
    fn supervisor(&self, login: &str) -> Result<Option<web::Supervisor>>;
    fn create_session(
        &self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()>;
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<web::SessionRow>>;
    fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// A page of the area's review queue.
    fn queue(
        &self,
        area: &str,
        filter: &web::QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<web::QueuePage>;
    /// One visit of the area with everything the detail page shows.
    fn visit_view(&self, visit_id: &str, area: &str) -> Result<Option<web::VisitView>>;
    /// The area's devices, newest first, with their visit counts.
    fn devices_in(&self, area: &str) -> Result<Vec<web::DeviceRow>>;
    /// The area's enrolment codes not yet used and not expired.
    fn open_codes(&self, area: &str, now: i64) -> Result<Vec<web::OpenCode>>;
    /// Each visit of the area: its household and when it started (for coverage).
    fn visit_starts(&self, area: &str) -> Result<Vec<(String, i64)>>;
    /// A complete media file a visit of the area names.
    fn media_bytes(&self, sha256: &str, area: &str) -> Result<Option<Vec<u8>>>;
    /// Changes to the tickets a device raised, after `cursor`.
    fn ticket_updates(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<TicketUpdate>>;
}
