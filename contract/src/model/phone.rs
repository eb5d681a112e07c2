//! Mainland China mobile numbers: 11 digits starting 13–19, optionally written with +86 and
//! separators. Stored normalised so the blind index of one number is always the same.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// A validated mobile number, 11 digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let compact: String = super::halfwidth(raw)
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
            .unwrap_or(&compact);
        if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::PhoneFormat);
        }
        let b = digits.as_bytes();
        if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
            return Err(Invalid::PhonePrefix);
        }
        Ok(Self(digits.to_owned()))
    }

    /// For values validated before they were sealed and read back from an authenticated
    /// envelope.
    pub fn trusted(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_country_code_and_separators() {
        for raw in [
            "13812345678",
            "+86 138-1234-5678",
            "008613812345678",
            "8613812345678",
        ] {
            assert_eq!(Phone::parse(raw).expect(raw).as_str(), "13812345678");
        }
        assert_eq!(
            Phone::parse("13812345678").expect("ok").masked(),
            "138****5678"
        );
    }

    #[test]
    fn rejects_landlines_and_short_numbers() {
        assert_eq!(
            Phone::parse("0371-651234").err(),
            Some(Invalid::PhoneFormat)
        );
        assert_eq!(
            Phone::parse("0371-6512345").err(),
            Some(Invalid::PhonePrefix)
        );
        assert_eq!(Phone::parse("1381234567").err(), Some(Invalid::PhoneFormat));
        assert_eq!(
            Phone::parse("12812345678").err(),
            Some(Invalid::PhonePrefix)
        );
    }
}
