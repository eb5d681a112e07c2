//! The core's error type. Messages name stores, tables, record ids, line numbers and fields,
//! never the personal values themselves, so they are safe to show and to log.

use std::path::PathBuf;

use crate::crypto::CryptoError;
use crate::model::Invalid;
use crate::roster::{lines_with_errors, RosterFault, RowError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no store at {path}: create one with `doorstep init`")]
    NoStore { path: PathBuf },
    #[error("a store already exists at {path}")]
    AlreadyExists { path: PathBuf },
    #[error("{path} is not a Doorstep store, or its creation never finished")]
    NotAStore { path: PathBuf },
    #[error("the store was written by a newer Doorstep (schema {found}; this build reads up to {supported}): update the app")]
    NewerSchema { found: u32, supported: u32 },
    #[error("the store is locked by another process: try again when it has finished")]
    Locked,
    #[error("wrong passphrase or key: the store was not changed")]
    WrongKey,
    #[error("another process changed the store's keys meanwhile: open it again")]
    KeysChanged,
    #[error("the store is protected by a {found} vault, not a {expected} one")]
    VaultKind { expected: String, found: String },
    #[error("record {id} in {table} cannot be read: its ciphertext is damaged")]
    Corrupt { table: &'static str, id: String },
    #[error("no recipient with id {id}")]
    NotFound { id: String },
    #[error("no visit with id {id}")]
    NoVisit { id: String },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the roster has {} invalid row(s); nothing was imported", lines_with_errors(.0))]
    InvalidRows(Vec<RowError>),
    #[error("cannot read the roster file: {0}")]
    RosterFormat(RosterFault),
    #[error("crypto failure: {0}")]
    Crypto(#[from] CryptoError),
    #[error("storage failure: {0}")]
    Sqlite(rusqlite::Error),
    #[error("file failure: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => Error::Locked,
            _ => Error::Sqlite(e),
        }
    }
}
