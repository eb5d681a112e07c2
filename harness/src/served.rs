//! A real server and device for the harnesses: `doorstep serve` on loopback over a data
//! folder holding a generated county's roster, operator commands on it, and a device enrolled
//! with it that records sealed visits with photos through the session API.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use chrono::Duration as Minutes;
use doorstep_core::crypto::RawKeyVault;
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
    let data = dir.join("server");
    std::fs::create_dir_all(&data)?;
    let people = doorstep_sample::generate(9, 300, at()?.date_naive());
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
    let mut child = Command::new(doorstep_bin()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--json", "--data"])
        .arg(data)
        .env("DOORSTEP_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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
