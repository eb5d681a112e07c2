//! The service-problem ledger page: the area's tickets, oldest due first, overdue ones
//! marked, filtered by state, department and village, each with the form for its next step.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use maud::html;
use serde::Deserialize;

use super::layout::page;
use super::queue::cst;
use super::session::{posting, visitor};
use super::text::{t, word};
use super::visit::not_found;
use crate::api::{blocking, AppState};
use crate::ledger::{advance, LedgerError, Step, TicketState};
use crate::storage::StorageError;

#[derive(Debug, Default, Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    village: String,
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
    let all = match blocking(&state, move |s| s.tickets_in(&area)).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let today = chrono::Utc::now().with_timezone(&cst()).date_naive();
    let rows: Vec<_> = all
        .into_iter()
        .filter(|k| q.state.is_empty() || k.state.as_str() == q.state)
        .filter(|k| {
            q.department.is_empty() || k.department.as_deref() == Some(q.department.as_str())
        })
        .filter(|k| q.village.is_empty() || k.village.starts_with(q.village.as_str()))
        .collect();
    let states = ["accepted", "transferred", "replied", "closed"];
    page(lang, t(lang, "Tickets"), Some(&v), html! {
        form.filters method="get" action="/tickets" {
            label { (t(lang, "Status"))
                select name="state" {
                    option value="" { (t(lang, "any")) }
                    @for s in states { option value=(s) selected[q.state == s] { (word(lang, s)) } }
                }
            }
            label { (t(lang, "Department")) input name="department" value=(q.department); }
            label { (t(lang, "Village")) input name="village" value=(q.village) inputmode="numeric"; }
            button type="submit" { (t(lang, "Filter")) }
        }
        table.tickets {
            thead { tr {
                th { "#" } th { (t(lang, "Kind")) } th { (t(lang, "Description")) } th { (t(lang, "Village")) }
                th { (t(lang, "Status")) } th { (t(lang, "Due")) } th {}
            } }
            tbody {
                @for k in &rows {
                    @let overdue = k.state != TicketState::Closed && k.due < today;
                    tr data-ticket=(k.id) {
                        td { a href={ "/visits/" (k.visit_id) } { (k.id) } }
                        td { (k.kind) " · " (k.urgency) }
                        td { (k.description)
                            @if let Some(d) = &k.department { br; (t(lang, "Department")) ": " (d) }
                            @if let Some(r) = &k.reply { br; (t(lang, "Reply")) ": " (r) }
                            @if let Some(o) = &k.outcome { br; (t(lang, "Close")) ": " (o) } }
                        td { (k.village) }
                        td.state { (word(lang, k.state.as_str())) }
                        td.overdue[overdue] { (k.due) @if overdue { " " (t(lang, "overdue")) } }
                        td {
                            @if k.state != TicketState::Closed {
                                form.advance method="post" action={ "/tickets/" (k.id) "/advance" } {
                                    input type="hidden" name="csrf" value=(v.session.csrf);
                                    @match k.state {
                                        TicketState::Accepted => {
                                            input type="hidden" name="step" value="transfer";
                                            input name="text" placeholder=(t(lang, "Department")) required;
                                            input name="due" type="date" required;
                                            button { (t(lang, "Transfer")) }
                                        }
                                        TicketState::Transferred => {
                                            input type="hidden" name="step" value="reply";
                                            input name="text" placeholder=(t(lang, "Reply")) required;
                                            input name="due" type="date" required;
                                            button { (t(lang, "Reply")) }
                                        }
                                        _ => {
                                            input type="hidden" name="step" value="close";
                                            input name="text" placeholder=(t(lang, "Close")) required;
                                            button { (t(lang, "Close")) }
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
    let done = blocking(&state, move |s| {
        Ok(advance(s, &id, Some(&area), &step, &login, now))
    })
    .await;
    match done {
        Ok(Ok(_)) => Redirect::to("/tickets").into_response(),
        Ok(Err(LedgerError::Storage(StorageError::NotFound))) => not_found(v.lang, Some(&v)),
        Ok(Err(
            e @ (LedgerError::OutOfOrder { .. }
            | LedgerError::TextRequired
            | LedgerError::Storage(StorageError::Changed)),
        )) => (StatusCode::CONFLICT, e.to_string()).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "ticket step failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => e.into_response(),
    }
}
