//! Facts: inserted, never updated or deleted. Each function is one query; transactions and
//! locks belong to the service layer.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::conn::DbConn;
use super::schema::*;
use crate::rules::{
    DeductionFact, InstitutionEvent, InstitutionFacts, PractitionerFacts, RegistrationFact, TestFact, TestFormat,
};

type Q<T> = QueryResult<T>;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = institutions)]
pub struct Institution {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub agreement_start: NaiveDate,
    pub agreement_end: NaiveDate,
    pub recorded_at: NaiveDateTime,
    /// A public medical institution (公立医疗机构).
    pub public: bool,
    pub organization_code: Option<String>,
    pub legal_representative: Option<String>,
}

#[derive(Debug, Clone, Queryable)]
pub struct InstitutionEventRow {
    pub id: i64,
    pub institution_code: String,
    pub action: String,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub reason: String,
    pub article: String,
    pub cascade_case_id: Option<i64>,
    pub recorded_at: NaiveDateTime,
    pub requested: bool,
    pub lapses_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = institution_events)]
pub struct NewInstitutionEvent<'a> {
    pub institution_code: &'a str,
    pub action: &'a str,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub reason: &'a str,
    pub article: &'a str,
    pub cascade_case_id: Option<i64>,
    pub recorded_at: NaiveDateTime,
    pub requested: bool,
    pub lapses_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = practitioners)]
pub struct Practitioner {
    pub personnel_code: String,
    pub name: String,
    pub id_number: String,
    pub category: String,
    pub birth_date: NaiveDate,
    pub phone: Option<String>,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable)]
pub struct RegistrationRow {
    pub id: i64,
    pub institution_code: String,
    pub personnel_code: String,
    pub registered_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub deregistered_on: Option<NaiveDate>,
}

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
pub struct TestRow {
    pub id: i64,
    pub personnel_code: String,
    pub tested_on: NaiveDate,
    pub cycle_year: i32,
    pub format: String,
    pub score: Option<i32>,
    pub passed: bool,
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
    pub decision: String,
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

#[derive(Debug, Clone, Queryable)]
pub struct TokenRow {
    pub id: i64,
    pub token_hash: String,
    pub role: String,
    pub institution_code: Option<String>,
    pub region_code: Option<String>,
    pub created_at: NaiveDateTime,
}

// ---- institutions ----

pub fn institution(conn: &mut DbConn, code: &str) -> Q<Option<Institution>> {
    institutions::table.find(code).first(conn).optional()
}

pub fn insert_institution(conn: &mut DbConn, row: &Institution) -> Q<()> {
    diesel::insert_into(institutions::table).values(row).execute(conn).map(drop)
}

pub fn institution_events_of(conn: &mut DbConn, code: &str) -> Q<Vec<InstitutionEventRow>> {
    institution_events::table
        .filter(institution_events::institution_code.eq(code))
        .order(institution_events::id)
        .load(conn)
}

pub fn insert_institution_event(conn: &mut DbConn, e: &NewInstitutionEvent) -> Q<i64> {
    diesel::insert_into(institution_events::table).values(e).returning(institution_events::id).get_result(conn)
}

pub fn institution_facts(conn: &mut DbConn, code: &str) -> Q<Option<InstitutionFacts>> {
    let Some(inst) = institution(conn, code)? else {
        return Ok(None);
    };
    let events = institution_events_of(conn, code)?.into_iter().filter_map(|e| event_of(&e)).collect();
    Ok(Some(InstitutionFacts {
        code: inst.code,
        agreement_start: inst.agreement_start,
        agreement_end: inst.agreement_end,
        events,
    }))
}

fn event_of(e: &InstitutionEventRow) -> Option<InstitutionEvent> {
    match e.action.as_str() {
        "suspend" => Some(InstitutionEvent::Suspend { from: e.from_on, until: e.until_on, lapses_on: e.lapses_on }),
        "restore" => Some(InstitutionEvent::Restore { on: e.from_on }),
        "terminate" => Some(InstitutionEvent::Terminate { on: e.from_on }),
        _ => None,
    }
}

// ---- practitioners and registrations ----

pub fn practitioner(conn: &mut DbConn, code: &str) -> Q<Option<Practitioner>> {
    practitioners::table.find(code).first(conn).optional()
}

pub fn insert_practitioner(conn: &mut DbConn, p: &Practitioner) -> Q<()> {
    diesel::insert_into(practitioners::table).values(p).execute(conn).map(drop)
}

macro_rules! registration_query {
    () => {
        registrations::table.left_join(deregistrations::table).select((
            registrations::id,
            registrations::institution_code,
            registrations::personnel_code,
            registrations::registered_on,
            registrations::recorded_at,
            deregistrations::deregistered_on.nullable(),
        ))
    };
}

pub fn registrations_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<RegistrationRow>> {
    registration_query!().filter(registrations::personnel_code.eq(personnel_code)).order(registrations::id).load(conn)
}

pub fn registrations_at(conn: &mut DbConn, institution_code: &str) -> Q<Vec<RegistrationRow>> {
    registration_query!()
        .filter(registrations::institution_code.eq(institution_code))
        .order(registrations::id)
        .load(conn)
}

pub fn insert_registration(conn: &mut DbConn, institution: &str, personnel: &str, on: NaiveDate) -> Q<i64> {
    diesel::insert_into(registrations::table)
        .values((
            registrations::institution_code.eq(institution),
            registrations::personnel_code.eq(personnel),
            registrations::registered_on.eq(on),
            registrations::recorded_at.eq(super::now()),
        ))
        .returning(registrations::id)
        .get_result(conn)
}

pub fn insert_deregistration(conn: &mut DbConn, registration_id: i64, on: NaiveDate) -> Q<i64> {
    diesel::insert_into(deregistrations::table)
        .values((
            deregistrations::registration_id.eq(registration_id),
            deregistrations::deregistered_on.eq(on),
            deregistrations::recorded_at.eq(super::now()),
        ))
        .returning(deregistrations::id)
        .get_result(conn)
}

pub fn all_personnel_codes(conn: &mut DbConn) -> Q<Vec<String>> {
    practitioners::table.select(practitioners::personnel_code).order(practitioners::personnel_code).load(conn)
}

pub fn personnel_at(conn: &mut DbConn, institution_code: &str) -> Q<Vec<String>> {
    registrations::table
        .filter(registrations::institution_code.eq(institution_code))
        .select(registrations::personnel_code)
        .distinct()
        .load(conn)
}

// ---- inspections, deductions, revocations ----

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
            inspections::recorded_at.eq(super::now()),
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
            revocations::recorded_at.eq(super::now()),
        ))
        .returning(revocations::id)
        .get_result(conn)
}

// ---- training tests ----

pub fn tests_of(conn: &mut DbConn, personnel_code: &str) -> Q<Vec<TestRow>> {
    training_tests::table.filter(training_tests::personnel_code.eq(personnel_code)).order(training_tests::id).load(conn)
}

pub fn insert_test(conn: &mut DbConn, personnel_code: &str, f: &TestFact) -> Q<i64> {
    use chrono::Datelike;
    diesel::insert_into(training_tests::table)
        .values((
            training_tests::personnel_code.eq(personnel_code),
            training_tests::tested_on.eq(f.tested_on),
            training_tests::cycle_year.eq(f.tested_on.year()),
            training_tests::format.eq(f.format.as_str()),
            training_tests::score.eq(f.score),
            training_tests::passed.eq(f.passed),
            training_tests::recorded_at.eq(super::now()),
        ))
        .returning(training_tests::id)
        .get_result(conn)
}

// ---- cascade cases and interview records ----

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
            cascade_cases::recorded_at.eq(super::now()),
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
    decision: &str,
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
            cascade_decisions::recorded_at.eq(super::now()),
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
            interview_records::recorded_at.eq(super::now()),
        ))
        .returning(interview_records::id)
        .get_result(conn)
}

// ---- tokens ----

pub fn token_by_hash(conn: &mut DbConn, hash: &str) -> Q<Option<TokenRow>> {
    api_tokens::table.filter(api_tokens::token_hash.eq(hash)).first(conn).optional()
}

pub fn insert_token(
    conn: &mut DbConn,
    hash: &str,
    role: &str,
    institution: Option<&str>,
    region: Option<&str>,
) -> Q<i64> {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::token_hash.eq(hash),
            api_tokens::role.eq(role),
            api_tokens::institution_code.eq(institution),
            api_tokens::region_code.eq(region),
            api_tokens::created_at.eq(super::now()),
        ))
        .returning(api_tokens::id)
        .get_result(conn)
}

// ---- the engine's input ----

/// Everything the engine needs about one practitioner, read in the caller's transaction.
pub fn practitioner_facts(conn: &mut DbConn, personnel_code: &str) -> Q<Option<PractitionerFacts>> {
    let Some(p) = practitioner(conn, personnel_code)? else {
        return Ok(None);
    };
    let regs = registrations_of(conn, personnel_code)?;
    let revoked: std::collections::HashSet<i64> =
        revocations_of(conn, personnel_code)?.into_iter().map(|r| r.deduction_id).collect();
    let deductions = deductions_of(conn, personnel_code)?
        .into_iter()
        .map(|d| DeductionFact {
            id: d.id,
            inspection: d.inspection_id,
            institution_code: d.institution_code,
            decided_on: d.decided_on,
            items: split_items(&d.items),
            chosen_points: d.chosen_points.map(|p| p.max(0) as u32),
            ban_months: d.ban_months.map(|m| m.max(0) as u32),
            revoked: revoked.contains(&d.id),
        })
        .collect();
    let tests = tests_of(conn, personnel_code)?
        .into_iter()
        .map(|t| TestFact {
            id: t.id,
            tested_on: t.tested_on,
            format: if t.format == "open" { TestFormat::Open } else { TestFormat::Closed },
            score: t.score,
            passed: t.passed,
        })
        .collect();
    let mut codes: Vec<String> = regs.iter().map(|r| r.institution_code.clone()).collect();
    codes.sort();
    codes.dedup();
    let mut institutions = Vec::with_capacity(codes.len());
    for c in &codes {
        if let Some(i) = institution_facts(conn, c)? {
            institutions.push(i);
        }
    }
    Ok(Some(PractitionerFacts {
        personnel_code: p.personnel_code,
        birth_date: p.birth_date,
        registrations: regs
            .into_iter()
            .map(|r| RegistrationFact {
                id: r.id,
                institution_code: r.institution_code,
                registered_on: r.registered_on,
                deregistered_on: r.deregistered_on,
            })
            .collect(),
        deductions,
        tests,
        institutions,
    }))
}

pub fn split_items(s: &str) -> Vec<String> {
    s.split(';').filter(|x| !x.is_empty()).map(str::to_string).collect()
}

// ---- roster details (附件1) ----

/// What HR keeps about a registration beyond the ledger's facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Queryable, Insertable)]
#[diesel(table_name = roster_entries)]
pub struct RosterDetails {
    pub institution_code: String,
    pub personnel_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub practice_scope: Option<String>,
    pub practice_place: Option<String>,
    pub practice_registered_on: Option<NaiveDate>,
    pub filed_on: Option<NaiveDate>,
    pub certificate_no: Option<String>,
}

pub fn insert_roster_details(conn: &mut DbConn, d: &RosterDetails) -> Q<()> {
    diesel::insert_into(roster_entries::table)
        .values((d, roster_entries::recorded_at.eq(super::now())))
        .execute(conn)
        .map(drop)
}

/// The latest details per person at an institution.
pub fn roster_details_at(conn: &mut DbConn, institution: &str) -> Q<std::collections::HashMap<String, RosterDetails>> {
    let rows: Vec<RosterDetails> = roster_entries::table
        .filter(roster_entries::institution_code.eq(institution))
        .order(roster_entries::id)
        .select((
            roster_entries::institution_code,
            roster_entries::personnel_code,
            roster_entries::name,
            roster_entries::phone,
            roster_entries::practice_scope,
            roster_entries::practice_place,
            roster_entries::practice_registered_on,
            roster_entries::filed_on,
            roster_entries::certificate_no,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.personnel_code.clone(), r)).collect())
}

/// The practitioners among `codes`: code → (ID number, category).
pub fn practitioners_by_codes(
    conn: &mut DbConn,
    codes: &[String],
) -> Q<std::collections::HashMap<String, (String, String)>> {
    let mut out = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<(String, String, String)> = practitioners::table
            .filter(practitioners::personnel_code.eq_any(chunk))
            .select((practitioners::personnel_code, practitioners::id_number, practitioners::category))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(c, i, k)| (c, (i, k))));
    }
    Ok(out)
}

/// The practitioners holding any of `id_numbers`: ID number → personnel code.
pub fn practitioners_by_id_numbers(conn: &mut DbConn, ids: &[String]) -> Q<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = practitioners::table
            .filter(practitioners::id_number.eq_any(chunk))
            .select((practitioners::id_number, practitioners::personnel_code))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Other institutions of the same organisation (any region), or, for a chain, with the same
/// legal representative.
pub fn related_institutions(
    conn: &mut DbConn,
    code: &str,
    organization: Option<&str>,
    representative: Option<&str>,
) -> Q<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    if let Some(org) = organization {
        out.extend(
            institutions::table
                .filter(institutions::organization_code.eq(org))
                .filter(institutions::code.ne(code))
                .select(institutions::code)
                .load::<String>(conn)?,
        );
    }
    if let Some(rep) = representative {
        out.extend(
            institutions::table
                .filter(institutions::legal_representative.eq(rep))
                .filter(institutions::code.ne(code))
                .select(institutions::code)
                .load::<String>(conn)?,
        );
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub fn institution_count(conn: &mut DbConn) -> Q<i64> {
    institutions::table.count().get_result(conn)
}

// ---- uploaded calendars ----

pub fn insert_calendar_year(conn: &mut DbConn, year: i32, source: &str, body: &str) -> Q<()> {
    diesel::insert_into(calendar_years::table)
        .values((
            calendar_years::year.eq(year),
            calendar_years::source.eq(source),
            calendar_years::body.eq(body),
            calendar_years::recorded_at.eq(super::now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Every uploaded year's file, oldest first (a later upload of a year replaces an earlier one).
pub fn calendar_years(conn: &mut DbConn) -> Q<Vec<(i32, String)>> {
    calendar_years::table.order(calendar_years::id).select((calendar_years::year, calendar_years::body)).load(conn)
}

// ---- termination cases (聊城 第三十一条(一)) ----

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
    pub decision: String,
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
            termination_cases::recorded_at.eq(super::now()),
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
    decision: &str,
    reason: &str,
    on: NaiveDate,
) -> Q<i64> {
    diesel::insert_into(termination_case_decisions::table)
        .values((
            termination_case_decisions::case_id.eq(case_id),
            termination_case_decisions::decision.eq(decision),
            termination_case_decisions::reason.eq(reason),
            termination_case_decisions::decided_on.eq(on),
            termination_case_decisions::recorded_at.eq(super::now()),
        ))
        .returning(termination_case_decisions::id)
        .get_result(conn)
}
