//! `doorstep key`: passphrase change (re-wrap) and data-key rotation (re-encrypt).

use std::time::Duration;

use doorstep_core::crypto::PassphraseVault;
use doorstep_core::text::Text;
use doorstep_core::RotateOptions;
use serde_json::json;

use crate::args::KeyCommand;
use crate::context::Context;
use crate::outln;
use crate::output::{self, print_json, CliError};
use crate::secret;

pub fn run(ctx: &Context, cmd: &KeyCommand) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    match cmd {
        KeyCommand::ChangePassphrase => {
            let new = secret::passphrase(
                "DOORSTEP_NEW_PASSPHRASE",
                Text::PromptNewPassphrase,
                true,
                ctx.lang,
            )?;
            store.change_vault(&PassphraseVault::new(new))?;
            if ctx.json {
                print_json(&json!({ "changed": true }));
            } else {
                outln!("{}", Text::PassphraseChanged.get(ctx.lang));
            }
        }
        KeyCommand::Rotate {
            batch_size,
            pause_ms,
        } => {
            let opts = RotateOptions {
                batch_size: *batch_size,
                pause: Duration::from_millis(*pause_ms),
            };
            let quiet = ctx.json;
            let report = store.rotate_data_key(&opts, &mut |p| {
                if !quiet && p.total > 0 {
                    eprint!("\r{}/{}", p.done, p.total);
                }
            })?;
            if !report.unreadable.is_empty() {
                let message = format!(
                    "{} {}",
                    report.unreadable.len(),
                    Text::UnreadableKept.get(ctx.lang)
                );
                output::warn(ctx.json, "unreadable", &message, &report.unreadable);
            }
            if ctx.json {
                print_json(&json!({
                    "new_key_id": report.new_key_id,
                    "rows": report.rows,
                    "resumed": report.resumed,
                    "unreadable": report.unreadable,
                }));
            } else {
                eprintln!();
                let resumed = if report.resumed {
                    Text::RotationResumed.get(ctx.lang)
                } else {
                    ""
                };
                outln!(
                    "{} ({} {}, {} {}) {resumed}",
                    Text::Rotated.get(ctx.lang),
                    Text::KeyId.get(ctx.lang),
                    report.new_key_id,
                    report.rows,
                    Text::Rows.get(ctx.lang),
                );
            }
        }
    }
    store.close()?;
    Ok(())
}
