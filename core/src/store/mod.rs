//! The encrypted offline store: one bundled SQLite file (WAL) in a folder of its own, whose
//! personal values are sealed in per-row envelopes under a data key that only the vault can
//! unwrap. Repositories read with `&Connection` and write with `&Transaction`.

pub mod chain;
pub mod device_key;
pub mod divisions;
mod keyring;
pub mod media;
mod migrations;
pub mod policy;
mod recipient_codec;
pub mod recipients;
pub mod reveal_log;
mod rotation;
#[cfg(test)]
mod rotation_tests;
mod sweep;
pub mod sync_state;
pub mod tasks;
#[cfg(test)]
mod tests;
pub mod visits;

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::crypto::{CryptoError, Kek, KeyVault, VaultParams};
use crate::error::{Error, Result};

pub use keyring::{Keyring, ROTATE_AFTER_ENCRYPTIONS};
pub use migrations::SCHEMA_VERSION;
pub use rotation::{RotateOptions, RotateProgress, RotateReport};

/// The database file inside a store folder.
pub const DB_FILE: &str = "doorstep.db";
/// The page size of new stores (see `create`).
pub const PAGE_SIZE: u32 = 8192;
/// How long a write waits for another process's write before reporting `Locked`.
const BUSY_TIMEOUT: Duration = Duration::from_millis(2000);

pub struct Store {
    conn: Connection,
    /// The vault parameters this store was opened with: if the file's differ, another
    /// process changed the passphrase, and this one's KEK must not wrap anything new.
    params: VaultParams,
    kek: Kek,
    keys: Keyring,
    dir: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// Connection settings every open applies. None of them writes to the file.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Overwrite deleted content with zeros, so an updated envelope's old bytes do not linger.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // Sorts and temporary indexes stay in memory, never in a temp file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // WAL + NORMAL: durable across app kills (the WAL survives), and a power cut loses at most
    // the last commits, never corrupts. The same settings the benchmark gives every peer.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn open_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

impl Store {
    /// Creates a new store in `dir` (made 0700; files 0600). The database is built under a
    /// temporary name and renamed when complete, so a creation killed half-way never leaves
    /// something that looks like a store.
    pub fn create(dir: &Path, vault: &dyn KeyVault) -> Result<Self> {
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(Error::AlreadyExists {
                path: dir.to_owned(),
            });
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // A folder that already existed keeps its mode unless told: the store's folder is its
        // own, and nobody else's to list.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        let tmp = dir.join(format!("{DB_FILE}.creating"));
        // A leftover from a killed creation holds no data: start over.
        for suffix in ["", "-wal", "-shm", "-journal"] {
            match fs::remove_file(format!("{}{suffix}", tmp.display())) {
                Err(e) if e.kind() != ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        // Create the file ourselves so it is 0600 from its first byte; SQLite gives its WAL and
        // SHM files the same mode as the database.
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        {
            let mut conn = Connection::open_with_flags(&tmp, open_flags())?;
            configure(&conn)?;
            // 8 KiB pages: a recipient row (≈400 bytes with its envelope) fits twice as many
            // per page as with the 4 KiB default, halving page splits on import (measured in
            // `doorstep-bench store`, which gives every peer the same setting).
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            migrations::migrate(&mut conn)?;
            let params = vault.new_params()?;
            let kek = vault.key_encryption_key(&params)?;
            let tx = conn.transaction()?;
            keyring::write_params(&tx, &params)?;
            keyring::insert_key(&tx, &kek, 1, "active")?;
            policy::write(&tx, &crate::policy::Policy::default())?;
            policy::write_template(&tx, &crate::model::ChecklistTemplate::builtin())?;
            tx.commit()?;
            // Closing checkpoints the WAL into the main file and removes it.
            conn.close().map_err(|(_, e)| Error::from(e))?;
        }
        fs::rename(&tmp, &db)?;
        Self::open(dir, vault)
    }

    /// Opens an existing store. Checks, in order and before any write: that the store exists,
    /// that its schema is not newer than this build, and that the vault's key opens it.
    pub fn open(dir: &Path, vault: &dyn KeyVault) -> Result<Self> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(Error::NoStore {
                path: dir.to_owned(),
            });
        }
        let not_a_store = || Error::NotAStore {
            path: dir.to_owned(),
        };
        // Faults that mean "this file is not one of our stores", as opposed to a store that
        // is locked, newer or opened with the wrong key.
        let foreign = |e: &Error| match e {
            Error::Sqlite(s) => {
                s.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
                    || s.to_string().contains("no such table")
            }
            Error::Crypto(CryptoError::Malformed) => true,
            _ => false,
        };
        // A WAL left by a crash holds committed work not yet in the database file. Until the
        // key is proven, closing must not fold it in: someone without the key changes nothing.
        // (Without such a WAL, a normal close removes the empty WAL and SHM it made.)
        let wal_pending = fs::metadata(dir.join(format!("{DB_FILE}-wal")))
            .map(|m| m.len() > 0)
            .unwrap_or(false);
        let mut conn = Connection::open_with_flags(&db, open_flags())?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, wal_pending)?;
        let checked = (|| {
            configure(&conn)?;
            let version = migrations::check_not_newer(&conn)?;
            if version == 0 {
                return Err(not_a_store());
            }
            let params = keyring::read_params(&conn)?.ok_or_else(not_a_store)?;
            let (kek, keys) = keyring::load(&conn, vault, &params)?;
            Ok((params, kek, keys))
        })();
        let (params, kek, keys) = match checked {
            Err(e) if foreign(&e) => return Err(not_a_store()),
            other => other?,
        };
        // Only now, with the key proven, may anything be written.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn,
            params,
            kek,
            keys,
            dir: dir.to_owned(),
        })
    }

    /// A second handle on this store: a connection of its own with the same keys, unwrapped
    /// again by this handle's KEK (a passphrase is not needed, nor kept). Work that waits on
    /// the network runs on it, so the handle the screens use is never held meanwhile; SQLite
    /// serialises the two handles' writes as it does two processes'.
    pub fn another(&self) -> Result<Self> {
        let conn = Connection::open_with_flags(self.dir.join(DB_FILE), open_flags())?;
        configure(&conn)?;
        let keys = keyring::load_with(&conn, &self.kek)?;
        Ok(Self {
            conn,
            params: self.params.clone(),
            kek: self.kek.duplicate(),
            keys,
            dir: self.dir.clone(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn keys(&self) -> &Keyring {
        &self.keys
    }

    /// Runs `f` in one immediate transaction and commits, adding the encryptions it made to
    /// the active key's counter in the same commit. On error nothing is written.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, &Keyring) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have rotated the data key since this one opened the store:
        // sealing under a key it has dropped would make the row unreadable. Reload and retry.
        if keyring::stored_active_id(&tx)? != Some(self.keys.active_id()) {
            drop(tx);
            self.reload_keys()?;
            tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if keyring::stored_active_id(&tx)? != Some(self.keys.active_id()) {
                return Err(Error::KeysChanged);
            }
        }
        let out = f(&tx, &self.keys)?;
        let n = self.keys.flush_count(&tx)?;
        match tx.commit() {
            Ok(()) => {
                self.keys.note_committed(n);
                Ok(out)
            }
            Err(e) => {
                self.keys.unflush_count(n);
                Err(e.into())
            }
        }
    }

    /// Re-reads the keyring with the KEK this store was opened with; fails with
    /// `KeysChanged` when another process changed the passphrase meanwhile.
    fn reload_keys(&mut self) -> Result<()> {
        if keyring::read_params(&self.conn)?.as_ref() != Some(&self.params) {
            return Err(Error::KeysChanged);
        }
        self.keys = keyring::load_with(&self.conn, &self.kek).map_err(|e| match e {
            Error::WrongKey => Error::KeysChanged,
            other => other,
        })?;
        Ok(())
    }

    /// Re-wraps the data keys under a new vault (a passphrase change): one short transaction,
    /// no data re-encrypted. The old vault's key stops working when it commits.
    pub fn change_vault(&mut self, new_vault: &dyn KeyVault) -> Result<()> {
        let params = new_vault.new_params()?;
        let new_kek = new_vault.key_encryption_key(&params)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if keyring::read_params(&tx)?.as_ref() != Some(&self.params) {
            return Err(Error::KeysChanged);
        }
        keyring::write_params(&tx, &params)?;
        keyring::rewrap_all(&tx, &self.kek, &new_kek)?;
        tx.commit()?;
        self.kek = new_kek;
        self.params = params;
        Ok(())
    }

    /// The device's signing key, created (and sealed in the store) on first use.
    pub fn device_key(&mut self) -> Result<crate::crypto::DeviceKey> {
        if let Some(key) = device_key::load(&self.conn, &self.keys)? {
            return Ok(key);
        }
        self.write(|tx, keys| match device_key::load(tx, keys)? {
            // Another process created it meanwhile.
            Some(key) => Ok(key),
            // Records were signed, yet the key is gone: a new key would break the chain
            // silently. That is damage to report, not to paper over.
            None if chain::next(tx)?.seq > 1 => Err(Error::Corrupt {
                table: "device_key",
                id: "1".to_owned(),
            }),
            None => device_key::create(tx, keys),
        })
    }

    /// Whether the active key has been used enough that it should be rotated.
    pub fn needs_rotation(&self) -> bool {
        self.keys.is_rotating() || self.keys.encryptions() >= ROTATE_AFTER_ENCRYPTIONS
    }

    /// Closes the connection, checkpointing the WAL into the main file.
    pub fn close(self) -> Result<()> {
        self.conn.close().map_err(|(_, e)| Error::from(e))
    }
}
