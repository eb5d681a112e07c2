//! The review queue: the area's uploaded visits, flagged first, filtered by status, flag,
//! village, worker and date, a page at a time, with counts. No names of people here: the
//! detail page shows them, and logs that it did.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use doorstep_contract::text::{flag_kind, Lang, Localize, Text};
use doorstep_contract::visit::{Flag, ServerFlag};
use doorstep_contract::wire::VisitStatus;

use super::layout::page;
use super::local::Zone;
use super::places::Places;
use super::session::visitor;
use crate::api::{stored, AppState};
use crate::storage::web::QueueFilter;

pub const PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    village: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: usize,
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// A local date of a filter, as the first or last second of that day in the county.
fn day(zone: Zone, s: &str, end: bool) -> Option<i64> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(if end { zone.end(d) } else { zone.start(d) })
}

impl QueueQuery {
    fn filter(&self, zone: Zone) -> QueueFilter {
        QueueFilter {
            status: some(&self.status).and_then(|s| VisitStatus::parse(&s)),
            flag: some(&self.flag),
            village: some(&self.village).filter(|v| v.bytes().all(|b| b.is_ascii_digit())),
            worker: some(&self.worker),
            from: day(zone, &self.from, false),
            to: day(zone, &self.to, true),
        }
    }

    /// This query on another page.
    fn at(&self, page: usize) -> String {
        format!(
            "/queue?status={}&flag={}&village={}&worker={}&from={}&to={}&page={page}",
            enc(&self.status),
            enc(&self.flag),
            enc(&self.village),
            enc(&self.worker),
            enc(&self.from),
            enc(&self.to)
        )
    }
}

pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    let filter = q.filter(v.zone);
    let area = v.session.area.clone();
    let offset = q.page * PAGE;
    let found = match stored(&state, move |s| async move {
        s.queue(&area, &filter, offset, PAGE).await
    })
    .await
    {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    // Past a capped count the last page is not known: "next" while pages come full.
    let last_page = if found.more {
        None
    } else {
        Some((found.total.max(1) as usize - 1) / PAGE)
    };
    let has_next = match last_page {
        Some(last) => q.page < last,
        None => found.rows.len() == PAGE,
    };
    page(lang, Text::ReviewQueue.get(lang), Some(&v), html! {
        p.counts {
            @for (status, n) in &found.by_status {
                span { (status.localize(lang)) ": " strong { (n) } }
            }
        }
        form.filters method="get" action="/queue" {
            label { (Text::Status.get(lang))
                select name="status" {
                    option value="" { (Text::Any.get(lang)) }
                    @for s in VisitStatus::ALL { option value=(s.code()) selected[q.status == s.code()] { (s.localize(lang)) } }
                }
            }
            label { (Text::FlagLabel.get(lang))
                select name="flag" {
                    option value="" { (Text::Any.get(lang)) }
                    option value="any" selected[q.flag == "any"] { (Text::Flagged.get(lang)) }
                    @for k in Flag::CODES.into_iter().chain(ServerFlag::ALL.map(ServerFlag::code)) {
                        option value=(k) selected[q.flag == k] { (flag_kind(k, lang).unwrap_or(k)) }
                    }
                }
            }
            label { (Text::VillageCommunity.get(lang)) (division_select(lang, &v.places, &q.village)) }
            label { (Text::Worker.get(lang)) input name="worker" value=(q.worker) size="8"; }
            label { (Text::From.get(lang)) input name="from" type="date" value=(q.from); }
            label { (Text::To.get(lang)) input name="to" type="date" value=(q.to); }
            button type="submit" { (Text::Filter.get(lang)) }
        }
        p { strong.total { (found.total) @if found.more { "+" } } " " (Text::VisitsCount.get(lang)) }
        table.queue {
            thead { tr {
                th { (Text::Started.get(lang)) } th { (Text::Status.get(lang)) } th { (Text::VillageCommunity.get(lang)) }
                th { (Text::Worker.get(lang)) } th { (Text::Flags.get(lang)) }
            } }
            tbody {
                @for r in &found.rows {
                    tr.flagged[!r.flags.is_empty()] data-visit=(r.visit_id) {
                        td { a href={ "/visits/" (r.visit_id) } title=(r.visit_id) { (v.zone.when(r.started_at)) } }
                        td.status { (r.status.localize(lang)) }
                        td.village { (v.places.village(&r.village)) }
                        td { (r.worker) }
                        td { @for f in &r.flags { span.flag data-flag=(f) { (flag_kind(f, lang).unwrap_or(f)) } } }
                    }
                }
            }
        }
        p {
            @if q.page > 0 { a href=(q.at(q.page - 1)) { (Text::Previous.get(lang)) } " " }
            (q.page + 1)
            @if let Some(last) = last_page { " / " (last + 1) }
            @if has_next { " " a href=(q.at(q.page + 1)) { (Text::Next.get(lang)) } }
        }
    }).into_response()
}

/// A query-string value, percent-encoded.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The area's townships, each followed by its villages, by name; "any" first.
pub fn division_select(lang: Lang, places: &Places, chosen: &str) -> Markup {
    let villages = places.villages();
    html! {
        select name="village" {
            option value="" { (Text::Any.get(lang)) }
            @for (t, name) in places.townships() {
                option value=(t) selected[chosen == t] { (name) }
                @for (code, _) in villages.iter().filter(|(c, _)| c.starts_with(t.as_str())) {
                    option value=(code) selected[chosen == code] { "\u{3000}" (places.name(code).unwrap_or(code)) }
                }
            }
        }
    }
}
