//! Batched reads of the stored standing of many keys at once (the full list, the change feed):
//! a few statements per thousand people, never one person's facts at a time.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::conn::DbConn;
use super::facts::{Institution, InstitutionEventRow, Practitioner, RegistrationRow};
use super::projections::{IntervalRow, SanctionRow};
use super::schema::*;
use crate::rules::SiteStatus;

type Q<T> = QueryResult<T>;

/// Codes per `IN (…)` list.
pub const CHUNK: usize = 1000;

/// The statuses a claim is refused for (五(二), 三(四)); `active` is paid and `unregistered`
/// is a registration question, not an exclusion.
pub const REFUSED: [SiteStatus; 6] = [
    SiteStatus::Suspended,
    SiteStatus::Terminated,
    SiteStatus::Banned,
    SiteStatus::InstitutionSuspended,
    SiteStatus::InstitutionTerminated,
    SiteStatus::InstitutionExpired,
];

/// Every stored run of a refused status covering `d`, city-wide.
pub fn refused_on(conn: &mut DbConn, d: NaiveDate) -> Q<Vec<IntervalRow>> {
    proj_intervals::table
        .filter(proj_intervals::status.eq_any(REFUSED))
        .filter(proj_intervals::from_on.le(d))
        .filter(proj_intervals::until_on.is_null().or(proj_intervals::until_on.gt(d)))
        .order((proj_intervals::personnel_code, proj_intervals::institution_code))
        .load(conn)
}

/// The stored sanctions of `codes`, by person, in their order.
pub fn sanctions_of_many(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, Vec<SanctionRow>>> {
    let mut out: HashMap<String, Vec<SanctionRow>> = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<SanctionRow> = proj_sanctions::table
            .filter(proj_sanctions::personnel_code.eq_any(chunk))
            .order((proj_sanctions::personnel_code, proj_sanctions::seq))
            .load(conn)?;
        for r in rows {
            out.entry(r.personnel_code.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// The registrations of `codes` (with their deregistration), by person.
pub fn registrations_of_many(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, Vec<RegistrationRow>>> {
    let mut out: HashMap<String, Vec<RegistrationRow>> = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<RegistrationRow> = registrations::table
            .left_join(deregistrations::table)
            .filter(registrations::personnel_code.eq_any(chunk))
            .order(registrations::id)
            .select((
                registrations::id,
                registrations::institution_code,
                registrations::personnel_code,
                registrations::registered_on,
                registrations::recorded_at,
                deregistrations::deregistered_on.nullable(),
            ))
            .load(conn)?;
        for r in rows {
            out.entry(r.personnel_code.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// The stored status runs of `codes`, by person, ordered by institution then date.
pub fn intervals_of_many(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, Vec<IntervalRow>>> {
    let mut out: HashMap<String, Vec<IntervalRow>> = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        for r in super::projections::intervals_of_many(conn, chunk)? {
            out.entry(r.personnel_code.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// The practitioners of `codes`, by code.
pub fn practitioners_of_many(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, Practitioner>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<Practitioner> =
            practitioners::table.filter(practitioners::personnel_code.eq_any(chunk)).load(conn)?;
        out.extend(rows.into_iter().map(|p| (p.personnel_code.clone(), p)));
    }
    Ok(out)
}

/// The agreement changes of `codes` (department-level ones included), by institution, in order.
pub fn events_of_many(conn: &mut DbConn, codes: &[String]) -> Q<HashMap<String, Vec<InstitutionEventRow>>> {
    let mut out: HashMap<String, Vec<InstitutionEventRow>> = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        let rows: Vec<InstitutionEventRow> = institution_events::table
            .filter(institution_events::institution_code.eq_any(chunk))
            .order(institution_events::id)
            .load(conn)?;
        for r in rows {
            out.entry(r.institution_code.clone()).or_default().push(r);
        }
    }
    Ok(out)
}

/// The institutions of `codes`.
pub fn institutions_of_many(conn: &mut DbConn, codes: &[String]) -> Q<Vec<Institution>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(CHUNK) {
        out.extend(institutions::table.filter(institutions::code.eq_any(chunk)).load::<Institution>(conn)?);
    }
    Ok(out)
}
