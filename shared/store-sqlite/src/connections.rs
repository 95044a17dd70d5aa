//! Who uses the database's connections: one writer thread, which commits
//! every write waiting for it in one transaction (each in its own savepoint,
//! so each stays all-or-nothing and sees the ones before it), and readers on
//! the caller's own thread, which WAL lets read while the writer writes. A
//! write's caller is answered only after the commit, so nothing
//! acknowledged can be lost.
//!
//! A read from SQLite's cache takes microseconds: less than handing it to
//! another thread and back, which costs two thread wake-ups on the turn's
//! way to its first token. Writes go to their own thread: a commit may wait
//! for the disk, and grouping them is what lets a thousand concurrent turns
//! share one file. (A fixed thread rather than tokio's blocking pool, which
//! would start a thread per waiting write, each holding its stack and arena.)

use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use paas_core::store::{Item, StoreError, StoreResult, Write};

use crate::sql;

/// The most writes one transaction groups.
const MAX_GROUP: usize = 256;

type Answer = StoreResult<Vec<Option<Item>>>;

/// Writes that succeed or fail together, and who waits for the outcome.
struct WriteJob {
    writes: Vec<Write>,
    /// A transaction: a failed condition names its write.
    transact: bool,
    reply: oneshot::Sender<Answer>,
}

/// The writer thread's queue (the thread ends with it), and idle reader connections.
pub(crate) struct Connections {
    writer: mpsc::Sender<WriteJob>,
    /// As many as reads have run at once, at most one per thread that reads.
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
}

impl Connections {
    /// Opens the writer's connection, which creates the tables.
    pub(crate) fn open(path: &Path, schema: &str) -> StoreResult<Self> {
        let writer = sql::connect(path)?;
        writer.execute_batch(schema).map_err(StoreError::backend)?;
        let (write_jobs, writes) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(writer, &writes))
            .map_err(StoreError::backend)?;
        Ok(Self { writer: write_jobs, readers: Mutex::default(), path: path.to_owned() })
    }

    /// Runs writes as one all-or-nothing unit, answered once committed.
    pub(crate) async fn write(&self, writes: Vec<Write>, transact: bool) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.writer.send(WriteJob { writes, transact, reply }).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Runs `work` on a reader connection, here and now.
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let idle = self.idle_readers().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => sql::connect_reader(&self.path)?,
        };
        let result = work(&conn);
        self.idle_readers().push(conn);
        result
    }

    fn idle_readers(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.readers.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
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
