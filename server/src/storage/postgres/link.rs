//! How the backend reaches PostgreSQL: the pool's size taken from the URL, and the driver's
//! and the pool's errors as storage errors that never repeat a row's values.

use crate::storage::{Result, StorageError};

/// Connections per server process unless the URL's `pool_size` says otherwise.
const POOL_SIZE: usize = 16;

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
        return Ok((url.to_owned(), POOL_SIZE));
    };
    let mut size = POOL_SIZE;
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
