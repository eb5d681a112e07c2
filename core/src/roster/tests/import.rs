//! Importing rosters: validation, duplicates, merging, file formats.

use super::*;

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

#[test]
fn a_swap_only_counts_when_the_other_row_is_written_too() {
    let mut t = temp_store();
    let (x, y, z) = (
        id_number("19400101", 11),
        id_number("19400101", 13),
        id_number("19400101", 15),
    );
    import_csv(
        &mut t.store,
        &[
            row("A", "王一", &x, "elderly", "", ""),
            row("B", "王二", &y, "elderly", "", ""),
            row("C", "王三", &z, "elderly", "", ""),
        ],
        false,
    )
    .expect("import");
    // B takes C's number (C is not in the file): B is skipped, so A cannot take B's.
    let r = import_csv(
        &mut t.store,
        &[
            row("A", "王一", &y, "elderly", "", ""),
            row("B", "王二", &z, "elderly", "", ""),
        ],
        true,
    )
    .expect("skip invalid");
    assert_eq!(r.inserted + r.updated, 0);
    assert_eq!(r.skipped.len(), 2);
    let q = ListQuery::default();
    for (n, id) in [(&x, "A"), (&y, "B"), (&z, "C")] {
        let found = lookup(&t.store, n, &q, today())
            .expect("lookup")
            .expect("exact");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, id);
    }
}

#[test]
fn a_minor_updated_from_a_file_without_guardian_columns_keeps_the_guardian() {
    let mut t = temp_store();
    let idn = id_number("20150101", 12);
    let full = format!("M,小红,{idn},,,minor,410225100201,村,,,,,王芳,母亲,13900000000,,active,");
    import_csv(&mut t.store, &[full], false).expect("full");
    let slim = |id: &str, n: &str| {
        format!("id,name,id_number,categories,village_code,card_status\n{id},小红,{n},minor,410225100201,issued_inactive\n")
    };
    import(
        &mut t.store,
        slim("M", &idn).as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    )
    .expect("update keeps the guardian");
    let m = recipients::get(t.store.conn(), t.store.keys(), "M")
        .expect("get")
        .expect("M");
    assert_eq!(m.guardian.map(|g| g.relation), Some("母亲".to_owned()));
    // A new minor from such a file has no guardian to keep.
    let other = id_number("20150101", 14);
    match import(
        &mut t.store,
        slim("N", &other).as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    ) {
        Err(Error::InvalidRows(errs)) => {
            assert_eq!(
                errs[0].problem,
                RowProblem::Invalid(Invalid::MinorWithoutGuardian)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cr_only_line_endings_number_lines_too() {
    let mut t = temp_store();
    let good = row("A", "王一", &id_number("19400101", 11), "elderly", "", "");
    let bad = row("B", "王二", "12345", "elderly", "", "");
    let body = format!("{HEADER}\r{good}\r{bad}\r");
    match import(
        &mut t.store,
        body.as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        today(),
    ) {
        Err(Error::InvalidRows(errs)) => assert_eq!(errs[0].line, 3),
        other => panic!("{other:?}"),
    }
}
