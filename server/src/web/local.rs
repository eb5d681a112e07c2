//! The county's clock: every time on a page or in an export is shown in the county's time
//! zone (Asia/Shanghai unless `doorstep serve --time-zone` names another), and the days the
//! filters, the dashboard and the reports count by are its local days.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// A named IANA time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Self {
        Zone(chrono_tz::Asia::Shanghai)
    }
}

impl Zone {
    /// `Asia/Shanghai`, `Asia/Urumqi`…; `None` for a name the time-zone database lacks.
    pub fn parse(name: &str) -> Option<Zone> {
        name.trim().parse::<Tz>().ok().map(Zone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// A moment as the county reads it: `2026-12-02 16:30`.
    pub fn when(self, unix: i64) -> String {
        self.0
            .timestamp_opt(unix, 0)
            .single()
            .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M").to_string())
    }

    /// The local day a moment falls on.
    pub fn day(self, unix: i64) -> Option<NaiveDate> {
        self.0
            .timestamp_opt(unix, 0)
            .single()
            .map(|t| t.date_naive())
    }

    /// Today, by the server's clock.
    pub fn today(self, now: i64) -> NaiveDate {
        self.day(now).unwrap_or_default()
    }

    /// The first second of a local day.
    pub fn start(self, day: NaiveDate) -> i64 {
        self.at(day.and_hms_opt(0, 0, 0).unwrap_or_default())
    }

    /// The last second of a local day.
    pub fn end(self, day: NaiveDate) -> i64 {
        self.start(day.succ_opt().unwrap_or(day)) - 1
    }

    /// A local wall-clock time as Unix seconds; where a clock change skips or repeats it,
    /// the earliest moment that reads so (or the skip's end).
    fn at(self, local: NaiveDateTime) -> i64 {
        self.0
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.0
                    .from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map_or_else(|| local.and_utc().timestamp(), |t| t.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_are_the_countys() {
        let z = Zone::default();
        // 2026-12-02T08:30:00Z is half past four in the afternoon in Lankao.
        let t = 1_796_200_200;
        assert_eq!(z.when(t), "2026-12-02 16:30");
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
        assert_eq!(z.day(t), Some(day));
        // 23:30 UTC is already the next morning.
        assert_eq!(z.day(1_796_254_200), day.succ_opt());
        assert_eq!(z.start(day), 1_796_140_800);
        assert_eq!(z.end(day), 1_796_140_800 + 86_399);
        let urumqi = Zone::parse("Asia/Urumqi").expect("zone");
        assert_eq!(urumqi.when(t), "2026-12-02 14:30");
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn a_day_with_a_clock_change_still_has_a_start_and_an_end() {
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).expect("day");
        // 23 hours long.
        assert_eq!(berlin.end(spring) - berlin.start(spring) + 1, 23 * 3600);
    }
}
