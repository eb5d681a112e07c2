//! Coverage for the joint-meeting circulars (联席会议通报): over a period, per township and per
//! village the recipients by category, how many were visited, how many are overdue, how many
//! were never visited; per worker the visits recorded; a map of the villages coloured by
//! coverage; what households rated and suggested, per township. On the page, and the village
//! table as CSV and XLSX. Counts only: no names of people, no subsidies.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use doorstep_contract::text::{Lang, Text};
use maud::{html, Markup};
use serde::Deserialize;

use super::charts;
use super::layout::page;
use super::places::Places;
use super::report::{self, Line, Report};
use super::session::{visitor, Visitor};
use crate::api::{stored, AppState};

fn columns(lang: Lang) -> [&'static str; 11] {
    [
        Text::Township,
        Text::VillageCommunity,
        Text::DivisionCode,
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

/// The counts of a line, in the columns' order after the names and code.
fn numbers(l: &Line) -> [usize; 8] {
    let [e, s, d, m] = l.by_category;
    [
        l.recipients,
        e,
        s,
        d,
        m,
        l.visited,
        l.overdue,
        l.never_visited,
    ]
}

/// A village's names and code as exported.
fn names(places: &Places, l: &Line) -> [String; 3] {
    [
        places.township_of(&l.code),
        places.name(&l.code).unwrap_or(&l.code).to_owned(),
        l.code.clone(),
    ]
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

pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The period a page asks for: `to` today unless given, `from` 30 days before it.
pub fn period(from: &str, to: &str, today: NaiveDate, days: i64) -> (NaiveDate, NaiveDate) {
    let to = parse_day(to).unwrap_or(today);
    let from = parse_day(from)
        .filter(|f| *f <= to)
        .unwrap_or(to - chrono::Duration::days(days - 1));
    (from, to)
}

/// Everything counted for the supervisor's area over the period.
pub async fn counted(
    state: &AppState,
    v: &Visitor,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Report, Response> {
    let (area, zone, now) = (v.session.area.clone(), v.zone, state.now());
    let today = zone.today(now);
    let rosters = state.rosters.clone();
    stored(state, move |s| async move {
        let facts = rosters.of(s.as_ref(), &area, today).await?;
        let visits = s.visit_facts(&area, zone.start(from), zone.end(to)).await?;
        let intervals = s.policy(&area).await?.visit_intervals;
        let r = report::count(&facts, &visits, &intervals, zone, (from, to), today);
        Ok(r)
    })
    .await
    .map_err(IntoResponse::into_response)
}

fn xlsx(
    lang: Lang,
    places: &Places,
    lines: &[Line],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = super::cells::sheet_with_header(&mut book, &columns(lang))?;
    for (r, line) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        // Strings are written as strings: a name beginning with '=' stays text, never a formula.
        for (c, text) in names(places, line).iter().enumerate() {
            sheet.write_string(row, c as u16, text)?;
        }
        for (c, n) in numbers(line).iter().enumerate() {
            sheet.write_number(row, (c + 3) as u16, *n as f64)?;
        }
    }
    book.save_to_buffer()
}

fn csv_bytes(lang: Lang, places: &Places, lines: &[Line]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(columns(lang));
    for line in lines {
        let cells = names(places, line)
            .into_iter()
            .map(|c| super::cells::inert(&c).into_owned())
            .chain(numbers(line).into_iter().map(|n| n.to_string()));
        let _ = w.write_record(cells);
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
    let (from, to) = period(&p.from, &p.to, v.zone.today(state.now()), 30);
    let report = match counted(&state, &v, (from, to)).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !p.format.is_empty() {
        let (login, area, now) = (v.session.login.clone(), v.session.area.clone(), state.now());
        if let Err(e) = stored(&state, move |s| async move {
            s.audit(&login, "export-coverage", &area, now).await
        })
        .await
        {
            return e.into_response();
        }
    }
    let name = format!("coverage-{}-{from}-{to}", v.session.area);
    match p.format.as_str() {
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            Body::from(csv_bytes(lang, &v.places, &report.villages)),
        )
            .into_response(),
        "xlsx" => match xlsx(lang, &v.places, &report.villages) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                Body::from(bytes),
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        _ => page(
            lang,
            Text::Coverage.get(lang),
            Some(&v),
            body(lang, &v.places, &report, (from, to)),
        )
        .into_response(),
    }
}

/// One table of lines, named by township or by village.
fn table(
    lang: Lang,
    class: &str,
    first: Text,
    lines: &[Line],
    name: impl Fn(&Line) -> String,
    total: Option<&Line>,
) -> Markup {
    html! {
        table class=(class) {
            thead { tr {
                th { (first.get(lang)) }
                @for c in &columns(lang)[3..] { th.num { (c) } }
                th.num { (Text::ColCoverageShare.get(lang)) }
            } }
            tbody {
                @for l in lines {
                    tr data-code=(l.code) {
                        td { (name(l)) }
                        @for n in numbers(l) { td.num { (n) } }
                        td.num { (format!("{:.0}%", l.coverage() * 100.0)) }
                    }
                }
            }
            @if let Some(t) = total {
                tfoot { tr.total {
                    th { (Text::Total.get(lang)) }
                    @for n in numbers(t) { th.num { (n) } }
                    th.num { (format!("{:.0}%", t.coverage() * 100.0)) }
                } }
            }
        }
    }
}

fn body(lang: Lang, places: &Places, r: &Report, (from, to): (NaiveDate, NaiveDate)) -> Markup {
    html! {
        form.filters method="get" action="/coverage" {
            label { (Text::From.get(lang)) input name="from" type="date" value=(from); }
            label { (Text::To.get(lang)) input name="to" type="date" value=(to); }
            button type="submit" { (Text::Filter.get(lang)) }
            a #export-csv href={ "/coverage?format=csv&from=" (from) "&to=" (to) } { (Text::ExportCsv.get(lang)) }
            a #export-xlsx href={ "/coverage?format=xlsx&from=" (from) "&to=" (to) } { (Text::ExportXlsx.get(lang)) }
        }
        section #by-township {
            h2 { (Text::ByTownship.get(lang)) }
            (table(lang, "coverage townships", Text::Township, &r.townships, |l| places.name(&l.code).unwrap_or(&l.code).to_owned(), Some(&r.total)))
        }
        section #map {
            h2 { (Text::CoverageMap.get(lang)) }
            (charts::village_map(lang, places, &r.villages))
        }
        section #by-village {
            h2 { (Text::ByVillage.get(lang)) }
            (table(lang, "coverage villages", Text::VillageCommunity, &r.villages, |l| places.village(&l.code), None))
        }
        section #by-worker {
            h2 { (Text::ByWorker.get(lang)) }
            table.workers {
                thead { tr {
                    th { (Text::Worker.get(lang)) } th.num { (Text::VisitsCount.get(lang)) } th.num { (Text::ColHouseholds.get(lang)) }
                    th.num { (Text::FlaggedVisits.get(lang)) } th.num { (Text::ReturnedVisits.get(lang)) } th.num { (Text::ApprovedVisits.get(lang)) }
                } }
                tbody { @for w in &r.workers {
                    tr { td { a href={ "/queue?worker=" (super::queue::enc(&w.worker)) } { (w.worker) } }
                        td.num { (w.visits) } td.num { (w.households) } td.num { (w.flagged) } td.num { (w.returned) } td.num { (w.approved) } }
                } }
            }
        }
        section #satisfaction {
            h2 { (Text::SatisfactionByTownship.get(lang)) }
            table.satisfaction {
                thead { tr {
                    th { (Text::Township.get(lang)) } th.num { (Text::Satisfied.get(lang)) } th.num { (Text::BasicallySatisfied.get(lang)) }
                    th.num { (Text::Dissatisfied.get(lang)) } th { (Text::Suggestions.get(lang)) }
                } }
                tbody { @for (t, said) in &r.said {
                    tr data-code=(t) {
                        td { (places.name(t).unwrap_or(t)) }
                        @for n in said.levels { td.num { (n) } }
                        td { ul { @for s in said.suggestions.iter().take(20) { li { (s) } } } }
                    }
                } }
            }
        }
    }
}
