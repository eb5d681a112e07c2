//! The core's error type. Messages name stores, tables, record ids, line numbers and fields,
//! never the personal values themselves, so they are safe to show and to log. Their words
//! come from the catalogue (`doorstep_contract::text`); Display is the English.

use std::path::PathBuf;

use doorstep_contract::model::Invalid;
use doorstep_contract::roster::{lines_with_errors, RosterError, RosterFault, RowError};
use doorstep_contract::text::{Lang, Localize, Text};

use crate::crypto::CryptoError;
use crate::transport::TransportError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    NoStore { path: PathBuf },
    AlreadyExists { path: PathBuf },
    NotAStore { path: PathBuf },
    NewerSchema { found: u32, supported: u32 },
    Locked,
    WrongKey,
    KeysChanged,
    VaultKind { expected: String, found: String },
    Corrupt { table: &'static str, id: String },
    NotFound { id: String },
    NoVisit { id: String },
    Invalid(Invalid),
    InvalidRows(Vec<RowError>),
    RosterFormat(RosterFault),
    Crypto(CryptoError),
    Sqlite(rusqlite::Error),
    Io(std::io::Error),
    Sync(SyncError),
}

/// A failure of the sync protocol. Messages carry statuses and the server's own words about
/// the request, never record contents. Whatever was committed before stays committed; the
/// next sync resumes from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    NotEnrolled,
    AlreadyEnrolled { server: String },
    Transport(TransportError),
    Refused { status: u16, message: String },
    ClockSkew { skew_secs: i64 },
    Protocol(&'static str),
}

/// A stable name for each kind of failure, for scripts and for the phone apps' error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    NoStore,
    AlreadyExists,
    NotAStore,
    NewerSchema,
    Locked,
    WrongKey,
    KeysChanged,
    VaultKind,
    Corrupt,
    NotFound,
    NoVisit,
    Invalid,
    InvalidRows,
    RosterFormat,
    Crypto,
    Storage,
    Io,
    NotEnrolled,
    AlreadyEnrolled,
    Unreachable,
    Refused,
    ClockSkew,
    Protocol,
}

impl ErrorCode {
    /// The code as scripts see it (`--json` errors, logs).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NoStore => "no_store",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::NotAStore => "not_a_store",
            ErrorCode::NewerSchema => "newer_schema",
            ErrorCode::Locked => "locked",
            ErrorCode::WrongKey => "wrong_key",
            ErrorCode::KeysChanged => "keys_changed",
            ErrorCode::VaultKind => "vault_kind",
            ErrorCode::Corrupt => "corrupt",
            ErrorCode::NotFound => "not_found",
            ErrorCode::NoVisit => "no_visit",
            ErrorCode::Invalid => "invalid",
            ErrorCode::InvalidRows => "invalid_rows",
            ErrorCode::RosterFormat => "roster_format",
            ErrorCode::Crypto => "crypto",
            ErrorCode::Storage => "storage",
            ErrorCode::Io => "io",
            ErrorCode::NotEnrolled => "not_enrolled",
            ErrorCode::AlreadyEnrolled => "already_enrolled",
            ErrorCode::Unreachable => "unreachable",
            ErrorCode::Refused => "refused",
            ErrorCode::ClockSkew => "clock_skew",
            ErrorCode::Protocol => "protocol",
        }
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NoStore { .. } => ErrorCode::NoStore,
            Error::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Error::NotAStore { .. } => ErrorCode::NotAStore,
            Error::NewerSchema { .. } => ErrorCode::NewerSchema,
            Error::Locked => ErrorCode::Locked,
            Error::WrongKey => ErrorCode::WrongKey,
            Error::KeysChanged => ErrorCode::KeysChanged,
            Error::VaultKind { .. } => ErrorCode::VaultKind,
            Error::Corrupt { .. } => ErrorCode::Corrupt,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NoVisit { .. } => ErrorCode::NoVisit,
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::InvalidRows(_) => ErrorCode::InvalidRows,
            Error::RosterFormat(_) => ErrorCode::RosterFormat,
            Error::Crypto(_) => ErrorCode::Crypto,
            Error::Sqlite(_) => ErrorCode::Storage,
            Error::Io(_) => ErrorCode::Io,
            Error::Sync(s) => match s {
                SyncError::NotEnrolled => ErrorCode::NotEnrolled,
                SyncError::AlreadyEnrolled { .. } => ErrorCode::AlreadyEnrolled,
                SyncError::Transport(_) => ErrorCode::Unreachable,
                SyncError::Refused { .. } => ErrorCode::Refused,
                SyncError::ClockSkew { .. } => ErrorCode::ClockSkew,
                SyncError::Protocol(_) => ErrorCode::Protocol,
            },
        }
    }
}

impl Localize for Error {
    fn localize(&self, lang: Lang) -> String {
        let path = |p: &PathBuf| p.display().to_string();
        match self {
            Error::NoStore { path: p } => Text::ErrNoStore.fill(lang, &path(p)),
            Error::AlreadyExists { path: p } => Text::ErrAlreadyExists.fill(lang, &path(p)),
            Error::NotAStore { path: p } => Text::ErrNotAStore.fill(lang, &path(p)),
            Error::NewerSchema { found, supported } => {
                Text::ErrNewerSchema.fill_all(lang, &[&found.to_string(), &supported.to_string()])
            }
            Error::Locked => Text::ErrLocked.get(lang).to_owned(),
            Error::WrongKey => Text::ErrWrongKey.get(lang).to_owned(),
            Error::KeysChanged => Text::ErrKeysChanged.get(lang).to_owned(),
            Error::VaultKind { expected, found } => {
                Text::ErrVaultKind.fill_all(lang, &[expected, found])
            }
            Error::Corrupt { table, id } => match lang {
                Lang::Zh => Text::ErrCorrupt.fill_all(lang, &[table, id]),
                Lang::En => Text::ErrCorrupt.fill_all(lang, &[id, table]),
            },
            Error::NotFound { id } => Text::ErrNoRecipient.fill(lang, id),
            Error::NoVisit { id } => Text::ErrNoVisit.fill(lang, id),
            Error::Invalid(i) => i.localize(lang),
            Error::InvalidRows(rows) => {
                Text::ErrInvalidRows.fill(lang, &lines_with_errors(rows).to_string())
            }
            Error::RosterFormat(fault) => Text::ErrRosterFormat.fill(lang, &fault.localize(lang)),
            Error::Crypto(e) => Text::ErrCrypto.fill(lang, &e.to_string()),
            Error::Sqlite(e) => Text::ErrStorage.fill(lang, &e.to_string()),
            Error::Io(e) => Text::ErrFile.fill(lang, &e.to_string()),
            Error::Sync(e) => e.localize(lang),
        }
    }
}

impl Localize for SyncError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SyncError::NotEnrolled => Text::ErrNotEnrolled.get(lang).to_owned(),
            SyncError::AlreadyEnrolled { server } => Text::ErrAlreadyEnrolled.fill(lang, server),
            SyncError::Transport(e) => Text::ErrUnreachable.fill(lang, &e.0),
            SyncError::Refused { status, message } => {
                Text::ErrRefused.fill_all(lang, &[&status.to_string(), message])
            }
            SyncError::ClockSkew { skew_secs } => {
                Text::ErrClockSkew.fill(lang, &skew_secs.to_string())
            }
            SyncError::Protocol(what) => Text::ErrProtocol.fill(lang, what),
        }
    }
}

/// Display is the catalogue's English (logs, `Error` chains).
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.localize(Lang::En))
    }
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.localize(Lang::En))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Crypto(e) => Some(e),
            Error::Sqlite(e) => Some(e),
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl std::error::Error for SyncError {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => Error::Locked,
            _ => Error::Sqlite(e),
        }
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Error::Invalid(e)
    }
}

impl From<CryptoError> for Error {
    fn from(e: CryptoError) -> Self {
        Error::Crypto(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        Error::Sync(e)
    }
}

impl From<TransportError> for SyncError {
    fn from(e: TransportError) -> Self {
        SyncError::Transport(e)
    }
}

impl From<RosterError> for Error {
    fn from(e: RosterError) -> Self {
        match e {
            RosterError::Format(f) => Error::RosterFormat(f),
            RosterError::Rows(rows) => Error::InvalidRows(rows),
        }
    }
}
