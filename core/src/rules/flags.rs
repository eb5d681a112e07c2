//! Visit authenticity flags: what about a visit's evidence deserves a supervisor's look. The
//! core computes them at capture, so the worker sees them before leaving; none blocks saving
//! (offline, a worker must always be able to save). Thresholds come from the policy record.

use chrono::{DateTime, Duration, FixedOffset};
use doorstep_contract::geo::distance_m;
use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::{Fix, Flag};

use super::draft::Draft;

/// The flags that need the device's other visits, kept in the draft between refreshes.
/// (Externally tagged: the draft's postcard encoding cannot carry internally tagged enums.)
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossFlag {
    SameSpotOtherHousehold,
    ImpossibleSpeed { kmh: u32 },
    PhotoReused,
}

impl From<&CrossFlag> for Flag {
    fn from(c: &CrossFlag) -> Self {
        match c {
            CrossFlag::SameSpotOtherHousehold => Flag::SameSpotOtherHousehold,
            CrossFlag::ImpossibleSpeed { kmh } => Flag::ImpossibleSpeed { kmh: *kmh },
            CrossFlag::PhotoReused => Flag::PhotoReused,
        }
    }
}

/// What the flags need to know of another visit on this device.
#[derive(Clone)]
pub struct OtherVisit {
    pub recipient_id: String,
    pub ended_at: DateTime<FixedOffset>,
    pub end: Option<Fix>,
    pub best: Option<Fix>,
    pub photo_phashes: Vec<u64>,
}

// Positions are personal.
impl std::fmt::Debug for OtherVisit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtherVisit")
            .field("recipient_id", &self.recipient_id)
            .finish_non_exhaustive()
    }
}

impl From<&Draft> for OtherVisit {
    fn from(d: &Draft) -> Self {
        Self {
            recipient_id: d.recipient_id.clone(),
            ended_at: d.last_action_at,
            end: d.fixes.end.clone(),
            best: d.fixes.best.clone(),
            photo_phashes: d.photo_phashes.clone(),
        }
    }
}

impl OtherVisit {
    /// The same facts from a sealed record.
    pub fn from_record(r: &RecordV1) -> Self {
        Self {
            recipient_id: r.recipient_id.clone(),
            ended_at: r.finished_at,
            end: r.fixes.end.clone(),
            best: r.fixes.best.clone(),
            photo_phashes: r.photo_phashes.clone(),
        }
    }
}

fn point(f: &Fix) -> (f64, f64) {
    (f.lat, f.lon)
}

/// The flags of the draft on its own, then the cross-visit flags last computed.
pub fn evaluate(d: &Draft, e: &Evidence) -> Vec<Flag> {
    let mut flags = Vec::new();
    let fixes = &d.fixes;
    match &fixes.best {
        None => flags.push(Flag::NoLocation),
        Some(best) => {
            if let Some(home) = d.context.household {
                let dist = distance_m(point(best), home);
                if dist - best.accuracy_m > e.geofence_m {
                    flags.push(Flag::TooFar {
                        distance_m: dist.round() as u32,
                        accuracy_m: best.accuracy_m.round() as u32,
                    });
                }
            }
            if best.accuracy_m > e.max_accuracy_m {
                flags.push(Flag::Inaccurate {
                    accuracy_m: best.accuracy_m.round() as u32,
                });
            }
            let age = d.started_at - best.at;
            if age > Duration::seconds(e.max_fix_age_s) {
                flags.push(Flag::FixTooOld {
                    minutes: age.num_minutes(),
                });
            }
        }
    }
    if fixes.any_mock {
        flags.push(Flag::MockLocation);
    }
    if let Some(outcome) = d.outcome {
        let minutes = (d.last_action_at - d.started_at).num_minutes();
        let min = if outcome.met() {
            e.min_minutes_met
        } else {
            e.min_minutes_attempt
        };
        if minutes < min {
            flags.push(Flag::TooShort { minutes });
        }
    }
    if fixes.max_clock_skew_s > e.max_clock_skew_s {
        flags.push(Flag::ClockSkew {
            seconds: fixes.max_clock_skew_s,
        });
    }
    flags.extend(d.cross_flags.iter().map(Flag::from));
    flags
}

/// The flags that compare the draft with the device's other visits.
pub fn cross(d: &Draft, e: &Evidence, others: &[OtherVisit]) -> Vec<CrossFlag> {
    let mut flags = Vec::new();
    let fixes = &d.fixes;
    if let Some(best) = &fixes.best {
        let recent = Duration::days(e.same_spot_days);
        let reused = others.iter().any(|o| {
            o.recipient_id != d.recipient_id
                && (d.started_at - o.ended_at).abs() <= recent
                && o.best
                    .as_ref()
                    .is_some_and(|b| distance_m(point(b), point(best)) <= e.same_spot_m)
        });
        if reused {
            flags.push(CrossFlag::SameSpotOtherHousehold);
        }
    }
    // The visit before this one on the device, and the travel between them.
    if let Some(start) = &fixes.start {
        let previous = others
            .iter()
            .filter(|o| o.ended_at <= d.started_at && o.end.is_some())
            .max_by_key(|o| o.ended_at);
        if let Some(prev) = previous {
            let prev_end = prev.end.as_ref().expect("filtered on end fixes");
            let km = distance_m(point(prev_end), point(start)) / 1000.0;
            let hours = (start.at - prev_end.at).num_seconds() as f64 / 3600.0;
            // Positions within their accuracy of each other need no travel at all.
            let moved = km * 1000.0 > prev_end.accuracy_m + start.accuracy_m;
            if moved && (hours <= 0.0 || km / hours > e.max_speed_kmh) {
                let kmh = if hours > 0.0 {
                    km / hours
                } else {
                    f64::from(u32::MAX)
                };
                flags.push(CrossFlag::ImpossibleSpeed {
                    kmh: kmh.min(f64::from(u32::MAX)) as u32,
                });
            }
        }
    }
    let reused = d.photo_phashes.iter().any(|&mine| {
        others.iter().any(|o| {
            o.photo_phashes
                .iter()
                .any(|&theirs| crate::media::photo::distance(mine, theirs) <= e.same_photo_bits)
        })
    });
    if reused {
        flags.push(CrossFlag::PhotoReused);
    }
    flags
}

#[cfg(test)]
mod tests {

    use chrono::TimeZone;

    use super::*;
    use crate::rules::draft::Context;
    use doorstep_contract::visit::{Fixes, Outcome};

    const HOME: (f64, f64) = (34.8, 114.8);

    fn at(h: u32, m: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .expect("offset")
            .with_ymd_and_hms(2026, 11, 27, h, m, 0)
            .single()
            .expect("time")
    }

    /// `north_m` metres north of the household.
    fn fix(north_m: f64, accuracy_m: f64, when: DateTime<FixedOffset>) -> Fix {
        Fix {
            lat: HOME.0 + north_m / 111_195.0,
            lon: HOME.1,
            accuracy_m,
            at: when,
            received_at: when,
            provider: "gps".into(),
            mock: false,
        }
    }

    /// A clean 20-minute visit at the household.
    fn draft() -> Draft {
        let f = fix(0.0, 10.0, at(10, 1));
        let context = Context {
            card_active: true,
            acts_through_proxy: false,
            enrolment_codes: vec![],
            checklist_version: 1,
            household: Some(HOME),
        };
        Draft {
            outcome: Some(Outcome::MetPerson),
            fixes: Fixes {
                start: Some(f.clone()),
                end: Some(f.clone()),
                best: Some(f),
                any_mock: false,
                max_clock_skew_s: 0,
            },
            last_action_at: at(10, 20),
            actions: 5,
            ..Draft::new("V1".into(), "R1".into(), None, at(10, 0), context)
        }
    }

    fn flags(d: &Draft, others: &[OtherVisit]) -> Vec<Flag> {
        let mut d = d.clone();
        d.cross_flags = cross(&d, &Evidence::default(), others);
        evaluate(&d, &Evidence::default())
    }

    fn with_best(f: Fix) -> Draft {
        let mut d = draft();
        d.fixes.best = Some(f.clone());
        d.fixes.start = Some(f.clone());
        d.fixes.end = Some(f);
        d
    }

    #[test]
    fn a_clean_visit_raises_nothing() {
        assert_eq!(flags(&draft(), &[]), vec![]);
    }

    #[test]
    fn no_location() {
        let mut d = draft();
        d.fixes = Fixes::default();
        assert_eq!(flags(&d, &[]), vec![Flag::NoLocation]);
    }

    #[test]
    fn too_far_counts_the_accuracy_circle() {
        let far = flags(&with_best(fix(500.0, 50.0, at(10, 1))), &[]);
        assert!(
            matches!(
                far[..],
                [Flag::TooFar {
                    distance_m: 500,
                    accuracy_m: 50
                }]
            ),
            "{far:?}"
        );
        // 250 m away but ±80 m: the circle reaches the 200 m geofence.
        assert_eq!(flags(&with_best(fix(250.0, 80.0, at(10, 1))), &[]), vec![]);
        // No household position on the roster: nothing to measure against.
        let mut d = with_best(fix(5000.0, 10.0, at(10, 1)));
        d.context.household = None;
        assert_eq!(flags(&d, &[]), vec![]);
    }

    #[test]
    fn mock_location() {
        let mut d = draft();
        d.fixes.any_mock = true;
        assert_eq!(flags(&d, &[]), vec![Flag::MockLocation]);
    }

    #[test]
    fn inaccurate() {
        assert_eq!(
            flags(&with_best(fix(0.0, 150.0, at(10, 1))), &[]),
            vec![Flag::Inaccurate { accuracy_m: 150 }]
        );
        assert_eq!(flags(&with_best(fix(0.0, 90.0, at(10, 1))), &[]), vec![]);
    }

    #[test]
    fn fix_too_old() {
        assert_eq!(
            flags(&with_best(fix(0.0, 10.0, at(9, 40))), &[]),
            vec![Flag::FixTooOld { minutes: 20 }]
        );
        assert_eq!(flags(&with_best(fix(0.0, 10.0, at(9, 55))), &[]), vec![]);
    }

    #[test]
    fn too_short_for_its_outcome() {
        let mut d = draft();
        d.last_action_at = at(10, 3);
        assert_eq!(flags(&d, &[]), vec![Flag::TooShort { minutes: 3 }]);
        // Nobody home: two minutes at the door is enough.
        d.outcome = Some(Outcome::NobodyHome);
        d.last_action_at = at(10, 2);
        assert_eq!(flags(&d, &[]), vec![]);
    }

    fn other(recipient: &str, north_m: f64, ended: DateTime<FixedOffset>) -> OtherVisit {
        let f = fix(north_m, 10.0, ended);
        OtherVisit {
            recipient_id: recipient.into(),
            ended_at: ended,
            end: Some(f.clone()),
            best: Some(f),
            photo_phashes: vec![],
        }
    }

    #[test]
    fn impossible_speed_from_the_previous_visit() {
        // 30 km in 11 minutes.
        let fast = flags(&draft(), &[other("R0", 30_000.0, at(9, 50))]);
        assert!(
            matches!(fast[..], [Flag::ImpossibleSpeed { kmh }] if kmh > 150),
            "{fast:?}"
        );
        // 5 km in 11 minutes is a motorbike.
        assert_eq!(flags(&draft(), &[other("R0", 5_000.0, at(9, 50))]), vec![]);
        // Only the latest earlier visit counts.
        let both = [
            other("R8", 30_000.0, at(8, 0)),
            other("R9", 2_000.0, at(9, 50)),
        ];
        assert_eq!(flags(&draft(), &both), vec![]);
    }

    #[test]
    fn the_same_spot_for_another_household() {
        let spot = |r: &str, days: i64| {
            let mut o = other(r, 3.0, at(10, 0) - Duration::days(days));
            o.end = None;
            o
        };
        assert_eq!(
            flags(&draft(), &[spot("R2", 5)]),
            vec![Flag::SameSpotOtherHousehold]
        );
        assert_eq!(flags(&draft(), &[spot("R1", 5)]), vec![], "same household");
        assert_eq!(flags(&draft(), &[spot("R2", 40)]), vec![], "long ago");
    }

    #[test]
    fn the_same_photo_in_another_visit() {
        let mut d = draft();
        d.photo_phashes = vec![0xF0F0_F0F0_F0F0_F0F0];
        let mut o = other("R2", 9_000.0, at(8, 0));
        o.photo_phashes = vec![0xF0F0_F0F0_F0F0_F0F1];
        assert_eq!(flags(&d, &[o.clone()]), vec![Flag::PhotoReused]);
        o.photo_phashes = vec![0x0F0F_0F0F_0F0F_0F0F];
        assert_eq!(flags(&d, &[o]), vec![]);
    }

    #[test]
    fn clock_skew() {
        let mut d = draft();
        d.fixes.max_clock_skew_s = 400;
        assert_eq!(flags(&d, &[]), vec![Flag::ClockSkew { seconds: 400 }]);
        d.fixes.max_clock_skew_s = 100;
        assert_eq!(flags(&d, &[]), vec![]);
    }
}
