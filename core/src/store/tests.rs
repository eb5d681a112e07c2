//! Store behaviour with real keys and real SQLite files.

use std::os::unix::fs::PermissionsExt;

use rusqlite::Connection;

use super::*;
use crate::crypto::{PassphraseVault, RawKeyVault};
use crate::model::{IdNumber, Phone};
use crate::testing::{recipient, temp_store, today};

pub(super) fn put_all(store: &mut Store, rs: &[crate::model::Recipient]) {
    store
        .write(|tx, keys| {
            for r in rs {
                recipients::put(tx, keys, r)?;
            }
            Ok(())
        })
        .expect("write");
}

pub(super) fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join(DB_FILE)).expect("raw open")
}

#[test]
fn round_trips_and_reopens() {
    let mut t = temp_store();
    let r = recipient("R1", "王秀兰", 1);
    put_all(&mut t.store, std::slice::from_ref(&r));
    assert_eq!(
        recipients::get(t.store.conn(), t.store.keys(), "R1").expect("get"),
        Some(r.clone())
    );
    assert_eq!(
        recipients::get(t.store.conn(), t.store.keys(), "R9").expect("get"),
        None
    );
    t.store.close().expect("close");
    let store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    assert_eq!(
        recipients::get(store.conn(), store.keys(), "R1").expect("get"),
        Some(r)
    );
}

#[test]
fn files_are_private() {
    let t = temp_store();
    let dir = fs::metadata(t.dir.path()).expect("dir");
    assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    for file in [
        DB_FILE.to_owned(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
    ] {
        let m = fs::metadata(t.dir.path().join(&file)).expect(&file);
        assert_eq!(m.permissions().mode() & 0o777, 0o600, "{file}");
    }
}

#[test]
fn missing_existing_and_foreign_stores_are_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let vault = RawKeyVault::generate().expect("vault");
    assert!(matches!(
        Store::open(dir.path(), &vault),
        Err(Error::NoStore { .. })
    ));
    Store::create(dir.path(), &vault).expect("create");
    assert!(matches!(
        Store::create(dir.path(), &vault),
        Err(Error::AlreadyExists { .. })
    ));
    let other = tempfile::tempdir().expect("tmp");
    fs::write(
        other.path().join(DB_FILE),
        b"this is not sqlite at all, just text..",
    )
    .expect("write");
    assert!(matches!(
        Store::open(other.path(), &vault),
        Err(Error::NotAStore { .. })
    ));
}

#[test]
fn wrong_key_and_wrong_vault_kind_are_refused() {
    let t = temp_store();
    drop(t.store);
    let other = RawKeyVault::generate().expect("vault");
    assert!(matches!(
        Store::open(t.dir.path(), &other),
        Err(Error::WrongKey)
    ));
    let pass = PassphraseVault::new("x");
    assert!(matches!(
        Store::open(t.dir.path(), &pass),
        Err(Error::VaultKind { .. })
    ));
}

#[test]
fn newer_schema_is_refused_before_the_key_is_tried() {
    let t = temp_store();
    drop(t.store);
    raw(t.dir.path())
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("bump");
    let other = RawKeyVault::generate().expect("vault");
    assert!(matches!(
        Store::open(t.dir.path(), &other),
        Err(Error::NewerSchema { .. })
    ));
}

#[test]
fn upsert_keeps_the_later_visit_date_whichever_side_has_it() {
    let mut t = temp_store();
    let day = |n: i64| Some(today() - chrono::Duration::days(n));
    let last = |store: &Store| {
        recipients::get(store.conn(), store.keys(), "R1")
            .expect("get")
            .expect("R1")
            .last_visit
    };
    let mut r = recipient("R1", "李桂英", 3);
    // (stored, incoming) -> kept
    for (incoming, expected) in [
        (None, None),
        (day(10), day(10)),
        (day(40), day(10)),
        (None, day(10)),
        (day(2), day(2)),
    ] {
        r.last_visit = incoming;
        put_all(&mut t.store, std::slice::from_ref(&r));
        assert_eq!(last(&t.store), expected, "incoming {incoming:?}");
    }
    r.name = "李桂英改".into();
    put_all(&mut t.store, std::slice::from_ref(&r));
    let got = recipients::get(t.store.conn(), t.store.keys(), "R1")
        .expect("get")
        .expect("some");
    assert_eq!(got.name, "李桂英改");
}

#[test]
fn blind_index_lookups_find_exact_matches_only() {
    let mut t = temp_store();
    let a = recipient("A", "张三", 11);
    let b = recipient("B", "李四", 13);
    put_all(&mut t.store, &[a.clone(), b]);
    let idn = IdNumber::parse(a.id_number.as_str(), today()).expect("idn");
    let found = recipients::find_by_id_number(t.store.conn(), t.store.keys(), &idn).expect("find");
    assert_eq!(found.map(|r| r.id), Some("A".to_owned()));
    let phone = Phone::parse(a.phone.as_ref().expect("phone").as_str()).expect("phone");
    let found = recipients::find_by_phone(t.store.conn(), t.store.keys(), &phone).expect("find");
    assert_eq!(found.len(), 1);
    let nobody = IdNumber::parse(&crate::testing::id_number("19400312", 99), today()).expect("idn");
    assert!(
        recipients::find_by_id_number(t.store.conn(), t.store.keys(), &nobody)
            .expect("find")
            .is_none()
    );
}

#[test]
fn a_damaged_envelope_fails_for_its_row_only() {
    let mut t = temp_store();
    put_all(
        &mut t.store,
        &[
            recipient("A", "甲", 1),
            recipient("B", "乙", 3),
            recipient("C", "丙", 5),
        ],
    );
    let mut sec: Vec<u8> = t
        .store
        .conn()
        .query_row("SELECT sec FROM recipients WHERE id = 'B'", [], |r| {
            r.get(0)
        })
        .expect("sec");
    let mid = sec.len() / 2;
    sec[mid] ^= 0x40;
    t.store
        .conn()
        .execute("UPDATE recipients SET sec = ?1 WHERE id = 'B'", [&sec])
        .expect("damage");
    match recipients::get(t.store.conn(), t.store.keys(), "B") {
        Err(Error::Corrupt { table, id }) => assert_eq!((table, id.as_str()), ("recipients", "B")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let all = recipients::scan(t.store.conn(), t.store.keys(), "").expect("scan");
    assert_eq!(all.iter().filter(|r| r.is_ok()).count(), 2);
}

#[test]
fn an_envelope_moved_to_another_row_does_not_open() {
    let mut t = temp_store();
    put_all(
        &mut t.store,
        &[recipient("A", "甲", 1), recipient("B", "乙", 3)],
    );
    t.store
        .conn()
        .execute(
            "UPDATE recipients SET sec = (SELECT sec FROM recipients WHERE id = 'A') WHERE id = 'B'",
            [],
        )
        .expect("swap");
    assert!(matches!(
        recipients::get(t.store.conn(), t.store.keys(), "B"),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn encryptions_are_counted_and_persisted() {
    let mut t = temp_store();
    let before = t.store.keys().encryptions();
    put_all(
        &mut t.store,
        &[recipient("A", "甲", 1), recipient("B", "乙", 3)],
    );
    assert_eq!(t.store.keys().encryptions(), before + 2);
    let stored: i64 = t
        .store
        .conn()
        .query_row(
            "SELECT encryptions FROM keyring WHERE state = 'active'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(stored as u64, before + 2);
    assert!(!t.store.needs_rotation());
}

#[test]
fn a_write_blocked_by_another_process_reports_locked() {
    let mut t = temp_store();
    let other = raw(t.dir.path());
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let res = t
        .store
        .write(|tx, keys| recipients::put(tx, keys, &recipient("A", "甲", 1)));
    assert!(matches!(res, Err(Error::Locked)), "{res:?}");
    other.execute_batch("ROLLBACK").expect("unlock");
    put_all(&mut t.store, &[recipient("A", "甲", 1)]);
}

#[test]
fn passphrase_vault_opens_with_the_right_passphrase_only() {
    let dir = tempfile::tempdir().expect("tmp");
    Store::create(dir.path(), &PassphraseVault::new("正确的口令")).expect("create");
    assert!(matches!(
        Store::open(dir.path(), &PassphraseVault::new("错误的口令")),
        Err(Error::WrongKey)
    ));
    Store::open(dir.path(), &PassphraseVault::new("正确的口令")).expect("open");
}

#[test]
fn put_all_pipelines_large_batches_without_losing_or_mixing_rows() {
    let mut t = temp_store();
    // More than two pipeline chunks, so the sealing thread runs.
    let rs: Vec<_> = (0..1300u32)
        .map(|i| {
            let mut r = recipient(&format!("P{i:04}"), &format!("人{i}"), 1);
            // A distinct ID number each: birth day from the index, sequence from its rest.
            let birth = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("date")
                + chrono::Duration::days(i64::from(i / 7));
            let idn = crate::testing::id_number(&birth.format("%Y%m%d").to_string(), i % 7 + 1);
            r.id_number = IdNumber::parse(&idn, today()).expect("valid");
            r.birth_date = birth;
            r.gender = r.id_number.gender();
            r
        })
        .collect();
    t.store
        .write(|tx, keys| recipients::Writer::new(tx, keys)?.put_all(&rs))
        .expect("put_all");
    assert_eq!(recipients::count(t.store.conn()).expect("count"), 1300);
    for r in rs.iter().step_by(97) {
        assert_eq!(
            recipients::get(t.store.conn(), t.store.keys(), &r.id)
                .expect("get")
                .as_ref(),
            Some(r)
        );
        let found = recipients::find_by_id_number(t.store.conn(), t.store.keys(), &r.id_number)
            .expect("find");
        assert_eq!(found.map(|f| f.id), Some(r.id.clone()));
    }
    assert_eq!(t.store.keys().encryptions(), 1 + 1300);
}

#[test]
fn a_foreign_sqlite_file_is_not_a_store() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let c = Connection::open(dir.path().join(DB_FILE)).expect("db");
        c.execute_batch("CREATE TABLE other (x); PRAGMA user_version = 1;")
            .expect("foreign");
    }
    let vault = RawKeyVault::generate().expect("vault");
    assert!(matches!(
        Store::open(dir.path(), &vault),
        Err(Error::NotAStore { .. })
    ));
}

#[test]
fn the_device_key_is_made_once_kept_sealed_and_survives_rotation() {
    let mut t = temp_store();
    let key = t.store.device_key().expect("create");
    let public = key.public_key();
    let sig = key.sign(b"a sealed record");
    assert_eq!(t.store.device_key().expect("load").public_key(), public);
    put_all(&mut t.store, &[recipient("A", "甲", 1)]);
    t.store
        .rotate_data_key(&RotateOptions::default(), &mut |_| {})
        .expect("rotate");
    let keys: i64 = t
        .store
        .conn()
        .query_row("SELECT count(*) FROM keyring", [], |r| r.get(0))
        .expect("count");
    assert_eq!(keys, 1, "the old data key is gone");
    drop(t.store);
    let mut store = Store::open(t.dir.path(), &t.vault).expect("reopen");
    let again = store.device_key().expect("load after rotation");
    assert_eq!(again.public_key(), public);
    assert!(crate::crypto::verify_signature(
        &public,
        b"a sealed record",
        &sig
    ));
    // The private key is never in the file in the clear.
    let bytes = fs::read(t.dir.path().join(DB_FILE)).expect("read");
    let stored_pub: Vec<u8> = store
        .conn()
        .query_row("SELECT public FROM device_key", [], |r| r.get(0))
        .expect("public");
    assert_eq!(stored_pub, public);
    assert!(bytes.windows(16).all(|w| w != &again.pkcs8()[16..32]));
}

#[test]
fn a_damaged_device_key_is_an_error_not_a_new_key() {
    let mut t = temp_store();
    let public = t.store.device_key().expect("create").public_key();
    t.store
        .conn()
        .execute("UPDATE device_key SET sec = x'00' || substr(sec, 2)", [])
        .expect("damage");
    assert!(matches!(
        t.store.device_key(),
        Err(Error::Corrupt {
            table: "device_key",
            ..
        })
    ));
    let still: Vec<u8> = t
        .store
        .conn()
        .query_row("SELECT public FROM device_key", [], |r| r.get(0))
        .expect("public");
    assert_eq!(still, public, "never silently replaced");
}

#[test]
fn a_version_1_store_migrates_when_opened() {
    let t = temp_store();
    drop(t.store);
    {
        // What the first release wrote: schema 1, no device key or visits tables.
        let c = raw(t.dir.path());
        c.execute_batch(
            "DROP TABLE device_key; DROP TABLE visits; DROP TABLE device_chain;
             DROP TABLE media; DROP TABLE sync_state; DROP TABLE receipts;
             DROP TABLE media_sent; DROP TABLE tasks; DROP TABLE divisions;
             PRAGMA user_version = 1;",
        )
        .expect("downgrade");
    }
    let mut store = Store::open(t.dir.path(), &t.vault).expect("open migrates");
    assert_eq!(
        migrations::user_version(store.conn()).expect("version"),
        SCHEMA_VERSION
    );
    store.device_key().expect("the new table works");
}

#[test]
fn a_version_5_store_keeps_its_ticket_updates_by_their_parts() {
    // Before version 6 a ticket update was kept as one text, "<ticket id> <state>", in the
    // decision column; migrating must give each row its parts and keep its sealed text.
    use doorstep_contract::wire::TicketState;
    let mut t = temp_store();
    let kept = tasks::TicketTask {
        cursor: 7,
        ticket_id: "V-0001-1".to_owned(),
        visit_id: "V-0001".to_owned(),
        state: TicketState::Replied,
        text: "已转县农商银行，三日内补发".to_owned(),
        due: Some(today()),
        at: 1_700_000_000,
    };
    t.store
        .write(|tx, keys| tasks::put_ticket(tx, keys, &kept))
        .expect("put");
    drop(t.store);
    {
        // Rewrite the row as version 5 wrote it, and the schema back to version 5.
        let c = raw(t.dir.path());
        c.execute_batch(
            "UPDATE tasks SET decision = ticket_id || ' ' || state;
             ALTER TABLE tasks DROP COLUMN ticket_id;
             ALTER TABLE tasks DROP COLUMN state;
             ALTER TABLE tasks DROP COLUMN due;
             ALTER TABLE sync_state DROP COLUMN worker;
             DROP TABLE divisions;
             PRAGMA user_version = 5;",
        )
        .expect("downgrade");
    }
    let store = Store::open(t.dir.path(), &t.vault).expect("open migrates");
    assert_eq!(
        migrations::user_version(store.conn()).expect("version"),
        SCHEMA_VERSION
    );
    let found = tasks::tickets(store.conn(), store.keys()).expect("tickets");
    // The due date had no column then: it is unknown, not invented.
    assert_eq!(found, vec![tasks::TicketTask { due: None, ..kept }]);
}

/// A platform key store stand-in: it keeps each secret inside itself and hands out a handle
/// bound to the associated data, so the secret never leaves it (as a Keystore key does not).
/// A secret the test key store keeps: its handle, the aad it is bound to, the secret.
type KeptSecret = (Vec<u8>, Vec<u8>, Vec<u8>);

struct TestKeystore {
    name: u8,
    kept: std::sync::Mutex<Vec<KeptSecret>>,
}

impl TestKeystore {
    fn new(name: u8) -> std::sync::Arc<Self> {
        std::sync::Arc::new(TestKeystore {
            name,
            kept: std::sync::Mutex::new(Vec::new()),
        })
    }
}

impl crate::crypto::KeyWrapper for TestKeystore {
    fn wrap(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut kept = self.kept.lock().expect("lock");
        let handle = vec![self.name, kept.len() as u8];
        kept.push((handle.clone(), aad.to_vec(), secret.to_vec()));
        Ok(handle)
    }

    fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.kept
            .lock()
            .expect("lock")
            .iter()
            .find(|(h, a, _)| h == wrapped && a == aad)
            .map(|(_, _, secret)| secret.clone())
            .ok_or(CryptoError::Decrypt)
    }
}

#[test]
fn a_platform_key_store_wraps_the_data_key_without_giving_out_its_key() {
    use crate::crypto::WrapperVault;
    let dir = tempfile::tempdir().expect("dir");
    let vault = WrapperVault::new("test-keystore", TestKeystore::new(1));
    let store = Store::create(dir.path(), &vault).expect("create");
    store.close().expect("close");
    Store::open(dir.path(), &vault).expect("the same key store opens it");
    let other = WrapperVault::new("test-keystore", TestKeystore::new(2));
    assert!(matches!(
        Store::open(dir.path(), &other),
        Err(Error::WrongKey)
    ));
    let passphrase = PassphraseVault::new("not the key store");
    assert!(matches!(
        Store::open(dir.path(), &passphrase),
        Err(Error::VaultKind { .. })
    ));
}

#[test]
fn a_second_handle_shares_the_store_without_the_passphrase() {
    let stored = |s: &Store| -> u64 {
        s.conn()
            .query_row(
                "SELECT encryptions FROM keyring WHERE state = 'active'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .expect("count") as u64
    };
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("s");
    let mut first =
        Store::create(&path, &PassphraseVault::new("a good long passphrase")).expect("create");
    let before = stored(&first);
    // No vault is given: the second handle unwraps with the first one's KEK.
    let mut second = first.another().expect("another");
    put_all(&mut second, &[recipient("R1", "王秀兰", 1)]);
    assert_eq!(
        recipients::get(first.conn(), first.keys(), "R1")
            .expect("get")
            .map(|r| r.name),
        Some("王秀兰".to_owned())
    );
    put_all(&mut first, &[recipient("R2", "李建国", 2)]);
    assert!(recipients::get(second.conn(), second.keys(), "R2")
        .expect("get")
        .is_some());
    // Both handles' encryptions add up in the one stored counter.
    assert_eq!(stored(&first), before + 2);
}
