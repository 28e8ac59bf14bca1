//! Use-cases. Each write is one transaction that takes its locks first, inserts facts,
//! recomputes the practitioners it touched with the engine and rewrites their projections;
//! the in-memory eligibility index is updated after the commit.

pub mod access;
pub mod accounts;
pub mod agency_pages;
pub mod audit;
pub mod backup;
pub mod batches;
pub mod calendar;
pub mod eligibility;
pub mod exports;
pub mod feed;
mod group;
pub mod inspections;
pub mod institutions;
pub mod jobs;
pub mod jurisdiction;
pub mod notice_reads;
pub mod notices;
pub mod objections;
pub mod pages;
pub mod progress;
pub mod queries;
pub mod receipts;
pub mod registrations;
pub mod rosters;
pub mod search;
pub mod sessions;
pub mod stats;
pub mod status_list;
pub mod tokens;
pub mod training_record;
pub mod training_tests;
pub mod verify;
pub mod workbench;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static WRITE_SEQ: AtomicU64 = AtomicU64::new(0);

/// Taken once a write's locks are held (see `Touched::seq`).
fn next_write_seq() -> u64 {
    WRITE_SEQ.fetch_add(1, Ordering::SeqCst) + 1
}

use chrono::{Datelike, NaiveDate};
use diesel::Connection;

use crate::domain::CodeFormats;
use crate::error::{Error, Result};
use crate::rules::calendar::Calendar;
use crate::rules::pack::DEFAULT_JURISDICTION;
use crate::rules::{self, PackLibrary, PackSet, PractitionerFacts, SanctionKind, Timeline};
use crate::store::projections::{self, PractitionerProjection};
use crate::store::{self, facts, DbConn, Pool};
pub use access::{Action, Caller};
pub use eligibility::EligibilityIndex;

/// The application: database, policy packs, code formats and the eligibility index.
#[derive(Clone)]
pub struct App {
    pub pool: Pool,
    /// The packs of the deployment's jurisdiction, as they were when this `App` was taken
    /// (see [`App::current`]).
    pub packs: Arc<PackSet>,
    /// Every jurisdiction's packs (`data/packs/`).
    pub library: Arc<PackLibrary>,
    /// The jurisdiction's packs now: an admin's change (`POST /settings/jurisdiction`) swaps
    /// them for every request that starts afterwards.
    current: Arc<std::sync::RwLock<Arc<PackSet>>>,
    pub formats: Arc<CodeFormats>,
    pub index: Arc<EligibilityIndex>,
    /// Embedded years, then uploaded ones (`POST /calendar/years`).
    pub calendar: Arc<std::sync::RwLock<Calendar>>,
    /// Opened on a read replica: nothing can be written, not even the audit of a read.
    pub read_only: bool,
    /// Whether writes publish to `index` (a server); a one-shot command's index dies with it.
    publish_index: bool,
    /// SQLite: inspections that arrive together commit together (`group.rs`).
    group: Option<Arc<group::GroupCommit>>,
    /// The last change-feed number this process committed: wakes long polls of `/changes`.
    pub feed: Arc<tokio::sync::watch::Sender<i64>>,
}

/// What a write changed, to publish once committed.
#[derive(Default)]
pub struct Touched {
    timelines: Vec<Timeline>,
    /// People whose timelines were dropped to save memory (a large roster): their stored
    /// intervals are published after the commit instead.
    republish: Vec<String>,
    /// Facts inserted, `table:id`, for the audit trail.
    facts: Vec<String>,
    changes: Vec<audit::Change>,
    /// Taken once the write's locks are held: a later write on the same practitioner always has
    /// a larger one, whatever order the two publish in.
    seq: u64,
    /// Change-feed rows written and not yet numbered (`service::feed`).
    feed_pending: bool,
    /// Keys already in the feed for this write (cleared with each audited part of a roster).
    feed_seen: std::collections::HashSet<(String, String)>,
    /// The feed's head once this write's rows are numbered.
    feed_head: Option<i64>,
}

/// How many people's intervals are read back at a time after a large write.
const REPUBLISH_CHUNK: usize = 5_000;

impl Touched {
    /// A timeline computed inside the transaction, for the eligibility index after commit.
    pub fn publish(&mut self, t: Timeline) {
        self.timelines.push(t);
    }

    /// A fact this write inserted.
    pub fn fact(&mut self, table: &str, id: impl std::fmt::Display) {
        self.facts.push(format!("{table}:{id}"));
    }

    /// Forgets the timelines computed so far, keeping only whose they were: a write of 10⁵
    /// people publishes their stored intervals after the commit, a few thousand at a time,
    /// instead of holding every timeline until its end.
    pub(crate) fn defer_publication(&mut self) {
        self.republish.extend(self.timelines.drain(..).map(|t| t.personnel_code));
    }

    /// Records the facts and changes gathered so far in the audit trail now, naming `locks` as
    /// the targets, and forgets them: a write of 10⁵ people (a roster) is audited a part at a
    /// time, inside the same transaction, instead of holding every fact until its end.
    pub(crate) fn audit_now(&mut self, c: &mut DbConn, caller: &Caller, locks: &[Lock]) -> Result<()> {
        let audit_id = audit::record(c, caller, locks, &self.facts, &self.changes)?;
        // The chunk's facts and its audit row join the chain of a lock the write holds.
        let keys: Vec<String> = locks.iter().map(Lock::key).collect();
        store::chain::append_for_write(c, &keys, &self.facts, audit_id)?;
        self.facts.clear();
        self.changes.clear();
        self.feed_seen.clear();
        Ok(())
    }
}

impl App {
    pub fn open(database_url: &str) -> anyhow::Result<App> {
        Self::with_pool(store::connect(database_url)?, false)
    }

    /// On a read replica: nothing is migrated or written; the index is loaded from it.
    pub fn open_read_only(database_url: &str) -> anyhow::Result<App> {
        Self::with_pool(store::conn::connect_read_only(database_url)?, true)
    }

    fn with_pool(pool: Pool, read_only: bool) -> anyhow::Result<App> {
        let library = PackLibrary::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
        // The jurisdiction set in the database (issue 17), `jining` until an admin sets one.
        let jurisdiction = {
            let mut c = pool.get()?;
            store::jurisdiction::current(&mut c)?.unwrap_or_else(|| DEFAULT_JURISDICTION.to_string())
        };
        let packs = Arc::new(library.set(&jurisdiction).map_err(|e| anyhow::anyhow!("{e}"))?.clone());
        let sqlite = matches!(*pool.get()?, DbConn::Sqlite(_));
        let app = App {
            pool,
            packs: packs.clone(),
            library: Arc::new(library),
            current: Arc::new(std::sync::RwLock::new(packs)),
            formats: Arc::new(CodeFormats::embedded()),
            index: Arc::new(EligibilityIndex::default()),
            calendar: Arc::new(std::sync::RwLock::new(Calendar::embedded().map_err(|e| anyhow::anyhow!("{e}"))?)),
            read_only,
            publish_index: true,
            group: (sqlite && !read_only && group::enabled()).then(Default::default),
            feed: Arc::new(tokio::sync::watch::Sender::new(0)),
        };
        app.load_uploaded_calendars()?;
        app.reload_index()?;
        Ok(app)
    }

    /// For a command that writes and exits (`jifen import`): writes no longer publish to the
    /// eligibility index, which nothing would read — a 5 × 10⁵-row roster saves the memory.
    pub fn without_index_publication(mut self) -> Self {
        self.publish_index = false;
        self
    }

    /// This `App` with the packs of the jurisdiction in force now (a request takes one).
    pub fn current(&self) -> App {
        let mut app = self.clone();
        if let Ok(packs) = self.current.read() {
            app.packs = packs.clone();
        }
        app
    }

    /// This `App` under other packs than its jurisdiction's, for every request (a test of
    /// another province's rules, say).
    pub fn with_packs(mut self, packs: PackSet) -> App {
        let packs = Arc::new(packs);
        self.current = Arc::new(std::sync::RwLock::new(packs.clone()));
        self.packs = packs;
        self
    }

    /// Swaps the jurisdiction's packs for every `App::current` taken afterwards.
    pub(crate) fn swap_packs(&self, packs: PackSet) {
        let packs = Arc::new(packs);
        if let Ok(mut slot) = self.current.write() {
            *slot = packs;
        }
    }

    pub fn conn(&self) -> Result<store::PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Rebuilds the eligibility index from the projections.
    pub fn reload_index(&self) -> Result<()> {
        let mut conn = self.conn()?;
        let rows = projections::all_intervals(&mut conn)?;
        self.index.replace_all(rows);
        Ok(())
    }

    /// Runs `f` in one write transaction holding `locks` (see `store::lock_for_write`), audited
    /// as `caller`'s, then publishes the recomputed timelines to the eligibility index.
    pub fn write<T>(
        &self,
        caller: &Caller,
        locks: &[Lock],
        f: impl FnOnce(&mut DbConn, &mut Touched) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn()?;
        let mut touched = Touched::default();
        let keys: Vec<String> = locks.iter().map(Lock::key).collect();
        let out = conn.transaction::<T, Error, _>(|c| {
            store::lock_for_write(c, &keys)?;
            touched.seq = next_write_seq();
            let out = f(c, &mut touched)?;
            let audit_id = audit::record(c, caller, locks, &touched.facts, &touched.changes)?;
            // Tamper evidence: the facts, then the audit row, join the chain of a held lock.
            store::chain::append_for_write(c, &keys, &touched.facts, audit_id)?;
            // Last before the commit: the feed lock is held from here to it.
            touched.number_changes(c)?;
            Ok(out)
        })?;
        self.publish(&mut conn, touched)?;
        Ok(out)
    }

    /// Wakes the feed's long polls, then puts what a committed write recomputed into the
    /// eligibility index.
    fn publish(&self, conn: &mut DbConn, touched: Touched) -> Result<()> {
        if let Some(head) = touched.feed_head {
            self.feed.send_if_modified(|v| std::mem::replace(v, head.max(*v)) < head);
        }
        if !self.publish_index {
            return Ok(());
        }
        for t in &touched.timelines {
            self.index.put(t, touched.seq);
        }
        for codes in touched.republish.chunks(REPUBLISH_CHUNK) {
            let published =
                projections::intervals_of_many(conn, codes).map(|rows| self.index.put_rows(codes, rows, touched.seq));
            if let Err(e) = published {
                // The write is committed; an index that missed it would answer from the past.
                tracing::error!(error = %e, "publishing a large write failed: reloading the index");
                self.reload_index()?;
                break;
            }
        }
        Ok(())
    }

    /// Recomputes one practitioner from the facts and rewrites the projections; opens the
    /// 五(三) cases the result calls for.
    pub fn recompute(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        code: &str,
    ) -> Result<(PractitionerFacts, Timeline)> {
        let facts = facts::practitioner_facts(c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let timeline = rules::evaluate(&self.packs, &facts)?;
        let watch = rules::watch_list::triggers(&self.packs, &facts, &timeline)?;
        let stored = projections::intervals_of(c, code)?;
        let stored_sanctions = projections::sanctions_of(c, code)?;
        let before = summary(&stored, &stored_sanctions);
        let projection = PractitionerProjection::of(&timeline, &watch);
        let after = summary(&projection.intervals, &projection.sanctions);
        if before != after {
            touched.changes.push(audit::Change { personnel_code: code.to_string(), before, after });
        }
        // The change feed compares whole rows, not the audit's summary: a key's timeline shows a
        // sanction's total in its reason, which a later deduction of the cycle can change.
        if stored != projection.intervals || stored_sanctions != projection.sanctions {
            // Every site the person had or has (a personal sanction's cause shows on each).
            let mut sites: Vec<&str> =
                stored.iter().chain(&projection.intervals).map(|i| i.institution_code.as_str()).collect();
            sites.sort_unstable();
            sites.dedup();
            for site in sites {
                touched.pair_changed(c, code, site)?;
            }
        }
        projections::replace(c, code, &projection)?;
        crate::store::dashboard::keep(c, &facts)?;
        self.open_cascade_cases(c, touched, &facts, &timeline)?;
        touched.timelines.push(timeline.clone());
        Ok((facts, timeline))
    }

    /// 五(三): for each site and each year with a personal suspension or termination, open a
    /// case when the institution's ratio reaches the threshold (once per institution and year).
    fn open_cascade_cases(
        &self,
        c: &mut DbConn,
        touched: &mut Touched,
        facts: &PractitionerFacts,
        timeline: &Timeline,
    ) -> Result<()> {
        let mut years: Vec<(i32, NaiveDate)> = timeline
            .sanctions
            .iter()
            .filter(|s| matches!(s.kind, SanctionKind::Suspension | SanctionKind::Termination))
            .map(|s| (s.starts_on.year(), s.starts_on))
            .collect();
        years.sort();
        years.dedup_by_key(|(y, _)| *y);
        let mut sites: Vec<&str> = facts.registrations.iter().map(|r| r.institution_code.as_str()).collect();
        sites.sort();
        sites.dedup();
        for (year, on) in years {
            let pack = self.packs.in_force(on)?;
            for site in &sites {
                if !rules::cascade::member_in(facts, site, year) || facts::cascade_case_for(c, site, year)?.is_some() {
                    continue;
                }
                let (num, den) = projections::cascade_counts(c, site, year)?;
                if rules::cascade::threshold_reached(pack, num, den) {
                    let case = facts::insert_cascade_case(c, site, year, num as i32, den as i32, on)?;
                    touched.fact("cascade_cases", case);
                }
            }
        }
        Ok(())
    }

    /// Recomputes everyone ever registered at an institution (its agreement changed).
    pub fn recompute_institution(&self, c: &mut DbConn, touched: &mut Touched, code: &str) -> Result<()> {
        touched.institution_changed(c, code)?;
        for p in facts::personnel_at(c, code)? {
            self.recompute(c, touched, &p)?;
        }
        Ok(())
    }
}

/// What the audit trail keeps of a projection: status runs and sanctions.
fn summary(intervals: &[projections::IntervalRow], sanctions: &[projections::SanctionRow]) -> serde_json::Value {
    serde_json::json!({
        "status": intervals.iter().map(|i| serde_json::json!([i.institution_code, i.from_on, i.until_on, i.status])).collect::<Vec<_>>(),
        "sanctions": sanctions.iter().map(|s| serde_json::json!([s.kind, s.starts_on, s.ends_on, s.ban_until, s.article])).collect::<Vec<_>>(),
    })
}

/// What a write transaction locks before it reads (on PostgreSQL one advisory lock each; on
/// SQLite the database write lock covers them all). The audit trail names the targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    Person(String),
    Institution(String),
    /// An `Idempotency-Key`: one inspection however many send it.
    Key(String),
    Objection(i64),
    InterviewOrder(i64),
    CalendarYear(i32),
    PassMark(i32),
    CascadeCase(i64),
    TerminationCase(i64),
    /// A written notice (its receipt).
    Notice(i64),
    /// The agency's delivery allowance of written notices.
    DeliveryAllowance,
    Jurisdiction,
    /// A notice of an intended agreement decision (吉林 第四十九条).
    Intent(i64),
}

impl Lock {
    /// The advisory-lock key (stable across releases: it names the same lock as before).
    pub fn key(&self) -> String {
        match self {
            Lock::Person(c) => format!("p:{c}"),
            Lock::Institution(c) => format!("i:{c}"),
            Lock::Key(k) => format!("k:{k}"),
            Lock::Objection(id) => format!("objection:{id}"),
            Lock::InterviewOrder(id) => format!("io:{id}"),
            Lock::CalendarYear(y) => format!("calendar:{y}"),
            Lock::PassMark(y) => format!("pass_mark:{y}"),
            Lock::CascadeCase(id) => format!("case:{id}"),
            Lock::TerminationCase(id) => format!("tcase:{id}"),
            Lock::Notice(id) => format!("notice:{id}"),
            Lock::DeliveryAllowance => "delivery_allowance".to_string(),
            Lock::Jurisdiction => "jurisdiction".to_string(),
            Lock::Intent(id) => format!("intent:{id}"),
        }
    }

    /// What the audit trail lists as the write's target.
    pub fn target(&self) -> String {
        match self {
            Lock::Person(c) | Lock::Institution(c) | Lock::Key(c) => c.clone(),
            Lock::Objection(id)
            | Lock::InterviewOrder(id)
            | Lock::CascadeCase(id)
            | Lock::TerminationCase(id)
            | Lock::Notice(id)
            | Lock::Intent(id) => id.to_string(),
            Lock::DeliveryAllowance => "delivery_allowance".to_string(),
            Lock::Jurisdiction => "jurisdiction".to_string(),
            Lock::CalendarYear(y) | Lock::PassMark(y) => y.to_string(),
        }
    }
}

pub fn person_lock(code: &str) -> Lock {
    Lock::Person(code.to_string())
}

pub fn institution_lock(code: &str) -> Lock {
    Lock::Institution(code.to_string())
}
