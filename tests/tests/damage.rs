//! Damaged and foreign stores: a flipped byte is reported for its record only; a newer schema,
//! a missing store and a locked database each get a clear message. Never a panic.

use doorstep_core::SCHEMA_VERSION;
use doorstep_tests::{stderr, Cli};

#[test]
fn a_flipped_byte_in_a_stored_value_fails_that_record_only() {
    let (cli, _) = Cli::with_roster(30);
    let victim: String = {
        let db = cli.db();
        let (id, mut sec): (String, Vec<u8>) = db
            .query_row(
                "SELECT id, sec FROM recipients ORDER BY id LIMIT 1 OFFSET 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        let i = sec.len() - 20;
        sec[i] ^= 0x01;
        db.execute(
            "UPDATE recipients SET sec = ?1 WHERE id = ?2",
            rusqlite::params![sec, id],
        )
        .expect("flip");
        id
    };
    let out = cli.run(&["roster", "list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 29);
    assert!(!ids.contains(&victim.as_str()));
    let err = stderr(&out);
    assert!(
        err.contains("1 record(s) could not be read") && err.contains(&victim),
        "{err}"
    );

    // With --json the warning is JSON too, so scripts can read it.
    let out = cli.run(&["roster", "list", "--json"]);
    let warning: serde_json::Value =
        serde_json::from_slice(&out.stderr).expect("a JSON warning on stderr");
    assert_eq!(warning["warning"]["kind"], "unreadable");
    assert_eq!(warning["warning"]["ids"][0], victim.as_str());

    let out = cli.run(&["roster", "show", &victim]);
    assert_eq!(out.status.code(), Some(1), "an error, not a panic (101)");
    assert!(
        stderr(&out).contains(&format!("record {victim} in recipients cannot be read")),
        "{}",
        stderr(&out)
    );
    let other = ids[0];
    cli.ok(&["roster", "show", other]);
}

#[test]
fn missing_newer_and_locked_stores_are_explained() {
    let cli = Cli::new();
    let out = cli.run(&["roster", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no store at") && stderr(&out).contains("doorstep init"));

    cli.ok(&["init"]);
    let out = cli.run(&["init"]);
    assert!(stderr(&out).contains("a store already exists"));

    let holder = cli.db();
    holder
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let file = cli.dir.path().join("r.csv");
    std::fs::write(
        &file,
        doorstep_sample::to_csv(&doorstep_sample::generate(1, 3, doorstep_tests::today())),
    )
    .expect("csv");
    let out = cli.run(&["roster", "import", file.to_str().expect("path"), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("json error");
    assert_eq!(err["error"]["kind"], "locked");
    holder.execute_batch("ROLLBACK").expect("release");
    cli.ok(&["roster", "import", file.to_str().expect("path")]);

    cli.db()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("pretend a newer app wrote it");
    let out = cli.run(&["roster", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("written by a newer Doorstep"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    // Enough lines to fill the pipe's buffer, so the writer is still writing when it closes.
    let (cli, _) = Cli::with_roster(1500);
    let mut child = cli
        .cmd(&["roster", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Read one line, then hang up, as `| head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    std::io::Read::read(&mut stdout, &mut first).expect("read");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}
