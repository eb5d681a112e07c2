//! Roster import, list and detail against a real store.

use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::error::Error;
use crate::model::{Category, Invalid};
use crate::roster::RosterFault;
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
    let mut changed = rows[0].replace("王大爷", "王大伯");
    changed = changed.replace("active,", "lost,");
    let r = import_csv(&mut t.store, &[changed], false).expect("again");
    assert_eq!((r.inserted, r.updated), (0, 1));
    let a = recipients::get(t.store.conn(), t.store.keys(), "A")
        .expect("get")
        .expect("A");
    assert_eq!(a.name, "王大伯");
    assert_eq!(a.card_status, crate::model::CardStatus::Lost);
    assert_eq!(recipients::count(t.store.conn()).expect("count"), 2);
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
            assert_eq!(
                errs[0].problem,
                RowProblem::FieldCount {
                    found: 3,
                    expected: 18
                }
            );
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
        .expect("time")
        .fixed_offset();
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
    assert_eq!(log[0].at, now.with_timezone(&Utc));
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

#[test]
fn columns_a_file_leaves_out_are_kept_on_update_and_blank_cells_clear() {
    let mut t = temp_store();
    let idn = id_number("19400101", 11);
    let line = format!(
        "A,王大爷,{idn},,,elderly,410225100201,兰考县某村,34.8,114.8,,13800000001,王强,儿子,,GL01:高龄津贴:100:0,active,"
    );
    import_csv(&mut t.store, &[line], false).expect("full row");
    // A later file with only the required columns: the rest must survive.
    let slim = format!("id,name,id_number,categories,village_code,card_status\nA,王大爷,{idn},elderly|disabled,410225100201,issued_inactive\n");
    let r = import(
        &mut t.store,
        slim.as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    )
    .expect("slim");
    assert_eq!((r.inserted, r.updated), (0, 1));
    let a = recipients::get(t.store.conn(), t.store.keys(), "A")
        .expect("get")
        .expect("A");
    assert_eq!(a.categories, vec![Category::Elderly, Category::Disabled]);
    assert_eq!(a.card_status, crate::model::CardStatus::IssuedInactive);
    assert_eq!(a.phone.as_ref().map(|p| p.as_str()), Some("13800000001"));
    assert_eq!(
        a.guardian.as_ref().map(|g| g.relation.as_str()),
        Some("儿子")
    );
    assert_eq!(a.enrolments.len(), 1);
    assert!(a.location.is_some());
    assert_eq!(a.address, "兰考县某村");
    // A present but blank column is a deliberate clear.
    let blank_phone = format!("id,name,id_number,categories,village_code,card_status,phone\nA,王大爷,{idn},elderly,410225100201,active,\n");
    import(
        &mut t.store,
        blank_phone.as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    )
    .expect("blank phone");
    let a = recipients::get(t.store.conn(), t.store.keys(), "A")
        .expect("get")
        .expect("A");
    assert_eq!(a.phone, None);
    assert_eq!(a.enrolments.len(), 1);
}

#[test]
fn unknown_and_duplicate_columns_fail_the_file() {
    let mut t = temp_store();
    let unknown = format!("{HEADER},phone_numbr\n");
    assert!(matches!(
        import(&mut t.store, unknown.as_bytes(), RosterFormat::Csv, ImportOptions::default(), today()),
        Err(Error::RosterFormat(RosterFault::UnknownColumn(c))) if c == "phone_numbr"
    ));
    let dup = format!("{HEADER},phone\n");
    assert!(matches!(
        import(&mut t.store, dup.as_bytes(), RosterFormat::Csv, ImportOptions::default(), today()),
        Err(Error::RosterFormat(RosterFault::DuplicateColumn(c))) if c == "phone"
    ));
    let json = format!(
        r#"[{{"id":"J","name":"赵","id_number":"{}","categories":"elderly","village_code":"410225100201","card_status":"active","fone":"138"}}]"#,
        id_number("19400101", 11)
    );
    match import(
        &mut t.store,
        json.as_bytes(),
        RosterFormat::Json,
        ImportOptions::default(),
        today(),
    ) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs[0].field, "fone");
            assert_eq!(errs[0].problem, RowProblem::Invalid(Invalid::UnknownField));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn line_numbers_hold_for_crlf_bom_quotes_and_blank_lines() {
    let mut t = temp_store();
    let good = row("A", "王一", &id_number("19400101", 11), "elderly", "", "");
    let bad = row("B", "王二", "12345", "elderly", "", "");
    // BOM, CRLF endings, a quoted address holding a comma and a line break, a blank line.
    let quoted = format!(
        "C,\"李,三\",{},,,elderly,410225100201,\"兰考县\r\n某村\",,,,,,,,,active,",
        id_number("19400101", 13)
    );
    let body = format!("\u{feff}{HEADER}\r\n{good}\r\n{quoted}\r\n\r\n{bad}\r\n");
    match import(
        &mut t.store,
        body.as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    ) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs.len(), 1);
            // Header 1, A 2, C 3-4, blank 5, B 6.
            assert_eq!((errs[0].line, errs[0].field.as_str()), (6, "id_number"));
        }
        other => panic!("{other:?}"),
    }
    let r = import(
        &mut t.store,
        body.as_bytes(),
        RosterFormat::Csv,
        ImportOptions { skip_invalid: true },
        today(),
    )
    .expect("skip");
    assert_eq!(r.inserted, 2);
    let c = recipients::get(t.store.conn(), t.store.keys(), "C")
        .expect("get")
        .expect("C");
    assert_eq!(c.name, "李,三");
    assert_eq!(c.address, "兰考县\r\n某村");
}

#[test]
fn a_guardian_phone_without_a_guardian_is_refused() {
    let mut t = temp_store();
    let line = format!(
        "A,王一,{},,,elderly,410225100201,村,,,,,,,13900000000,,active,",
        id_number("19400101", 11)
    );
    match import_csv(&mut t.store, &[line], false) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(errs[0].problem, RowProblem::Invalid(Invalid::HalfGuardian))
        }
        other => panic!("{other:?}"),
    }
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

#[test]
fn two_records_can_swap_id_numbers_in_one_file() {
    let mut t = temp_store();
    let (x, y) = (id_number("19400101", 11), id_number("19400101", 13));
    import_csv(
        &mut t.store,
        &[
            row("A", "王一", &x, "elderly", "", ""),
            row("B", "王二", &y, "elderly", "", ""),
        ],
        false,
    )
    .expect("import");
    // The roster office corrects a mix-up: A and B had each other's numbers.
    import_csv(
        &mut t.store,
        &[
            row("A", "王一", &y, "elderly", "", ""),
            row("B", "王二", &x, "elderly", "", ""),
        ],
        false,
    )
    .expect("swap");
    let q = ListQuery::default();
    assert_eq!(
        lookup(&t.store, &x, &q, today())
            .expect("x")
            .expect("exact")[0]
            .id,
        "B"
    );
    assert_eq!(
        lookup(&t.store, &y, &q, today())
            .expect("y")
            .expect("exact")[0]
            .id,
        "A"
    );
}
