//! The web app's queries on PostgreSQL: the review queue with its filters, one visit.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::wire::Chain;
use doorstep_crypto::{unhex, verify_signature};
use tokio_postgres::types::ToSql;

use super::{counts, rows};
use crate::storage::stored::{decision_of, server_flags, status_of};
use crate::storage::web::{QueueFilter, QueuePage, QueueRow, VisitFact, VisitView};
use crate::storage::{queue, rules, DecisionOut, Result, StorageError};

/// The queue: the area's visits matching the filters, flagged first, newest first (the SQL
/// is the same on every backend: storage/queue.rs).
pub(super) async fn queue(
    c: &impl GenericClient,
    area: &str,
    f: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<QueuePage> {
    let (total, more) = match queue::count(&DIALECT, area, f, counts::COUNTS) {
        queue::Count::Kept(sql, w) => (one_number(c, &sql, &w).await?, false),
        queue::Count::Capped(sql, w) => queue::capped(one_number(c, &sql, &w).await?),
    };
    let (sql, w) = queue::page(&DIALECT, area, f);
    let mut args = values(&w);
    args.push(Box::new(limit as i64));
    args.push(Box::new(offset as i64));
    let st = c.prepare_cached(&sql).await?;
    let found = c.query(&st, &refs(&args)).await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in &found {
        rows.push(QueueRow {
            visit_id: r.try_get(0)?,
            status: status_of(r.try_get(1)?)?,
            village: r.try_get(2)?,
            worker: r.try_get(3)?,
            started_at: r.try_get(4)?,
            received_at: r.try_get(5)?,
            flags: serde_json::from_str(r.try_get(6)?).unwrap_or_default(),
            chain: Chain::parse(r.try_get(7)?),
            corrects: r.try_get(8)?,
        });
    }
    let (sql, w) = queue::by_status(&DIALECT, area, counts::COUNTS);
    let st = c.prepare_cached(&sql).await?;
    let found = c.query(&st, &refs(&values(&w))).await?;
    let by_status = found
        .iter()
        .map(|r| Ok((status_of(r.try_get(0)?)?, r.try_get(1)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage {
        rows,
        total,
        more,
        by_status,
    })
}

const DIALECT: queue::Dialect = queue::Dialect {
    placeholder: |n| format!("${n}"),
    find: "strpos",
};

type Arg = Box<dyn ToSql + Sync + Send>;

fn values(w: &queue::Where) -> Vec<Arg> {
    w.args
        .iter()
        .map(|a| -> Arg {
            match a {
                queue::Arg::Text(t) => Box::new(t.clone()),
                queue::Arg::Int(n) => Box::new(*n),
                queue::Arg::Bool(b) => Box::new(*b),
            }
        })
        .collect()
}

fn refs(a: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    a.iter()
        .map(|b| b.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

async fn one_number(c: &impl GenericClient, sql: &str, w: &queue::Where) -> Result<i64> {
    let st = c.prepare_cached(sql).await?;
    Ok(c.query_one(&st, &refs(&values(w))).await?.try_get(0)?)
}

pub(super) async fn visit_view(
    c: &impl GenericClient,
    visit_id: &str,
    area: &str,
) -> Result<Option<VisitView>> {
    let st = c
        .prepare_cached(
            "SELECT v.record, v.signature, v.status, v.chain, v.server_flags, d.worker, d.id,
                    v.recipient_id, v.village, v.corrects, v.received_at, d.public_key
             FROM visits v JOIN devices d ON d.id = v.device_id
             WHERE v.id = $1 AND v.village >= $2 AND v.village < $3",
        )
        .await?;
    let Some(r) = c
        .query_opt(&st, &[&visit_id, &area, &rules::area_end(area)])
        .await?
    else {
        return Ok(None);
    };
    let record: Vec<u8> = r.try_get(0)?;
    let signature: Vec<u8> = r.try_get(1)?;
    let recipient_id: String = r.try_get(7)?;
    let key = unhex(r.try_get(11)?).ok_or(StorageError::Damaged("device key"))?;
    let fields: BTreeMap<String, String> = match c
        .query_opt(
            "SELECT row_json FROM recipients WHERE id = $1",
            &[&recipient_id],
        )
        .await?
    {
        Some(j) => serde_json::from_str(j.try_get(0)?).unwrap_or_default(),
        None => BTreeMap::new(),
    };
    let found = c
        .query(
            "SELECT id, decision, comment, at FROM decisions WHERE visit_id = $1 ORDER BY id",
            &[&visit_id],
        )
        .await?;
    let decisions = found
        .iter()
        .map(|d| {
            Ok(DecisionOut {
                cursor: d.try_get(0)?,
                visit_id: visit_id.to_owned(),
                decision: decision_of(d.try_get(1)?)?,
                comment: d.try_get(2)?,
                at: d.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let corrected_by = rows(
        c.query(
            "SELECT id FROM visits WHERE corrects = $1 ORDER BY received_at",
            &[&visit_id],
        )
        .await?,
        |r| r.try_get(0),
    )?;
    Ok(Some(VisitView {
        visit_id: visit_id.to_owned(),
        signature_ok: verify_signature(&key, &record, &signature),
        // Kept only after it decoded: one that no longer does is damage.
        record: RecordV1::decode(&record).map_err(|_| StorageError::Damaged("sealed record"))?,
        status: status_of(r.try_get(2)?)?,
        chain: Chain::parse(r.try_get(3)?),
        server_flags: server_flags(r.try_get(4)?),
        worker: r.try_get(5)?,
        device_id: r.try_get(6)?,
        recipient_id,
        village: r.try_get(8)?,
        household: Household::from_fields(&fields),
        decisions,
        corrected_by,
        corrects: r.try_get(9)?,
        received_at: r.try_get(10)?,
    }))
}

/// The area's visits: those outside the period from the county's queue index alone, the
/// period's with their rows and workers (the SQL is shared with SQLite: rules.rs).
pub(super) async fn visit_facts(
    c: &impl GenericClient,
    area: &str,
    from: i64,
    to: i64,
) -> Result<Vec<VisitFact>> {
    let county = rules::county_of(area);
    let (end, county_end) = (rules::area_end(area), rules::area_end(county));
    let bounds: [&(dyn ToSql + Sync); 6] = [&area, &end, &county, &county_end, &from, &to];
    let mut out = Vec::new();
    for sql in [rules::VISITS_OUTSIDE, rules::VISITS_WITHIN] {
        let st = c.prepare_cached(sql).await?;
        for r in &c.query(&st, &bounds).await? {
            let flags: Option<&str> = r.try_get(6)?;
            out.push(VisitFact {
                recipient_id: r.try_get(0)?,
                village: r.try_get(1)?,
                started_at: r.try_get(2)?,
                status: status_of(r.try_get(3)?)?,
                flagged: r.try_get(4)?,
                worker: r.try_get::<_, Option<String>>(5)?.unwrap_or_default(),
                flags: flags
                    .and_then(|f| serde_json::from_str(f).ok())
                    .unwrap_or_default(),
                record: r.try_get(7)?,
            });
        }
    }
    Ok(out)
}

pub(super) async fn roster_stamp(c: &impl GenericClient, area: &str) -> Result<(i64, i64)> {
    let county = rules::county_of(area);
    let st = c
        .prepare_cached(
            "SELECT count(*), coalesce(max(version), 0) FROM recipients
             WHERE area >= $1 AND area < $2",
        )
        .await?;
    let r = c
        .query_one(&st, &[&county, &rules::area_end(county)])
        .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}
