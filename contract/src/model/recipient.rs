//! Recipients of subsidies on the visit roster: who they are, why they are visited at home,
//! where they live, who speaks for them, what is paid onto their card.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{DivisionCode, IdNumber, Invalid, Phone};

/// The special groups visited at home. The order is the order of the bitmask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Elderly,
    SeriouslyIll,
    Disabled,
    Minor,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Elderly,
        Category::SeriouslyIll,
        Category::Disabled,
        Category::Minor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::Elderly => "elderly",
            Category::SeriouslyIll => "seriously_ill",
            Category::Disabled => "disabled",
            Category::Minor => "minor",
        }
    }

    /// Accepts the English code or the Chinese name (with or without 人).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "elderly" | "高龄" | "高龄老人" => Ok(Category::Elderly),
            "seriously_ill" | "重病" | "重病患者" => Ok(Category::SeriouslyIll),
            "disabled" | "残疾" | "残疾人" => Ok(Category::Disabled),
            "minor" | "未成年" | "未成年人" => Ok(Category::Minor),
            _ => Err(Invalid::Category),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "male" | "m" | "M" | "男" => Ok(Gender::Male),
            "female" | "f" | "F" | "女" => Ok(Gender::Female),
            _ => Err(Invalid::Gender),
        }
    }
}

/// Where the social security card stands; activation is one of the three doors' jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    NotIssued,
    IssuedInactive,
    Active,
    Lost,
    Frozen,
}

impl CardStatus {
    pub fn code(self) -> &'static str {
        match self {
            CardStatus::NotIssued => "not_issued",
            CardStatus::IssuedInactive => "issued_inactive",
            CardStatus::Active => "active",
            CardStatus::Lost => "lost",
            CardStatus::Frozen => "frozen",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "not_issued" => Ok(CardStatus::NotIssued),
            "issued_inactive" => Ok(CardStatus::IssuedInactive),
            "active" => Ok(CardStatus::Active),
            "lost" => Ok(CardStatus::Lost),
            "frozen" => Ok(CardStatus::Frozen),
            _ => Err(Invalid::CardStatus),
        }
    }
}

/// The geodetic datum of a coordinate. Phones report WGS-84; addresses geocoded on Chinese web
/// maps are GCJ-02.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Datum {
    Wgs84,
    Gcj02,
}

impl Datum {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "wgs84" | "wgs-84" => Ok(Datum::Wgs84),
            "gcj02" | "gcj-02" => Ok(Datum::Gcj02),
            _ => Err(Invalid::Datum),
        }
    }
}

/// A point on the ground in a stated datum.
#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub datum: Datum,
}

// A household's position is personal: Debug shows only the datum.
impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Location")
            .field("datum", &self.datum)
            .finish_non_exhaustive()
    }
}

impl Location {
    pub fn new(lat: f64, lon: f64, datum: Datum) -> Result<Self, Invalid> {
        if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
            return Err(Invalid::Latitude);
        }
        if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
            return Err(Invalid::Longitude);
        }
        Ok(Self { lat, lon, datum })
    }
}

/// Who speaks and signs for a minor or a person who cannot act alone.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    /// Relation to the recipient in the worker's words (父亲, 女儿, 村委会…).
    pub relation: String,
    pub phone: Option<Phone>,
}

impl std::fmt::Debug for Guardian {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guardian").finish_non_exhaustive()
    }
}

/// One subsidy a recipient is enrolled in. Protected subsidies (orphans and children without
/// support, HIV-related) must never be named where others can see.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    pub code: String,
    pub short_name: String,
    /// Amount per payment in fen (1/100 yuan), so sums are exact.
    pub amount_fen: i64,
    pub protected: bool,
}

// A subsidy's name can reveal a protected status: Debug names none.
impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("protected", &self.protected)
            .finish_non_exhaustive()
    }
}

impl Enrolment {
    /// Parses `code:short_name:amount_yuan:protected`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let parts: Vec<&str> = raw.trim().split(':').collect();
        let [code, short_name, amount, protected] = parts[..] else {
            return Err(Invalid::EnrolmentShape);
        };
        if code.trim().is_empty() || short_name.trim().is_empty() {
            return Err(Invalid::EnrolmentShape);
        }
        let amount_fen = parse_yuan(amount)?;
        let protected = match protected.trim() {
            "0" => false,
            "1" => true,
            _ => return Err(Invalid::EnrolmentProtected),
        };
        Ok(Self {
            code: code.trim().to_owned(),
            short_name: short_name.trim().to_owned(),
            amount_fen,
            protected,
        })
    }
}

/// Parses a non-negative yuan amount with at most two decimals into fen, exactly.
fn parse_yuan(raw: &str) -> Result<i64, Invalid> {
    let s = raw.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 9
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return Err(Invalid::EnrolmentAmount);
    }
    let whole: i64 = whole.parse().map_err(|_| Invalid::EnrolmentAmount)?;
    let frac: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| Invalid::EnrolmentAmount)?;
    Ok(whole * 100 + frac)
}

/// A person on the roster. Everything except `id`, `village` and `last_visit` is personal and
/// is stored only inside the row's encrypted envelope.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// The roster's own id (not the ID number).
    pub id: String,
    pub name: String,
    pub id_number: IdNumber,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// Sorted, no duplicates, at least one.
    pub categories: Vec<Category>,
    pub village: DivisionCode,
    pub address: String,
    pub location: Option<Location>,
    pub phone: Option<Phone>,
    pub guardian: Option<Guardian>,
    pub enrolments: Vec<Enrolment>,
    pub card_status: CardStatus,
    pub last_visit: Option<NaiveDate>,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the roster id: everything else is personal.
        f.debug_struct("Recipient")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Recipient {
    /// Age in whole years on `day`.
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        Self::age_between(self.birth_date, day)
    }

    /// Whole years from `birth` to `day`.
    pub fn age_between(birth: NaiveDate, day: NaiveDate) -> u32 {
        use chrono::Datelike;
        let mut age = day.year() - birth.year();
        if (day.month(), day.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        age.max(0) as u32
    }

    pub fn has_protected_enrolment(&self) -> bool {
        self.enrolments.iter().any(|e| e.protected)
    }
}

/// Roster ids are chosen by whoever exports the roster: short, printable, no separators that
/// would break CSV or paths.
pub fn validate_roster_id(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty()
        || s.len() > 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Invalid::RosterId);
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_in_both_languages() {
        assert_eq!(Category::parse("高龄"), Ok(Category::Elderly));
        assert_eq!(Category::parse("seriously_ill"), Ok(Category::SeriouslyIll));
        assert_eq!(Category::parse("残疾人"), Ok(Category::Disabled));
        assert_eq!(Category::parse("未成年"), Ok(Category::Minor));
        assert_eq!(Category::parse("old"), Err(Invalid::Category));
    }

    #[test]
    fn enrolments_parse_exact_amounts() {
        let e = Enrolment::parse("GY01:高龄津贴:100.5:0").expect("valid");
        assert_eq!(e.amount_fen, 10050);
        assert!(!e.protected);
        let p = Enrolment::parse("GE01:孤儿基本生活费:1460:1").expect("valid");
        assert!(p.protected);
        assert_eq!(p.amount_fen, 146000);
        assert_eq!(
            Enrolment::parse("GY01:x:1.234:0"),
            Err(Invalid::EnrolmentAmount)
        );
        assert_eq!(
            Enrolment::parse("GY01:x:-5:0"),
            Err(Invalid::EnrolmentAmount)
        );
        assert_eq!(
            Enrolment::parse("GY01:x:5:yes"),
            Err(Invalid::EnrolmentProtected)
        );
        assert_eq!(Enrolment::parse("GY01:x:5"), Err(Invalid::EnrolmentShape));
    }

    #[test]
    fn locations_must_be_on_earth() {
        assert!(Location::new(34.8, 114.8, Datum::Wgs84).is_ok());
        assert_eq!(
            Location::new(91.0, 0.0, Datum::Wgs84),
            Err(Invalid::Latitude)
        );
        assert_eq!(
            Location::new(0.0, f64::NAN, Datum::Wgs84),
            Err(Invalid::Longitude)
        );
    }

    #[test]
    fn roster_ids() {
        assert_eq!(validate_roster_id(" R-001 "), Ok("R-001".to_owned()));
        assert_eq!(validate_roster_id("a,b"), Err(Invalid::RosterId));
        assert_eq!(validate_roster_id(""), Err(Invalid::RosterId));
    }
}
