//! The device side of the sync protocol, and what both sides must agree on byte for byte:
//! how a request is signed.
//!
//! Every request after enrolment carries the device id, a Unix time and an Ed25519
//! signature over [`request_message`]; the server refuses unknown devices, bad signatures,
//! stale times and a signature it has seen before.

mod error;
mod run;
mod transport;

pub use error::SyncError;
pub use run::{enroll, sync, Enrolled, SyncReport, SyncStage};
pub use transport::{Header, HttpRequest, HttpResponse, HttpTransport, TransportError};

use crate::crypto::{hex, sha256};

/// The API's path prefix.
pub const API_PREFIX: &str = "/api/v1";
pub const HEADER_DEVICE: &str = "x-doorstep-device";
pub const HEADER_TIME: &str = "x-doorstep-time";
pub const HEADER_SIGNATURE: &str = "x-doorstep-signature";
/// A fresh random value per request, so that a retry of the same request within the same
/// second is not mistaken for a replay.
pub const HEADER_NONCE: &str = "x-doorstep-nonce";
/// On every response: the server's Unix time, from which a device measures its clock skew.
pub const HEADER_SERVER_TIME: &str = "x-doorstep-server-time";
/// How far a request's time may be from the server's, either way, in seconds.
pub const MAX_SKEW_SECS: i64 = 300;

/// What a device signs for one request: method, path with query, Unix time, nonce and the
/// body's SHA-256, one per line. The body hash binds the signature to the exact bytes sent.
pub fn request_message(
    method: &str,
    path_and_query: &str,
    unix_time: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    format!(
        "doorstep-request-v1\n{}\n{path_and_query}\n{unix_time}\n{nonce}\n{}",
        method.to_ascii_uppercase(),
        hex(&sha256(body))
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_binds_every_part() {
        let base = request_message("post", "/api/v1/visits", 1_700_000_000, "n1", b"{}");
        assert!(base.starts_with(b"doorstep-request-v1\nPOST\n/api/v1/visits\n1700000000\nn1\n"));
        for other in [
            request_message("GET", "/api/v1/visits", 1_700_000_000, "n1", b"{}"),
            request_message("POST", "/api/v1/visits?x", 1_700_000_000, "n1", b"{}"),
            request_message("POST", "/api/v1/visits", 1_700_000_001, "n1", b"{}"),
            request_message("POST", "/api/v1/visits", 1_700_000_000, "n2", b"{}"),
            request_message("POST", "/api/v1/visits", 1_700_000_000, "n1", b"{ }"),
        ] {
            assert_ne!(base, other);
        }
    }
}
