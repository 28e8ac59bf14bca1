//! Practitioners, their registrations (登记备案) at institutions, and the roster details HR
//! keeps about them (附件1).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::domain::Category;
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = practitioners)]
pub struct Practitioner {
    pub personnel_code: String,
    pub name: String,
    pub id_number: String,
    pub category: Category,
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
            registrations::recorded_at.eq(crate::store::now()),
        ))
        .returning(registrations::id)
        .get_result(conn)
}

pub fn insert_deregistration(conn: &mut DbConn, registration_id: i64, on: NaiveDate) -> Q<i64> {
    diesel::insert_into(deregistrations::table)
        .values((
            deregistrations::registration_id.eq(registration_id),
            deregistrations::deregistered_on.eq(on),
            deregistrations::recorded_at.eq(crate::store::now()),
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

// ---- roster details (附件1) ----

/// What HR keeps about a registration beyond the ledger's facts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Queryable, Insertable, serde::Serialize, serde::Deserialize)]
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
    /// 科室: a department-level suspension (聊城 第三十四条) takes its staff with it.
    pub department: Option<String>,
}

pub fn insert_roster_details(conn: &mut DbConn, d: &RosterDetails) -> Q<()> {
    diesel::insert_into(roster_entries::table)
        .values((d, roster_entries::recorded_at.eq(crate::store::now())))
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
            roster_entries::department,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.personnel_code.clone(), r)).collect())
}

/// A person's 科室 at an institution as the roster said at `at` (its latest entry then).
pub fn department_at(
    conn: &mut DbConn,
    institution: &str,
    personnel_code: &str,
    at: chrono::NaiveDateTime,
) -> Q<Option<String>> {
    Ok(roster_entries::table
        .filter(roster_entries::institution_code.eq(institution))
        .filter(roster_entries::personnel_code.eq(personnel_code))
        .filter(roster_entries::recorded_at.le(at))
        .order(roster_entries::id.desc())
        .select(roster_entries::department)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The practitioners among `codes`: code → (ID number, category).
pub fn practitioners_by_codes(
    conn: &mut DbConn,
    codes: &[String],
) -> Q<std::collections::HashMap<String, (String, Category)>> {
    let mut out = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<(String, String, Category)> = practitioners::table
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
