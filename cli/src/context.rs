//! What every command needs: the store folder, the language, today's date, the output mode.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, NaiveDate};
use doorstep_core::crypto::PassphraseVault;
use doorstep_core::text::{Lang, Text};
use doorstep_core::Doorstep;

use crate::args::Global;
use crate::output::{self, CliError};
use crate::secret;

#[derive(Debug)]
pub struct Context {
    pub store_dir: PathBuf,
    pub json: bool,
    pub lang: Lang,
    /// The clock with the device's offset: "today" is the local date. `DOORSTEP_NOW`
    /// (RFC 3339, with its offset) pins it, for scripted simulations and tests.
    pub now: DateTime<FixedOffset>,
}

/// `DOORSTEP_LANG`, then `LANG`; Chinese unless one says English.
pub fn lang() -> Lang {
    std::env::var("DOORSTEP_LANG")
        .or_else(|_| std::env::var("LANG"))
        .map(|l| Lang::from_locale(&l))
        .unwrap_or_default()
}

fn default_store() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("doorstep"))
}

impl Context {
    pub fn new(g: &Global) -> Result<Self, CliError> {
        let now = match std::env::var("DOORSTEP_NOW") {
            Ok(s) => DateTime::parse_from_rfc3339(&s).map_err(|_| CliError::usage(Text::BadNow))?,
            Err(_) => Local::now().fixed_offset(),
        };
        let store_dir = g
            .store
            .clone()
            .or_else(default_store)
            .ok_or_else(|| CliError::usage(Text::NoStoreFolder))?;
        Ok(Self {
            store_dir,
            json: g.json,
            lang: lang(),
            now,
        })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// Opens the store with the passphrase from the environment or a prompt, and says so on
    /// stderr when the data key should be rotated.
    pub fn open(&self) -> Result<Doorstep, CliError> {
        let pass = secret::passphrase(
            "DOORSTEP_PASSPHRASE",
            Text::PromptPassphrase,
            false,
            self.lang,
        )?;
        let store = Doorstep::open(&self.store_dir, &PassphraseVault::new(pass))?;
        if store.rotation_pending() {
            let m = Text::RotationPending.get(self.lang);
            output::warn(self.json, "rotation_pending", m, &[]);
        } else if store.rotation_due() {
            let m = Text::RotationDue.get(self.lang);
            output::warn(self.json, "rotation_due", m, &[]);
        }
        Ok(store)
    }
}
