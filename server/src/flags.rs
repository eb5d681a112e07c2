//! Authenticity flags only the server can raise, because only it sees every device: the same
//! spot recorded for another household by another device, and the same photo in another
//! device's visit. (Each device already flags its own visits; these cross devices.) Flags
//! never refuse a record: they go with it to the review queue, on both visits involved.

use std::collections::BTreeSet;

use doorstep_contract::geo::distance_m;
use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::ServerFlag;
use rusqlite::{params, Connection};

use crate::storage::Result;

/// Five bands of a 64-bit hash: two hashes within 4 bits (the policy's `same_photo_bits`,
/// at most 4 for this index to find every pair) agree exactly on at least one band
/// (pigeonhole), so candidates come from an index instead of a scan of every photo.
const BANDS: [(u32, u32); 5] = [(0, 13), (13, 13), (26, 13), (39, 13), (52, 12)];
/// Grid cells for the spot index: 1e-4 degrees, about 11 m north-south.
const CELL: f64 = 1e-4;

fn band(phash: u64, (shift, bits): (u32, u32)) -> i64 {
    ((phash >> shift) & ((1u64 << bits) - 1)) as i64
}

fn cell(v: f64) -> i64 {
    (v / CELL).floor() as i64
}

/// Adds `flag` to a visit's server flags and to the kinds the review queue sorts on (each
/// kept sorted, once).
fn add_flag(tx: &Connection, visit_id: &str, flag: ServerFlag) -> Result<()> {
    let flag = flag.code();
    let (server, kinds): (String, String) = tx
        .prepare_cached("SELECT server_flags, flag_kinds FROM visits WHERE id = ?1")?
        .query_row([visit_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut server: BTreeSet<String> = serde_json::from_str(&server).unwrap_or_default();
    let mut kinds: BTreeSet<String> = serde_json::from_str(&kinds).unwrap_or_default();
    let changed = server.insert(flag.to_owned()) | kinds.insert(flag.to_owned());
    if changed {
        let json = |s: &BTreeSet<String>| serde_json::to_string(s).unwrap_or_else(|_| "[]".into());
        tx.prepare_cached(
            "UPDATE visits SET server_flags = ?2, flag_kinds = ?3, flagged = 1 WHERE id = ?1",
        )?
        .execute(params![visit_id, json(&server), json(&kinds)])?;
    }
    Ok(())
}

/// Indexes a newly kept visit and raises the cross-device flags on it and on the visits it
/// matches. Returns the new visit's server flags.
pub fn raise(
    tx: &Connection,
    device_id: &str,
    record: &RecordV1,
    e: &Evidence,
) -> Result<Vec<ServerFlag>> {
    let (visit_id, recipient_id) = (record.visit_id.as_str(), record.recipient_id.as_str());
    // Beyond the index's reach (see BANDS), the same photo is judged at the index's bound.
    let same_photo_bits = e.same_photo_bits.min(4);
    let started = record.started_at.timestamp();
    let mut matches: Vec<(String, ServerFlag)> = Vec::new();
    if let Some(best) = record
        .fixes
        .best
        .as_ref()
        .filter(|b| b.lat.is_finite() && b.lon.is_finite())
    {
        let (cy, cx) = (cell(best.lat), cell(best.lon));
        let window = e.same_spot_days * 86_400;
        let mut stmt = tx.prepare_cached(
            "SELECT visit_id, lat, lon FROM visit_points
             WHERE cell_lat BETWEEN ?1 - 1 AND ?1 + 1 AND cell_lon BETWEEN ?2 - 1 AND ?2 + 1
               AND device_id <> ?3 AND recipient_id <> ?4 AND abs(started_at - ?5) <= ?6",
        )?;
        let near = stmt
            .query_map(
                params![cy, cx, device_id, recipient_id, started, window],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, f64>(1)?,
                        r.get::<_, f64>(2)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (other, lat, lon) in near {
            if distance_m((lat, lon), (best.lat, best.lon)) <= e.same_spot_m {
                matches.push((other, ServerFlag::SameSpotOtherDevice));
            }
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO visit_points
                 (visit_id, device_id, recipient_id, cell_lat, cell_lon, lat, lon, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            visit_id,
            device_id,
            recipient_id,
            cy,
            cx,
            best.lat,
            best.lon,
            started
        ])?;
    }
    for &phash in &record.photo_phashes {
        let mut seen = BTreeSet::new();
        for (i, b) in BANDS.iter().enumerate() {
            let mut stmt = tx.prepare_cached(
                "SELECT visit_id, phash FROM photo_bands
                 WHERE band = ?1 AND value = ?2 AND device_id <> ?3",
            )?;
            let hits = stmt
                .query_map(params![i as i64, band(phash, *b), device_id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (other, theirs) in hits {
                if (phash ^ theirs as u64).count_ones() <= same_photo_bits
                    && seen.insert(other.clone())
                {
                    matches.push((other, ServerFlag::PhotoReusedOtherDevice));
                }
            }
        }
        for (i, b) in BANDS.iter().enumerate() {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO photo_bands (band, value, visit_id, device_id, phash)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                i as i64,
                band(phash, *b),
                visit_id,
                device_id,
                phash as i64
            ])?;
        }
    }
    let mut mine = BTreeSet::new();
    for (other, flag) in matches {
        add_flag(tx, &other, flag)?;
        mine.insert(flag);
    }
    for flag in &mine {
        add_flag(tx, visit_id, *flag)?;
    }
    Ok(mine.into_iter().collect())
}
