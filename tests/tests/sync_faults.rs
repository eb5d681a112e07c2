//! Fault injection: syncs cut at random points — before a request leaves, or after the
//! server acted on it but before the answer arrives (between receipt and commit) — across
//! many syncs while visits keep being recorded. At the end every sealed record is on the
//! server exactly once, in an unbroken chain, with every photo complete.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::rules::Action;
use doorstep_core::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use doorstep_core::visit::Outcome;
use doorstep_core::{Doorstep, VisitProgress};
use doorstep_server::admin;
use doorstep_tests::{start_server, today, UreqTransport};

/// Cuts requests at random, deterministically from a seed.
struct Cutter {
    inner: UreqTransport,
    state: Mutex<u64>,
    /// Out of 100: cut before sending, cut after the server answered.
    before: u64,
    after: u64,
    cuts: Mutex<(u32, u32)>,
}

impl Cutter {
    fn roll(&self) -> u64 {
        let mut s = self.state.lock().expect("rng");
        *s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*s >> 33) % 100
    }
}

impl HttpTransport for Cutter {
    fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.roll() < self.before {
            self.cuts.lock().expect("cuts").0 += 1;
            return Err(TransportError("cut before sending".into()));
        }
        let answer = self.inner.send(req)?;
        if self.roll() < self.after {
            self.cuts.lock().expect("cuts").1 += 1;
            return Err(TransportError("cut before the answer arrived".into()));
        }
        Ok(answer)
    }
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

/// Records and seals a visit where nobody was home, with a photo.
fn record_visit(store: &mut Doorstep, recipient: &str, seed: u64) -> String {
    let id = store.start_visit(recipient, now()).expect("start").visit_id;
    store
        .act(
            &id,
            &[
                Action::Contact {
                    outcome: Outcome::NobodyHome,
                    present: Vec::new(),
                },
                Action::Note {
                    text: format!("第{seed}次：无人在家"),
                },
            ],
            now(),
        )
        .expect("act");
    store
        .add_photo(&id, &doorstep_sample::photo(seed), now())
        .expect("photo");
    store.finish(&id, now()).expect("finish");
    id
}

#[test]
fn every_record_arrives_exactly_once_through_cut_connections() {
    let dir = tempfile::tempdir().expect("dir");
    let server = start_server(&dir.path().join("server"));
    let roster = doorstep_sample::to_csv(&doorstep_sample::generate(5, 20, today()));
    doorstep_server::block_on(admin::import_roster(
        server.storage.as_ref(),
        "410225",
        roster.as_bytes(),
        today(),
        0,
    ))
    .expect("roster");
    let code = doorstep_server::block_on(admin::enrolment_code(
        server.storage.as_ref(),
        "李四",
        "410225",
        Utc::now().timestamp(),
    ))
    .expect("code");
    let mut store =
        Doorstep::create(&dir.path().join("device"), &RawKeyVault::new([7; 32])).expect("store");
    let clean = UreqTransport::default();
    store.enroll(&clean, &server.url, &code).expect("enrol");
    let cutter = Cutter {
        inner: UreqTransport::default(),
        state: Mutex::new(2026),
        before: 15,
        after: 15,
        cuts: Mutex::new((0, 0)),
    };
    // The roster comes down through the cuts too.
    let mut attempts = 0;
    while store.sync(&cutter, now(), &mut |_, _, _| {}).is_err() {
        attempts += 1;
        assert!(attempts < 100, "the roster never came down");
    }
    let people: Vec<String> = doorstep_sample::generate(5, 20, today())
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut sealed = Vec::new();
    let mut failures = 0;
    for round in 0..40u64 {
        if round % 2 == 0 {
            for k in 0..2 {
                let who = &people[((round + k) as usize) % people.len()];
                sealed.push(record_visit(&mut store, who, round * 10 + k));
            }
        }
        if store.sync(&cutter, now(), &mut |_, _, _| {}).is_err() {
            failures += 1;
        }
    }
    // Then the signal comes back.
    let report = store
        .sync(&clean, now(), &mut |_, _, _| {})
        .expect("clean sync");
    let (before, after) = *cutter.cuts.lock().expect("cuts");
    assert!(
        before > 5 && after > 5 && failures > 5,
        "cuts {before}/{after}, failed syncs {failures}"
    );
    assert_eq!(report.conflicts + report.refused, 0);
    assert_eq!(store.status().expect("status").unsent, 0);
    assert!(
        store
            .visits()
            .expect("visits")
            .iter()
            .all(|v| v.progress == VisitProgress::Receipted),
        "every sealed visit is on the server"
    );
    let device_db =
        rusqlite::Connection::open(dir.path().join("device").join(doorstep_core::DB_FILE))
            .expect("the device's database");
    let media_pending: i64 = device_db
        .query_row(
            "SELECT count(*) FROM receipts WHERE status IN ('stored', 'duplicate')
             AND media_done = 0",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        media_pending, 0,
        "no record is opened again for its media by later syncs"
    );

    let db =
        rusqlite::Connection::open(dir.path().join("server").join("server.sqlite")).expect("db");
    let (rows, distinct, broken): (i64, i64, i64) = db
        .query_row(
            "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE chain <> 'ok') FROM visits",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("count");
    assert_eq!((rows, distinct), (sealed.len() as i64, sealed.len() as i64));
    assert_eq!(broken, 0, "the chain arrived unbroken");
    for id in &sealed {
        let sent = store.export(id).expect("export");
        let (record, sha): (Vec<u8>, String) = db
            .query_row(
                "SELECT record, sha256 FROM visits WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("on the server");
        assert_eq!(record, sent.record, "the exact signed bytes");
        assert_eq!(
            sha,
            doorstep_core::crypto::hex(&doorstep_core::crypto::sha256(&record))
        );
    }
    let (media, complete): (i64, i64) = db
        .query_row(
            "SELECT (SELECT count(DISTINCT sha256) FROM visit_media), count(*) FILTER (WHERE complete)
             FROM media",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("media");
    assert_eq!(media, sealed.len() as i64, "one photo per visit");
    assert_eq!(complete, media, "every photo complete");
}
