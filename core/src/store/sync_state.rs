//! Where this device stands with its server: enrolment, pull cursors, the measured clock
//! skew, the receipt of each sealed visit sent, and which media went up. None of it is
//! personal (ids, hashes, counters), so it is kept in plain columns.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::Result;

/// The device's enrolment and progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub server: String,
    pub device_id: String,
    /// Whom the server enrolled this device for.
    pub worker: String,
    pub area: String,
    pub roster_cursor: i64,
    pub decisions_cursor: i64,
    pub tickets_cursor: i64,
    /// Server time minus device time at the last sync, in seconds.
    pub clock_skew_secs: Option<i64>,
    pub last_sync_at: Option<i64>,
}

pub fn get(conn: &Connection) -> Result<Option<SyncState>> {
    Ok(conn
        .prepare_cached(
            "SELECT server, device_id, area, roster_cursor, decisions_cursor, tickets_cursor,
                    clock_skew_secs, last_sync_at, worker FROM sync_state WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(SyncState {
                server: r.get(0)?,
                device_id: r.get(1)?,
                area: r.get(2)?,
                roster_cursor: r.get(3)?,
                decisions_cursor: r.get(4)?,
                tickets_cursor: r.get(5)?,
                clock_skew_secs: r.get(6)?,
                last_sync_at: r.get(7)?,
                worker: r.get(8)?,
            })
        })
        .optional()?)
}

pub fn enrol(
    tx: &Transaction<'_>,
    server: &str,
    device_id: &str,
    worker: &str,
    area: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_state (id, server, device_id, worker, area) VALUES (1, ?1, ?2, ?3, ?4)",
        params![server, device_id, worker, area],
    )?;
    Ok(())
}

pub fn set_roster_cursor(tx: &Transaction<'_>, cursor: i64) -> Result<()> {
    tx.execute(
        "UPDATE sync_state SET roster_cursor = ?1 WHERE id = 1",
        [cursor],
    )?;
    Ok(())
}

pub fn set_decisions_cursor(tx: &Transaction<'_>, cursor: i64) -> Result<()> {
    tx.execute(
        "UPDATE sync_state SET decisions_cursor = ?1 WHERE id = 1",
        [cursor],
    )?;
    Ok(())
}

pub fn set_tickets_cursor(tx: &Transaction<'_>, cursor: i64) -> Result<()> {
    tx.execute(
        "UPDATE sync_state SET tickets_cursor = ?1 WHERE id = 1",
        [cursor],
    )?;
    Ok(())
}

/// Keeps the skew measured (if any) and, for a sync that completed, its time.
pub fn note_sync(tx: &Transaction<'_>, skew_secs: Option<i64>, at: Option<i64>) -> Result<()> {
    tx.execute(
        "UPDATE sync_state SET clock_skew_secs = coalesce(?1, clock_skew_secs),
             last_sync_at = coalesce(?2, last_sync_at)
         WHERE id = 1",
        params![skew_secs, at],
    )?;
    Ok(())
}

/// Sealed visits without a final receipt (never sent, or sent without an answer), in chain
/// order: what the next push sends.
pub fn unsent(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.id FROM visits v LEFT JOIN receipts r ON r.visit_id = v.id
         WHERE v.state = 'sealed' AND (r.visit_id IS NULL OR r.status = 'sent') ORDER BY v.seq",
    )?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Where one sealed visit stands with the server, as far as the device knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// A push carried it and no answer came (yet): it goes again with the next sync.
    Unanswered,
    /// The server's receipt.
    Receipted(doorstep_contract::wire::ReceiptStatus),
}

/// Marks visits as sent before a push goes out, so a screen can tell "sent, not confirmed".
pub fn mark_sent(tx: &Transaction<'_>, visit_ids: &[String], at: i64) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO receipts (visit_id, status, chain, at) VALUES (?1, 'sent', NULL, ?2)
         ON CONFLICT (visit_id) DO NOTHING",
    )?;
    for id in visit_ids {
        stmt.execute(params![id, at])?;
    }
    Ok(())
}

/// Every receipt kept, by visit id.
pub fn receipts(conn: &Connection) -> Result<std::collections::HashMap<String, Sent>> {
    let mut stmt = conn.prepare_cached("SELECT visit_id, status FROM receipts")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(id, status)| {
            let sent = match doorstep_contract::wire::ReceiptStatus::parse(&status) {
                Some(r) => Sent::Receipted(r),
                None => Sent::Unanswered,
            };
            (id, sent)
        })
        .collect())
}

pub fn put_receipt(
    tx: &Transaction<'_>,
    visit_id: &str,
    status: &str,
    chain: Option<&str>,
    at: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO receipts (visit_id, status, chain, at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (visit_id) DO UPDATE SET status = ?2, chain = ?3, at = ?4",
        params![visit_id, status, chain, at],
    )?;
    Ok(())
}

/// Visits the server holds (stored or duplicate receipts) whose media have not all gone up:
/// only these records are opened again by the next sync, however long the device's history.
pub fn media_pending(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.visit_id FROM receipts r JOIN visits v ON v.id = r.visit_id
         WHERE r.status IN ('stored', 'duplicate') AND r.media_done = 0 ORDER BY v.seq",
    )?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

pub fn media_sent(conn: &Connection, sha: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM media_sent WHERE sha256 = ?1")?
        .query_row([sha], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Every media file the visit's record names is on the server.
pub fn mark_media_done(tx: &Transaction<'_>, visit_id: &str) -> Result<()> {
    tx.execute(
        "UPDATE receipts SET media_done = 1 WHERE visit_id = ?1",
        [visit_id],
    )?;
    Ok(())
}

pub fn mark_media_sent(tx: &Transaction<'_>, sha: &str) -> Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO media_sent (sha256) VALUES (?1)",
        [sha],
    )?;
    Ok(())
}
