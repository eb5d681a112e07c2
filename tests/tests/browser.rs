//! A supervisor's morning in a real browser (Debian's headless Chromium through
//! chromedriver) against the demo as a newcomer starts it: log in, filter the queue, open a
//! flagged visit, return it with a comment and see its state change, move a ticket to
//! closed, download the coverage XLSX. Screenshots of the queue and the visit are kept in
//! the build folder for the record.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use doorstep_tests::spawn_ready;
use doorstep_tests::webdriver::Browser;

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// The demo as a newcomer starts it, on a free port, with `devices` phones over two days;
/// what it printed when ready (its URL and logins).
fn demo(dir: &std::path::Path, devices: &str) -> (doorstep_tests::Running, serde_json::Value) {
    let running = spawn_ready(&[
        "demo",
        "--data",
        dir.join("demo").to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
        "--devices",
        devices,
        "--days",
        "2",
        "--recipients",
        "1200",
    ]);
    let ready = running.ready.clone();
    (running, ready)
}

#[test]
fn a_supervisor_clears_the_queue_in_a_real_browser() {
    let dir = tempfile::tempdir().expect("dir");
    let (_running, demo) = demo(dir.path(), "5");
    let url = demo["url"].as_str().expect("url").to_owned();
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads");
    let b = Browser::start(&downloads);

    // Log in with the printed login.
    b.goto(&format!("{url}/login"));
    b.type_into(
        "input[name=login]",
        demo["logins"][0]["login"].as_str().expect("login"),
    );
    b.type_into(
        "input[name=password]",
        demo["logins"][0]["password"].as_str().expect("password"),
    );
    b.click("form.login button");
    // The landing page is the dashboard; the queue is one click away.
    b.text("#awaiting strong");
    b.click("a[href='/queue']");
    b.wait_url("/queue");

    // Filter the queue to the mock-location visits, still waiting for review.
    b.select("select[name=flag]", "mock_location");
    b.select("select[name=status]", "submitted");
    b.click("form.filters button");
    b.wait_url("flag=mock_location");
    b.wait_text("strong.total", "1");
    let shots = screenshots();
    b.screenshot(&shots.join("queue.png"));

    // Open it: the flag in words, the map, then return it with a comment.
    b.click("tr.flagged td a");
    b.wait_url("/visits/");
    b.wait_text(
        "section.flags li[data-flag=mock_location] span.flag",
        "模拟定位",
    );
    assert!(
        b.source().contains("系统报告使用了模拟定位"),
        "the flag explained"
    );
    assert!(b.has("svg.map"));
    b.screenshot(&shots.join("visit.png"));
    b.wait_text("#status", "待审核");
    b.type_into(
        "textarea[name=comment]",
        "模拟定位，请重新入户核实并补拍门牌",
    );
    b.click("button[value=return]");
    b.wait_text("#status", "已退回");
    assert!(b.text("ul.history").contains("模拟定位，请重新入户核实"));

    // Move a ticket all the way to closed.
    b.goto(&format!("{url}/tickets?state=accepted"));
    let source = b.source();
    let ticket = source
        .split("data-ticket=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an accepted ticket")
        .to_owned();
    b.goto(&format!("{url}/tickets"));
    for text in ["县农商银行", "已上门核实并补发", "已告知本人，补贴已到账"]
    {
        let form = format!("tr[data-ticket=\"{ticket}\"] form.advance");
        b.type_into(&format!("{form} input[name=text]"), text);
        if b.has(&format!("{form} input[name=due]")) {
            b.execute(&format!(
                "document.querySelector('{form} input[name=due]').value = '2026-12-31';"
            ));
        }
        let state = format!("tr[data-ticket=\"{ticket}\"] td.state");
        let before = b.text(&state);
        b.click(&format!("{form} button"));
        b.settle_until_changed(&state, &before);
    }
    b.wait_text(&format!("tr[data-ticket=\"{ticket}\"] td.state"), "已办结");

    // Download the coverage report as XLSX.
    b.goto(&format!("{url}/coverage"));
    b.click("#export-xlsx");
    let started = Instant::now();
    let file = loop {
        let done = std::fs::read_dir(&downloads)
            .expect("downloads")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(f) = done {
            break f;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no XLSX downloaded"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let bytes = std::fs::read(&file).expect("xlsx");
    assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
    println!(
        "screenshots: {} {}",
        shots.join("queue.png").display(),
        shots.join("visit.png").display()
    );
}

/// What a page must not show a county office: a lowercase ASCII word (an enum's code, in
/// the Chinese pages; on the English ones, a word with an underscore), a bare 6-, 9- or 12-digit division code (every division of the demo
/// has a name), a UTC offset or an ISO time. `allowed` holds the words that are data (login
/// names).
fn raw_values(text: &str, allowed: &[&str], words: Words) -> Vec<String> {
    let mut found = Vec::new();
    for token in text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
    {
        let code_like = token.len() >= 2
            && token.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            && !allowed.contains(&token);
        let word = match words {
            Words::Chinese => code_like,
            Words::English => code_like && token.contains('_'),
        };
        let code = matches!(token.len(), 6 | 9 | 12) && token.bytes().all(|b| b.is_ascii_digit());
        if word || code {
            found.push(token.to_owned());
        }
    }
    for utc in ["+00:00", "UTC"] {
        if text.contains(utc) {
            found.push(utc.to_owned());
        }
    }
    found
}

/// The language a page is walked in, which decides what counts as a raw code.
#[derive(Clone, Copy)]
enum Words {
    Chinese,
    English,
}

/// Opens every page and fails on one that shows a raw value; returns how many were walked.
fn walk(b: &Browser, url: &str, pages: &[String], login: &str, words: Words) -> usize {
    for page in pages {
        b.goto(&format!("{url}{page}"));
        let text = b
            .execute("return document.body.innerText;")
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!text.is_empty(), "{page} rendered");
        let raw = raw_values(&text, &["county", "township"], words);
        assert!(
            raw.is_empty(),
            "{login} on {page} shows raw values: {raw:?}"
        );
    }
    pages.len()
}

#[test]
fn every_page_of_the_demo_shows_names_words_and_local_times() {
    let dir = tempfile::tempdir().expect("dir");
    let (_running, demo) = demo(dir.path(), "6");
    let url = demo["url"].as_str().expect("url").to_owned();
    let b = Browser::start(&dir.path().join("downloads"));
    let shots = screenshots();
    let mut walked = 0;
    for account in demo["logins"].as_array().expect("logins") {
        let login = account["login"].as_str().expect("login");
        b.goto(&format!("{url}/login"));
        b.type_into("input[name=login]", login);
        b.type_into(
            "input[name=password]",
            account["password"].as_str().expect("password"),
        );
        b.click("form.login button");
        let awaiting = b.text("#awaiting strong");
        assert!(
            awaiting.parse::<u32>().is_ok(),
            "{login} lands on the dashboard"
        );
        b.screenshot(&shots.join(format!("dashboard-{login}.png")));
        let mut pages: Vec<String> = [
            "/",
            "/queue",
            "/queue?status=submitted",
            "/queue?flag=any",
            "/tickets",
            "/tickets?state=open&overdue=1",
            "/coverage",
            "/admin",
            "/policy",
            "/checklist",
            "/people",
        ]
        .iter()
        .map(|p| (*p).to_owned())
        .collect();
        // Every visit the queue's first page lists, and every figure of the dashboard.
        b.goto(&format!("{url}/queue"));
        let source = b.source();
        pages.extend(
            source
                .split("href=\"/visits/")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(|id| format!("/visits/{id}")),
        );
        b.goto(&format!("{url}/"));
        pages.extend(
            b.source()
                .split("class=\"tile")
                .skip(1)
                .filter_map(|s| s.split("href=\"").nth(1))
                .filter_map(|s| s.split('"').next())
                .map(|h| h.replace("&amp;", "&")),
        );
        walked += walk(&b, &url, &pages, login, Words::Chinese);
        if login == "county" {
            // The same pages in English: no snake_case code, division code or UTC time.
            b.goto(&format!("{url}/lang?to=en"));
            walked += walk(&b, &url, &pages, login, Words::English);
            b.goto(&format!("{url}/lang?to=zh"));
        }
        if login == "county" {
            for (name, page) in [
                ("queue-county", "/queue".to_owned()),
                ("coverage", "/coverage".to_owned()),
                ("tickets", "/tickets".to_owned()),
                ("admin", "/admin".to_owned()),
                ("policy", "/policy".to_owned()),
                ("checklist", "/checklist".to_owned()),
                ("people", "/people".to_owned()),
                (
                    "visit-flagged",
                    pages
                        .iter()
                        .find(|p| p.starts_with("/visits/"))
                        .expect("a visit")
                        .clone(),
                ),
            ] {
                b.goto(&format!("{url}{page}"));
                b.screenshot(&shots.join(format!("{name}.png")));
                // What lies below the fold: the coverage map, the visit's map of fixes.
                for (part, css) in [("map", "#map"), ("map", "section.map")] {
                    if b.has(css) {
                        b.execute(&format!(
                            "document.querySelector('{css}').scrollIntoView();"
                        ));
                        b.screenshot(&shots.join(format!("{name}-{part}.png")));
                    }
                }
            }
        }
        if login == "county" {
            // The county issues a policy: a shorter interval for the elderly.
            b.goto(&format!("{url}/policy"));
            let before = b.text("#version");
            b.execute("document.getElementById('elderly').value = '30';");
            b.click("form.policy button");
            b.settle_until_changed("#version", &before);
            assert_eq!(
                b.execute("return document.getElementById('elderly').value;"),
                "30"
            );
            // And a question to the card-activation checklist, in the first empty row.
            b.goto(&format!("{url}/checklist"));
            let before = b.text("#version");
            let row = b.execute("return document.querySelectorAll('tr[data-item]').length;");
            let row = row.as_u64().expect("rows");
            b.type_into(&format!("input[name=zh_{row}]"), "告知补贴发放日期");
            b.type_into(
                &format!("input[name=en_{row}]"),
                "Told when subsidies are paid",
            );
            b.click("form.checklist button");
            b.settle_until_changed("#version", &before);
            assert_eq!(
                b.execute(&format!(
                    "return document.querySelector('input[name=zh_{row}]').value;"
                )),
                "告知补贴发放日期"
            );
            // And adds a supervisor for one of its townships.
            b.goto(&format!("{url}/people"));
            b.type_into("form.add input[name=login]", "xu");
            b.type_into("form.add input[name=password]", "a new supervisor");
            b.click("form.add button");
            b.wait_text("#said", "已保存");
            assert!(b.has("tr[data-login=xu]"));
        }
        b.click("header form button");
        b.wait_url("/login");
    }
    assert!(walked > 40, "pages walked: {walked}");
    println!("pages walked: {walked}; screenshots in {}", shots.display());
}

#[test]
fn raw_values_are_caught() {
    let zh = Words::Chinese;
    assert_eq!(
        raw_values("状态 submitted · 标记 same_spot_other_device", &[], zh),
        ["submitted", "same_spot_other_device"]
    );
    assert_eq!(
        raw_values("村 410225105201 · 2026-12-02 16:30", &[], zh),
        ["410225105201"]
    );
    assert_eq!(
        raw_values("开始 2026-12-02T08:30:00+00:00", &[], zh),
        ["+00:00"]
    );
    assert!(raw_values("county · 兰考县 ± 8 m 共 2000 名", &["county"], zh).is_empty());
    let en = Words::English;
    assert_eq!(
        raw_values(
            "Status submitted · flag same_spot_other_device at 410225",
            &[],
            en
        ),
        ["same_spot_other_device", "410225"]
    );
    assert!(raw_values("Awaiting review in Lankao county", &[], en).is_empty());
}
