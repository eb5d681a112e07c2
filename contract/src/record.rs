//! The sealed visit record: one typed layout that the device seals, the server keeps and the
//! web app shows, so that all of them read a record the same way. Its canonical bytes are
//! JSON with a fixed field order (the order of [`RecordV1`]'s fields), including the SHA-256
//! of every photo and of the signature image and the previous record's hash from the same
//! device; the device signs exactly those bytes. Verification needs nothing but the bytes,
//! the signature, the public key and the media files, so anyone holding an export can check
//! it.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use doorstep_crypto::{hex, sha256, verify_signature};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::visit::{
    ChecklistAnswer, Fixes, Flag, Outcome, Satisfaction, SignatureInput, Signer, SubsidyCheck,
    Ticket,
};

/// Names the record layout; a verifier refuses layouts it does not know.
pub const RECORD_FORMAT: &str = "doorstep.visit.v1";

/// The `format` field of a version-1 record: serialises as [`RECORD_FORMAT`] and refuses to
/// decode anything else, so a record of another layout never passes for this one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatV1;

impl Serialize for FormatV1 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(RECORD_FORMAT)
    }
}

impl<'de> Deserialize<'de> for FormatV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == RECORD_FORMAT {
            Ok(FormatV1)
        } else {
            Err(serde::de::Error::custom("not a doorstep.visit.v1 record"))
        }
    }
}

/// Start and finish times as the record writes them: RFC 3339 with the device's offset
/// (`to_rfc3339`, so seconds carry 0, 3, 6 or 9 decimals as needed).
mod rfc3339 {
    use chrono::{DateTime, FixedOffset};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

/// The signature part of a record: who signed, the text they attested to, the hash of the
/// rendered image (none for a thumbprint, whose photo is in `photos`), and the strokes.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureV1 {
    pub signer: Signer,
    pub attested: String,
    pub image_sha256: Option<String>,
    pub strokes: Option<SignatureInput>,
}

/// A sealed visit, version 1. Field order is part of the format: never reorder or add a
/// field here; a new layout is a new `format` and a new type.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordV1 {
    pub format: FormatV1,
    pub visit_id: String,
    /// The signing device's Ed25519 public key, hex.
    pub device_key: String,
    /// This record's place in the device's chain, from 1.
    pub seq: u64,
    /// SHA-256 (hex) of the device's previous record; none for the first.
    pub prev_hash: Option<String>,
    pub recipient_id: String,
    /// The sealed visit this one corrects.
    pub corrects: Option<String>,
    /// What the rules and flags were judged on when the visit started: the household's
    /// WGS-84 position, whether the card was active (no checklist), whether a proxy acts.
    pub household: Option<(f64, f64)>,
    pub card_active: bool,
    pub acts_through_proxy: bool,
    /// The subsidy codes the recipient was enrolled in when the visit started.
    pub enrolments: Vec<String>,
    #[serde(with = "rfc3339")]
    pub started_at: DateTime<FixedOffset>,
    #[serde(with = "rfc3339")]
    pub finished_at: DateTime<FixedOffset>,
    pub outcome: Option<Outcome>,
    pub present: Vec<String>,
    /// Each subsidy checked, by its enrolment code.
    pub subsidies: BTreeMap<String, SubsidyCheck>,
    pub policies_explained: Vec<String>,
    pub living_situation: String,
    pub needs: String,
    pub questions_answered: Vec<String>,
    pub tickets: Vec<Ticket>,
    pub satisfaction: Option<Satisfaction>,
    pub checklist_version: u32,
    pub checklist: BTreeMap<String, ChecklistAnswer>,
    pub signature: Option<SignatureV1>,
    pub notes: Vec<String>,
    /// SHA-256 (hex) of each photo.
    pub photos: Vec<String>,
    /// Each photo's perceptual hash, in the same order.
    pub photo_phashes: Vec<u64>,
    pub fixes: Fixes,
    /// The flags the device raised, as they stood when it sealed the visit.
    pub flags: Vec<Flag>,
}

// Only ids and the chain: everything else in a record is personal.
impl std::fmt::Debug for RecordV1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordV1")
            .field("visit_id", &self.visit_id)
            .field("seq", &self.seq)
            .field("recipient_id", &self.recipient_id)
            .field("corrects", &self.corrects)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SignatureV1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureV1")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

/// Why bytes are not a version-1 record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotARecord;

impl RecordV1 {
    /// The canonical bytes: what the device signs and everybody keeps.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a record of strings, numbers and maps serialises")
    }

    /// Reads a record's bytes (any layout but version 1's exact fields is refused).
    pub fn decode(bytes: &[u8]) -> Result<RecordV1, NotARecord> {
        serde_json::from_slice(bytes).map_err(|_| NotARecord)
    }

    /// Every media file the record names by hash: the photos, then the signature image.
    pub fn media(&self) -> Vec<String> {
        let mut all = self.photos.clone();
        all.extend(self.signature.iter().filter_map(|s| s.image_sha256.clone()));
        all
    }

    /// Whether the worker met the person or a proxy (the visit went inside).
    pub fn met(&self) -> bool {
        self.outcome.is_some_and(Outcome::met)
    }
}

/// Why an export does not verify. Names files and hashes, never contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyProblem {
    NotARecord,
    BadSignature,
    OtherDevice,
    MediaMissing(String),
    MediaChanged(String),
}

/// Checks a sealed record: the signature over the exact bytes, the device key it names, and
/// every media file it names (by SHA-256). Returns the decoded record, or every problem.
pub fn verify(
    record: &[u8],
    signature: &[u8],
    device_public: &[u8],
    media: &BTreeMap<String, Vec<u8>>,
) -> Result<RecordV1, Vec<VerifyProblem>> {
    let mut problems = Vec::new();
    if !verify_signature(device_public, record, signature) {
        problems.push(VerifyProblem::BadSignature);
    }
    let Ok(r) = RecordV1::decode(record) else {
        problems.push(VerifyProblem::NotARecord);
        return Err(problems);
    };
    if r.device_key != hex(device_public) {
        problems.push(VerifyProblem::OtherDevice);
    }
    for sha in r.media() {
        match media.get(&sha) {
            None => problems.push(VerifyProblem::MediaMissing(sha)),
            Some(bytes) if hex(&sha256(bytes)) != sha => {
                problems.push(VerifyProblem::MediaChanged(sha))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests;
