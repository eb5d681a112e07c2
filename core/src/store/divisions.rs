//! Names of the administrative divisions (villages, townships, the county) as the server's
//! division table gives them, by 12-digit code. Not personal: plaintext.

use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction};

use crate::error::Result;

/// Upserts names (a sync brings the ones changed since its cursor).
pub fn put(tx: &Transaction<'_>, names: &[(String, String)]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO divisions (code, name) VALUES (?1, ?2)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name",
    )?;
    for (code, name) in names {
        stmt.execute(params![code, name])?;
    }
    Ok(())
}

/// Every name held, for labelling a list.
#[derive(Debug, Default)]
pub struct Names(HashMap<String, String>);

impl Names {
    pub fn load(conn: &Connection) -> Result<Names> {
        let mut stmt = conn.prepare_cached("SELECT code, name FROM divisions")?;
        let map = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<String, String>>>()?;
        Ok(Names(map))
    }

    /// The village's name and its township's (the first nine digits, then zeros).
    pub fn of(&self, village: &str) -> (Option<String>, Option<String>) {
        let township = village
            .get(..9)
            .map(|t| format!("{t}000"))
            .and_then(|t| self.0.get(&t).cloned());
        (self.0.get(village).cloned(), township)
    }
}
