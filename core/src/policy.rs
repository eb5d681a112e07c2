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

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Policy {
    /// Bumped by whoever issues a policy, so a device can tell which one it runs.
    pub version: u32,
    pub visit_intervals: VisitIntervals,
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
