//! The errors the bindings raise: one exception type per area (the store, a visit, sync),
//! each with a stable [`ErrorCode`] to branch on and a `detail` in the chosen language that a
//! screen can show as it is (Kotlin's exceptions already have a `message`). Details name ids,
//! fields and lines, never personal values. `PlatformError` is what the platform's own key
//! store, HTTP stack or observer throws back.

pub use doorstep_core::error::ErrorCode;
use doorstep_core::text::{Lang, Localize};
use doorstep_core::Error;

/// A stable name for each kind of failure (the core's own codes).
#[uniffi::remote(Enum)]
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

/// A refusal of a call, with what to show for it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum DoorstepError {
    /// Opening, creating and re-keying the store; damage; another process holding it.
    #[error("{detail}")]
    Store { code: ErrorCode, detail: String },
    /// A visit action refused (the draft is unchanged), an unknown visit or recipient.
    #[error("{detail}")]
    Visit { code: ErrorCode, detail: String },
    /// Enrolment and sync: what was committed before stays committed. `http_status` for a
    /// refused request, `clock_skew_secs` when the clock is why.
    #[error("{detail}")]
    Sync {
        code: ErrorCode,
        detail: String,
        http_status: Option<u16>,
        clock_skew_secs: Option<i64>,
    },
}

impl DoorstepError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DoorstepError::Store { code, .. }
            | DoorstepError::Visit { code, .. }
            | DoorstepError::Sync { code, .. } => *code,
        }
    }
}

/// Which area a core error belongs to, worded in `lang`.
pub(crate) fn from_core(e: Error, lang: Lang) -> DoorstepError {
    use doorstep_core::error::SyncError as S;
    let code = e.code();
    let detail = e.localize(lang);
    match &e {
        Error::Sync(s) => DoorstepError::Sync {
            code,
            detail,
            http_status: match s {
                S::Refused { status, .. } => Some(*status),
                _ => None,
            },
            clock_skew_secs: match s {
                S::ClockSkew { skew_secs } => Some(*skew_secs),
                _ => None,
            },
        },
        Error::Invalid(_)
        | Error::NotFound { .. }
        | Error::NoVisit { .. }
        | Error::InvalidRows(_)
        | Error::RosterFormat(_) => DoorstepError::Visit { code, detail },
        _ => DoorstepError::Store { code, detail },
    }
}

/// What a platform key store, HTTP stack or observer reports back.
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
