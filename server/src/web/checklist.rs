//! The card-activation checklist as the county sets it: the questions a worker answers at
//! the door, in both languages. A county supervisor rewords, removes and adds questions and
//! issues the result as a new version (on the audit log, taken by the county's devices at
//! their next sync; a visit already begun keeps the version it started with, and every
//! visit page reads the version its visit answered). A township supervisor reads it.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use doorstep_contract::model::{ChecklistItem, ChecklistTemplate, Label};
use doorstep_contract::text::{Lang, Localize, Text};
use maud::{html, Markup};

use super::layout::page;
use super::policy::sets_policy;
use super::session::{posting, visitor, Visitor};
use crate::admin::{self, AdminError};
use crate::api::{stored, AppState};
use crate::storage::rules;

/// Empty rows offered for new questions each time the form is shown.
const NEW_ROWS: usize = 3;

fn words(lang: Lang, l: &Label) -> &str {
    match lang {
        Lang::Zh => &l.zh,
        Lang::En => &l.en,
    }
}

fn render(lang: Lang, v: &Visitor, t: &ChecklistTemplate, note: Option<(bool, String)>) -> Markup {
    let editable = sets_policy(v);
    let rows = t.items.len() + if editable { NEW_ROWS } else { 0 };
    html! {
        p { (Text::ChecklistVersion.get(lang)) " " strong #version { (t.version) } " · " (words(lang, &t.title)) }
        @if let Some((error, text)) = note {
            @if error { p.error #checklist-error { (text) } } @else { p #checklist-note { (text) } }
        }
        form.checklist method="post" action="/checklist" {
            input type="hidden" name="csrf" value=(v.session.csrf);
            table { tbody {
                tr { th { label for="title_zh" { (Text::ChecklistTitle.get(lang)) } }
                    td { input #title_zh name="title_zh" value=(t.title.zh) required disabled[!editable]; }
                    td { input #title_en name="title_en" value=(t.title.en) required disabled[!editable]; } }
            } }
            table.items {
                thead { tr { th { "#" } th { (Text::QuestionZh.get(lang)) } th { (Text::QuestionEn.get(lang)) }
                    th { (Text::ProxyOnly.get(lang)) } @if editable { th { (Text::RemoveQuestion.get(lang)) } } } }
                tbody {
                    @for n in 0..rows {
                        @let item = t.items.get(n);
                        @if n == t.items.len() { tr { td colspan="5" { (Text::NewQuestions.get(lang)) } } }
                        tr data-item=[item.map(|i| i.key.as_str())] {
                            td { (n + 1) input type="hidden" name={ "key_" (n) } value=[item.map(|i| i.key.as_str())]; }
                            td { input name={ "zh_" (n) } value=[item.map(|i| i.label.zh.as_str())] size="40" disabled[!editable]; }
                            td { input name={ "en_" (n) } value=[item.map(|i| i.label.en.as_str())] size="40" disabled[!editable]; }
                            td { input type="checkbox" name={ "proxy_" (n) } value="1" checked[item.is_some_and(|i| i.proxy_only)] disabled[!editable]; }
                            @if editable && item.is_some() { td { input type="checkbox" name={ "drop_" (n) } value="1"; } }
                        }
                    }
                }
            }
            @if editable {
                p { (Text::ChecklistRewording.get(lang)) }
                p { button { (Text::IssueChecklist.get(lang)) } }
            } @else { p { (Text::ChecklistByCounty.get(lang)) } }
        }
    }
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let v = match visitor(&state, &headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let area = v.session.area.clone();
    match stored(&state, move |s| async move { s.checklist(&area).await }).await {
        Ok(t) => page(
            v.lang,
            Text::Checklist.get(v.lang),
            Some(&v),
            render(v.lang, &v, &t, None),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// A key for a new question: from its Chinese words, so the same question added again (in
/// another version, say) is the same item.
fn new_key(zh: &str) -> String {
    let digest = doorstep_crypto::sha256(zh.trim().as_bytes());
    format!("q_{}", &doorstep_crypto::hex(&digest)[..12])
}

/// The form's rows over the template in force: its items reworded, removed or kept in
/// order, then the new questions. A posted key the template does not hold is not trusted
/// (the question gets a new key). Empty new rows are skipped.
fn apply(form: &[(String, String)], current: &ChecklistTemplate) -> ChecklistTemplate {
    let fields: BTreeMap<&str, &str> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let field = |name: &str| fields.get(name).map_or("", |v| v.trim());
    let held: BTreeSet<&str> = current.items.iter().map(|i| i.key.as_str()).collect();
    let mut items = Vec::new();
    for n in 0..current.items.len() + NEW_ROWS {
        let (zh, en) = (field(&format!("zh_{n}")), field(&format!("en_{n}")));
        let key = field(&format!("key_{n}"));
        let kept = held.contains(key);
        if field(&format!("drop_{n}")) == "1" || (!kept && zh.is_empty() && en.is_empty()) {
            continue;
        }
        items.push(ChecklistItem {
            key: if kept { key.to_owned() } else { new_key(zh) },
            label: Label {
                zh: zh.to_owned(),
                en: en.to_owned(),
            },
            proxy_only: field(&format!("proxy_{n}")) == "1",
        });
    }
    ChecklistTemplate {
        version: current.version,
        title: Label {
            zh: field("title_zh").to_owned(),
            en: field("title_en").to_owned(),
        },
        items,
    }
}

pub async fn issue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    let v = match posting(&state, &headers, csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let lang = v.lang;
    if !sets_policy(&v) {
        let refused = html! { p.error { (Text::ChecklistByCounty.get(lang)) } };
        return (
            StatusCode::FORBIDDEN,
            page(lang, Text::Checklist.get(lang), Some(&v), refused),
        )
            .into_response();
    }
    let (area, login, now) = (
        rules::county_of(&v.session.area).to_owned(),
        v.session.login.clone(),
        state.now(),
    );
    let done = stored(&state, move |s| async move {
        let current = s.checklist(&area).await?;
        let next = apply(&form, &current);
        if next == current {
            return Ok(Err((
                current,
                false,
                Text::ChecklistUnchanged.get(lang).to_owned(),
            )));
        }
        Ok(
            match admin::issue_checklist(s.as_ref(), &area, &next, &login, now).await {
                Ok(_) => Ok(()),
                Err(AdminError::Storage(e)) => return Err(e),
                Err(e) => Err((next, true, e.localize(lang))),
            },
        )
    })
    .await;
    match done {
        Ok(Ok(())) => Redirect::to("/checklist").into_response(),
        Ok(Err((shown, error, why))) => {
            let status = if error {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            let body = render(lang, &v, &shown, Some((error, why)));
            (
                status,
                page(lang, Text::Checklist.get(lang), Some(&v), body),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}
