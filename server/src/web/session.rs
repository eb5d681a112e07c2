//! Supervisors' sessions: login with a rate limit, an HttpOnly SameSite=Strict cookie
//! (Secure under TLS) naming a server-side session, and a CSRF token every form carries.
//! The cookie's token is kept only hashed, like enrolment codes.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::text::{Lang, Text};
use doorstep_crypto::{hex, random_hex, sha256, verify_password};
use maud::html;
use serde::Deserialize;

use super::layout::{lang_of, page};
use super::local::Zone;
use super::places::Places;
use crate::api::{stored, AppState};
use crate::storage::web::SessionRow;

const COOKIE: &str = "doorstep_session";
/// A working day.
const SESSION_SECS: i64 = 10 * 3600;
/// Failed logins allowed per login name within the window.
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// A logged-in supervisor on this request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub session: SessionRow,
    pub lang: Lang,
    /// The names of the divisions in the supervisor's area.
    pub places: Places,
    /// The county's time zone.
    pub zone: Zone,
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The supervisor behind the request's cookie, or a redirect to the login page.
pub async fn visitor(state: &AppState, headers: &HeaderMap) -> Result<Visitor, Response> {
    let lang = lang_of(headers);
    let Some(token) = cookie(headers, COOKIE).map(str::to_owned) else {
        return Err(Redirect::to("/login").into_response());
    };
    let now = state.now();
    // The session and its area's names in one trip: every page shows names, not codes.
    let found = stored(state, move |s| async move {
        let Some(session) = s.session(&hex(&sha256(token.as_bytes())), now).await? else {
            return Ok(None);
        };
        let names = s
            .division_names(crate::storage::rules::county_of(&session.area))
            .await?;
        Ok(Some((session, names)))
    })
    .await;
    match found {
        Ok(Some((session, names))) => Ok(Visitor {
            places: Places::new(names, &session.area),
            session,
            lang,
            zone: state.zone,
        }),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// The supervisor posting a form, once its CSRF token is checked against the session's.
pub async fn posting(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Visitor, Response> {
    let v = visitor(state, headers).await?;
    check_csrf(&v, csrf)?;
    Ok(v)
}

/// Refuses a form whose CSRF token is not this session's.
pub fn check_csrf(v: &Visitor, token: &str) -> Result<(), Response> {
    let expected = v.session.csrf.as_bytes();
    let ok = expected.len() == token.len()
        && expected
            .iter()
            .zip(token.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if ok {
        Ok(())
    } else {
        let body = page(
            v.lang,
            Text::AppTitle.get(v.lang),
            None,
            html! {
                p.error { (Text::FormExpired.get(v.lang)) }
            },
        );
        Err((StatusCode::FORBIDDEN, body).into_response())
    }
}

fn login_form(lang: Lang, error: Option<Text>) -> Html<String> {
    page(
        lang,
        Text::LogIn.get(lang),
        None,
        html! {
            form.login method="post" action="/login" {
                @if let Some(e) = error { p.error { (e.get(lang)) } }
                label { (Text::LoginName.get(lang)) input name="login" autocomplete="username" required; }
                label { (Text::Password.get(lang)) input name="password" type="password" autocomplete="current-password" required; }
                button type="submit" { (Text::LogIn.get(lang)) }
            }
        },
    )
}

pub async fn login_page(headers: HeaderMap) -> Html<String> {
    login_form(lang_of(&headers), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

/// Whether `login` may try again now. Failures are counted in the database, so the limit
/// holds across every server process on it.
async fn allowed(state: &AppState, login: &str, now: i64) -> Result<bool, Response> {
    let login = login.to_owned();
    stored(state, move |s| async move {
        s.login_failures_since(&login, now - FAILURE_WINDOW_SECS + 1)
            .await
    })
    .await
    .map(|n| n < MAX_FAILURES)
    .map_err(IntoResponse::into_response)
}

async fn note_failure(state: &AppState, login: &str, now: i64) {
    let login = login.to_owned();
    if stored(state, move |s| async move {
        s.note_login_failure(&login, now).await
    })
    .await
    .is_err()
    {
        tracing::error!("a failed login could not be counted");
    }
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    let now = state.now();
    let name = f.login.trim().to_lowercase();
    let may = match allowed(&state, &name, now).await {
        Ok(may) => may,
        Err(r) => return r,
    };
    if !may {
        tracing::warn!("login rate limit reached");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            login_form(lang, Some(Text::TooManyAttempts)),
        )
            .into_response();
    }
    let lookup = name.clone();
    let supervisor = match stored(&state, move |s| async move { s.supervisor(&lookup).await }).await
    {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    // PBKDF2 takes a good fraction of a second: off the async workers, and run even for an
    // unknown login so that timing does not tell which logins exist.
    let hash = supervisor
        .as_ref()
        .map(|s| s.password_hash.clone())
        .unwrap_or_default();
    let password = f.password;
    let good = tokio::task::spawn_blocking(move || {
        let probe = if hash.is_empty() {
            "pbkdf2-sha256$600000$00$00"
        } else {
            hash.as_str()
        };
        verify_password(&password, probe) && !hash.is_empty()
    })
    .await
    .unwrap_or(false);
    // A disabled account is refused like a wrong password: the page tells nobody which
    // logins exist.
    let Some(sup) = supervisor.filter(|s| good && !s.disabled) else {
        note_failure(&state, &name, now).await;
        return (
            StatusCode::UNAUTHORIZED,
            login_form(lang, Some(Text::WrongLogin)),
        )
            .into_response();
    };
    let (Ok(token), Ok(csrf)) = (random_hex(32), random_hex(16)) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let token_hash = hex(&sha256(token.as_bytes()));
    let login = sup.login.clone();
    if let Err(e) = stored(&state, move |s| async move {
        s.create_session(&token_hash, &login, &csrf, now + SESSION_SECS)
            .await?;
        s.audit(&login, "login", &login, now).await
    })
    .await
    {
        return e.into_response();
    }
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if let Err(r) = posting(&state, &headers, &f.csrf).await {
        return r;
    }
    if let Some(token) = cookie(&headers, COOKIE).map(str::to_owned) {
        let _ = stored(&state, move |s| async move {
            s.delete_session(&hex(&sha256(token.as_bytes()))).await
        })
        .await;
    }
    let gone = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, gone)], Redirect::to("/login")).into_response()
}
