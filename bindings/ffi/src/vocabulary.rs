//! The contract's and the core's own enums and records as the bindings see them: each is
//! mirrored here (UniFFI's remote types, which must match the definition they mirror) so that
//! Kotlin, Swift and Python get the very types the core decides with, not strings. The words
//! for each value come from the catalogue (`label_*` below), in the language asked for.

pub use doorstep_core::facade::VisitProgress;
pub use doorstep_core::model::{CardStatus, Category, Datum, Gender};
pub use doorstep_core::rules::{ItemStatus, SignerRole};
pub use doorstep_core::sync::SyncStage;
use doorstep_core::text::{Lang, Localize};
pub use doorstep_core::visit::{
    Arrival, Flag, Missing, Outcome, SatisfactionLevel, SignatureInput, Step, StrokePoint,
    TicketKind, Urgency, Warning,
};
pub use doorstep_core::wire::{Decision, TicketState};

/// The language of every text the bindings return. Chinese unless the phone says English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    Zh,
    En,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::Zh => Lang::Zh,
            Language::En => Lang::En,
        }
    }
}

/// From a locale tag such as the phone's (`zh-Hans-CN`, `en_US`): English for `en…`.
#[uniffi::export]
pub fn language_from_locale(locale: String) -> Language {
    match Lang::from_locale(&locale) {
        Lang::Zh => Language::Zh,
        Lang::En => Language::En,
    }
}

#[uniffi::remote(Enum)]
pub enum Category {
    Elderly,
    SeriouslyIll,
    Disabled,
    Minor,
}

#[uniffi::remote(Enum)]
pub enum CardStatus {
    NotIssued,
    IssuedInactive,
    Active,
    Lost,
    Frozen,
}

#[uniffi::remote(Enum)]
pub enum Gender {
    Male,
    Female,
}

/// The geodetic datum of a position: phones report WGS-84; Chinese web maps use GCJ-02.
#[uniffi::remote(Enum)]
pub enum Datum {
    Wgs84,
    Gcj02,
}

#[uniffi::remote(Enum)]
pub enum Outcome {
    MetPerson,
    MetProxy,
    NobodyHome,
    Refused,
    Moved,
    Deceased,
    InHospital,
}

#[uniffi::remote(Enum)]
pub enum Arrival {
    Yes,
    No,
    Unsure,
}

#[uniffi::remote(Enum)]
pub enum TicketKind {
    Consultation,
    Complaint,
    CardProblem,
    PaymentMissing,
    Other,
}

#[uniffi::remote(Enum)]
pub enum Urgency {
    Low,
    Normal,
    High,
}

#[uniffi::remote(Enum)]
pub enum SatisfactionLevel {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

/// The status given to a checklist item (a problem needs a note).
#[uniffi::remote(Enum)]
pub enum ItemStatus {
    Done,
    NotApplicable,
    Problem,
}

/// Who signs: the person, a proxy (with name and relation), or nobody can (the next photo is
/// the thumbprint).
#[uniffi::remote(Enum)]
pub enum SignerRole {
    Recipient,
    Proxy,
    Thumbprint,
}

/// The door the worker is at.
#[uniffi::remote(Enum)]
pub enum Step {
    Knock,
    Care,
    Open,
    Checklist,
    Sign,
    Evidence,
    Ready,
}

/// Something finishing still needs.
#[uniffi::remote(Enum)]
pub enum Missing {
    Contact,
    ChecklistItem { key: String },
    Signature,
    ThumbprintPhoto,
    AttemptEvidence,
}

/// Something worth a second look that does not stop finishing.
#[uniffi::remote(Enum)]
pub enum Warning {
    SubsidyNotChecked { code: String },
    SatisfactionNotAsked,
    ChecklistProblemWithoutTicket { key: String },
}

/// An authenticity flag with its measurement: shown to the worker, never blocking.
#[uniffi::remote(Enum)]
pub enum Flag {
    NoLocation,
    TooFar { distance_m: u32, accuracy_m: u32 },
    MockLocation,
    Inaccurate { accuracy_m: u32 },
    FixTooOld { minutes: i64 },
    TooShort { minutes: i64 },
    ImpossibleSpeed { kmh: u32 },
    SameSpotOtherHousehold,
    ClockSkew { seconds: i64 },
    PhotoReused,
}

#[uniffi::remote(Enum)]
pub enum Decision {
    Approve,
    Return,
    Reject,
}

#[uniffi::remote(Enum)]
pub enum TicketState {
    Accepted,
    Transferred,
    Replied,
    Closed,
}

/// Where a visit stands, from the worker's side.
#[uniffi::remote(Enum)]
pub enum VisitProgress {
    Draft,
    Waiting,
    Sent,
    Receipted,
    Conflict,
    Refused,
    Returned,
    Corrected,
    Approved,
    Rejected,
}

/// The step a sync is on.
#[uniffi::remote(Enum)]
pub enum SyncStage {
    Visits,
    Media,
    Roster,
    Decisions,
    Tickets,
}

/// One sampled point of a signature: canvas pixels `x`, `y`; `t` milliseconds since the
/// signature began; `p` the pressure 0–1 (0.5 where the screen reports none).
#[uniffi::remote(Record)]
pub struct StrokePoint {
    pub x: f32,
    pub y: f32,
    pub t: u32,
    pub p: f32,
}

/// A signature pad's strokes: the canvas in pixels, each stroke its points in order.
#[uniffi::remote(Record)]
pub struct SignatureInput {
    pub width: u32,
    pub height: u32,
    pub strokes: Vec<Vec<StrokePoint>>,
}

/// A category in words.
#[uniffi::export]
pub fn label_category(value: Category, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_card_status(value: CardStatus, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_gender(value: Gender, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_outcome(value: Outcome, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_arrival(value: Arrival, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_ticket_kind(value: TicketKind, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_urgency(value: Urgency, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_satisfaction(value: SatisfactionLevel, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_step(value: Step, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_flag(value: Flag, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_decision(value: Decision, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_ticket_state(value: TicketState, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_progress(value: VisitProgress, language: Language) -> String {
    value.localize(language.into())
}

/// A signer role in words (a proxy's name and relation are the worker's to show).
#[uniffi::export]
pub fn label_signer_role(value: SignerRole, language: Language) -> String {
    use doorstep_core::text::Text;
    let t = match value {
        SignerRole::Recipient => Text::SignerRecipient,
        SignerRole::Proxy => Text::SignerProxy,
        SignerRole::Thumbprint => Text::SignerThumbprint,
    };
    t.get(language.into()).to_owned()
}

#[uniffi::export]
pub fn label_item_status(value: ItemStatus, language: Language) -> String {
    value.localize(language.into())
}

#[uniffi::export]
pub fn label_sync_stage(value: SyncStage, language: Language) -> String {
    value.localize(language.into())
}
