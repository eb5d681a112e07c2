//! The device API in process, on a real SQLite data folder with a county's roster and one
//! enrolled device: requests built from the fuzzer's bytes, sent as they are (the signed
//! request parser: headers, times, nonces, signatures), signed by the device (the routes'
//! decoders behind the signature: queries, bodies, media chunks), or carrying the bytes as
//! a sealed record the device signed (the server's record and chain rules). Every answer is
//! under 500, and every refusal says what was wrong in the API's JSON error body.
//!
//! Input: a mode byte, a method byte, the path up to a newline (under /api/v1/ unless it
//! starts with '/'), `name: value` header lines up to an empty line, then the body.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::Router;
use doorstep_contract::wire::signed_headers;
use doorstep_crypto::{hex, DeviceKey};
use doorstep_server::{admin, AppState};
use tower::ServiceExt;

const AREA: &str = "410225";

struct County {
    rt: tokio::runtime::Runtime,
    app: Router,
    device_id: String,
    key: DeviceKey,
    _dir: tempfile::TempDir,
}

fn county() -> &'static County {
    static COUNTY: OnceLock<County> = OnceLock::new();
    COUNTY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let data = dir.path().join("data");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let storage = doorstep_server::open(&data).expect("the data folder");
        let today = chrono::Utc::now().date_naive();
        let now = chrono::Utc::now().timestamp();
        let roster = doorstep_sample::to_csv(&doorstep_sample::generate(7, 40, today));
        rt.block_on(admin::import_roster(
            storage.as_ref(),
            AREA,
            roster.as_bytes(),
            today,
            now,
        ))
        .expect("the roster");
        let code = rt
            .block_on(admin::enrolment_code(storage.as_ref(), "李四", AREA, now))
            .expect("a code");
        let media = doorstep_server::media_store(&data, None).expect("the media folder");
        let app = doorstep_server::router(AppState::new(storage, media));
        let key = DeviceKey::generate().expect("a key");
        let body = serde_json::json!({"code": code, "public_key": hex(&key.public_key())});
        let req = Request::post("/api/v1/enrol")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("a request");
        let (status, answer) = rt.block_on(send(&app, req));
        assert_eq!(status, 200, "enrolment: {answer}");
        let enrolled: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
        let device_id = enrolled["device_id"].as_str().expect("an id").to_owned();
        County {
            rt,
            app,
            device_id,
            key,
            _dir: dir,
        }
    })
}

async fn send(app: &Router, req: Request<Body>) -> (u16, String) {
    let response = app.clone().oneshot(req).await.expect("the router answers");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("the body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

struct Parsed<'a> {
    method: &'static str,
    path: String,
    headers: Vec<(&'a [u8], &'a [u8])>,
    body: &'a [u8],
}

fn parse(method: u8, rest: &[u8]) -> Parsed<'_> {
    let method = ["GET", "POST", "PUT", "DELETE"][usize::from(method % 4)];
    let (line, mut rest) = split_line(rest);
    let line = String::from_utf8_lossy(line);
    let path = if line.starts_with('/') {
        line.into_owned()
    } else {
        format!("/api/v1/{line}")
    };
    let mut headers = Vec::new();
    loop {
        let (line, tail) = split_line(rest);
        rest = tail;
        if line.is_empty() {
            break;
        }
        if let Some(at) = line.iter().position(|&b| b == b':') {
            headers.push((&line[..at], line[at + 1..].trim_ascii()));
        }
    }
    Parsed {
        method,
        path,
        headers,
        body: rest,
    }
}

fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == b'\n') {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[]),
    }
}

/// The four headers a device adds, over exactly what is sent.
fn signature(c: &County, method: &str, path: &str, body: &[u8]) -> [(&'static str, String); 4] {
    static NONCE: AtomicU64 = AtomicU64::new(0);
    let nonce = format!("{:x}", NONCE.fetch_add(1, Ordering::Relaxed));
    let time = chrono::Utc::now().timestamp();
    signed_headers(&c.key, &c.device_id, method, path, time, &nonce, body)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [mode, method, rest @ ..] = data else {
        return;
    };
    let c = county();
    let mut p = parse(*method, rest);
    let pushed;
    let mut signed = None;
    match mode % 3 {
        0 => {}
        1 => signed = Some(signature(c, p.method, &p.path, p.body)),
        _ => {
            let record = String::from_utf8_lossy(p.body);
            let sig = hex(&c.key.sign(record.as_bytes()));
            pushed = serde_json::json!({"records": [{"record": record, "signature": sig}]})
                .to_string()
                .into_bytes();
            p.method = "POST";
            p.path = "/api/v1/visits".into();
            p.body = &pushed;
            signed = Some(signature(c, p.method, &p.path, p.body));
        }
    }
    let mut req = Request::builder().method(p.method);
    match p.path.parse::<axum::http::Uri>() {
        Ok(uri) => req = req.uri(uri),
        // Not a request line HTTP would carry to the server.
        Err(_) => return,
    }
    for (name, value) in &p.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            req = req.header(n, v);
        }
    }
    let Ok(mut req) = req.body(Body::from(p.body.to_vec())) else {
        return;
    };
    for (name, value) in signed.iter().flatten() {
        let Ok(v) = HeaderValue::from_str(value) else {
            unreachable!("the signature headers are ASCII");
        };
        req.headers_mut().insert(HeaderName::from_static(name), v);
    }
    let (method, path) = (p.method, p.path.clone());
    let (status, answer) = c.rt.block_on(send(&c.app, req));
    assert!(status < 500, "{method} {path}: {status} {answer}");
    if status >= 400 {
        let body: Option<serde_json::Value> = serde_json::from_str(&answer).ok();
        let clear = body.as_ref().is_some_and(|b| {
            b["error"].as_str().is_some_and(|e| !e.is_empty())
                && b["message"].as_str().is_some_and(|m| !m.is_empty())
        });
        assert!(
            clear,
            "{method} {path}: {status} without a JSON error: {answer:?}"
        );
    }
});
