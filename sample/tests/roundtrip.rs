//! The generated roster survives the real import: every row validates, and what the store
//! gives back is what was generated.

use chrono::NaiveDate;
use doorstep_contract::roster::FIELDS;
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::roster::{ImportOptions, RosterFormat};
use doorstep_core::Doorstep;
use doorstep_sample::{generate, to_csv};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

#[test]
fn header_is_the_roster_format() {
    let csv = to_csv(&generate(7, 3, today()));
    let header = csv.lines().next().expect("header");
    assert_eq!(header, FIELDS.join(","));
}

#[test]
fn imports_all_and_reads_back_equal() {
    let people = generate(7, 2000, today());
    let csv = to_csv(&people);
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = RawKeyVault::generate().expect("vault");
    let mut store = Doorstep::create(&dir.path().join("store"), &vault).expect("store");
    let report = store
        .import_roster(
            csv.as_bytes(),
            RosterFormat::Csv,
            ImportOptions::default(),
            today(),
        )
        .expect("the whole roster imports");
    assert_eq!(report.inserted, 2000);
    assert_eq!(report.updated, 0);
    assert!(report.skipped.is_empty());
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T09:00:00+08:00").expect("now");
    for p in &people {
        let back = store
            .recipient(&p.id, false, now)
            .expect("present")
            .recipient;
        assert!(back == *p, "{} differs after the round trip", p.id);
    }
}
