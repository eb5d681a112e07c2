//! `doorstep-bench queue`: a server store holding 1,000,000 visits across a province (Henan:
//! 17 cities, 170 counties, their townships and villages), and a county supervisor working
//! the review queue over real HTTP: filtered, paged pages, timed end to end (query and
//! rendering), and the dashboard the supervisor lands on, over a county roster of 20,000
//! recipients. `--backend postgres` runs the same on PostgreSQL (loaded by one
//! `generate_series` statement per million visits). Last lines:
//! `dashboard: p50_ms=N p95_ms=N bytes=N` and `queue: p50_ms=N p95_ms=N bytes=N`.

use std::time::Instant;

use doorstep_server::admin;
use rusqlite::params;

use crate::pg::{explained, Backend};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1_000_000)]
    visits: usize,
    /// Queue pages requested (a mix of filters); as many dashboards.
    #[arg(long, default_value_t = 400)]
    requests: usize,
    /// Recipients on the county supervisor's roster (the dashboard counts them all).
    #[arg(long, default_value_t = 20_000)]
    recipients: usize,
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// With `--backend postgres`: a server to make the benchmark's database on
    /// (postgres://user@host:port/postgres); without it, a throwaway cluster of its own.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
}

/// A small deterministic generator (the data's shape matters, not its randomness).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FLAGS: [&str; 6] = [
    "too_far",
    "mock_location",
    "too_short",
    "photo_reused",
    "impossible_speed",
    "same_spot_other_device",
];
const STATUSES: [(&str, u64); 5] = [
    ("submitted", 60),
    ("approved", 30),
    ("returned", 5),
    ("rejected", 3),
    ("corrected", 2),
];

fn counties() -> Vec<String> {
    (1..=17)
        .flat_map(|city| (1..=10).map(move |c| format!("41{city:02}{:02}", c + 20)))
        .collect()
}

/// Fills the store straight through SQLite (loading is not what is measured): devices, then
/// visits with villages, statuses, flags and times spread over a year (the schema's triggers
/// keep the queue's counts as they would for the server's own writes).
fn load(db: &std::path::Path, visits: usize) -> Result<(), BoxError> {
    let mut conn = rusqlite::Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    let counties = counties();
    let mut rng = Lcg(2026);
    {
        let mut dev = tx.prepare(
            "INSERT INTO devices (id, public_key, worker, area, enrolled_at) VALUES (?1, ?2, ?3, ?4, 0)",
        )?;
        for (ci, county) in counties.iter().enumerate() {
            for w in 0..20 {
                dev.execute(params![
                    format!("D{ci}-{w}"),
                    format!("{ci:04}{w:060}"),
                    format!("工作人员{w}"),
                    county
                ])?;
            }
        }
        let mut put = tx.prepare(
            "INSERT INTO visits (id, device_id, seq, sha256, record, signature, recipient_id, area,
                 chain, status, received_at, village, started_at, flag_kinds, flagged, county)
             VALUES (?1, ?2, ?3, ?1, x'7b7d', x'00', ?4, ?5, 'ok', ?6, ?7, ?8, ?9, ?10, ?11, ?5)",
        )?;
        let year_start = 1_735_660_800i64; // 2025-01-01
        for n in 0..visits {
            let ci = rng.below(counties.len() as u64) as usize;
            let county = &counties[ci];
            let village = format!(
                "{county}{:03}{:03}",
                100 + rng.below(16),
                200 + rng.below(20)
            );
            let started = year_start + rng.below(365 * 86_400) as i64;
            let roll = rng.below(100);
            let mut acc = 0;
            let status = STATUSES
                .iter()
                .find(|(_, p)| {
                    acc += p;
                    roll < acc
                })
                .map_or("submitted", |(s, _)| s);
            let flagged = rng.below(100) < 8;
            let flags = if flagged {
                format!("[\"{}\"]", FLAGS[rng.below(6) as usize])
            } else {
                "[]".into()
            };
            put.execute(params![
                format!("V{n:08}"),
                format!("D{ci}-{}", rng.below(20)),
                n as i64,
                format!("R{}", rng.below(5_000_000)),
                county,
                status,
                started + 3_600,
                village,
                started,
                flags,
                flagged
            ])?;
        }
    }
    tx.commit()?;
    conn.execute_batch("ANALYZE")?;
    Ok(())
}

/// The same shape of data into PostgreSQL, generated server-side: the devices, then the
/// visits a million per statement (`random()` after `setseed`, so every run loads the same).
fn load_pg(url: &str, visits: usize) -> Result<(), BoxError> {
    let c = crate::pg::connect(url)?;
    let counties = counties();
    let statuses = STATUSES
        .iter()
        .scan(0u64, |acc, (s, p)| {
            *acc += p;
            Some(format!("WHEN roll < {:.2} THEN '{s}'", *acc as f64 / 100.0))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let flags: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
    let visits_sql = format!(
        "INSERT INTO visits (id, device_id, seq, sha256, record, signature, recipient_id, area,
             chain, status, received_at, village, started_at, flag_kinds, flagged, flags_pending,
             county)
         SELECT 'V' || lpad(n::text, 8, '0'), 'D' || ci || '-' || w, n, 'V' || lpad(n::text, 8, '0'),
             '\\x7b7d'::bytea, '\\x00'::bytea, 'R' || r, ($1::text[])[ci + 1], 'ok',
             CASE {statuses} ELSE 'submitted' END, started + 3600,
             ($1::text[])[ci + 1] || (100 + t) || (200 + v), started,
             CASE WHEN froll < 0.08 THEN '[\"' || ($2::text[])[fk + 1] || '\"]' ELSE '[]' END,
             froll < 0.08, FALSE, ($1::text[])[ci + 1]
         FROM (SELECT n, floor(random() * 170)::int AS ci, floor(random() * 20)::int AS w,
                      floor(random() * 5000000)::int AS r, floor(random() * 16)::int AS t,
                      floor(random() * 20)::int AS v,
                      1735660800 + floor(random() * 365 * 86400)::bigint AS started,
                      random() AS roll, random() AS froll, floor(random() * 6)::int AS fk
               FROM generate_series($3::bigint, $4::bigint) AS n) AS g"
    );
    doorstep_server::block_on(async {
        c.batch_execute("SET synchronous_commit = off; SELECT setseed(0.2026)")
            .await
            .map_err(explained)?;
        c.execute(
            "INSERT INTO devices (id, public_key, worker, area, enrolled_at)
             SELECT 'D' || ci || '-' || w, lpad(ci::text, 4, '0') || lpad(w::text, 60, '0'),
                    '工作人员' || w, ($1::text[])[ci + 1], 0
             FROM generate_series(0, 169) AS ci, generate_series(0, 19) AS w",
            &[&counties],
        )
        .await
        .map_err(explained)?;
        let step = 1_000_000i64;
        let mut from = 0i64;
        while from < visits as i64 {
            let to = (from + step).min(visits as i64) - 1;
            c.execute(&visits_sql, &[&counties, &flags, &from, &to])
                .await
                .map_err(explained)?;
            from = to + 1;
        }
        // The queue's kept counts, which the server's writes keep and this load bypassed.
        c.batch_execute(
            "INSERT INTO queue_counts (village, status, flagged, n)
             SELECT village, status, flagged, count(*) FROM visits
             GROUP BY village, status, flagged",
        )
        .await
        .map_err(explained)?;
        // As autovacuum leaves a table after a load (PostgreSQL 13 on vacuums after inserts).
        c.batch_execute("VACUUM ANALYZE").await.map_err(explained)?;
        Ok::<_, BoxError>(())
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn run(a: &Args) -> Result<(), BoxError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; run with `cargo run --release -p doorstep-bench`");
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("server");
    // The cluster lives until the benchmark ends.
    let (_cluster, url) =
        crate::pg::server_database(a.backend, a.database.as_deref(), "bench_queue")?;
    let storage = doorstep_server::block_on(doorstep_server::open_storage(&data, url.as_deref()))?;
    let t = Instant::now();
    match &url {
        None => load(&data.join("server.sqlite"), a.visits)?,
        Some(url) => load_pg(url, a.visits)?,
    }
    eprintln!(
        "loaded {} visits in {:.1} s",
        a.visits,
        t.elapsed().as_secs_f64()
    );
    let now = chrono::Utc::now().timestamp();
    let today = chrono::Utc::now().date_naive();
    let t = Instant::now();
    let roster = doorstep_sample::to_csv(&doorstep_sample::generate(2026, a.recipients, today));
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        "410225",
        roster.as_bytes(),
        today,
        now,
    ))?;
    doorstep_server::block_on(admin::import_divisions(
        storage.as_ref(),
        doorstep_sample::lankao().divisions_csv().as_bytes(),
        now,
    ))?;
    eprintln!(
        "imported a roster of {} and the county's division names in {:.1} s",
        a.recipients,
        t.elapsed().as_secs_f64()
    );
    doorstep_server::block_on(admin::add_supervisor(
        storage.as_ref(),
        "county",
        "410225",
        "bench password",
        now,
    ))?;
    let state =
        doorstep_server::AppState::new(storage.clone(), doorstep_server::media_store(&data, None)?);
    let server = doorstep_server::spawn(state, ([127, 0, 0, 1], 0).into(), 2, None)?;
    let base = server.url();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let r = agent
        .post(format!("{base}/login"))
        .content_type("application/x-www-form-urlencoded")
        .send("login=county&password=bench+password")?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or("login failed")?
        .to_owned();
    let queries = [
        "/queue",
        "/queue?status=submitted",
        "/queue?flag=any",
        "/queue?flag=too_far&status=submitted",
        "/queue?village=410225103",
        "/queue?worker=%E5%B7%A5%E4%BD%9C%E4%BA%BA%E5%91%983",
        "/queue?from=2025-03-01&to=2025-03-31",
        "/queue?status=submitted&page=20",
    ];
    // The landing page for this week, and for weeks and a month the data spans.
    let dashboards = [
        "/",
        "/?from=2025-06-02&to=2025-06-08",
        "/?from=2025-11-01&to=2025-11-30",
        "/?from=2025-12-25&to=2025-12-31",
    ];
    let get = |path: &str| -> Result<(f64, String), BoxError> {
        let t = Instant::now();
        let mut r = agent
            .get(format!("{base}{path}"))
            .header("cookie", &cookie)
            .call()?;
        let body = r
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_string()?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if r.status() != 200 {
            return Err(format!("{path}: {}", r.status()).into());
        }
        Ok((ms, body))
    };
    let mut rows_seen = 0usize;
    let mut times = Vec::with_capacity(a.requests);
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    let mut dash_times = Vec::with_capacity(a.requests);
    let mut dash_per: Vec<Vec<f64>> = vec![Vec::new(); dashboards.len()];
    let (mut queue_bytes, mut dash_bytes) = (0usize, 0usize);
    for i in 0..a.requests {
        let (ms, body) = get(queries[i % queries.len()])?;
        times.push(ms);
        per[i % queries.len()].push(ms);
        queue_bytes += body.len();
        rows_seen += body.matches("data-visit=").count();
        let (ms, body) = get(dashboards[i % dashboards.len()])?;
        dash_times.push(ms);
        dash_per[i % dashboards.len()].push(ms);
        dash_bytes += body.len();
    }
    times.sort_by(f64::total_cmp);
    dash_times.sort_by(f64::total_cmp);
    for (q, mut t) in queries
        .iter()
        .chain(&dashboards)
        .zip(per.into_iter().chain(dash_per))
    {
        t.sort_by(f64::total_cmp);
        println!("  {:>8.1} ms median  {q}", percentile(&t, 0.5));
    }
    println!(
        "queue benchmark ({}, {}): {} visits in 170 counties; county supervisor 410225 with {} recipients; {} pages over {} filters ({} rows shown) and {} dashboards over {} periods",
        storage.backend(),
        if cfg!(debug_assertions) { "a debug build" } else { "a release build" },
        a.visits,
        a.recipients,
        a.requests,
        queries.len(),
        rows_seen,
        a.requests,
        dashboards.len()
    );
    let n = a.requests.max(1);
    println!(
        "dashboard: p50_ms={:.1} p95_ms={:.1} bytes={}",
        percentile(&dash_times, 0.5),
        percentile(&dash_times, 0.95),
        dash_bytes / n
    );
    println!(
        "queue: p50_ms={:.1} p95_ms={:.1} bytes={}",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        queue_bytes / n
    );
    Ok(())
}
