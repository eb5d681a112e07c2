//! One roster row: from the file's text fields to a validated `Recipient`, with every problem
//! named by field.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::{
    validate_roster_id, CardStatus, Category, Datum, DivisionCode, Enrolment, Gender, Guardian,
    IdNumber, Invalid, Location, Phone, Recipient,
};

/// The columns of the roster format, in the documented order.
pub const FIELDS: [&str; 18] = [
    "id",
    "name",
    "id_number",
    "gender",
    "birth_date",
    "categories",
    "village_code",
    "address",
    "lat",
    "lon",
    "datum",
    "phone",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "enrolments",
    "card_status",
    "last_visit_date",
];

/// Columns a file must have (a file may leave out the optional ones).
pub const REQUIRED: [&str; 6] = [
    "id",
    "name",
    "id_number",
    "categories",
    "village_code",
    "card_status",
];
const MAX_NAME: usize = 50;
const MAX_TEXT: usize = 200;

/// What is wrong with a row. Never holds the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    Invalid(Invalid),
    DuplicateId { first_line: usize },
    DuplicateIdNumber { first_line: usize },
    IdNumberInStore { other_id: String },
    FieldCount { found: usize, expected: usize },
    NotUtf8,
    OutsideArea { area: String },
    BadCsv,
    NotAnObject,
    NotText,
    StoredUnreadable,
}

impl From<Invalid> for RowProblem {
    fn from(i: Invalid) -> Self {
        RowProblem::Invalid(i)
    }
}

/// What makes a whole roster file unreadable (nothing of it is imported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterFault {
    Header,
    MissingColumn(String),
    DuplicateColumn(String),
    UnknownColumn(String),
    NotJsonArray { line: usize, column: usize },
}

/// Which optional groups of columns a row leaves out entirely. On an update, what a file
/// does not mention is kept from the stored record rather than erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Absent {
    pub address: bool,
    pub location: bool,
    pub phone: bool,
    pub guardian: bool,
    pub enrolments: bool,
}

impl Absent {
    pub fn any(self) -> bool {
        self.address || self.location || self.phone || self.guardian || self.enrolments
    }

    /// Fills the left-out groups of `r` from `stored`.
    pub fn keep_from(self, r: &mut Recipient, stored: Recipient) {
        if self.address {
            r.address = stored.address;
        }
        if self.location {
            r.location = stored.location;
        }
        if self.phone {
            r.phone = stored.phone;
        }
        if self.guardian {
            r.guardian = stored.guardian;
        }
        if self.enrolments {
            r.enrolments = stored.enrolments;
        }
    }
}

/// The number of distinct lines among `errors` (one line can have several field errors).
pub fn lines_with_errors(errors: &[RowError]) -> usize {
    let mut lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

/// A problem with one field of one line (a JSON file's "line" is its item number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: String,
    pub problem: RowProblem,
}

/// One row's text fields by column name.
pub struct RawRow {
    pub line: usize,
    pub fields: HashMap<String, String>,
}

// The fields are personal: Debug shows only the line.
impl std::fmt::Debug for RawRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRow")
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl RawRow {
    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map(|s| s.trim()).unwrap_or("")
    }

    fn lacks(&self, fields: &[&str]) -> bool {
        fields.iter().all(|f| !self.fields.contains_key(*f))
    }

    /// The optional groups this row's file leaves out.
    pub fn absent(&self) -> Absent {
        Absent {
            address: self.lacks(&["address"]),
            location: self.lacks(&["lat", "lon", "datum"]),
            phone: self.lacks(&["phone"]),
            guardian: self.lacks(&["guardian_name", "guardian_relation", "guardian_phone"]),
            enrolments: self.lacks(&["enrolments"]),
        }
    }
}

struct Check<'a> {
    row: &'a RawRow,
    errors: Vec<RowError>,
}

impl Check<'_> {
    fn fail(&mut self, field: &str, problem: impl Into<RowProblem>) {
        self.errors.push(RowError {
            line: self.row.line,
            field: field.to_owned(),
            problem: problem.into(),
        });
    }

    /// Runs `parse` on a non-empty field; records its error.
    fn opt<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        let raw = self.row.get(field);
        if raw.is_empty() {
            return None;
        }
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(field, e);
                None
            }
        }
    }

    fn req<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        if self.row.get(field).is_empty() {
            self.fail(field, Invalid::Required);
            return None;
        }
        self.opt(field, parse)
    }

    fn text(&mut self, field: &str, max: usize) -> Option<String> {
        let v = self.row.get(field);
        if v.chars().count() > max {
            self.fail(field, Invalid::TooLong);
            return None;
        }
        Some(v.to_owned())
    }
}

fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| Invalid::Date)
}

fn parse_f64(raw: &str, err: Invalid) -> Result<f64, Invalid> {
    raw.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or(err)
}

/// Validates a row into a recipient, or every problem found in it.
pub fn to_recipient(row: &RawRow, today: NaiveDate) -> Result<Recipient, Vec<RowError>> {
    let mut c = Check {
        row,
        errors: Vec::new(),
    };
    let id = c.req("id", validate_roster_id);
    let name = if row.get("name").is_empty() {
        c.fail("name", Invalid::Required);
        None
    } else {
        c.text("name", MAX_NAME)
    };
    let id_number = c.req("id_number", |s| IdNumber::parse(s, today));
    let gender = c.opt("gender", Gender::parse);
    let birth = c.opt("birth_date", parse_date);
    let categories = if row.get("categories").is_empty() {
        c.fail("categories", Invalid::NoCategory);
        None
    } else {
        c.opt("categories", |s| {
            let mut v = s
                .split(['|', ','])
                .filter(|p| !p.trim().is_empty())
                .map(Category::parse)
                .collect::<Result<Vec<_>, _>>()?;
            v.sort_unstable();
            v.dedup();
            if v.is_empty() {
                return Err(Invalid::NoCategory);
            }
            Ok(v)
        })
    };
    let village = c.req("village_code", DivisionCode::parse);
    let address = c.text("address", MAX_TEXT);
    let lat = c.opt("lat", |s| parse_f64(s, Invalid::Latitude));
    let lon = c.opt("lon", |s| parse_f64(s, Invalid::Longitude));
    let datum = c.opt("datum", Datum::parse).unwrap_or(Datum::Wgs84);
    let location = match (lat, lon) {
        (Some(lat), Some(lon)) => match Location::new(lat, lon, datum) {
            Ok(l) => Some(l),
            Err(e) => {
                let field = if e == Invalid::Latitude { "lat" } else { "lon" };
                c.fail(field, e);
                None
            }
        },
        (None, None) => None,
        _ => {
            // Only report when neither field already failed to parse.
            if c.errors
                .iter()
                .all(|e| e.field != "lat" && e.field != "lon")
            {
                c.fail("lat", Invalid::HalfLocation);
            }
            None
        }
    };
    let phone = c.opt("phone", Phone::parse);
    let guardian_name = c.text("guardian_name", MAX_NAME).unwrap_or_default();
    let guardian_relation = c.text("guardian_relation", MAX_NAME).unwrap_or_default();
    let guardian_phone = c.opt("guardian_phone", Phone::parse);
    let guardian = match (guardian_name.is_empty(), guardian_relation.is_empty()) {
        (false, false) => Some(Guardian {
            name: guardian_name,
            relation: guardian_relation,
            phone: guardian_phone,
        }),
        // A guardian's phone alone would be dropped without a word: refuse it instead.
        (true, true) if row.get("guardian_phone").is_empty() => None,
        _ => {
            c.fail("guardian_name", Invalid::HalfGuardian);
            None
        }
    };
    let enrolments = c
        .opt("enrolments", |s| {
            s.split(';')
                .filter(|p| !p.trim().is_empty())
                .map(Enrolment::parse)
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap_or_default();
    let card_status = c.req("card_status", CardStatus::parse);
    let last_visit = c.opt("last_visit_date", parse_date);
    if last_visit.is_some_and(|d| d > today) {
        c.fail("last_visit_date", Invalid::FutureDate);
    }

    // Checks across fields, once the fields themselves are sound.
    if let Some(idn) = &id_number {
        if gender.is_some_and(|g| g != idn.gender()) {
            c.fail("gender", Invalid::GenderMismatch);
        }
        if birth.is_some_and(|b| b != idn.birth_date()) {
            c.fail("birth_date", Invalid::BirthDateMismatch);
        }
        if let Some(cats) = &categories {
            if cats.contains(&Category::Minor) {
                let minor = Recipient::age_between(idn.birth_date(), today) < 18;
                if !minor {
                    c.fail("categories", Invalid::MinorAge);
                }
                // With the guardian columns left out, an update keeps the stored guardian:
                // the import checks the merged record instead.
                let guardian_absent = row.absent().guardian;
                if guardian.is_none()
                    && !guardian_absent
                    && !c.errors.iter().any(|e| e.field == "guardian_name")
                {
                    c.fail("guardian_name", Invalid::MinorWithoutGuardian);
                }
            }
        }
    }
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let (Some(id), Some(name), Some(id_number), Some(categories), Some(village), Some(card_status)) =
        (id, name, id_number, categories, village, card_status)
    else {
        // Every missing required field recorded an error above; this is a guard, not a path.
        return Err(vec![RowError {
            line: row.line,
            field: "id".to_owned(),
            problem: RowProblem::Invalid(Invalid::Required),
        }]);
    };
    Ok(Recipient {
        id,
        name,
        gender: id_number.gender(),
        birth_date: id_number.birth_date(),
        id_number,
        categories,
        village,
        address: address.unwrap_or_default(),
        location,
        phone,
        guardian,
        enrolments,
        card_status,
        last_visit,
    })
}
