//! Sealed visits: the canonical bytes of a finished visit (JSON with a fixed field order), its
//! SHA-256, its place in the device's hash chain, and the device's Ed25519 signature over the
//! bytes. Verification needs nothing but the bytes, the signature, the public key and the
//! media files, so anyone holding an export can check it.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::crypto::{hex, sha256, verify_signature};
use crate::media::SignatureInput;
use crate::visit::model::{
    ChecklistAnswer, Fixes, Outcome, Satisfaction, Signer, SubsidyCheck, Ticket,
};
use crate::visit::{Draft, Flag};

/// Names the record layout; a verifier refuses layouts it does not know.
pub const RECORD_FORMAT: &str = "doorstep.visit.v1";

#[derive(Serialize)]
struct SignatureOut<'a> {
    signer: &'a Signer,
    attested: &'a str,
    image_sha256: Option<&'a str>,
    strokes: Option<&'a SignatureInput>,
}

/// Field order is part of the format: never reorder, only add a new RECORD_FORMAT.
#[derive(Serialize)]
struct Record<'a> {
    format: &'static str,
    visit_id: &'a str,
    device_key: String,
    seq: u64,
    prev_hash: Option<String>,
    recipient_id: &'a str,
    corrects: Option<&'a str>,
    /// What the rules and flags were judged on when the visit started: the household's
    /// WGS-84 position, whether the card was active (no checklist), whether a proxy acts.
    household: Option<(f64, f64)>,
    card_active: bool,
    acts_through_proxy: bool,
    enrolments: &'a [String],
    started_at: String,
    finished_at: String,
    outcome: Option<Outcome>,
    present: &'a [String],
    subsidies: &'a BTreeMap<String, SubsidyCheck>,
    policies_explained: &'a [String],
    living_situation: &'a str,
    needs: &'a str,
    questions_answered: &'a [String],
    tickets: &'a [Ticket],
    satisfaction: &'a Option<Satisfaction>,
    checklist_version: u32,
    checklist: &'a BTreeMap<String, ChecklistAnswer>,
    signature: Option<SignatureOut<'a>>,
    notes: &'a [String],
    photos: &'a [String],
    photo_phashes: &'a [u64],
    fixes: &'a Fixes,
    flags: &'a [Flag],
}

/// Where a record stands in the device's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: u64,
    pub prev_hash: Option<[u8; 32]>,
}

/// The canonical bytes of a finished visit.
pub fn canonical(
    d: &Draft,
    link: ChainLink,
    device_key: &[u8; 32],
    finished_at: DateTime<FixedOffset>,
    signature_image: Option<&str>,
    flags: &[Flag],
) -> Vec<u8> {
    let record = Record {
        format: RECORD_FORMAT,
        visit_id: &d.id,
        device_key: hex(device_key),
        seq: link.seq,
        prev_hash: link.prev_hash.map(|h| hex(&h)),
        recipient_id: &d.recipient_id,
        corrects: d.corrects.as_deref(),
        household: d.context.household,
        card_active: d.context.card_active,
        acts_through_proxy: d.context.acts_through_proxy,
        enrolments: &d.context.enrolment_codes,
        started_at: d.started_at.to_rfc3339(),
        finished_at: finished_at.to_rfc3339(),
        outcome: d.outcome,
        present: &d.present,
        subsidies: &d.subsidies,
        policies_explained: &d.policies_explained,
        living_situation: &d.living_situation,
        needs: &d.needs,
        questions_answered: &d.questions_answered,
        tickets: &d.tickets,
        satisfaction: &d.satisfaction,
        checklist_version: d.context.checklist_version,
        checklist: &d.checklist,
        signature: d.signature.as_ref().map(|s| SignatureOut {
            signer: &s.signer,
            attested: &s.attested,
            image_sha256: signature_image,
            strokes: s.strokes.as_ref(),
        }),
        notes: &d.notes,
        photos: &d.photos,
        photo_phashes: &d.photo_phashes,
        fixes: &d.fixes,
        flags,
    };
    serde_json::to_vec(&record).expect("a record of strings, numbers and maps serialises")
}

/// What a verifier reads back from a record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordHead {
    pub format: String,
    pub visit_id: String,
    pub device_key: String,
    pub seq: u64,
    pub prev_hash: Option<String>,
    pub recipient_id: String,
    #[serde(default)]
    pub corrects: Option<String>,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    signature: Option<SignatureHead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct SignatureHead {
    image_sha256: Option<String>,
}

impl RecordHead {
    /// Every media file the record names by hash.
    pub fn media(&self) -> Vec<String> {
        let mut all = self.photos.clone();
        all.extend(self.signature.iter().filter_map(|s| s.image_sha256.clone()));
        all
    }
}

/// Why an export does not verify. Names files and hashes, never contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyProblem {
    #[error("record.json is not a Doorstep visit record")]
    NotARecord,
    #[error("the signature does not match record.json and device.pub")]
    BadSignature,
    #[error("record.json names another device key than device.pub")]
    OtherDevice,
    #[error("media file {0} is missing")]
    MediaMissing(String),
    #[error("media file {0} does not match its hash")]
    MediaChanged(String),
}

/// Checks an export: the signature over the exact bytes, the device key, every media file.
pub fn verify(
    record: &[u8],
    signature: &[u8],
    device_public: &[u8],
    media: &BTreeMap<String, Vec<u8>>,
) -> Result<RecordHead, Vec<VerifyProblem>> {
    let mut problems = Vec::new();
    if !verify_signature(device_public, record, signature) {
        problems.push(VerifyProblem::BadSignature);
    }
    let head: RecordHead = match serde_json::from_slice(record) {
        Ok(h) => h,
        Err(_) => {
            problems.push(VerifyProblem::NotARecord);
            return Err(problems);
        }
    };
    if head.format != RECORD_FORMAT {
        problems.push(VerifyProblem::NotARecord);
    }
    if head.device_key != hex(device_public) {
        problems.push(VerifyProblem::OtherDevice);
    }
    for sha in head.media() {
        match media.get(&sha) {
            None => problems.push(VerifyProblem::MediaMissing(sha)),
            Some(bytes) if hex(&sha256(bytes)) != sha => {
                problems.push(VerifyProblem::MediaChanged(sha))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(head)
    } else {
        Err(problems)
    }
}
