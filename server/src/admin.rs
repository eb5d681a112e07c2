//! Operator commands on the server's data folder (first set-up and scripts), and the review
//! logic the web app will call: plain functions over [`Storage`].

use chrono::NaiveDate;
use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::model::{DivisionCode, Invalid};
use doorstep_contract::policy::Policy;
use doorstep_contract::roster::{validate, RosterError, RosterFormat, RowError, RowProblem};
use doorstep_contract::text::{Lang, Localize, Text};
use doorstep_contract::wire::Division;
use doorstep_crypto::{hash_password, random_bytes, CryptoError};

use crate::api::code_hash;
use crate::storage::web::SupervisorChange;
use crate::storage::{Decision, RosterRow, Storage, StorageError};

/// How long an enrolment code works.
pub const CODE_LIFETIME_SECS: i64 = 7 * 24 * 3600;

/// Why an operator's or a supervisor's command was refused. Words from the catalogue;
/// Display is the English.
#[derive(Debug)]
pub enum AdminError {
    Storage(StorageError),
    Roster(RosterError),
    Crypto(CryptoError),
    Policy(Invalid),
    DivisionLine {
        line: usize,
        problem: DivisionProblem,
    },
    BadArea,
    ShortPassword,
    BadLogin,
    NoWorker,
    CommentRequired,
}

/// What is wrong with a line of a division-names file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DivisionProblem {
    NotUtf8,
    Shape,
    Code(Invalid),
    Name,
}

impl Localize for AdminError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            AdminError::Storage(e) => e.localize(lang),
            AdminError::Roster(e) => e.localize(lang),
            AdminError::Crypto(e) => Text::ErrCrypto.fill(lang, &e.to_string()),
            AdminError::Policy(i) => i.localize(lang),
            AdminError::DivisionLine { line, problem } => {
                let p = match problem {
                    DivisionProblem::NotUtf8 => Text::DivisionNotUtf8.get(lang).to_owned(),
                    DivisionProblem::Shape => Text::DivisionShape.get(lang).to_owned(),
                    DivisionProblem::Code(i) => i.localize(lang),
                    DivisionProblem::Name => Text::DivisionName.get(lang).to_owned(),
                };
                Text::DivisionLine.fill_all(lang, &[&line.to_string(), &p])
            }
            AdminError::BadArea => Text::AdminBadArea.get(lang).to_owned(),
            AdminError::ShortPassword => Text::AdminShortPassword.get(lang).to_owned(),
            AdminError::BadLogin => Text::AdminBadLogin.get(lang).to_owned(),
            AdminError::NoWorker => Text::AdminNoWorker.get(lang).to_owned(),
            AdminError::CommentRequired => Text::CommentRequired.get(lang).to_owned(),
        }
    }
}

impl std::fmt::Display for AdminError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.localize(Lang::En))
    }
}

impl std::error::Error for AdminError {}

impl From<StorageError> for AdminError {
    fn from(e: StorageError) -> Self {
        AdminError::Storage(e)
    }
}

impl From<RosterError> for AdminError {
    fn from(e: RosterError) -> Self {
        AdminError::Roster(e)
    }
}

impl From<CryptoError> for AdminError {
    fn from(e: CryptoError) -> Self {
        AdminError::Crypto(e)
    }
}

fn check_area(area: &str) -> Result<(), AdminError> {
    let ok = (2..=12).contains(&area.len()) && area.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(()).ok_or(AdminError::BadArea)
}

pub async fn add_supervisor(
    s: &dyn Storage,
    login: &str,
    area: &str,
    password: &str,
    now: i64,
) -> Result<(), AdminError> {
    add_supervisor_as(s, "operator", login, area, password, now).await
}

/// A password a supervisor may have: eight characters at least.
fn password_hash(password: &str) -> Result<String, AdminError> {
    if password.chars().count() < 8 {
        return Err(AdminError::ShortPassword);
    }
    Ok(hash_password(password)?)
}

/// A supervisor's new password, disabled or enabled again, by `actor` (on the audit log);
/// their sessions end.
pub async fn change_supervisor(
    s: &dyn Storage,
    actor: &str,
    login: &str,
    change: Change<'_>,
    now: i64,
) -> Result<(), AdminError> {
    let (stored, action) = match change {
        Change::Password(p) => (
            SupervisorChange::Password(password_hash(p)?),
            "set-password",
        ),
        Change::Disable => (SupervisorChange::Disabled(true), "disable-supervisor"),
        Change::Enable => (SupervisorChange::Disabled(false), "enable-supervisor"),
    };
    s.change_supervisor(login, &stored).await?;
    s.audit(actor, action, login, now).await?;
    Ok(())
}

/// What [`change_supervisor`] does.
#[derive(Clone, Copy)]
pub enum Change<'a> {
    Password(&'a str),
    Disable,
    Enable,
}

// A password is a secret: Debug names the change only.
impl std::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Change::Password(_) => "Password",
            Change::Disable => "Disable",
            Change::Enable => "Enable",
        })
    }
}

/// A new supervisor, added by `actor`.
pub async fn add_supervisor_as(
    s: &dyn Storage,
    actor: &str,
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
    let hash = password_hash(password)?;
    s.add_supervisor(login, area, &hash, now).await?;
    s.audit(actor, "add-supervisor", login, now).await?;
    Ok(())
}

/// A new one-time code: twelve characters from an alphabet without look-alikes, so it can be
/// read out over the phone.
pub async fn enrolment_code(
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
    random_bytes(&mut random)?;
    // 32 letters: each byte's low five bits pick one, evenly.
    let code: String = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    s.add_enrolment_code(&code_hash(&code), worker, area, now + CODE_LIFETIME_SECS)
        .await?;
    s.audit("operator", "enrolment-code", area, now).await?;
    Ok(code)
}

/// Imports a roster file for an area: every row checked as the device's import checks it,
/// plus the area; any error and nothing is imported.
pub async fn import_roster(
    s: &dyn Storage,
    area: &str,
    bytes: &[u8],
    today: NaiveDate,
    now: i64,
) -> Result<usize, AdminError> {
    check_area(area)?;
    let (good, mut errors) = validate(bytes, RosterFormat::sniff(bytes), today)?;
    let mut rows = Vec::with_capacity(good.len());
    for row in good {
        let village = row.recipient.village.as_str().to_owned();
        if !village.starts_with(area) {
            errors.push(RowError {
                line: row.line,
                field: "village".into(),
                problem: RowProblem::OutsideArea { area: area.into() },
            });
            continue;
        }
        rows.push(RosterRow {
            id: row.recipient.id,
            village,
            fields: row.fields,
        });
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(RosterError::Rows(errors).into());
    }
    let n = s.import_roster(area, &rows).await?;
    s.audit("operator", "import-roster", area, now).await?;
    Ok(n)
}

/// Imports division names from CSV `code,name` (a header row optional): county, township
/// and village codes of 12 digits. Any bad line and nothing is imported.
pub async fn import_divisions(
    s: &dyn Storage,
    bytes: &[u8],
    now: i64,
) -> Result<usize, AdminError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(
        |_| AdminError::DivisionLine {
            line: 0,
            problem: DivisionProblem::NotUtf8,
        },
    )?;
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || (line_no == 1 && line.starts_with("code")) {
            continue;
        }
        let bad = |problem: DivisionProblem| AdminError::DivisionLine {
            line: line_no,
            problem,
        };
        let (code, name) = line
            .split_once(',')
            .ok_or_else(|| bad(DivisionProblem::Shape))?;
        let (code, name) = (code.trim(), name.trim().trim_matches('"').trim());
        // County (000000 at the end), township (000) and village codes alike: 12 digits
        // under a province and a county.
        DivisionCode::check(code).map_err(|e| bad(DivisionProblem::Code(e)))?;
        if name.is_empty() || name.chars().count() > 50 {
            return Err(bad(DivisionProblem::Name));
        }
        names.push(Division {
            code: code.to_owned(),
            name: name.to_owned(),
        });
    }
    let n = s.import_divisions(&names).await?;
    s.audit("operator", "import-divisions", &n.to_string(), now)
        .await?;
    Ok(n)
}

/// Issues a policy to every device (checked first: a policy no device could apply is
/// refused); returns its version.
pub async fn issue_policy(
    s: &dyn Storage,
    area: &str,
    policy: &Policy,
    actor: &str,
    now: i64,
) -> Result<u32, AdminError> {
    policy.validate().map_err(AdminError::Policy)?;
    Ok(s.set_policy(area, policy, actor, now).await?)
}

/// Issues a checklist template for `area` (checked first: one no worker could answer is
/// refused); returns its version.
pub async fn issue_checklist(
    s: &dyn Storage,
    area: &str,
    template: &ChecklistTemplate,
    actor: &str,
    now: i64,
) -> Result<u32, AdminError> {
    template.validate().map_err(AdminError::Policy)?;
    Ok(s.issue_checklist(area, template, actor, now).await?)
}

/// A decision on a submitted visit. Returning needs a comment (what to correct), rejecting a
/// reason; `area` scopes a supervisor (None: the operator, everywhere).
pub async fn review(
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
    s.decide(visit_id, area, decision, comment, actor, now)
        .await?;
    Ok(())
}

pub async fn revoke_device(s: &dyn Storage, device_id: &str, now: i64) -> Result<(), AdminError> {
    s.revoke_device(device_id, now).await?;
    s.audit("operator", "revoke-device", device_id, now).await?;
    Ok(())
}
