//! The sync messages each end reads from the other (`doorstep_contract::wire`): any bytes
//! decode or are refused, never a panic, and what decodes survives re-encoding unchanged.
#![no_main]

use doorstep_contract::wire::{
    DecisionPage, EnrolRequest, Enrolled, ErrorBody, MediaProgress, Push, Receipts, RosterPage,
    TicketPage,
};
use serde::{de::DeserializeOwned, Serialize};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq>(bytes: &[u8], what: &str) {
    let Ok(first) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let encoded = serde_json::to_vec(&first).expect("a decoded message encodes");
    let second: T = serde_json::from_slice(&encoded).expect("an encoded message decodes");
    assert!(second == first, "{what} changed through re-encoding");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    match pick % 9 {
        0 => round_trip::<Push>(bytes, "push"),
        1 => round_trip::<EnrolRequest>(bytes, "enrol request"),
        2 => round_trip::<Enrolled>(bytes, "enrolment"),
        3 => round_trip::<Receipts>(bytes, "receipts"),
        4 => round_trip::<MediaProgress>(bytes, "media progress"),
        5 => round_trip::<RosterPage>(bytes, "roster page"),
        6 => round_trip::<DecisionPage>(bytes, "decision page"),
        7 => round_trip::<TicketPage>(bytes, "ticket page"),
        _ => round_trip::<ErrorBody>(bytes, "error"),
    }
});
