//! The replay guard's table on PostgreSQL as pushes use it: a push's request signature noted
//! in the push's own transaction, and signatures the time check refuses anyway forgotten.

use std::sync::atomic::{AtomicI64, Ordering};

use deadpool_postgres::GenericClient;

use crate::storage::{Result, Seen, StorageError, Unnoted};

/// Notes the signature in the caller's transaction: 1 row when first seen, 0 for a replay
/// or a revoked device ([`unnoted`] says which).
pub(super) async fn note(tx: &impl GenericClient, s: &Seen) -> Result<u64> {
    let st = tx
        .prepare_cached(
            "INSERT INTO seen_requests (device_id, signature, at)
             SELECT $1, $2, $3 WHERE EXISTS
                 (SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL)
             ON CONFLICT (device_id, signature) DO NOTHING",
        )
        .await?;
    tx.execute(&st, &[&s.device_id, &s.signature, &s.now])
        .await
        .map_err(StorageError::from)
}

/// Why a signature was not noted: its device revoked (or gone), else a replay.
pub(super) async fn unnoted(c: &impl GenericClient, device_id: &str) -> Result<Unnoted> {
    let st = c
        .prepare_cached("SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL")
        .await?;
    Ok(match c.query_opt(&st, &[&device_id]).await? {
        Some(_) => Unnoted::Replayed,
        None => Unnoted::Revoked,
    })
}

/// Forgets expired signatures at most once a second per process (`forgot_at`: when this
/// process last did) and outside the push's transaction: done inside every push, two pushes
/// deleting the same expired rows would each wait for the other's commit.
pub(super) async fn forget(c: &impl GenericClient, forgot_at: &AtomicI64, s: &Seen) -> Result<()> {
    let last = forgot_at.load(Ordering::Relaxed);
    if s.now <= last
        || forgot_at
            .compare_exchange(last, s.now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return Ok(());
    }
    let st = c
        .prepare_cached("DELETE FROM seen_requests WHERE at < $1")
        .await?;
    c.execute(&st, &[&s.forget_before]).await?;
    Ok(())
}
