//! What the server issues beside the roster, on PostgreSQL: the policy's and the checklist's
//! versions and the divisions' names (versioned with the roster rows, so one cursor brings both down).

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::wire::Division;

use super::{audit_in, rows, schema};
use crate::storage::{checklists, rules, Result, RosterRow, StorageError};

pub(super) async fn policy(c: &impl GenericClient, area: &str) -> Result<Policy> {
    let st = c.prepare_cached(&rules::in_force("policies", "$1")).await?;
    match c.query_opt(&st, &[&area]).await? {
        None => Ok(Policy::default()),
        Some(r) => Policy::from_kept(r.try_get(0)?).ok_or(StorageError::Damaged("policy")),
    }
}

pub(super) async fn set_policy(
    tx: &impl GenericClient,
    area: &str,
    p: &Policy,
    actor: &str,
    now: i64,
) -> Result<u32> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let last: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::BIGINT FROM policies",
            &[],
        )
        .await?
        .try_get(0)?;
    let version = u32::try_from(last + 1).map_err(|_| StorageError::Damaged("policy version"))?;
    let mut issued = p.clone();
    issued.version = version;
    let body = serde_json::to_string(&issued).map_err(|_| StorageError::Damaged("policy"))?;
    tx.execute(
        "INSERT INTO policies (version, body, issued_by, issued_at, area)
         VALUES ($1, $2, $3, $4, $5)",
        &[&i64::from(version), &body, &actor, &now, &area],
    )
    .await?;
    audit_in(tx, actor, "issue-policy", &format!("{version} {area}"), now).await?;
    Ok(version)
}

/// Upserts roster rows for `area`, each with the next roster version (under the cursors'
/// lock, so that a device's cursor never passes a row still uncommitted).
pub(super) async fn import_roster(
    tx: &impl GenericClient,
    area: &str,
    rows: &[RosterRow],
) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let mut version = last_roster_version(tx).await?;
    let put = tx
        .prepare_cached(
            "INSERT INTO recipients (id, area, village, row_json, version)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET area = EXCLUDED.area, village = EXCLUDED.village,
                 row_json = EXCLUDED.row_json, version = EXCLUDED.version",
        )
        .await?;
    for row in rows {
        version += 1;
        let json =
            serde_json::to_string(&row.fields).map_err(|_| StorageError::Damaged("roster row"))?;
        tx.execute(&put, &[&row.id, &area, &row.village, &json, &version])
            .await?;
    }
    Ok(())
}

/// The last version handed out to a roster row or a division name (the caller holds the
/// cursors' lock).
pub(super) async fn last_roster_version(c: &impl GenericClient) -> Result<i64> {
    Ok(c.query_one(
        "SELECT greatest(coalesce((SELECT max(version) FROM recipients), 0),
                         coalesce((SELECT max(version) FROM divisions), 0))::BIGINT",
        &[],
    )
    .await?
    .try_get(0)?)
}

pub(super) async fn import_divisions(tx: &impl GenericClient, names: &[Division]) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let mut version = last_roster_version(tx).await?;
    let put = tx
        .prepare_cached(
            "INSERT INTO divisions (code, name, version) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version
             WHERE divisions.name <> EXCLUDED.name",
        )
        .await?;
    for d in names {
        version += 1;
        tx.execute(&put, &[&d.code, &d.name, &version]).await?;
    }
    Ok(())
}

pub(super) async fn divisions_between(
    c: &impl GenericClient,
    area: &str,
    after: i64,
    upto: i64,
) -> Result<(Vec<Division>, i64)> {
    let st = c
        .prepare_cached(
            "SELECT code, name, version FROM divisions
             WHERE code >= $1 AND code < $2 AND version > $3 AND version <= $4
             ORDER BY version",
        )
        .await?;
    let found = c
        .query(&st, &[&area, &rules::area_end(area), &after, &upto])
        .await?;
    let found = rows(found, |r| {
        Ok((
            Division {
                code: r.try_get(0)?,
                name: r.try_get(1)?,
            },
            r.try_get::<_, i64>(2)?,
        ))
    })?;
    let top = found.iter().map(|(_, v)| *v).max().unwrap_or(after);
    Ok((found.into_iter().map(|(d, _)| d).collect(), top))
}

pub(super) async fn division_names(
    c: &impl GenericClient,
    area: &str,
) -> Result<BTreeMap<String, String>> {
    let found = c
        .query(
            "SELECT code, name FROM divisions WHERE code >= $1 AND code < $2",
            &[&area, &rules::area_end(area)],
        )
        .await?;
    Ok(rows(found, |r| Ok((r.try_get(0)?, r.try_get(1)?)))?
        .into_iter()
        .collect())
}

pub(super) async fn checklist(c: &impl GenericClient, area: &str) -> Result<ChecklistTemplate> {
    let st = c.prepare_cached(&checklists::in_force("$1")).await?;
    let body: Option<String> = match c.query_opt(&st, &[&area]).await? {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    };
    checklists::or_builtin(body.as_deref())
}

pub(super) async fn checklist_version(
    c: &impl GenericClient,
    version: u32,
) -> Result<Option<ChecklistTemplate>> {
    let st = c
        .prepare_cached("SELECT body FROM checklists WHERE version = $1")
        .await?;
    let body: Option<String> = match c.query_opt(&st, &[&i64::from(version)]).await? {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    };
    checklists::of_version(version, body.as_deref())
}

/// Keeps `t` as the next version (on the audit log; numbered under the cursors' lock, so two
/// processes never issue the same version); returns that version.
pub(super) async fn issue_checklist(
    tx: &impl GenericClient,
    area: &str,
    t: &ChecklistTemplate,
    actor: &str,
    now: i64,
) -> Result<u32> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
        .await?;
    let next: i64 = tx
        .query_one(
            &format!("SELECT ({})::BIGINT", checklists::NEXT_VERSION),
            &[],
        )
        .await?
        .try_get(0)?;
    let (version, body) = checklists::numbered(t, next)?;
    tx.execute(
        "INSERT INTO checklists (version, area, body, issued_by, issued_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[&i64::from(version), &area, &body, &actor, &now],
    )
    .await?;
    audit_in(
        tx,
        actor,
        "issue-checklist",
        &format!("{version} {area}"),
        now,
    )
    .await?;
    Ok(version)
}
