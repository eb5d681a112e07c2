//! The review queue's SQL, the same on every backend: which rows an area and its filters
//! select, and where the counts come from. A backend runs what this writes, with its own
//! placeholders and its own name for finding a substring.
//!
//! At millions of visits two things keep a page cheap. Each selection has an index holding
//! it in the page's order, with the page's key and the columns it filters on: a county's
//! (the first six digits of the village code), a township's or village's, a worker's
//! devices'. A page's ids are found in the index alone (under one county without a sort)
//! and only then its fifty rows read. The counts come from `queue_counts` (visits per
//! village, status and flagged-or-not, kept on every write) when the filter is one those
//! answer; otherwise they are counted, up to [`QUEUE_COUNT_CAP`].

use super::rules;
use super::web::{QueueFilter, QUEUE_COUNT_CAP};

/// What a backend's SQL spells differently.
pub struct Dialect {
    /// The placeholder of the n-th argument (from 1): `?1` or `$1`.
    pub placeholder: fn(usize) -> String,
    /// The function finding a needle in a haystack, `f(haystack, needle) > 0`.
    pub find: &'static str,
}

/// A value a queue statement binds.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// A WHERE clause and its arguments, in placeholder order.
#[derive(Debug, Default)]
pub struct Where {
    clauses: Vec<String>,
    pub args: Vec<Arg>,
}

impl Where {
    /// Adds a clause; each `?` in it stands for `value` (one value may stand twice).
    fn bind(&mut self, d: &Dialect, clause: &str, value: Arg) {
        self.bind_all(d, &clause.replace('?', "?0"), vec![value]);
    }

    /// Adds a clause of several values: `?0` … `?9` stand for them. Replaced in one pass,
    /// so that a placeholder written in (`?12`) is never read again as one of these.
    fn bind_all(&mut self, d: &Dialect, clause: &str, values: Vec<Arg>) {
        let first = self.args.len() + 1;
        self.args.extend(values);
        let mut out = String::with_capacity(clause.len() + 8);
        let mut chars = clause.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|n| n.to_digit(10))) {
                ('?', Some(i)) => {
                    chars.next();
                    out.push_str(&(d.placeholder)(first + i as usize));
                }
                _ => out.push(c),
            }
        }
        self.clauses.push(out);
    }

    pub fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// The placeholder of the next argument (for LIMIT and OFFSET after the clause's).
    pub fn next(&self, d: &Dialect, after: usize) -> String {
        (d.placeholder)(self.args.len() + after)
    }
}

/// What the queue's page and counts run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Over {
    Visits,
    Counts,
}

fn select(d: &Dialect, area: &str, f: &QueueFilter, over: Over) -> Where {
    let mut w = Where::default();
    // A village or township filter inside the area is a smaller area: a range the planner
    // can estimate (a test on a substring it cannot, and would then read the whole county).
    let (area, village) = match f.village.as_deref() {
        Some(v) if rules::in_area(area, v) => (v, None),
        other => (area, other),
    };
    if over == Over::Visits && rules::is_county(area) {
        // The same rows as the county's range of village codes, said once: said both ways,
        // the planner would take the two as independent and expect next to no rows.
        w.bind(d, "county = ?", Arg::Text(area.to_owned()));
    } else {
        w.bind(d, "village >= ?", Arg::Text(area.to_owned()));
        w.bind(d, "village < ?", Arg::Text(rules::area_end(area)));
    }
    if let Some(s) = f.status {
        w.bind(d, "status = ?", Arg::Text(s.code().to_owned()));
    }
    match f.flag.as_deref() {
        Some("any") => w.bind(d, "flagged = ?", Arg::Bool(true)),
        // The kinds are a JSON list of plain codes: the quoted code matches only itself. A
        // visit with a kind is flagged, and said so the index narrows to the flagged ones.
        Some(kind) => {
            w.bind(d, "flagged = ?", Arg::Bool(true));
            w.bind(
                d,
                &format!("{}(flag_kinds, ?) > 0", d.find),
                Arg::Text(serde_json::to_string(kind).unwrap_or_default()),
            )
        }
        None => {}
    }
    if let Some(v) = village {
        // One outside the area: all of it (a prefix of the area) or none of it.
        w.bind(
            d,
            "substr(village, 1, length(?)) = ?",
            Arg::Text(v.to_owned()),
        );
    }
    if let Some(worker) = &f.worker {
        // The worker's devices that may have visited in the area (a device's area and the
        // supervisor's: one within the other), not every namesake's in the province, so
        // that the device index can serve the filter.
        w.bind_all(
            d,
            "device_id IN (SELECT id FROM devices WHERE worker = ?0
                 AND (substr(area, 1, length(?1)) = ?1 OR substr(?1, 1, length(area)) = area))",
            vec![Arg::Text(worker.clone()), Arg::Text(area.to_owned())],
        );
    }
    if let Some(from) = f.from {
        w.bind(d, "started_at >= ?", Arg::Int(from));
    }
    if let Some(to) = f.to {
        w.bind(d, "started_at <= ?", Arg::Int(to));
    }
    w
}

/// One page of the queue: flagged first, newest first. The page's ids are found first, from
/// an index alone where one holds the filter's columns (a county's in its order, read
/// backwards: no sort), and only then their rows read: fifty, not every row sorted.
pub fn page(d: &Dialect, area: &str, f: &QueueFilter) -> (String, Where) {
    let w = select(d, area, f, Over::Visits);
    let sql = format!(
        "SELECT v.id, v.status, v.village,
                (SELECT worker FROM devices d WHERE d.id = v.device_id),
                v.started_at, v.received_at, v.flag_kinds, v.chain, v.corrects
         FROM visits v
         WHERE v.id IN (SELECT id FROM visits WHERE {}
                        ORDER BY flagged DESC, received_at DESC, id DESC LIMIT {} OFFSET {})
         ORDER BY v.flagged DESC, v.received_at DESC, v.id DESC",
        w.sql(),
        w.next(d, 1),
        w.next(d, 2)
    );
    (sql, w)
}

/// How the matching visits are counted: `Kept` from `queue_counts` (one number, exact), or
/// `Capped` from the rows up to one past [`QUEUE_COUNT_CAP`].
pub enum Count {
    Kept(String, Where),
    Capped(String, Where),
}

/// `counts` names the table (or subquery) of kept counts, with columns village, status,
/// flagged and n.
pub fn count(d: &Dialect, area: &str, f: &QueueFilter, counts: &str) -> Count {
    if f.counted() {
        let w = select(d, area, f, Over::Counts);
        Count::Kept(
            format!(
                "SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM {counts} WHERE {}",
                w.sql()
            ),
            w,
        )
    } else {
        let w = select(d, area, f, Over::Visits);
        Count::Capped(
            format!(
                "SELECT count(*) FROM (SELECT 1 FROM visits v WHERE {} LIMIT {}) AS capped",
                w.sql(),
                QUEUE_COUNT_CAP + 1
            ),
            w,
        )
    }
}

/// The area's visits per status (filters aside), statuses with none left out.
pub fn by_status(d: &Dialect, area: &str, counts: &str) -> (String, Where) {
    let w = select(d, area, &QueueFilter::default(), Over::Counts);
    let sql = format!(
        "SELECT status, CAST(sum(n) AS BIGINT) FROM {counts} WHERE {}
         GROUP BY status HAVING sum(n) > 0 ORDER BY status",
        w.sql()
    );
    (sql, w)
}

/// The total a capped count shows, and whether there are more.
pub fn capped(n: i64) -> (i64, bool) {
    (n.min(QUEUE_COUNT_CAP), n > QUEUE_COUNT_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE: Dialect = Dialect {
        placeholder: |n| format!("?{n}"),
        find: "instr",
    };

    #[test]
    fn a_county_enters_the_index_at_its_county_and_other_areas_at_their_villages() {
        let (sql, w) = page(&SQLITE, "410225", &QueueFilter::default());
        assert!(sql.contains("WHERE county = ?1\n"), "{sql}");
        assert!(sql.contains("LIMIT ?2 OFFSET ?3"));
        assert_eq!(w.args[0], Arg::Text("410225".into()));
        for area in ["4102", "410225105"] {
            let (sql, w) = page(&SQLITE, area, &QueueFilter::default());
            assert!(!sql.contains("county"), "{sql}");
            assert_eq!(w.args[1], Arg::Text(format!("{area}:")));
        }
        // A township filtered in a county's queue is the township's area.
        let township = QueueFilter {
            village: Some("410225105".into()),
            ..Default::default()
        };
        let (sql, w) = page(&SQLITE, "410225", &township);
        assert!(!sql.contains("county") && !sql.contains("substr"), "{sql}");
        assert_eq!(w.args[0], Arg::Text("410225105".into()));
    }

    #[test]
    fn placeholders_past_nine_are_numbered_once() {
        let mut w = Where::default();
        for n in 0..11 {
            w.bind(&SQLITE, "x = ?", Arg::Int(n));
        }
        w.bind_all(
            &SQLITE,
            "a = ?0 OR b = ?1 OR c = ?0",
            vec![Arg::Int(11), Arg::Int(12)],
        );
        assert!(
            w.sql()
                .ends_with("x = ?11 AND a = ?12 OR b = ?13 OR c = ?12"),
            "{}",
            w.sql()
        );
        assert_eq!(w.args.len(), 13);
    }

    #[test]
    fn kept_counts_answer_status_flagged_and_village_and_the_rest_is_capped() {
        let kept = QueueFilter {
            flag: Some("any".into()),
            village: Some("410225105".into()),
            ..Default::default()
        };
        match count(&SQLITE, "410225", &kept, "queue_counts") {
            Count::Kept(sql, w) => {
                assert!(!sql.contains("county"), "{sql}");
                // The village inside the area narrows the range.
                assert!(sql.contains("village >= ?1 AND village < ?2"), "{sql}");
                assert_eq!(w.args[0], Arg::Text("410225105".into()));
                assert_eq!(w.args.len(), 3);
            }
            Count::Capped(..) => panic!("flagged and a village are kept"),
        }
        let capped = QueueFilter {
            worker: Some("w".into()),
            ..Default::default()
        };
        assert!(matches!(
            count(&SQLITE, "410225", &capped, "queue_counts"),
            Count::Capped(sql, _) if sql.contains(&format!("LIMIT {}", QUEUE_COUNT_CAP + 1))
        ));
        assert_eq!(super::capped(QUEUE_COUNT_CAP), (QUEUE_COUNT_CAP, false));
        assert_eq!(super::capped(QUEUE_COUNT_CAP + 1), (QUEUE_COUNT_CAP, true));
    }
}
