//! Every entry of the catalogue has words in both languages. For the enums, each test lists
//! one value of every variant and a `match` without a wildcard over the same type: a variant
//! added later fails to compile here until it is listed (and so checked).

use super::*;
use crate::model::{CardStatus, Category, Gender, Invalid};
use crate::record::VerifyProblem;
use crate::roster::{RosterFault, RowProblem};
use crate::visit::{
    Arrival, ChecklistAnswer, Flag, Missing, Outcome, SatisfactionLevel, ServerFlag, Signer, Step,
    TicketKind, Urgency, Warning,
};
use crate::wire::{Chain, Decision, ReceiptStatus, TicketState, VisitStatus};

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Chinese text with Chinese in it, English text with none, neither empty.
fn check(what: &str, zh: &str, en: &str) {
    assert!(
        !zh.trim().is_empty() && !en.trim().is_empty(),
        "{what}: empty"
    );
    assert!(has_cjk(zh), "{what}: the Chinese has no Chinese: {zh:?}");
    assert!(!has_cjk(en), "{what}: the English has Chinese: {en:?}");
}

fn check_value(v: &(impl Localize + std::fmt::Debug)) {
    check(
        &format!("{v:?}"),
        &v.localize(Lang::Zh),
        &v.localize(Lang::En),
    );
}

#[test]
fn every_label_has_both_languages_and_the_same_placeholders() {
    // Entries that are deliberately one language: the switch to the other one.
    let same = [Text::English, Text::Chinese];
    for &t in Text::ALL {
        let (zh, en) = (t.get(Lang::Zh), t.get(Lang::En));
        if same.contains(&t) {
            assert_eq!(zh, en, "{t:?}");
            continue;
        }
        check(&format!("{t:?}"), zh, en);
        assert_eq!(
            zh.matches("{}").count(),
            en.matches("{}").count(),
            "{t:?}: placeholders differ"
        );
    }
    assert_eq!(
        Text::ErrRefused.fill_all(Lang::En, &["401", "bad signature"]),
        "the server refused the request (401): bad signature"
    );
}

#[test]
fn every_value_a_screen_shows_has_words_in_both_languages() {
    fn witness_category(c: Category) {
        match c {
            Category::Elderly | Category::SeriouslyIll | Category::Disabled | Category::Minor => {}
        }
    }
    Category::ALL.iter().for_each(|&c| {
        witness_category(c);
        check_value(&c);
    });
    for g in [Gender::Male, Gender::Female] {
        check_value(&g);
    }
    let cards = [
        CardStatus::NotIssued,
        CardStatus::IssuedInactive,
        CardStatus::Active,
        CardStatus::Lost,
        CardStatus::Frozen,
    ];
    for c in cards {
        match c {
            CardStatus::NotIssued
            | CardStatus::IssuedInactive
            | CardStatus::Active
            | CardStatus::Lost
            | CardStatus::Frozen => check_value(&c),
        }
    }
    for o in [
        Outcome::MetPerson,
        Outcome::MetProxy,
        Outcome::NobodyHome,
        Outcome::Refused,
        Outcome::Moved,
        Outcome::Deceased,
        Outcome::InHospital,
    ] {
        match o {
            Outcome::MetPerson
            | Outcome::MetProxy
            | Outcome::NobodyHome
            | Outcome::Refused
            | Outcome::Moved
            | Outcome::Deceased
            | Outcome::InHospital => check_value(&o),
        }
    }
    for a in [Arrival::Yes, Arrival::No, Arrival::Unsure] {
        match a {
            Arrival::Yes | Arrival::No | Arrival::Unsure => check_value(&a),
        }
    }
    for k in [
        TicketKind::Consultation,
        TicketKind::Complaint,
        TicketKind::CardProblem,
        TicketKind::PaymentMissing,
        TicketKind::Other,
    ] {
        match k {
            TicketKind::Consultation
            | TicketKind::Complaint
            | TicketKind::CardProblem
            | TicketKind::PaymentMissing
            | TicketKind::Other => check_value(&k),
        }
    }
    for u in [Urgency::Low, Urgency::Normal, Urgency::High] {
        match u {
            Urgency::Low | Urgency::Normal | Urgency::High => check_value(&u),
        }
    }
    for s in [
        SatisfactionLevel::Satisfied,
        SatisfactionLevel::BasicallySatisfied,
        SatisfactionLevel::Dissatisfied,
    ] {
        match s {
            SatisfactionLevel::Satisfied
            | SatisfactionLevel::BasicallySatisfied
            | SatisfactionLevel::Dissatisfied => check_value(&s),
        }
    }
    for s in [
        Signer::Recipient,
        Signer::Proxy {
            name: "李芳".into(),
            relation: "母亲".into(),
        },
        Signer::Thumbprint { photo: None },
    ] {
        match &s {
            Signer::Recipient | Signer::Proxy { .. } | Signer::Thumbprint { .. } => {}
        }
        // A proxy's name is the person's own words: only the frame is checked.
        assert!(!s.localize(Lang::Zh).is_empty() && !s.localize(Lang::En).is_empty());
    }
    for a in [
        ChecklistAnswer::Done,
        ChecklistAnswer::NotApplicable,
        ChecklistAnswer::Problem { note: "x".into() },
    ] {
        match &a {
            ChecklistAnswer::Done
            | ChecklistAnswer::NotApplicable
            | ChecklistAnswer::Problem { .. } => check_value(&a),
        }
    }
}

#[test]
fn every_step_missing_item_warning_and_flag_is_worded() {
    for s in [
        Step::Knock,
        Step::Care,
        Step::Open,
        Step::Checklist,
        Step::Sign,
        Step::Evidence,
        Step::Ready,
    ] {
        match s {
            Step::Knock
            | Step::Care
            | Step::Open
            | Step::Checklist
            | Step::Sign
            | Step::Evidence
            | Step::Ready => check_value(&s),
        }
    }
    let template = crate::model::ChecklistTemplate::builtin();
    let mut missing = vec![
        Missing::Contact,
        Missing::Signature,
        Missing::ThumbprintPhoto,
        Missing::AttemptEvidence,
    ];
    missing.extend(
        template
            .items
            .iter()
            .map(|i| Missing::ChecklistItem { key: i.key.clone() }),
    );
    for m in &missing {
        match m {
            Missing::Contact
            | Missing::ChecklistItem { .. }
            | Missing::Signature
            | Missing::ThumbprintPhoto
            | Missing::AttemptEvidence => check_value(m),
        }
    }
    let warnings = [
        Warning::SubsidyNotChecked {
            code: "GL01".into(),
        },
        Warning::SatisfactionNotAsked,
        Warning::ChecklistProblemWithoutTicket {
            key: "card_in_hand".into(),
        },
    ];
    for w in &warnings {
        match w {
            Warning::SubsidyNotChecked { .. }
            | Warning::SatisfactionNotAsked
            | Warning::ChecklistProblemWithoutTicket { .. } => {
                let zh = w.describe(&template, &|_| Some("高龄津贴".into()), Lang::Zh);
                let en = w.describe(&template, &|_| Some("old-age allowance".into()), Lang::En);
                check(&format!("{w:?}"), &zh, &en);
            }
        }
    }
    let flags = [
        Flag::NoLocation,
        Flag::TooFar {
            distance_m: 913,
            accuracy_m: 35,
        },
        Flag::MockLocation,
        Flag::Inaccurate { accuracy_m: 150 },
        Flag::FixTooOld { minutes: 20 },
        Flag::TooShort { minutes: 3 },
        Flag::ImpossibleSpeed { kmh: 187 },
        Flag::SameSpotOtherHousehold,
        Flag::ClockSkew { seconds: 421 },
        Flag::PhotoReused,
    ];
    for f in &flags {
        let measurement = match f {
            Flag::NoLocation
            | Flag::MockLocation
            | Flag::SameSpotOtherHousehold
            | Flag::PhotoReused => None,
            Flag::TooFar { distance_m, .. } => Some(distance_m.to_string()),
            Flag::Inaccurate { accuracy_m } => Some(accuracy_m.to_string()),
            Flag::FixTooOld { minutes } | Flag::TooShort { minutes } => Some(minutes.to_string()),
            Flag::ImpossibleSpeed { kmh } => Some(kmh.to_string()),
            Flag::ClockSkew { seconds } => Some(seconds.to_string()),
        };
        check_value(f);
        // The measurement is in the words, in both languages.
        if let Some(n) = measurement {
            assert!(f.localize(Lang::Zh).contains(&n), "{f:?}");
            assert!(f.localize(Lang::En).contains(&n), "{f:?}");
        }
    }
    for f in ServerFlag::ALL {
        match f {
            ServerFlag::SameSpotOtherDevice | ServerFlag::PhotoReusedOtherDevice => check_value(&f),
        }
    }
    // Each kind in a few words, for the review queue.
    let codes = Flag::CODES
        .iter()
        .copied()
        .chain(ServerFlag::ALL.iter().map(|f| f.code()));
    for code in codes {
        let (zh, en) = (flag_kind(code, Lang::Zh), flag_kind(code, Lang::En));
        check(code, zh.unwrap_or_default(), en.unwrap_or_default());
    }
    assert_eq!(flag_kind("no_such_flag", Lang::Zh), None);
}

#[test]
fn every_status_on_the_server_is_worded() {
    for s in VisitStatus::ALL {
        match s {
            VisitStatus::Submitted
            | VisitStatus::Approved
            | VisitStatus::Returned
            | VisitStatus::Corrected
            | VisitStatus::Rejected => check_value(&s),
        }
    }
    for d in Decision::ALL {
        match d {
            Decision::Approve | Decision::Return | Decision::Reject => check_value(&d),
        }
    }
    for t in TicketState::ALL {
        match t {
            TicketState::Accepted
            | TicketState::Transferred
            | TicketState::Replied
            | TicketState::Closed => check_value(&t),
        }
    }
    for c in [Chain::Ok, Chain::Gap, Chain::Fork] {
        match c {
            Chain::Ok | Chain::Gap | Chain::Fork => check_value(&c),
        }
    }
    for r in [
        ReceiptStatus::Stored,
        ReceiptStatus::Duplicate,
        ReceiptStatus::Conflict,
        ReceiptStatus::Refused,
    ] {
        match r {
            ReceiptStatus::Stored
            | ReceiptStatus::Duplicate
            | ReceiptStatus::Conflict
            | ReceiptStatus::Refused => check_value(&r),
        }
    }
}

/// Every refusal, in both languages. (Invalid is long: its witness is the catalogue's own
/// exhaustive match; here each variant is listed so that its words are checked.)
#[test]
fn every_refusal_is_worded() {
    use Invalid as I;
    let all = [
        I::IdLength { found: 17 },
        I::IdNotDigits,
        I::IdRegion,
        I::IdBirthDate,
        I::IdCheckDigit {
            expected: 'X',
            found: '3',
        },
        I::DivisionFormat,
        I::DivisionProvince,
        I::DivisionNotVillage,
        I::PhoneFormat,
        I::PhonePrefix,
        I::Category,
        I::NoCategory,
        I::Gender,
        I::GenderMismatch,
        I::BirthDateMismatch,
        I::Date,
        I::FutureDate,
        I::CardStatus,
        I::Datum,
        I::Latitude,
        I::Longitude,
        I::HalfLocation,
        I::EnrolmentShape,
        I::EnrolmentAmount,
        I::EnrolmentProtected,
        I::MinorWithoutGuardian,
        I::HalfGuardian,
        I::MinorAge,
        I::Required,
        I::TooLong,
        I::RosterId,
        I::Interval,
        I::PolicyValue,
        I::PolicyTopics,
        I::VisitUnknownTopic,
        I::VisitUnknownPhoto,
        I::PolicyFromServer,
        I::ChecklistItems,
        I::UnknownField,
        I::SignatureFormat,
        I::SignatureCanvas,
        I::SignatureOutside,
        I::SignatureTime,
        I::SignatureTooLittle,
        I::SignatureDot,
        I::SignatureLine,
        I::VisitNoContact,
        I::VisitNotMet,
        I::VisitContactLocked,
        I::VisitUnknownSubsidy,
        I::VisitUnknownItem,
        I::VisitNotProxy,
        I::VisitTicketItem,
        I::VisitThumbprintStrokes,
        I::VisitSignerAbsent,
        I::FixAccuracy,
        I::FixFromFuture,
        I::VisitSealed,
        I::VisitIncomplete,
        I::VisitNotSealed,
        I::PhotoFormat,
        I::PhotoTooLarge,
        I::PhotoDamaged,
    ];
    let mut seen = std::collections::HashSet::new();
    for i in &all {
        check_value(i);
        assert!(seen.insert(std::mem::discriminant(i)), "{i:?} twice");
    }
    // As many variants as the catalogue matches on: counted from the enum's own source.
    let source = include_str!("../model/mod.rs");
    let body = &source[source.find("pub enum Invalid {").expect("enum")..];
    let body = &body[..body.find("\n}\n").expect("end")];
    let variants = body
        .lines()
        .skip(1)
        .filter(|l| {
            let t = l.trim_start();
            l.starts_with("    ")
                && !l.starts_with("     ")
                && t.chars().next().is_some_and(char::is_uppercase)
        })
        .count();
    assert_eq!(all.len(), variants, "every Invalid variant is listed here");
    for p in [
        RowProblem::DuplicateId { first_line: 2 },
        RowProblem::DuplicateIdNumber { first_line: 2 },
        RowProblem::IdNumberInStore {
            other_id: "A1".into(),
        },
        RowProblem::FieldCount {
            found: 3,
            expected: 18,
        },
        RowProblem::NotUtf8,
        RowProblem::OutsideArea {
            area: "410225".into(),
        },
        RowProblem::BadCsv,
        RowProblem::NotAnObject,
        RowProblem::NotText,
        RowProblem::StoredUnreadable,
        RowProblem::Invalid(Invalid::Required),
    ] {
        match &p {
            RowProblem::Invalid(_)
            | RowProblem::DuplicateId { .. }
            | RowProblem::DuplicateIdNumber { .. }
            | RowProblem::IdNumberInStore { .. }
            | RowProblem::FieldCount { .. }
            | RowProblem::NotUtf8
            | RowProblem::OutsideArea { .. }
            | RowProblem::BadCsv
            | RowProblem::NotAnObject
            | RowProblem::NotText
            | RowProblem::StoredUnreadable => check_value(&p),
        }
    }
    for f in [
        RosterFault::Header,
        RosterFault::MissingColumn("id".into()),
        RosterFault::DuplicateColumn("id".into()),
        RosterFault::UnknownColumn("x".into()),
        RosterFault::NotJsonArray { line: 1, column: 2 },
    ] {
        match &f {
            RosterFault::Header
            | RosterFault::MissingColumn(_)
            | RosterFault::DuplicateColumn(_)
            | RosterFault::UnknownColumn(_)
            | RosterFault::NotJsonArray { .. } => check_value(&f),
        }
    }
    for v in [
        VerifyProblem::NotARecord,
        VerifyProblem::BadSignature,
        VerifyProblem::OtherDevice,
        VerifyProblem::MediaMissing("ab".into()),
        VerifyProblem::MediaChanged("ab".into()),
    ] {
        match &v {
            VerifyProblem::NotARecord
            | VerifyProblem::BadSignature
            | VerifyProblem::OtherDevice
            | VerifyProblem::MediaMissing(_)
            | VerifyProblem::MediaChanged(_) => check_value(&v),
        }
    }
}

#[test]
fn locale_picks_language() {
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
    assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
    assert_eq!(Lang::from_locale(""), Lang::Zh);
}

#[test]
fn row_errors_read_in_both_languages() {
    let e = crate::roster::RowError {
        line: 7,
        field: "id_number".into(),
        problem: RowProblem::Invalid(Invalid::IdCheckDigit {
            expected: 'X',
            found: '3',
        }),
    };
    assert_eq!(
        e.localize(Lang::En),
        "line 7, id_number: ID number check digit should be X, found 3"
    );
    assert_eq!(e.to_string(), e.localize(Lang::En));
    assert_eq!(
        e.localize(Lang::Zh),
        "第7行，id_number：身份证号校验位应为X，实际为3"
    );
}
