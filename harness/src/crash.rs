//! The crash harness: a worker process records visits on a real store (the fix and the
//! contact, notes, a photo, sealing), syncs with a real `doorstep serve`, rotates the data
//! key and changes the vault's key, and is killed with SIGKILL at a random moment (every
//! other run: a moment after it starts a call aimed at), again and again on the same store.
//! The worker says on stdout what each call committed, once it
//! returned (and what it is about to try); after each kill the store must open with the
//! right key and hold every committed action byte for byte, every sealed visit verifying
//! with its reported hash, the device's chain unbroken; at the end, after a sync left alone,
//! the server must hold every sealed visit once, byte for byte, and every photo. Prints
//! `crash: runs=N lost=0 corrupt=0 duplicates=0 missing=0`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Duration as Minutes;
use doorstep_core::crypto::{hex, sha256, RawKeyVault};
use doorstep_core::record::RecordV1;
use doorstep_core::rules::Action;
use doorstep_core::{Doorstep, Error, RotateOptions};

use crate::field::{self, at, BoxError};
use crate::served::{self, clock, Http};

/// The calls aimed at, in turn, by every other run.
const AIMS: [&str; 4] = ["vault", "sync", "seal", "note"];
/// The key of the store's vault, passed to the worker (a test key, never a real one).
const KEY_ENV: &str = "DOORSTEP_HARNESS_KEY";
/// Notes per visit, each an action committed on its own.
const NOTES: usize = 3;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Kills (each run: a worker started on the store and killed).
    #[arg(long, default_value_t = 1000)]
    runs: usize,
    /// The longest a worker runs before it is killed, in milliseconds.
    #[arg(long, default_value_t = 400)]
    max_ms: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The worker syncs after every this many sealed visits (0: never; no server then).
    #[arg(long, default_value_t = 3)]
    sync_every: usize,
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    #[arg(long)]
    dir: PathBuf,
    /// The roster position of the first household this worker visits.
    #[arg(long)]
    start: usize,
    /// Unix seconds of the first visit's start (visits are ten minutes apart after it).
    #[arg(long)]
    epoch: i64,
    /// The server the device enrolled with, and how often to sync with it.
    #[arg(long)]
    server: Option<String>,
    #[arg(long, default_value_t = 0)]
    sync_every: usize,
}

fn key_hex(k: &[u8; 32]) -> String {
    hex(k)
}

fn key_of(h: &str) -> Result<[u8; 32], BoxError> {
    let bytes: Vec<u8> = (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()?;
    Ok(bytes.try_into().map_err(|_| "a key of 32 bytes")?)
}

/// A small deterministic PRNG (xorshift64*), so a run can be repeated from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn key(&mut self) -> [u8; 32] {
        let mut k = [0u8; 32];
        for chunk in k.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        k
    }
}

/// The households the worker visits, in turn.
fn roster() -> Result<Vec<doorstep_core::model::Recipient>, BoxError> {
    Ok(doorstep_sample::generate(5, 400, at()?.date_naive()))
}

/// The worker: visits households from `start` until killed (at most 50), saying what each
/// call committed.
pub fn work(a: &WorkerArgs) -> Result<(), BoxError> {
    let key = key_of(&std::env::var(KEY_ENV)?)?;
    let mut store = Doorstep::open(&a.dir, &RawKeyVault::new(key))?;
    let out = std::io::stdout();
    let say = |line: String| -> Result<(), BoxError> {
        let mut o = out.lock();
        writeln!(o, "{line}")?;
        o.flush()?;
        Ok(())
    };
    if store.rotation_pending() {
        say("try-rotate".into())?;
        store.rotate_data_key(&RotateOptions::default(), &mut |_| {})?;
        say("rotated".into())?;
    }
    // The roster the harness imported, in its own order (the device's list sorts by what is
    // due, which the visits change).
    let ids: Vec<String> = roster()?.into_iter().map(|p| p.id).collect();
    let mut rng = Rng(a.start as u64 * 7919 + 1);
    let epoch = chrono::DateTime::from_timestamp(a.epoch, 0)
        .ok_or("an epoch")?
        .with_timezone(&at()?.timezone());
    let http = Http::bounded(10);
    for n in a.start..a.start + 50 {
        let now = epoch + Minutes::minutes(10 * n as i64);
        let id = &ids[n % ids.len()];
        say(format!("try-visit {n}"))?;
        let visit = store.start_visit(id, now)?.visit_id;
        say(format!("visit {visit}"))?;
        store.act(&visit, &field::nobody_home(now), now)?;
        for k in 0..NOTES {
            say(format!("try-note {visit} {k}"))?;
            let note = Action::Note {
                text: format!("敲门无人应答 {n}-{k}"),
            };
            store.act(&visit, &[note], now)?;
            say(format!("note {visit} {k}"))?;
        }
        say(format!("try-photo {visit}"))?;
        let photo = store.add_photo(&visit, &doorstep_sample::photo(n as u64), now)?;
        let sha = photo.photo_hashes.last().ok_or("a photo")?;
        say(format!("photo {visit} {sha}"))?;
        say(format!("try-seal {visit}"))?;
        let sealed = store.finish(&visit, now + Minutes::minutes(10))?;
        say(format!("sealed {visit} {}", sealed.hash))?;
        if a.server.is_some() && a.sync_every > 0 && n % a.sync_every == 0 {
            say("try-sync".into())?;
            // A failed sync is said, not fatal: the harness counts it (there should be none).
            match store.sync(&http, clock(), &mut |_, _, _| {}) {
                Ok(r) => say(format!("synced {}", r.sent))?,
                Err(e) => say(format!("sync-failed {}", e.to_string().replace(' ', "_")))?,
            }
        }
        if n % 12 == 1 {
            say("try-rotate".into())?;
            store.rotate_data_key(&RotateOptions::default(), &mut |_| {})?;
            say("rotated".into())?;
        }
        if n % 5 == 2 {
            let next = Rng(rng.next()).key();
            say(format!("try-vault {}", key_hex(&next)))?;
            store.change_vault(&RawKeyVault::new(next))?;
            say(format!("vault {}", key_hex(&next)))?;
        }
    }
    Ok(())
}

/// What the workers said about one visit.
#[derive(Default, Debug)]
struct Said {
    notes: usize,
    note_trying: bool,
    photos: Vec<String>,
    photo_trying: bool,
    sealed: Option<String>,
    seal_trying: bool,
}

/// Everything the workers said, across runs.
#[derive(Default)]
struct Journal {
    visits: BTreeMap<String, Said>,
    key: [u8; 32],
    key_trying: Option<[u8; 32]>,
    attempts: usize,
    /// Why syncs the worker finished failed.
    sync_failures: Vec<String>,
}

impl Journal {
    fn take(&mut self, line: &str) -> Result<(), BoxError> {
        let parts: Vec<&str> = line.split(' ').collect();
        fn v<'a>(m: &'a mut Journal, id: &str) -> &'a mut Said {
            m.visits.entry(id.to_owned()).or_default()
        }
        let id = parts.get(1).copied().unwrap_or_default();
        match parts[0] {
            "try-visit" => self.attempts = parts[1].parse::<usize>()? + 1,
            "visit" => {
                v(self, id);
            }
            "try-note" => v(self, id).note_trying = true,
            "note" => {
                let s = v(self, id);
                s.notes = parts[2].parse::<usize>()? + 1;
                s.note_trying = false;
            }
            "try-photo" => v(self, id).photo_trying = true,
            "photo" => {
                let s = v(self, id);
                s.photos.push(parts[2].to_owned());
                s.photo_trying = false;
            }
            "try-seal" => v(self, id).seal_trying = true,
            "sealed" => {
                let s = v(self, id);
                s.sealed = Some(parts[2].to_owned());
                s.seal_trying = false;
            }
            "try-vault" => self.key_trying = Some(key_of(parts[1])?),
            "vault" => {
                self.key = key_of(parts[1])?;
                self.key_trying = None;
            }
            "try-rotate" | "rotated" | "try-sync" | "synced" => {}
            "sync-failed" => self.sync_failures.push(id.to_owned()),
            other => return Err(format!("the worker said {other:?}").into()),
        }
        Ok(())
    }
}

/// What the checks found.
#[derive(Default)]
struct Found {
    lost: Vec<String>,
    corrupt: Vec<String>,
}

/// Opens the store with the key in force: the last one the worker confirmed, or the one it
/// was changing to when it died (then that change committed). Anything else is damage.
fn open(dir: &Path, j: &mut Journal) -> Result<Doorstep, Error> {
    match Doorstep::open(dir, &RawKeyVault::new(j.key)) {
        Ok(s) => {
            j.key_trying = None;
            Ok(s)
        }
        Err(Error::WrongKey) if j.key_trying.is_some() => {
            let next = j.key_trying.take().expect("checked");
            let s = Doorstep::open(dir, &RawKeyVault::new(next))?;
            j.key = next;
            Ok(s)
        }
        Err(e) => Err(e),
    }
}

/// The notes a visit recorded, in order, as the worker wrote them.
fn notes_of(store: &Doorstep, visit: &str) -> Result<Option<Vec<String>>, Error> {
    match store.draft(visit) {
        Ok(d) => Ok(Some(d.notes)),
        Err(Error::NoVisit { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Checks one visit against what was said of it.
fn check_visit(store: &mut Doorstep, id: &str, s: &Said, f: &mut Found) {
    let export = store.export(id);
    match (&s.sealed, export) {
        (Some(hash), Ok(e)) => {
            if hex(&sha256(&e.record)) != *hash {
                f.corrupt.push(format!("{id}: sealed record changed"));
            }
            if RecordV1::decode(&e.record).map_or(true, |r| r.notes.len() != NOTES) {
                f.corrupt.push(format!("{id}: sealed notes"));
            }
        }
        (Some(_), Err(e)) => f.lost.push(format!("{id}: sealed visit unreadable ({e})")),
        (None, Ok(_)) if s.seal_trying => {}
        (None, Ok(_)) => f.corrupt.push(format!("{id}: sealed without being asked")),
        (None, Err(_)) => match notes_of(store, id) {
            Ok(Some(notes)) => {
                let upto = s.notes + usize::from(s.note_trying);
                let n = notes.len();
                let prefix_ok = notes
                    .iter()
                    .enumerate()
                    .all(|(k, t)| t.ends_with(&format!("-{k}")));
                if n < s.notes || n > upto || !prefix_ok {
                    f.lost.push(format!("{id}: notes {n}, said {}", s.notes));
                }
                match store.draft(id) {
                    Ok(d) => {
                        let missing = s.photos.iter().any(|p| !d.photos.contains(p));
                        if missing || d.photos.len() > s.photos.len() + usize::from(s.photo_trying)
                        {
                            f.lost.push(format!("{id}: photos"));
                        }
                    }
                    Err(e) => f.corrupt.push(format!("{id}: draft unreadable ({e})")),
                }
            }
            Ok(None) => f.lost.push(format!("{id}: visit gone")),
            Err(e) => f.corrupt.push(format!("{id}: draft unreadable ({e})")),
        },
    }
}

/// The device's chain over every sealed visit: sequence numbers 1..n, each record naming the
/// hash of the one before.
fn check_chain(store: &mut Doorstep, f: &mut Found) -> Result<usize, BoxError> {
    let mut records = Vec::new();
    for item in store.visits()?.into_iter().filter(|i| i.sealed) {
        match store.export(&item.visit_id) {
            Ok(e) => match RecordV1::decode(&e.record) {
                Ok(r) => records.push((r.seq, r.prev_hash.clone(), hex(&sha256(&e.record)))),
                Err(_) => f.corrupt.push(format!("{}: record", item.visit_id)),
            },
            Err(e) => f.corrupt.push(format!("{}: export ({e})", item.visit_id)),
        }
    }
    records.sort();
    let mut prev: Option<String> = None;
    for (i, (seq, prev_hash, hash)) in records.iter().enumerate() {
        if *seq != i as u64 + 1 || *prev_hash != prev {
            f.corrupt.push(format!("chain broken at seq {seq}"));
            break;
        }
        prev = Some(hash.clone());
    }
    Ok(records.len())
}

/// Runs the harness; `Ok(true)` when nothing was lost or damaged.
pub fn run(a: &Args) -> Result<bool, BoxError> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let store_dir = dir.path().join("device");
    let mut rng = Rng(a.seed.max(1));
    let mut j = Journal {
        key: rng.key(),
        ..Journal::default()
    };
    let people = roster()?;
    // The county's server, with the same roster, when the worker syncs.
    let server = match a.sync_every {
        0 => None,
        _ => {
            let county = served::county_with(dir.path(), |p| *p = people.clone())?;
            let (served, url) = served::serve(&county.data)?;
            Some((county, served, url))
        }
    };
    let http = Http::bounded(10);
    {
        let mut store = Doorstep::create(&store_dir, &RawKeyVault::new(j.key))?;
        store.import_recipients(&people)?;
        if let Some((county, _, url)) = &server {
            store.enroll(&http, url, &county.code)?;
        }
        store.close()?;
    }
    // A month ago: every visit in the past when it reaches the server.
    let epoch = (clock() - Minutes::days(30)).timestamp();
    let me = std::env::current_exe()?;
    let mut f = Found::default();
    let (mut killed, mut sealed) = (0, 0);
    let mut inside: BTreeMap<String, usize> = BTreeMap::new();
    let mut took: BTreeMap<String, f64> = BTreeMap::new();
    for run in 0..a.runs {
        let mut child = Command::new(&me)
            .args(["crash-worker", "--dir"])
            .arg(&store_dir)
            .args(["--start", &j.attempts.to_string()])
            .args(["--epoch", &epoch.to_string()])
            .args(["--sync-every", &a.sync_every.to_string()])
            .args(
                server
                    .iter()
                    .flat_map(|(_, _, url)| ["--server", url.as_str()]),
            )
            .env(KEY_ENV, key_hex(&j.key))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("the worker's stdout")?;
        let (said, hear) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = said.send(line.clone());
                lines.push((Instant::now(), line));
            }
            lines
        });
        // Every other run aims at a call that kills at random times seldom land in (a vault
        // change, a sync, sealing, a note are short): killed after the worker says it is
        // trying one, at a random point of the time that call has been taking. The others
        // die at a random time.
        let aim = (run % 2 == 1)
            .then(|| AIMS[(run / 2) % AIMS.len()])
            .filter(|call| *call != "sync" || server.is_some());
        let life = match aim {
            Some(_) => Duration::from_secs(5),
            None => Duration::from_millis(1 + rng.next() % a.max_ms.max(1)),
        };
        let deadline = Instant::now() + life;
        while Instant::now() < deadline && child.try_wait()?.is_none() {
            let Ok(line) = hear.recv_timeout(Duration::from_millis(1)) else {
                continue;
            };
            if let Some(call) = aim.filter(|call| line.starts_with(&format!("try-{call}"))) {
                let us = took.get(call).map_or(3000, |t| (t * 1.2) as u64).max(1);
                std::thread::sleep(Duration::from_micros(rng.next() % us));
                break;
            }
        }
        if child.try_wait()?.is_none() {
            child.kill()?;
            killed += 1;
        }
        child.wait()?;
        let heard = reader.join().map_err(|_| "the reader thread")?;
        // How long each call took, from its try- line to the next (a running average).
        for w in heard.windows(2) {
            if let Some(call) = w[0].1.strip_prefix("try-") {
                let call = call.split(' ').next().unwrap_or_default().to_owned();
                let us = w[1].0.duration_since(w[0].0).as_secs_f64() * 1e6;
                let t = took.entry(call).or_insert(us);
                *t = 0.8 * *t + 0.2 * us;
            }
        }
        let lines: Vec<String> = heard.into_iter().map(|(_, l)| l).collect();
        // Where the kill landed: inside the call the worker last said it was trying.
        if let Some(last) = lines.last().filter(|l| l.starts_with("try-")) {
            let call = last.split(' ').next().unwrap_or_default();
            *inside
                .entry(call.trim_start_matches("try-").to_owned())
                .or_insert(0) += 1;
        }
        let mut touched = Vec::new();
        for line in &lines {
            j.take(line)?;
            if let Some(id) = line
                .split(' ')
                .nth(1)
                .filter(|_| !line.starts_with("try-v"))
            {
                touched.push(id.to_owned());
            }
        }
        let mut store = match open(&store_dir, &mut j) {
            Ok(s) => s,
            Err(e) => {
                f.corrupt
                    .push(format!("run {run}: the store does not open ({e})"));
                break;
            }
        };
        touched.sort();
        touched.dedup();
        let every = run % 50 == 49 || run + 1 == a.runs;
        for (id, said) in &j.visits {
            if every || touched.contains(id) {
                check_visit(&mut store, id, said, &mut f);
            }
        }
        if every {
            sealed = check_chain(&mut store, &mut f)?;
        }
        store.close()?;
        if !f.corrupt.is_empty() {
            break;
        }
    }
    // A sync left alone to finish, then the server against what was sealed.
    let kept = match &server {
        Some((county, _, _)) if f.corrupt.is_empty() => {
            let mut store = open(&store_dir, &mut j)?;
            if !served::settle(&mut store, &http) {
                f.lost.push("the last sync did not finish".into());
            }
            let kept = served::compare(&mut store, &county.data)?;
            store.close()?;
            Some(kept)
        }
        _ => None,
    };
    for what in f.lost.iter().chain(&f.corrupt).take(20) {
        println!("found: {what}");
    }
    for why in j.sync_failures.iter().take(5) {
        println!("a sync failed: {why}");
    }
    let calls: Vec<String> = inside.iter().map(|(c, n)| format!("{c}={n}")).collect();
    println!("killed inside: {}", calls.join(" "));
    let times: Vec<String> = took.iter().map(|(c, us)| format!("{c}={us:.0}")).collect();
    println!("call times (µs, running average): {}", times.join(" "));
    let on_server = kept.as_ref().map_or(String::new(), |k| {
        format!(
            " on_server={} sync_failed={} duplicates={} missing={}",
            k.visits,
            j.sync_failures.len(),
            k.duplicates,
            k.missing
        )
    });
    println!(
        "crash: runs={} killed={killed} visits={} sealed={sealed} lost={} corrupt={}{on_server} seconds={:.1}",
        a.runs,
        j.visits.len(),
        f.lost.len(),
        f.corrupt.len(),
        started.elapsed().as_secs_f64()
    );
    let server_ok =
        kept.is_none_or(|k| k.duplicates == 0 && k.missing == 0) && j.sync_failures.is_empty();
    Ok(f.lost.is_empty() && f.corrupt.is_empty() && server_ok)
}
