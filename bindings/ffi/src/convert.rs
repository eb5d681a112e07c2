//! Between the core's types and the records the bindings hand out: field by field, no rule
//! decided here (protected subsidies arrive already hidden; masking, due dates and words are
//! the core's).

use chrono::{DateTime, NaiveDate};
use doorstep_core::model::ChecklistTemplate;
use doorstep_core::roster::{DetailEnrolment, ListEntry, ListQuery};
use doorstep_core::rules::{Action, Draft, ItemStatus, ViewState};
use doorstep_core::sync::Tasks;
use doorstep_core::text::{Lang, Localize};
use doorstep_core::visit::{ChecklistAnswer as CoreAnswer, Flag, Signer};
use doorstep_core::wire::Decision;
use doorstep_core::{ViewWords, VisitItem};

use crate::errors::{DoorstepError, ErrorCode};
use crate::records::*;

fn day(d: NaiveDate) -> String {
    d.to_string()
}

pub(crate) fn list_query(q: &RosterQuery) -> ListQuery {
    ListQuery {
        due_only: q.due_only,
        near: q.near.map(|p| (p.lat, p.lon)),
        search: q.search.clone().filter(|s| !s.trim().is_empty()),
        village: q.village.clone().filter(|s| !s.trim().is_empty()),
        limit: Some(q.limit as usize),
    }
}

pub(crate) fn roster_entry(e: ListEntry) -> RosterEntry {
    RosterEntry {
        id: e.id,
        name: e.name,
        id_number_masked: e.id_number_masked,
        village_code: e.village_code,
        village_name: e.village_name,
        township_name: e.township_name,
        categories: e.categories,
        card_status: e.card_status,
        last_visit: e.last_visit.map(day),
        due_date: day(e.due_date),
        overdue_days: e.overdue_days,
        distance_m: e.distance_m,
    }
}

pub(crate) fn recipient_detail(
    d: doorstep_core::roster::RecipientDetail,
    today: NaiveDate,
) -> RecipientDetail {
    let r = d.recipient;
    let subsidies = d
        .enrolments
        .into_iter()
        .map(|e| match e {
            DetailEnrolment::Shown {
                code,
                short_name,
                amount_fen,
                protected,
            } => Subsidy {
                hidden: false,
                protected,
                code: Some(code),
                name: Some(short_name),
                amount_fen: Some(amount_fen),
            },
            DetailEnrolment::Hidden => Subsidy {
                hidden: true,
                protected: true,
                code: None,
                name: None,
                amount_fen: None,
            },
        })
        .collect();
    RecipientDetail {
        age: r.age_on(today),
        id: r.id,
        name: r.name,
        id_number_masked: d.id_number_masked,
        gender: r.gender,
        birth_date: day(r.birth_date),
        categories: r.categories,
        village_code: r.village.as_str().to_owned(),
        village_name: d.village_name,
        township_name: d.township_name,
        address: r.address,
        location: r.location.as_ref().map(|l| {
            let (lat, lon) = doorstep_core::geo::to_wgs84(l);
            LatLon { lat, lon }
        }),
        phone: r.phone.map(|p| p.as_str().to_owned()),
        guardian: r.guardian.map(|g| GuardianInfo {
            name: g.name,
            relation: g.relation,
            phone: g.phone.map(|p| p.as_str().to_owned()),
        }),
        card_status: r.card_status,
        subsidies,
        last_visit: r.last_visit.map(day),
        due_date: day(d.due_date),
        overdue_days: d.overdue_days,
        revealed: d.revealed,
    }
}

pub(crate) fn checklist(t: &ChecklistTemplate, lang: Lang) -> Checklist {
    let pick = |l: &doorstep_core::model::Label| match lang {
        Lang::Zh => l.zh.clone(),
        Lang::En => l.en.clone(),
    };
    Checklist {
        version: t.version,
        title: pick(&t.title),
        items: t
            .items
            .iter()
            .map(|i| ChecklistItem {
                key: i.key.clone(),
                label: pick(&i.label),
                proxy_only: i.proxy_only,
            })
            .collect(),
    }
}

pub(crate) fn visit_summary(v: VisitItem, lang: Lang) -> VisitSummary {
    VisitSummary {
        progress_text: v.progress.localize(lang),
        visit_id: v.visit_id,
        recipient_id: v.recipient_id,
        recipient_name: v.recipient_name,
        started_at: v.started_at,
        sealed: v.sealed,
        progress: v.progress,
    }
}

pub(crate) fn tasks(t: Tasks, lang: Lang) -> Vec<Task> {
    let mut out: Vec<Task> = t
        .tickets
        .into_iter()
        .map(|k| Task::TicketUpdate {
            state_text: k.state.localize(lang),
            ticket_id: k.ticket_id,
            visit_id: k.visit_id,
            state: k.state,
            text: k.text,
            due: k.due.map(day),
        })
        .collect();
    out.extend(t.reviews.into_iter().map(|r| match r.decision {
        Decision::Return => Task::Returned {
            visit_id: r.visit_id,
            comment: r.comment,
            at: r.at,
            corrected: r.corrected,
        },
        Decision::Approve => Task::Approved {
            visit_id: r.visit_id,
            at: r.at,
        },
        Decision::Reject => Task::Rejected {
            visit_id: r.visit_id,
            comment: r.comment,
            at: r.at,
        },
    }));
    out
}

pub(crate) fn flag_items(flags: &[Flag], lang: Lang) -> Vec<FlagItem> {
    flags
        .iter()
        .map(|f| FlagItem {
            flag: f.clone(),
            text: f.localize(lang),
        })
        .collect()
}

pub(crate) fn visit_state(v: ViewState, w: ViewWords) -> VisitState {
    VisitState {
        visit_id: v.visit_id,
        step: v.step,
        step_text: w.step,
        missing: v
            .missing
            .into_iter()
            .zip(w.missing)
            .map(|(missing, text)| MissingItem { missing, text })
            .collect(),
        warnings: v
            .warnings
            .into_iter()
            .zip(w.warnings)
            .map(|(warning, text)| WarningItem { warning, text })
            .collect(),
        flags: v
            .flags
            .into_iter()
            .zip(w.flags)
            .map(|(flag, text)| FlagItem { flag, text })
            .collect(),
        photos: v.photo_hashes,
        tickets: v.tickets as u32,
        notes: v.notes as u32,
        can_finish: v.can_finish,
    }
}

/// The core's action for a typed one; a fix's time out of range is refused here.
pub(crate) fn action(a: VisitAction, lang: Lang) -> Result<Action, DoorstepError> {
    Ok(match a {
        VisitAction::Contact { outcome, present } => Action::Contact { outcome, present },
        VisitAction::Subsidy {
            code,
            arrived,
            amount_seen_fen,
            sms_received,
        } => Action::Subsidy {
            code,
            arrived,
            amount_fen: amount_seen_fen,
            sms_received,
        },
        VisitAction::PolicyExplained { code } => Action::PolicyExplained { code },
        VisitAction::Living { text } => Action::Living { text },
        VisitAction::Needs { text } => Action::Needs { text },
        VisitAction::QuestionAnswered { text } => Action::QuestionAnswered { text },
        VisitAction::Ticket {
            kind,
            description,
            urgency,
            checklist_item,
        } => Action::Ticket {
            kind,
            description,
            urgency,
            checklist_item,
        },
        VisitAction::Satisfaction { level, comment } => Action::Satisfaction { level, comment },
        VisitAction::Checklist { key, status, note } => Action::Checklist { key, status, note },
        VisitAction::Sign {
            signer,
            proxy_name,
            relation,
            strokes,
            attested,
        } => Action::Sign {
            signer,
            proxy_name,
            relation,
            strokes,
            attested,
        },
        VisitAction::Note { text } => Action::Note { text },
        VisitAction::Fix { fix } => {
            let at = match fix.at_unix_ms {
                Some(ms) => Some(
                    DateTime::from_timestamp_millis(ms)
                        .ok_or_else(|| DoorstepError::Visit {
                            code: ErrorCode::Invalid,
                            detail: doorstep_core::model::Invalid::FixFromFuture.localize(lang),
                        })?
                        .with_timezone(&crate::now().timezone()),
                ),
                None => None,
            };
            Action::Fix {
                lat: fix.lat,
                lon: fix.lon,
                accuracy_m: fix.accuracy_m,
                at,
                provider: fix.provider,
                mock: fix.mock,
                datum: Some(fix.datum),
            }
        }
    })
}

pub(crate) fn visit_record(d: Draft) -> VisitRecord {
    VisitRecord {
        visit_id: d.id,
        recipient_id: d.recipient_id,
        corrects: d.corrects,
        started_at_ms: d.started_at.timestamp_millis(),
        card_active: d.context.card_active,
        acts_through_proxy: d.context.acts_through_proxy,
        checklist_version: d.context.checklist_version,
        outcome: d.outcome,
        present: d.present,
        subsidies: d
            .subsidies
            .into_iter()
            .map(|(code, c)| SubsidyCheck {
                code,
                arrived: c.arrived,
                amount_seen_fen: c.amount_seen_fen,
                sms_received: c.sms_received,
            })
            .collect(),
        policies_explained: d.policies_explained,
        living_situation: d.living_situation,
        needs: d.needs,
        questions_answered: d.questions_answered,
        tickets: d
            .tickets
            .into_iter()
            .map(|t| TicketRecorded {
                number: t.number,
                kind: t.kind,
                description: t.description,
                urgency: t.urgency,
                due: day(t.due),
                checklist_item: t.from_checklist,
            })
            .collect(),
        satisfaction_comment: d
            .satisfaction
            .as_ref()
            .map(|s| s.comment.clone())
            .unwrap_or_default(),
        satisfaction: d.satisfaction.map(|s| s.level),
        checklist: d
            .checklist
            .into_iter()
            .map(|(key, a)| {
                let (status, note) = match a {
                    CoreAnswer::Done => (ItemStatus::Done, String::new()),
                    CoreAnswer::NotApplicable => (ItemStatus::NotApplicable, String::new()),
                    CoreAnswer::Problem { note } => (ItemStatus::Problem, note),
                };
                ChecklistAnswer { key, status, note }
            })
            .collect(),
        signature: d.signature.map(|s| {
            let (signer, proxy_name, relation, thumbprint_photo) = match s.signer {
                Signer::Recipient => (
                    doorstep_core::rules::SignerRole::Recipient,
                    String::new(),
                    String::new(),
                    None,
                ),
                Signer::Proxy { name, relation } => (
                    doorstep_core::rules::SignerRole::Proxy,
                    name,
                    relation,
                    None,
                ),
                Signer::Thumbprint { photo } => (
                    doorstep_core::rules::SignerRole::Thumbprint,
                    String::new(),
                    String::new(),
                    photo,
                ),
            };
            SignedBy {
                signer,
                proxy_name,
                relation,
                attested: s.attested,
                thumbprint_photo,
            }
        }),
        notes: d.notes,
        photos: d.photos,
    }
}
