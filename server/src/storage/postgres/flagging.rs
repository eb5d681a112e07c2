//! Cross-device flags on PostgreSQL, raised behind the pushes in batches under the flagger's
//! advisory lock. The judgement is the shared one (flags.rs); this reads the candidates it
//! points at and writes what it decides.

use std::collections::{BTreeSet, HashMap};

use deadpool_postgres::{Client, GenericClient};
use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::ServerFlag;

use super::{counts, issued, rows, schema};
use crate::flags::{matches, probe, with_flag, Near, PhotoHit};
use crate::storage::{Result, StorageError};

/// A visit in the spot index.
struct Point {
    visit_id: String,
    device_id: String,
    recipient_id: String,
    cell: (i64, i64),
    lat: f64,
    lon: f64,
    started: i64,
}

/// A photo in the band index.
struct Band {
    band: (i64, i64),
    visit_id: String,
    device_id: String,
    phash: i64,
}

/// Raises the flags of up to `limit` visits waiting for them, in one transaction under the
/// flagger's advisory lock. When another process holds it, this one leaves the batch to it
/// and returns 0. The batch is judged with a few statements, not a few per visit: the
/// candidates of all its visits read at once, each visit then judged in order against them
/// and against the batch's visits before it (as one at a time would), and the flags and
/// index entries written at once.
pub(super) async fn raise_pending_flags(c: &mut Client, limit: usize) -> Result<usize> {
    let tx = c.transaction().await?;
    let mine: bool = tx
        .query_one(
            "SELECT pg_try_advisory_xact_lock($1)",
            &[&schema::LOCK_FLAGS],
        )
        .await?
        .try_get(0)?;
    if !mine {
        return Ok(0);
    }
    counts::fold(&tx).await?;
    let st = tx
        .prepare_cached(
            "SELECT id, device_id, record, county FROM visits
             WHERE flags_pending ORDER BY received_at, id LIMIT $1",
        )
        .await?;
    let pending = rows(tx.query(&st, &[&(limit as i64)]).await?, |r| {
        Ok((
            r.try_get::<_, String>(0)?,
            r.try_get::<_, String>(1)?,
            r.try_get::<_, Vec<u8>>(2)?,
            r.try_get::<_, String>(3)?,
        ))
    })?;
    if pending.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    // The thresholds each visit's county set, read once per county of the batch.
    let mut thresholds = HashMap::new();
    for (_, _, _, county) in &pending {
        if !thresholds.contains_key(county) {
            thresholds.insert(county.clone(), issued::policy(&tx, county).await?.evidence);
        }
    }
    let mut batch = Vec::with_capacity(pending.len());
    for (id, device, bytes, county) in &pending {
        let record = RecordV1::decode(bytes).map_err(|_| StorageError::Damaged("sealed record"))?;
        let e = &thresholds[county];
        let p = probe(&record, e);
        batch.push((id.as_str(), device.as_str(), record, p, e));
    }
    let (mut points, mut bands) = candidates(&tx, &batch).await?;
    let (stored_points, stored_bands) = (points.len(), bands.len());
    // The candidates by cell and by band value, so that each visit looks up its own instead
    // of scanning the batch's (a scan of every band for every photo was most of the time).
    let mut by_cell: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, q) in points.iter().enumerate() {
        by_cell.entry(q.cell).or_default().push(i);
    }
    let mut by_band: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, b) in bands.iter().enumerate() {
        by_band.entry(b.band).or_default().push(i);
    }
    // Flags to add, by visit.
    let mut raised: HashMap<String, BTreeSet<ServerFlag>> = HashMap::new();
    for (id, device, record, p, e) in &batch {
        let mut near = Vec::new();
        if let Some(s) = &p.spot {
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let cell = (s.cell_lat + dy, s.cell_lon + dx);
                    for &i in by_cell.get(&cell).into_iter().flatten() {
                        let q = &points[i];
                        if q.device_id != *device
                            && q.recipient_id != record.recipient_id
                            && (q.started - s.started).abs() <= s.window
                        {
                            near.push(Near {
                                visit_id: q.visit_id.clone(),
                                lat: q.lat,
                                lon: q.lon,
                            });
                        }
                    }
                }
            }
        }
        let mut hits = Vec::new();
        for (photo, ph) in p.photos.iter().enumerate() {
            for band in &ph.bands {
                for &i in by_band.get(band).into_iter().flatten() {
                    let b = &bands[i];
                    if b.device_id != *device {
                        hits.push(PhotoHit {
                            photo,
                            visit_id: b.visit_id.clone(),
                            phash: b.phash,
                        });
                    }
                }
            }
        }
        for (other, flag) in matches(p, e, &near, &hits) {
            raised.entry(other).or_default().insert(flag);
            raised.entry((*id).to_owned()).or_default().insert(flag);
        }
        // Indexed for the batch's later visits, and below for good.
        if let Some(s) = &p.spot {
            by_cell
                .entry((s.cell_lat, s.cell_lon))
                .or_default()
                .push(points.len());
            points.push(Point {
                visit_id: (*id).to_owned(),
                device_id: (*device).to_owned(),
                recipient_id: record.recipient_id.clone(),
                cell: (s.cell_lat, s.cell_lon),
                lat: s.lat,
                lon: s.lon,
                started: s.started,
            });
        }
        for ph in &p.photos {
            for band in ph.bands {
                by_band.entry(band).or_default().push(bands.len());
                bands.push(Band {
                    band,
                    visit_id: (*id).to_owned(),
                    device_id: (*device).to_owned(),
                    phash: ph.phash as i64,
                });
            }
        }
    }
    index(&tx, &points[stored_points..], &bands[stored_bands..]).await?;
    add_flags(&tx, &raised).await?;
    let ids: Vec<&str> = pending.iter().map(|(id, _, _, _)| id.as_str()).collect();
    let done = tx
        .prepare_cached("UPDATE visits SET flags_pending = FALSE WHERE id = ANY($1)")
        .await?;
    tx.execute(&done, &[&ids]).await?;
    tx.commit().await?;
    Ok(pending.len())
}

/// The stored index entries any visit of the batch may match: points in the cells around
/// its best fix, photos sharing one of its bands.
async fn candidates(
    tx: &impl GenericClient,
    batch: &[(&str, &str, RecordV1, crate::flags::Probe, &Evidence)],
) -> Result<(Vec<Point>, Vec<Band>)> {
    let (mut cy, mut cx) = (Vec::new(), Vec::new());
    let (mut bn, mut bv) = (Vec::new(), Vec::new());
    for (_, _, _, p, _) in batch {
        if let Some(s) = &p.spot {
            cy.push(s.cell_lat);
            cx.push(s.cell_lon);
        }
        for ph in &p.photos {
            for (b, v) in ph.bands {
                bn.push(b);
                bv.push(v);
            }
        }
    }
    let mut points = Vec::new();
    if !cy.is_empty() {
        let st = tx
            .prepare_cached(
                "SELECT DISTINCT p.visit_id, p.device_id, p.recipient_id, p.cell_lat, p.cell_lon,
                        p.lat, p.lon, p.started_at
                 FROM unnest($1::BIGINT[], $2::BIGINT[]) AS q (cy, cx)
                 JOIN visit_points p ON p.cell_lat BETWEEN q.cy - 1 AND q.cy + 1
                                    AND p.cell_lon BETWEEN q.cx - 1 AND q.cx + 1",
            )
            .await?;
        points = rows(tx.query(&st, &[&cy, &cx]).await?, |r| {
            Ok(Point {
                visit_id: r.try_get(0)?,
                device_id: r.try_get(1)?,
                recipient_id: r.try_get(2)?,
                cell: (r.try_get(3)?, r.try_get(4)?),
                lat: r.try_get(5)?,
                lon: r.try_get(6)?,
                started: r.try_get(7)?,
            })
        })?;
    }
    let mut bands = Vec::new();
    if !bn.is_empty() {
        let st = tx
            .prepare_cached(
                "SELECT DISTINCT b.band, b.value, b.visit_id, b.device_id, b.phash
                 FROM unnest($1::BIGINT[], $2::BIGINT[]) AS q (band, value)
                 JOIN photo_bands b ON b.band = q.band AND b.value = q.value",
            )
            .await?;
        bands = rows(tx.query(&st, &[&bn, &bv]).await?, |r| {
            Ok(Band {
                band: (r.try_get(0)?, r.try_get(1)?),
                visit_id: r.try_get(2)?,
                device_id: r.try_get(3)?,
                phash: r.try_get(4)?,
            })
        })?;
    }
    Ok((points, bands))
}

/// The batch's visits in the spot and band indexes.
async fn index(tx: &impl GenericClient, points: &[Point], bands: &[Band]) -> Result<()> {
    if !points.is_empty() {
        let st = tx
            .prepare_cached(
                "INSERT INTO visit_points
                     (visit_id, device_id, recipient_id, cell_lat, cell_lon, lat, lon, started_at)
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[],
                                      $5::BIGINT[], $6::DOUBLE PRECISION[],
                                      $7::DOUBLE PRECISION[], $8::BIGINT[])
                 ON CONFLICT (cell_lat, cell_lon, visit_id) DO NOTHING",
            )
            .await?;
        let col = |f: &dyn Fn(&Point) -> String| points.iter().map(f).collect::<Vec<_>>();
        tx.execute(
            &st,
            &[
                &col(&|p| p.visit_id.clone()),
                &col(&|p| p.device_id.clone()),
                &col(&|p| p.recipient_id.clone()),
                &points.iter().map(|p| p.cell.0).collect::<Vec<_>>(),
                &points.iter().map(|p| p.cell.1).collect::<Vec<_>>(),
                &points.iter().map(|p| p.lat).collect::<Vec<_>>(),
                &points.iter().map(|p| p.lon).collect::<Vec<_>>(),
                &points.iter().map(|p| p.started).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    if !bands.is_empty() {
        let st = tx
            .prepare_cached(
                "INSERT INTO photo_bands (band, value, visit_id, device_id, phash)
                 SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[],
                                      $5::BIGINT[])
                 ON CONFLICT (band, value, visit_id, phash) DO NOTHING",
            )
            .await?;
        tx.execute(
            &st,
            &[
                &bands.iter().map(|b| b.band.0).collect::<Vec<_>>(),
                &bands.iter().map(|b| b.band.1).collect::<Vec<_>>(),
                &bands.iter().map(|b| b.visit_id.clone()).collect::<Vec<_>>(),
                &bands
                    .iter()
                    .map(|b| b.device_id.clone())
                    .collect::<Vec<_>>(),
                &bands.iter().map(|b| b.phash).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Adds the raised flags to each visit's lists (read and written at once, rows locked).
async fn add_flags(
    tx: &impl GenericClient,
    raised: &HashMap<String, BTreeSet<ServerFlag>>,
) -> Result<()> {
    if raised.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = raised.keys().map(String::as_str).collect();
    let st = tx
        .prepare_cached(
            "SELECT id, server_flags, flag_kinds FROM visits WHERE id = ANY($1) ORDER BY id
             FOR UPDATE",
        )
        .await?;
    let (mut changed, mut servers, mut kinds) = (Vec::new(), Vec::new(), Vec::new());
    for r in tx.query(&st, &[&ids]).await? {
        let id: String = r.try_get(0)?;
        let (mut server, mut kind): (String, String) = (r.try_get(1)?, r.try_get(2)?);
        let mut any = false;
        for flag in raised.get(&id).into_iter().flatten() {
            if let Some((s, k)) = with_flag(&server, &kind, *flag) {
                (server, kind, any) = (s, k, true);
            }
        }
        if any {
            changed.push(id);
            servers.push(server);
            kinds.push(kind);
        }
    }
    let st = tx
        .prepare_cached(
            "UPDATE visits SET server_flags = u.server, flag_kinds = u.kinds, flagged = TRUE
             FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[]) AS u (id, server, kinds)
             WHERE visits.id = u.id",
        )
        .await?;
    tx.execute(&st, &[&changed, &servers, &kinds]).await?;
    Ok(())
}
