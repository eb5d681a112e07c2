//! Roster import, list and detail against a real store.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::error::Error;
use crate::model::{Category, Invalid};
use crate::store::{policy, recipients, reveal_log};
use crate::testing::{id_number, temp_store, today};

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

fn row(id: &str, name: &str, idn: &str, cats: &str, lat_lon: &str, last: &str) -> String {
    let (lat, lon) = lat_lon.split_once(' ').unwrap_or(("", ""));
    format!(
        "{id},{name},{idn},,,{cats},410225100201,兰考县某村,{lat},{lon},,13800000001,,,,GL01:高龄津贴:100:0,active,{last}"
    )
}

fn csv(rows: &[String]) -> Vec<u8> {
    format!("{HEADER}\n{}\n", rows.join("\n")).into_bytes()
}

fn import_csv(
    store: &mut crate::Store,
    rows: &[String],
    skip: bool,
) -> crate::Result<ImportReport> {
    import(
        store,
        &csv(rows),
        RosterFormat::Csv,
        ImportOptions { skip_invalid: skip },
        today(),
    )
}

#[test]
fn imports_then_updates_by_id() {
    let mut t = temp_store();
    let rows = vec![
        row(
            "A",
            "王大爷",
            &id_number("19400101", 11),
            "elderly",
            "34.8 114.8",
            "",
        ),
        row(
            "B",
            "李奶奶",
            &id_number("19410101", 12),
            "高龄|残疾",
            "",
            "2026-10-01",
        ),
    ];
    let r = import_csv(&mut t.store, &rows, false).expect("import");
    assert_eq!((r.inserted, r.updated), (2, 0));
    let r = import_csv(&mut t.store, &rows[..1], false).expect("again");
    assert_eq!((r.inserted, r.updated), (0, 1));
    let b = recipients::get(t.store.conn(), t.store.keys(), "B")
        .expect("get")
        .expect("B");
    assert_eq!(b.categories, vec![Category::Elderly, Category::Disabled]);
    assert_eq!(b.location, None);
}

#[test]
fn a_bad_row_names_line_field_and_reason_and_imports_nothing() {
    let mut t = temp_store();
    let good = id_number("19400101", 11);
    let mut bad = good.clone();
    let wrong = if bad.ends_with('1') { "2" } else { "1" };
    bad.replace_range(17.., wrong);
    let rows = vec![
        row("A", "王大爷", &good, "elderly", "", ""),
        row("B", "李奶奶", &bad, "elderly", "", ""),
        row(
            "C",
            "张三",
            &id_number("19400101", 13),
            "elderly",
            "95 114",
            "",
        ),
    ];
    match import_csv(&mut t.store, &rows, false) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs.len(), 2);
            assert_eq!((errs[0].line, errs[0].field.as_str()), (3, "id_number"));
            assert!(matches!(
                errs[0].problem,
                RowProblem::Invalid(Invalid::IdCheckDigit { .. })
            ));
            assert_eq!((errs[1].line, errs[1].field.as_str()), (4, "lat"));
        }
        other => panic!("expected InvalidRows, got {other:?}"),
    }
    assert_eq!(recipients::count(t.store.conn()).expect("count"), 0);

    let r = import_csv(&mut t.store, &rows, true).expect("skip invalid");
    assert_eq!(r.inserted, 1);
    assert_eq!(
        r.skipped.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![3, 4]
    );
}

#[test]
fn one_id_number_under_two_ids_is_an_error_in_the_file_and_against_the_store() {
    let mut t = temp_store();
    let idn = id_number("19400101", 11);
    let rows = vec![
        row("A", "王大爷", &idn, "elderly", "", ""),
        row("B", "王大爷", &idn, "elderly", "", ""),
    ];
    match import_csv(&mut t.store, &rows, false) {
        Err(Error::InvalidRows(errs)) => assert_eq!(
            errs[0].problem,
            RowProblem::DuplicateIdNumber { first_line: 2 }
        ),
        other => panic!("{other:?}"),
    }
    import_csv(&mut t.store, &rows[..1], false).expect("A alone");
    match import_csv(&mut t.store, &rows[1..], false) {
        Err(Error::InvalidRows(errs)) => assert_eq!(
            errs[0].problem,
            RowProblem::IdNumberInStore {
                other_id: "A".into()
            }
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(recipients::count(t.store.conn()).expect("count"), 1);
}

#[test]
fn minors_need_a_guardian_and_a_young_birth_date() {
    let mut t = temp_store();
    let rows = vec![row(
        "M",
        "小明",
        &id_number("20150101", 11),
        "minor",
        "",
        "",
    )];
    match import_csv(&mut t.store, &rows, false) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs[0].field, "guardian_name");
            assert_eq!(
                errs[0].problem,
                RowProblem::Invalid(Invalid::MinorWithoutGuardian)
            );
        }
        other => panic!("{other:?}"),
    }
    let old = vec![row(
        "M",
        "老人",
        &id_number("19400101", 11),
        "minor",
        "",
        "",
    )];
    let Err(Error::InvalidRows(errs)) = import_csv(&mut t.store, &old, false) else {
        panic!("expected errors")
    };
    assert!(errs
        .iter()
        .any(|e| e.problem == RowProblem::Invalid(Invalid::MinorAge)));
}

#[test]
fn json_arrays_import_with_numbers_and_lists() {
    let mut t = temp_store();
    let body = format!(
        r#"[{{"id":"J1","name":"赵六","id_number":"{}","categories":["elderly","disabled"],
            "village_code":"410225100201","lat":34.8,"lon":114.8,"datum":"gcj02",
            "enrolments":["GL01:高龄津贴:100:0","CJ01:残疾人护理补贴:80:0"],"card_status":"active"}}]"#,
        id_number("19400101", 11)
    );
    let r = import(
        &mut t.store,
        body.as_bytes(),
        RosterFormat::sniff(body.as_bytes()),
        ImportOptions::default(),
        today(),
    )
    .expect("json");
    assert_eq!(r.inserted, 1);
    let j = recipients::get(t.store.conn(), t.store.keys(), "J1")
        .expect("get")
        .expect("J1");
    assert_eq!(j.enrolments.len(), 2);
    assert_eq!(
        j.location.map(|l| l.datum),
        Some(crate::model::Datum::Gcj02)
    );
}

#[test]
fn structural_faults_are_row_errors() {
    let mut t = temp_store();
    let bytes = format!("{HEADER}\nA,only,three\n").into_bytes();
    match import(
        &mut t.store,
        &bytes,
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    ) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs[0].line, 2);
            assert!(matches!(errs[0].problem, RowProblem::Malformed(_)));
        }
        other => panic!("{other:?}"),
    }
    let no_id_col = b"name,id_number\n".to_vec();
    assert!(matches!(
        import(
            &mut t.store,
            &no_id_col,
            RosterFormat::Csv,
            ImportOptions::default(),
            today()
        ),
        Err(Error::RosterFormat(_))
    ));
    assert!(matches!(
        import(
            &mut t.store,
            b"[1,",
            RosterFormat::Json,
            ImportOptions::default(),
            today()
        ),
        Err(Error::RosterFormat(_))
    ));
}

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
    let by_id = lookup(&t.store, &idn.to_lowercase(), None, today()).expect("lookup");
    assert_eq!(by_id.expect("exact").len(), 1);
    let by_phone = lookup(&t.store, "+86 138-0000-0001", None, today()).expect("lookup");
    assert_eq!(by_phone.expect("exact")[0].id, "A");
    assert!(lookup(&t.store, "王", None, today())
        .expect("lookup")
        .is_none());
}

#[test]
fn protected_subsidies_are_hidden_until_revealed_and_each_reveal_is_logged() {
    let mut t = temp_store();
    let line = format!(
        "P,小红,{},,,minor,410225100201,村,,,,,王芳,母亲,13900000000,GE01:孤儿基本生活费:1460:1;JC01:基础补贴:50:0,active,",
        id_number("20150101", 12)
    );
    import_csv(&mut t.store, &[line], false).expect("import");
    let now = Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .expect("time");
    let d = show(&mut t.store, "P", false, now).expect("show");
    assert_eq!(d.enrolments[0], DetailEnrolment::Hidden);
    assert!(matches!(d.enrolments[1], DetailEnrolment::Shown { .. }));
    assert!(reveal_log::for_recipient(t.store.conn(), "P")
        .expect("log")
        .is_empty());
    let d = show(&mut t.store, "P", true, now).expect("reveal");
    assert_eq!(d.revealed, 1);
    assert!(
        matches!(&d.enrolments[0], DetailEnrolment::Shown { short_name, .. } if short_name == "孤儿基本生活费")
    );
    let log = reveal_log::for_recipient(t.store.conn(), "P").expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].at, now);
    assert!(matches!(
        show(&mut t.store, "nobody", false, now),
        Err(Error::NotFound { .. })
    ));
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
