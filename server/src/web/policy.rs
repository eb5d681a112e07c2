//! The policy record as the county sets it: how often each category is visited, the
//! geofence and the other thresholds the authenticity flags judge by, the photo size. A
//! county supervisor issues a new version for the county (on the audit log, taken by every
//! device of the county with its next sync); a township supervisor reads the one in force.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::policy::Policy;
use doorstep_contract::text::{Lang, Localize, Text};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::session::{posting, visitor, Visitor};
use crate::admin::{self, AdminError};
use crate::api::{stored, AppState};
use crate::storage::rules;

/// Whether the supervisor sets the policy: one whose area is a whole county (or wider).
pub fn sets_policy(v: &Visitor) -> bool {
    v.session.area.len() <= 6
}

/// The form's fields: name, label, value, step.
fn fields(p: &Policy) -> Vec<(&'static str, Text, String, &'static str)> {
    let i = &p.visit_intervals;
    let e = &p.evidence;
    vec![
        ("elderly", Text::IntervalElderly, i.elderly.to_string(), "1"),
        (
            "seriously_ill",
            Text::IntervalSeriouslyIll,
            i.seriously_ill.to_string(),
            "1",
        ),
        (
            "disabled",
            Text::IntervalDisabled,
            i.disabled.to_string(),
            "1",
        ),
        ("minor", Text::IntervalMinor, i.minor.to_string(), "1"),
        (
            "geofence_m",
            Text::PolicyGeofence,
            e.geofence_m.to_string(),
            "any",
        ),
        (
            "max_accuracy_m",
            Text::PolicyAccuracy,
            e.max_accuracy_m.to_string(),
            "any",
        ),
        (
            "max_fix_age_s",
            Text::PolicyFixAge,
            e.max_fix_age_s.to_string(),
            "1",
        ),
        (
            "min_minutes_met",
            Text::PolicyMinutesMet,
            e.min_minutes_met.to_string(),
            "1",
        ),
        (
            "min_minutes_attempt",
            Text::PolicyMinutesAttempt,
            e.min_minutes_attempt.to_string(),
            "1",
        ),
        (
            "max_speed_kmh",
            Text::PolicySpeed,
            e.max_speed_kmh.to_string(),
            "any",
        ),
        (
            "same_spot_m",
            Text::PolicySameSpot,
            e.same_spot_m.to_string(),
            "any",
        ),
        (
            "same_spot_days",
            Text::PolicySameSpotDays,
            e.same_spot_days.to_string(),
            "1",
        ),
        (
            "max_clock_skew_s",
            Text::PolicyClockSkew,
            e.max_clock_skew_s.to_string(),
            "1",
        ),
        (
            "photo_long_edge",
            Text::PolicyPhotoEdge,
            p.photo_long_edge.to_string(),
            "1",
        ),
    ]
}

fn render(lang: Lang, v: &Visitor, p: &Policy, error: Option<String>) -> Markup {
    let editable = sets_policy(v);
    html! {
        p { (Text::PolicyVersion.get(lang)) " " strong #version { (p.version) } }
        @if let Some(e) = error { p.error #policy-error { (e) } }
        form.policy method="post" action="/policy" {
            input type="hidden" name="csrf" value=(v.session.csrf);
            table { tbody {
                @for (name, label, value, step) in fields(p) {
                    tr { th { label for=(name) { (label.get(lang)) } }
                        td { input id=(name) name=(name) type="number" min="0" step=(step) value=(value) required disabled[!editable]; } }
                }
            } }
            @if editable { p { button { (Text::IssuePolicy.get(lang)) } } }
            @else { p { (Text::PolicyByCounty.get(lang)) } }
        }
        section {
            h2 { (Text::PoliciesExplained.get(lang)) }
            ul.topics { @for t in &p.topics { li { (match lang { Lang::Zh => &t.title.zh, Lang::En => &t.title.en }) } } }
        }
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let area = v.session.area.clone();
    match stored(&state, move |s| async move { s.policy(&area).await }).await {
        Ok(p) => page(
            v.lang,
            Text::Policy.get(v.lang),
            Some(&v),
            render(v.lang, &v, &p, None),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct PolicyForm {
    csrf: String,
    elderly: String,
    seriously_ill: String,
    disabled: String,
    minor: String,
    geofence_m: String,
    max_accuracy_m: String,
    max_fix_age_s: String,
    min_minutes_met: String,
    min_minutes_attempt: String,
    max_speed_kmh: String,
    same_spot_m: String,
    same_spot_days: String,
    max_clock_skew_s: String,
    photo_long_edge: String,
}

/// The form's values over the policy in force (its topics and the thresholds the form does
/// not show stay); `None` if any is not a number.
fn apply(f: &PolicyForm, mut p: Policy) -> Option<Policy> {
    fn n<T: std::str::FromStr>(s: &str) -> Option<T> {
        s.trim().parse().ok()
    }
    p.visit_intervals.elderly = n(&f.elderly)?;
    p.visit_intervals.seriously_ill = n(&f.seriously_ill)?;
    p.visit_intervals.disabled = n(&f.disabled)?;
    p.visit_intervals.minor = n(&f.minor)?;
    let e = &mut p.evidence;
    e.geofence_m = n(&f.geofence_m)?;
    e.max_accuracy_m = n(&f.max_accuracy_m)?;
    e.max_fix_age_s = n(&f.max_fix_age_s)?;
    e.min_minutes_met = n(&f.min_minutes_met)?;
    e.min_minutes_attempt = n(&f.min_minutes_attempt)?;
    e.max_speed_kmh = n(&f.max_speed_kmh)?;
    e.same_spot_m = n(&f.same_spot_m)?;
    e.same_spot_days = n(&f.same_spot_days)?;
    e.max_clock_skew_s = n(&f.max_clock_skew_s)?;
    p.photo_long_edge = n(&f.photo_long_edge)?;
    Some(p)
}

pub async fn issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<PolicyForm>,
) -> Response {
    let v = match posting(&state, &headers, &f.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    if !sets_policy(&v) {
        return (
            StatusCode::FORBIDDEN,
            page(
                lang,
                Text::Policy.get(lang),
                Some(&v),
                html! { p.error { (Text::PolicyByCounty.get(lang)) } },
            ),
        )
            .into_response();
    }
    let (area, login, now) = (
        rules::county_of(&v.session.area).to_owned(),
        v.session.login.clone(),
        state.now(),
    );
    let done = stored(&state, move |s| async move {
        let current = s.policy(&area).await?;
        let Some(next) = apply(&f, current.clone()) else {
            return Ok(Err((current, Text::PolicyNotNumbers.get(lang).to_owned())));
        };
        Ok(
            match admin::issue_policy(s.as_ref(), &area, &next, &login, now).await {
                Ok(_) => Ok(()),
                Err(AdminError::Storage(e)) => return Err(e),
                Err(e) => Err((next, e.localize(lang))),
            },
        )
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/policy").into_response(),
        Ok(Err((shown, why))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                lang,
                Text::Policy.get(lang),
                Some(&v),
                render(lang, &v, &shown, Some(why)),
            ),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
