//! The policy record: the rules a province or county sets and may change without a new app,
//! such as how often each special group is visited. Not personal; stored in plaintext.

use serde::{Deserialize, Serialize};

use crate::model::{Category, CategorySet, Invalid};

const VALID_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

/// Days between visits per special group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitIntervals {
    pub elderly: u32,
    pub seriously_ill: u32,
    pub disabled: u32,
    pub minor: u32,
}

impl Default for VisitIntervals {
    fn default() -> Self {
        Self {
            elderly: 60,
            seriously_ill: 30,
            disabled: 60,
            minor: 90,
        }
    }
}

impl VisitIntervals {
    pub fn days(&self, c: Category) -> u32 {
        match c {
            Category::Elderly => self.elderly,
            Category::SeriouslyIll => self.seriously_ill,
            Category::Disabled => self.disabled,
            Category::Minor => self.minor,
        }
    }

    /// Sets one interval; 1 to 3,650 days (ten years).
    pub fn set(&mut self, c: Category, days: u32) -> Result<(), Invalid> {
        if !VALID_DAYS.contains(&days) {
            return Err(Invalid::Interval);
        }
        match c {
            Category::Elderly => self.elderly = days,
            Category::SeriouslyIll => self.seriously_ill = days,
            Category::Disabled => self.disabled = days,
            Category::Minor => self.minor = days,
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        if Category::ALL
            .iter()
            .all(|&c| VALID_DAYS.contains(&self.days(c)))
        {
            Ok(())
        } else {
            Err(Invalid::Interval)
        }
    }

    /// The shortest interval among a person's categories applies.
    pub fn for_categories(&self, categories: &[Category]) -> Option<u32> {
        categories.iter().map(|&c| self.days(c)).min()
    }

    pub fn for_set(&self, categories: CategorySet) -> Option<u32> {
        categories.iter().map(|c| self.days(c)).min()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Bumped by whoever issues a policy, so a device can tell which one it runs.
    pub version: u32,
    pub visit_intervals: VisitIntervals,
    /// Older policy records have none: the defaults apply.
    #[serde(default)]
    pub evidence: Evidence,
    /// Photos are stored with at most this long an edge, in pixels.
    #[serde(default = "default_long_edge")]
    pub photo_long_edge: u32,
}

fn default_long_edge() -> u32 {
    1600
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            version: 0,
            visit_intervals: VisitIntervals::default(),
            evidence: Evidence::default(),
            photo_long_edge: default_long_edge(),
        }
    }
}

/// Thresholds of the visit authenticity flags. A flag never blocks saving a visit; it puts
/// the visit in front of a supervisor with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Evidence {
    /// The household's geofence; a fix counts as inside while its accuracy circle reaches it.
    pub geofence_m: f64,
    /// A fix less precise than this says little about where the worker was.
    pub max_accuracy_m: f64,
    /// A fix taken this long before the visit started is stale.
    pub max_fix_age_s: i64,
    /// Visits shorter than these are unlikely to have happened as recorded.
    pub min_minutes_met: i64,
    pub min_minutes_attempt: i64,
    /// Faster than this between two households (km/h) is not travel.
    pub max_speed_kmh: f64,
    /// The same spot (within this many metres) recorded for another household lately.
    pub same_spot_m: f64,
    pub same_spot_days: i64,
    /// The device clock this far from the satellites' time is suspect.
    pub max_clock_skew_s: i64,
}

impl Default for Evidence {
    fn default() -> Self {
        Self {
            geofence_m: 200.0,
            max_accuracy_m: 100.0,
            max_fix_age_s: 600,
            min_minutes_met: 5,
            min_minutes_attempt: 1,
            max_speed_kmh: 120.0,
            same_spot_m: 5.0,
            same_spot_days: 30,
            max_clock_skew_s: 300,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_interval_applies() {
        let i = VisitIntervals::default();
        assert_eq!(
            i.for_categories(&[Category::Elderly, Category::SeriouslyIll]),
            Some(30)
        );
        assert_eq!(i.for_categories(&[Category::Minor]), Some(90));
        assert_eq!(i.for_categories(&[]), None);
    }
}
