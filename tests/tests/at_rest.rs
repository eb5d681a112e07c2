//! What an attacker holding the phone's files sees: no name, ID number, phone or address in
//! any file of the store folder, whether the store is open or closed.

use doorstep_core::crypto::PassphraseVault;
use doorstep_core::Doorstep;
use doorstep_tests::{snapshot, today, Needles};

#[test]
fn no_personal_value_appears_in_any_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let store_dir = dir.path().join("store");
    let people = doorstep_sample::generate(3, 300, today());
    let vault = PassphraseVault::new("scan test");
    let mut store = Doorstep::create(&store_dir, &vault).expect("create");
    store.import_recipients(&people).expect("write");
    // Updates leave old page images in the WAL and free pages behind: write everything twice.
    store.import_recipients(&people).expect("rewrite");

    let mut needles: Vec<String> = Vec::new();
    for r in &people {
        needles.push(r.name.clone());
        needles.push(r.id_number.as_str().to_owned());
        needles.push(r.address.clone());
        needles.extend(r.phone.as_ref().map(|p| p.as_str().to_owned()));
        if let Some(g) = &r.guardian {
            needles.push(g.name.clone());
            needles.extend(g.phone.as_ref().map(|p| p.as_str().to_owned()));
        }
    }
    // Single-character names could match by chance in ciphertext; the generator's names are
    // at least two characters (six bytes) long.
    assert!(
        needles.iter().all(|n| n.len() >= 6),
        "needles too short to be meaningful"
    );

    let search = Needles::new(&needles);
    let scan = |when: &str| {
        let files = snapshot(&store_dir);
        assert!(files.keys().any(|f| f == "doorstep.db"));
        for (file, bytes) in &files {
            assert_eq!(
                search.find_in(bytes),
                None,
                "{when}: a personal value (needle number shown) is in {file}"
            );
        }
        files.len()
    };
    let open_files = scan("open");
    assert!(
        open_files >= 3,
        "expected the WAL and SHM beside the database while open"
    );
    store.close().expect("close");
    scan("closed");

    // The scan can find things: the same values are in the roster CSV in plain text.
    let csv = doorstep_sample::to_csv(&people);
    assert_eq!(search.all_in(csv.as_bytes()).len(), search.len());
}

#[test]
fn after_import_rotation_and_passphrase_change_the_files_still_hold_no_personal_value() {
    let (cli, csv) = doorstep_tests::Cli::with_roster(400);
    cli.ok(&["key", "rotate", "--batch-size", "50"]);
    cli.cmd(&["key", "change-passphrase"])
        .env("DOORSTEP_NEW_PASSPHRASE", "another one")
        .status()
        .expect("run")
        .success()
        .then_some(())
        .expect("changed");
    let people = doorstep_sample::generate(11, 400, today());
    let mut values: Vec<&str> = Vec::new();
    for r in &people {
        values.extend([r.name.as_str(), r.id_number.as_str(), r.address.as_str()]);
        values.extend(r.phone.as_ref().map(|p| p.as_str()));
    }
    values.retain(|v| !v.is_empty());
    let search = Needles::new(&values);
    for (file, bytes) in &snapshot(&cli.store()) {
        assert_eq!(
            search.find_in(bytes),
            None,
            "a personal value (needle number shown) is in {file}"
        );
    }
    // The same search finds every one of them in the roster that was imported.
    assert_eq!(search.all_in(csv.as_bytes()).len(), search.len());
}
