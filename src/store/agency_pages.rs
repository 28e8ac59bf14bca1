//! Read-only queries for the agency's and the admin's pages (`service::agency_pages`): the
//! year's training tests with the birth dates their pass rates are grouped by, every
//! institution with its agreement changes and staff count, the names of institutions.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::conn::DbConn;
use super::facts::{Institution, InstitutionEventRow};
use super::schema::*;
use crate::rules::{InstitutionFacts, TestFormat};

type Q<T> = QueryResult<T>;

/// How many tests of a year (not revoked) have a format, a result, and were sat at or past
/// an age.
#[derive(Debug, Clone, QueryableByName)]
pub struct PassCount {
    #[diesel(sql_type = Text)]
    pub format: String,
    #[diesel(sql_type = Bool)]
    pub passed: bool,
    /// At or past the age on the test day (the age as `domain::dates::age_on` counts it: the
    /// years between, less one before the birthday).
    #[diesel(sql_type = Bool)]
    pub older: bool,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// The age on the test day is the one SQL expression that differs between the backends.
const PASS_COUNTS_SQLITE: &str = "SELECT t.format AS format, t.passed AS passed, \
     (CAST(substr(t.tested_on, 1, 4) AS INTEGER) - CAST(substr(p.birth_date, 1, 4) AS INTEGER) \
      - (substr(t.tested_on, 6, 5) < substr(p.birth_date, 6, 5))) >= ? AS older, COUNT(*) AS n \
     FROM training_tests t JOIN practitioners p ON p.personnel_code = t.personnel_code \
     WHERE t.cycle_year = ? AND NOT EXISTS (SELECT 1 FROM test_revocations r WHERE r.test_id = t.id) \
     GROUP BY 1, 2, 3";
const PASS_COUNTS_POSTGRES: &str = "SELECT t.format AS format, t.passed AS passed, \
     (EXTRACT(YEAR FROM t.tested_on)::int - EXTRACT(YEAR FROM p.birth_date)::int \
      - CASE WHEN to_char(t.tested_on, 'MM-DD') < to_char(p.birth_date, 'MM-DD') THEN 1 ELSE 0 END) >= $1 AS older, \
     COUNT(*) AS n \
     FROM training_tests t JOIN practitioners p ON p.personnel_code = t.personnel_code \
     WHERE t.cycle_year = $2 AND NOT EXISTS (SELECT 1 FROM test_revocations r WHERE r.test_id = t.id) \
     GROUP BY 1, 2, 3";

/// The tests of `year` that still count, by format, result and age group (`age` and over).
pub fn pass_counts(conn: &mut DbConn, year: i32, age: i32) -> Q<Vec<PassCount>> {
    use diesel::sql_types::Integer;
    match conn {
        DbConn::Sqlite(c) => {
            diesel::sql_query(PASS_COUNTS_SQLITE).bind::<Integer, _>(age).bind::<Integer, _>(year).load(c)
        }
        DbConn::Postgresql(c) => {
            diesel::sql_query(PASS_COUNTS_POSTGRES).bind::<Integer, _>(age).bind::<Integer, _>(year).load(c)
        }
    }
}

/// One test on the list, with the person's name and its revocation if any.
#[derive(Debug, Clone, Queryable)]
pub struct TestLineRow {
    pub id: i64,
    pub personnel_code: String,
    pub name: String,
    pub tested_on: NaiveDate,
    pub format: TestFormat,
    pub delivery: Option<crate::store::facts::Delivery>,
    pub score: Option<String>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
    pub revoked_on: Option<NaiveDate>,
    pub revoke_reason: Option<String>,
}

/// What the list of a year's tests is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct TestQuery {
    /// A personnel code (exact) or a part of a name.
    pub q: Option<String>,
    pub passed: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

macro_rules! test_list_filter {
    ($year:expr, $query:expr) => {{
        let mut q = training_tests::table
            .inner_join(practitioners::table.on(practitioners::personnel_code.eq(training_tests::personnel_code)))
            .left_join(test_revocations::table.on(test_revocations::test_id.eq(training_tests::id)))
            .filter(training_tests::cycle_year.eq($year))
            .into_boxed();
        if let Some(text) = $query.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let like = format!("%{}%", text.replace(['%', '_'], ""));
            q = q.filter(
                training_tests::personnel_code.eq(text.to_ascii_uppercase()).or(practitioners::name.like(like)),
            );
        }
        if let Some(p) = $query.passed {
            q = q.filter(training_tests::passed.eq(p));
        }
        q
    }};
}

/// A page of the year's tests, newest recorded first (revoked ones marked, not hidden).
pub fn test_lines(conn: &mut DbConn, year: i32, query: &TestQuery) -> Q<Vec<TestLineRow>> {
    test_list_filter!(year, query)
        .order(training_tests::id.desc())
        .select((
            training_tests::id,
            training_tests::personnel_code,
            practitioners::name,
            training_tests::tested_on,
            training_tests::format,
            training_tests::delivery,
            training_tests::score,
            training_tests::passed,
            training_tests::recorded_at,
            test_revocations::revoked_on.nullable(),
            test_revocations::reason.nullable(),
        ))
        .limit(query.limit)
        .offset(query.offset)
        .load(conn)
}

/// How many tests the list's filter matches (without a search, from the year's index alone).
pub fn test_line_count(conn: &mut DbConn, year: i32, query: &TestQuery) -> Q<i64> {
    if query.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        let mut q = training_tests::table.filter(training_tests::cycle_year.eq(year)).into_boxed();
        if let Some(p) = query.passed {
            q = q.filter(training_tests::passed.eq(p));
        }
        return q.count().get_result(conn);
    }
    test_list_filter!(year, query).count().get_result(conn)
}

/// The years that have tests, newest first.
pub fn test_years(conn: &mut DbConn) -> Q<Vec<i32>> {
    training_tests::table
        .select(training_tests::cycle_year)
        .distinct()
        .order(training_tests::cycle_year.desc())
        .load(conn)
}

/// Every institution (code order).
pub fn institutions_all(conn: &mut DbConn) -> Q<Vec<Institution>> {
    institutions::table.order(institutions::code).load(conn)
}

/// Every institution's agreement facts, by code (one query for the events of all).
pub fn institution_facts_all(conn: &mut DbConn, all: &[Institution]) -> Q<HashMap<String, InstitutionFacts>> {
    let mut out: HashMap<String, InstitutionFacts> = all
        .iter()
        .map(|i| {
            (
                i.code.clone(),
                InstitutionFacts {
                    code: i.code.clone(),
                    agreement_start: i.agreement_start,
                    agreement_end: i.agreement_end,
                    events: Vec::new(),
                },
            )
        })
        .collect();
    let events: Vec<InstitutionEventRow> = institution_events::table.order(institution_events::id).load(conn)?;
    for e in events {
        if let Some(f) = out.get_mut(&e.institution_code) {
            f.events.push(crate::store::facts::event_of(&e));
        }
    }
    Ok(out)
}

/// How many people are registered at each institution on `on` (code → count).
pub fn staff_counts(conn: &mut DbConn, on: NaiveDate) -> Q<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = registrations::table
        .left_join(deregistrations::table.on(deregistrations::registration_id.eq(registrations::id)))
        .filter(registrations::registered_on.le(on))
        .filter(deregistrations::deregistered_on.nullable().is_null().or(deregistrations::deregistered_on.gt(on)))
        .group_by(registrations::institution_code)
        .select((registrations::institution_code, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The names of the institutions `codes` (code → name); unknown codes are left out.
pub fn institution_names(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, String>> {
    let rows: Vec<(String, String)> = institutions::table
        .filter(institutions::code.eq_any(codes))
        .select((institutions::code, institutions::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
