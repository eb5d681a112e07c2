//! `doorstep-bench ingest`: 100 simulated devices upload 10,000 sealed visits at once to a
//! real server over loopback (signed requests, batches of 10, each device's records in chain
//! order; each device's requests built and signed before the clock starts, as phones do on
//! their own processors), against inserting the same rows into a bare SQLite file with the
//! same settings — or, with `--backend postgres`, into a bare PostgreSQL database by
//! tokio-postgres over as many connections as the server's pool holds. Last line:
//! `ingest: visits_per_s=N p99_ms=N vs_bare_sqlite=X.XX flags_lag_s=N` (`vs_bare_pg` on
//! PostgreSQL: the server's time over the bare inserts').

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use doorstep_core::crypto::{hex, random_hex, sha256, DeviceKey};
use doorstep_core::wire::{
    request_message, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME,
};
use doorstep_server::admin;
use serde_json::json;

use crate::pg::Backend;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 100)]
    devices: usize,
    #[arg(long, default_value_t = 10_000)]
    visits: usize,
    /// Records per push request.
    #[arg(long, default_value_t = 10)]
    batch: usize,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// With `--backend postgres`: a server to make the benchmark's databases on
    /// (postgres://user@host:port/postgres); without it, a throwaway cluster of its own.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

/// A push request as a device sends it: body, time, nonce and signature.
struct Request {
    body: Vec<u8>,
    time: String,
    nonce: String,
    sig: String,
    /// Records in the body.
    records: usize,
}

const PUSH_PATH: &str = "/api/v1/visits";

struct Device {
    id: String,
    key: DeviceKey,
    /// Each record's text and signature, in chain order.
    records: Vec<(String, String)>,
}

/// A sealed record of realistic size (≈2 KB: doors, checklist, notes, a fix, photo hashes),
/// built as the typed record a device seals and encoded canonically, so the server reads it
/// as it reads devices' (a hand-written JSON once drifted from the contract unnoticed).
pub(crate) fn record(
    key: &DeviceKey,
    n: usize,
    seq: u64,
    prev: Option<&str>,
    recipient: &str,
) -> String {
    use doorstep_core::record::{FormatV1, RecordV1};
    use doorstep_core::visit::{ChecklistAnswer, Fix, Fixes, Outcome};
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").expect("a time");
    let fix = Fix {
        // Spread over the county: the cross-device flag indexes are searched for every
        // record, as in the field.
        lat: 34.6 + (n % 400) as f64 * 0.001,
        lon: 114.6 + (n / 400) as f64 * 0.001,
        accuracy_m: 8.0,
        at: t + chrono::Duration::minutes(1),
        received_at: t + chrono::Duration::minutes(1),
        provider: "gps".into(),
        mock: false,
    };
    let r = RecordV1 {
        format: FormatV1,
        visit_id: format!("V{n:08}"),
        device_key: hex(&key.public_key()),
        seq,
        prev_hash: prev.map(str::to_owned),
        recipient_id: recipient.to_owned(),
        corrects: None,
        household: None,
        card_active: true,
        acts_through_proxy: false,
        enrolments: vec![],
        started_at: t,
        finished_at: t + chrono::Duration::minutes(24),
        outcome: Some(Outcome::MetPerson),
        present: vec![],
        subsidies: Default::default(),
        policies_explained: vec![],
        living_situation: String::new(),
        needs: String::new(),
        questions_answered: vec![],
        tickets: vec![],
        satisfaction: None,
        checklist_version: 1,
        checklist: (0..9)
            .map(|i| (format!("item_{i}"), ChecklistAnswer::Done))
            .collect(),
        signature: None,
        notes: vec![
            "老人独居，女儿每周回来一次；补贴到账正常，已教会查询余额。".into();
            6
        ],
        photos: (0..3)
            .map(|i| hex(&sha256(format!("{n}/{i}").as_bytes())))
            .collect(),
        // Distinct pictures.
        photo_phashes: (0..3)
            .map(|i| {
                let h = sha256(format!("phash {n}/{i}").as_bytes());
                u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
            })
            .collect(),
        fixes: Fixes {
            start: Some(fix.clone()),
            end: Some(fix.clone()),
            best: Some(fix),
            any_mock: false,
            max_clock_skew_s: 0,
        },
        flags: vec![],
    };
    String::from_utf8(r.canonical()).expect("canonical JSON")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The same rows into a bare SQLite file: one transaction per batch, as the server commits,
/// with nothing else (no HTTP, signatures, chain or replay checks).
fn bare(devices: &[Device], batch: usize) -> Result<f64, BoxError> {
    let dir = tempfile::tempdir()?;
    let conn = rusqlite::Connection::open(dir.path().join("bare.sqlite"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE visits (id TEXT PRIMARY KEY, device_id TEXT, seq INTEGER, sha256 TEXT,
            record BLOB, signature BLOB);
         CREATE INDEX visits_device_seq ON visits (device_id, seq);",
    )?;
    let started = Instant::now();
    for d in devices {
        for chunk in d.records.chunks(batch) {
            let tx = conn.unchecked_transaction()?;
            for (seq, (text, sig)) in chunk.iter().enumerate() {
                let sha = hex(&sha256(text.as_bytes()));
                tx.execute(
                    "INSERT INTO visits VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    rusqlite::params![sha, d.id, seq as i64, sha, text.as_bytes(), sig.as_bytes()],
                )?;
            }
            tx.commit()?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The same rows into a bare PostgreSQL database: `connections` clients, each device's
/// batches one transaction each, nothing else.
fn bare_pg(
    devices: &Arc<Vec<Device>>,
    batch: usize,
    url: &str,
    connections: usize,
) -> Result<f64, BoxError> {
    let setup = crate::pg::connect(url)?;
    doorstep_server::block_on(setup.batch_execute(
        "CREATE TABLE visits (id TEXT PRIMARY KEY, device_id TEXT, seq BIGINT, sha256 TEXT,
            record BYTEA, signature BYTEA);
         CREATE INDEX visits_device_seq ON visits (device_id, seq);",
    ))?;
    let clients = (0..connections)
        .map(|_| crate::pg::connect(url))
        .collect::<Result<Vec<_>, _>>()?;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    doorstep_server::block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for mut client in clients {
            let (devices, next) = (devices.clone(), next.clone());
            tasks.spawn(async move {
                // Devices taken in turn, as requests reach a pool's free connection.
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(d) = devices.get(i) else {
                        return Ok::<_, tokio_postgres::Error>(());
                    };
                    let put = client
                        .prepare("INSERT INTO visits VALUES ($1, $2, $3, $4, $5, $6)")
                        .await?;
                    for chunk in d.records.chunks(batch) {
                        let tx = client.transaction().await?;
                        for (seq, (text, sig)) in chunk.iter().enumerate() {
                            let sha = hex(&sha256(text.as_bytes()));
                            tx.execute(
                                &put,
                                &[
                                    &sha,
                                    &d.id,
                                    &(seq as i64),
                                    &sha,
                                    &text.as_bytes(),
                                    &sig.as_bytes(),
                                ],
                            )
                            .await?;
                        }
                        tx.commit().await?;
                    }
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| -> BoxError { e.into() })??;
        }
        Ok::<_, BoxError>(())
    })?;
    Ok(started.elapsed().as_secs_f64())
}

pub fn run(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let dir = tempfile::tempdir()?;
    let (cluster, server_db) =
        crate::pg::server_database(a.backend, a.database.as_deref(), "bench_server")?;
    let rt = doorstep_server::runtime(2)?;
    let storage = rt.block_on(doorstep_server::open_storage(
        &dir.path().join("server"),
        server_db.as_deref(),
    ))?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("date")?;
    let people = doorstep_sample::generate(42, 2_000, today);
    let roster = doorstep_sample::to_csv(&people);
    let now = chrono::Utc::now().timestamp();
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        "410225",
        roster.as_bytes(),
        today,
        now,
    ))?;
    let state = doorstep_server::AppState::new(
        storage.clone(),
        doorstep_server::media_store(&dir.path().join("server"), None)?,
    );
    let server = doorstep_server::spawn_on(rt, state, ([127, 0, 0, 1], 0).into(), None)?;
    let base = server.url();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(a.devices)
        .max_idle_connections_per_host(a.devices)
        .build()
        .into();

    // Enrol the devices and seal their records before the clock starts.
    let per = a.visits / a.devices.max(1);
    let mut devices = Vec::with_capacity(a.devices);
    for d in 0..a.devices {
        let code = doorstep_server::block_on(admin::enrolment_code(
            storage.as_ref(),
            "bench",
            "410225",
            now,
        ))?;
        let key = DeviceKey::generate()?;
        let body = json!({"code": code, "public_key": hex(&key.public_key())}).to_string();
        let mut r = agent
            .post(format!("{base}/api/v1/enrol"))
            .send(body.as_bytes())?;
        let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        let id = v["device_id"]
            .as_str()
            .ok_or("enrolment failed")?
            .to_owned();
        let mut prev: Option<String> = None;
        let mut records = Vec::with_capacity(per);
        for k in 0..per {
            let n = d * per + k;
            let text = record(
                &key,
                n,
                k as u64 + 1,
                prev.as_deref(),
                &people[n % people.len()].id,
            );
            prev = Some(hex(&sha256(text.as_bytes())));
            let sig = hex(&key.sign(text.as_bytes()));
            records.push((text, sig));
        }
        devices.push(Device { id, key, records });
    }
    let devices = Arc::new(devices);
    // Each device's requests built and signed before the clock starts, as phones build
    // theirs on their own processors: the clock then times the server, not this simulation
    // of a hundred phones sharing its two cores. (The whole run is far inside the time
    // check's skew, so signing a little early changes nothing the server checks.)
    let batch = a.batch.max(1);
    let mut requests = Vec::with_capacity(devices.len());
    for d in devices.iter() {
        let mut mine = Vec::new();
        for chunk in d.records.chunks(batch) {
            let records: Vec<_> = chunk
                .iter()
                .map(|(r, s)| json!({"record": r, "signature": s}))
                .collect();
            let body = json!({ "records": records }).to_string().into_bytes();
            let time = chrono::Utc::now().timestamp();
            let nonce = random_hex(8)?;
            let sig = hex(&d
                .key
                .sign(&request_message("POST", PUSH_PATH, time, &nonce, &body)));
            mine.push(Request {
                body,
                time: time.to_string(),
                nonce,
                sig,
                records: chunk.len(),
            });
        }
        requests.push(mine);
    }

    let started = Instant::now();
    let threads: Vec<_> = requests
        .into_iter()
        .zip(devices.iter().map(|d| d.id.clone()))
        .map(|(mine, id)| {
            let agent = agent.clone();
            let url = format!("{base}{PUSH_PATH}");
            std::thread::spawn(move || -> Result<Vec<f64>, BoxError> {
                let mut latencies = Vec::new();
                for q in mine {
                    let t = Instant::now();
                    let mut r = agent
                        .post(&url)
                        .header(HEADER_DEVICE, &id)
                        .header(HEADER_TIME, &q.time)
                        .header(HEADER_NONCE, &q.nonce)
                        .header(HEADER_SIGNATURE, &q.sig)
                        .send(&q.body[..])?;
                    let text = r.body_mut().read_to_string()?;
                    latencies.push(t.elapsed().as_secs_f64() * 1e3);
                    let stored = text.matches("\"status\":\"stored\"").count();
                    if r.status() != 200 || stored != q.records {
                        return Err(format!("push refused ({}): {text}", r.status()).into());
                    }
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in threads {
        latencies.extend(t.join().map_err(|_| "a device thread panicked")??);
    }
    let server_s = started.elapsed().as_secs_f64();
    // The cross-device flags follow the pushes in the background: how long until they
    // have caught up with all 10,000.
    while doorstep_server::block_on(storage.flags_pending())? > 0 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let flagged_s = started.elapsed().as_secs_f64();
    let sent: usize = devices.iter().map(|d| d.records.len()).sum();
    drop(server);
    let lanes = storage.lanes();
    let bare_s = match &cluster {
        None => bare(&devices, a.batch.max(1))?,
        Some(c) => bare_pg(&devices, a.batch.max(1), &c.database("bench_bare")?, lanes)?,
    };
    latencies.sort_by(f64::total_cmp);
    let per_s = sent as f64 / server_s;
    println!(
        "ingest benchmark: {} devices, {sent} visits, {} per request, {} requests",
        devices.len(),
        a.batch,
        latencies.len()
    );
    println!(
        "server: {server_s:.2} s, {per_s:.0} visits/s, request p50 {:.1} ms p99 {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    println!(
        "cross-device flags caught up {:.2} s after the last receipt",
        flagged_s - server_s
    );
    let engine = match a.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "pg",
    };
    println!(
        "bare {} inserts of the same rows{}: {bare_s:.2} s",
        storage.backend(),
        if cluster.is_some() {
            format!(" over {lanes} connections")
        } else {
            String::new()
        }
    );
    println!(
        "ingest: visits_per_s={per_s:.0} p99_ms={:.0} vs_bare_{engine}={:.2} flags_lag_s={:.1}",
        percentile(&latencies, 0.99),
        server_s / bare_s,
        flagged_s - server_s
    );
    Ok(())
}
