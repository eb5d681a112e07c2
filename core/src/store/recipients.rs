//! The recipients table. A row's personal fields travel in one envelope (layout in
//! `recipient_codec`); the plaintext columns are the roster id, village code, last visit day,
//! key id and the blind indexes.

use chrono::{Datelike, NaiveDate, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Row, Transaction};

use super::recipient_codec::{self, RecipientView, FORMAT};
use crate::crypto::{BlindIndex, EnvelopeAad, BLIND_INDEX_LEN};
use crate::error::{Error, Result};
use crate::model::{DivisionCode, IdNumber, Phone, Recipient};
use crate::store::Keyring;

pub const TABLE: &str = "recipients";

fn aad(id: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: id,
        format: FORMAT,
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Dates in plaintext columns are days since 1970-01-01: compact and ordered.
fn to_day(d: NaiveDate) -> i64 {
    (d - epoch()).num_days()
}

/// A stored day back to a date; days outside 1900–2199 can only come from damage.
fn from_day(n: i64) -> Option<NaiveDate> {
    let d = epoch().checked_add_signed(chrono::Duration::try_days(n)?)?;
    (1900..2200).contains(&d.year()).then_some(d)
}

fn corrupt(id: String) -> Error {
    Error::Corrupt { table: TABLE, id }
}

/// Writes recipients within one transaction through one prepared statement: importing a
/// roster prepares the upsert once, not once per row.
pub struct Writer<'tx> {
    stmt: CachedStatement<'tx>,
    keys: &'tx Keyring,
    now: i64,
    /// The envelope buffer, reused row after row.
    sec: Vec<u8>,
}

impl std::fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl<'tx> Writer<'tx> {
    pub fn new(tx: &'tx Transaction<'_>, keys: &'tx Keyring) -> Result<Self> {
        let stmt = tx.prepare_cached(
            "INSERT INTO recipients (id, village, last_visit, key_id, id_bidx, phone_bidx, sec, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET
                 village = excluded.village,
                 last_visit = max(coalesce(recipients.last_visit, excluded.last_visit),
                                  coalesce(excluded.last_visit, recipients.last_visit)),
                 key_id = excluded.key_id, id_bidx = excluded.id_bidx,
                 phone_bidx = excluded.phone_bidx, sec = excluded.sec,
                 updated_at = excluded.updated_at",
        )?;
        Ok(Self {
            stmt,
            keys,
            now: Utc::now().timestamp(),
            sec: Vec::new(),
        })
    }

    /// Inserts or replaces a recipient. A later last visit already stored (one recorded on
    /// the device) is kept over an older one from a roster file.
    pub fn put(&mut self, r: &Recipient) -> Result<()> {
        let row = seal_row(self.keys, r, std::mem::take(&mut self.sec))?;
        self.insert(r, &row)?;
        self.sec = row.sec;
        Ok(())
    }

    /// Inserts or replaces many recipients. Sealing and indexing run on a second thread, a
    /// chunk ahead of this one, which only writes to SQLite: the crypto costs no wall-clock
    /// time on a phone with more than one core (every phone in use).
    pub fn put_all(&mut self, rs: &[Recipient]) -> Result<()> {
        if rs.len() < 2 * PIPELINE_CHUNK {
            return rs.iter().try_for_each(|r| self.put(r));
        }
        let keys = self.keys;
        std::thread::scope(|scope| {
            // Two chunks in flight at most: memory stays bounded whatever the roster's size.
            let (send, receive) = std::sync::mpsc::sync_channel::<Result<Vec<SealedRow>>>(2);
            scope.spawn(move || {
                for chunk in rs.chunks(PIPELINE_CHUNK) {
                    let sealed = chunk
                        .iter()
                        .map(|r| seal_row(keys, r, Vec::new()))
                        .collect::<Result<Vec<_>>>();
                    let failed = sealed.is_err();
                    // The writer hung up (it hit an error): stop sealing.
                    if send.send(sealed).is_err() || failed {
                        break;
                    }
                }
            });
            for (chunk, sealed) in rs.chunks(PIPELINE_CHUNK).zip(receive) {
                for (r, row) in chunk.iter().zip(sealed?) {
                    self.insert(r, &row)?;
                }
            }
            Ok(())
        })
    }

    fn insert(&mut self, r: &Recipient, row: &SealedRow) -> Result<()> {
        self.stmt.execute(params![
            r.id,
            r.village.as_str(),
            r.last_visit.map(to_day),
            self.keys.active_id(),
            &row.id_bidx[..],
            row.phone_bidx.as_ref().map(|b| &b[..]),
            &row.sec[..],
            self.now,
        ])?;
        Ok(())
    }
}

/// Rows sealed per message between the sealing thread and the writer.
const PIPELINE_CHUNK: usize = 256;

/// A recipient's envelope and blind indexes, ready to insert.
struct SealedRow {
    sec: Vec<u8>,
    id_bidx: [u8; BLIND_INDEX_LEN],
    phone_bidx: Option<[u8; BLIND_INDEX_LEN]>,
}

/// Seals a recipient's personal fields into `buf` (reused) and computes its blind indexes.
fn seal_row(keys: &Keyring, r: &Recipient, mut buf: Vec<u8>) -> Result<SealedRow> {
    // Typical recipients encode to 200-300 bytes.
    keys.seal_into(aad(&r.id), 320, &mut buf, |b| {
        recipient_codec::encode_into(r, b)
    })?;
    Ok(SealedRow {
        sec: buf,
        id_bidx: keys.blind_index(BlindIndex::IdNumber, r.id_number.as_str()),
        phone_bidx: r
            .phone
            .as_ref()
            .map(|p| keys.blind_index(BlindIndex::Phone, p.as_str())),
    })
}

#[cfg(test)]
/// Inserts or replaces one recipient (see `Writer` for many).
pub fn put(tx: &Transaction<'_>, keys: &Keyring, r: &Recipient) -> Result<()> {
    Writer::new(tx, keys)?.put(r)
}

/// A row read back: the recipient, or the error of a row whose envelope could not be opened.
pub type ReadResult = std::result::Result<Recipient, Error>;

/// The plaintext columns of a row, borrowed.
struct RawRow<'r> {
    id: &'r str,
    village: &'r str,
    last_visit: Option<NaiveDate>,
    sec: &'r [u8],
}

/// Reads the columns of `SELECT` below; `Err(id)` when they are not what was written.
fn raw_row<'r>(row: &'r Row<'_>) -> rusqlite::Result<std::result::Result<RawRow<'r>, String>> {
    let id = row.get_ref(0)?.as_str()?;
    // A value of the wrong type is damage to that row, not a reason to fail a whole list.
    let (ValueRef::Text(village), ValueRef::Blob(sec)) = (row.get_ref(1)?, row.get_ref(3)?) else {
        return Ok(Err(id.to_owned()));
    };
    let last_visit = match row.get_ref(2)? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => match from_day(n) {
            Some(d) => Some(d),
            None => return Ok(Err(id.to_owned())),
        },
        _ => return Ok(Err(id.to_owned())),
    };
    // Plaintext columns are not authenticated: check what slicing code relies on.
    let Some(village) = std::str::from_utf8(village)
        .ok()
        .filter(|v| DivisionCode::check(v).is_ok())
    else {
        return Ok(Err(id.to_owned()));
    };
    Ok(Ok(RawRow {
        id,
        village,
        last_visit,
        sec,
    }))
}

fn read_row(keys: &Keyring, row: &Row<'_>) -> rusqlite::Result<ReadResult> {
    let raw = match raw_row(row)? {
        Ok(r) => r,
        Err(id) => return Ok(Err(corrupt(id))),
    };
    let Ok(plain) = keys.open(aad(raw.id), raw.sec) else {
        return Ok(Err(corrupt(raw.id.to_owned())));
    };
    Ok(recipient_codec::decode(
        raw.id.to_owned(),
        raw.village.to_owned(),
        raw.last_visit,
        &plain,
    )
    .ok_or_else(|| corrupt(raw.id.to_owned())))
}

const SELECT: &str = "SELECT id, village, last_visit, sec FROM recipients";

pub fn get(conn: &Connection, keys: &Keyring, id: &str) -> Result<Option<Recipient>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
    match stmt.query_row([id], |row| read_row(keys, row)).optional()? {
        None => Ok(None),
        Some(r) => r.map(Some),
    }
}

/// A row as a list sees it: plaintext columns and the borrowed view of its envelope.
#[derive(Debug, Clone, Copy)]
pub struct ListedRow<'a> {
    pub id: &'a str,
    pub village: &'a str,
    pub last_visit: Option<NaiveDate>,
}

/// Calls `f` for every recipient whose village code starts with `village_prefix` (all when
/// empty), decrypting into one reused buffer and decoding without copying. A row whose
/// envelope cannot be opened comes as `Err(id)`; the others are unaffected.
pub fn for_each_view(
    conn: &Connection,
    keys: &Keyring,
    village_prefix: &str,
    mut f: impl FnMut(std::result::Result<(ListedRow<'_>, RecipientView<'_>), String>),
) -> Result<()> {
    let mut stmt;
    let mut rows = if village_prefix.is_empty() {
        stmt = conn.prepare_cached(SELECT)?;
        stmt.query([])?
    } else {
        // A range on the indexed column rather than LIKE, which SQLite would not index here.
        stmt = conn.prepare_cached(&format!(
            "{SELECT} WHERE village >= ?1 AND village < ?1 || ':'"
        ))?;
        stmt.query([village_prefix])?
    };
    // Decrypted personal fields pass through this buffer: wiped when the scan ends.
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(512));
    while let Some(row) = rows.next()? {
        let raw = match raw_row(row)? {
            Ok(r) => r,
            Err(id) => {
                f(Err(id));
                continue;
            }
        };
        let view = keys
            .open_into(aad(raw.id), raw.sec, &mut buf)
            .ok()
            .and_then(|len| recipient_codec::view(&buf[..len]));
        match view {
            Some(v) => f(Ok((
                ListedRow {
                    id: raw.id,
                    village: raw.village,
                    last_visit: raw.last_visit,
                },
                v,
            ))),
            None => f(Err(raw.id.to_owned())),
        }
    }
    Ok(())
}

#[cfg(test)]
/// Every recipient under `village_prefix`, decoded in full.
pub fn scan(conn: &Connection, keys: &Keyring, village_prefix: &str) -> Result<Vec<ReadResult>> {
    let read = |row: &Row<'_>| read_row(keys, row);
    let rows = if village_prefix.is_empty() {
        let mut stmt = conn.prepare_cached(SELECT)?;
        let rows = stmt
            .query_map([], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    } else {
        let mut stmt = conn.prepare_cached(&format!(
            "{SELECT} WHERE village >= ?1 AND village < ?1 || ':'"
        ))?;
        let rows = stmt
            .query_map([village_prefix], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    Ok(rows)
}

fn find_by_index(
    conn: &Connection,
    keys: &Keyring,
    column: BlindIndex,
    value: &str,
) -> Result<Vec<Recipient>> {
    let col = match column {
        BlindIndex::IdNumber => "id_bidx",
        BlindIndex::Phone => "phone_bidx",
    };
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE {col} = ?1"))?;
    for idx in keys.lookup_indexes(column, value) {
        for r in stmt.query_map([&idx[..]], |row| read_row(keys, row))? {
            let r = r??;
            // A 128-bit index cannot collide in practice, but the decrypted value decides.
            let matches = match column {
                BlindIndex::IdNumber => r.id_number.as_str() == value,
                BlindIndex::Phone => r.phone.as_ref().map(Phone::as_str) == Some(value),
            };
            if matches {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// Exact lookup by ID number through its blind index.
pub fn find_by_id_number(
    conn: &Connection,
    keys: &Keyring,
    id_number: &IdNumber,
) -> Result<Option<Recipient>> {
    Ok(
        find_by_index(conn, keys, BlindIndex::IdNumber, id_number.as_str())?
            .into_iter()
            .next(),
    )
}

/// Exact lookup by mobile number through its blind index.
pub fn find_by_phone(conn: &Connection, keys: &Keyring, phone: &Phone) -> Result<Vec<Recipient>> {
    find_by_index(conn, keys, BlindIndex::Phone, phone.as_str())
}

/// The ids of rows carrying the ID number's blind index, without decrypting anything.
pub fn ids_with_id_number(
    conn: &Connection,
    keys: &Keyring,
    id_number: &IdNumber,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM recipients WHERE id_bidx = ?1")?;
    let mut out = Vec::new();
    for idx in keys.lookup_indexes(BlindIndex::IdNumber, id_number.as_str()) {
        for id in stmt.query_map([&idx[..]], |r| r.get::<_, String>(0))? {
            out.push(id?);
        }
    }
    Ok(out)
}

pub fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM recipients WHERE id = ?1")?
        .exists([id])?)
}

pub fn count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT count(*) FROM recipients", [], |r| {
        r.get::<_, i64>(0)
    })? as u64)
}

/// Ids (in order, after `after`) of rows not yet sealed under `key_id`: the rotation's work.
pub(crate) fn ids_not_under_key(
    conn: &Connection,
    key_id: u32,
    after: &str,
    limit: usize,
) -> Result<Vec<String>> {
    super::sweep::ids_not_under_key(conn, TABLE, "id", key_id, after, limit)
}

/// Rows not sealed under `key_id`, by the plaintext column or by the key id inside the
/// envelope's own header (bytes 2-5): before a key is dropped, a damaged column must not be
/// able to hide a row that still needs it.
pub(crate) fn count_not_under_key(conn: &Connection, key_id: u32) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM recipients WHERE key_id != ?1 OR substr(sec, 2, 4) != ?2",
        params![key_id, &key_id.to_be_bytes()[..]],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Moves the last visit forward (the visit module's job once a visit is sealed).
pub fn set_last_visit(tx: &Transaction<'_>, id: &str, day: NaiveDate) -> Result<bool> {
    let n = tx.execute(
        "UPDATE recipients SET last_visit = ?2
         WHERE id = ?1 AND (last_visit IS NULL OR last_visit < ?2)",
        params![id, to_day(day)],
    )?;
    Ok(n == 1)
}

/// Re-seals a row under the active key without touching anything else (the rotation's
/// step: a re-encrypted row has not changed, so `updated_at` stays as it was).
pub(crate) fn reseal(tx: &Transaction<'_>, keys: &Keyring, r: &Recipient) -> Result<()> {
    let row = seal_row(keys, r, Vec::new())?;
    tx.prepare_cached(
        "UPDATE recipients SET key_id = ?2, id_bidx = ?3, phone_bidx = ?4, sec = ?5 WHERE id = ?1",
    )?
    .execute(params![
        r.id,
        keys.active_id(),
        &row.id_bidx[..],
        row.phone_bidx.as_ref().map(|b| &b[..]),
        &row.sec[..],
    ])?;
    Ok(())
}
