//! What devices push and pull against a real server on loopback: the roster by area and
//! cursor, idempotent pushes and conflicts, chain gaps, resumable media checked against its
//! hash, decisions back to the right device, and another county's records not found.

mod common;

use common::*;
use doorstep_crypto::{hex, sha256, DeviceKey};
use doorstep_server::admin;
use doorstep_server::storage::Chain;

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
    assert_eq!(
        doorstep_server::block_on(s.storage.visit_status("V2")).expect("db"),
        None
    );
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
        doorstep_server::block_on(s.storage.visit_status("V2"))
            .expect("db")
            .map(|v| v.1),
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
        doorstep_server::block_on(admin::review(
            s.storage.as_ref(),
            "V1",
            None,
            decision,
            comment,
            "operator",
            now(),
        ))
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
    let err = doorstep_server::block_on(admin::review(
        s.storage.as_ref(),
        "V1",
        Some("410224"),
        Decision::Approve,
        "",
        "x",
        now(),
    ));
    assert!(err.is_err());
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
    let err = doorstep_server::block_on(admin::review(
        s.storage.as_ref(),
        "V1",
        Some("410224"),
        Decision::Approve,
        "",
        "li",
        now(),
    ));
    assert!(
        matches!(err, Err(admin::AdminError::Storage(StorageError::NotFound))),
        "{err:?}"
    );
}
