//! The roster list the worker plans a day from: decrypted in memory, filtered by name, sorted by
//! days overdue and then distance. Protected subsidies never appear in it.

use chrono::NaiveDate;

use doorstep_contract::geo::{distance_m, to_wgs84};
use doorstep_contract::model::{mask_id_number, CardStatus, Category, IdNumber, Phone, Recipient};
use doorstep_contract::roster::{due_after, due_date, overdue_days};

use crate::error::Result;
use crate::store::{divisions, policy, recipients, Store};

#[derive(Clone, Default)]
pub struct ListQuery {
    /// Only those due today or overdue.
    pub due_only: bool,
    /// The worker's WGS-84 position, for distances and the secondary sort.
    pub near: Option<(f64, f64)>,
    /// Part of a name (case-insensitive for Latin letters).
    pub search: Option<String>,
    /// A division-code prefix: village, township or county.
    pub village: Option<String>,
    pub limit: Option<usize>,
}

// `search` may hold an ID number or a phone: Debug leaves it and the position out.
impl std::fmt::Debug for ListQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListQuery")
            .field("due_only", &self.due_only)
            .field("village", &self.village)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

/// One line of the list: nothing about subsidies, the ID number masked.
#[derive(Clone, PartialEq)]
pub struct ListEntry {
    pub id: String,
    pub name: String,
    pub id_number_masked: String,
    pub village_code: String,
    /// The names the server's division table gives, when the device has them.
    pub village_name: Option<String>,
    pub township_name: Option<String>,
    pub categories: Vec<Category>,
    pub card_status: CardStatus,
    pub last_visit: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub overdue_days: i64,
    pub distance_m: Option<f64>,
}

// Personal: Debug shows the id and the scheduling figures only.
impl std::fmt::Debug for ListEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListEntry")
            .field("id", &self.id)
            .field("overdue_days", &self.overdue_days)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListResult {
    pub entries: Vec<ListEntry>,
    /// Matching rows before `limit`.
    pub total: usize,
    /// Ids of rows whose envelope could not be opened; the rest of the list is unaffected.
    pub unreadable: Vec<String>,
}

fn entry(
    r: Recipient,
    due: NaiveDate,
    today: NaiveDate,
    near: Option<(f64, f64)>,
    names: &divisions::Names,
) -> ListEntry {
    let distance_m = match (near, r.location.as_ref()) {
        (Some(p), Some(loc)) => Some(distance_m(p, to_wgs84(loc))),
        _ => None,
    };
    let (village_name, township_name) = names.of(r.village.as_str());
    ListEntry {
        id_number_masked: r.id_number.masked(),
        overdue_days: overdue_days(due, today),
        due_date: due,
        distance_m,
        id: r.id,
        name: r.name,
        village_code: r.village.as_str().to_owned(),
        village_name,
        township_name,
        categories: r.categories,
        card_status: r.card_status,
        last_visit: r.last_visit,
    }
}

/// Most overdue first; among equals the nearest first, unknown distances last; then by id so
/// the order is stable.
fn order(a: &ListEntry, b: &ListEntry) -> std::cmp::Ordering {
    b.overdue_days
        .cmp(&a.overdue_days)
        .then_with(|| match (a.distance_m, b.distance_m) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
        .then_with(|| a.id.cmp(&b.id))
}

/// Whether `name` contains `needle`; Latin letters compare case-insensitively. Chinese needles
/// (the usual case) compare directly, without lowering every name.
fn name_matches(name: &str, needle: &str, fold_case: bool) -> bool {
    if fold_case {
        name.to_lowercase().contains(needle)
    } else {
        name.contains(needle)
    }
}

pub(crate) fn list(store: &Store, q: &ListQuery, today: NaiveDate) -> Result<ListResult> {
    let intervals = policy::read(store.conn())?.visit_intervals;
    let names = divisions::Names::load(store.conn())?;
    let needle = q.search.as_deref().map(str::to_lowercase);
    // Chinese has no case: only lower the names when the needle has letters that do.
    let fold_case = needle
        .as_deref()
        .is_some_and(|n| n.chars().any(|c| c.is_ascii_alphabetic()));
    let mut out = ListResult::default();
    let prefix = q.village.as_deref().unwrap_or("");
    recipients::for_each_view(store.conn(), store.keys(), prefix, |row| {
        let (row, v) = match row {
            Ok(r) => r,
            Err(id) => {
                out.unreadable.push(id);
                return;
            }
        };
        if let Some(n) = &needle {
            if !name_matches(v.name, n, fold_case) {
                return;
            }
        }
        let due = due_after(row.last_visit, intervals.for_set(v.categories), today);
        if q.due_only && due > today {
            return;
        }
        let distance_m = match (q.near, v.location()) {
            (Some(p), Some(loc)) => Some(distance_m(p, to_wgs84(&loc))),
            _ => None,
        };
        let (village_name, township_name) = names.of(row.village);
        out.entries.push(ListEntry {
            id: row.id.to_owned(),
            name: v.name.to_owned(),
            id_number_masked: mask_id_number(v.id_number),
            village_code: row.village.to_owned(),
            village_name,
            township_name,
            categories: v.categories.to_vec(),
            card_status: v.card_status,
            last_visit: row.last_visit,
            due_date: due,
            overdue_days: overdue_days(due, today),
            distance_m,
        });
    })?;
    out.total = out.entries.len();
    match q.limit {
        // Partial selection first: sorting 10,000 rows to show 50 wastes most of the sort.
        Some(k) if k < out.entries.len() => {
            out.entries.select_nth_unstable_by(k, order);
            out.entries.truncate(k);
            out.entries.sort_unstable_by(order);
        }
        _ => out.entries.sort_unstable_by(order),
    }
    Ok(out)
}

/// Exact lookup by ID number or mobile number through the blind indexes, with the query's
/// due and village filters (its name search does not apply). `None` when `key` is neither.
/// Several people can share a phone.
pub(crate) fn lookup(
    store: &Store,
    key: &str,
    q: &ListQuery,
    today: NaiveDate,
) -> Result<Option<Vec<ListEntry>>> {
    let intervals = policy::read(store.conn())?.visit_intervals;
    let names = divisions::Names::load(store.conn())?;
    let found = if let Ok(idn) = IdNumber::parse(key, today) {
        recipients::find_by_id_number(store.conn(), store.keys(), &idn)?
            .into_iter()
            .collect()
    } else if let Ok(phone) = Phone::parse(key) {
        recipients::find_by_phone(store.conn(), store.keys(), &phone)?
    } else {
        return Ok(None);
    };
    let village = q.village.as_deref().unwrap_or("");
    let mut entries: Vec<ListEntry> = found
        .into_iter()
        .filter(|r| r.village.as_str().starts_with(village))
        .map(|r| {
            let due = due_date(&r, &intervals, today);
            entry(r, due, today, q.near, &names)
        })
        .filter(|e| !q.due_only || e.overdue_days >= 0)
        .collect();
    entries.sort_unstable_by(order);
    Ok(Some(entries))
}
