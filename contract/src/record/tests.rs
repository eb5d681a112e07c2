//! Records sealed by the serializer before `RecordV1` (contract/testdata/records-v1) decode
//! with the typed record, verify, and encode back to the very same bytes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use doorstep_crypto::{unhex, DeviceKey};

use super::*;

pub const GOLDEN: [&str; 8] = [
    "met_person_everything",
    "proxy_correction",
    "thumbprint",
    "nobody_home",
    "refused",
    "moved",
    "deceased",
    "in_hospital",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/records-v1")
}

fn read(name: &str) -> (Vec<u8>, Vec<u8>) {
    let bytes = std::fs::read(dir().join(format!("{name}.json"))).expect("record");
    let sig = std::fs::read_to_string(dir().join(format!("{name}.sig"))).expect("signature");
    (bytes, unhex(sig.trim()).expect("hex"))
}

fn device() -> DeviceKey {
    DeviceKey::from_pkcs8(&std::fs::read(dir().join("device.pk8")).expect("key")).expect("pkcs8")
}

#[test]
fn old_records_decode_verify_and_encode_to_the_same_bytes() {
    let public = device().public_key();
    for name in GOLDEN {
        let (bytes, sig) = read(name);
        let r = RecordV1::decode(&bytes).unwrap_or_else(|_| panic!("{name} decodes"));
        assert_eq!(r.canonical(), bytes, "{name} re-encodes byte for byte");
        // Media are checked separately: here only the signature and the device key.
        let problems = verify(&bytes, &sig, &public, &BTreeMap::new())
            .err()
            .unwrap_or_default();
        assert!(
            problems
                .iter()
                .all(|p| matches!(p, VerifyProblem::MediaMissing(_))),
            "{name}: {problems:?}"
        );
        assert_eq!(problems.len(), r.media().len(), "{name}");
    }
}

#[test]
fn the_typed_record_reads_what_the_device_recorded() {
    let (bytes, _) = read("met_person_everything");
    let r = RecordV1::decode(&bytes).expect("decode");
    assert_eq!(r.visit_id, "V0a1b2c3d4e5f6071");
    assert_eq!(r.seq, 7);
    assert_eq!(r.outcome, Some(Outcome::MetPerson));
    // The amount the household saw is `amount_seen_fen`.
    assert_eq!(r.subsidies["GL01"].amount_seen_fen, Some(10_050));
    assert_eq!(r.subsidies["CJ02"].amount_seen_fen, None);
    assert!(r.met());
    assert_eq!(r.tickets.len(), 2);
    assert_eq!(
        r.flags[0],
        Flag::TooFar {
            distance_m: 913,
            accuracy_m: 35
        }
    );
    assert_eq!(r.media().len(), 3, "two photos and the signature image");
    let (bytes, _) = read("proxy_correction");
    let r = RecordV1::decode(&bytes).expect("decode");
    assert_eq!(r.corrects.as_deref(), Some("V0a1b2c3d4e5f6071"));
    assert!(matches!(
        r.signature.as_ref().map(|s| &s.signer),
        Some(Signer::Proxy { name, relation }) if name == "李芳" && relation == "母亲"
    ));
}

#[test]
fn a_changed_byte_or_an_unknown_layout_is_refused() {
    let key = device();
    let (bytes, sig) = read("nobody_home");
    let mut changed = bytes.clone();
    let at = changed
        .windows(4)
        .position(|w| w == b"\"seq")
        .expect("seq field")
        + 6;
    changed[at] = b'8';
    assert_eq!(
        verify(&changed, &sig, &key.public_key(), &BTreeMap::new()),
        Err(vec![VerifyProblem::BadSignature])
    );
    // Another format string, an extra field, a missing field: not a v1 record.
    let text = String::from_utf8(bytes).expect("utf-8");
    for other in [
        text.replace("doorstep.visit.v1", "doorstep.visit.v2"),
        text.replacen('{', "{\"extra\":1,", 1),
        text.replace("\"needs\":\"\",", ""),
    ] {
        assert!(RecordV1::decode(other.as_bytes()).is_err());
        let sig = key.sign(other.as_bytes());
        assert_eq!(
            verify(other.as_bytes(), &sig, &key.public_key(), &BTreeMap::new()),
            Err(vec![VerifyProblem::NotARecord])
        );
    }
}
