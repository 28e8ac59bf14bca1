//! The annual training test (三(三)).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::rules::{TestFact, TestFormat};
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable)]
pub struct TestRow {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: NaiveDate,
    pub cycle_year: i32,
    pub format: TestFormat,
    /// The exact decimal as text (`"85.5"`); read it with [`score_of`].
    pub score: Option<String>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
    /// A re-sit an admin recorded in a year that already had a test, with its reason (三(三)).
    pub retake_reason: Option<String>,
}

/// A stored score (三(三)): exact text such as `85.5`; anything else is a read error, never a
/// guess.
pub fn score_of(text: Option<&str>) -> Q<Option<crate::domain::Score>> {
    text.map(|t| {
        crate::domain::Score::parse(t).ok_or_else(|| {
            diesel::result::Error::DeserializationError(format!("training test score {t:?} in the database").into())
        })
    })
    .transpose()
}

pub fn tests_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<TestRow>> {
    training_tests::table.filter(training_tests::personnel_code.eq(personnel_code)).order(training_tests::id).load(conn)
}

pub fn insert_test(conn: &mut DbConn, personnel_code: &str, f: &TestFact) -> Q<i64> {
    insert_test_with(conn, personnel_code, f, None)
}

/// A test, with the reason of a re-sit an admin allowed (三(三)).
pub fn insert_test_with(conn: &mut DbConn, personnel_code: &str, f: &TestFact, retake_reason: Option<&str>) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_tests::table)
        .values((
            training_tests::personnel_code.eq(personnel_code),
            training_tests::tested_on.eq(f.tested_on),
            training_tests::cycle_year.eq(f.tested_on.year()),
            training_tests::format.eq(f.format),
            training_tests::score.eq(f.score.map(|s| s.to_string())),
            training_tests::passed.eq(f.passed),
            training_tests::recorded_at.eq(crate::store::now()),
            training_tests::retake_reason.eq(retake_reason),
        ))
        .returning(training_tests::id)
        .get_result(conn)
}

/// 三(三): an absence from the year's test (缺考).
#[derive(Debug, Clone, Queryable)]
pub struct AbsenceRow {
    pub id: i64,
    pub personnel_code: String,
    pub absent_on: NaiveDate,
    pub cycle_year: i32,
    pub reason: String,
    pub recorded_at: NaiveDateTime,
}

pub fn absences_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<AbsenceRow>> {
    training_test_absences::table
        .filter(training_test_absences::personnel_code.eq(personnel_code))
        .order(training_test_absences::id)
        .load(conn)
}

pub fn insert_absence(conn: &mut DbConn, personnel_code: &str, on: NaiveDate, reason: &str) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_test_absences::table)
        .values((
            training_test_absences::personnel_code.eq(personnel_code),
            training_test_absences::absent_on.eq(on),
            training_test_absences::cycle_year.eq(on.year()),
            training_test_absences::reason.eq(reason),
            training_test_absences::recorded_at.eq(crate::store::now()),
        ))
        .returning(training_test_absences::id)
        .get_result(conn)
}
