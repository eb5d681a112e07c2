//! Sealed visits pushed by a device: each record's signature checked against the device's
//! key, then kept idempotently by visit id, with its place in the device's hash chain. One
//! receipt per record; the device keeps a record until its receipt says it is here.

use axum::extract::State;
use axum::Json;
use doorstep_core::crypto::{hex, sha256, unhex, verify_signature};
use doorstep_core::seal::{RecordHead, RECORD_FORMAT};
use serde::{Deserialize, Serialize};

use super::auth::Signed;
use super::{blocking, json, AppState};
use crate::error::ApiError;
use crate::storage::{Chain, IncomingVisit, Kept};

/// Records per request.
pub const MAX_RECORDS: usize = 200;

#[derive(Deserialize)]
struct Push {
    records: Vec<SignedRecord>,
}

#[derive(Deserialize)]
struct SignedRecord {
    /// The record's exact bytes (canonical JSON, so valid UTF-8) as a string.
    record: String,
    /// The device's Ed25519 signature over those bytes, in hex.
    signature: String,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Receipt {
    /// None when the record is not readable enough to name one.
    visit_id: Option<String>,
    sha256: String,
    /// stored | duplicate | conflict | refused
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<Chain>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

#[derive(Serialize)]
pub struct Receipts {
    receipts: Vec<Receipt>,
}

fn refused(visit_id: Option<String>, sha: String, reason: &'static str) -> Receipt {
    Receipt {
        visit_id,
        sha256: sha,
        status: "refused",
        chain: None,
        reason: Some(reason),
    }
}

pub async fn push(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Json<Receipts>, ApiError> {
    let Signed { device, body } = signed;
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
            receipts.push(Some(refused(None, sha, "bad_signature")));
            continue;
        }
        let head: RecordHead = match serde_json::from_slice(&bytes) {
            Ok(h) => h,
            Err(_) => {
                receipts.push(Some(refused(None, sha, "not_a_record")));
                continue;
            }
        };
        if head.format != RECORD_FORMAT || head.device_key != hex(&device.public_key) {
            receipts.push(Some(refused(Some(head.visit_id), sha, "not_this_device")));
            continue;
        }
        receipts.push(None);
        incoming.push(IncomingVisit {
            device_id: device.id.clone(),
            area: device.area.clone(),
            head,
            sha256: sha,
            record: bytes,
            signature: sig,
            now,
        });
    }
    let kept = blocking(&state, move |s| {
        let kept = s.keep_visits(&incoming)?;
        Ok(incoming.into_iter().zip(kept).collect::<Vec<_>>())
    })
    .await?;
    let mut kept = kept.into_iter();
    let receipts = receipts
        .into_iter()
        .map(|r| match r {
            Some(r) => r,
            None => {
                let Some((v, k)) = kept.next() else {
                    return refused(None, String::new(), "internal");
                };
                let (status, chain, reason) = match k {
                    Kept::Stored(c) => ("stored", Some(c), None),
                    Kept::Duplicate(c) => ("duplicate", Some(c), None),
                    Kept::Conflict => ("conflict", None, Some("another record has this visit id")),
                    Kept::UnknownRecipient => ("refused", None, Some("recipient_not_in_area")),
                };
                Receipt {
                    visit_id: Some(v.head.visit_id),
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
