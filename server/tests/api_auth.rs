//! Enrolment and request signing against a real server on loopback, over real HTTP(S):
//! one-time codes, bad signatures, stale times, replays, unknown and revoked devices, bad
//! bodies (400, 413, never 500) and every refusal in JSON, the limit on guessing enrolment
//! codes, the OpenAPI document, and TLS.

mod common;

use std::sync::Arc;

use common::*;
use doorstep_crypto::{hex, DeviceKey};
use doorstep_server::admin;
use serde_json::json;

#[test]
fn enrolment_codes_work_once() {
    let s = server();
    let code = s.code(AREA);
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
    doorstep_server::block_on(admin::revoke_device(s.storage.as_ref(), &d.id, now()))
        .expect("revoke");
    let (status, body) = s.signed(&d, "GET", path, b"");
    assert_eq!(status, 401);
    assert_eq!(body["message"], "this device has been revoked");
}

/// A push notes its signature in the transaction that keeps its visits: the same request
/// again is a replay, answered 401, and keeps nothing; the first was kept whole.
#[test]
fn a_replayed_push_is_refused_and_keeps_nothing() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let (r, sig) = record(&d, "V1", 1, None, &who, &[]);
    let body = serde_json::json!({"records": [{"record": r, "signature": sig}]}).to_string();
    let path = "/api/v1/visits";
    let headers = sign(&d, "POST", path, body.as_bytes(), now());
    let (status, receipts) = s.send("POST", path, body.as_bytes(), &headers);
    assert_eq!(status, 200, "{receipts}");
    assert_eq!(receipts["receipts"][0]["status"], "stored");
    let (status, answer) = s.send("POST", path, body.as_bytes(), &headers);
    assert_eq!(status, 401);
    assert_eq!(answer["message"], "replayed request");
    let count = |sql: &str| s.db.rows(sql)[0][0].clone();
    assert_eq!(count("SELECT count(*) FROM visits"), "1");
    assert_eq!(
        count("SELECT count(*) FROM seen_requests WHERE device_id IN (SELECT id FROM devices)"),
        "2",
        "the roster pull's signature and the push's, each once"
    );
}

/// The server remembers a device's key after its first request; revoking it straight in the
/// storage (as another server process would, unseen by this one's memory) still refuses its
/// next push, which keeps nothing.
#[test]
fn a_device_revoked_after_pushing_is_refused_and_its_next_push_keeps_nothing() {
    let s = server();
    let d = s.enrol();
    let who = first_recipient(&s, &d);
    let push = |id: &str, seq: u64, prev: Option<&str>| {
        let (r, sig) = record(&d, id, seq, prev, &who, &[]);
        let body = json!({"records": [{"record": r, "signature": sig}]}).to_string();
        (s.signed(&d, "POST", "/api/v1/visits", body.as_bytes()), r)
    };
    let ((status, receipts), first) = push("V1", 1, None);
    assert_eq!(status, 200, "{receipts}");
    assert_eq!(receipts["receipts"][0]["status"], "stored");
    doorstep_server::block_on(admin::revoke_device(s.storage.as_ref(), &d.id, now()))
        .expect("revoke");
    let prev = hex(&doorstep_crypto::sha256(first.as_bytes()));
    let ((status, answer), _) = push("V2", 2, Some(&prev));
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["message"], "this device has been revoked");
    let count = |sql: &str| s.db.rows(sql)[0][0].clone();
    assert_eq!(count("SELECT count(*) FROM visits"), "1");
    // And its other requests too.
    let (status, answer) = s.signed(&d, "GET", "/api/v1/decisions?since=0", b"");
    assert_eq!(status, 401);
    assert_eq!(answer["message"], "this device has been revoked");
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
    let (status, body) = s.signed(&d, "POST", "/api/v1/visits", &big);
    assert_eq!(status, 413);
    assert_eq!(body["error"], "too_large", "{body}");
    let (status, _) = s.post_json("/api/v1/enrol", &json!([1, 2]));
    assert_eq!(status, 400);
}

/// Found by the harnesses: axum's own refusals (a route that does not exist, a method a
/// route does not take, a query that does not parse, a body over the limit) came as plain
/// text or an empty body, which a device's error path cannot read.
#[test]
fn every_refusal_is_the_apis_json_error() {
    let s = server();
    let d = s.enrol();
    let sha = "0".repeat(64);
    for (method, path, want) in [
        ("GET", "/api/v1/no-such-route".to_owned(), 404),
        ("PUT", "/api/v1/visits".to_owned(), 405),
        ("PUT", format!("/api/v1/media/{sha}?offset=x&total=1"), 400),
        ("PUT", format!("/api/v1/media/{sha}"), 400),
        // Found by schemathesis: a file of no bytes was answered 413, as if too large.
        ("PUT", format!("/api/v1/media/{sha}?offset=0&total=0"), 400),
    ] {
        let (status, body) = s.signed(&d, method, &path, b"x");
        assert_eq!(status, want, "{method} {path}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty())
                && body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: {body}"
        );
    }
}

/// Found by the attack harness: a request time at either end of i64's range overflowed the
/// skew check (a panic in a debug build, the connection dropped); it is a stale time, 401.
#[test]
fn request_times_at_the_ends_of_the_range_are_refused() {
    let s = server();
    let d = s.enrol();
    let path = "/api/v1/decisions?since=0";
    for time in [i64::MIN, i64::MAX, i64::MIN + 1] {
        let (status, body) = s.send("GET", path, b"", &sign(&d, "GET", path, b"", time));
        assert_eq!(status, 401, "time {time}: {body}");
    }
}

/// Found by the attack harness: enrolment codes could be guessed at any speed. Past the
/// limit of failed enrolments every enrolment waits, the right code's too.
#[test]
fn guessing_enrolment_codes_meets_a_limit_that_holds_for_every_code() {
    let s = server();
    let key = || hex(&DeviceKey::generate().expect("key").public_key());
    let max = doorstep_server::api::MAX_FAILED_ENROLMENTS;
    for n in 0..max {
        let guess = format!("GUESS{n:07}");
        let (status, body) = s.post_json(
            "/api/v1/enrol",
            &json!({"code": guess, "public_key": key()}),
        );
        assert_eq!(status, 401, "guess {n}: {body}");
    }
    let (status, body) = s.post_json(
        "/api/v1/enrol",
        &json!({"code": "GUESSLAST000", "public_key": key()}),
    );
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "rate_limited");
    let code = s.code(AREA);
    let (status, _) = s.post_json("/api/v1/enrol", &json!({"code": code, "public_key": key()}));
    assert_eq!(status, 429, "the limit holds for the right code too");
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
fn tls_serves_the_same_api_to_clients_that_trust_its_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).expect("write");
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).expect("write");
    let config = doorstep_server::tls::config(&cert_pem, &key_pem).expect("tls config");
    let (storage, _) = test_storage(&dir.path().join("data"));
    doorstep_server::block_on(admin::add_supervisor(
        storage.as_ref(),
        "zhang",
        AREA,
        "a long password",
        now(),
    ))
    .expect("sup");
    let media = doorstep_server::media_store(&dir.path().join("data"), None).expect("media");
    let state = doorstep_server::AppState::new(storage, media);
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
        .max_redirects(0)
        .build()
        .into();
    let (status, doc) = answer(agent.get(&url).call());
    assert_eq!((status, doc["openapi"].as_str()), (200, Some("3.0.3")));
    // Under TLS the session cookie is Secure as well as HttpOnly and SameSite=Strict.
    let login = agent
        .post(url.replace("/api/v1/openapi.json", "/login"))
        .content_type("application/x-www-form-urlencoded")
        .send("login=zhang&password=a+long+password")
        .expect("login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("a session cookie")
        .to_owned();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
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
