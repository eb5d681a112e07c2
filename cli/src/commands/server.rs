//! `doorstep serve` and `doorstep admin …`: the sync server and the operator commands on its
//! data folder. The logic is the server crate's; this turns arguments into calls and results
//! into lines (or JSON).

use std::net::SocketAddr;
use std::path::Path;

use doorstep_core::roster::RosterError;
use doorstep_core::text::{Localize, Text};
use doorstep_server::admin::{self, AdminError};
use doorstep_server::media_store::S3Config;
use doorstep_server::storage::{Decision, Storage};
use serde_json::json;

use crate::args::{AdminCommand, ReviewDecision};
use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};

impl From<AdminError> for CliError {
    fn from(e: AdminError) -> Self {
        match e {
            // Roster rows fail the way `roster import` fails: line by line.
            AdminError::Roster(RosterError::Rows(rows)) => {
                CliError::Core(doorstep_core::Error::InvalidRows(rows))
            }
            AdminError::Roster(RosterError::Format(f)) => {
                CliError::Core(doorstep_core::Error::RosterFormat(f))
            }
            other => CliError::Admin(other),
        }
    }
}

/// A record an operator issues, read from its JSON file; `not_one` says what it is not.
fn read_json<T: serde::de::DeserializeOwned>(
    ctx: &Context,
    file: &Path,
    not_one: Text,
) -> Result<T, CliError> {
    serde_json::from_slice(&std::fs::read(file)?).map_err(|e| {
        CliError::Server(not_one.fill_all(ctx.lang, &[&file.display().to_string(), &e.to_string()]))
    })
}

/// The version just issued, as JSON or in words.
fn say_issued(ctx: &Context, version: u32, issued: Text) {
    if ctx.json {
        print_json(&json!({ "version": version }));
    } else {
        outln!("{}", issued.fill(ctx.lang, &version.to_string()));
    }
}

fn server_err(e: impl std::fmt::Display) -> CliError {
    CliError::Server(e.to_string())
}

/// The S3 settings of `serve`, the keys from the environment (never on a command line,
/// where any user's `ps` shows them).
pub fn s3_config(
    bucket: &Option<String>,
    endpoint: &Option<String>,
    region: &str,
    virtual_host: bool,
) -> Result<Option<S3Config>, CliError> {
    let Some(bucket) = bucket else {
        return Ok(None);
    };
    let key = |name: &str| {
        std::env::var(name).map_err(|_| CliError::Server(format!("--s3-bucket needs {name} set")))
    };
    Ok(Some(S3Config {
        bucket: bucket.clone(),
        endpoint: endpoint.clone(),
        region: region.to_owned(),
        virtual_host,
        access_key: key("DOORSTEP_S3_ACCESS_KEY")?,
        secret_key: key("DOORSTEP_S3_SECRET_KEY")?,
    }))
}

pub fn serve(
    ctx: &Context,
    data: &Path,
    listen: SocketAddr,
    tls: Option<(&Path, &Path)>,
    settings: doorstep_server::WebSettings,
    s3: Option<S3Config>,
    database: Option<&str>,
) -> Result<(), CliError> {
    let (json, lang) = (ctx.json, ctx.lang);
    doorstep_server::run(data, listen, tls, settings, s3, database, move |url| {
        if json {
            // One line: a script reads it as soon as the server listens.
            outln!("{}", json!({ "listening": url }));
        } else {
            outln!("{}", Text::ServerListening.fill(lang, &url));
        }
    })
    .map_err(server_err)
}

/// The server's storage for an operator command: the PostgreSQL database named by
/// DOORSTEP_DATABASE when set (as `serve --database` takes it), the data folder's otherwise.
fn open(data: &Path) -> Result<std::sync::Arc<dyn Storage>, CliError> {
    if let Ok(url) = std::env::var("DOORSTEP_DATABASE") {
        return doorstep_server::block_on(doorstep_server::open_storage(data, Some(&url)))
            .map_err(server_err);
    }
    if !data.join("server.sqlite").exists() && data.exists() && data.read_dir()?.next().is_some() {
        return Err(CliError::usage_with(
            Text::NotServerData,
            &data.display().to_string(),
        ));
    }
    Ok(doorstep_server::open(data).map_err(server_err)?)
}

pub fn admin(ctx: &Context, c: &AdminCommand) -> Result<(), CliError> {
    let now = ctx.now.timestamp();
    match c {
        AdminCommand::AddSupervisor { data, login, area } => {
            let password = std::env::var("DOORSTEP_NEW_PASSWORD")
                .map_err(|_| CliError::usage(Text::NeedNewPassword))?;
            doorstep_server::block_on(admin::add_supervisor(
                open(data)?.as_ref(),
                login,
                area,
                &password,
                now,
            ))?;
            if ctx.json {
                print_json(&json!({ "login": login, "area": area }));
            } else {
                outln!(
                    "{}",
                    Text::SupervisorAdded.fill_all(ctx.lang, &[login, area])
                );
            }
        }
        AdminCommand::ImportRoster { data, area, file } => {
            let bytes = std::fs::read(file)?;
            let n = doorstep_server::block_on(admin::import_roster(
                open(data)?.as_ref(),
                area,
                &bytes,
                ctx.now.date_naive(),
                now,
            ))?;
            if ctx.json {
                print_json(&json!({ "imported": n, "area": area }));
            } else {
                outln!("{}", Text::RosterImported.fill(ctx.lang, &n.to_string()));
            }
        }
        AdminCommand::EnrolmentCode { data, worker, area } => {
            let code = doorstep_server::block_on(admin::enrolment_code(
                open(data)?.as_ref(),
                worker,
                area,
                now,
            ))?;
            if ctx.json {
                print_json(&json!({ "code": code, "area": area }));
            } else {
                outln!("{code}");
            }
        }
        AdminCommand::Review {
            data,
            visit_id,
            decision,
            comment,
        } => {
            let d = match decision {
                ReviewDecision::Approve => Decision::Approve,
                ReviewDecision::Return => Decision::Return,
                ReviewDecision::Reject => Decision::Reject,
            };
            doorstep_server::block_on(admin::review(
                open(data)?.as_ref(),
                visit_id,
                None,
                d,
                comment,
                "operator",
                now,
            ))?;
            if ctx.json {
                print_json(&json!({ "visit_id": visit_id, "decision": d }));
            } else {
                let status = d.status().localize(ctx.lang);
                outln!("{}", Text::Decided.fill_all(ctx.lang, &[visit_id, &status]));
            }
        }
        AdminCommand::RevokeDevice { data, device_id } => {
            doorstep_server::block_on(admin::revoke_device(open(data)?.as_ref(), device_id, now))?;
            if ctx.json {
                print_json(&json!({ "device_id": device_id, "revoked": true }));
            } else {
                outln!("{}", Text::DeviceRevoked.fill(ctx.lang, device_id));
            }
        }
        AdminCommand::ImportDivisions { data, file } => {
            let n = doorstep_server::block_on(admin::import_divisions(
                open(data)?.as_ref(),
                &std::fs::read(file)?,
                now,
            ))?;
            if ctx.json {
                print_json(&json!({ "imported": n }));
            } else {
                outln!("{}", Text::DivisionsImported.fill(ctx.lang, &n.to_string()));
            }
        }
        AdminCommand::SetPolicy { data, file, area } => {
            let policy = read_json(ctx, file, Text::NotAPolicy)?;
            let version = doorstep_server::block_on(admin::issue_policy(
                open(data)?.as_ref(),
                area,
                &policy,
                "operator",
                now,
            ))?;
            say_issued(ctx, version, Text::PolicyIssued);
        }
        AdminCommand::ShowPolicy { data, area } => {
            let policy = doorstep_server::block_on(open(data)?.policy(area)).map_err(server_err)?;
            print_json(&serde_json::to_value(&policy).map_err(server_err)?);
        }
        AdminCommand::IssueChecklist { data, file, area } => {
            let template = read_json(ctx, file, Text::NotAChecklist)?;
            let version = doorstep_server::block_on(admin::issue_checklist(
                open(data)?.as_ref(),
                area,
                &template,
                "operator",
                now,
            ))?;
            say_issued(ctx, version, Text::ChecklistIssued);
        }
        AdminCommand::ShowChecklist { data, area } => {
            let template =
                doorstep_server::block_on(open(data)?.checklist(area)).map_err(server_err)?;
            print_json(&serde_json::to_value(&template).map_err(server_err)?);
        }
    }
    Ok(())
}
