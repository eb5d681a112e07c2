//! Sealed records as the server and `verify` read them: any bytes are a record or not, never
//! a panic; a record read back from its canonical bytes is the same record, byte for byte.
#![no_main]

use std::collections::BTreeMap;

use doorstep_contract::record::{verify, RecordV1};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(record) = RecordV1::decode(data) {
        let canonical = record.canonical();
        let again = RecordV1::decode(&canonical).expect("canonical bytes decode");
        assert!(
            again == record,
            "a record changed through its canonical bytes"
        );
        assert_eq!(
            again.canonical(),
            canonical,
            "canonical bytes are not stable"
        );
    }
    // verify on the same bytes, with a signature and key cut from them: refused, not a panic.
    let sig = data.get(..64).unwrap_or(data);
    let key = data.get(64..96).unwrap_or(data);
    let media = BTreeMap::from([(String::from("00"), data.to_vec())]);
    assert!(
        verify(data, sig, key, &media).is_err(),
        "fuzzed bytes verified as a sealed record"
    );
});
