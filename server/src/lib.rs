//! doorstep-server: the sync server for field devices (a signed JSON API under `/api/v1`),
//! the review and ledger logic the supervisor web app calls, and the operator commands.
//! Started by `doorstep serve --data DIR --listen ADDR`; keeps everything in one SQLite file
//! in the data folder behind the [`storage::Storage`] boundary.

#![forbid(unsafe_code)]

pub mod admin;
pub mod api;
pub mod error;
pub mod flags;
pub mod ledger;
pub mod media_store;
pub mod storage;
pub mod tls;
pub mod web;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

pub use api::{router, AppState};
pub use storage::{SqliteStorage, Storage};

/// Opens the data folder (created 0700 if absent) and its database, migrated.
pub fn open(data: &Path) -> Result<Arc<SqliteStorage>, storage::StorageError> {
    create_private_dir(data)?;
    Ok(Arc::new(SqliteStorage::open(data)?))
}

/// Opens the server's storage: the PostgreSQL database at `database` when given
/// (`postgres://user@host:port/db`, or an engine compatible with it), the SQLite file in the
/// data folder otherwise.
pub async fn open_storage(
    data: &Path,
    database: Option<&str>,
) -> Result<Arc<dyn Storage>, storage::StorageError> {
    match database {
        None => Ok(open(data)?),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(storage::PgStorage::open(url).await?))
        }
        Some(_) => Err(storage::StorageError::Unsuitable(
            "--database takes a postgres:// URL (without it, the data folder's SQLite file)".into(),
        )),
    }
}

/// Runs a storage call (or any future) to completion from code that is not async: the
/// operator commands, the demo, tests and benchmarks. One runtime for the process, so that
/// the connections a pool opens here stay served after the call returns.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("doorstep-storage")
                .enable_all()
                .build()
                .expect("a tokio runtime (threads and a reactor) can be built")
        })
        .block_on(f)
}

pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Serves the API on `listener` (plain TCP, or [`tls::TlsListener`]) until `shutdown`
/// resolves.
pub async fn serve<L>(
    state: AppState,
    listener: L,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let flagger = tokio::spawn(api::raise_flags_behind(state.clone()));
    let app = router(state.clone()).merge(web::router(state));
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    flagger.abort();
    served
}

/// Answers leave as soon as they are written, never held back by Nagle's algorithm for an
/// acknowledgement the client delays (the usual setting for an HTTP server).
fn no_delay(listener: tokio::net::TcpListener) -> impl axum::serve::Listener<Addr = SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| set_no_delay(tcp))
}

/// [`no_delay`] on one accepted connection (the TLS listener's too).
pub(crate) fn set_no_delay(tcp: &tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

/// A server on a runtime thread of its own (tests, benchmarks, the demo); it stops when
/// dropped.
#[derive(Debug)]
pub struct Background {
    scheme: &'static str,
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Binds `listen` and serves on `workers` runtime threads until the handle is dropped; over
/// TLS when given a configuration.
pub fn spawn(
    state: AppState,
    listen: SocketAddr,
    workers: usize,
    tls: Option<Arc<tls::ServerConfig>>,
) -> std::io::Result<Background> {
    spawn_on(runtime(workers)?, state, listen, tls)
}

/// A runtime for [`spawn_on`] with `workers` threads, on which a benchmark opens its storage
/// first: a PostgreSQL pool's connections are then driven by the threads serving requests,
/// as under `doorstep serve`, not by another runtime's (a hand-over per query).
pub fn runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
}

/// [`spawn`] on a runtime of the caller's.
pub fn spawn_on(
    rt: tokio::runtime::Runtime,
    state: AppState,
    listen: SocketAddr,
    tls: Option<Arc<tls::ServerConfig>>,
) -> std::io::Result<Background> {
    let listener = rt.block_on(tokio::net::TcpListener::bind(listen))?;
    let addr = listener.local_addr()?;
    let secure = tls.is_some();
    let mut state = state;
    state.secure_cookies = secure;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let shutdown = async {
            let _ = stopped.await;
        };
        let served = rt.block_on(async move {
            match tls {
                Some(config) => {
                    serve(state, tls::TlsListener::new(listener, config)?, shutdown).await
                }
                None => serve(state, no_delay(listener), shutdown).await,
            }
        });
        if let Err(e) = served {
            tracing::error!(error = %e, "server stopped");
        }
    });
    Ok(Background {
        scheme: if secure { "https" } else { "http" },
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Logs to stderr: request-level events only, never a body or a personal field.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOORSTEP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The media store of a data folder: its `media/` folder, or the S3 bucket configured.
pub fn media_store(
    data: &Path,
    s3: Option<&media_store::S3Config>,
) -> Result<media_store::MediaStore, media_store::MediaStoreError> {
    match s3 {
        Some(c) => media_store::MediaStore::s3(c),
        None => media_store::MediaStore::folder(&data.join("media")),
    }
}

/// rustls's process-wide crypto: ring, as everywhere else here (object_store's HTTP client
/// takes the process default). Installing twice is harmless.
pub(crate) fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Photos kept in the database by a version before the media store: each written to the
/// store, then committed (its inline copy emptied). Returns how many moved.
pub async fn move_inline_media(
    storage: &Arc<dyn Storage>,
    media: &media_store::MediaStore,
) -> Result<usize, RunError> {
    let mut moved = 0;
    loop {
        let batch = storage.media_kept_inline(64).await?;
        if batch.is_empty() {
            return Ok(moved);
        }
        for (sha, bytes) in batch {
            media.put(&sha, bytes).await?;
            storage.media_commit(&sha).await?;
            moved += 1;
        }
    }
}

/// How the web app shows things: the tile server under visit maps, the county's time zone.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    pub tiles: Option<String>,
    pub zone: web::Zone,
}

/// `doorstep serve`: binds `listen`, reports the URL it got (port 0 picks one), and serves
/// until Ctrl-C; over TLS with a certificate and key (PEM files).
pub fn run(
    data: &Path,
    listen: SocketAddr,
    tls_files: Option<(&Path, &Path)>,
    settings: WebSettings,
    s3: Option<media_store::S3Config>,
    database: Option<&str>,
    on_ready: impl FnOnce(String),
) -> Result<(), RunError> {
    let WebSettings { tiles, zone } = settings;
    if let Some(t) = &tiles {
        let ok = (t.starts_with("https://") || t.starts_with("http://"))
            && ["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p));
        if !ok {
            return Err(RunError::Tiles);
        }
    }
    init_logging();
    let tls = tls_files
        .map(|(cert, key)| tls::config(cert, key))
        .transpose()?;
    let media = media_store(data, s3.as_ref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(RunError::Io)?;
    rt.block_on(async move {
        let storage = open_storage(data, database).await?;
        tracing::info!(backend = storage.backend(), "storage open");
        let moved = move_inline_media(&storage, &media).await?;
        if moved > 0 {
            tracing::info!(
                moved,
                store = media.kind(),
                "media moved out of the database"
            );
        }
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(%addr, scheme, "serving");
        on_ready(format!("{scheme}://{addr}"));
        let mut state = AppState::new(storage, media);
        // Session cookies travel only over TLS when the server speaks it.
        state.secure_cookies = tls.is_some();
        state.tiles = tiles.map(Into::into);
        state.zone = zone;
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match tls {
            Some(config) => serve(state, tls::TlsListener::new(listener, config)?, stop).await?,
            None => serve(state, no_delay(listener), stop).await?,
        }
        Ok(())
    })
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Storage(#[from] storage::StorageError),
    #[error("{0}")]
    Tls(#[from] tls::TlsError),
    #[error("--tiles must be an http(s) URL template with {{z}}, {{x}} and {{y}}")]
    Tiles,
    #[error("{0}")]
    Media(#[from] media_store::MediaStoreError),
    #[error("{0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for RunError {
    fn from(e: std::io::Error) -> Self {
        RunError::Io(e)
    }
}
