//! The corruption harness: single-byte changes of everything that carries a worker's record
//! (the exported files anyone verifies: record, signature, device key, photo, signature
//! image; and the store's own ciphertexts: the roster row, the sealed visit, its media, the
//! sealed signing key, the wrapped data key and its canary). Every change must be refused by
//! `verify` or by the store, never accepted and never a panic. Prints
//! `mutations: tried=N detected=N accepted=N panics=N`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Instant;

use doorstep_core::record::verify;
use doorstep_core::{Doorstep, Error};
use rusqlite::Connection;

use crate::field::{self, BoxError, Field};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Change every `stride`th byte of each record, key and ciphertext (1: every byte).
    #[arg(long, default_value_t = 1)]
    stride: usize,
    /// Bytes changed in each photo, spread evenly over it (a photo is hundreds of KB).
    #[arg(long, default_value_t = 2048)]
    photo_bytes: usize,
}

/// What happened to the mutations of one target, and how they were refused.
#[derive(Default)]
struct Tally {
    tried: usize,
    detected: usize,
    /// Where a change got through: target and offset.
    accepted: Vec<String>,
    panics: Vec<String>,
    refused_as: BTreeMap<&'static str, usize>,
}

/// How one mutated case ended.
enum Outcome {
    Refused(&'static str),
    Accepted,
}

impl Tally {
    fn case(&mut self, target: &str, offset: usize, run: impl FnOnce() -> Outcome) {
        self.tried += 1;
        match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Outcome::Refused(how)) => {
                self.detected += 1;
                *self.refused_as.entry(how).or_default() += 1;
            }
            Ok(Outcome::Accepted) => self.accepted.push(format!("{target}@{offset}")),
            Err(_) => self.panics.push(format!("{target}@{offset}")),
        }
    }
}

/// The offsets changed in `len` bytes: every `stride`th, or `at_most` spread evenly.
fn offsets(len: usize, stride: usize, at_most: usize) -> Vec<usize> {
    let step = stride.max(len.div_ceil(at_most.max(1))).max(1);
    (0..len).step_by(step).collect()
}

/// Ways one byte is changed: a low bit, the high bit, every bit.
const FLIPS: [u8; 3] = [0x01, 0x80, 0xff];

fn kind_of(e: &Error) -> &'static str {
    match e {
        Error::Corrupt { .. } => "corrupt",
        Error::WrongKey => "wrong_key",
        Error::Crypto(_) => "crypto",
        Error::NotAStore { .. } => "not_a_store",
        _ => "other_error",
    }
}

/// The exported files of the sealed visit, each byte changed, through the check `doorstep
/// verify` runs.
fn exported(t: &mut Tally, store_dir: &Path, f: &Field, a: &Args) -> Result<(), BoxError> {
    let mut store = Doorstep::open(store_dir, &f.vault)?;
    let export = store.export(&f.visit_id)?;
    store.close()?;
    let media: BTreeMap<String, Vec<u8>> = export
        .media
        .iter()
        .map(|(sha, _, bytes)| (sha.clone(), bytes.clone()))
        .collect();
    let public = export.device_public.to_vec();
    let verdict =
        |record: &[u8], sig: &[u8], key: &[u8], media: &BTreeMap<String, Vec<u8>>| match verify(
            record, sig, key, media,
        ) {
            Ok(_) => Outcome::Accepted,
            Err(_) => Outcome::Refused("verify"),
        };
    if verify(&export.record, &export.signature, &public, &media).is_err() {
        return Err("the untouched export does not verify".into());
    }
    let whole = usize::MAX;
    for (name, bytes, at_most) in [
        ("record", &export.record, whole),
        ("signature", &export.signature, whole),
        ("device_key", &public, whole),
    ] {
        for i in offsets(bytes.len(), a.stride, at_most) {
            for flip in FLIPS {
                let mut changed = bytes.clone();
                changed[i] ^= flip;
                let (r, s, k) = match name {
                    "record" => (&changed, &export.signature, &public),
                    "signature" => (&export.record, &changed, &public),
                    _ => (&export.record, &export.signature, &changed),
                };
                t.case(name, i, || verdict(r, s, k, &media));
            }
            // A byte dropped from the record (a truncated or re-encoded file).
            if name == "record" {
                let mut shorter = bytes.clone();
                shorter.remove(i);
                t.case("record-dropped", i, || {
                    verdict(&shorter, &export.signature, &public, &media)
                });
            }
        }
    }
    for (sha, bytes) in &media {
        let is_photo = *sha == f.photo_sha;
        let at_most = if is_photo { a.photo_bytes } else { whole };
        for i in offsets(bytes.len(), a.stride, at_most) {
            let mut changed = media.clone();
            changed.get_mut(sha).expect("present")[i] ^= FLIPS[0];
            let name = if is_photo { "photo" } else { "signature_image" };
            t.case(name, i, || {
                verdict(&export.record, &export.signature, &public, &changed)
            });
        }
    }
    Ok(())
}

/// One ciphertext of the store: its table, column and row.
struct Cell {
    name: &'static str,
    sql_get: String,
    sql_put: String,
    key: String,
}

fn cell(name: &'static str, table: &str, column: &str, id_col: &str, key: &str) -> Cell {
    Cell {
        name,
        sql_get: format!("SELECT {column} FROM {table} WHERE {id_col} = ?1"),
        sql_put: format!("UPDATE {table} SET {column} = ?2 WHERE {id_col} = ?1"),
        key: key.to_owned(),
    }
}

/// What the store gives back for the visit and its household, to compare after a change.
fn read_back(store: &mut Doorstep, f: &Field) -> Result<(Vec<u8>, Vec<u8>, String), Error> {
    let export = store.export(&f.visit_id)?;
    let media: Vec<u8> = export
        .media
        .iter()
        .flat_map(|(_, _, b)| b.clone())
        .collect();
    let person = store.recipient(&f.recipient_id, false, f.now)?;
    Ok((export.record, media, format!("{:?}", person.recipient)))
}

/// The store's ciphertexts, each byte changed under the closed store, then the store opened
/// and the visit and household read back: refused, or (never) the same data.
fn stored(t: &mut Tally, dir: &Path, f: &Field, a: &Args) -> Result<(), BoxError> {
    let db = dir.join(doorstep_core::DB_FILE);
    let mut store = Doorstep::open(dir, &f.vault)?;
    let original = read_back(&mut store, f)?;
    store.close()?;
    let cells = [
        cell(
            "store-recipient",
            "recipients",
            "sec",
            "id",
            &f.recipient_id,
        ),
        cell("store-visit", "visits", "sec", "id", &f.visit_id),
        cell("store-photo", "media", "sec", "sha256", &f.photo_sha),
        cell("store-signing-key", "device_key", "sec", "id", "1"),
        cell("store-wrapped-key", "keyring", "wrapped", "state", "active"),
        cell("store-canary", "keyring", "canary", "state", "active"),
    ];
    for c in &cells {
        let blob: Vec<u8> = {
            let conn = Connection::open(&db)?;
            conn.query_row(&c.sql_get, [&c.key], |r| r.get(0))?
        };
        let at_most = if c.name == "store-photo" {
            a.photo_bytes
        } else {
            usize::MAX
        };
        for i in offsets(blob.len(), a.stride, at_most) {
            let mut changed = blob.clone();
            changed[i] ^= FLIPS[0];
            Connection::open(&db)?.execute(&c.sql_put, rusqlite::params![c.key, changed])?;
            t.case(c.name, i, || match Doorstep::open(dir, &f.vault) {
                Err(e) => Outcome::Refused(kind_of(&e)),
                Ok(mut s) => {
                    let back = read_back(&mut s, f);
                    let _ = s.close();
                    // Data given back from a changed ciphertext (the same or, worse, other
                    // data) means the change went unseen.
                    match back {
                        Err(e) => Outcome::Refused(kind_of(&e)),
                        Ok(_) => Outcome::Accepted,
                    }
                }
            });
            Connection::open(&db)?.execute(&c.sql_put, rusqlite::params![c.key, blob])?;
        }
    }
    // Restored: the store reads as before.
    let mut store = Doorstep::open(dir, &f.vault)?;
    if read_back(&mut store, f)? != original {
        return Err("the restored store reads differently".into());
    }
    store.close()?;
    Ok(())
}

/// Runs the harness; `Ok(true)` when every change was refused.
pub fn run(a: &Args) -> Result<bool, BoxError> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let store_dir = dir.path().join("device");
    let f = field::create(&store_dir)?;
    // A panic is counted, not printed at length (its message carries no record data).
    std::panic::set_hook(Box::new(|_| {}));
    let mut t = Tally::default();
    exported(&mut t, &store_dir, &f, a)?;
    stored(&mut t, &store_dir, &f, a)?;
    let _ = std::panic::take_hook();
    let how: Vec<String> = t
        .refused_as
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    println!("refused as: {}", how.join(" "));
    for what in t.accepted.iter().chain(&t.panics).take(20) {
        println!("got through: {what}");
    }
    println!(
        "mutations: tried={} detected={} accepted={} panics={} stride={} photo_bytes={} seconds={:.1}",
        t.tried,
        t.detected,
        t.accepted.len(),
        t.panics.len(),
        a.stride,
        a.photo_bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(t.accepted.is_empty() && t.panics.is_empty() && t.detected == t.tried)
}
