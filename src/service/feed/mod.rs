//! The change feed (`GET /api/v1/changes`): one item per change to a key's payment standing —
//! a (practitioner, institution) pair, or an institution — each carrying the key's complete
//! timeline as it stands when read, so a consumer replaces what it holds for that key.
//!
//! Writes record their keys where they rewrite projections (`App::recompute`, the roster's
//! bulk insert, an institution's agreement changes), in their own transaction; `App::write`
//! numbers them last, under the feed lock (`store::feed`).

pub mod files;
pub mod timeline;

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Action, App, Caller, Touched};
use crate::error::Result;
use crate::store::feed::{self as store_feed, ChangeRow};
use crate::store::{standing, DbConn};
use timeline::{institution_records, pair_timeline, KeyTimeline};

/// Items per page without `limit`, and at most.
pub const LIMIT_DEFAULT: i64 = 1000;
pub const LIMIT_MAX: i64 = 10_000;
/// The longest `wait` (seconds) a long poll is held.
pub const WAIT_MAX: u64 = 60;

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Key {
    /// A practitioner's service agreement at one institution (三(四), 五(二)).
    Pair { personnel_code: String, institution_code: String },
    /// An institution's own agreement.
    Institution { institution_code: String },
}

/// One item of the feed.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub seq: i64,
    /// When its write committed (UTC).
    pub recorded_at: String,
    pub key: Key,
    /// The key's complete timeline as read now (not as it was at `seq`).
    pub timeline: KeyTimeline,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// Ask `after=` this next (the last item's `seq`, or the `after` asked when none).
    pub next_after: i64,
    /// The last number committed when the page was read: numbers run 1, 2, 3… with no hole.
    pub head: i64,
}

impl Touched {
    /// A pair's standing changed in this write.
    pub(crate) fn pair_changed(&mut self, c: &mut DbConn, personnel: &str, institution: &str) -> Result<()> {
        if self.feed_seen.insert((personnel.to_string(), institution.to_string())) {
            store_feed::record_pair(c, personnel, institution)?;
            self.feed_pending = true;
        }
        Ok(())
    }

    /// An institution's own agreement changed (or was created) in this write.
    pub(crate) fn institution_changed(&mut self, c: &mut DbConn, institution: &str) -> Result<()> {
        if self.feed_seen.insert((String::new(), institution.to_string())) {
            store_feed::record_institution(c, institution)?;
            self.feed_pending = true;
        }
        Ok(())
    }

    /// New people at one institution (a roster's bulk insert): each a new pair.
    pub(crate) fn pairs_changed(&mut self, c: &mut DbConn, institution: &str, personnel: &[String]) -> Result<()> {
        if !personnel.is_empty() {
            store_feed::record_pairs(c, institution, personnel)?;
            self.feed_pending = true;
        }
        Ok(())
    }

    /// Numbers this write's feed rows; the last statement before its commit.
    pub(crate) fn number_changes(&mut self, c: &mut DbConn) -> Result<()> {
        if self.feed_pending {
            self.feed_head = Some(store_feed::number_pending(c)?);
        }
        Ok(())
    }
}

impl App {
    /// `GET /changes?after=&limit=`: up to `limit` items after `after`, in order.
    pub fn changes(&self, caller: &Caller, after: i64, limit: i64) -> Result<ChangesPage> {
        caller.permit(Action::ReadChanges)?;
        let mut c = self.conn()?;
        // The head first: every row at or below it is committed, so a page never stops short of
        // a number it announces.
        let head = store_feed::head(&mut c)?.map_or(0, |(s, _)| s);
        let rows = store_feed::after(&mut c, after, limit.clamp(1, LIMIT_MAX))?;
        let changes = self.with_timelines(&mut c, rows)?;
        let next_after = changes.last().map_or(after, |x| x.seq);
        Ok(ChangesPage { head: head.max(next_after), next_after, changes })
    }

    /// The feed's last number this process has committed (a long poll waits for it to pass
    /// `after`).
    pub fn feed_watch(&self) -> tokio::sync::watch::Receiver<i64> {
        self.feed.subscribe()
    }

    /// The items of `rows`, each with its key's current timeline, read in a few batched
    /// statements per thousand keys.
    pub(crate) fn with_timelines(&self, c: &mut DbConn, rows: Vec<ChangeRow>) -> Result<Vec<Change>> {
        let people: Vec<String> =
            rows.iter().filter_map(|r| r.personnel_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let insts: Vec<String> =
            rows.iter().map(|r| r.institution_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let runs = standing::intervals_of_many(c, &people)?;
        let sanctions = standing::sanctions_of_many(c, &people)?;
        let registrations = standing::registrations_of_many(c, &people)?;
        let records = institution_records(c, &self.packs, &insts)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let record = records.get(&r.institution_code);
            let (key, timeline) = match r.personnel_code {
                Some(p) => {
                    let t = pair_timeline(
                        &r.institution_code,
                        runs.get(&p).map_or(&[], Vec::as_slice),
                        sanctions.get(&p).map_or(&[], Vec::as_slice),
                        registrations.get(&p).map_or(&[], Vec::as_slice),
                        record,
                    );
                    (Key::Pair { personnel_code: p, institution_code: r.institution_code }, t)
                }
                None => (
                    Key::Institution { institution_code: r.institution_code },
                    record.map(|i| i.timeline(&self.packs)).unwrap_or_default(),
                ),
            };
            out.push(Change {
                seq: r.seq.unwrap_or_default(),
                recorded_at: r.recorded_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                key,
                timeline,
            });
        }
        Ok(out)
    }
}

impl App {
    /// The feed's last number in the database (0 before the first change).
    pub fn feed_head(&self) -> Result<i64> {
        let mut c = self.conn()?;
        Ok(store_feed::head(&mut c)?.map_or(0, |(s, _)| s))
    }

    /// A read replica following the feed: publishes to the eligibility index the stored runs of
    /// every person changed after `after`, and returns the number it applied up to. A hole in
    /// the numbers (rows deleted) reloads the whole index instead.
    pub fn follow_feed(&self, after: i64) -> Result<i64> {
        let mut c = self.conn()?;
        let mut applied = after;
        loop {
            let rows = store_feed::after(&mut c, applied, LIMIT_MAX)?;
            let Some(last) = rows.last().and_then(|r| r.seq) else { return Ok(applied) };
            if rows.first().and_then(|r| r.seq) != Some(applied + 1) || last - applied != rows.len() as i64 {
                tracing::warn!(after = applied, "a hole in the change feed: reloading the eligibility index");
                let head = self.feed_head()?;
                self.reload_index()?;
                return Ok(head);
            }
            let people: Vec<String> =
                rows.iter().filter_map(|r| r.personnel_code.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            for codes in people.chunks(5_000) {
                let runs = crate::store::projections::intervals_of_many(&mut c, codes)?;
                self.index.put_rows(codes, runs, last as u64);
            }
            applied = last;
        }
    }
}
