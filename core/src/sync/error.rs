//! Why a sync or an enrolment stopped. Whatever was committed before stays committed; the
//! next sync resumes from there.

/// A failure of the sync protocol. Messages carry statuses and the server's own words about
/// the request, never record contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled: run `doorstep enroll --server URL --code CODE`")]
    NotEnrolled,
    #[error("this device is already enrolled with {server}")]
    AlreadyEnrolled { server: String },
    #[error(transparent)]
    Transport(#[from] super::TransportError),
    #[error("the server refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("the device clock is {skew_secs} s off the server's: set the clock and sync again")]
    ClockSkew { skew_secs: i64 },
    #[error("the server's answer could not be read ({0})")]
    Protocol(&'static str),
}
