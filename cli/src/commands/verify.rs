//! `doorstep verify DIR`: checks an exported visit with nothing but its files: the signature
//! over record.json's exact bytes, the device key, and every media file the record names.

use std::collections::BTreeMap;
use std::path::Path;

use doorstep_core::record::verify as verify_record;
use doorstep_core::text::{Localize, Text};
use serde_json::json;

use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(dir.join(name)).map_err(|e| {
        CliError::Core(doorstep_core::Error::Io(std::io::Error::new(
            e.kind(),
            format!("{name}: {e}"),
        )))
    })
}

pub fn run(ctx: &Context, dir: &Path) -> Result<(), CliError> {
    let record = read(dir, "record.json")?;
    let signature = read(dir, "record.sig")?;
    let public = read(dir, "device.pub")?;
    let mut media = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("media")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let sha = name.split('.').next().unwrap_or_default().to_owned();
            media.insert(sha, std::fs::read(e.path())?);
        }
    }
    match verify_record(&record, &signature, &public, &media) {
        Ok(head) => {
            // A signature proves only which key signed: say which, so the reader can match
            // it against the device the server enrolled.
            let device = doorstep_core::crypto::hex(&doorstep_core::crypto::sha256(&public)[..8]);
            if ctx.json {
                print_json(&json!({
                    "verified": true, "visit_id": head.visit_id, "seq": head.seq,
                    "prev_hash": head.prev_hash, "media": head.media().len(),
                    "device_key": head.device_key, "device_fingerprint": device,
                }));
            } else {
                outln!(
                    "{} {} #{} · {} {device}",
                    Text::Verified.get(ctx.lang),
                    head.visit_id,
                    head.seq,
                    Text::DeviceKey.get(ctx.lang)
                );
            }
            Ok(())
        }
        Err(problems) => {
            let list: Vec<String> = problems.iter().map(|p| p.localize(ctx.lang)).collect();
            if ctx.json {
                print_json(&json!({ "verified": false, "problems": list }));
            } else {
                for p in &list {
                    eprintln!("{p}");
                }
            }
            Err(CliError::VerifyFailed)
        }
    }
}
