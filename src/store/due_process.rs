//! Notices and objections (六(一)): facts like the rest of the ledger.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;
use super::text_enum::text_enum;

type Q<T> = QueryResult<T>;

#[derive(Debug, Clone, Queryable)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: String,
    pub institution_code: String,
    pub personnel_code: Option<String>,
    pub deduction_id: Option<i64>,
    pub notice_date: NaiveDate,
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    /// The notice's content as JSON.
    pub body: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notices)]
pub struct NewNotice {
    pub kind: String,
    pub institution_code: String,
    pub personnel_code: Option<String>,
    pub deduction_id: Option<i64>,
    pub notice_date: NaiveDate,
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    pub body: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct ObjectionRow {
    pub id: i64,
    pub deduction_id: i64,
    pub institution_code: String,
    pub filed_on: NaiveDate,
    pub grounds: String,
    pub recorded_at: NaiveDateTime,
}

text_enum! {
    /// Who decides an objection (六(一)).
    pub enum ObjectionLevel ("objection level") {
        /// 经办机构: a filed objection.
        Agency = "agency",
        /// 医保行政部门: an escalated one, finally.
        Department = "department",
    }
}

text_enum! {
    /// What the agency or the department decides on an objection.
    pub enum ObjectionRuling ("objection decision") {
        /// 采纳: the deduction is revoked.
        Uphold = "uphold",
        /// 驳回.
        Reject = "reject",
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct ObjectionDecisionRow {
    pub id: i64,
    pub objection_id: i64,
    pub level: ObjectionLevel,
    pub decision: ObjectionRuling,
    pub decided_on: NaiveDate,
    pub evidence: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_notice(conn: &mut DbConn, n: &NewNotice) -> Q<i64> {
    diesel::insert_into(notices::table).values(n).returning(notices::id).get_result(conn)
}

pub fn notice(conn: &mut DbConn, id: i64) -> Q<Option<NoticeRow>> {
    notices::table.find(id).first(conn).optional()
}

pub fn notices_list(conn: &mut DbConn, institution: Option<&str>, person: Option<&str>) -> Q<Vec<NoticeRow>> {
    let mut q = notices::table.into_boxed();
    if let Some(i) = institution {
        q = q.filter(notices::institution_code.eq(i.to_string()));
    }
    if let Some(p) = person {
        q = q.filter(notices::personnel_code.eq(p.to_string()));
    }
    q.order(notices::id).limit(5000).load(conn)
}

pub fn notices_of_deduction(conn: &mut DbConn, deduction: i64) -> Q<Vec<NoticeRow>> {
    notices::table
        .filter(notices::deduction_id.eq(deduction))
        .filter(notices::kind.eq("deduction"))
        .order(notices::id)
        .load(conn)
}

pub fn insert_objection(
    conn: &mut DbConn,
    deduction: i64,
    institution: &str,
    filed_on: NaiveDate,
    grounds: &str,
) -> Q<i64> {
    diesel::insert_into(objections::table)
        .values((
            objections::deduction_id.eq(deduction),
            objections::institution_code.eq(institution),
            objections::filed_on.eq(filed_on),
            objections::grounds.eq(grounds),
            objections::recorded_at.eq(super::now()),
        ))
        .returning(objections::id)
        .get_result(conn)
}

pub fn objection(conn: &mut DbConn, id: i64) -> Q<Option<ObjectionRow>> {
    objections::table.find(id).first(conn).optional()
}

pub fn objections_of_deduction(conn: &mut DbConn, deduction: i64) -> Q<Vec<ObjectionRow>> {
    objections::table.filter(objections::deduction_id.eq(deduction)).order(objections::id).load(conn)
}

pub fn decisions_of(conn: &mut DbConn, objection: i64) -> Q<Vec<ObjectionDecisionRow>> {
    objection_decisions::table
        .filter(objection_decisions::objection_id.eq(objection))
        .order(objection_decisions::id)
        .load(conn)
}

pub fn insert_decision(
    conn: &mut DbConn,
    objection: i64,
    level: ObjectionLevel,
    decision: ObjectionRuling,
    on: NaiveDate,
    evidence: &str,
) -> Q<i64> {
    diesel::insert_into(objection_decisions::table)
        .values((
            objection_decisions::objection_id.eq(objection),
            objection_decisions::level.eq(level),
            objection_decisions::decision.eq(decision),
            objection_decisions::decided_on.eq(on),
            objection_decisions::evidence.eq(evidence),
            objection_decisions::recorded_at.eq(super::now()),
        ))
        .returning(objection_decisions::id)
        .get_result(conn)
}

pub fn escalation_of(conn: &mut DbConn, objection: i64) -> Q<Option<NaiveDate>> {
    objection_escalations::table
        .filter(objection_escalations::objection_id.eq(objection))
        .select(objection_escalations::escalated_on)
        .first(conn)
        .optional()
}

pub fn insert_escalation(conn: &mut DbConn, objection: i64, on: NaiveDate) -> Q<i64> {
    diesel::insert_into(objection_escalations::table)
        .values((
            objection_escalations::objection_id.eq(objection),
            objection_escalations::escalated_on.eq(on),
            objection_escalations::recorded_at.eq(super::now()),
        ))
        .returning(objection_escalations::id)
        .get_result(conn)
}
