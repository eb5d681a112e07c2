//! The web app's queries: supervisors, sessions, the review queue, one visit.

use std::collections::BTreeMap;

use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::wire::{Chain, VisitStatus};
use doorstep_crypto::{unhex, verify_signature};
use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::stored::{decision_of, server_flags, status_of};
use crate::storage::web::{QueueFilter, QueuePage, QueueRow, SessionRow, Supervisor, VisitView};
use crate::storage::{DecisionOut, Result, StorageError};

pub(super) fn supervisor(conn: &Connection, login: &str) -> Result<Option<Supervisor>> {
    Ok(conn
        .prepare_cached("SELECT login, area, password_hash FROM supervisors WHERE login = ?1")?
        .query_row([login], |r| {
            Ok(Supervisor {
                login: r.get(0)?,
                area: r.get(1)?,
                password_hash: r.get(2)?,
            })
        })
        .optional()?)
}

pub(super) fn create_session(
    conn: &Connection,
    token_hash: &str,
    login: &str,
    csrf: &str,
    expires_at: i64,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE expires_at < ?1")?
        .execute([expires_at - 30 * 86_400])?;
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, login, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![token_hash, login, csrf, expires_at])?;
    Ok(())
}

pub(super) fn session(conn: &Connection, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.login, p.area, s.csrf, s.expires_at FROM sessions s
             JOIN supervisors p ON p.login = s.login
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        )?
        .query_row(params![token_hash, now], |r| {
            Ok(SessionRow {
                login: r.get(0)?,
                area: r.get(1)?,
                csrf: r.get(2)?,
                expires_at: r.get(3)?,
            })
        })
        .optional()?)
}

pub(super) fn delete_session(conn: &Connection, token_hash: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// The queue: the area's visits matching the filters, flagged first, newest first.
pub(super) fn queue(
    conn: &Connection,
    area: &str,
    f: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<QueuePage> {
    // Filters bind as parameters; only the fixed clauses below are spliced in.
    // A supervisor's area is a prefix of the household's village code: as a range, so that
    // the index on village serves it.
    // The bounds are computed here: a plain range lets the planner drive from the village
    // index rather than from the devices (which read the whole table at a million visits).
    let mut clauses = vec!["v.village >= ?1 AND v.village < ?2".to_owned()];
    let mut args: Vec<rusqlite::types::Value> =
        vec![area.to_owned().into(), format!("{area}:").into()];
    let mut bind = |clause: &str, value: rusqlite::types::Value| {
        args.push(value);
        clauses.push(clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(s) = f.status {
        bind("v.status = ?", s.code().to_owned().into());
    }
    match f.flag.as_deref() {
        Some("any") => bind("v.flagged = ?", 1.into()),
        Some(kind) => bind(
            "EXISTS (SELECT 1 FROM json_each(v.flag_kinds) WHERE value = ?)",
            kind.to_owned().into(),
        ),
        None => {}
    }
    if let Some(v) = &f.village {
        // A village code or a township's prefix of one: `?` stands twice for one value.
        bind("substr(v.village, 1, length(?)) = ?", v.clone().into());
    }
    if let Some(w) = &f.worker {
        bind(
            "v.device_id IN (SELECT id FROM devices WHERE worker = ?)",
            w.clone().into(),
        );
    }
    if let Some(from) = f.from {
        bind("v.started_at >= ?", from.into());
    }
    if let Some(to) = f.to {
        bind("v.started_at <= ?", to.into());
    }
    let wher = clauses.join(" AND ");
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM visits v WHERE {wher}"))?
        .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    let mut page_args = args.clone();
    page_args.push((limit as i64).into());
    page_args.push((offset as i64).into());
    let (l, o) = (page_args.len() - 1, page_args.len());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT v.id, v.status, v.village,
                (SELECT worker FROM devices d WHERE d.id = v.device_id),
                v.started_at, v.received_at, v.flag_kinds, v.chain, v.corrects
         FROM visits v WHERE {wher}
         ORDER BY v.flagged DESC, v.received_at DESC, v.id LIMIT ?{l} OFFSET ?{o}"
    ))?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(page_args.iter()), |r| {
            Ok((
                QueueRow {
                    visit_id: r.get(0)?,
                    status: VisitStatus::Submitted,
                    village: r.get(2)?,
                    worker: r.get(3)?,
                    started_at: r.get(4)?,
                    received_at: r.get(5)?,
                    flags: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
                    chain: Chain::parse(&r.get::<_, String>(7)?),
                    corrects: r.get(8)?,
                },
                r.get::<_, String>(1)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(mut row, status)| {
            row.status = status_of(&status)?;
            Ok(row)
        })
        .collect::<Result<Vec<_>>>()?;
    let by_status = conn
        .prepare_cached(
            "SELECT status, count(*) FROM visits WHERE village >= ?1 AND village < ?2
             GROUP BY status ORDER BY status",
        )?
        .query_map(params![area, format!("{area}:")], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(s, n)| Ok((status_of(&s)?, n)))
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage {
        rows,
        total,
        by_status,
    })
}

pub(super) fn visit_view(
    conn: &Connection,
    visit_id: &str,
    area: &str,
) -> Result<Option<VisitView>> {
    type Row = (
        Vec<u8>,
        Vec<u8>,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT v.record, v.signature, v.status, v.chain, v.server_flags, d.worker, d.id,
                    v.recipient_id, v.village, v.corrects, v.received_at, d.public_key
             FROM visits v JOIN devices d ON d.id = v.device_id
             WHERE v.id = ?1 AND v.village >= ?2 AND v.village < ?2 || ':'",
        )?
        .query_row(params![visit_id, area], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ))
        })
        .optional()?;
    let Some((
        record,
        signature,
        status,
        chain,
        flags_json,
        worker,
        device_id,
        recipient_id,
        village,
        corrects,
        received_at,
        key,
    )) = row
    else {
        return Ok(None);
    };
    let key = unhex(&key).ok_or(StorageError::Damaged("device key"))?;
    let fields: BTreeMap<String, String> = conn
        .prepare_cached("SELECT row_json FROM recipients WHERE id = ?1")?
        .query_row([&recipient_id], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    let decisions = conn
        .prepare_cached(
            "SELECT id, decision, comment, at FROM decisions WHERE visit_id = ?1 ORDER BY id",
        )?
        .query_map([visit_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(cursor, d, comment, at)| {
            Ok(DecisionOut {
                cursor,
                visit_id: visit_id.to_owned(),
                decision: decision_of(&d)?,
                comment,
                at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let corrected_by = conn
        .prepare_cached("SELECT id FROM visits WHERE corrects = ?1 ORDER BY received_at")?
        .query_map([visit_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(VisitView {
        visit_id: visit_id.to_owned(),
        signature_ok: verify_signature(&key, &record, &signature),
        // Kept only after it decoded: one that no longer does is damage.
        record: RecordV1::decode(&record).map_err(|_| StorageError::Damaged("sealed record"))?,
        status: status_of(&status)?,
        chain: Chain::parse(&chain),
        server_flags: server_flags(&flags_json),
        worker,
        device_id,
        recipient_id,
        village,
        household: Household::from_fields(&fields),
        decisions,
        corrected_by,
        corrects,
        received_at,
    }))
}

/// Whether a complete media file is named by a visit of the area.
pub(super) fn media_in_area(conn: &Connection, sha: &str, area: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM media m
             WHERE m.sha256 = ?1 AND m.complete = 1 AND EXISTS (
                 SELECT 1 FROM visit_media x JOIN visits v ON v.id = x.visit_id
                 WHERE x.sha256 = m.sha256 AND v.village >= ?2 AND v.village < ?2 || ':')",
        )?
        .query_row(params![sha, area], |_| Ok(()))
        .optional()?
        .is_some())
}
