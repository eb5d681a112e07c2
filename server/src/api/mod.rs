//! The device API under `/api/v1`: enrolment, signed pulls and pushes. Handlers parse and
//! check; what is kept and how goes through [`Storage`] on a blocking thread.

mod auth;
mod enrol;
mod known;
mod media;
mod pull;
mod refusals;
mod visits;

pub use enrol::{code_hash, MAX_FAILED as MAX_FAILED_ENROLMENTS};

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::storage::{Storage, StorageError};

pub use doorstep_contract::wire::{MAX_BODY, MAX_MEDIA, MAX_RECORDS};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Where complete photos and signature images are kept.
    pub media: crate::media_store::MediaStore,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    /// Storage calls queue here, first come first served, one at a time: SQLite has one
    /// writer, and a hundred blocking threads fighting over its lock made the slowest
    /// requests wait longest (p99 385 ms against 107 ms at the median, in the ingest bench).
    gate: Arc<tokio::sync::Semaphore>,
    /// Requests waiting for or inside a storage call: background work gives way to them.
    busy: Arc<std::sync::atomic::AtomicUsize>,
    /// Enrolled devices' keys and areas, once looked up.
    known: Arc<known::KnownDevices>,
    /// Session cookies carry `Secure` when the server speaks TLS.
    pub secure_cookies: bool,
    /// A map tile URL template (`{z}`, `{x}`, `{y}`) drawn under visit maps, if any.
    pub tiles: Option<Arc<str>>,
    /// The county's time zone: pages and exports show its local times and count its days.
    pub zone: crate::web::Zone,
    /// The roster's facts per area, as the dashboard and the coverage report count them.
    pub rosters: Arc<crate::web::RosterFacts>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, media: crate::media_store::MediaStore) -> AppState {
        let lanes = storage.lanes();
        AppState {
            storage,
            media,
            clock: Arc::new(|| chrono::Utc::now().timestamp()),
            gate: Arc::new(tokio::sync::Semaphore::new(lanes)),
            busy: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            known: Arc::default(),
            secure_cookies: false,
            tiles: None,
            zone: crate::web::Zone::default(),
            rosters: Arc::default(),
        }
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// Counts a request's storage call while it waits and runs (dropped on every path).
struct Busy(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Runs a request's storage calls in their turn at the gate, counted as busy while they wait
/// and run (the flagger gives way to them).
pub async fn stored<T, F>(
    state: &AppState,
    f: impl FnOnce(Arc<dyn Storage>) -> F,
) -> Result<T, ApiError>
where
    F: std::future::Future<Output = Result<T, StorageError>>,
{
    state.busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let _busy = Busy(state.busy.clone());
    gated(state, f).await
}

async fn gated<T, F>(state: &AppState, f: impl FnOnce(Arc<dyn Storage>) -> F) -> Result<T, ApiError>
where
    F: std::future::Future<Output = Result<T, StorageError>>,
{
    let _permit = state.gate.acquire().await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is stopping",
        )
    })?;
    f(state.storage.clone()).await.map_err(ApiError::from)
}

/// Visits flagged per transaction behind the pushes: large enough that index pages are
/// shared between visits, small enough that a push waits little for the gate.
const FLAG_BATCH: usize = 100;

/// Raises cross-device flags behind the pushes, for as long as the server runs. Inside a
/// push they tripled its cost (each visit's index entries land on pages of their own);
/// batched here they cost a fraction. They give way to devices: under a burst of uploads
/// they wait for a quiet moment, and the review queue sees them within seconds.
pub async fn raise_flags_behind(state: AppState) {
    loop {
        if state.busy.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        }
        match gated(&state, |s| async move {
            s.raise_pending_flags(FLAG_BATCH).await
        })
        .await
        {
            Ok(n) if n == FLAG_BATCH => tokio::task::yield_now().await,
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
            // Already logged; try again later rather than spin on a broken database.
            Err(_) => tokio::time::sleep(std::time::Duration::from_secs(2)).await,
        }
    }
}

/// A JSON body, or 400 naming what is wrong with it.
pub(crate) fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))
}

async fn openapi() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}

/// Every answer carries the server's time, from which a device measures its clock skew
/// (DESIGN "Sealed visits and trust": a device clock far off is a flag).
async fn server_time(mut r: axum::response::Response) -> axum::response::Response {
    let now = chrono::Utc::now().timestamp().to_string();
    if let Ok(v) = axum::http::HeaderValue::from_str(&now) {
        r.headers_mut()
            .insert(doorstep_contract::wire::HEADER_SERVER_TIME, v);
    }
    r
}

/// The device API's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/enrol", post(enrol::enrol))
        .route("/api/v1/roster", get(pull::roster))
        .route("/api/v1/decisions", get(pull::decisions))
        .route("/api/v1/tickets", get(pull::tickets))
        .route("/api/v1/visits", post(visits::push))
        .route(
            "/api/v1/media/{sha256}",
            put(media::put_chunk).get(media::status),
        )
        .route("/api/v1/{*rest}", axum::routing::any(refusals::no_route))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::map_response(refusals::as_json))
        .layer(axum::middleware::map_response(server_time))
        .with_state(state)
}
