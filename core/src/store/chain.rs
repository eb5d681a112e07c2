//! The head of the device's hash chain: the last sealed record's sequence number and hash.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::seal::ChainLink;

/// The link the next sealed record takes.
pub fn next(conn: &Connection) -> Result<ChainLink> {
    let head: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, last_hash FROM device_chain WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match head {
        None => Ok(ChainLink {
            seq: 1,
            prev_hash: None,
        }),
        Some((seq, hash)) => {
            let hash: [u8; 32] = hash.try_into().map_err(|_| Error::Corrupt {
                table: "device_chain",
                id: "1".to_owned(),
            })?;
            Ok(ChainLink {
                seq: u64::try_from(seq).unwrap_or(0) + 1,
                prev_hash: Some(hash),
            })
        }
    }
}

pub fn advance(tx: &Transaction<'_>, seq: u64, hash: &[u8; 32]) -> Result<()> {
    tx.execute(
        "INSERT INTO device_chain (id, seq, last_hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, last_hash = excluded.last_hash",
        params![seq as i64, &hash[..]],
    )?;
    Ok(())
}
