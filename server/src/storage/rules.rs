//! The rules of what the server keeps, the same on every backend: a visit id kept once (the
//! same bytes again are a duplicate, other bytes a conflict), a record's place in its
//! device's hash chain, what a correction answers, which decisions may be taken, what an
//! area holds. A backend reads the facts these take and writes what they decide.

use doorstep_contract::record::RecordV1;
use doorstep_contract::wire::VisitStatus;

use super::{Chain, Kept, Result, StorageError};

/// Whether a division code lies in a supervisor's or device's area (a prefix of it).
pub fn in_area(area: &str, code: &str) -> bool {
    code.starts_with(area)
}

/// The upper bound of an area's codes as a range (`code >= area AND code < end`), so that an
/// index on the code serves it: ':' sorts right after the digits.
pub fn area_end(area: &str) -> String {
    format!("{area}:")
}

/// What is in force in an area (the parameter `param`) from `table` of issued versions (the
/// policy's, the checklist's): the newest issued for the longest area that is a prefix of
/// it, '' (the server's default) last. Portable SQL: `substr` and `length` mean the same on
/// SQLite and PostgreSQL.
pub fn in_force(table: &str, param: &str) -> String {
    format!(
        "SELECT body FROM {table} WHERE substr({param}, 1, length(area)) = area
         ORDER BY length(area) DESC, version DESC LIMIT 1"
    )
}

/// The area's visits outside a period (`$5`..`$6`): what the dashboard counts them by, all
/// of it in the county's queue index (no worker, flags or record: the columns of
/// [`VISITS_WITHIN`], empty). `$1`..`$2` bound the villages, `$3`..`$4` the county (a range,
/// so that an area wider than a county reads several). SQLite's `?N` replace `$N`.
pub const VISITS_OUTSIDE: &str = "SELECT recipient_id, village, started_at, status, flagged,
            CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BYTEA)
     FROM visits
     WHERE county >= $3 AND county < $4 AND village >= $1 AND village < $2
       AND (started_at < $5 OR started_at > $6)";

/// The area's visits within the period, with their workers, flags' kinds and records.
pub const VISITS_WITHIN: &str =
    "SELECT v.recipient_id, v.village, v.started_at, v.status, v.flagged, d.worker,
            v.flag_kinds, v.record
     FROM visits v JOIN devices d ON d.id = v.device_id
     WHERE v.county >= $3 AND v.county < $4 AND v.village >= $1 AND v.village < $2
       AND v.started_at >= $5 AND v.started_at <= $6";

/// Digits of a division code up to its county (GB/T 2260: two for the province, four for
/// the city, six for the county, then township and village).
const COUNTY_DIGITS: usize = 6;

/// The county a division code lies in: its first six digits (the whole code when shorter).
/// Kept beside each visit, so that the review queue's index is entered at one county.
pub fn county_of(code: &str) -> &str {
    code.char_indices()
        .nth(COUNTY_DIGITS)
        .map_or(code, |(i, _)| &code[..i])
}

/// Whether an area is one whole county: the review queue's pages then walk the index kept
/// under the county in their own order. (A smaller area's visits are few enough to sort; a
/// larger one's span counties.)
pub fn is_county(area: &str) -> bool {
    area.chars().count() == COUNTY_DIGITS
}

/// A visit id already kept: the same bytes again change nothing, other bytes are refused
/// and the first record stands.
pub fn already_kept(stored_sha: &str, stored_chain: &str, incoming_sha: &str) -> Kept {
    if stored_sha == incoming_sha {
        Kept::Duplicate(Chain::parse(stored_chain))
    } else {
        Kept::Conflict
    }
}

/// What is stored about a record's neighbours in its device's chain.
#[derive(Debug, Default)]
pub struct ChainFacts {
    /// Another visit of the device already holds this sequence number.
    pub seq_taken: bool,
    /// The hashes of the device's records one place before (usually one, or none yet).
    pub before: Vec<String>,
}

/// A record's place in its device's chain: it follows its predecessor (`Ok`), the
/// predecessor has not arrived (`Gap`, closed by [`closes_gap`] when it does), or the chain
/// was rewritten (`Fork`: the same place taken twice, or a predecessor with another hash).
pub fn judge_chain(r: &RecordV1, facts: &ChainFacts) -> Chain {
    if facts.seq_taken {
        return Chain::Fork;
    }
    if r.seq <= 1 {
        return if r.prev_hash.is_none() {
            Chain::Ok
        } else {
            Chain::Fork
        };
    }
    match &r.prev_hash {
        _ if facts.before.is_empty() => Chain::Gap,
        Some(prev) if facts.before.iter().any(|h| h == prev) => Chain::Ok,
        _ => Chain::Fork,
    }
}

/// The record a gap waited for: the device's record at the next place, if it names this
/// hash as its predecessor and stands as a gap, now follows the chain.
/// Returns that place (the sequence number) for the backend's update.
pub fn closes_gap(r: &RecordV1) -> i64 {
    r.seq as i64 + 1
}

/// The kinds of the flags the device raised, sorted, once each (what the queue sorts on).
pub fn device_flag_kinds(r: &RecordV1) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = r.flags.iter().map(|f| f.code()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The status a kept visit starts in.
pub const KEPT_STATUS: VisitStatus = VisitStatus::Submitted;

/// A correction answers a returned visit: the original moves from `from` to `to` (and from
/// no other status: a correction of an accepted visit is kept but changes nothing).
pub const CORRECTED: (VisitStatus, VisitStatus) = (VisitStatus::Returned, VisitStatus::Corrected);

/// Whether a decision may be taken on a visit in `status` in `village`, by someone whose
/// area is `scope` (None: the operator). Outside the area is not found, so that nobody
/// learns what exists elsewhere; only a submitted visit is decided, once.
pub fn may_decide(status: &str, village: &str, scope: Option<&str>) -> Result<()> {
    if scope.is_some_and(|a| !in_area(a, village)) {
        return Err(StorageError::NotFound);
    }
    if status != VisitStatus::Submitted.code() {
        return Err(StorageError::AlreadyDecided);
    }
    Ok(())
}

/// A ticket's id: the visit it was raised in and its number there.
pub fn ticket_id(visit_id: &str, number: u32) -> String {
    format!("{visit_id}-{number}")
}

/// An enum's snake_case name, as its serde form gives it (the kinds and urgencies the
/// ledger stores).
pub fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The enum whose snake_case name `code` is.
pub fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_prefixes_and_their_range_ends_past_every_code() {
        assert!(in_area("410225", "410225105201"));
        assert!(!in_area("410225105", "410225106201"));
        let end = area_end("410225");
        assert!("410225999999".as_bytes() < end.as_bytes());
        assert!("410226".as_bytes() > end.as_bytes());
    }

    #[test]
    fn decisions_outside_the_area_are_not_found_and_taken_once() {
        assert!(matches!(
            may_decide("submitted", "410225105201", Some("410226")),
            Err(StorageError::NotFound)
        ));
        assert!(matches!(
            may_decide("accepted", "410225105201", Some("410225")),
            Err(StorageError::AlreadyDecided)
        ));
        assert!(may_decide("submitted", "410225105201", None).is_ok());
    }

    #[test]
    fn a_kept_id_is_a_duplicate_only_with_the_same_bytes() {
        assert_eq!(already_kept("aa", "gap", "aa"), Kept::Duplicate(Chain::Gap));
        assert_eq!(already_kept("aa", "ok", "bb"), Kept::Conflict);
    }
}
