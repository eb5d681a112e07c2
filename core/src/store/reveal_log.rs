//! The record of every time protected subsidies (orphans, HIV-related) were shown by name.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};

use crate::error::Result;

#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    pub recipient_id: String,
    pub at: DateTime<Utc>,
    pub count: u32,
}

pub fn record(
    tx: &Transaction<'_>,
    recipient_id: &str,
    at: DateTime<Utc>,
    count: u32,
) -> Result<()> {
    tx.execute(
        "INSERT INTO reveal_log (recipient_id, revealed_at, count) VALUES (?1, ?2, ?3)",
        params![recipient_id, at.to_rfc3339(), count],
    )?;
    Ok(())
}

#[cfg(test)]
pub fn for_recipient(conn: &rusqlite::Connection, recipient_id: &str) -> Result<Vec<Reveal>> {
    let mut stmt = conn.prepare(
        "SELECT recipient_id, revealed_at, count FROM reveal_log WHERE recipient_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([recipient_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(recipient_id, at, count)| {
            Some(Reveal {
                recipient_id,
                at: DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc),
                count,
            })
        })
        .collect())
}
