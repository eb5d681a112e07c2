//! The peers' side of the store benchmark: the same recipients with the personal fields as
//! ordinary columns, written and listed with plain rusqlite. Compiled twice, unchanged: into
//! `doorstep-bench` against our bundled SQLite (the plaintext peer) and into the
//! `sqlcipher-peer` binary against SQLCipher, so both peers run exactly the same code.
//! Self-contained (rusqlite, serde, std) because the SQLCipher peer cannot link the core.

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

/// One recipient as plain columns. Coordinates are already WGS-84.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlatRow {
    pub id: String,
    pub name: String,
    pub id_number: String,
    pub gender: String,
    pub birth_date: String,
    /// `|`-separated category codes.
    pub categories: String,
    pub village: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_relation: Option<String>,
    pub guardian_phone: Option<String>,
    /// `;`-separated `code:short_name:amount_fen:protected`.
    pub enrolments: String,
    pub card_status: String,
    /// Days since 1970-01-01 of the last visit.
    pub last_visit_day: Option<i64>,
}

/// The settings every peer runs with (the Doorstep store sets the same). The page size takes
/// effect on a new database only.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "page_size", 8192)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Same indexes as the Doorstep store: the two lookup columns and the village.
pub fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE recipients (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL, gender TEXT NOT NULL,
            birth_date TEXT NOT NULL, categories TEXT NOT NULL, village TEXT NOT NULL,
            address TEXT NOT NULL, lat REAL, lon REAL, phone TEXT, guardian_name TEXT,
            guardian_relation TEXT, guardian_phone TEXT, enrolments TEXT NOT NULL,
            card_status TEXT NOT NULL, last_visit INTEGER, updated_at TEXT NOT NULL
         ) WITHOUT ROWID;
         CREATE INDEX recipients_by_id_number ON recipients (id_number);
         CREATE INDEX recipients_by_phone ON recipients (phone);
         CREATE INDEX recipients_by_village ON recipients (village);",
    )
}

/// Upserts every row in one transaction, as the Doorstep import does.
pub fn write(conn: &mut Connection, rows: &[FlatRow], now: &str) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO recipients VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, id_number = excluded.id_number,
                 gender = excluded.gender, birth_date = excluded.birth_date,
                 categories = excluded.categories, village = excluded.village,
                 address = excluded.address, lat = excluded.lat, lon = excluded.lon,
                 phone = excluded.phone, guardian_name = excluded.guardian_name,
                 guardian_relation = excluded.guardian_relation,
                 guardian_phone = excluded.guardian_phone, enrolments = excluded.enrolments,
                 card_status = excluded.card_status,
                 last_visit = max(coalesce(recipients.last_visit, excluded.last_visit),
                                  coalesce(excluded.last_visit, recipients.last_visit)),
                 updated_at = excluded.updated_at",
        )?;
        for r in rows {
            stmt.execute(params![
                r.id,
                r.name,
                r.id_number,
                r.gender,
                r.birth_date,
                r.categories,
                r.village,
                r.address,
                r.lat,
                r.lon,
                r.phone,
                r.guardian_name,
                r.guardian_relation,
                r.guardian_phone,
                r.enrolments,
                r.card_status,
                r.last_visit_day,
                now
            ])?;
        }
    }
    tx.commit()
}

/// A line of the list, as the Doorstep list builds it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub overdue_days: i64,
    pub distance_m: Option<f64>,
}

fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

fn interval(categories: &str) -> i64 {
    categories
        .split('|')
        .map(|c| match c {
            "seriously_ill" => 30,
            "minor" => 90,
            _ => 60,
        })
        .min()
        .unwrap_or(60)
}

/// Reads and decodes every row, then (1) the due list: sorted by overdue days then distance,
/// top 50, and (2) a name search. Returns both, so the work cannot be optimised away.
pub fn list(
    conn: &Connection,
    today_day: i64,
    near: (f64, f64),
    needle: &str,
) -> rusqlite::Result<(Vec<Entry>, Vec<Entry>)> {
    let mut due = Vec::new();
    let mut found = Vec::new();
    for pass in 0..2 {
        let mut stmt = conn.prepare_cached("SELECT * FROM recipients")?;
        let rows = stmt.query_map([], |r| {
            Ok(FlatRow {
                id: r.get(0)?,
                name: r.get(1)?,
                id_number: r.get(2)?,
                gender: r.get(3)?,
                birth_date: r.get(4)?,
                categories: r.get(5)?,
                village: r.get(6)?,
                address: r.get(7)?,
                lat: r.get(8)?,
                lon: r.get(9)?,
                phone: r.get(10)?,
                guardian_name: r.get(11)?,
                guardian_relation: r.get(12)?,
                guardian_phone: r.get(13)?,
                enrolments: r.get(14)?,
                card_status: r.get(15)?,
                last_visit_day: r.get(16)?,
            })
        })?;
        for row in rows {
            let r = row?;
            if pass == 1 && !r.name.contains(needle) {
                continue;
            }
            let due_day = r
                .last_visit_day
                .map_or(today_day, |d| d + interval(&r.categories));
            let distance_m = match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => Some(haversine_m(near, (lat, lon))),
                _ => None,
            };
            let e = Entry {
                id: r.id,
                name: r.name,
                overdue_days: today_day - due_day,
                distance_m,
            };
            if pass == 0 {
                due.push(e)
            } else {
                found.push(e)
            }
        }
    }
    let order = |a: &Entry, b: &Entry| {
        b.overdue_days
            .cmp(&a.overdue_days)
            .then_with(|| match (a.distance_m, b.distance_m) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.id.cmp(&b.id))
    };
    if due.len() > 50 {
        due.select_nth_unstable_by(50, order);
        due.truncate(50);
    }
    due.sort_unstable_by(order);
    found.sort_unstable_by(order);
    Ok((due, found))
}
