//! Read-only queries the pages need and the API does not answer (an institution's staff list
//! with status, its deductions and objections): batch reads over the ledger and projections.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;

type Q<T> = QueryResult<T>;

/// One registration at an institution, with the person's name and category.
#[derive(Debug, Clone, Queryable)]
pub struct StaffRow {
    pub personnel_code: String,
    pub name: String,
    pub category: String,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
}

/// Everyone registered at `institution` on `on` (registered by then, not yet deregistered).
pub fn staff_at(conn: &mut DbConn, institution: &str, on: NaiveDate) -> Q<Vec<StaffRow>> {
    registrations::table
        .inner_join(practitioners::table.on(practitioners::personnel_code.eq(registrations::personnel_code)))
        .left_join(deregistrations::table.on(deregistrations::registration_id.eq(registrations::id)))
        .filter(registrations::institution_code.eq(institution))
        .filter(registrations::registered_on.le(on))
        .filter(deregistrations::deregistered_on.is_null().or(deregistrations::deregistered_on.gt(on)))
        .order(registrations::personnel_code)
        .select((
            registrations::personnel_code,
            practitioners::name,
            practitioners::category,
            registrations::registered_on,
            deregistrations::deregistered_on.nullable(),
        ))
        .load(conn)
}

/// Each person's status at `institution` on `on`, from the projection (code → status).
pub fn site_statuses(conn: &mut DbConn, institution: &str, on: NaiveDate) -> Q<Vec<(String, String)>> {
    proj_intervals::table
        .filter(proj_intervals::institution_code.eq(institution))
        .filter(proj_intervals::from_on.le(on))
        .filter(proj_intervals::until_on.is_null().or(proj_intervals::until_on.gt(on)))
        .select((proj_intervals::personnel_code, proj_intervals::status))
        .load(conn)
}

/// Cycle totals of a year of everyone ever registered at `institution` (code → total).
pub fn cycle_totals(conn: &mut DbConn, institution: &str, year: i32) -> Q<Vec<(String, i32)>> {
    let at = registrations::table
        .filter(registrations::institution_code.eq(institution))
        .select(registrations::personnel_code);
    proj_cycles::table
        .filter(proj_cycles::cycle_year.eq(year))
        .filter(proj_cycles::personnel_code.eq_any(at))
        .select((proj_cycles::personnel_code, proj_cycles::total))
        .load(conn)
}

/// Suspensions and terminations of everyone ever registered at `institution`:
/// (code, kind, starts_on, ends_on, ban_until).
pub type SanctionDates = (String, String, NaiveDate, Option<NaiveDate>, Option<NaiveDate>);

pub fn sanctions_of_staff(conn: &mut DbConn, institution: &str) -> Q<Vec<SanctionDates>> {
    let at = registrations::table
        .filter(registrations::institution_code.eq(institution))
        .select(registrations::personnel_code);
    proj_sanctions::table
        .filter(proj_sanctions::personnel_code.eq_any(at))
        .filter(proj_sanctions::kind.eq_any(["suspension", "termination"]))
        .select((
            proj_sanctions::personnel_code,
            proj_sanctions::kind,
            proj_sanctions::starts_on,
            proj_sanctions::ends_on,
            proj_sanctions::ban_until,
        ))
        .load(conn)
}

/// A deduction found at an institution, with the person's name and whether it was revoked.
#[derive(Debug, Clone, Queryable)]
pub struct DeductionRow {
    pub id: i64,
    pub personnel_code: String,
    pub name: String,
    pub items: String,
    pub points: i32,
    pub decided_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
}

/// The deductions found at `institution` decided in `[from, until)`, newest first.
pub fn deductions_at(conn: &mut DbConn, institution: &str, from: NaiveDate, until: NaiveDate) -> Q<Vec<DeductionRow>> {
    deductions::table
        .inner_join(practitioners::table.on(practitioners::personnel_code.eq(deductions::personnel_code)))
        .left_join(revocations::table.on(revocations::deduction_id.eq(deductions::id)))
        .filter(deductions::institution_code.eq(institution))
        .filter(deductions::decided_on.ge(from))
        .filter(deductions::decided_on.lt(until))
        .order((deductions::decided_on.desc(), deductions::id.desc()))
        .select((
            deductions::id,
            deductions::personnel_code,
            practitioners::name,
            deductions::items,
            deductions::points,
            deductions::decided_on,
            revocations::revoked_on.nullable(),
        ))
        .load(conn)
}

/// The ids of objections filed by `institution` (every institution's when `None`), newest first.
pub fn objection_ids(conn: &mut DbConn, institution: Option<&str>) -> Q<Vec<i64>> {
    let mut q = objections::table.select(objections::id).order(objections::id.desc()).into_boxed();
    if let Some(i) = institution {
        q = q.filter(objections::institution_code.eq(i.to_string()));
    }
    q.limit(500).load(conn)
}

/// Institutions whose code or name contains `q` (the agency's and admin's picker).
pub fn institutions_matching(conn: &mut DbConn, q: &str, limit: i64) -> Q<Vec<(String, String)>> {
    let like = format!("%{}%", q.replace(['%', '_'], ""));
    institutions::table
        .filter(institutions::code.like(like.clone()).or(institutions::name.like(like)))
        .order(institutions::code)
        .select((institutions::code, institutions::name))
        .limit(limit)
        .load(conn)
}
