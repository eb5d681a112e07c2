//! `doorstep visit`: the visit session from the terminal, the same actions a phone sends.

use std::io::Read;
use std::path::Path;

use doorstep_core::facade::VisitProgress;
use doorstep_core::model::Datum;
use doorstep_core::rules::{Action, SignerRole, ViewState};
use doorstep_core::text::{Localize, Text};
use doorstep_core::visit::Export;
use doorstep_core::visit::SignatureInput;
use doorstep_core::Doorstep;
use serde_json::json;

use crate::args::{DatumArg, Signer, VisitCommand};
use crate::context::Context;
use crate::outln;
use crate::output::{pad, print_json, CliError};

fn read_input(file: &Path) -> Result<Vec<u8>, CliError> {
    if file == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        Ok(buf)
    } else {
        Ok(std::fs::read(file)?)
    }
}

/// Writes an export as private files (the record is personal data) into a new or empty
/// folder, so one export never mixes with another's media.
fn write_export(out: &Path, e: &Export) -> Result<(), CliError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(CliError::usage(Text::ExportNotEmpty));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out.join("media"))?;
    let write = |path: std::path::PathBuf, bytes: &[u8]| -> std::io::Result<()> {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?
            .write_all(bytes)
    };
    write(out.join("record.json"), &e.record)?;
    write(out.join("record.sig"), &e.signature)?;
    write(out.join("device.pub"), &e.device_public)?;
    for (sha, ext, bytes) in &e.media {
        write(out.join("media").join(format!("{sha}.{ext}")), bytes)?;
    }
    Ok(())
}

/// The view state as JSON, or in words: the draft's own checklist labels, subsidies by name
/// (never a protected one's), each flag with its measurement.
fn print_view(ctx: &Context, store: &Doorstep, v: &ViewState) -> Result<(), CliError> {
    if ctx.json {
        print_json(&serde_json::to_value(v).expect("view states serialise"));
        return Ok(());
    }
    let lang = ctx.lang;
    let words = store.view_words(v, lang)?;
    outln!("{} {}", pad(Text::Visit.get(lang), 10), v.visit_id);
    outln!("{} {}", pad(Text::Step.get(lang), 10), words.step);
    for m in &words.missing {
        outln!("  {} {m}", Text::MissingMark.get(lang));
    }
    for w in &words.warnings {
        outln!("  {} {w}", Text::WarningMark.get(lang));
    }
    for f in &words.flags {
        outln!("  {} {f}", Text::FlagMark.get(lang));
    }
    if v.can_finish {
        outln!("{}", Text::CanFinish.get(lang));
    }
    Ok(())
}

pub fn run(ctx: &Context, cmd: &VisitCommand) -> Result<(), CliError> {
    // Inputs are read and parsed before the store is opened: a bad file costs no key
    // derivation and cannot leave anything half-done.
    let actions = match cmd {
        VisitCommand::Act { file, .. } => Action::parse_many(&read_input(file)?)
            .map_err(|e| CliError::usage_with(Text::BadActions, &e))?,
        VisitCommand::Sign {
            strokes,
            signer,
            proxy_name,
            relation,
            ..
        } => {
            let strokes = match strokes {
                Some(f) => Some(
                    SignatureInput::from_json(&read_input(f)?)
                        .map_err(doorstep_core::Error::from)?,
                ),
                None => None,
            };
            vec![Action::Sign {
                signer: match signer {
                    Signer::Recipient => SignerRole::Recipient,
                    Signer::Proxy => SignerRole::Proxy,
                    Signer::Thumbprint => SignerRole::Thumbprint,
                },
                proxy_name: proxy_name.clone().unwrap_or_default(),
                relation: relation.clone().unwrap_or_default(),
                strokes,
                attested: Text::Attestation.get(ctx.lang).to_owned(),
            }]
        }
        VisitCommand::Fix {
            lat,
            lon,
            accuracy,
            at,
            mock,
            datum,
            provider,
            ..
        } => {
            let at = at
                .as_deref()
                .map(chrono::DateTime::parse_from_rfc3339)
                .transpose()
                .map_err(|_| CliError::usage(Text::BadNow))?;
            vec![Action::Fix {
                lat: *lat,
                lon: *lon,
                accuracy_m: *accuracy,
                at,
                provider: provider.clone(),
                mock: *mock,
                datum: Some(match datum {
                    DatumArg::Wgs84 => Datum::Wgs84,
                    DatumArg::Gcj02 => Datum::Gcj02,
                }),
            }]
        }
        _ => Vec::new(),
    };
    let photo = match cmd {
        VisitCommand::Photo { file, .. } => Some(read_input(file)?),
        _ => None,
    };
    let mut store = ctx.open()?;
    match cmd {
        VisitCommand::Start { recipient_id } => {
            let v = store.start_visit(recipient_id, ctx.now)?;
            print_view(ctx, &store, &v)?;
        }
        VisitCommand::Correct { visit_id } => {
            let v = store.correct_visit(visit_id, ctx.now)?;
            print_view(ctx, &store, &v)?;
        }
        VisitCommand::Act { visit_id, .. }
        | VisitCommand::Sign { visit_id, .. }
        | VisitCommand::Fix { visit_id, .. } => {
            let v = store.act(visit_id, &actions, ctx.now)?;
            print_view(ctx, &store, &v)?;
        }
        VisitCommand::Photo { visit_id, .. } => {
            let bytes = photo.unwrap_or_default();
            let v = store.add_photo(visit_id, &bytes, ctx.now)?;
            print_view(ctx, &store, &v)?;
        }
        VisitCommand::Show { visit_id } => {
            let v = store.view(visit_id)?;
            print_view(ctx, &store, &v)?;
        }
        VisitCommand::Finish { visit_id } => {
            let done = store.finish(visit_id, ctx.now)?;
            if ctx.json {
                print_json(&serde_json::to_value(&done).expect("reports serialise"));
            } else {
                outln!(
                    "{} {} #{}",
                    Text::Sealed.get(ctx.lang),
                    done.visit_id,
                    done.seq
                );
                outln!("SHA-256 {}", done.hash);
                for f in &done.flags {
                    outln!(
                        "  {} {}",
                        Text::FlagMark.get(ctx.lang),
                        f.localize(ctx.lang)
                    );
                }
            }
        }
        VisitCommand::Export { visit_id, out } => {
            let e = store.export(visit_id)?;
            write_export(out, &e)?;
            if ctx.json {
                print_json(&json!({ "dir": out, "media": e.media.len() }));
            } else {
                outln!("{}", out.display());
            }
        }
        VisitCommand::List => {
            let rows = store.visits()?;
            let state = |v: &doorstep_core::VisitItem| if v.sealed { "sealed" } else { "draft" };
            if ctx.json {
                print_json(&json!(rows
                    .iter()
                    .map(|v| json!({
                        "id": v.visit_id,
                        "recipient_id": v.recipient_id,
                        "state": state(v),
                        "progress": progress_code(v.progress),
                    }))
                    .collect::<Vec<_>>()));
            } else {
                for v in &rows {
                    outln!(
                        "{}  {}  {}",
                        v.visit_id,
                        pad(&v.recipient_id, 12),
                        v.progress.localize(ctx.lang)
                    );
                }
            }
        }
    }
    store.close()?;
    Ok(())
}

fn progress_code(p: VisitProgress) -> &'static str {
    match p {
        VisitProgress::Draft => "draft",
        VisitProgress::Waiting => "waiting",
        VisitProgress::Sent => "sent",
        VisitProgress::Receipted => "receipted",
        VisitProgress::Conflict => "conflict",
        VisitProgress::Refused => "refused",
        VisitProgress::Returned => "returned",
        VisitProgress::Corrected => "corrected",
        VisitProgress::Approved => "approved",
        VisitProgress::Rejected => "rejected",
    }
}
