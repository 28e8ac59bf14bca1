//! Projections: the engine's output for each practitioner, rewritten in the same transaction
//! as the fact that changed it. Derived state only: `verify` rebuilds it from the facts.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;
use crate::rules::watch_list::WatchTrigger;
use crate::rules::{SanctionKind, SiteStatus, Timeline};

type Q<T> = QueryResult<T>;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_intervals)]
pub struct IntervalRow {
    pub personnel_code: String,
    pub institution_code: String,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub status: SiteStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_cycles)]
pub struct CycleRow {
    pub personnel_code: String,
    pub cycle_year: i32,
    pub total: i32,
    pub deduction_count: i32,
    pub max_single: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_sanctions)]
pub struct SanctionRow {
    pub personnel_code: String,
    pub seq: i32,
    pub kind: SanctionKind,
    pub cycle_year: i32,
    pub decided_on: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
    pub total: i32,
    pub article: String,
    /// The sanction with its explanation, as JSON.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_watch)]
pub struct WatchRow {
    pub institution_code: String,
    pub cycle_year: i32,
    pub personnel_code: String,
    /// The trigger with its deductions and explanation, as JSON.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct InterviewOrderRow {
    pub id: i64,
    pub personnel_code: String,
    pub institution_code: String,
    pub cycle_year: i32,
    pub ordered_on: NaiveDate,
    pub withdrawn: bool,
}

/// Everything the projections hold for one practitioner (ids of interview orders aside).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PractitionerProjection {
    pub intervals: Vec<IntervalRow>,
    pub cycles: Vec<CycleRow>,
    pub sanctions: Vec<SanctionRow>,
    pub watch: Vec<WatchRow>,
    /// (institution, year, ordered_on) of the orders in force.
    pub interview_orders: Vec<(String, i32, NaiveDate)>,
}

impl PractitionerProjection {
    pub fn of(timeline: &Timeline, watch: &[WatchTrigger]) -> Self {
        let code = &timeline.personnel_code;
        let intervals = timeline
            .intervals
            .iter()
            .map(|i| IntervalRow {
                personnel_code: code.clone(),
                institution_code: i.institution_code.clone(),
                from_on: i.from,
                until_on: i.until,
                status: i.status,
            })
            .collect();
        let cycles = timeline
            .cycles
            .iter()
            .map(|c| CycleRow {
                personnel_code: code.clone(),
                cycle_year: c.year,
                total: c.total as i32,
                deduction_count: c.deduction_ids.len() as i32,
                max_single: c.max_single as i32,
            })
            .collect();
        let sanctions = timeline
            .sanctions
            .iter()
            .enumerate()
            .map(|(k, s)| SanctionRow {
                personnel_code: code.clone(),
                seq: k as i32,
                kind: s.kind,
                cycle_year: s.cycle_year,
                decided_on: s.decided_on,
                starts_on: s.starts_on,
                ends_on: s.ends_on,
                ban_until: s.ban_until,
                total: s.total as i32,
                article: s.article.clone(),
                detail: serde_json::to_string(s).unwrap_or_default(),
            })
            .collect();
        let mut watch_rows: Vec<WatchRow> = Vec::new();
        for t in watch {
            for inst in &t.institutions {
                watch_rows.push(WatchRow {
                    institution_code: inst.clone(),
                    cycle_year: t.cycle_year,
                    personnel_code: code.clone(),
                    detail: serde_json::to_string(t).unwrap_or_default(),
                });
            }
        }
        let mut interview_orders: Vec<(String, i32, NaiveDate)> = Vec::new();
        for s in timeline.sanctions.iter().filter(|s| s.kind == SanctionKind::Interview) {
            for inst in &s.institutions {
                interview_orders.push((inst.clone(), s.cycle_year, s.decided_on));
            }
        }
        PractitionerProjection { intervals, cycles, sanctions, watch: watch_rows, interview_orders }
    }
}

/// Replaces one practitioner's projections.
pub fn replace(conn: &mut DbConn, code: &str, p: &PractitionerProjection) -> Q<()> {
    diesel::delete(proj_intervals::table.filter(proj_intervals::personnel_code.eq(code))).execute(conn)?;
    diesel::delete(proj_cycles::table.filter(proj_cycles::personnel_code.eq(code))).execute(conn)?;
    diesel::delete(proj_sanctions::table.filter(proj_sanctions::personnel_code.eq(code))).execute(conn)?;
    diesel::delete(proj_watch::table.filter(proj_watch::personnel_code.eq(code))).execute(conn)?;
    // MultiBackend has no batch insert.
    for row in &p.intervals {
        diesel::insert_into(proj_intervals::table).values(row).execute(conn)?;
    }
    // MultiBackend has no batch insert.
    for row in &p.cycles {
        diesel::insert_into(proj_cycles::table).values(row).execute(conn)?;
    }
    // MultiBackend has no batch insert.
    for row in &p.sanctions {
        diesel::insert_into(proj_sanctions::table).values(row).execute(conn)?;
    }
    // MultiBackend has no batch insert.
    for row in &p.watch {
        diesel::insert_into(proj_watch::table).values(row).execute(conn)?;
    }
    sync_interview_orders(conn, code, &p.interview_orders)
}

/// Orders keep their id: new ones are inserted, vanished ones marked withdrawn, returning ones
/// reinstated.
fn sync_interview_orders(conn: &mut DbConn, code: &str, wanted: &[(String, i32, NaiveDate)]) -> Q<()> {
    let existing = interview_orders_of(conn, code)?;
    for o in &existing {
        let now = wanted.iter().find(|(i, y, _)| *i == o.institution_code && *y == o.cycle_year);
        let (withdrawn, ordered_on) = match now {
            Some((_, _, d)) => (false, *d),
            None => (true, o.ordered_on),
        };
        if withdrawn != o.withdrawn || ordered_on != o.ordered_on {
            diesel::update(interview_orders::table.find(o.id))
                .set((interview_orders::withdrawn.eq(withdrawn), interview_orders::ordered_on.eq(ordered_on)))
                .execute(conn)?;
        }
    }
    for (inst, year, on) in wanted {
        if !existing.iter().any(|o| o.institution_code == *inst && o.cycle_year == *year) {
            diesel::insert_into(interview_orders::table)
                .values((
                    interview_orders::personnel_code.eq(code),
                    interview_orders::institution_code.eq(inst),
                    interview_orders::cycle_year.eq(year),
                    interview_orders::ordered_on.eq(on),
                    interview_orders::withdrawn.eq(false),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

pub fn interview_orders_of(conn: &mut DbConn, code: &str) -> Q<Vec<InterviewOrderRow>> {
    interview_orders::table.filter(interview_orders::personnel_code.eq(code)).order(interview_orders::id).load(conn)
}

pub fn interview_order(conn: &mut DbConn, id: i64) -> Q<Option<InterviewOrderRow>> {
    interview_orders::table.find(id).first(conn).optional()
}

pub fn interview_orders_list(
    conn: &mut DbConn,
    institution: Option<&str>,
    year: Option<i32>,
) -> Q<Vec<InterviewOrderRow>> {
    let mut q = interview_orders::table.filter(interview_orders::withdrawn.eq(false)).into_boxed();
    if let Some(i) = institution {
        q = q.filter(interview_orders::institution_code.eq(i.to_string()));
    }
    if let Some(y) = year {
        q = q.filter(interview_orders::cycle_year.eq(y));
    }
    q.order(interview_orders::id).load(conn)
}

/// What is stored for one practitioner, in the same shape as [`PractitionerProjection::of`].
pub fn load(conn: &mut DbConn, code: &str) -> Q<PractitionerProjection> {
    let intervals = proj_intervals::table
        .filter(proj_intervals::personnel_code.eq(code))
        .order((proj_intervals::institution_code, proj_intervals::from_on))
        .load(conn)?;
    let cycles =
        proj_cycles::table.filter(proj_cycles::personnel_code.eq(code)).order(proj_cycles::cycle_year).load(conn)?;
    let sanctions =
        proj_sanctions::table.filter(proj_sanctions::personnel_code.eq(code)).order(proj_sanctions::seq).load(conn)?;
    let watch = proj_watch::table
        .filter(proj_watch::personnel_code.eq(code))
        .order((proj_watch::cycle_year, proj_watch::institution_code))
        .load(conn)?;
    let interview_orders = interview_orders_of(conn, code)?
        .into_iter()
        .filter(|o| !o.withdrawn)
        .map(|o| (o.institution_code, o.cycle_year, o.ordered_on))
        .collect();
    Ok(PractitionerProjection { intervals, cycles, sanctions, watch, interview_orders })
}

/// Every status interval, for the in-memory eligibility index.
pub fn all_intervals(conn: &mut DbConn) -> Q<Vec<IntervalRow>> {
    proj_intervals::table
        .order((proj_intervals::personnel_code, proj_intervals::institution_code, proj_intervals::from_on))
        .load(conn)
}

/// The intervals of `codes` (a few thousand at a time), ordered as [`all_intervals`].
pub fn intervals_of_many(conn: &mut DbConn, codes: &[String]) -> Q<Vec<IntervalRow>> {
    proj_intervals::table
        .filter(proj_intervals::personnel_code.eq_any(codes))
        .order((proj_intervals::personnel_code, proj_intervals::institution_code, proj_intervals::from_on))
        .load(conn)
}

pub fn intervals_of(conn: &mut DbConn, code: &str) -> Q<Vec<IntervalRow>> {
    proj_intervals::table
        .filter(proj_intervals::personnel_code.eq(code))
        .order((proj_intervals::institution_code, proj_intervals::from_on))
        .load(conn)
}

pub fn sanctions_of(conn: &mut DbConn, code: &str) -> Q<Vec<SanctionRow>> {
    proj_sanctions::table.filter(proj_sanctions::personnel_code.eq(code)).order(proj_sanctions::seq).load(conn)
}

/// 五(三) figures from the projections: members registered at the institution during the
/// year; those of them with a personal suspension or termination starting in it.
pub fn cascade_counts(conn: &mut DbConn, institution: &str, year: i32) -> Q<(u32, u32)> {
    let (start, end) = crate::rules::cascade::cycle_bounds(year);
    let regs = super::facts::registrations_at(conn, institution)?;
    let mut members: Vec<String> = regs
        .into_iter()
        .filter(|r| r.registered_on < end && r.deregistered_on.is_none_or(|e| e > start))
        .map(|r| r.personnel_code)
        .collect();
    members.sort();
    members.dedup();
    if members.is_empty() {
        return Ok((0, 0));
    }
    let mut sanctioned: Vec<String> = Vec::new();
    for chunk in members.chunks(500) {
        let mut part: Vec<String> = proj_sanctions::table
            .filter(proj_sanctions::personnel_code.eq_any(chunk))
            .filter(proj_sanctions::kind.eq_any([SanctionKind::Suspension, SanctionKind::Termination]))
            .filter(proj_sanctions::starts_on.ge(start))
            .filter(proj_sanctions::starts_on.lt(end))
            .select(proj_sanctions::personnel_code)
            .distinct()
            .load(conn)?;
        sanctioned.append(&mut part);
    }
    Ok((sanctioned.len() as u32, members.len() as u32))
}

pub fn watch_rows(conn: &mut DbConn, year: i32) -> Q<Vec<WatchRow>> {
    proj_watch::table
        .filter(proj_watch::cycle_year.eq(year))
        .order((proj_watch::institution_code, proj_watch::personnel_code))
        .load(conn)
}

/// Personal suspensions running on `d` and terminations whose ban runs on `d`, city-wide.
pub fn sanctions_in_force(conn: &mut DbConn, d: NaiveDate) -> Q<Vec<SanctionRow>> {
    proj_sanctions::table
        .filter(proj_sanctions::starts_on.le(d))
        .filter(
            proj_sanctions::kind
                .eq(SanctionKind::Suspension)
                .and(proj_sanctions::ends_on.gt(d))
                .or(proj_sanctions::kind.eq(SanctionKind::Termination).and(proj_sanctions::ban_until.gt(d))),
        )
        .order((proj_sanctions::personnel_code, proj_sanctions::seq))
        .load(conn)
}
