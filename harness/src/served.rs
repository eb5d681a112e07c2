//! A real server and device for the harnesses: `doorstep serve` on loopback over a data
//! folder holding a generated county's roster, operator commands on it, and a device enrolled
//! with it that records sealed visits with photos through the session API, and what the
//! server kept of what the device sealed.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use chrono::Duration as Minutes;
use doorstep_core::crypto::{hex, sha256, RawKeyVault};
use doorstep_core::model::Recipient;
use doorstep_core::rules::Action;
use doorstep_core::transport::{Header, HttpRequest, HttpResponse, HttpTransport, TransportError};
use doorstep_core::Doorstep;

use crate::field::{self, at, BoxError};

/// A server's data folder with a county's roster imported and an enrolment code issued.
pub struct County {
    pub data: PathBuf,
    pub people: Vec<Recipient>,
    /// The county's code.
    pub area: String,
    pub code: String,
}

/// Prepares the server's data folder under `dir` (the server not yet started).
pub fn county(dir: &Path) -> Result<County, BoxError> {
    county_with(dir, |_| {})
}

/// The same, with `edit` changing the generated people before their roster is written.
pub fn county_with(dir: &Path, edit: impl FnOnce(&mut Vec<Recipient>)) -> Result<County, BoxError> {
    let data = dir.join("server");
    std::fs::create_dir_all(&data)?;
    let mut people = doorstep_sample::generate(9, 300, at()?.date_naive());
    edit(&mut people);
    let area = people
        .first()
        .ok_or("a roster")?
        .village
        .county()
        .to_owned();
    let roster = dir.join("roster.csv");
    std::fs::write(&roster, doorstep_sample::to_csv(&people))?;
    let file = roster.to_str().ok_or("path")?;
    admin(&data, &["import-roster", "--area", &area, file])?;
    let code = admin(
        &data,
        &["enrolment-code", "--worker", "李四", "--area", &area],
    )?;
    let code = code["code"].as_str().ok_or("an enrolment code")?.to_owned();
    Ok(County {
        data,
        people,
        area,
        code,
    })
}

/// A new device in `dir`, enrolled at `url` with `code`, its roster synced down.
pub fn enrolled(dir: &Path, http: &Http, url: &str, code: &str) -> Result<Doorstep, BoxError> {
    let mut store = Doorstep::create(dir, &RawKeyVault::generate()?)?;
    store.enroll(http, url, code)?;
    store.sync(http, clock(), &mut |_, _, _| {})?;
    Ok(store)
}

/// The device's HTTP: blocking ureq, short timeouts (a cut shows at once, a stall passes).
pub struct Http(pub ureq::Agent);

impl Http {
    /// Every status answered (not an error), each request bounded by `secs`.
    pub fn bounded(secs: u64) -> Http {
        Http(
            ureq::Agent::config_builder()
                .timeout_global(Some(std::time::Duration::from_secs(secs)))
                .http_status_as_error(false)
                .build()
                .into(),
        )
    }
}

impl HttpTransport for Http {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let err = |e: &dyn std::fmt::Display| TransportError(e.to_string());
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(req.url.as_str());
        for h in &req.headers {
            b = b.header(h.name.as_str(), h.value.as_str());
        }
        let request = b.body(req.body).map_err(|e| err(&e))?;
        let mut r = self.0.run(request).map_err(|e| err(&e))?;
        let headers = r
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some(Header {
                    name: k.as_str().to_owned(),
                    value: v.to_str().ok()?.to_owned(),
                })
            })
            .collect();
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .map_err(|e| err(&e))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// `doorstep serve` on a free loopback port, killed when dropped.
pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn doorstep_bin() -> Result<PathBuf, BoxError> {
    let bin = std::env::current_exe()?.with_file_name("doorstep");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} not found: build it with `cargo build --release -p doorstep`",
            bin.display()
        )
        .into())
    }
}

pub fn admin(data: &Path, args: &[&str]) -> Result<serde_json::Value, BoxError> {
    let out = Command::new(doorstep_bin()?)
        .arg("admin")
        .arg(args[0])
        .arg("--data")
        .arg(data)
        .args(&args[1..])
        .arg("--json")
        .env("DOORSTEP_LANG", "en")
        .env("DOORSTEP_NEW_PASSWORD", crate::attacks::PASSWORD)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "admin {}: {}",
            args[0],
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

pub fn serve(data: &Path) -> Result<(Served, String), BoxError> {
    serve_logging(data, None)
}

/// [`serve`], logging everything down to debug into `log` when given.
pub fn serve_logging(data: &Path, log: Option<&Path>) -> Result<(Served, String), BoxError> {
    let (level, stderr) = match log {
        Some(path) => ("debug", Stdio::from(std::fs::File::create(path)?)),
        None => ("error", Stdio::null()),
    };
    let mut child = Command::new(doorstep_bin()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--json", "--data"])
        .arg(data)
        .env("DOORSTEP_LOG", level)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("stdout")?).read_line(&mut line)?;
    let served = Served(child);
    let ready: serde_json::Value = serde_json::from_str(&line)?;
    let url = ready["listening"]
        .as_str()
        .ok_or("the ready line")?
        .to_owned();
    Ok((served, url))
}

/// Records and seals one visit with a photo.
pub fn record(store: &mut Doorstep, id: &str, n: usize) -> Result<(), BoxError> {
    // Two hours ago, two seconds apart: in the past, in order, as the server expects.
    let now = clock() - Minutes::hours(2) + Minutes::seconds(2 * n as i64);
    let v = store.start_visit(id, now)?.visit_id;
    store.add_photo(&v, &doorstep_sample::photo(1000 + n as u64), now)?;
    let mut acts = field::nobody_home(now);
    acts.push(Action::Note {
        text: format!("敲门无人应答 {n}"),
    });
    store.act(&v, &acts, now)?;
    store.finish(&v, now + Minutes::minutes(10))?;
    Ok(())
}

/// The real time (the server refuses a device clock far from its own), in China's offset.
pub fn clock() -> chrono::DateTime<chrono::FixedOffset> {
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    chrono::Utc::now().with_timezone(&china)
}

/// Syncs until the device has nothing left to send (at most 20 rounds); whether it got there.
pub fn settle(store: &mut Doorstep, http: &dyn HttpTransport) -> bool {
    for _ in 0..20 {
        if let Ok(r) = store.sync(http, clock(), &mut |_, _, _| {}) {
            if r.sent == 0 && r.media_sent == 0 {
                return true;
            }
        }
    }
    false
}

/// What the device sealed, against what the server in `data` keeps.
#[derive(Debug)]
pub struct Compared {
    pub visits: usize,
    pub photos: usize,
    /// Visits kept more than once, or kept without the device having sealed them.
    pub duplicates: usize,
    /// Sealed visits not kept byte for byte, and photos not kept with their hash.
    pub missing: usize,
}

pub fn compare(store: &mut Doorstep, data: &Path) -> Result<Compared, BoxError> {
    let mut sealed = BTreeMap::new();
    let mut photos = BTreeMap::new();
    for v in store.visits()?.into_iter().filter(|v| v.sealed) {
        let e = store.export(&v.visit_id)?;
        for (sha, _, bytes) in e.media {
            photos.insert(sha, bytes);
        }
        sealed.insert(v.visit_id, e.record);
    }
    let conn = rusqlite::Connection::open(data.join("server.sqlite"))?;
    let mut kept: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let mut q = conn.prepare("SELECT id, CAST(record AS BLOB) FROM visits")?;
    for row in q.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })? {
        let (id, rec) = row?;
        kept.entry(id).or_default().push(rec);
    }
    let duplicates = kept.values().filter(|v| v.len() > 1).count()
        + kept.keys().filter(|k| !sealed.contains_key(*k)).count();
    let missing = sealed
        .iter()
        .filter(|(id, rec)| kept.get(*id).is_none_or(|k| k.first() != Some(rec)))
        .count();
    let mut media = BTreeMap::new();
    kept_media(&data.join("media"), &mut media)?;
    let photos_missing = photos
        .iter()
        .filter(|(sha, bytes)| media.get(*sha) != Some(bytes) || hex(&sha256(bytes)) != **sha)
        .count();
    Ok(Compared {
        visits: sealed.len(),
        photos: photos.len(),
        duplicates,
        missing: missing + photos_missing,
    })
}

/// Every media file the server keeps, by name, with its bytes.
fn kept_media(dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<(), BoxError> {
    if !dir.exists() {
        return Ok(());
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            kept_media(&p, out)?;
        } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
            out.insert(name.to_owned(), std::fs::read(&p)?);
        }
    }
    Ok(())
}
