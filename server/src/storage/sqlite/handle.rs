//! [`SqliteStorage`]: the async [`Storage`] over one SQLite file. Each call runs [`Db`] on
//! the storage's own thread ([`Worker`]), in the order calls arrive, so that a slow disk
//! never stalls the threads serving requests; arguments are copied in, since the call may
//! outlive the request's borrow.

use std::collections::BTreeMap;
use std::path::Path;

use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::visit::ServerFlag;
use doorstep_contract::wire::{Division, VisitStatus};

use super::worker::Worker;
use super::Db;
use crate::ledger::{Step, TicketRow, TicketState};
use crate::storage::web::{
    DeviceRow, OpenCode, QueueFilter, QueuePage, SessionRow, Supervisor, SupervisorChange,
    VisitFact, VisitView,
};
use crate::storage::{
    Appended, Chain, Decision, DecisionOut, Device, IncomingVisit, Kept, MediaState, Result,
    RosterRow, Seen, Storage, TicketUpdate, Unnoted,
};

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    db: Worker,
}

impl SqliteStorage {
    /// Opens (creating) `server.sqlite` in `dir` and migrates it.
    pub fn open(dir: &Path) -> Result<SqliteStorage> {
        Ok(SqliteStorage {
            db: Worker::start(Db::open(dir)?)?,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.db.run(f).await
    }
}

/// Calls let through to the storage thread's queue at once.
const QUEUED: usize = 256;

fn own(s: &str) -> String {
    s.to_owned()
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn lanes(&self) -> usize {
        // Calls queue at the storage's thread in arrival order; the gate only bounds how
        // many wait there.
        QUEUED
    }

    async fn policy(&self, area: &str) -> Result<Policy> {
        let area = own(area);
        self.run(move |db| db.policy(&area)).await
    }

    async fn set_policy(&self, area: &str, policy: &Policy, actor: &str, now: i64) -> Result<u32> {
        let (area, policy, actor) = (own(area), policy.clone(), own(actor));
        self.run(move |db| db.set_policy(&area, &policy, &actor, now))
            .await
    }

    async fn checklist(&self, area: &str) -> Result<ChecklistTemplate> {
        let area = own(area);
        self.run(move |db| db.checklist(&area)).await
    }

    async fn checklist_version(&self, version: u32) -> Result<Option<ChecklistTemplate>> {
        self.run(move |db| db.checklist_version(version)).await
    }

    async fn issue_checklist(
        &self,
        area: &str,
        template: &ChecklistTemplate,
        actor: &str,
        now: i64,
    ) -> Result<u32> {
        let (area, template, actor) = (own(area), template.clone(), own(actor));
        self.run(move |db| db.issue_checklist(&area, &template, &actor, now))
            .await
    }

    async fn import_divisions(&self, names: &[Division]) -> Result<usize> {
        let names = names.to_vec();
        self.run(move |db| db.import_divisions(&names)).await
    }

    async fn divisions_between(
        &self,
        area: &str,
        after: i64,
        upto: i64,
    ) -> Result<(Vec<Division>, i64)> {
        let area = own(area);
        self.run(move |db| db.divisions_between(&area, after, upto))
            .await
    }

    async fn division_names(&self, area: &str) -> Result<BTreeMap<String, String>> {
        let area = own(area);
        self.run(move |db| db.division_names(&area)).await
    }

    async fn add_supervisor(
        &self,
        login: &str,
        area: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<()> {
        let (login, area, hash) = (own(login), own(area), own(password_hash));
        self.run(move |db| db.add_supervisor(&login, &area, &hash, now))
            .await
    }

    async fn add_enrolment_code(
        &self,
        code_hash: &str,
        worker: &str,
        area: &str,
        expires_at: i64,
    ) -> Result<()> {
        let (code, worker, area) = (own(code_hash), own(worker), own(area));
        self.run(move |db| db.add_enrolment_code(&code, &worker, &area, expires_at))
            .await
    }

    async fn enrol(
        &self,
        code_hash: &str,
        device_id: &str,
        public_key: &[u8],
        now: i64,
    ) -> Result<Device> {
        let (code, id, key) = (own(code_hash), own(device_id), public_key.to_vec());
        self.run(move |db| db.enrol(&code, &id, &key, now)).await
    }

    async fn device(&self, id: &str) -> Result<Option<Device>> {
        let id = own(id);
        self.run(move |db| db.device(&id)).await
    }

    async fn revoke_device(&self, id: &str, now: i64) -> Result<()> {
        let id = own(id);
        self.run(move |db| db.revoke_device(&id, now)).await
    }

    async fn first_use(&self, seen: &Seen) -> Result<std::result::Result<(), Unnoted>> {
        let seen = seen.clone();
        self.run(move |db| db.first_use(&seen)).await
    }

    async fn import_roster(&self, area: &str, rows: &[RosterRow]) -> Result<usize> {
        let (area, rows) = (own(area), rows.to_vec());
        self.run(move |db| db.import_roster(&area, &rows)).await
    }

    async fn roster_since(
        &self,
        area: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<(Vec<RosterRow>, i64)> {
        let area = own(area);
        self.run(move |db| db.roster_since(&area, cursor, limit))
            .await
    }

    async fn keep_visits(
        &self,
        request: &Seen,
        batch: &[IncomingVisit],
    ) -> Result<std::result::Result<Vec<Kept>, Unnoted>> {
        let (request, batch) = (request.clone(), batch.to_vec());
        self.run(move |db| db.keep_visits(&request, &batch)).await
    }

    async fn decisions_since(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<DecisionOut>> {
        let id = own(device_id);
        self.run(move |db| db.decisions_since(&id, cursor, limit))
            .await
    }

    async fn decide(
        &self,
        visit_id: &str,
        area: Option<&str>,
        d: Decision,
        comment: &str,
        actor: &str,
        now: i64,
    ) -> Result<()> {
        let (id, area, comment, actor) = (own(visit_id), area.map(own), own(comment), own(actor));
        self.run(move |db| db.decide(&id, area.as_deref(), d, &comment, &actor, now))
            .await
    }

    async fn raise_pending_flags(&self, limit: usize) -> Result<usize> {
        self.run(move |db| db.raise_pending_flags(limit)).await
    }

    async fn flags_pending(&self) -> Result<usize> {
        self.run(|db| db.flags_pending()).await
    }

    async fn visit_status(
        &self,
        visit_id: &str,
    ) -> Result<Option<(VisitStatus, Chain, Vec<ServerFlag>)>> {
        let id = own(visit_id);
        self.run(move |db| db.visit_status(&id)).await
    }

    async fn media_append(
        &self,
        area: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<Appended> {
        let (area, sha, bytes) = (own(area), own(sha256), bytes.to_vec());
        self.run(move |db| db.media_append(&area, &sha, offset, total, &bytes))
            .await
    }

    async fn media_state(&self, area: &str, sha256: &str) -> Result<MediaState> {
        let (area, sha) = (own(area), own(sha256));
        self.run(move |db| db.media_state(&area, &sha)).await
    }

    async fn media_staged(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let sha = own(sha256);
        self.run(move |db| db.media_staged(&sha)).await
    }

    async fn media_commit(&self, sha256: &str) -> Result<()> {
        let sha = own(sha256);
        self.run(move |db| db.media_commit(&sha)).await
    }

    async fn media_discard(&self, sha256: &str) -> Result<()> {
        let sha = own(sha256);
        self.run(move |db| db.media_discard(&sha)).await
    }

    async fn media_staging_bytes(&self) -> Result<u64> {
        self.run(|db| db.media_staging_bytes()).await
    }

    async fn media_kept_inline(&self, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
        self.run(move |db| db.media_kept_inline(limit)).await
    }

    async fn audit(&self, actor: &str, action: &str, subject: &str, now: i64) -> Result<()> {
        let (actor, action, subject) = (own(actor), own(action), own(subject));
        self.run(move |db| db.audit(&actor, &action, &subject, now))
            .await
    }

    async fn ticket(&self, id: &str, area: Option<&str>) -> Result<Option<TicketRow>> {
        let (id, area) = (own(id), area.map(own));
        self.run(move |db| db.ticket(&id, area.as_deref())).await
    }

    async fn advance_ticket(
        &self,
        id: &str,
        from: TicketState,
        step: &Step,
        actor: &str,
        now: i64,
    ) -> Result<TicketRow> {
        let (id, step, actor) = (own(id), step.clone(), own(actor));
        self.run(move |db| db.advance_ticket(&id, from, &step, &actor, now))
            .await
    }

    async fn tickets_in(&self, area: &str) -> Result<Vec<TicketRow>> {
        let area = own(area);
        self.run(move |db| db.tickets_in(&area)).await
    }

    async fn supervisor(&self, login: &str) -> Result<Option<Supervisor>> {
        let login = own(login);
        self.run(move |db| db.supervisor(&login)).await
    }

    async fn supervisors_in(&self, area: &str) -> Result<Vec<Supervisor>> {
        let area = own(area);
        self.run(move |db| db.supervisors_in(&area)).await
    }

    async fn change_supervisor(&self, login: &str, change: &SupervisorChange) -> Result<()> {
        let (login, change) = (own(login), change.clone());
        self.run(move |db| db.change_supervisor(&login, &change))
            .await
    }

    async fn create_session(
        &self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        let (token, login, csrf) = (own(token_hash), own(login), own(csrf));
        self.run(move |db| db.create_session(&token, &login, &csrf, expires_at))
            .await
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        let token = own(token_hash);
        self.run(move |db| db.session(&token, now)).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let token = own(token_hash);
        self.run(move |db| db.delete_session(&token)).await
    }

    async fn login_failures_since(&self, login: &str, since: i64) -> Result<usize> {
        let login = own(login);
        self.run(move |db| db.login_failures_since(&login, since))
            .await
    }

    async fn note_login_failure(&self, login: &str, now: i64) -> Result<()> {
        let login = own(login);
        self.run(move |db| db.note_login_failure(&login, now)).await
    }

    async fn queue(
        &self,
        area: &str,
        filter: &QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<QueuePage> {
        let (area, filter) = (own(area), filter.clone());
        self.run(move |db| db.queue(&area, &filter, offset, limit))
            .await
    }

    async fn visit_view(&self, visit_id: &str, area: &str) -> Result<Option<VisitView>> {
        let (id, area) = (own(visit_id), own(area));
        self.run(move |db| db.visit_view(&id, &area)).await
    }

    async fn devices_in(&self, area: &str) -> Result<Vec<DeviceRow>> {
        let area = own(area);
        self.run(move |db| db.devices_in(&area)).await
    }

    async fn open_codes(&self, area: &str, now: i64) -> Result<Vec<OpenCode>> {
        let area = own(area);
        self.run(move |db| db.open_codes(&area, now)).await
    }

    async fn visit_facts(&self, area: &str, from: i64, to: i64) -> Result<Vec<VisitFact>> {
        let area = own(area);
        self.run(move |db| db.visit_facts(&area, from, to)).await
    }

    async fn roster_stamp(&self, area: &str) -> Result<(i64, i64)> {
        let area = own(area);
        self.run(move |db| db.roster_stamp(&area)).await
    }

    async fn media_in_area(&self, sha256: &str, area: &str) -> Result<bool> {
        let (sha, area) = (own(sha256), own(area));
        self.run(move |db| db.media_in_area(&sha, &area)).await
    }

    async fn ticket_updates(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<TicketUpdate>> {
        let id = own(device_id);
        self.run(move |db| db.ticket_updates(&id, cursor, limit))
            .await
    }
}
