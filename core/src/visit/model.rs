//! A visit while it is being recorded (a draft): what the worker found at each of the three
//! doors, the card checklist and the signature. Everything here is personal and is stored
//! only inside the draft's envelope.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::media::SignatureInput;

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

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub signer: Signer,
    /// Strokes; none for a thumbprint (its photo is the evidence).
    pub strokes: Option<SignatureInput>,
    /// The text the signer attested to, as shown on the screen.
    pub attested: String,
}

/// What the draft needs to know about the recipient, taken when the visit starts so the
/// rules do not change under the worker's feet if the roster is re-imported meanwhile.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Context {
    pub card_active: bool,
    /// Minors and people with a guardian on the roster act through a proxy.
    pub acts_through_proxy: bool,
    pub enrolment_codes: Vec<String>,
    pub checklist_version: u32,
    /// The household's position in WGS-84, converted from the roster's datum at the start.
    pub household: Option<(f64, f64)>,
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

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub recipient_id: String,
    /// The sealed visit this one corrects (a sealed record never changes; a correction is a
    /// new record that points at it, and goes through review again).
    pub corrects: Option<String>,
    pub started_at: DateTime<FixedOffset>,
    pub context: Context,
    pub outcome: Option<Outcome>,
    pub present: Vec<String>,
    pub subsidies: BTreeMap<String, SubsidyCheck>,
    pub policies_explained: Vec<String>,
    pub living_situation: String,
    pub needs: String,
    pub questions_answered: Vec<String>,
    pub tickets: Vec<Ticket>,
    pub satisfaction: Option<Satisfaction>,
    pub checklist: BTreeMap<String, ChecklistAnswer>,
    pub signature: Option<SignatureRecord>,
    pub notes: Vec<String>,
    /// SHA-256 hex of each photo attached (the photos themselves are stored apart).
    pub photos: Vec<String>,
    /// Each photo's perceptual hash, in the same order: the same picture in another visit.
    pub photo_phashes: Vec<u64>,
    pub fixes: Fixes,
    /// The flags that compare this visit with the device's others, as last computed (when a
    /// fix or photo arrived, and at finishing): other actions need not read every visit.
    pub cross_flags: Vec<super::flags::CrossFlag>,
    /// When the last action was accepted (the visit's end until it is finished).
    pub last_action_at: DateTime<FixedOffset>,
    /// Accepted actions, for the record's history and the session benchmark.
    pub actions: u32,
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

// The strokes are a person's handwriting.
impl std::fmt::Debug for SignatureRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureRecord")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

// The household's position is personal.
impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("card_active", &self.card_active)
            .field("acts_through_proxy", &self.acts_through_proxy)
            .field("checklist_version", &self.checklist_version)
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

// Only ids and counts: everything else in a draft is personal.
impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("id", &self.id)
            .field("recipient_id", &self.recipient_id)
            .field("outcome", &self.outcome)
            .field("actions", &self.actions)
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
