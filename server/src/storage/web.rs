//! What the supervisors' web app reads and keeps: logins, sessions, the review queue with its
//! filters, and one visit with everything about it.

use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::visit::ServerFlag;
use doorstep_contract::wire::VisitStatus;

use super::{Chain, DecisionOut};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisor {
    pub login: String,
    pub area: String,
    pub password_hash: String,
    /// A disabled supervisor cannot log in; what they did stays on the record.
    pub disabled: bool,
}

/// What changes about a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupervisorChange {
    Password(String),
    Disabled(bool),
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

/// How far the queue counts visits for a filter its kept counts cannot answer (a worker, a
/// time span, one flag kind): beyond this the page says "more than", and the supervisor
/// narrows the filter. Counting on would read every row of the filter, at millions of visits.
pub const QUEUE_COUNT_CAP: i64 = 10_000;

/// The queue's filters; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<VisitStatus>,
    /// One flag kind, or `Some("any")` for every flagged visit.
    pub flag: Option<String>,
    /// A village code, or any prefix of one (a township).
    pub village: Option<String>,
    pub worker: Option<String>,
    /// Visit start, Unix seconds, inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl QueueFilter {
    /// Whether the counts kept per village, status and flagged-or-not answer this filter.
    pub fn counted(&self) -> bool {
        self.worker.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && matches!(self.flag.as_deref(), None | Some("any"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub visit_id: String,
    pub status: VisitStatus,
    pub village: String,
    pub worker: String,
    pub started_at: i64,
    pub received_at: i64,
    /// The kinds of every flag, the device's and the server's, by code.
    pub flags: Vec<String>,
    pub chain: Chain,
    pub corrects: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Visits matching the filters, over all pages; when `more`, only a floor: the count
    /// stopped at [`QUEUE_COUNT_CAP`].
    pub total: i64,
    pub more: bool,
    /// Of the area's visits (filters aside), how many per status.
    pub by_status: Vec<(VisitStatus, i64)>,
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

/// One visit as the detail page shows it: its sealed record decoded with the same type the
/// device sealed it with.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitView {
    pub visit_id: String,
    pub record: RecordV1,
    pub signature_ok: bool,
    pub status: VisitStatus,
    pub chain: Chain,
    pub server_flags: Vec<ServerFlag>,
    pub worker: String,
    pub device_id: String,
    pub recipient_id: String,
    pub village: String,
    /// The household as the roster gives it, protected subsidies unnamed, the ID masked.
    pub household: Household,
    pub decisions: Vec<DecisionOut>,
    /// Records that correct this one, and the one this corrects.
    pub corrected_by: Vec<String>,
    pub corrects: Option<String>,
    pub received_at: i64,
}

/// One visit as the dashboard and the coverage report count it. What only the period's
/// visits need (who recorded it, its flags' kinds, the record) is left empty for the others:
/// reading it for every visit of a county was most of the dashboard's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitFact {
    pub recipient_id: String,
    pub village: String,
    pub started_at: i64,
    pub status: VisitStatus,
    pub flagged: bool,
    /// For visits of the period: the worker, the kinds of its flags (the device's and the
    /// server's) and the sealed record.
    pub worker: String,
    pub flags: Vec<String>,
    pub record: Option<Vec<u8>>,
}
