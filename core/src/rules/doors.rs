//! The three doors: which actions a draft accepts in which state, and what the worker still
//! has to do (the view state). Pure functions over the draft: the store only persists.

use chrono::{DateTime, Days, FixedOffset};
use doorstep_contract::geo::to_wgs84;
use doorstep_contract::model::{ChecklistTemplate, Datum, Invalid, Location};
use doorstep_contract::policy::Policy;
use doorstep_contract::visit::{
    ChecklistAnswer, Fix, Flag, Missing, Outcome, Satisfaction, Signer, Step, SubsidyCheck, Ticket,
    Warning,
};
use serde::Serialize;

use super::action::{Action, ItemStatus, SignerRole};
use super::draft::{Draft, SignatureRecord};
use crate::media::Signature;

/// Free text fields: a paragraph, not a document.
const MAX_TEXT: usize = 2000;
const MAX_LIST: usize = 200;

/// What a draft is judged against: the checklist template it answers (the version it started
/// with) and the policy in force (the topics a worker can explain, the flags' thresholds).
#[derive(Debug, Clone, Copy)]
pub struct Judged<'a> {
    pub template: &'a ChecklistTemplate,
    pub policy: &'a Policy,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewState {
    pub visit_id: String,
    pub step: Step,
    pub missing: Vec<Missing>,
    pub warnings: Vec<Warning>,
    pub tickets: usize,
    pub photos: usize,
    /// Each photo's SHA-256 (hex), in the order taken: what a screen shows as thumbnails.
    pub photo_hashes: Vec<String>,
    pub notes: usize,
    pub can_finish: bool,
    /// Authenticity flags: shown to the worker before leaving, never blocking.
    pub flags: Vec<Flag>,
}

fn text(s: &str) -> Result<String, Invalid> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Invalid::Required);
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Invalid::TooLong);
    }
    Ok(t.to_owned())
}

fn push_limited(list: &mut Vec<String>, item: String) -> Result<(), Invalid> {
    if list.len() >= MAX_LIST {
        return Err(Invalid::TooLong);
    }
    list.push(item);
    Ok(())
}

fn met(d: &Draft) -> Result<(), Invalid> {
    match d.outcome {
        Some(o) if o.met() => Ok(()),
        Some(_) => Err(Invalid::VisitNotMet),
        None => Err(Invalid::VisitNoContact),
    }
}

/// Whether a signature still fits the contact: the outcome may change after signing.
fn signer_fits(d: &Draft, signer: &Signer) -> bool {
    match signer {
        Signer::Recipient => d.outcome == Some(Outcome::MetPerson),
        Signer::Proxy { .. } => proxy_branch(d),
        Signer::Thumbprint { .. } => true,
    }
}

/// Whether the proxy-only checklist items apply.
fn proxy_branch(d: &Draft) -> bool {
    d.context.acts_through_proxy || d.outcome == Some(Outcome::MetProxy)
}

fn checklist_applies(d: &Draft) -> bool {
    !d.context.card_active
}

/// Applies one action to the draft, or says why not; on error the draft is unchanged.
pub fn apply(
    d: &mut Draft,
    action: &Action,
    by: Judged<'_>,
    now: DateTime<FixedOffset>,
) -> Result<(), Invalid> {
    let mut next = d.clone();
    apply_to(&mut next, action, by, now)?;
    next.actions += 1;
    next.last_action_at = now;
    *d = next;
    Ok(())
}

fn apply_to(
    d: &mut Draft,
    action: &Action,
    by: Judged<'_>,
    now: DateTime<FixedOffset>,
) -> Result<(), Invalid> {
    let template = by.template;
    match action {
        Action::Contact { outcome, present } => {
            // Care and open data belong to a meeting: the outcome cannot change to "not met"
            // once they are recorded (a correction starts a new visit).
            // Everything only a meeting can produce (tickets can come from a door alone).
            let recorded = !d.subsidies.is_empty()
                || !d.policies_explained.is_empty()
                || !d.living_situation.is_empty()
                || !d.needs.is_empty()
                || !d.questions_answered.is_empty()
                || d.satisfaction.is_some()
                || !d.checklist.is_empty()
                || d.signature.is_some();
            if recorded && !outcome.met() {
                return Err(Invalid::VisitContactLocked);
            }
            d.outcome = Some(*outcome);
            d.present = present
                .iter()
                .map(|p| text(p))
                .collect::<Result<Vec<_>, _>>()?;
        }
        Action::Subsidy {
            code,
            arrived,
            amount_fen,
            sms_received,
        } => {
            met(d)?;
            if !d.context.enrolment_codes.contains(code) {
                return Err(Invalid::VisitUnknownSubsidy);
            }
            if amount_fen.is_some_and(|a| !(0..=100_000_000).contains(&a)) {
                return Err(Invalid::EnrolmentAmount);
            }
            d.subsidies.insert(
                code.clone(),
                SubsidyCheck {
                    arrived: *arrived,
                    amount_seen_fen: *amount_fen,
                    sms_received: *sms_received,
                },
            );
        }
        Action::PolicyExplained { code } => {
            met(d)?;
            let code = text(code)?;
            if !by.policy.explainable(&code, &d.context.enrolment_codes) {
                return Err(Invalid::VisitUnknownTopic);
            }
            if !d.policies_explained.contains(&code) {
                push_limited(&mut d.policies_explained, code)?;
            }
        }
        Action::Living { text: t } => {
            met(d)?;
            d.living_situation = text(t)?;
        }
        Action::Needs { text: t } => {
            met(d)?;
            d.needs = text(t)?;
        }
        Action::QuestionAnswered { text: t } => {
            met(d)?;
            push_limited(&mut d.questions_answered, text(t)?)?;
        }
        Action::Ticket {
            kind,
            description,
            urgency,
            checklist_item,
        } => {
            // A ticket can come from a door even when nobody was met (a neighbour reports
            // the recipient moved without a forwarding address): it needs only a contact.
            if d.outcome.is_none() {
                return Err(Invalid::VisitNoContact);
            }
            if let Some(key) = checklist_item {
                if !matches!(d.checklist.get(key), Some(ChecklistAnswer::Problem { .. })) {
                    return Err(Invalid::VisitTicketItem);
                }
            }
            if d.tickets.len() >= MAX_LIST {
                return Err(Invalid::TooLong);
            }
            let due = now
                .date_naive()
                .checked_add_days(Days::new(urgency.due_days()))
                .ok_or(Invalid::Date)?;
            d.tickets.push(Ticket {
                number: d.tickets.len() as u32 + 1,
                kind: *kind,
                description: text(description)?,
                urgency: *urgency,
                due,
                from_checklist: checklist_item.clone(),
            });
        }
        Action::Satisfaction { level, comment } => {
            met(d)?;
            let comment = comment.trim();
            if comment.chars().count() > MAX_TEXT {
                return Err(Invalid::TooLong);
            }
            d.satisfaction = Some(Satisfaction {
                level: *level,
                comment: comment.to_owned(),
            });
        }
        Action::Checklist { key, status, note } => {
            met(d)?;
            let item = template
                .items
                .iter()
                .find(|i| i.key == *key)
                .ok_or(Invalid::VisitUnknownItem)?;
            if item.proxy_only && !proxy_branch(d) {
                return Err(Invalid::VisitNotProxy);
            }
            let answer = match status {
                ItemStatus::Done => ChecklistAnswer::Done,
                ItemStatus::NotApplicable => ChecklistAnswer::NotApplicable,
                ItemStatus::Problem => ChecklistAnswer::Problem { note: text(note)? },
            };
            d.checklist.insert(key.clone(), answer);
        }
        Action::Sign {
            signer,
            proxy_name,
            relation,
            strokes,
            attested,
        } => {
            met(d)?;
            let attested = text(attested)?;
            let (signer, strokes) = match signer {
                SignerRole::Thumbprint => {
                    if strokes.is_some() {
                        return Err(Invalid::VisitThumbprintStrokes);
                    }
                    (Signer::Thumbprint { photo: None }, None)
                }
                role => {
                    let input = strokes.clone().ok_or(Invalid::SignatureFormat)?;
                    let sig = Signature::new(input)?;
                    // The signer must be someone the worker met: a proxy only where the
                    // visit goes through one, the recipient only when met in person.
                    match role {
                        SignerRole::Proxy if !proxy_branch(d) => {
                            return Err(Invalid::VisitNotProxy)
                        }
                        SignerRole::Recipient if d.outcome != Some(Outcome::MetPerson) => {
                            return Err(Invalid::VisitSignerAbsent)
                        }
                        _ => {}
                    }
                    let signer = if *role == SignerRole::Proxy {
                        Signer::Proxy {
                            name: text(proxy_name)?,
                            relation: text(relation)?,
                        }
                    } else {
                        Signer::Recipient
                    };
                    (signer, Some(sig.input().clone()))
                }
            };
            d.signature = Some(SignatureRecord {
                signer,
                strokes,
                attested,
            });
        }
        Action::Note { text: t } => {
            push_limited(&mut d.notes, text(t)?)?;
        }
        Action::Fix {
            lat,
            lon,
            accuracy_m,
            at,
            provider,
            mock,
            datum,
        } => {
            let loc = Location::new(*lat, *lon, datum.unwrap_or(Datum::Wgs84))?;
            if !(accuracy_m.is_finite() && *accuracy_m > 0.0 && *accuracy_m <= 100_000.0) {
                return Err(Invalid::FixAccuracy);
            }
            let at = at.unwrap_or(now);
            // Beyond a day ahead is no clock error but a broken fix; smaller gaps are kept
            // and flagged as clock skew.
            if at > now + chrono::Duration::hours(24) {
                return Err(Invalid::FixFromFuture);
            }
            if provider.chars().count() > 40 {
                return Err(Invalid::TooLong);
            }
            let (lat, lon) = to_wgs84(&loc);
            let fix = Fix {
                lat,
                lon,
                accuracy_m: *accuracy_m,
                at,
                received_at: now,
                provider: provider.trim().to_owned(),
                mock: *mock,
            };
            let f = &mut d.fixes;
            f.any_mock |= fix.mock;
            f.max_clock_skew_s = f.max_clock_skew_s.max((now - at).num_seconds().abs());
            if f.best
                .as_ref()
                .is_none_or(|b| fix.accuracy_m < b.accuracy_m)
            {
                f.best = Some(fix.clone());
            }
            if f.start.is_none() {
                f.start = Some(fix.clone());
            }
            f.end = Some(fix);
        }
    }
    Ok(())
}

/// Takes a photo off a draft (a blurred one, the wrong door). A thumbprint bound to it is
/// unbound again: the next photo taken stands for the signature.
pub fn remove_photo(
    d: &mut Draft,
    sha256: &str,
    now: DateTime<FixedOffset>,
) -> Result<(), Invalid> {
    let at = d
        .photos
        .iter()
        .position(|p| p == sha256)
        .ok_or(Invalid::VisitUnknownPhoto)?;
    d.photos.remove(at);
    if at < d.photo_phashes.len() {
        d.photo_phashes.remove(at);
    }
    if let Some(SignatureRecord {
        signer: Signer::Thumbprint { photo },
        ..
    }) = &mut d.signature
    {
        if photo.as_deref() == Some(sha256) {
            *photo = None;
        }
    }
    d.actions += 1;
    d.last_action_at = now;
    Ok(())
}

/// What the worker sees: the current door, what is missing, what to double-check, and the
/// authenticity flags.
pub fn view(d: &Draft, by: Judged<'_>) -> ViewState {
    let mut v = view_without_flags(d, by.template);
    v.flags = super::flags::evaluate(d, &by.policy.evidence);
    v
}

fn view_without_flags(d: &Draft, template: &ChecklistTemplate) -> ViewState {
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    let step = match d.outcome {
        None => {
            missing.push(Missing::Contact);
            Step::Knock
        }
        Some(o) if !o.met() => {
            if d.photos.is_empty() && d.notes.is_empty() {
                missing.push(Missing::AttemptEvidence);
                Step::Evidence
            } else {
                Step::Ready
            }
        }
        Some(_) => {
            if checklist_applies(d) {
                for item in &template.items {
                    if (!item.proxy_only || proxy_branch(d)) && !d.checklist.contains_key(&item.key)
                    {
                        missing.push(Missing::ChecklistItem {
                            key: item.key.clone(),
                        });
                    }
                }
            }
            match &d.signature {
                None => missing.push(Missing::Signature),
                Some(s) if !signer_fits(d, &s.signer) => missing.push(Missing::Signature),
                Some(s) if s.signer == (Signer::Thumbprint { photo: None }) => {
                    missing.push(Missing::ThumbprintPhoto)
                }
                Some(_) => {}
            }
            for code in &d.context.enrolment_codes {
                if !d.subsidies.contains_key(code) {
                    warnings.push(Warning::SubsidyNotChecked { code: code.clone() });
                }
            }
            if d.satisfaction.is_none() {
                warnings.push(Warning::SatisfactionNotAsked);
            }
            for (key, answer) in &d.checklist {
                let followed = d
                    .tickets
                    .iter()
                    .any(|t| t.from_checklist.as_deref() == Some(key.as_str()));
                if matches!(answer, ChecklistAnswer::Problem { .. }) && !followed {
                    warnings.push(Warning::ChecklistProblemWithoutTicket { key: key.clone() });
                }
            }
            let cared = !d.subsidies.is_empty()
                || !d.policies_explained.is_empty()
                || !d.living_situation.is_empty()
                || !d.needs.is_empty();
            let opened = !d.questions_answered.is_empty()
                || !d.tickets.is_empty()
                || d.satisfaction.is_some();
            if missing
                .iter()
                .any(|m| matches!(m, Missing::ChecklistItem { .. }))
            {
                if !cared && !opened {
                    Step::Care
                } else if !opened {
                    Step::Open
                } else {
                    Step::Checklist
                }
            } else if d.signature.is_none() || missing.contains(&Missing::ThumbprintPhoto) {
                if !cared && !opened {
                    Step::Care
                } else if !opened {
                    Step::Open
                } else {
                    Step::Sign
                }
            } else {
                Step::Ready
            }
        }
    };
    ViewState {
        visit_id: d.id.clone(),
        step,
        can_finish: missing.is_empty(),
        missing,
        warnings,
        tickets: d.tickets.len(),
        photos: d.photos.len(),
        photo_hashes: d.photos.clone(),
        notes: d.notes.len(),
        flags: Vec::new(),
    }
}
