//! `doorstep-harness`: runs thousands of cases of damage against Doorstep's promises and
//! prints one summary line per harness (what was tried, what got through). Exits non-zero
//! when anything got through, so CI runs a bounded version of each.
#![forbid(unsafe_code)]

mod attacks;
mod crash;
mod cuts;
mod field;
mod forged;
mod mutations;
mod planted;
mod served;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "doorstep-harness", about = "Doorstep reliability harnesses")]
struct Cli {
    #[command(subcommand)]
    harness: Harness,
}

#[derive(Debug, Subcommand)]
enum Harness {
    /// Single-byte changes of a sealed visit's exported files and of the store's ciphertexts:
    /// every one must be refused (never accepted, never a panic).
    Mutations(mutations::Args),
    /// A worker recording visits, rotating keys and changing its vault, SIGKILLed at random
    /// moments on one store: nothing it was told was kept may be lost or changed.
    Crash(crash::Args),
    /// Syncs with photos through a proxy that cuts, stalls and truncates connections: every
    /// record and photo must reach the server exactly once.
    Cuts(cuts::Args),
    /// Supervisors of another township and another county trying every page, photo, export
    /// and decision of a county's visits; script and formulas planted in the roster and
    /// visits; personal data searched for in pages, exports and the log; forged, replayed
    /// and oversized device requests and guessed enrolment codes: nothing may get through.
    Attacks(attacks::Args),
    /// The worker the crash harness starts and kills (not for people to run).
    #[command(hide = true)]
    CrashWorker(crash::WorkerArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.harness {
        Harness::Mutations(a) => mutations::run(&a),
        Harness::Crash(a) => crash::run(&a),
        Harness::Cuts(a) => cuts::run(&a),
        Harness::Attacks(a) => attacks::run(&a),
        Harness::CrashWorker(a) => crash::work(&a).map(|()| true),
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("doorstep-harness: {e}");
            std::process::exit(2);
        }
    }
}
