//! Keys through the CLI: a wrong passphrase changes nothing; passphrase change and data-key
//! rotation round-trip; a rotation killed half-way resumes and loses nothing.

use std::time::{Duration, Instant};

use doorstep_tests::{changed_files, snapshot, snapshot_except, stderr, Cli};

fn all(cli: &Cli) -> serde_json::Value {
    cli.json(&["roster", "list"])
}

#[test]
fn a_wrong_passphrase_leaves_every_file_byte_identical() {
    let (cli, _) = Cli::with_roster(50);
    let before = snapshot(&cli.store());
    for args in [
        &["roster", "list"][..],
        &["roster", "import", "/dev/null"][..],
        &["key", "rotate"][..],
        &["key", "change-passphrase"][..],
    ] {
        let out = cli
            .cmd(args)
            .env("DOORSTEP_PASSPHRASE", "not the passphrase")
            .env("DOORSTEP_NEW_PASSPHRASE", "whatever")
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("wrong passphrase or key: the store was not changed"),
            "{args:?}: {}",
            stderr(&out)
        );
        let changed = changed_files(&before, &snapshot(&cli.store()));
        assert!(changed.is_empty(), "{args:?} changed {changed:?}");
    }
}

#[test]
fn a_wrong_passphrase_leaves_a_crashed_stores_wal_unapplied() {
    let (cli, _) = Cli::with_roster(20);
    // A crash: a process committed more rows and died before any checkpoint, so they exist
    // only in the WAL. Copy the files while that process still holds them open.
    let crashed = cli.dir.path().join("crashed");
    {
        let mut store = doorstep_core::Doorstep::open(
            &cli.store(),
            &doorstep_core::crypto::PassphraseVault::new(cli.passphrase.clone()),
        )
        .expect("open");
        let mut more = doorstep_sample::generate(12, 5, doorstep_tests::today());
        for r in &mut more {
            r.id = format!("{}-x", r.id);
        }
        store.import_recipients(&more).expect("write");
        std::fs::create_dir(&crashed).expect("dir");
        for f in ["doorstep.db", "doorstep.db-wal"] {
            std::fs::copy(cli.store().join(f), crashed.join(f)).expect("copy");
        }
    }
    // The shared-memory index is rebuilt by whoever opens next; the data files must not move.
    let before = snapshot_except(&crashed, &["-shm"]);
    assert!(
        !before["doorstep.db-wal"].is_empty(),
        "the copy holds a WAL with committed rows"
    );
    let out = cli
        .cmd(&["roster", "list"])
        .env("DOORSTEP_STORE", &crashed)
        .env("DOORSTEP_PASSPHRASE", "not the passphrase")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let changed = changed_files(&before, &snapshot_except(&crashed, &["-shm"]));
    assert!(changed.is_empty(), "a wrong passphrase changed {changed:?}");
    // With the right passphrase the WAL's rows are there.
    let list = cli
        .cmd(&["roster", "list", "--json"])
        .env("DOORSTEP_STORE", &crashed)
        .output()
        .expect("run");
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(25));
}

#[test]
fn passphrase_change_round_trips() {
    let (cli, _) = Cli::with_roster(40);
    let before = all(&cli);
    cli.cmd(&["key", "change-passphrase"])
        .env("DOORSTEP_NEW_PASSPHRASE", "新的口令 new")
        .output()
        .expect("run")
        .status
        .success()
        .then_some(())
        .expect("change-passphrase succeeds");
    assert_eq!(
        cli.run(&["roster", "list"]).status.code(),
        Some(1),
        "old passphrase still works"
    );
    let out = cli
        .cmd(&["roster", "list", "--json"])
        .env("DOORSTEP_PASSPHRASE", "新的口令 new")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(after, before);
}

fn key_ids(cli: &Cli) -> Vec<(u32, String)> {
    let db = cli.db();
    let mut stmt = db
        .prepare("SELECT key_id, state FROM keyring ORDER BY key_id")
        .expect("stmt");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    rows
}

#[test]
fn rotation_round_trips() {
    let (cli, _) = Cli::with_roster(60);
    let before = all(&cli);
    let report = cli.json(&["key", "rotate", "--batch-size", "7"]);
    assert_eq!(report["rows"], 60);
    assert_eq!(report["resumed"], false);
    assert_eq!(key_ids(&cli), vec![(2, "active".to_owned())]);
    assert_eq!(all(&cli), before);
    let n: i64 = cli
        .db()
        .query_row(
            "SELECT count(*) FROM recipients WHERE key_id = 2",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(n, 60);
}

#[test]
fn a_rotation_killed_half_way_resumes_and_loses_nothing() {
    let (cli, _) = Cli::with_roster(1000);
    let before = all(&cli);
    assert_eq!(before.as_array().map(Vec::len), Some(1000));
    let mut child = cli
        .cmd(&["key", "rotate", "--batch-size", "10", "--pause-ms", "20"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn rotate");
    // Watch the file from outside until the new key has some rows but not all, then kill -9.
    let watcher = cli.db();
    let started = Instant::now();
    let done = loop {
        let n: i64 = watcher
            .query_row(
                "SELECT count(*) FROM recipients WHERE key_id =
                   (SELECT key_id FROM keyring WHERE state = 'active')
                 AND (SELECT count(*) FROM keyring) = 2",
                [],
                |r| r.get(0),
            )
            .expect("poll");
        if n >= 200 {
            break n;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "rotation never progressed"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    drop(watcher);
    assert!(done < 1000, "rotation finished before it could be killed");

    let keys = key_ids(&cli);
    assert_eq!(
        keys.len(),
        2,
        "both keys stay while rows still need the old one: {keys:?}"
    );
    // Mid-rotation, every record still reads and nothing changed; the CLI says what to do.
    assert_eq!(all(&cli), before);
    let out = cli.ok(&["roster", "list", "--limit", "1"]);
    assert!(
        stderr(&out).contains("rotation was interrupted"),
        "{}",
        stderr(&out)
    );

    let report = cli.json(&["key", "rotate"]);
    assert_eq!(report["resumed"], true);
    let rows = report["rows"].as_u64().expect("rows");
    assert!(
        rows < 1000 && rows > 0,
        "resumed rotation re-did {rows} rows"
    );
    assert_eq!(key_ids(&cli), vec![(2, "active".to_owned())]);
    assert_eq!(all(&cli), before);
}

#[test]
fn a_short_new_passphrase_is_refused_and_no_store_is_made() {
    let cli = Cli::new();
    let out = cli
        .cmd(&["init"])
        .env("DOORSTEP_PASSPHRASE", "short")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at least 8 characters"),
        "{}",
        stderr(&out)
    );
    assert!(!cli.store().exists());
}
