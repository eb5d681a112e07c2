//! Reading a roster file: CSV (UTF-8, header row, what Excel and WPS export) or a JSON array
//! of objects, into rows of named text fields, then into validated recipients with every
//! problem named by line and field. The device's import and the server's both start here.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::row::{
    to_recipient, Absent, RawRow, RosterFault, RowError, RowProblem, FIELDS, REQUIRED,
};
use crate::model::{Invalid, Recipient};

/// Why a roster file was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterError {
    /// The file itself cannot be read (its header, its JSON): nothing of it can be imported.
    Format(RosterFault),
    /// Rows with problems, each named; nothing was imported.
    Rows(Vec<RowError>),
}

type Result<T, E = RosterError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    Csv,
    Json,
}

impl RosterFormat {
    /// JSON when the content starts with `[`, CSV otherwise.
    pub fn sniff(bytes: &[u8]) -> Self {
        let first = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(bytes)
            .iter()
            .find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            RosterFormat::Json
        } else {
            RosterFormat::Csv
        }
    }
}

pub(crate) fn row_error(line: usize, field: &str, problem: RowProblem) -> RowError {
    RowError {
        line,
        field: field.to_owned(),
        problem,
    }
}

/// Splits a roster file into rows of named text fields. Structural faults of one line (the
/// wrong number of fields, bad UTF-8) are row errors; a bad header fails the whole file.
pub fn parse_roster(bytes: &[u8], format: RosterFormat) -> Result<(Vec<RawRow>, Vec<RowError>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match format {
        RosterFormat::Csv => parse_csv(bytes),
        RosterFormat::Json => parse_json(bytes),
    }
}

/// Line numbers from byte offsets. The csv crate's own line count is off by one for CRLF
/// files (what Excel and WPS write), and its record offsets can point at the line ending
/// before the record (CRLF, blank lines); people find their rows by line number.
struct Lines<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        // A line ends at LF, or at a CR not followed by LF (old Mac "CSV" exports).
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i)
            .collect();
        Self { bytes, newlines }
    }

    /// The line of the first character at or after `byte` that is not a line ending.
    fn at(&self, byte: u64) -> usize {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        self.newlines.partition_point(|&nl| nl < start) + 1
    }
}

fn check_header(headers: &[String]) -> Result<()> {
    let fault = |f: RosterFault| Err(RosterError::Format(f));
    for (i, h) in headers.iter().enumerate() {
        if !FIELDS.contains(&h.as_str()) {
            return fault(RosterFault::UnknownColumn(h.clone()));
        }
        if headers[..i].contains(h) {
            return fault(RosterFault::DuplicateColumn(h.clone()));
        }
    }
    match REQUIRED.iter().find(|f| !headers.iter().any(|h| h == *f)) {
        Some(missing) => fault(RosterFault::MissingColumn((*missing).to_owned())),
        None => Ok(()),
    }
}

fn parse_csv(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>)> {
    let lines = Lines::new(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| RosterError::Format(RosterFault::Header))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    check_header(&headers)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                let problem = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => RowProblem::NotUtf8,
                    _ => RowProblem::BadCsv,
                };
                errors.push(row_error(line, "-", problem));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| lines.at(p.byte()));
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != headers.len() {
            errors.push(row_error(
                line,
                "-",
                RowProblem::FieldCount {
                    found: rec.len(),
                    expected: headers.len(),
                },
            ));
            continue;
        }
        let fields = headers
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_owned))
            .collect();
        rows.push(RawRow { line, fields });
    }
    Ok((rows, errors))
}

fn json_text(field: &str, v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Array(items) => {
            let sep = if field == "enrolments" { ";" } else { "|" };
            let parts: Option<Vec<String>> = items.iter().map(|i| json_text(field, i)).collect();
            Some(parts?.join(sep))
        }
        Value::Object(_) => None,
    }
}

fn parse_json(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>)> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(bytes).map_err(|e| {
        RosterError::Format(RosterFault::NotJsonArray {
            line: e.line(),
            column: e.column(),
        })
    })?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = i + 1;
        let Some(obj) = item.as_object() else {
            errors.push(row_error(line, "-", RowProblem::NotAnObject));
            continue;
        };
        let mut fields = HashMap::new();
        let mut bad = false;
        for (k, v) in obj {
            if !FIELDS.contains(&k.as_str()) {
                errors.push(row_error(
                    line,
                    k,
                    RowProblem::Invalid(Invalid::UnknownField),
                ));
                bad = true;
                continue;
            }
            match json_text(k, v) {
                Some(t) => {
                    fields.insert(k.clone(), t);
                }
                None => {
                    errors.push(row_error(line, k, RowProblem::NotText));
                    bad = true;
                }
            }
        }
        if !bad {
            rows.push(RawRow { line, fields });
        }
    }
    Ok((rows, errors))
}

/// A row that passed validation, with its line, the column groups its file leaves out, and
/// its text fields as the file gave them (what a server hands on to devices).
#[derive(Clone)]
pub struct ValidRow {
    pub line: usize,
    pub recipient: Recipient,
    pub absent: Absent,
    pub fields: BTreeMap<String, String>,
}

// The fields are personal.
impl std::fmt::Debug for ValidRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidRow")
            .field("line", &self.line)
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

/// Parses and validates a whole file: each row on its own, then the ids and ID numbers across
/// rows (an id twice, or one ID number under two ids). Returns the good rows and every
/// problem found; the caller decides whether problems stop the import.
pub fn validate(
    bytes: &[u8],
    format: RosterFormat,
    today: NaiveDate,
) -> Result<(Vec<ValidRow>, Vec<RowError>)> {
    let (rows, mut errors) = parse_roster(bytes, format)?;
    let mut good = Vec::with_capacity(rows.len());
    let mut first_id: HashMap<String, usize> = HashMap::new();
    let mut first_idn: HashMap<String, (usize, String)> = HashMap::new();
    for row in &rows {
        match to_recipient(row, today) {
            Err(e) => errors.extend(e),
            Ok(r) => {
                if let Some(&first_line) = first_id.get(&r.id) {
                    errors.push(row_error(
                        row.line,
                        "id",
                        RowProblem::DuplicateId { first_line },
                    ));
                    continue;
                }
                if let Some((first_line, other)) = first_idn.get(r.id_number.as_str()) {
                    if *other != r.id {
                        errors.push(row_error(
                            row.line,
                            "id_number",
                            RowProblem::DuplicateIdNumber {
                                first_line: *first_line,
                            },
                        ));
                        continue;
                    }
                }
                first_id.insert(r.id.clone(), row.line);
                first_idn.insert(r.id_number.as_str().to_owned(), (row.line, r.id.clone()));
                good.push(ValidRow {
                    line: row.line,
                    absent: row.absent(),
                    recipient: r,
                    fields: row
                        .fields
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                });
            }
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok((good, errors))
}
