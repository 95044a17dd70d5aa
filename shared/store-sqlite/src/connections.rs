//! Who uses the database's connections. Writes: whichever caller finds the
//! write connection free commits every write waiting for it in one
//! transaction (each in its own savepoint, so each stays all-or-nothing and
//! sees the ones before it); a write's caller is answered only after the
//! commit, so nothing acknowledged can be lost. Reads: on the caller's
//! thread, from a pool of connections, which WAL lets read while a write
//! commits.
//!
//! A read from SQLite's cache, or a commit (WAL with `synchronous = NORMAL`
//! does not wait for the disk), takes tens of microseconds: less than
//! handing it to another thread and back, which costs two thread wake-ups
//! on a turn's way to its first token. Grouping the writes is what lets a
//! thousand concurrent turns share one file. Every 1,000 pages or so a
//! commit also checkpoints the log into the database file (SQLite's
//! default), which waits for the disk: a few milliseconds, now and then.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, TryLockError};

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::oneshot;

use paas_core::store::{Item, StoreError, StoreResult, Write};

use crate::sql;

/// The most writes one transaction groups: it holds one thread for that long.
const MAX_GROUP: usize = 64;
type Answer = StoreResult<Vec<Option<Item>>>;

/// Writes that succeed or fail together, and who waits for the outcome.
struct WriteJob {
    writes: Vec<Write>,
    /// A transaction: a failed condition names its write.
    transact: bool,
    reply: oneshot::Sender<Answer>,
}

/// The write connection and the writes waiting for it, and idle reader connections.
pub(crate) struct Connections {
    writer: Mutex<Connection>,
    waiting: Mutex<Vec<WriteJob>>,
    /// As many as reads have run at once, at most one per thread that reads.
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
}

impl Connections {
    /// Opens the write connection, which creates the tables.
    pub(crate) fn open(path: &Path, schema: &str) -> StoreResult<Self> {
        let writer = sql::connect(path)?;
        writer.execute_batch(schema).map_err(StoreError::backend)?;
        Ok(Self {
            writer: Mutex::new(writer),
            waiting: Mutex::default(),
            readers: Mutex::default(),
            path: path.to_owned(),
        })
    }

    /// Runs writes as one all-or-nothing unit, answered once committed.
    pub(crate) async fn write(&self, writes: Vec<Write>, transact: bool) -> Answer {
        let (reply, answer) = oneshot::channel();
        locked(&self.waiting).push(WriteJob { writes, transact, reply });
        self.commit_waiting();
        answer.await.map_err(|_| StoreError::backend(anyhow::anyhow!("the write was dropped uncommitted")))?
    }

    /// Commits every waiting write, unless another caller holds the write
    /// connection: that one commits them once its own commit is done. (A
    /// write is queued before its caller tries the connection, and the
    /// holder looks at the queue again after letting go of it, so no write
    /// is left waiting with nobody to commit it.)
    fn commit_waiting(&self) {
        loop {
            {
                let mut conn = match self.writer.try_lock() {
                    Ok(conn) => conn,
                    Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                    Err(TryLockError::WouldBlock) => return,
                };
                let group: Vec<WriteJob> = {
                    let mut waiting = locked(&self.waiting);
                    let take = waiting.len().min(MAX_GROUP);
                    waiting.drain(..take).collect()
                };
                if !group.is_empty() {
                    answer(group, &mut conn);
                }
            }
            if locked(&self.waiting).is_empty() {
                return;
            }
        }
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

    fn idle_readers(&self) -> MutexGuard<'_, Vec<Connection>> {
        locked(&self.readers)
    }
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Commits a group of writes together and answers each.
fn answer(group: Vec<WriteJob>, conn: &mut Connection) {
    match commit(conn, &group) {
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

#[cfg(test)]
mod tests {
    use paas_core::store::{Key, Store, tables, to_item};

    use crate::SqliteStore;

    /// The log is checkpointed into the database file as writes go on, so
    /// it does not grow while the process runs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_reach_the_database_file_as_they_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let store = SqliteStore::open(&path, tables::ALL).unwrap();
        let payload = "x".repeat(2048);
        for i in 0..1000 {
            let item = to_item(&Key::new("t", format!("k{i:05}")), &serde_json::json!({ "v": payload })).unwrap();
            store.put(&tables::TENANTS, item, &[]).await.unwrap();
        }
        let file = std::fs::metadata(&path).unwrap().len();
        assert!(file > 2_000_000, "the database file holds {file} bytes");
    }
}
