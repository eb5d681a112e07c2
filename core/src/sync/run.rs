//! One sync, in the order that keeps the worker's evidence safest: sealed visits up first
//! (each kept until its receipt is committed), then their media (resumed at the offset the
//! server has), then the roster, the policy and the review decisions and ticket updates down.
//! Each step commits as it goes, so a sync cut anywhere resumes without losing or duplicating
//! anything.

use chrono::{DateTime, FixedOffset};
use doorstep_contract::record::RecordV1;
use doorstep_contract::text::{Lang, Localize, Text};
use doorstep_contract::wire::{
    DecisionPage, EnrolRequest, MediaProgress, Push, Receipts, RosterPage, SignedRecord,
    TicketPage, API_PREFIX, MEDIA_CHUNK,
};

use super::client::{header, parse, protocol, refused, Client};
use crate::crypto::hex;
use crate::error::{Error, Result, SyncError};
use crate::roster::{import, ImportOptions, RosterFormat};
use crate::store::tasks::{DecisionTask, TicketTask};
use crate::store::{divisions, media, policy, sync_state, tasks, visits, Store};
use crate::transport::{HttpRequest, HttpTransport};

/// Sealed visits per push request.
const PUSH_BATCH: usize = 50;

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
    /// Whether the server's policy (or a newer checklist) replaced the one the device held.
    pub policy_updated: bool,
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
    Tickets,
}

impl Localize for SyncStage {
    fn localize(&self, lang: Lang) -> String {
        let t = match self {
            SyncStage::Visits => Text::StageVisits,
            SyncStage::Media => Text::StageMedia,
            SyncStage::Roster => Text::StageRoster,
            SyncStage::Decisions => Text::StageDecisions,
            SyncStage::Tickets => Text::StageTickets,
        };
        t.get(lang).to_owned()
    }
}

/// Enrols this device with a server, using a one-time code a supervisor issued.
pub(crate) fn enroll(
    store: &mut Store,
    transport: &dyn HttpTransport,
    server: &str,
    code: &str,
) -> Result<Enrolled> {
    if let Some(s) = sync_state::get(store.conn())? {
        return Err(Error::Sync(SyncError::AlreadyEnrolled { server: s.server }));
    }
    let key = store.device_key()?;
    let base = server.trim().trim_end_matches('/').to_owned();
    let body = serde_json::to_vec(&EnrolRequest {
        code: code.trim().to_owned(),
        public_key: hex(&key.public_key()),
    })
    .map_err(|_| protocol("enrolment"))?;
    let r = transport
        .send(HttpRequest {
            method: "POST".into(),
            url: format!("{base}{API_PREFIX}/enrol"),
            headers: vec![header("content-type", "application/json".into())],
            body,
        })
        .map_err(|e| Error::Sync(e.into()))?;
    if r.status != 200 {
        return Err(refused(&r));
    }
    let a: doorstep_contract::wire::Enrolled = parse(&r, "enrolment")?;
    store.write(|tx, _| sync_state::enrol(tx, &base, &a.device_id, &a.worker, &a.area))?;
    Ok(Enrolled {
        device_id: a.device_id,
        worker: a.worker,
        area: a.area,
    })
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
            let record = String::from_utf8(sealed.record).map_err(|_| Error::Corrupt {
                table: "visits",
                id: id.clone(),
            })?;
            records.push(SignedRecord {
                record,
                signature: hex(&sealed.signature),
            });
        }
        let body = serde_json::to_vec(&Push { records }).map_err(|_| protocol("push"))?;
        // Marked before they go: if no answer comes, a screen shows them as sent and the next
        // sync sends them again.
        let now = c.now;
        store.write(|tx, _| sync_state::mark_sent(tx, batch, now))?;
        let receipts: Receipts = c.ok("POST", "/visits", body, "receipts")?;
        report.sent += batch.len() as u64;
        if receipts.receipts.len() != batch.len() {
            return Err(protocol("receipts"));
        }
        store.write(|tx, _| {
            for (id, rc) in batch.iter().zip(&receipts.receipts) {
                sync_state::put_receipt(tx, id, rc.status.code(), rc.chain.map(|c| c.code()), now)?;
            }
            Ok(())
        })?;
        for rc in &receipts.receipts {
            use doorstep_contract::wire::ReceiptStatus as R;
            match rc.status {
                R::Stored | R::Duplicate => report.receipted += 1,
                R::Conflict => report.conflicts += 1,
                R::Refused => report.refused += 1,
            }
        }
        progress(SyncStage::Visits, report.sent, total);
    }
    Ok(())
}

fn upload(store: &mut Store, c: &mut Client, sha: &str) -> Result<()> {
    let (_, bytes) =
        media::get(store.conn(), store.keys(), sha)?.ok_or_else(|| Error::Corrupt {
            table: "media",
            id: sha.to_owned(),
        })?;
    let mut at: MediaProgress = c.ok("GET", &format!("/media/{sha}"), Vec::new(), "media")?;
    // An upload begun with another length (none yet, or damaged) starts over.
    let mut offset = if at.total == bytes.len() as u64 {
        at.received
    } else {
        0
    };
    while !at.complete {
        let end = (offset as usize + MEDIA_CHUNK).min(bytes.len());
        let chunk = bytes
            .get(offset as usize..end)
            .ok_or(protocol("media offset"))?;
        let path = format!("/media/{sha}?offset={offset}&total={}", bytes.len());
        let r = c.call("PUT", &path, chunk.to_vec())?;
        if r.status == 409 {
            // The server is elsewhere (a chunk landed whose answer was lost): ask and resume.
            at = c.ok("GET", &format!("/media/{sha}"), Vec::new(), "media")?;
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
        let record = RecordV1::decode(&sealed.record).map_err(|_| Error::Corrupt {
            table: "visits",
            id: id.clone(),
        })?;
        let mut left = Vec::new();
        for sha in record.media() {
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

/// Takes what the server issues: a newer checklist template is kept beside the old ones
/// (drafts begun on an older version are still judged by theirs); the policy replaces the
/// device's when it differs (the county issues it).
fn apply_issued(store: &mut Store, page: &RosterPage, report: &mut SyncReport) -> Result<()> {
    let held = policy::latest_template(store.conn())?.map_or(0, |h| h.version);
    if page.template.version > held {
        // Checked like the policy: a template no worker could answer is refused, the one
        // held stays in use.
        page.template.validate().map_err(|_| protocol("template"))?;
        store.write(|tx, _| policy::write_template(tx, &page.template))?;
        report.policy_updated = true;
    }
    let current = policy::read(store.conn()).ok();
    if current.as_ref() != Some(&page.policy) {
        page.policy.validate().map_err(|_| protocol("policy"))?;
        store.write(|tx, _| policy::write(tx, &page.policy))?;
        report.policy_updated = true;
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
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.roster_cursor);
        let page: RosterPage = c.ok(
            "GET",
            &format!("/roster?since={cursor}"),
            Vec::new(),
            "roster",
        )?;
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
        if !page.divisions.is_empty() {
            let names: Vec<(String, String)> = page
                .divisions
                .iter()
                .map(|d| (d.code.clone(), d.name.clone()))
                .collect();
            store.write(|tx, _| divisions::put(tx, &names))?;
        }
        apply_issued(store, &page, report)?;
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
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.decisions_cursor);
        let page: DecisionPage = c.ok(
            "GET",
            &format!("/decisions?since={cursor}"),
            Vec::new(),
            "decisions",
        )?;
        store.write(|tx, keys| {
            for d in &page.decisions {
                tasks::put_decision(
                    tx,
                    keys,
                    &DecisionTask {
                        cursor: d.cursor,
                        visit_id: d.visit_id.clone(),
                        decision: d.decision,
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

fn pull_tickets(
    store: &mut Store,
    c: &mut Client,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(SyncStage, u64, u64),
) -> Result<()> {
    loop {
        let cursor = sync_state::get(store.conn())?.map_or(0, |s| s.tickets_cursor);
        let page: TicketPage = c.ok(
            "GET",
            &format!("/tickets?since={cursor}"),
            Vec::new(),
            "tickets",
        )?;
        let now = c.now;
        store.write(|tx, keys| {
            for u in &page.updates {
                tasks::put_ticket(
                    tx,
                    keys,
                    &TicketTask {
                        cursor: u.cursor,
                        ticket_id: u.ticket_id.clone(),
                        visit_id: u.visit_id.clone(),
                        state: u.state,
                        text: u.latest_text().unwrap_or_default().to_owned(),
                        due: Some(u.due),
                        at: now,
                    },
                )?;
            }
            sync_state::set_tickets_cursor(tx, page.cursor)
        })?;
        report.ticket_updates += page.updates.len() as u64;
        progress(
            SyncStage::Tickets,
            report.ticket_updates,
            report.ticket_updates,
        );
        if !page.more {
            return Ok(());
        }
    }
}

/// Syncs with the server this device is enrolled with.
pub(crate) fn sync(
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
        .and_then(|()| pull_tickets(store, &mut c, &mut report, progress));
    report.clock_skew_secs = c.skew;
    // The skew is worth keeping even when the sync stopped: it may be why. The time of the
    // last sync is that of the last one that went all the way.
    let done = result.is_ok().then_some(c.now);
    store.write(|tx, _| sync_state::note_sync(tx, c.skew, done))?;
    result.map(|()| report)
}
