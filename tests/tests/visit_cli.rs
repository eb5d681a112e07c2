//! Recording a visit through the CLI: the doors as actions, the signature from a strokes file,
//! refusals that leave the draft alone, and a draft that survives SIGKILL between actions.

use std::time::{Duration, Instant};

use doorstep_tests::{stderr, Cli};

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

fn with_one_recipient() -> Cli {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let idn = doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::from_ymd_opt(1940, 3, 12).expect("date"),
        11,
    );
    let body = format!(
        "{HEADER}\nA1,王秀兰,{idn},,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,,GL01:高龄津贴:100:0,issued_inactive,\n"
    );
    let file = cli.dir.path().join("r.csv");
    std::fs::write(&file, body).expect("write");
    cli.ok(&["roster", "import", file.to_str().expect("path")]);
    cli
}

fn write(cli: &Cli, name: &str, body: &str) -> String {
    let p = cli.dir.path().join(name);
    std::fs::write(&p, body).expect("write");
    p.to_str().expect("utf-8").to_owned()
}

fn strokes_json() -> String {
    let wave: Vec<serde_json::Value> = (0..120)
        .map(|i| {
            let s = f64::from(i) / 119.0;
            serde_json::json!({
                "x": 40.0 + s * 500.0 + 25.0 * (s * 40.0).cos(),
                "y": 100.0 + 45.0 * (s * 20.0).sin() * (1.0 - s * 0.5),
                "t": i * 8, "p": 0.6
            })
        })
        .collect();
    serde_json::json!({"width": 600, "height": 200, "strokes": [wave]}).to_string()
}

#[test]
fn a_visit_is_recorded_door_by_door_and_signed() {
    let cli = with_one_recipient();
    let v = cli.json(&["visit", "start", "A1"]);
    assert_eq!(v["step"], "knock");
    let id = v["visit_id"].as_str().expect("id").to_owned();
    let doors = write(
        &cli,
        "doors.json",
        r#"[{"type":"contact","outcome":"met_person","present":["女儿"]},
            {"type":"subsidy","code":"GL01","arrived":"yes","amount_fen":10000,"sms_received":true},
            {"type":"living","text":"与女儿同住"},
            {"type":"question_answered","text":"如何查询余额"},
            {"type":"satisfaction","level":"satisfied"}]"#,
    );
    let v = cli.json(&["visit", "act", &id, &doors]);
    assert_eq!(v["step"], "checklist");
    let items: Vec<serde_json::Value> = [
        "identity_checked",
        "card_in_hand",
        "social_security_activated",
        "bank_activated",
        "ss_password_changed",
        "bank_pin_set",
        "sms_enabled",
        "balance_shown",
        "subsidies_seen",
    ]
    .iter()
    .map(|k| serde_json::json!({"type": "checklist", "key": k, "status": "done"}))
    .collect();
    let file = write(
        &cli,
        "items.json",
        &serde_json::Value::Array(items).to_string(),
    );
    let v = cli.json(&["visit", "act", &id, &file]);
    assert_eq!(v["missing"], serde_json::json!([{"what": "signature"}]));
    let strokes = write(&cli, "sig.json", &strokes_json());
    let v = cli.json(&["visit", "sign", &id, "--strokes", &strokes]);
    assert_eq!(v["can_finish"], true);
    assert_eq!(v["step"], "ready");
    // The text view speaks the worker's language.
    let out = cli
        .cmd(&["visit", "show", &id])
        .env("DOORSTEP_LANG", "zh")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("可以完成走访"));
    let list = cli.json(&["visit", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["state"], "draft");
}

#[test]
fn refusals_name_the_problem_and_leave_the_draft_alone() {
    let cli = with_one_recipient();
    let id = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let before = cli.json(&["visit", "show", &id]);
    let early = write(&cli, "early.json", r#"{"type":"living","text":"独居"}"#);
    let out = cli.run(&["visit", "act", &id, &early]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("record who was met at the door first"),
        "{}",
        stderr(&out)
    );
    let garbage = write(&cli, "bad.json", r#"[{"type":"teleport"}]"#);
    let out = cli.run(&["visit", "act", &id, &garbage]);
    assert_eq!(out.status.code(), Some(2));
    let line = write(
        &cli,
        "line.json",
        r#"{"width":600,"height":200,"strokes":[[{"x":10,"y":100,"t":0},{"x":590,"y":100,"t":50}]]}"#,
    );
    cli.ok(&[
        "visit",
        "act",
        &id,
        &write(
            &cli,
            "c.json",
            r#"{"type":"contact","outcome":"met_person"}"#,
        ),
    ]);
    let out = cli.run(&["visit", "sign", &id, "--strokes", &line]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("straight line"), "{}", stderr(&out));
    let after = cli.json(&["visit", "show", &id]);
    assert_eq!(after["missing"][0]["what"], "checklist_item");
    assert_ne!(after, before, "the contact was recorded");
    let out = cli.run(&["visit", "show", "Vnope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no visit with id Vnope"));
}

#[test]
fn a_draft_survives_sigkill_between_actions() {
    let cli = with_one_recipient();
    let id = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut actions = vec![serde_json::json!({"type":"contact","outcome":"nobody_home"})];
    actions.extend((0..190).map(|i| serde_json::json!({"type":"note","text":format!("note {i}")})));
    let file = write(
        &cli,
        "many.json",
        &serde_json::Value::Array(actions).to_string(),
    );
    let size = |cli: &Cli| -> i64 {
        cli.db()
            .query_row("SELECT length(sec) FROM visits", [], |r| r.get(0))
            .expect("size")
    };
    let initial = size(&cli);
    let mut child = cli
        .cmd(&["visit", "act", &id, &file])
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    // Kill once some actions are committed (the envelope grew) and the process is still busy.
    loop {
        if size(&cli) > initial + 256 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no action was ever committed"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reap");
    assert!(
        status.code().is_none(),
        "killed by the signal, mid-way: {status:?}"
    );
    // The draft opens, whole: every committed action and nothing half-written.
    let v = cli.json(&["visit", "show", &id]);
    assert_eq!(
        v["step"], "ready",
        "the contact and at least one note survived"
    );
    let notes = v["notes"].as_u64().expect("notes");
    assert!((1..190).contains(&notes), "{notes} notes survived");
    // And the worker carries on where it stopped.
    let more = write(&cli, "more.json", r#"{"type":"note","text":"resumed"}"#);
    let v = cli.json(&["visit", "act", &id, &more]);
    assert_eq!(v["notes"].as_u64(), Some(notes + 1));
}

#[test]
fn fixes_from_the_command_line_raise_and_clear_flags() {
    let cli = with_one_recipient();
    let id = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let v = cli.json(&["visit", "show", &id]);
    assert_eq!(v["flags"][0]["flag"], "no_location");
    // 0.01 degrees north is about 1.1 km away, and the OS said mock.
    let v = cli.json(&[
        "visit",
        "fix",
        &id,
        "--lat",
        "34.81",
        "--lon",
        "114.8",
        "--accuracy",
        "20",
        "--mock",
    ]);
    let kinds: Vec<&str> = v["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["flag"].as_str().expect("flag"))
        .collect();
    assert!(
        kinds.contains(&"too_far") && kinds.contains(&"mock_location"),
        "{kinds:?}"
    );
    let out = cli.run(&[
        "visit",
        "fix",
        &id,
        "--lat",
        "95",
        "--lon",
        "114.8",
        "--accuracy",
        "20",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("latitude"), "{}", stderr(&out));
}

#[test]
fn parallel_callers_lose_no_accepted_action() {
    let cli = with_one_recipient();
    let id = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let contact = write(
        &cli,
        "c.json",
        r#"{"type":"contact","outcome":"nobody_home"}"#,
    );
    cli.ok(&["visit", "act", &id, &contact]);
    let note = write(&cli, "n.json", r#"{"type":"note","text":"同时记录"}"#);
    let mut running: Vec<std::process::Child> = (0..8)
        .map(|_| {
            cli.cmd(&["visit", "act", &id, &note])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let ok = running
        .iter_mut()
        .map(|c| c.wait().expect("wait"))
        .filter(|s| s.success())
        .count();
    let v = cli.json(&["visit", "show", &id]);
    // A caller may be refused (the store stayed locked past its wait); none that was told
    // "accepted" may be lost.
    assert!(ok >= 1);
    assert_eq!(
        v["notes"].as_u64(),
        Some(ok as u64),
        "every accepted note is kept"
    );
}
