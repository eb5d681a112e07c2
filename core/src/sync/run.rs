//! One sync, in the order that keeps the worker's evidence safest: sealed visits up first
//! (each kept until its receipt is committed), then their media (resumed at the offset the
//! server has), then the roster and review decisions down. Each step commits as it goes, so
//! a sync cut anywhere resumes without losing or duplicating anything.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::json;

use super::transport::{Header, HttpRequest, HttpResponse, HttpTransport};
use super::{
    request_message, SyncError, API_PREFIX, HEADER_DEVICE, HEADER_NONCE, HEADER_SERVER_TIME,
    HEADER_SIGNATURE, HEADER_TIME,
};
use crate::crypto::{hex, random_hex, DeviceKey};
use crate::error::{Error, Result};
use crate::roster::{import, ImportOptions, RosterFormat};
use crate::seal::RecordHead;
use crate::store::{media, sync_state, tasks, visits, Store};

/// Sealed visits per push request.
const PUSH_BATCH: usize = 50;
/// Bytes per media chunk: small enough to finish on a weak signal, large enough to be few.
const CHUNK: usize = 256 * 1024;

/// What enrolment returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub device_id: String,
    pub worker: String,
    pub area: String,
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Sealed visits sent, and those the server confirmed holding (stored or already there).
    pub sent: u64,
    pub receipted: u64,
    /// Refused for good: another record under the same id, or not this device's to send.
    pub conflicts: u64,
    pub refused: u64,
    pub media_sent: u64,
    pub roster_rows: u64,
    pub decisions: u64,
    pub ticket_updates: u64,
    /// Server time minus device time, in seconds.
    pub clock_skew_secs: Option<i64>,
}

/// The step a sync is on, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStage {
    Visits,
    Media,
    Roster,
    Decisions,
}

fn protocol(what: &'static str) -> Error {
    Error::Sync(SyncError::Protocol(what))
}

fn parse<T: for<'de> Deserialize<'de>>(r: &HttpResponse, what: &'static str) -> Result<T> {
    serde_json::from_slice(&r.body).map_err(|_| protocol(what))
}

/// The server's words about a refused request (its JSON `message`), or the status alone.
fn refused(r: &HttpResponse) -> Error {
    #[derive(Deserialize)]
    struct Msg {
        message: String,
    }
    let message = serde_json::from_slice::<Msg>(&r.body)
        .map(|m| m.message)
        .unwrap_or_default();
    Error::Sync(SyncError::Refused {
        status: r.status,
        message,
    })
}

/// Signs and sends requests for one enrolled device.
struct Client<'a> {
    transport: &'a dyn HttpTransport,
    base: String,
    device_id: String,
    key: DeviceKey,
    now: i64,
    skew: Option<i64>,
}

impl Client<'_> {
    fn call(&mut self, method: &str, path: &str, body: Vec<u8>) -> Result<HttpResponse> {
        let path = format!("{API_PREFIX}{path}");
        let nonce = random_hex(12)?;
        let sig = self
            .key
            .sign(&request_message(method, &path, self.now, &nonce, &body));
        let header = |name: &str, value: String| Header {
            name: name.to_owned(),
            value,
        };
        let response = self
            .transport
            .send(HttpRequest {
                method: method.to_owned(),
                url: format!("{}{path}", self.base),
                headers: vec![
                    header(HEADER_DEVICE, self.device_id.clone()),
                    header(HEADER_TIME, self.now.to_string()),
                    header(HEADER_NONCE, nonce),
                    header(HEADER_SIGNATURE, hex(&sig)),
                    header("content-type", "application/json".into()),
                ],
                body,
            })
            .map_err(|e| Error::Sync(e.into()))?;
        if let Some(server) = response
            .header(HEADER_SERVER_TIME)
            .and_then(|t| t.parse::<i64>().ok())
        {
            self.skew = Some(server - self.now);
        }
        if response.status == 401 {
            if let Some(skew) = self.skew.filter(|s| s.abs() > super::MAX_SKEW_SECS) {
                return Err(Error::Sync(SyncError::ClockSkew { skew_secs: skew }));
            }
        }
        Ok(response)
    }

    fn ok(&mut self, method: &str, path: &str, body: Vec<u8>) -> Result<HttpResponse> {
        let r = self.call(method, path, body)?;
        if r.status == 200 {
            Ok(r)
        } else {
            Err(refused(&r))
        }
    }
}

/// Enrols this device with a server, using a one-time code a supervisor issued.
pub fn enroll(
    store: &mut Store,
    transport: &dyn HttpTransport,
    server: &str,
    code: &str,
) -> Result<Enrolled> {
    if let Some(s) = sync_state::get(store.conn())? {
        return Err(Error::Sync(SyncError::AlreadyEnrolled { server: s.server }));
    }
    let key = store.device_key()?;
    let base = server.trim_end_matches('/').to_owned();
    let body = json!({ "code": code.trim(), "public_key": hex(&key.public_key()) });
    let r = transport
        .send(HttpRequest {
            method: "POST".into(),
            url: format!("{base}{API_PREFIX}/enrol"),
            headers: vec![Header {
                name: "content-type".into(),
                value: "application/json".into(),
            }],
            body: body.to_string().into_bytes(),
        })
        .map_err(|e| Error::Sync(e.into()))?;
    if r.status != 200 {
        return Err(refused(&r));
    }
    #[derive(Deserialize)]
    struct Answer {
        device_id: String,
        worker: String,
        area: String,
    }
    let a: Answer = parse(&r, "enrolment")?;
    store.write(|tx, _| sync_state::enrol(tx, &base, &a.device_id, &a.area))?;
    Ok(Enrolled {
        device_id: a.device_id,
        worker: a.worker,
        area: a.area,
    })
}

#[derive(Deserialize)]
struct ReceiptIn {
    status: String,
    chain: Option<String>,
}

#[derive(Deserialize)]
struct Receipts {
    receipts: Vec<ReceiptIn>,
}

fn push_visits(
    store: &mut Store,
    c: &mut Client,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<()> {
    let unsent = sync_state::unsent(store.conn())?;
    let total = unsent.len() as u64;
    progress(SyncStage::Visits, 0, total);
    for batch in unsent.chunks(PUSH_BATCH) {
        let mut records = Vec::with_capacity(batch.len());
        for id in batch {
            let sealed = visits::load_sealed(store.conn(), store.keys(), id)?
                .ok_or_else(|| Error::NoVisit { id: id.clone() })?;
            let text = String::from_utf8(sealed.record).map_err(|_| Error::Corrupt {
                table: "visits",
                id: id.clone(),
            })?;
            records.push(json!({ "record": text, "signature": hex(&sealed.signature) }));
        }
        let body = json!({ "records": records }).to_string().into_bytes();
        let r = c.ok("POST", "/visits", body)?;
        report.sent += batch.len() as u64;
        let receipts: Receipts = parse(&r, "receipts")?;
        if receipts.receipts.len() != batch.len() {
            return Err(protocol("receipts"));
        }
        let now = c.now;
        store.write(|tx, _| {
            for (id, rc) in batch.iter().zip(&receipts.receipts) {
                sync_state::put_receipt(tx, id, &rc.status, rc.chain.as_deref(), now)?;
            }
            Ok(())
        })?;
        for rc in &receipts.receipts {
            match rc.status.as_str() {
                "stored" | "duplicate" => report.receipted += 1,
                "conflict" => report.conflicts += 1,
                _ => report.refused += 1,
            }
        }
        progress(SyncStage::Visits, report.sent, total);
    }
    Ok(())
}

#[derive(Deserialize)]
struct Progress {
    received: u64,
    total: u64,
    complete: bool,
}

fn upload(store: &mut Store, c: &mut Client, sha: &str) -> Result<()> {
    let (_, bytes) =
        media::get(store.conn(), store.keys(), sha)?.ok_or_else(|| Error::Corrupt {
            table: "media",
            id: sha.to_owned(),
        })?;
    let r = c.ok("GET", &format!("/media/{sha}"), Vec::new())?;
    let mut at: Progress = parse(&r, "media progress")?;
    // An upload begun with another length (none yet, or damaged) starts over.
    let mut offset = if at.total == bytes.len() as u64 {
        at.received
    } else {
        0
    };
    while !at.complete {
        let end = (offset as usize + CHUNK).min(bytes.len());
        let chunk = bytes
            .get(offset as usize..end)
            .ok_or(protocol("media offset"))?;
        let path = format!("/media/{sha}?offset={offset}&total={}", bytes.len());
        let r = c.call("PUT", &path, chunk.to_vec())?;
        if r.status == 409 {
            // The server is elsewhere (a chunk landed whose answer was lost): ask and resume.
            let r = c.ok("GET", &format!("/media/{sha}"), Vec::new())?;
            at = parse(&r, "media progress")?;
            offset = at.received;
            continue;
        }
        if r.status != 200 {
            return Err(refused(&r));
        }
        at = parse(&r, "media progress")?;
        offset = at.received;
    }
    store.write(|tx, _| sync_state::mark_media_sent(tx, sha))
}

fn push_media(
    store: &mut Store,
    c: &mut Client,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<()> {
    // Each visit with media still to send, and those media (a file two visits share goes
    // up once).
    let mut visits_media: Vec<(String, Vec<String>)> = Vec::new();
    for id in sync_state::media_pending(store.conn())? {
        let Some(sealed) = visits::load_sealed(store.conn(), store.keys(), &id)? else {
            continue;
        };
        let head: RecordHead =
            serde_json::from_slice(&sealed.record).map_err(|_| Error::Corrupt {
                table: "visits",
                id: id.clone(),
            })?;
        let mut left = Vec::new();
        for sha in head.media() {
            if !sync_state::media_sent(store.conn(), &sha)? {
                left.push(sha);
            }
        }
        visits_media.push((id, left));
    }
    let mut total: Vec<&String> = visits_media.iter().flat_map(|(_, m)| m).collect();
    total.sort();
    total.dedup();
    let total = total.len() as u64;
    progress(SyncStage::Media, 0, total);
    for (id, media) in &visits_media {
        for sha in media {
            if sync_state::media_sent(store.conn(), sha)? {
                continue;
            }
            upload(store, c, sha)?;
            report.media_sent += 1;
            progress(SyncStage::Media, report.media_sent, total);
        }
        store.write(|tx, _| sync_state::mark_media_done(tx, id))?;
    }
    Ok(())
}

fn pull_roster(
    store: &mut Store,
    c: &mut Client,
    report: &mut SyncReport,
    today: chrono::NaiveDate,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<()> {
    #[derive(Deserialize)]
    struct Page {
        cursor: i64,
        more: bool,
        rows: Vec<serde_json::Value>,
        template: Option<crate::model::ChecklistTemplate>,
    }
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.roster_cursor);
        let r = c.ok("GET", &format!("/roster?since={cursor}"), Vec::new())?;
        let page: Page = parse(&r, "roster")?;
        if !page.rows.is_empty() {
            let bytes = serde_json::to_vec(&page.rows).map_err(|_| protocol("roster"))?;
            import(
                store,
                &bytes,
                RosterFormat::Json,
                ImportOptions::default(),
                today,
            )?;
            report.roster_rows += page.rows.len() as u64;
        }
        // A newer checklist template is kept beside the old ones: drafts begun on an older
        // version are still judged by theirs.
        if let Some(t) = &page.template {
            let held =
                crate::store::policy::latest_template(store.conn())?.map_or(0, |h| h.version);
            if t.version > held {
                store.write(|tx, _| crate::store::policy::write_template(tx, t))?;
            }
        }
        // After the rows: a cut between the two re-imports the same rows, an upsert.
        store.write(|tx, _| sync_state::set_roster_cursor(tx, page.cursor))?;
        progress(SyncStage::Roster, report.roster_rows, report.roster_rows);
        if !page.more {
            return Ok(());
        }
    }
}

fn pull_decisions(
    store: &mut Store,
    c: &mut Client,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<()> {
    #[derive(Deserialize)]
    struct DecisionIn {
        cursor: i64,
        visit_id: String,
        decision: String,
        comment: String,
        at: i64,
    }
    #[derive(Deserialize)]
    struct Page {
        cursor: i64,
        more: bool,
        decisions: Vec<DecisionIn>,
    }
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.decisions_cursor);
        let r = c.ok("GET", &format!("/decisions?since={cursor}"), Vec::new())?;
        let page: Page = parse(&r, "decisions")?;
        store.write(|tx, keys| {
            for d in &page.decisions {
                tasks::put(
                    tx,
                    keys,
                    &tasks::Task {
                        kind: "decision".into(),
                        cursor: d.cursor,
                        visit_id: d.visit_id.clone(),
                        decision: d.decision.clone(),
                        comment: d.comment.clone(),
                        at: d.at,
                    },
                )?;
            }
            sync_state::set_decisions_cursor(tx, page.cursor)
        })?;
        report.decisions += page.decisions.len() as u64;
        progress(SyncStage::Decisions, report.decisions, report.decisions);
        if !page.more {
            return Ok(());
        }
    }
}

fn pull_tickets(store: &mut Store, c: &mut Client, report: &mut SyncReport) -> Result<()> {
    #[derive(Deserialize)]
    struct UpdateIn {
        cursor: i64,
        ticket_id: String,
        visit_id: String,
        state: String,
        department: Option<String>,
        reply: Option<String>,
        outcome: Option<String>,
        due: String,
    }
    #[derive(Deserialize)]
    struct Page {
        cursor: i64,
        more: bool,
        updates: Vec<UpdateIn>,
    }
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.tickets_cursor);
        let r = c.ok("GET", &format!("/tickets?since={cursor}"), Vec::new())?;
        let page: Page = parse(&r, "tickets")?;
        let now = c.now;
        store.write(|tx, keys| {
            for u in &page.updates {
                // What to tell the household: the newest text the ledger holds, and by when.
                let text = [&u.outcome, &u.reply, &u.department]
                    .into_iter()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or_default();
                tasks::put(
                    tx,
                    keys,
                    &tasks::Task {
                        kind: "ticket".into(),
                        cursor: u.cursor,
                        visit_id: u.visit_id.clone(),
                        decision: format!("{} {}", u.ticket_id, u.state),
                        comment: format!("{text} (due {})", u.due),
                        at: now,
                    },
                )?;
            }
            sync_state::set_tickets_cursor(tx, page.cursor)
        })?;
        report.ticket_updates += page.updates.len() as u64;
        if !page.more {
            return Ok(());
        }
    }
}

/// Syncs with the server this device is enrolled with.
pub fn sync(
    store: &mut Store,
    transport: &dyn HttpTransport,
    now: DateTime<FixedOffset>,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<SyncReport> {
    let state = sync_state::get(store.conn())?.ok_or(Error::Sync(SyncError::NotEnrolled))?;
    let mut c = Client {
        transport,
        base: state.server,
        device_id: state.device_id,
        key: store.device_key()?,
        now: now.timestamp(),
        skew: None,
    };
    let mut report = SyncReport::default();
    let result = push_visits(store, &mut c, &mut report, progress)
        .and_then(|()| push_media(store, &mut c, &mut report, progress))
        .and_then(|()| pull_roster(store, &mut c, &mut report, now.date_naive(), progress))
        .and_then(|()| pull_decisions(store, &mut c, &mut report, progress))
        .and_then(|()| pull_tickets(store, &mut c, &mut report));
    report.clock_skew_secs = c.skew;
    // The skew is worth keeping even when the sync stopped: it may be why.
    store.write(|tx, _| sync_state::note_sync(tx, c.skew, c.now))?;
    result.map(|()| report)
}
