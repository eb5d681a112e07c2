//! What the dashboard and the coverage report count, from the roster's facts and the area's
//! visits over a period of local days: per village, township and worker; flags by kind;
//! satisfaction and the households' suggestions per township; weekly trends. Counting only:
//! the pages draw it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use doorstep_contract::model::Category;
use doorstep_contract::policy::VisitIntervals;
use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::due_after;
use doorstep_contract::visit::SatisfactionLevel;
use doorstep_contract::wire::VisitStatus;

use super::local::Zone;
use super::roster_facts::Fact;
use crate::storage::web::VisitFact;

/// One village's (or township's) line of the coverage report.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Line {
    /// The village's 12-digit code, or a township's 9.
    pub code: String,
    pub recipients: usize,
    /// elderly, seriously ill, disabled, minor (a person may count in several).
    pub by_category: [usize; 4],
    /// Recipients visited in the period.
    pub visited: usize,
    pub overdue: usize,
    pub never_visited: usize,
    /// Where the village lies: the mean of its households' positions, if any are known.
    pub position: Option<(f64, f64)>,
}

impl Line {
    /// Share of the recipients visited in the period, 0..=1.
    pub fn coverage(&self) -> f64 {
        ratio(self.visited, self.recipients)
    }

    pub fn overdue_share(&self) -> f64 {
        ratio(self.overdue, self.recipients)
    }
}

fn ratio(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// One worker's line: the visits they recorded in the period.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WorkerLine {
    pub worker: String,
    pub visits: usize,
    pub households: usize,
    pub flagged: usize,
    pub returned: usize,
    pub approved: usize,
}

/// How the households rated the service in the period, and what they suggested.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Said {
    /// satisfied, basically satisfied, dissatisfied.
    pub levels: [usize; 3],
    pub suggestions: Vec<String>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub villages: Vec<Line>,
    pub townships: Vec<Line>,
    pub total: Line,
    pub workers: Vec<WorkerLine>,
    /// Visits started in the period.
    pub visits: usize,
    /// Of all the area's visits, how many per status.
    pub by_status: BTreeMap<VisitStatus, usize>,
    /// Visits of the period by flag kind (code).
    pub flags: BTreeMap<String, usize>,
    /// By township (9 digits).
    pub said: BTreeMap<String, Said>,
    /// Visits per week, the last twelve weeks up to the period's end (oldest first), with
    /// each week's first day.
    pub weeks: Vec<(NaiveDate, usize, usize)>,
}

const CATEGORIES: [Category; 4] = [
    Category::Elderly,
    Category::SeriouslyIll,
    Category::Disabled,
    Category::Minor,
];

pub const WEEKS: usize = 12;

fn level_index(l: SatisfactionLevel) -> usize {
    match l {
        SatisfactionLevel::Satisfied => 0,
        SatisfactionLevel::BasicallySatisfied => 1,
        SatisfactionLevel::Dissatisfied => 2,
    }
}

/// Everything counted for `[from, to]` (local days), as of `today`.
pub fn count(
    facts: &[Fact],
    visits: &[VisitFact],
    intervals: &VisitIntervals,
    zone: Zone,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Report {
    let mut report = Report::default();
    // Moments compared as Unix seconds against the local days' bounds, worked out once: a
    // county's every visit goes through this loop on each dashboard.
    let (from_s, to_s) = (zone.start(from), zone.end(to));
    let first_week = to - chrono::Duration::days(7 * WEEKS as i64 - 1);
    let week_starts: Vec<i64> = (0..=WEEKS)
        .map(|i| zone.start(first_week + chrono::Duration::days(7 * i as i64)))
        .collect();
    let mut last: HashMap<&str, i64> = HashMap::with_capacity(facts.len());
    let mut visited_in: HashSet<&str> = HashSet::new();
    let mut workers: BTreeMap<&str, (WorkerLine, HashSet<&str>)> = BTreeMap::new();
    let mut weeks = vec![(0usize, 0usize); WEEKS];
    let mut by_status = [0usize; VisitStatus::ALL.len()];
    for v in visits {
        by_status[VisitStatus::ALL
            .iter()
            .position(|s| *s == v.status)
            .unwrap_or(0)] += 1;
        let e = last.entry(v.recipient_id.as_str()).or_insert(v.started_at);
        *e = (*e).max(v.started_at);
        if v.started_at >= week_starts[0] && v.started_at < week_starts[WEEKS] {
            let w = &mut weeks[week_starts.partition_point(|&s| s <= v.started_at) - 1];
            w.0 += 1;
            w.1 += usize::from(v.flagged);
        }
        if v.started_at < from_s || v.started_at > to_s {
            continue;
        }
        report.visits += 1;
        visited_in.insert(v.recipient_id.as_str());
        for f in &v.flags {
            *report.flags.entry(f.clone()).or_default() += 1;
        }
        let (line, households) = workers.entry(v.worker.as_str()).or_default();
        line.visits += 1;
        households.insert(v.recipient_id.as_str());
        line.flagged += usize::from(!v.flags.is_empty());
        line.returned += usize::from(v.status == VisitStatus::Returned);
        line.approved += usize::from(v.status == VisitStatus::Approved);
        if let Some(s) = v
            .record
            .as_deref()
            .and_then(|b| RecordV1::decode(b).ok())
            .and_then(|r| r.satisfaction)
        {
            let said = report
                .said
                .entry(v.village.get(..9).unwrap_or(&v.village).to_owned())
                .or_default();
            said.levels[level_index(s.level)] += 1;
            let comment = s.comment.trim();
            if !comment.is_empty() {
                said.suggestions.push(comment.to_owned());
            }
        }
    }
    report.by_status = VisitStatus::ALL
        .iter()
        .zip(by_status)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| (*s, n))
        .collect();
    report.weeks = weeks
        .into_iter()
        .enumerate()
        .map(|(i, (n, flagged))| {
            (
                first_week + chrono::Duration::days(7 * i as i64),
                n,
                flagged,
            )
        })
        .collect();
    report.workers = workers
        .into_iter()
        .map(|(name, (mut line, households))| {
            line.worker = name.to_owned();
            line.households = households.len();
            line
        })
        .collect();

    let mut villages: BTreeMap<&str, (Line, (f64, f64, usize))> = BTreeMap::new();
    for r in facts {
        let (line, (lat, lon, placed)) = villages.entry(r.village.as_str()).or_default();
        line.recipients += 1;
        for (i, c) in CATEGORIES.iter().enumerate() {
            if r.categories.contains(c) {
                line.by_category[i] += 1;
            }
        }
        if visited_in.contains(r.id.as_str()) {
            line.visited += 1;
        }
        let seen = r
            .roster_last_visit
            .max(last.get(r.id.as_str()).and_then(|&t| zone.day(t)));
        if seen.is_none() {
            line.never_visited += 1;
        }
        if due_after(seen, intervals.for_categories(&r.categories), today) < today {
            line.overdue += 1;
        }
        if let Some((a, b)) = r.position {
            *lat += a;
            *lon += b;
            *placed += 1;
        }
    }
    report.villages = villages
        .into_iter()
        .map(|(code, (mut line, (lat, lon, placed)))| {
            line.code = code.to_owned();
            line.position = (placed > 0).then(|| (lat / placed as f64, lon / placed as f64));
            line
        })
        .collect();
    let mut townships: BTreeMap<String, Line> = BTreeMap::new();
    for v in &report.villages {
        let code = v.code.get(..9).unwrap_or(&v.code).to_owned();
        add(
            townships.entry(code.clone()).or_insert_with(|| Line {
                code,
                ..Line::default()
            }),
            v,
        );
        add(&mut report.total, v);
    }
    report.townships = townships.into_values().collect();
    report
}

fn add(sum: &mut Line, v: &Line) {
    sum.recipients += v.recipients;
    for (each, n) in sum.by_category.iter_mut().zip(v.by_category) {
        *each += n;
    }
    sum.visited += v.visited;
    sum.overdue += v.overdue;
    sum.never_visited += v.never_visited;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(id: &str, village: &str, c: Category, last: Option<NaiveDate>) -> Fact {
        Fact {
            id: id.into(),
            village: village.into(),
            categories: vec![c],
            roster_last_visit: last,
            position: Some((34.8, 114.8)),
        }
    }

    fn visit(who: &str, worker: &str, at: i64, status: VisitStatus, flags: &[&str]) -> VisitFact {
        VisitFact {
            recipient_id: who.into(),
            village: "410225100201".into(),
            worker: worker.into(),
            started_at: at,
            status,
            flagged: !flags.is_empty(),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
            record: None,
        }
    }

    #[test]
    fn counts_by_village_township_worker_and_week() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("day");
        let zone = Zone::default();
        let today = day(7);
        let long_ago = NaiveDate::from_ymd_opt(2025, 1, 1);
        let facts = [
            fact("A", "410225100201", Category::Elderly, long_ago),
            fact("B", "410225100201", Category::Minor, None),
            fact("C", "410225101202", Category::Disabled, None),
        ];
        let visits = [
            // A on 2 December (local), flagged, by w1; B on 30 November, before the period.
            visit(
                "A",
                "w1",
                zone.start(day(2)) + 3600,
                VisitStatus::Submitted,
                &["too_far"],
            ),
            visit(
                "B",
                "w2",
                zone.start(day(2)) - 86_400 * 2,
                VisitStatus::Returned,
                &[],
            ),
        ];
        let r = count(
            &facts,
            &visits,
            &VisitIntervals::default(),
            zone,
            (day(1), day(7)),
            today,
        );
        assert_eq!(r.visits, 1);
        assert_eq!(r.flags.get("too_far"), Some(&1));
        assert_eq!(r.by_status.get(&VisitStatus::Returned), Some(&1));
        let v = &r.villages[0];
        assert_eq!(
            (v.code.as_str(), v.recipients, v.visited),
            ("410225100201", 2, 1)
        );
        assert_eq!(v.by_category, [1, 0, 0, 1]);
        // C was never visited; B was (in November).
        assert_eq!(r.total.never_visited, 1);
        assert_eq!(r.townships.len(), 2);
        assert_eq!(r.townships[0].code, "410225100");
        assert_eq!(r.townships[0].recipients, 2);
        assert_eq!(r.workers.len(), 1, "only w1 recorded a visit in the period");
        assert_eq!((r.workers[0].visits, r.workers[0].flagged), (1, 1));
        let last = r.weeks.last().expect("weeks");
        assert_eq!((last.1, last.2), (1, 1), "this week: one visit, flagged");
        assert_eq!(r.weeks.iter().map(|w| w.1).sum::<usize>(), 2);
        assert_eq!(v.position, Some((34.8, 114.8)));
    }
}
