//! Chinese resident identity numbers (GB 11643-1999): 18 characters, a 6-digit region code,
//! the birth date as YYYYMMDD, a 3-digit sequence (odd for men) and an ISO 7064 MOD 11-2
//! check character.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Gender, Invalid};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A validated resident ID number, normalised to upper case.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdNumber(String);

// Never print the number itself: it is personal data, and Debug output ends up in logs.
impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

/// The check character GB 11643 gives for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Masks an 18-character ID number held as text (for values read straight from an envelope).
pub fn mask(id: &str) -> String {
    match (id.get(..3), id.get(14..)) {
        (Some(head), Some(tail)) if id.len() == 18 => format!("{head}***********{tail}"),
        _ => "******************".to_owned(),
    }
}

impl IdNumber {
    /// Parses and validates: length, digits, region, birth date (a real date between 1900
    /// and `today`) and the check character.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, Invalid> {
        let s = super::halfwidth(raw).trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(Invalid::IdLength {
                found: s.chars().count(),
            });
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(Invalid::IdNotDigits);
        }
        let last = bytes[17] as char;
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(Invalid::IdNotDigits);
        }
        if !matches!(bytes[0], b'1'..=b'8') {
            return Err(Invalid::IdRegion);
        }
        let birth =
            NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| Invalid::IdBirthDate)?;
        if birth > today || birth < NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date") {
            return Err(Invalid::IdBirthDate);
        }
        let expected = check_char(&bytes[..17]);
        if expected != last {
            return Err(Invalid::IdCheckDigit {
                expected,
                found: last,
            });
        }
        Ok(Self(s))
    }

    /// For values validated before they were sealed and read back from an authenticated
    /// envelope.
    pub fn trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("validated at parse")
    }

    /// The 17th digit is odd for men, even for women.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The six-digit region code (GB/T 2260) of the place the number was issued.
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    /// The form shown in lists and on screens: first three and last four characters.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()))
    }

    #[test]
    fn accepts_the_standard_example_and_lower_case_x() {
        // The worked example from GB 11643-1999 ends in X.
        let id = IdNumber::parse("11010519491231002x", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).expect("date")
        );
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.region(), "110105");
        assert_eq!(id.masked(), "110***********002X");
    }

    #[test]
    fn names_the_expected_check_digit() {
        let good = with_check("41022519500101001");
        let mut bad = good.clone();
        let wrong = if good.ends_with('0') { '1' } else { '0' };
        bad.replace_range(17.., &wrong.to_string());
        match IdNumber::parse(&bad, today()) {
            Err(Invalid::IdCheckDigit { expected, found }) => {
                assert_eq!(expected, good.chars().last().expect("char"));
                assert_eq!(found, wrong);
            }
            other => panic!("expected check digit error, got {other:?}"),
        }
    }

    #[test]
    fn rejects_impossible_and_future_birth_dates() {
        assert_eq!(
            IdNumber::parse(&with_check("41022519500230001"), today()).err(),
            Some(Invalid::IdBirthDate)
        );
        assert_eq!(
            IdNumber::parse(&with_check("41022520300101001"), today()).err(),
            Some(Invalid::IdBirthDate)
        );
    }

    #[test]
    fn rejects_wrong_length_letters_and_region() {
        assert_eq!(
            IdNumber::parse("4102251950010100", today()).err(),
            Some(Invalid::IdLength { found: 16 })
        );
        assert_eq!(
            IdNumber::parse("41022519500101A011", today()).err(),
            Some(Invalid::IdNotDigits)
        );
        assert_eq!(
            IdNumber::parse(&with_check("91022519500101001"), today()).err(),
            Some(Invalid::IdRegion)
        );
    }

    #[test]
    fn full_width_input_is_normalised() {
        let id = IdNumber::parse("１１０１０５１９４９１２３１００２ｘ", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn men_have_odd_sequence_digits() {
        let id = IdNumber::parse(&with_check("41022519500101001"), today()).expect("valid");
        assert_eq!(id.gender(), Gender::Male);
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse(&with_check("41022519500101001"), today()).expect("valid");
        assert!(!format!("{id:?}").contains("19500101"));
    }
}
