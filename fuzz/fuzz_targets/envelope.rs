//! Stored ciphertexts (the store's envelopes): any bytes are refused by a key that never
//! sealed them, whatever their header says, never a panic.
#![no_main]

use std::sync::OnceLock;

use doorstep_crypto::{envelope_key_id, DataKey, EnvelopeAad, KeySet};

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dek = DataKey::generate().expect("randomness");
        KeySet::derive(1, &dek).expect("keys")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = envelope_key_id(data);
    let aad = EnvelopeAad {
        table: "visits",
        row_id: "v1",
        format: 1,
    };
    assert!(keys().open(aad, data).is_err(), "fuzzed bytes opened");
});
