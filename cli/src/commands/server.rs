//! `doorstep serve` and `doorstep admin …`: the sync server and the operator commands on its
//! data folder. The logic is the server crate's; this turns arguments into calls and results
//! into lines (or JSON).

use std::net::SocketAddr;
use std::path::Path;

use doorstep_server::admin::{self, AdminError};
use doorstep_server::storage::Decision;
use serde_json::json;

use crate::args::{AdminCommand, ReviewDecision};
use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};

impl From<AdminError> for CliError {
    fn from(e: AdminError) -> Self {
        match e {
            // Roster rows fail the way `roster import` fails: line by line.
            AdminError::Roster(core) => CliError::Core(core),
            other => CliError::Server(other.to_string()),
        }
    }
}

fn server_err(e: impl std::fmt::Display) -> CliError {
    CliError::Server(e.to_string())
}

pub fn serve(
    ctx: &Context,
    data: &Path,
    listen: SocketAddr,
    tls: Option<(&Path, &Path)>,
    tiles: Option<String>,
) -> Result<(), CliError> {
    let json = ctx.json;
    doorstep_server::run(data, listen, tls, tiles, move |url| {
        if json {
            // One line: a script reads it as soon as the server listens.
            outln!("{}", json!({ "listening": url }));
        } else {
            outln!("listening on {url}");
        }
    })
    .map_err(server_err)
}

fn open(data: &Path) -> Result<std::sync::Arc<doorstep_server::SqliteStorage>, CliError> {
    if !data.join("server.sqlite").exists() && data.exists() && data.read_dir()?.next().is_some() {
        return Err(CliError::Server(format!(
            "{} is not a Doorstep server data folder",
            data.display()
        )));
    }
    doorstep_server::open(data).map_err(server_err)
}

pub fn admin(ctx: &Context, c: &AdminCommand) -> Result<(), CliError> {
    let now = ctx.now.timestamp();
    match c {
        AdminCommand::AddSupervisor { data, login, area } => {
            let password = std::env::var("DOORSTEP_NEW_PASSWORD").map_err(|_| {
                CliError::Server(
                    "set DOORSTEP_NEW_PASSWORD to the new supervisor's password".into(),
                )
            })?;
            admin::add_supervisor(open(data)?.as_ref(), login, area, &password, now)?;
            if ctx.json {
                print_json(&json!({ "login": login, "area": area }));
            } else {
                outln!("supervisor {login} added for area {area}");
            }
        }
        AdminCommand::ImportRoster { data, area, file } => {
            let bytes = std::fs::read(file)?;
            let n = admin::import_roster(
                open(data)?.as_ref(),
                area,
                &bytes,
                ctx.now.date_naive(),
                now,
            )?;
            if ctx.json {
                print_json(&json!({ "imported": n, "area": area }));
            } else {
                outln!("{n} recipients imported for area {area}");
            }
        }
        AdminCommand::EnrolmentCode { data, worker, area } => {
            let code = admin::enrolment_code(open(data)?.as_ref(), worker, area, now)?;
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
            admin::review(
                open(data)?.as_ref(),
                visit_id,
                None,
                d,
                comment,
                "operator",
                now,
            )?;
            if ctx.json {
                print_json(&json!({ "visit_id": visit_id, "decision": d }));
            } else {
                outln!("{visit_id}: {}", d.status());
            }
        }
        AdminCommand::RevokeDevice { data, device_id } => {
            admin::revoke_device(open(data)?.as_ref(), device_id, now)?;
            if ctx.json {
                print_json(&json!({ "device_id": device_id, "revoked": true }));
            } else {
                outln!("device {device_id} revoked");
            }
        }
    }
    Ok(())
}
