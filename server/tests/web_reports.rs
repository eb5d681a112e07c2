//! The web app as a county office reads it, over real HTTP on each backend: divisions by name
//! (township · village) and times in the county's zone on the queue and the visit page; the
//! dashboard's figures, each linking to the list behind it; coverage per township, village
//! and worker with its map, satisfaction and suggestions per township, exports with names.

mod common;

use common::*;
use doorstep_contract::visit::{Satisfaction, SatisfactionLevel, Ticket, TicketKind, Urgency};
use doorstep_server::admin;
use serde_json::json;

struct Office {
    s: Server,
    cookie: String,
    /// The village of the visited household, and its township's and its own names.
    village: String,
    names: (String, String),
}

/// The sample county's roster with the Lankao division names, a county supervisor, and two
/// visits by one device: a flagged one whose household was satisfied and said something,
/// and a plain one.
fn office() -> Office {
    let s = server();
    let county = doorstep_sample::lankao();
    doorstep_server::block_on(admin::import_divisions(
        s.storage.as_ref(),
        county.divisions_csv().as_bytes(),
        now(),
    ))
    .expect("divisions");
    doorstep_server::block_on(admin::add_supervisor(
        s.storage.as_ref(),
        "zhang",
        AREA,
        "a long password",
        now(),
    ))
    .expect("supervisor");
    let d = s.enrol();
    let (status, roster) = s.signed(&d, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(status, 200);
    let first = &roster["rows"][0];
    let (who, village) = (
        first["id"].as_str().expect("id").to_owned(),
        first["village_code"].as_str().expect("village").to_owned(),
    );
    let second = roster["rows"][1]["id"].as_str().expect("id").to_owned();
    let names = roster["divisions"]
        .as_array()
        .expect("division names come with the roster");
    let name_of = |code: &str| {
        names
            .iter()
            .find(|n| n["code"] == json!(code))
            .and_then(|n| n["name"].as_str())
            .expect("a name")
            .to_owned()
    };
    let names = (name_of(&format!("{}000", &village[..9])), name_of(&village));
    let one = record_with(&d, "V1", 1, &who, |r| {
        r.satisfaction = Some(Satisfaction {
            level: SatisfactionLevel::BasicallySatisfied,
            comment: "希望多来几次".into(),
        });
        r.flags = vec![doorstep_contract::visit::Flag::TooShort { minutes: 2 }];
        // What a worker typed, beginning like a spreadsheet formula.
        r.tickets = vec![Ticket {
            number: 1,
            kind: TicketKind::PaymentMissing,
            description: "=HYPERLINK(\"http://x\")补贴未到账".into(),
            urgency: Urgency::High,
            due: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            from_checklist: None,
        }];
    });
    let two = record(&d, "V2", 2, None, &second, &[]);
    let (status, body) = push(&s, &d, &[one, two]);
    assert_eq!(status, 200, "{body}");
    let r = no_redirects()
        .post(format!("{}/login", s.base))
        .content_type("application/x-www-form-urlencoded")
        .send("login=zhang&password=a+long+password")
        .expect("login");
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    Office {
        s,
        cookie,
        village,
        names,
    }
}

impl Office {
    fn get(&self, path: &str) -> (u16, String) {
        let mut r = no_redirects()
            .get(format!("{}{path}", self.s.base))
            .header("cookie", &self.cookie)
            .call()
            .expect("http");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    }
}

/// The text between `<tag ... id="id"` and the next `</a>`: one dashboard tile.
fn tile<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("tile {id}"));
    let end = page[at..].find("</a>").expect("tile end");
    &page[at..at + end]
}

fn figure(tile: &str) -> u64 {
    let at = tile.find("<strong>").expect("figure") + 8;
    let end = tile[at..].find('<').expect("end");
    tile[at..at + end].parse().expect("a number")
}

#[test]
fn queue_and_visit_name_the_village_and_show_local_times() {
    let o = office();
    let (township, village) = &o.names;
    let (status, queue) = o.get("/queue");
    assert_eq!(status, 200);
    assert!(
        queue.contains(&format!("{township} · {village}")),
        "the village by name"
    );
    assert!(
        !queue.contains(&format!(">{}<", o.village)),
        "no bare village code"
    );
    // Sealed at 09:00 +08:00: shown as nine in the morning, never in UTC.
    assert!(queue.contains("2026-11-27 09:00"), "local start time");
    let (_, visit) = o.get("/visits/V1");
    assert!(visit.contains(&format!("{township} · {village}")));
    assert!(visit.contains("2026-11-27 09:00") && visit.contains("2026-11-27 09:20"));
    assert!(!visit.contains("+00:00") && !visit.contains("T01:00"));
    assert!(
        visit.contains("基本满意：希望多来几次"),
        "satisfaction in words"
    );
    // The header names the area; the township filter lists names, codes only as values.
    assert!(queue.contains("zhang · 兰考县"));
    assert!(queue.contains(&format!("value=\"{}\"", &o.village[..9])));
}

#[test]
fn the_dashboard_counts_the_area_and_links_to_each_list() {
    let o = office();
    let (status, page) = o.get("/?from=2026-11-20&to=2026-11-30");
    assert_eq!(status, 200);
    assert_eq!(figure(tile(&page, "visits")), 2);
    assert!(tile(&page, "visits").contains("href=\"/queue?from=2026-11-20&amp;to=2026-11-30\""));
    assert_eq!(figure(tile(&page, "awaiting")), 2);
    assert!(tile(&page, "awaiting").contains("/queue?status=submitted"));
    assert_eq!(figure(tile(&page, "returned")), 0);
    let short = tile(&page, "too_short");
    assert_eq!(figure(short), 1);
    assert!(short.contains("走访时间过短") && short.contains("/queue?flag=too_short"));
    assert_eq!(figure(tile(&page, "recipients")), 40);
    assert_eq!(figure(tile(&page, "visited")), 2);
    assert_eq!(figure(tile(&page, "basically")), 1);
    assert!(
        page.contains("<svg") && page.contains("weekly"),
        "the trend chart"
    );
    // The links lead to the figures: the queue for the period holds both visits.
    let (_, queue) = o.get("/queue?from=2026-11-20&to=2026-11-30");
    assert_eq!(queue.matches("data-visit=").count(), 2);
    let (_, flagged) = o.get("/queue?flag=too_short&from=2026-11-20&to=2026-11-30");
    assert_eq!(flagged.matches("data-visit=").count(), 1);
    // A roster imported since is counted at once (the facts kept in memory are read again).
    // (The sample's ids run LK-000001 up: these five are new people.)
    let more = doorstep_sample::to_csv(&doorstep_sample::generate(8, 5, today()))
        .replace(",LK-0", ",LK-9")
        .replace("\nLK-0", "\nLK-9");
    doorstep_server::block_on(admin::import_roster(
        o.s.storage.as_ref(),
        AREA,
        more.as_bytes(),
        today(),
        now(),
    ))
    .expect("roster");
    let (_, page) = o.get("/?from=2026-11-20&to=2026-11-30");
    assert!(
        figure(tile(&page, "recipients")) > 40,
        "the new rows counted"
    );
    // Outside the period nothing was visited.
    let (_, quiet) = o.get("/?from=2026-10-01&to=2026-10-07");
    assert_eq!(figure(tile(&quiet, "visits")), 0);
    assert_eq!(
        figure(tile(&quiet, "awaiting")),
        2,
        "awaiting review is not a period's"
    );
}

#[test]
fn coverage_shows_townships_villages_workers_a_map_and_what_households_said() {
    let o = office();
    let (township, village) = &o.names;
    let (status, page) = o.get("/coverage?from=2026-11-20&to=2026-11-30");
    assert_eq!(status, 200);
    for section in [
        "by-township",
        "by-village",
        "by-worker",
        "map",
        "satisfaction",
    ] {
        assert!(page.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(page.contains(&format!("{township} · {village}")));
    assert!(
        page.contains("circle class=\"village\""),
        "villages on the map"
    );
    assert!(
        page.contains("希望多来几次"),
        "the suggestion, under its township"
    );
    let (_, csv) = o.get("/coverage?format=csv&from=2026-11-20&to=2026-11-30");
    let line = csv
        .lines()
        .find(|l| l.contains(&o.village))
        .expect("the village's line");
    assert!(
        line.starts_with(&format!("{township},{village},{}", o.village)),
        "{line}"
    );
}

#[test]
fn the_ticket_ledger_exports_with_names_words_and_inert_cells() {
    let o = office();
    let (township, village) = &o.names;
    let (status, page) = o.get("/tickets?state=open");
    assert_eq!(status, 200);
    assert!(page.contains("id=\"export-xlsx\""));
    let (status, csv) = o.get("/tickets?format=csv&state=open");
    assert_eq!(status, 200);
    let line = csv.lines().nth(1).expect("the ticket's line");
    assert!(
        line.starts_with(&format!(
            "V1-1,{township},{village},补贴未到账,紧急（3天内）,"
        )),
        "{line}"
    );
    assert!(
        line.contains("\"'=HYPERLINK"),
        "the formula made text: {line}"
    );
    assert!(
        line.contains("已受理") && line.ends_with("已逾期"),
        "{line}"
    );
    let r = no_redirects()
        .get(format!("{}/tickets?format=xlsx", o.s.base))
        .header("cookie", &o.cookie)
        .call()
        .expect("xlsx");
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.into_body().read_to_vec().expect("body");
    let all = xlsx_text(bytes);
    assert!(all.contains(township.as_str()) && all.contains("补贴未到账"));
    assert!(!all.contains("<f>"), "no formula cells");
    // Nothing open in the closed filter.
    let (_, csv) = o.get("/tickets?format=csv&state=closed");
    assert_eq!(csv.lines().count(), 1, "the header only");
}
