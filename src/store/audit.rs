//! The audit trail: one append-only row per write transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub token_id: Option<i64>,
    pub role: String,
    pub request_id: String,
    pub action: String,
    /// The practitioners, institutions and keys the write locked, space-separated.
    pub targets: String,
    /// The facts it inserted, `table:id`, space-separated.
    pub facts: String,
    /// JSON: per practitioner, the projection before and after.
    pub changes: String,
    pub recorded_at: NaiveDateTime,
}

/// Inserts a row that is not part of a fact write (a read, an account or token change) and
/// chains it, under its own lock, on the chain `audit:<first target>` (see `store::chain`).
pub fn insert(conn: &mut DbConn, row: &AuditRow) -> QueryResult<()> {
    conn.transaction(|c| {
        let id = insert_unchained(c, row)?;
        let chain = format!("audit:{}", row.targets.split(' ').next().unwrap_or_default());
        super::conn::lock_for_write(c, std::slice::from_ref(&chain))?;
        super::chain::append(c, &chain, &[], Some(id))
    })
}

/// Inserts the row; returns its id. The caller chains it (`App::write` after its facts).
pub fn insert_unchained(conn: &mut DbConn, row: &AuditRow) -> QueryResult<i64> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::token_id.eq(row.token_id),
            audit_log::role.eq(&row.role),
            audit_log::request_id.eq(&row.request_id),
            audit_log::action.eq(&row.action),
            audit_log::targets.eq(&row.targets),
            audit_log::facts.eq(&row.facts),
            audit_log::changes.eq(&row.changes),
            audit_log::recorded_at.eq(row.recorded_at),
        ))
        .returning(audit_log::id)
        .get_result(conn)
}

/// Rows naming exactly `target` (a personnel code, an institution code, `table:id`) among their
/// space-separated targets or facts, newest last. `370` names nothing: no substring matches.
pub fn about(conn: &mut DbConn, target: &str, limit: i64) -> QueryResult<Vec<AuditRow>> {
    let t = target.replace(['%', '_', ' '], "");
    let (only, first, last, inner) = (t.clone(), format!("{t} %"), format!("% {t}"), format!("% {t} %"));
    audit_log::table
        .filter(
            audit_log::targets
                .eq(only.clone())
                .or(audit_log::targets.like(first.clone()))
                .or(audit_log::targets.like(last.clone()))
                .or(audit_log::targets.like(inner.clone()))
                .or(audit_log::facts.eq(only))
                .or(audit_log::facts.like(first))
                .or(audit_log::facts.like(last))
                .or(audit_log::facts.like(inner)),
        )
        .order(audit_log::id)
        .limit(limit)
        .load(conn)
}

/// Every `table:id` the trail names.
pub fn all_facts(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    audit_log::table.select(audit_log::facts).load(conn)
}

/// The ids of a fact table, for the completeness check.
pub fn fact_ids(conn: &mut DbConn, table: &str) -> QueryResult<Vec<i64>> {
    match table {
        "registrations" => registrations::table.select(registrations::id).load(conn),
        "deregistrations" => deregistrations::table.select(deregistrations::id).load(conn),
        "inspections" => inspections::table.select(inspections::id).load(conn),
        "deductions" => deductions::table.select(deductions::id).load(conn),
        "revocations" => revocations::table.select(revocations::id).load(conn),
        "training_tests" => training_tests::table.select(training_tests::id).load(conn),
        "institution_events" => institution_events::table.select(institution_events::id).load(conn),
        "cascade_cases" => cascade_cases::table.select(cascade_cases::id).load(conn),
        "cascade_decisions" => cascade_decisions::table.select(cascade_decisions::id).load(conn),
        "interview_records" => interview_records::table.select(interview_records::id).load(conn),
        "objections" => objections::table.select(objections::id).load(conn),
        "objection_decisions" => objection_decisions::table.select(objection_decisions::id).load(conn),
        "objection_escalations" => objection_escalations::table.select(objection_escalations::id).load(conn),
        "termination_cases" => termination_cases::table.select(termination_cases::id).load(conn),
        "termination_case_decisions" => {
            termination_case_decisions::table.select(termination_case_decisions::id).load(conn)
        }
        "pass_marks" => pass_marks::table.select(pass_marks::id).load(conn),
        "test_revocations" => test_revocations::table.select(test_revocations::id).load(conn),
        "notice_receipts" => notice_receipts::table.select(notice_receipts::id).load(conn),
        "agreement_intents" => agreement_intents::table.select(agreement_intents::id).load(conn),
        "agreement_statements" => agreement_statements::table.select(agreement_statements::id).load(conn),
        "agreement_intent_decisions" => {
            agreement_intent_decisions::table.select(agreement_intent_decisions::id).load(conn)
        }
        "training_test_absences" => training_test_absences::table.select(training_test_absences::id).load(conn),
        "delivery_allowances" => delivery_allowances::table.select(delivery_allowances::id).load(conn),
        "jurisdiction_settings" => jurisdiction_settings::table.select(jurisdiction_settings::id).load(conn),
        _ => Ok(Vec::new()),
    }
}

pub const FACT_TABLES: [&str; 24] = [
    "registrations",
    "deregistrations",
    "inspections",
    "deductions",
    "revocations",
    "training_tests",
    "institution_events",
    "cascade_cases",
    "cascade_decisions",
    "interview_records",
    "objections",
    "objection_decisions",
    "objection_escalations",
    "termination_cases",
    "termination_case_decisions",
    "pass_marks",
    "test_revocations",
    "notice_receipts",
    "delivery_allowances",
    "training_test_absences",
    "agreement_intents",
    "agreement_statements",
    "agreement_intent_decisions",
    "jurisdiction_settings",
];
