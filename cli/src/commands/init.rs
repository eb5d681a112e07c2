//! `doorstep init`: create an encrypted store.

use doorstep_core::crypto::PassphraseVault;
use doorstep_core::text::Text;
use doorstep_core::{Doorstep, SCHEMA_VERSION};
use serde_json::json;

use crate::context::Context;
use crate::outln;
use crate::output::{print_json, CliError};
use crate::secret;

pub fn run(ctx: &Context) -> Result<(), CliError> {
    let pass = secret::passphrase(
        "DOORSTEP_PASSPHRASE",
        Text::PromptNewPassphrase,
        true,
        ctx.lang,
    )?;
    let store = Doorstep::create(&ctx.store_dir, &PassphraseVault::new(pass))?;
    if ctx.json {
        print_json(&json!({
            "store": ctx.store_dir,
            "schema_version": SCHEMA_VERSION,
        }));
    } else {
        outln!(
            "{}: {}",
            Text::StoreCreated.get(ctx.lang),
            ctx.store_dir.display()
        );
    }
    store.close()?;
    Ok(())
}
