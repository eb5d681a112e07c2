//! The landing page (`/`): the supervisor's area over a period (the last seven days unless
//! chosen) at a glance — visits, what awaits review, flags by kind, visits returned and not
//! yet corrected, tickets open and overdue, recipients overdue and never visited, how the
//! households rated the service — each figure a link to the list behind it, and the weekly
//! trend drawn on the server.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use doorstep_contract::text::{flag_kind, Text};
use doorstep_contract::wire::VisitStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::charts;
use super::coverage::{counted, period};
use super::layout::page;
use super::session::visitor;
use crate::api::{stored, AppState};
use crate::ledger::TicketState;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A figure linking to its list; `warn` when it asks for action.
fn tile(label: &str, n: usize, href: &str, warn: bool, id: &str) -> Markup {
    html! {
        a.tile.warn[warn && n > 0] id=(id) href=(href) { strong { (n) } (label) }
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    let today = v.zone.today(state.now());
    let (from, to) = period(&q.from, &q.to, today, 7);
    let area = v.session.area.clone();
    let tickets = stored(&state, move |s| async move { s.tickets_in(&area).await });
    let (report, tickets) = match tokio::join!(counted(&state, &v, (from, to)), tickets) {
        (Ok(r), Ok(t)) => (r, t),
        (Err(r), _) => return r,
        (_, Err(e)) => return e.into_response(),
    };
    let open = tickets.iter().filter(|k| k.state != TicketState::Closed);
    let (open_n, overdue_n) =
        open.fold((0, 0), |(n, o), k| (n + 1, o + usize::from(k.due < today)));
    let status = |s: VisitStatus| report.by_status.get(&s).copied().unwrap_or(0);
    let span = format!("from={from}&to={to}");
    let said = report.said.values().fold([0usize; 3], |mut acc, s| {
        for (sum, n) in acc.iter_mut().zip(s.levels) {
            *sum += n;
        }
        acc
    });
    let title = format!(
        "{} · {}",
        Text::Dashboard.get(lang),
        v.places.area(&v.session.area)
    );
    page(lang, &title, Some(&v), html! {
        form.filters method="get" action="/" {
            label { (Text::From.get(lang)) input name="from" type="date" value=(from); }
            label { (Text::To.get(lang)) input name="to" type="date" value=(to); }
            button type="submit" { (Text::Filter.get(lang)) }
        }
        section {
            h2 { (Text::Review.get(lang)) }
            div.tiles {
                (tile(Text::VisitsInPeriod.get(lang), report.visits, &format!("/queue?{span}"), false, "visits"))
                (tile(Text::AwaitingReview.get(lang), status(VisitStatus::Submitted), "/queue?status=submitted", true, "awaiting"))
                (tile(Text::ReturnedNotCorrected.get(lang), status(VisitStatus::Returned), "/queue?status=returned", true, "returned"))
                (tile(Text::TicketsOpen.get(lang), open_n, "/tickets?state=open", false, "tickets-open"))
                (tile(Text::TicketsOverdue.get(lang), overdue_n, "/tickets?state=open&overdue=1", true, "tickets-overdue"))
            }
        }
        section {
            h2 { (Text::FlagsInPeriod.get(lang)) }
            div.tiles.flags {
                @for (kind, n) in &report.flags {
                    (tile(flag_kind(kind, lang).unwrap_or(kind), *n, &format!("/queue?flag={kind}&{span}"), true, kind))
                }
                @if report.flags.is_empty() { p { (Text::Nothing.get(lang)) } }
            }
        }
        section {
            h2 { (Text::RecipientsHeading.get(lang)) }
            div.tiles {
                (tile(Text::ColRecipients.get(lang), report.total.recipients, &format!("/coverage?{span}"), false, "recipients"))
                (tile(Text::ColVisited.get(lang), report.total.visited, &format!("/coverage?{span}"), false, "visited"))
                (tile(Text::ColOverdue.get(lang), report.total.overdue, &format!("/coverage?{span}#by-village"), true, "overdue"))
                (tile(Text::ColNeverVisited.get(lang), report.total.never_visited, &format!("/coverage?{span}#by-village"), true, "never"))
            }
        }
        section {
            h2 { (Text::Satisfaction.get(lang)) }
            div.tiles {
                (tile(Text::Satisfied.get(lang), said[0], &format!("/coverage?{span}#satisfaction"), false, "satisfied"))
                (tile(Text::BasicallySatisfied.get(lang), said[1], &format!("/coverage?{span}#satisfaction"), false, "basically"))
                (tile(Text::Dissatisfied.get(lang), said[2], &format!("/coverage?{span}#satisfaction"), true, "dissatisfied"))
            }
        }
        section {
            h2 { (Text::VisitsPerWeek.get(lang)) }
            (charts::weekly(lang, &report.weeks))
        }
    })
    .into_response()
}
