//! Cases an officer or the agency decides: cascade cases (五(三)) and their interview
//! records, and termination cases (聊城 第三十一条(一)).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::store::conn::DbConn;
use crate::store::schema::*;
use crate::store::text_enum::text_enum;

// ---- cascade cases and interview records ----

text_enum! {
    /// The officer's decision on a cascade case (五(三)).
    pub enum CascadeDecision ("cascade case decision") {
        Suspend = "suspend",
        Terminate = "terminate",
        /// No action, with a reason.
        NoAction = "none",
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct CascadeCaseRow {
    pub id: i64,
    pub institution_code: String,
    pub cycle_year: i32,
    pub numerator: i32,
    pub denominator: i32,
    pub opened_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct CascadeDecisionRow {
    pub id: i64,
    pub case_id: i64,
    pub decision: CascadeDecision,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct InterviewRecordRow {
    pub id: i64,
    pub order_id: i64,
    pub held_on: NaiveDate,
    pub notes: String,
    pub recorded_at: NaiveDateTime,
    pub participants: Option<String>,
}

pub fn cascade_case(conn: &mut DbConn, id: i64) -> Q<Option<CascadeCaseRow>> {
    cascade_cases::table.find(id).first(conn).optional()
}

pub fn cascade_case_for(conn: &mut DbConn, institution: &str, year: i32) -> Q<Option<CascadeCaseRow>> {
    cascade_cases::table
        .filter(cascade_cases::institution_code.eq(institution))
        .filter(cascade_cases::cycle_year.eq(year))
        .first(conn)
        .optional()
}

pub fn cascade_cases_all(conn: &mut DbConn) -> Q<Vec<CascadeCaseRow>> {
    cascade_cases::table.order(cascade_cases::id).load(conn)
}

pub fn insert_cascade_case(
    conn: &mut DbConn,
    institution: &str,
    year: i32,
    num: i32,
    den: i32,
    on: NaiveDate,
) -> Q<i64> {
    diesel::insert_into(cascade_cases::table)
        .values((
            cascade_cases::institution_code.eq(institution),
            cascade_cases::cycle_year.eq(year),
            cascade_cases::numerator.eq(num),
            cascade_cases::denominator.eq(den),
            cascade_cases::opened_on.eq(on),
            cascade_cases::recorded_at.eq(crate::store::now()),
        ))
        .returning(cascade_cases::id)
        .get_result(conn)
}

pub fn cascade_decision(conn: &mut DbConn, case_id: i64) -> Q<Option<CascadeDecisionRow>> {
    cascade_decisions::table.filter(cascade_decisions::case_id.eq(case_id)).first(conn).optional()
}

pub fn insert_cascade_decision(
    conn: &mut DbConn,
    case_id: i64,
    decision: CascadeDecision,
    reason: &str,
    on: NaiveDate,
    until: Option<NaiveDate>,
) -> Q<i64> {
    diesel::insert_into(cascade_decisions::table)
        .values((
            cascade_decisions::case_id.eq(case_id),
            cascade_decisions::decision.eq(decision),
            cascade_decisions::reason.eq(reason),
            cascade_decisions::decided_on.eq(on),
            cascade_decisions::until_on.eq(until),
            cascade_decisions::recorded_at.eq(crate::store::now()),
        ))
        .returning(cascade_decisions::id)
        .get_result(conn)
}

pub fn interview_record(conn: &mut DbConn, order_id: i64) -> Q<Option<InterviewRecordRow>> {
    interview_records::table.filter(interview_records::order_id.eq(order_id)).first(conn).optional()
}

pub fn insert_interview_record(
    conn: &mut DbConn,
    order_id: i64,
    held_on: NaiveDate,
    notes: &str,
    participants: Option<&str>,
) -> Q<i64> {
    diesel::insert_into(interview_records::table)
        .values((
            interview_records::order_id.eq(order_id),
            interview_records::held_on.eq(held_on),
            interview_records::notes.eq(notes),
            interview_records::participants.eq(participants),
            interview_records::recorded_at.eq(crate::store::now()),
        ))
        .returning(interview_records::id)
        .get_result(conn)
}

// ---- termination cases (聊城 第三十一条(一)) ----

text_enum! {
    /// The agency's decision on a termination case.
    pub enum TerminationDecision ("termination case decision") {
        Terminate = "terminate",
        /// No action, with a reason: recorded before 应解除 was enforced; refused now.
        NoAction = "none",
        /// 应解除, deferred with the reason recorded (the agency may still terminate).
        Defer = "defer",
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct TerminationCaseRow {
    pub id: i64,
    pub institution_code: String,
    pub term_start: NaiveDate,
    pub opened_on: NaiveDate,
    pub suspensions: i32,
    pub article: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct TerminationDecisionRow {
    pub id: i64,
    pub case_id: i64,
    pub decision: TerminationDecision,
    pub reason: String,
    pub decided_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

pub fn termination_case_for(
    conn: &mut DbConn,
    institution: &str,
    term_start: NaiveDate,
) -> Q<Option<TerminationCaseRow>> {
    termination_cases::table
        .filter(termination_cases::institution_code.eq(institution))
        .filter(termination_cases::term_start.eq(term_start))
        .first(conn)
        .optional()
}

pub fn termination_case(conn: &mut DbConn, id: i64) -> Q<Option<TerminationCaseRow>> {
    termination_cases::table.find(id).first(conn).optional()
}

pub fn termination_cases_all(conn: &mut DbConn) -> Q<Vec<TerminationCaseRow>> {
    termination_cases::table.order(termination_cases::id).load(conn)
}

pub fn insert_termination_case(
    conn: &mut DbConn,
    institution: &str,
    term_start: NaiveDate,
    opened_on: NaiveDate,
    suspensions: i32,
    article: &str,
) -> Q<i64> {
    diesel::insert_into(termination_cases::table)
        .values((
            termination_cases::institution_code.eq(institution),
            termination_cases::term_start.eq(term_start),
            termination_cases::opened_on.eq(opened_on),
            termination_cases::suspensions.eq(suspensions),
            termination_cases::article.eq(article),
            termination_cases::recorded_at.eq(crate::store::now()),
        ))
        .returning(termination_cases::id)
        .get_result(conn)
}

pub fn termination_decision(conn: &mut DbConn, case_id: i64) -> Q<Option<TerminationDecisionRow>> {
    termination_case_decisions::table.filter(termination_case_decisions::case_id.eq(case_id)).first(conn).optional()
}

pub fn insert_termination_decision(
    conn: &mut DbConn,
    case_id: i64,
    decision: TerminationDecision,
    reason: &str,
    on: NaiveDate,
) -> Q<i64> {
    diesel::insert_into(termination_case_decisions::table)
        .values((
            termination_case_decisions::case_id.eq(case_id),
            termination_case_decisions::decision.eq(decision),
            termination_case_decisions::reason.eq(reason),
            termination_case_decisions::decided_on.eq(on),
            termination_case_decisions::recorded_at.eq(crate::store::now()),
        ))
        .returning(termination_case_decisions::id)
        .get_result(conn)
}
