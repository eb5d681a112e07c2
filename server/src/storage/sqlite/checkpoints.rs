//! The checkpointer: copies SQLite's write-ahead log back into the database file on a thread
//! and connection of its own. Run by the committing request (SQLite's automatic checkpoint),
//! checkpoints and their fsyncs were a tenth of a push's time (`doorstep-bench ingest`).

use std::path::Path;

use rusqlite::Connection;

use crate::storage::{Result, StorageError};

/// How often the checkpointer copies the WAL back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Starts the checkpointer: a PASSIVE checkpoint every [`CHECKPOINT_EVERY`] (it never
/// waits for the writer, nor the writer for it), until the returned sender is dropped.
pub(super) fn start(path: &Path) -> Result<std::sync::mpsc::Sender<()>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(1))?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("doorstep-checkpoint".into())
        .spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                // A failed pass is retried at the next; the backstop bounds the WAL.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        })
        .map_err(|e| StorageError::Backend(format!("starting the checkpointer: {e}")))?;
    Ok(stop)
}
