//! The sync protocol's messages (JSON over HTTPS under [`API_PREFIX`]), typed once for both
//! ends: the server answers with these types and the device reads them with the same ones.
//! Also what both must agree on byte for byte: how a request is signed.
//!
//! Every request after enrolment carries the device id, a Unix time, a nonce and an Ed25519
//! signature over [`request_message`]; the server refuses unknown devices, bad signatures,
//! stale times and a signature it has seen before.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use doorstep_crypto::{hex, sha256, DeviceKey};
use serde::{Deserialize, Serialize};

use crate::model::ChecklistTemplate;
use crate::policy::Policy;

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
/// Bytes per media chunk: small enough to finish on a weak signal, large enough to be few.
pub const MEDIA_CHUNK: usize = 256 * 1024;
/// A request body larger than this is refused with 413: a chunk of a photo, or a batch of
/// sealed visits, is far smaller.
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// The largest media file (photo, signature image) the server takes: larger than any
/// processed photo or signature image.
pub const MAX_MEDIA: u64 = 20 * 1024 * 1024;
/// Sealed records per push.
pub const MAX_RECORDS: usize = 200;

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

/// The four headers that authenticate a request of device `device_id`: its id, the time,
/// the nonce, and `key`'s signature over [`request_message`] of exactly what is sent.
pub fn signed_headers(
    key: &DeviceKey,
    device_id: &str,
    method: &str,
    path_and_query: &str,
    unix_time: i64,
    nonce: &str,
    body: &[u8],
) -> [(&'static str, String); 4] {
    let sig = key.sign(&request_message(
        method,
        path_and_query,
        unix_time,
        nonce,
        body,
    ));
    [
        (HEADER_DEVICE, device_id.to_owned()),
        (HEADER_TIME, unix_time.to_string()),
        (HEADER_NONCE, nonce.to_owned()),
        (HEADER_SIGNATURE, hex(&sig)),
    ]
}

/// `POST /enrol`: a one-time code a supervisor issued and the device's public key (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
    pub public_key: String,
}

/// The device's id, bound to a worker and an area (a division-code prefix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub device_id: String,
    pub worker: String,
    pub area: String,
}

/// `POST /visits`: sealed records, each its exact bytes (canonical JSON, so valid UTF-8) as a
/// string and the device's signature over them in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    pub records: Vec<SignedRecord>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRecord {
    pub record: String,
    pub signature: String,
}

// The record is personal.
impl std::fmt::Debug for SignedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRecord").finish_non_exhaustive()
    }
}

/// What the server did with one pushed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Kept now.
    Stored,
    /// The same bytes were already there.
    Duplicate,
    /// Other bytes are kept under this visit id; the first record stands.
    Conflict,
    /// Not kept: see the reason.
    Refused,
}

impl ReceiptStatus {
    /// The server holds this record: the device may stop sending it.
    pub fn held(self) -> bool {
        matches!(self, ReceiptStatus::Stored | ReceiptStatus::Duplicate)
    }

    pub fn code(self) -> &'static str {
        match self {
            ReceiptStatus::Stored => "stored",
            ReceiptStatus::Duplicate => "duplicate",
            ReceiptStatus::Conflict => "conflict",
            ReceiptStatus::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<ReceiptStatus> {
        [
            ReceiptStatus::Stored,
            ReceiptStatus::Duplicate,
            ReceiptStatus::Conflict,
            ReceiptStatus::Refused,
        ]
        .into_iter()
        .find(|r| r.code() == s)
    }
}

/// Where a record stands in its device's hash chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// Follows the device's previous record.
    Ok,
    /// The previous record has not arrived (yet): flagged until it does.
    Gap,
    /// Another record claims the same place, or the previous one's hash differs.
    Fork,
}

impl Chain {
    pub fn code(self) -> &'static str {
        match self {
            Chain::Ok => "ok",
            Chain::Gap => "gap",
            Chain::Fork => "fork",
        }
    }

    /// A stored chain state; anything unknown is treated as the worst case.
    pub fn parse(s: &str) -> Chain {
        match s {
            "ok" => Chain::Ok,
            "gap" => Chain::Gap,
            _ => Chain::Fork,
        }
    }
}

/// Why a record was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusedBecause {
    BadSignature,
    NotARecord,
    NotThisDevice,
    RecipientNotInArea,
    /// Another record has this visit id (with a conflict receipt).
    ConflictingRecord,
    Internal,
}

/// One pushed record's receipt, in the order pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// None when the record is not readable enough to name one.
    pub visit_id: Option<String>,
    pub sha256: String,
    pub status: ReceiptStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RefusedBecause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipts {
    pub receipts: Vec<Receipt>,
}

/// `GET|PUT /media/{sha256}`: where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaProgress {
    pub received: u64,
    pub total: u64,
    pub complete: bool,
}

/// One roster row as imported on the server: its columns by name (the roster format's
/// fields, as text), which the device feeds to its own roster import.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RosterRow(pub BTreeMap<String, String>);

// A roster row is a person: Debug shows its id only.
impl std::fmt::Debug for RosterRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RosterRow")
            .field("id", &self.0.get("id"))
            .finish_non_exhaustive()
    }
}

/// A named administrative division (county, township or village), by its 12-digit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    pub code: String,
    pub name: String,
}

/// `GET /roster?since=CURSOR`: the area's rows and division names changed after the cursor,
/// with the checklist template and the policy the server issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterPage {
    pub cursor: i64,
    /// Whether more changes wait after `cursor`.
    pub more: bool,
    pub rows: Vec<RosterRow>,
    #[serde(default)]
    pub divisions: Vec<Division>,
    pub template: ChecklistTemplate,
    pub policy: Policy,
}

/// A supervisor's decision on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    /// Back to the device for correction, with a comment.
    Return,
    /// Refused for good, with a reason.
    Reject,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Approve, Decision::Return, Decision::Reject];

    pub fn code(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Return => "return",
            Decision::Reject => "reject",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }

    /// The visit's status after the decision.
    pub fn status(self) -> VisitStatus {
        match self {
            Decision::Approve => VisitStatus::Approved,
            Decision::Return => VisitStatus::Returned,
            Decision::Reject => VisitStatus::Rejected,
        }
    }
}

/// Where a visit stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    /// Waiting for review.
    Submitted,
    Approved,
    /// Sent back for correction.
    Returned,
    /// Returned, and a correction has arrived.
    Corrected,
    Rejected,
}

impl VisitStatus {
    pub const ALL: [VisitStatus; 5] = [
        VisitStatus::Submitted,
        VisitStatus::Returned,
        VisitStatus::Corrected,
        VisitStatus::Approved,
        VisitStatus::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            VisitStatus::Submitted => "submitted",
            VisitStatus::Approved => "approved",
            VisitStatus::Returned => "returned",
            VisitStatus::Corrected => "corrected",
            VisitStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<VisitStatus> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// A decision as the device that sent the visit pulls it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionOut {
    pub cursor: i64,
    pub visit_id: String,
    pub decision: Decision,
    /// What to correct, or why it was rejected (may name the household).
    pub comment: String,
    /// Unix seconds.
    pub at: i64,
}

impl std::fmt::Debug for DecisionOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionOut")
            .field("cursor", &self.cursor)
            .field("visit_id", &self.visit_id)
            .field("decision", &self.decision)
            .finish_non_exhaustive()
    }
}

/// `GET /decisions?since=CURSOR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPage {
    pub cursor: i64,
    pub more: bool,
    pub decisions: Vec<DecisionOut>,
}

/// Where a ticket stands in the service-problem ledger (件件有着落).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// 受理
    Accepted,
    /// 传递: handed to the department that can solve it.
    Transferred,
    /// 回复: the department answered.
    Replied,
    /// 办结
    Closed,
}

impl TicketState {
    pub const ALL: [TicketState; 4] = [
        TicketState::Accepted,
        TicketState::Transferred,
        TicketState::Replied,
        TicketState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketState::Accepted => "accepted",
            TicketState::Transferred => "transferred",
            TicketState::Replied => "replied",
            TicketState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<TicketState> {
        Self::ALL.into_iter().find(|t| t.code() == s)
    }
}

/// A ticket's change as the device that raised it pulls it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketUpdate {
    pub cursor: i64,
    /// `<visit id>-<number>`.
    pub ticket_id: String,
    pub visit_id: String,
    pub number: u32,
    pub state: TicketState,
    pub department: Option<String>,
    pub reply: Option<String>,
    pub outcome: Option<String>,
    pub due: NaiveDate,
}

impl TicketUpdate {
    /// What to tell the household: the newest text the ledger holds.
    pub fn latest_text(&self) -> Option<&str> {
        [&self.outcome, &self.reply, &self.department]
            .into_iter()
            .flatten()
            .next()
            .map(String::as_str)
    }
}

// The texts may name the household.
impl std::fmt::Debug for TicketUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketUpdate")
            .field("cursor", &self.cursor)
            .field("ticket_id", &self.ticket_id)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// `GET /tickets?since=CURSOR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPage {
    pub cursor: i64,
    pub more: bool,
    pub updates: Vec<TicketUpdate>,
}

/// The body of every refused request: a stable code and the server's words about the
/// request (never stored personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
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

    #[test]
    fn codes_parse_back() {
        for d in Decision::ALL {
            assert_eq!(Decision::parse(d.code()), Some(d));
            assert_eq!(serde_json::to_value(d).expect("json"), d.code());
        }
        for s in VisitStatus::ALL {
            assert_eq!(VisitStatus::parse(s.code()), Some(s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.code());
        }
        for t in TicketState::ALL {
            assert_eq!(TicketState::parse(t.code()), Some(t));
            assert_eq!(serde_json::to_value(t).expect("json"), t.code());
        }
        for c in [Chain::Ok, Chain::Gap, Chain::Fork] {
            assert_eq!(Chain::parse(c.code()), c);
        }
        for r in [
            ReceiptStatus::Stored,
            ReceiptStatus::Duplicate,
            ReceiptStatus::Conflict,
            ReceiptStatus::Refused,
        ] {
            assert_eq!(ReceiptStatus::parse(r.code()), Some(r));
        }
    }
}
