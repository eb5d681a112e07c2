//! The whole loop through real processes: `doorstep serve` on loopback, operator commands on
//! its data folder, and a CLI device that enrols, syncs the roster down, records a visit with
//! a photo, sends it up, gets it returned, corrects it, and sees the correction approved.

use std::process::Command;

use doorstep_tests::{doorstep_bin, spawn_ready, Cli, Running};
use serde_json::Value;

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";

/// `doorstep serve` on a free port with its data folder.
struct Server {
    url: String,
    data: std::path::PathBuf,
    _running: Running,
    _dir: tempfile::TempDir,
}

fn admin(data: &std::path::Path, args: &[&str]) -> Value {
    let mut full = vec!["admin"];
    full.extend_from_slice(&args[..1]);
    let data = data.to_str().expect("utf-8");
    full.extend_from_slice(&["--data", data]);
    full.extend_from_slice(&args[1..]);
    full.push("--json");
    let out = Command::new(doorstep_bin())
        .args(&full)
        .env("DOORSTEP_LANG", "en")
        .env("DOORSTEP_NEW_PASSWORD", "a long password")
        .output()
        .expect("run admin");
    assert!(
        out.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn serve() -> Server {
    serve_with(&[])
}

fn serve_with(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let mut args = vec![
        "serve",
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let running = spawn_ready(&args);
    Server {
        url: running.ready["listening"].as_str().expect("url").to_owned(),
        data,
        _running: running,
        _dir: dir,
    }
}

/// A device command at the real time (the server refuses a clock hours off).
fn device(cli: &Cli, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = cli
        .cmd(&a)
        .env_remove("DOORSTEP_NOW")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Records and seals a visit where nobody was home: a note and a photo as evidence.
fn nobody_home(cli: &Cli, id: &str, photo_seed: u64) -> Value {
    let acts = cli.dir.path().join("acts.json");
    std::fs::write(
        &acts,
        r#"[{"type":"contact","outcome":"nobody_home"},{"type":"note","text":"敲门无人应答，邻居说去了县城"}]"#,
    )
    .expect("write");
    cli.json(&["visit", "act", id, acts.to_str().expect("utf-8")]);
    let photo = cli.dir.path().join(format!("door{photo_seed}.jpg"));
    std::fs::write(&photo, doorstep_sample::photo(photo_seed)).expect("photo");
    cli.json(&["visit", "photo", id, photo.to_str().expect("utf-8")]);
    cli.json(&["visit", "finish", id])
}

/// Imports a one-person roster (an elderly recipient whose card is not yet active) into the
/// server, and returns the number of rows imported.
fn import_one(server: &Server, id: &str, name: &str, birth: (i32, u32, u32), seq: u32) -> Value {
    let idn = doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("date"),
        seq,
    );
    let roster = server
        .data
        .parent()
        .expect("dir")
        .join(format!("roster-{id}.csv"));
    std::fs::write(
        &roster,
        format!("{HEADER}\n{id},{name},{idn},,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,,GL01:高龄津贴:100:0,issued_inactive,\n"),
    )
    .expect("roster");
    admin(
        &server.data,
        &[
            "import-roster",
            "--area",
            "410225",
            roster.to_str().expect("utf-8"),
        ],
    )
}

#[test]
fn a_returned_visit_comes_back_as_a_task_and_its_correction_is_approved() {
    let server = serve();
    let imported = import_one(&server, "A1", "王秀兰", (1940, 3, 12), 11);
    assert_eq!(imported["imported"], 1);
    let code = admin(
        &server.data,
        &["enrolment-code", "--worker", "李四", "--area", "410225"],
    );
    let code = code["code"].as_str().expect("code").to_owned();

    let cli = Cli::new();
    cli.ok(&["init"]);
    let enrolled = device(&cli, &["enroll", "--server", &server.url, "--code", &code]);
    assert_eq!(enrolled["area"], "410225");
    let first = device(&cli, &["sync"]);
    assert_eq!(first["roster_rows"], 1, "{first}");
    assert_eq!(first["sent"], 0);

    let id = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    nobody_home(&cli, &id, 3);
    let up = device(&cli, &["sync"]);
    assert_eq!(
        (up["sent"].as_u64(), up["receipted"].as_u64()),
        (Some(1), Some(1)),
        "{up}"
    );
    assert_eq!(up["media_sent"], 1, "the photo went up: {up}");
    // Nothing is sent twice.
    let again = device(&cli, &["sync"]);
    assert_eq!(
        (again["sent"].as_u64(), again["media_sent"].as_u64()),
        (Some(0), Some(0))
    );

    admin(
        &server.data,
        &[
            "review",
            &id,
            "return",
            "--comment",
            "照片看不清门牌，请补拍",
        ],
    );
    let down = device(&cli, &["sync"]);
    assert_eq!(down["decisions"], 1);
    let tasks = device(&cli, &["tasks"]);
    assert_eq!(tasks["tasks"][0]["visit_id"], id.as_str());
    assert_eq!(tasks["tasks"][0]["comment"], "照片看不清门牌，请补拍");
    assert_eq!(tasks["tasks"][0]["to_do"], true);

    let corr = cli.json(&["visit", "correct", &id])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    nobody_home(&cli, &corr, 4);
    let up = device(&cli, &["sync"]);
    assert_eq!(up["receipted"], 1, "{up}");
    let tasks = device(&cli, &["tasks"]);
    assert_eq!(tasks["tasks"][0]["to_do"], false, "corrected: {tasks}");

    admin(&server.data, &["review", &corr, "approve"]);
    device(&cli, &["sync"]);
    let tasks = device(&cli, &["tasks"]);
    let approved: Vec<&Value> = tasks["tasks"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|t| t["visit_id"] == corr.as_str())
        .collect();
    assert_eq!(approved[0]["decision"], "approve", "{tasks}");
    // The correction went through review again; the original cannot be decided twice.
    let out = Command::new(doorstep_bin())
        .args([
            "admin",
            "review",
            "--data",
            server.data.to_str().expect("utf-8"),
            &id,
            "approve",
        ])
        .env("DOORSTEP_LANG", "en")
        .output()
        .expect("run");
    assert!(!out.status.success());
}

/// Records and seals a complete visit in which the person raised a problem (a ticket).
fn met_with_a_ticket(cli: &Cli, id: &str) {
    let items: Vec<Value> = [
        "identity_checked",
        "card_in_hand",
        "social_security_activated",
        "bank_activated",
        "ss_password_changed",
        "sms_enabled",
        "balance_shown",
        "subsidies_seen",
    ]
    .iter()
    .map(|k| serde_json::json!({"type": "checklist", "key": k, "status": "done"}))
    .chain([
        serde_json::json!({"type": "checklist", "key": "bank_pin_set", "status": "problem", "note": "输错三次被锁"}),
        serde_json::json!({"type": "contact", "outcome": "met_person"}),
        serde_json::json!({"type": "ticket", "kind": "card_problem", "description": "银行卡被锁，需要重置密码", "urgency": "high", "checklist_item": "bank_pin_set"}),
        serde_json::json!({"type": "satisfaction", "level": "satisfied"}),
    ])
    .collect();
    // The contact first, then everything else.
    let mut ordered = vec![items[9].clone()];
    ordered.extend(items[..9].iter().cloned());
    ordered.extend(items[10..].iter().cloned());
    let acts = cli.dir.path().join("met.json");
    std::fs::write(&acts, Value::Array(ordered).to_string()).expect("write");
    cli.json(&["visit", "act", id, acts.to_str().expect("utf-8")]);
    let wave: Vec<Value> = (0..120)
        .map(|i| {
            let s = f64::from(i) / 119.0;
            serde_json::json!({"x": 40.0 + s * 500.0 + 25.0 * (s * 40.0).cos(),
                "y": 100.0 + 45.0 * (s * 20.0).sin(), "t": i * 8, "p": 0.6})
        })
        .collect();
    let strokes = cli.dir.path().join("sig.json");
    std::fs::write(
        &strokes,
        serde_json::json!({"width": 600, "height": 200, "strokes": [wave]}).to_string(),
    )
    .expect("write");
    cli.json(&[
        "visit",
        "sign",
        id,
        "--strokes",
        strokes.to_str().expect("utf-8"),
    ]);
    cli.json(&["visit", "finish", id]);
}

#[test]
fn a_ticket_raised_in_a_visit_comes_back_with_the_departments_answer() {
    use doorstep_server::ledger::{advance, Step};
    let server = serve();
    import_one(&server, "B7", "李桂英", (1938, 5, 2), 21);
    let code = admin(
        &server.data,
        &["enrolment-code", "--worker", "李四", "--area", "410225"],
    );
    let cli = Cli::new();
    cli.ok(&["init"]);
    device(
        &cli,
        &[
            "enroll",
            "--server",
            &server.url,
            "--code",
            code["code"].as_str().expect("code"),
        ],
    );
    device(&cli, &["sync"]);
    let id = cli.json(&["visit", "start", "B7"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    met_with_a_ticket(&cli, &id);
    let up = device(&cli, &["sync"]);
    assert_eq!(up["receipted"], 1, "{up}");
    // A supervisor moves the ticket on (the web app's call), from the server's data folder.
    let storage = doorstep_server::open(&server.data).expect("open");
    let ticket = format!("{id}-1");
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    let now = chrono::Utc::now().timestamp();
    doorstep_server::block_on(advance(
        storage.as_ref(),
        &ticket,
        Some("410225"),
        &Step::Transfer {
            department: "县农商银行".into(),
            due,
        },
        "zhang",
        now,
    ))
    .expect("transfer");
    doorstep_server::block_on(advance(
        storage.as_ref(),
        &ticket,
        Some("410225"),
        &Step::Reply {
            text: "周五上门重置密码".into(),
            due,
        },
        "zhang",
        now,
    ))
    .expect("reply");
    let down = device(&cli, &["sync"]);
    assert_eq!(down["ticket_updates"], 1, "{down}");
    let tasks = device(&cli, &["tasks"]);
    assert_eq!(tasks["tickets"][0]["ticket_id"], ticket.as_str());
    assert_eq!(tasks["tickets"][0]["state"], "replied");
    assert_eq!(tasks["tickets"][0]["text"], "周五上门重置密码");
    assert_eq!(tasks["tickets"][0]["due"], "2026-12-04");
}

#[test]
fn a_device_syncs_over_tls_with_the_county_ca() {
    let certs = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert_pem, key_pem) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).expect("write");
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).expect("write");
    let server = serve_with(&[
        "--tls-cert",
        cert_pem.to_str().expect("utf-8"),
        "--tls-key",
        key_pem.to_str().expect("utf-8"),
    ]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let url = server.url.replace("127.0.0.1", "localhost");
    let code = admin(
        &server.data,
        &["enrolment-code", "--worker", "李四", "--area", "410225"],
    );
    let code = code["code"].as_str().expect("code").to_owned();
    let cli = Cli::new();
    cli.ok(&["init"]);
    // Without the county's CA the device refuses the server, and stays unenrolled.
    let out = cli
        .cmd(&["enroll", "--server", &url, "--code", &code, "--json"])
        .env_remove("DOORSTEP_NOW")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let with_ca = |args: &[&str]| -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = cli
            .cmd(&a)
            .env_remove("DOORSTEP_NOW")
            .env("DOORSTEP_CA_CERT", &cert_pem)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    };
    assert_eq!(
        with_ca(&["enroll", "--server", &url, "--code", &code])["area"],
        "410225"
    );
    let report = with_ca(&["sync"]);
    assert!(
        report["clock_skew_secs"]
            .as_i64()
            .is_some_and(|s| s.abs() < 60),
        "{report}"
    );
}

/// The checklist items a draft still misses, by key.
fn missing_items(cli: &Cli, visit_id: &str) -> Vec<String> {
    let view = cli.json(&["visit", "show", visit_id]);
    view["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .filter(|m| m["what"] == "checklist_item")
        .map(|m| m["key"].as_str().expect("key").to_owned())
        .collect()
}

#[test]
fn a_checklist_the_county_issues_is_asked_in_new_visits_and_not_in_those_begun_before() {
    let server = serve();
    import_one(&server, "A1", "王秀兰", (1940, 3, 12), 11);
    import_one(&server, "A2", "刘桂英", (1938, 7, 2), 12);
    let code = admin(
        &server.data,
        &["enrolment-code", "--worker", "李四", "--area", "410225"],
    );
    let cli = Cli::new();
    cli.ok(&["init"]);
    let code = code["code"].as_str().expect("code");
    device(&cli, &["enroll", "--server", &server.url, "--code", code]);
    device(&cli, &["sync"]);
    let contact = cli.dir.path().join("contact.json");
    std::fs::write(&contact, r#"[{"type":"contact","outcome":"met_person"}]"#).expect("write");
    let begun = cli.json(&["visit", "start", "A1"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    cli.json(&["visit", "act", &begun, contact.to_str().expect("utf-8")]);
    assert!(missing_items(&cli, &begun).contains(&"bank_pin_set".to_owned()));

    // The county drops one question and adds one, from the JSON the server shows.
    let mut template = admin(&server.data, &["show-checklist", "--area", "410225"]);
    assert_eq!(template["version"], 1);
    let items = template["items"].as_array_mut().expect("items");
    items.retain(|i| i["key"] != "bank_pin_set");
    items.push(serde_json::json!({"key": "told_pay_day",
        "label": {"zh": "告知补贴发放日期", "en": "Told when subsidies are paid"}, "proxy_only": false}));
    let file = server.data.parent().expect("dir").join("checklist.json");
    std::fs::write(&file, template.to_string()).expect("write");
    let issued = admin(
        &server.data,
        &[
            "issue-checklist",
            "--area",
            "410225",
            file.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(issued["version"], 2);
    // One no worker could answer is refused, and nothing issued.
    std::fs::write(
        &file,
        r#"{"version":0,"title":{"zh":"空","en":"Empty"},"items":[]}"#,
    )
    .expect("write");
    let refused = Command::new(doorstep_bin())
        .args(["admin", "issue-checklist", "--data"])
        .arg(&server.data)
        .args(["--area", "410225"])
        .arg(&file)
        .env("DOORSTEP_LANG", "en")
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("a checklist needs 1 to 40 questions")
    );
    assert_eq!(
        admin(&server.data, &["show-checklist", "--area", "410225"])["version"],
        2
    );

    let synced = device(&cli, &["sync"]);
    assert_eq!(synced["policy_updated"], true, "{synced}");
    let fresh = cli.json(&["visit", "start", "A2"])["visit_id"]
        .as_str()
        .expect("id")
        .to_owned();
    cli.json(&["visit", "act", &fresh, contact.to_str().expect("utf-8")]);
    let asked = missing_items(&cli, &fresh);
    assert!(asked.contains(&"told_pay_day".to_owned()), "{asked:?}");
    assert!(!asked.contains(&"bank_pin_set".to_owned()), "{asked:?}");
    // The visit begun before keeps the questions it started with.
    let kept = missing_items(&cli, &begun);
    assert!(kept.contains(&"bank_pin_set".to_owned()), "{kept:?}");
    assert!(!kept.contains(&"told_pay_day".to_owned()), "{kept:?}");
}
