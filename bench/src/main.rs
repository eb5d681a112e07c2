//! `doorstep-bench`: measures Doorstep against its peers, side by side in one run.
//! `doorstep-bench store`: the encrypted store against plaintext SQLite and SQLCipher.
#![forbid(unsafe_code)]

mod plain;
mod stats;
mod store_bench;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "doorstep-bench",
    about = "Doorstep benchmarks (build with --release)"
)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Insert and list 10,000 recipients: Doorstep vs plaintext rusqlite vs SQLCipher.
    Store(store_bench::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.bench {
        Bench::Store(a) => store_bench::run(&a),
    };
    if let Err(e) = result {
        eprintln!("doorstep-bench: {e}");
        std::process::exit(1);
    }
}
