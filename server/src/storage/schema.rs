//! The server database's schema, one migration step per `PRAGMA user_version`, each in its
//! own transaction, run on every start.

use rusqlite::Connection;

const STEPS: &[&str] = &[
    // 1: people, devices, the roster, sealed visits, media, decisions, the audit log.
    "
    CREATE TABLE supervisors (
        login TEXT PRIMARY KEY,
        area TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE enrolment_codes (
        code_hash TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        area TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_by TEXT
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL UNIQUE,
        worker TEXT NOT NULL,
        area TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE TABLE seen_requests (
        device_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (device_id, signature)
    ) WITHOUT ROWID;
    CREATE INDEX seen_requests_at ON seen_requests (at);
    -- One row per recipient; `version` orders changes for devices pulling since a cursor.
    CREATE TABLE recipients (
        id TEXT PRIMARY KEY,
        area TEXT NOT NULL,
        village TEXT NOT NULL,
        row_json TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX recipients_area_version ON recipients (area, version);
    CREATE TABLE visits (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id),
        seq INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        prev_hash TEXT,
        record BLOB NOT NULL,
        signature BLOB NOT NULL,
        recipient_id TEXT NOT NULL,
        area TEXT NOT NULL,
        corrects TEXT,
        chain TEXT NOT NULL,
        status TEXT NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX visits_device_seq ON visits (device_id, seq);
    CREATE INDEX visits_area_status ON visits (area, status);
    CREATE TABLE media (
        sha256 TEXT PRIMARY KEY,
        total INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        complete INTEGER NOT NULL
    );
    CREATE TABLE visit_media (
        visit_id TEXT NOT NULL REFERENCES visits (id),
        sha256 TEXT NOT NULL,
        PRIMARY KEY (sha256, visit_id)
    ) WITHOUT ROWID;
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        device_id TEXT NOT NULL,
        decision TEXT NOT NULL,
        comment TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX decisions_device ON decisions (device_id, id);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL
    );
    ",
    // 2: cross-device authenticity flags: each visit's best fix on a grid, each photo's
    // perceptual hash in five bands (see flags.rs), the flags raised, and which visits
    // still wait for them (raised in batches behind the pushes, not inside them).
    "
    ALTER TABLE visits ADD COLUMN server_flags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE visits ADD COLUMN flags_pending INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX visits_flags_pending ON visits (received_at) WHERE flags_pending = 1;
    -- Clustered by what is searched (one B-tree each, no second index to keep up).
    CREATE TABLE visit_points (
        cell_lat INTEGER NOT NULL,
        cell_lon INTEGER NOT NULL,
        visit_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        recipient_id TEXT NOT NULL,
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        started_at INTEGER NOT NULL,
        PRIMARY KEY (cell_lat, cell_lon, visit_id)
    ) WITHOUT ROWID;
    CREATE TABLE photo_bands (
        band INTEGER NOT NULL,
        value INTEGER NOT NULL,
        visit_id TEXT NOT NULL,
        phash INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        PRIMARY KEY (band, value, visit_id, phash)
    ) WITHOUT ROWID;
    ",
    // 3: the service-problem ledger (件件有着落): each ticket raised in a visit, moved through
    // accepted (受理) → transferred (传递) → replied (回复) → closed (办结). `version` orders
    // changes for the device that raised it.
    "
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        visit_id TEXT NOT NULL REFERENCES visits (id),
        number INTEGER NOT NULL,
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
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX tickets_device_version ON tickets (device_id, version);
    CREATE INDEX tickets_area_state ON tickets (area, state);
    ",
    // 4: the supervisors' web app: what the review queue filters and sorts on (village,
    // visit start, every flag's kind from the device and the server), and login sessions.
    "
    ALTER TABLE visits ADD COLUMN village TEXT NOT NULL DEFAULT '';
    ALTER TABLE visits ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE visits ADD COLUMN flag_kinds TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE visits ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX visits_queue ON visits (village, flagged, received_at);
    CREATE INDEX visits_status_queue ON visits (status, village, flagged, received_at);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES supervisors (login),
        csrf TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    );
    ",
    // 5: what the server issues: each version of the policy record (the newest is in force,
    // and devices take it with the roster), and the names of the divisions, versioned with
    // the roster rows so that one cursor brings both down.
    "
    CREATE TABLE policies (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at INTEGER NOT NULL
    );
    CREATE TABLE divisions (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL
    );
    CREATE INDEX divisions_version ON divisions (version);
    ",
    // 6: failed logins, for the rate limit: in the database, so that every server process
    // behind a load balancer counts the same attempts.
    "
    CREATE TABLE login_failures (
        login TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX login_failures_login_at ON login_failures (login, at);
    ",
    // 7: the review queue at millions of visits. Each of its selections has an index that
    // holds it in the page's order with the page's key (id) and what it filters on: a
    // county's (the first six digits of the village code), a township's or village's, a
    // worker's devices'. A page is found in the index alone and only its fifty rows read
    // (storage/queue.rs). The counts it shows come from `queue_counts`, kept by triggers on
    // every insert, status or flag change, so no write path can forget them. The indexes of
    // step 4 and the one by device area and status (which nothing reads) go.
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
        flagged INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (village, status, flagged)
    ) WITHOUT ROWID;
    INSERT INTO queue_counts (village, status, flagged, n)
        SELECT village, status, flagged, count(*) FROM visits GROUP BY village, status, flagged;
    CREATE TRIGGER visits_count_insert AFTER INSERT ON visits BEGIN
        INSERT INTO queue_counts (village, status, flagged, n)
            VALUES (NEW.village, NEW.status, NEW.flagged, 1)
            ON CONFLICT (village, status, flagged) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER visits_count_update AFTER UPDATE OF village, status, flagged ON visits
        WHEN OLD.village IS NOT NEW.village OR OLD.status IS NOT NEW.status
            OR OLD.flagged IS NOT NEW.flagged
    BEGIN
        UPDATE queue_counts SET n = n - 1
            WHERE village = OLD.village AND status = OLD.status AND flagged = OLD.flagged;
        INSERT INTO queue_counts (village, status, flagged, n)
            VALUES (NEW.village, NEW.status, NEW.flagged, 1)
            ON CONFLICT (village, status, flagged) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER visits_count_delete AFTER DELETE ON visits BEGIN
        UPDATE queue_counts SET n = n - 1
            WHERE village = OLD.village AND status = OLD.status AND flagged = OLD.flagged;
    END;
    ",
    // 8: policy and people managed in the web app: a policy issued for one area (a county's
    // own intervals and thresholds; '' is the server's default for every area without one),
    // and supervisors who can be disabled without losing what they did.
    "
    ALTER TABLE policies ADD COLUMN area TEXT NOT NULL DEFAULT '';
    ALTER TABLE supervisors ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    ",
    // 9: the dashboard and the coverage report count every visit of a county: the county's
    // queue index also holds the household and the village, so that they are counted from
    // the index alone (the rows lie scattered over the table: one page read per visit).
    "
    DROP INDEX visits_county_queue;
    CREATE INDEX visits_county_queue
        ON visits (county, flagged, received_at, id, started_at, status, recipient_id, village);
    ",
    // 10: checklist templates issued in the web app, for one area as policies are; versions
    // numbered across the server (after the built-in 1) so a visit's version names one.
    "
    CREATE TABLE checklists (
        version INTEGER PRIMARY KEY,
        area TEXT NOT NULL,
        body TEXT NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at INTEGER NOT NULL
    );
    ",
];

/// Brings the database up to date; refuses one written by a newer server.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), u32>> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current as usize > STEPS.len() {
        return Ok(Err(current));
    }
    for (i, step) in STEPS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as u32)?;
        tx.commit()?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server upgraded past step 7 finds its visits' counties and queue counts filled in
    /// from the visits it already held, and the triggers keeping them from then on.
    #[test]
    fn step_seven_fills_the_counties_and_counts_of_visits_already_kept() {
        let mut conn = Connection::open_in_memory().expect("db");
        for step in &STEPS[..6] {
            conn.execute_batch(step).expect("step");
        }
        conn.pragma_update(None, "user_version", 6)
            .expect("version");
        conn.execute(
            "INSERT INTO devices (id, public_key, worker, area, enrolled_at)
             VALUES ('D', 'k', 'w', '410225', 0)",
            [],
        )
        .expect("device");
        let put = |conn: &Connection, id: &str, village: &str, status: &str, flagged: bool| {
            conn.execute(
                "INSERT INTO visits (id, device_id, seq, sha256, record, signature,
                     recipient_id, area, chain, status, received_at, village, flagged)
                 VALUES (?1, 'D', 1, ?1, x'00', x'00', 'R', '410225', 'ok', ?2, 0, ?3, ?4)",
                rusqlite::params![id, status, village, flagged],
            )
            .expect("visit");
        };
        put(&conn, "V1", "410225105201", "submitted", false);
        put(&conn, "V2", "410225105201", "submitted", true);
        put(&conn, "V3", "410225105202", "approved", false);
        migrate(&mut conn).expect("sqlite").expect("migrated");
        let counts = |conn: &Connection| -> Vec<(String, String, i64, i64)> {
            conn.prepare(
                "SELECT village, status, flagged, n FROM queue_counts WHERE n > 0 ORDER BY 1, 2, 3",
            )
            .expect("sql")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
        };
        let v = |village: &str, status: &str, flagged, n| {
            (village.to_owned(), status.to_owned(), flagged, n)
        };
        assert_eq!(
            counts(&conn),
            vec![
                v("410225105201", "submitted", 0, 1),
                v("410225105201", "submitted", 1, 1),
                v("410225105202", "approved", 0, 1),
            ]
        );
        let county: String = conn
            .query_row("SELECT DISTINCT county FROM visits", [], |r| r.get(0))
            .expect("county");
        assert_eq!(county, "410225");
        conn.execute("UPDATE visits SET status = 'approved' WHERE id = 'V1'", [])
            .expect("decide");
        put(&conn, "V4", "410225105202", "submitted", false);
        conn.execute("DELETE FROM visits WHERE id = 'V2'", [])
            .expect("delete");
        assert_eq!(
            counts(&conn),
            vec![
                v("410225105201", "approved", 0, 1),
                v("410225105202", "approved", 0, 1),
                v("410225105202", "submitted", 0, 1),
            ]
        );
    }
}
