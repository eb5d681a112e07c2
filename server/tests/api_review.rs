//! What the server adds for review: cross-device authenticity flags, raised in the
//! background, and the ticket ledger with its audit lines and updates to the device.

mod common;

use chrono::NaiveDate;
use common::*;
use doorstep_contract::visit::{ServerFlag, Ticket, TicketKind, Urgency};

#[test]
fn the_server_flags_the_same_spot_and_photo_across_devices() {
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let (_, page) = s.signed(&a, "GET", "/api/v1/roster?since=0", b"");
    let id = |i: usize| page["rows"][i]["id"].as_str().expect("row").to_owned();
    let at = |lat: f64, lon: f64| best_at(lat, lon, 5.0);
    let photo: u64 = 0x9f3a_5c17_e2b4_0d68;
    let flags = |v: &str| {
        // What the background pass would do next; called here so the test need not wait.
        doorstep_server::block_on(s.storage.raise_pending_flags(1000)).expect("flags");
        doorstep_server::block_on(s.storage.visit_status(v))
            .expect("db")
            .expect("visit")
            .2
    };
    push(
        &s,
        &a,
        &[record_with(&a, "A1", 1, &id(0), |r| {
            r.fixes = at(34.8, 114.8);
            r.photo_phashes = vec![photo];
        })],
    );
    assert!(flags("A1").is_empty(), "nothing to compare yet");
    // Another device, another household: 50 m away and another picture: no flag.
    push(
        &s,
        &b,
        &[record_with(&b, "B1", 1, &id(1), |r| {
            r.fixes = at(34.80045, 114.8);
            r.photo_phashes = vec![!photo];
        })],
    );
    assert!(flags("B1").is_empty());
    // 2 m away, and the picture again (two bits off, as after re-encoding): both flags, on
    // both visits.
    let again = photo ^ 0b101;
    push(
        &s,
        &b,
        &[record_with(&b, "B2", 2, &id(2), |r| {
            r.fixes = at(34.800018, 114.8);
            r.photo_phashes = vec![again];
        })],
    );
    let both = vec![
        ServerFlag::SameSpotOtherDevice,
        ServerFlag::PhotoReusedOtherDevice,
    ];
    assert_eq!(flags("B2"), both);
    assert_eq!(flags("A1"), both);
    assert!(flags("B1").is_empty());
    // One device twice at one spot for two households: the device flags that itself; the
    // server's flags are for what crosses devices.
    push(
        &s,
        &a,
        &[record_with(&a, "A2", 2, &id(3), |r| {
            r.fixes = at(34.9, 114.9)
        })],
    );
    push(
        &s,
        &a,
        &[record_with(&a, "A3", 3, &id(4), |r| {
            r.fixes = at(34.9, 114.9)
        })],
    );
    assert!(flags("A3").is_empty());
}

/// Two visits flagged in one pass find each other (the second among the batch's own, not
/// yet indexed), across the edge of two grid cells, and a third of the first device does
/// not flag its own.
#[test]
fn visits_flagged_in_one_pass_find_each_other_across_a_cell_edge() {
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let (_, page) = s.signed(&a, "GET", "/api/v1/roster?since=0", b"");
    let id = |i: usize| page["rows"][i]["id"].as_str().expect("row").to_owned();
    let photo: u64 = 0x1234_5678_9abc_def0;
    // 2 m apart, on either side of a cell edge (cells are 1e-4 degrees).
    push(
        &s,
        &a,
        &[record_with(&a, "A1", 1, &id(0), |r| {
            r.fixes = best_at(34.79999, 114.8, 5.0);
            r.photo_phashes = vec![photo];
        })],
    );
    push(
        &s,
        &b,
        &[record_with(&b, "B1", 1, &id(1), |r| {
            r.fixes = best_at(34.80001, 114.8, 5.0);
            r.photo_phashes = vec![photo ^ 0b11];
        })],
    );
    push(
        &s,
        &a,
        &[record_with(&a, "A2", 2, &id(2), |r| {
            r.fixes = best_at(34.6, 114.6, 5.0);
            r.photo_phashes = vec![photo];
        })],
    );
    let raised = doorstep_server::block_on(s.storage.raise_pending_flags(1000)).expect("flags");
    assert_eq!(raised, 3, "one pass for all three");
    let flags = |v: &str| {
        doorstep_server::block_on(s.storage.visit_status(v))
            .expect("db")
            .expect("visit")
            .2
    };
    let both = vec![
        ServerFlag::SameSpotOtherDevice,
        ServerFlag::PhotoReusedOtherDevice,
    ];
    assert_eq!(flags("A1"), both);
    assert_eq!(flags("B1"), both);
    // Its photo is B1's too (B is another device), but it stood elsewhere.
    assert_eq!(flags("A2"), vec![ServerFlag::PhotoReusedOtherDevice]);
}

#[test]
fn flags_are_raised_in_the_background_while_serving() {
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let who = first_recipient(&s, &a);
    let other = {
        let (_, page) = s.signed(&b, "GET", "/api/v1/roster?since=0", b"");
        page["rows"][1]["id"].as_str().expect("row").to_owned()
    };
    let spot = best_at(34.7, 114.7, 5.0);
    push(
        &s,
        &a,
        &[record_with(&a, "A1", 1, &who, |r| r.fixes = spot.clone())],
    );
    push(
        &s,
        &b,
        &[record_with(&b, "B1", 1, &other, |r| r.fixes = spot.clone())],
    );
    let started = std::time::Instant::now();
    loop {
        let f = doorstep_server::block_on(s.storage.visit_status("B1"))
            .expect("db")
            .expect("visit")
            .2;
        if f == vec![ServerFlag::SameSpotOtherDevice] {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "never flagged: {f:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_ticket_moves_through_the_ledger_and_its_device_hears_of_it() {
    use doorstep_server::ledger::{advance, LedgerError, Step, TicketState};
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let ticket = Ticket {
        number: 1,
        kind: TicketKind::CardProblem,
        description: "密码输错被锁卡".into(),
        urgency: Urgency::High,
        due: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        from_checklist: Some("bank_pin_set".into()),
    };
    push(
        &s,
        &d,
        &[record_with(&d, "V1", 1, &who, |r| r.tickets = vec![ticket])],
    );
    let ledger = doorstep_server::block_on(s.storage.tickets_in(AREA)).expect("ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].id.as_str(), ledger[0].state),
        ("V1-1", TicketState::Accepted)
    );
    let due = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    let step = |st: &Step| {
        doorstep_server::block_on(advance(
            s.storage.as_ref(),
            "V1-1",
            Some(AREA),
            st,
            "zhang",
            now(),
        ))
    };
    // Out of order, without text, or from another county: refused, nothing changes.
    let close = Step::Close {
        outcome: "已重置密码".into(),
    };
    assert!(matches!(step(&close), Err(LedgerError::OutOfOrder { .. })));
    let blank = Step::Transfer {
        department: " ".into(),
        due,
    };
    assert!(matches!(step(&blank), Err(LedgerError::TextRequired)));
    let transfer = Step::Transfer {
        department: "县农商银行".into(),
        due,
    };
    let elsewhere = doorstep_server::block_on(advance(
        s.storage.as_ref(),
        "V1-1",
        Some("410224"),
        &transfer,
        "li",
        now(),
    ));
    assert!(elsewhere.is_err());
    assert_eq!(
        doorstep_server::block_on(s.storage.tickets_in(AREA)).expect("ledger")[0].state,
        TicketState::Accepted
    );
    let t = step(&transfer).expect("transfer");
    assert_eq!(
        (t.state, t.department.as_deref(), t.due),
        (TicketState::Transferred, Some("县农商银行"), due)
    );
    step(&Step::Reply {
        text: "已安排上门重置".into(),
        due,
    })
    .expect("reply");
    let t = step(&close).expect("close");
    assert_eq!(
        (t.state, t.outcome.as_deref()),
        (TicketState::Closed, Some("已重置密码"))
    );
    assert!(
        matches!(step(&close), Err(LedgerError::OutOfOrder { .. })),
        "closed is final"
    );
    let audited: Vec<(String, String)> =
        s.db.rows("SELECT actor, action FROM audit_log WHERE subject = 'V1-1' ORDER BY id")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let steps: Vec<&str> = audited.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        steps,
        ["ticket:transferred", "ticket:replied", "ticket:closed"]
    );
    assert!(audited.iter().all(|(actor, _)| actor == "zhang"));
    // The device that raised it pulls where it stands.
    let (status, page) = s.signed(&d, "GET", "/api/v1/tickets?since=0", b"");
    assert_eq!(status, 200);
    assert_eq!(page["updates"][0]["ticket_id"], "V1-1");
    assert_eq!(page["updates"][0]["state"], "closed");
    assert_eq!(page["updates"][0]["outcome"], "已重置密码");
    let cursor = page["cursor"].as_i64().expect("cursor");
    let (_, again) = s.signed(&d, "GET", &format!("/api/v1/tickets?since={cursor}"), b"");
    assert_eq!(again["updates"].as_array().map(Vec::len), Some(0));
}

/// The queue's counts are kept as visits are written, not counted from the rows: after
/// pushes, device and server flags, decisions and a correction, every count it shows agrees
/// with the rows themselves, before the background pass has run and after.
#[test]
fn the_queues_kept_counts_agree_with_the_visits_after_every_kind_of_write() {
    use doorstep_contract::visit::Flag;
    use doorstep_contract::wire::VisitStatus;
    use doorstep_server::storage::web::QueueFilter;
    use doorstep_server::storage::Decision;
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let (_, page) = s.signed(&a, "GET", "/api/v1/roster?since=0", b"");
    let id = |i: usize| page["rows"][i]["id"].as_str().expect("row").to_owned();
    let spot = best_at(34.75, 114.75, 5.0);
    push(
        &s,
        &a,
        &[
            record_with(&a, "A1", 1, &id(0), |r| r.fixes = spot.clone()),
            record_with(&a, "A2", 2, &id(1), |r| r.flags = vec![Flag::MockLocation]),
            record_with(&a, "A3", 3, &id(2), |_| {}),
            record_with(&a, "A4", 4, &id(3), |_| {}),
        ],
    );
    // Same spot, another device, another household: the server flags B1 and A1.
    push(
        &s,
        &b,
        &[record_with(&b, "B1", 1, &id(4), |r| r.fixes = spot.clone())],
    );
    let review = |visit: &str, d: Decision, comment: &str| {
        doorstep_server::block_on(doorstep_server::admin::review(
            s.storage.as_ref(),
            visit,
            None,
            d,
            comment,
            "operator",
            now(),
        ))
        .expect("decide")
    };
    review("A3", Decision::Approve, "");
    review("A4", Decision::Return, "请补拍");
    push(
        &s,
        &a,
        &[record_with(&a, "A5", 5, &id(3), |r| {
            r.corrects = Some("A4".into())
        })],
    );
    // The background pass flags A1 and B1 within moments; checked once it has, so that no
    // flag lands between the queue's count and the rows' (kept counts it may fold meanwhile:
    // the sums stay the same).
    let settle = || {
        let started = std::time::Instant::now();
        while doorstep_server::block_on(s.storage.flags_pending()).expect("pending") > 0 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "flagger stuck"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let check = |when: &str| {
        settle();
        let q = |f: QueueFilter| {
            doorstep_server::block_on(s.storage.queue(AREA, &f, 0, 50)).expect("queue")
        };
        let counted = |clause: &str| -> i64 {
            s.db.rows(&format!("SELECT count(*) FROM visits WHERE {clause}"))[0][0]
                .parse()
                .expect("a count")
        };
        let all = q(QueueFilter::default());
        assert_eq!(all.total, counted("1 = 1"), "{when}: all");
        assert!(!all.more);
        for status in VisitStatus::ALL {
            let n = counted(&format!("status = '{}'", status.code()));
            let shown = all
                .by_status
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            assert_eq!(shown, n, "{when}: {status:?} among all");
            let only = q(QueueFilter {
                status: Some(status),
                ..Default::default()
            });
            assert_eq!(only.total, n, "{when}: {status:?}");
            assert_eq!(only.rows.len() as i64, n, "{when}: {status:?} rows");
        }
        let flagged = q(QueueFilter {
            flag: Some("any".into()),
            ..Default::default()
        });
        assert_eq!(
            flagged.total,
            counted("flag_kinds <> '[]'"),
            "{when}: flagged"
        );
        assert_eq!(flagged.rows.len() as i64, flagged.total, "{when}");
        // A filter the kept counts cannot answer is counted from the rows.
        let mock = q(QueueFilter {
            flag: Some("mock_location".into()),
            ..Default::default()
        });
        assert_eq!((mock.total, mock.more), (1, false), "{when}: mock location");
        assert_eq!(mock.rows[0].visit_id, "A2");
        all
    };
    check("after pushes, flags, decisions and a correction");
    // One more decision, checked at once (on PostgreSQL, most likely before its change to
    // the counts is folded in).
    review("B1", Decision::Reject, "不是本户");
    let after = check("after a decision");
    let flagged: Vec<&str> = after
        .rows
        .iter()
        .take_while(|r| !r.flags.is_empty())
        .map(|r| r.visit_id.as_str())
        .collect();
    assert_eq!(flagged.len(), 3, "A1, A2 and B1 first: {flagged:?}");
    for v in ["A1", "A2", "B1"] {
        assert!(flagged.contains(&v), "{v} among the flagged: {flagged:?}");
    }
    let corrected = after
        .by_status
        .iter()
        .find(|(s, _)| *s == VisitStatus::Corrected);
    assert_eq!(corrected.map(|(_, n)| *n), Some(1), "A4 corrected by A5");
}
