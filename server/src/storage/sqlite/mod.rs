//! The embedded storage: one SQLite file in the data folder, WAL, one connection (SQLite has
//! one writer anyway; reads are short). [`Db`] does the work on the calling thread;
//! [`SqliteStorage`] (handle.rs) runs it on the storage's own thread (worker.rs).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use std::collections::BTreeMap;

use doorstep_contract::model::ChecklistTemplate;
use doorstep_contract::policy::Policy;
use doorstep_contract::visit::ServerFlag;
use doorstep_contract::wire::{Division, VisitStatus};
use rusqlite::{params, Connection, OptionalExtension};

use crate::ledger::{Step, TicketRow, TicketState};

use super::{
    rules, schema, Appended, Chain, Decision, DecisionOut, Device, IncomingVisit, Kept, MediaState,
    Result, RosterRow, Seen, StorageError, TicketUpdate, Unnoted,
};

mod checkpoints;
mod devices;
mod flags;
mod handle;
mod issued;
mod media;
mod tickets;
mod visits;
mod web;
mod worker;

pub use handle::SqliteStorage;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

use super::stored::{self, finish_ticket, TICKET_COLUMNS};
use media::{media_state_in, staged};
use tickets::ticket_row;
use visits::keep_one;

#[derive(Debug)]
pub(crate) struct Db {
    conn: Mutex<Connection>,
    /// Dropped with the Db: the checkpointer then stops.
    _checkpointer: std::sync::mpsc::Sender<()>,
}

impl Db {
    /// Opens (creating) `server.sqlite` in `dir` and migrates it.
    pub(crate) fn open(dir: &Path) -> Result<Db> {
        let path = dir.join("server.sqlite");
        // Created owner-only before SQLite opens it: its WAL and shared-memory files take the
        // database file's permissions, and all of it holds personal data.
        create_private(&path)?;
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The indexes a push touches are spread across the file: keep them in memory
        // rather than re-reading pages through the kernel (64 MiB of page cache).
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Every statement of the device API stays compiled (the default of 16 thrashed).
        conn.set_prepared_statement_cache_capacity(128);
        schema::migrate(&mut conn)?.map_err(StorageError::NewerSchema)?;
        // Checkpoints (copying the WAL back into the file, and its fsyncs) were a tenth of
        // a push's time when the committing request ran them: a thread of their own does,
        // on its own connection, beside the writer. The automatic one stays as a backstop
        // at ten times the default, should that thread ever fall behind.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        let checkpointer = checkpoints::start(&path)?;
        Ok(Db {
            conn: Mutex::new(conn),
            _checkpointer: checkpointer,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (its transaction rolls
        // back when dropped), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn create_private(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map(drop)
}

impl Db {
    pub(crate) fn policy(&self, area: &str) -> Result<Policy> {
        issued::policy(&self.conn(), area)
    }

    pub(crate) fn set_policy(
        &self,
        area: &str,
        policy: &Policy,
        actor: &str,
        now: i64,
    ) -> Result<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let version = issued::set_policy(&tx, area, policy, actor, now)?;
        tx.commit()?;
        Ok(version)
    }

    pub(crate) fn checklist(&self, area: &str) -> Result<ChecklistTemplate> {
        issued::checklist(&self.conn(), area)
    }

    pub(crate) fn checklist_version(&self, version: u32) -> Result<Option<ChecklistTemplate>> {
        issued::checklist_version(&self.conn(), version)
    }

    pub(crate) fn issue_checklist(
        &self,
        area: &str,
        t: &ChecklistTemplate,
        actor: &str,
        now: i64,
    ) -> Result<u32> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let version = issued::issue_checklist(&tx, area, t, actor, now)?;
        tx.commit()?;
        Ok(version)
    }

    pub(crate) fn import_divisions(&self, names: &[Division]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        issued::import_divisions(&tx, names)?;
        tx.commit()?;
        Ok(names.len())
    }

    pub(crate) fn divisions_between(
        &self,
        area: &str,
        after: i64,
        upto: i64,
    ) -> Result<(Vec<Division>, i64)> {
        issued::divisions_between(&self.conn(), area, after, upto)
    }

    pub(crate) fn division_names(&self, area: &str) -> Result<BTreeMap<String, String>> {
        issued::division_names(&self.conn(), area)
    }
    pub(crate) fn add_supervisor(
        &self,
        login: &str,
        area: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<()> {
        let conn = self.conn();
        let n = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO supervisors (login, area, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![login, area, password_hash, now])?;
        if n == 0 {
            return Err(StorageError::AlreadyExists);
        }
        Ok(())
    }

    pub(crate) fn add_enrolment_code(
        &self,
        code_hash: &str,
        worker: &str,
        area: &str,
        expires_at: i64,
    ) -> Result<()> {
        devices::add_enrolment_code(&self.conn(), code_hash, worker, area, expires_at)
    }

    pub(crate) fn enrol(
        &self,
        code_hash: &str,
        device_id: &str,
        public_key: &[u8],
        now: i64,
    ) -> Result<Device> {
        devices::enrol(&mut self.conn(), code_hash, device_id, public_key, now)
    }

    pub(crate) fn device(&self, id: &str) -> Result<Option<Device>> {
        devices::device(&self.conn(), id)
    }

    pub(crate) fn revoke_device(&self, id: &str, now: i64) -> Result<()> {
        devices::revoke(&self.conn(), id, now)
    }

    pub(crate) fn first_use(&self, seen: &Seen) -> Result<std::result::Result<(), Unnoted>> {
        devices::first_use(&self.conn(), seen)
    }

    pub(crate) fn import_roster(&self, area: &str, rows: &[RosterRow]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut version = issued::last_roster_version(&tx)?;
        {
            let mut put = tx.prepare(
                "INSERT INTO recipients (id, area, village, row_json, version) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET area = ?2, village = ?3, row_json = ?4, version = ?5",
            )?;
            for row in rows {
                version += 1;
                let json = serde_json::to_string(&row.fields)
                    .map_err(|_| StorageError::Damaged("roster row"))?;
                put.execute(params![row.id, area, row.village, json, version])?;
            }
        }
        tx.commit()?;
        Ok(rows.len())
    }

    pub(crate) fn roster_since(
        &self,
        area: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<(Vec<RosterRow>, i64)> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, village, row_json, version FROM recipients
             WHERE substr(village, 1, length(?1)) = ?1 AND version > ?2
             ORDER BY version LIMIT ?3",
        )?;
        let mut next = cursor;
        let mut rows = Vec::new();
        let mut q = stmt.query(params![area, cursor, limit as i64])?;
        while let Some(r) = q.next()? {
            let json: String = r.get(2)?;
            let fields: BTreeMap<String, String> =
                serde_json::from_str(&json).map_err(|_| StorageError::Damaged("roster row"))?;
            next = next.max(r.get(3)?);
            rows.push(RosterRow {
                id: r.get(0)?,
                village: r.get(1)?,
                fields,
            });
        }
        Ok((rows, next))
    }

    pub(crate) fn keep_visits(
        &self,
        request: &Seen,
        batch: &[IncomingVisit],
    ) -> Result<std::result::Result<Vec<Kept>, Unnoted>> {
        let mut conn = self.conn();
        // One transaction per request: a device's batch lands whole or not at all, with the
        // request's signature (rolled back, with nothing kept, when it is not noted).
        let tx = conn.transaction()?;
        if let Err(why) = devices::first_use(&tx, request)? {
            return Ok(Err(why));
        }
        let kept = batch
            .iter()
            .map(|v| keep_one(&tx, v))
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(Ok(kept))
    }

    pub(crate) fn decisions_since(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<DecisionOut>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, visit_id, decision, comment, at FROM decisions
             WHERE device_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![device_id, cursor, limit as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<(i64, String, String, String, i64)>>>()?;
        rows.into_iter()
            .map(|(cursor, visit_id, d, comment, at)| {
                Ok(DecisionOut {
                    cursor,
                    visit_id,
                    decision: stored::decision_of(&d)?,
                    comment,
                    at,
                })
            })
            .collect()
    }

    pub(crate) fn decide(
        &self,
        visit_id: &str,
        area: Option<&str>,
        d: Decision,
        comment: &str,
        actor: &str,
        now: i64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (status, device_id, village): (String, String, String) = tx
            .query_row(
                "SELECT status, device_id, village FROM visits WHERE id = ?1",
                [visit_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(StorageError::NotFound)?;
        rules::may_decide(&status, &village, area)?;
        tx.prepare_cached(
            "INSERT INTO decisions (visit_id, device_id, decision, comment, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![visit_id, device_id, d.code(), comment, actor, now])?;
        tx.prepare_cached("UPDATE visits SET status = ?2 WHERE id = ?1")?
            .execute(params![visit_id, d.status().code()])?;
        tx.prepare_cached(
            "INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            now,
            actor,
            format!("decide:{}", d.code()),
            visit_id
        ])?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn raise_pending_flags(&self, limit: usize) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = flags::raise_pending(&tx, limit)?;
        tx.commit()?;
        Ok(n)
    }

    pub(crate) fn flags_pending(&self) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM visits WHERE flags_pending = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    pub(crate) fn visit_status(
        &self,
        visit_id: &str,
    ) -> Result<Option<(VisitStatus, Chain, Vec<ServerFlag>)>> {
        let row = self
            .conn()
            .query_row(
                "SELECT status, chain, server_flags FROM visits WHERE id = ?1",
                [visit_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        Chain::parse(&r.get::<_, String>(1)?),
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(status, chain, flags)| {
            Ok((
                stored::status_of(&status)?,
                chain,
                stored::server_flags(&flags),
            ))
        })
        .transpose()
    }

    pub(crate) fn media_append(
        &self,
        area: &str,
        sha256_hex: &str,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<Appended> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let state = media_state_in(&tx, area, sha256_hex)?;
        let received = match state {
            // Staged whole by an earlier try whose write to the media store failed.
            MediaState::Partial { received, total: t } if t == total && received == total => {
                return Ok(Appended::Arrived(staged(&tx, sha256_hex)?));
            }
            MediaState::Partial { received, total: t } if t == total => received,
            MediaState::Partial { .. } => 0,
            MediaState::WrongOffset { received } => received,
            other @ (MediaState::NotNamed
            | MediaState::Complete { .. }
            | MediaState::HashMismatch) => return Ok(Appended::Now(other)),
        };
        if offset != received || offset + bytes.len() as u64 > total {
            return Ok(Appended::Now(MediaState::WrongOffset { received }));
        }
        // Appended in Rust: SQLite's || turns blobs into text. Photos are about 400 KB, so
        // rewriting the row per chunk costs little.
        let mut all: Vec<u8> = if received == 0 {
            Vec::with_capacity(total as usize)
        } else {
            staged(&tx, sha256_hex)?
        };
        all.extend_from_slice(bytes);
        tx.prepare_cached(
            "INSERT OR REPLACE INTO media (sha256, total, bytes, complete) VALUES (?1, ?2, ?3, 0)",
        )?
        .execute(params![sha256_hex, total as i64, all])?;
        tx.commit()?;
        Ok(if all.len() as u64 == total {
            Appended::Arrived(all)
        } else {
            Appended::Now(MediaState::Partial {
                received: all.len() as u64,
                total,
            })
        })
    }

    pub(crate) fn media_state(&self, area: &str, sha256_hex: &str) -> Result<MediaState> {
        let conn = self.conn();
        media_state_in(&conn, area, sha256_hex)
    }

    pub(crate) fn media_staged(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>> {
        media::staged_whole(&self.conn(), sha256_hex)
    }

    pub(crate) fn media_commit(&self, sha256_hex: &str) -> Result<()> {
        media::commit(&self.conn(), sha256_hex)
    }

    pub(crate) fn media_discard(&self, sha256_hex: &str) -> Result<()> {
        media::discard(&self.conn(), sha256_hex)
    }

    pub(crate) fn media_staging_bytes(&self) -> Result<u64> {
        media::staging_bytes(&self.conn())
    }

    pub(crate) fn media_kept_inline(&self, limit: usize) -> Result<Vec<(String, Vec<u8>)>> {
        media::kept_inline(&self.conn(), limit)
    }

    pub(crate) fn ticket(&self, id: &str, area: Option<&str>) -> Result<Option<TicketRow>> {
        Db::ticket_in(&self.conn(), id, area)
    }

    pub(crate) fn advance_ticket(
        &self,
        id: &str,
        from: TicketState,
        step: &Step,
        actor: &str,
        now: i64,
    ) -> Result<TicketRow> {
        tickets::advance(&mut self.conn(), id, from, step, actor, now)
    }

    pub(crate) fn tickets_in(&self, area: &str) -> Result<Vec<TicketRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets WHERE village >= ?1 AND village < ?1 || ':'
             ORDER BY due, id"
        ))?;
        let rows = stmt
            .query_map([area], ticket_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(finish_ticket).collect()
    }

    pub(crate) fn ticket_updates(
        &self,
        device_id: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<Vec<TicketUpdate>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT version, id, visit_id, number, state, department, reply, outcome, due
             FROM tickets WHERE device_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![device_id, cursor, limit as i64], |r| {
                Ok((
                    TicketUpdate {
                        cursor: r.get(0)?,
                        ticket_id: r.get(1)?,
                        visit_id: r.get(2)?,
                        number: r.get(3)?,
                        state: TicketState::Accepted,
                        department: r.get(5)?,
                        reply: r.get(6)?,
                        outcome: r.get(7)?,
                        due: chrono::NaiveDate::MIN,
                    },
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut u, state, due)| {
                u.state = stored::ticket_state(&state)?;
                u.due = stored::due_date(&due)?;
                Ok(u)
            })
            .collect()
    }

    pub(crate) fn supervisor(
        &self,
        login: &str,
    ) -> Result<Option<crate::storage::web::Supervisor>> {
        web::supervisor(&self.conn(), login)
    }

    pub(crate) fn supervisors_in(
        &self,
        area: &str,
    ) -> Result<Vec<crate::storage::web::Supervisor>> {
        web::supervisors_in(&self.conn(), area)
    }

    pub(crate) fn change_supervisor(
        &self,
        login: &str,
        change: &crate::storage::web::SupervisorChange,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        web::change_supervisor(&tx, login, change)?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn create_session(
        &self,
        token_hash: &str,
        login: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        web::create_session(&self.conn(), token_hash, login, csrf, expires_at)
    }

    pub(crate) fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<crate::storage::web::SessionRow>> {
        web::session(&self.conn(), token_hash, now)
    }

    pub(crate) fn delete_session(&self, token_hash: &str) -> Result<()> {
        web::delete_session(&self.conn(), token_hash)
    }

    pub(crate) fn login_failures_since(&self, login: &str, since: i64) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.prepare_cached("DELETE FROM login_failures WHERE login = ?1 AND at < ?2")?
            .execute(params![login, since])?;
        let n: i64 = tx
            .prepare_cached("SELECT count(*) FROM login_failures WHERE login = ?1")?
            .query_row([login], |r| r.get(0))?;
        tx.commit()?;
        Ok(n as usize)
    }

    pub(crate) fn note_login_failure(&self, login: &str, now: i64) -> Result<()> {
        self.conn()
            .prepare_cached("INSERT INTO login_failures (login, at) VALUES (?1, ?2)")?
            .execute(params![login, now])?;
        Ok(())
    }

    pub(crate) fn queue(
        &self,
        area: &str,
        filter: &crate::storage::web::QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<crate::storage::web::QueuePage> {
        web::queue(&self.conn(), area, filter, offset, limit)
    }

    pub(crate) fn visit_view(
        &self,
        visit_id: &str,
        area: &str,
    ) -> Result<Option<crate::storage::web::VisitView>> {
        web::visit_view(&self.conn(), visit_id, area)
    }

    pub(crate) fn devices_in(&self, area: &str) -> Result<Vec<crate::storage::web::DeviceRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, d.worker, d.area, d.enrolled_at, d.revoked_at IS NOT NULL,
                    (SELECT count(*) FROM visits v WHERE v.device_id = d.id)
             FROM devices d WHERE substr(d.area, 1, length(?1)) = ?1
             ORDER BY d.enrolled_at DESC, d.id",
        )?;
        let rows = stmt
            .query_map([area], |r| {
                Ok(crate::storage::web::DeviceRow {
                    id: r.get(0)?,
                    worker: r.get(1)?,
                    area: r.get(2)?,
                    enrolled_at: r.get(3)?,
                    revoked: r.get(4)?,
                    visits: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub(crate) fn open_codes(
        &self,
        area: &str,
        now: i64,
    ) -> Result<Vec<crate::storage::web::OpenCode>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT worker, area, expires_at FROM enrolment_codes
             WHERE substr(area, 1, length(?1)) = ?1 AND used_by IS NULL AND expires_at > ?2
             ORDER BY expires_at",
        )?;
        let rows = stmt
            .query_map(params![area, now], |r| {
                Ok(crate::storage::web::OpenCode {
                    worker: r.get(0)?,
                    area: r.get(1)?,
                    expires_at: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub(crate) fn visit_facts(
        &self,
        area: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<super::web::VisitFact>> {
        web::visit_facts(&self.conn(), area, from, to)
    }

    pub(crate) fn roster_stamp(&self, area: &str) -> Result<(i64, i64)> {
        web::roster_stamp(&self.conn(), area)
    }

    pub(crate) fn media_in_area(&self, sha256: &str, area: &str) -> Result<bool> {
        web::media_in_area(&self.conn(), sha256, area)
    }

    pub(crate) fn audit(&self, actor: &str, action: &str, subject: &str, now: i64) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, action, subject) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![now, actor, action, subject])?;
        Ok(())
    }
}
