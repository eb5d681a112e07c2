//! When a recipient is next due for a visit.

use chrono::{Days, NaiveDate};

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
        // Intervals are at most ten years and dates before 2200, but a damaged store must
        // not be able to overflow the calendar: saturate instead.
        (Some(last), Some(days)) => last
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MAX),
        _ => today,
    }
}

/// Days past the due date (negative: days until due).
pub fn overdue_days(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days()
}
