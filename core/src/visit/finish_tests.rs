//! Sealing: only complete visits, immutable afterwards, chained per device, exported bundles
//! that verify and stop verifying when any byte changes.

use std::collections::BTreeMap;

use doorstep_contract::record::{self as seal, VerifyProblem};
use doorstep_contract::visit::{Flag, Missing, Outcome};

use super::tests::{act1, contact, now, setup, sign_recipient};
use super::*;
use crate::rules::SignerRole;
use crate::store::recipients;

/// Finishes a met visit to ACTIVE (card active: no checklist), signed.
fn sealed_visit(t: &mut crate::testing::TempStore) -> (String, Finished) {
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(t, &id, contact(Outcome::MetPerson)).expect("knock");
    act1(t, &id, sign_recipient()).expect("sign");
    let later = now() + chrono::Duration::minutes(20);
    let done = finish(&mut t.store, &id, later).expect("finish");
    (id, done)
}

fn media_map(e: &Export) -> BTreeMap<String, Vec<u8>> {
    e.media
        .iter()
        .map(|(sha, _, bytes)| (sha.clone(), bytes.clone()))
        .collect()
}

#[test]
fn only_a_complete_visit_seals_and_then_nothing_changes_it() {
    let mut t = setup();
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    assert!(matches!(
        finish(&mut t.store, &id, now()),
        Err(Error::Invalid(Invalid::VisitIncomplete))
    ));
    act1(&mut t, &id, sign_recipient()).expect("sign");
    let done = finish(&mut t.store, &id, now()).expect("finish");
    assert_eq!(done.seq, 1);
    assert!(done.flags.iter().any(|f| matches!(f, Flag::NoLocation)));
    for refused in [
        act1(
            &mut t,
            &id,
            Action::Note {
                text: "late".into(),
            },
        )
        .map(|_| ()),
        finish(&mut t.store, &id, now()).map(|_| ()),
    ] {
        assert!(
            matches!(refused, Err(Error::Invalid(Invalid::VisitSealed))),
            "{refused:?}"
        );
    }
    let r = recipients::get(t.store.conn(), t.store.keys(), "ACTIVE")
        .expect("get")
        .expect("ACTIVE");
    assert_eq!(r.last_visit, Some(now().date_naive()));
}

#[test]
fn records_chain_per_device() {
    let mut t = setup();
    let (a, first) = sealed_visit(&mut t);
    let (b, second) = sealed_visit(&mut t);
    assert_eq!((first.seq, second.seq), (1, 2));
    let ea = export(&mut t.store, &a).expect("export a");
    let eb = export(&mut t.store, &b).expect("export b");
    assert_eq!(
        crate::crypto::hex(&crate::crypto::sha256(&ea.record)),
        first.hash
    );
    let head_b = seal::verify(
        &eb.record,
        &eb.signature,
        &eb.device_public,
        &media_map(&eb),
    )
    .expect("b verifies");
    assert_eq!(head_b.prev_hash.as_deref(), Some(first.hash.as_str()));
    let head_a = seal::verify(
        &ea.record,
        &ea.signature,
        &ea.device_public,
        &media_map(&ea),
    )
    .expect("a verifies");
    assert_eq!(head_a.prev_hash, None);
    assert_eq!(head_a.seq, 1);
}

#[test]
fn an_export_verifies_and_any_changed_byte_is_caught() {
    let mut t = setup();
    let (id, _) = sealed_visit(&mut t);
    let e = export(&mut t.store, &id).expect("export");
    let media = media_map(&e);
    assert_eq!(media.len(), 1, "the signature image");
    let head = seal::verify(&e.record, &e.signature, &e.device_public, &media).expect("verifies");
    assert_eq!(head.visit_id, id);

    let mut record = e.record.clone();
    let i = record.len() / 2;
    record[i] ^= 0x01;
    assert_eq!(
        seal::verify(&record, &e.signature, &e.device_public, &media)
            .err()
            .map(|p| p[0].clone()),
        Some(VerifyProblem::BadSignature)
    );
    let mut sig = e.signature.clone();
    sig[0] ^= 0x80;
    assert_eq!(
        seal::verify(&e.record, &sig, &e.device_public, &media).err(),
        Some(vec![VerifyProblem::BadSignature])
    );
    let mut changed = media.clone();
    let (sha, bytes) = changed.iter_mut().next().expect("one");
    let sha = sha.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    assert_eq!(
        seal::verify(&e.record, &e.signature, &e.device_public, &changed).err(),
        Some(vec![VerifyProblem::MediaChanged(sha.clone())])
    );
    assert_eq!(
        seal::verify(&e.record, &e.signature, &e.device_public, &BTreeMap::new()).err(),
        Some(vec![VerifyProblem::MediaMissing(sha)])
    );
    let other = crate::crypto::DeviceKey::generate().expect("key");
    let forged = other.sign(&e.record);
    let problems =
        seal::verify(&e.record, &forged, &other.public_key(), &media).expect_err("another device");
    assert_eq!(problems, vec![VerifyProblem::OtherDevice]);
}

#[test]
fn sealed_records_and_their_media_survive_a_rotation() {
    let mut t = setup();
    let (id, done) = sealed_visit(&mut t);
    let report = t
        .store
        .rotate_data_key(
            &crate::store::RotateOptions {
                batch_size: 1,
                ..Default::default()
            },
            &mut |_| {},
        )
        .expect("rotate");
    // Three recipients, one visit and its signature image, each re-encrypted in batches.
    assert_eq!(report.rows, 5);
    assert!(report.unreadable.is_empty());
    drop(t.store);
    let mut store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    let e = export(&mut store, &id).expect("export after rotation");
    assert_eq!(
        crate::crypto::hex(&crate::crypto::sha256(&e.record)),
        done.hash
    );
    seal::verify(&e.record, &e.signature, &e.device_public, &media_map(&e)).expect("verifies");
}

fn forest() -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../shared/data/photos/forest-path-2560x1600.jpg",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("test photo")
}

#[test]
fn a_photo_is_evidence_sealed_with_the_visit_and_recognised_when_reused() {
    let mut t = setup();
    let id = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    act1(&mut t, &id, contact(Outcome::NobodyHome)).expect("knock");
    let v = add_photo(&mut t.store, &id, &forest(), now()).expect("photo");
    assert_eq!(v.photos, 1);
    assert!(v.can_finish, "a photo is evidence of the attempt");
    assert!(!v.flags.contains(&Flag::PhotoReused));
    // Not an image: refused, the draft keeps its one photo.
    assert!(matches!(
        add_photo(&mut t.store, &id, b"not a photo", now()),
        Err(Error::Invalid(Invalid::PhotoFormat))
    ));
    let done = finish(&mut t.store, &id, now() + chrono::Duration::minutes(3)).expect("finish");
    let e = export(&mut t.store, &id).expect("export");
    assert_eq!(e.media.len(), 1);
    assert_eq!(e.media[0].1, "jpg");
    let head = seal::verify(&e.record, &e.signature, &e.device_public, &media_map(&e))
        .expect("verifies with its photo");
    assert_eq!(head.media().len(), 1);
    assert_eq!(
        crate::crypto::hex(&crate::crypto::sha256(&e.record)),
        done.hash
    );

    // The same picture, re-sent smaller, in a visit to another household.
    let again = crate::media::photo::process(&e.media[0].2, 1000).expect("reprocess");
    let other = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &other, contact(Outcome::NobodyHome)).expect("knock");
    let v = add_photo(&mut t.store, &other, &again.jpeg, now()).expect("photo");
    assert!(v.flags.contains(&Flag::PhotoReused), "{:?}", v.flags);
}

#[test]
fn a_thumbprint_is_complete_with_its_photo() {
    let mut t = setup();
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    // A photo taken before the thumbprint was chosen (the doorway) is not its evidence.
    add_photo(&mut t.store, &id, &forest(), now()).expect("doorway");
    let v = act1(
        &mut t,
        &id,
        Action::Sign {
            signer: SignerRole::Thumbprint,
            proxy_name: String::new(),
            relation: String::new(),
            strokes: None,
            attested: "按手印确认".into(),
        },
    )
    .expect("thumbprint");
    assert!(!v.can_finish);
    assert_eq!(v.missing, vec![Missing::ThumbprintPhoto]);
    // Any picture distinct from the doorway stands in for the print here.
    let print = crate::media::Signature::new(crate::testing::signature_input())
        .expect("strokes")
        .render_png();
    let v = add_photo(&mut t.store, &id, &print, now()).expect("photo");
    assert!(v.can_finish, "{:?}", v.missing);
    let d = draft(&t.store, &id).expect("draft");
    let bound = match &d.signature.expect("signed").signer {
        Signer::Thumbprint { photo } => photo.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        bound.as_ref(),
        d.photos.get(1),
        "the photo after the choice"
    );
}

#[test]
fn only_someone_met_can_sign() {
    let mut t = setup();
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    let sign = |signer| Action::Sign {
        signer,
        proxy_name: "王芳".into(),
        relation: "女儿".into(),
        strokes: Some(crate::testing::signature_input()),
        attested: "确认".into(),
    };
    // Met in person, and the recipient needs no proxy: a proxy's signature is refused.
    let before = draft(&t.store, &id).expect("draft");
    assert!(matches!(
        act1(&mut t, &id, sign(SignerRole::Proxy)),
        Err(Error::Invalid(Invalid::VisitNotProxy))
    ));
    assert!(draft(&t.store, &id).expect("draft") == before, "unchanged");
    act1(&mut t, &id, sign(SignerRole::Recipient)).expect("the recipient signs");
    // The contact corrected to "met a proxy": the recipient's signature no longer counts,
    // and the recipient cannot sign again.
    let v = act1(&mut t, &id, contact(Outcome::MetProxy)).expect("re-knock");
    assert!(v.missing.contains(&Missing::Signature), "{:?}", v.missing);
    assert!(matches!(
        act1(&mut t, &id, sign(SignerRole::Recipient)),
        Err(Error::Invalid(Invalid::VisitSignerAbsent))
    ));
    let v = act1(&mut t, &id, sign(SignerRole::Proxy)).expect("the proxy signs");
    assert!(!v.missing.contains(&Missing::Signature), "{:?}", v.missing);
}

#[test]
fn a_correction_is_a_new_record_pointing_at_the_original() {
    let mut t = setup();
    let (original, first) = sealed_visit(&mut t);
    let v = start_correction(&mut t.store, &original, now()).expect("correction");
    assert_ne!(v.visit_id, original);
    act1(&mut t, &v.visit_id, contact(Outcome::MetPerson)).expect("knock");
    act1(&mut t, &v.visit_id, sign_recipient()).expect("sign");
    let second = finish(&mut t.store, &v.visit_id, now()).expect("finish");
    assert_eq!(second.seq, first.seq + 1);
    let e = export(&mut t.store, &v.visit_id).expect("export");
    let head =
        seal::verify(&e.record, &e.signature, &e.device_public, &media_map(&e)).expect("verifies");
    assert_eq!(head.corrects.as_deref(), Some(original.as_str()));
    assert_eq!(head.recipient_id, "ACTIVE");
    // The original is untouched.
    let o = export(&mut t.store, &original).expect("original");
    assert_eq!(
        crate::crypto::hex(&crate::crypto::sha256(&o.record)),
        first.hash
    );
    // A draft is changed, not corrected; an unknown id is named.
    let draft = start(&mut t.store, "ADULT", now()).expect("draft").visit_id;
    assert!(matches!(
        start_correction(&mut t.store, &draft, now()),
        Err(Error::Invalid(Invalid::VisitNotSealed))
    ));
    assert!(matches!(
        start_correction(&mut t.store, "Vnope", now()),
        Err(Error::NoVisit { .. })
    ));
}

#[test]
fn a_lost_device_key_after_signing_is_damage_not_a_new_key() {
    let mut t = setup();
    sealed_visit(&mut t);
    t.store
        .conn()
        .execute("DELETE FROM device_key", [])
        .expect("lose the key");
    assert!(matches!(
        t.store.device_key(),
        Err(Error::Corrupt {
            table: "device_key",
            ..
        })
    ));
}

#[test]
fn a_photo_taken_off_goes_with_its_bytes_unless_another_visit_names_them() {
    let mut t = setup();
    let a = start(&mut t.store, "ADULT", now()).expect("start").visit_id;
    let b = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    for id in [&a, &b] {
        act1(&mut t, id, contact(Outcome::NobodyHome)).expect("knock");
    }
    let shared = add_photo(&mut t.store, &a, &forest(), now())
        .expect("photo")
        .photo_hashes[0]
        .clone();
    add_photo(&mut t.store, &b, &forest(), now()).expect("the same picture at another door");
    let print = crate::media::Signature::new(crate::testing::signature_input())
        .expect("strokes")
        .render_png();
    let own = add_photo(&mut t.store, &a, &print, now())
        .expect("photo")
        .photo_hashes[1]
        .clone();
    let stored = |t: &crate::testing::TempStore, sha: &str| {
        crate::store::media::get(t.store.conn(), t.store.keys(), sha)
            .expect("read")
            .is_some()
    };
    // A photo named by no other visit: gone, bytes and all.
    let v = remove_photo(&mut t.store, &a, &own, now()).expect("remove");
    assert_eq!(v.photo_hashes, vec![shared.clone()]);
    assert!(!stored(&t, &own));
    // One the other visit also names: off this draft, kept for the other.
    let v = remove_photo(&mut t.store, &a, &shared, now()).expect("remove");
    assert!(v.photo_hashes.is_empty());
    assert_eq!(
        v.missing,
        vec![Missing::AttemptEvidence],
        "the attempt needs evidence again"
    );
    assert!(stored(&t, &shared));
    assert!(photo_thumbnail(&t.store, &b, &shared, 200).is_ok());
    assert!(matches!(
        remove_photo(&mut t.store, &a, &shared, now()),
        Err(Error::Invalid(Invalid::VisitUnknownPhoto))
    ));
}

#[test]
fn a_thumbprint_whose_photo_is_taken_off_waits_for_the_next_one() {
    let mut t = setup();
    let id = start(&mut t.store, "ACTIVE", now())
        .expect("start")
        .visit_id;
    act1(&mut t, &id, contact(Outcome::MetPerson)).expect("knock");
    act1(
        &mut t,
        &id,
        Action::Sign {
            signer: SignerRole::Thumbprint,
            proxy_name: String::new(),
            relation: String::new(),
            strokes: None,
            attested: "按手印确认".into(),
        },
    )
    .expect("thumbprint");
    let print = add_photo(&mut t.store, &id, &forest(), now()).expect("print");
    assert!(print.can_finish);
    assert_eq!(signature_preview(&t.store, &id).expect("preview"), None);
    let v = remove_photo(&mut t.store, &id, &print.photo_hashes[0], now()).expect("off");
    assert_eq!(v.missing, vec![Missing::ThumbprintPhoto]);
    let d = draft(&t.store, &id).expect("draft");
    assert!(matches!(
        d.signature.map(|s| s.signer),
        Some(Signer::Thumbprint { photo: None })
    ));
}
