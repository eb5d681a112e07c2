//! Media (photos, signature images) pushed by content hash, resumable: a chunk is accepted
//! only at the offset the upload has reached and staged in the database; when every byte is
//! there the whole is checked against its hash, written to the media store in one PUT, and
//! the upload committed (its staging emptied). A write that fails leaves the bytes staged,
//! and the device's next call finishes it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use doorstep_contract::wire::{MediaProgress, MAX_MEDIA};
use serde::Deserialize;

use super::auth::Signed;
use super::{stored, AppState};
use doorstep_crypto::{hex, sha256};

use crate::error::ApiError;
use crate::storage::{Appended, MediaState};

#[derive(Deserialize)]
pub struct ChunkAt {
    offset: u64,
    total: u64,
}

fn checked_hash(sha: &str) -> Result<String, ApiError> {
    let ok = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| sha.to_ascii_lowercase())
        .ok_or_else(|| ApiError::bad_request("the media name must be a SHA-256 in hex"))
}

fn answer(state: MediaState) -> Result<Json<MediaProgress>, ApiError> {
    match state {
        MediaState::NotNamed => Err(ApiError::not_found()),
        MediaState::Partial { received, total } => Ok(Json(MediaProgress {
            received,
            total,
            complete: false,
        })),
        MediaState::Complete { total } => Ok(Json(MediaProgress {
            received: total,
            total,
            complete: true,
        })),
        MediaState::WrongOffset { received } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "wrong_offset",
            format!("the upload stands at {received} bytes; resume there"),
        )),
        MediaState::HashMismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            "the bytes do not match their SHA-256; the upload was discarded",
        )),
    }
}

pub async fn put_chunk(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    Query(at): Query<ChunkAt>,
    signed: Signed,
) -> Result<Json<MediaProgress>, ApiError> {
    let Signed { device, body } = signed;
    let sha = checked_hash(&sha)?;
    if at.total == 0 {
        return Err(ApiError::bad_request("a media file has at least one byte"));
    }
    if at.total > MAX_MEDIA {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a media file is at most {MAX_MEDIA} bytes"),
        ));
    }
    let name = sha.clone();
    let s = stored(&state, move |s| async move {
        s.media_append(&device.area, &name, at.offset, at.total, &body)
            .await
    })
    .await?;
    match s {
        Appended::Now(now) => answer(now),
        Appended::Arrived(bytes) => answer(finish(&state, sha, bytes).await?),
    }
}

/// Every byte is staged: checked against the hash, kept in the media store, committed.
async fn finish(state: &AppState, sha: String, bytes: Vec<u8>) -> Result<MediaState, ApiError> {
    let total = bytes.len() as u64;
    if hex(&sha256(&bytes)) != sha {
        stored(state, move |s| async move { s.media_discard(&sha).await }).await?;
        return Ok(MediaState::HashMismatch);
    }
    state.media.put(&sha, bytes).await.map_err(|e| {
        tracing::warn!(error = %e, "a media write failed; the upload stays staged");
        ApiError::unavailable()
    })?;
    stored(state, move |s| async move { s.media_commit(&sha).await }).await?;
    Ok(MediaState::Complete { total })
}

pub async fn status(
    State(state): State<AppState>,
    Path(sha): Path<String>,
    signed: Signed,
) -> Result<Json<MediaProgress>, ApiError> {
    let device = signed.device;
    let sha = checked_hash(&sha)?;
    let name = sha.clone();
    let now = stored(&state, move |s| async move {
        s.media_state(&device.area, &name).await
    })
    .await?;
    if let MediaState::Partial { received, total } = now {
        if received == total && total > 0 {
            // Staged whole by a call whose write to the media store failed: finish it now.
            let name = sha.clone();
            if let Some(bytes) =
                stored(&state, move |s| async move { s.media_staged(&name).await }).await?
            {
                return answer(finish(&state, sha, bytes).await?);
            }
        }
    }
    answer(now)
}
