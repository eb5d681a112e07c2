//! The PostgreSQL backend, for a province's deployment: several stateless server processes
//! on one database (and the PostgreSQL-compatible engines government clouds mandate). A
//! pool of connections (deadpool-postgres over tokio-postgres); each request's writes in one
//! transaction; counters devices pull by (roster, ticket and decision versions) written
//! under one advisory lock so that a cursor never passes a row not yet committed; the
//! cross-device flagger under another, so that two processes never flag at once (a pair of
//! visits flagged in two batches at the same time would see neither the other).

use std::collections::BTreeMap;
use std::str::FromStr;

use deadpool_postgres::{Client, GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::visit::ServerFlag;
use doorstep_contract::wire::{Division, VisitStatus};
use tokio_postgres::NoTls;

use crate::ledger::{Step, TicketRow, TicketState};
use crate::storage::web::{
    DeviceRow, OpenCode, QueueFilter, QueuePage, SessionRow, Supervisor, SupervisorChange,
    VisitFact, VisitView,
};
use crate::storage::{
    rules, stored, Appended, Chain, Decision, DecisionOut, Device, IncomingVisit, Kept, MediaState,
    Result, RosterRow, Seen, Storage, StorageError, TicketUpdate, Unnoted,
};

mod counts;
mod flagging;
mod issued;
mod keep;
mod link;
mod media;
mod schema;
mod seen;
mod sessions;
mod tickets;
mod web;

pub struct PgStorage {
    pool: Pool,
    lanes: usize,
    /// When this process last forgot old request signatures (Unix seconds).
    forgot_at: std::sync::atomic::AtomicI64,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage")
            .field("lanes", &self.lanes)
            .finish_non_exhaustive()
    }
}

impl PgStorage {
    /// Connects to `url` (`postgres://user@host:port/db`, optionally `?pool_size=N`),
    /// checks the engine speaks PostgreSQL's SQL, and migrates.
    pub async fn open(url: &str) -> Result<PgStorage> {
        let (url, lanes) = link::pool_size(url)?;
        let config = tokio_postgres::Config::from_str(&url)
            .map_err(|e| StorageError::Backend(format!("the database URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(lanes)
            // The connection used last is handed out next: a quiet server's few requests
            // then meet statements that connection has prepared and planned already, not a
            // cold one of the eight in turn.
            .queue_mode(deadpool_postgres::QueueMode::Lifo)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StorageError::Backend(e.to_string()))?;
        let mut c = pool.get().await?;
        schema::check_engine(&c).await?;
        schema::migrate(&mut c).await?;
        // The pool filled now: the first burst of uploads after a start then waits for no
        // connection to be made (each one a process the server forks), and a server that
        // cannot give this process its connections says so at the start, not under load.
        let rest = futures_util::future::try_join_all((1..lanes).map(|_| pool.get())).await?;
        drop((c, rest));
        Ok(PgStorage {
            pool,
            lanes,
            forgot_at: std::sync::atomic::AtomicI64::new(0),
        })
    }

    async fn client(&self) -> Result<Client> {
        Ok(self.pool.get().await?)
    }

    /// The server's durability settings, for benchmarks to print beside their figures.
    pub async fn settings(&self) -> Result<Vec<(String, String)>> {
        let c = self.client().await?;
        let mut out = Vec::new();
        for name in [
            "server_version",
            "fsync",
            "synchronous_commit",
            "full_page_writes",
        ] {
            let v: String = c
                .query_one("SELECT setting FROM pg_settings WHERE name = $1", &[&name])
                .await?
                .try_get(0)?;
            out.push((name.to_owned(), v));
        }
        Ok(out)
    }
}

/// Rows read into values, with a column of the wrong type an error (tokio-postgres's
/// `get` panics).
fn rows<T>(
    rows: Vec<tokio_postgres::Row>,
    f: impl Fn(&tokio_postgres::Row) -> std::result::Result<T, tokio_postgres::Error>,
) -> Result<Vec<T>> {
    rows.iter()
        .map(|r| f(r).map_err(StorageError::from))
        .collect()
}

async fn audit_in(
    c: &impl GenericClient,
    actor: &str,
    action: &str,
    subject: &str,
    now: i64,
) -> Result<()> {
    c.execute(
        &c.prepare_cached(
            "INSERT INTO audit_log (at, actor, action, subject) VALUES ($1, $2, $3, $4)",
        )
        .await?,
        &[&now, &actor, &action, &subject],
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl Storage for PgStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn lanes(&self) -> usize {
        self.lanes
    }

    async fn policy(&self, area: &str) -> Result<Policy> {
        issued::policy(&self.client().await?, area).await
    }

    async fn set_policy(&self, area: &str, policy: &Policy, actor: &str, now: i64) -> Result<u32> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let version = issued::set_policy(&tx, area, policy, actor, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn checklist(&self, area: &str) -> Result<ChecklistTemplate> {
        issued::checklist(&self.client().await?, area).await
    }

    async fn checklist_version(&self, version: u32) -> Result<Option<ChecklistTemplate>> {
        issued::checklist_version(&self.client().await?, version).await
    }

    async fn issue_checklist(
        &self,
        area: &str,
        template: &ChecklistTemplate,
        actor: &str,
        now: i64,
    ) -> Result<u32> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let version = issued::issue_checklist(&tx, area, template, actor, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn import_divisions(&self, names: &[Division]) -> Result<usize> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        issued::import_divisions(&tx, names).await?;
        tx.commit().await?;
        Ok(names.len())
    }

    async fn divisions_between(
        &self,
        area: &str,
        after: i64,
        upto: i64,
    ) -> Result<(Vec<Division>, i64)> {
        issued::divisions_between(&self.client().await?, area, after, upto).await
    }

    async fn division_names(&self, area: &str) -> Result<BTreeMap<String, String>> {
        issued::division_names(&self.client().await?, area).await
    }

    async fn add_supervisor(
        &self,
        login: &str,
        area: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<()> {
        sessions::add_supervisor(&self.client().await?, login, area, password_hash, now).await
    }

    async fn add_enrolment_code(
        &self,
        code_hash: &str,
        worker: &str,
        area: &str,
        expires_at: i64,
    ) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO enrolment_codes (code_hash, worker, area, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[&code_hash, &worker, &area, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn enrol(
        &self,
        code_hash: &str,
        device_id: &str,
        public_key: &[u8],
        now: i64,
    ) -> Result<Device> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Locked, so that two devices racing with one code cannot both use it.
        let row = tx
            .query_opt(
                "SELECT worker, area FROM enrolment_codes
                 WHERE code_hash = $1 AND used_by IS NULL AND expires_at > $2 FOR UPDATE",
                &[&code_hash, &now],
            )
            .await?
            .ok_or(StorageError::CodeUnusable)?;
        let (worker, area): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let key = doorstep_crypto::hex(public_key);
        let added = tx
            .execute(
                "INSERT INTO devices (id, public_key, worker, area, enrolled_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (public_key) DO NOTHING",
                &[&device_id, &key, &worker, &area, &now],
            )
            .await?;
        if added == 0 {
            return Err(StorageError::KeyEnrolled);
        }
        tx.execute(
            "UPDATE enrolment_codes SET used_by = $1 WHERE code_hash = $2",
            &[&device_id, &code_hash],
        )
        .await?;
        tx.commit().await?;
        Ok(Device {
            id: device_id.to_owned(),
            public_key: public_key.to_vec(),
            worker,
            area,
            revoked: false,
        })
    }

    async fn device(&self, id: &str) -> Result<Option<Device>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT public_key, worker, area, revoked_at IS NOT NULL FROM devices WHERE id = $1",
            )
            .await?;
        let Some(r) = c.query_opt(&st, &[&id]).await? else {
            return Ok(None);
        };
        let key: String = r.try_get(0)?;
        Ok(Some(Device {
            id: id.to_owned(),
            public_key: doorstep_crypto::unhex(&key).ok_or(StorageError::Damaged("device key"))?,
            worker: r.try_get(1)?,
            area: r.try_get(2)?,
            revoked: r.try_get(3)?,
        }))
    }

    async fn revoke_device(&self, id: &str, now: i64) -> Result<()> {
        let n = self
            .client()
            .await?
            .execute(
                "UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
                &[&id, &now],
            )
            .await?;
        if n == 0 {
            return Err(StorageError::NotFound);
        }
        Ok(())
    }

    async fn first_use(&self, s: &Seen) -> Result<std::result::Result<(), Unnoted>> {
        let c = self.client().await?;
        self.forgot_at
            .store(s.now, std::sync::atomic::Ordering::Relaxed);
        // One round trip: forgetting what the time check refuses anyway, and noting this one.
        let note = c
            .prepare_cached(
                "WITH forgotten AS (DELETE FROM seen_requests WHERE at < $4)
                 INSERT INTO seen_requests (device_id, signature, at)
                 SELECT $1, $2, $3 WHERE EXISTS
                     (SELECT 1 FROM devices WHERE id = $1 AND revoked_at IS NULL)
                 ON CONFLICT (device_id, signature) DO NOTHING",
            )
            .await?;
        let n = c
            .execute(
                &note,
                &[&s.device_id, &s.signature, &s.now, &s.forget_before],
            )
            .await?;
        if n == 1 {
            return Ok(Ok(()));
        }
        Ok(Err(seen::unnoted(&c, &s.device_id).await?))
    }

    async fn import_roster(&self, area: &str, rows: &[RosterRow]) -> Result<usize> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        issued::import_roster(&tx, area, rows).await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    async fn roster_since(
        &self,
        area: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<(Vec<RosterRow>, i64)> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT id, village, row_json, version FROM recipients
                 WHERE village >= $1 AND village < $2 AND version > $3
                 ORDER BY version LIMIT $4",
            )
            .await?;
        let found = c
            .query(
                &st,
                &[&area, &rules::area_end(area), &cursor, &(limit as i64)],
            )
            .await?;
        let mut next = cursor;
        let mut out = Vec::with_capacity(found.len());
        for r in found {
            let json: String = r.try_get(2)?;
            next = next.max(r.try_get(3)?);
            out.push(RosterRow {
                id: r.try_get(0)?,
                village: r.try_get(1)?,
                fields: serde_json::from_str(&json)
                    .map_err(|_| StorageError::Damaged("roster row"))?,
            });
        }
        Ok((out, next))
    }

    async fn keep_visits(
        &self,
        request: &Seen,
        batch: &[IncomingVisit],
    ) -> Result<std::result::Result<Vec<Kept>, Unnoted>> {
        let mut c = self.client().await?;
        seen::forget(&c, &self.forgot_at, request).await?;
        // One transaction per request: a device's batch lands whole or not at all, with the
        // request's signature (one commit, not two). The signature is noted alongside the
        // batch's reads and writes, pipelined; a replay (or a revoked device) rolls it all
        // back.
        let tx = c.transaction().await?;
        let note = seen::note(&tx, request);
        // Sent first, the note is answered first: a replay racing its original is told so,
        // whatever its batch then met (the original's rows, not yet committed when read).
        let (noted, kept) = tokio::join!(note, keep::keep_batch(&tx, batch));
        if noted? != 1 {
            // Rolled back first: the batch may have failed and left the transaction unusable.
            drop((kept, tx));
            return Ok(Err(seen::unnoted(&c, &request.device_id).await?));
        }
        let kept = kept?;
        tx.commit().await?;
        Ok(Ok(kept))
    }

    async fn decisions_since(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<DecisionOut>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT id, visit_id, decision, comment, at FROM decisions
                 WHERE device_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .await?;
        let found = c
            .query(&st, &[&device_id, &cursor, &(limit as i64)])
            .await?;
        found
            .iter()
            .map(|r| {
                Ok(DecisionOut {
                    cursor: r.try_get(0)?,
                    visit_id: r.try_get(1)?,
                    decision: stored::decision_of(r.try_get(2)?)?,
                    comment: r.try_get(3)?,
                    at: r.try_get(4)?,
                })
            })
            .collect()
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
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&schema::LOCK_CURSORS])
            .await?;
        let r = tx
            .query_opt(
                "SELECT status, device_id, village FROM visits WHERE id = $1 FOR UPDATE",
                &[&visit_id],
            )
            .await?
            .ok_or(StorageError::NotFound)?;
        let (status, device_id, village): (String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        rules::may_decide(&status, &village, area)?;
        tx.execute(
            "INSERT INTO decisions (visit_id, device_id, decision, comment, actor, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&visit_id, &device_id, &d.code(), &comment, &actor, &now],
        )
        .await?;
        tx.execute(
            "UPDATE visits SET status = $2 WHERE id = $1",
            &[&visit_id, &d.status().code()],
        )
        .await?;
        audit_in(&tx, actor, &format!("decide:{}", d.code()), visit_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn raise_pending_flags(&self, limit: usize) -> Result<usize> {
        let mut c = self.client().await?;
        flagging::raise_pending_flags(&mut c, limit).await
    }

    async fn flags_pending(&self) -> Result<usize> {
        let n: i64 = self
            .client()
            .await?
            .query_one("SELECT count(*) FROM visits WHERE flags_pending", &[])
            .await?
            .try_get(0)?;
        Ok(n as usize)
    }

    async fn visit_status(
        &self,
        visit_id: &str,
    ) -> Result<Option<(VisitStatus, Chain, Vec<ServerFlag>)>> {
        let c = self.client().await?;
        let Some(r) = c
            .query_opt(
                "SELECT status, chain, server_flags FROM visits WHERE id = $1",
                &[&visit_id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((
            stored::status_of(r.try_get(0)?)?,
            Chain::parse(r.try_get(1)?),
            stored::server_flags(r.try_get(2)?),
        )))
    }

    async fn media_append(
        &self,
        area: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<Appended> {
        let mut c = self.client().await?;
        media::append(&mut c, area, sha256, offset, total, bytes).await
    }

    async fn media_state(&self, area: &str, sha256: &str) -> Result<MediaState> {
        media::state_in(&self.client().await?, area, sha256, false).await
    }

    async fn media_staged(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        media::staged(&self.client().await?, sha256).await
    }

    async fn media_commit(&self, sha256: &str) -> Result<()> {
        media::commit(&self.client().await?, sha256).await
    }

    async fn media_discard(&self, sha256: &str) -> Result<()> {
        media::discard(&self.client().await?, sha256).await
    }

    async fn media_staging_bytes(&self) -> Result<u64> {
        media::staging_bytes(&self.client().await?).await
    }

    async fn media_kept_inline(&self, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
        media::kept_inline(&self.client().await?, limit).await
    }

    async fn audit(&self, actor: &str, action: &str, subject: &str, now: i64) -> Result<()> {
        audit_in(&self.client().await?, actor, action, subject, now).await
    }

    async fn ticket(&self, id: &str, area: Option<&str>) -> Result<Option<TicketRow>> {
        tickets::ticket_in(&self.client().await?, id, area).await
    }

    async fn advance_ticket(
        &self,
        id: &str,
        from: TicketState,
        step: &Step,
        actor: &str,
        now: i64,
    ) -> Result<TicketRow> {
        let mut c = self.client().await?;
        tickets::advance(&mut c, id, from, step, actor, now).await
    }

    async fn tickets_in(&self, area: &str) -> Result<Vec<TicketRow>> {
        tickets::tickets_in(&self.client().await?, area).await
    }

    async fn supervisor(&self, login: &str) -> Result<Option<Supervisor>> {
        sessions::supervisor(&self.client().await?, login).await
    }

    async fn supervisors_in(&self, area: &str) -> Result<Vec<Supervisor>> {
        sessions::supervisors_in(&self.client().await?, area).await
    }

    async fn change_supervisor(&self, login: &str, change: &SupervisorChange) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        sessions::change_supervisor(&tx, login, change).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        sessions::create(&self.client().await?, token_hash, login, csrf, expires_at).await
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRow>> {
        sessions::session(&self.client().await?, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sessions::delete(&self.client().await?, token_hash).await
    }

    async fn login_failures_since(&self, login: &str, since: i64) -> Result<usize> {
        sessions::failures_since(&self.client().await?, login, since).await
    }

    async fn note_login_failure(&self, login: &str, now: i64) -> Result<()> {
        sessions::note_failure(&self.client().await?, login, now).await
    }

    async fn queue(
        &self,
        area: &str,
        filter: &QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<QueuePage> {
        web::queue(&self.client().await?, area, filter, offset, limit).await
    }

    async fn visit_view(&self, visit_id: &str, area: &str) -> Result<Option<VisitView>> {
        web::visit_view(&self.client().await?, visit_id, area).await
    }

    async fn devices_in(&self, area: &str) -> Result<Vec<DeviceRow>> {
        let found = self
            .client()
            .await?
            .query(
                "SELECT d.id, d.worker, d.area, d.enrolled_at, d.revoked_at IS NOT NULL,
                        (SELECT count(*) FROM visits v WHERE v.device_id = d.id)
                 FROM devices d WHERE d.area >= $1 AND d.area < $2
                 ORDER BY d.enrolled_at DESC, d.id",
                &[&area, &rules::area_end(area)],
            )
            .await?;
        rows(found, |r| {
            Ok(DeviceRow {
                id: r.try_get(0)?,
                worker: r.try_get(1)?,
                area: r.try_get(2)?,
                enrolled_at: r.try_get(3)?,
                revoked: r.try_get(4)?,
                visits: r.try_get(5)?,
            })
        })
    }

    async fn open_codes(&self, area: &str, now: i64) -> Result<Vec<OpenCode>> {
        let found = self
            .client()
            .await?
            .query(
                "SELECT worker, area, expires_at FROM enrolment_codes
                 WHERE area >= $1 AND area < $2 AND used_by IS NULL AND expires_at > $3
                 ORDER BY expires_at",
                &[&area, &rules::area_end(area), &now],
            )
            .await?;
        rows(found, |r| {
            Ok(OpenCode {
                worker: r.try_get(0)?,
                area: r.try_get(1)?,
                expires_at: r.try_get(2)?,
            })
        })
    }

    async fn visit_facts(&self, area: &str, from: i64, to: i64) -> Result<Vec<VisitFact>> {
        web::visit_facts(&self.client().await?, area, from, to).await
    }

    async fn roster_stamp(&self, area: &str) -> Result<(i64, i64)> {
        web::roster_stamp(&self.client().await?, area).await
    }

    async fn media_in_area(&self, sha256: &str, area: &str) -> Result<bool> {
        media::in_area(&self.client().await?, sha256, area).await
    }

    async fn ticket_updates(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<TicketUpdate>> {
        tickets::updates(&self.client().await?, device_id, cursor, limit).await
    }
}
