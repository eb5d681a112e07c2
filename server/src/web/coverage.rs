//! Coverage for the joint-meeting reports (联席会议): per village over a period, the
//! recipients by category, how many were visited, how many are overdue, how many were never
//! visited — on the page, and as CSV and XLSX. Counts only: no names, no subsidies.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone};
use doorstep_contract::model::Category;
use doorstep_contract::roster::{due_date, to_recipient, RawRow};
use doorstep_contract::text::{Lang, Text};
use maud::html;
use serde::Deserialize;

use super::layout::page;
use super::queue::cst;
use super::session::visitor;
use crate::api::{stored, AppState};

/// One village's line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Line {
    pub village: String,
    pub recipients: usize,
    /// elderly, seriously ill, disabled, minor (a person may count in several).
    pub by_category: [usize; 4],
    pub visited: usize,
    pub overdue: usize,
    pub never_visited: usize,
}

fn columns(lang: Lang) -> [&'static str; 9] {
    [
        Text::VillageCommunity,
        Text::ColRecipients,
        Text::ColElderly,
        Text::ColSeriouslyIll,
        Text::ColDisabled,
        Text::ColMinors,
        Text::ColVisited,
        Text::ColOverdue,
        Text::ColNeverVisited,
    ]
    .map(|t| t.get(lang))
}

impl Line {
    fn cells(&self) -> [String; 9] {
        let [e, s, d, m] = self.by_category.map(|n| n.to_string());
        [
            self.village.clone(),
            self.recipients.to_string(),
            e,
            s,
            d,
            m,
            self.visited.to_string(),
            self.overdue.to_string(),
            self.never_visited.to_string(),
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    format: String,
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The report for `area` over `[from, to]` (local dates), as of `today`.
async fn compute(
    s: &dyn crate::storage::Storage,
    area: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> crate::storage::Result<Vec<Line>> {
    let (rows, _) = s.roster_since(area, 0, usize::MAX >> 1).await?;
    let starts = s.visit_starts(area).await?;
    let day_of = |unix: i64| {
        cst()
            .timestamp_opt(unix, 0)
            .single()
            .map(|t| t.date_naive())
    };
    let mut visited_in: HashSet<String> = HashSet::new();
    let mut last: HashMap<String, NaiveDate> = HashMap::new();
    for (who, at) in starts {
        let Some(day) = day_of(at) else { continue };
        if day >= from && day <= to {
            visited_in.insert(who.clone());
        }
        let e = last.entry(who).or_insert(day);
        *e = (*e).max(day);
    }
    let intervals = s.policy().await?.visit_intervals;
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for row in rows {
        let fields = row.fields.into_iter().collect();
        let Ok(mut r) = to_recipient(&RawRow { line: 0, fields }, today) else {
            continue;
        };
        let line = lines.entry(row.village.clone()).or_insert_with(|| Line {
            village: row.village.clone(),
            ..Line::default()
        });
        line.recipients += 1;
        for (i, c) in [
            Category::Elderly,
            Category::SeriouslyIll,
            Category::Disabled,
            Category::Minor,
        ]
        .iter()
        .enumerate()
        {
            if r.categories.contains(c) {
                line.by_category[i] += 1;
            }
        }
        if visited_in.contains(&r.id) {
            line.visited += 1;
        }
        let seen = last.get(&r.id).copied();
        r.last_visit = r.last_visit.max(seen);
        if r.last_visit.is_none() {
            line.never_visited += 1;
        }
        if due_date(&r, &intervals, today) < today {
            line.overdue += 1;
        }
    }
    Ok(lines.into_values().collect())
}

fn xlsx(lang: Lang, lines: &[Line]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in columns(lang).iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    for (r, line) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, &line.village)?;
        for (c, cell) in line.cells().iter().enumerate().skip(1) {
            sheet.write_number(row, c as u16, cell.parse::<f64>().unwrap_or(0.0))?;
        }
    }
    book.save_to_buffer()
}

fn csv_bytes(lang: Lang, lines: &[Line]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(columns(lang));
    for line in lines {
        let _ = w.write_record(
            line.cells()
                .iter()
                .map(|c| super::cells::inert(c).into_owned()),
        );
    }
    w.into_inner().unwrap_or_default()
}

pub async fn coverage(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<Period>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    let today = chrono::Utc::now().with_timezone(&cst()).date_naive();
    let to = parse_day(&p.to).unwrap_or(today);
    let from = parse_day(&p.from).unwrap_or(to - chrono::Duration::days(30));
    let (area, login, now) = (v.session.area.clone(), v.session.login.clone(), state.now());
    let format = p.format.clone();
    let lines = match stored(&state, move |s| async move {
        let lines = compute(s.as_ref(), &area, from, to, today).await?;
        if !format.is_empty() {
            s.audit(&login, "export-coverage", &area, now).await?;
        }
        Ok(lines)
    })
    .await
    {
        Ok(l) => l,
        Err(e) => return e.into_response(),
    };
    let name = format!("coverage-{}-{from}-{to}", v.session.area);
    match p.format.as_str() {
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
            ],
            Body::from(csv_bytes(lang, &lines)),
        )
            .into_response(),
        "xlsx" => match xlsx(lang, &lines) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.xlsx\"")),
                ],
                Body::from(bytes),
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        _ => page(lang, Text::Coverage.get(lang), Some(&v), html! {
            form.filters method="get" action="/coverage" {
                label { (Text::From.get(lang)) input name="from" type="date" value=(from); }
                label { (Text::To.get(lang)) input name="to" type="date" value=(to); }
                button type="submit" { (Text::Filter.get(lang)) }
                a #export-csv href={ "/coverage?format=csv&from=" (from) "&to=" (to) } { (Text::ExportCsv.get(lang)) }
                a #export-xlsx href={ "/coverage?format=xlsx&from=" (from) "&to=" (to) } { (Text::ExportXlsx.get(lang)) }
            }
            table.coverage {
                thead { tr { @for c in columns(lang) { th { (c) } } } }
                tbody { @for l in &lines { tr { @for c in l.cells() { td { (c) } } } } }
            }
        })
        .into_response(),
    }
}
