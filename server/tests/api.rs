//! The device API against a real server on loopback, over real HTTP: enrolment, request
//! signing (bad signatures, stale times, replays, unknown and revoked devices), every bad
//! input, idempotent pushes and conflicts, chain gaps, and resumable media.

use std::sync::Arc;

use chrono::NaiveDate;
use doorstep_core::crypto::random_hex;
use doorstep_core::crypto::{hex, sha256, DeviceKey};
use doorstep_core::sync::{
    request_message, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME,
};
use doorstep_server::admin;
use doorstep_server::storage::{Chain, Storage};
use serde_json::{json, Value};

/// Lankao county, where the sample roster lives.
const AREA: &str = "410225";

struct Server {
    base: String,
    storage: Arc<doorstep_server::SqliteStorage>,
    dir: tempfile::TempDir,
    _running: doorstep_server::Background,
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A server on an ephemeral loopback port, with the sample county's roster imported.
fn server() -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let storage = doorstep_server::open(&dir.path().join("data")).expect("open");
    let roster = doorstep_sample::to_csv(&doorstep_sample::generate(7, 40, today()));
    admin::import_roster(storage.as_ref(), AREA, roster.as_bytes(), today(), now())
        .expect("roster");
    let state = doorstep_server::AppState::new(storage.clone());
    let running =
        doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, None).expect("serve");
    Server {
        base: running.url(),
        storage,
        dir,
        _running: running,
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Status and JSON body of a response.
fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut r = r.expect("http");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

struct Device {
    id: String,
    key: DeviceKey,
}

impl Server {
    fn enrol(&self) -> Device {
        self.enrol_in(AREA)
    }

    fn enrol_in(&self, area: &str) -> Device {
        let code = admin::enrolment_code(self.storage.as_ref(), "李四", area, now()).expect("code");
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

    fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        answer(
            agent()
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .send(body.to_string().as_bytes()),
        )
    }

    fn send(
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

    fn signed(&self, d: &Device, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
        self.send(method, path, body, &sign(d, method, path, body, now()))
    }
}

/// The three headers that authenticate a request.
fn sign(d: &Device, method: &str, path: &str, body: &[u8], time: i64) -> Vec<(String, String)> {
    let nonce = random_hex(8).expect("nonce");
    let sig = hex(&d
        .key
        .sign(&request_message(method, path, time, &nonce, body)));
    vec![
        (HEADER_DEVICE.into(), d.id.clone()),
        (HEADER_NONCE.into(), nonce),
        (HEADER_TIME.into(), time.to_string()),
        (HEADER_SIGNATURE.into(), sig),
    ]
}

/// A record with more fields (fixes, photo hashes), signed by `d`.
fn record_with(
    d: &Device,
    visit_id: &str,
    seq: u64,
    recipient: &str,
    extra: Value,
) -> (String, String) {
    let mut v = json!({
        "format": "doorstep.visit.v1",
        "visit_id": visit_id,
        "device_key": hex(&d.key.public_key()),
        "seq": seq,
        "prev_hash": null,
        "recipient_id": recipient,
        "started_at": "2026-11-27T09:00:00+08:00",
    });
    if let (Some(m), Value::Object(more)) = (v.as_object_mut(), extra) {
        m.extend(more);
    }
    let text = v.to_string();
    let sig = hex(&d.key.sign(text.as_bytes()));
    (text, sig)
}

/// A sealed record as a device writes it (the fields the server reads), signed by `d`.
fn record(
    d: &Device,
    visit_id: &str,
    seq: u64,
    prev: Option<&str>,
    recipient: &str,
    photos: &[&str],
) -> (String, String) {
    let text = json!({
        "format": "doorstep.visit.v1",
        "visit_id": visit_id,
        "device_key": hex(&d.key.public_key()),
        "seq": seq,
        "prev_hash": prev,
        "recipient_id": recipient,
        "corrects": null,
        "photos": photos,
    })
    .to_string();
    let sig = hex(&d.key.sign(text.as_bytes()));
    (text, sig)
}

fn push(s: &Server, d: &Device, records: &[(String, String)]) -> (u16, Value) {
    let body = json!({"records": records.iter().map(|(r, sig)| json!({"record": r, "signature": sig})).collect::<Vec<_>>()});
    s.signed(d, "POST", "/api/v1/visits", body.to_string().as_bytes())
}

fn first_recipient(s: &Server, d: &Device) -> String {
    let (status, page) = s.signed(d, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(status, 200, "{page}");
    page["rows"][0]["id"].as_str().expect("a row").to_owned()
}

#[test]
fn enrolment_codes_work_once() {
    let s = server();
    let code = admin::enrolment_code(s.storage.as_ref(), "王五", AREA, now()).expect("code");
    let key = || hex(&DeviceKey::generate().expect("key").public_key());
    let (status, _) = s.post_json("/api/v1/enrol", &json!({"code": code, "public_key": key()}));
    assert_eq!(status, 200);
    let (status, body) = s.post_json("/api/v1/enrol", &json!({"code": code, "public_key": key()}));
    assert_eq!(status, 401, "a used code: {body}");
    let (status, _) = s.post_json(
        "/api/v1/enrol",
        &json!({"code": "NOSUCHCODE12", "public_key": key()}),
    );
    assert_eq!(status, 401);
    let (status, body) = s.post_json("/api/v1/enrol", &json!({"code": code, "public_key": "abc"}));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn the_roster_comes_down_by_area_and_cursor() {
    let s = server();
    let d = s.enrol();
    let (status, page) = s.signed(&d, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(status, 200);
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(40));
    assert!(page["template"]["items"].is_array());
    let cursor = page["cursor"].as_i64().expect("cursor");
    let (_, again) = s.signed(&d, "GET", &format!("/api/v1/roster?since={cursor}"), b"");
    assert_eq!(
        again["rows"].as_array().map(Vec::len),
        Some(0),
        "nothing new"
    );
}

#[test]
fn requests_must_be_signed_fresh_and_once() {
    let s = server();
    let d = s.enrol();
    let path = "/api/v1/decisions?since=0";
    // Unsigned, an unknown device, a signature by another key, a stale time: 401 each.
    assert_eq!(s.send("GET", path, b"", &[]).0, 401);
    let stranger = Device {
        id: "0000".into(),
        key: DeviceKey::generate().expect("key"),
    };
    assert_eq!(s.signed(&stranger, "GET", path, b"").0, 401);
    let forger = Device {
        id: d.id.clone(),
        key: DeviceKey::generate().expect("key"),
    };
    assert_eq!(s.signed(&forger, "GET", path, b"").0, 401);
    assert_eq!(
        s.send("GET", path, b"", &sign(&d, "GET", path, b"", now() - 3600))
            .0,
        401
    );
    // Signed for another path: 401.
    assert_eq!(
        s.send(
            "GET",
            path,
            b"",
            &sign(&d, "GET", "/api/v1/roster?since=0", b"", now())
        )
        .0,
        401
    );
    // A good request works once; the same headers again are a replay.
    let headers = sign(&d, "GET", path, b"", now());
    assert_eq!(s.send("GET", path, b"", &headers).0, 200);
    let (status, body) = s.send("GET", path, b"", &headers);
    assert_eq!(status, 401);
    assert_eq!(body["message"], "replayed request");
    // Revoked: refused from then on.
    admin::revoke_device(s.storage.as_ref(), &d.id, now()).expect("revoke");
    let (status, body) = s.signed(&d, "GET", path, b"");
    assert_eq!(status, 401);
    assert_eq!(body["message"], "this device has been revoked");
}

#[test]
fn bad_bodies_get_400_and_413_never_500() {
    let s = server();
    let d = s.enrol();
    let (status, body) = s.signed(&d, "POST", "/api/v1/visits", b"{not json");
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("malformed JSON"),
        "{body}"
    );
    let (status, _) = s.signed(&d, "POST", "/api/v1/visits", br#"{"records": 5}"#);
    assert_eq!(status, 400);
    let big = vec![b' '; doorstep_server::api::MAX_BODY + 1];
    let (status, _) = s.signed(&d, "POST", "/api/v1/visits", &big);
    assert_eq!(status, 413);
    let (status, _) = s.post_json("/api/v1/enrol", &json!([1, 2]));
    assert_eq!(status, 400);
}

#[test]
fn pushes_are_idempotent_and_conflicts_are_named() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let one = record(&d, "V1", 1, None, &who, &[]);
    let (status, body) = push(&s, &d, std::slice::from_ref(&one));
    assert_eq!(status, 200);
    assert_eq!(body["receipts"][0]["status"], "stored");
    assert_eq!(body["receipts"][0]["chain"], "ok");
    assert_eq!(
        body["receipts"][0]["sha256"],
        hex(&sha256(one.0.as_bytes()))
    );
    // The same bytes again: a receipt, nothing new.
    let (_, body) = push(&s, &d, std::slice::from_ref(&one));
    assert_eq!(body["receipts"][0]["status"], "duplicate");
    // Other bytes under the same id: a conflict; the first record stands.
    let other = record(&d, "V1", 1, None, &who, &["ab"]);
    let (_, body) = push(&s, &d, &[other]);
    assert_eq!(body["receipts"][0]["status"], "conflict");
    // A record signed by another key, and one for a recipient outside the area: refused.
    let mut forged = record(&d, "V2", 2, None, &who, &[]);
    forged.1 = hex(&DeviceKey::generate()
        .expect("key")
        .sign(forged.0.as_bytes()));
    let elsewhere = record(&d, "V3", 2, None, "NOT-HERE", &[]);
    let (_, body) = push(&s, &d, &[forged, elsewhere]);
    assert_eq!(body["receipts"][0]["reason"], "bad_signature");
    assert_eq!(body["receipts"][1]["reason"], "recipient_not_in_area");
    assert_eq!(s.storage.visit_status("V2").expect("db"), None);
}

#[test]
fn a_chain_gap_is_flagged_until_the_missing_record_arrives() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let one = record(&d, "V1", 1, None, &who, &[]);
    let h1 = hex(&sha256(one.0.as_bytes()));
    let two = record(&d, "V2", 2, Some(&h1), &who, &[]);
    let (_, body) = push(&s, &d, std::slice::from_ref(&two));
    assert_eq!(body["receipts"][0]["chain"], "gap");
    let (_, body) = push(&s, &d, &[one]);
    assert_eq!(body["receipts"][0]["chain"], "ok");
    assert_eq!(
        s.storage.visit_status("V2").expect("db").map(|v| v.1),
        Some(Chain::Ok)
    );
    // A second record 2 with another predecessor hash: a fork, kept and flagged.
    let fork = record(&d, "V2b", 2, Some(&"0".repeat(64)), &who, &[]);
    let (_, body) = push(&s, &d, &[fork]);
    assert_eq!(body["receipts"][0]["status"], "stored");
    assert_eq!(body["receipts"][0]["chain"], "fork");
}

#[test]
fn media_resumes_at_its_offset_and_is_checked_against_its_hash() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let photo: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let sha = hex(&sha256(&photo));
    let bad: Vec<u8> = vec![9; 1000];
    let bad_sha = hex(&sha256(b"something else"));
    push(
        &s,
        &d,
        &[record(&d, "V1", 1, None, &who, &[&sha, &bad_sha])],
    );
    let at = |off: usize| format!("/api/v1/media/{sha}?offset={off}&total={}", photo.len());
    let (status, body) = s.signed(&d, "PUT", &at(0), &photo[..40_000]);
    assert_eq!((status, body["received"].as_u64()), (200, Some(40_000)));
    // The connection dropped; the device asks where the upload stands and resumes there.
    let (status, body) = s.signed(&d, "PUT", &at(60_000), &photo[60_000..]);
    assert_eq!(status, 409, "{body}");
    let (_, body) = s.signed(&d, "GET", &format!("/api/v1/media/{sha}"), b"");
    assert_eq!(body["received"].as_u64(), Some(40_000));
    let (status, body) = s.signed(&d, "PUT", &at(40_000), &photo[40_000..]);
    assert_eq!((status, body["complete"].as_bool()), (200, Some(true)));
    // Bytes that are not what their hash says: 422, and nothing kept.
    let path = format!("/api/v1/media/{bad_sha}?offset=0&total={}", bad.len());
    assert_eq!(s.signed(&d, "PUT", &path, &bad).0, 422);
    let (_, body) = s.signed(&d, "GET", &format!("/api/v1/media/{bad_sha}"), b"");
    assert_eq!(body["received"].as_u64(), Some(0));
    // A hash no record of the area names: 404; not a hash at all: 400.
    let stranger = hex(&sha256(b"not named"));
    assert_eq!(
        s.signed(
            &d,
            "PUT",
            &format!("/api/v1/media/{stranger}?offset=0&total=3"),
            b"abc"
        )
        .0,
        404
    );
    assert_eq!(s.signed(&d, "GET", "/api/v1/media/xyz", b"").0, 400);
}

#[test]
fn decisions_come_back_to_the_device_that_sent_the_visit() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    push(&s, &d, &[record(&d, "V1", 1, None, &who, &[])]);
    let review = |decision, comment: &str| {
        admin::review(
            s.storage.as_ref(),
            "V1",
            None,
            decision,
            comment,
            "operator",
            now(),
        )
    };
    use doorstep_server::storage::Decision;
    assert!(matches!(
        review(Decision::Return, " "),
        Err(admin::AdminError::CommentRequired)
    ));
    review(Decision::Return, "照片不清楚，请补拍").expect("return");
    assert!(review(Decision::Approve, "").is_err(), "decided already");
    let (status, page) = s.signed(&d, "GET", "/api/v1/decisions?since=0", b"");
    assert_eq!(status, 200);
    assert_eq!(page["decisions"][0]["visit_id"], "V1");
    assert_eq!(page["decisions"][0]["decision"], "return");
    assert_eq!(page["decisions"][0]["comment"], "照片不清楚，请补拍");
    // Another device of the area sees none of it.
    let other = s.enrol();
    let (_, page) = s.signed(&other, "GET", "/api/v1/decisions?since=0", b"");
    assert_eq!(page["decisions"].as_array().map(Vec::len), Some(0));
    // A supervisor of another county cannot decide on it.
    let err = admin::review(
        s.storage.as_ref(),
        "V1",
        Some("410224"),
        Decision::Approve,
        "",
        "x",
        now(),
    );
    assert!(err.is_err());
}

#[test]
fn the_openapi_document_is_served() {
    let s = server();
    let (status, doc) = answer(
        agent()
            .get(format!("{}/api/v1/openapi.json", s.base))
            .call(),
    );
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/visits"]["post"].is_object());
}

#[test]
fn the_server_flags_the_same_spot_and_photo_across_devices() {
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let (_, page) = s.signed(&a, "GET", "/api/v1/roster?since=0", b"");
    let id = |i: usize| page["rows"][i]["id"].as_str().expect("row").to_owned();
    let at = |lat: f64, lon: f64| json!({"best": {"lat": lat, "lon": lon, "accuracy_m": 5.0}});
    let photo: u64 = 0x9f3a_5c17_e2b4_0d68;
    let flags = |v: &str| {
        // What the background pass would do next; called here so the test need not wait.
        s.storage.raise_pending_flags(1000).expect("flags");
        s.storage.visit_status(v).expect("db").expect("visit").2
    };
    push(
        &s,
        &a,
        &[record_with(
            &a,
            "A1",
            1,
            &id(0),
            json!({"fixes": at(34.8, 114.8), "photo_phashes": [photo]}),
        )],
    );
    assert!(flags("A1").is_empty(), "nothing to compare yet");
    // Another device, another household: 50 m away and another picture: no flag.
    push(
        &s,
        &b,
        &[record_with(
            &b,
            "B1",
            1,
            &id(1),
            json!({"fixes": at(34.80045, 114.8), "photo_phashes": [!photo]}),
        )],
    );
    assert!(flags("B1").is_empty());
    // 2 m away, and the picture again (two bits off, as after re-encoding): both flags, on
    // both visits.
    let again = photo ^ 0b101;
    push(
        &s,
        &b,
        &[record_with(
            &b,
            "B2",
            2,
            &id(2),
            json!({"fixes": at(34.800018, 114.8), "photo_phashes": [again]}),
        )],
    );
    let both = vec!["photo_reused_other_device", "same_spot_other_device"];
    assert_eq!(flags("B2"), both);
    assert_eq!(flags("A1"), both);
    assert!(flags("B1").is_empty());
    // One device twice at one spot for two households: the device flags that itself; the
    // server's flags are for what crosses devices.
    push(
        &s,
        &a,
        &[record_with(
            &a,
            "A2",
            2,
            &id(3),
            json!({"fixes": at(34.9, 114.9)}),
        )],
    );
    push(
        &s,
        &a,
        &[record_with(
            &a,
            "A3",
            3,
            &id(4),
            json!({"fixes": at(34.9, 114.9)}),
        )],
    );
    assert!(flags("A3").is_empty());
}

#[test]
fn flags_are_raised_in_the_background_while_serving() {
    let s = server();
    let (a, b) = (s.enrol(), s.enrol());
    let who = first_recipient(&s, &a);
    let other = {
        let (_, page) = s.signed(&b, "GET", "/api/v1/roster?since=0", b"");
        page["rows"][1]["id"].as_str().expect("row").to_owned()
    };
    let spot = json!({"best": {"lat": 34.7, "lon": 114.7, "accuracy_m": 5.0}});
    push(
        &s,
        &a,
        &[record_with(&a, "A1", 1, &who, json!({"fixes": spot}))],
    );
    push(
        &s,
        &b,
        &[record_with(&b, "B1", 1, &other, json!({"fixes": spot}))],
    );
    let started = std::time::Instant::now();
    loop {
        let f = s.storage.visit_status("B1").expect("db").expect("visit").2;
        if f == vec!["same_spot_other_device"] {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "never flagged: {f:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_ticket_moves_through_the_ledger_and_its_device_hears_of_it() {
    use doorstep_server::ledger::{advance, LedgerError, Step, TicketState};
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let ticket = json!({"number": 1, "kind": "card_problem", "description": "密码输错被锁卡",
        "urgency": "high", "due": "2026-11-30", "from_checklist": "bank_pin_set"});
    push(
        &s,
        &d,
        &[record_with(&d, "V1", 1, &who, json!({"tickets": [ticket]}))],
    );
    let ledger = s.storage.tickets_in(AREA).expect("ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].id.as_str(), ledger[0].state),
        ("V1-1", TicketState::Accepted)
    );
    let due = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    let step = |st: &Step| advance(s.storage.as_ref(), "V1-1", Some(AREA), st, "zhang", now());
    // Out of order, without text, or from another county: refused, nothing changes.
    let close = Step::Close {
        outcome: "已重置密码".into(),
    };
    assert!(matches!(step(&close), Err(LedgerError::OutOfOrder { .. })));
    let blank = Step::Transfer {
        department: " ".into(),
        due,
    };
    assert!(matches!(step(&blank), Err(LedgerError::TextRequired)));
    let transfer = Step::Transfer {
        department: "县农商银行".into(),
        due,
    };
    let elsewhere = advance(
        s.storage.as_ref(),
        "V1-1",
        Some("410224"),
        &transfer,
        "li",
        now(),
    );
    assert!(elsewhere.is_err());
    assert_eq!(
        s.storage.tickets_in(AREA).expect("ledger")[0].state,
        TicketState::Accepted
    );
    let t = step(&transfer).expect("transfer");
    assert_eq!(
        (t.state, t.department.as_deref(), t.due),
        (TicketState::Transferred, Some("县农商银行"), due)
    );
    step(&Step::Reply {
        text: "已安排上门重置".into(),
        due,
    })
    .expect("reply");
    let t = step(&close).expect("close");
    assert_eq!(
        (t.state, t.outcome.as_deref()),
        (TicketState::Closed, Some("已重置密码"))
    );
    assert!(
        matches!(step(&close), Err(LedgerError::OutOfOrder { .. })),
        "closed is final"
    );
    let db = rusqlite::Connection::open(s.dir.path().join("data/server.sqlite")).expect("db");
    let audited: Vec<(String, String)> = db
        .prepare("SELECT actor, action FROM audit_log WHERE subject = 'V1-1' ORDER BY id")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("audit");
    let steps: Vec<&str> = audited.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        steps,
        ["ticket:transferred", "ticket:replied", "ticket:closed"]
    );
    assert!(audited.iter().all(|(actor, _)| actor == "zhang"));
    // The device that raised it pulls where it stands.
    let (status, page) = s.signed(&d, "GET", "/api/v1/tickets?since=0", b"");
    assert_eq!(status, 200);
    assert_eq!(page["updates"][0]["ticket_id"], "V1-1");
    assert_eq!(page["updates"][0]["state"], "closed");
    assert_eq!(page["updates"][0]["outcome"], "已重置密码");
    let cursor = page["cursor"].as_i64().expect("cursor");
    let (_, again) = s.signed(&d, "GET", &format!("/api/v1/tickets?since={cursor}"), b"");
    assert_eq!(again["updates"].as_array().map(Vec::len), Some(0));
}

#[test]
fn tls_serves_the_same_api_to_clients_that_trust_its_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).expect("write");
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).expect("write");
    let config = doorstep_server::tls::config(&cert_pem, &key_pem).expect("tls config");
    let storage = doorstep_server::open(&dir.path().join("data")).expect("open");
    let state = doorstep_server::AppState::new(storage);
    let running =
        doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, Some(config)).expect("serve");
    let url = format!(
        "https://localhost:{}/api/v1/openapi.json",
        running.addr.port()
    );
    assert!(running.url().starts_with("https://"));
    let trusted = ureq::tls::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("pem");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(Arc::new(vec![trusted])))
                .build(),
        )
        .build()
        .into();
    let (status, doc) = answer(agent.get(&url).call());
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.0.3")));
    // A client that does not trust the certificate, and plain HTTP to the TLS port: refused.
    assert!(ureq::Agent::new_with_defaults().get(&url).call().is_err());
    let plain = format!(
        "http://127.0.0.1:{}/api/v1/openapi.json",
        running.addr.port()
    );
    assert!(ureq::Agent::new_with_defaults().get(&plain).call().is_err());
    // A bad key file is named, not a panic.
    std::fs::write(&key_pem, "not a key").expect("write");
    assert!(doorstep_server::tls::config(&cert_pem, &key_pem).is_err());
}

#[test]
fn another_countys_records_are_not_found() {
    let s = server();
    let ours = s.enrol();
    let theirs = s.enrol_in("410224");
    let who = first_recipient(&s, &ours);
    let photo = hex(&sha256(b"a photo of ours"));
    push(&s, &ours, &[record(&ours, "V1", 1, None, &who, &[&photo])]);
    // Their roster holds none of ours; our media and our recipients are not theirs.
    let (_, page) = s.signed(&theirs, "GET", "/api/v1/roster?since=0", b"");
    assert_eq!(page["rows"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        s.signed(&theirs, "GET", &format!("/api/v1/media/{photo}"), b"")
            .0,
        404
    );
    let path = format!("/api/v1/media/{photo}?offset=0&total=15");
    assert_eq!(s.signed(&theirs, "PUT", &path, b"a photo of ours").0, 404);
    let (_, body) = push(&s, &theirs, &[record(&theirs, "W1", 1, None, &who, &[])]);
    assert_eq!(body["receipts"][0]["reason"], "recipient_not_in_area");
    // Nor can their supervisors decide on our visit.
    use doorstep_server::storage::{Decision, StorageError};
    let err = admin::review(
        s.storage.as_ref(),
        "V1",
        Some("410224"),
        Decision::Approve,
        "",
        "li",
        now(),
    );
    assert!(
        matches!(err, Err(admin::AdminError::Storage(StorageError::NotFound))),
        "{err:?}"
    );
}
