//! One visit for review: the household (ID number masked), the map of fixes, the three doors,
//! subsidy checks with the amount the household saw beside the amount due (a protected
//! subsidy never named), the checklist, signature and photos, every flag in words, signature
//! and chain status, the decision form and the history. Everything is read from the sealed
//! record through the same type the device sealed it with. Every view is written to the
//! audit log.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::text::{flag_kind, Lang, Localize, Text};
use doorstep_contract::wire::VisitStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::page;
use super::map;
use super::session::{posting, visitor, Visitor};
use crate::admin::{self, AdminError};
use crate::api::{stored, AppState};
use crate::storage::web::VisitView;
use crate::storage::{Decision, StorageError};

pub fn not_found(lang: Lang, v: Option<&Visitor>) -> Response {
    (
        StatusCode::NOT_FOUND,
        page(lang, Text::NotFound.get(lang), v, html! {}),
    )
        .into_response()
}

/// Fen as yuan with two decimals.
fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// A subsidy by the name the roster gives it, or "protected" (never its name).
fn subsidy_label(lang: Lang, h: &Household, code: &str) -> String {
    match h.subsidy(code).and_then(|s| s.name.clone()) {
        Some(name) => name,
        None => format!("（{}）", Text::ProtectedSubsidyShort.get(lang)),
    }
}

/// A topic of the policy list by its title, or one of the household's subsidies by the name
/// the roster gives it (a protected one unnamed).
fn topic_label(lang: Lang, policy: &Policy, h: &Household, code: &str) -> String {
    match policy.topics.iter().find(|t| t.code == code) {
        Some(t) => match lang {
            Lang::Zh => t.title.zh.clone(),
            Lang::En => t.title.en.clone(),
        },
        None if h.subsidy(code).is_some() => subsidy_label(lang, h, code),
        None => code.to_owned(),
    }
}

/// What a visit is read by: the policy in force where it happened (the geofence the map
/// draws, the topics' titles) and the checklist template version it answered (none if the
/// server holds no such version: its items then show by their keys).
struct ReadBy {
    policy: Policy,
    checklist: Option<ChecklistTemplate>,
}

/// A checklist item by its question in the template version the visit answered, its key
/// otherwise.
fn checklist_label(lang: Lang, template: Option<&ChecklistTemplate>, key: &str) -> String {
    template
        .and_then(|t| t.items.iter().find(|i| i.key == key))
        .map_or_else(
            || key.to_owned(),
            |i| match lang {
                Lang::Zh => i.label.zh.clone(),
                Lang::En => i.label.en.clone(),
            },
        )
}

fn doors(lang: Lang, r: &RecordV1, h: &Household, policy: &Policy) -> Markup {
    let topics: Vec<String> = r
        .policies_explained
        .iter()
        .map(|c| topic_label(lang, policy, h, c))
        .collect();
    html! {
        section {
            h2 { (Text::DoorKnock.get(lang)) }
            dl {
                dt { (Text::Outcome.get(lang)) }
                dd.outcome { @if let Some(o) = r.outcome { (o.localize(lang)) } }
                dt { (Text::Present.get(lang)) } dd { (r.present.join("、")) }
            }
        }
        section {
            h2 { (Text::DoorCare.get(lang)) }
            h3 { (Text::SubsidiesArrived.get(lang)) }
            ul.subsidies {
                @for (code, check) in &r.subsidies {
                    li data-subsidy=(code) {
                        (subsidy_label(lang, h, code)) ": " (check.arrived.localize(lang))
                        @if let Some(fen) = check.amount_seen_fen {
                            " · " span.seen { (Text::AmountSeen.get(lang)) " " (yuan(fen)) }
                        }
                        @if let Some(due) = h.subsidy(code).map(|s| s.amount_fen) {
                            " · " span.due { (Text::AmountDue.get(lang)) " " (yuan(due)) }
                        }
                        @match check.sms_received {
                            Some(true) => { " · " (Text::SmsReceived.get(lang)) }
                            Some(false) => { " · " (Text::SmsNotReceived.get(lang)) }
                            None => {}
                        }
                    }
                }
            }
            dl {
                dt { (Text::PoliciesExplained.get(lang)) }
                dd.topics { (topics.join("、")) }
                dt { (Text::LivingSituation.get(lang)) } dd { (r.living_situation) }
                dt { (Text::Needs.get(lang)) } dd { (r.needs) }
            }
        }
        section {
            h2 { (Text::DoorOpen.get(lang)) }
            dl {
                dt { (Text::QuestionsAnswered.get(lang)) } dd { (r.questions_answered.join("；")) }
                dt { (Text::Satisfaction.get(lang)) }
                dd.satisfaction { @if let Some(s) = &r.satisfaction { (s.level.localize(lang)) @if !s.comment.is_empty() { "：" (s.comment) } } }
            }
            @if !r.tickets.is_empty() {
                h3 { (Text::Tickets.get(lang)) }
                ul { @for k in &r.tickets {
                    li { (k.kind.localize(lang)) " · " (k.urgency.localize(lang)) ": " (k.description)
                        " (" (Text::Due.get(lang)) " " (k.due) ")" }
                } }
            }
        }
    }
}

fn evidence(
    lang: Lang,
    r: &RecordV1,
    view: &VisitView,
    template: Option<&ChecklistTemplate>,
) -> Markup {
    let flagged = !r.flags.is_empty() || !view.server_flags.is_empty();
    html! {
        section {
            h2 { (Text::Checklist.get(lang)) }
            ul.checklist { @for (k, a) in &r.checklist {
                li data-item=(k) { (checklist_label(lang, template, k)) "：" (a.localize(lang)) }
            } }
        }
        section {
            h2 { (Text::Signature.get(lang)) }
            @match &r.signature {
                Some(s) => {
                    p.signer { (s.signer.localize(lang)) " · " (s.attested) }
                    @if let Some(sha) = &s.image_sha256 {
                        a.full href={ "/media/" (sha) } target="_blank" {
                            img.sig src={ "/media/" (sha) } alt=(Text::Signature.get(lang));
                        }
                    }
                }
                None => { p.signer { (Text::Nothing.get(lang)) } }
            }
            h2 { (Text::Photos.get(lang)) }
            // Each photo opens full size: the evidence is the whole picture.
            @for sha in &r.photos {
                a.full href={ "/media/" (sha) } target="_blank" {
                    img.photo src={ "/media/" (sha) } alt=(Text::Photos.get(lang)) loading="lazy";
                }
            }
            h2 { (Text::Notes.get(lang)) }
            ul { @for n in &r.notes { li { (n) } } }
        }
        section.flags {
            h2 { (Text::Flags.get(lang)) }
            ul {
                @for f in &r.flags {
                    li data-flag=(f.code()) {
                        span.flag { (flag_kind(f.code(), lang).unwrap_or(f.code())) } " " (f.localize(lang))
                    }
                }
                @for f in &view.server_flags {
                    li data-flag=(f.code()) {
                        span.flag { (flag_kind(f.code(), lang).unwrap_or(f.code())) } " " (f.localize(lang))
                    }
                }
                @if !flagged { li { (Text::Nothing.get(lang)) } }
            }
            p {
                @if view.signature_ok { span.ok { (Text::SignatureValid.get(lang)) } }
                @else { span.error { (Text::SignatureInvalid.get(lang)) } }
                " · " (Text::ChainLabel.get(lang)) ": " (view.chain.localize(lang))
            }
        }
    }
}

fn render(
    lang: Lang,
    v: &Visitor,
    view: &VisitView,
    read_by: &ReadBy,
    tiles: Option<&str>,
    error: Option<Text>,
) -> Html<String> {
    let r = &view.record;
    let h = &view.household;
    let title = format!("{} · {}", Text::VisitHeading.get(lang), h.name);
    page(
        lang,
        &title,
        Some(v),
        html! {
            section {
                dl {
                    dt { (Text::Status.get(lang)) } dd #status { (view.status.localize(lang)) }
                    dt { (Text::Household.get(lang)) } dd #household { (h.name) }
                    dt { (Text::VillageCommunity.get(lang)) } dd #village { (v.places.village(&view.village)) }
                    dt { (Text::IdNumberHeading.get(lang)) } dd { (h.id_number_masked) }
                    dt { (Text::Worker.get(lang)) } dd { (view.worker) }
                    dt { (Text::Started.get(lang)) } dd #started { (v.zone.when(r.started_at.timestamp())) }
                    dt { (Text::Finished.get(lang)) } dd { (v.zone.when(r.finished_at.timestamp())) }
                    dt { (Text::RecordId.get(lang)) } dd { code { (view.visit_id) } }
                    @if let Some(orig) = &view.corrects {
                        dt { (Text::Corrects.get(lang)) } dd { a href={ "/visits/" (orig) } { (orig) } }
                    }
                }
            }
            section.map { h2 { (Text::Map.get(lang)) } (map::draw(lang, r, read_by.policy.evidence.geofence_m, tiles)) }
            (doors(lang, r, h, &read_by.policy))
            (evidence(lang, r, view, read_by.checklist.as_ref()))
            section {
                h2 { (Text::History.get(lang)) }
                ul.history {
                    @for d in &view.decisions { li { (v.zone.when(d.at)) " · " (d.decision.status().localize(lang)) " · " (d.comment) } }
                    @for c in &view.corrected_by { li { (Text::CorrectedBy.get(lang)) " " a href={ "/visits/" (c) } { (c) } } }
                }
                @if view.status == VisitStatus::Submitted {
                    form.decide method="post" action={ "/visits/" (view.visit_id) "/decide" } {
                        @if let Some(e) = error { p.error { (e.get(lang)) } }
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        label { (Text::CommentField.get(lang)) br; textarea name="comment" rows="3" cols="50" {} }
                        p {
                            button name="decision" value="approve" { (Text::Approve.get(lang)) } " "
                            button name="decision" value="return" { (Text::ReturnForCorrection.get(lang)) } " "
                            button name="decision" value="reject" { (Text::Reject.get(lang)) }
                        }
                    }
                }
            }
        },
    )
}

/// The visit and what it is read by.
async fn load(state: &AppState, v: &Visitor, id: String) -> Result<(VisitView, ReadBy), Response> {
    let area = v.session.area.clone();
    let (login, now) = (v.session.login.clone(), state.now());
    match stored(state, move |s| async move {
        let view = s.visit_view(&id, &area).await?;
        if view.is_some() {
            // Every view of a visit (and so of its household) is on the record.
            s.audit(&login, "view-visit", &id, now).await?;
        }
        // The visit is judged by the policy in force where it happened.
        let Some(view) = view else {
            return Ok(None);
        };
        let read_by = ReadBy {
            policy: s.policy(&view.village).await?,
            checklist: s.checklist_version(view.record.checklist_version).await?,
        };
        Ok(Some((view, read_by)))
    })
    .await
    {
        Ok(Some(found)) => Ok(found),
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
        Ok((view, e)) => {
            render(v.lang, &v, &view, &e, state.tiles.as_deref(), None).into_response()
        }
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
    let decided = stored(&state, move |s| async move {
        Ok(admin::review(
            s.as_ref(),
            &vid,
            Some(&area),
            decision,
            &comment,
            &login,
            now,
        )
        .await)
    })
    .await;
    let error = match decided {
        Ok(Ok(())) => return Redirect::to(&format!("/visits/{id}")).into_response(),
        Ok(Err(AdminError::CommentRequired)) => Text::CommentRequired,
        Ok(Err(AdminError::Storage(StorageError::AlreadyDecided))) => Text::AlreadyDecided,
        Ok(Err(AdminError::Storage(StorageError::NotFound))) => return not_found(v.lang, Some(&v)),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "decision failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Err(e) => return e.into_response(),
    };
    match load(&state, &v, id).await {
        Ok((view, e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(v.lang, &v, &view, &e, state.tiles.as_deref(), Some(error)),
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
    let sha = sha.to_ascii_lowercase();
    let name = sha.clone();
    match stored(&state, move |s| async move {
        s.media_in_area(&name, &area).await
    })
    .await
    {
        Ok(true) => {}
        Ok(false) => return not_found(v.lang, Some(&v)),
        Err(e) => return e.into_response(),
    }
    match state.media.get(&sha).await {
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
        Err(e) => {
            tracing::warn!(error = %e, "a media read failed");
            crate::error::ApiError::unavailable().into_response()
        }
    }
}
