//! Cross-device flags on SQLite: the candidates [`crate::flags::probe`] points at, fetched
//! from the spot and photo indexes, judged by [`crate::flags::matches`], written on both
//! visits; then the new visit indexed.

use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::ServerFlag;
use rusqlite::{params, Connection};

use crate::flags::{matches, probe, with_flag, Near, PhotoHit};
use crate::storage::{Result, StorageError};

fn add_flag(tx: &Connection, visit_id: &str, flag: ServerFlag) -> Result<()> {
    let (server, kinds): (String, String) = tx
        .prepare_cached("SELECT server_flags, flag_kinds FROM visits WHERE id = ?1")?
        .query_row([visit_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if let Some((server, kinds)) = with_flag(&server, &kinds, flag) {
        tx.prepare_cached(
            "UPDATE visits SET server_flags = ?2, flag_kinds = ?3, flagged = 1 WHERE id = ?1",
        )?
        .execute(params![visit_id, server, kinds])?;
    }
    Ok(())
}

/// Raises the cross-device flags of a newly kept visit, in the caller's transaction.
pub(super) fn raise(
    tx: &Connection,
    device_id: &str,
    record: &RecordV1,
    e: &Evidence,
) -> Result<()> {
    let (visit_id, recipient_id) = (record.visit_id.as_str(), record.recipient_id.as_str());
    let p = probe(record, e);
    let mut near = Vec::new();
    if let Some(s) = &p.spot {
        near = tx
            .prepare_cached(
                "SELECT visit_id, lat, lon FROM visit_points
                 WHERE cell_lat BETWEEN ?1 - 1 AND ?1 + 1 AND cell_lon BETWEEN ?2 - 1 AND ?2 + 1
                   AND device_id <> ?3 AND recipient_id <> ?4 AND abs(started_at - ?5) <= ?6",
            )?
            .query_map(
                params![
                    s.cell_lat,
                    s.cell_lon,
                    device_id,
                    recipient_id,
                    s.started,
                    s.window
                ],
                |r| {
                    Ok(Near {
                        visit_id: r.get(0)?,
                        lat: r.get(1)?,
                        lon: r.get(2)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO visit_points
                 (visit_id, device_id, recipient_id, cell_lat, cell_lon, lat, lon, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            visit_id,
            device_id,
            recipient_id,
            s.cell_lat,
            s.cell_lon,
            s.lat,
            s.lon,
            s.started
        ])?;
    }
    let mut hits = Vec::new();
    for (photo, ph) in p.photos.iter().enumerate() {
        for (band, value) in ph.bands {
            let mut stmt = tx.prepare_cached(
                "SELECT visit_id, phash FROM photo_bands
                 WHERE band = ?1 AND value = ?2 AND device_id <> ?3",
            )?;
            let found = stmt.query_map(params![band, value, device_id], |r| {
                Ok(PhotoHit {
                    photo,
                    visit_id: r.get(0)?,
                    phash: r.get(1)?,
                })
            })?;
            for h in found {
                hits.push(h?);
            }
        }
        for (band, value) in ph.bands {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO photo_bands (band, value, visit_id, device_id, phash)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![band, value, visit_id, device_id, ph.phash as i64])?;
        }
    }
    let mut mine = std::collections::BTreeSet::new();
    for (other, flag) in matches(&p, e, &near, &hits) {
        add_flag(tx, &other, flag)?;
        mine.insert(flag);
    }
    for flag in mine {
        add_flag(tx, visit_id, flag)?;
    }
    Ok(())
}

/// Raises the flags of up to `limit` visits kept since the last pass, oldest first, each
/// judged by its county's thresholds; in the caller's transaction.
pub(super) fn raise_pending(tx: &rusqlite::Transaction<'_>, limit: usize) -> Result<usize> {
    let pending = tx
        .prepare_cached(
            "SELECT id, device_id, record, county FROM visits
             WHERE flags_pending = 1 ORDER BY received_at, id LIMIT ?1",
        )?
        .query_map([limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // The thresholds each visit's county set (the same its devices judge their own flags
    // by), read once per county of the batch.
    let mut thresholds = std::collections::HashMap::new();
    for (id, device, bytes, county) in &pending {
        if !thresholds.contains_key(county) {
            thresholds.insert(county.clone(), super::issued::policy(tx, county)?.evidence);
        }
        let evidence = &thresholds[county];
        // Kept records decoded when they arrived; one that no longer does is damage.
        let record = RecordV1::decode(bytes).map_err(|_| StorageError::Damaged("sealed record"))?;
        raise(tx, device, &record, evidence)?;
        tx.prepare_cached("UPDATE visits SET flags_pending = 0 WHERE id = ?1")?
            .execute([id])?;
    }
    Ok(pending.len())
}
