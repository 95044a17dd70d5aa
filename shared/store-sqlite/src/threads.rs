//! The threads that own the database's connections: one writer, which
//! commits every write waiting for it in one transaction (each in its own
//! savepoint, so each stays all-or-nothing and sees the ones before it),
//! and a few readers, which WAL lets read while the writer writes. A
//! write's caller is answered only after the commit, so nothing
//! acknowledged can be lost.
//!
//! Fixed threads rather than tokio's blocking pool: a thousand concurrent
//! turns would otherwise start hundreds of pool threads, each holding its
//! stack and malloc arena, all queued on one connection.

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use paas_core::store::{Item, StoreError, StoreResult, Write};

use crate::sql;

/// Reader threads: reads are short, so the two cores this runs on are enough.
const READERS: usize = 2;
/// The most writes one transaction groups.
const MAX_GROUP: usize = 256;

type Answer = StoreResult<Vec<Option<Item>>>;
type ReadJob = Box<dyn FnOnce(&Connection) + Send>;

/// Writes that succeed or fail together, and who waits for the outcome.
struct WriteJob {
    writes: Vec<Write>,
    /// A transaction: a failed condition names its write.
    transact: bool,
    reply: oneshot::Sender<Answer>,
}

/// Handles to the connection threads; they end with the last handle.
pub(crate) struct Connections {
    writer: mpsc::Sender<WriteJob>,
    readers: mpsc::Sender<ReadJob>,
}

impl Connections {
    /// Opens the writer's connection (which creates the tables), then the readers'.
    pub(crate) fn open(path: &Path, schema: &str) -> StoreResult<Self> {
        let writer = sql::connect(path)?;
        writer.execute_batch(schema).map_err(StoreError::backend)?;
        let readers = (0..READERS).map(|_| sql::connect_reader(path)).collect::<StoreResult<Vec<_>>>()?;

        let (write_jobs, writes) = mpsc::channel();
        spawn("sqlite-writer", move || write_loop(writer, &writes))?;
        let (read_jobs, reads) = mpsc::channel::<ReadJob>();
        let reads = Arc::new(Mutex::new(reads));
        for conn in readers {
            let reads = reads.clone();
            spawn("sqlite-reader", move || {
                // The lock is held only while waiting for a job, not while running it.
                while let Ok(job) = { reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv() } {
                    job(&conn);
                }
            })?;
        }
        Ok(Self { writer: write_jobs, readers: read_jobs })
    }

    /// Runs writes as one all-or-nothing unit, answered once committed.
    pub(crate) async fn write(&self, writes: Vec<Write>, transact: bool) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.writer.send(WriteJob { writes, transact, reply }).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Runs `work` on a reader's connection.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: ReadJob = Box::new(move |conn| drop(reply.send(work(conn))));
        self.readers.send(job).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

fn spawn(name: &str, body: impl FnOnce() + Send + 'static) -> StoreResult<()> {
    std::thread::Builder::new().name(name.into()).spawn(body).map(drop).map_err(StoreError::backend)
}

fn gone() -> StoreError {
    StoreError::backend(anyhow::anyhow!("the SQLite connection thread ended"))
}

/// Waits for a write, takes every other one already queued, commits them
/// together and answers each.
fn write_loop(mut conn: Connection, jobs: &mpsc::Receiver<WriteJob>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        group.extend(jobs.try_iter().take(MAX_GROUP - 1));
        match commit(&mut conn, &group) {
            Ok(answers) => {
                for (job, answer) in group.into_iter().zip(answers) {
                    let _ = job.reply.send(answer);
                }
            }
            // Nothing was committed: every write in the group fails.
            Err(err) => {
                let reason = err.to_string();
                for job in group {
                    let _ = job.reply.send(Err(StoreError::backend(anyhow::anyhow!("commit failed: {reason}"))));
                }
            }
        }
    }
}

/// One transaction; each job in a savepoint that is rolled back when it fails.
fn commit(conn: &mut Connection, group: &[WriteJob]) -> rusqlite::Result<Vec<Answer>> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut answers = Vec::with_capacity(group.len());
    for job in group {
        let savepoint = tx.savepoint()?;
        let answer = sql::apply_all(&savepoint, &job.writes, job.transact);
        if answer.is_ok() {
            savepoint.commit()?;
        }
        answers.push(answer);
    }
    tx.commit()?;
    Ok(answers)
}
