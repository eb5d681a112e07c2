//! The PostgreSQL schema, one step per version like the SQLite schema's (the same tables and
//! columns, in PostgreSQL's types), run on every start under an advisory lock, so that
//! several servers starting at once migrate once. The version is kept in `doorstep_schema`.
//! SQL is kept to what the PostgreSQL-compatible engines share (KingbaseES, HighGo,
//! PolarDB-PG, openGauss in PG mode): BIGSERIAL rather than identity columns, no JSON
//! operators, explicit ON CONFLICT targets.

use deadpool_postgres::Client;

use crate::storage::{Result, StorageError};

const STEPS: &[&str] = &[
    // 1: people, devices, the roster, sealed visits, media, decisions, the audit log.
    "
    CREATE TABLE supervisors (
        login TEXT PRIMARY KEY,
        area TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE enrolment_codes (
        code_hash TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        area TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_by TEXT
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL UNIQUE,
        worker TEXT NOT NULL,
        area TEXT NOT NULL,
        enrolled_at BIGINT NOT NULL,
        revoked_at BIGINT
    );
    CREATE TABLE seen_requests (
        device_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (device_id, signature)
    );
    CREATE INDEX seen_requests_at ON seen_requests (at);
    CREATE TABLE recipients (
        id TEXT PRIMARY KEY,
        area TEXT NOT NULL,
        village TEXT NOT NULL,
        row_json TEXT NOT NULL,
        version BIGINT NOT NULL
    );
    CREATE INDEX recipients_area_version ON recipients (area, version);
    CREATE INDEX recipients_village_version ON recipients (village, version);
    CREATE TABLE visits (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq BIGINT NOT NULL,
        sha256 TEXT NOT NULL,
        prev_hash TEXT,
        record BYTEA NOT NULL,
        signature BYTEA NOT NULL,
        recipient_id TEXT NOT NULL,
        area TEXT NOT NULL,
        corrects TEXT,
        chain TEXT NOT NULL,
        status TEXT NOT NULL,
        received_at BIGINT NOT NULL
    );
    CREATE INDEX visits_device_seq ON visits (device_id, seq);
    CREATE INDEX visits_area_status ON visits (area, status);
    CREATE INDEX visits_corrects ON visits (corrects) WHERE corrects IS NOT NULL;
    CREATE TABLE media (
        sha256 TEXT PRIMARY KEY,
        total BIGINT NOT NULL,
        bytes BYTEA NOT NULL,
        complete BOOLEAN NOT NULL
    );
    CREATE TABLE visit_media (
        visit_id TEXT NOT NULL REFERENCES visits (id),
        sha256 TEXT NOT NULL,
        PRIMARY KEY (sha256, visit_id)
    );
    CREATE TABLE decisions (
        id BIGSERIAL PRIMARY KEY,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        device_id TEXT NOT NULL,
        decision TEXT NOT NULL,
        comment TEXT NOT NULL,
        actor TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE INDEX decisions_device ON decisions (device_id, id);
    CREATE INDEX decisions_visit ON decisions (visit_id);
    CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL
    );
    ",
    // 2: cross-device authenticity flags (see flags.rs).
    "
    ALTER TABLE visits ADD COLUMN server_flags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE visits ADD COLUMN flags_pending BOOLEAN NOT NULL DEFAULT TRUE;
    CREATE INDEX visits_flags_pending ON visits (received_at, id) WHERE flags_pending;
    CREATE TABLE visit_points (
        cell_lat BIGINT NOT NULL,
        cell_lon BIGINT NOT NULL,
        visit_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        recipient_id TEXT NOT NULL,
        lat DOUBLE PRECISION NOT NULL,
        lon DOUBLE PRECISION NOT NULL,
        started_at BIGINT NOT NULL,
        PRIMARY KEY (cell_lat, cell_lon, visit_id)
    );
    CREATE TABLE photo_bands (
        band BIGINT NOT NULL,
        value BIGINT NOT NULL,
        visit_id TEXT NOT NULL,
        phash BIGINT NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (band, value, visit_id, phash)
    );
    ",
    // 3: the service-problem ledger (件件有着落).
    "
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        number BIGINT NOT NULL,
        device_id TEXT NOT NULL,
        area TEXT NOT NULL,
        village TEXT NOT NULL,
        kind TEXT NOT NULL,
        urgency TEXT NOT NULL,
        description TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('accepted', 'transferred', 'replied', 'closed')),
        department TEXT,
        reply TEXT,
        outcome TEXT,
        due TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        version BIGINT NOT NULL
    );
    CREATE INDEX tickets_device_version ON tickets (device_id, version);
    CREATE INDEX tickets_area_state ON tickets (area, state);
    CREATE INDEX tickets_village ON tickets (village);
    ",
    // 4: the supervisors' web app: the queue's columns and login sessions.
    "
    ALTER TABLE visits ADD COLUMN village TEXT NOT NULL DEFAULT '';
    ALTER TABLE visits ADD COLUMN started_at BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE visits ADD COLUMN flag_kinds TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE visits ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
    CREATE INDEX visits_queue ON visits (village, flagged, received_at);
    CREATE INDEX visits_status_queue ON visits (status, village, flagged, received_at);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES supervisors (login),
        csrf TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    ",
    // 5: what the server issues: the policy's versions and the divisions' names.
    "
    CREATE TABLE policies (
        version BIGINT PRIMARY KEY,
        body TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at BIGINT NOT NULL
    );
    CREATE TABLE divisions (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version BIGINT NOT NULL
    );
    CREATE INDEX divisions_version ON divisions (version);
    ",
    // 6: failed logins, for the rate limit every server process shares.
    "
    CREATE TABLE login_failures (
        login TEXT NOT NULL,
        at BIGINT NOT NULL
    );
    CREATE INDEX login_failures_login_at ON login_failures (login, at);
    ",
    // 7: the review queue at millions of visits (as the SQLite schema's step 7: the county
    // beside each visit, one index in the page's order under it, kept counts). Several
    // processes write at once here, so counts are not updated in place (two transactions
    // moving the same villages' counts would wait on each other, or deadlock): each change
    // appends to `queue_count_deltas`, the queue sums both tables, and the flagger folds the
    // deltas in under its lock. New visits append theirs with their batch (keep.rs); a
    // trigger appends the rest, so that no status or flag change can forget it.
    "
    ALTER TABLE visits ADD COLUMN county TEXT NOT NULL DEFAULT '';
    UPDATE visits SET county = substr(village, 1, 6);
    DROP INDEX visits_queue;
    DROP INDEX visits_status_queue;
    DROP INDEX visits_area_status;
    CREATE INDEX visits_county_queue
        ON visits (county, flagged, received_at, id, started_at, status);
    CREATE INDEX visits_village_queue ON visits (village, flagged, received_at, id);
    CREATE INDEX visits_device_queue ON visits (device_id, county, flagged, received_at, id);
    CREATE TABLE queue_counts (
        village TEXT NOT NULL,
        status TEXT NOT NULL,
        flagged BOOLEAN NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (village, status, flagged)
    );
    CREATE TABLE queue_count_deltas (
        village TEXT NOT NULL,
        status TEXT NOT NULL,
        flagged BOOLEAN NOT NULL,
        n BIGINT NOT NULL
    );
    INSERT INTO queue_counts (village, status, flagged, n)
        SELECT village, status, flagged, count(*) FROM visits GROUP BY village, status, flagged;
    CREATE FUNCTION doorstep_queue_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_count_deltas (village, status, flagged, n)
            VALUES (OLD.village, OLD.status, OLD.flagged, -1),
                   (NEW.village, NEW.status, NEW.flagged, 1);
        RETURN NULL;
    END $$;
    CREATE TRIGGER visits_count_moved AFTER UPDATE OF village, status, flagged ON visits
        FOR EACH ROW
        WHEN (OLD.village IS DISTINCT FROM NEW.village OR OLD.status IS DISTINCT FROM NEW.status
              OR OLD.flagged IS DISTINCT FROM NEW.flagged)
        EXECUTE PROCEDURE doorstep_queue_count_moved();
    CREATE FUNCTION doorstep_queue_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO queue_count_deltas (village, status, flagged, n)
            VALUES (OLD.village, OLD.status, OLD.flagged, -1);
        RETURN NULL;
    END $$;
    CREATE TRIGGER visits_count_deleted AFTER DELETE ON visits
        FOR EACH ROW EXECUTE PROCEDURE doorstep_queue_count_deleted();
    ",
    // 8: a policy issued for one area ('' the default), supervisors who can be disabled.
    "
    ALTER TABLE policies ADD COLUMN area TEXT NOT NULL DEFAULT '';
    ALTER TABLE supervisors ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
    ",
    // 9: the county's queue index also holds the household and the village, so that the
    // dashboard counts a county's visits from the index alone (as the SQLite schema's 9).
    "
    DROP INDEX visits_county_queue;
    CREATE INDEX visits_county_queue
        ON visits (county, flagged, received_at, id, started_at, status, recipient_id, village);
    ",
    // 10: checklist templates issued for an area, numbered across the server (as SQLite's 10).
    "
    CREATE TABLE checklists (
        version BIGINT PRIMARY KEY,
        area TEXT NOT NULL,
        body TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at BIGINT NOT NULL
    );
    ",
];

/// Advisory lock keys (one namespace per purpose, arbitrary but fixed).
pub(super) const LOCK_MIGRATE: i64 = 0x646f_6f72_0001;
pub(super) const LOCK_FLAGS: i64 = 0x646f_6f72_0002;
/// Writers of a counter devices pull by (roster and division versions, ticket versions,
/// decision ids) take this lock, so that a cursor never passes a row still uncommitted.
pub(super) const LOCK_CURSORS: i64 = 0x646f_6f72_0003;

/// Refuses an engine whose SQL does not mean what Doorstep's does: Oracle compatibility
/// modes (openGauss A mode, KingbaseES in Oracle mode) read '' as NULL, so an empty comment
/// or reply would vanish.
pub(super) async fn check_engine(c: &Client) -> Result<()> {
    let empty_is_null: Option<bool> = c.query_one("SELECT '' IS NULL", &[]).await?.try_get(0)?;
    judge_engine(empty_is_null)
}

/// What `SELECT '' IS NULL` answered: `false` on PostgreSQL semantics, `true` (or NULL) in
/// an Oracle mode.
fn judge_engine(empty_is_null: Option<bool>) -> Result<()> {
    if empty_is_null != Some(false) {
        return Err(StorageError::Unsuitable(
            "this database treats '' as NULL (an Oracle compatibility mode); Doorstep needs \
             PostgreSQL semantics: create its database in PG mode (openGauss: \
             DBCOMPATIBILITY 'PG'; KingbaseES: database_mode pg)"
                .into(),
        ));
    }
    Ok(())
}

/// Brings the database up to date; refuses one written by a newer server.
pub(super) async fn migrate(c: &mut Client) -> Result<()> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_MIGRATE])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS doorstep_schema (version BIGINT NOT NULL)")
        .await?;
    let current: i64 = match tx
        .query_opt("SELECT version FROM doorstep_schema", &[])
        .await?
    {
        Some(r) => r.try_get(0)?,
        None => {
            tx.execute("INSERT INTO doorstep_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    if current as usize > STEPS.len() {
        return Err(StorageError::NewerSchema(current as u32));
    }
    for (i, step) in STEPS.iter().enumerate().skip(current as usize) {
        tx.batch_execute(step).await?;
        tx.execute(
            "UPDATE doorstep_schema SET version = $1",
            &[&((i + 1) as i64)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_reading_the_empty_string_as_null_is_refused_with_what_to_do() {
        assert!(judge_engine(Some(false)).is_ok());
        for oracle_mode in [Some(true), None] {
            match judge_engine(oracle_mode) {
                Err(StorageError::Unsuitable(m)) => {
                    assert!(m.contains("DBCOMPATIBILITY 'PG'"), "{m}");
                    assert!(m.contains("database_mode pg"), "{m}");
                }
                other => panic!("{oracle_mode:?} accepted: {other:?}"),
            }
        }
    }
}
