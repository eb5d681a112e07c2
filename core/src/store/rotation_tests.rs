//! Key rotation and vault changes with real keys and real SQLite files: every row
//! re-encrypted, nothing lost when another process gets in the way.

use super::tests::put_all;
use super::*;
use crate::crypto::RawKeyVault;
use crate::model::IdNumber;
use crate::testing::{recipient, temp_store, today};

#[test]
fn vault_change_rewraps_without_touching_rows() {
    let dir = tempfile::tempdir().expect("tmp");
    let old = RawKeyVault::generate().expect("vault");
    let mut store = Store::create(dir.path(), &old).expect("create");
    put_all(&mut store, &[recipient("A", "甲", 1)]);
    let sec_before: Vec<u8> = store
        .conn()
        .query_row("SELECT sec FROM recipients", [], |r| r.get(0))
        .expect("sec");
    let new = RawKeyVault::generate().expect("vault");
    store.change_vault(&new).expect("change");
    drop(store);
    assert!(matches!(
        Store::open(dir.path(), &old),
        Err(Error::WrongKey)
    ));
    let store = Store::open(dir.path(), &new).expect("open with new");
    let sec_after: Vec<u8> = store
        .conn()
        .query_row("SELECT sec FROM recipients", [], |r| r.get(0))
        .expect("sec");
    assert_eq!(sec_before, sec_after);
    assert!(recipients::get(store.conn(), store.keys(), "A")
        .expect("get")
        .is_some());
}

#[test]
fn rotation_reencrypts_every_row_and_drops_the_old_key() {
    let mut t = temp_store();
    let rs: Vec<_> = (0..23)
        .map(|i| recipient(&format!("R{i:02}"), &format!("人{i}"), i * 2 + 1))
        .collect();
    put_all(&mut t.store, &rs);
    let old_key = t.store.keys().active_id();
    let mut seen = Vec::new();
    let report = t
        .store
        .rotate_data_key(
            &RotateOptions {
                batch_size: 5,
                ..RotateOptions::default()
            },
            &mut |p| seen.push(p.done),
        )
        .expect("rotate");
    assert!(!report.resumed);
    assert_eq!(report.rows, 23);
    assert_eq!(seen, vec![0, 5, 10, 15, 20, 23]);
    assert_ne!(report.new_key_id, old_key);
    let keys: Vec<u32> = {
        let mut s = t
            .store
            .conn()
            .prepare("SELECT key_id FROM keyring")
            .expect("stmt");
        let v = s
            .query_map([], |r| r.get(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>();
        v.expect("keys")
    };
    assert_eq!(keys, vec![report.new_key_id]);
    drop(t.store);
    let store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    for r in &rs {
        assert_eq!(
            recipients::get(store.conn(), store.keys(), &r.id)
                .expect("get")
                .as_ref(),
            Some(r)
        );
        let found =
            recipients::find_by_id_number(store.conn(), store.keys(), &r.id_number).expect("find");
        assert_eq!(found.map(|f| f.id), Some(r.id.clone()));
    }
}

#[test]
fn rotation_keeps_the_old_key_for_a_damaged_row_and_reports_it() {
    let mut t = temp_store();
    put_all(
        &mut t.store,
        &[
            recipient("A", "甲", 1),
            recipient("B", "乙", 3),
            recipient("C", "丙", 5),
        ],
    );
    t.store
        .conn()
        .execute(
            "UPDATE recipients SET sec = x'00' || substr(sec, 2) WHERE id = 'B'",
            [],
        )
        .expect("damage");
    let report = t
        .store
        .rotate_data_key(&RotateOptions::default(), &mut |_| {})
        .expect("rotate");
    assert_eq!(report.rows, 2);
    assert_eq!(report.unreadable, vec!["B".to_owned()]);
    let keys: i64 = t
        .store
        .conn()
        .query_row("SELECT count(*) FROM keyring", [], |r| r.get(0))
        .expect("keys");
    assert_eq!(keys, 2, "the old key stays while a row may still need it");
    for id in ["A", "C"] {
        assert!(recipients::get(t.store.conn(), t.store.keys(), id)
            .expect("get")
            .is_some());
    }
    // Resuming makes no progress on the damaged row and does not spin.
    let again = t
        .store
        .rotate_data_key(&RotateOptions::default(), &mut |_| {})
        .expect("resume");
    assert!(again.resumed);
    assert_eq!((again.rows, again.unreadable.len()), (0, 1));
}

#[test]
fn a_writer_opened_before_another_process_rotated_uses_the_new_key() {
    let t = temp_store();
    let mut early = t.store;
    let mut rotator = Store::open(t.dir.path(), &t.vault).expect("second handle");
    put_all(&mut rotator, &[recipient("A", "甲", 1)]);
    rotator
        .rotate_data_key(&RotateOptions::default(), &mut |_| {})
        .expect("rotate");
    // `early` still holds only the old, now deleted, key in memory.
    put_all(&mut early, &[recipient("B", "乙", 3)]);
    drop(early);
    drop(rotator);
    let store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    for id in ["A", "B"] {
        assert!(recipients::get(store.conn(), store.keys(), id)
            .expect("readable")
            .is_some());
    }
}

#[test]
fn a_rotation_after_another_process_changed_the_passphrase_is_refused() {
    let t = temp_store();
    let mut early = t.store;
    let mut other = Store::open(t.dir.path(), &t.vault).expect("second handle");
    let new_vault = RawKeyVault::generate().expect("vault");
    other.change_vault(&new_vault).expect("change");
    assert!(matches!(
        early.rotate_data_key(&RotateOptions::default(), &mut |_| {}),
        Err(Error::KeysChanged)
    ));
    drop(early);
    drop(other);
    Store::open(t.dir.path(), &new_vault).expect("the new passphrase still opens it");
}

#[test]
fn a_rotation_overtaken_by_another_process_stops_and_loses_nothing() {
    let t = temp_store();
    let mut a = t.store;
    let rs: Vec<_> = (0..40u32)
        .map(|i| {
            let mut r = recipient(&format!("R{i:02}"), &format!("人{i}"), 1);
            let idn = crate::testing::id_number("19400312", i * 2 + 1);
            r.id_number = IdNumber::parse(&idn, today()).expect("valid");
            r.gender = r.id_number.gender();
            r
        })
        .collect();
    put_all(&mut a, &rs);
    let (dir, vault) = (t.dir.path().to_owned(), t.vault);
    let mut other_ran = false;
    // Mid-way through A's rotation, another process finishes it and rotates again.
    let res = a.rotate_data_key(
        &RotateOptions {
            batch_size: 10,
            ..RotateOptions::default()
        },
        &mut |p| {
            if p.done == 10 && !other_ran {
                other_ran = true;
                let mut b = Store::open(&dir, &vault).expect("other process");
                b.rotate_data_key(&RotateOptions::default(), &mut |_| {})
                    .expect("finish A's rotation");
                b.rotate_data_key(&RotateOptions::default(), &mut |_| {})
                    .expect("and start another");
            }
        },
    );
    assert!(other_ran);
    assert!(matches!(res, Err(Error::KeysChanged)), "{res:?}");
    drop(a);
    let store = Store::open(&dir, &vault).expect("reopen");
    for r in &rs {
        assert_eq!(
            recipients::get(store.conn(), store.keys(), &r.id)
                .expect("readable")
                .as_ref(),
            Some(r)
        );
    }
}

#[test]
fn a_rotation_never_drops_the_key_another_process_made_active() {
    let t = temp_store();
    let mut a = t.store;
    put_all(&mut a, &[recipient("A", "甲", 1), recipient("B", "乙", 3)]);
    let (dir, vault) = (t.dir.path().to_owned(), t.vault);
    let mut other_ran = false;
    // When A has swept everything, another process completes the rotation and starts the
    // next one: the key A made active is now retiring, and rows move to a third key.
    let res = a.rotate_data_key(&RotateOptions::default(), &mut |p| {
        if p.total > 0 && p.done == p.total && !other_ran {
            other_ran = true;
            let mut b = Store::open(&dir, &vault).expect("other process");
            b.rotate_data_key(&RotateOptions::default(), &mut |_| {})
                .expect("finish");
            b.rotate_data_key(&RotateOptions::default(), &mut |_| {})
                .expect("next");
        }
    });
    assert!(other_ran);
    // A either stops (its key is no longer the active one) or finishes; it drops nothing.
    assert!(matches!(res, Ok(_) | Err(Error::KeysChanged)), "{res:?}");
    drop(a);
    let store = Store::open(&dir, &vault).expect("reopen");
    for id in ["A", "B"] {
        assert!(recipients::get(store.conn(), store.keys(), id)
            .expect("readable")
            .is_some());
    }
}
