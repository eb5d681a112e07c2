//! `doorstep enroll`, `doorstep sync` and `doorstep tasks`: the device side of the sync
//! protocol over the CLI's HTTP transport.

use doorstep_core::text::{Localize, Text};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};
use crate::transport::Ureq;

pub fn enroll(ctx: &Context, server: &str, code: &str) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let e = store.enroll(&Ureq::new().map_err(CliError::Server)?, server, code)?;
    if ctx.json {
        print_json(&json!({ "device_id": e.device_id, "worker": e.worker, "area": e.area }));
    } else {
        outln!(
            "{}",
            Text::EnrolledAs.fill_all(ctx.lang, &[&e.device_id, &e.worker, &e.area])
        );
    }
    Ok(())
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
    let lang = ctx.lang;
    let r = store.sync(
        &Ureq::new().map_err(CliError::Server)?,
        ctx.now,
        &mut |stage, done, total| {
            bar.set_message(stage.localize(lang));
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
            "policy_updated": r.policy_updated,
            "clock_skew_secs": r.clock_skew_secs,
        }));
    } else {
        let n = |v: u64| v.to_string();
        outln!(
            "{}",
            Text::SyncDone.fill_all(
                lang,
                &[
                    &n(r.sent),
                    &n(r.receipted),
                    &n(r.media_sent),
                    &n(r.roster_rows),
                    &n(r.decisions),
                    &n(r.ticket_updates)
                ]
            )
        );
        if r.conflicts + r.refused > 0 {
            outln!(
                "{}",
                Text::SyncProblems.fill_all(lang, &[&n(r.conflicts), &n(r.refused)])
            );
        }
        if let Some(skew) = r.clock_skew_secs.filter(|s| s.abs() > 60) {
            outln!("{}", Text::ClockOff.fill(lang, &skew.to_string()));
        }
    }
    Ok(())
}

pub fn tasks(ctx: &Context) -> Result<(), CliError> {
    let store = ctx.open()?;
    let tasks = store.tasks()?;
    let lang = ctx.lang;
    if ctx.json {
        let items: Vec<_> = tasks
            .reviews
            .iter()
            .map(|t| {
                json!({
                    "visit_id": t.visit_id,
                    "decision": t.decision.code(),
                    "comment": t.comment,
                    "at": t.at,
                    "to_do": t.to_do(),
                })
            })
            .collect();
        let ticket_items: Vec<_> = tasks
            .tickets
            .iter()
            .map(|t| {
                json!({
                    "ticket_id": t.ticket_id,
                    "state": t.state.code(),
                    "visit_id": t.visit_id,
                    "text": t.text,
                    "due": t.due.map(|d| d.to_string()),
                })
            })
            .collect();
        print_json(&json!({ "tasks": items, "tickets": ticket_items }));
    } else if tasks.reviews.is_empty() && tasks.tickets.is_empty() {
        outln!("{}", Text::NoTasks.get(lang));
    } else {
        for t in &tasks.tickets {
            let due = t
                .due
                .map(|d| format!(" {}", Text::DueBy.fill(lang, &d.to_string())))
                .unwrap_or_default();
            outln!(
                "{} {} {}: {}{due}",
                Text::TicketMark.get(lang),
                t.ticket_id,
                t.state.localize(lang),
                t.text
            );
        }
        for t in &tasks.reviews {
            let mark = if t.to_do() {
                Text::ToDo.get(lang)
            } else {
                "     "
            };
            outln!(
                "{mark} {} {}: {}",
                t.visit_id,
                t.decision.localize(lang),
                t.comment
            );
        }
    }
    Ok(())
}
