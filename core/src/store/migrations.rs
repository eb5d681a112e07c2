//! Schema migrations, numbered by `PRAGMA user_version`. Each step runs in its own transaction
//! together with the version bump, so a migration killed half-way leaves the previous version.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Step N takes the schema from version N to N+1. Append only; never edit a shipped step.
const STEPS: &[&str] = &[
    // 1: the encrypted store and the roster.
    "
    CREATE TABLE vault (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        kind        TEXT    NOT NULL,
        salt        BLOB    NOT NULL,
        iterations  INTEGER NOT NULL
    );
    -- Data keys, wrapped by the vault's KEK. One is active; during a data-key rotation the old
    -- one is 'retiring' until no row uses it.
    CREATE TABLE keyring (
        key_id      INTEGER PRIMARY KEY,
        wrapped     BLOB    NOT NULL,
        canary      BLOB    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('active', 'retiring')),
        encryptions INTEGER NOT NULL DEFAULT 0,
        created_at  TEXT    NOT NULL
    );
    -- Personal fields live only in `sec` (one envelope per row). In plaintext: the roster id,
    -- the village code, the last visit (days since 1970-01-01, for scheduling), the key id and
    -- the blind indexes. updated_at is Unix seconds.
    CREATE TABLE recipients (
        id          TEXT    PRIMARY KEY,
        village     TEXT    NOT NULL,
        last_visit  INTEGER,
        key_id      INTEGER NOT NULL,
        id_bidx     BLOB    NOT NULL,
        phone_bidx  BLOB,
        sec         BLOB    NOT NULL,
        updated_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX recipients_by_id_bidx ON recipients (id_bidx);
    CREATE INDEX recipients_by_phone_bidx ON recipients (phone_bidx);
    CREATE INDEX recipients_by_village ON recipients (village);
    CREATE TABLE policy (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        body        TEXT    NOT NULL,
        updated_at  TEXT    NOT NULL
    );
    CREATE TABLE checklist_templates (
        version     INTEGER PRIMARY KEY,
        body        TEXT    NOT NULL
    );
    -- Each time a protected subsidy was shown by name.
    CREATE TABLE reveal_log (
        seq           INTEGER PRIMARY KEY,
        recipient_id  TEXT    NOT NULL,
        revealed_at   TEXT    NOT NULL,
        count         INTEGER NOT NULL
    );
    ",
    // 2: the device's signing key (sealed; the public half is not personal).
    "
    CREATE TABLE device_key (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        sec         BLOB    NOT NULL,
        public      BLOB    NOT NULL,
        created_at  TEXT    NOT NULL
    );
    ",
    // 3: visits being recorded (drafts) and, later, sealed.
    "
    CREATE TABLE visits (
        id            TEXT    PRIMARY KEY,
        recipient_id  TEXT    NOT NULL,
        state         TEXT    NOT NULL CHECK (state IN ('draft', 'sealed')),
        started_at    TEXT    NOT NULL,
        key_id        INTEGER NOT NULL,
        sec           BLOB    NOT NULL,
        updated_at    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX visits_by_recipient ON visits (recipient_id);
    ",
    // 4: sealing. A sealed visit's place in the device's hash chain (not personal), the chain's
    // head, and media (signature images, photos) sealed apart from the visit they belong to.
    "
    ALTER TABLE visits ADD COLUMN seq INTEGER;
    ALTER TABLE visits ADD COLUMN hash BLOB;
    CREATE UNIQUE INDEX visits_by_seq ON visits (seq) WHERE seq IS NOT NULL;
    CREATE TABLE device_chain (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        seq         INTEGER NOT NULL,
        last_hash   BLOB    NOT NULL
    );
    CREATE TABLE media (
        sha256      TEXT    PRIMARY KEY,
        visit_id    TEXT    NOT NULL,
        kind        TEXT    NOT NULL,
        key_id      INTEGER NOT NULL,
        sec         BLOB    NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX media_by_visit ON media (visit_id);
    ",
    // 5: sync. Where the device is enrolled and how far it has pulled (not personal), the
    // server's receipt for each sealed visit sent, the media that went up, and tasks: review
    // decisions on this device's visits, their comments sealed.
    "
    CREATE TABLE sync_state (
        id                INTEGER PRIMARY KEY CHECK (id = 1),
        server            TEXT    NOT NULL,
        device_id         TEXT    NOT NULL,
        area              TEXT    NOT NULL,
        roster_cursor     INTEGER NOT NULL DEFAULT 0,
        decisions_cursor  INTEGER NOT NULL DEFAULT 0,
        tickets_cursor    INTEGER NOT NULL DEFAULT 0,
        clock_skew_secs   INTEGER,
        last_sync_at      INTEGER
    );
    CREATE TABLE receipts (
        visit_id    TEXT    PRIMARY KEY,
        status      TEXT    NOT NULL,
        chain       TEXT,
        at          INTEGER NOT NULL,
        media_done  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE media_sent (
        sha256      TEXT    PRIMARY KEY
    ) WITHOUT ROWID;
    CREATE TABLE tasks (
        id          TEXT    PRIMARY KEY,
        kind        TEXT    NOT NULL CHECK (kind IN ('decision', 'ticket')),
        cursor      INTEGER NOT NULL,
        visit_id    TEXT    NOT NULL,
        decision    TEXT    NOT NULL,
        at          INTEGER NOT NULL,
        key_id      INTEGER NOT NULL,
        sec         BLOB    NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX tasks_by_visit ON tasks (visit_id);
    ",
    // 6: the typed contract. The worker the device is enrolled for; the names of the
    // divisions (villages, townships) the server's table gives; ticket tasks kept by their
    // parts (ticket id, state, due date) instead of one text to split again. Rows kept before
    // get their parts from that text; their due date stays in their sealed text.
    "
    ALTER TABLE sync_state ADD COLUMN worker TEXT NOT NULL DEFAULT '';
    CREATE TABLE divisions (
        code        TEXT    PRIMARY KEY,
        name        TEXT    NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE tasks ADD COLUMN ticket_id TEXT;
    ALTER TABLE tasks ADD COLUMN state TEXT;
    ALTER TABLE tasks ADD COLUMN due TEXT;
    UPDATE tasks SET ticket_id = substr(decision, 1, instr(decision, ' ') - 1),
                     state = substr(decision, instr(decision, ' ') + 1)
        WHERE kind = 'ticket' AND instr(decision, ' ') > 0;
    ",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = STEPS.len() as u32;

pub fn user_version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Refuses a store from a newer build before anything else looks at it.
pub fn check_not_newer(conn: &Connection) -> Result<u32> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    if check_not_newer(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    loop {
        // Immediate, and the version re-read inside: two processes opening an old store at
        // once must not both run the same step.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version = check_not_newer(&tx)?;
        let Some(step) = STEPS.get(version as usize) else {
            return Ok(());
        };
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_once() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate(&mut conn).expect("migrate");
        assert_eq!(user_version(&conn).expect("version"), SCHEMA_VERSION);
        // Running again is a no-op, not a "table exists" failure.
        migrate(&mut conn).expect("migrate again");
    }

    #[test]
    fn refuses_newer_schemas() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::NewerSchema { found, supported })
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION
        ));
    }
}
