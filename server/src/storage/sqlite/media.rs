//! Where a media upload stands: named by a record of the area or not, partial, complete.

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
