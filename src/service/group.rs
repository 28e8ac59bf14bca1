//! Group commit (#18). On SQLite every write holds the one database write lock and pays one
//! fsync at its commit (WAL, `synchronous=FULL`). Inspections that arrive while a group is
//! committing queue up and go in together: one transaction and one fsync, each inspection
//! under its own savepoint, so that one refused inspection fails alone and writes nothing.
//! Nobody gets an answer before the group's commit returns, so nothing is acknowledged before
//! it is durable. Idempotency is unchanged: a key's second request in the same group runs after
//! the first one's savepoint and finds its stored answer.
//!
//! There is no writer thread: the first waiting request leads, runs the queue, commits, hands
//! the answers out and gives up the lead; under no load a request is its own group of one.
//! PostgreSQL does not group: its writers run side by side on their own connections, locking
//! only their own people, and its WAL already flushes concurrent commits together.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};

use diesel::Connection;

use super::{audit, next_write_seq, App, Caller, Lock, Touched};
use crate::error::{Error, Kind, Result};
use crate::store::{self, DbConn};

/// At most this many writes share a transaction: a group's latency is the sum of its members'.
const GROUP_MAX: usize = 64;

type Answer = Result<Box<dyn Any + Send>>;
type Work = Box<dyn FnOnce(&mut DbConn, &mut Touched) -> Answer + Send>;

struct Job {
    ticket: u64,
    caller: Caller,
    locks: Vec<Lock>,
    work: Work,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Job>,
    leading: bool,
    next_ticket: u64,
    answers: HashMap<u64, Answer>,
}

/// The queue of writes waiting for the next group (one per SQLite database).
#[derive(Default)]
pub struct GroupCommit {
    queue: Mutex<Queue>,
    wake: Condvar,
}

/// On unless `JIFEN_GROUP_COMMIT=off` (the benchmark measures both ways in one run).
pub(super) fn enabled() -> bool {
    !std::env::var("JIFEN_GROUP_COMMIT").is_ok_and(|v| v.eq_ignore_ascii_case("off") || v == "0")
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned queue only means a leader panicked; its jobs were answered (see `lead`).
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl App {
    /// [`App::write`] for a write that may share its transaction with others (on SQLite).
    pub fn write_grouped<T: Send + 'static>(
        &self,
        caller: &Caller,
        locks: Vec<Lock>,
        f: impl FnOnce(&App, &mut DbConn, &mut Touched) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let Some(group) = self.group.clone() else {
            return self.write(caller, &locks, |c, t| f(self, c, t));
        };
        let app = self.clone();
        let work: Work = Box::new(move |c, t| f(&app, c, t).map(|v| Box::new(v) as Box<dyn Any + Send>));
        let mut q = group.lock();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.waiting.push_back(Job { ticket, caller: caller.clone(), locks, work });
        loop {
            if let Some(answer) = q.answers.remove(&ticket) {
                return answer.and_then(|v| {
                    v.downcast::<T>().map(|b| *b).map_err(|_| Error::Internal(anyhow::anyhow!("group answer type")))
                });
            }
            if !q.leading && !q.waiting.is_empty() {
                q.leading = true;
                let n = q.waiting.len().min(GROUP_MAX);
                let jobs: Vec<Job> = q.waiting.drain(..n).collect();
                drop(q);
                let tickets: Vec<u64> = jobs.iter().map(|j| j.ticket).collect();
                let answers = catch_unwind(AssertUnwindSafe(|| self.commit_group(jobs))).unwrap_or_else(|_| {
                    tickets
                        .iter()
                        .map(|t| (*t, Err(Error::Internal(anyhow::anyhow!("a grouped write panicked")))))
                        .collect()
                });
                q = group.lock();
                q.answers.extend(answers);
                q.leading = false;
                group.wake.notify_all();
                continue;
            }
            q = group.wake.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// One transaction for `jobs`, a savepoint each; then the index for those that committed.
    fn commit_group(&self, jobs: Vec<Job>) -> Vec<(u64, Answer)> {
        let tickets: Vec<u64> = jobs.iter().map(|j| j.ticket).collect();
        let mut conn = match self.conn() {
            Ok(c) => c,
            Err(e) => return tickets.iter().map(|t| (*t, Err(shared(&e)))).collect(),
        };
        let mut answers: Vec<(u64, Answer)> = Vec::with_capacity(jobs.len());
        let mut written: Vec<Touched> = Vec::new();
        let outcome = conn.transaction::<(), Error, _>(|c| {
            for job in jobs {
                let mut touched = Touched::default();
                let keys: Vec<String> = job.locks.iter().map(Lock::key).collect();
                let answer = c.transaction::<_, Error, _>(|c| {
                    store::lock_for_write(c, &keys)?;
                    touched.seq = next_write_seq();
                    let out = (job.work)(c, &mut touched)?;
                    let audit_id = audit::record(c, &job.caller, &job.locks, &touched.facts, &touched.changes)?;
                    store::chain::append_for_write(c, &keys, &touched.facts, audit_id)?;
                    // Numbered in the group's commit order, as `App::write` does.
                    touched.number_changes(c)?;
                    Ok(out)
                });
                match answer {
                    // Behind a large write: the whole group answers busy and writes nothing,
                    // rather than each member waiting out the busy timeout in turn.
                    Err(e) if is_busy(&e) => return Err(e),
                    Ok(_) => written.push(touched),
                    Err(_) => {}
                }
                answers.push((job.ticket, answer));
            }
            Ok(())
        });
        if let Err(e) = outcome {
            // Nothing of the group was written: every member gets the group's error, those
            // refused on their own keep theirs.
            let mut by_ticket: HashMap<u64, Answer> = answers.into_iter().collect();
            return tickets
                .iter()
                .map(|t| match by_ticket.remove(t) {
                    Some(Err(own)) if !is_busy(&own) => (*t, Err(own)),
                    _ => (*t, Err(shared(&e))),
                })
                .collect();
        }
        for touched in written {
            if let Err(e) = self.publish(&mut conn, touched) {
                tracing::error!(error = %e, "publishing a grouped write failed");
            }
        }
        answers
    }
}

fn is_busy(e: &Error) -> bool {
    e.client().is_some_and(|c| c.kind == Kind::Unavailable)
}

/// The same failure for every member of a group.
fn shared(e: &Error) -> Error {
    match e {
        Error::Client(c) => Error::Client(c.clone()),
        Error::Internal(e) => Error::Internal(anyhow::anyhow!("{e:#}")),
    }
}

impl App {
    /// How many writes wait for the next group (for tests that line a group up).
    #[doc(hidden)]
    pub fn group_waiting(&self) -> usize {
        self.group.as_ref().map_or(0, |g| g.lock().waiting.len())
    }
}
