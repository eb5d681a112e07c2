//! When a recipient is next due for a visit.

use chrono::{Duration, NaiveDate};

use crate::model::Recipient;
use crate::policy::VisitIntervals;

/// Last visit plus the shortest interval of the person's categories; never visited means due
/// now (`today`).
pub fn due_date(r: &Recipient, intervals: &VisitIntervals, today: NaiveDate) -> NaiveDate {
    due_after(r.last_visit, intervals.for_categories(&r.categories), today)
}

/// The same rule from its parts: the last visit and the interval that applies.
pub fn due_after(
    last_visit: Option<NaiveDate>,
    interval_days: Option<u32>,
    today: NaiveDate,
) -> NaiveDate {
    match (last_visit, interval_days) {
        (Some(last), Some(days)) => last + Duration::days(i64::from(days)),
        _ => today,
    }
}

/// Days past the due date (negative: days until due).
pub fn overdue_days(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days()
}
