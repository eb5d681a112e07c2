//! Every call a phone screen uses, through the bindings' own Rust surface (what UniFFI
//! exports to Kotlin, Swift and Python), against a real server on loopback: each returns
//! typed data, with words in the chosen language. And the amount a household saw, recorded
//! on the device, synced, and read on the supervisor's visit page.

mod common;

use std::sync::Arc;

use common::*;
use doorstep_ffi::*;
use doorstep_server::admin;
use doorstep_server::storage::{Decision as ServerDecision, Storage};

#[test]
fn every_call_a_screen_uses_returns_typed_data() {
    let s = setup();
    let http = Http::new();
    let vault = Arc::new(MemoryVault::default());
    let dir = s.dir.path().join("phone").to_string_lossy().into_owned();
    let ds = Doorstep::create_with_vault(dir.clone(), "test-keystore".into(), vault.clone())
        .expect("create");
    assert_eq!(ds.language(), Language::Zh, "Chinese first");

    // Enrolment screen and the sync screen.
    let before = ds.status().expect("status");
    assert!(!before.enrolled && before.unsent == 0);
    let e = ds
        .enroll(http.clone(), s.url.clone(), code(&s))
        .expect("enrol");
    assert_eq!((e.worker.as_str(), e.area.as_str()), ("李四", AREA));
    let progress = Arc::new(Progress::default());
    let first = ds.sync(http.clone(), Some(progress.clone())).expect("sync");
    assert_eq!(first.roster_rows, 2);
    assert!(progress
        .0
        .lock()
        .expect("lock")
        .iter()
        .any(|(stage, _, _)| *stage == SyncStage::Roster));
    let status = ds.status().expect("status");
    assert!(status.enrolled && status.last_sync_at.is_some());
    assert_eq!(status.worker.as_deref(), Some("李四"));

    // The due list: names of village and township, categories, masked ID numbers.
    let due = ds
        .due_list(
            10,
            Some(LatLon {
                lat: 34.8,
                lon: 114.8,
            }),
        )
        .expect("due");
    assert_eq!(due.len(), 2);
    let a1 = due.iter().find(|e| e.id == "A1").expect("A1");
    assert_eq!(a1.village_name.as_deref(), Some("北街村"));
    assert_eq!(a1.township_name.as_deref(), Some("城关镇"));
    assert_eq!(a1.categories, vec![Category::Elderly]);
    assert_eq!(a1.card_status, CardStatus::IssuedInactive);
    assert!(a1.id_number_masked.contains("***") && !a1.id_number_masked.contains("19400312"));
    assert_eq!(a1.distance_m.map(|d| d < 1.0), Some(true));
    // Search by name, and the exact lookups by ID number and phone.
    let query = |search: &str| RosterQuery {
        due_only: false,
        search: Some(search.into()),
        village: None,
        near: None,
        limit: 10,
    };
    assert_eq!(ds.roster(query("秀兰")).expect("name")[0].id, "A1");
    assert_eq!(
        ds.roster(query(&id_number("20150101", 13))).expect("id")[0].id,
        "M1"
    );
    assert_eq!(ds.roster(query("13812345678")).expect("phone")[0].id, "A1");

    // The recipient screen: the protected subsidy hidden, then revealed behind a tap.
    let d = ds.recipient("A1".into()).expect("detail");
    assert_eq!(d.subsidies.len(), 2);
    let hidden = d.subsidies.iter().find(|x| x.hidden).expect("hidden one");
    assert!(hidden.name.is_none() && hidden.code.is_none() && hidden.protected);
    assert_eq!(d.revealed, 0);
    assert_eq!(d.village_name.as_deref(), Some("北街村"));
    let shown = ds.reveal_protected("A1".into()).expect("reveal");
    assert_eq!(shown.revealed, 1);
    assert!(shown
        .subsidies
        .iter()
        .any(|x| x.name.as_deref() == Some(SECRET)));
    let m1 = ds.recipient("M1".into()).expect("minor");
    assert_eq!(
        m1.guardian.as_ref().map(|g| g.relation.as_str()),
        Some("母亲")
    );

    // The checklist and the policy list, in both languages.
    let zh = ds.checklist().expect("checklist");
    assert!(zh
        .items
        .iter()
        .any(|i| i.key == "card_in_hand" && i.label.contains("社保卡")));
    assert_eq!(zh.items.iter().filter(|i| i.proxy_only).count(), 2);
    let topics = ds.policy_topics().expect("topics");
    assert!(topics
        .iter()
        .any(|t| t.code == "card_use" && t.title.contains("社保卡")));
    ds.set_language(Language::En);
    assert!(ds.checklist().expect("en").items[1]
        .label
        .starts_with("Card in hand"));
    ds.set_language(Language::Zh);

    // A visit, door by door.
    let v = ds.clone().start_visit("A1".into()).expect("start");
    let state = v.view().expect("view");
    assert_eq!(state.step, Step::Knock);
    assert_eq!(state.missing[0].missing, Missing::Contact);
    assert_eq!(state.missing[0].text, "敲门结果");
    assert!(state.flags.iter().any(|f| f.flag == Flag::NoLocation));
    // 1.5 km from the door: the flag carries its distance, in words too.
    let far = v.add_fix(here(34.8135, 114.8)).expect("fix");
    let too_far = far
        .flags
        .iter()
        .find(|f| matches!(f.flag, Flag::TooFar { .. }))
        .expect("too far");
    let Flag::TooFar { distance_m, .. } = too_far.flag else {
        unreachable!("matched above")
    };
    assert!((1400..1600).contains(&distance_m), "{distance_m}");
    assert!(too_far.text.contains(&distance_m.to_string()) && too_far.text.contains("米"));
    v.add_fix(GpsFix {
        accuracy_m: 4.0,
        ..here(34.8, 114.8)
    })
    .expect("at the door, more precise");
    let cared = v
        .act_all(vec![
            VisitAction::Contact {
                outcome: Outcome::MetPerson,
                present: vec!["王秀兰".into()],
            },
            VisitAction::Subsidy {
                code: "GL01".into(),
                arrived: Arrival::Yes,
                amount_seen_fen: Some(10_050),
                sms_received: Some(true),
            },
            VisitAction::PolicyExplained {
                code: "card_use".into(),
            },
            VisitAction::Living {
                text: "独居".into(),
            },
        ])
        .expect("care");
    assert_eq!(cared.step, Step::Open);
    // The protected subsidy not checked: warned about without its name.
    let warned = cared
        .warnings
        .iter()
        .find(|w| matches!(&w.warning, Warning::SubsidyNotChecked { code } if code == "TK09"))
        .expect("a warning for the other subsidy");
    assert!(!warned.text.contains(SECRET), "{}", warned.text);
    let opened = v
        .act_all(vec![
            VisitAction::Ticket {
                kind: TicketKind::CardProblem,
                description: "银行卡未激活".into(),
                urgency: Urgency::High,
                checklist_item: None,
            },
            VisitAction::Satisfaction {
                level: SatisfactionLevel::Satisfied,
                comment: String::new(),
            },
        ])
        .expect("open");
    assert_eq!(opened.step, Step::Checklist);
    assert_eq!(opened.tickets, 1);
    let items: Vec<VisitAction> = zh
        .items
        .iter()
        .filter(|i| !i.proxy_only)
        .map(|i| VisitAction::Checklist {
            key: i.key.clone(),
            status: ItemStatus::Done,
            note: String::new(),
        })
        .collect();
    let checked = v.act_all(items).expect("checklist");
    assert_eq!(checked.step, Step::Sign);
    assert_eq!(checked.missing[0].missing, Missing::Signature);

    // Photos: a thumbnail, one taken off again.
    let with_photo = v.add_photo(photo()).expect("photo");
    assert_eq!(with_photo.photos.len(), 1);
    let sha = with_photo.photos[0].clone();
    let thumb = v.photo_thumbnail(sha.clone(), 240).expect("thumbnail");
    assert!(thumb.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let second = v
        .add_photo(doorstep_sample::photo(4))
        .expect("second photo");
    assert_eq!(second.photos.len(), 2);
    let removed = v.remove_photo(second.photos[1].clone()).expect("remove");
    assert_eq!(removed.photos, vec![sha.clone()]);
    assert!(matches!(
        v.photo_thumbnail(second.photos[1].clone(), 240),
        Err(DoorstepError::Visit {
            code: ErrorCode::Invalid,
            ..
        })
    ));

    // The signature and its preview; the draft's record for a resumed screen.
    assert_eq!(v.signature_preview().expect("none yet"), None);
    let signed = v
        .act(VisitAction::Sign {
            signer: SignerRole::Recipient,
            proxy_name: String::new(),
            relation: String::new(),
            strokes: Some(strokes()),
            attested: "本人确认以上走访内容属实".into(),
        })
        .expect("sign");
    assert!(signed.can_finish, "{:?}", signed.missing);
    let png = v.signature_preview().expect("preview").expect("a png");
    assert!(png.starts_with(b"\x89PNG"));
    let resumed = ds.clone().resume_visit(v.visit_id()).expect("resume");
    let record = resumed.record().expect("record");
    assert_eq!(record.outcome, Some(Outcome::MetPerson));
    assert_eq!(record.subsidies[0].amount_seen_fen, Some(10_050));
    assert_eq!(record.policies_explained, vec!["card_use"]);
    assert_eq!(record.tickets[0].kind, TicketKind::CardProblem);
    assert_eq!(
        record.signature.as_ref().map(|s| s.signer),
        Some(SignerRole::Recipient)
    );
    let visits = ds.visits().expect("visits");
    assert_eq!(visits[0].progress, VisitProgress::Draft);
    assert_eq!(visits[0].recipient_name.as_deref(), Some("王秀兰"));

    // Finish, export, and the visit's way through the server.
    let sealed = resumed.finish().expect("finish");
    assert_eq!(sealed.seq, 1);
    let exported = resumed.export().expect("export");
    assert_eq!(exported.media.len(), 2, "the photo and the signature image");
    assert_eq!(
        ds.visits().expect("visits")[0].progress,
        VisitProgress::Waiting
    );
    assert_eq!(ds.status().expect("status").unsent, 1);
    let up = ds.sync(http.clone(), None).expect("up");
    assert_eq!((up.sent, up.receipted, up.media_sent), (1, 1, 2));
    let listed = &ds.visits().expect("visits")[0];
    assert_eq!(listed.progress, VisitProgress::Receipted);
    assert_eq!(listed.progress_text, "服务器已收到");

    // The amount the household saw, on the supervisor's page, beside the amount due; the
    // protected subsidy never named there.
    let visit_page = page(&s, &format!("/visits/{}", sealed.visit_id));
    assert!(
        visit_page.contains("看到的金额 ¥100.50"),
        "the amount seen is shown"
    );
    assert!(visit_page.contains("应发 ¥100.00"), "beside the amount due");
    assert!(!visit_page.contains(SECRET));

    // Review: returned → a task to correct; the ticket moves → a task to pass on.
    doorstep_server::block_on(admin::review(
        s.storage.as_ref(),
        &sealed.visit_id,
        None,
        ServerDecision::Return,
        "照片不清楚，请补拍",
        "zhang",
        now(),
    ))
    .expect("return");
    let ticket = doorstep_server::block_on(s.storage.tickets_in(AREA)).expect("ledger")[0]
        .id
        .clone();
    doorstep_server::block_on(doorstep_server::ledger::advance(
        s.storage.as_ref(),
        &ticket,
        None,
        &doorstep_server::ledger::Step::Transfer {
            department: "县农商银行".into(),
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
        },
        "zhang",
        now(),
    ))
    .expect("transfer");
    let down = ds.sync(http.clone(), None).expect("down");
    assert_eq!((down.decisions, down.ticket_updates), (1, 1));
    let tasks = ds.tasks().expect("tasks");
    assert!(tasks.iter().any(|t| matches!(t,
        Task::Returned { visit_id, comment, corrected: false, .. }
            if *visit_id == sealed.visit_id && comment.contains("补拍"))));
    assert!(tasks.iter().any(|t| matches!(t,
        Task::TicketUpdate { state: TicketState::Transferred, text, due: Some(due), state_text, .. }
            if text == "县农商银行" && due == "2026-12-31" && state_text == "已转办")));
    assert_eq!(
        ds.visits().expect("visits")[0].progress,
        VisitProgress::Returned
    );
    let fix = ds
        .clone()
        .correct_visit(sealed.visit_id.clone())
        .expect("correct");
    assert_eq!(
        fix.record().expect("record").corrects,
        Some(sealed.visit_id.clone())
    );

    // The county's policy reaches the device.
    let mut policy = doorstep_server::block_on(s.storage.policy("")).expect("policy");
    policy.visit_intervals.elderly = 20;
    doorstep_server::block_on(admin::issue_policy(
        s.storage.as_ref(),
        "",
        &policy,
        "zhang",
        now(),
    ))
    .expect("issue");
    assert!(ds.sync(http.clone(), None).expect("sync").policy_updated);

    // Typed errors, in the chosen language.
    ds.set_language(Language::En);
    let refused = ds
        .clone()
        .start_visit("NOBODY".into())
        .expect_err("unknown");
    assert_eq!(refused.code(), ErrorCode::NotFound);
    assert!(matches!(&refused, DoorstepError::Visit { detail, .. } if detail.contains("NOBODY")));
    let v2 = ds.clone().start_visit("M1".into()).expect("start");
    match v2.act(VisitAction::Living { text: "x".into() }) {
        Err(DoorstepError::Visit {
            code: ErrorCode::Invalid,
            detail,
        }) => assert_eq!(detail, "record who was met at the door first"),
        other => panic!("{other:?}"),
    }
    assert_eq!(v2.view().expect("view").step, Step::Knock, "unchanged");
    match ds.enroll(http.clone(), s.url.clone(), "WRONG".into()) {
        Err(DoorstepError::Sync {
            code: ErrorCode::AlreadyEnrolled,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    drop((v, v2, fix, resumed, ds));
    Doorstep::open_with_vault(dir.clone(), "test-keystore".into(), vault).expect("reopens");
    match Doorstep::open_with_vault(
        dir,
        "test-keystore".into(),
        Arc::new(MemoryVault::default()),
    ) {
        Err(e) => assert_eq!(e.code(), ErrorCode::WrongKey),
        Ok(_) => panic!("another key store opened it"),
    }
}

#[test]
fn a_passphrase_store_refuses_what_it_should_with_codes() {
    let s = setup();
    let dir = s.dir.path().join("p").to_string_lossy().into_owned();
    Doorstep::create_with_passphrase(dir.clone(), "a good long passphrase".into()).expect("create");
    let wrong = Doorstep::open_with_passphrase(dir.clone(), "not it".into()).expect_err("wrong");
    assert_eq!(wrong.code(), ErrorCode::WrongKey);
    let ds =
        Doorstep::open_with_passphrase(dir.clone(), "a good long passphrase".into()).expect("open");
    match ds.sync(Http::new(), None) {
        Err(DoorstepError::Sync {
            code: ErrorCode::NotEnrolled,
            detail,
            ..
        }) => assert!(detail.contains("注册"), "{detail}"),
        other => panic!("{other:?}"),
    }
    match ds.enroll(Http::new(), s.url.clone(), "WRONGCODE123".into()) {
        Err(DoorstepError::Sync {
            code: ErrorCode::Refused,
            http_status: Some(401),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    ds.change_passphrase("another long passphrase".into())
        .expect("change");
    drop(ds);
    Doorstep::open_with_passphrase(dir, "another long passphrase".into()).expect("the new one");
}

#[test]
fn every_label_function_words_its_value_in_both_languages() {
    assert_eq!(language_from_locale("en_US.UTF-8".into()), Language::En);
    assert_eq!(language_from_locale("zh-Hans-CN".into()), Language::Zh);
    let both = |zh: String, en: String| {
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        assert!(!en.is_empty() && en.is_ascii(), "{en}");
    };
    both(
        label_category(Category::Minor, Language::Zh),
        label_category(Category::Minor, Language::En),
    );
    both(
        label_card_status(CardStatus::Frozen, Language::Zh),
        label_card_status(CardStatus::Frozen, Language::En),
    );
    both(
        label_outcome(Outcome::InHospital, Language::Zh),
        label_outcome(Outcome::InHospital, Language::En),
    );
    both(
        label_flag(Flag::ClockSkew { seconds: 400 }, Language::Zh),
        label_flag(Flag::ClockSkew { seconds: 400 }, Language::En),
    );
    both(
        label_step(Step::Evidence, Language::Zh),
        label_step(Step::Evidence, Language::En),
    );
    both(
        label_progress(VisitProgress::Sent, Language::Zh),
        label_progress(VisitProgress::Sent, Language::En),
    );
    both(
        label_signer_role(SignerRole::Thumbprint, Language::Zh),
        label_signer_role(SignerRole::Thumbprint, Language::En),
    );
    both(
        label_ticket_state(TicketState::Replied, Language::Zh),
        label_ticket_state(TicketState::Replied, Language::En),
    );
    both(
        label_sync_stage(SyncStage::Media, Language::Zh),
        label_sync_stage(SyncStage::Media, Language::En),
    );
    both(
        label_item_status(ItemStatus::Problem, Language::Zh),
        label_item_status(ItemStatus::Problem, Language::En),
    );
}
