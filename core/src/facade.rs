//! The use cases a shell calls: one [`Doorstep`] per open store, with a method for everything
//! a phone screen, a CLI command or a script does — the store and its keys, the roster, the
//! visit session, sealing and export, enrolment, sync and tasks. The repositories beneath stay
//! private to the core; no shell touches SQL, keys or envelopes.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use doorstep_contract::model::{Category, ChecklistTemplate, Recipient};
use doorstep_contract::policy::Policy;
use doorstep_contract::text::{Lang, Localize, Text};
use doorstep_contract::wire::{Decision, ReceiptStatus, VisitStatus};

use crate::crypto::KeyVault;
use crate::error::Result;
use crate::roster::{
    ImportOptions, ImportReport, ListEntry, ListQuery, ListResult, RecipientDetail,
};
use crate::rules::{Action, Draft, ViewState};
use crate::store::{
    policy, recipients, sync_state, visits, RotateOptions, RotateProgress, RotateReport, Store,
};
use crate::sync::{DeviceStatus, Enrolled, SyncReport, SyncStage, Tasks};
use crate::transport::HttpTransport;
use crate::visit::{Export, Finished};

/// Where a visit stands, from the worker's side: still a draft, or sealed and somewhere on
/// its way through the server and review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VisitProgress {
    Draft,
    /// Sealed, not sent yet.
    Waiting,
    /// Sent; the server's receipt has not come back (it goes again with the next sync).
    Sent,
    /// The server holds it; no decision yet.
    Receipted,
    /// The server holds another record under this id.
    Conflict,
    /// The server refused it (see the sync's report).
    Refused,
    /// Returned for correction, and not corrected yet.
    Returned,
    /// Returned, and a correction is sealed.
    Corrected,
    Approved,
    Rejected,
}

impl Localize for VisitProgress {
    fn localize(&self, lang: Lang) -> String {
        let text = match self {
            VisitProgress::Draft => Text::Draft,
            VisitProgress::Waiting => Text::SyncWaiting,
            VisitProgress::Sent => Text::SyncSent,
            VisitProgress::Receipted => Text::SyncReceipted,
            VisitProgress::Conflict => Text::SyncConflict,
            VisitProgress::Refused => Text::SyncRefused,
            VisitProgress::Returned => return VisitStatus::Returned.localize(lang),
            VisitProgress::Corrected => return VisitStatus::Corrected.localize(lang),
            VisitProgress::Approved => return VisitStatus::Approved.localize(lang),
            VisitProgress::Rejected => return VisitStatus::Rejected.localize(lang),
        };
        text.get(lang).to_owned()
    }
}

/// One visit in the list of drafts and sealed visits.
#[derive(Clone, PartialEq, Eq)]
pub struct VisitItem {
    pub visit_id: String,
    pub recipient_id: String,
    /// The household's name (None when the roster no longer holds it).
    pub recipient_name: Option<String>,
    /// RFC 3339, with the device's offset.
    pub started_at: String,
    pub sealed: bool,
    pub progress: VisitProgress,
}

// A name is personal.
impl std::fmt::Debug for VisitItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisitItem")
            .field("visit_id", &self.visit_id)
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

/// A view state in words, for a screen: the step, each missing item (a checklist item as its
/// template words it), each warning (a subsidy by its name, never a protected one's), and each
/// flag with its measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewWords {
    pub step: String,
    pub missing: Vec<String>,
    pub warnings: Vec<String>,
    pub flags: Vec<String>,
}

/// An open encrypted store on this device, and every use case over it.
#[derive(Debug)]
pub struct Doorstep {
    store: Store,
}

impl Doorstep {
    /// A new store in `dir` (made 0700; files 0600), its data key wrapped by `vault`.
    pub fn create(dir: &Path, vault: &dyn KeyVault) -> Result<Doorstep> {
        Ok(Doorstep {
            store: Store::create(dir, vault)?,
        })
    }

    /// Opens a store; a wrong key is refused before anything is written.
    pub fn open(dir: &Path, vault: &dyn KeyVault) -> Result<Doorstep> {
        Ok(Doorstep {
            store: Store::open(dir, vault)?,
        })
    }

    /// A second handle on the same store, for work that waits on the network (enrolment,
    /// sync): the first stays free for the screens meanwhile. Writes of the two are
    /// serialised by SQLite; each sees the other's commits.
    pub fn another_handle(&self) -> Result<Doorstep> {
        Ok(Doorstep {
            store: self.store.another()?,
        })
    }

    /// Closes the store, folding the write-ahead log into the database file.
    pub fn close(self) -> Result<()> {
        self.store.close()
    }

    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    // The store's keys.

    /// Re-wraps the data key under a new vault (a passphrase change), in one transaction.
    pub fn change_vault(&mut self, vault: &dyn KeyVault) -> Result<()> {
        self.store.change_vault(vault)
    }

    /// Re-encrypts everything under a new data key, in short transactions; resumes a rotation
    /// that was interrupted.
    pub fn rotate_data_key(
        &mut self,
        opts: &RotateOptions,
        progress: &mut dyn FnMut(RotateProgress),
    ) -> Result<RotateReport> {
        self.store.rotate_data_key(opts, progress)
    }

    /// A data-key rotation was interrupted and should be finished.
    pub fn rotation_pending(&self) -> bool {
        self.store.keys().is_rotating()
    }

    /// The data key has been used enough that it should be rotated.
    pub fn rotation_due(&self) -> bool {
        self.store.needs_rotation()
    }

    // The roster.

    pub fn import_roster(
        &mut self,
        bytes: &[u8],
        format: crate::roster::RosterFormat,
        opts: ImportOptions,
        today: NaiveDate,
    ) -> Result<ImportReport> {
        crate::roster::import(&mut self.store, bytes, format, opts, today)
    }

    /// Upserts recipients already validated (generated ones, for demos and measurements).
    pub fn import_recipients(&mut self, people: &[Recipient]) -> Result<()> {
        crate::roster::import_recipients(&mut self.store, people)
    }

    /// The roster list, most overdue first, then nearest.
    pub fn roster(&self, q: &ListQuery, today: NaiveDate) -> Result<ListResult> {
        crate::roster::list(&self.store, q, today)
    }

    /// Exact lookup by ID number or mobile number (None when `key` is neither).
    pub fn lookup(
        &self,
        key: &str,
        q: &ListQuery,
        today: NaiveDate,
    ) -> Result<Option<Vec<ListEntry>>> {
        crate::roster::lookup(&self.store, key, q, today)
    }

    /// A search box: an ID number or a mobile is an exact lookup through the blind indexes,
    /// anything else part of a name.
    pub fn search(&self, q: &ListQuery, today: NaiveDate) -> Result<ListResult> {
        if let Some(text) = q.search.as_deref() {
            if let Some(found) = self.lookup(text, q, today)? {
                let total = found.len();
                let mut entries = found;
                if let Some(limit) = q.limit {
                    entries.truncate(limit);
                }
                return Ok(ListResult {
                    entries,
                    total,
                    unreadable: Vec::new(),
                });
            }
        }
        self.roster(q, today)
    }

    /// One recipient; protected subsidies are named only with `reveal_protected`, and each
    /// reveal is logged before anything is shown.
    pub fn recipient(
        &mut self,
        id: &str,
        reveal_protected: bool,
        now: DateTime<FixedOffset>,
    ) -> Result<RecipientDetail> {
        crate::roster::show(&mut self.store, id, reveal_protected, now)
    }

    /// How many recipients the store holds.
    pub fn recipient_count(&self) -> Result<u64> {
        recipients::count(self.store.conn())
    }

    // The policy and the checklist.

    pub fn policy(&self) -> Result<Policy> {
        policy::read(self.store.conn())
    }

    /// Sets how often a special group is visited. On a device enrolled with a server the
    /// county's policy applies, and a local change is refused.
    pub fn set_visit_interval(&mut self, category: Category, days: u32) -> Result<Policy> {
        if sync_state::get(self.store.conn())?.is_some() {
            return Err(doorstep_contract::model::Invalid::PolicyFromServer.into());
        }
        // Read, change and write in one transaction: a concurrent change is not lost.
        self.store.write(|tx, _| {
            // A damaged record is replaced from the defaults, or it could never be fixed.
            let mut p = match policy::read(tx) {
                Err(crate::Error::Corrupt { .. }) => Policy::default(),
                other => other?,
            };
            p.visit_intervals.set(category, days)?;
            p.version += 1;
            policy::write(tx, &p)?;
            Ok(p)
        })
    }

    /// The checklist template new visits answer.
    pub fn checklist(&self) -> Result<ChecklistTemplate> {
        Ok(policy::latest_template(self.store.conn())?.unwrap_or_else(ChecklistTemplate::builtin))
    }

    // Visits.

    pub fn start_visit(
        &mut self,
        recipient_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<ViewState> {
        crate::visit::start(&mut self.store, recipient_id, now)
    }

    /// A correction of a sealed visit: a new visit whose record points at the original.
    pub fn correct_visit(
        &mut self,
        original_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<ViewState> {
        crate::visit::start_correction(&mut self.store, original_id, now)
    }

    /// Applies actions in order, each committed on its own; the first refused one stops the
    /// call with its error and changes nothing.
    pub fn act(
        &mut self,
        visit_id: &str,
        actions: &[Action],
        now: DateTime<FixedOffset>,
    ) -> Result<ViewState> {
        crate::visit::act(&mut self.store, visit_id, actions, now)
    }

    pub fn add_photo(
        &mut self,
        visit_id: &str,
        bytes: &[u8],
        now: DateTime<FixedOffset>,
    ) -> Result<ViewState> {
        crate::visit::add_photo(&mut self.store, visit_id, bytes, now)
    }

    pub fn remove_photo(
        &mut self,
        visit_id: &str,
        sha256: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<ViewState> {
        crate::visit::remove_photo(&mut self.store, visit_id, sha256, now)
    }

    /// A small JPEG of one of a visit's photos.
    pub fn photo_thumbnail(&self, visit_id: &str, sha256: &str, long_edge: u32) -> Result<Vec<u8>> {
        crate::visit::photo_thumbnail(&self.store, visit_id, sha256, long_edge)
    }

    /// The signature as a PNG, if someone has signed.
    pub fn signature_preview(&self, visit_id: &str) -> Result<Option<Vec<u8>>> {
        crate::visit::signature_preview(&self.store, visit_id)
    }

    pub fn view(&self, visit_id: &str) -> Result<ViewState> {
        crate::visit::view(&self.store, visit_id)
    }

    /// The words of a view state in `lang`.
    pub fn view_words(&self, v: &ViewState, lang: Lang) -> Result<ViewWords> {
        let template = self.checklist_of(&v.visit_id)?;
        let draft = self.draft(&v.visit_id)?;
        // A damaged roster row leaves subsidies unnamed rather than failing the screen.
        let enrolments = recipients::get(self.store.conn(), self.store.keys(), &draft.recipient_id)
            .ok()
            .flatten()
            .map(|r| r.enrolments)
            .unwrap_or_default();
        let name = |code: &str| {
            enrolments
                .iter()
                .find(|e| e.code == code && !e.protected)
                .map(|e| e.short_name.clone())
        };
        Ok(ViewWords {
            step: v.step.localize(lang),
            missing: v
                .missing
                .iter()
                .map(|m| m.describe(&template, lang))
                .collect(),
            warnings: v
                .warnings
                .iter()
                .map(|w| w.describe(&template, &name, lang))
                .collect(),
            flags: v.flags.iter().map(|f| f.localize(lang)).collect(),
        })
    }

    /// What a draft holds, for showing what was recorded.
    pub fn draft(&self, visit_id: &str) -> Result<Draft> {
        crate::visit::draft(&self.store, visit_id)
    }

    /// The checklist template a draft answers (the version it started with).
    pub fn checklist_of(&self, visit_id: &str) -> Result<ChecklistTemplate> {
        crate::visit::template_of(&self.store, visit_id)
    }

    /// Seals a complete draft: signed by the device, chained to its previous record.
    pub fn finish(&mut self, visit_id: &str, now: DateTime<FixedOffset>) -> Result<Finished> {
        crate::visit::finish(&mut self.store, visit_id, now)
    }

    /// A sealed visit as files anyone can verify.
    pub fn export(&mut self, visit_id: &str) -> Result<Export> {
        crate::visit::export(&mut self.store, visit_id)
    }

    /// Every draft and sealed visit, newest first, with where each stands.
    pub fn visits(&self) -> Result<Vec<VisitItem>> {
        let receipts = sync_state::receipts(self.store.conn())?;
        let tasks = crate::sync::tasks(&self.store)?;
        let decided: HashMap<&str, (Decision, bool)> = tasks
            .reviews
            .iter()
            .map(|r| (r.visit_id.as_str(), (r.decision, r.corrected)))
            .collect();
        let mut names: HashMap<String, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        for row in visits::list(self.store.conn())? {
            let name = match names.get(&row.recipient_id) {
                Some(n) => n.clone(),
                None => {
                    // A damaged or removed roster row leaves the visit without a name.
                    let n =
                        recipients::get(self.store.conn(), self.store.keys(), &row.recipient_id)
                            .ok()
                            .flatten()
                            .map(|r| r.name);
                    names.insert(row.recipient_id.clone(), n.clone());
                    n
                }
            };
            let progress = if !row.sealed {
                VisitProgress::Draft
            } else {
                match (decided.get(row.id.as_str()), receipts.get(&row.id)) {
                    (Some((Decision::Return, false)), _) => VisitProgress::Returned,
                    (Some((Decision::Return, true)), _) => VisitProgress::Corrected,
                    (Some((Decision::Approve, _)), _) => VisitProgress::Approved,
                    (Some((Decision::Reject, _)), _) => VisitProgress::Rejected,
                    (None, None) => VisitProgress::Waiting,
                    (None, Some(sync_state::Sent::Unanswered)) => VisitProgress::Sent,
                    (None, Some(sync_state::Sent::Receipted(r))) => match r {
                        ReceiptStatus::Stored | ReceiptStatus::Duplicate => {
                            VisitProgress::Receipted
                        }
                        ReceiptStatus::Conflict => VisitProgress::Conflict,
                        ReceiptStatus::Refused => VisitProgress::Refused,
                    },
                }
            };
            out.push(VisitItem {
                visit_id: row.id,
                recipient_id: row.recipient_id,
                recipient_name: name,
                started_at: row.started_at,
                sealed: row.sealed,
                progress,
            });
        }
        Ok(out)
    }

    // The server.

    /// Enrols this device with a server, using a one-time code a supervisor issued.
    pub fn enroll(
        &mut self,
        transport: &dyn HttpTransport,
        server: &str,
        code: &str,
    ) -> Result<Enrolled> {
        crate::sync::enroll(&mut self.store, transport, server, code)
    }

    /// Sealed visits and media up; roster, policy, decisions and ticket updates down.
    pub fn sync(
        &mut self,
        transport: &dyn HttpTransport,
        now: DateTime<FixedOffset>,
        progress: &mut dyn FnMut(SyncStage, u64, u64),
    ) -> Result<SyncReport> {
        crate::sync::sync(&mut self.store, transport, now, progress)
    }

    /// Returned visits to correct, decisions, and ticket updates to pass on.
    pub fn tasks(&self) -> Result<Tasks> {
        crate::sync::tasks(&self.store)
    }

    /// Enrolment, last sync, unsent visits, clock skew.
    pub fn status(&self) -> Result<DeviceStatus> {
        crate::sync::status(&self.store)
    }
}
