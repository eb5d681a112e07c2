//! The store benchmark. Each round, interleaved, with a fresh database file per peer: write
//! 10,000 recipients in one transaction, then list them (read and decode every row, due list
//! sorted by overdue days and distance, top 50, and a name search) on a freshly opened
//! connection. Peers: (a) the Doorstep store, (b) plaintext rusqlite, (c) SQLCipher with a raw
//! key, run as a child process because its SQLite cannot share our process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::geo::to_wgs84;
use doorstep_core::model::Recipient;
use doorstep_core::roster::ListQuery;
use doorstep_core::Doorstep;

use crate::plain::{self, FlatRow};
use crate::stats::median;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rounds (the median is reported).
    #[arg(long, default_value_t = 7)]
    rounds: usize,
    /// Recipients written and listed per round.
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    /// Skip the SQLCipher peer (when libssl-dev is not installed).
    #[arg(long)]
    no_sqlcipher: bool,
}

type BoxError = Box<dyn std::error::Error>;

const NEEDLE: &str = "王";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date")
}

fn epoch_day(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days()
}

fn flatten(r: &Recipient) -> FlatRow {
    let wgs = r.location.as_ref().map(to_wgs84);
    FlatRow {
        id: r.id.clone(),
        name: r.name.clone(),
        id_number: r.id_number.as_str().to_owned(),
        gender: format!("{:?}", r.gender),
        birth_date: r.birth_date.to_string(),
        categories: r
            .categories
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join("|"),
        village: r.village.as_str().to_owned(),
        address: r.address.clone(),
        lat: wgs.map(|p| p.0),
        lon: wgs.map(|p| p.1),
        phone: r.phone.as_ref().map(|p| p.as_str().to_owned()),
        guardian_name: r.guardian.as_ref().map(|g| g.name.clone()),
        guardian_relation: r.guardian.as_ref().map(|g| g.relation.clone()),
        guardian_phone: r
            .guardian
            .as_ref()
            .and_then(|g| g.phone.as_ref().map(|p| p.as_str().to_owned())),
        enrolments: r
            .enrolments
            .iter()
            .map(|e| {
                format!(
                    "{}:{}:{}:{}",
                    e.code,
                    e.short_name,
                    e.amount_fen,
                    u8::from(e.protected)
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
        card_status: r.card_status.code().to_owned(),
        last_visit_day: r.last_visit.map(epoch_day),
    }
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn db_size(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// (a) Doorstep: write through the roster import's write path (validated recipients, one
/// transaction), list through the roster queries.
fn doorstep_round(
    dir: &Path,
    vault: &RawKeyVault,
    people: &[Recipient],
    near: (f64, f64),
) -> Result<(f64, f64, u64), BoxError> {
    let store_dir = dir.join("doorstep");
    let mut store = Doorstep::create(&store_dir, vault)?;
    let t = Instant::now();
    // The roster import's write path.
    store.import_recipients(people)?;
    let write_ms = ms_since(t);
    store.close()?;
    let store = Doorstep::open(&store_dir, vault)?;
    let t = Instant::now();
    let due = store.roster(
        &ListQuery {
            near: Some(near),
            limit: Some(50),
            ..ListQuery::default()
        },
        today(),
    )?;
    let found = store.roster(
        &ListQuery {
            near: Some(near),
            search: Some(NEEDLE.to_owned()),
            ..ListQuery::default()
        },
        today(),
    )?;
    let list_ms = ms_since(t);
    if due.entries.len() != 50 || found.entries.is_empty() {
        return Err("doorstep list returned too little".into());
    }
    let size = db_size(&store_dir.join(doorstep_core::DB_FILE));
    store.close()?;
    Ok((write_ms, list_ms, size))
}

/// (b) Plaintext rusqlite with the same settings.
fn plain_round(
    dir: &Path,
    rows: &[FlatRow],
    near: (f64, f64),
) -> Result<(f64, f64, u64), BoxError> {
    let path = dir.join("plain.db");
    let mut conn = rusqlite::Connection::open(&path)?;
    plain::configure(&conn)?;
    plain::create_schema(&conn)?;
    let t = Instant::now();
    plain::write(&mut conn, rows, "2026-11-27T00:00:00Z")?;
    let write_ms = ms_since(t);
    drop(conn);
    let conn = rusqlite::Connection::open(&path)?;
    plain::configure(&conn)?;
    let t = Instant::now();
    let (due, found) = plain::list(&conn, epoch_day(today()), near, NEEDLE)?;
    let list_ms = ms_since(t);
    if due.len() != 50 || found.is_empty() || found.iter().any(|e| !e.name.contains(NEEDLE)) {
        return Err("plain list returned the wrong rows".into());
    }
    let size = db_size(&path);
    Ok((write_ms, list_ms, size))
}

fn peer_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sqlcipher-peer")
}

/// Builds the SQLCipher peer in its own workspace (once; cargo skips it when up to date).
fn build_peer() -> Result<PathBuf, BoxError> {
    eprintln!("building the SQLCipher peer (its own workspace)…");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(peer_dir().join("Cargo.toml"))
        .env_remove("CARGO_TARGET_DIR")
        .status()?;
    if !status.success() {
        return Err("building bench/sqlcipher-peer failed (it needs libssl-dev)".into());
    }
    Ok(peer_dir().join("target/release/sqlcipher-peer"))
}

fn peer(bin: &Path, args: &[String]) -> Result<f64, BoxError> {
    let out = Command::new(bin).args(args).output()?;
    if !out.status.success() {
        return Err(format!("sqlcipher-peer: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?.trim().parse()?)
}

/// (c) SQLCipher, in the child process.
fn sqlcipher_round(
    bin: &Path,
    dir: &Path,
    dataset: &Path,
    near: (f64, f64),
) -> Result<(f64, f64, u64), BoxError> {
    let db = dir.join("sqlcipher.db");
    let db_s = db.display().to_string();
    let write_ms = peer(
        bin,
        &["write".into(), db_s.clone(), dataset.display().to_string()],
    )?;
    let list_ms = peer(
        bin,
        &[
            "list".into(),
            db_s,
            epoch_day(today()).to_string(),
            near.0.to_string(),
            near.1.to_string(),
            NEEDLE.into(),
        ],
    )?;
    Ok((write_ms, list_ms, db_size(&db)))
}

#[derive(Default)]
struct Samples {
    write: Vec<f64>,
    list: Vec<f64>,
    size: u64,
}

impl Samples {
    fn add(&mut self, (w, l, s): (f64, f64, u64)) {
        self.write.push(w);
        self.list.push(l);
        self.size = s;
    }
}

pub fn run(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let rounds = a.rounds.max(5);
    let people = doorstep_sample::generate(42, a.rows, today());
    let flat: Vec<FlatRow> = people.iter().map(flatten).collect();
    let county = doorstep_sample::lankao();
    let near = county
        .villages
        .first()
        .map_or((34.822, 114.821), |v| (v.lat, v.lon));
    let work = tempfile::tempdir()?;
    let dataset = work.path().join("dataset.json");
    std::fs::write(&dataset, serde_json::to_vec(&flat)?)?;
    let peer_bin = if a.no_sqlcipher {
        None
    } else {
        Some(build_peer()?)
    };
    let vault = RawKeyVault::generate()?;

    let (mut ds, mut pl, mut sc) = (Samples::default(), Samples::default(), Samples::default());
    for round in 0..rounds {
        let dir = tempfile::tempdir_in(work.path())?;
        // Rotate who goes first, so no peer always runs on a cold or warm machine.
        for k in 0..3 {
            match (round + k) % 3 {
                0 => ds.add(doorstep_round(dir.path(), &vault, &people, near)?),
                1 => pl.add(plain_round(dir.path(), &flat, near)?),
                _ => {
                    if let Some(bin) = &peer_bin {
                        sc.add(sqlcipher_round(bin, dir.path(), &dataset, near)?);
                    }
                }
            }
        }
        eprint!("\rround {}/{rounds}", round + 1);
    }
    eprintln!();

    println!(
        "store benchmark: {} recipients, {rounds} rounds, medians",
        a.rows
    );
    println!(
        "{:<12} {:>10} {:>10} {:>12}",
        "peer", "write_ms", "list_ms", "db_bytes"
    );
    let line = |name: &str, s: &Samples| {
        println!(
            "{name:<12} {:>10.1} {:>10.1} {:>12}",
            median(&s.write),
            median(&s.list),
            s.size
        );
    };
    line("doorstep", &ds);
    line("plaintext", &pl);
    if peer_bin.is_some() {
        line("sqlcipher", &sc);
    }
    let r = |x: &[f64], y: &[f64]| {
        if y.is_empty() {
            "n/a".to_owned()
        } else {
            format!("{:.2}", median(x) / median(y))
        }
    };
    println!(
        "store ratios: write_vs_plain={} write_vs_sqlcipher={} list_vs_plain={} list_vs_sqlcipher={}",
        r(&ds.write, &pl.write),
        r(&ds.write, &sc.write),
        r(&ds.list, &pl.list),
        r(&ds.list, &sc.list),
    );
    Ok(())
}
