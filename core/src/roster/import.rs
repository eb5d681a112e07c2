//! Roster import into the store: the file validated (doorstep_contract::roster), then checked
//! against what the store holds, upserted by roster id in one transaction. A file with any bad
//! row imports nothing unless the caller asks to skip bad rows, and every problem is reported
//! by line and field.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use doorstep_contract::model::{Category, Invalid};
use doorstep_contract::roster::{validate, RosterFormat, RowError, RowProblem};

use crate::error::{Error, Result};
use crate::store::{recipients, Store};

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

/// Upserts recipients already validated (generated ones, for demos and measurements), in one
/// transaction.
pub(crate) fn import_recipients(
    store: &mut Store,
    people: &[doorstep_contract::model::Recipient],
) -> Result<()> {
    store.write(|tx, keys| recipients::Writer::new(tx, keys)?.put_all(people))
}

/// Validates every row, then checks duplicates within the file and against the store, then
/// writes the good rows in one transaction.
pub(crate) fn import(
    store: &mut Store,
    bytes: &[u8],
    format: RosterFormat,
    opts: ImportOptions,
    today: NaiveDate,
) -> Result<ImportReport> {
    let (good, errors) = validate(bytes, format, today)?;
    if !errors.is_empty() && !opts.skip_invalid {
        return Err(Error::InvalidRows(errors));
    }
    // The ids this file writes: another record's ID number is free to move onto a row when
    // that record's own row moves it elsewhere (below).
    let first_id: HashMap<String, usize> = good
        .iter()
        .map(|g| (g.recipient.id.clone(), g.line))
        .collect();
    let result = store.write(|tx, keys| {
        let mut report = ImportReport::default();
        let mut store_errors = Vec::new();
        // First each row against the store on its own: merge what the file leaves out, then
        // check what only the merged record can tell.
        let mut candidates = Vec::with_capacity(good.len());
        for row in good {
            let (line, mut r, absent) = (row.line, row.recipient, row.absent);
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
