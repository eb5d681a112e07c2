//! The attack harness: a real `doorstep serve` holding a county's visits with photos, and
//! everyone who must not get what they try. This module is the cross-area part: supervisors
//! who must not see the visits (one of another township, one of another county) trying every
//! visit page, every photo URL, a decision on every visit, and the queue, coverage (page and
//! CSV/XLSX) and ticket ledger filtered to the other area. Every attempt must be refused or
//! show nothing of the other area (no household name, no visit id), while the county's own
//! supervisor reads every one (else the harness fails: a broken login would refuse
//! everything too). Then the content attacks ([`crate::planted`]) and the device-side
//! forgeries ([`crate::forged`]). Prints `attacks: tried=N accepted=0`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::field::BoxError;
use crate::served::{self, admin, clock, record, serve_logging, Http};

/// The password of every supervisor the harness adds (a test value).
pub const PASSWORD: &str = "harness password 1";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Visits recorded (each with a photo) in the county under attack.
    #[arg(long, default_value_t = 40)]
    visits: usize,
}

/// What was tried, and what got through.
#[derive(Debug, Default)]
pub struct Tally {
    pub tried: usize,
    pub accepted: Vec<String>,
}

/// A browser-like client: no redirects followed, every status reported.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// Logs in; returns the session cookie and the page's CSRF token.
fn login(base: &str, login: &str) -> Result<(String, String), BoxError> {
    let r = agent()
        .post(format!("{base}/login"))
        .content_type("application/x-www-form-urlencoded")
        .send(format!(
            "login={login}&password={}",
            PASSWORD.replace(' ', "+")
        ))?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| format!("no session cookie for {login}: {}", r.status()))?
        .to_owned();
    let (_, page) = get(base, &cookie, "/people")?;
    let at = page.find("name=\"csrf\" value=\"").ok_or("a csrf field")? + 19;
    Ok((
        cookie,
        page.get(at..at + 32).ok_or("a csrf token")?.to_owned(),
    ))
}

fn get(base: &str, cookie: &str, path: &str) -> Result<(u16, String), BoxError> {
    let (status, body) = get_bytes(base, cookie, path)?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

pub fn get_bytes(base: &str, cookie: &str, path: &str) -> Result<(u16, Vec<u8>), BoxError> {
    let mut r = agent()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .call()?;
    let body = r.body_mut().with_config().limit(64 << 20).read_to_vec()?;
    Ok((r.status().as_u16(), body))
}

fn post(base: &str, cookie: &str, path: &str, form: &str) -> Result<u16, BoxError> {
    let r = agent()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .content_type("application/x-www-form-urlencoded")
        .send(form)?;
    Ok(r.status().as_u16())
}

pub fn run(a: &Args) -> Result<bool, BoxError> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let mut planted = Vec::new();
    let served::County {
        data,
        people,
        area: county,
        code,
    } = served::county_with(dir.path(), |p| planted = crate::planted::plant_in_roster(p))?;
    let townships: BTreeSet<String> = people
        .iter()
        .map(|p| p.village.township().to_owned())
        .collect();
    let (ours, theirs) = {
        let mut t = townships.iter();
        (
            t.next().ok_or("a township")?.clone(),
            t.next().ok_or("a second township")?.clone(),
        )
    };
    // The attackers: a supervisor of another of the county's townships, and of another county.
    admin(
        &data,
        &["add-supervisor", "--login", "neighbour", "--area", &ours],
    )?;
    admin(
        &data,
        &["add-supervisor", "--login", "elsewhere", "--area", "410224"],
    )?;
    // And the county's own, who must see everything: the control that the attempts are real.
    admin(
        &data,
        &["add-supervisor", "--login", "owner", "--area", &county],
    )?;
    let log = dir.path().join("server.log");
    let (_served, url) = serve_logging(&data, Some(&log))?;
    let base = url.trim_end_matches('/').to_owned();

    // A worker's visits to households of the other township, photos and all.
    let http = Http(agent());
    let mut store = served::enrolled(&dir.path().join("device"), &http, &url, &code)?;
    let targets: Vec<_> = people
        .iter()
        .filter(|p| p.village.township() == theirs && !planted.contains(&p.id))
        .take(a.visits)
        .collect();
    for (n, p) in targets.iter().enumerate() {
        record(&mut store, &p.id, n)?;
    }
    let hostile = crate::planted::plant_in_visits(&mut store, &people, &planted)?;
    store.sync(&http, clock(), &mut |_, _, _| {})?;
    let mut visits = Vec::new();
    let mut photos = Vec::new();
    let ours_only = store
        .visits()?
        .into_iter()
        .filter(|v| !hostile.contains(&v.visit_id));
    for v in ours_only.filter(|v| v.sealed) {
        for (sha, _, _) in store.export(&v.visit_id)?.media {
            photos.push(sha);
        }
        visits.push(v.visit_id);
    }
    let secrets: Vec<String> = targets
        .iter()
        .map(|p| p.name.clone())
        .chain(visits.iter().cloned())
        .collect();

    let (cookie, _) = login(&base, "owner")?;
    for (v, p) in visits.iter().zip(&photos) {
        let (page, body) = get(&base, &cookie, &format!("/visits/{v}"))?;
        let (photo, _) = get(&base, &cookie, &format!("/media/{p}"))?;
        if page != 200 || photo != 200 || !targets.iter().any(|t| body.contains(t.name.as_str())) {
            return Err(
                format!("the county's own supervisor cannot read {v}: {page}/{photo}").into(),
            );
        }
    }
    let mut t = Tally::default();
    let (tried, accepted) = (&mut t.tried, &mut t.accepted);
    for attacker in ["neighbour", "elsewhere"] {
        let (cookie, csrf) = login(&base, attacker)?;
        let mut paths: Vec<String> = Vec::new();
        paths.extend(visits.iter().map(|v| format!("/visits/{v}")));
        paths.extend(photos.iter().map(|p| format!("/media/{p}")));
        for filter in [
            format!("village={}", targets[0].village.as_str()),
            format!("township={theirs}"),
        ] {
            for page in ["/queue", "/coverage", "/tickets"] {
                paths.push(format!("{page}?{filter}"));
            }
            paths.push(format!("/coverage?{filter}&format=csv"));
            paths.push(format!("/coverage?{filter}&format=xlsx"));
        }
        paths.extend(["/", "/queue", "/coverage", "/tickets", "/admin"].map(str::to_owned));
        for path in &paths {
            *tried += 1;
            let (status, body) = get(&base, &cookie, path)?;
            let private = path.starts_with("/visits/") || path.starts_with("/media/");
            let leaked = secrets.iter().any(|s| body.contains(s.as_str()));
            if (private && status == 200) || leaked {
                accepted.push(format!("{attacker} GET {path}: {status}"));
            }
        }
        for v in &visits {
            *tried += 1;
            let status = post(
                &base,
                &cookie,
                &format!("/visits/{v}/decide"),
                &format!("csrf={csrf}&decision=approve&comment="),
            )?;
            if status == 303 {
                accepted.push(format!("{attacker} decided {v}"));
            }
        }
    }
    let cross_area = t.tried;
    crate::planted::check(&base, &cookie, &people, &hostile, &log, &mut t)?;
    let content = t.tried - cross_area;
    crate::forged::run(&base, &data, &county, &mut t)?;
    let forged = t.tried - cross_area - content;
    for what in t.accepted.iter().take(20) {
        println!("got through: {what}");
    }
    println!(
        "attacks: tried={} accepted={} cross_area={cross_area} content={content} \
         forged={forged} visits={} photos={} seconds={:.1}",
        t.tried,
        t.accepted.len(),
        visits.len() + hostile.len(),
        photos.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(t.accepted.is_empty() && !visits.is_empty())
}
