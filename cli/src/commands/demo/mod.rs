//! `doorstep demo`: a demo store built from a generated county (Lankao, Henan), through the
//! same import path a real roster takes; a field day of visits recorded and sealed through
//! the real session API; and today's due list from it.

mod visits;

use std::time::Instant;

use doorstep_core::crypto::PassphraseVault;
use doorstep_core::i18n::Text;
use doorstep_core::roster::{self, ImportOptions, ListQuery, RosterFormat};
use doorstep_core::Store;
use serde_json::json;

use crate::args::DemoArgs;
use crate::commands::roster::{entry_json, print_table};
use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};

/// The demo store's passphrase: the demo is for looking around, not for real data.
const DEMO_PASSPHRASE: &str = "doorstep-demo";
const SEED: u64 = 20_261_127;

pub fn run(ctx: &Context, a: &DemoArgs) -> Result<(), CliError> {
    let dir = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => tempfile::Builder::new()
            .prefix("doorstep-demo-")
            .tempdir()?
            .keep(),
    };
    let county = doorstep_sample::lankao();
    let people = doorstep_sample::generate(SEED, a.recipients, ctx.today());
    let csv = doorstep_sample::to_csv(&people);

    let started = Instant::now();
    // The store first: if the folder already holds a demo store, stop before touching it.
    let mut store = Store::create(&dir.join("store"), &PassphraseVault::new(DEMO_PASSPHRASE))?;
    std::fs::write(dir.join("roster.csv"), &csv)?;
    let report = roster::import(
        &mut store,
        csv.as_bytes(),
        RosterFormat::Csv,
        ImportOptions::default(),
        ctx.today(),
    )?;
    let imported_in = started.elapsed();

    // The worker sets out from the county seat's township government.
    let start = county
        .villages
        .first()
        .map(|v| (v.lat, v.lon))
        .unwrap_or((34.822, 114.821));
    // Yesterday's field day: the top of yesterday's due list, visited and sealed.
    let yesterday = ctx.now - chrono::Duration::days(1);
    let planned = roster::list(
        &store,
        &ListQuery {
            due_only: true,
            near: Some(start),
            limit: Some(a.visits),
            ..ListQuery::default()
        },
        yesterday.date_naive(),
    )?;
    let ids: Vec<String> = planned.entries.iter().map(|e| e.id.clone()).collect();
    let day = visits::run(&mut store, &ids, start, yesterday)?;
    let q = ListQuery {
        due_only: true,
        near: Some(start),
        limit: Some(a.top),
        ..ListQuery::default()
    };
    let due = roster::list(&store, &q, ctx.today())?;
    let store_dir = dir.join("store");
    if ctx.json {
        print_json(&json!({
            "store": store_dir,
            "passphrase": DEMO_PASSPHRASE,
            "county": county.name,
            "villages": county.villages.len(),
            "recipients": report.inserted + report.updated,
            "due_today": due.total,
            "visits_sealed": day.sealed,
            "flags": day.flags,
            "due": due.entries.iter().map(|e| entry_json(e, true)).collect::<Vec<_>>(),
        }));
    } else {
        outln!(
            "{} {} · {} {} · {} {}",
            county.name,
            county.code,
            county.villages.len(),
            Text::Villages.get(ctx.lang),
            report.inserted + report.updated,
            Text::Recipients.get(ctx.lang),
        );
        outln!(
            "{}: {} ({:.1} s, {})",
            Text::StoreCreated.get(ctx.lang),
            store_dir.display(),
            imported_in.as_secs_f64(),
            Text::WithKeyDerivation.get(ctx.lang),
        );
        let flags: Vec<String> = day.flags.iter().map(|(f, n)| format!("{f} {n}")).collect();
        outln!(
            "{}: {} ({})",
            Text::VisitsSealed.get(ctx.lang),
            day.sealed,
            flags.join(", ")
        );
        outln!("");
        outln!(
            "{} {}: {} · {} {}",
            Text::DueToday.get(ctx.lang),
            ctx.today(),
            due.total,
            Text::Showing.get(ctx.lang),
            due.entries.len()
        );
        print_table(&due.entries, ctx.lang);
        outln!("");
        outln!(
            "{}: DOORSTEP_STORE={} DOORSTEP_PASSPHRASE={DEMO_PASSPHRASE} doorstep roster list --due",
            Text::LookAround.get(ctx.lang),
            store_dir.display()
        );
    }
    store.close()?;
    Ok(())
}
