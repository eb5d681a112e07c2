//! The demo's field devices: each an encrypted store of its own that enrols with a one-time
//! code and syncs through the real protocol over HTTP, as a phone would.

use chrono::{DateTime, FixedOffset};
use doorstep_core::crypto::RawKeyVault;
use doorstep_core::roster::ListQuery;
use doorstep_core::sync::SyncReport;
use doorstep_core::{Doorstep, Result};

use super::visits::{self, Day};
use crate::transport::Ureq;

/// One simulated worker's phone.
pub struct Device {
    /// The township (division-code prefix) the worker covers, and where they set out.
    pub township: String,
    pub base: (f64, f64),
    /// Which of the township's households are this worker's: every `stride`-th from `slot`.
    slot: usize,
    stride: usize,
    pub store: Doorstep,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("township", &self.township)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// A new phone, enrolled with `code` at `server`. Demo phones use a fixed key per phone
    /// (the Keystore's job on a real one).
    #[allow(clippy::too_many_arguments)]
    pub fn enrol(
        dir: &std::path::Path,
        n: u8,
        township: String,
        base: (f64, f64),
        (slot, stride): (usize, usize),
        transport: &Ureq,
        server: &str,
        code: &str,
    ) -> Result<Device> {
        let vault = RawKeyVault::new([n.wrapping_add(1); 32]);
        let mut store = Doorstep::create(&dir.join(format!("device-{n:02}")), &vault)?;
        store.enroll(transport, server, code)?;
        Ok(Device {
            township,
            base,
            slot,
            stride: stride.max(1),
            store,
        })
    }

    pub fn sync(&mut self, transport: &Ureq, now: DateTime<FixedOffset>) -> Result<SyncReport> {
        self.store.sync(transport, now, &mut |_, _, _| {})
    }

    /// A day's round: the worker's most overdue households in the township, `count` of them;
    /// with `cases`, the round holds the cases supervisors must see flagged.
    pub fn field_day(
        &mut self,
        day: DateTime<FixedOffset>,
        count: usize,
        cases: bool,
    ) -> Result<Day> {
        let due = self.store.roster(
            &ListQuery {
                due_only: true,
                village: Some(self.township.clone()),
                ..ListQuery::default()
            },
            day.date_naive(),
        )?;
        let mine: Vec<String> = due
            .entries
            .iter()
            .skip(self.slot)
            .step_by(self.stride)
            .take(count)
            .map(|e| e.id.clone())
            .collect();
        visits::run(&mut self.store, &mine, self.base, day, cases)
    }
}
