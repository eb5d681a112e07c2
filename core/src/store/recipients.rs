//! The recipients table. A row's personal fields travel in one postcard-encoded envelope; the
//! plaintext columns are the roster id, village code, last visit date and blind indexes.

use chrono::{NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use crate::crypto::{BlindIndex, EnvelopeAad};
use crate::error::{Error, Result};
use crate::model::{
    CardStatus, Category, Datum, DivisionCode, Enrolment, Gender, Guardian, IdNumber, Location,
    Phone, Recipient,
};
use crate::store::Keyring;

pub const TABLE: &str = "recipients";
/// Version of the envelope's field layout (`SecretV1`); part of the associated data.
const FORMAT: u16 = 1;

fn aad(id: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: TABLE,
        row_id: id,
        format: FORMAT,
    }
}

/// The personal fields, in a layout that is only ever appended to through a new FORMAT.
#[derive(Serialize, Deserialize)]
struct SecretV1 {
    name: String,
    id_number: String,
    gender: Gender,
    /// Days since 0001-01-01 (CE): four bytes instead of a date string.
    birth_days: i32,
    categories: Vec<Category>,
    address: String,
    location: Option<(f64, f64, Datum)>,
    phone: Option<String>,
    guardian: Option<(String, String, Option<String>)>,
    enrolments: Vec<(String, String, i64, bool)>,
    card_status: CardStatus,
}

fn encode(r: &Recipient) -> Result<Vec<u8>> {
    use chrono::Datelike;
    let secret = SecretV1 {
        name: r.name.clone(),
        id_number: r.id_number.as_str().to_owned(),
        gender: r.gender,
        birth_days: r.birth_date.num_days_from_ce(),
        categories: r.categories.clone(),
        address: r.address.clone(),
        location: r.location.map(|l| (l.lat, l.lon, l.datum)),
        phone: r.phone.as_ref().map(|p| p.as_str().to_owned()),
        guardian: r.guardian.as_ref().map(|g| {
            (
                g.name.clone(),
                g.relation.clone(),
                g.phone.as_ref().map(|p| p.as_str().to_owned()),
            )
        }),
        enrolments: r
            .enrolments
            .iter()
            .map(|e| {
                (
                    e.code.clone(),
                    e.short_name.clone(),
                    e.amount_fen,
                    e.protected,
                )
            })
            .collect(),
        card_status: r.card_status,
    };
    postcard::to_allocvec(&secret).map_err(|_| Error::Crypto(crate::crypto::CryptoError::Malformed))
}

fn decode(
    id: String,
    village: String,
    last_visit: Option<NaiveDate>,
    plain: &[u8],
) -> Option<Recipient> {
    let s: SecretV1 = postcard::from_bytes(plain).ok()?;
    Some(Recipient {
        id,
        name: s.name,
        // Validated before it was sealed; the envelope is authenticated.
        id_number: IdNumber::trusted(s.id_number),
        gender: s.gender,
        birth_date: NaiveDate::from_num_days_from_ce_opt(s.birth_days)?,
        categories: s.categories,
        village: DivisionCode::trusted(village),
        address: s.address,
        location: s
            .location
            .map(|(lat, lon, datum)| Location { lat, lon, datum }),
        phone: s.phone.map(Phone::trusted),
        guardian: s.guardian.map(|(name, relation, phone)| Guardian {
            name,
            relation,
            phone: phone.map(Phone::trusted),
        }),
        enrolments: s
            .enrolments
            .into_iter()
            .map(|(code, short_name, amount_fen, protected)| Enrolment {
                code,
                short_name,
                amount_fen,
                protected,
            })
            .collect(),
        card_status: s.card_status,
        last_visit,
    })
}

/// Inserts or replaces a recipient. A later `last_visit` already stored (a visit recorded on
/// the device) is kept over an older one from a roster file.
pub fn put(tx: &Transaction<'_>, keys: &Keyring, r: &Recipient) -> Result<()> {
    let sec = keys.seal(aad(&r.id), &encode(r)?)?;
    let id_bidx = keys.blind_index(BlindIndex::IdNumber, r.id_number.as_str());
    let phone_bidx = r
        .phone
        .as_ref()
        .map(|p| keys.blind_index(BlindIndex::Phone, p.as_str()));
    let mut stmt = tx.prepare_cached(
        "INSERT INTO recipients (id, village, last_visit, key_id, id_bidx, phone_bidx, sec, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET
             village = excluded.village,
             last_visit = CASE
                 WHEN recipients.last_visit IS NULL THEN excluded.last_visit
                 WHEN excluded.last_visit IS NULL THEN recipients.last_visit
                 ELSE max(recipients.last_visit, excluded.last_visit) END,
             key_id = excluded.key_id, id_bidx = excluded.id_bidx,
             phone_bidx = excluded.phone_bidx, sec = excluded.sec,
             updated_at = excluded.updated_at",
    )?;
    stmt.execute(params![
        r.id,
        r.village.as_str(),
        r.last_visit.map(|d| d.to_string()),
        keys.active_id(),
        &id_bidx[..],
        phone_bidx.as_ref().map(|b| &b[..]),
        sec,
        Utc::now().to_rfc3339(),
    ])?;
    Ok(())
}

/// A row read back: the recipient, or the id of a row whose envelope could not be opened.
pub type ReadResult = std::result::Result<Recipient, Error>;

fn read_row(keys: &Keyring, row: &Row<'_>) -> rusqlite::Result<ReadResult> {
    let id: String = row.get(0)?;
    let village: String = row.get(1)?;
    let last_visit: Option<String> = row.get(2)?;
    let corrupt = |id: String| Error::Corrupt { table: TABLE, id };
    // A value of the wrong type is damage to that row, not a reason to fail the whole list.
    let rusqlite::types::ValueRef::Blob(sec) = row.get_ref(3)? else {
        return Ok(Err(corrupt(id)));
    };
    let last_visit = match last_visit.map(|s| s.parse::<NaiveDate>()).transpose() {
        Ok(d) => d,
        Err(_) => return Ok(Err(corrupt(id))),
    };
    let plain = match keys.open(aad(&id), sec) {
        Ok(p) => p,
        Err(_) => return Ok(Err(corrupt(id))),
    };
    Ok(decode(id.clone(), village, last_visit, &plain).ok_or_else(|| corrupt(id)))
}

const SELECT: &str = "SELECT id, village, last_visit, sec FROM recipients";

pub fn get(conn: &Connection, keys: &Keyring, id: &str) -> Result<Option<Recipient>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE id = ?1"))?;
    match stmt.query_row([id], |row| read_row(keys, row)).optional()? {
        None => Ok(None),
        Some(r) => r.map(Some),
    }
}

/// Every recipient whose village code starts with `village_prefix` (all when empty). A row
/// that cannot be opened comes back as its error; the others are unaffected.
pub fn scan(conn: &Connection, keys: &Keyring, village_prefix: &str) -> Result<Vec<ReadResult>> {
    let read = |row: &Row<'_>| read_row(keys, row);
    let rows = if village_prefix.is_empty() {
        let mut stmt = conn.prepare_cached(SELECT)?;
        let rows = stmt
            .query_map([], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    } else {
        // A range on the indexed column rather than LIKE, which SQLite would not index here.
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

/// The ids of rows with the given ID-number blind indexes, without decrypting anything.
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
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM recipients WHERE id > ?1 AND key_id != ?2 ORDER BY id LIMIT ?3",
    )?;
    let ids = stmt
        .query_map(params![after, key_id, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

pub(crate) fn count_not_under_key(conn: &Connection, key_id: u32) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM recipients WHERE key_id != ?1",
        [key_id],
        |r| r.get::<_, i64>(0),
    )? as u64)
}

/// Updates the last visit date (the visit module's job once a visit is sealed).
pub fn set_last_visit(tx: &Transaction<'_>, id: &str, day: NaiveDate) -> Result<bool> {
    let n = tx.execute(
        "UPDATE recipients SET last_visit = ?2 WHERE id = ?1 AND (last_visit IS NULL OR last_visit < ?2)",
        params![id, day.to_string()],
    )?;
    Ok(n == 1)
}
