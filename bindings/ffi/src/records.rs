//! What the screens get back: records built from the core's answers, each value typed and,
//! where a screen shows it as a sentence, with its words in the chosen language. Dates are
//! ISO 8601 (`YYYY-MM-DD`), times Unix seconds or milliseconds as named.

use doorstep_core::model::{CardStatus, Category, Datum, Gender};
use doorstep_core::rules::{ItemStatus, SignerRole};
pub use doorstep_core::sync::{DeviceStatus, Enrolled, SyncReport};
use doorstep_core::visit::{
    Arrival, Flag, Missing, Outcome, SatisfactionLevel, Step, TicketKind, Urgency, Warning,
};
use doorstep_core::wire::TicketState;
use doorstep_core::VisitProgress;

/// A position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// One line of a due list or a search: nothing about subsidies, the ID number masked.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub id_number_masked: String,
    pub village_code: String,
    /// The division table's names, when the server sent them.
    pub village_name: Option<String>,
    pub township_name: Option<String>,
    pub categories: Vec<Category>,
    pub card_status: CardStatus,
    pub last_visit: Option<String>,
    pub due_date: String,
    /// Days past due (negative: days until due).
    pub overdue_days: i64,
    /// From the position the list was asked near, when both are known.
    pub distance_m: Option<f64>,
}

/// What a due list or a search asks for.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RosterQuery {
    /// Only those due today or overdue.
    pub due_only: bool,
    /// Part of a name, or an ID number or mobile number (those are exact lookups).
    pub search: Option<String>,
    /// A division-code prefix: a village, a township.
    pub village: Option<String>,
    /// The worker's position (WGS-84), for distances and the secondary sort.
    pub near: Option<LatLon>,
    pub limit: u32,
}

/// One subsidy of a recipient. A protected one (orphans, HIV-related) is `hidden` — no code,
/// name or amount — until it is revealed, and each reveal is logged.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Subsidy {
    pub hidden: bool,
    pub protected: bool,
    pub code: Option<String>,
    pub name: Option<String>,
    pub amount_fen: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GuardianInfo {
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
}

/// One recipient, for the recipient screen.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecipientDetail {
    pub id: String,
    pub name: String,
    pub id_number_masked: String,
    pub gender: Gender,
    pub birth_date: String,
    pub age: u32,
    pub categories: Vec<Category>,
    pub village_code: String,
    pub village_name: Option<String>,
    pub township_name: Option<String>,
    pub address: String,
    /// WGS-84.
    pub location: Option<LatLon>,
    pub phone: Option<String>,
    pub guardian: Option<GuardianInfo>,
    pub card_status: CardStatus,
    pub subsidies: Vec<Subsidy>,
    pub last_visit: Option<String>,
    pub due_date: String,
    pub overdue_days: i64,
    /// Protected subsidies named (and logged) by this call.
    pub revealed: u32,
}

/// A checklist item, in the chosen language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistItem {
    pub key: String,
    pub label: String,
    /// Asked only when a guardian or proxy acts for the person.
    pub proxy_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Checklist {
    pub version: u32,
    pub title: String,
    pub items: Vec<ChecklistItem>,
}

/// An entry of the policy list a worker explains.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicyTopic {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MissingItem {
    pub missing: Missing,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WarningItem {
    pub warning: Warning,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FlagItem {
    pub flag: Flag,
    pub text: String,
}

/// What a visit screen shows: the door, what finishing needs, what to double-check, the
/// authenticity flags (never blocking), the photos taken.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitState {
    pub visit_id: String,
    pub step: Step,
    pub step_text: String,
    pub missing: Vec<MissingItem>,
    pub warnings: Vec<WarningItem>,
    pub flags: Vec<FlagItem>,
    /// Each photo's SHA-256, in the order taken (for thumbnails and removal).
    pub photos: Vec<String>,
    pub tickets: u32,
    pub notes: u32,
    pub can_finish: bool,
}

/// A position from the phone's location provider.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    /// The satellites' time, Unix milliseconds (None: now).
    pub at_unix_ms: Option<i64>,
    pub provider: String,
    /// The OS reported a mock location.
    pub mock: bool,
    pub datum: Datum,
}

/// One thing the worker did at a door: every action of the visit, typed.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum VisitAction {
    /// Knock: who was met, and who else was present.
    Contact {
        outcome: Outcome,
        present: Vec<String>,
    },
    /// Care: whether an enrolled subsidy arrived on the card, the amount the household saw.
    Subsidy {
        code: String,
        arrived: Arrival,
        amount_seen_fen: Option<i64>,
        sms_received: Option<bool>,
    },
    /// Care: a policy explained (a code of the policy list, or one of the person's subsidies).
    PolicyExplained {
        code: String,
    },
    Living {
        text: String,
    },
    Needs {
        text: String,
    },
    /// Open: a question answered on the spot.
    QuestionAnswered {
        text: String,
    },
    /// Open: a problem to follow up; it becomes a ticket, due by its urgency.
    Ticket {
        kind: TicketKind,
        description: String,
        urgency: Urgency,
        checklist_item: Option<String>,
    },
    /// How the person rated the service.
    Satisfaction {
        level: SatisfactionLevel,
        comment: String,
    },
    /// One checklist item's answer (a problem needs a note).
    Checklist {
        key: String,
        status: ItemStatus,
        note: String,
    },
    /// The signature: who signs (a proxy with name and relation), the pad's strokes (none for
    /// a thumbprint: the next photo is the evidence), the text attested to.
    Sign {
        signer: SignerRole,
        proxy_name: String,
        relation: String,
        strokes: Option<doorstep_core::visit::SignatureInput>,
        attested: String,
    },
    /// A note (for an attempt where nobody could be met, the evidence).
    Note {
        text: String,
    },
    /// A position from the phone.
    Fix {
        fix: GpsFix,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SubsidyCheck {
    pub code: String,
    pub arrived: Arrival,
    pub amount_seen_fen: Option<i64>,
    pub sms_received: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TicketRecorded {
    pub number: u32,
    pub kind: TicketKind,
    pub description: String,
    pub urgency: Urgency,
    pub due: String,
    pub checklist_item: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistAnswer {
    pub key: String,
    pub status: ItemStatus,
    /// A problem's note (empty otherwise).
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedBy {
    pub signer: SignerRole,
    pub proxy_name: String,
    pub relation: String,
    pub attested: String,
    /// A thumbprint's photo, once taken.
    pub thumbprint_photo: Option<String>,
}

/// Everything a draft recorded, for putting a resumed visit's screens back as they were.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitRecord {
    pub visit_id: String,
    pub recipient_id: String,
    /// The sealed visit this one corrects.
    pub corrects: Option<String>,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    pub card_active: bool,
    pub acts_through_proxy: bool,
    pub checklist_version: u32,
    pub outcome: Option<Outcome>,
    pub present: Vec<String>,
    pub subsidies: Vec<SubsidyCheck>,
    pub policies_explained: Vec<String>,
    pub living_situation: String,
    pub needs: String,
    pub questions_answered: Vec<String>,
    pub tickets: Vec<TicketRecorded>,
    pub satisfaction: Option<SatisfactionLevel>,
    pub satisfaction_comment: String,
    pub checklist: Vec<ChecklistAnswer>,
    pub signature: Option<SignedBy>,
    pub notes: Vec<String>,
    pub photos: Vec<String>,
}

/// One draft or sealed visit, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VisitSummary {
    pub visit_id: String,
    pub recipient_id: String,
    pub recipient_name: Option<String>,
    /// RFC 3339 with the device's offset.
    pub started_at: String,
    pub sealed: bool,
    pub progress: VisitProgress,
    pub progress_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SealedVisit {
    pub visit_id: String,
    pub seq: u64,
    /// SHA-256 of the signed record, hex.
    pub sha256: String,
    pub flags: Vec<FlagItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MediaFile {
    pub sha256: String,
    pub extension: String,
    pub bytes: Vec<u8>,
}

/// A sealed visit as evidence: the exact signed bytes, the Ed25519 signature, the device's
/// public key and every media file the record names.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportedVisit {
    pub record: Vec<u8>,
    pub signature: Vec<u8>,
    pub device_public_key: Vec<u8>,
    pub media: Vec<MediaFile>,
}

/// The device's id, bound to a worker and an area.
#[uniffi::remote(Record)]
pub struct Enrolled {
    pub device_id: String,
    pub worker: String,
    pub area: String,
}

/// What one sync did.
#[uniffi::remote(Record)]
pub struct SyncReport {
    pub sent: u64,
    pub receipted: u64,
    pub conflicts: u64,
    pub refused: u64,
    pub media_sent: u64,
    pub roster_rows: u64,
    pub decisions: u64,
    pub ticket_updates: u64,
    /// The county's policy or checklist changed on the device.
    pub policy_updated: bool,
    pub clock_skew_secs: Option<i64>,
}

/// Where the device stands with its server, for the sync screen.
#[uniffi::remote(Record)]
pub struct DeviceStatus {
    pub enrolled: bool,
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub worker: Option<String>,
    pub area: Option<String>,
    /// Unix seconds of the last sync that went all the way.
    pub last_sync_at: Option<i64>,
    /// Sealed visits the server has not confirmed holding.
    pub unsent: u64,
    pub drafts: u64,
    pub clock_skew_secs: Option<i64>,
}

/// What the worker has to do after a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Task {
    /// Returned for correction: start a correction (unless one is already sealed).
    Returned {
        visit_id: String,
        comment: String,
        at: i64,
        corrected: bool,
    },
    Approved {
        visit_id: String,
        at: i64,
    },
    /// Refused for good, with the reason.
    Rejected {
        visit_id: String,
        comment: String,
        at: i64,
    },
    /// A ticket raised in one of this device's visits moved in the ledger: what to tell the
    /// household, and by when.
    TicketUpdate {
        ticket_id: String,
        visit_id: String,
        state: TicketState,
        state_text: String,
        text: String,
        due: Option<String>,
    },
}
