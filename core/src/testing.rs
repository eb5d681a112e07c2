//! Test fixtures shared by the core's unit tests: valid recipients and throwaway stores.

use chrono::NaiveDate;

use crate::crypto::RawKeyVault;
use crate::model::{
    id_check_char, CardStatus, Category, Datum, DivisionCode, Enrolment, IdNumber, Location, Phone,
    Recipient,
};
use crate::store::Store;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
}

/// A valid ID number for a birth date and sequence (odd: male).
pub fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("410225{birth}{seq:03}");
    format!("{first17}{}", id_check_char(first17.as_bytes()))
}

pub fn recipient(id: &str, name: &str, seq: u32) -> Recipient {
    let idn = IdNumber::parse(&id_number("19400312", seq), today()).expect("valid id");
    Recipient {
        id: id.to_owned(),
        name: name.to_owned(),
        gender: idn.gender(),
        birth_date: idn.birth_date(),
        id_number: idn,
        categories: vec![Category::Elderly],
        village: DivisionCode::parse("410225100201").expect("code"),
        address: "兰考县城关镇某村".to_owned(),
        location: Some(Location::new(34.82, 114.82, Datum::Wgs84).expect("loc")),
        phone: Some(Phone::parse(&format!("138{:08}", seq)).expect("phone")),
        guardian: None,
        enrolments: vec![Enrolment {
            code: "GL01".into(),
            short_name: "高龄津贴".into(),
            amount_fen: 10000,
            protected: false,
        }],
        card_status: CardStatus::IssuedInactive,
        last_visit: None,
    }
}

pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub vault: RawKeyVault,
    pub store: Store,
}

pub fn temp_store() -> TempStore {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = RawKeyVault::generate().expect("vault");
    let store = Store::create(dir.path(), &vault).expect("create");
    TempStore { dir, vault, store }
}

/// A plausible handwritten name: a looping wave and a crossing bar on a 600×200 pad.
pub fn signature_input() -> doorstep_contract::visit::SignatureInput {
    use doorstep_contract::visit::StrokePoint;
    let pt = |x: f32, y: f32, t: u32| StrokePoint { x, y, t, p: 0.5 };
    let wave = (0..120u32)
        .map(|i| {
            let s = i as f32 / 119.0;
            let x = 40.0 + s * 500.0 + 25.0 * (s * 40.0).cos();
            let y = 100.0 + 45.0 * (s * 20.0).sin() * (1.0 - s * 0.5);
            pt(x, y, i * 8)
        })
        .collect();
    let bar = (0..20u32)
        .map(|i| pt(200.0 + i as f32 * 10.0, 60.0 + i as f32 * 2.0, 1200 + i * 8))
        .collect();
    doorstep_contract::visit::SignatureInput {
        width: 600,
        height: 200,
        strokes: vec![wave, bar],
    }
}
