//! `doorstep`: the terminal shell of the Doorstep core. It turns arguments into core calls
//! and prints what comes back, as text for people or JSON for scripts.
#![forbid(unsafe_code)]

mod args;
mod commands;
mod context;
#[macro_use]
mod output;
mod secret;
mod transport;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use context::Context;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = match Context::new(&cli.global) {
        Ok(c) => c,
        Err(e) => return output::fail(cli.global.json, &e, context::lang()),
    };
    let result = match &cli.command {
        Command::Init => commands::init::run(&ctx),
        Command::Roster(c) => commands::roster::run(&ctx, c),
        Command::Key(c) => commands::key::run(&ctx, c),
        Command::Policy(c) => commands::policy::run(&ctx, c),
        Command::Visit(c) => commands::visit::run(&ctx, c),
        Command::Demo(a) => commands::demo::run(&ctx, a),
        Command::Verify { dir } => commands::verify::run(&ctx, dir),
        Command::Enroll { server, code } => commands::sync::enroll(&ctx, server, code),
        Command::Sync => commands::sync::sync(&ctx),
        Command::Tasks => commands::sync::tasks(&ctx),
        Command::Serve {
            data,
            listen,
            tls_cert,
            tls_key,
            tiles,
            time_zone,
            s3_bucket,
            s3_endpoint,
            s3_region,
            s3_virtual_host,
            database,
        } => commands::server::s3_config(s3_bucket, s3_endpoint, s3_region, *s3_virtual_host)
            .and_then(|s3| {
                commands::server::serve(
                    &ctx,
                    data,
                    *listen,
                    tls_cert.as_deref().zip(tls_key.as_deref()),
                    doorstep_server::WebSettings {
                        tiles: tiles.clone(),
                        zone: *time_zone,
                    },
                    s3,
                    database.as_deref(),
                )
            }),
        Command::Admin(c) => commands::server::admin(&ctx, c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::fail(ctx.json, &e, ctx.lang),
    }
}
