//! The policy record: the rules a province or county sets and may change without a new app,
//! such as how often each special group is visited. Not personal; stored in plaintext.

use serde::{Deserialize, Serialize};

use crate::model::{Category, CategorySet, Invalid, Label};

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
    /// The policy list (政策清单) workers explain at the door; a recipient's own subsidies
    /// count as explainable too.
    #[serde(default = "Topic::builtin")]
    pub topics: Vec<Topic>,
}

fn default_long_edge() -> u32 {
    1600
}

/// Photos may be stored no smaller or larger than this (long edge, pixels).
const LONG_EDGE: std::ops::RangeInclusive<u32> = 480..=4096;

impl Default for Policy {
    fn default() -> Self {
        Self {
            version: 0,
            visit_intervals: VisitIntervals::default(),
            evidence: Evidence::default(),
            photo_long_edge: default_long_edge(),
            topics: Topic::builtin(),
        }
    }
}

impl Policy {
    /// Reads a kept policy's JSON: None unless it parses and validates (it is kept in plain
    /// text, so an out-of-range value there is damage, not a policy).
    pub fn from_kept(json: &str) -> Option<Policy> {
        serde_json::from_str::<Policy>(json)
            .ok()
            .filter(|p| p.validate().is_ok())
    }

    /// Checks a policy before it is kept or issued: intervals in range, thresholds that can
    /// be met, topics with codes and titles, each code once.
    pub fn validate(&self) -> Result<(), Invalid> {
        self.visit_intervals.validate()?;
        self.evidence.validate()?;
        if !LONG_EDGE.contains(&self.photo_long_edge) {
            return Err(Invalid::PolicyValue);
        }
        let mut codes: Vec<&str> = self.topics.iter().map(|t| t.code.as_str()).collect();
        codes.sort_unstable();
        let unique = codes.windows(2).all(|w| w[0] != w[1]);
        let filled = self.topics.iter().all(|t| {
            !t.code.trim().is_empty()
                && t.code.len() <= 64
                && !t.title.zh.trim().is_empty()
                && !t.title.en.trim().is_empty()
        });
        if unique && filled && self.topics.len() <= 200 {
            Ok(())
        } else {
            Err(Invalid::PolicyTopics)
        }
    }

    /// Whether `code` is something a worker can have explained in a visit whose recipient is
    /// enrolled in `enrolments`: a topic of the list, or one of those subsidies.
    pub fn explainable(&self, code: &str, enrolments: &[String]) -> bool {
        self.topics.iter().any(|t| t.code == code) || enrolments.iter().any(|e| e == code)
    }
}

/// One entry of the policy list a worker explains (政策宣讲).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub code: String,
    pub title: Label,
}

impl Topic {
    /// The list a county starts from, after the provincial "one card" service document:
    /// what every household should know about its card and its subsidies.
    pub fn builtin() -> Vec<Topic> {
        let t = |code: &str, zh: &str, en: &str| Topic {
            code: code.to_owned(),
            title: Label {
                zh: zh.to_owned(),
                en: en.to_owned(),
            },
        };
        vec![
            t(
                "one_card",
                "惠民惠农补贴“一卡通”发放政策",
                "How subsidies are paid onto the one card",
            ),
            t(
                "card_use",
                "社保卡激活、密码与用卡安全",
                "Activating the card, its PINs and using it safely",
            ),
            t(
                "balance_query",
                "补贴到账查询方式（短信、网点、手机银行）",
                "Checking that a subsidy arrived (SMS, bank branch, mobile banking)",
            ),
            t(
                "application",
                "补贴申请条件与办理流程",
                "Who can apply for a subsidy, and how",
            ),
            t(
                "complaints",
                "咨询投诉渠道与“受理—传递—回复”办理程序",
                "Where to ask or complain, and how a case is answered",
            ),
            t(
                "fraud",
                "防范冒领、截留和电信诈骗",
                "Guarding against fraud and anyone taking the money",
            ),
        ]
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
    /// Photos whose perceptual hashes differ in at most this many bits are the same picture
    /// (resized, re-encoded): on the device and, across devices, on the server.
    pub same_photo_bits: u32,
}

impl Evidence {
    /// Every threshold positive and within reason (a geofence of 0 m would flag everyone).
    pub fn validate(&self) -> Result<(), Invalid> {
        let metres = |v: f64| v.is_finite() && v > 0.0 && v <= 100_000.0;
        let ok = metres(self.geofence_m)
            && metres(self.max_accuracy_m)
            && metres(self.same_spot_m)
            && self.max_speed_kmh.is_finite()
            && self.max_speed_kmh > 0.0
            && self.max_speed_kmh <= 2_000.0
            && (1..=86_400).contains(&self.max_fix_age_s)
            && (0..=600).contains(&self.min_minutes_met)
            && (0..=600).contains(&self.min_minutes_attempt)
            && (1..=3650).contains(&self.same_spot_days)
            && (1..=86_400).contains(&self.max_clock_skew_s)
            && self.same_photo_bits <= 16;
        if ok {
            Ok(())
        } else {
            Err(Invalid::PolicyValue)
        }
    }
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
            same_photo_bits: 4,
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

    #[test]
    fn the_default_policy_is_valid_and_bad_ones_are_refused() {
        let p = Policy::default();
        assert_eq!(p.validate(), Ok(()));
        assert!(p.explainable("card_use", &[]));
        assert!(p.explainable("GL01", &["GL01".into()]));
        assert!(!p.explainable("GL01", &[]));
        let mut bad = p.clone();
        bad.evidence.geofence_m = 0.0;
        assert_eq!(bad.validate(), Err(Invalid::PolicyValue));
        let mut bad = p.clone();
        bad.topics.push(bad.topics[0].clone());
        assert_eq!(bad.validate(), Err(Invalid::PolicyTopics));
        let mut bad = p;
        bad.visit_intervals.minor = 0;
        assert_eq!(bad.validate(), Err(Invalid::Interval));
    }

    #[test]
    fn a_kept_policy_reads_back_only_when_it_is_whole_and_in_range() {
        let p = Policy::default();
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(Policy::from_kept(&json), Some(p.clone()));
        let mut bad = p;
        bad.evidence.geofence_m = 0.0;
        let json = serde_json::to_string(&bad).expect("json");
        assert_eq!(Policy::from_kept(&json), None);
        assert_eq!(Policy::from_kept("{\"version\": "), None);
    }

    #[test]
    fn older_policy_records_read_with_the_defaults() {
        let old = r#"{"version":3,"visit_intervals":{"elderly":30,"seriously_ill":30,"disabled":60,"minor":90}}"#;
        let p: Policy = serde_json::from_str(old).expect("old record");
        assert_eq!(p.version, 3);
        assert_eq!(p.evidence, Evidence::default());
        assert_eq!(p.topics, Topic::builtin());
    }
}
