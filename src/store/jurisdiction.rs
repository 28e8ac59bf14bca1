//! The deployment's jurisdiction (issue 17): which policy packs it runs. Facts: inserted,
//! never updated; the latest row holds.

use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::{deductions, jurisdiction_settings, training_tests};

type Q<T> = QueryResult<T>;

pub fn insert(conn: &mut DbConn, jurisdiction: &str) -> Q<i64> {
    diesel::insert_into(jurisdiction_settings::table)
        .values((
            jurisdiction_settings::jurisdiction.eq(jurisdiction),
            jurisdiction_settings::recorded_at.eq(super::now()),
        ))
        .returning(jurisdiction_settings::id)
        .get_result(conn)
}

/// The jurisdiction set last, if any.
pub fn current(conn: &mut DbConn) -> Q<Option<String>> {
    jurisdiction_settings::table
        .order(jurisdiction_settings::id.desc())
        .select(jurisdiction_settings::jurisdiction)
        .first(conn)
        .optional()
}

/// Every setting, oldest first: (jurisdiction, recorded_at).
pub fn history(conn: &mut DbConn) -> Q<Vec<(String, chrono::NaiveDateTime)>> {
    jurisdiction_settings::table
        .order(jurisdiction_settings::id.asc())
        .select((jurisdiction_settings::jurisdiction, jurisdiction_settings::recorded_at))
        .load(conn)
}

/// Whether anything was scored yet (a deduction or a training test).
pub fn ledger_scored(conn: &mut DbConn) -> Q<bool> {
    let d: Option<i64> = deductions::table.select(deductions::id).first(conn).optional()?;
    let t: Option<i64> = training_tests::table.select(training_tests::id).first(conn).optional()?;
    Ok(d.is_some() || t.is_some())
}
