//! Lists and lookups: order, filters, due dates, damage.

use super::*;

#[test]
fn list_orders_by_overdue_then_distance_and_filters() {
    let mut t = temp_store();
    let d = |n: i64| (today() - Duration::days(n)).to_string();
    let rows = vec![
        // Elderly, 60-day interval: visited 70 days ago → 10 overdue.
        row(
            "A",
            "王一",
            &id_number("19400101", 11),
            "elderly",
            "34.80 114.80",
            &d(70),
        ),
        // Seriously ill wins (30 days): visited 40 days ago → 10 overdue, but farther.
        row(
            "B",
            "王二",
            &id_number("19400101", 13),
            "elderly|seriously_ill",
            "34.90 114.90",
            &d(40),
        ),
        // Never visited: due now, 0 overdue.
        row(
            "C",
            "李三",
            &id_number("19400101", 15),
            "disabled",
            "34.80 114.80",
            "",
        ),
        // Visited yesterday: not due.
        row(
            "D",
            "李四",
            &id_number("19400101", 17),
            "elderly",
            "34.80 114.80",
            &d(1),
        ),
    ];
    import_csv(&mut t.store, &rows, false).expect("import");
    let near = Some((34.80, 114.80));
    let all = list(
        &t.store,
        &ListQuery {
            near,
            ..ListQuery::default()
        },
        today(),
    )
    .expect("list");
    let ids: Vec<&str> = all.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, vec!["A", "B", "C", "D"]);
    assert_eq!(all.entries[0].overdue_days, 10);
    assert_eq!(all.entries[1].overdue_days, 10);
    assert!(all.entries[0].distance_m.expect("d") < 1.0);
    assert!(all.entries[1].distance_m.expect("d") > 10_000.0);
    assert_eq!(all.entries[2].due_date, today());
    assert_eq!(all.entries[3].overdue_days, -59);

    let due = list(
        &t.store,
        &ListQuery {
            due_only: true,
            ..ListQuery::default()
        },
        today(),
    )
    .expect("due");
    assert_eq!(due.entries.len(), 3);
    let search = list(
        &t.store,
        &ListQuery {
            search: Some("李".into()),
            ..ListQuery::default()
        },
        today(),
    )
    .expect("search");
    assert_eq!(
        search
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        vec!["C", "D"]
    );
    let other_village = list(
        &t.store,
        &ListQuery {
            village: Some("410225101".into()),
            ..ListQuery::default()
        },
        today(),
    )
    .expect("village");
    assert!(other_village.entries.is_empty());
    let top = list(
        &t.store,
        &ListQuery {
            limit: Some(2),
            near,
            ..ListQuery::default()
        },
        today(),
    )
    .expect("top");
    assert_eq!(
        top.entries
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>(),
        vec!["A", "B"]
    );
    assert_eq!(top.total, 4);
}

#[test]
fn policy_intervals_change_who_is_due() {
    let mut t = temp_store();
    let last = (today() - Duration::days(45)).to_string();
    import_csv(
        &mut t.store,
        &[row(
            "A",
            "王一",
            &id_number("19400101", 11),
            "elderly",
            "",
            &last,
        )],
        false,
    )
    .expect("import");
    let q = ListQuery {
        due_only: true,
        ..ListQuery::default()
    };
    assert!(list(&t.store, &q, today())
        .expect("list")
        .entries
        .is_empty());
    let mut p = policy::read(t.store.conn()).expect("policy");
    p.visit_intervals.elderly = 40;
    t.store.write(|tx, _| policy::write(tx, &p)).expect("write");
    assert_eq!(
        list(&t.store, &q, today()).expect("list").entries[0].overdue_days,
        5
    );
}

#[test]
fn lookup_by_id_number_and_phone_uses_the_blind_index() {
    let mut t = temp_store();
    let idn = id_number("19400101", 11);
    import_csv(
        &mut t.store,
        &[row("A", "王一", &idn, "elderly", "", "")],
        false,
    )
    .expect("import");
    let q = ListQuery::default();
    let by_id = lookup(&t.store, &idn.to_lowercase(), &q, today()).expect("lookup");
    assert_eq!(by_id.expect("exact").len(), 1);
    let by_phone = lookup(&t.store, "+86 138-0000-0001", &q, today()).expect("lookup");
    assert_eq!(by_phone.expect("exact")[0].id, "A");
    assert!(lookup(&t.store, "王", &q, today())
        .expect("lookup")
        .is_none());
    // The village filter still applies to an exact match.
    let elsewhere = ListQuery {
        village: Some("410225101".into()),
        ..ListQuery::default()
    };
    let none = lookup(&t.store, &idn, &elsewhere, today()).expect("lookup");
    assert_eq!(none.expect("exact").len(), 0);
}

#[test]
fn a_damaged_row_is_counted_and_the_rest_listed() {
    let mut t = temp_store();
    let rows = vec![
        row("A", "王一", &id_number("19400101", 11), "elderly", "", ""),
        row("B", "王二", &id_number("19400101", 13), "elderly", "", ""),
    ];
    import_csv(&mut t.store, &rows, false).expect("import");
    t.store
        .conn()
        .execute(
            "UPDATE recipients SET sec = substr(sec, 1, 40) || x'00' WHERE id = 'B'",
            [],
        )
        .expect("damage");
    let r = list(&t.store, &ListQuery::default(), today()).expect("list");
    assert_eq!(r.entries.len(), 1);
    assert_eq!(r.unreadable, vec!["B".to_owned()]);
}

#[test]
fn township_and_county_prefixes_select_villages() {
    let mut t = temp_store();
    let line = |id: &str, seq: u32, village: &str| {
        format!(
            "{id},王{seq},{},,,elderly,{village},村,,,,,,,,,active,",
            id_number("19400101", seq)
        )
    };
    import_csv(
        &mut t.store,
        &[
            line("A", 11, "410225100201"),
            line("B", 13, "410225100202"),
            line("C", 15, "410225101201"),
            line("D", 17, "410224100201"),
        ],
        false,
    )
    .expect("import");
    let ids = |prefix: &str| -> Vec<String> {
        let q = ListQuery {
            village: Some(prefix.into()),
            ..ListQuery::default()
        };
        let mut v: Vec<String> = list(&t.store, &q, today())
            .expect("list")
            .entries
            .into_iter()
            .map(|e| e.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids("410225100"), vec!["A", "B"]);
    assert_eq!(ids("410225"), vec!["A", "B", "C"]);
    assert_eq!(ids("410225100201"), vec!["A"]);
    assert_eq!(ids("41"), vec!["A", "B", "C", "D"]);
}

#[test]
fn out_of_range_policy_and_visit_days_are_errors_not_panics() {
    let mut t = temp_store();
    import_csv(
        &mut t.store,
        &[row(
            "A",
            "王一",
            &id_number("19400101", 11),
            "elderly",
            "",
            "2026-10-01",
        )],
        false,
    )
    .expect("import");
    let mut p = policy::read(t.store.conn()).expect("policy");
    assert_eq!(
        p.visit_intervals.set(Category::Elderly, 0),
        Err(Invalid::Interval)
    );
    p.visit_intervals.elderly = 4_000_000;
    assert!(t.store.write(|tx, _| policy::write(tx, &p)).is_err());
    // Damage the plaintext columns directly, as a tampered file would.
    t.store
        .conn()
        .execute(
            "UPDATE policy SET body = replace(body, '\"elderly\":60', '\"elderly\":4000000000')",
            [],
        )
        .expect("damage policy");
    assert!(matches!(
        list(&t.store, &ListQuery::default(), today()),
        Err(Error::Corrupt {
            table: "policy",
            ..
        })
    ));
    t.store
        .write(|tx, _| policy::write(tx, &crate::policy::Policy::default()))
        .expect("restore");
    t.store
        .conn()
        .execute("UPDATE recipients SET last_visit = 9000000000000", [])
        .expect("damage date");
    let r = list(&t.store, &ListQuery::default(), today()).expect("list");
    assert_eq!(r.unreadable, vec!["A".to_owned()]);
    t.store
        .conn()
        .execute(
            "UPDATE recipients SET last_visit = NULL, village = '41'",
            [],
        )
        .expect("damage village");
    let r = list(&t.store, &ListQuery::default(), today()).expect("list");
    assert_eq!(r.unreadable, vec!["A".to_owned()]);
}
