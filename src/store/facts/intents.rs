//! 吉林 第四十九条: the intended decision told to the institution, its statement (陈述申辩) or
//! waiver, and the decision that followed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::{AgreementAction, Q};
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable)]
pub struct IntentRow {
    pub id: i64,
    pub institution_code: String,
    pub action: AgreementAction,
    pub department: Option<String>,
    pub facts: String,
    pub basis: String,
    pub notified_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct StatementRow {
    pub id: i64,
    pub intent_id: i64,
    pub stated_on: NaiveDate,
    pub waived: bool,
    pub statement: String,
    pub evidence: String,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct IntentDecisionRow {
    pub id: i64,
    pub intent_id: i64,
    pub event_id: i64,
    pub decided_on: NaiveDate,
    pub adopted: Option<bool>,
    pub response: String,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_intent(
    conn: &mut DbConn,
    institution: &str,
    action: AgreementAction,
    department: Option<&str>,
    facts: &str,
    basis: &str,
    notified_on: NaiveDate,
) -> Q<i64> {
    diesel::insert_into(agreement_intents::table)
        .values((
            agreement_intents::institution_code.eq(institution),
            agreement_intents::action.eq(action),
            agreement_intents::department.eq(department),
            agreement_intents::facts.eq(facts),
            agreement_intents::basis.eq(basis),
            agreement_intents::notified_on.eq(notified_on),
            agreement_intents::recorded_at.eq(crate::store::now()),
        ))
        .returning(agreement_intents::id)
        .get_result(conn)
}

pub fn intent(conn: &mut DbConn, id: i64) -> Q<Option<IntentRow>> {
    agreement_intents::table.find(id).first(conn).optional()
}

pub fn intents_of(conn: &mut DbConn, institution: &str) -> Q<Vec<IntentRow>> {
    agreement_intents::table
        .filter(agreement_intents::institution_code.eq(institution))
        .order(agreement_intents::id)
        .load(conn)
}

pub fn insert_statement(
    conn: &mut DbConn,
    intent: i64,
    stated_on: NaiveDate,
    waived: bool,
    statement: &str,
    evidence: &str,
) -> Q<i64> {
    diesel::insert_into(agreement_statements::table)
        .values((
            agreement_statements::intent_id.eq(intent),
            agreement_statements::stated_on.eq(stated_on),
            agreement_statements::waived.eq(waived),
            agreement_statements::statement.eq(statement),
            agreement_statements::evidence.eq(evidence),
            agreement_statements::recorded_at.eq(crate::store::now()),
        ))
        .returning(agreement_statements::id)
        .get_result(conn)
}

pub fn statement_of(conn: &mut DbConn, intent: i64) -> Q<Option<StatementRow>> {
    agreement_statements::table.filter(agreement_statements::intent_id.eq(intent)).first(conn).optional()
}

pub fn insert_intent_decision(
    conn: &mut DbConn,
    intent: i64,
    event: i64,
    decided_on: NaiveDate,
    adopted: Option<bool>,
    response: &str,
) -> Q<i64> {
    diesel::insert_into(agreement_intent_decisions::table)
        .values((
            agreement_intent_decisions::intent_id.eq(intent),
            agreement_intent_decisions::event_id.eq(event),
            agreement_intent_decisions::decided_on.eq(decided_on),
            agreement_intent_decisions::adopted.eq(adopted),
            agreement_intent_decisions::response.eq(response),
            agreement_intent_decisions::recorded_at.eq(crate::store::now()),
        ))
        .returning(agreement_intent_decisions::id)
        .get_result(conn)
}

pub fn intent_decision_of(conn: &mut DbConn, intent: i64) -> Q<Option<IntentDecisionRow>> {
    agreement_intent_decisions::table.filter(agreement_intent_decisions::intent_id.eq(intent)).first(conn).optional()
}
