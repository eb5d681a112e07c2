//! Enrolment: a one-time code a supervisor issued, and the device's Ed25519 public key,
//! become a device id bound to a worker and an area.

use axum::extract::State;
use axum::Json;
use doorstep_contract::wire::{EnrolRequest, Enrolled};
use doorstep_crypto::{hex, random_hex, sha256, unhex, PUBLIC_KEY_LEN};

use super::{json, stored, AppState};
use crate::error::ApiError;

/// Codes are kept hashed: a copy of the database does not enrol anyone.
pub fn code_hash(code: &str) -> String {
    hex(&sha256(code.trim().to_ascii_uppercase().as_bytes()))
}

pub async fn enrol(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Result<Json<Enrolled>, ApiError> {
    let req: EnrolRequest = json(&body)?;
    let key = unhex(&req.public_key)
        .filter(|k| k.len() == PUBLIC_KEY_LEN)
        .ok_or_else(|| ApiError::bad_request("public_key must be 32 bytes in hex"))?;
    let hash = code_hash(&req.code);
    let device_id = random_hex(16).map_err(|_| ApiError::bad_request("no randomness"))?;
    let now = state.now();
    let device = stored(&state, move |s| async move {
        let d = s.enrol(&hash, &device_id, &key, now).await?;
        s.audit("device", "enrol", &d.id, now).await?;
        Ok(d)
    })
    .await?;
    tracing::info!(device = %device.id, "device enrolled");
    Ok(Json(Enrolled {
        device_id: device.id,
        worker: device.worker,
        area: device.area,
    }))
}
