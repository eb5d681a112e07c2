//! Media uploads in the database: where one stands (named by a record of the area or not,
//! partial, staged whole, complete) and its staging, emptied once the media store holds it.

use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::{MediaState, Result};

pub(super) fn media_state_in(
    conn: &Connection,
    area: &str,
    sha256_hex: &str,
) -> Result<MediaState> {
    let named: bool = conn
        .query_row(
            "SELECT 1 FROM visit_media m JOIN visits v ON v.id = m.visit_id
             WHERE m.sha256 = ?1 AND substr(v.area, 1, length(?2)) = ?2 LIMIT 1",
            params![sha256_hex, area],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !named {
        return Ok(MediaState::NotNamed);
    }
    let row = conn
        .query_row(
            "SELECT total, length(bytes), complete FROM media WHERE sha256 = ?1",
            [sha256_hex],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    Ok(match row {
        None => MediaState::Partial {
            received: 0,
            total: 0,
        },
        Some((total, _, true)) => MediaState::Complete {
            total: total as u64,
        },
        Some((total, len, false)) => MediaState::Partial {
            received: len as u64,
            total: total as u64,
        },
    })
}

/// The bytes staged so far for an upload.
pub(super) fn staged(conn: &Connection, sha256_hex: &str) -> Result<Vec<u8>> {
    Ok(conn.query_row(
        "SELECT bytes FROM media WHERE sha256 = ?1",
        [sha256_hex],
        |r| r.get(0),
    )?)
}

/// The staged bytes of an upload whose every byte arrived and is not committed yet.
pub(super) fn staged_whole(conn: &Connection, sha256_hex: &str) -> Result<Option<Vec<u8>>> {
    let staged = conn
        .prepare_cached(
            "SELECT bytes FROM media WHERE sha256 = ?1 AND complete = 0 AND length(bytes) = total",
        )?
        .query_row([sha256_hex], |r| r.get(0))
        .optional()?;
    Ok(staged)
}

pub(super) fn commit(conn: &Connection, sha256_hex: &str) -> Result<()> {
    conn.prepare_cached("UPDATE media SET complete = 1, bytes = X'' WHERE sha256 = ?1")?
        .execute([sha256_hex])?;
    Ok(())
}

pub(super) fn discard(conn: &Connection, sha256_hex: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM media WHERE sha256 = ?1 AND complete = 0")?
        .execute([sha256_hex])?;
    Ok(())
}

pub(super) fn staging_bytes(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(sum(length(bytes)), 0) FROM media",
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Complete media an older version kept inline, up to `limit`.
pub(super) fn kept_inline(conn: &Connection, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
    let mut st = conn.prepare_cached(
        "SELECT sha256, bytes FROM media WHERE complete = 1 AND length(bytes) > 0 LIMIT ?1",
    )?;
    let rows = st.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
