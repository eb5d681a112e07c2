//! The domain: recipients and their special groups, workers, checklist templates, and the
//! validation of the identifiers they carry. Nothing here touches storage or crypto.

mod category_set;
mod checklist;
mod division;
mod id_number;
mod phone;
mod recipient;
mod worker;

pub use category_set::CategorySet;
pub use checklist::{ChecklistItem, ChecklistTemplate, Label};
pub use division::{validate_prefix as validate_division_prefix, DivisionCode};
pub use id_number::{check_char as id_check_char, mask as mask_id_number, IdNumber};
pub use phone::Phone;
pub use recipient::{
    validate_roster_id, CardStatus, Category, Datum, Enrolment, Gender, Guardian, Location,
    Recipient,
};
pub use worker::Worker;

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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("ID number must have 18 characters, found {found}")]
    IdLength { found: usize },
    #[error("ID number must be 17 digits followed by a digit or X")]
    IdNotDigits,
    #[error("ID number starts with an unknown region")]
    IdRegion,
    #[error("ID number holds no valid birth date")]
    IdBirthDate,
    #[error("ID number check digit should be {expected}, found {found}")]
    IdCheckDigit { expected: char, found: char },
    #[error("division code must be 12 digits")]
    DivisionFormat,
    #[error("division code starts with an unknown province")]
    DivisionProvince,
    #[error("division code is not a village-level code")]
    DivisionNotVillage,
    #[error("phone must be an 11-digit mobile number")]
    PhoneFormat,
    #[error("phone must start with 13 to 19")]
    PhonePrefix,
    #[error("unknown category (elderly, seriously_ill, disabled, minor)")]
    Category,
    #[error("at least one category is required")]
    NoCategory,
    #[error("gender must be male or female")]
    Gender,
    #[error("gender does not match the ID number")]
    GenderMismatch,
    #[error("birth date does not match the ID number")]
    BirthDateMismatch,
    #[error("date must be YYYY-MM-DD")]
    Date,
    #[error("date is in the future")]
    FutureDate,
    #[error("unknown card status (not_issued, issued_inactive, active, lost, frozen)")]
    CardStatus,
    #[error("datum must be wgs84 or gcj02")]
    Datum,
    #[error("latitude must be a number from -90 to 90")]
    Latitude,
    #[error("longitude must be a number from -180 to 180")]
    Longitude,
    #[error("latitude and longitude must be given together")]
    HalfLocation,
    #[error("enrolment must be code:short_name:amount_yuan:protected")]
    EnrolmentShape,
    #[error("enrolment amount must be yuan with at most two decimals")]
    EnrolmentAmount,
    #[error("enrolment protected flag must be 0 or 1")]
    EnrolmentProtected,
    #[error("a minor needs a guardian name and relation")]
    MinorWithoutGuardian,
    #[error("guardian name and relation must be given together")]
    HalfGuardian,
    #[error("minor category does not match the birth date")]
    MinorAge,
    #[error("is required")]
    Required,
    #[error("is too long")]
    TooLong,
    #[error("roster id must be 1-64 letters, digits, '-', '_' or '.'")]
    RosterId,
    #[error("a visit interval must be 1 to 3650 days")]
    Interval,
    #[error("unknown column")]
    UnknownField,
    #[error("the signature is not the expected JSON of width, height and strokes")]
    SignatureFormat,
    #[error("the signature canvas must be 64 to 4096 pixels a side")]
    SignatureCanvas,
    #[error("a signature point lies outside the canvas or its pressure outside 0-1")]
    SignatureOutside,
    #[error("a signature stroke goes back in time")]
    SignatureTime,
    #[error("too little ink for a signature")]
    SignatureTooLittle,
    #[error("the signature is a dot")]
    SignatureDot,
    #[error("the signature is a straight line")]
    SignatureLine,
    #[error("record who was met at the door first")]
    VisitNoContact,
    #[error("nobody was met: this part of the visit does not apply")]
    VisitNotMet,
    #[error("the visit already holds what was said inside; a different outcome needs a new visit")]
    VisitContactLocked,
    #[error("the recipient is not enrolled in this subsidy")]
    VisitUnknownSubsidy,
    #[error("no such item in the checklist")]
    VisitUnknownItem,
    #[error("this checklist item is only for a guardian or proxy")]
    VisitNotProxy,
    #[error("a ticket can follow up only a checklist item marked as a problem")]
    VisitTicketItem,
    #[error("a thumbprint has no strokes; its photo is the evidence")]
    VisitThumbprintStrokes,
    #[error("the recipient was not met in person and cannot sign")]
    VisitSignerAbsent,
    #[error("a fix's accuracy must be a positive number of metres")]
    FixAccuracy,
    #[error("the fix is dated more than a day in the future")]
    FixFromFuture,
    #[error("the visit is sealed: it cannot change (a correction is a new visit)")]
    VisitSealed,
    #[error("the visit is not complete: see what is missing")]
    VisitIncomplete,
    #[error("the visit is still a draft: change it instead of correcting it")]
    VisitNotSealed,
    #[error("a photo must be a JPEG or PNG file")]
    PhotoFormat,
    #[error("the photo declares more pixels than any camera takes")]
    PhotoTooLarge,
    #[error("the photo is damaged or cut short")]
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
