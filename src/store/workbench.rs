//! Read-only queries of the officer's workbench: an inspection by id, and the one search box
//! (personnel code, institution code, name, the last digits of an ID number).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::conn::DbConn;
use super::facts::InspectionRow;
use super::schema::*;

type Q<T> = QueryResult<T>;

pub fn inspection_by_id(conn: &mut DbConn, id: i64) -> Q<Option<InspectionRow>> {
    inspections::table.find(id).first(conn).optional()
}

/// A person the search found, with one of their registrations (one row per registration).
#[derive(Debug, Clone, Queryable)]
pub struct PersonHit {
    pub personnel_code: String,
    pub name: String,
    pub id_number: String,
    pub category: String,
    pub institution_code: String,
    pub institution_name: String,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
}

/// How the box is read: a code, a name, or digits of an ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonQuery {
    /// A personnel code, or its beginning.
    Code(String),
    /// The last digits of an ID number (6, or the whole number).
    IdTail(String),
    /// A name, or part of one.
    Name(String),
}

/// People matching `q`, registered (now or ever) at an institution of `region` when given;
/// at most `limit` registrations.
pub fn people_matching(conn: &mut DbConn, q: &PersonQuery, region: Option<&str>, limit: i64) -> Q<Vec<PersonHit>> {
    let mut query = registrations::table
        .inner_join(practitioners::table.on(practitioners::personnel_code.eq(registrations::personnel_code)))
        .inner_join(institutions::table.on(institutions::code.eq(registrations::institution_code)))
        .left_join(deregistrations::table.on(deregistrations::registration_id.eq(registrations::id)))
        .into_boxed();
    query = match q {
        PersonQuery::Code(code) => query.filter(practitioners::personnel_code.like(format!("{}%", escape(code)))),
        PersonQuery::IdTail(tail) => query.filter(practitioners::id_number.like(format!("%{}", escape(tail)))),
        PersonQuery::Name(name) => query.filter(practitioners::name.like(format!("%{}%", escape(name)))),
    };
    if let Some(r) = region {
        query = query.filter(registrations::institution_code.like(in_county(r)));
    }
    query
        .order((practitioners::personnel_code, registrations::registered_on))
        .select((
            practitioners::personnel_code,
            practitioners::name,
            practitioners::id_number,
            practitioners::category,
            registrations::institution_code,
            institutions::name,
            registrations::registered_on,
            deregistrations::deregistered_on.nullable(),
        ))
        .limit(limit)
        .load(conn)
}

/// Every registration of the given people (to list a namesake's sites beside the one found).
pub fn registrations_of_people(conn: &mut DbConn, codes: &[String]) -> Q<Vec<PersonHit>> {
    registrations::table
        .inner_join(practitioners::table.on(practitioners::personnel_code.eq(registrations::personnel_code)))
        .inner_join(institutions::table.on(institutions::code.eq(registrations::institution_code)))
        .left_join(deregistrations::table.on(deregistrations::registration_id.eq(registrations::id)))
        .filter(registrations::personnel_code.eq_any(codes))
        .order((practitioners::personnel_code, registrations::registered_on))
        .select((
            practitioners::personnel_code,
            practitioners::name,
            practitioners::id_number,
            practitioners::category,
            registrations::institution_code,
            institutions::name,
            registrations::registered_on,
            deregistrations::deregistered_on.nullable(),
        ))
        .load(conn)
}

/// Institutions whose code begins with `q`, in `region` when given.
pub fn institutions_by_code(conn: &mut DbConn, q: &str, region: Option<&str>, limit: i64) -> Q<Vec<(String, String)>> {
    let mut query = institutions::table
        .filter(institutions::code.like(format!("{}%", escape(q))))
        .select((institutions::code, institutions::name))
        .order(institutions::code)
        .limit(limit)
        .into_boxed();
    if let Some(r) = region {
        query = query.filter(institutions::code.like(in_county(r)));
    }
    query.load(conn)
}

/// The `LIKE` pattern of institution codes in a county: the letter, then the six digits of the
/// county (`domain::codes::region_of`, as access is decided).
pub fn in_county(region: &str) -> String {
    format!("_{}%", escape(region))
}

/// `LIKE` wildcards in a typed value match themselves only: they are dropped.
fn escape(s: &str) -> String {
    s.replace(['%', '_', '\\'], "")
}
