//! The attack harness, device side: requests to the device API that no enrolled, unrevoked
//! device signed as they arrive. Replayed (at once, and after later requests), the time skewed
//! past the limit either way, the body, path or method changed under the signature, an id
//! never enrolled, another device's id, a device revoked; enrolment codes guessed until the
//! limit answers; bodies and media over the limits. Each must be refused with a 4xx (a 5xx
//! is counted as getting through: the server broke instead of refusing). A request signed
//! right is the control: it must be answered 200 first.

use std::path::Path;

use doorstep_core::crypto::{hex, random_hex, DeviceKey};
use doorstep_core::wire::{
    signed_headers, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, MAX_BODY,
    MAX_MEDIA, MAX_SKEW_SECS,
};

use crate::attacks::{agent, Tally};
use crate::field::BoxError;
use crate::served::admin;

/// Guesses past which the enrolment limit must have answered (the server's is 20).
const MAX_GUESSES: usize = 100;

struct Device {
    id: String,
    key: DeviceKey,
}

type Headers = Vec<(String, String)>;

fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &Headers,
    body: &[u8],
) -> Result<u16, BoxError> {
    let mut b = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"));
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let r = agent().run(b.body(body.to_vec())?)?;
    Ok(r.status().as_u16())
}

fn sign(d: &Device, method: &str, path: &str, body: &[u8], time: i64) -> Result<Headers, BoxError> {
    let nonce = random_hex(8)?;
    let headers = signed_headers(&d.key, &d.id, method, path, time, &nonce, body);
    Ok(headers.map(|(k, v)| (k.to_owned(), v)).to_vec())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Tries to enrol a new key with `code`: the status, and the device when enrolled.
fn try_enrol(base: &str, code: &str) -> Result<(u16, Option<Device>), BoxError> {
    let key = DeviceKey::generate()?;
    let body = serde_json::json!({"code": code, "public_key": hex(&key.public_key())});
    let mut r = agent()
        .post(format!("{base}/api/v1/enrol"))
        .content_type("application/json")
        .send(body.to_string())?;
    let status = r.status().as_u16();
    if status != 200 {
        return Ok((status, None));
    }
    let answer: serde_json::Value = r.body_mut().read_json()?;
    let id = answer["device_id"]
        .as_str()
        .ok_or("a device id")?
        .to_owned();
    Ok((status, Some(Device { id, key })))
}

fn enrol(base: &str, code: &str) -> Result<Device, BoxError> {
    match try_enrol(base, code)? {
        (_, Some(d)) => Ok(d),
        (status, None) => Err(format!("enrolment refused: {status}").into()),
    }
}

fn code(data: &Path, area: &str) -> Result<String, BoxError> {
    let c = admin(
        data,
        &["enrolment-code", "--worker", "王五", "--area", area],
    )?;
    Ok(c["code"].as_str().ok_or("a code")?.to_owned())
}

/// Tries every forgery on the server at `base` over the data folder `data` (county `area`).
pub fn run(base: &str, data: &Path, area: &str, t: &mut Tally) -> Result<(), BoxError> {
    let me = enrol(base, &code(data, area)?)?;
    let other = enrol(base, &code(data, area)?)?;
    let roster = "/api/v1/roster?after=0";

    // The control, then the same request again, and again after a later one.
    let first = sign(&me, "GET", roster, b"", now())?;
    let control = send(base, "GET", roster, &first, b"")?;
    if control != 200 {
        return Err(format!("a correctly signed request was refused: {control}").into());
    }
    refused(
        t,
        "replayed at once",
        send(base, "GET", roster, &first, b"")?,
    );
    let later = sign(&me, "GET", roster, b"", now())?;
    send(base, "GET", roster, &later, b"")?;
    refused(
        t,
        "replayed after a later request",
        send(base, "GET", roster, &first, b"")?,
    );

    // Clocks past the limit, either way.
    let n = now();
    for time in [
        n + MAX_SKEW_SECS + 5,
        n - MAX_SKEW_SECS - 5,
        n + 86_400 * 365,
        0,
        i64::MIN,
        i64::MAX,
    ] {
        let h = sign(&me, "GET", roster, b"", time)?;
        refused(
            t,
            &format!("request time {time}"),
            send(base, "GET", roster, &h, b"")?,
        );
    }

    // What the signature covers, changed after signing.
    let push = br#"{"records":[]}"#;
    let h = sign(&me, "POST", "/api/v1/visits", push, now())?;
    refused(
        t,
        "body changed",
        send(base, "POST", "/api/v1/visits", &h, br#"{"records":[ ]}"#)?,
    );
    let h = sign(&me, "GET", roster, b"", now())?;
    refused(
        t,
        "query changed",
        send(base, "GET", "/api/v1/roster?after=5", &h, b"")?,
    );
    let h = sign(&me, "GET", "/api/v1/decisions?after=0", b"", now())?;
    refused(
        t,
        "path changed",
        send(base, "GET", "/api/v1/tickets?after=0", &h, b"")?,
    );
    let h = sign(&me, "GET", "/api/v1/visits", push, now())?;
    refused(
        t,
        "method changed",
        send(base, "POST", "/api/v1/visits", &h, push)?,
    );

    // Identities: never enrolled, another device's id, a signature left out or garbled.
    let stranger = Device {
        id: random_hex(16)?,
        key: DeviceKey::generate()?,
    };
    let h = sign(&stranger, "GET", roster, b"", now())?;
    refused(t, "unenrolled device", send(base, "GET", roster, &h, b"")?);
    let impostor = Device {
        id: other.id.clone(),
        key: DeviceKey::generate()?,
    };
    let h = sign(&impostor, "GET", roster, b"", now())?;
    refused(
        t,
        "another device's id",
        send(base, "GET", roster, &h, b"")?,
    );
    for header in [HEADER_SIGNATURE, HEADER_TIME, HEADER_NONCE, HEADER_DEVICE] {
        let mut h = sign(&me, "GET", roster, b"", now())?;
        h.retain(|(k, _)| k != header);
        refused(
            t,
            &format!("without {header}"),
            send(base, "GET", roster, &h, b"")?,
        );
    }
    let mut h = sign(&me, "GET", roster, b"", now())?;
    if let Some((_, sig)) = h.iter_mut().find(|(k, _)| k == HEADER_SIGNATURE) {
        sig.replace_range(..2, if sig.starts_with("00") { "01" } else { "00" });
    }
    refused(
        t,
        "a signature bit changed",
        send(base, "GET", roster, &h, b"")?,
    );

    // A revoked device: refused from the next request on.
    admin(data, &["revoke-device", &other.id])?;
    let h = sign(&other, "GET", roster, b"", now())?;
    refused(t, "revoked device", send(base, "GET", roster, &h, b"")?);

    // Bodies and media over the limits.
    let big = vec![b' '; MAX_BODY + 1];
    let h = sign(&me, "POST", "/api/v1/visits", &big, now())?;
    refused(
        t,
        "body over the limit",
        send(base, "POST", "/api/v1/visits", &h, &big)?,
    );
    let sha = hex(&doorstep_core::crypto::sha256(b"x"));
    for (what, query, body) in [
        (
            "media over the limit",
            format!("offset=0&total={}", MAX_MEDIA + 1),
            &b"x"[..],
        ),
        ("media of no bytes", "offset=0&total=0".to_owned(), &b""[..]),
        (
            "a chunk past the declared size",
            "offset=0&total=1".to_owned(),
            &b"xx"[..],
        ),
        (
            "media no record names",
            "offset=0&total=1".to_owned(),
            &b"x"[..],
        ),
    ] {
        let path = format!("/api/v1/media/{sha}?{query}");
        let h = sign(&me, "PUT", &path, body, now())?;
        refused(t, what, send(base, "PUT", &path, &h, body)?);
    }

    // Guessing enrolment codes: none enrols, the limit answers 429 before long and to every
    // guess after, and then to the right code too.
    let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut limited = false;
    for n in 0..MAX_GUESSES {
        let guess: String = random_hex(12)?
            .bytes()
            .map(|b| char::from(alphabet[usize::from(b) % alphabet.len()]))
            .collect();
        let (status, _) = try_enrol(base, &guess)?;
        refused(t, "a guessed enrolment code", status);
        if limited && status != 429 {
            t.accepted
                .push(format!("guess {} past the limit answered {status}", n + 1));
        }
        limited |= status == 429;
        if limited && n + 1 >= 25 {
            break;
        }
    }
    if !limited {
        t.accepted
            .push(format!("{MAX_GUESSES} guessed codes and no limit"));
    }
    let (status, _) = try_enrol(base, &code(data, area)?)?;
    t.tried += 1;
    if status != 429 {
        t.accepted.push(format!(
            "enrolment inside the limit's window answered {status}"
        ));
    }
    Ok(())
}

/// Counts one forgery: anything but a 4xx got through.
fn refused(t: &mut Tally, what: &str, status: u16) {
    t.tried += 1;
    if !(400..500).contains(&status) {
        t.accepted.push(format!("{what}: {status}"));
    }
}
