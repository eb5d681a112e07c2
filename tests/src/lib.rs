//! Helpers for the end-to-end tests: running the real `doorstep` binary against real store
//! folders, and reading those folders from outside as an attacker with the files would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::NaiveDate;

pub mod postgres;
mod server;
pub use doorstep_webdriver as webdriver;
pub use server::{start_server, LiveServer, UreqTransport};

/// The date every test runs on (pinned through `DOORSTEP_NOW`).
pub const NOW: &str = "2026-11-27T09:00:00+08:00";

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date")
}

/// The newest modification time of the sources the binary is built from.
fn newest_source() -> std::time::SystemTime {
    fn walk(dir: &Path, newest: &mut std::time::SystemTime) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, newest);
            } else if let Ok(m) = e.metadata().and_then(|m| m.modified()) {
                *newest = (*newest).max(m);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    for part in [
        "cli",
        "contract",
        "core",
        "crypto",
        "media",
        "server",
        "sample",
        "Cargo.lock",
    ] {
        let p = root.join(part);
        if p.is_file() {
            if let Ok(m) = std::fs::metadata(&p).and_then(|m| m.modified()) {
                newest = newest.max(m);
            }
        } else {
            walk(&p, &mut newest);
        }
    }
    newest
}

/// The `doorstep` binary of this build. `cargo test --workspace` and nextest build it next
/// to the test binaries; a focused run of this crate alone (`-p doorstep-tests`) does not, so
/// a missing or stale binary is built first.
pub fn doorstep_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let target = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    let bin = target.join("doorstep");
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    if built.is_none_or(|t| t < newest_source()) {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--quiet", "-p", "doorstep"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p doorstep failed");
    }
    bin
}

/// A store folder with its passphrase, driven through the CLI.
#[derive(Debug)]
pub struct Cli {
    pub dir: tempfile::TempDir,
    pub passphrase: String,
}

impl Cli {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            passphrase: "试一试 test passphrase".to_owned(),
        }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// A `doorstep` command on this store, English messages, the pinned clock.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(doorstep_bin());
        c.args(args)
            .env("DOORSTEP_STORE", self.store())
            .env("DOORSTEP_PASSPHRASE", &self.passphrase)
            .env("DOORSTEP_LANG", "en")
            .env("DOORSTEP_NOW", NOW)
            .env_remove("DOORSTEP_NEW_PASSPHRASE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run doorstep")
    }

    /// Runs and insists on success.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "doorstep {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.ok(&a);
        serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
    }

    /// `init` then import `count` generated recipients; returns the CSV imported.
    pub fn with_roster(count: usize) -> (Self, String) {
        let cli = Self::new();
        cli.ok(&["init"]);
        let csv = doorstep_sample::to_csv(&doorstep_sample::generate(11, count, today()));
        let file = cli.dir.path().join("roster.csv");
        std::fs::write(&file, &csv).expect("write roster");
        cli.ok(&["roster", "import", file.to_str().expect("utf-8 path")]);
        (cli, csv)
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.store().join(doorstep_core::DB_FILE))
            .expect("open the database file directly")
    }
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

/// Every file in a folder with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    snapshot_except(dir, &[])
}

/// The names of files that differ between two snapshots (never their contents: they are
/// large, and a test failure should not dump a database into the log).
pub fn changed_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut names: Vec<String> = a.keys().chain(b.keys()).cloned().collect();
    names.sort();
    names.dedup();
    names.retain(|n| a.get(n) != b.get(n));
    names
}

/// Every file in a folder with its bytes, leaving out names ending in any of `skip`.
pub fn snapshot_except(dir: &Path, skip: &[&str]) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read store folder")
        .filter(|e| {
            let name = e
                .as_ref()
                .map(|e| e.file_name().to_string_lossy().into_owned());
            !name.is_ok_and(|n| skip.iter().any(|s| n.ends_with(s)))
        })
        .map(|e| {
            let e = e.expect("dir entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read file"),
            )
        })
        .collect()
}

/// A set of byte strings searched for together: one pass over a file finds any of them
/// (Aho-Corasick), where a loop per needle would read a database file thousands of times.
#[derive(Debug)]
pub struct Needles {
    automaton: aho_corasick::AhoCorasick,
    count: usize,
}

impl Needles {
    /// Empty needles are refused: they would match everywhere.
    pub fn new<I, N>(needles: I) -> Self
    where
        I: IntoIterator<Item = N>,
        N: AsRef<[u8]>,
    {
        let list: Vec<Vec<u8>> = needles.into_iter().map(|n| n.as_ref().to_vec()).collect();
        assert!(list.iter().all(|n| !n.is_empty()), "an empty needle");
        Self {
            count: list.len(),
            automaton: aho_corasick::AhoCorasick::new(&list).expect("build the automaton"),
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The index (in the order given) of a needle found in `haystack`, if any.
    pub fn find_in(&self, haystack: &[u8]) -> Option<usize> {
        self.automaton
            .find(haystack)
            .map(|m| m.pattern().as_usize())
    }

    /// Which needles occur in `haystack`, each once.
    pub fn all_in(&self, haystack: &[u8]) -> std::collections::BTreeSet<usize> {
        self.automaton
            .find_overlapping_iter(haystack)
            .map(|m| m.pattern().as_usize())
            .collect()
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A long-running `doorstep` process (`serve`, `demo`) that prints one JSON line when it is
/// ready; killed when dropped.
#[derive(Debug)]
pub struct Running {
    child: std::process::Child,
    /// The JSON line it printed.
    pub ready: serde_json::Value,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `doorstep ARGS --json` and waits for its ready line.
pub fn spawn_ready(args: &[&str]) -> Running {
    use std::io::BufRead;
    let mut child = Command::new(doorstep_bin())
        .args(args)
        .arg("--json")
        .env("DOORSTEP_LANG", "en")
        .env("DOORSTEP_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("start doorstep");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the ready line");
    let ready = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Running { child, ready }
}
