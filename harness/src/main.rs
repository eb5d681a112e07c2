//! `doorstep-harness`: runs thousands of cases of damage against Doorstep's promises and
//! prints one summary line per harness (what was tried, what got through). Exits non-zero
//! when anything got through, so CI runs a bounded version of each.
#![forbid(unsafe_code)]

mod field;
mod mutations;

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
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.harness {
        Harness::Mutations(a) => mutations::run(&a),
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
