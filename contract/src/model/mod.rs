//! The domain: recipients and their special groups, checklist templates, and the validation
//! of the identifiers they carry. Nothing here touches storage or crypto.

mod category_set;
pub mod checklist;
mod division;
mod id_number;
mod phone;
mod recipient;

pub use category_set::CategorySet;
pub use checklist::{ChecklistItem, ChecklistTemplate, Label};
pub use division::{validate_prefix as validate_division_prefix, DivisionCode};
pub use id_number::{check_char as id_check_char, mask as mask_id_number, IdNumber};
pub use phone::Phone;
pub use recipient::{
    validate_roster_id, CardStatus, Category, Datum, Enrolment, Gender, Guardian, Location,
    Recipient,
};

/// Full-width digits, letters and spaces (what Chinese input methods often type) as ASCII.
pub(crate) fn halfwidth(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Why a value was refused. Carries no part of the value beyond single check characters, so
/// it can be shown and logged without leaking personal data. Rendered through the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    IdLength { found: usize },
    IdNotDigits,
    IdRegion,
    IdBirthDate,
    IdCheckDigit { expected: char, found: char },
    DivisionFormat,
    DivisionProvince,
    DivisionNotVillage,
    PhoneFormat,
    PhonePrefix,
    Category,
    NoCategory,
    Gender,
    GenderMismatch,
    BirthDateMismatch,
    Date,
    FutureDate,
    CardStatus,
    Datum,
    Latitude,
    Longitude,
    HalfLocation,
    EnrolmentShape,
    EnrolmentAmount,
    EnrolmentProtected,
    MinorWithoutGuardian,
    HalfGuardian,
    MinorAge,
    Required,
    TooLong,
    RosterId,
    Interval,
    PolicyValue,
    PolicyTopics,
    VisitUnknownTopic,
    VisitUnknownPhoto,
    PolicyFromServer,
    ChecklistItems,
    UnknownField,
    SignatureFormat,
    SignatureCanvas,
    SignatureOutside,
    SignatureTime,
    SignatureTooLittle,
    SignatureDot,
    SignatureLine,
    VisitNoContact,
    VisitNotMet,
    VisitContactLocked,
    VisitUnknownSubsidy,
    VisitUnknownItem,
    VisitNotProxy,
    VisitTicketItem,
    VisitThumbprintStrokes,
    VisitSignerAbsent,
    FixAccuracy,
    FixFromFuture,
    VisitSealed,
    VisitIncomplete,
    VisitNotSealed,
    PhotoFormat,
    PhotoTooLarge,
    PhotoDamaged,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_carry_the_value() {
        // The check digit variant is the only one carrying characters of the value, one each.
        let msg = Invalid::IdCheckDigit {
            expected: '7',
            found: '3',
        }
        .to_string();
        assert_eq!(msg, "ID number check digit should be 7, found 3");
    }
}
