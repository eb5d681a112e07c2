//! The vocabulary of a visit, as the sealed record carries it and every shell shows it: who
//! was met, what was checked, the problems raised, how the person rated the service, the
//! checklist answers, who signed, and where the phone was. Everything here that holds text or
//! a position is personal: Debug leaves it out.

mod flag;
mod signature;
mod view;

pub use flag::{Flag, ServerFlag};
pub use signature::{SignatureInput, StrokePoint};
pub use view::{Missing, Step, Warning};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// Who the worker met at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    MetPerson,
    MetProxy,
    NobodyHome,
    Refused,
    Moved,
    Deceased,
    InHospital,
}

impl Outcome {
    /// The visit went inside: care, open and the checklist follow.
    pub fn met(self) -> bool {
        matches!(self, Outcome::MetPerson | Outcome::MetProxy)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    Yes,
    No,
    Unsure,
}

/// One subsidy checked with the person: did it arrive on the card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubsidyCheck {
    pub arrived: Arrival,
    pub amount_seen_fen: Option<i64>,
    pub sms_received: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    Consultation,
    Complaint,
    CardProblem,
    PaymentMissing,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    /// Days to an outcome (件件有着落): the ledger's due date counts from acceptance.
    pub fn due_days(self) -> u64 {
        match self {
            Urgency::High => 3,
            Urgency::Normal => 7,
            Urgency::Low => 15,
        }
    }
}

/// A problem raised in the household; it starts as accepted (受理).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub number: u32,
    pub kind: TicketKind,
    pub description: String,
    pub urgency: Urgency,
    pub due: NaiveDate,
    /// The checklist item it came from, if any.
    pub from_checklist: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SatisfactionLevel {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    pub level: SatisfactionLevel,
    pub comment: String,
}

/// An answer to one checklist item. (Externally tagged: the draft's postcard encoding cannot
/// carry internally tagged enums.)
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistAnswer {
    Done,
    NotApplicable,
    Problem { note: String },
}

/// Who signed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signer {
    Recipient,
    Proxy {
        name: String,
        relation: String,
    },
    /// Neither could sign: a fingerprint photo stands for the signature — the first photo
    /// taken after this choice (none yet: the photo is still missing).
    Thumbprint {
        photo: Option<String>,
    },
}

/// A position the phone reported, converted to WGS-84.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: f64,
    /// The satellites' time of the fix.
    pub at: DateTime<FixedOffset>,
    /// The device's clock when the fix arrived.
    pub received_at: DateTime<FixedOffset>,
    pub provider: String,
    pub mock: bool,
}

/// The fixes a visit keeps: where it started, where it ended, and the most precise one.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fixes {
    pub start: Option<Fix>,
    pub end: Option<Fix>,
    pub best: Option<Fix>,
    /// Whether any fix, kept or not, came from a mock location provider.
    pub any_mock: bool,
    /// The largest gap seen between a fix's time and the device clock, in seconds.
    pub max_clock_skew_s: i64,
}

// The description is in the household's words: Debug leaves it out.
impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("number", &self.number)
            .field("kind", &self.kind)
            .field("urgency", &self.urgency)
            .field("due", &self.due)
            .finish_non_exhaustive()
    }
}

// The comment is the person's words.
impl std::fmt::Debug for Satisfaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Satisfaction")
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

// A fix is where a person lives.
impl std::fmt::Debug for Fix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fix")
            .field("accuracy_m", &self.accuracy_m)
            .field("mock", &self.mock)
            .finish_non_exhaustive()
    }
}

// Positions are personal.
impl std::fmt::Debug for Fixes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixes")
            .field("any_mock", &self.any_mock)
            .field("max_clock_skew_s", &self.max_clock_skew_s)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ChecklistAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A problem's note is the worker's words about the person.
        f.write_str(match self {
            ChecklistAnswer::Done => "Done",
            ChecklistAnswer::NotApplicable => "NotApplicable",
            ChecklistAnswer::Problem { .. } => "Problem",
        })
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A proxy's name and relation are personal.
        f.write_str(match self {
            Signer::Recipient => "Recipient",
            Signer::Proxy { .. } => "Proxy",
            Signer::Thumbprint { .. } => "Thumbprint",
        })
    }
}
