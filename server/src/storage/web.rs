//! What the supervisors' web app reads and keeps: logins, sessions, the review queue with its
//! filters, and one visit with everything about it.

use serde::Serialize;

use super::{Chain, DecisionOut};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisor {
    pub login: String,
    pub area: String,
    pub password_hash: String,
}

/// A logged-in supervisor's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub login: String,
    pub area: String,
    /// The token every form of this session must carry back.
    pub csrf: String,
    pub expires_at: i64,
}

/// The queue's filters; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<String>,
    /// One flag kind, or `Some("any")` for every flagged visit.
    pub flag: Option<String>,
    /// A village code, or any prefix of one (a township).
    pub village: Option<String>,
    pub worker: Option<String>,
    /// Visit start, Unix seconds, inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueRow {
    pub visit_id: String,
    pub status: String,
    pub village: String,
    pub worker: String,
    pub started_at: i64,
    pub received_at: i64,
    pub flags: Vec<String>,
    pub chain: Chain,
    pub corrects: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Visits matching the filters, over all pages.
    pub total: i64,
    /// Of the area's visits (filters aside), how many per status.
    pub by_status: Vec<(String, i64)>,
}

/// A device as the administration page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: String,
    pub worker: String,
    pub area: String,
    pub enrolled_at: i64,
    pub revoked: bool,
    pub visits: i64,
}

/// An enrolment code not used yet (its value was shown once, when issued).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCode {
    pub worker: String,
    pub area: String,
    pub expires_at: i64,
}

/// One visit as the detail page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitView {
    pub visit_id: String,
    pub record: Vec<u8>,
    pub signature_ok: bool,
    pub status: String,
    pub chain: Chain,
    pub server_flags: Vec<String>,
    pub worker: String,
    pub device_id: String,
    pub recipient_id: String,
    pub village: String,
    /// The recipient's roster row by column (for the household's name, position and which
    /// subsidies are protected).
    pub recipient: serde_json::Map<String, serde_json::Value>,
    pub decisions: Vec<DecisionOut>,
    /// Records that correct this one, and the one this corrects.
    pub corrected_by: Vec<String>,
    pub corrects: Option<String>,
    pub received_at: i64,
}
