//! Checklist templates as every backend keeps them: issued for an area like the policy (the
//! nearest area's newest is in force), numbered across the server after the built-in
//! version 1, kept as the JSON devices receive, so that a visit's version names one template
//! whichever county answered it.

use doorstep_contract::model::ChecklistTemplate;

use super::{rules, Result, StorageError};

/// The body of the template in force in the area `param` (see [`rules::in_force`]).
pub fn in_force(param: &str) -> String {
    rules::in_force("checklists", param)
}

/// The next version to issue: after every one issued, and after the built-in (portable SQL).
pub const NEXT_VERSION: &str = "SELECT coalesce(max(version), 1) + 1 FROM checklists";

/// A kept body as the template (its version set by the issuer); damage if it does not read
/// back as one a device could ask.
pub fn decode(body: &str) -> Result<ChecklistTemplate> {
    serde_json::from_str::<ChecklistTemplate>(body)
        .ok()
        .filter(|t| t.validate().is_ok())
        .ok_or(StorageError::Damaged("checklist"))
}

/// The template in force, from the body found (the built-in when none was issued).
pub fn or_builtin(body: Option<&str>) -> Result<ChecklistTemplate> {
    body.map_or_else(|| Ok(ChecklistTemplate::builtin()), decode)
}

/// The template of `version`, from the body found under it (the built-in's own version has
/// none).
pub fn of_version(version: u32, body: Option<&str>) -> Result<Option<ChecklistTemplate>> {
    match body {
        Some(b) => decode(b).map(Some),
        None if version == ChecklistTemplate::builtin().version => {
            Ok(Some(ChecklistTemplate::builtin()))
        }
        None => Ok(None),
    }
}

/// `template` as issued under `version`, and its kept body.
pub fn numbered(template: &ChecklistTemplate, version: i64) -> Result<(u32, String)> {
    let version = u32::try_from(version).map_err(|_| StorageError::Damaged("checklist version"))?;
    let mut issued = template.clone();
    issued.version = version;
    let body = serde_json::to_string(&issued).map_err(|_| StorageError::Damaged("checklist"))?;
    Ok((version, body))
}
