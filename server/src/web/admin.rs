//! Administration for a supervisor's area: the workers and their devices (revoke one), the
//! enrolment codes not yet used (issue a new one: shown once), and roster import with the
//! same line-by-line errors as the CLI, nothing imported on error.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::roster::RosterError;
use doorstep_contract::text::{Localize, Text};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::session::{check_csrf, posting, visitor, Visitor};
use crate::admin::{self, AdminError};
use crate::api::{stored, AppState};

/// What a form just did, shown above the lists.
enum Outcome {
    Nothing,
    Code(String, String),
    Imported(usize),
    RowErrors(Vec<String>),
    Error(String),
}

async fn render(state: &AppState, v: &Visitor, outcome: Outcome) -> Response {
    let lang = v.lang;
    let (area, now) = (v.session.area.clone(), state.now());
    let found = stored(state, move |s| async move {
        Ok((s.devices_in(&area).await?, s.open_codes(&area, now).await?))
    })
    .await;
    let (devices, codes) = match found {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let status = match outcome {
        Outcome::RowErrors(_) | Outcome::Error(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let said: Markup = match &outcome {
        Outcome::Nothing => html! {},
        Outcome::Code(worker, code) => html! { p.ok #new-code { (worker) ": " strong { (code) } } },
        Outcome::Imported(n) => html! { p.ok #imported { (n) } },
        Outcome::RowErrors(lines) => {
            html! { div.error #row-errors { ul { @for l in lines { li { (l) } } } } }
        }
        Outcome::Error(e) => html! { p.error { (e) } },
    };
    let csrf = &v.session.csrf;
    let body = html! {
        (said)
        section {
            h2 { (Text::Devices.get(lang)) }
            table.devices {
                thead { tr { th { (Text::Worker.get(lang)) } th { (Text::DeviceIdHeading.get(lang)) } th { (Text::Enrolled.get(lang)) } th { (Text::VisitHeading.get(lang)) } th {} } }
                tbody { @for d in &devices {
                    tr data-device=(d.id) {
                        td { (d.worker) } td { code { (d.id) } } td { (v.zone.when(d.enrolled_at)) } td { (d.visits) }
                        td { @if d.revoked { (Text::Revoked.get(lang)) } @else {
                            form method="post" action="/admin/revoke" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="device" value=(d.id);
                                button { (Text::Revoke.get(lang)) }
                            }
                        } }
                    }
                } }
            }
        }
        section {
            h2 { (Text::EnrolmentCodes.get(lang)) }
            ul.codes { @for c in &codes { li { (c.worker) " · " (v.places.area(&c.area)) " · " (Text::Due.get(lang)) " " (v.zone.when(c.expires_at)) } } }
            form method="post" action="/admin/code" {
                input type="hidden" name="csrf" value=(csrf);
                input name="worker" placeholder=(Text::Worker.get(lang)) required;
                button { (Text::IssueCode.get(lang)) }
            }
        }
        section {
            h2 { (Text::RosterImport.get(lang)) }
            form method="post" action="/admin/roster" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                input type="file" name="roster" accept=".csv,.json,text/csv,application/json" required;
                button { (Text::Import.get(lang)) }
            }
        }
    };
    (
        status,
        page(lang, Text::Administration.get(lang), Some(v), body),
    )
        .into_response()
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match visitor(&state, &headers).await {
        Ok(v) => render(&state, &v, Outcome::Nothing).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    worker: String,
}

pub async fn issue_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (area, now, worker) = (v.session.area.clone(), state.now(), f.worker.clone());
    let issued = stored(&state, move |s| async move {
        Ok(admin::enrolment_code(s.as_ref(), &worker, &area, now).await)
    })
    .await;
    let outcome = match issued {
        Ok(Ok(code)) => Outcome::Code(f.worker, code),
        Ok(Err(e)) => Outcome::Error(e.localize(v.lang)),
        Err(e) => return e.into_response(),
    };
    render(&state, &v, outcome).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    device: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<RevokeForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let area = v.session.area.clone();
    let (login, now) = (v.session.login.clone(), state.now());
    let done = stored(&state, move |s| async move {
        // Only a device of this supervisor's area; anything else is not found.
        let Some(d) = s
            .device(&f.device)
            .await?
            .filter(|d| d.area.starts_with(&area))
        else {
            return Ok(false);
        };
        s.revoke_device(&d.id, now).await?;
        s.audit(&login, "revoke-device", &d.id, now).await?;
        Ok(true)
    })
    .await;
    match done {
        Ok(true) => Redirect::to("/admin").into_response(),
        Ok(false) => super::visit::not_found(v.lang, Some(&v)),
        Err(e) => e.into_response(),
    }
}

pub async fn import_roster(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("roster") => bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    if let Err(r) = check_csrf(&v, &csrf) {
        return r;
    }
    let today = v.zone.today(state.now());
    let (area, now, login) = (v.session.area.clone(), state.now(), v.session.login.clone());
    let lang = v.lang;
    let done = stored(&state, move |s| async move {
        let r = admin::import_roster(s.as_ref(), &area, &bytes, today, now).await;
        if r.is_ok() {
            s.audit(&login, "import-roster", &area, now).await?;
        }
        Ok(r)
    })
    .await;
    let outcome = match done {
        Ok(Ok(n)) => Outcome::Imported(n),
        Ok(Err(AdminError::Roster(RosterError::Rows(rows)))) => {
            Outcome::RowErrors(rows.iter().map(|r| r.localize(lang)).collect())
        }
        Ok(Err(AdminError::Roster(e))) => Outcome::Error(e.localize(lang)),
        Ok(Err(e)) => Outcome::Error(e.localize(v.lang)),
        Err(e) => return e.into_response(),
    };
    render(&state, &v, outcome).await
}
