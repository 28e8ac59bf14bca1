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
    pub score: Option<i32>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
}

pub fn tests_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<TestRow>> {
    training_tests::table.filter(training_tests::personnel_code.eq(personnel_code)).order(training_tests::id).load(conn)
}

pub fn insert_test(conn: &mut DbConn, personnel_code: &str, f: &TestFact) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_tests::table)
        .values((
            training_tests::personnel_code.eq(personnel_code),
            training_tests::tested_on.eq(f.tested_on),
            training_tests::cycle_year.eq(f.tested_on.year()),
            training_tests::format.eq(f.format),
            training_tests::score.eq(f.score),
            training_tests::passed.eq(f.passed),
            training_tests::recorded_at.eq(crate::store::now()),
        ))
        .returning(training_tests::id)
        .get_result(conn)
}
