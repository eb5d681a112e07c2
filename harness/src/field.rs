//! A field worker's device as the harnesses damage it: a real encrypted store with a roster
//! and one sealed visit holding what real visits hold (fixes, the checklist, a photo, the
//! person's signature), recorded through the same session API the apps use.

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::model::{CardStatus, Category, Datum, Recipient};
use doorstep_core::rules::{Action, ItemStatus, SignerRole};
use doorstep_core::visit::{Arrival, Outcome, SatisfactionLevel};
use doorstep_core::Doorstep;

pub type BoxError = Box<dyn std::error::Error>;

/// The device, and what it sealed.
pub struct Field {
    pub vault: RawKeyVault,
    pub recipient_id: String,
    pub visit_id: String,
    pub photo_sha: String,
    pub now: DateTime<FixedOffset>,
}

/// The morning the harnesses' visits begin.
pub fn at() -> Result<DateTime<FixedOffset>, BoxError> {
    Ok(FixedOffset::east_opt(8 * 3600)
        .ok_or("offset")?
        .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .ok_or("time")?)
}

/// The first actions of a visit where nobody was home: a good fix at the door, the contact.
pub fn nobody_home(now: DateTime<FixedOffset>) -> Vec<Action> {
    vec![
        Action::Fix {
            lat: 34.8,
            lon: 114.8,
            accuracy_m: 9.0,
            at: Some(now),
            provider: "gps".into(),
            mock: false,
            datum: Some(Datum::Wgs84),
        },
        Action::Contact {
            outcome: Outcome::NobodyHome,
            present: vec![],
        },
    ]
}

/// Everything a complete visit with the person met records, in the order a worker does it.
pub fn met(r: &Recipient, now: DateTime<FixedOffset>, checklist: &[String]) -> Vec<Action> {
    let (lat, lon) = r
        .location
        .as_ref()
        .map_or((34.8, 114.8), doorstep_core::geo::to_wgs84);
    let mut a = vec![
        Action::Fix {
            lat,
            lon,
            accuracy_m: 8.0,
            at: Some(now),
            provider: "gps".into(),
            mock: false,
            datum: Some(Datum::Wgs84),
        },
        Action::Contact {
            outcome: Outcome::MetPerson,
            present: vec![],
        },
    ];
    for e in &r.enrolments {
        a.push(Action::Subsidy {
            code: e.code.clone(),
            arrived: Arrival::Yes,
            amount_fen: Some(e.amount_fen),
            sms_received: Some(true),
        });
    }
    a.push(Action::Living {
        text: "与老伴同住，身体尚可".into(),
    });
    a.push(Action::Satisfaction {
        level: SatisfactionLevel::Satisfied,
        comment: "希望多来看看".into(),
    });
    if r.card_status != CardStatus::Active {
        for key in checklist {
            a.push(Action::Checklist {
                key: key.clone(),
                status: ItemStatus::Done,
                note: String::new(),
            });
        }
    }
    a.push(Action::Sign {
        signer: SignerRole::Recipient,
        proxy_name: String::new(),
        relation: String::new(),
        strokes: Some(doorstep_sample::signature(7)),
        attested: "本人确认以上走访内容属实".into(),
    });
    a
}

/// The checklist items a person acting for themself answers (not the proxy-only ones).
pub fn own_checklist(store: &Doorstep) -> Result<Vec<String>, BoxError> {
    Ok(store
        .checklist()?
        .items
        .into_iter()
        .filter(|i| !i.proxy_only)
        .map(|i| i.key)
        .collect())
}

/// Creates the device in `dir`: a roster of 20 and one sealed visit to an adult who acts
/// for themself.
pub fn create(dir: &Path) -> Result<Field, BoxError> {
    let now = at()?;
    let vault = RawKeyVault::generate()?;
    let mut store = Doorstep::create(dir, &vault)?;
    let people = doorstep_sample::generate(11, 20, now.date_naive());
    store.import_recipients(&people)?;
    let r = people
        .iter()
        .find(|p| !p.categories.contains(&Category::Minor) && p.guardian.is_none())
        .ok_or("an adult acting for themself")?;
    let checklist = own_checklist(&store)?;
    let visit_id = store.start_visit(&r.id, now)?.visit_id;
    let photo = store.add_photo(&visit_id, &doorstep_sample::photo(3), now)?;
    store.act(&visit_id, &met(r, now, &checklist), now)?;
    store.finish(&visit_id, now + Duration::minutes(25))?;
    let photo_sha = photo
        .photo_hashes
        .first()
        .cloned()
        .ok_or("the photo taken")?;
    store.close()?;
    Ok(Field {
        vault,
        recipient_id: r.id.clone(),
        visit_id,
        photo_sha,
        now,
    })
}
