//! The errors the bindings raise, one enum per area, each a typed exception in Kotlin,
//! Swift and Python. Details are the core's messages, which name ids, fields and lines, never
//! personal values. (The field is `detail`: Kotlin exceptions already have a `message`.)

use doorstep_core::Error;

/// Opening, creating and re-keying the store.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum StoreError {
    #[error("wrong passphrase or key: the store was not changed")]
    WrongKey,
    #[error("the store is locked by another process")]
    Locked,
    #[error("{detail}")]
    NoStore { detail: String },
    #[error("{detail}")]
    Other { detail: String },
}

/// Recording a visit: an action refused (the draft is unchanged), an unknown visit.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum VisitError {
    #[error("{detail}")]
    Invalid { detail: String },
    #[error("{detail}")]
    NotFound { detail: String },
    #[error("{detail}")]
    Store { detail: String },
}

/// Enrolment and sync.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SyncError {
    #[error("this device is not enrolled")]
    NotEnrolled,
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    #[error("the server could not be reached: {detail}")]
    Unreachable { detail: String },
    #[error("the server refused the request ({status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("the device clock is {seconds} s off the server's")]
    ClockSkew { seconds: i64 },
    #[error("{detail}")]
    Other { detail: String },
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
                detail: e.to_string(),
            },
            other => StoreError::Other {
                detail: other.to_string(),
            },
        }
    }
}

impl From<Error> for VisitError {
    fn from(e: Error) -> Self {
        match e {
            e @ Error::Invalid(_) => VisitError::Invalid {
                detail: e.to_string(),
            },
            e @ (Error::NoVisit { .. } | Error::NotFound { .. }) => VisitError::NotFound {
                detail: e.to_string(),
            },
            other => VisitError::Store {
                detail: other.to_string(),
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
            Error::Sync(S::Transport(t)) => SyncError::Unreachable { detail: t.0 },
            Error::Sync(S::Refused { status, message }) => SyncError::Refused {
                status,
                detail: message,
            },
            Error::Sync(S::ClockSkew { skew_secs }) => SyncError::ClockSkew { seconds: skew_secs },
            other => SyncError::Other {
                detail: other.to_string(),
            },
        }
    }
}
