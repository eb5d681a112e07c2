//! Enrolment: a one-time code a supervisor issued, and the device's Ed25519 public key,
//! become a device id bound to a worker and an area. Failed enrolments are counted in the
//! database (every server process shares the count): past [`MAX_FAILED`] in the window,
//! enrolment answers 429 until the window has passed, so codes cannot be guessed at speed.

use axum::extract::State;
use axum::Json;
use doorstep_contract::wire::{EnrolRequest, Enrolled};
use doorstep_crypto::{hex, random_hex, sha256, unhex, PUBLIC_KEY_LEN};

use axum::http::StatusCode;

use super::{json, stored, AppState};
use crate::error::ApiError;
use crate::storage::StorageError;

/// Failed enrolments allowed across the server within [`WINDOW_SECS`]. A code has 60 random
/// bits; the limit is there so that nobody can try many, while a county office's typos in a
/// morning of enrolling phones stay far below it.
pub const MAX_FAILED: usize = 20;
pub const WINDOW_SECS: i64 = 15 * 60;
/// Counted with the supervisors' failed logins, under a name no login can have (logins are
/// trimmed, so none begins with a space).
const FAILURES: &str = " device enrolment";

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
    let failed = stored(&state, move |s| async move {
        s.login_failures_since(FAILURES, now - WINDOW_SECS + 1)
            .await
    })
    .await?;
    if failed >= MAX_FAILED {
        tracing::warn!("enrolment rate limit reached");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed enrolments: try again in 15 minutes",
        ));
    }
    let device = stored(&state, move |s| async move {
        match s.enrol(&hash, &device_id, &key, now).await {
            Err(StorageError::CodeUnusable) => {
                s.note_login_failure(FAILURES, now).await?;
                Err(StorageError::CodeUnusable)
            }
            Err(e) => Err(e),
            Ok(d) => {
                s.audit("device", "enrol", &d.id, now).await?;
                Ok(d)
            }
        }
    })
    .await?;
    tracing::info!(device = %device.id, "device enrolled");
    Ok(Json(Enrolled {
        device_id: device.id,
        worker: device.worker,
        area: device.area,
    }))
}
