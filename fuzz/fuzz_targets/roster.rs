//! The roster import (CSV or JSON, as an office exports it): any bytes give rows and row
//! errors or a file error, never a panic; the rows kept have distinct ids and ID numbers.
#![no_main]

use std::collections::HashSet;

use chrono::NaiveDate;
use doorstep_contract::roster::{validate, RosterFormat};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    // Both parsers on any bytes, not only on what sniffing would send them.
    let format = match pick % 3 {
        0 => RosterFormat::Csv,
        1 => RosterFormat::Json,
        _ => RosterFormat::sniff(bytes),
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    if let Ok((good, _errors)) = validate(bytes, format, today) {
        let mut ids = HashSet::new();
        let mut id_numbers = HashSet::new();
        for row in &good {
            assert!(ids.insert(row.recipient.id.clone()), "an id kept twice");
            assert!(
                id_numbers.insert(row.recipient.id_number.as_str().to_owned()),
                "an ID number kept twice"
            );
        }
    }
});
