//! Shared by the API tests: a real server on an ephemeral loopback port with the sample
//! county's roster, signed requests, and records as devices seal them.
//!
//! The backend is SQLite, or a fresh database on the PostgreSQL server named by
//! DOORSTEP_TEST_POSTGRES (a URL whose database the tests may create others beside):
//! `scripts/test` runs this suite once on each.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use doorstep_server::Storage;

use chrono::{DateTime, NaiveDate};
use doorstep_contract::record::{FormatV1, RecordV1};
use doorstep_contract::visit::{Fix, Fixes};
use doorstep_contract::wire::signed_headers;
use doorstep_crypto::{hex, random_hex, DeviceKey};
use doorstep_server::admin;
use serde_json::{json, Value};

/// Lankao county, where the sample roster lives.
pub const AREA: &str = "410225";

pub struct Server {
    pub base: String,
    pub storage: Arc<dyn Storage>,
    pub db: TestDb,
    pub dir: tempfile::TempDir,
    _running: doorstep_server::Background,
}

/// Where a test's server keeps its data.
#[derive(Debug, Clone)]
pub enum TestDb {
    /// The data folder (its server.sqlite).
    Sqlite(std::path::PathBuf),
    /// A database of its own on the test PostgreSQL server.
    Postgres(String),
}

/// A fresh storage for one test: SQLite in `data`, or a new database on the PostgreSQL
/// server of DOORSTEP_TEST_POSTGRES.
pub fn test_storage(data: &Path) -> (Arc<dyn Storage>, TestDb) {
    let db = match std::env::var("DOORSTEP_TEST_POSTGRES") {
        Ok(base) => TestDb::Postgres(fresh_database(&base)),
        Err(_) => TestDb::Sqlite(data.to_owned()),
    };
    (open_db(&db), db)
}

/// Another handle on the same data, as a second server process would open it.
pub fn open_db(db: &TestDb) -> Arc<dyn Storage> {
    match db {
        TestDb::Sqlite(data) => doorstep_server::open(data).expect("open"),
        TestDb::Postgres(url) => doorstep_server::block_on(doorstep_server::open_storage(
            Path::new("unused"),
            Some(url),
        ))
        .expect("open postgres"),
    }
}

fn fresh_database(base: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        &random_hex(4).expect("random")
    );
    pg(base, &format!("CREATE DATABASE {name}"));
    let (root, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{root}/{name}")
}

/// Runs statements on a PostgreSQL URL.
fn pg(url: &str, sql: &str) -> Vec<tokio_postgres::SimpleQueryMessage> {
    doorstep_server::block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL");
        tokio::spawn(conn);
        client.simple_query(sql).await.expect("sql")
    })
}

impl TestDb {
    /// The rows of a query, every column as text (write the SQL so that both engines read it
    /// the same: `?` placeholders are not supported here, values go in the text).
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self {
            TestDb::Sqlite(data) => {
                let db = rusqlite::Connection::open(data.join("server.sqlite")).expect("db");
                let mut st = db.prepare(sql).expect("sql");
                let n = st.column_count();
                st.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => String::new(),
                                rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                                rusqlite::types::ValueRef::Real(v) => v.to_string(),
                                rusqlite::types::ValueRef::Text(t) => {
                                    String::from_utf8_lossy(t).into_owned()
                                }
                                rusqlite::types::ValueRef::Blob(b) => hex(b),
                            })
                        })
                        .collect()
                })
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("rows")
            }
            TestDb::Postgres(url) => pg(url, sql)
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or_default().to_owned())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect(),
        }
    }

    /// A photo kept in the database itself, as a version before the media store did.
    pub fn put_inline_media(&self, sha: &str, bytes: &[u8]) {
        match self {
            TestDb::Sqlite(data) => {
                let db = rusqlite::Connection::open(data.join("server.sqlite")).expect("db");
                db.execute(
                    "INSERT INTO media (sha256, total, bytes, complete) VALUES (?1, ?2, ?3, 1)",
                    rusqlite::params![sha, bytes.len() as i64, bytes],
                )
                .expect("inline photo");
            }
            TestDb::Postgres(url) => {
                pg(
                    url,
                    &format!(
                        "INSERT INTO media (sha256, total, bytes, complete)
                         VALUES ('{sha}', {}, decode('{}', 'hex'), TRUE)",
                        bytes.len(),
                        hex(bytes)
                    ),
                );
            }
        }
    }
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A server on an ephemeral loopback port, with the sample county's roster imported.
pub fn server() -> Server {
    server_with(None)
}

/// The same, its media in an S3 bucket when `s3` is given (the data folder's otherwise).
pub fn server_with(s3: Option<&doorstep_server::media_store::S3Config>) -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let (storage, db) = test_storage(&dir.path().join("data"));
    let roster = doorstep_sample::to_csv(&doorstep_sample::generate(7, 40, today()));
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        AREA,
        roster.as_bytes(),
        today(),
        now(),
    ))
    .expect("roster");
    let state = doorstep_server::AppState::new(
        storage.clone(),
        doorstep_server::media_store(&dir.path().join("data"), s3).expect("media store"),
    );
    let running =
        doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, None).expect("serve");
    Server {
        base: running.url(),
        storage,
        db,
        dir,
        _running: running,
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Status and JSON body of a response.
pub fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut r = r.expect("http");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub struct Device {
    pub id: String,
    pub key: DeviceKey,
}

impl Server {
    pub fn enrol(&self) -> Device {
        self.enrol_in(AREA)
    }

    /// A fresh one-time enrolment code for a worker in `area`.
    pub fn code(&self, area: &str) -> String {
        doorstep_server::block_on(admin::enrolment_code(
            self.storage.as_ref(),
            "李四",
            area,
            now(),
        ))
        .expect("code")
    }

    pub fn enrol_in(&self, area: &str) -> Device {
        let code = self.code(area);
        let key = DeviceKey::generate().expect("key");
        let (status, body) = self.post_json(
            "/api/v1/enrol",
            &json!({"code": code, "public_key": hex(&key.public_key())}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["area"], area);
        Device {
            id: body["device_id"].as_str().expect("id").to_owned(),
            key,
        }
    }

    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(
            agent()
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .send(body.to_string().as_bytes()),
        )
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        headers: &[(String, String)],
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let a = agent();
        let r = match method {
            "GET" => {
                let mut req = a.get(&url);
                for (k, v) in headers {
                    req = req.header(k, v);
                }
                req.call()
            }
            _ => {
                let mut req = if method == "PUT" {
                    a.put(&url)
                } else {
                    a.post(&url)
                };
                for (k, v) in headers {
                    req = req.header(k, v);
                }
                req.send(body)
            }
        };
        answer(r)
    }

    pub fn signed(&self, d: &Device, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        self.send(method, path, body, &sign(d, method, path, body, now()))
    }
}

/// The three headers that authenticate a request.
pub fn sign(d: &Device, method: &str, path: &str, body: &[u8], time: i64) -> Vec<(String, String)> {
    let nonce = random_hex(8).expect("nonce");
    signed_headers(&d.key, &d.id, method, path, time, &nonce, body)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// A sealed record with nothing recorded yet, as the typed record a device seals: every
/// field the contract has, so the server reads test records exactly as it reads devices'.
pub fn blank(
    d: &Device,
    visit_id: &str,
    seq: u64,
    prev: Option<&str>,
    recipient: &str,
) -> RecordV1 {
    let t = DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").expect("time");
    RecordV1 {
        format: FormatV1,
        visit_id: visit_id.to_owned(),
        device_key: hex(&d.key.public_key()),
        seq,
        prev_hash: prev.map(str::to_owned),
        recipient_id: recipient.to_owned(),
        corrects: None,
        household: None,
        card_active: true,
        acts_through_proxy: false,
        enrolments: vec![],
        started_at: t,
        finished_at: t + chrono::Duration::minutes(20),
        outcome: None,
        present: vec![],
        subsidies: Default::default(),
        policies_explained: vec![],
        living_situation: String::new(),
        needs: String::new(),
        questions_answered: vec![],
        tickets: vec![],
        satisfaction: None,
        checklist_version: 1,
        checklist: Default::default(),
        signature: None,
        notes: vec![],
        photos: vec![],
        photo_phashes: vec![],
        fixes: Fixes::default(),
        flags: vec![],
    }
}

/// Fixes whose best (and only) one is at `(lat, lon)`.
pub fn best_at(lat: f64, lon: f64, accuracy_m: f64) -> Fixes {
    let t = DateTime::parse_from_rfc3339("2026-11-27T09:01:00+08:00").expect("time");
    let f = Fix {
        lat,
        lon,
        accuracy_m,
        at: t,
        received_at: t,
        provider: "gps".into(),
        mock: false,
    };
    Fixes {
        start: Some(f.clone()),
        end: Some(f.clone()),
        best: Some(f),
        any_mock: false,
        max_clock_skew_s: 0,
    }
}

/// The canonical bytes of `r` and `d`'s signature over them.
pub fn seal(d: &Device, r: &RecordV1) -> (String, String) {
    let bytes = r.canonical();
    let sig = hex(&d.key.sign(&bytes));
    (String::from_utf8(bytes).expect("canonical JSON"), sig)
}

/// A record with more recorded (fixes, photo hashes, tickets...), signed by `d`.
pub fn record_with(
    d: &Device,
    visit_id: &str,
    seq: u64,
    recipient: &str,
    fill: impl FnOnce(&mut RecordV1),
) -> (String, String) {
    let mut r = blank(d, visit_id, seq, None, recipient);
    fill(&mut r);
    seal(d, &r)
}

/// A sealed record naming `photos`, signed by `d`.
pub fn record(
    d: &Device,
    visit_id: &str,
    seq: u64,
    prev: Option<&str>,
    recipient: &str,
    photos: &[&str],
) -> (String, String) {
    let mut r = blank(d, visit_id, seq, prev, recipient);
    r.photos = photos.iter().map(|p| (*p).to_owned()).collect();
    r.photo_phashes = vec![0; photos.len()];
    seal(d, &r)
}

pub fn push(s: &Server, d: &Device, records: &[(String, String)]) -> (u16, Value) {
    let body = json!({"records": records.iter().map(|(r, sig)| json!({"record": r, "signature": sig})).collect::<Vec<_>>()});
    s.signed(d, "POST", "/api/v1/visits", body.to_string().as_bytes())
}

pub fn first_recipient(s: &Server, d: &Device) -> String {
    let (status, page) = s.signed(d, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(status, 200, "{page}");
    page["rows"][0]["id"].as_str().expect("a row").to_owned()
}

/// An agent that reports every status and follows no redirect (the web app's 303s are
/// what the tests look at).
pub fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// Every XML part of an XLSX file, as one text to search.
pub fn xlsx_text(bytes: Vec<u8>) -> String {
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut all = String::new();
    for i in 0..book.len() {
        let mut f = book.by_index(i).expect("entry");
        std::io::Read::read_to_string(&mut f, &mut all).expect("xml");
    }
    all
}
