//! A large upload run as a job (`?async=true`, and the pages' progress bar): it runs on a thread
//! of its own, reports its phase and rows as it goes ([`Progress`]), and keeps the answer the
//! synchronous call would have given — the report, or the error. A job is visible only to the
//! caller who started it (the same token, the same account); anyone else is told it does not
//! exist. Jobs live in this process's memory: a finished job is kept 30 minutes, and at most
//! `UPLOADS_AT_ONCE` run at once (one more is 503 `busy`, nothing started).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::access::Subject;
use super::batches::BatchReport;
use super::progress::{Phase, Progress};
use super::{App, Caller};
use crate::domain::limits::UPLOADS_AT_ONCE;
use crate::error::{Error, Result};

/// How long a finished job's answer is kept.
const KEPT: Duration = Duration::from_secs(30 * 60);

/// What a finished job answers.
#[derive(Debug, Clone)]
pub enum JobOutput {
    /// A training-test or violation file's report.
    Batch(Box<BatchReport>),
    /// Any other report, as its JSON.
    Json(serde_json::Value),
}

impl JobOutput {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            JobOutput::Batch(r) => serde_json::to_value(r).unwrap_or_default(),
            JobOutput::Json(v) => v.clone(),
        }
    }
}

/// A job as its owner sees it.
#[derive(Debug)]
pub struct JobSnapshot {
    pub id: String,
    /// `training_tests`, `violations`, `roster`.
    pub kind: &'static str,
    pub progress: Progress,
    /// `None` while it runs.
    pub outcome: Option<Result<JobOutput>>,
}

struct Job {
    owner: Subject,
    kind: &'static str,
    progress: Progress,
    outcome: Option<Result<JobOutput>>,
    finished: Option<Instant>,
}

static JOBS: Mutex<Option<HashMap<String, Job>>> = Mutex::new(None);

fn with<T>(f: impl FnOnce(&mut HashMap<String, Job>) -> T) -> T {
    let mut guard = JOBS.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    map.retain(|_, j| j.finished.is_none_or(|at| at.elapsed() < KEPT));
    f(map)
}

/// A copy of an outcome for a reader; an internal error's cause stays in the log.
fn copy(outcome: &Result<JobOutput>) -> Result<JobOutput> {
    match outcome {
        Ok(o) => Ok(o.clone()),
        Err(Error::Client(c)) => Err(Error::Client(c.clone())),
        Err(Error::Internal(_)) => Err(Error::Internal(anyhow::anyhow!("the job failed (cause logged)"))),
    }
}

fn not_found() -> Error {
    Error::not_found("job", "任务")
}

impl App {
    /// Starts `work` as a job of `caller` and answers its id at once. `work` gets the app, the
    /// caller and the progress to report; its answer (or error) is kept for [`App::job`].
    pub fn start_job<F>(&self, caller: &Caller, kind: &'static str, work: F) -> Result<String>
    where
        F: FnOnce(&App, &Caller, &mut dyn FnMut(Progress)) -> Result<JobOutput> + Send + 'static,
    {
        let id = super::sessions::random_secret()[..24].to_string();
        let queued = Progress { phase: Phase::Queued, rows_done: 0, rows_total: None };
        let started = with(|m| {
            if m.values().filter(|j| j.outcome.is_none()).count() >= UPLOADS_AT_ONCE {
                return false;
            }
            let job = Job { owner: caller.subject.clone(), kind, progress: queued, outcome: None, finished: None };
            m.insert(id.clone(), job);
            true
        });
        if !started {
            return Err(crate::error::busy());
        }
        let (app, caller, job_id) = (self.clone(), caller.clone(), id.clone());
        let spawned = std::thread::Builder::new().name("jifen-job".into()).spawn(move || {
            let mut report = |p: Progress| {
                with(|m| {
                    if let Some(j) = m.get_mut(&job_id) {
                        j.progress = p;
                    }
                })
            };
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(&app, &caller, &mut report)))
                .unwrap_or_else(|_| Err(Error::Internal(anyhow::anyhow!("the job panicked"))));
            if let Err(Error::Internal(cause)) = &outcome {
                tracing::error!(error = %format!("{cause:#}"), kind, "job failed");
            }
            with(|m| {
                if let Some(j) = m.get_mut(&job_id) {
                    j.progress.phase = Phase::Done;
                    j.outcome = Some(outcome);
                    j.finished = Some(Instant::now());
                }
            });
        });
        if let Err(e) = spawned {
            with(|m| m.remove(&id));
            return Err(Error::Internal(anyhow::anyhow!("starting a job: {e}")));
        }
        Ok(id)
    }

    /// `GET /api/v1/jobs/{id}`: the job's phase and rows, and once finished its answer — to the
    /// caller who started it only (404 for anyone else, as for an unknown id).
    pub fn job(&self, caller: &Caller, id: &str) -> Result<JobSnapshot> {
        with(|m| {
            let j = m.get(id).filter(|j| j.owner == caller.subject).ok_or_else(not_found)?;
            Ok(JobSnapshot {
                id: id.to_string(),
                kind: j.kind,
                progress: j.progress,
                outcome: j.outcome.as_ref().map(copy),
            })
        })
    }
}
