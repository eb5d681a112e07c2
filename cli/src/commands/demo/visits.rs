//! The demo's field day: a worker visits the top of yesterday's due list through the real
//! session API, with the evidence a real day produces, including the cases supervisors must
//! see flagged: a fix far from the house, a mock location, a visit too short, a refusal, an
//! empty house photographed, and the same photo used again at another door.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime};
use doorstep_core::geo::{distance_m, to_wgs84};
use doorstep_core::model::{CardStatus, Category, ChecklistTemplate, Datum, Recipient};
use doorstep_core::rules::{Action, ItemStatus, SignerRole};
use doorstep_core::visit::{Arrival, Outcome, SatisfactionLevel, TicketKind, Urgency};
use doorstep_core::{Doorstep, Result};

/// What the day produced.
#[derive(Debug, Default)]
pub struct Day {
    pub sealed: usize,
    /// Each sealed visit's id and its household.
    pub visits: Vec<(String, String)>,
    /// Flag name → visits carrying it.
    pub flags: BTreeMap<String, usize>,
}

fn fix(at: DateTime<FixedOffset>, (lat, lon): (f64, f64), accuracy: f64, mock: bool) -> Action {
    Action::Fix {
        lat,
        lon,
        accuracy_m: accuracy,
        at: Some(at),
        provider: "gps".into(),
        mock,
        datum: Some(Datum::Wgs84),
    }
}

fn met_actions(r: &Recipient, i: usize) -> Vec<Action> {
    let proxy = r.categories.contains(&Category::Minor);
    let mut a = vec![Action::Contact {
        outcome: if proxy {
            Outcome::MetProxy
        } else {
            Outcome::MetPerson
        },
        present: vec![],
    }];
    for e in &r.enrolments {
        a.push(Action::Subsidy {
            code: e.code.clone(),
            arrived: if i % 7 == 3 {
                Arrival::No
            } else {
                Arrival::Yes
            },
            amount_fen: Some(e.amount_fen),
            sms_received: Some(i % 3 != 0),
        });
    }
    a.push(Action::Living {
        text: "生活基本能自理，家人照看".into(),
    });
    a.push(Action::QuestionAnswered {
        text: "补贴到账后如何查询余额".into(),
    });
    if i % 5 == 1 {
        a.push(Action::Ticket {
            kind: TicketKind::PaymentMissing,
            description: "上月补贴未到账，需核查".into(),
            urgency: Urgency::High,
            checklist_item: None,
        });
    }
    a.push(Action::Satisfaction {
        level: if i % 9 == 4 {
            SatisfactionLevel::BasicallySatisfied
        } else {
            SatisfactionLevel::Satisfied
        },
        comment: String::new(),
    });
    if r.card_status != CardStatus::Active {
        let acts_through_proxy = proxy || r.guardian.is_some();
        for item in ChecklistTemplate::builtin().items {
            if item.proxy_only && !acts_through_proxy {
                continue;
            }
            a.push(Action::Checklist {
                key: item.key,
                status: ItemStatus::Done,
                note: String::new(),
            });
        }
    }
    let (signer, proxy_name, relation) = match (&r.guardian, proxy) {
        (Some(g), true) => (SignerRole::Proxy, g.name.clone(), g.relation.clone()),
        _ => (SignerRole::Recipient, String::new(), String::new()),
    };
    a.push(Action::Sign {
        signer,
        proxy_name,
        relation,
        strokes: Some(doorstep_sample::signature(i as u64)),
        attested: "本人确认以上走访内容属实".into(),
    });
    a
}

/// Orders the day's households as a worker would drive them: always the nearest next.
fn route(
    store: &mut Doorstep,
    ids: &[String],
    from: (f64, f64),
    day: DateTime<FixedOffset>,
) -> Result<Vec<Recipient>> {
    let mut left = Vec::new();
    for id in ids {
        left.push(store.recipient(id, false, day)?.recipient);
    }
    let mut here = from;
    let mut order = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let place = |r: &Recipient| r.location.as_ref().map(to_wgs84).unwrap_or(here);
        let next = (0..left.len())
            .min_by(|&a, &b| {
                distance_m(here, place(&left[a])).total_cmp(&distance_m(here, place(&left[b])))
            })
            .expect("not empty");
        let r = left.swap_remove(next);
        here = place(&r);
        order.push(r);
    }
    Ok(order)
}

/// Visits `ids` on `day` from 08:30, nearest household next, about 45 minutes apart. With
/// `cases`, the day also holds what supervisors must see flagged (by position in the round).
pub fn run(
    store: &mut Doorstep,
    ids: &[String],
    from: (f64, f64),
    day: DateTime<FixedOffset>,
    cases: bool,
) -> Result<Day> {
    let mut out = Day::default();
    let morning = day
        .with_time(NaiveTime::from_hms_opt(8, 30, 0).expect("valid time"))
        .single()
        .unwrap_or(day);
    let door_photo = doorstep_sample::photo(10);
    for (i, r) in route(store, ids, from, day)?.into_iter().enumerate() {
        let start = morning + Duration::minutes(45 * i as i64);
        let home = r.location.as_ref().map(to_wgs84).unwrap_or((34.82, 114.82));
        let v = store.start_visit(&r.id, start)?;
        let at = |m: i64| start + Duration::minutes(m);
        // 0.0135° of latitude is about 1.5 km.
        let case = |n: usize| cases && i == n;
        let here = if case(2) {
            (home.0 + 0.0135, home.1)
        } else {
            home
        };
        let accuracy = 8.0 + (i % 4) as f64 * 4.0;
        store.act(&v.visit_id, &[fix(at(1), here, accuracy, case(4))], at(1))?;
        let minutes = match i {
            8 if cases => {
                let refused = [
                    Action::Contact {
                        outcome: Outcome::Refused,
                        present: vec![],
                    },
                    Action::Note {
                        text: "家属拒绝入户，称已了解政策".into(),
                    },
                ];
                store.act(&v.visit_id, &refused, at(3))?;
                4
            }
            10 | 12 if cases => {
                let nobody = [Action::Contact {
                    outcome: Outcome::NobodyHome,
                    present: vec![],
                }];
                store.act(&v.visit_id, &nobody, at(2))?;
                // The same door photo twice: the second visit is flagged.
                store.add_photo(&v.visit_id, &door_photo, at(3))?;
                5
            }
            _ => {
                store.act(&v.visit_id, &met_actions(&r, i), at(12))?;
                if case(6) {
                    2
                } else {
                    15 + (i % 3) as i64 * 5
                }
            }
        };
        store.act(
            &v.visit_id,
            &[fix(at(minutes), here, accuracy, case(4))],
            at(minutes),
        )?;
        let done = store.finish(&v.visit_id, at(minutes))?;
        out.sealed += 1;
        out.visits.push((v.visit_id.clone(), r.id.clone()));
        for f in done.flags {
            *out.flags.entry(f.code().to_owned()).or_default() += 1;
        }
    }
    Ok(out)
}

/// A correction of a returned visit: the worker goes back, stands at the door this time, and
/// records the visit again; the new record points at the original.
pub fn correct(
    store: &mut Doorstep,
    original: &str,
    recipient: &str,
    when: DateTime<FixedOffset>,
) -> Result<String> {
    let r = store.recipient(recipient, false, when)?.recipient;
    let home = r.location.as_ref().map(to_wgs84).unwrap_or((34.82, 114.82));
    let v = store.correct_visit(original, when)?;
    let at = |m: i64| when + Duration::minutes(m);
    store.act(&v.visit_id, &[fix(at(1), home, 6.0, false)], at(1))?;
    store.act(&v.visit_id, &met_actions(&r, 0), at(12))?;
    store.act(&v.visit_id, &[fix(at(20), home, 6.0, false)], at(20))?;
    store.finish(&v.visit_id, at(20))?;
    Ok(v.visit_id)
}
