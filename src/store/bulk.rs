//! Multi-row inserts for bulk imports. `MultiBackend` has no batch insert, so each backend's
//! connection is used directly; the SQL is the same.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::conn::DbConn;
use super::facts::{Practitioner, RosterDetails};
use super::projections::IntervalRow;
use super::schema::*;
use crate::rules::TestFormat;

/// Rows per statement: well under SQLite's 32 766 bound parameters.
const CHUNK: usize = 1000;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = registrations)]
pub struct NewRegistrationRow {
    pub institution_code: String,
    pub personnel_code: String,
    pub registered_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = roster_entries)]
pub struct NewRosterRow {
    #[diesel(embed)]
    pub details: RosterDetails,
    pub recorded_at: NaiveDateTime,
}

macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut n = 0;
        for chunk in $rows.chunks(CHUNK) {
            n += match $conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(chunk).execute(c)?,
                DbConn::Postgresql(c) => diesel::insert_into($table).values(chunk).execute(c)?,
            };
        }
        Ok(n)
    }};
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = training_tests)]
pub struct NewTestRow {
    pub personnel_code: String,
    pub tested_on: NaiveDate,
    pub cycle_year: i32,
    pub format: TestFormat,
    pub score: Option<String>,
    pub passed: bool,
    pub recorded_at: NaiveDateTime,
}

/// Passed tests only: they change no status, so no projection needs recomputing.
pub fn passed_tests(conn: &mut DbConn, rows: &[NewTestRow]) -> QueryResult<usize> {
    debug_assert!(rows.iter().all(|r| r.passed));
    batch_insert!(conn, training_tests::table, rows)
}

/// The ids of the registrations just inserted for `codes` at `institution`.
pub fn registration_ids(conn: &mut DbConn, institution: &str, codes: &[String]) -> QueryResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(codes.len());
    for chunk in codes.chunks(CHUNK) {
        let mut part: Vec<i64> = registrations::table
            .filter(registrations::institution_code.eq(institution))
            .filter(registrations::personnel_code.eq_any(chunk))
            .select(registrations::id)
            .load(conn)?;
        ids.append(&mut part);
    }
    Ok(ids)
}

pub fn practitioners(conn: &mut DbConn, rows: &[Practitioner]) -> QueryResult<usize> {
    batch_insert!(conn, practitioners::table, rows)
}

pub fn registrations(conn: &mut DbConn, rows: &[NewRegistrationRow]) -> QueryResult<usize> {
    batch_insert!(conn, registrations::table, rows)
}

pub fn roster_entries(conn: &mut DbConn, rows: &[NewRosterRow]) -> QueryResult<usize> {
    batch_insert!(conn, roster_entries::table, rows)
}

pub fn intervals(conn: &mut DbConn, rows: &[IntervalRow]) -> QueryResult<usize> {
    batch_insert!(conn, proj_intervals::table, rows)
}
