//! The visit session against a real store: each door, the checklist and its proxy branch,
//! what finishing needs, refusals that leave the draft unchanged, drafts that survive.

use chrono::{DateTime, FixedOffset, TimeZone};

use super::*;
use crate::model::{CardStatus, Category, Guardian};
use crate::rules::{ItemStatus, SignerRole};
use crate::store::recipients;
use crate::testing::{id_number, recipient, signature_input, temp_store, TempStore};
use doorstep_contract::visit::{
    Arrival, Flag, Missing, Outcome, SatisfactionLevel, Step, TicketKind, Urgency, Warning,
};

pub(super) fn now() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, 27, 10, 0, 0)
        .single()
        .expect("time")
}

/// An adult with an inactive card and one subsidy; a minor with a guardian; an adult whose
/// card is already active.
pub(super) fn setup() -> TempStore {
    let mut t = temp_store();
    let adult = recipient("ADULT", "王秀兰", 1);
    let mut minor = recipient("MINOR", "李小明", 3);
    let idn = crate::model::IdNumber::parse(&id_number("20150101", 3), crate::testing::today())
        .expect("valid");
    minor.birth_date = idn.birth_date();
    minor.gender = idn.gender();
    minor.id_number = idn;
    minor.categories = vec![Category::Minor];
    minor.guardian = Some(Guardian {
        name: "李芳".into(),
        relation: "母亲".into(),
        phone: None,
    });
    let mut active = recipient("ACTIVE", "张德胜", 5);
    active.card_status = CardStatus::Active;
    t.store
        .write(|tx, keys| {
            for r in [&adult, &minor, &active] {
                recipients::put(tx, keys, r)?;
            }
            Ok(())
        })
        .expect("roster");
    t
}

pub(super) fn act1(t: &mut TempStore, id: &str, a: Action) -> Result<ViewState> {
    act(&mut t.store, id, &[a], now())
}

pub(super) fn contact(outcome: Outcome) -> Action {
    Action::Contact {
        outcome,
        present: vec![],
    }
}

fn item(key: &str) -> Action {
    Action::Checklist {
        key: key.into(),
        status: ItemStatus::Done,
        note: String::new(),
    }
}

pub(super) fn sign_recipient() -> Action {
    Action::Sign {
        signer: SignerRole::Recipient,
        proxy_name: String::new(),
        relation: String::new(),
        strokes: Some(signature_input()),
        attested: "本人确认以上走访内容属实".into(),
    }
}

const ADULT_ITEMS: [&str; 9] = [
    "identity_checked",
    "card_in_hand",
    "social_security_activated",
    "bank_activated",
    "ss_password_changed",
    "bank_pin_set",
    "sms_enabled",
    "balance_shown",
    "subsidies_seen",
];

fn invalid(r: Result<ViewState>) -> Invalid {
    match r {
        Err(Error::Invalid(i)) => i,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn knock_comes_first_and_a_refused_action_changes_nothing() {
    let mut t = setup();
    let v = start(&mut t.store, "ADULT", now()).expect("start");
    assert_eq!(v.step, Step::Knock);
    assert_eq!(v.missing, vec![Missing::Contact]);
    let id = v.visit_id;
    let before = draft(&t.store, &id).expect("draft");
    let refused = act1(
        &mut t,
        &id,
        Action::Living {
            text: "独居".into(),
        },
    );
    assert_eq!(invalid(refused), Invalid::VisitNoContact);
    assert_eq!(draft(&t.store, &id).expect("draft"), before);
}

#[test]
fn an_attempt_without_meeting_anyone_needs_a_note_or_photo() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    let v = act1(&mut t, &id, contact(Outcome::NobodyHome)).expect("contact");
    assert_eq!(
        (v.step, v.missing.clone()),
        (Step::Evidence, vec![Missing::AttemptEvidence])
    );
    let refused = act1(
        &mut t,
        &id,
        Action::Subsidy {
            code: "GL01".into(),
            arrived: Arrival::Yes,
            amount_fen: None,
            sms_received: None,
        },
    );
    assert_eq!(invalid(refused), Invalid::VisitNotMet);
    let v = act1(
        &mut t,
        &id,
        Action::Note {
            text: "邻居说老人住院了".into(),
        },
    )
    .expect("note");
    assert!(v.can_finish);
    assert_eq!(v.step, Step::Ready);
}

#[test]
fn a_full_visit_walks_the_three_doors_then_the_checklist_then_the_signature() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    let v = act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    assert_eq!(v.step, Step::Care);
    assert!(v.warnings.contains(&Warning::SubsidyNotChecked {
        code: "GL01".into()
    }));
    let v = act(
        &mut t.store,
        &id,
        &[
            Action::Subsidy {
                code: "GL01".into(),
                arrived: Arrival::No,
                amount_fen: Some(0),
                sms_received: Some(false),
            },
            Action::PolicyExplained {
                code: "GL01".into(),
            },
            Action::Living {
                text: "独居，行动不便".into(),
            },
        ],
        now(),
    )
    .expect("care");
    assert_eq!(v.step, Step::Open);
    assert!(v
        .warnings
        .iter()
        .all(|w| !matches!(w, Warning::SubsidyNotChecked { .. })));
    let v = act(
        &mut t.store,
        &id,
        &[
            Action::QuestionAnswered {
                text: "高龄津贴发放时间".into(),
            },
            Action::Ticket {
                kind: TicketKind::PaymentMissing,
                description: "十月高龄津贴未到账".into(),
                urgency: Urgency::High,
                checklist_item: None,
            },
            Action::Satisfaction {
                level: SatisfactionLevel::Satisfied,
                comment: String::new(),
            },
        ],
        now(),
    )
    .expect("open");
    assert_eq!(v.step, Step::Checklist);
    assert_eq!(v.tickets, 1);
    let d = draft(&t.store, &id).expect("draft");
    assert_eq!(
        d.tickets[0].due.to_string(),
        "2026-11-30",
        "high urgency: three days"
    );
    // Every adult item is missing, no proxy item is.
    let keys: Vec<String> = v
        .missing
        .iter()
        .filter_map(|m| match m {
            Missing::ChecklistItem { key } => Some(key.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, ADULT_ITEMS.map(String::from).to_vec());
    let items: Vec<Action> = ADULT_ITEMS.iter().map(|k| item(k)).collect();
    let v = act(&mut t.store, &id, &items, now()).expect("checklist");
    assert_eq!(
        (v.step, v.missing.clone()),
        (Step::Sign, vec![Missing::Signature])
    );
    let v = act1(&mut t, &id, sign_recipient()).expect("sign");
    assert!(v.can_finish);
    assert_eq!(v.step, Step::Ready);
    assert!(v.warnings.is_empty(), "{:?}", v.warnings);
}

#[test]
fn the_proxy_branch_applies_to_minors_only() {
    let mut t = setup();
    let adult = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &adult, contact(Outcome::MetPerson)).expect("knock");
    let refused = act1(&mut t, &adult, item("guardian_present"));
    assert_eq!(invalid(refused), Invalid::VisitNotProxy);

    let minor = start(&mut t.store, "MINOR", now()).expect("start").visit_id;
    let v = act1(&mut t, &minor, contact(Outcome::MetProxy)).expect("knock");
    for key in ["guardian_present", "documents_seen"] {
        assert!(v
            .missing
            .contains(&Missing::ChecklistItem { key: key.into() }));
    }
    let v = act1(&mut t, &minor, item("guardian_present")).expect("proxy item");
    assert!(!v.missing.contains(&Missing::ChecklistItem {
        key: "guardian_present".into()
    }));
    let proxy_sign = Action::Sign {
        signer: SignerRole::Proxy,
        proxy_name: String::new(),
        relation: "母亲".into(),
        strokes: Some(signature_input()),
        attested: "监护人确认".into(),
    };
    assert_eq!(
        invalid(act1(&mut t, &minor, proxy_sign)),
        Invalid::Required,
        "a proxy signs with a name"
    );
}

#[test]
fn an_active_card_needs_no_checklist() {
    let mut t = setup();
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    let v = act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    assert_eq!(v.missing, vec![Missing::Signature]);
}

#[test]
fn checklist_problems_need_a_note_and_are_followed_by_tickets() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    let no_note = Action::Checklist {
        key: "bank_pin_set".into(),
        status: ItemStatus::Problem,
        note: " ".into(),
    };
    assert_eq!(invalid(act1(&mut t, &id, no_note)), Invalid::Required);
    let ticket_for_done = Action::Ticket {
        kind: TicketKind::CardProblem,
        description: "密码锁定".into(),
        urgency: Urgency::Normal,
        checklist_item: Some("bank_pin_set".into()),
    };
    assert_eq!(
        invalid(act1(&mut t, &id, ticket_for_done.clone())),
        Invalid::VisitTicketItem
    );
    let v = act1(
        &mut t,
        &id,
        Action::Checklist {
            key: "bank_pin_set".into(),
            status: ItemStatus::Problem,
            note: "输错三次已锁卡".into(),
        },
    )
    .expect("problem");
    assert!(v
        .warnings
        .contains(&Warning::ChecklistProblemWithoutTicket {
            key: "bank_pin_set".into()
        }));
    let v = act1(&mut t, &id, ticket_for_done).expect("ticket");
    assert!(!v
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::ChecklistProblemWithoutTicket { .. })));
    let d = draft(&t.store, &id).expect("draft");
    assert_eq!(
        d.tickets[0].due.to_string(),
        "2026-12-04",
        "normal urgency: a week"
    );
}

#[test]
fn what_was_said_inside_locks_the_outcome_and_bad_strokes_are_refused() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    act1(&mut t, &id, item("identity_checked")).expect("item");
    assert_eq!(
        invalid(act1(&mut t, &id, contact(Outcome::NobodyHome))),
        Invalid::VisitContactLocked
    );
    // Anything said inside locks it too; a ticket, which a neighbour can raise, does not.
    let talk = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &talk, contact(Outcome::MetPerson)).expect("knock");
    act1(
        &mut t,
        &talk,
        Action::Living {
            text: "独居".into(),
        },
    )
    .expect("living");
    assert_eq!(
        invalid(act1(&mut t, &talk, contact(Outcome::NobodyHome))),
        Invalid::VisitContactLocked
    );
    let door = start(&mut t.store, "MINOR", now()).expect("start").visit_id;
    act1(&mut t, &door, contact(Outcome::MetProxy)).expect("knock");
    act1(
        &mut t,
        &door,
        Action::Ticket {
            kind: TicketKind::Other,
            description: "邻居反映已搬走".into(),
            urgency: Urgency::Low,
            checklist_item: None,
        },
    )
    .expect("ticket");
    act1(&mut t, &door, contact(Outcome::Moved)).expect("a ticket does not lock the outcome");
    let mut line = signature_input();
    line.strokes = vec![(0..50)
        .map(|i| StrokePoint {
            x: 20.0 + i as f32 * 10.0,
            y: 100.0,
            t: i,
            p: 0.5,
        })
        .collect()];
    let bad = Action::Sign {
        signer: SignerRole::Recipient,
        proxy_name: String::new(),
        relation: String::new(),
        strokes: Some(line),
        attested: "确认".into(),
    };
    assert_eq!(invalid(act1(&mut t, &id, bad)), Invalid::SignatureLine);
    assert!(draft(&t.store, &id).expect("draft").signature.is_none());
}

#[test]
fn drafts_survive_reopening_and_a_data_key_rotation() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    act1(&mut t, &id, item("identity_checked")).expect("item");
    let before = draft(&t.store, &id).expect("draft");
    assert_eq!(before.actions, 2);
    t.store
        .rotate_data_key(&crate::store::RotateOptions::default(), &mut |_| {})
        .expect("rotate");
    drop(t.store);
    let store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    assert_eq!(draft(&store, &id).expect("draft"), before);
    let keys: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM keyring", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 1);
}

#[test]
fn unknown_ids_are_named() {
    let mut t = setup();
    assert!(matches!(
        start(&mut t.store, "NOBODY", now()),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        act1(&mut t, "V0000", contact(Outcome::MetPerson)),
        Err(Error::NoVisit { .. })
    ));
}

#[test]
fn actions_parse_from_the_documented_json() {
    let many = Action::parse_many(
        br#"[{"type":"contact","outcome":"met_person"},{"type":"note","text":"hello"},
            {"type":"checklist","key":"identity_checked","status":"done"},
            {"type":"ticket","kind":"card_problem","description":"x"}]"#,
    )
    .expect("parse");
    assert_eq!(many.len(), 4);
    assert_eq!(
        many[0],
        Action::Contact {
            outcome: Outcome::MetPerson,
            present: vec![]
        }
    );
    let one = Action::parse_many(br#"{"type":"note","text":"x"}"#).expect("one");
    assert_eq!(one.len(), 1);
    // A value typed into the wrong field is not echoed back.
    let err = Action::parse_many(r#"[{"type":"contact","outcome":"王秀兰"}]"#.as_bytes())
        .expect_err("bad outcome");
    assert!(!err.contains("王秀兰"), "{err}");
    let err = Action::parse_many(br#"[{"type":"note"}]"#).expect_err("missing");
    assert_eq!(err, "action 1: missing field `text`");
}

fn fix_action(lat: f64, lon: f64, datum: Option<crate::model::Datum>) -> Action {
    Action::Fix {
        lat,
        lon,
        accuracy_m: 15.0,
        at: None,
        provider: "gps".into(),
        mock: false,
        datum,
    }
}

#[test]
fn fixes_convert_their_datum_before_the_geofence() {
    use crate::geo::{distance_m, wgs84_to_gcj02};
    use crate::model::Datum;
    let mut t = setup();
    // The roster's household for ADULT is at WGS-84 (34.82, 114.82).
    let (glat, glon) = wgs84_to_gcj02(34.82, 114.82);
    assert!(
        distance_m((34.82, 114.82), (glat, glon)) > 250.0,
        "GCJ-02 offset in Henan"
    );
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    let v = act1(&mut t, &id, fix_action(glat, glon, Some(Datum::Gcj02))).expect("gcj fix");
    assert!(
        !v.flags.iter().any(|f| matches!(f, Flag::TooFar { .. })),
        "{:?}",
        v.flags
    );
    // The same numbers taken for WGS-84 are hundreds of metres off.
    let other = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    let v = act1(&mut t, &other, fix_action(glat, glon, None)).expect("wgs fix");
    assert!(
        v.flags.iter().any(|f| matches!(f, Flag::TooFar { .. })),
        "{:?}",
        v.flags
    );
    let d = draft(&t.store, &id).expect("draft");
    let best = d.fixes.best.expect("best");
    assert!(distance_m((best.lat, best.lon), (34.82, 114.82)) < 0.5);
}

#[test]
fn bad_fixes_are_refused() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    assert_eq!(
        invalid(act1(&mut t, &id, fix_action(91.0, 114.8, None))),
        Invalid::Latitude
    );
    let future = Action::Fix {
        lat: 34.82,
        lon: 114.82,
        accuracy_m: 10.0,
        at: Some(now() + chrono::Duration::days(3)),
        provider: String::new(),
        mock: false,
        datum: None,
    };
    assert_eq!(invalid(act1(&mut t, &id, future)), Invalid::FixFromFuture);
    let zero = Action::Fix {
        lat: 34.82,
        lon: 114.82,
        accuracy_m: 0.0,
        at: None,
        provider: String::new(),
        mock: false,
        datum: None,
    };
    assert_eq!(invalid(act1(&mut t, &id, zero)), Invalid::FixAccuracy);
    assert!(draft(&t.store, &id).expect("draft").fixes.best.is_none());
}

#[test]
fn debug_output_of_a_visit_names_nobody() {
    let mut t = setup();
    let id = start(&mut t.store, "MINOR", now()).expect("start").visit_id;
    let actions = vec![
        contact(Outcome::MetProxy),
        Action::Living {
            text: "母亲李芳在外打工".into(),
        },
        Action::Sign {
            signer: SignerRole::Proxy,
            proxy_name: "李芳".into(),
            relation: "母亲".into(),
            strokes: Some(signature_input()),
            attested: "监护人确认".into(),
        },
        fix_action(34.82, 114.82, None),
    ];
    act(&mut t.store, &id, &actions, now()).expect("act");
    let d = draft(&t.store, &id).expect("draft");
    let shown = format!("{d:?} {:?} {actions:?}", d.signature);
    for secret in ["李芳", "母亲", "打工", "34.82", "114.82", "监护人确认"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains(&id));
}

#[test]
fn a_draft_keeps_the_checklist_version_it_started_with() {
    let mut t = setup();
    let old = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &old, contact(Outcome::MetPerson)).expect("knock");
    let mut v2 = ChecklistTemplate::builtin();
    v2.version = 2;
    v2.items.push(crate::model::ChecklistItem {
        key: "pension_explained".into(),
        label: crate::model::Label {
            zh: "讲解养老金".into(),
            en: "Pension explained".into(),
        },
        proxy_only: false,
    });
    t.store
        .write(|tx, _| policy::write_template(tx, &v2))
        .expect("v2");
    let extra = Missing::ChecklistItem {
        key: "pension_explained".into(),
    };
    assert!(!view(&t.store, &old).expect("old").missing.contains(&extra));
    let new = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    let v = act1(&mut t, &new, contact(Outcome::MetPerson)).expect("knock");
    assert!(v.missing.contains(&extra));
}

#[test]
fn a_policy_explained_is_one_of_the_list_or_of_the_recipients_subsidies() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    let explain = |code: &str| Action::PolicyExplained { code: code.into() };
    act1(&mut t, &id, explain("card_use")).expect("a topic of the policy list");
    act1(&mut t, &id, explain("GL01")).expect("the recipient's own subsidy");
    let before = draft(&t.store, &id).expect("draft");
    assert_eq!(
        invalid(act1(&mut t, &id, explain("not-a-policy"))),
        Invalid::VisitUnknownTopic
    );
    let after = draft(&t.store, &id).expect("draft");
    assert_eq!(after.policies_explained, vec!["card_use", "GL01"]);
    assert_eq!(
        after.actions, before.actions,
        "the refused one changed nothing"
    );
}
