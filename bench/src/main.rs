//! `doorstep-bench`: measures Doorstep against its peers, side by side in one run.
//! `doorstep-bench store`: the encrypted store against plaintext SQLite and SQLCipher.
#![forbid(unsafe_code)]

mod ingest_bench;
mod media_bench;
mod pg;
mod photo_bench;
mod plain;
mod queue_bench;
mod session_bench;
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
    /// Our photo pipeline per image against vipsthumbnail (needs libvips-tools, imagemagick).
    Photo(photo_bench::Args),
    /// Latency of a visit action as the visit grows to 50 photos and 50 tickets.
    Session(session_bench::Args),
    /// 100 devices pushing 10,000 sealed visits to a real server over loopback.
    Ingest(ingest_bench::Args),
    /// A county supervisor's review queue over 1,000,000 visits, over HTTP.
    Queue(queue_bench::Args),
    /// 100 devices × 3 photos through the API into S3 (moto), against raw PUTs.
    Media(media_bench::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.bench {
        Bench::Store(a) => store_bench::run(&a),
        Bench::Photo(a) => photo_bench::run_bench(&a),
        Bench::Session(a) => session_bench::run(&a),
        Bench::Ingest(a) => ingest_bench::run(&a).map_err(|e| -> Box<dyn std::error::Error> { e }),
        Bench::Queue(a) => queue_bench::run(&a).map_err(|e| -> Box<dyn std::error::Error> { e }),
        Bench::Media(a) => media_bench::run(&a).map_err(|e| -> Box<dyn std::error::Error> { e }),
    };
    if let Err(e) = result {
        eprintln!("doorstep-bench: {e}");
        std::process::exit(1);
    }
}
