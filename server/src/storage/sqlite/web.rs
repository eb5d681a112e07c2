//! The web app's queries: supervisors, sessions, the review queue, one visit.

use std::collections::BTreeMap;

use doorstep_contract::record::RecordV1;
use doorstep_contract::roster::Household;
use doorstep_contract::wire::{Chain, VisitStatus};
use doorstep_crypto::{unhex, verify_signature};
use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::stored::{decision_of, server_flags, status_of};
use crate::storage::web::{
    QueueFilter, QueuePage, QueueRow, SessionRow, Supervisor, SupervisorChange, VisitFact,
    VisitView,
};
use crate::storage::{queue, rules, DecisionOut, Result, StorageError};

pub(super) fn supervisor(conn: &Connection, login: &str) -> Result<Option<Supervisor>> {
    Ok(conn
        .prepare_cached(
            "SELECT login, area, password_hash, disabled FROM supervisors WHERE login = ?1",
        )?
        .query_row([login], supervisor_row)
        .optional()?)
}

fn supervisor_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Supervisor> {
    Ok(Supervisor {
        login: r.get(0)?,
        area: r.get(1)?,
        password_hash: r.get(2)?,
        disabled: r.get(3)?,
    })
}

pub(super) fn supervisors_in(conn: &Connection, area: &str) -> Result<Vec<Supervisor>> {
    let mut stmt = conn.prepare_cached(
        "SELECT login, area, password_hash, disabled FROM supervisors
         WHERE area >= ?1 AND area < ?2 ORDER BY login",
    )?;
    let rows = stmt
        .query_map(params![area, rules::area_end(area)], supervisor_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The change, and the end of the supervisor's sessions (a new password or a disabled
/// account must not leave an old browser logged in).
pub(super) fn change_supervisor(
    tx: &rusqlite::Transaction<'_>,
    login: &str,
    change: &SupervisorChange,
) -> Result<()> {
    let n = match change {
        SupervisorChange::Password(hash) => tx
            .prepare_cached("UPDATE supervisors SET password_hash = ?2 WHERE login = ?1")?
            .execute(params![login, hash])?,
        SupervisorChange::Disabled(off) => tx
            .prepare_cached("UPDATE supervisors SET disabled = ?2 WHERE login = ?1")?
            .execute(params![login, off])?,
    };
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    tx.prepare_cached("DELETE FROM sessions WHERE login = ?1")?
        .execute([login])?;
    Ok(())
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
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND p.disabled = 0",
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

/// The queue: the area's visits matching the filters, flagged first, newest first (the SQL
/// is the same on every backend: storage/queue.rs).
pub(super) fn queue(
    conn: &Connection,
    area: &str,
    f: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<QueuePage> {
    const COUNTS: &str = "queue_counts";
    let (total, more) = match queue::count(&DIALECT, area, f, COUNTS) {
        queue::Count::Kept(sql, w) => (one_number(conn, &sql, &w)?, false),
        queue::Count::Capped(sql, w) => queue::capped(one_number(conn, &sql, &w)?),
    };
    let (sql, w) = queue::page(&DIALECT, area, f);
    let mut args = values(&w);
    args.push((limit as i64).into());
    args.push((offset as i64).into());
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
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
    let (sql, w) = queue::by_status(&DIALECT, area, COUNTS);
    let by_status = conn
        .prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(values(&w)), |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(s, n)| Ok((status_of(&s)?, n)))
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage {
        rows,
        total,
        more,
        by_status,
    })
}

const DIALECT: queue::Dialect = queue::Dialect {
    placeholder: |n| format!("?{n}"),
    find: "instr",
};

fn values(w: &queue::Where) -> Vec<rusqlite::types::Value> {
    w.args
        .iter()
        .map(|a| match a {
            queue::Arg::Text(t) => t.clone().into(),
            queue::Arg::Int(n) => (*n).into(),
            queue::Arg::Bool(b) => (*b as i64).into(),
        })
        .collect()
}

fn one_number(conn: &Connection, sql: &str, w: &queue::Where) -> Result<i64> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(rusqlite::params_from_iter(values(w)), |r| r.get(0))?)
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

/// The area's visits: those outside the period from the county's queue index alone (it
/// holds what they are counted by), the period's with their rows and workers.
pub(super) fn visit_facts(
    conn: &Connection,
    area: &str,
    from: i64,
    to: i64,
) -> Result<Vec<VisitFact>> {
    let county = rules::county_of(area);
    let bounds = params![
        area,
        rules::area_end(area),
        county,
        rules::area_end(county),
        from,
        to
    ];
    let mut out = Vec::new();
    for sql in [rules::VISITS_OUTSIDE, rules::VISITS_WITHIN] {
        let mut stmt = conn.prepare_cached(&sql.replace('$', "?"))?;
        let mut q = stmt.query(bounds)?;
        while let Some(r) = q.next()? {
            let flags: Option<String> = r.get(6)?;
            out.push(VisitFact {
                recipient_id: r.get(0)?,
                village: r.get(1)?,
                started_at: r.get(2)?,
                status: status_of(&r.get::<_, String>(3)?)?,
                flagged: r.get(4)?,
                worker: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                flags: flags
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
                record: r.get(7)?,
            });
        }
    }
    Ok(out)
}

pub(super) fn roster_stamp(conn: &Connection, area: &str) -> Result<(i64, i64)> {
    let county = rules::county_of(area);
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(version), 0) FROM recipients
             WHERE area >= ?1 AND area < ?2",
        )?
        .query_row(params![county, rules::area_end(county)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?)
}
