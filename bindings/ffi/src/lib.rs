//! doorstep-ffi: the Doorstep core as Kotlin, Swift and Python see it (UniFFI, proc macros),
//! typed end to end: no JSON crosses. Small wrappers only: every rule stays in the core. A
//! [`Doorstep`] object owns one encrypted store and answers every screen's question (due
//! list, recipient, policy list, checklist, visits, tasks, sync); a [`VisitSession`] takes a
//! visit's actions and returns its state in one record, its words in the chosen language. A
//! panic in Rust reaches the caller as an error, never as a crash (the release profile
//! unwinds; UniFFI catches it at the boundary).

#![forbid(unsafe_code)]

mod convert;
mod errors;
mod platform;
mod records;
mod session;
mod vocabulary;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset};
use doorstep_core::crypto::{PassphraseVault, WrapperVault};
use doorstep_core::text::Lang;

pub use errors::{DoorstepError, ErrorCode, PlatformError};
pub use platform::{HttpHeader, HttpRequest, HttpResponse, HttpTransport, KeyVault, SyncObserver};
pub use records::*;
pub use session::VisitSession;
pub use vocabulary::*;

uniffi::setup_scaffolding!();

/// The device clock with its offset: what a visit records as "now".
pub(crate) fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// An open encrypted store on this device.
#[derive(uniffi::Object)]
pub struct Doorstep {
    inner: Mutex<doorstep_core::Doorstep>,
    /// A second handle on the same store for enrolment and sync, made at the first of them:
    /// while they wait on the network the screens' calls go on through `inner`.
    network: Mutex<Option<doorstep_core::Doorstep>>,
    language: Mutex<Language>,
}

impl std::fmt::Debug for Doorstep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Doorstep(..)")
    }
}

impl Doorstep {
    pub(crate) fn core(&self) -> MutexGuard<'_, doorstep_core::Doorstep> {
        // A panic while holding the lock leaves SQLite consistent (its transaction rolled
        // back), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the network handle (two syncs wait for each other, not for the screens).
    fn on_network<T>(
        &self,
        f: impl FnOnce(&mut doorstep_core::Doorstep) -> doorstep_core::Result<T>,
    ) -> Result<T, DoorstepError> {
        let mut net = self.network.lock().unwrap_or_else(|p| p.into_inner());
        let handle = match net.as_mut() {
            Some(h) => h,
            None => net.insert(self.core().another_handle().map_err(|e| self.err(e))?),
        };
        f(handle).map_err(|e| self.err(e))
    }

    pub(crate) fn lang(&self) -> Lang {
        (*self.language.lock().unwrap_or_else(|p| p.into_inner())).into()
    }

    /// A core error in this store's language.
    pub(crate) fn err(&self, e: doorstep_core::Error) -> DoorstepError {
        errors::from_core(e, self.lang())
    }

    fn wrap(store: doorstep_core::Doorstep) -> Arc<Self> {
        Arc::new(Doorstep {
            inner: Mutex::new(store),
            network: Mutex::new(None),
            language: Mutex::new(Language::Zh),
        })
    }

    fn opened(
        r: doorstep_core::Result<doorstep_core::Doorstep>,
    ) -> Result<Arc<Self>, DoorstepError> {
        r.map(Self::wrap)
            .map_err(|e| errors::from_core(e, Lang::Zh))
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
    ) -> Result<Arc<Self>, DoorstepError> {
        let v = WrapperVault::new(kind, Arc::new(platform::ForeignWrapper(vault)));
        Self::opened(doorstep_core::Doorstep::create(&PathBuf::from(dir), &v))
    }

    #[uniffi::constructor]
    pub fn open_with_vault(
        dir: String,
        kind: String,
        vault: Arc<dyn KeyVault>,
    ) -> Result<Arc<Self>, DoorstepError> {
        let v = WrapperVault::new(kind, Arc::new(platform::ForeignWrapper(vault)));
        Self::opened(doorstep_core::Doorstep::open(&PathBuf::from(dir), &v))
    }

    /// A new store protected by a passphrase (PBKDF2, 600,000 iterations).
    #[uniffi::constructor]
    pub fn create_with_passphrase(
        dir: String,
        passphrase: String,
    ) -> Result<Arc<Self>, DoorstepError> {
        Self::opened(doorstep_core::Doorstep::create(
            &PathBuf::from(dir),
            &PassphraseVault::new(passphrase),
        ))
    }

    #[uniffi::constructor]
    pub fn open_with_passphrase(
        dir: String,
        passphrase: String,
    ) -> Result<Arc<Self>, DoorstepError> {
        Self::opened(doorstep_core::Doorstep::open(
            &PathBuf::from(dir),
            &PassphraseVault::new(passphrase),
        ))
    }

    /// The language of every text this store's answers carry (Chinese until set).
    pub fn set_language(&self, language: Language) {
        *self.language.lock().unwrap_or_else(|p| p.into_inner()) = language;
    }

    pub fn language(&self) -> Language {
        *self.language.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Re-wraps the data key under a new passphrase, in one transaction.
    pub fn change_passphrase(&self, new_passphrase: String) -> Result<(), DoorstepError> {
        self.core()
            .change_vault(&PassphraseVault::new(new_passphrase))
            .map_err(|e| self.err(e))?;
        // The network handle holds the old wrapping: the next sync opens a fresh one.
        *self.network.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// The due list or a search: most overdue first, then nearest. A search of an ID number
    /// or a mobile number is an exact lookup; anything else is part of a name.
    pub fn roster(&self, query: RosterQuery) -> Result<Vec<RosterEntry>, DoorstepError> {
        let q = convert::list_query(&query);
        let found = self
            .core()
            .search(&q, now().date_naive())
            .map_err(|e| self.err(e))?;
        Ok(found
            .entries
            .into_iter()
            .map(convert::roster_entry)
            .collect())
    }

    /// Today's due list, `limit` of them, nearest first among equals when `near` is given.
    pub fn due_list(
        &self,
        limit: u32,
        near: Option<LatLon>,
    ) -> Result<Vec<RosterEntry>, DoorstepError> {
        self.roster(RosterQuery {
            due_only: true,
            search: None,
            village: None,
            near,
            limit,
        })
    }

    /// One recipient; protected subsidies hidden.
    pub fn recipient(&self, id: String) -> Result<RecipientDetail, DoorstepError> {
        let now = now();
        let d = self
            .core()
            .recipient(&id, false, now)
            .map_err(|e| self.err(e))?;
        Ok(convert::recipient_detail(d, now.date_naive()))
    }

    /// One recipient with protected subsidies named: the reveal is logged before anything is
    /// returned. Only behind an explicit tap.
    pub fn reveal_protected(&self, id: String) -> Result<RecipientDetail, DoorstepError> {
        let now = now();
        let d = self
            .core()
            .recipient(&id, true, now)
            .map_err(|e| self.err(e))?;
        Ok(convert::recipient_detail(d, now.date_naive()))
    }

    /// The checklist new visits answer, in the chosen language.
    pub fn checklist(&self) -> Result<Checklist, DoorstepError> {
        let t = self.core().checklist().map_err(|e| self.err(e))?;
        Ok(convert::checklist(&t, self.lang()))
    }

    /// The policy list a worker explains (the county's; a recipient's own subsidies can be
    /// explained too, by their codes).
    pub fn policy_topics(&self) -> Result<Vec<PolicyTopic>, DoorstepError> {
        let p = self.core().policy().map_err(|e| self.err(e))?;
        let lang = self.lang();
        Ok(p.topics
            .iter()
            .map(|t| PolicyTopic {
                code: t.code.clone(),
                title: match lang {
                    Lang::Zh => t.title.zh.clone(),
                    Lang::En => t.title.en.clone(),
                },
            })
            .collect())
    }

    /// Starts a visit to a recipient of the roster.
    pub fn start_visit(
        self: Arc<Self>,
        recipient_id: String,
    ) -> Result<Arc<VisitSession>, DoorstepError> {
        let view = self
            .core()
            .start_visit(&recipient_id, now())
            .map_err(|e| self.err(e))?;
        Ok(VisitSession::new(self, view.visit_id))
    }

    /// Picks up a draft where it was left (after the app was killed, say).
    pub fn resume_visit(
        self: Arc<Self>,
        visit_id: String,
    ) -> Result<Arc<VisitSession>, DoorstepError> {
        self.core().view(&visit_id).map_err(|e| self.err(e))?;
        Ok(VisitSession::new(self, visit_id))
    }

    /// A correction of a sealed (returned) visit: a new visit that references it.
    pub fn correct_visit(
        self: Arc<Self>,
        original_id: String,
    ) -> Result<Arc<VisitSession>, DoorstepError> {
        let view = self
            .core()
            .correct_visit(&original_id, now())
            .map_err(|e| self.err(e))?;
        Ok(VisitSession::new(self, view.visit_id))
    }

    /// Every draft and sealed visit, newest first, with where each stands.
    pub fn visits(&self) -> Result<Vec<VisitSummary>, DoorstepError> {
        let lang = self.lang();
        let items = self.core().visits().map_err(|e| self.err(e))?;
        Ok(items
            .into_iter()
            .map(|v| convert::visit_summary(v, lang))
            .collect())
    }

    /// Enrols this device with a server using a one-time code.
    pub fn enroll(
        &self,
        transport: Arc<dyn HttpTransport>,
        server: String,
        code: String,
    ) -> Result<Enrolled, DoorstepError> {
        self.on_network(|core| core.enroll(&platform::ForeignTransport(transport), &server, &code))
    }

    /// Sealed visits and media up; roster, policy, decisions and ticket updates down.
    pub fn sync(
        &self,
        transport: Arc<dyn HttpTransport>,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> Result<SyncReport, DoorstepError> {
        self.on_network(|core| {
            core.sync(
                &platform::ForeignTransport(transport),
                now(),
                &mut |stage, done, total| {
                    if let Some(o) = &observer {
                        o.progress(stage, done, total);
                    }
                },
            )
        })
    }

    /// Returned visits to correct, decisions, and ticket updates to pass on.
    pub fn tasks(&self) -> Result<Vec<Task>, DoorstepError> {
        let t = self.core().tasks().map_err(|e| self.err(e))?;
        Ok(convert::tasks(t, self.lang()))
    }

    /// Enrolment, last sync, unsent visits, clock skew.
    pub fn status(&self) -> Result<DeviceStatus, DoorstepError> {
        self.core().status().map_err(|e| self.err(e))
    }
}
