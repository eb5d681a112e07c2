//! The web app's queries on PostgreSQL: the review queue with its filters, one visit.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::wire::Chain;
use doorstep_crypto::{unhex, verify_signature};
use tokio_postgres::types::ToSql;

use super::rows;
use crate::storage::stored::{decision_of, server_flags, status_of};
use crate::storage::web::{QueueFilter, QueuePage, QueueRow, VisitView};
use crate::storage::{rules, DecisionOut, Result, StorageError};

type Arg = Box<dyn ToSql + Sync + Send>;

fn refs(a: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    a.iter()
        .map(|b| b.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// The queue: the area's visits matching the filters, flagged first, newest first.
pub(super) async fn queue(
    c: &impl GenericClient,
    area: &str,
    f: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<QueuePage> {
    // Filters bind as parameters; only the fixed clauses below are spliced in. The area as
    // a range, so that the village index serves it.
    let mut clauses = vec!["v.village >= $1 AND v.village < $2".to_owned()];
    let mut args: Vec<Arg> = vec![Box::new(area.to_owned()), Box::new(rules::area_end(area))];
    let mut bind = |clause: &str, value: Arg| {
        args.push(value);
        clauses.push(clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(s) = f.status {
        bind("v.status = ?", Box::new(s.code().to_owned()));
    }
    match f.flag.as_deref() {
        Some("any") => bind("v.flagged = ?", Box::new(true)),
        // The kinds are a JSON list of plain codes: the quoted code matches only itself.
        Some(kind) => bind(
            "strpos(v.flag_kinds, ?) > 0",
            Box::new(serde_json::to_string(kind).unwrap_or_default()),
        ),
        None => {}
    }
    if let Some(v) = &f.village {
        // A village code or a township's prefix of one.
        bind("substr(v.village, 1, length(?)) = ?", Box::new(v.clone()));
    }
    if let Some(w) = &f.worker {
        bind(
            "v.device_id IN (SELECT id FROM devices WHERE worker = ?)",
            Box::new(w.clone()),
        );
    }
    if let Some(from) = f.from {
        bind("v.started_at >= ?", Box::new(from));
    }
    if let Some(to) = f.to {
        bind("v.started_at <= ?", Box::new(to));
    }
    let wher = clauses.join(" AND ");

    let count = c
        .prepare_cached(&format!("SELECT count(*) FROM visits v WHERE {wher}"))
        .await?;
    let total: i64 = c.query_one(&count, &refs(&args)).await?.try_get(0)?;
    let (l, o) = (args.len() + 1, args.len() + 2);
    args.push(Box::new(limit as i64));
    args.push(Box::new(offset as i64));
    let page = c
        .prepare_cached(&format!(
            "SELECT v.id, v.status, v.village,
                    (SELECT worker FROM devices d WHERE d.id = v.device_id),
                    v.started_at, v.received_at, v.flag_kinds, v.chain, v.corrects
             FROM visits v WHERE {wher}
             ORDER BY v.flagged DESC, v.received_at DESC, v.id LIMIT ${l} OFFSET ${o}"
        ))
        .await?;
    let found = c.query(&page, &refs(&args)).await?;
    let mut page_rows = Vec::with_capacity(found.len());
    for r in &found {
        page_rows.push(QueueRow {
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
    let by = c
        .prepare_cached(
            "SELECT status, count(*) FROM visits WHERE village >= $1 AND village < $2
             GROUP BY status ORDER BY status",
        )
        .await?;
    let found = c.query(&by, &[&area, &rules::area_end(area)]).await?;
    let by_status = found
        .iter()
        .map(|r| Ok((status_of(r.try_get(0)?)?, r.try_get(1)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage {
        rows: page_rows,
        total,
        by_status,
    })
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
