//! Uploaded working-day calendars.

use diesel::prelude::*;

use super::Q;
use crate::store::conn::DbConn;
use crate::store::schema::*;

/// Records a year's file; returns the new row's id (what the chain links and the audit names).
pub fn insert_calendar_year(conn: &mut DbConn, year: i32, source: &str, body: &str) -> Q<i64> {
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(year),
            calendar_years::source.eq(source),
            calendar_years::body.eq(body),
            calendar_years::recorded_at.eq(crate::store::now()),
        ))
        .returning(calendar_years::id)
        .get_result(conn)
}

/// Every uploaded year's file, oldest first (a later upload of a year replaces an earlier one).
pub fn calendar_years(conn: &mut DbConn) -> Q<Vec<(i32, String)>> {
    calendar_years::table.order(calendar_years::id).select((calendar_years::year, calendar_years::body)).load(conn)
}
