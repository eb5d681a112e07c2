//! Two `doorstep serve` processes on one PostgreSQL database, as behind a province's load
//! balancer: 50 real devices spread over both, syncing at once. Every visit is kept exactly
//! once with its exact bytes, the chains are unbroken, and the cross-device flags (two
//! devices, one on each server, sending the same photo) are raised once, on both visits,
//! with both servers' flaggers running.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::rules::Action;
use doorstep_core::visit::Outcome;
use doorstep_core::Doorstep;
use doorstep_server::admin;
use doorstep_tests::postgres::{postgres, Postgres};
use doorstep_tests::{spawn_ready, today, UreqTransport};

const DEVICES: usize = 50;
const VISITS_EACH: usize = 2;
const THREADS: usize = 5;

fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

/// Records and seals a visit where nobody was home, with `photo` when given.
fn record_visit(store: &mut Doorstep, recipient: &str, photo: Option<&[u8]>) -> String {
    let id = store.start_visit(recipient, now()).expect("start").visit_id;
    let contact = Action::Contact {
        outcome: Outcome::NobodyHome,
        present: Vec::new(),
    };
    let note = Action::Note {
        text: "无人在家，已留联系卡".into(),
    };
    store.act(&id, &[contact, note], now()).expect("act");
    if let Some(p) = photo {
        store.add_photo(&id, p, now()).expect("photo");
    }
    store.finish(&id, now()).expect("finish");
    id
}

#[test]
fn two_servers_on_one_postgres_keep_every_visit_once_and_flag_once() {
    let pg: Postgres = postgres();
    let url = pg.database(&format!(
        "two_servers_{}",
        doorstep_core::crypto::random_hex(4).expect("random")
    ));
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("media");
    let people: Vec<String> = doorstep_sample::generate(5, 30, today())
        .into_iter()
        .map(|r| r.id)
        .collect();
    // The operator's set-up, on the same database.
    let codes: Vec<String> = {
        let storage = doorstep_server::block_on(doorstep_server::open_storage(&data, Some(&url)))
            .expect("open");
        let roster = doorstep_sample::to_csv(&doorstep_sample::generate(5, 30, today()));
        doorstep_server::block_on(admin::import_roster(
            storage.as_ref(),
            "410225",
            roster.as_bytes(),
            today(),
            0,
        ))
        .expect("roster");
        (0..DEVICES)
            .map(|i| {
                doorstep_server::block_on(admin::enrolment_code(
                    storage.as_ref(),
                    &format!("worker {i}"),
                    "410225",
                    Utc::now().timestamp(),
                ))
                .expect("code")
            })
            .collect()
    };
    // Two server processes, one media folder (a shared volume or bucket in production).
    let args = |d: &str| -> Vec<String> {
        [
            "serve",
            "--data",
            d,
            "--listen",
            "127.0.0.1:0",
            "--database",
            &url,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let data_s = data.display().to_string();
    let servers: Vec<_> = (0..2)
        .map(|_| {
            let a = args(&data_s);
            spawn_ready(&a.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .collect();
    let urls: Vec<String> = servers
        .iter()
        .map(|s| s.ready["listening"].as_str().expect("url").to_owned())
        .collect();
    assert_ne!(urls[0], urls[1]);
    let shared_photo = doorstep_sample::photo(4242);

    // Devices in threads, each thread's devices alternating between the servers.
    let sealed: BTreeMap<String, Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (codes, urls, people, root) = (&codes, &urls, &people, dir.path());
                let shared_photo = &shared_photo;
                scope.spawn(move || {
                    let mut sent = Vec::new();
                    for i in (t..DEVICES).step_by(THREADS) {
                        let server = &urls[i % 2];
                        let mut store = Doorstep::create(
                            &root.join(format!("device-{i}")),
                            &RawKeyVault::new([i as u8 + 1; 32]),
                        )
                        .expect("store");
                        let http = UreqTransport::default();
                        store.enroll(&http, server, &codes[i]).expect("enrol");
                        store.sync(&http, now(), &mut |_, _, _| {}).expect("roster");
                        for k in 0..VISITS_EACH {
                            let who = &people[(i * VISITS_EACH + k) % people.len()];
                            // Devices 0 and 1 (one on each server) send the same photo.
                            let photo = (i < 2 && k == 0).then_some(shared_photo.as_slice());
                            let id = record_visit(&mut store, who, photo);
                            sent.push((id.clone(), store.export(&id).expect("export").record));
                        }
                        let report = store.sync(&http, now(), &mut |_, _, _| {}).expect("sync");
                        assert_eq!(report.conflicts + report.refused, 0);
                        assert_eq!(store.status().expect("status").unsent, 0);
                    }
                    sent
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a device thread"))
            .collect()
    });
    assert_eq!(sealed.len(), DEVICES * VISITS_EACH);

    // Both flaggers run behind the pushes; wait for them to catch up.
    let q = |sql: &str| Postgres::rows(&url, sql);
    let started = std::time::Instant::now();
    while q("SELECT count(*) FROM visits WHERE flags_pending")[0][0] != "0" {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the flags never caught up"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let counts = q(
        "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE chain <> 'ok'),
                           count(DISTINCT device_id) FROM visits",
    );
    assert_eq!(
        counts[0],
        [
            sealed.len().to_string(),
            sealed.len().to_string(),
            "0".into(),
            DEVICES.to_string()
        ],
        "every visit once, chains unbroken, from every device"
    );
    for row in q("SELECT id, encode(record, 'hex') FROM visits") {
        let sent = &sealed[&row[0]];
        assert_eq!(
            row[1],
            doorstep_core::crypto::hex(sent),
            "the exact signed bytes"
        );
    }
    let flagged = q(
        "SELECT device_id, server_flags FROM visits WHERE server_flags <> '[]'
                     ORDER BY device_id",
    );
    assert_eq!(
        flagged.len(),
        2,
        "only the two visits with the shared photo: {flagged:?}"
    );
    assert_ne!(flagged[0][0], flagged[1][0], "of two devices");
    for f in &flagged {
        assert_eq!(f[1], r#"["photo_reused_other_device"]"#, "raised once");
    }
    // Each photo indexed once (five bands each): no visit was flagged twice.
    assert_eq!(q("SELECT count(*) FROM photo_bands")[0][0], "10");
    assert_eq!(
        q("SELECT count(*) FROM media WHERE complete")[0][0],
        "1",
        "the shared photo, stored once"
    );
    drop(servers);
}
