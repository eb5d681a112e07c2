//! Every refusal of the device API in its JSON error body (`{"error", "message"}`, the
//! `Error` schema of openapi.json). axum answers some refusals itself in plain text or with
//! no body at all — a route that does not exist, a method a route does not take, a query or
//! path that does not parse, a body over the limit — and a device's error path reads JSON.

use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// axum's messages are short ("Failed to deserialize query string: …"); longer is not one.
const MAX_MESSAGE: usize = 1024;

/// An unknown path under the API's prefix.
pub async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route in the device API (see /api/v1/openapi.json)",
    )
}

/// Rewrites a refusal that is not JSON into the API's error body, keeping its status and
/// headers (a 405's `Allow`).
pub async fn as_json(r: Response) -> Response {
    let status = r.status();
    let json = r
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return r;
    }
    let (parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, MAX_MESSAGE)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match text.is_empty() {
        true => status
            .canonical_reason()
            .unwrap_or("refused")
            .to_lowercase(),
        false => text,
    };
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let mut out = ApiError::new(status, code, message).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            out.headers_mut().insert(name, value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(r: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(r.into_body(), 4096)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    #[tokio::test]
    async fn plain_refusals_become_json_and_keep_status_and_headers() {
        let plain = (
            StatusCode::METHOD_NOT_ALLOWED,
            [(axum::http::header::ALLOW, "GET,HEAD")],
            "",
        )
            .into_response();
        let r = as_json(plain).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()[axum::http::header::ALLOW], "GET,HEAD");
        let body = body_of(r).await;
        assert_eq!(body["error"], "method_not_allowed");
        assert_eq!(body["message"], "method not allowed");

        let r = as_json(
            (
                StatusCode::BAD_REQUEST,
                "Failed to deserialize query string",
            )
                .into_response(),
        )
        .await;
        let body = body_of(r).await;
        assert_eq!(body["error"], "bad_request");
        assert_eq!(body["message"], "Failed to deserialize query string");
    }

    #[tokio::test]
    async fn answers_and_json_refusals_pass_unchanged() {
        let ok = as_json((StatusCode::OK, "fine").into_response()).await;
        assert_eq!(
            axum::body::to_bytes(ok.into_body(), 64)
                .await
                .expect("body"),
            "fine"
        );
        let refusal = ApiError::bad_request("the body is not JSON").into_response();
        let body = body_of(as_json(refusal).await).await;
        assert_eq!(body["message"], "the body is not JSON");
    }
}
