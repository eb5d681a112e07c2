//! The errors the bindings raise, one enum per area, each a typed exception in Kotlin,
//! Swift and Python. Messages are the core's, which name ids, fields and lines, never
//! personal values.

use doorstep_core::Error;

/// Opening, creating and re-keying the store.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum StoreError {
    #[error("wrong passphrase or key: the store was not changed")]
    WrongKey,
    #[error("the store is locked by another process")]
    Locked,
    #[error("{message}")]
    NoStore { message: String },
    #[error("{message}")]
    Other { message: String },
}

/// Recording a visit: an action refused (the draft is unchanged), an unknown visit.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum VisitError {
    #[error("{message}")]
    Invalid { message: String },
    #[error("{message}")]
    NotFound { message: String },
    #[error("{message}")]
    Store { message: String },
}

/// Enrolment and sync.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SyncError {
    #[error("this device is not enrolled")]
    NotEnrolled,
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    #[error("the server could not be reached: {message}")]
    Unreachable { message: String },
    #[error("the server refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the device clock is {seconds} s off the server's")]
    ClockSkew { seconds: i64 },
    #[error("{message}")]
    Other { message: String },
}

/// What a platform key store or HTTP stack reports back.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PlatformError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PlatformError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        PlatformError::Failed { reason: e.reason }
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        match e {
            Error::WrongKey => StoreError::WrongKey,
            Error::Locked => StoreError::Locked,
            e @ (Error::NoStore { .. } | Error::NotAStore { .. }) => StoreError::NoStore {
                message: e.to_string(),
            },
            other => StoreError::Other {
                message: other.to_string(),
            },
        }
    }
}

impl From<Error> for VisitError {
    fn from(e: Error) -> Self {
        match e {
            e @ Error::Invalid(_) => VisitError::Invalid {
                message: e.to_string(),
            },
            e @ (Error::NoVisit { .. } | Error::NotFound { .. }) => VisitError::NotFound {
                message: e.to_string(),
            },
            other => VisitError::Store {
                message: other.to_string(),
            },
        }
    }
}

impl From<Error> for SyncError {
    fn from(e: Error) -> Self {
        use doorstep_core::sync::SyncError as S;
        match e {
            Error::Sync(S::NotEnrolled) => SyncError::NotEnrolled,
            Error::Sync(S::AlreadyEnrolled { .. }) => SyncError::AlreadyEnrolled,
            Error::Sync(S::Transport(t)) => SyncError::Unreachable { message: t.0 },
            Error::Sync(S::Refused { status, message }) => SyncError::Refused { status, message },
            Error::Sync(S::ClockSkew { skew_secs }) => SyncError::ClockSkew { seconds: skew_secs },
            other => SyncError::Other {
                message: other.to_string(),
            },
        }
    }
}
