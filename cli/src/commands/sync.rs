//! `doorstep enroll`, `doorstep sync` and `doorstep tasks`: the device side of the sync
//! protocol over the CLI's HTTP transport.

use doorstep_core::store::tasks;
use doorstep_core::sync::{self, SyncStage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};
use crate::transport::Ureq;

pub fn enroll(ctx: &Context, server: &str, code: &str) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let e = sync::enroll(
        &mut store,
        &Ureq::new().map_err(CliError::Server)?,
        server,
        code,
    )?;
    if ctx.json {
        print_json(&json!({ "device_id": e.device_id, "worker": e.worker, "area": e.area }));
    } else {
        outln!(
            "enrolled as device {} for {} in area {}",
            e.device_id,
            e.worker,
            e.area
        );
    }
    Ok(())
}

fn stage_name(s: SyncStage) -> &'static str {
    match s {
        SyncStage::Visits => "visits up",
        SyncStage::Media => "media up",
        SyncStage::Roster => "roster down",
        SyncStage::Decisions => "decisions down",
    }
}

pub fn sync(ctx: &Context) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    // A bar on a terminal; nothing when scripted (--json, or stderr not a terminal).
    let bar = if ctx.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let r = sync::sync(
        &mut store,
        &Ureq::new().map_err(CliError::Server)?,
        ctx.now,
        &mut |stage, done, total| {
            bar.set_message(stage_name(stage));
            bar.set_length(total);
            bar.set_position(done);
        },
    );
    bar.finish_and_clear();
    let r = r?;
    if ctx.json {
        print_json(&json!({
            "sent": r.sent,
            "receipted": r.receipted,
            "conflicts": r.conflicts,
            "refused": r.refused,
            "media_sent": r.media_sent,
            "received": r.roster_rows + r.decisions + r.ticket_updates,
            "roster_rows": r.roster_rows,
            "decisions": r.decisions,
            "ticket_updates": r.ticket_updates,
            "clock_skew_secs": r.clock_skew_secs,
        }));
    } else {
        outln!(
            "up: {} visits sent, {} receipted, {} media; down: {} roster rows, {} decisions, {} ticket updates",
            r.sent,
            r.receipted,
            r.media_sent,
            r.roster_rows,
            r.decisions,
            r.ticket_updates
        );
        if r.conflicts + r.refused > 0 {
            outln!(
                "{} conflicts, {} refused: see `doorstep tasks`",
                r.conflicts,
                r.refused
            );
        }
        if let Some(skew) = r.clock_skew_secs.filter(|s| s.abs() > 60) {
            outln!("the device clock is {skew} s off the server's");
        }
    }
    Ok(())
}

pub fn tasks(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open()?;
    let all = tasks::list(store.conn(), store.keys(), "decision")?;
    // A ticket's latest update is where it stands.
    let mut tickets: Vec<tasks::Task> = Vec::new();
    for t in tasks::list(store.conn(), store.keys(), "ticket")?
        .into_iter()
        .rev()
    {
        let id = t.decision.split(' ').next().unwrap_or("").to_owned();
        if !tickets
            .iter()
            .any(|k| k.decision.split(' ').next() == Some(id.as_str()))
        {
            tickets.push(t);
        }
    }
    tickets.reverse();
    // A visit's latest decision is what stands; a returned visit already corrected is done.
    let mut latest: Vec<&tasks::Task> = Vec::new();
    for t in all.iter().rev() {
        if !latest.iter().any(|l| l.visit_id == t.visit_id) {
            latest.push(t);
        }
    }
    latest.reverse();
    let corrected = doorstep_core::visit::corrected_visits(&store)?;
    if ctx.json {
        let items: Vec<_> = latest
            .iter()
            .map(|t| {
                json!({
                    "visit_id": t.visit_id,
                    "decision": t.decision,
                    "comment": t.comment,
                    "at": t.at,
                    "to_do": t.decision == "return" && !corrected.contains(&t.visit_id),
                })
            })
            .collect();
        let ticket_items: Vec<_> = tickets
            .iter()
            .map(|t| {
                let mut parts = t.decision.splitn(2, ' ');
                json!({
                    "ticket_id": parts.next(),
                    "state": parts.next(),
                    "visit_id": t.visit_id,
                    "text": t.comment,
                })
            })
            .collect();
        print_json(&json!({ "tasks": items, "tickets": ticket_items }));
    } else if latest.is_empty() && tickets.is_empty() {
        outln!("no review decisions or ticket updates yet");
    } else {
        for t in &tickets {
            outln!("TICKET {}: {}", t.decision, t.comment);
        }
        for t in latest {
            let to_do = t.decision == "return" && !corrected.contains(&t.visit_id);
            let mark = if to_do { "TO DO" } else { "     " };
            outln!("{mark} {} {}: {}", t.visit_id, t.decision, t.comment);
        }
    }
    Ok(())
}
