//! Media uploads on PostgreSQL: where one stands, and its chunks staged in the row (appended
//! in place: bytea concatenation does not make the client resend what is staged) until the
//! media store holds the whole file.

use deadpool_postgres::{Client, GenericClient};

use crate::storage::{rules, Appended, MediaState, Result};

/// Where an upload stands for a device of `area`; `lock` holds the row for an append.
pub(super) async fn state_in(
    c: &impl GenericClient,
    area: &str,
    sha256: &str,
    lock: bool,
) -> Result<MediaState> {
    let named = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM visit_media m JOIN visits v ON v.id = m.visit_id
                            WHERE m.sha256 = $1 AND v.area >= $2 AND v.area < $3)",
        )
        .await?;
    let named: bool = c
        .query_one(&named, &[&sha256, &area, &rules::area_end(area)])
        .await?
        .try_get(0)?;
    if !named {
        return Ok(MediaState::NotNamed);
    }
    let sql = if lock {
        "SELECT total, octet_length(bytes)::BIGINT, complete FROM media WHERE sha256 = $1 FOR UPDATE"
    } else {
        "SELECT total, octet_length(bytes)::BIGINT, complete FROM media WHERE sha256 = $1"
    };
    let st = c.prepare_cached(sql).await?;
    Ok(match c.query_opt(&st, &[&sha256]).await? {
        None => MediaState::Partial {
            received: 0,
            total: 0,
        },
        Some(r) => {
            let (total, len, complete): (i64, i64, bool) =
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            if complete {
                MediaState::Complete {
                    total: total as u64,
                }
            } else {
                MediaState::Partial {
                    received: len as u64,
                    total: total as u64,
                }
            }
        }
    })
}

pub(super) async fn append(
    c: &mut Client,
    area: &str,
    sha256: &str,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> Result<Appended> {
    let tx = c.transaction().await?;
    let received = match state_in(&tx, area, sha256, true).await? {
        // Staged whole by an earlier try whose write to the media store failed.
        MediaState::Partial { received, total: t } if t == total && received == total => {
            let r = tx
                .query_one("SELECT bytes FROM media WHERE sha256 = $1", &[&sha256])
                .await?;
            return Ok(Appended::Arrived(r.try_get(0)?));
        }
        MediaState::Partial { received, total: t } if t == total => received,
        MediaState::Partial { .. } => 0,
        MediaState::WrongOffset { received } => received,
        other @ (MediaState::NotNamed | MediaState::Complete { .. } | MediaState::HashMismatch) => {
            return Ok(Appended::Now(other))
        }
    };
    if offset != received || offset + bytes.len() as u64 > total {
        return Ok(Appended::Now(MediaState::WrongOffset { received }));
    }
    let st = if received == 0 {
        tx.prepare_cached(
            "INSERT INTO media (sha256, total, bytes, complete) VALUES ($1, $2, $3, FALSE)
             ON CONFLICT (sha256) DO UPDATE SET total = EXCLUDED.total, bytes = EXCLUDED.bytes,
                 complete = FALSE
             RETURNING octet_length(bytes)::BIGINT",
        )
        .await?
    } else {
        tx.prepare_cached(
            "UPDATE media SET bytes = bytes || $3 WHERE sha256 = $1 AND total = $2
             RETURNING octet_length(bytes)::BIGINT",
        )
        .await?
    };
    let now: i64 = tx
        .query_one(&st, &[&sha256, &(total as i64), &bytes])
        .await?
        .try_get(0)?;
    let arrived = if now as u64 == total {
        let r = tx
            .query_one("SELECT bytes FROM media WHERE sha256 = $1", &[&sha256])
            .await?;
        Some(r.try_get::<_, Vec<u8>>(0)?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(match arrived {
        Some(all) => Appended::Arrived(all),
        None => Appended::Now(MediaState::Partial {
            received: now as u64,
            total,
        }),
    })
}

/// Whether a complete media file is named by a visit of the area.
pub(super) async fn in_area(c: &impl GenericClient, sha256: &str, area: &str) -> Result<bool> {
    let st = c
        .prepare_cached(
            "SELECT EXISTS (
                 SELECT 1 FROM media m
                 WHERE m.sha256 = $1 AND m.complete AND EXISTS (
                     SELECT 1 FROM visit_media x JOIN visits v ON v.id = x.visit_id
                     WHERE x.sha256 = m.sha256 AND v.village >= $2 AND v.village < $3))",
        )
        .await?;
    Ok(c.query_one(&st, &[&sha256, &area, &rules::area_end(area)])
        .await?
        .try_get(0)?)
}

/// The staged bytes of an upload once every byte is there (for the hash check and the PUT).
pub(super) async fn staged(c: &impl GenericClient, sha256: &str) -> Result<Option<Vec<u8>>> {
    let r = c
        .query_opt(
            "SELECT bytes FROM media
             WHERE sha256 = $1 AND NOT complete AND octet_length(bytes) = total",
            &[&sha256],
        )
        .await?;
    Ok(r.map(|r| r.try_get(0)).transpose()?)
}

/// The media store holds the file: the upload is complete and its staging emptied.
pub(super) async fn commit(c: &impl GenericClient, sha256: &str) -> Result<()> {
    c.execute(
        "UPDATE media SET complete = TRUE, bytes = ''::bytea WHERE sha256 = $1",
        &[&sha256],
    )
    .await?;
    Ok(())
}

/// An upload whose bytes did not hash to its name starts again from nothing.
pub(super) async fn discard(c: &impl GenericClient, sha256: &str) -> Result<()> {
    c.execute(
        "DELETE FROM media WHERE sha256 = $1 AND NOT complete",
        &[&sha256],
    )
    .await?;
    Ok(())
}

pub(super) async fn staging_bytes(c: &impl GenericClient) -> Result<u64> {
    let n: i64 = c
        .query_one(
            "SELECT coalesce(sum(octet_length(bytes)), 0)::BIGINT FROM media",
            &[],
        )
        .await?
        .try_get(0)?;
    Ok(n as u64)
}

/// Complete files still held in their rows (from before the media store), to move out.
pub(super) async fn kept_inline(
    c: &impl GenericClient,
    limit: usize,
) -> Result<Vec<(String, Vec<u8>)>> {
    let found = c
        .query(
            "SELECT sha256, bytes FROM media WHERE complete AND octet_length(bytes) > 0
             LIMIT $1",
            &[&(limit as i64)],
        )
        .await?;
    super::rows(found, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
}
