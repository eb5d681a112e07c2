//! Data-key rotation: a new data key becomes active, then every row is re-encrypted under it
//! in short transactions, then the old key is dropped. Each step commits on its own, so a
//! rotation killed at any point resumes where it stopped; until it finishes both keys stay
//! live and every row stays readable.

use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::{device_key, keyring, media, recipients, tasks, visits, Keyring, Store};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct RotateOptions {
    /// Rows re-encrypted per transaction: small enough that the app stays responsive.
    pub batch_size: usize,
    /// A pause between batches, for rotating in the background on a slow phone.
    pub pause: Duration,
}

impl Default for RotateOptions {
    fn default() -> Self {
        Self {
            batch_size: 500,
            pause: Duration::ZERO,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotateProgress {
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateReport {
    /// True when this call finished a rotation an earlier, interrupted call started.
    pub resumed: bool,
    pub new_key_id: u32,
    /// Rows re-encrypted by this call.
    pub rows: u64,
    /// Rows that could not be read: still under the old key, which is kept for them.
    pub unreadable: Vec<String>,
}

impl Store {
    /// Rotates the data key, or finishes a rotation that was interrupted. Rows that cannot be
    /// read are left under their old key (which stays while any row needs it) and reported.
    pub fn rotate_data_key(
        &mut self,
        opts: &RotateOptions,
        progress: &mut dyn FnMut(RotateProgress),
    ) -> Result<RotateReport> {
        // Pick up what other processes did since this one opened the store.
        self.reload_keys()?;
        let resumed = self.keys.is_rotating();
        if !resumed {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if keyring::read_params(&tx)?.as_ref() != Some(&self.params)
                || keyring::stored_active_id(&tx)? != Some(self.keys.active_id())
            {
                return Err(Error::KeysChanged);
            }
            let next_id: u32 = tx.query_row(
                "SELECT coalesce(max(key_id), 0) + 1 FROM keyring",
                [],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE keyring SET state = 'retiring' WHERE state = 'active'",
                [],
            )?;
            let set = keyring::insert_key(&tx, &self.kek, next_id, "active")?;
            tx.commit()?;
            self.keys.push_active(set);
        }
        let new_key = self.keys.active_id();
        let total = recipients::count_not_under_key(&self.conn, new_key)?
            + visits::ids_not_under_key(&self.conn, new_key, "", usize::MAX)?.len() as u64
            + media::ids_not_under_key(&self.conn, new_key, "", usize::MAX)?.len() as u64
            + tasks::ids_not_under_key(&self.conn, new_key, "", usize::MAX)?.len() as u64;
        let mut report = RotateReport {
            resumed,
            new_key_id: new_key,
            rows: 0,
            unreadable: Vec::new(),
        };
        let mut after = String::new();
        let mut swept_any = false;
        progress(RotateProgress { done: 0, total });
        loop {
            let ids =
                recipients::ids_not_under_key(&self.conn, new_key, &after, opts.batch_size.max(1))?;
            let Some(last) = ids.last().cloned() else {
                // A process that opened the store before the rotation began may have written
                // rows under the old key meanwhile: sweep again while sweeps make progress.
                let left = recipients::count_not_under_key(&self.conn, new_key)?;
                if left > report.unreadable.len() as u64 && swept_any {
                    after.clear();
                    report.unreadable.clear();
                    swept_any = false;
                    continue;
                }
                break;
            };
            let unreadable = self.write(|tx, keys| {
                let mut unreadable = Vec::new();
                for id in &ids {
                    match recipients::get(tx, keys, id) {
                        Ok(Some(r)) => recipients::reseal(tx, keys, &r)?,
                        Ok(None) => {}
                        Err(Error::Corrupt { id, .. }) => unreadable.push(id),
                        Err(e) => return Err(e),
                    }
                }
                Ok(unreadable)
            })?;
            // Another process rotated again meanwhile (`write` picked up its newer key): its
            // rotation owns the work now; carrying on would chase a key that is retiring.
            if self.keys.active_id() != new_key {
                return Err(Error::KeysChanged);
            }
            swept_any |= unreadable.len() < ids.len();
            report.rows += (ids.len() - unreadable.len()) as u64;
            report.unreadable.extend(unreadable);
            after = last;
            progress(RotateProgress {
                done: report.rows,
                total,
            });
            if !opts.pause.is_zero() {
                std::thread::sleep(opts.pause);
            }
        }
        // Visits and media in batches too (a photo is large: one at a time), so the final
        // transaction below only sweeps what arrived meanwhile.
        type Batch = fn(&Connection, u32, &str, usize) -> Result<Vec<String>>;
        type Reseal = fn(&Transaction<'_>, &Keyring, &str) -> Result<bool>;
        let tables: [(Batch, Reseal); 3] = [
            (visits::ids_not_under_key, visits::reseal_one),
            (media::ids_not_under_key, media::reseal_one),
            (tasks::ids_not_under_key, tasks::reseal_one),
        ];
        for (batch, reseal) in tables {
            let mut after = String::new();
            loop {
                let ids = batch(&self.conn, new_key, &after, opts.batch_size.max(1))?;
                let Some(last) = ids.last().cloned() else {
                    break;
                };
                let stuck = self.write(|tx, keys| {
                    let mut stuck = Vec::new();
                    for id in &ids {
                        if !reseal(tx, keys, id)? {
                            stuck.push(id.clone());
                        }
                    }
                    Ok(stuck)
                })?;
                if self.keys.active_id() != new_key {
                    return Err(Error::KeysChanged);
                }
                report.rows += (ids.len() - stuck.len()) as u64;
                after = last;
                progress(RotateProgress {
                    done: report.rows,
                    total,
                });
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Every sealed table must be on the new key before the old one goes: a key is
        // never dropped while anything still needs it. If something does, the rotation
        // stays pending and a later call resumes.
        let mut complete = keyring::stored_active_id(&tx)? == Some(new_key)
            && recipients::count_not_under_key(&tx, new_key)? == 0;
        if complete {
            complete = device_key::reseal(&tx, &self.keys)?;
            let mut stuck = visits::reseal_all(&tx, &self.keys)?;
            stuck.extend(media::reseal_all(&tx, &self.keys)?);
            stuck.extend(tasks::reseal_all(&tx, &self.keys)?);
            complete &= stuck.is_empty();
            report.unreadable.extend(stuck);
        }
        if complete {
            tx.execute(
                "DELETE FROM keyring WHERE state = 'retiring' AND key_id != ?1",
                [new_key],
            )?;
        }
        // Re-sealed device key and visits are kept either way: they are under the new key.
        let n = self.keys.flush_count(&tx)?;
        tx.commit()?;
        self.keys.note_committed(n);
        if complete {
            self.keys.drop_retired();
        }
        Ok(report)
    }
}
