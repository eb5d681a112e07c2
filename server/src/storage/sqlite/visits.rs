//! Keeping a sealed visit: idempotent by visit id, placed in its device's hash chain, its
//! tickets entered in the ledger.

use rusqlite::{params, Connection, OptionalExtension};

use super::tickets::enter_tickets;
use crate::storage::rules::{self, ChainFacts};
use crate::storage::{IncomingVisit, Kept, Result};

/// What the chain judgement needs to know of the record's neighbours.
fn chain_facts(tx: &Connection, v: &IncomingVisit) -> Result<ChainFacts> {
    let taken: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM visits WHERE device_id = ?1 AND seq = ?2 AND id <> ?3",
        )?
        .query_row(
            params![v.device_id, v.record.seq as i64, v.record.visit_id],
            |r| r.get(0),
        )?;
    let before = if v.record.seq > 1 {
        tx.prepare_cached("SELECT sha256 FROM visits WHERE device_id = ?1 AND seq = ?2")?
            .query_map(params![v.device_id, v.record.seq as i64 - 1], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    Ok(ChainFacts {
        seq_taken: taken > 0,
        before,
    })
}

/// Keeps one visit in the caller's transaction: idempotent by visit id, judged against its
/// device's chain.
pub(super) fn keep_one(tx: &Connection, v: &IncomingVisit) -> Result<Kept> {
    let existing = tx
        .prepare_cached("SELECT sha256, chain FROM visits WHERE id = ?1")?
        .query_row([&v.record.visit_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    if let Some((sha, chain)) = existing {
        return Ok(rules::already_kept(&sha, &chain, &v.sha256));
    }
    let village: Option<String> = tx
        .prepare_cached(
            "SELECT village FROM recipients WHERE id = ?1 AND substr(village, 1, length(?2)) = ?2",
        )?
        .query_row(params![v.record.recipient_id, v.area], |r| r.get(0))
        .optional()?;
    let Some(village) = village else {
        return Ok(Kept::UnknownRecipient);
    };
    // What the review queue sorts on: the kinds of the flags the device raised.
    let flags = rules::device_flag_kinds(&v.record);
    let chain = rules::judge_chain(&v.record, &chain_facts(tx, v)?);
    tx.prepare_cached(
        "INSERT INTO visits (id, device_id, seq, sha256, prev_hash, record, signature,
                             recipient_id, area, corrects, chain, status, received_at,
                             village, started_at, flag_kinds, flagged, county)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?17, ?12,
                 ?13, ?14, ?15, ?16, ?18)",
    )?
    .execute(params![
        v.record.visit_id,
        v.device_id,
        v.record.seq as i64,
        v.sha256,
        v.record.prev_hash,
        v.bytes,
        v.signature,
        v.record.recipient_id,
        v.area,
        v.record.corrects,
        chain.code(),
        v.now,
        village,
        v.record.started_at.timestamp(),
        serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()),
        !flags.is_empty(),
        rules::KEPT_STATUS.code(),
        rules::county_of(&village)
    ])?;
    for sha in v.record.media() {
        tx.prepare_cached("INSERT OR IGNORE INTO visit_media (visit_id, sha256) VALUES (?1, ?2)")?
            .execute(params![v.record.visit_id, sha])?;
    }
    // The record a gap was waiting for: its successor now follows the chain.
    tx.prepare_cached(
        "UPDATE visits SET chain = 'ok'
         WHERE device_id = ?1 AND seq = ?2 AND chain = 'gap' AND prev_hash = ?3",
    )?
    .execute(params![v.device_id, rules::closes_gap(&v.record), v.sha256])?;
    // A correction answers a returned visit.
    if let Some(original) = &v.record.corrects {
        let (from, to) = rules::CORRECTED;
        tx.prepare_cached("UPDATE visits SET status = ?3 WHERE id = ?1 AND status = ?2")?
            .execute(params![original, from.code(), to.code()])?;
    }
    enter_tickets(tx, v)?;
    Ok(Kept::Stored(chain))
}
