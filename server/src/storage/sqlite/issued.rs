//! What the server issues to devices beside the roster: the policy record (one row, replaced
//! by each new version, the old ones kept for the record), the checklist templates and the
//! names of the divisions.
//! Division names share the roster's version counter, so one cursor brings both down.

use std::collections::BTreeMap;

use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::wire::Division;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::storage::{checklists, Result, StorageError};

/// The policy in force in `area`: the newest issued for the nearest area above it (SQL
/// shared with PostgreSQL), or the defaults.
pub(super) fn policy(conn: &Connection, area: &str) -> Result<Policy> {
    let body: Option<String> = conn
        .prepare_cached(&crate::storage::rules::in_force("policies", "?1"))?
        .query_row([area], |r| r.get(0))
        .optional()?;
    match body {
        None => Ok(Policy::default()),
        Some(b) => Policy::from_kept(&b).ok_or(StorageError::Damaged("policy")),
    }
}

/// Keeps `p` as the next version; returns that version.
pub(super) fn set_policy(
    tx: &Transaction<'_>,
    area: &str,
    p: &Policy,
    actor: &str,
    now: i64,
) -> Result<u32> {
    let last: i64 = tx
        .prepare_cached("SELECT coalesce(max(version), 0) FROM policies")?
        .query_row([], |r| r.get(0))?;
    let version = u32::try_from(last + 1).map_err(|_| StorageError::Damaged("policy version"))?;
    let mut issued = p.clone();
    issued.version = version;
    let body = serde_json::to_string(&issued).map_err(|_| StorageError::Damaged("policy"))?;
    tx.prepare_cached(
        "INSERT INTO policies (version, body, issued_by, issued_at, area)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![version, body, actor, now, area])?;
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, 'issue-policy', ?3)",
    )?
    .execute(params![now, actor, format!("{version} {area}")])?;
    Ok(version)
}

/// The last version handed out to a roster row or a division name.
pub(super) fn last_roster_version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(version) FROM recipients), 0),
                        coalesce((SELECT max(version) FROM divisions), 0))",
        )?
        .query_row([], |r| r.get(0))?)
}

pub(super) fn import_divisions(tx: &Transaction<'_>, names: &[Division]) -> Result<()> {
    let mut version = last_roster_version(tx)?;
    let mut put = tx.prepare_cached(
        "INSERT INTO divisions (code, name, version) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO UPDATE SET name = ?2, version = ?3 WHERE name <> ?2",
    )?;
    for d in names {
        version += 1;
        put.execute(params![d.code, d.name, version])?;
    }
    Ok(())
}

/// Names under `area` whose version is in `(after, upto]`, and the highest version among them.
pub(super) fn divisions_between(
    conn: &Connection,
    area: &str,
    after: i64,
    upto: i64,
) -> Result<(Vec<Division>, i64)> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, version FROM divisions
         WHERE code >= ?1 AND code < ?1 || ':' AND version > ?2 AND version <= ?3
         ORDER BY version",
    )?;
    let rows = stmt
        .query_map(params![area, after, upto], |r| {
            Ok((
                Division {
                    code: r.get(0)?,
                    name: r.get(1)?,
                },
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let top = rows.iter().map(|(_, v)| *v).max().unwrap_or(after);
    Ok((rows.into_iter().map(|(d, _)| d).collect(), top))
}

pub(super) fn division_names(conn: &Connection, area: &str) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn
        .prepare_cached("SELECT code, name FROM divisions WHERE code >= ?1 AND code < ?1 || ':'")?;
    let rows = stmt
        .query_map([area], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<BTreeMap<String, String>>>()?;
    Ok(rows)
}

pub(super) fn checklist(conn: &Connection, area: &str) -> Result<ChecklistTemplate> {
    let body: Option<String> = conn
        .prepare_cached(&checklists::in_force("?1"))?
        .query_row([area], |r| r.get(0))
        .optional()?;
    checklists::or_builtin(body.as_deref())
}

pub(super) fn checklist_version(
    conn: &Connection,
    version: u32,
) -> Result<Option<ChecklistTemplate>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM checklists WHERE version = ?1")?
        .query_row([version], |r| r.get(0))
        .optional()?;
    checklists::of_version(version, body.as_deref())
}

/// Keeps `t` as the next version (on the audit log); returns that version.
pub(super) fn issue_checklist(
    tx: &Transaction<'_>,
    area: &str,
    t: &ChecklistTemplate,
    actor: &str,
    now: i64,
) -> Result<u32> {
    let next: i64 = tx
        .prepare_cached(checklists::NEXT_VERSION)?
        .query_row([], |r| r.get(0))?;
    let (version, body) = checklists::numbered(t, next)?;
    tx.prepare_cached(
        "INSERT INTO checklists (version, area, body, issued_by, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![version, area, body, actor, now])?;
    tx.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, 'issue-checklist', ?3)",
    )?
    .execute(params![now, actor, format!("{version} {area}")])?;
    Ok(version)
}
