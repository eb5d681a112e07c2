//! Today's sealing path gives, byte for byte, the records the serializer before `RecordV1`
//! wrote from the same drafts (doorstep-contract/testdata/records-v1, made by commit a58ae50's
//! `seal::canonical`), and the fixture's device key signs them to the same signatures.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use doorstep_contract::record::RecordV1;
use doorstep_contract::visit::*;

use super::{record, ChainLink};
use crate::crypto::{hex, DeviceKey};
use crate::rules::{Context, CrossFlag, Draft, SignatureRecord};

/// The strokes the golden records were sealed with (kept here: the fixtures depend on them).
fn golden_strokes() -> SignatureInput {
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
    SignatureInput {
        width: 600,
        height: 200,
        strokes: vec![wave, bar],
    }
}

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn fix(lat: f64, lon: f64, acc: f64, at: &str, rec: &str, mock: bool) -> Fix {
    Fix {
        lat,
        lon,
        accuracy_m: acc,
        at: t(at),
        received_at: t(rec),
        provider: "gps".into(),
        mock,
    }
}

fn base(id: &str) -> Draft {
    let context = Context {
        card_active: false,
        acts_through_proxy: false,
        enrolment_codes: vec!["GL01".into(), "CJ02".into()],
        checklist_version: 1,
        household: Some((34.823_456_789_012, 114.812_345_678_901)),
    };
    Draft {
        last_action_at: t("2026-11-27T10:25:00+08:00"),
        ..Draft::new(
            id.into(),
            "LK-000017".into(),
            None,
            t("2026-11-27T10:00:03.250+08:00"),
            context,
        )
    }
}

/// A golden case: its name, the draft, its place in the chain, the signature image's hash,
/// the flags it was sealed with.
type Golden = (&'static str, Draft, ChainLink, Option<String>, Vec<Flag>);

pub fn drafts() -> Vec<Golden> {
    let mut out = Vec::new();

    // 1. A whole met-person visit with everything a record can hold.
    let mut d = base("V0a1b2c3d4e5f6071");
    d.outcome = Some(Outcome::MetPerson);
    d.present = vec!["王秀兰".into(), "李芳 \"女儿\"".into()];
    d.subsidies.insert(
        "GL01".into(),
        SubsidyCheck {
            arrived: Arrival::Yes,
            amount_seen_fen: Some(10_050),
            sms_received: Some(true),
        },
    );
    d.subsidies.insert(
        "CJ02".into(),
        SubsidyCheck {
            arrived: Arrival::Unsure,
            amount_seen_fen: None,
            sms_received: None,
        },
    );
    d.policies_explained = vec!["GL01".into(), "medical-aid".into()];
    d.living_situation = "独居，身体尚可\n有邻居照应".into();
    d.needs = "希望上门办理社保卡激活".into();
    d.questions_answered = vec!["补贴何时到账？".into(), "密码忘了怎么办".into()];
    d.tickets = vec![
        Ticket {
            number: 1,
            kind: TicketKind::CardProblem,
            description: "银行卡未激活，需预约银行上门".into(),
            urgency: Urgency::High,
            due: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            from_checklist: Some("bank_activated".into()),
        },
        Ticket {
            number: 2,
            kind: TicketKind::PaymentMissing,
            description: "十月残疾人补贴未到账".into(),
            urgency: Urgency::Normal,
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 4).expect("date"),
            from_checklist: None,
        },
    ];
    d.satisfaction = Some(Satisfaction {
        level: SatisfactionLevel::BasicallySatisfied,
        comment: "希望多来看看".into(),
    });
    for (k, a) in [
        ("identity_checked", ChecklistAnswer::Done),
        ("card_in_hand", ChecklistAnswer::Done),
        (
            "bank_activated",
            ChecklistAnswer::Problem {
                note: "银行系统故障".into(),
            },
        ),
        ("sms_enabled", ChecklistAnswer::NotApplicable),
    ] {
        d.checklist.insert(k.into(), a);
    }
    d.signature = Some(SignatureRecord {
        signer: Signer::Recipient,
        strokes: Some(golden_strokes()),
        attested: "本人确认以上走访内容属实".into(),
    });
    d.notes = vec!["门口有台阶，注意".into()];
    d.photos = vec![
        "4f1c2a0d9e8b7c6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa9988".into(),
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into(),
    ];
    d.photo_phashes = vec![0xF0F0_F0F0_0F0F_0F0F, u64::MAX - 7];
    d.fixes = Fixes {
        start: Some(fix(
            34.823_401,
            114.812_299,
            12.5,
            "2026-11-27T10:00:01.123+08:00",
            "2026-11-27T10:00:02.500+08:00",
            false,
        )),
        end: Some(fix(
            34.830_001,
            114.820_002,
            35.0,
            "2026-11-27T10:24:59+08:00",
            "2026-11-27T10:25:00+08:00",
            true,
        )),
        best: Some(fix(
            34.823_456_1,
            114.812_345_2,
            4.8,
            "2026-11-27T10:05:00.5+08:00",
            "2026-11-27T10:05:01+08:00",
            false,
        )),
        any_mock: true,
        max_clock_skew_s: 421,
    };
    d.cross_flags = vec![
        CrossFlag::SameSpotOtherHousehold,
        CrossFlag::ImpossibleSpeed { kmh: 187 },
        CrossFlag::PhotoReused,
    ];
    let flags = vec![
        Flag::TooFar {
            distance_m: 913,
            accuracy_m: 35,
        },
        Flag::Inaccurate { accuracy_m: 150 },
        Flag::FixTooOld { minutes: 12 },
        Flag::MockLocation,
        Flag::TooShort { minutes: 3 },
        Flag::ClockSkew { seconds: 421 },
        Flag::SameSpotOtherHousehold,
        Flag::ImpossibleSpeed { kmh: 187 },
        Flag::PhotoReused,
    ];
    out.push((
        "met_person_everything",
        d,
        ChainLink {
            seq: 7,
            prev_hash: Some([0xab; 32]),
        },
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into()),
        flags,
    ));

    // 2. A correction signed by a proxy for a minor, first record of its chain.
    let mut d = base("V1122334455667788");
    d.corrects = Some("V0a1b2c3d4e5f6071".into());
    d.recipient_id = "LK-000230".into();
    d.context.acts_through_proxy = true;
    d.context.card_active = true;
    d.context.enrolment_codes = vec!["GE03".into()];
    d.started_at = t("2026-11-28T16:30:00+08:00");
    d.outcome = Some(Outcome::MetProxy);
    d.present = vec!["李芳".into()];
    d.subsidies.insert(
        "GE03".into(),
        SubsidyCheck {
            arrived: Arrival::No,
            amount_seen_fen: Some(0),
            sms_received: Some(false),
        },
    );
    d.satisfaction = Some(Satisfaction {
        level: SatisfactionLevel::Dissatisfied,
        comment: String::new(),
    });
    d.checklist
        .insert("guardian_present".into(), ChecklistAnswer::Done);
    d.checklist
        .insert("documents_seen".into(), ChecklistAnswer::Done);
    d.signature = Some(SignatureRecord {
        signer: Signer::Proxy {
            name: "李芳".into(),
            relation: "母亲".into(),
        },
        strokes: Some(golden_strokes()),
        attested: "I confirm this record of the visit is true".into(),
    });
    let f = fix(
        34.9,
        114.7,
        8.0,
        "2026-11-28T16:31:00+08:00",
        "2026-11-28T16:31:00+08:00",
        false,
    );
    d.fixes = Fixes {
        start: Some(f.clone()),
        end: Some(f.clone()),
        best: Some(f),
        any_mock: false,
        max_clock_skew_s: 0,
    };
    out.push((
        "proxy_correction",
        d,
        ChainLink {
            seq: 1,
            prev_hash: None,
        },
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".into()),
        vec![],
    ));

    // 3. A thumbprint with its photo; the fix in UTC.
    let mut d = base("V99aa88bb77cc66dd");
    d.started_at = t("2026-11-29T01:00:00+00:00");
    d.outcome = Some(Outcome::MetPerson);
    d.signature = Some(SignatureRecord {
        signer: Signer::Thumbprint {
            photo: Some("aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899".into()),
        },
        strokes: None,
        attested: "按手印确认".into(),
    });
    d.photos = vec!["aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899".into()];
    d.photo_phashes = vec![0];
    let f = fix(
        -0.000_001,
        0.5,
        100_000.0,
        "2026-11-29T00:59:00+00:00",
        "2026-11-29T01:00:00+00:00",
        false,
    );
    d.fixes = Fixes {
        start: Some(f.clone()),
        end: None,
        best: Some(f),
        any_mock: false,
        max_clock_skew_s: 60,
    };
    out.push((
        "thumbprint",
        d,
        ChainLink {
            seq: 8,
            prev_hash: Some([0x01; 32]),
        },
        None,
        vec![Flag::Inaccurate {
            accuracy_m: 100_000,
        }],
    ));

    // 4. Nobody home: a note, no fix, no household position.
    let mut d = base("Vdeadbeefdeadbeef");
    d.context.household = None;
    d.context.enrolment_codes = vec![];
    d.outcome = Some(Outcome::NobodyHome);
    d.notes = vec!["敲门无人应答，邻居说去医院了".into()];
    d.tickets = vec![Ticket {
        number: 1,
        kind: TicketKind::Other,
        description: "联系家属".into(),
        urgency: Urgency::Low,
        due: chrono::NaiveDate::from_ymd_opt(2026, 12, 12).expect("date"),
        from_checklist: None,
    }];
    out.push((
        "nobody_home",
        d,
        ChainLink {
            seq: 9,
            prev_hash: Some([0xfe; 32]),
        },
        None,
        vec![Flag::NoLocation, Flag::TooShort { minutes: 0 }],
    ));

    // 5. Every other outcome once, nothing else recorded.
    for (i, o) in [
        Outcome::Refused,
        Outcome::Moved,
        Outcome::Deceased,
        Outcome::InHospital,
    ]
    .into_iter()
    .enumerate()
    {
        let mut d = base(&format!("V000000000000000{i}"));
        d.outcome = Some(o);
        d.notes = vec![format!("note {i}")];
        let name: &'static str = ["refused", "moved", "deceased", "in_hospital"][i];
        out.push((
            name,
            d,
            ChainLink {
                seq: 20 + i as u64,
                prev_hash: Some([i as u8; 32]),
            },
            None,
            vec![],
        ));
    }
    out
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../contract/testdata/records-v1")
}

#[test]
fn the_same_drafts_seal_to_the_same_bytes_and_signatures_as_before() {
    let key = DeviceKey::from_pkcs8(&std::fs::read(dir().join("device.pk8")).expect("key"))
        .expect("pkcs8");
    let finished = t("2026-11-27T10:25:07.5+08:00");
    let drafts = drafts();
    assert_eq!(drafts.len(), 8);
    for (name, d, link, image, flags) in drafts {
        let bytes = record(
            &d,
            link,
            &key.public_key(),
            finished,
            image.as_deref(),
            &flags,
        )
        .canonical();
        let before = std::fs::read(dir().join(format!("{name}.json"))).expect("fixture");
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&before),
            "{name}"
        );
        let sig = std::fs::read_to_string(dir().join(format!("{name}.sig"))).expect("sig");
        assert_eq!(
            hex(&key.sign(&bytes)),
            sig.trim(),
            "{name}: the same signature"
        );
        // And the typed decoder reads back what was sealed.
        let back = RecordV1::decode(&bytes).expect("decode");
        assert_eq!(back.visit_id, d.id);
        assert_eq!(back.subsidies, d.subsidies);
        assert_eq!(back.fixes, d.fixes);
        assert_eq!(back.flags, flags);
    }
}
