//! PostgreSQL for the benchmarks' `--backend postgres`: the server at `--database`, or a
//! throwaway cluster of the benchmark's own (scripts/postgres, durable settings) on a free
//! loopback port, stopped when dropped. Fresh databases on it for each side of a comparison.

use std::path::{Path, PathBuf};
use std::process::Command;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which storage a benchmark's server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Cluster {
    /// A URL on the server's `postgres` database.
    url: String,
    own: Option<(tempfile::TempDir, PathBuf)>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres")
}

impl Cluster {
    pub fn start(database: Option<&str>) -> Result<Cluster, BoxError> {
        if let Some(url) = database {
            return Ok(Cluster {
                url: url.to_owned(),
                own: None,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("doorstep-bench-pg")
            .tempdir_in("/tmp")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let out = Command::new("bash")
            .arg(script())
            .args([
                "start",
                &dir.path().display().to_string(),
                &port.to_string(),
            ])
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "PostgreSQL did not start: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let path = dir.path().to_owned();
        Ok(Cluster {
            url: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            own: Some((dir, path)),
        })
    }

    /// A new, empty database; its URL.
    pub fn database(&self, prefix: &str) -> Result<String, BoxError> {
        let name = format!("{prefix}_{}", doorstep_core::crypto::random_hex(4)?);
        let c = connect(&self.url)?;
        doorstep_server::block_on(c.batch_execute(&format!("CREATE DATABASE {name}")))?;
        let (root, _) = self.url.rsplit_once('/').ok_or("a URL with a database")?;
        Ok(format!("{root}/{name}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((_, path)) = &self.own {
            let _ = Command::new("bash")
                .arg(script())
                .args(["stop", &path.display().to_string()])
                .output();
        }
    }
}

/// A client on `url`, its connection served by the storage runtime.
pub fn connect(url: &str) -> Result<tokio_postgres::Client, BoxError> {
    let url = url.to_owned();
    doorstep_server::block_on(async move {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        Ok::<_, BoxError>(client)
    })
}

/// The durability settings the figures were measured under, as one line.
pub fn settings_line(url: &str) -> Result<String, BoxError> {
    let c = connect(url)?;
    let rows = doorstep_server::block_on(c.query(
        "SELECT name, setting FROM pg_settings
         WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes',
                        'shared_buffers', 'wal_level')
         ORDER BY name",
        &[],
    ))?;
    let parts: Vec<String> = rows
        .iter()
        .map(|r| format!("{}={}", r.get::<_, String>(0), r.get::<_, String>(1)))
        .collect();
    Ok(format!("postgresql: {}", parts.join(" ")))
}

/// A PostgreSQL error with the server's message (tokio-postgres alone says only "db error").
pub fn explained(e: tokio_postgres::Error) -> BoxError {
    match e.as_db_error() {
        Some(d) => format!("PostgreSQL: {} ({})", d.message(), d.code().code()).into(),
        None => e.into(),
    }
}

/// For a benchmark's server: on SQLite nothing; on PostgreSQL a cluster (the caller keeps it
/// alive) and a fresh database named from `prefix` on it, its settings printed first.
pub fn server_database(
    backend: Backend,
    database: Option<&str>,
    prefix: &str,
) -> Result<(Option<Cluster>, Option<String>), BoxError> {
    if backend == Backend::Sqlite {
        return Ok((None, None));
    }
    let cluster = Cluster::start(database)?;
    let url = cluster.database(prefix)?;
    println!("{}", settings_line(&url)?);
    Ok((Some(cluster), Some(url)))
}
