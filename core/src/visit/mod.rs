//! The visit session: the rules (`crate::rules`) over a draft kept in the encrypted store.
//! The shell sends actions and renders the view state it gets back; every accepted action is
//! committed before the call returns, so a draft survives the app being killed and resumes
//! exactly. Time comes in as an argument (the injectable clock).

mod finish;
mod media;

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use doorstep_contract::model::{CardStatus, Category, ChecklistTemplate, Invalid};
use doorstep_contract::policy::Policy;
use doorstep_contract::record::RecordV1;
use rusqlite::{Connection, Transaction};

/// The vocabulary of a visit, as the record and every screen have it.
pub use doorstep_contract::visit::{
    Arrival, ChecklistAnswer, Fix, Fixes, Flag, Missing, Outcome, Satisfaction, SatisfactionLevel,
    ServerFlag, SignatureInput, Signer, Step, StrokePoint, SubsidyCheck, Ticket, TicketKind,
    Urgency, Warning,
};
pub(crate) use finish::{export, finish};
pub use finish::{Export, Finished};
pub(crate) use media::{photo_thumbnail, remove_photo, signature_preview};

use crate::crypto::random_hex;
use crate::error::{Error, Result};
use crate::rules::{self, Action, Context, Draft, Judged, OtherVisit, SignatureRecord, ViewState};
use crate::store::{policy, recipients, visits, Keyring, Store};

/// The template a draft answers: the version it started with, never a newer one (a later
/// template must not change what an old draft is missing). Its absence is damage.
fn template(conn: &Connection, version: u32) -> Result<ChecklistTemplate> {
    match policy::template(conn, version)? {
        Some(t) => Ok(t),
        None if version == ChecklistTemplate::builtin().version => Ok(ChecklistTemplate::builtin()),
        None => Err(Error::Corrupt {
            table: "checklist_templates",
            id: version.to_string(),
        }),
    }
}

/// A sealed visit's record, read back and decoded (damage if it does not decode).
pub(crate) fn sealed_record(
    conn: &Connection,
    keys: &Keyring,
    id: &str,
) -> Result<Option<RecordV1>> {
    let Some(sealed) = visits::load_sealed(conn, keys, id)? else {
        return Ok(None);
    };
    RecordV1::decode(&sealed.record)
        .map(Some)
        .map_err(|_| Error::Corrupt {
            table: "visits",
            id: id.to_owned(),
        })
}

/// Starts a visit to a recipient on the roster; returns its view state.
pub(crate) fn start(
    store: &mut Store,
    recipient_id: &str,
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    begin(store, recipient_id, None, now)
}

/// Starts the correction of a sealed visit: a new visit to the same recipient whose record
/// will point at the original. The original stays as it was.
pub(crate) fn start_correction(
    store: &mut Store,
    original_id: &str,
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    let original = sealed_record(store.conn(), store.keys(), original_id)?.ok_or_else(|| {
        match visits::load(store.conn(), store.keys(), original_id) {
            // Still a draft: it can simply be changed.
            Ok(Some(_)) => Error::Invalid(Invalid::VisitNotSealed),
            _ => Error::NoVisit {
                id: original_id.to_owned(),
            },
        }
    })?;
    begin(
        store,
        &original.recipient_id,
        Some(original_id.to_owned()),
        now,
    )
}

/// The visits a sealed correction answers: a returned visit in this set needs nothing more.
pub(crate) fn corrected_visits(store: &Store) -> Result<HashSet<String>> {
    let mut done = HashSet::new();
    for row in visits::list(store.conn())? {
        if !row.sealed {
            continue;
        }
        if let Some(r) = sealed_record(store.conn(), store.keys(), &row.id)? {
            done.extend(r.corrects);
        }
    }
    Ok(done)
}

fn begin(
    store: &mut Store,
    recipient_id: &str,
    corrects: Option<String>,
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    let r = recipients::get(store.conn(), store.keys(), recipient_id)?.ok_or_else(|| {
        Error::NotFound {
            id: recipient_id.to_owned(),
        }
    })?;
    let t = policy::latest_template(store.conn())?.unwrap_or_else(ChecklistTemplate::builtin);
    let context = Context {
        card_active: r.card_status == CardStatus::Active,
        acts_through_proxy: r.categories.contains(&Category::Minor) || r.guardian.is_some(),
        enrolment_codes: r.enrolments.iter().map(|e| e.code.clone()).collect(),
        checklist_version: t.version,
        household: r.location.as_ref().map(doorstep_contract::geo::to_wgs84),
    };
    let id = format!("V{}", random_hex(8)?);
    let draft = Draft::new(id, r.id.clone(), corrects, now, context);
    store.write(|tx, keys| visits::save(tx, keys, &draft))?;
    view_of(store.conn(), &draft, &t)
}

/// The view state with its flags, under the policy in force.
fn view_of(conn: &Connection, draft: &Draft, t: &ChecklistTemplate) -> Result<ViewState> {
    let policy = policy::read(conn)?;
    Ok(rules::view(
        draft,
        Judged {
            template: t,
            policy: &policy,
        },
    ))
}

/// Recomputes the flags that compare the draft with the device's other visits. It reads them
/// all, so it runs only when the answer can change: a new fix or photo, and finishing.
fn refresh_cross(conn: &Connection, keys: &Keyring, draft: &mut Draft) -> Result<()> {
    let evidence = policy::read(conn)?.evidence;
    let mut others = Vec::new();
    for row in visits::list(conn)? {
        if row.id == draft.id {
            continue;
        }
        // A damaged visit cannot testify either way; it is reported where it is opened.
        if row.sealed {
            if let Ok(Some(r)) = sealed_record(conn, keys, &row.id) {
                others.push(OtherVisit::from_record(&r));
            }
        } else if let Ok(Some(o)) = visits::load(conn, keys, &row.id) {
            others.push(OtherVisit::from(&o));
        }
    }
    draft.cross_flags = rules::flags::cross(draft, &evidence, &others);
    Ok(())
}

fn load(store: &Store, visit_id: &str) -> Result<Draft> {
    visits::load(store.conn(), store.keys(), visit_id)?.ok_or_else(|| Error::NoVisit {
        id: visit_id.to_owned(),
    })
}

/// Applies actions in order, each committed on its own: on the first refused one the call
/// stops with its error (the ones before it stay recorded, the refused one changed nothing).
pub(crate) fn act(
    store: &mut Store,
    visit_id: &str,
    actions: &[Action],
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    // The template and the policy are read once, inside the first transaction: no separate
    // read of the draft just to learn which template it answers.
    let mut judged: Option<(ChecklistTemplate, Policy)> = None;
    let mut draft = None;
    for action in actions {
        draft = Some(mutate(store, visit_id, |tx, keys, d| {
            if judged.is_none() {
                judged = Some((
                    template(tx, d.context.checklist_version)?,
                    policy::read(tx)?,
                ));
            }
            let (t, p) = judged.as_ref().expect("read just above");
            rules::apply(
                d,
                action,
                Judged {
                    template: t,
                    policy: p,
                },
                now,
            )?;
            if matches!(action, Action::Fix { .. }) {
                refresh_cross(tx, keys, d)?;
            }
            Ok(())
        })?);
    }
    let draft = match draft {
        Some(d) => d,
        None => load(store, visit_id)?,
    };
    let (t, p) = match judged {
        Some(j) => j,
        None => (
            template(store.conn(), draft.context.checklist_version)?,
            policy::read(store.conn())?,
        ),
    };
    Ok(rules::view(
        &draft,
        Judged {
            template: &t,
            policy: &p,
        },
    ))
}

/// Reads the draft, changes it and saves it inside one transaction, so two callers acting on
/// one draft at once cannot overwrite each other's accepted actions. On error nothing changes.
fn mutate(
    store: &mut Store,
    visit_id: &str,
    f: impl FnOnce(&Transaction<'_>, &Keyring, &mut Draft) -> Result<()>,
) -> Result<Draft> {
    store.write(|tx, keys| {
        let mut d = visits::load(tx, keys, visit_id)?.ok_or_else(|| Error::NoVisit {
            id: visit_id.to_owned(),
        })?;
        f(tx, keys, &mut d)?;
        visits::save(tx, keys, &d)?;
        Ok(d)
    })
}

/// Attaches a photo (JPEG or PNG bytes): processed first (shrunk, upright, metadata gone),
/// then stored sealed together with the draft's new state in one transaction. Evidence of an
/// attempt, a thumbprint, or anything the worker shows.
pub(crate) fn add_photo(
    store: &mut Store,
    visit_id: &str,
    bytes: &[u8],
    now: DateTime<FixedOffset>,
) -> Result<ViewState> {
    let long_edge = policy::read(store.conn())?.photo_long_edge;
    // The slow part first, outside the transaction; the draft is re-read inside it.
    let photo = crate::media::photo::process(bytes, long_edge)?;
    let draft = mutate(store, visit_id, |tx, keys, d| {
        if d.photos.len() >= 200 {
            return Err(Invalid::TooLong.into());
        }
        if !d.photos.contains(&photo.sha256) {
            d.photos.push(photo.sha256.clone());
            d.photo_phashes.push(photo.phash);
            // A thumbprint's evidence is the photo taken after it was chosen, not any
            // picture of the visit (a doorway taken earlier proves no consent).
            if let Some(SignatureRecord {
                signer:
                    Signer::Thumbprint {
                        photo: bound @ None,
                    },
                ..
            }) = &mut d.signature
            {
                *bound = Some(photo.sha256.clone());
            }
        }
        d.actions += 1;
        d.last_action_at = now;
        refresh_cross(tx, keys, d)?;
        crate::store::media::put(tx, keys, &d.id, "photo", &photo.jpeg)?;
        Ok(())
    })?;
    let t = template(store.conn(), draft.context.checklist_version)?;
    view_of(store.conn(), &draft, &t)
}

/// The view state of a visit.
pub(crate) fn view(store: &Store, visit_id: &str) -> Result<ViewState> {
    let draft = load(store, visit_id)?;
    let t = template(store.conn(), draft.context.checklist_version)?;
    view_of(store.conn(), &draft, &t)
}

/// The draft itself, for showing what was recorded.
pub(crate) fn draft(store: &Store, visit_id: &str) -> Result<Draft> {
    load(store, visit_id)
}

/// The checklist template a draft answers.
pub(crate) fn template_of(store: &Store, visit_id: &str) -> Result<ChecklistTemplate> {
    let d = load(store, visit_id)?;
    template(store.conn(), d.context.checklist_version)
}

#[cfg(test)]
mod finish_tests;
#[cfg(test)]
mod tests;
