//! The network-cut harness: a device syncing sealed visits with photos to a real `doorstep
//! serve` on loopback through a proxy written here, which cuts, stalls and truncates each
//! connection at a random byte offset in either direction. After the syncs, the proxy lets
//! everything through and the device syncs until nothing is left; then every sealed visit
//! must be on the server exactly once with its exact bytes, and every photo once, byte for
//! byte. Prints `cuts: syncs=N duplicates=0 missing=0`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use doorstep_core::crypto::{hex, sha256};
use doorstep_core::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

use crate::crash::Rng;
use crate::field::BoxError;
use crate::served::{self, clock, record, Http};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sync attempts through the faulty proxy.
    #[arg(long, default_value_t = 500)]
    syncs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// What the proxy does to one connection.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    /// Closes both ways after this many bytes of the request.
    CutRequest(u64),
    /// Closes both ways after this many bytes of the response (the server may have acted).
    CutResponse(u64),
    /// Holds the response this long after this many bytes, then goes on.
    Stall(u64, Duration),
}

/// Copies `from` to `to` until the end or the fault's offset.
fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    cut_at: Option<u64>,
    stall: Option<(u64, Duration)>,
) {
    let mut sent = 0u64;
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut chunk = &buf[..n];
        if let Some(cut) = cut_at {
            let room = cut.saturating_sub(sent) as usize;
            if room < chunk.len() {
                let _ = to.write_all(&chunk[..room]);
                break;
            }
        }
        if let Some((at, pause)) = stall {
            if sent <= at && at < sent + chunk.len() as u64 {
                let split = (at - sent) as usize;
                let _ = to.write_all(&chunk[..split]);
                std::thread::sleep(pause);
                chunk = &chunk[split..];
                sent += split as u64;
            }
        }
        if to.write_all(chunk).is_err() {
            break;
        }
        sent += chunk.len() as u64;
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// The proxy: listens on loopback, forwards to `upstream` with a fault per connection
/// (none once `clear` is set). Returns its address.
fn proxy(
    upstream: String,
    seed: u64,
    clear: Arc<AtomicBool>,
    faults: Arc<AtomicU64>,
) -> Result<String, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?.to_string();
    std::thread::spawn(move || {
        let mut rng = Rng(seed.max(1));
        for client in listener.incoming().map_while(Result::ok) {
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let roll = rng.next();
            let offset = rng.next() % 4096;
            let fault = if clear.load(Ordering::SeqCst) {
                Fault::Pass
            } else {
                match roll % 8 {
                    0 | 1 => Fault::CutRequest(offset),
                    2 | 3 => Fault::CutResponse(offset % 600),
                    4 => Fault::Stall(offset % 600, Duration::from_millis(50 + roll % 200)),
                    _ => Fault::Pass,
                }
            };
            if !matches!(fault, Fault::Pass) {
                faults.fetch_add(1, Ordering::SeqCst);
            }
            let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                continue;
            };
            let (up_cut, down_cut, stall) = match fault {
                Fault::Pass => (None, None, None),
                Fault::CutRequest(n) => (Some(n), None, None),
                Fault::CutResponse(n) => (None, Some(n), None),
                Fault::Stall(n, d) => (None, None, Some((n, d))),
            };
            std::thread::spawn(move || pipe(client, server, up_cut, None));
            std::thread::spawn(move || pipe(s2, c2, down_cut, stall));
        }
    });
    Ok(addr)
}

/// Every media file the server keeps, by name, with its bytes.
fn kept_media(dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) -> Result<(), BoxError> {
    if !dir.exists() {
        return Ok(());
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            kept_media(&p, out)?;
        } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
            out.insert(name.to_owned(), std::fs::read(&p)?);
        }
    }
    Ok(())
}

pub fn run(a: &Args) -> Result<bool, BoxError> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let c = served::county(dir.path())?;
    let (_served, url) = served::serve(&c.data)?;
    let upstream = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let (clear, faults) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let through = format!(
        "http://{}",
        proxy(upstream, a.seed, clear.clone(), faults.clone())?
    );

    let http = Http(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            // A connection per request, so that each meets a fault of its own.
            .max_idle_connections(0)
            .build()
            .into(),
    );
    let mut store = served::enrolled(&dir.path().join("device"), &http, &url, &c.code)?;
    let ids: Vec<String> = c
        .people
        .iter()
        .filter(|p| p.village.county() == c.area)
        .map(|p| p.id.clone())
        .collect();
    // Enrolled at the server's own address; the syncs go through the proxy from here on.
    let (mut failed, mut recorded) = (0, 0);
    for i in 0..a.syncs {
        if i % 2 == 0 {
            record(&mut store, &ids[recorded % ids.len()], recorded)?;
            recorded += 1;
        }
        if store
            .sync(&Through(&http, &url, &through), clock(), &mut |_, _, _| {})
            .is_err()
        {
            failed += 1;
        }
    }
    clear.store(true, Ordering::SeqCst);
    let mut settled = false;
    for _ in 0..20 {
        let r = store.sync(&Through(&http, &url, &through), clock(), &mut |_, _, _| {});
        if let Ok(r) = r {
            if r.sent == 0 && r.media_sent == 0 {
                settled = true;
                break;
            }
        }
    }
    // What the device sealed, against what the server keeps.
    let mut sealed = BTreeMap::new();
    let mut photos = BTreeMap::new();
    for v in store.visits()?.into_iter().filter(|v| v.sealed) {
        let e = store.export(&v.visit_id)?;
        for (sha, _, bytes) in e.media {
            photos.insert(sha, bytes);
        }
        sealed.insert(v.visit_id, e.record);
    }
    let conn = rusqlite::Connection::open(c.data.join("server.sqlite"))?;
    let mut kept: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let mut q = conn.prepare("SELECT id, CAST(record AS BLOB) FROM visits")?;
    for row in q.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })? {
        let (id, rec) = row?;
        kept.entry(id).or_default().push(rec);
    }
    let duplicates = kept.values().filter(|v| v.len() > 1).count()
        + kept.keys().filter(|k| !sealed.contains_key(*k)).count();
    let missing = sealed
        .iter()
        .filter(|(id, rec)| kept.get(*id).is_none_or(|k| k.first() != Some(rec)))
        .count();
    let mut media = BTreeMap::new();
    kept_media(&c.data.join("media"), &mut media)?;
    let photos_missing = photos
        .iter()
        .filter(|(sha, bytes)| media.get(*sha) != Some(bytes) || hex(&sha256(bytes)) != **sha)
        .count();
    let ok = settled && duplicates == 0 && missing == 0 && photos_missing == 0;
    println!(
        "cuts: syncs={} failed={failed} faults={} visits={} photos={} duplicates={duplicates} missing={} settled={settled} seconds={:.1}",
        a.syncs,
        faults.load(Ordering::SeqCst),
        sealed.len(),
        photos.len(),
        missing + photos_missing,
        started.elapsed().as_secs_f64()
    );
    Ok(ok)
}

/// The device's requests sent to the proxy instead of the server it enrolled with.
struct Through<'a>(&'a Http, &'a str, &'a str);

impl HttpTransport for Through<'_> {
    fn send(&self, mut req: HttpRequest) -> Result<HttpResponse, TransportError> {
        req.url = req.url.replacen(self.1.trim_end_matches('/'), self.2, 1);
        self.0.send(req)
    }
}
