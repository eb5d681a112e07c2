//! What a screen shows of a visit in progress: the door the worker is at, what finishing
//! still needs, and what deserves a second look. The core's rules compute them; the
//! catalogue words them.

use serde::{Deserialize, Serialize};

/// The door the worker is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Missing {
    Contact,
    ChecklistItem {
        key: String,
    },
    Signature,
    ThumbprintPhoto,
    /// An attempt without meeting anyone needs a photo or a note.
    AttemptEvidence,
}

/// Something worth a second look that does not stop finishing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Warning {
    SubsidyNotChecked { code: String },
    SatisfactionNotAsked,
    ChecklistProblemWithoutTicket { key: String },
}
