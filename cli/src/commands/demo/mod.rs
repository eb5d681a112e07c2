//! `doorstep demo`, the main job: a sync server on 127.0.0.1:8080 with its data in a local
//! folder, a generated county (Lankao, Henan) imported as its roster, supervisors to log in
//! as, and about twenty simulated field phones that enrol and run visits over several days
//! through the real protocol — off-site fixes, a mock location, a visit too short, a reused
//! photo, a refusal, tickets, and a visit returned and corrected — and then it keeps serving
//! so that a newcomer opens the browser and finds a real queue.

mod devices;
mod visits;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use doorstep_core::text::{flag_kind, Text};
use doorstep_server::admin;
use doorstep_server::ledger::{self, Step};
use doorstep_server::storage::{Decision, Storage};
use serde_json::json;

use crate::args::DemoArgs;
use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};
use crate::transport::Ureq;
use devices::Device;

/// The demo supervisors' password: the demo is for looking around, not for real data.
const DEMO_PASSWORD: &str = "doorstep-demo";
const SEED: u64 = 20_261_127;
const WORKERS: [&str; 8] = [
    "李四", "王芳", "赵强", "刘洋", "陈静", "杨帆", "黄磊", "周敏",
];

fn server_err(e: impl std::fmt::Display) -> CliError {
    CliError::Server(e.to_string())
}

/// The data folder, fresh: a previous demo's folder is replaced; anything else is refused.
fn prepare(dir: &Path) -> Result<(), CliError> {
    if dir.exists() {
        let ours = dir.join("server").join("server.sqlite").exists();
        let empty = dir.read_dir()?.next().is_none();
        if !ours && !empty {
            return Err(CliError::usage_with(
                Text::DemoFolderTaken,
                &dir.display().to_string(),
            ));
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// What the simulation produced, for the summary.
#[derive(Debug, Default)]
struct Summary {
    sealed: usize,
    receipted: u64,
    flags: BTreeMap<String, usize>,
    returned: Option<String>,
    corrected_by: Option<String>,
}

pub fn run(ctx: &Context, a: &DemoArgs) -> Result<(), CliError> {
    let data: PathBuf = a.data.clone();
    prepare(&data)?;
    let storage = doorstep_server::open(&data.join("server")).map_err(server_err)?;
    let county = doorstep_sample::lankao();
    let today = ctx.now.date_naive();
    let now = ctx.now.timestamp();
    let people = doorstep_sample::generate(SEED, a.recipients, today);
    let csv = doorstep_sample::to_csv(&people);
    doorstep_server::block_on(admin::import_roster(
        storage.as_ref(),
        county.code,
        csv.as_bytes(),
        today,
        now,
    ))?;
    doorstep_server::block_on(admin::import_divisions(
        storage.as_ref(),
        county.divisions_csv().as_bytes(),
        now,
    ))?;
    // Townships: the 9-digit prefix of their villages' codes, with the first village's site.
    let mut townships: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for v in &county.villages {
        townships
            .entry(v.code.as_str()[..9].to_owned())
            .or_insert((v.lat, v.lon));
    }
    let first_township = townships
        .keys()
        .next()
        .cloned()
        .unwrap_or_else(|| county.code.to_owned());
    let logins = [
        ("county", county.code.to_owned()),
        ("township", first_township),
    ];
    for (login, area) in &logins {
        doorstep_server::block_on(admin::add_supervisor(
            storage.as_ref(),
            login,
            area,
            DEMO_PASSWORD,
            now,
        ))?;
    }
    let media = doorstep_server::media_store(&a.data, None).map_err(server_err)?;
    let state = doorstep_server::AppState::new(storage.clone(), media);
    let server = doorstep_server::spawn(state, a.listen, 2, None).map_err(server_err)?;
    let url = server.url();

    let transport = Ureq::new().map_err(CliError::Server)?;
    let towns: Vec<(&String, &(f64, f64))> = townships.iter().collect();
    let mut phones = Vec::with_capacity(a.devices);
    for n in 0..a.devices {
        let (code_prefix, base) = towns[n % towns.len()];
        let sharing = (a.devices + towns.len() - 1 - n % towns.len()) / towns.len();
        let worker = format!("{}{}", WORKERS[n % WORKERS.len()], n / WORKERS.len() + 1);
        let code = doorstep_server::block_on(admin::enrolment_code(
            storage.as_ref(),
            &worker,
            county.code,
            now,
        ))?;
        let mut phone = Device::enrol(
            &data.join("devices"),
            n as u8,
            code_prefix.clone(),
            *base,
            (n / towns.len(), sharing),
            &transport,
            &url,
            &code,
        )?;
        phone.sync(&transport, ctx.now)?;
        phones.push(phone);
    }

    let mut summary = Summary::default();
    let mut first_day_visits = Vec::new();
    for d in (1..=a.days.max(1)).rev() {
        let day = ctx.now - chrono::Duration::days(d as i64);
        for (n, phone) in phones.iter_mut().enumerate() {
            // One worker's last day holds every case supervisors must see flagged.
            let cases = n == 0 && d == 1;
            let done = phone.field_day(day, if cases { 14 } else { 4 }, cases)?;
            summary.sealed += done.sealed;
            for (flag, k) in done.flags {
                *summary.flags.entry(flag).or_default() += k;
            }
            if cases {
                first_day_visits = done.visits;
            }
            summary.receipted += phone.sync(&transport, ctx.now)?.receipted;
        }
    }

    // A supervisor returns the off-site visit (the third of the flagged round); the worker
    // sees it after the next sync, goes back, and the correction goes up for review again.
    if let (Some((visit, household)), Some(phone)) =
        (first_day_visits.get(2).cloned(), phones.first_mut())
    {
        doorstep_server::block_on(admin::review(
            storage.as_ref(),
            &visit,
            None,
            Decision::Return,
            "定位距住户约1.5公里，请重新入户核实",
            "county",
            now,
        ))?;
        phone.sync(&transport, ctx.now)?;
        let fixed = visits::correct(
            &mut phone.store,
            &visit,
            &household,
            ctx.now - chrono::Duration::hours(2),
        )?;
        summary.receipted += phone.sync(&transport, ctx.now)?.receipted;
        summary.sealed += 1;
        summary.returned = Some(visit);
        summary.corrected_by = Some(fixed);
    }
    // Some of the queue already cleared, and one problem already handed to a department.
    if let Some((first, _)) = first_day_visits.first() {
        doorstep_server::block_on(admin::review(
            storage.as_ref(),
            first,
            None,
            Decision::Approve,
            "",
            "county",
            now,
        ))?;
    }
    if let Some(t) = doorstep_server::block_on(storage.tickets_in(county.code))
        .map_err(server_err)?
        .first()
    {
        let due = today + chrono::Duration::days(7);
        let step = Step::Transfer {
            department: "县农商银行".into(),
            due,
        };
        doorstep_server::block_on(ledger::advance(
            storage.as_ref(),
            &t.id,
            None,
            &step,
            "county",
            now,
        ))
        .map_err(server_err)?;
    }
    for phone in phones {
        phone.store.close()?;
    }
    report(ctx, a, &url, &logins, &summary, &data);
    if a.no_serve {
        return Ok(());
    }
    wait_for_ctrl_c()?;
    drop(server);
    Ok(())
}

fn report(
    ctx: &Context,
    a: &DemoArgs,
    url: &str,
    logins: &[(&str, String)],
    s: &Summary,
    data: &Path,
) {
    if ctx.json {
        // One line: a script reads it as soon as the demo serves.
        outln!(
            "{}",
            json!({
                "url": url,
                "data": data,
                "logins": logins.iter().map(|(l, area)| json!({"login": l, "area": area, "password": DEMO_PASSWORD})).collect::<Vec<_>>(),
                "devices": a.devices,
                "days": a.days,
                "visits_sealed": s.sealed,
                "visits_receipted": s.receipted,
                "flags": s.flags,
                "returned": s.returned,
                "corrected_by": s.corrected_by,
            })
        );
        return;
    }
    let _ = print_json;
    let lang = ctx.lang;
    outln!("{}", Text::DemoServing.fill(lang, url));
    for (login, area) in logins {
        outln!(
            "{}",
            Text::DemoLogin.fill_all(lang, &[login, DEMO_PASSWORD, area])
        );
    }
    let flags: Vec<String> = s
        .flags
        .iter()
        .map(|(f, n)| format!("{} {n}", flag_kind(f, lang).unwrap_or(f)))
        .collect();
    let n = |v: usize| v.to_string();
    outln!(
        "{}",
        Text::DemoSummary.fill_all(
            lang,
            &[
                &n(a.devices),
                &n(a.days),
                &n(s.sealed),
                &s.receipted.to_string(),
                &flags.join(", ")
            ]
        )
    );
    if let (Some(r), Some(c)) = (&s.returned, &s.corrected_by) {
        outln!("{}", Text::DemoReturned.fill_all(lang, &[r, c]));
    }
    outln!("{}", Text::DemoData.fill(lang, &data.display().to_string()));
}

fn wait_for_ctrl_c() -> Result<(), CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
