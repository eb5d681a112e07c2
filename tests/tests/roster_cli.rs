//! The roster through the CLI as a worker and a script use it: import errors by line and field,
//! the list's JSON, protected subsidies, exact lookups.

use doorstep_tests::{stderr, stdout, today, Cli};

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

fn write(cli: &Cli, name: &str, body: &str) -> String {
    let p = cli.dir.path().join(name);
    std::fs::write(&p, body).expect("write file");
    p.to_str().expect("utf-8").to_owned()
}

fn idn(birth: &str, seq: u32) -> String {
    doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").expect("date"),
        seq,
    )
}

#[test]
fn bad_rows_are_named_and_nothing_is_imported_unless_skipped() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let good = idn("19400101", 11);
    let mut bad = good.clone();
    let last = bad.pop().expect("char");
    bad.push(if last == '1' { '2' } else { '1' });
    let body = format!(
        "{HEADER}\n\
         A1,王秀英,{good},,,elderly,410225100201,村,34.8,114.8,,,,,,GL01:高龄津贴:100:0,active,\n\
         A2,李建国,{bad},,,elderly,410225100201,村,,,,,,,,,active,\n\
         A3,张桂兰,{},,,elderly,410225100201,村,,,,1234,,,,,bogus,\n",
        idn("19400101", 12)
    );
    let file = write(&cli, "bad.csv", &body);
    let out = cli.run(&["roster", "import", &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "line 3, id_number: ID number check digit should be {last}"
        )),
        "{err}"
    );
    assert!(
        err.contains("line 4, phone: phone must be an 11-digit mobile number"),
        "{err}"
    );
    assert!(
        err.contains("line 4, card_status: unknown card status"),
        "{err}"
    );
    // The error names the check digit but never the number itself.
    assert!(!err.contains(&bad) && !err.contains("李建国"));
    assert_eq!(
        cli.json(&["roster", "list"]).as_array().map(Vec::len),
        Some(0)
    );

    let report = cli.json(&["roster", "import", &file, "--skip-invalid"]);
    assert_eq!(report["inserted"], 1);
    let skipped: Vec<u64> = report["skipped"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(skipped, vec![3, 4, 4]);
}

#[test]
fn chinese_messages_by_default() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let file = write(
        &cli,
        "bad.csv",
        &format!("{HEADER}\nA1,王秀英,123,,,高龄,410225100201,村,,,,,,,,,active,\n"),
    );
    let out = cli
        .cmd(&["roster", "import", &file])
        .env("DOORSTEP_LANG", "zh")
        .output()
        .expect("run");
    assert!(
        stderr(&out).contains("第2行，id_number：身份证号应为18位，实际3位"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_ids_with_one_id_number_is_an_error() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let n = idn("19400101", 11);
    let body = format!(
        "{HEADER}\nA1,王秀英,{n},,,elderly,410225100201,村,,,,,,,,,active,\nA2,王秀英,{n},,,elderly,410225100201,村,,,,,,,,,active,\n"
    );
    let out = cli.run(&["roster", "import", &write(&cli, "dup.csv", &body)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 3, id_number: the same ID number is also on line 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_list_json_has_the_documented_fields_and_masks_id_numbers() {
    let (cli, _) = Cli::with_roster(200);
    let list = cli.json(&["roster", "list", "--due", "--near", "34.82,114.81"]);
    let entries = list.as_array().expect("array");
    assert!(!entries.is_empty());
    let people = doorstep_sample::generate(11, 200, today());
    for e in entries {
        for f in [
            "id",
            "name",
            "village_code",
            "categories",
            "due_date",
            "overdue_days",
            "distance_m",
        ] {
            assert!(e.get(f).is_some(), "missing {f}");
        }
        assert!(
            e["overdue_days"].as_i64().expect("days") >= 0,
            "--due lists only due rows"
        );
        let id_shown = e["id_number"].as_str().expect("masked");
        assert!(id_shown.contains("****"));
        let p = people.iter().find(|p| p.id == e["id"]).expect("known id");
        assert_ne!(id_shown, p.id_number.as_str());
    }
    // Sorted by overdue days, descending.
    let days: Vec<i64> = entries
        .iter()
        .map(|e| e["overdue_days"].as_i64().expect("n"))
        .collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]));

    let village = people[0].village.as_str().to_owned();
    let in_village = cli.json(&["roster", "list", "--village", &village]);
    let expected = people
        .iter()
        .filter(|p| p.village.as_str() == village)
        .count();
    assert_eq!(in_village.as_array().map(Vec::len), Some(expected));

    // Exact lookup by ID number goes through the blind index.
    let found = cli.json(&["roster", "list", "--search", people[5].id_number.as_str()]);
    assert_eq!(found[0]["id"], people[5].id.as_str());
}

#[test]
fn protected_subsidies_are_never_named_in_lists_and_reveals_are_logged() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let body = format!(
        "{HEADER}\nP1,王小红,{},,,minor,410225100201,村,,,,,王芳,母亲,13900000000,GE01:孤儿基本生活费:1460:1;JC01:城乡居民医保:0:0,active,\n",
        idn("20150101", 12)
    );
    cli.ok(&["roster", "import", &write(&cli, "p.csv", &body)]);
    let list = cli.ok(&["roster", "list"]);
    let list_json = cli.ok(&["roster", "list", "--json"]);
    for out in [stdout(&list), stdout(&list_json)] {
        assert!(out.contains("王小红"));
        assert!(!out.contains("孤儿") && !out.contains("GE01"), "{out}");
    }
    let shown = cli.json(&["roster", "show", "P1"]);
    assert_eq!(shown["enrolments"][0]["hidden"], true);
    assert!(!shown.to_string().contains("孤儿"));
    assert_eq!(shown["enrolments"][1]["short_name"], "城乡居民医保");
    let count = |cli: &Cli| -> i64 {
        cli.db()
            .query_row(
                "SELECT count(*) FROM reveal_log WHERE recipient_id = 'P1'",
                [],
                |r| r.get(0),
            )
            .expect("count")
    };
    assert_eq!(count(&cli), 0);
    let revealed = cli.json(&["roster", "show", "P1", "--reveal-protected"]);
    assert_eq!(revealed["enrolments"][0]["short_name"], "孤儿基本生活费");
    assert_eq!(count(&cli), 1);
    let text = cli.ok(&["roster", "show", "P1", "--reveal-protected"]);
    assert!(
        stdout(&text).contains("孤儿基本生活费") && stdout(&text).contains("revealed and logged")
    );
    assert_eq!(count(&cli), 2);
}

#[test]
fn json_rosters_import_like_csv() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let body = serde_json::json!([{
        "id": "J1", "name": "赵德胜", "id_number": idn("19390505", 31),
        "categories": ["高龄", "重病"], "village_code": "410225100201",
        "lat": 34.81, "lon": 114.82, "datum": "gcj02", "card_status": "issued_inactive",
        "enrolments": "GL01:高龄津贴:100:0", "last_visit_date": "2026-10-01"
    }]);
    let report = cli.json(&[
        "roster",
        "import",
        &write(&cli, "r.json", &body.to_string()),
    ]);
    assert_eq!(report["inserted"], 1);
    let shown = cli.json(&["roster", "show", "J1"]);
    assert_eq!(
        shown["categories"],
        serde_json::json!(["elderly", "seriously_ill"])
    );
    // Seriously ill: 30 days after 2026-10-01.
    assert_eq!(shown["due_date"], "2026-10-31");
    assert_eq!(shown["overdue_days"], 27);
}

#[test]
fn the_policy_interval_can_be_overridden() {
    let (cli, _) = Cli::with_roster(100);
    let due_before = cli
        .json(&["roster", "list", "--due"])
        .as_array()
        .map(Vec::len);
    let p = cli.json(&["policy", "set-interval", "elderly", "7"]);
    assert_eq!(p["visit_intervals"]["elderly"], 7);
    let due_after = cli
        .json(&["roster", "list", "--due"])
        .as_array()
        .map(Vec::len);
    assert!(due_after > due_before, "{due_before:?} -> {due_after:?}");
    for bad in [["aliens", "7"], ["elderly", "0"], ["elderly", "99999"]] {
        let out = cli.run(&["policy", "set-interval", bad[0], bad[1]]);
        assert_eq!(out.status.code(), Some(2), "{bad:?} is a bad argument");
    }
}
