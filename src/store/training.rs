//! Training-test corrections (三(三)): the pass mark the agency sets for a year, and the
//! revocation of a test recorded wrongly. Facts: inserted, never updated.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::{pass_marks, test_revocations, training_tests};

type Q<T> = QueryResult<T>;

pub fn insert_pass_mark(conn: &mut DbConn, year: i32, mark: i32) -> Q<i64> {
    diesel::insert_into(pass_marks::table)
        .values((pass_marks::year.eq(year), pass_marks::mark.eq(mark), pass_marks::recorded_at.eq(super::now())))
        .returning(pass_marks::id)
        .get_result(conn)
}

/// The pass mark set last for `year`, if any.
pub fn pass_mark(conn: &mut DbConn, year: i32) -> Q<Option<i32>> {
    pass_marks::table
        .filter(pass_marks::year.eq(year))
        .order(pass_marks::id.desc())
        .select(pass_marks::mark)
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable)]
pub struct TestRow {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: NaiveDate,
    pub cycle_year: i32,
    pub format: String,
    pub score: Option<String>,
    pub passed: bool,
    pub recorded_at: chrono::NaiveDateTime,
    pub retake_reason: Option<String>,
    pub delivery: Option<super::facts::Delivery>,
}

pub fn test(conn: &mut DbConn, id: i64) -> Q<Option<TestRow>> {
    training_tests::table.find(id).first(conn).optional()
}

pub fn insert_test_revocation(conn: &mut DbConn, test_id: i64, on: NaiveDate, reason: &str) -> Q<i64> {
    diesel::insert_into(test_revocations::table)
        .values((
            test_revocations::test_id.eq(test_id),
            test_revocations::revoked_on.eq(on),
            test_revocations::reason.eq(reason),
            test_revocations::recorded_at.eq(super::now()),
        ))
        .returning(test_revocations::id)
        .get_result(conn)
}

/// The ids of a person's revoked tests.
pub fn revoked_tests_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<i64>> {
    test_revocations::table
        .inner_join(training_tests::table.on(training_tests::id.eq(test_revocations::test_id)))
        .filter(training_tests::personnel_code.eq(personnel_code))
        .select(test_revocations::test_id)
        .load(conn)
}

pub fn is_revoked(conn: &mut DbConn, test_id: i64) -> Q<bool> {
    diesel::select(diesel::dsl::exists(test_revocations::table.filter(test_revocations::test_id.eq(test_id))))
        .get_result(conn)
}
