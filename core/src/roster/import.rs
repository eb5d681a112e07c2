//! Roster import: CSV (UTF-8, header row) or a JSON array of objects, upserted by roster id in
//! one transaction. A file with any bad row imports nothing unless the caller asks to skip bad
//! rows, and every problem is reported by line and field.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::row::{
    to_recipient, Absent, RawRow, RosterFault, RowError, RowProblem, FIELDS, REQUIRED,
};
use crate::error::{Error, Result};
use crate::model::{Category, Invalid, Recipient};
use crate::store::{recipients, Store};

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

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Import the good rows and report the bad ones instead of importing nothing.
    pub skip_invalid: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    /// Rows left out (only with `skip_invalid`).
    pub skipped: Vec<RowError>,
}

fn row_error(line: usize, field: &str, problem: RowProblem) -> RowError {
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
    let fault = |f: RosterFault| Err(Error::RosterFormat(f));
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
        .map_err(|_| Error::RosterFormat(RosterFault::Header))?
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
        Error::RosterFormat(RosterFault::NotJsonArray {
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

/// Validates every row, then checks duplicates within the file and against the store, then
/// writes the good rows in one transaction.
pub fn import(
    store: &mut Store,
    bytes: &[u8],
    format: RosterFormat,
    opts: ImportOptions,
    today: NaiveDate,
) -> Result<ImportReport> {
    let (rows, mut errors) = parse_roster(bytes, format)?;
    let mut good: Vec<(usize, Recipient, Absent)> = Vec::with_capacity(rows.len());
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
                good.push((row.line, r, row.absent()));
            }
        }
    }
    if !errors.is_empty() && !opts.skip_invalid {
        errors.sort_by_key(|e| e.line);
        return Err(Error::InvalidRows(errors));
    }
    let result = store.write(|tx, keys| {
        let mut report = ImportReport::default();
        let mut store_errors = Vec::new();
        // First each row against the store on its own: merge what the file leaves out, then
        // check what only the merged record can tell.
        let mut candidates = Vec::with_capacity(good.len());
        for (line, mut r, absent) in good {
            let stored = if absent.any() {
                match recipients::get(tx, keys, &r.id) {
                    Ok(s) => s,
                    Err(Error::Corrupt { .. }) => {
                        store_errors.push(row_error(line, "id", RowProblem::StoredUnreadable));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            } else {
                None
            };
            let exists = match stored {
                Some(stored) => {
                    absent.keep_from(&mut r, stored);
                    true
                }
                None => recipients::exists(tx, &r.id)?,
            };
            if r.categories.contains(&Category::Minor) && r.guardian.is_none() {
                store_errors.push(row_error(
                    line,
                    "guardian_name",
                    RowProblem::Invalid(Invalid::MinorWithoutGuardian),
                ));
                continue;
            }
            let holders = recipients::ids_with_id_number(tx, keys, &r.id_number)?;
            candidates.push((line, r, exists, holders));
        }
        // Then ID numbers across rows. Another record holding this number is no conflict when
        // this same file moves it to another number (a swap, or a corrected number), but only
        // if that record's row is itself written: repeat until the set of skipped rows is
        // stable, since skipping one row can make another conflict.
        let mut skipped: HashSet<String> = HashSet::new();
        loop {
            let mut changed = false;
            for (line, r, _, holders) in &candidates {
                if skipped.contains(&r.id) {
                    continue;
                }
                let moved_away = |h: &String| first_id.contains_key(h) && !skipped.contains(h);
                if let Some(other) = holders.iter().find(|h| **h != r.id && !moved_away(h)) {
                    store_errors.push(row_error(
                        *line,
                        "id_number",
                        RowProblem::IdNumberInStore {
                            other_id: other.clone(),
                        },
                    ));
                    skipped.insert(r.id.clone());
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if !store_errors.is_empty() && !opts.skip_invalid {
            // Returning an error rolls the whole transaction back.
            return Err(Error::InvalidRows(store_errors));
        }
        let mut to_write = Vec::with_capacity(candidates.len());
        for (_, r, exists, _) in candidates {
            if skipped.contains(&r.id) {
                continue;
            }
            if exists {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
            to_write.push(r);
        }
        recipients::Writer::new(tx, keys)?.put_all(&to_write)?;
        report.skipped = store_errors;
        Ok(report)
    });
    let mut report = result?;
    report.skipped.extend(errors);
    report.skipped.sort_by_key(|e| e.line);
    Ok(report)
}
