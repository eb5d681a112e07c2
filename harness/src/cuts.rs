//! The network-cut harness: a device syncing sealed visits with photos to a real `doorstep
//! serve` on loopback through a proxy written here, which cuts, stalls and truncates each
//! connection at a random byte offset in either direction. After the syncs, the proxy lets
//! everything through and the device syncs until nothing is left; then every sealed visit
//! must be on the server exactly once with its exact bytes, and every photo once, byte for
//! byte. Prints `cuts: syncs=N duplicates=0 missing=0`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    let settled = served::settle(&mut store, &Through(&http, &url, &through));
    let kept = served::compare(&mut store, &c.data)?;
    let ok = settled && kept.duplicates == 0 && kept.missing == 0;
    println!(
        "cuts: syncs={} failed={failed} faults={} visits={} photos={} duplicates={} missing={} settled={settled} seconds={:.1}",
        a.syncs,
        faults.load(Ordering::SeqCst),
        kept.visits,
        kept.photos,
        kept.duplicates,
        kept.missing,
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
