//! Inspections, the deductions they decide, and revocations of deductions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable)]
pub struct DeductionRow {
    pub id: i64,
    pub inspection_id: i64,
    pub seq: i32,
    pub personnel_code: String,
    pub institution_code: String,
    pub items: String,
    pub points: i32,
    pub chosen_points: Option<i32>,
    pub ban_months: Option<i32>,
    pub fund_loss_fen: Option<i64>,
    pub occurred_on: Option<NaiveDate>,
    pub decided_on: NaiveDate,
    pub note: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deductions)]
pub struct NewDeduction<'a> {
    pub inspection_id: i64,
    pub seq: i32,
    pub personnel_code: &'a str,
    pub institution_code: &'a str,
    pub items: String,
    pub points: i32,
    pub chosen_points: Option<i32>,
    pub ban_months: Option<i32>,
    pub fund_loss_fen: Option<i64>,
    pub occurred_on: Option<NaiveDate>,
    pub decided_on: NaiveDate,
    pub note: &'a str,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct RevocationRow {
    pub id: i64,
    pub deduction_id: i64,
    pub revoked_on: NaiveDate,
    pub reason: String,
    pub source: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct InspectionRow {
    pub id: i64,
    pub idempotency_key: String,
    pub request_hash: String,
    pub institution_code: String,
    pub inspected_on: NaiveDate,
    pub decided_on: NaiveDate,
    pub response: String,
    pub recorded_at: NaiveDateTime,
}

pub fn inspection_by_key(conn: &mut DbConn, key: &str) -> Q<Option<InspectionRow>> {
    inspections::table.filter(inspections::idempotency_key.eq(key)).first(conn).optional()
}

#[allow(clippy::too_many_arguments)]
pub fn insert_inspection(
    conn: &mut DbConn,
    key: &str,
    hash: &str,
    institution: &str,
    inspected_on: NaiveDate,
    decided_on: NaiveDate,
) -> Q<i64> {
    diesel::insert_into(inspections::table)
        .values((
            inspections::idempotency_key.eq(key),
            inspections::request_hash.eq(hash),
            inspections::institution_code.eq(institution),
            inspections::inspected_on.eq(inspected_on),
            inspections::decided_on.eq(decided_on),
            inspections::response.eq(""),
            inspections::recorded_at.eq(crate::store::now()),
        ))
        .returning(inspections::id)
        .get_result(conn)
}

/// The one exception to append-only: the answer to replay for the idempotency key, written
/// in the same transaction that inserted the inspection, before anyone can read it.
pub fn set_inspection_response(conn: &mut DbConn, id: i64, response: &str) -> Q<()> {
    diesel::update(inspections::table.find(id)).set(inspections::response.eq(response)).execute(conn).map(drop)
}

pub fn insert_deduction(conn: &mut DbConn, d: &NewDeduction) -> Q<i64> {
    diesel::insert_into(deductions::table).values(d).returning(deductions::id).get_result(conn)
}

pub fn deduction(conn: &mut DbConn, id: i64) -> Q<Option<DeductionRow>> {
    deductions::table.find(id).first(conn).optional()
}

pub fn deductions_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<DeductionRow>> {
    deductions::table.filter(deductions::personnel_code.eq(personnel_code)).order(deductions::id).load(conn)
}

pub fn revocations_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<RevocationRow>> {
    revocations::table
        .inner_join(deductions::table)
        .filter(deductions::personnel_code.eq(personnel_code))
        .select((
            revocations::id,
            revocations::deduction_id,
            revocations::revoked_on,
            revocations::reason,
            revocations::source,
            revocations::recorded_at,
        ))
        .load(conn)
}

pub fn revocation_of(conn: &mut DbConn, deduction_id: i64) -> Q<Option<RevocationRow>> {
    revocations::table.filter(revocations::deduction_id.eq(deduction_id)).first(conn).optional()
}

pub fn insert_revocation(conn: &mut DbConn, deduction_id: i64, on: NaiveDate, reason: &str, source: &str) -> Q<i64> {
    diesel::insert_into(revocations::table)
        .values((
            revocations::deduction_id.eq(deduction_id),
            revocations::revoked_on.eq(on),
            revocations::reason.eq(reason),
            revocations::source.eq(source),
            revocations::recorded_at.eq(crate::store::now()),
        ))
        .returning(revocations::id)
        .get_result(conn)
}
