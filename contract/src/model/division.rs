//! Administrative division codes: 12 digits, the first six a GB/T 2260 county code
//! (province, prefecture, county), then township (3) and village (3) as the statistics
//! bureau numbers them.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// Province-level prefixes of GB/T 2260 (mainland, Hong Kong, Macao, Taiwan).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A validated 12-digit division code (not personal; stored in plaintext for filtering).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        Self::check(s)?;
        Ok(Self(s.to_owned()))
    }

    /// Validates without allocating (used on every row a list reads).
    pub fn check(s: &str) -> Result<(), Invalid> {
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::DivisionFormat);
        }
        if !PROVINCES.contains(&&s[..2]) {
            return Err(Invalid::DivisionProvince);
        }
        // A prefecture or county part of 00 under a real province is a province-level code,
        // not a village: a roster row must name a village.
        if &s[2..4] == "00" || &s[4..6] == "00" {
            return Err(Invalid::DivisionNotVillage);
        }
        Ok(())
    }

    /// For values validated before they were sealed and read back from an authenticated
    /// envelope.
    pub fn trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit county code (GB/T 2260).
    pub fn county(&self) -> &str {
        &self.0[..6]
    }

    /// The nine-digit township code.
    pub fn township(&self) -> &str {
        &self.0[..9]
    }
}

/// Checks a code prefix used to filter (a county, township or village), for the CLI's
/// `--village`: 2 to 12 digits.
pub fn validate_prefix(raw: &str) -> Result<&str, Invalid> {
    let s = raw.trim();
    if s.len() < 2 || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::DivisionFormat);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_henan_village() {
        let c = DivisionCode::parse("410225100201").expect("valid");
        assert_eq!(c.county(), "410225");
        assert_eq!(c.township(), "410225100");
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(
            DivisionCode::parse("41022510020").err(),
            Some(Invalid::DivisionFormat)
        );
        assert_eq!(
            DivisionCode::parse("41022510020a").err(),
            Some(Invalid::DivisionFormat)
        );
        assert_eq!(
            DivisionCode::parse("990225100201").err(),
            Some(Invalid::DivisionProvince)
        );
        assert_eq!(
            DivisionCode::parse("410000000000").err(),
            Some(Invalid::DivisionNotVillage)
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(validate_prefix("410225"), Ok("410225"));
        assert!(validate_prefix("4").is_err());
        assert!(validate_prefix("4102251002011").is_err());
    }
}
