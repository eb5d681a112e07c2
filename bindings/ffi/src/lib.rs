//! doorstep-ffi: the Doorstep core as Kotlin, Swift and Python see it (UniFFI, proc macros).
//! Small wrappers only: every rule stays in doorstep-core. A `Doorstep` object owns one
//! encrypted store; a `VisitSession` takes a visit's actions and returns its view state —
//! everything a screen needs in one record. A panic in Rust reaches the caller as an error,
//! never as a crash (the release profile unwinds; UniFFI catches it at the boundary).

#![forbid(unsafe_code)]

mod errors;
mod platform;
mod session;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset};
use doorstep_core::crypto::{PassphraseVault, WrapperVault};
use doorstep_core::roster::{self, ListQuery};
use doorstep_core::store::tasks;
use doorstep_core::{sync as core_sync, visit, Store};

pub use errors::{PlatformError, StoreError, SyncError, VisitError};
pub use platform::{HttpHeader, HttpRequest, HttpResponse, HttpTransport, KeyVault};
pub use session::{
    ExportedVisit, GpsFix, MediaFile, SealedVisit, Signer, VisitSession, VisitState,
};

uniffi::setup_scaffolding!();

/// The device clock with its offset: what a visit records as "now".
pub(crate) fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// One row of a due list: no subsidies, the ID number masked.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RosterEntry {
    pub id: String,
    pub name: String,
    pub id_number_masked: String,
    pub village_code: String,
    pub overdue_days: i64,
    pub distance_m: Option<f64>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct Enrolment {
    pub device_id: String,
    pub worker: String,
    pub area: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncSummary {
    pub sent: u64,
    pub receipted: u64,
    pub conflicts: u64,
    pub refused: u64,
    pub media_sent: u64,
    pub roster_rows: u64,
    pub decisions: u64,
    pub ticket_updates: u64,
    pub clock_skew_secs: Option<i64>,
}

/// A review decision or a ticket update from the server.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Task {
    /// "decision" or "ticket".
    pub kind: String,
    pub visit_id: String,
    pub decision: String,
    pub comment: String,
}

/// An open encrypted store on this device.
#[derive(uniffi::Object)]
pub struct Doorstep {
    store: Mutex<Store>,
}

impl std::fmt::Debug for Doorstep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Doorstep(..)")
    }
}

impl Doorstep {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves SQLite consistent (its transaction rolled
        // back), so a poisoned lock is still usable.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wrap(store: Store) -> Arc<Self> {
        Arc::new(Doorstep {
            store: Mutex::new(store),
        })
    }
}

#[uniffi::export]
impl Doorstep {
    /// A new store in `dir`, its data key wrapped by the platform key store `vault` (`kind`
    /// names it, e.g. "android-keystore").
    #[uniffi::constructor]
    pub fn create_with_vault(
        dir: String,
        kind: String,
        vault: Arc<dyn KeyVault>,
    ) -> Result<Arc<Self>, StoreError> {
        let v = WrapperVault::new(kind, Arc::new(platform::ForeignWrapper(vault)));
        Ok(Self::wrap(Store::create(&PathBuf::from(dir), &v)?))
    }

    #[uniffi::constructor]
    pub fn open_with_vault(
        dir: String,
        kind: String,
        vault: Arc<dyn KeyVault>,
    ) -> Result<Arc<Self>, StoreError> {
        let v = WrapperVault::new(kind, Arc::new(platform::ForeignWrapper(vault)));
        Ok(Self::wrap(Store::open(&PathBuf::from(dir), &v)?))
    }

    /// A new store protected by a passphrase (PBKDF2, 600,000 iterations).
    #[uniffi::constructor]
    pub fn create_with_passphrase(
        dir: String,
        passphrase: String,
    ) -> Result<Arc<Self>, StoreError> {
        Ok(Self::wrap(Store::create(
            &PathBuf::from(dir),
            &PassphraseVault::new(passphrase),
        )?))
    }

    #[uniffi::constructor]
    pub fn open_with_passphrase(dir: String, passphrase: String) -> Result<Arc<Self>, StoreError> {
        Ok(Self::wrap(Store::open(
            &PathBuf::from(dir),
            &PassphraseVault::new(passphrase),
        )?))
    }

    /// Re-wraps the data key under a new passphrase, in one transaction.
    pub fn change_passphrase(&self, new_passphrase: String) -> Result<(), StoreError> {
        Ok(self
            .store()
            .change_vault(&PassphraseVault::new(new_passphrase))?)
    }

    /// Today's due list, most overdue first, then nearest to (`lat`, `lon`) when given.
    pub fn due_list(
        &self,
        limit: u32,
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> Result<Vec<RosterEntry>, StoreError> {
        let store = self.store();
        let q = ListQuery {
            due_only: true,
            near: lat.zip(lon),
            limit: Some(limit as usize),
            ..ListQuery::default()
        };
        let list = roster::list(&store, &q, now().date_naive())?;
        Ok(list
            .entries
            .into_iter()
            .map(|e| RosterEntry {
                id: e.id,
                name: e.name,
                id_number_masked: e.id_number_masked,
                village_code: e.village_code,
                overdue_days: e.overdue_days,
                distance_m: e.distance_m,
            })
            .collect())
    }

    /// Starts a visit to a recipient of the roster.
    pub fn start_visit(
        self: Arc<Self>,
        recipient_id: String,
    ) -> Result<Arc<VisitSession>, VisitError> {
        let view = visit::start(&mut self.store(), &recipient_id, now())?;
        Ok(VisitSession::new(self, view.visit_id))
    }

    /// Picks up a visit where it was left (after the app was killed, say).
    pub fn resume_visit(
        self: Arc<Self>,
        visit_id: String,
    ) -> Result<Arc<VisitSession>, VisitError> {
        visit::view(&self.store(), &visit_id)?;
        Ok(VisitSession::new(self, visit_id))
    }

    /// A correction of a sealed (returned) visit: a new visit that references it.
    pub fn correct_visit(
        self: Arc<Self>,
        original_id: String,
    ) -> Result<Arc<VisitSession>, VisitError> {
        let view = visit::start_correction(&mut self.store(), &original_id, now())?;
        Ok(VisitSession::new(self, view.visit_id))
    }

    /// Enrols this device with a server using a one-time code.
    pub fn enroll(
        &self,
        transport: Arc<dyn HttpTransport>,
        server: String,
        code: String,
    ) -> Result<Enrolment, SyncError> {
        let e = core_sync::enroll(
            &mut self.store(),
            &platform::ForeignTransport(transport),
            &server,
            &code,
        )?;
        Ok(Enrolment {
            device_id: e.device_id,
            worker: e.worker,
            area: e.area,
        })
    }

    /// Sealed visits and media up; roster, decisions and ticket updates down.
    pub fn sync(&self, transport: Arc<dyn HttpTransport>) -> Result<SyncSummary, SyncError> {
        let r = core_sync::sync(
            &mut self.store(),
            &platform::ForeignTransport(transport),
            now(),
            &mut |_, _, _| {},
        )?;
        Ok(SyncSummary {
            sent: r.sent,
            receipted: r.receipted,
            conflicts: r.conflicts,
            refused: r.refused,
            media_sent: r.media_sent,
            roster_rows: r.roster_rows,
            decisions: r.decisions,
            ticket_updates: r.ticket_updates,
            clock_skew_secs: r.clock_skew_secs,
        })
    }

    /// Review decisions and ticket updates, oldest first.
    pub fn tasks(&self) -> Result<Vec<Task>, SyncError> {
        let store = self.store();
        let mut all = Vec::new();
        for kind in ["decision", "ticket"] {
            for t in tasks::list(store.conn(), store.keys(), kind)? {
                all.push(Task {
                    kind: t.kind,
                    visit_id: t.visit_id,
                    decision: t.decision,
                    comment: t.comment,
                });
            }
        }
        Ok(all)
    }
}
