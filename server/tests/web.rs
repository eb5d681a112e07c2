//! The supervisors' web app over real HTTP: login and its rate limit, session cookies,
//! CSRF refusal, area scoping (another county's visit is not found), decisions changing a
//! visit's state, the audit of views, and protected subsidy names absent from every page.

mod common;

use common::*;
use doorstep_contract::visit::{Arrival, Flag, Outcome, SubsidyCheck, Ticket, TicketKind, Urgency};
use doorstep_contract::wire::VisitStatus;
use doorstep_crypto::{hex, sha256};
use doorstep_server::admin;
use serde_json::json;

const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";
/// A protected subsidy's name: it must never appear on a page.
const SECRET: &str = "孤儿基本生活费";

/// Status, Set-Cookie and body of a response.
fn read(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Option<String>, String) {
    let mut r = r.expect("http");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        r.status().as_u16(),
        cookie,
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

struct Web {
    s: Server,
    photo: String,
}

/// A server whose roster has one person with a protected subsidy, two counties' supervisors,
/// and one uploaded visit (V1) with a too-far flag and a ticket.
fn web() -> Web {
    let s = server();
    let idn = doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::from_ymd_opt(2015, 6, 1).expect("date"),
        31,
    );
    let csv = format!(
        "{HEADER}\nP9,张小雨,{idn},,,minor,410225100201,兰考县某村,34.8,114.8,,,李芳,母亲,,GL01:生活补贴:100:0;TK09:{SECRET}:800:1,active,\n"
    );
    doorstep_server::block_on(admin::import_roster(
        s.storage.as_ref(),
        AREA,
        csv.as_bytes(),
        today(),
        now(),
    ))
    .expect("roster");
    for (login, area) in [
        ("zhang", AREA),
        ("li", "410224"),
        ("wang", "410225100"),
        ("zhao", "410225101"),
    ] {
        doorstep_server::block_on(admin::add_supervisor(
            s.storage.as_ref(),
            login,
            area,
            "a long password",
            now(),
        ))
        .expect("supervisor");
    }
    let d = s.enrol();
    let photo = hex(&sha256(b"door photo"));
    let record = record_with(&d, "V1", 1, "P9", |r| {
        r.household = Some((34.8, 114.8));
        r.fixes = best_at(34.805, 114.8, 20.0);
        r.outcome = Some(Outcome::MetProxy);
        r.subsidies.insert(
            "GL01".into(),
            SubsidyCheck {
                arrived: Arrival::Yes,
                amount_seen_fen: Some(10_000),
                sms_received: None,
            },
        );
        r.subsidies.insert(
            "TK09".into(),
            SubsidyCheck {
                arrived: Arrival::No,
                amount_seen_fen: None,
                sms_received: None,
            },
        );
        r.flags = vec![Flag::TooFar {
            distance_m: 556,
            accuracy_m: 20,
        }];
        r.tickets = vec![Ticket {
            number: 1,
            kind: TicketKind::PaymentMissing,
            description: "补贴未到账".into(),
            urgency: Urgency::High,
            due: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            from_checklist: None,
        }];
        r.photos = vec![photo.clone()];
        r.photo_phashes = vec![0];
    });
    let (status, body) = push(&s, &d, &[record]);
    assert_eq!(
        (status, &body["receipts"][0]["status"]),
        (200, &json!("stored")),
        "{body}"
    );
    let path = format!("/api/v1/media/{photo}?offset=0&total=10");
    assert_eq!(s.signed(&d, "PUT", &path, b"door photo").0, 200);
    Web { s, photo }
}

impl Web {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.s.base)
    }

    fn login(&self, login: &str, password: &str) -> (u16, Option<String>, String) {
        read(
            no_redirects()
                .post(self.url("/login"))
                .content_type("application/x-www-form-urlencoded")
                .send(format!(
                    "login={login}&password={}",
                    password.replace(' ', "+")
                )),
        )
    }

    /// A logged-in session's cookie header value.
    fn session(&self, login: &str) -> String {
        let (status, cookie, _) = self.login(login, "a long password");
        assert_eq!(status, 303);
        cookie
            .expect("a session cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_owned()
    }

    fn get(&self, cookie: &str, path: &str) -> (u16, String) {
        let (s, _, body) = read(
            no_redirects()
                .get(self.url(path))
                .header("cookie", cookie)
                .call(),
        );
        (s, body)
    }

    fn post(&self, cookie: &str, path: &str, form: &str) -> (u16, String) {
        let (s, _, body) = read(
            no_redirects()
                .post(self.url(path))
                .header("cookie", cookie)
                .content_type("application/x-www-form-urlencoded")
                .send(form),
        );
        (s, body)
    }
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + 32].to_owned()
}

#[test]
fn login_sets_a_strict_http_only_cookie_and_pages_need_it() {
    let w = web();
    let (status, _, body) = read(no_redirects().get(w.url("/queue")).call());
    assert_eq!(status, 303, "{body}");
    let (status, cookie, _) = w.login("zhang", "wrong password");
    assert_eq!((status, cookie), (401, None));
    let (status, cookie, _) = w.login("zhang", "a long password");
    assert_eq!(status, 303);
    let cookie = cookie.expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP here; Secure under TLS"
    );
    let session = cookie.split(';').next().expect("pair");
    let (status, page) = w.get(session, "/queue");
    assert_eq!(status, 200);
    assert!(
        page.contains("data-visit=\"V1\""),
        "the queue lists the visit"
    );
    assert!(page.contains("too_far"));
}

#[test]
fn logins_are_rate_limited() {
    let w = web();
    for _ in 0..5 {
        assert_eq!(w.login("zhang", "not it").0, 401);
    }
    let (status, cookie, page) = w.login("zhang", "a long password");
    assert_eq!(
        (status, cookie),
        (429, None),
        "even the right password waits now"
    );
    assert!(page.contains("尝试次数过多"));
    // Another login is not held up by this one's failures.
    assert_eq!(w.login("li", "a long password").0, 303);
}

#[test]
fn the_login_limit_holds_across_server_processes_on_one_database() {
    let w = web();
    // A second server on the same data folder, with its own connection to the database (as
    // a second process behind a load balancer would be).
    let data = w.s.dir.path().join("data");
    let other = open_db(&w.s.db);
    let media = doorstep_server::media_store(&data, None).expect("media");
    let second = doorstep_server::spawn(
        doorstep_server::AppState::new(other, media),
        ([127, 0, 0, 1], 0).into(),
        1,
        None,
    )
    .expect("serve");
    let login_at = |base: &str, password: &str| {
        read(
            no_redirects()
                .post(format!("{base}/login"))
                .content_type("application/x-www-form-urlencoded")
                .send(format!(
                    "login=zhang&password={}",
                    password.replace(' ', "+")
                )),
        )
        .0
    };
    // Failures spread over both servers count together.
    for i in 0..5 {
        let base = if i % 2 == 0 {
            w.s.base.clone()
        } else {
            second.url()
        };
        assert_eq!(login_at(&base, "not it"), 401);
    }
    assert_eq!(login_at(&second.url(), "a long password"), 429);
    assert_eq!(login_at(&w.s.base, "a long password"), 429);
}

#[test]
fn forms_without_this_sessions_csrf_token_are_refused() {
    let w = web();
    let session = w.session("zhang");
    let (_, page) = w.get(&session, "/visits/V1");
    let csrf = csrf_of(&page);
    let (status, _) = w.post(&session, "/visits/V1/decide", "decision=approve");
    assert_eq!(status, 422, "no token at all: the form does not parse");
    let (status, _) = w.post(
        &session,
        "/visits/V1/decide",
        &format!("decision=approve&csrf={}", "0".repeat(32)),
    );
    assert_eq!(status, 403);
    // Another session's token does not pass either.
    let other = w.session("zhang");
    let (status, _) = w.post(
        &other,
        "/visits/V1/decide",
        &format!("decision=approve&csrf={csrf}"),
    );
    assert_eq!(status, 403);
    assert_eq!(
        doorstep_server::block_on(w.s.storage.visit_status("V1"))
            .expect("db")
            .expect("visit")
            .0,
        VisitStatus::Submitted
    );
    // Returning needs a comment; with one, the state changes.
    let (status, page) = w.post(
        &session,
        "/visits/V1/decide",
        &format!("decision=return&csrf={csrf}&comment="),
    );
    assert_eq!(status, 422);
    assert!(page.contains("退回或驳回必须填写意见"));
    let (status, _) = w.post(
        &session,
        "/visits/V1/decide",
        &format!("decision=return&csrf={csrf}&comment=%E8%A1%A5%E6%8B%8D"),
    );
    assert_eq!(status, 303);
    assert_eq!(
        doorstep_server::block_on(w.s.storage.visit_status("V1"))
            .expect("db")
            .expect("visit")
            .0,
        VisitStatus::Returned
    );
    let (_, page) = w.get(&session, "/visits/V1");
    assert!(
        page.contains("id=\"status\">已退回"),
        "the page shows the new state"
    );
}

/// A filter the kept counts cannot answer (a worker) is counted up to 10,000: past that the
/// page says "10000+", gives no last page, and pages on while pages come full.
#[test]
fn a_filter_counted_past_its_cap_says_more_and_pages_on() {
    let w = web();
    // 10,001 more visits of V1's device, copied from V1 with ids and places of their own.
    w.s.db.rows(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
         INSERT INTO visits (id, device_id, seq, sha256, record, signature, recipient_id, area,
                             chain, status, received_at, village, started_at, flag_kinds,
                             flagged, county, flags_pending)
         SELECT 'B' || i, v.device_id, 100 + i, 'B' || i, v.record, v.signature,
                v.recipient_id, v.area, v.chain, v.status, v.received_at - i, v.village,
                v.started_at, '[]', FALSE, v.county, FALSE
         FROM visits v, n WHERE v.id = 'V1'",
    );
    // Their counts, as the server's own writes keep them: SQLite's triggers did; on
    // PostgreSQL a batch appends its delta (keep.rs), done here for this one.
    if let TestDb::Postgres(_) = w.s.db {
        w.s.db.rows(
            "INSERT INTO queue_count_deltas (village, status, flagged, n)
             SELECT village, status, FALSE, 10001 FROM visits WHERE id = 'V1'",
        );
    }
    let worker = &w.s.db.rows("SELECT worker FROM devices")[0][0];
    let worker: String = worker.bytes().map(|b| format!("%{b:02X}")).collect();
    let session = w.session("zhang");
    let (status, page) = w.get(&session, &format!("/queue?worker={worker}"));
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<strong class="total">10000+</strong>"#),
        "{page}"
    );
    assert!(
        page.contains("&amp;page=1\""),
        "a link to the next page: {page}"
    );
    assert!(!page.contains(" / "), "no last page is claimed");
    // Every filter the counts keep is still exact: all 10,002 of the county's visits.
    let (_, page) = w.get(&session, "/queue");
    assert!(
        page.contains(r#"<strong class="total">10002</strong>"#),
        "{page}"
    );
    assert!(page.contains("1 / 201"), "pages of 50 counted exactly");
}

#[test]
fn another_countys_supervisor_finds_nothing() {
    let w = web();
    let session = w.session("li");
    assert_eq!(w.get(&session, "/visits/V1").0, 404);
    assert_eq!(w.get(&session, &format!("/media/{}", w.photo)).0, 404);
    let (_, page) = w.get(&session, "/queue");
    assert!(!page.contains("V1"));
    let (_, page) = w.get(&session, "/tickets");
    assert!(!page.contains("V1-1"));
    let (_, page) = w.get(&session, "/visits/V1");
    let csrf = page.find("name=\"csrf\"").map(|_| csrf_of(&page));
    if let Some(csrf) = csrf {
        let (status, _) = w.post(
            &session,
            "/visits/V1/decide",
            &format!("decision=approve&csrf={csrf}"),
        );
        assert_eq!(status, 404);
    }
    assert_eq!(
        doorstep_server::block_on(w.s.storage.visit_status("V1"))
            .expect("db")
            .expect("visit")
            .0,
        VisitStatus::Submitted
    );
}

#[test]
fn protected_subsidy_names_appear_on_no_page_and_views_are_audited() {
    let w = web();
    let session = w.session("zhang");
    let mut seen = 0;
    for path in [
        "/queue",
        "/visits/V1",
        "/tickets",
        "/queue?flag=any",
        "/queue?status=submitted",
    ] {
        let (status, page) = w.get(&session, path);
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains(SECRET), "{path} names a protected subsidy");
        seen += 1;
    }
    assert_eq!(seen, 5);
    let (_, detail) = w.get(&session, "/visits/V1");
    assert!(detail.contains("生活补贴"), "an ordinary subsidy is named");
    assert!(
        detail.contains("受保护补贴"),
        "the protected one is shown as protected"
    );
    assert!(detail.contains("410***********"), "the ID number is masked");
    assert!(detail.contains("<svg"), "the map is drawn");
    assert!(
        detail.contains("距住户556米"),
        "the flag is explained in words"
    );
    let views = w.s.db.rows(
        "SELECT count(*) FROM audit_log WHERE actor = 'zhang' AND action = 'view-visit' AND subject = 'V1'",
    );
    assert_eq!(views, [["2"]], "each of the two views of the visit");
    let (status, photo) = w.get(&session, &format!("/media/{}", w.photo));
    assert_eq!((status, photo.as_str()), (200, "door photo"));
}

#[test]
fn a_ticket_is_moved_to_closed_from_the_ledger_page() {
    let w = web();
    let session = w.session("zhang");
    let (_, page) = w.get(&session, "/tickets");
    let csrf = csrf_of(&page);
    for (step, text, due) in [
        (
            "transfer",
            "%E5%8E%BF%E6%B0%91%E6%94%BF%E5%B1%80",
            "2026-12-05",
        ),
        ("reply", "ok", "2026-12-06"),
        ("close", "done", ""),
    ] {
        let (status, body) = w.post(
            &session,
            "/tickets/V1-1/advance",
            &format!("csrf={csrf}&step={step}&text={text}&due={due}"),
        );
        assert_eq!(status, 303, "{step}: {body}");
    }
    let (_, page) = w.get(&session, "/tickets?state=closed");
    assert!(page.contains("data-ticket=\"V1-1\""));
    assert!(page.contains("已办结"));
    // Out of order: a closed ticket cannot be transferred again.
    let (status, _) = w.post(
        &session,
        "/tickets/V1-1/advance",
        &format!("csrf={csrf}&step=transfer&text=x&due=2026-12-09"),
    );
    assert_eq!(status, 409);
}

#[test]
fn coverage_counts_villages_and_exports_csv_and_xlsx_without_names() {
    let w = web();
    let session = w.session("zhang");
    let (status, page) = w.get(&session, "/coverage?from=2026-01-01&to=2030-12-31");
    assert_eq!(status, 200);
    assert!(
        page.contains("410225100201"),
        "the visited village has a line"
    );
    let (status, csv) = w.get(
        &session,
        "/coverage?format=csv&from=2026-01-01&to=2030-12-31",
    );
    assert_eq!(status, 200);
    let line = csv
        .lines()
        .find(|l| l.contains(",410225100201,"))
        .expect("the village's line");
    // P9 is a minor, visited in the period (V1), so not never-visited. (This roster's
    // divisions have no names: the name columns hold the codes.)
    let cells: Vec<&str> = line.split(',').collect();
    assert_eq!(cells[7], "1", "one minor: {line}");
    assert_eq!(cells[8], "1", "visited: {line}");
    assert_eq!(cells[10], "0", "not never visited: {line}");
    for text in [&page, &csv] {
        assert!(
            !text.contains(SECRET) && !text.contains("张小雨"),
            "counts only"
        );
    }
    let r = no_redirects()
        .get(w.url("/coverage?format=xlsx&from=2026-01-01&to=2030-12-31"))
        .header("cookie", &session)
        .call()
        .expect("xlsx");
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.into_body().read_to_vec().expect("body");
    let all = xlsx_text(bytes);
    assert!(all.contains("410225100201") && all.contains("从未走访"));
    assert!(!all.contains(SECRET) && !all.contains("张小雨"));
}

fn multipart(csrf: &str, file: &str) -> (String, String) {
    let b = "----doorstep-test-boundary";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"roster\"; filename=\"r.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{b}--\r\n"
    );
    (format!("multipart/form-data; boundary={b}"), body)
}

#[test]
fn administration_issues_codes_revokes_devices_and_imports_rosters_whole_or_not_at_all() {
    let w = web();
    let session = w.session("zhang");
    let (status, page) = w.get(&session, "/admin");
    assert_eq!(status, 200);
    assert!(
        page.contains("data-device="),
        "the enrolled device is listed"
    );
    let csrf = csrf_of(&page);
    let (status, page) = w.post(
        &session,
        "/admin/code",
        &format!("csrf={csrf}&worker=%E5%BC%A0%E4%B8%89"),
    );
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"new-code\""),
        "the new code is shown once"
    );
    assert!(page.contains("张三 · 410225"), "and listed as unused");
    // A device of this county can be revoked; another county's supervisor cannot see it.
    let device = page
        .split("data-device=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a device id")
        .to_owned();
    let li = w.session("li");
    let (_, li_page) = w.get(&li, "/admin");
    assert!(!li_page.contains(&device));
    let (status, _) = w.post(
        &li,
        "/admin/revoke",
        &format!("csrf={}&device={device}", csrf_of(&li_page)),
    );
    assert_eq!(status, 404);
    let (status, _) = w.post(
        &session,
        "/admin/revoke",
        &format!("csrf={csrf}&device={device}"),
    );
    assert_eq!(status, 303);
    assert!(
        doorstep_server::block_on(w.s.storage.device(&device))
            .expect("db")
            .expect("device")
            .revoked
    );
    // A roster with one bad line: each error named by line, nothing imported.
    let idn = doorstep_sample::id_number(
        "410225",
        chrono::NaiveDate::from_ymd_opt(1950, 1, 1).expect("date"),
        41,
    );
    let good = format!("N1,钱七,{idn},,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,,,active,");
    let bad = "N2,孙八,123,,,elderly,410225100201,兰考县某村,34.8,114.8,,,,,,,active,";
    let (ctype, body) = multipart(&csrf, &format!("{HEADER}\n{good}\n{bad}\n"));
    let (status, _, page) = read(
        no_redirects()
            .post(w.url("/admin/roster"))
            .header("cookie", &session)
            .content_type(&ctype)
            .send(body),
    );
    assert_eq!(status, 422);
    assert!(
        page.contains("id=\"row-errors\"") && page.contains("第3行"),
        "the bad line is named"
    );
    let (rows, _) =
        doorstep_server::block_on(w.s.storage.roster_since(AREA, 0, 10_000)).expect("roster");
    assert!(!rows.iter().any(|r| r.id == "N1"), "nothing imported");
    let (ctype, body) = multipart(&csrf, &format!("{HEADER}\n{good}\n"));
    let (status, _, page) = read(
        no_redirects()
            .post(w.url("/admin/roster"))
            .header("cookie", &session)
            .content_type(&ctype)
            .send(body),
    );
    assert_eq!(status, 200);
    assert!(page.contains("id=\"imported\">1<"), "{page}");
}

#[test]
fn a_township_supervisor_sees_its_townships_households_only() {
    let w = web();
    let ours = w.session("wang");
    let (_, page) = w.get(&ours, "/queue");
    assert!(
        page.contains("data-visit=\"V1\""),
        "410225100201 is in township 410225100"
    );
    assert_eq!(w.get(&ours, "/visits/V1").0, 200);
    let theirs = w.session("zhao");
    let (_, page) = w.get(&theirs, "/queue");
    assert!(!page.contains("data-visit=\"V1\""));
    assert_eq!(w.get(&theirs, "/visits/V1").0, 404);
    let (_, page) = w.get(&theirs, "/tickets");
    assert!(!page.contains("V1-1"));
}

#[test]
fn a_configured_tile_server_lies_under_the_map() {
    let w = web();
    let session = w.session("zhang");
    let (_, plain) = w.get(&session, "/visits/V1");
    assert!(!plain.contains("<image"), "no tiles unless configured");
    // The same store served again with a tile template.
    let media = doorstep_server::media_store(&w.s.dir.path().join("data"), None).expect("media");
    let mut state = doorstep_server::AppState::new(w.s.storage.clone(), media);
    state.tiles = Some("https://tiles.example/{z}/{x}/{y}.png".into());
    let running =
        doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 1, None).expect("serve");
    let (_, _, page) = read(
        no_redirects()
            .get(format!("{}/visits/V1", running.url()))
            .header("cookie", &session)
            .call(),
    );
    let tiles: Vec<&str> = page
        .match_indices("<image class=\"tile\"")
        .map(|(i, _)| &page[i..])
        .collect();
    assert!(
        tiles.len() >= 4,
        "tiles around the household: {}",
        tiles.len()
    );
    // The map spans about 660 m over 320 px (the best fix is 556 m off): zoom 15, where the
    // household (34.8 N, 114.8 E) lies in tile x = 26833.
    let x = ((114.8 + 180.0) / 360.0 * f64::from(1u32 << 15)).floor() as u32;
    assert_eq!(x, 26833);
    assert!(
        page.contains("https://tiles.example/15/26833/"),
        "the household's tile"
    );
}
