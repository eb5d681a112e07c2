//! The attack harness, content part: hostile values planted where people type — roster
//! names and addresses, a visit's living situation, needs, questions, tickets and comments —
//! then every page of the web app opened in headless Chromium as the county's supervisor,
//! and every export and the server's log read:
//! - script in a value must never run (each payload sets `window.pwned` if it does);
//! - a value beginning `=`, `+`, `-` or `@` must never become a formula in a CSV or XLSX
//!   export (a CSV cell so beginning, or any XLSX formula, is counted as getting through);
//! - a full ID number, a phone number or a protected subsidy's name must appear in no page,
//!   no export and not the log, and no household's name in the log.
//!
//! A payload only counts as tried where it was shown: a page or export that dropped it would
//! prove nothing (the harness fails if a payload is shown nowhere).

use std::io::Read;
use std::path::Path;

use chrono::Duration as Minutes;
use doorstep_core::model::{Category, Recipient};
use doorstep_core::rules::Action;
use doorstep_core::visit::{TicketKind, Urgency};
use doorstep_core::Doorstep;
use doorstep_webdriver::Browser;

use crate::attacks::{get_bytes, Tally, PASSWORD};
use crate::field::{self, BoxError};
use crate::served::clock;

/// Script that sets `window.pwned` wherever it runs (each under the roster's 50 characters).
pub const SCRIPT: [&str; 6] = [
    "<img src=x onerror=window.pwned=1>",
    "<script>window.pwned=2</script>",
    "\"><svg onload=window.pwned=3>",
    "'><img src=x onerror=window.pwned=4>",
    "</title><script>window.pwned=5</script>",
    "javascript:window.pwned=6//",
];
/// What a spreadsheet would read as a formula.
pub const FORMULA: [&str; 5] = [
    "=HYPERLINK(\"http://example.invalid\",\"查看\")",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1,1)",
    "=1+1",
];

/// Payload `k` of them all, scripts then formulas, round and round.
fn payload(k: usize) -> String {
    let all = SCRIPT.len() + FORMULA.len();
    let k = k % all;
    SCRIPT
        .get(k)
        .unwrap_or_else(|| &FORMULA[k - SCRIPT.len()])
        .to_string()
}

/// Gives hostile names and addresses to the first adults acting for themselves (the roster
/// is written after), one for each payload; returns their ids.
pub fn plant_in_roster(people: &mut [Recipient]) -> Vec<String> {
    let adults = people
        .iter_mut()
        .filter(|p| !p.categories.contains(&Category::Minor) && p.guardian.is_none());
    let mut ids = Vec::new();
    for (n, p) in adults.take(SCRIPT.len() + FORMULA.len()).enumerate() {
        p.name = payload(n);
        p.address = payload(n + 3);
        ids.push(p.id.clone());
    }
    ids
}

/// Records a visit to each planted household with hostile text in everything typed.
pub fn plant_in_visits(
    store: &mut Doorstep,
    people: &[Recipient],
    ids: &[String],
) -> Result<Vec<String>, BoxError> {
    let checklist = field::own_checklist(store)?;
    let mut visits = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let r = people
            .iter()
            .find(|p| &p.id == id)
            .ok_or("a planted person")?;
        let text = |k: usize| payload(n + k);
        let now = clock() - Minutes::hours(3) + Minutes::minutes(n as i64);
        let v = store.start_visit(id, now)?.visit_id;
        let mut acts = field::met(r, now, &checklist);
        let sign = acts.pop().ok_or("the signature")?;
        acts.push(Action::Living { text: text(0) });
        acts.push(Action::Needs { text: text(1) });
        acts.push(Action::QuestionAnswered { text: text(2) });
        acts.push(Action::Ticket {
            kind: TicketKind::Complaint,
            description: text(3),
            urgency: Urgency::High,
            checklist_item: None,
        });
        acts.push(Action::Satisfaction {
            level: doorstep_core::visit::SatisfactionLevel::Satisfied,
            comment: text(4),
        });
        acts.push(sign);
        store.act(&v, &acts, now)?;
        store.finish(&v, now + Minutes::minutes(20))?;
        visits.push(v);
    }
    Ok(visits)
}

/// What must never be shown: full ID numbers, phones, protected subsidies' names.
fn secrets(people: &[Recipient]) -> Vec<(String, &'static str)> {
    let mut s = Vec::new();
    for p in people {
        s.push((p.id_number.as_str().to_owned(), "an ID number"));
        if let Some(phone) = &p.phone {
            s.push((phone.as_str().to_owned(), "a phone number"));
        }
        if let Some(phone) = p.guardian.as_ref().and_then(|g| g.phone.as_ref()) {
            s.push((phone.as_str().to_owned(), "a guardian's phone number"));
        }
        for e in p.enrolments.iter().filter(|e| e.protected) {
            s.push((e.short_name.clone(), "a protected subsidy's name"));
        }
    }
    s.sort();
    s.dedup();
    s
}

fn leaks(t: &mut Tally, what: &str, text: &str, secrets: &[(String, &'static str)]) {
    t.tried += 1;
    if let Some((_, kind)) = secrets.iter().find(|(v, _)| text.contains(v.as_str())) {
        t.accepted.push(format!("{what} shows {kind}"));
    }
}

/// Opens every page in the browser, reads every export, then the log.
pub fn check(
    base: &str,
    cookie: &str,
    people: &[Recipient],
    visits: &[String],
    log: &Path,
    t: &mut Tally,
) -> Result<(), BoxError> {
    let secrets = secrets(people);
    let mut pages: Vec<String> = [
        "/",
        "/queue",
        "/tickets",
        "/coverage",
        "/people",
        "/admin",
        "/policy",
        "/checklist",
    ]
    .map(str::to_owned)
    .to_vec();
    pages.extend(visits.iter().map(|v| format!("/visits/{v}")));
    let downloads = tempfile::tempdir()?;
    let b = Browser::start(downloads.path());
    b.goto(&format!("{base}/login"));
    b.type_into("input[name=login]", "owner");
    b.type_into("input[name=password]", PASSWORD);
    b.click("form.login button");
    // The landing page, the dashboard, once logged in.
    b.text("#awaiting strong");
    let mut shown = vec![false; SCRIPT.len()];
    for page in &pages {
        b.goto(&format!("{base}{page}"));
        let text = b
            .execute("return document.documentElement.innerText;")
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for (i, payload) in SCRIPT.iter().enumerate() {
            if text.contains(payload) {
                shown[i] = true;
                t.tried += 1;
            }
        }
        let ran = b.execute("return window.pwned === undefined ? null : String(window.pwned);");
        if let Some(which) = ran.as_str() {
            t.accepted.push(format!("script {which} ran on {page}"));
        }
        leaks(t, page, &b.source(), &secrets);
    }
    if let Some(i) = shown.iter().position(|s| !s) {
        return Err(format!("payload {} was shown on no page", i + 1).into());
    }

    let mut formulas = vec![false; FORMULA.len()];
    for export in [
        "/coverage?format=csv",
        "/coverage?format=xlsx",
        "/tickets?format=csv",
        "/tickets?format=xlsx",
    ] {
        let (status, bytes) = get_bytes(base, cookie, export)?;
        if status != 200 {
            return Err(format!("{export}: {status}").into());
        }
        let text = if export.ends_with("xlsx") {
            xlsx_text(&bytes, export, t)?
        } else {
            let text = String::from_utf8(bytes)?;
            csv_cells(&text, export, t)?;
            text
        };
        for (i, f) in FORMULA.iter().enumerate() {
            if text.contains(f) {
                formulas[i] = true;
                t.tried += 1;
            }
        }
        leaks(t, export, &text, &secrets);
    }
    if !formulas.iter().any(|f| *f) {
        return Err("no formula payload reached an export".into());
    }

    let log = std::fs::read_to_string(log)?;
    let mut personal = secrets.clone();
    personal.extend(
        people
            .iter()
            .map(|p| (p.name.clone(), "a household's name")),
    );
    leaks(t, "the server log", &log, &personal);
    let kinds = |k: &str| secrets.iter().filter(|(_, kind)| *kind == k).count();
    println!(
        "attacks content: pages={} exports=4 log_lines={} searched: id_numbers={} phones={} \
         protected_subsidies={} names={}",
        pages.len(),
        log.lines().count(),
        kinds("an ID number"),
        kinds("a phone number") + kinds("a guardian's phone number"),
        kinds("a protected subsidy's name"),
        people.len()
    );
    Ok(())
}

/// Counts a CSV cell that a spreadsheet would read as a formula.
fn csv_cells(text: &str, export: &str, t: &mut Tally) -> Result<(), BoxError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for row in r.records() {
        for cell in row?.iter() {
            let numeric = cell.parse::<f64>().is_ok();
            if !numeric && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                t.accepted.push(format!("{export} has a formula cell"));
            }
        }
    }
    Ok(())
}

/// The text of an XLSX's sheets and shared strings; any formula in a sheet is counted.
fn xlsx_text(bytes: &[u8], export: &str, t: &mut Tally) -> Result<String, BoxError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i)?;
        let name = f.name()?.into_owned();
        if !name.ends_with(".xml") {
            continue;
        }
        let mut xml = String::new();
        f.read_to_string(&mut xml)?;
        if name.starts_with("xl/worksheets/") && (xml.contains("<f>") || xml.contains("<f ")) {
            t.accepted.push(format!("{export} has a formula in {name}"));
        }
        all.push_str(&unescape(&xml));
    }
    Ok(all)
}

fn unescape(xml: &str) -> String {
    xml.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
