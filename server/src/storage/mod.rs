//! The server's storage boundary: everything the API, the operator commands and the review
//! logic keep goes through [`Storage`], an async trait with its own error type. The values
//! it carries are the contract's types (`doorstep_contract::wire`, `RecordV1`). The embedded
//! default is one SQLite file ([`SqliteStorage`]); a province's deployment runs on PostgreSQL
//! ([`PgStorage`]), several server processes on one database.

pub mod checklists;
mod postgres;
mod queue;
pub mod rules;
mod schema;
mod sqlite;
pub mod stored;
pub mod web;

pub use postgres::PgStorage;
pub use sqlite::SqliteStorage;

use std::collections::BTreeMap;

use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::record::RecordV1;
use doorstep_contract::text::{Lang, Localize, Text};
use doorstep_contract::wire::Division;
pub use doorstep_contract::wire::{Chain, Decision, DecisionOut, TicketState, TicketUpdate};

use crate::ledger::{Step, TicketRow};

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
/// device feeds to its own roster import).
#[derive(Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub id: String,
    pub village: String,
    pub fields: BTreeMap<String, String>,
}

// A roster row is a person.
impl std::fmt::Debug for RosterRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RosterRow")
            .field("id", &self.id)
            .field("village", &self.village)
            .finish_non_exhaustive()
    }
}

/// A verified request's signature, to note so that it is taken once (the replay guard), and
/// the time before which noted signatures may be forgotten (the time check refuses those).
#[derive(Debug, Clone)]
pub struct Seen {
    pub device_id: String,
    pub signature: String,
    pub now: i64,
    pub forget_before: i64,
}

/// Why a request's signature was not noted, and nothing the request asked for was done: it
/// was seen before (a replay), or its device has been revoked since it was enrolled. The
/// revocation is judged here, in the write that notes the signature, so that a device
/// revoked through any server process is refused by all of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unnoted {
    Replayed,
    Revoked,
}

/// A sealed visit whose signature has been checked and whose record decoded, ready to keep.
#[derive(Debug, Clone)]
pub struct IncomingVisit {
    pub device_id: String,
    pub area: String,
    pub record: RecordV1,
    pub sha256: String,
    /// The exact signed bytes.
    pub bytes: Vec<u8>,
    pub signature: Vec<u8>,
    pub now: i64,
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

/// What appending a chunk came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Where the upload stands now (partial, refused, or complete before this chunk).
    Now(MediaState),
    /// Every byte is staged: the caller checks them against the hash, writes them to the
    /// media store and commits (or discards). Staged bytes survive a failed write, so the
    /// device's next try (any chunk, or the status call) finishes the upload.
    Arrived(Vec<u8>),
}

/// Why storage refused or failed. Words from the catalogue; Display is the English.
#[derive(Debug)]
pub enum StorageError {
    /// The database failed or could not be reached. The detail is the engine's own words,
    /// which carry no personal data: every value reaches a statement as a parameter.
    Backend(String),
    /// The database cannot hold Doorstep's data as written (an engine in a compatibility
    /// mode that changes SQL's meaning, say); the detail says what to change.
    Unsuitable(String),
    NewerSchema(u32),
    NotFound,
    AlreadyExists,
    CodeUnusable,
    KeyEnrolled,
    AlreadyDecided,
    /// Someone else changed it meanwhile: reload and try again.
    Changed,
    Damaged(&'static str),
}

impl Localize for StorageError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            StorageError::Backend(e) | StorageError::Unsuitable(e) => {
                Text::StorageFailed.fill(lang, e)
            }
            StorageError::NewerSchema(v) => Text::StorageNewer.fill(lang, &v.to_string()),
            StorageError::NotFound => Text::StorageNotFound.get(lang).to_owned(),
            StorageError::AlreadyExists => Text::StorageExists.get(lang).to_owned(),
            StorageError::CodeUnusable => Text::StorageCodeUnusable.get(lang).to_owned(),
            StorageError::KeyEnrolled => Text::StorageKeyEnrolled.get(lang).to_owned(),
            StorageError::AlreadyDecided => Text::AlreadyDecided.get(lang).to_owned(),
            StorageError::Changed => Text::StorageChanged.get(lang).to_owned(),
            StorageError::Damaged(what) => Text::StorageDamaged.fill(lang, what),
        }
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.localize(Lang::En))
    }
}

impl std::error::Error for StorageError {}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// What the server keeps. Every rule about what is kept (the chain, idempotency, corrections,
/// decisions, area scoping, flags) is in [`rules`] and [`crate::flags`], shared by the
/// backends; a backend reads the facts the rules need and writes what they decide, each in
/// the transactions its engine needs.
#[async_trait::async_trait]
pub trait Storage: Send + Sync + 'static {
    /// The engine, for logs and benchmarks (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
    /// How many calls may be under way at once: for SQLite, how many may wait in its
    /// thread's queue (it runs them one at a time); for PostgreSQL, the pool's size.
    fn lanes(&self) -> usize;
    /// The policy in force in `area`: the newest issued for the nearest area above it (its
    /// county's own, say), else the server's default (issued for '', the built-in defaults
    /// until one is).
    async fn policy(&self, area: &str) -> Result<Policy>;
    /// Issues a new policy for `area` ('' for every area without its own): kept with the
    /// next version number, which it returns.
    async fn set_policy(&self, area: &str, policy: &Policy, actor: &str, now: i64) -> Result<u32>;
    /// The checklist template in force in `area`, as [`Storage::policy`] finds the policy
    /// (the built-in template until one is issued).
    async fn checklist(&self, area: &str) -> Result<ChecklistTemplate>;
    /// The checklist template of one version, whichever area it was issued for (versions are
    /// numbered across the server, so a visit's version names one template); the built-in
    /// for its version.
    async fn checklist_version(&self, version: u32) -> Result<Option<ChecklistTemplate>>;
    /// Issues a checklist template for `area`, numbered after every version issued anywhere
    /// (and after the built-in), so that a device's newest is the one it should ask; returns
    /// that version.
    async fn issue_checklist(
        &self,
        area: &str,
        template: &ChecklistTemplate,
        actor: &str,
        now: i64,
    ) -> Result<u32>;
    /// Upserts division names (county, townships, villages) by code; returns how many.
    async fn import_divisions(&self, names: &[Division]) -> Result<usize>;
    /// Names of divisions under `area` changed after `after` and up to `upto` (the roster's
    /// cursor), and the highest version among them (`after` when none).
    async fn divisions_between(
        &self,
        area: &str,
        after: i64,
        upto: i64,
    ) -> Result<(Vec<Division>, i64)>;
    /// Every name of divisions under `area`, by code.
    async fn division_names(&self, area: &str) -> Result<BTreeMap<String, String>>;
    async fn add_supervisor(
        &self,
        login: &str,
        area: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<()>;
    async fn add_enrolment_code(
        &self,
        code_hash: &str,
        worker: &str,
        area: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// Consumes the code and registers the key, in one transaction.
    async fn enrol(
        &self,
        code_hash: &str,
        device_id: &str,
        public_key: &[u8],
        now: i64,
    ) -> Result<Device>;
    async fn device(&self, id: &str) -> Result<Option<Device>>;
    async fn revoke_device(&self, id: &str, now: i64) -> Result<()>;
    /// Records a request signature, unless it was seen before (a replay) or its device is
    /// revoked. Forgets signatures older than `forget_before`, which the time check already
    /// refuses.
    async fn first_use(&self, seen: &Seen) -> Result<std::result::Result<(), Unnoted>>;
    /// Replaces nothing on error: all rows or none, upserting by id.
    async fn import_roster(&self, area: &str, rows: &[RosterRow]) -> Result<usize>;
    /// Rows of the area changed after `cursor`, oldest first, and the cursor to ask next.
    async fn roster_since(
        &self,
        area: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<(Vec<RosterRow>, i64)>;
    /// Keeps a batch in one transaction with its request's signature noted in the same one
    /// (one commit per push, not two; and a replay or a revoked device keeps nothing): one
    /// outcome per visit, in order, or why the signature was not noted.
    async fn keep_visits(
        &self,
        request: &Seen,
        batch: &[IncomingVisit],
    ) -> Result<std::result::Result<Vec<Kept>, Unnoted>>;
    async fn decisions_since(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<DecisionOut>>;
    /// Decides on a submitted visit; `area` scopes it to a supervisor's area (None: the
    /// operator).
    async fn decide(
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
    async fn raise_pending_flags(&self, limit: usize) -> Result<usize>;
    /// Visits whose cross-device flags are not raised yet.
    async fn flags_pending(&self) -> Result<usize>;
    /// A visit's status, chain and server flags.
    async fn visit_status(
        &self,
        visit_id: &str,
    ) -> Result<
        Option<(
            doorstep_contract::wire::VisitStatus,
            Chain,
            Vec<doorstep_contract::visit::ServerFlag>,
        )>,
    >;
    /// Stages a chunk of an upload at its offset.
    async fn media_append(
        &self,
        area: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<Appended>;
    /// Where an upload stands; a fully staged upload not yet committed reads as `Partial`
    /// with every byte received.
    async fn media_state(&self, area: &str, sha256: &str) -> Result<MediaState>;
    /// The staged bytes of an upload whose every byte arrived; None otherwise.
    async fn media_staged(&self, sha256: &str) -> Result<Option<Vec<u8>>>;
    /// The bytes are in the media store: the upload is complete and its staging emptied.
    async fn media_commit(&self, sha256: &str) -> Result<()>;
    /// The staged bytes did not match their hash: the upload starts again from nothing.
    async fn media_discard(&self, sha256: &str) -> Result<()>;
    /// Bytes held in staging, all uploads together (0 when every upload finished).
    async fn media_staging_bytes(&self) -> Result<u64>;
    /// Complete media still held in the database by a version that kept photos there, up to
    /// `limit`: moved to the media store at start, then committed.
    async fn media_kept_inline(&self, limit: usize) -> Result<Vec<(String, Vec<u8>)>>;
    async fn audit(&self, actor: &str, action: &str, subject: &str, now: i64) -> Result<()>;
    /// A ticket, if it is in `area` (None: anywhere).
    async fn ticket(&self, id: &str, area: Option<&str>) -> Result<Option<TicketRow>>;
    /// Moves a ticket from `from` by `step`, with an audit line; `Changed` if it was moved
    /// meanwhile.
    async fn advance_ticket(
        &self,
        id: &str,
        from: TicketState,
        step: &Step,
        actor: &str,
        now: i64,
    ) -> Result<TicketRow>;
    /// Tickets of an area, oldest due first.
    async fn tickets_in(&self, area: &str) -> Result<Vec<TicketRow>>;
    async fn supervisor(&self, login: &str) -> Result<Option<web::Supervisor>>;
    /// The supervisors whose area lies within `area`, by login.
    async fn supervisors_in(&self, area: &str) -> Result<Vec<web::Supervisor>>;
    /// A new password hash, or disabled or enabled again; either way their sessions end.
    /// `NotFound` for no such login.
    async fn change_supervisor(&self, login: &str, change: &web::SupervisorChange) -> Result<()>;
    async fn create_session(
        &self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()>;
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<web::SessionRow>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Failed logins under `login` at or after `since` (older ones are forgotten).
    async fn login_failures_since(&self, login: &str, since: i64) -> Result<usize>;
    async fn note_login_failure(&self, login: &str, now: i64) -> Result<()>;
    /// A page of the area's review queue.
    async fn queue(
        &self,
        area: &str,
        filter: &web::QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<web::QueuePage>;
    /// One visit of the area with everything the detail page shows.
    async fn visit_view(&self, visit_id: &str, area: &str) -> Result<Option<web::VisitView>>;
    /// The area's devices, newest first, with their visit counts.
    async fn devices_in(&self, area: &str) -> Result<Vec<web::DeviceRow>>;
    /// The area's enrolment codes not yet used and not expired.
    async fn open_codes(&self, area: &str, now: i64) -> Result<Vec<web::OpenCode>>;
    /// Every visit of the area, for the dashboard and the coverage report: whose, where,
    /// when, by whom, where it stands and its flags; with the sealed record of those that
    /// started within `[from, to]` (what the households said in the period).
    async fn visit_facts(&self, area: &str, from: i64, to: i64) -> Result<Vec<web::VisitFact>>;
    /// How many roster rows the area's county holds and the newest one's version: while
    /// neither changes, a roster read before still holds.
    async fn roster_stamp(&self, area: &str) -> Result<(i64, i64)>;
    /// Whether a visit of the area names this complete media file (its bytes are in the
    /// media store).
    async fn media_in_area(&self, sha256: &str, area: &str) -> Result<bool>;
    /// Changes to the tickets a device raised, after `cursor`.
    async fn ticket_updates(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<TicketUpdate>>;
}
