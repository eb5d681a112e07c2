//! The store's live data keys: loading them through the vault (with the canary check that
//! tells a wrong key before anything is written), sealing and opening envelopes under them,
//! and counting encryptions per key so rotation comes long before AES-GCM's random-nonce bound.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::crypto::{
    BlindIndex, CryptoError, DataKey, EnvelopeAad, Kek, KeySet, KeyVault, NoncePool, VaultParams,
    BLIND_INDEX_LEN,
};
use crate::error::{Error, Result};

const CANARY: &[u8] = b"doorstep canary v1";

/// NIST SP 800-38D bounds random-nonce AES-GCM at 2^32 encryptions per key. Rotate at 2^30,
/// four times below it; a phone writes a few thousand values a year.
pub const ROTATE_AFTER_ENCRYPTIONS: u64 = 1 << 30;

fn canary_aad(key_id: &str) -> EnvelopeAad<'_> {
    EnvelopeAad {
        table: "keyring",
        row_id: key_id,
        format: 1,
    }
}

/// The data keys a store holds open.
pub struct Keyring {
    /// Active first, then any key retiring during a rotation.
    sets: Vec<KeySet>,
    nonces: Mutex<NoncePool>,
    /// Encryptions under the active key not yet added to its stored counter.
    pending: AtomicU64,
    /// The stored counter of the active key when loaded.
    stored_count: u64,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field(
                "keys",
                &self.sets.iter().map(|k| k.key_id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Keyring {
    pub fn active(&self) -> &KeySet {
        &self.sets[0]
    }

    pub fn active_id(&self) -> u32 {
        self.sets[0].key_id
    }

    pub fn is_rotating(&self) -> bool {
        self.sets.len() > 1
    }

    /// Total encryptions under the active key, including those not yet flushed.
    pub fn encryptions(&self) -> u64 {
        self.stored_count + self.pending.load(Ordering::Relaxed)
    }

    /// Seals under the active key.
    pub fn seal(&self, aad: EnvelopeAad<'_>, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.seal_with(aad, plaintext.len(), |buf| {
            buf.extend_from_slice(plaintext);
            true
        })
    }

    /// Seals what `write` appends to the buffer (see `KeySet::seal_with`).
    pub fn seal_with(
        &self,
        aad: EnvelopeAad<'_>,
        size_hint: usize,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.seal_into(aad, size_hint, &mut out, write)?;
        Ok(out)
    }

    /// Seals into a reused buffer (see `KeySet::seal_into`).
    pub fn seal_into(
        &self,
        aad: EnvelopeAad<'_>,
        size_hint: usize,
        out: &mut Vec<u8>,
        write: impl FnOnce(&mut Vec<u8>) -> bool,
    ) -> Result<()> {
        {
            let mut pool = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
            self.active()
                .seal_into(&mut pool, aad, size_hint, out, write)?;
        }
        self.pending.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn set_for(&self, envelope: &[u8]) -> Result<&KeySet, CryptoError> {
        let key_id = crate::crypto::envelope_key_id(envelope)?;
        self.sets
            .iter()
            .find(|k| k.key_id == key_id)
            .ok_or(CryptoError::UnknownKey(key_id))
    }

    /// Opens with whichever live key the envelope names.
    pub fn open(&self, aad: EnvelopeAad<'_>, envelope: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.set_for(envelope)?.open(aad, envelope)
    }

    /// Opens into a reused buffer; returns the plaintext's length at its start.
    pub fn open_into(
        &self,
        aad: EnvelopeAad<'_>,
        envelope: &[u8],
        buf: &mut Vec<u8>,
    ) -> Result<usize, CryptoError> {
        self.set_for(envelope)?.open_into(aad, envelope, buf)
    }

    /// The blind index to store with a new row (active key).
    pub fn blind_index(&self, column: BlindIndex, value: &str) -> [u8; BLIND_INDEX_LEN] {
        self.active().blind_index(column, value)
    }

    /// Every blind index a stored row may carry for `value`: one per live key, since rows not
    /// yet re-encrypted by a rotation still carry the old key's index.
    pub fn lookup_indexes(&self, column: BlindIndex, value: &str) -> Vec<[u8; BLIND_INDEX_LEN]> {
        self.sets
            .iter()
            .map(|k| k.blind_index(column, value))
            .collect()
    }

    /// Adds the pending count to the active key's stored counter inside `tx`.
    pub(crate) fn flush_count(&self, tx: &Transaction<'_>) -> Result<u64> {
        let n = self.pending.swap(0, Ordering::Relaxed);
        if n > 0 {
            tx.execute(
                "UPDATE keyring SET encryptions = encryptions + ?1 WHERE key_id = ?2",
                params![n as i64, self.active_id()],
            )?;
        }
        Ok(n)
    }

    /// Puts back a count whose transaction did not commit: over-counting is the safe side.
    pub(crate) fn unflush_count(&self, n: u64) {
        self.pending.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn note_committed(&mut self, n: u64) {
        self.stored_count += n;
    }
}

pub fn read_params(conn: &Connection) -> Result<Option<VaultParams>> {
    Ok(conn
        .query_row(
            "SELECT kind, salt, iterations FROM vault WHERE id = 1",
            [],
            |r| {
                Ok(VaultParams {
                    kind: r.get(0)?,
                    salt: r.get(1)?,
                    iterations: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Derives the KEK and opens every stored data key, checking each canary. Reads only: a wrong
/// key is reported before anything could be written.
pub fn load(
    conn: &Connection,
    vault: &dyn KeyVault,
    params: &VaultParams,
) -> Result<(Kek, Keyring)> {
    if params.kind != vault.kind() {
        return Err(Error::VaultKind {
            expected: params.kind.clone(),
            found: vault.kind().to_owned(),
        });
    }
    let kek = vault.key_encryption_key(params)?;
    let keys = load_with(conn, &kek)?;
    Ok((kek, keys))
}

/// Opens every stored data key with `kek`. A keyring without an active key is malformed.
pub fn load_with(conn: &Connection, kek: &Kek) -> Result<Keyring> {
    let mut stmt = conn.prepare(
        "SELECT key_id, wrapped, canary, state, encryptions FROM keyring
         ORDER BY state = 'active' DESC, key_id DESC",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if rows.first().map(|r| r.3.as_str()) != Some("active") {
        return Err(Error::Crypto(CryptoError::Malformed));
    }
    let mut sets = Vec::with_capacity(rows.len());
    for (key_id, wrapped, canary, _, _) in &rows {
        let dek = kek.unwrap(*key_id, wrapped).map_err(|e| match e {
            CryptoError::Decrypt => Error::WrongKey,
            other => Error::Crypto(other),
        })?;
        let set = KeySet::derive(*key_id, &dek)?;
        let id = key_id.to_string();
        match set.open(canary_aad(&id), canary) {
            Ok(plain) if plain == CANARY => {}
            _ => return Err(Error::WrongKey),
        }
        sets.push(set);
    }
    let stored_count = u64::try_from(rows[0].4).unwrap_or(0);
    Ok(Keyring {
        sets,
        nonces: Mutex::new(NoncePool::new()),
        pending: AtomicU64::new(0),
        stored_count,
    })
}

/// The id of the key the file says is active (another process may have rotated).
pub fn stored_active_id(conn: &Connection) -> Result<Option<u32>> {
    Ok(conn
        .query_row(
            "SELECT key_id FROM keyring WHERE state = 'active'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// Generates a data key, stores it wrapped under `kek` with its canary, and returns its set.
pub fn insert_key(tx: &Transaction<'_>, kek: &Kek, key_id: u32, state: &str) -> Result<KeySet> {
    let dek = DataKey::generate()?;
    let set = KeySet::derive(key_id, &dek)?;
    let id = key_id.to_string();
    let canary = set.seal(&mut NoncePool::new(), canary_aad(&id), CANARY)?;
    tx.execute(
        "INSERT INTO keyring (key_id, wrapped, canary, state, encryptions, created_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)",
        params![
            key_id,
            kek.wrap(key_id, &dek)?,
            canary,
            state,
            Utc::now().to_rfc3339()
        ],
    )?;
    Ok(set)
}

pub fn write_params(tx: &Transaction<'_>, params: &VaultParams) -> Result<()> {
    tx.execute(
        "INSERT INTO vault (id, kind, salt, iterations) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, salt = excluded.salt,
             iterations = excluded.iterations",
        params![params.kind, params.salt, params.iterations],
    )?;
    Ok(())
}

/// Re-wraps every data key from `old` to `new` inside `tx` (the passphrase change). The data
/// itself is untouched, so this is one short transaction whatever the store's size.
pub fn rewrap_all(tx: &Transaction<'_>, old: &Kek, new: &Kek) -> Result<()> {
    let keys = {
        let mut stmt = tx.prepare("SELECT key_id, wrapped FROM keyring")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, Vec<u8>>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    for (key_id, wrapped) in keys {
        let dek = old.unwrap(key_id, &wrapped).map_err(|_| Error::WrongKey)?;
        tx.execute(
            "UPDATE keyring SET wrapped = ?1 WHERE key_id = ?2",
            params![new.wrap(key_id, &dek)?, key_id],
        )?;
    }
    Ok(())
}

impl Keyring {
    /// Makes `set` the active key and keeps the others as retiring.
    pub(crate) fn push_active(&mut self, set: KeySet) {
        self.sets.insert(0, set);
        self.stored_count = 1;
        self.pending.store(0, Ordering::Relaxed);
    }

    /// Forgets every key but the active one.
    pub(crate) fn drop_retired(&mut self) {
        self.sets.truncate(1);
    }
}
