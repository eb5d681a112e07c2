//! Device authentication: every request after enrolment is signed by the device's Ed25519
//! key over method, path, time and body hash (`doorstep_contract::wire::request_message`).
//! Unknown and revoked devices, bad signatures, stale times and replays get 401.

use axum::http::{HeaderMap, Method, Uri};
use doorstep_contract::wire::{
    request_message, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, MAX_SKEW_SECS,
};
use doorstep_crypto::{unhex, verify_signature};

use super::{stored, AppState};
use crate::error::ApiError;
use crate::storage::{Device, Seen, Unnoted};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized(format!("the {name} header is missing")))
}

/// The device that signed this request and the signature to note, or why it is refused.
async fn verified(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Device, Seen), ApiError> {
    let id = header(headers, HEADER_DEVICE)?.to_owned();
    let time: i64 = header(headers, HEADER_TIME)?
        .parse()
        .map_err(|_| ApiError::unauthorized("the request time is not a number"))?;
    let nonce = header(headers, HEADER_NONCE)?;
    if nonce.is_empty() || nonce.len() > 64 {
        return Err(ApiError::unauthorized(
            "the request nonce must be 1 to 64 characters",
        ));
    }
    let sig_hex = header(headers, HEADER_SIGNATURE)?.to_owned();
    let now = state.now();
    // abs_diff: a time near i64::MIN or MAX would overflow a subtraction.
    if now.abs_diff(time) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(ApiError::unauthorized(
            "the request time is too far from the server's: check the device clock",
        ));
    }
    let sig = unhex(&sig_hex).ok_or_else(|| ApiError::unauthorized("bad signature"))?;
    let device = match state.known.get(&id) {
        Some(device) => device,
        None => {
            let lookup = id.clone();
            let device = stored(state, move |s| async move { s.device(&lookup).await })
                .await?
                .ok_or_else(|| ApiError::unauthorized("unknown device"))?;
            if device.revoked {
                return Err(revoked());
            }
            state.known.remember(&device);
            device
        }
    };
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let message = request_message(method.as_str(), path, time, nonce, body);
    if !verify_signature(&device.public_key, &message, &sig) {
        return Err(ApiError::unauthorized("bad signature"));
    }
    // Only a verified signature is remembered: junk cannot fill the replay table.
    Ok((
        device,
        Seen {
            device_id: id,
            signature: sig_hex,
            now,
            forget_before: now - 2 * MAX_SKEW_SECS,
        },
    ))
}

/// The device that signed this request, its signature noted (refused when seen before).
pub async fn device(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Device, ApiError> {
    let (device, seen) = verified(state, method, uri, headers, body).await?;
    stored(state, move |s| async move { s.first_use(&seen).await })
        .await?
        .map_err(unnoted)?;
    Ok(device)
}

/// The answer to a request whose signature the storage would not note.
pub fn unnoted(why: Unnoted) -> ApiError {
    match why {
        Unnoted::Replayed => ApiError::unauthorized("replayed request"),
        Unnoted::Revoked => revoked(),
    }
}

fn revoked() -> ApiError {
    ApiError::unauthorized("this device has been revoked")
}

/// A request signed by an enrolled device: the device and the exact body it signed. As an
/// extractor (the last of a handler's, since it reads the body), it answers 401 for what
/// [`device`] refuses and 413 for a body over the limit.
#[derive(Debug)]
pub struct Signed {
    pub device: Device,
    pub body: axum::body::Bytes,
}

impl axum::extract::FromRequest<AppState> for Signed {
    type Rejection = axum::response::Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (parts, body) = signed_parts(req, state).await?;
        let (method, uri, headers) = parts;
        let device = device(state, &method, &uri, &headers, &body)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Signed { device, body })
    }
}

/// A request signed by an enrolled device whose signature is verified but not yet noted:
/// the handler notes it in the transaction of what the request writes (the push: one commit
/// per request, not two), and answers [`unnoted`] when the storage would not note it.
#[derive(Debug)]
pub struct SignedOnce {
    pub device: Device,
    pub seen: Seen,
    pub body: axum::body::Bytes,
}

impl axum::extract::FromRequest<AppState> for SignedOnce {
    type Rejection = axum::response::Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let ((method, uri, headers), body) = signed_parts(req, state).await?;
        let (device, seen) = verified(state, &method, &uri, &headers, &body)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(SignedOnce { device, seen, body })
    }
}

type Parts = (Method, Uri, HeaderMap);

/// What a signature covers: method, URI, headers, and the body (413 over the limit).
async fn signed_parts(
    req: axum::extract::Request,
    state: &AppState,
) -> Result<(Parts, axum::body::Bytes), axum::response::Response> {
    use axum::extract::FromRequest;
    use axum::response::IntoResponse;
    let parts = (
        req.method().clone(),
        req.uri().clone(),
        req.headers().clone(),
    );
    let body = axum::body::Bytes::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok((parts, body))
}
