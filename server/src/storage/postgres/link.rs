//! How the backend reaches PostgreSQL: the pool's size taken from the URL, and the driver's
//! and the pool's errors as storage errors that never repeat a row's values.

use crate::storage::{Result, StorageError};

/// Connections per server process unless the URL's `pool_size` says otherwise: four per
/// core of this machine, from 4 to 32. More connections than the cores can serve only take
/// turns: on two cores the ingest benchmark kept visits 8–10 % faster over 8 connections
/// than over 16 (and 30 % slower over 4).
fn default_pool_size() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    (4 * cores).clamp(4, 32)
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's message and SQLSTATE, never its DETAIL: that repeats the values of a
        // conflicting key, which may be personal.
        match e.as_db_error() {
            Some(db) => StorageError::Backend(format!("{} ({})", db.message(), db.code().code())),
            None => StorageError::Backend(match std::error::Error::source(&e) {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            }),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => StorageError::Backend(format!("no database connection: {other}")),
        }
    }
}

/// Takes `pool_size=N` out of the URL's query (the driver does not know it).
pub(super) fn pool_size(url: &str) -> Result<(String, usize)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), default_pool_size()));
    };
    let mut size = default_pool_size();
    let mut rest = Vec::new();
    for part in query.split('&') {
        match part.strip_prefix("pool_size=") {
            Some(n) => {
                size = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=512).contains(n))
                    .ok_or_else(|| {
                        StorageError::Backend("pool_size must be a number from 1 to 512".into())
                    })?
            }
            None => rest.push(part),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, size))
}
