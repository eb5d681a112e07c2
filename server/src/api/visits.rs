//! Sealed visits pushed by a device: each record's signature checked against the device's
//! key, then kept idempotently by visit id, with its place in the device's hash chain. One
//! receipt per record; the device keeps a record until its receipt says it is here.

use axum::extract::State;
use axum::Json;
use doorstep_contract::record::RecordV1;
use doorstep_contract::wire::{
    Push, Receipt, ReceiptStatus, Receipts, RefusedBecause, MAX_RECORDS,
};
use doorstep_crypto::{hex, sha256, unhex, verify_signature};

use super::auth::{self, SignedOnce};
use super::{json, stored, AppState};
use crate::error::ApiError;
use crate::storage::{IncomingVisit, Kept};

fn refused(visit_id: Option<String>, sha: String, reason: RefusedBecause) -> Receipt {
    Receipt {
        visit_id,
        sha256: sha,
        status: ReceiptStatus::Refused,
        chain: None,
        reason: Some(reason),
    }
}

pub async fn push(
    State(state): State<AppState>,
    signed: SignedOnce,
) -> Result<Json<Receipts>, ApiError> {
    let SignedOnce { device, seen, body } = signed;
    let push: Push = json(&body)?;
    if push.records.len() > MAX_RECORDS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_RECORDS} records per request"
        )));
    }
    let now = state.now();
    let mut incoming = Vec::new();
    let mut receipts: Vec<Option<Receipt>> = Vec::new();
    for r in push.records {
        let bytes = r.record.into_bytes();
        let sha = hex(&sha256(&bytes));
        let sig = unhex(&r.signature).unwrap_or_default();
        if !verify_signature(&device.public_key, &bytes, &sig) {
            receipts.push(Some(refused(None, sha, RefusedBecause::BadSignature)));
            continue;
        }
        // The same typed record the device sealed: a record that does not decode as one is
        // refused here, never kept half-read.
        let Ok(record) = RecordV1::decode(&bytes) else {
            receipts.push(Some(refused(None, sha, RefusedBecause::NotARecord)));
            continue;
        };
        if record.device_key != hex(&device.public_key) {
            let id = Some(record.visit_id);
            receipts.push(Some(refused(id, sha, RefusedBecause::NotThisDevice)));
            continue;
        }
        receipts.push(None);
        incoming.push(IncomingVisit {
            device_id: device.id.clone(),
            area: device.area.clone(),
            record,
            sha256: sha,
            bytes,
            signature: sig,
            now,
        });
    }
    let kept = stored(&state, move |s| async move {
        let kept = s.keep_visits(&seen, &incoming).await?;
        Ok(kept.map(|kept| incoming.into_iter().zip(kept).collect::<Vec<_>>()))
    })
    .await?
    .map_err(auth::unnoted)?;
    let mut kept = kept.into_iter();
    let receipts = receipts
        .into_iter()
        .map(|r| match r {
            Some(r) => r,
            None => {
                let Some((v, k)) = kept.next() else {
                    return refused(None, String::new(), RefusedBecause::Internal);
                };
                let (status, chain, reason) = match k {
                    Kept::Stored(c) => (ReceiptStatus::Stored, Some(c), None),
                    Kept::Duplicate(c) => (ReceiptStatus::Duplicate, Some(c), None),
                    Kept::Conflict => (
                        ReceiptStatus::Conflict,
                        None,
                        Some(RefusedBecause::ConflictingRecord),
                    ),
                    Kept::UnknownRecipient => (
                        ReceiptStatus::Refused,
                        None,
                        Some(RefusedBecause::RecipientNotInArea),
                    ),
                };
                Receipt {
                    visit_id: Some(v.record.visit_id),
                    sha256: v.sha256,
                    status,
                    chain,
                    reason,
                }
            }
        })
        .collect();
    Ok(Json(Receipts { receipts }))
}
