//! The supervisors of an area, managed by those above them: add one (for the area or a
//! township of it), disable or enable one, set a new password for one who forgot theirs,
//! and change one's own. Every change is on the audit log under the supervisor who made it,
//! and ends the changed supervisor's sessions.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::text::{Localize, Text};
use doorstep_crypto::verify_password;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::session::{posting, visitor, Visitor};
use crate::admin::{self, AdminError, Change};
use crate::api::{stored, AppState};

async fn render(state: &AppState, v: &Visitor, said: Option<(bool, String)>) -> Response {
    let lang = v.lang;
    let area = v.session.area.clone();
    let people = match stored(state, move |s| async move { s.supervisors_in(&area).await }).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let csrf = &v.session.csrf;
    let status = match &said {
        Some((false, _)) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let body: Markup = html! {
        @if let Some((ok, text)) = &said {
            p #said class=(if *ok { "ok" } else { "error" }) { (text) }
        }
        section {
            h2 { (Text::Supervisors.get(lang)) }
            table.supervisors {
                thead { tr { th { (Text::LoginName.get(lang)) } th { (Text::AreaHeading.get(lang)) } th { (Text::Status.get(lang)) } th {} } }
                tbody { @for p in &people {
                    tr data-login=(p.login) {
                        td { (p.login) }
                        td { (v.places.area(&p.area)) }
                        td.state { @if p.disabled { (Text::Disabled.get(lang)) } @else { (Text::Active.get(lang)) } }
                        td { @if p.login != v.session.login {
                            form.toggle method="post" action="/people/change" style="display:inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="login" value=(p.login);
                                @if p.disabled {
                                    button name="action" value="enable" { (Text::Enable.get(lang)) }
                                } @else {
                                    button name="action" value="disable" { (Text::Disable.get(lang)) }
                                }
                            }
                            " "
                            form.reset method="post" action="/people/change" style="display:inline" {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="login" value=(p.login);
                                input name="password" type="password" minlength="8" placeholder=(Text::NewPassword.get(lang)) required;
                                button name="action" value="password" { (Text::ResetPassword.get(lang)) }
                            }
                        } }
                    }
                } }
            }
        }
        section {
            h2 { (Text::AddSupervisor.get(lang)) }
            form.add method="post" action="/people/add" {
                input type="hidden" name="csrf" value=(csrf);
                label { (Text::LoginName.get(lang)) " " input name="login" required pattern="[A-Za-z0-9._-]+"; } " "
                label { (Text::AreaHeading.get(lang)) " "
                    select name="area" {
                        option value=(v.session.area) { (v.places.area(&v.session.area)) }
                        @for (code, name) in v.places.townships() { option value=(code) { (name) } }
                    }
                } " "
                label { (Text::Password.get(lang)) " " input name="password" type="password" minlength="8" required; } " "
                button { (Text::AddSupervisor.get(lang)) }
            }
        }
        section {
            h2 { (Text::ChangeOwnPassword.get(lang)) }
            form.own method="post" action="/people/own" {
                input type="hidden" name="csrf" value=(csrf);
                label { (Text::CurrentPassword.get(lang)) " " input name="current" type="password" required; } " "
                label { (Text::NewPassword.get(lang)) " " input name="password" type="password" minlength="8" required; } " "
                button { (Text::ChangeOwnPassword.get(lang)) }
            }
        }
    };
    (
        status,
        page(lang, Text::Supervisors.get(lang), Some(v), body),
    )
        .into_response()
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match visitor(&state, &headers).await {
        Ok(v) => render(&state, &v, None).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct ChangeForm {
    csrf: String,
    login: String,
    action: String,
    #[serde(default)]
    password: String,
}

/// Whether `v` manages `login`: another supervisor whose area lies within v's.
async fn manages(state: &AppState, v: &Visitor, login: &str) -> Result<bool, Response> {
    if login == v.session.login {
        return Ok(false);
    }
    let (login, area) = (login.to_owned(), v.session.area.clone());
    stored(state, move |s| async move {
        Ok(s.supervisor(&login)
            .await?
            .is_some_and(|p| p.area.starts_with(&area)))
    })
    .await
    .map_err(IntoResponse::into_response)
}

/// The page again, saying how an admin call went.
async fn answered(
    state: &AppState,
    v: &Visitor,
    done: Result<Result<(), AdminError>, crate::error::ApiError>,
) -> Response {
    match done {
        Ok(Ok(())) => render(state, v, Some((true, Text::Saved.get(v.lang).to_owned()))).await,
        Ok(Err(e)) => render(state, v, Some((false, e.localize(v.lang)))).await,
        Err(e) => e.into_response(),
    }
}

pub async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ChangeForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match manages(&state, &v, &f.login).await {
        Ok(true) => {}
        Ok(false) => return super::visit::not_found(v.lang, Some(&v)),
        Err(r) => return r,
    }
    let (actor, now) = (v.session.login.clone(), state.now());
    let ChangeForm {
        login,
        action,
        password,
        ..
    } = f;
    let done = stored(&state, move |s| async move {
        let change = match action.as_str() {
            "disable" => Change::Disable,
            "enable" => Change::Enable,
            _ => Change::Password(&password),
        };
        Ok(admin::change_supervisor(s.as_ref(), &actor, &login, change, now).await)
    })
    .await;
    answered(&state, &v, done).await
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    login: String,
    area: String,
    password: String,
}

pub async fn add(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<AddForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    // Only for the supervisor's own area or one within it.
    if !f.area.starts_with(&v.session.area) {
        return super::visit::not_found(v.lang, Some(&v));
    }
    let (actor, now) = (v.session.login.clone(), state.now());
    let login = f.login.trim().to_lowercase();
    let done = stored(&state, move |s| async move {
        Ok(admin::add_supervisor_as(s.as_ref(), &actor, &login, &f.area, &f.password, now).await)
    })
    .await;
    answered(&state, &v, done).await
}

#[derive(Deserialize)]
pub struct OwnForm {
    csrf: String,
    current: String,
    password: String,
}

/// One's own password, once the current one is given: this session ends with the others,
/// so the supervisor logs in again with the new one.
pub async fn own(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<OwnForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let login = v.session.login.clone();
    let hash = match stored(&state, move |s| async move { s.supervisor(&login).await }).await {
        Ok(Some(s)) => s.password_hash,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return e.into_response(),
    };
    let current = f.current;
    // PBKDF2 takes a good fraction of a second: off the async workers.
    let good = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
        .await
        .unwrap_or(false);
    if !good {
        return render(
            &state,
            &v,
            Some((false, Text::WrongLogin.get(v.lang).to_owned())),
        )
        .await;
    }
    let (login, now) = (v.session.login.clone(), state.now());
    let done = stored(&state, move |s| async move {
        Ok(admin::change_supervisor(
            s.as_ref(),
            &login,
            &login,
            Change::Password(&f.password),
            now,
        )
        .await)
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/login").into_response(),
        other => answered(&state, &v, other).await,
    }
}
