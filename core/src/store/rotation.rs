//! Data-key rotation: a new data key becomes active, then every row is re-encrypted under it
//! in short transactions, then the old key is dropped. Each step commits on its own, so a
//! rotation killed at any point resumes where it stopped; until it finishes both keys stay
//! live and every row stays readable.

use std::time::Duration;

use rusqlite::TransactionBehavior;

use super::{keyring, recipients, Store};
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
    pub rows: u64,
}

impl Store {
    /// Rotates the data key, or finishes a rotation that was interrupted.
    pub fn rotate_data_key(
        &mut self,
        opts: &RotateOptions,
        progress: &mut dyn FnMut(RotateProgress),
    ) -> Result<RotateReport> {
        let resumed = self.keys.is_rotating();
        if !resumed {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
        let total = recipients::count_not_under_key(&self.conn, new_key)?;
        let mut done = 0u64;
        let mut after = String::new();
        progress(RotateProgress { done, total });
        loop {
            let ids =
                recipients::ids_not_under_key(&self.conn, new_key, &after, opts.batch_size.max(1))?;
            let Some(last) = ids.last().cloned() else {
                // A process that opened the store before the rotation began may have written
                // rows under the old key meanwhile: sweep again until none is left.
                if recipients::count_not_under_key(&self.conn, new_key)? > 0 {
                    after.clear();
                    continue;
                }
                break;
            };
            self.write(|tx, keys| {
                let mut writer = recipients::Writer::new(tx, keys)?;
                for id in &ids {
                    let r = recipients::get(tx, keys, id)?
                        .ok_or_else(|| Error::NotFound { id: id.clone() })?;
                    writer.put(&r)?;
                }
                Ok(())
            })?;
            done += ids.len() as u64;
            after = last;
            progress(RotateProgress { done, total });
            if !opts.pause.is_zero() {
                std::thread::sleep(opts.pause);
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Checked again inside the transaction that deletes: a key is never dropped while a
        // row still needs it. If one slipped in, the rotation stays pending and resumes.
        if recipients::count_not_under_key(&tx, new_key)? == 0 {
            tx.execute("DELETE FROM keyring WHERE state = 'retiring'", [])?;
            tx.commit()?;
            self.keys.drop_retired();
        }
        Ok(RotateReport {
            resumed,
            new_key_id: new_key,
            rows: done,
        })
    }
}
