//! The service-problem ledger page: the area's tickets, oldest due first, overdue ones
//! marked, filtered by state, department and village, each with the form for its next step.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;

use super::layout::page;
use super::queue::division_select;
use super::session::{posting, visitor};
use super::visit::not_found;
use crate::api::{stored, AppState};
use crate::ledger::{advance, LedgerError, Step, TicketState};
use crate::storage::StorageError;
use doorstep_contract::text::{Localize, Text};

#[derive(Debug, Default, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    village: String,
    /// `1`: only tickets past their due date and not closed (the dashboard links here).
    #[serde(default)]
    overdue: String,
    /// `xlsx` or `csv`: the filtered ledger as a spreadsheet.
    #[serde(default)]
    format: String,
}

impl LedgerQuery {
    /// This filter as a query string (for the export links).
    fn query(&self) -> String {
        use super::queue::enc;
        format!(
            "state={}&department={}&village={}&overdue={}",
            enc(&self.state),
            enc(&self.department),
            enc(&self.village),
            enc(&self.overdue)
        )
    }
}

pub async fn ledger(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    let area = v.session.area.clone();
    let all = match stored(&state, move |s| async move { s.tickets_in(&area).await }).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let today = v.zone.today(state.now());
    let rows: Vec<_> = all
        .into_iter()
        .filter(|k| match q.state.as_str() {
            "" => true,
            "open" => k.state != TicketState::Closed,
            code => k.state.code() == code,
        })
        .filter(|k| q.overdue != "1" || (k.state != TicketState::Closed && k.due < today))
        .filter(|k| {
            q.department.is_empty() || k.department.as_deref() == Some(q.department.as_str())
        })
        .filter(|k| q.village.is_empty() || k.village.starts_with(q.village.as_str()))
        .collect();
    if !q.format.is_empty() {
        return export(&state, &v, &q.format, &rows, today).await;
    }
    page(lang, Text::Tickets.get(lang), Some(&v), html! {
        form.filters method="get" action="/tickets" {
            label { (Text::Status.get(lang))
                select name="state" {
                    option value="" { (Text::Any.get(lang)) }
                    option value="open" selected[q.state == "open"] { (Text::NotClosed.get(lang)) }
                    @for s in TicketState::ALL { option value=(s.code()) selected[q.state == s.code()] { (s.localize(lang)) } }
                }
            }
            label { (Text::Department.get(lang)) input name="department" value=(q.department); }
            label { (Text::VillageCommunity.get(lang)) (division_select(lang, &v.places, &q.village)) }
            label { (Text::OverdueMark.get(lang))
                select name="overdue" {
                    option value="" { (Text::Any.get(lang)) }
                    option value="1" selected[q.overdue == "1"] { (Text::OverdueMark.get(lang)) }
                }
            }
            button type="submit" { (Text::Filter.get(lang)) }
            a #export-xlsx href={ "/tickets?format=xlsx&" (q.query()) } { (Text::ExportXlsx.get(lang)) }
            a #export-csv href={ "/tickets?format=csv&" (q.query()) } { (Text::ExportCsv.get(lang)) }
        }
        table.tickets {
            thead { tr {
                th { "#" } th { (Text::Kind.get(lang)) } th { (Text::Description.get(lang)) } th { (Text::VillageCommunity.get(lang)) }
                th { (Text::Status.get(lang)) } th { (Text::Due.get(lang)) } th {}
            } }
            tbody {
                @for k in &rows {
                    @let overdue = k.state != TicketState::Closed && k.due < today;
                    tr data-ticket=(k.id) {
                        td { a href={ "/visits/" (k.visit_id) } { (k.id) } }
                        td { (k.kind.localize(lang)) " · " (k.urgency.localize(lang)) }
                        td { (k.description)
                            @if let Some(d) = &k.department { br; (Text::Department.get(lang)) ": " (d) }
                            @if let Some(r) = &k.reply { br; (Text::Reply.get(lang)) ": " (r) }
                            @if let Some(o) = &k.outcome { br; (Text::Close.get(lang)) ": " (o) } }
                        td { (v.places.village(&k.village)) }
                        td.state { (k.state.localize(lang)) }
                        td.overdue[overdue] { (k.due) @if overdue { " " (Text::OverdueMark.get(lang)) } }
                        td {
                            @if k.state != TicketState::Closed {
                                form.advance method="post" action={ "/tickets/" (k.id) "/advance" } {
                                    input type="hidden" name="csrf" value=(v.session.csrf);
                                    @match k.state {
                                        TicketState::Accepted => {
                                            input type="hidden" name="step" value="transfer";
                                            input name="text" placeholder=(Text::Department.get(lang)) required;
                                            input name="due" type="date" required;
                                            button { (Text::Transfer.get(lang)) }
                                        }
                                        TicketState::Transferred => {
                                            input type="hidden" name="step" value="reply";
                                            input name="text" placeholder=(Text::Reply.get(lang)) required;
                                            input name="due" type="date" required;
                                            button { (Text::Reply.get(lang)) }
                                        }
                                        _ => {
                                            input type="hidden" name="step" value="close";
                                            input name="text" placeholder=(Text::Close.get(lang)) required;
                                            button { (Text::Close.get(lang)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
    .into_response()
}

/// The filtered ledger as XLSX or CSV; the export is on the audit log.
async fn export(
    state: &AppState,
    v: &super::session::Visitor,
    format: &str,
    rows: &[crate::ledger::TicketRow],
    today: NaiveDate,
) -> Response {
    let (login, area, now) = (v.session.login.clone(), v.session.area.clone(), state.now());
    if let Err(e) = stored(state, move |s| async move {
        s.audit(&login, "export-tickets", &area, now).await
    })
    .await
    {
        return e.into_response();
    }
    let name = format!("tickets-{}-{today}", v.session.area);
    let (kind, ext, bytes) = match format {
        "csv" => (
            "text/csv; charset=utf-8",
            "csv",
            super::ledger_export::csv(v.lang, &v.places, rows, today),
        ),
        _ => match super::ledger_export::xlsx(v.lang, &v.places, rows, today) {
            Ok(b) => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                b,
            ),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        axum::body::Body::from(bytes),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct AdvanceForm {
    csrf: String,
    step: String,
    text: String,
    #[serde(default)]
    due: String,
}

pub async fn advance_ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<AdvanceForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let due = NaiveDate::parse_from_str(&f.due, "%Y-%m-%d").ok();
    let step = match (f.step.as_str(), due) {
        ("transfer", Some(due)) => Step::Transfer {
            department: f.text,
            due,
        },
        ("reply", Some(due)) => Step::Reply { text: f.text, due },
        ("close", _) => Step::Close { outcome: f.text },
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    let (area, login, now) = (v.session.area.clone(), v.session.login.clone(), state.now());
    let done = stored(&state, move |s| async move {
        Ok(advance(s.as_ref(), &id, Some(&area), &step, &login, now).await)
    })
    .await;
    match done {
        Ok(Ok(_)) => Redirect::to("/tickets").into_response(),
        Ok(Err(LedgerError::Storage(StorageError::NotFound))) => not_found(v.lang, Some(&v)),
        Ok(Err(
            e @ (LedgerError::OutOfOrder { .. }
            | LedgerError::TextRequired
            | LedgerError::Storage(StorageError::Changed)),
        )) => (StatusCode::CONFLICT, e.localize(v.lang)).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "ticket step failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => e.into_response(),
    }
}
