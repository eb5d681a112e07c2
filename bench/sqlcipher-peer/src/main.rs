//! The SQLCipher peer of the store benchmark: runs one write or one list round on a database
//! keyed with a raw 256-bit key, and prints the milliseconds the operation took (process start
//! and keying excluded), so the benchmark can interleave it with the in-process peers.
//!
//! Usage: sqlcipher-peer write DB DATASET.json | sqlcipher-peer list DB TODAY_DAY LAT LON NEEDLE
#![forbid(unsafe_code)]

#[path = "../../src/plain.rs"]
mod plain;

use std::time::Instant;

use rusqlite::Connection;

/// A fixed raw key: SQLCipher then skips its own PBKDF2, as Doorstep skips its vault's.
const RAW_KEY: &str = "x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'";

fn open(path: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "key", RAW_KEY)?;
    // SQLCipher sizes its pages with its own pragma; match the other peers' 8 KiB.
    conn.pragma_update(None, "cipher_page_size", 8192)?;
    plain::configure(&conn)?;
    Ok(conn)
}

fn run(args: &[String]) -> Result<f64, String> {
    let err = |e: rusqlite::Error| e.to_string();
    match args {
        [cmd, db, dataset] if cmd == "write" => {
            let rows: Vec<plain::FlatRow> =
                serde_json::from_slice(&std::fs::read(dataset).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            let mut conn = open(db).map_err(err)?;
            plain::create_schema(&conn).map_err(err)?;
            let t = Instant::now();
            plain::write(&mut conn, &rows, "2026-11-27T00:00:00Z").map_err(err)?;
            Ok(t.elapsed().as_secs_f64() * 1e3)
        }
        [cmd, db, today, lat, lon, needle] if cmd == "list" => {
            let num = |s: &str| s.parse::<f64>().map_err(|e| e.to_string());
            let conn = open(db).map_err(err)?;
            // Keying is lazy: touch the schema so key checking is not timed as listing.
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(err)?;
            let t = Instant::now();
            let (due, found) =
                plain::list(&conn, num(today)? as i64, (num(lat)?, num(lon)?), needle)
                    .map_err(err)?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if due.len() != 50
                || found.is_empty()
                || found.iter().any(|e| !e.name.contains(needle.as_str()))
            {
                return Err("listed the wrong rows".into());
            }
            Ok(ms)
        }
        _ => Err("usage: write DB DATASET | list DB TODAY_DAY LAT LON NEEDLE".into()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(ms) => println!("{ms:.3}"),
        Err(e) => {
            eprintln!("sqlcipher-peer: {e}");
            std::process::exit(1);
        }
    }
}
