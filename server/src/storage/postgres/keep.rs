//! Keeping sealed visits on PostgreSQL, and raising their cross-device flags behind the
//! pushes. The judgement is the shared one (storage/rules.rs, flags.rs); this reads the facts
//! it needs and writes what it decides.

use std::collections::BTreeSet;

use deadpool_postgres::{Client, GenericClient};
use doorstep_contract::policy::Evidence;
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::ServerFlag;

use super::{issued, rows, schema, tickets};
use crate::flags::{matches, probe, with_flag, Near, PhotoHit};
use crate::storage::rules::{self, ChainFacts};
use crate::storage::{IncomingVisit, Kept, Result, StorageError};

async fn chain_facts(tx: &impl GenericClient, v: &IncomingVisit) -> Result<ChainFacts> {
    let seq = v.record.seq as i64;
    let taken = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM visits WHERE device_id = $1 AND seq = $2 AND id <> $3)",
        )
        .await?;
    let seq_taken: bool = tx
        .query_one(&taken, &[&v.device_id, &seq, &v.record.visit_id])
        .await?
        .try_get(0)?;
    let before = if v.record.seq > 1 {
        let st = tx
            .prepare_cached("SELECT sha256 FROM visits WHERE device_id = $1 AND seq = $2")
            .await?;
        rows(tx.query(&st, &[&v.device_id, &(seq - 1)]).await?, |r| {
            r.try_get(0)
        })?
    } else {
        Vec::new()
    };
    Ok(ChainFacts { seq_taken, before })
}

async fn existing(tx: &impl GenericClient, v: &IncomingVisit) -> Result<Option<Kept>> {
    let st = tx
        .prepare_cached("SELECT sha256, chain FROM visits WHERE id = $1")
        .await?;
    Ok(match tx.query_opt(&st, &[&v.record.visit_id]).await? {
        Some(r) => Some(rules::already_kept(r.try_get(0)?, r.try_get(1)?, &v.sha256)),
        None => None,
    })
}

/// Keeps one visit in the caller's transaction: idempotent by visit id, judged against its
/// device's chain.
pub(super) async fn keep_one(tx: &impl GenericClient, v: &IncomingVisit) -> Result<Kept> {
    if let Some(kept) = existing(tx, v).await? {
        return Ok(kept);
    }
    let village = tx
        .prepare_cached("SELECT village FROM recipients WHERE id = $1")
        .await?;
    let village: Option<String> = match tx.query_opt(&village, &[&v.record.recipient_id]).await? {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    };
    let Some(village) = village.filter(|code| rules::in_area(&v.area, code)) else {
        return Ok(Kept::UnknownRecipient);
    };
    let flags = rules::device_flag_kinds(&v.record);
    let chain = rules::judge_chain(&v.record, &chain_facts(tx, v).await?);
    let put = tx
        .prepare_cached(
            "INSERT INTO visits (id, device_id, seq, sha256, prev_hash, record, signature,
                                 recipient_id, area, corrects, chain, status, received_at,
                                 village, started_at, flag_kinds, flagged)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             ON CONFLICT (id) DO NOTHING",
        )
        .await?;
    let kinds = serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into());
    let added = tx
        .execute(
            &put,
            &[
                &v.record.visit_id,
                &v.device_id,
                &(v.record.seq as i64),
                &v.sha256,
                &v.record.prev_hash,
                &v.bytes,
                &v.signature,
                &v.record.recipient_id,
                &v.area,
                &v.record.corrects,
                &chain.code(),
                &rules::KEPT_STATUS.code(),
                &v.now,
                &village,
                &v.record.started_at.timestamp(),
                &kinds,
                &!flags.is_empty(),
            ],
        )
        .await?;
    if added == 0 {
        // Kept meanwhile by another request of the same device (a retry racing the first).
        return existing(tx, v)
            .await?
            .ok_or(StorageError::Backend("a visit kept and gone".into()));
    }
    let media = tx
        .prepare_cached(
            "INSERT INTO visit_media (visit_id, sha256) VALUES ($1, $2)
             ON CONFLICT (sha256, visit_id) DO NOTHING",
        )
        .await?;
    for sha in v.record.media() {
        tx.execute(&media, &[&v.record.visit_id, &sha]).await?;
    }
    let gap = tx
        .prepare_cached(
            "UPDATE visits SET chain = 'ok'
             WHERE device_id = $1 AND seq = $2 AND chain = 'gap' AND prev_hash = $3",
        )
        .await?;
    tx.execute(
        &gap,
        &[&v.device_id, &rules::closes_gap(&v.record), &v.sha256],
    )
    .await?;
    if let Some(original) = &v.record.corrects {
        let (from, to) = rules::CORRECTED;
        let st = tx
            .prepare_cached("UPDATE visits SET status = $3 WHERE id = $1 AND status = $2")
            .await?;
        tx.execute(&st, &[original, &from.code(), &to.code()])
            .await?;
    }
    tickets::enter(tx, v, &village).await?;
    Ok(Kept::Stored(chain))
}

/// Raises the flags of up to `limit` visits waiting for them, in one transaction under the
/// flagger's advisory lock. When another process holds it, this one leaves the batch to it
/// and returns 0.
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
    let st = tx
        .prepare_cached(
            "SELECT id, device_id, record FROM visits
             WHERE flags_pending ORDER BY received_at, id LIMIT $1",
        )
        .await?;
    let pending = rows(tx.query(&st, &[&(limit as i64)]).await?, |r| {
        Ok((
            r.try_get::<_, String>(0)?,
            r.try_get::<_, String>(1)?,
            r.try_get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let evidence = issued::policy(&tx).await?.evidence;
    let done = tx
        .prepare_cached("UPDATE visits SET flags_pending = FALSE WHERE id = $1")
        .await?;
    for (id, device, bytes) in &pending {
        let record = RecordV1::decode(bytes).map_err(|_| StorageError::Damaged("sealed record"))?;
        raise(&tx, device, &record, &evidence).await?;
        tx.execute(&done, &[id]).await?;
    }
    tx.commit().await?;
    Ok(pending.len())
}

async fn add_flag(tx: &impl GenericClient, visit_id: &str, flag: ServerFlag) -> Result<()> {
    let st = tx
        .prepare_cached("SELECT server_flags, flag_kinds FROM visits WHERE id = $1 FOR UPDATE")
        .await?;
    let r = tx.query_one(&st, &[&visit_id]).await?;
    if let Some((server, kinds)) = with_flag(r.try_get(0)?, r.try_get(1)?, flag) {
        let st = tx
            .prepare_cached(
                "UPDATE visits SET server_flags = $2, flag_kinds = $3, flagged = TRUE
                 WHERE id = $1",
            )
            .await?;
        tx.execute(&st, &[&visit_id, &server, &kinds]).await?;
    }
    Ok(())
}

async fn raise(
    tx: &impl GenericClient,
    device_id: &str,
    record: &RecordV1,
    e: &Evidence,
) -> Result<()> {
    let (visit_id, recipient_id) = (record.visit_id.as_str(), record.recipient_id.as_str());
    let p = probe(record, e);
    let mut near = Vec::new();
    if let Some(s) = &p.spot {
        let st = tx
            .prepare_cached(
                "SELECT visit_id, lat, lon FROM visit_points
                 WHERE cell_lat BETWEEN $1::BIGINT - 1 AND $1::BIGINT + 1
                   AND cell_lon BETWEEN $2::BIGINT - 1 AND $2::BIGINT + 1
                   AND device_id <> $3 AND recipient_id <> $4 AND abs(started_at - $5) <= $6",
            )
            .await?;
        let found = tx
            .query(
                &st,
                &[
                    &s.cell_lat,
                    &s.cell_lon,
                    &device_id,
                    &recipient_id,
                    &s.started,
                    &s.window,
                ],
            )
            .await?;
        near = rows(found, |r| {
            Ok(Near {
                visit_id: r.try_get(0)?,
                lat: r.try_get(1)?,
                lon: r.try_get(2)?,
            })
        })?;
        let st = tx
            .prepare_cached(
                "INSERT INTO visit_points
                     (visit_id, device_id, recipient_id, cell_lat, cell_lon, lat, lon, started_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (cell_lat, cell_lon, visit_id) DO NOTHING",
            )
            .await?;
        tx.execute(
            &st,
            &[
                &visit_id,
                &device_id,
                &recipient_id,
                &s.cell_lat,
                &s.cell_lon,
                &s.lat,
                &s.lon,
                &s.started,
            ],
        )
        .await?;
    }
    let mut hits = Vec::new();
    let find = tx
        .prepare_cached(
            "SELECT visit_id, phash FROM photo_bands
             WHERE band = $1 AND value = $2 AND device_id <> $3",
        )
        .await?;
    let put = tx
        .prepare_cached(
            "INSERT INTO photo_bands (band, value, visit_id, device_id, phash)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (band, value, visit_id, phash) DO NOTHING",
        )
        .await?;
    for (photo, ph) in p.photos.iter().enumerate() {
        for (band, value) in ph.bands {
            let found = tx.query(&find, &[&band, &value, &device_id]).await?;
            hits.extend(rows(found, |r| {
                Ok(PhotoHit {
                    photo,
                    visit_id: r.try_get(0)?,
                    phash: r.try_get(1)?,
                })
            })?);
        }
        for (band, value) in ph.bands {
            tx.execute(
                &put,
                &[&band, &value, &visit_id, &device_id, &(ph.phash as i64)],
            )
            .await?;
        }
    }
    let mut mine = BTreeSet::new();
    for (other, flag) in matches(&p, e, &near, &hits) {
        add_flag(tx, &other, flag).await?;
        mine.insert(flag);
    }
    for flag in mine {
        add_flag(tx, visit_id, flag).await?;
    }
    Ok(())
}
