//! Notices and objections (六(一)): facts like the rest of the ledger.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::deserialize::{self, Queryable};
use diesel::prelude::*;

use super::conn::{DbConn, MultiBackend};
use super::notice_body::NoticeBody;
use super::schema::*;
use super::text_enum::text_enum;

type Q<T> = QueryResult<T>;

text_enum! {
    /// What a written notice is about; it says which shape its body has.
    pub enum NoticeKind ("notice kind") {
        Deduction = "deduction",
        /// A sanction decided without a deduction (a failed training test, 三(三)).
        Sanction = "sanction",
        Revocation = "revocation",
        /// A training test recorded wrongly, revoked (三(三)).
        TestRevocation = "test_revocation",
        InstitutionSuspend = "institution_suspend",
        InstitutionRestore = "institution_restore",
        InstitutionTerminate = "institution_terminate",
        InstitutionRenew = "institution_renew",
        InstitutionNonRenewal = "institution_non_renewal",
        InstitutionInspection = "institution_inspection",
        /// The agency's decision on an objection, or the department's on an escalation (六(一)).
        ObjectionDecision = "objection_decision",
    }
}

#[derive(Debug, Clone)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: NoticeKind,
    pub institution_code: String,
    pub personnel_code: Option<String>,
    pub deduction_id: Option<i64>,
    pub notice_date: NaiveDate,
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    /// The notice's content (JSON in the database), in the shape of its kind.
    pub body: NoticeBody,
    pub recorded_at: NaiveDateTime,
    /// The objection an objection decision's notice decides.
    pub objection_id: Option<i64>,
}

type NoticeColumns = (
    i64,
    NoticeKind,
    String,
    Option<String>,
    Option<i64>,
    NaiveDate,
    Option<NaiveDate>,
    String,
    String,
    NaiveDateTime,
    Option<i64>,
);

/// A body that is not the shape of the row's kind is a read error.
impl Queryable<notices::SqlType, MultiBackend> for NoticeRow {
    type Row = NoticeColumns;

    fn build(row: NoticeColumns) -> deserialize::Result<Self> {
        let (
            id,
            kind,
            institution_code,
            personnel_code,
            deduction_id,
            notice_date,
            objection_deadline,
            title,
            body,
            at,
            objection_id,
        ) = row;
        Ok(NoticeRow {
            id,
            kind,
            institution_code,
            personnel_code,
            deduction_id,
            notice_date,
            objection_deadline,
            title,
            body: NoticeBody::read(kind, &body)?,
            recorded_at: at,
            objection_id,
        })
    }
}

/// A notice to write; its kind is its body's.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub institution_code: String,
    pub personnel_code: Option<String>,
    pub deduction_id: Option<i64>,
    pub notice_date: NaiveDate,
    pub objection_deadline: Option<NaiveDate>,
    pub title: String,
    pub body: NoticeBody,
    pub recorded_at: NaiveDateTime,
    pub objection_id: Option<i64>,
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
    let body = n.body.to_json().map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(notices::table)
        .values((
            notices::kind.eq(n.body.kind()),
            notices::institution_code.eq(&n.institution_code),
            notices::personnel_code.eq(&n.personnel_code),
            notices::deduction_id.eq(n.deduction_id),
            notices::notice_date.eq(n.notice_date),
            notices::objection_deadline.eq(n.objection_deadline),
            notices::title.eq(&n.title),
            notices::body.eq(body),
            notices::recorded_at.eq(n.recorded_at),
            notices::objection_id.eq(n.objection_id),
        ))
        .returning(notices::id)
        .get_result(conn)
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
        .filter(notices::kind.eq(NoticeKind::Deduction))
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

/// The written notices of the decisions on an objection, oldest first.
pub fn notices_of_objection(conn: &mut DbConn, objection: i64) -> Q<Vec<NoticeRow>> {
    notices::table
        .filter(notices::objection_id.eq(objection))
        .filter(notices::kind.eq(NoticeKind::ObjectionDecision))
        .order(notices::id)
        .load(conn)
}

/// When the institution acknowledged receiving a notice (六(一) 接到书面通知).
pub fn receipt_of(conn: &mut DbConn, notice: i64) -> Q<Option<NaiveDate>> {
    notice_receipts::table
        .filter(notice_receipts::notice_id.eq(notice))
        .select(notice_receipts::received_on)
        .first(conn)
        .optional()
}

/// The acknowledged receipts of some notices: (notice id, received on).
pub fn receipts_of(conn: &mut DbConn, notices: &[i64]) -> Q<Vec<(i64, NaiveDate)>> {
    let mut out = Vec::new();
    for chunk in notices.chunks(500) {
        out.extend(
            notice_receipts::table
                .filter(notice_receipts::notice_id.eq_any(chunk.to_vec()))
                .select((notice_receipts::notice_id, notice_receipts::received_on))
                .load::<(i64, NaiveDate)>(conn)?,
        );
    }
    Ok(out)
}

pub fn insert_receipt(conn: &mut DbConn, notice: i64, on: NaiveDate) -> Q<i64> {
    diesel::insert_into(notice_receipts::table)
        .values((
            notice_receipts::notice_id.eq(notice),
            notice_receipts::received_on.eq(on),
            notice_receipts::recorded_at.eq(super::now()),
        ))
        .returning(notice_receipts::id)
        .get_result(conn)
}

/// Every delivery allowance the agency set: (id, days, from), oldest first.
pub fn delivery_allowances(conn: &mut DbConn) -> Q<Vec<(i64, i32, NaiveDate)>> {
    delivery_allowances::table
        .select((delivery_allowances::id, delivery_allowances::days, delivery_allowances::from_on))
        .order(delivery_allowances::id)
        .load(conn)
}

pub fn insert_delivery_allowance(conn: &mut DbConn, days: i32, from: NaiveDate) -> Q<i64> {
    diesel::insert_into(delivery_allowances::table)
        .values((
            delivery_allowances::days.eq(days),
            delivery_allowances::from_on.eq(from),
            delivery_allowances::recorded_at.eq(super::now()),
        ))
        .returning(delivery_allowances::id)
        .get_result(conn)
}
