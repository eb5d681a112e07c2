//! Devices and how they come to be trusted: one-time enrolment codes, the devices enrolled
//! with them (and revoked), and the request signatures seen lately, so a replayed request is
//! refused.

use doorstep_crypto::hex;
use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::{Device, Result, Seen, StorageError, Unnoted};

pub(super) fn add_enrolment_code(
    conn: &Connection,
    code_hash: &str,
    worker: &str,
    area: &str,
    expires_at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO enrolment_codes (code_hash, worker, area, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![code_hash, worker, area, expires_at])?;
    Ok(())
}

pub(super) fn enrol(
    conn: &mut Connection,
    code_hash: &str,
    device_id: &str,
    public_key: &[u8],
    now: i64,
) -> Result<Device> {
    let tx = conn.transaction()?;
    let (worker, area): (String, String) = tx
        .query_row(
            "SELECT worker, area FROM enrolment_codes
             WHERE code_hash = ?1 AND used_by IS NULL AND expires_at > ?2",
            params![code_hash, now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(StorageError::CodeUnusable)?;
    let key = hex(public_key);
    let known: bool = tx
        .query_row(
            "SELECT 1 FROM devices WHERE public_key = ?1",
            [&key],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if known {
        return Err(StorageError::KeyEnrolled);
    }
    tx.prepare_cached("INSERT INTO devices (id, public_key, worker, area, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
        params![device_id, key, worker, area, now],
    )?;
    tx.prepare_cached("UPDATE enrolment_codes SET used_by = ?1 WHERE code_hash = ?2")?
        .execute(params![device_id, code_hash])?;
    tx.commit()?;
    Ok(Device {
        id: device_id.to_owned(),
        public_key: public_key.to_vec(),
        worker,
        area,
        revoked: false,
    })
}

pub(super) fn device(conn: &Connection, id: &str) -> Result<Option<Device>> {
    let row = conn
        .prepare_cached(
            "SELECT public_key, worker, area, revoked_at IS NOT NULL FROM devices WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    row.map(|(key, worker, area, revoked)| {
        Ok(Device {
            id: id.to_owned(),
            public_key: doorstep_crypto::unhex(&key).ok_or(StorageError::Damaged("device key"))?,
            worker,
            area,
            revoked,
        })
    })
    .transpose()
}

pub(super) fn revoke(conn: &Connection, id: &str, now: i64) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1")?
        .execute(params![id, now])?;
    if n == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(())
}

/// Notes a request's signature, unless seen before or its device is revoked.
pub(super) fn first_use(conn: &Connection, s: &Seen) -> Result<std::result::Result<(), Unnoted>> {
    conn.prepare_cached("DELETE FROM seen_requests WHERE at < ?1")?
        .execute([s.forget_before])?;
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO seen_requests (device_id, signature, at)
             SELECT ?1, ?2, ?3 WHERE EXISTS
                 (SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NULL)",
        )?
        .execute(params![s.device_id, s.signature, s.now])?;
    if n == 1 {
        return Ok(Ok(()));
    }
    Ok(Err(unnoted(conn, &s.device_id)?))
}

/// Why a signature was not noted: its device revoked (or gone), else a replay.
fn unnoted(conn: &Connection, device_id: &str) -> Result<Unnoted> {
    let live = conn
        .prepare_cached("SELECT 1 FROM devices WHERE id = ?1 AND revoked_at IS NULL")?
        .query_row([device_id], |_| Ok(()))
        .optional()?;
    Ok(match live {
        Some(()) => Unnoted::Replayed,
        None => Unnoted::Revoked,
    })
}
