//! Roster import: CSV (UTF-8, header row) or a JSON array of objects, upserted by roster id in
//! one transaction. A file with any bad row imports nothing unless the caller asks to skip bad
//! rows, and every problem is reported by line and field.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::row::{to_recipient, RawRow, RowError, RowProblem, REQUIRED};
use crate::error::{Error, Result};
use crate::model::Recipient;
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

fn malformed(line: usize, what: impl Into<String>) -> RowError {
    RowError {
        line,
        field: "-".to_owned(),
        problem: RowProblem::Malformed(what.into()),
    }
}

/// Splits a roster file into rows of named text fields. Structural faults (a line with the
/// wrong number of fields, bad UTF-8, a missing column) are row errors too.
pub fn parse_roster(bytes: &[u8], format: RosterFormat) -> Result<(Vec<RawRow>, Vec<RowError>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match format {
        RosterFormat::Csv => parse_csv(bytes),
        RosterFormat::Json => parse_json(bytes),
    }
}

fn parse_csv(bytes: &[u8]) -> Result<(Vec<RawRow>, Vec<RowError>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::RosterFormat(format!("line 1: {}", csv_reason(&e))))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if let Some(missing) = REQUIRED.iter().find(|f| !headers.iter().any(|h| h == *f)) {
        return Err(Error::RosterFormat(format!(
            "line 1: the header has no column '{missing}'"
        )));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                errors.push(malformed(line, csv_reason(&e)));
                continue;
            }
        };
        let line = rec.position().map_or(line, |p| p.line() as usize);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != headers.len() {
            errors.push(malformed(
                line,
                format!(
                    "{} fields where the header has {}",
                    rec.len(),
                    headers.len()
                ),
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

/// csv's error text can quote field contents; keep only the kind of fault.
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields".to_owned(),
        csv::ErrorKind::Io(_) => "cannot be read".to_owned(),
        _ => "malformed CSV".to_owned(),
    }
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
        Error::RosterFormat(format!(
            "not a JSON array of objects (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let line = i + 1;
        let Some(obj) = item.as_object() else {
            errors.push(malformed(line, "item is not an object"));
            continue;
        };
        let mut fields = HashMap::new();
        let mut bad = false;
        for (k, v) in obj {
            match json_text(k, v) {
                Some(t) => {
                    fields.insert(k.clone(), t);
                }
                None => {
                    errors.push(RowError {
                        line,
                        field: k.clone(),
                        problem: RowProblem::Malformed("must be text, a number or a list".into()),
                    });
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
    let mut good: Vec<(usize, Recipient)> = Vec::with_capacity(rows.len());
    let mut first_id: HashMap<String, usize> = HashMap::new();
    let mut first_idn: HashMap<String, (usize, String)> = HashMap::new();
    for row in &rows {
        match to_recipient(row, today) {
            Err(e) => errors.extend(e),
            Ok(r) => {
                if let Some(&first_line) = first_id.get(&r.id) {
                    errors.push(RowError {
                        line: row.line,
                        field: "id".into(),
                        problem: RowProblem::DuplicateId { first_line },
                    });
                    continue;
                }
                if let Some((first_line, other)) = first_idn.get(r.id_number.as_str()) {
                    if *other != r.id {
                        errors.push(RowError {
                            line: row.line,
                            field: "id_number".into(),
                            problem: RowProblem::DuplicateIdNumber {
                                first_line: *first_line,
                            },
                        });
                        continue;
                    }
                }
                first_id.insert(r.id.clone(), row.line);
                first_idn.insert(r.id_number.as_str().to_owned(), (row.line, r.id.clone()));
                good.push((row.line, r));
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
        let mut to_write = Vec::with_capacity(good.len());
        for (line, r) in good {
            let holders = recipients::ids_with_id_number(tx, keys, &r.id_number)?;
            if let Some(other) = holders.into_iter().find(|h| *h != r.id) {
                store_errors.push(RowError {
                    line,
                    field: "id_number".into(),
                    problem: RowProblem::IdNumberInStore { other_id: other },
                });
                continue;
            }
            if recipients::exists(tx, &r.id)? {
                report.updated += 1;
            } else {
                report.inserted += 1;
            }
            to_write.push(r);
        }
        if !store_errors.is_empty() && !opts.skip_invalid {
            // Returning an error rolls the whole transaction back.
            return Err(Error::InvalidRows(store_errors));
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
