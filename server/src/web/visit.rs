//! One visit for review: the household (ID number masked), the map of fixes, the three doors,
//! subsidy checks (a protected subsidy never named), the checklist, signature and photos,
//! every flag in words, signature and chain status, the decision form and the history.
//! Every view is written to the audit log.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_core::model::{mask_id_number, Enrolment};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use super::layout::page;
use super::map;
use super::queue::when;
use super::session::{posting, visitor, Visitor};
use super::text::{flag, t, word, Lang};
use crate::admin::{self, AdminError};
use crate::api::{blocking, AppState};
use crate::storage::web::VisitView;
use crate::storage::{Decision, StorageError};

pub fn not_found(lang: Lang, v: Option<&Visitor>) -> Response {
    (
        StatusCode::NOT_FOUND,
        page(lang, t(lang, "Not found"), v, html! {}),
    )
        .into_response()
}

/// Subsidy code → its name, or `None` for a protected one (never named on a page).
fn subsidy_names(recipient: &serde_json::Map<String, Value>) -> HashMap<String, Option<String>> {
    recipient
        .get("enrolments")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(';')
        .filter_map(|raw| Enrolment::parse(raw).ok())
        .map(|e| (e.code, (!e.protected).then_some(e.short_name)))
        .collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(text_of).collect())
        .unwrap_or_default()
}

fn doors(lang: Lang, r: &Value, names: &HashMap<String, Option<String>>) -> Markup {
    let subsidies = r.get("subsidies").and_then(Value::as_object);
    html! {
        section {
            h2 { (t(lang, "Knock")) }
            dl {
                dt { (t(lang, "Outcome")) } dd.outcome { (r.get("outcome").map(text_of).unwrap_or_default()) }
                dt { (t(lang, "Present")) } dd { (list(r.get("present")).join("、")) }
            }
        }
        section {
            h2 { (t(lang, "Care")) }
            h3 { (t(lang, "Subsidies")) }
            ul.subsidies {
                @for (code, check) in subsidies.into_iter().flatten() {
                    li {
                        @match names.get(code) {
                            Some(Some(name)) => { (name) }
                            _ => { "（" (t(lang, "protected subsidy")) "）" }
                        }
                        ": " (check.get("arrived").map(text_of).unwrap_or_default())
                        @if let Some(fen) = check.get("amount_fen").and_then(Value::as_i64) {
                            " · ¥" (format!("{}.{:02}", fen / 100, fen % 100))
                        }
                    }
                }
            }
            dl {
                dt { (t(lang, "Policies explained")) } dd { (list(r.get("policies_explained")).join("、")) }
                dt { (t(lang, "Living situation")) } dd { (r.get("living_situation").map(text_of).unwrap_or_default()) }
                dt { (t(lang, "Needs")) } dd { (r.get("needs").map(text_of).unwrap_or_default()) }
            }
        }
        section {
            h2 { (t(lang, "Open")) }
            dl {
                dt { (t(lang, "Questions answered")) } dd { (list(r.get("questions_answered")).join("；")) }
                dt { (t(lang, "Satisfaction")) }
                dd { (r.pointer("/satisfaction/level").map(text_of).unwrap_or_default()) " " (r.pointer("/satisfaction/comment").map(text_of).unwrap_or_default()) }
            }
            @if let Some(tickets) = r.get("tickets").and_then(Value::as_array).filter(|a| !a.is_empty()) {
                h3 { (t(lang, "Tickets")) }
                ul { @for k in tickets {
                    li { (k.get("kind").map(text_of).unwrap_or_default()) ": " (k.get("description").map(text_of).unwrap_or_default())
                        " (" (t(lang, "Due")) " " (k.get("due").map(text_of).unwrap_or_default()) ")" }
                } }
            }
        }
    }
}

fn evidence(lang: Lang, r: &Value, view: &VisitView) -> Markup {
    let signer = r.pointer("/signature/signer");
    let role = match signer {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) => match m.iter().next() {
            Some((k, detail)) if k == "proxy" => format!(
                "proxy: {} ({})",
                detail.get("name").map(text_of).unwrap_or_default(),
                detail.get("relation").map(text_of).unwrap_or_default()
            ),
            Some((k, _)) => k.clone(),
            None => String::new(),
        },
        _ => t(lang, "none").to_owned(),
    };
    let flags = r
        .get("flags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    html! {
        section {
            h2 { (t(lang, "Checklist")) }
            ul.checklist { @for (k, a) in r.get("checklist").and_then(Value::as_object).into_iter().flatten() {
                li { (k) ": " (match a { Value::Object(m) => m.get("problem").and_then(|p| p.get("note")).map(|n| format!("problem — {}", text_of(n))).unwrap_or_default(), other => text_of(other) }) }
            } }
        }
        section {
            h2 { (t(lang, "Signature")) }
            p.signer { (role) " · " (r.pointer("/signature/attested").map(text_of).unwrap_or_default()) }
            @if let Some(sha) = r.pointer("/signature/image_sha256").and_then(Value::as_str) {
                img.sig src={ "/media/" (sha) } alt=(t(lang, "Signature"));
            }
            h2 { (t(lang, "Photos")) }
            @for sha in list(r.get("photos")) { img.photo src={ "/media/" (sha) } alt=(t(lang, "Photos")); }
            h2 { (t(lang, "Notes")) }
            ul { @for n in list(r.get("notes")) { li { (n) } } }
        }
        section.flags {
            h2 { (t(lang, "Flags")) }
            ul {
                @for f in &flags {
                    @let kind = f.get("flag").and_then(Value::as_str).unwrap_or("");
                    li { span.flag { (kind) } " " (flag(lang, kind, f)) }
                }
                @for kind in &view.server_flags {
                    li { span.flag { (kind) } " " (flag(lang, kind, &Value::Null)) }
                }
                @if flags.is_empty() && view.server_flags.is_empty() { li { (t(lang, "none")) } }
            }
            p {
                @if view.signature_ok { span.ok { (t(lang, "Signature valid")) } } @else { span.error { (t(lang, "Signature INVALID")) } }
                " · " (t(lang, "Chain")) ": " (format!("{:?}", view.chain).to_lowercase())
            }
        }
    }
}

fn render(
    lang: Lang,
    v: &Visitor,
    view: &VisitView,
    tiles: Option<&str>,
    error: Option<&'static str>,
) -> Html<String> {
    let record: Value = serde_json::from_slice(&view.record).unwrap_or(Value::Null);
    let names = subsidy_names(&view.recipient);
    let field = |k: &str| view.recipient.get(k).map(text_of).unwrap_or_default();
    let title = format!("{} {}", t(lang, "Visit"), view.visit_id);
    page(
        lang,
        &title,
        Some(v),
        html! {
            section {
                dl {
                    dt { (t(lang, "Status")) } dd #status { (word(lang, &view.status)) }
                    dt { (t(lang, "Household")) } dd { (field("name")) " · " (view.village) }
                    dt { (t(lang, "ID number")) } dd { (mask_id_number(&field("id_number"))) }
                    dt { (t(lang, "Worker")) } dd { (view.worker) }
                    dt { (t(lang, "Started")) } dd { (record.get("started_at").map(text_of).unwrap_or_default()) }
                    @if let Some(orig) = &view.corrects {
                        dt { (t(lang, "Corrects")) } dd { a href={ "/visits/" (orig) } { (orig) } }
                    }
                }
            }
            section { h2 { (t(lang, "Map")) } (map::draw(lang, &record, tiles)) }
            (doors(lang, &record, &names))
            (evidence(lang, &record, view))
            section {
                h2 { (t(lang, "History")) }
                ul.history {
                    @for d in &view.decisions { li { (when(d.at)) " · " (word(lang, d.decision.status())) " · " (d.comment) } }
                    @for c in &view.corrected_by { li { (t(lang, "Corrected by")) " " a href={ "/visits/" (c) } { (c) } } }
                }
                @if view.status == "submitted" {
                    form.decide method="post" action={ "/visits/" (view.visit_id) "/decide" } {
                        @if let Some(e) = error { p.error { (t(lang, e)) } }
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        label { (t(lang, "Comment (required to return or reject)")) br; textarea name="comment" rows="3" cols="50" {} }
                        p {
                            button name="decision" value="approve" { (t(lang, "Approve")) } " "
                            button name="decision" value="return" { (t(lang, "Return for correction")) } " "
                            button name="decision" value="reject" { (t(lang, "Reject")) }
                        }
                    }
                }
            }
        },
    )
}

async fn load(state: &AppState, v: &Visitor, id: String) -> Result<VisitView, Response> {
    let area = v.session.area.clone();
    let (login, now) = (v.session.login.clone(), state.now());
    match blocking(state, move |s| {
        let view = s.visit_view(&id, &area)?;
        if view.is_some() {
            // Every view of a visit (and so of its household) is on the record.
            s.audit(&login, "view-visit", &id, now)?;
        }
        Ok(view)
    })
    .await
    {
        Ok(Some(view)) => Ok(view),
        Ok(None) => Err(not_found(v.lang, Some(v))),
        Err(e) => Err(e.into_response()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match load(&state, &v, id).await {
        Ok(view) => render(v.lang, &v, &view, state.tiles.as_deref(), None).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(decision) = Decision::parse(&f.decision) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let (area, login, now, vid) = (
        v.session.area.clone(),
        v.session.login.clone(),
        state.now(),
        id.clone(),
    );
    let comment = f.comment;
    let decided = blocking(&state, move |s| {
        Ok(admin::review(
            s,
            &vid,
            Some(&area),
            decision,
            &comment,
            &login,
            now,
        ))
    })
    .await;
    let error = match decided {
        Ok(Ok(())) => return Redirect::to(&format!("/visits/{id}")).into_response(),
        Ok(Err(AdminError::CommentRequired)) => "A comment is required to return or reject",
        Ok(Err(AdminError::Storage(StorageError::AlreadyDecided))) => {
            "This visit has already been decided"
        }
        Ok(Err(AdminError::Storage(StorageError::NotFound))) => return not_found(v.lang, Some(&v)),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "decision failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Err(e) => return e.into_response(),
    };
    match load(&state, &v, id).await {
        Ok(view) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(v.lang, &v, &view, state.tiles.as_deref(), Some(error)),
        )
            .into_response(),
        Err(r) => r,
    }
}

/// A photo or signature image of a visit in the supervisor's area.
pub async fn media(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return not_found(v.lang, Some(&v));
    }
    let area = v.session.area.clone();
    match blocking(&state, move |s| {
        s.media_bytes(&sha.to_ascii_lowercase(), &area)
    })
    .await
    {
        Ok(Some(bytes)) => {
            let kind = if bytes.starts_with(b"\x89PNG") {
                "image/png"
            } else {
                "image/jpeg"
            };
            (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CACHE_CONTROL, "private, max-age=86400"),
                ],
                Body::from(bytes),
            )
                .into_response()
        }
        Ok(None) => not_found(v.lang, Some(&v)),
        Err(e) => e.into_response(),
    }
}
