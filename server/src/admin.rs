//! Operator commands on the server's data folder (first set-up and scripts), and the review
//! logic the web app will call: plain functions over [`Storage`].

use std::collections::HashMap;

use chrono::NaiveDate;
use doorstep_core::crypto::{hash_password, random_bytes};
use doorstep_core::roster::{parse_roster, to_recipient, RosterFormat, RowError, RowProblem};

use crate::api::code_hash;
use crate::storage::{Decision, RosterRow, Storage, StorageError};

/// How long an enrolment code works.
pub const CODE_LIFETIME_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Roster(#[from] doorstep_core::Error),
    #[error("an area is a division code prefix: 2 to 12 digits")]
    BadArea,
    #[error("a password needs at least 8 characters")]
    ShortPassword,
    #[error("a login is 1 to 64 letters, digits, '.', '-' or '_'")]
    BadLogin,
    #[error("a worker's name must not be empty")]
    NoWorker,
    #[error("returning or rejecting a visit needs a comment")]
    CommentRequired,
}

fn check_area(area: &str) -> Result<(), AdminError> {
    let ok = (2..=12).contains(&area.len()) && area.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(()).ok_or(AdminError::BadArea)
}

pub fn add_supervisor(
    s: &dyn Storage,
    login: &str,
    area: &str,
    password: &str,
    now: i64,
) -> Result<(), AdminError> {
    check_area(area)?;
    let login_ok = (1..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !login_ok {
        return Err(AdminError::BadLogin);
    }
    if password.chars().count() < 8 {
        return Err(AdminError::ShortPassword);
    }
    let hash = hash_password(password).map_err(doorstep_core::Error::from)?;
    s.add_supervisor(login, area, &hash, now)?;
    s.audit("operator", "add-supervisor", login, now)?;
    Ok(())
}

/// A new one-time code: twelve characters from an alphabet without look-alikes, so it can be
/// read out over the phone.
pub fn enrolment_code(
    s: &dyn Storage,
    worker: &str,
    area: &str,
    now: i64,
) -> Result<String, AdminError> {
    check_area(area)?;
    let worker = worker.trim();
    if worker.is_empty() {
        return Err(AdminError::NoWorker);
    }
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut random = [0u8; 12];
    random_bytes(&mut random).map_err(doorstep_core::Error::from)?;
    // 32 letters: each byte's low five bits pick one, evenly.
    let code: String = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    s.add_enrolment_code(&code_hash(&code), worker, area, now + CODE_LIFETIME_SECS)?;
    s.audit("operator", "enrolment-code", area, now)?;
    Ok(code)
}

/// Imports a roster file for an area: every row checked as the device's import checks it,
/// plus the area; any error and nothing is imported.
pub fn import_roster(
    s: &dyn Storage,
    area: &str,
    bytes: &[u8],
    today: NaiveDate,
    now: i64,
) -> Result<usize, AdminError> {
    check_area(area)?;
    let (raw, mut errors) = parse_roster(bytes, RosterFormat::sniff(bytes))?;
    let mut rows = Vec::with_capacity(raw.len());
    let mut first: HashMap<String, usize> = HashMap::new();
    for row in &raw {
        match to_recipient(row, today) {
            Err(e) => errors.extend(e),
            Ok(r) => {
                let village = r.village.as_str().to_owned();
                if !village.starts_with(area) {
                    errors.push(RowError {
                        line: row.line,
                        field: "village".into(),
                        problem: RowProblem::OutsideArea { area: area.into() },
                    });
                    continue;
                }
                if let Some(&first_line) = first.get(&r.id) {
                    errors.push(RowError {
                        line: row.line,
                        field: "id".into(),
                        problem: RowProblem::DuplicateId { first_line },
                    });
                    continue;
                }
                first.insert(r.id.clone(), row.line);
                let fields = row
                    .fields
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                rows.push(RosterRow {
                    id: r.id,
                    village,
                    fields,
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(doorstep_core::Error::InvalidRows(errors).into());
    }
    let n = s.import_roster(area, &rows)?;
    s.audit("operator", "import-roster", area, now)?;
    Ok(n)
}

/// A decision on a submitted visit. Returning needs a comment (what to correct), rejecting a
/// reason; `area` scopes a supervisor (None: the operator, everywhere).
pub fn review(
    s: &dyn Storage,
    visit_id: &str,
    area: Option<&str>,
    decision: Decision,
    comment: &str,
    actor: &str,
    now: i64,
) -> Result<(), AdminError> {
    let comment = comment.trim();
    if decision != Decision::Approve && comment.is_empty() {
        return Err(AdminError::CommentRequired);
    }
    s.decide(visit_id, area, decision, comment, actor, now)?;
    Ok(())
}

pub fn revoke_device(s: &dyn Storage, device_id: &str, now: i64) -> Result<(), AdminError> {
    s.revoke_device(device_id, now)?;
    s.audit("operator", "revoke-device", device_id, now)?;
    Ok(())
}
