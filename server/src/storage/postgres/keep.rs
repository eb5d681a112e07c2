//! Keeping sealed visits on PostgreSQL. The judgement is the shared one (storage/rules.rs);
//! this reads the facts it needs and writes what it decides.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;

use super::tickets;
use crate::storage::rules::{self, ChainFacts};
use crate::storage::{Chain, IncomingVisit, Kept, Result};

/// A record of the device as the batch sees it: stored before, or kept earlier in the batch.
#[derive(Debug, Clone)]
struct Placed {
    id: String,
    sha: String,
    chain: String,
    prev: Option<String>,
}

/// Keeps a request's batch in the caller's transaction with a handful of statements, not a
/// few per visit: the facts every visit's judgement needs read at once, judged in order
/// (each visit sees those kept before it in the batch, as one at a time would), then written
/// at once. Idempotent by visit id, judged against its device's chain.
pub(super) async fn keep_batch(
    tx: &impl GenericClient,
    batch: &[IncomingVisit],
) -> Result<Vec<Kept>> {
    let ids: Vec<&str> = batch.iter().map(|v| v.record.visit_id.as_str()).collect();
    let people: Vec<&str> = batch
        .iter()
        .map(|v| v.record.recipient_id.as_str())
        .collect();
    // The chain places around every record of the batch, per device (a request's records
    // are one device's).
    let mut devices: Vec<&str> = batch.iter().map(|v| v.device_id.as_str()).collect();
    devices.sort_unstable();
    devices.dedup();
    let seqs: Vec<Vec<i64>> = devices
        .iter()
        .map(|device| {
            batch
                .iter()
                .filter(|v| v.device_id == *device)
                .flat_map(|v| {
                    let s = v.record.seq as i64;
                    [s - 1, s, s + 1]
                })
                .collect()
        })
        .collect();
    let (kept_st, people_st, places_st) = tokio::try_join!(
        tx.prepare_cached("SELECT id, sha256, chain FROM visits WHERE id = ANY($1)"),
        tx.prepare_cached("SELECT id, village FROM recipients WHERE id = ANY($1)"),
        tx.prepare_cached(
            "SELECT seq, id, sha256, chain, prev_hash FROM visits
             WHERE device_id = $1 AND seq = ANY($2)",
        ),
    )?;
    // The reads are independent: sent together (tokio-postgres pipelines them on the
    // connection), one round trip instead of three.
    let around =
        futures_util::future::try_join_all(devices.iter().zip(&seqs).map(|(device, seqs)| {
            let places_st = &places_st;
            async move { tx.query(places_st, &[device, seqs]).await }
        }));
    let (kept_rows, people_rows, around) = tokio::try_join!(
        async { tx.query(&kept_st, &[&ids]).await },
        async { tx.query(&people_st, &[&people]).await },
        around
    )?;
    let mut known: HashMap<String, (String, String)> = HashMap::new();
    for r in kept_rows {
        known.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    let mut villages: HashMap<String, String> = HashMap::new();
    for r in people_rows {
        villages.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let mut places: HashMap<(String, i64), Vec<Placed>> = HashMap::new();
    for (device, found) in devices.iter().zip(around) {
        for r in found {
            places
                .entry(((*device).to_owned(), r.try_get(0)?))
                .or_default()
                .push(Placed {
                    id: r.try_get(1)?,
                    sha: r.try_get(2)?,
                    chain: r.try_get(3)?,
                    prev: r.try_get(4)?,
                });
        }
    }

    let mut out = Vec::with_capacity(batch.len());
    let mut new: Vec<(&IncomingVisit, String, Chain)> = Vec::new();
    for v in batch {
        if let Some((sha, chain)) = known.get(&v.record.visit_id) {
            out.push(rules::already_kept(sha, chain, &v.sha256));
            continue;
        }
        let Some(village) = villages
            .get(&v.record.recipient_id)
            .filter(|code| rules::in_area(&v.area, code))
        else {
            out.push(Kept::UnknownRecipient);
            continue;
        };
        let seq = v.record.seq as i64;
        let at = |s: i64| places.get(&(v.device_id.clone(), s));
        let facts = ChainFacts {
            seq_taken: at(seq).is_some_and(|p| p.iter().any(|x| x.id != v.record.visit_id)),
            before: if v.record.seq > 1 {
                at(seq - 1)
                    .map(|p| p.iter().map(|x| x.sha.clone()).collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            },
        };
        let chain = rules::judge_chain(&v.record, &facts);
        // The record a gap waited for: its successor kept earlier in this batch follows now
        // (one stored before is updated below).
        if let Some(next) = places.get_mut(&(v.device_id.clone(), rules::closes_gap(&v.record))) {
            for p in next.iter_mut() {
                if p.chain == Chain::Gap.code() && p.prev.as_deref() == Some(v.sha256.as_str()) {
                    p.chain = Chain::Ok.code().to_owned();
                    if let Some(n) = new.iter_mut().find(|(n, _, _)| n.record.visit_id == p.id) {
                        n.2 = Chain::Ok;
                    }
                }
            }
        }
        places
            .entry((v.device_id.clone(), seq))
            .or_default()
            .push(Placed {
                id: v.record.visit_id.clone(),
                sha: v.sha256.clone(),
                chain: chain.code().to_owned(),
                prev: v.record.prev_hash.clone(),
            });
        known.insert(
            v.record.visit_id.clone(),
            (v.sha256.clone(), chain.code().to_owned()),
        );
        out.push(Kept::Stored(chain));
        new.push((v, village.clone(), chain));
    }
    if new.is_empty() {
        return Ok(out);
    }
    write_new(tx, &new).await?;
    Ok(out)
}

/// Writes the batch's new visits, their media names, the gaps they close and the visits
/// they correct, and enters their tickets.
async fn write_new(tx: &impl GenericClient, new: &[(&IncomingVisit, String, Chain)]) -> Result<()> {
    let col = |f: &dyn Fn(&IncomingVisit) -> String| -> Vec<String> {
        new.iter().map(|(v, _, _)| f(v)).collect()
    };
    let ids = col(&|v| v.record.visit_id.clone());
    let devices = col(&|v| v.device_id.clone());
    let seqs: Vec<i64> = new.iter().map(|(v, _, _)| v.record.seq as i64).collect();
    let shas = col(&|v| v.sha256.clone());
    let prevs: Vec<Option<String>> = new
        .iter()
        .map(|(v, _, _)| v.record.prev_hash.clone())
        .collect();
    let records: Vec<&[u8]> = new.iter().map(|(v, _, _)| v.bytes.as_slice()).collect();
    let sigs: Vec<&[u8]> = new.iter().map(|(v, _, _)| v.signature.as_slice()).collect();
    let people = col(&|v| v.record.recipient_id.clone());
    let areas = col(&|v| v.area.clone());
    let corrects: Vec<Option<String>> = new
        .iter()
        .map(|(v, _, _)| v.record.corrects.clone())
        .collect();
    let chains: Vec<&str> = new.iter().map(|(_, _, c)| c.code()).collect();
    let received: Vec<i64> = new.iter().map(|(v, _, _)| v.now).collect();
    let villages: Vec<&str> = new.iter().map(|(_, village, _)| village.as_str()).collect();
    let counties: Vec<&str> = villages.iter().map(|v| rules::county_of(v)).collect();
    let started: Vec<i64> = new
        .iter()
        .map(|(v, _, _)| v.record.started_at.timestamp())
        .collect();
    let kinds: Vec<Vec<&'static str>> = new
        .iter()
        .map(|(v, _, _)| rules::device_flag_kinds(&v.record))
        .collect();
    let flagged: Vec<bool> = kinds.iter().map(|k| !k.is_empty()).collect();
    let kinds: Vec<String> = kinds
        .iter()
        .map(|k| serde_json::to_string(k).unwrap_or_else(|_| "[]".into()))
        .collect();
    let put = tx
        .prepare_cached(
            "INSERT INTO visits (id, device_id, seq, sha256, prev_hash, record, signature,
                                 recipient_id, area, corrects, chain, status, received_at,
                                 village, started_at, flag_kinds, flagged, county)
             SELECT id, device_id, seq, sha256, prev_hash, record, signature, recipient_id,
                    area, corrects, chain, $12, received_at, village, started_at, flag_kinds,
                    flagged, county
             FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[],
                         $6::BYTEA[], $7::BYTEA[], $8::TEXT[], $9::TEXT[], $10::TEXT[],
                         $11::TEXT[], $13::BIGINT[], $14::TEXT[], $15::BIGINT[], $16::TEXT[],
                         $17::BOOLEAN[], $18::TEXT[])
                 AS u (id, device_id, seq, sha256, prev_hash, record, signature, recipient_id,
                       area, corrects, chain, received_at, village, started_at, flag_kinds,
                       flagged, county)",
        )
        .await?;
    // A plain insert: a visit id kept meanwhile by another request of the same device (a
    // retry racing the first) fails the batch, and the device's next try finds it kept.
    tx.execute(
        &put,
        &[
            &ids,
            &devices,
            &seqs,
            &shas,
            &prevs,
            &records,
            &sigs,
            &people,
            &areas,
            &corrects,
            &chains,
            &rules::KEPT_STATUS.code(),
            &received,
            &villages,
            &started,
            &kinds,
            &flagged,
            &counties,
        ],
    )
    .await?;
    let (mut media_visits, mut media_shas) = (Vec::new(), Vec::new());
    for (v, _, _) in new {
        for sha in v.record.media() {
            media_visits.push(v.record.visit_id.as_str());
            media_shas.push(sha);
        }
    }
    // Gaps stored before this batch that its records close.
    let next: Vec<i64> = new
        .iter()
        .map(|(v, _, _)| rules::closes_gap(&v.record))
        .collect();
    let originals: Vec<&str> = new
        .iter()
        .filter_map(|(v, _, _)| v.record.corrects.as_deref())
        .collect();
    // Independent of each other (each only needs the visits inserted above): sent together,
    // pipelined on the connection.
    let media = async {
        if media_visits.is_empty() {
            return Ok(0);
        }
        let st = tx
            .prepare_cached(
                "INSERT INTO visit_media (visit_id, sha256)
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[])
                 ON CONFLICT (sha256, visit_id) DO NOTHING",
            )
            .await?;
        tx.execute(&st, &[&media_visits, &media_shas]).await
    };
    let gaps = async {
        let st = tx
            .prepare_cached(
                "UPDATE visits SET chain = 'ok'
                 FROM unnest($1::TEXT[], $2::BIGINT[], $3::TEXT[]) AS u (device_id, seq, sha)
                 WHERE visits.device_id = u.device_id AND visits.seq = u.seq
                   AND visits.chain = 'gap' AND visits.prev_hash = u.sha",
            )
            .await?;
        tx.execute(&st, &[&devices, &next, &shas]).await
    };
    let corrected = async {
        if originals.is_empty() {
            return Ok(0);
        }
        let (from, to) = rules::CORRECTED;
        let st = tx
            .prepare_cached("UPDATE visits SET status = $3 WHERE id = ANY($1) AND status = $2")
            .await?;
        tx.execute(&st, &[&originals, &from.code(), &to.code()])
            .await
    };
    // The queue's counts of the new visits, one delta per village and flagged-or-not.
    let counted = async {
        let st = tx
            .prepare_cached(
                "INSERT INTO queue_count_deltas (village, status, flagged, n)
                 SELECT village, $3, flagged, count(*)
                 FROM unnest($1::TEXT[], $2::BOOLEAN[]) AS u (village, flagged)
                 GROUP BY village, flagged",
            )
            .await?;
        tx.execute(&st, &[&villages, &flagged, &rules::KEPT_STATUS.code()])
            .await
    };
    tokio::try_join!(media, gaps, corrected, counted)?;
    for (v, village, _) in new {
        tickets::enter(tx, v, village).await?;
    }
    Ok(())
}
