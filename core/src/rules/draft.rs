//! A visit while it is being recorded (a draft): what the worker found at each of the three
//! doors, the card checklist and the signature, in the record's vocabulary
//! (`doorstep_contract::visit`). Everything here is personal and is stored only inside the
//! draft's envelope.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use doorstep_contract::visit::{
    ChecklistAnswer, Fixes, Outcome, Satisfaction, SignatureInput, Signer, SubsidyCheck, Ticket,
};
use serde::{Deserialize, Serialize};

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

impl Draft {
    /// A visit nothing has been recorded in yet, started at `at`.
    pub fn new(
        id: String,
        recipient_id: String,
        corrects: Option<String>,
        at: DateTime<FixedOffset>,
        context: Context,
    ) -> Draft {
        Draft {
            id,
            recipient_id,
            corrects,
            started_at: at,
            context,
            outcome: None,
            present: Vec::new(),
            subsidies: BTreeMap::new(),
            policies_explained: Vec::new(),
            living_situation: String::new(),
            needs: String::new(),
            questions_answered: Vec::new(),
            tickets: Vec::new(),
            satisfaction: None,
            checklist: BTreeMap::new(),
            signature: None,
            notes: Vec::new(),
            photos: Vec::new(),
            photo_phashes: Vec::new(),
            fixes: Fixes::default(),
            cross_flags: Vec::new(),
            last_action_at: at,
            actions: 0,
        }
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
