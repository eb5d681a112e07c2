//! The policy record and checklist templates: plaintext JSON, not personal.

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::model::ChecklistTemplate;
use crate::policy::Policy;

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain structs of strings and numbers always serialise")
}

pub fn read(conn: &Connection) -> Result<Policy> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM policy WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    match body {
        None => Ok(Policy::default()),
        // Plaintext, so checked on every read: an out-of-range interval is damage.
        Some(b) => Policy::from_kept(&b).ok_or_else(|| Error::Corrupt {
            table: "policy",
            id: "1".to_owned(),
        }),
    }
}

pub fn write(tx: &Transaction<'_>, policy: &Policy) -> Result<()> {
    policy.validate()?;
    tx.execute(
        "INSERT INTO policy (id, body, updated_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        params![to_json(policy), Utc::now().to_rfc3339()],
    )?;
    Ok(())
}

pub fn write_template(tx: &Transaction<'_>, t: &ChecklistTemplate) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO checklist_templates (version, body) VALUES (?1, ?2)",
        params![t.version, to_json(t)],
    )?;
    Ok(())
}

/// The newest checklist template held.
pub fn latest_template(conn: &Connection) -> Result<Option<ChecklistTemplate>> {
    let body: Option<(u32, String)> = conn
        .query_row(
            "SELECT version, body FROM checklist_templates ORDER BY version DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    body.map(|(v, b)| {
        serde_json::from_str(&b).map_err(|_| Error::Corrupt {
            table: "checklist_templates",
            id: v.to_string(),
        })
    })
    .transpose()
}

/// The checklist template of one version (a draft answers the version it started with).
pub fn template(conn: &Connection, version: u32) -> Result<Option<ChecklistTemplate>> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM checklist_templates WHERE version = ?1",
            [version],
            |r| r.get(0),
        )
        .optional()?;
    body.map(|b| {
        serde_json::from_str(&b).map_err(|_| Error::Corrupt {
            table: "checklist_templates",
            id: version.to_string(),
        })
    })
    .transpose()
}
