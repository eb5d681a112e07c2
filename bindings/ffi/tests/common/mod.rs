//! What the bindings' Rust-side tests share: a real server on loopback with a small roster,
//! an in-memory key store, HTTP over ureq, and the inputs a visit needs.
#![allow(dead_code)] // each test file uses its own part of these

use std::sync::{Arc, Mutex};

use doorstep_ffi::*;
use doorstep_server::admin;

pub const AREA: &str = "410225";
pub const HEADER: &str = "id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date";
/// A protected subsidy's name: hidden on the device until revealed, never on a page.
pub const SECRET: &str = "孤儿基本生活费";

pub fn id_number(birth: &str, seq: u32) -> String {
    let body = format!("410225{birth}{seq:03}");
    let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(w)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    format!(
        "{body}{}",
        "10X98765432".as_bytes()[(sum % 11) as usize] as char
    )
}

/// A secret kept by the key store: its handle, the aad it is bound to, the secret.
pub type Kept = (Vec<u8>, Vec<u8>, Vec<u8>);

/// A key store stand-in: it keeps each secret and hands out a handle bound to the aad.
#[derive(Default)]
pub struct MemoryVault(Mutex<Vec<Kept>>);

impl KeyVault for MemoryVault {
    fn wrap(&self, aad: Vec<u8>, secret: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        let mut kept = self.0.lock().expect("lock");
        let handle = format!("handle-{}", kept.len()).into_bytes();
        kept.push((handle.clone(), aad, secret));
        Ok(handle)
    }

    fn unwrap(&self, aad: Vec<u8>, wrapped: Vec<u8>) -> Result<Vec<u8>, PlatformError> {
        self.0
            .lock()
            .expect("lock")
            .iter()
            .find(|(h, a, _)| *h == wrapped && *a == aad)
            .map(|(_, _, s)| s.clone())
            .ok_or(PlatformError::Failed {
                reason: "not wrapped here".into(),
            })
    }
}

/// HTTP over ureq, as a platform's stack would answer: every status returned.
pub struct Http(ureq::Agent);

impl Http {
    pub fn new() -> Arc<Self> {
        Arc::new(Http(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        ))
    }
}

impl HttpTransport for Http {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, PlatformError> {
        let fail = |e: &dyn std::fmt::Display| PlatformError::Failed {
            reason: e.to_string(),
        };
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(req.url.as_str());
        for h in &req.headers {
            b = b.header(h.name.as_str(), h.value.as_str());
        }
        let mut r = self
            .0
            .run(b.body(req.body).map_err(|e| fail(&e))?)
            .map_err(|e| fail(&e))?;
        let headers = r
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some(HttpHeader {
                    name: k.as_str().to_owned(),
                    value: v.to_str().ok()?.to_owned(),
                })
            })
            .collect();
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_vec().map_err(|e| fail(&e))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Keeps every progress report of a sync.
#[derive(Default)]
pub struct Progress(pub Mutex<Vec<(SyncStage, u64, u64)>>);

impl SyncObserver for Progress {
    fn progress(&self, stage: SyncStage, done: u64, total: u64) {
        self.0.lock().expect("lock").push((stage, done, total));
    }
}

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub storage: Arc<doorstep_server::SqliteStorage>,
    pub url: String,
    _server: doorstep_server::Background,
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A server with a two-person roster (an elderly woman with a protected subsidy beside a
/// plain one; a minor with a guardian), the division names, and a supervisor.
pub fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("dir");
    let storage = doorstep_server::open(&dir.path().join("server")).expect("server data");
    let today = chrono::Local::now().date_naive();
    let roster = format!(
        "{HEADER}\nA1,王秀兰,{},,,elderly,410225100201,兰考县某村,34.8,114.8,,13812345678,,,,GL01:高龄津贴:100:0;TK09:{SECRET}:800:1,issued_inactive,\n\
         M1,李小明,{},,,minor,410225100201,兰考县某村,34.81,114.81,,,李芳,母亲,,,issued_inactive,\n",
        id_number("19400312", 11),
        id_number("20150101", 13),
    );
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        AREA,
        roster.as_bytes(),
        today,
        now(),
    ))
    .expect("roster");
    let names = "code,name\n410225000000,兰考县\n410225100000,城关镇\n410225100201,北街村\n";
    doorstep_server::block_on(admin::import_divisions(
        storage.as_ref(),
        names.as_bytes(),
        now(),
    ))
    .expect("names");
    doorstep_server::block_on(admin::add_supervisor(
        storage.as_ref(),
        "zhang",
        AREA,
        "a long password",
        now(),
    ))
    .expect("supervisor");
    let running = doorstep_server::spawn(
        doorstep_server::AppState::new(
            storage.clone(),
            doorstep_server::media_store(&dir.path().join("server"), None).expect("media"),
        ),
        ([127, 0, 0, 1], 0).into(),
        2,
        None,
    )
    .expect("serve");
    Setup {
        url: running.url(),
        dir,
        storage,
        _server: running,
    }
}

pub fn code(s: &Setup) -> String {
    doorstep_server::block_on(admin::enrolment_code(
        s.storage.as_ref(),
        "李四",
        AREA,
        now(),
    ))
    .expect("code")
}

pub fn strokes() -> SignatureInput {
    let wave = (0..120u32)
        .map(|i| {
            let s = i as f32 / 119.0;
            StrokePoint {
                x: 40.0 + s * 500.0 + 25.0 * (s * 40.0).cos(),
                y: 100.0 + 45.0 * (s * 20.0).sin() * (1.0 - s / 2.0),
                t: i * 8,
                p: 0.6,
            }
        })
        .collect();
    SignatureInput {
        width: 600,
        height: 200,
        strokes: vec![wave],
    }
}

pub fn photo() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/photos/forest-path-2560x1600.jpg"
    ))
    .unwrap_or_else(|_| doorstep_sample::photo(3))
}

pub fn here(lat: f64, lon: f64) -> GpsFix {
    GpsFix {
        lat,
        lon,
        accuracy_m: 8.0,
        at_unix_ms: None,
        provider: "gps".into(),
        mock: false,
        datum: Datum::Wgs84,
    }
}

/// A logged-in supervisor's page, over HTTP.
pub fn page(s: &Setup, path: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let login = agent
        .post(format!("{}/login", s.url))
        .content_type("application/x-www-form-urlencoded")
        .send("login=zhang&password=a+long+password")
        .expect("login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("session")
        .to_owned();
    agent
        .get(format!("{}{path}", s.url))
        .header("cookie", &cookie)
        .call()
        .expect("page")
        .body_mut()
        .read_to_string()
        .expect("body")
}
