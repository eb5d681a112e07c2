//! The thread SQLite's calls run on, one after another in the order they arrive. SQLite has
//! one writer; a queue in front of one thread keeps that writer busy back to back, where a
//! semaphore handing the connection from one blocking task to the next left it idle for
//! every hand-over (two-fifths of the ingest benchmark's time went to those waits).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;

use super::Db;
use crate::storage::{Result, StorageError};

type Job = Box<dyn FnOnce(&Db) + Send>;

/// A handle on the thread; clones share it, and the thread stops when the last is dropped.
#[derive(Debug, Clone)]
pub(super) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts the thread that owns `db`; it stops when the worker is dropped.
    pub(super) fn start(db: Db) -> Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("doorstep-sqlite".into())
            .spawn(move || {
                for job in queue {
                    // A call that panics fails alone (its caller hears the thread went
                    // away); the calls queued behind it still run.
                    let _ = catch_unwind(AssertUnwindSafe(|| job(&db)));
                }
            })
            .map_err(|e| StorageError::Backend(format!("the storage thread: {e}")))?;
        Ok(Worker { jobs })
    }

    /// Runs `f` on the thread, after the calls queued before it.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |db| {
            // The caller may have given up waiting; then nobody needs the answer.
            let _ = answer.send(f(db));
        });
        let stopped = || StorageError::Backend("a storage task stopped".into());
        self.jobs.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_run_in_order_and_a_panic_fails_only_its_own() {
        let dir = tempfile::tempdir().expect("dir");
        let worker = Worker::start(Db::open(dir.path()).expect("db")).expect("worker");
        crate::block_on(async {
            let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let calls = (0..20).map(|i| {
                let order = order.clone();
                worker.run(move |_| {
                    order.lock().expect("order").push(i);
                    Ok(i)
                })
            });
            let answers = futures_util::future::try_join_all(calls)
                .await
                .expect("runs");
            assert_eq!(answers, (0..20).collect::<Vec<_>>());
            assert_eq!(*order.lock().expect("order"), (0..20).collect::<Vec<_>>());
            let failed = worker.run(|_| -> Result<()> { panic!("a bug") }).await;
            assert!(
                matches!(failed, Err(StorageError::Backend(_))),
                "{failed:?}"
            );
            let after = worker.run(|db| db.policy("").map(|_| 1)).await;
            assert_eq!(after.expect("the thread still serves"), 1);
        });
    }
}
