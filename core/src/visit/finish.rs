//! Finishing a visit: the draft becomes an immutable sealed record, signed by the device and
//! chained to the device's previous record; and exporting one for anyone to verify.

use chrono::{DateTime, FixedOffset};
use doorstep_contract::model::Invalid;
use doorstep_contract::record::{self, VerifyProblem};
use doorstep_contract::visit::Flag;

use super::{refresh_cross, template};
use crate::crypto::{hex, sha256};
use crate::error::{Error, Result};
use crate::media::Signature;
use crate::rules::{self, Draft, Judged};
use crate::seal;
use crate::store::{chain, media, policy, recipients, visits, Store};

/// What finishing produced.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finished {
    pub visit_id: String,
    pub seq: u64,
    /// SHA-256 of the record bytes, hex.
    pub hash: String,
    pub flags: Vec<Flag>,
}

/// Seals a complete draft. Everything (record, signature image, chain head, the recipient's
/// last visit) commits in one transaction.
pub(crate) fn finish(
    store: &mut Store,
    visit_id: &str,
    now: DateTime<FixedOffset>,
) -> Result<Finished> {
    let device = store.device_key()?;
    // Everything from reading the draft to the new chain head happens in one transaction: an
    // action accepted meanwhile by another caller is either in the record or refused after.
    store.write(|tx, keys| {
        let mut draft: Draft = visits::load(tx, keys, visit_id)?.ok_or_else(|| Error::NoVisit {
            id: visit_id.to_owned(),
        })?;
        let t = template(tx, draft.context.checklist_version)?;
        let policy = policy::read(tx)?;
        // The record carries the flags as they stand now, compared with every other visit.
        refresh_cross(tx, keys, &mut draft)?;
        let view = rules::view(
            &draft,
            Judged {
                template: &t,
                policy: &policy,
            },
        );
        if !view.can_finish {
            return Err(Invalid::VisitIncomplete.into());
        }
        let flags = view.flags;
        let png = match draft.signature.as_ref().and_then(|s| s.strokes.clone()) {
            Some(strokes) => Some(Signature::new(strokes)?.render_png()),
            None => None,
        };
        let link = chain::next(tx)?;
        let image = match &png {
            Some(bytes) => Some(media::put(tx, keys, &draft.id, "signature", bytes)?),
            None => None,
        };
        let record = seal::record(
            &draft,
            link,
            &device.public_key(),
            now,
            image.as_deref(),
            &flags,
        )
        .canonical();
        let hash = sha256(&record);
        let sealed = visits::Sealed {
            signature: device.sign(&record).to_vec(),
            record,
            seq: link.seq,
            hash,
        };
        visits::seal(tx, keys, &draft.id, &sealed)?;
        chain::advance(tx, link.seq, &hash)?;
        // A visit that met the person resets the schedule from the day it happened; a
        // correction (done later, perhaps from the office) does not.
        if draft.outcome.is_some_and(|o| o.met()) && draft.corrects.is_none() {
            recipients::set_last_visit(tx, &draft.recipient_id, draft.started_at.date_naive())?;
        }
        Ok(Finished {
            visit_id: draft.id.clone(),
            seq: link.seq,
            hash: hex(&hash),
            flags,
        })
    })
}

/// A sealed visit as files: the exact signed bytes, the signature, the device's public key,
/// and every media file the record names (by SHA-256, with its extension).
#[derive(Clone)]
pub struct Export {
    pub record: Vec<u8>,
    pub signature: Vec<u8>,
    pub device_public: [u8; 32],
    pub media: Vec<(String, &'static str, Vec<u8>)>,
}

pub(crate) fn export(store: &mut Store, visit_id: &str) -> Result<Export> {
    let sealed = visits::load_sealed(store.conn(), store.keys(), visit_id)?.ok_or_else(|| {
        Error::NoVisit {
            id: visit_id.to_owned(),
        }
    })?;
    let device_public = store.device_key()?.public_key();
    let head = record::verify(
        &sealed.record,
        &sealed.signature,
        &device_public,
        &Default::default(),
    )
    .or_else(|problems| {
        // Media are checked below; anything else wrong with our own record is damage.
        let only_media = problems
            .iter()
            .all(|p| matches!(p, VerifyProblem::MediaMissing(_)));
        if only_media {
            record::RecordV1::decode(&sealed.record).map_err(|_| ())
        } else {
            Err(())
        }
    })
    .map_err(|()| Error::Corrupt {
        table: "visits",
        id: visit_id.to_owned(),
    })?;
    let mut files = Vec::new();
    for sha in head.media() {
        let (kind, bytes) =
            media::get(store.conn(), store.keys(), &sha)?.ok_or_else(|| Error::Corrupt {
                table: "media",
                id: sha.clone(),
            })?;
        let ext = if kind == "signature" { "png" } else { "jpg" };
        files.push((sha, ext, bytes));
    }
    Ok(Export {
        record: sealed.record,
        signature: sealed.signature,
        device_public,
        media: files,
    })
}

// The record and media are personal.
impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("media", &self.media.len())
            .finish_non_exhaustive()
    }
}
