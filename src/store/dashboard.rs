//! The dashboard's projections (issue 15 on a 10⁶-practitioner province): per person and county
//! the span of their registrations, and per training test not revoked the age, format and
//! result. Kept by the write path in the same transaction as the facts (`App::recompute`, and
//! the roster commit's and the demo's bulk paths), rebuilt and compared by `jifen verify`, so the
//! statistics aggregate narrow tables instead of reading every registration and every test.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;
use crate::domain::codes::Category;
use crate::rules::{PractitionerFacts, TestFormat};

type Q<T> = QueryResult<T>;

/// The county of `proj_people`'s city-wide row.
pub const CITY: &str = "";

/// Rows per multi-row statement (well under SQLite's bound-parameter limit).
const CHUNK: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_people)]
pub struct PersonSpan {
    pub personnel_code: String,
    /// Six digits, or [`CITY`].
    pub county: String,
    pub category: Category,
    pub first_on: NaiveDate,
    /// `None` while a registration there is in force.
    pub last_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = proj_tests)]
pub struct TestStat {
    pub test_id: i64,
    pub personnel_code: String,
    pub cycle_year: i32,
    pub category: Category,
    pub age: i32,
    pub format: TestFormat,
    pub passed: bool,
}

/// The county of an institution: the six digits after its letter (what `in_county` matches).
pub fn county_of(institution_code: &str) -> String {
    institution_code.chars().skip(1).take(6).collect()
}

/// Age in whole years on `on` (三(三)'s age groups; as the SQL of the statistics computed it).
pub fn age_at(birth: NaiveDate, on: NaiveDate) -> i32 {
    on.year() - birth.year() - i32::from((on.month(), on.day()) < (birth.month(), birth.day()))
}

/// The spans of one person's registrations `(institution, registered on, deregistered on)`,
/// per county and city-wide, ordered by county.
pub fn spans_of<'a>(
    code: &str,
    category: Category,
    registrations: impl Iterator<Item = (&'a str, NaiveDate, Option<NaiveDate>)>,
) -> Vec<PersonSpan> {
    // county → (first, every one ended, latest end)
    let mut by: BTreeMap<String, (NaiveDate, bool, Option<NaiveDate>)> = BTreeMap::new();
    for (inst, on, off) in registrations {
        for county in [county_of(inst), CITY.to_string()] {
            let e = by.entry(county).or_insert((on, true, None));
            e.0 = e.0.min(on);
            e.1 &= off.is_some();
            e.2 = e.2.max(off);
        }
    }
    by.into_iter()
        .map(|(county, (first_on, ended, last))| PersonSpan {
            personnel_code: code.to_string(),
            county,
            category,
            first_on,
            last_on: if ended { last } else { None },
        })
        .collect()
}

/// What both projections should hold for a person, from their facts.
pub fn rebuild(f: &PractitionerFacts, category: Category) -> (Vec<PersonSpan>, Vec<TestStat>) {
    let code = f.personnel_code.as_str();
    let spans = spans_of(
        code,
        category,
        f.registrations.iter().map(|r| (r.institution_code.as_str(), r.registered_on, r.deregistered_on)),
    );
    let mut tests: Vec<TestStat> = f
        .tests
        .iter()
        .map(|t| TestStat {
            test_id: t.id,
            personnel_code: code.to_string(),
            cycle_year: t.tested_on.year(),
            category,
            age: age_at(f.birth_date, t.tested_on),
            format: t.format,
            passed: t.passed,
        })
        .collect();
    tests.sort_by_key(|t| t.test_id);
    (spans, tests)
}

/// What both projections hold for a person, in the order of [`rebuild`].
pub fn stored(conn: &mut DbConn, code: &str) -> Q<(Vec<PersonSpan>, Vec<TestStat>)> {
    let spans =
        proj_people::table.filter(proj_people::personnel_code.eq(code)).order(proj_people::county).load(conn)?;
    let tests = proj_tests::table.filter(proj_tests::personnel_code.eq(code)).order(proj_tests::test_id).load(conn)?;
    Ok((spans, tests))
}

/// Rewrites a person's rows where they differ from the facts (most writes — a deduction — change
/// neither, and a read is cheaper than a rewrite).
pub fn keep(conn: &mut DbConn, f: &PractitionerFacts) -> Q<()> {
    let code = f.personnel_code.as_str();
    let (old_spans, old_tests) = stored(conn, code)?;
    if f.registrations.is_empty() && f.tests.is_empty() && old_spans.is_empty() && old_tests.is_empty() {
        return Ok(());
    }
    // A person's category never changes: the stored one saves a read.
    let category = match old_spans.first().map(|s| s.category).or_else(|| old_tests.first().map(|t| t.category)) {
        Some(c) => c,
        None => practitioners::table.find(code).select(practitioners::category).first(conn)?,
    };
    let (spans, tests) = rebuild(f, category);
    if spans != old_spans {
        diesel::delete(proj_people::table.filter(proj_people::personnel_code.eq(code))).execute(conn)?;
        insert_spans(conn, &spans)?;
    }
    if tests != old_tests {
        diesel::delete(proj_tests::table.filter(proj_tests::personnel_code.eq(code))).execute(conn)?;
        for chunk in tests.chunks(CHUNK) {
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(proj_tests::table).values(chunk).execute(c)?,
                DbConn::Postgresql(c) => diesel::insert_into(proj_tests::table).values(chunk).execute(c)?,
            };
        }
    }
    Ok(())
}

/// Inserts spans (people new to the ledger, in bulk).
pub fn insert_spans(conn: &mut DbConn, rows: &[PersonSpan]) -> Q<()> {
    for chunk in rows.chunks(CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(proj_people::table).values(chunk).execute(c)?,
            DbConn::Postgresql(c) => diesel::insert_into(proj_people::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// Adds the tests that have no row yet (after a bulk insert of passed tests, which recomputes
/// no one): the same SQL as the migration that created the table.
pub fn add_missing_tests(conn: &mut DbConn) -> Q<usize> {
    let sql = |age: &str| {
        format!(
            "INSERT INTO proj_tests (test_id, personnel_code, cycle_year, category, age, format, passed) \
             SELECT t.id, t.personnel_code, t.cycle_year, p.category, {age}, t.format, t.passed \
             FROM training_tests t JOIN practitioners p ON p.personnel_code = t.personnel_code \
             WHERE NOT EXISTS (SELECT 1 FROM test_revocations v WHERE v.test_id = t.id) \
             AND NOT EXISTS (SELECT 1 FROM proj_tests x WHERE x.test_id = t.id)"
        )
    };
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql(
            "CAST(strftime('%Y', t.tested_on) AS INTEGER) - CAST(strftime('%Y', p.birth_date) AS INTEGER) \
             - (CASE WHEN strftime('%m-%d', t.tested_on) < strftime('%m-%d', p.birth_date) THEN 1 ELSE 0 END)",
        ))
        .execute(c),
        DbConn::Postgresql(c) => {
            diesel::sql_query(sql("CAST(date_part('year', age(t.tested_on, p.birth_date)) AS INTEGER)")).execute(c)
        }
    }
}

/// Every practitioner's code and category, ordered by code (for `verify`).
pub fn all_categories(conn: &mut DbConn) -> Q<Vec<(String, Category)>> {
    practitioners::table
        .select((practitioners::personnel_code, practitioners::category))
        .order(practitioners::personnel_code)
        .load(conn)
}
