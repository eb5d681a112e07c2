//! A real PostgreSQL for the tests that need one: the server named by DOORSTEP_TEST_POSTGRES
//! (scripts/test starts one), or else a cluster of the test's own, started with
//! `scripts/postgres` on a free loopback port and stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug)]
pub struct Postgres {
    /// A URL on the server's `postgres` database; [`Postgres::database`] makes others.
    pub url: String,
    own: Option<(tempfile::TempDir, PathBuf)>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres")
}

pub fn postgres() -> Postgres {
    if let Ok(url) = std::env::var("DOORSTEP_TEST_POSTGRES") {
        return Postgres { url, own: None };
    }
    let dir = tempfile::Builder::new()
        .prefix("doorstep-pg")
        .tempdir_in("/tmp")
        .expect("a folder for the cluster");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let out = Command::new("bash")
        .arg(script())
        .args([
            "start",
            &dir.path().display().to_string(),
            &port.to_string(),
        ])
        .output()
        .expect("scripts/postgres");
    assert!(
        out.status.success(),
        "PostgreSQL did not start (scripts/setup --tests installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let path = dir.path().to_owned();
    Postgres {
        url,
        own: Some((dir, path)),
    }
}

impl Postgres {
    /// A new, empty database on this server; its URL.
    pub fn database(&self, name: &str) -> String {
        let url = self.url.clone();
        let create = format!("CREATE DATABASE {name}");
        doorstep_server::block_on(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            client
                .batch_execute(&create)
                .await
                .expect("create database");
        });
        let (root, _) = self.url.rsplit_once('/').expect("a URL with a database");
        format!("{root}/{name}")
    }

    /// Rows of a query on `url`, every column as text.
    pub fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
        let (url, sql) = (url.to_owned(), sql.to_owned());
        doorstep_server::block_on(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            client
                .simple_query(&sql)
                .await
                .expect("query")
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .map(|i| r.get(i).unwrap_or_default().to_owned())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect()
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some((_, path)) = &self.own {
            let _ = Command::new("bash")
                .arg(script())
                .args(["stop", &path.display().to_string()])
                .output();
        }
    }
}
