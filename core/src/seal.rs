//! Sealing: a finished draft becomes its sealed record (`doorstep_contract::record::RecordV1`),
//! placed in the device's hash chain. The record's canonical bytes are what the device signs
//! (`crate::visit`'s finish does, in one transaction with the chain's new head).

use chrono::{DateTime, FixedOffset};
use doorstep_contract::record::{FormatV1, RecordV1, SignatureV1};
use doorstep_contract::visit::Flag;

use crate::crypto::hex;
use crate::rules::Draft;

/// Where a record stands in the device's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: u64,
    pub prev_hash: Option<[u8; 32]>,
}

/// The record of a finished draft: everything it recorded, what the rules judged it on, the
/// flags as they stand, the signature image's hash and its place in the chain.
pub fn record(
    d: &Draft,
    link: ChainLink,
    device_key: &[u8; 32],
    finished_at: DateTime<FixedOffset>,
    signature_image: Option<&str>,
    flags: &[Flag],
) -> RecordV1 {
    RecordV1 {
        format: FormatV1,
        visit_id: d.id.clone(),
        device_key: hex(device_key),
        seq: link.seq,
        prev_hash: link.prev_hash.map(|h| hex(&h)),
        recipient_id: d.recipient_id.clone(),
        corrects: d.corrects.clone(),
        household: d.context.household,
        card_active: d.context.card_active,
        acts_through_proxy: d.context.acts_through_proxy,
        enrolments: d.context.enrolment_codes.clone(),
        started_at: d.started_at,
        finished_at,
        outcome: d.outcome,
        present: d.present.clone(),
        subsidies: d.subsidies.clone(),
        policies_explained: d.policies_explained.clone(),
        living_situation: d.living_situation.clone(),
        needs: d.needs.clone(),
        questions_answered: d.questions_answered.clone(),
        tickets: d.tickets.clone(),
        satisfaction: d.satisfaction.clone(),
        checklist_version: d.context.checklist_version,
        checklist: d.checklist.clone(),
        signature: d.signature.as_ref().map(|s| SignatureV1 {
            signer: s.signer.clone(),
            attested: s.attested.clone(),
            image_sha256: signature_image.map(str::to_owned),
            strokes: s.strokes.clone(),
        }),
        notes: d.notes.clone(),
        photos: d.photos.clone(),
        photo_phashes: d.photo_phashes.clone(),
        fixes: d.fixes.clone(),
        flags: flags.to_vec(),
    }
}

#[cfg(test)]
mod tests;
