//! Institutions (定点医药机构) and the changes of their agreements (医保协议).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Q;
use crate::domain::InstitutionKind;
use crate::rules::{InstitutionEvent, InstitutionFacts};
use crate::store::text_enum::text_enum;

text_enum! {
    /// A change of an institution agreement (三(四)), as `institution_events.action` stores it.
    pub enum AgreementAction ("institution agreement action") {
        Suspend = "suspend",
        Restore = "restore",
        Terminate = "terminate",
        /// A new term (续签): `from_on..=until_on`.
        Renew = "renew",
        /// Not renewed (不再续签), decided on `from_on`.
        NonRenewal = "non_renewal",
        /// The inspection (验收) after a suspension (吉林 第四十六条), on `from_on`; its result in
        /// `cause`: `passed` or `failed`.
        Inspection = "inspection",
    }
}
use crate::store::conn::DbConn;
use crate::store::schema::*;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = institutions)]
pub struct Institution {
    pub code: String,
    pub name: String,
    pub kind: InstitutionKind,
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
    pub action: AgreementAction,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub reason: String,
    pub article: String,
    pub cascade_case_id: Option<i64>,
    pub recorded_at: NaiveDateTime,
    pub requested: bool,
    pub lapses_on: Option<NaiveDate>,
    /// A termination's cause (`EndCause`): violation, breach, fraud or voluntary.
    pub cause: Option<String>,
    /// A fraudulent application: when it was found (its bar runs from then).
    pub discovered_on: Option<NaiveDate>,
    /// A change copied from a related institution (聊城 第三十三条): that institution.
    pub copied_from: Option<String>,
    /// Asked for by the institution: the day it asked (3 months' notice, 聊城 第三十三条).
    pub requested_on: Option<NaiveDate>,
    /// Limited to one department (科室, 聊城 第三十四条): the staff filed there follow it.
    pub department: Option<String>,
}

impl InstitutionEventRow {
    /// 聊城 第三十一条(一)、吉林 第四十七条(一): a suspension for the institution's own
    /// violations — not one it asked for, not one copied from a related institution.
    pub fn own_violation_suspension(&self) -> bool {
        self.action == AgreementAction::Suspend
            && !self.requested
            && self.copied_from.is_none()
            && self.department.is_none()
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = institution_events)]
pub struct NewInstitutionEvent<'a> {
    pub institution_code: &'a str,
    pub action: AgreementAction,
    pub from_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub reason: &'a str,
    pub article: &'a str,
    pub cascade_case_id: Option<i64>,
    pub recorded_at: NaiveDateTime,
    pub requested: bool,
    pub lapses_on: Option<NaiveDate>,
    pub cause: Option<&'a str>,
    pub discovered_on: Option<NaiveDate>,
    pub copied_from: Option<&'a str>,
    pub requested_on: Option<NaiveDate>,
    pub department: Option<&'a str>,
}

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

/// The institution's agreement as a whole: a change limited to one department is not the
/// institution's (聊城 第三十四条).
pub fn institution_facts(conn: &mut DbConn, code: &str) -> Q<Option<InstitutionFacts>> {
    let Some(inst) = institution(conn, code)? else {
        return Ok(None);
    };
    let events = institution_events_of(conn, code)?.iter().filter(|e| e.department.is_none()).map(event_of).collect();
    Ok(Some(InstitutionFacts {
        code: inst.code,
        agreement_start: inst.agreement_start,
        agreement_end: inst.agreement_end,
        events,
    }))
}

/// The agreement as one person at the institution lives it: the institution's changes, and the
/// department-level suspensions of the 科室 the roster put them in when each was recorded (聊城
/// 第三十四条、新疆 第十七条、吉林 第五十一条), each ending at its own department-level restore.
pub fn institution_facts_for(conn: &mut DbConn, code: &str, personnel_code: &str) -> Q<Option<InstitutionFacts>> {
    let Some(mut facts) = institution_facts(conn, code)? else {
        return Ok(None);
    };
    let rows = institution_events_of(conn, code)?;
    for (k, e) in rows.iter().enumerate() {
        let Some(dept) = e.department.as_deref() else { continue };
        if e.action != AgreementAction::Suspend {
            continue;
        }
        if super::department_at(conn, code, personnel_code, e.recorded_at)?.as_deref() != Some(dept) {
            continue;
        }
        let restored = rows[k + 1..]
            .iter()
            .filter(|r| r.action == AgreementAction::Restore && r.department.as_deref() == Some(dept))
            .map(|r| r.from_on)
            .find(|on| *on >= e.from_on && e.until_on.is_none_or(|u| *on < u));
        let until = match (e.until_on, restored) {
            (Some(u), Some(r)) => Some(u.min(r)),
            (u, r) => r.or(u),
        };
        facts.events.push(InstitutionEvent::Suspend { from: e.from_on, until, lapses_on: None });
    }
    Ok(Some(facts))
}

/// The engine's event of a stored agreement change.
pub fn event_of(e: &InstitutionEventRow) -> InstitutionEvent {
    match e.action {
        AgreementAction::Suspend => {
            InstitutionEvent::Suspend { from: e.from_on, until: e.until_on, lapses_on: e.lapses_on }
        }
        AgreementAction::Restore => InstitutionEvent::Restore { on: e.from_on },
        AgreementAction::Terminate => InstitutionEvent::Terminate { on: e.from_on },
        AgreementAction::Renew => InstitutionEvent::Renew { start: e.from_on, end: e.until_on.unwrap_or(e.from_on) },
        AgreementAction::NonRenewal => InstitutionEvent::NotRenewed { on: e.from_on },
        AgreementAction::Inspection => {
            InstitutionEvent::Inspected { on: e.from_on, passed: e.cause.as_deref() == Some("passed") }
        }
    }
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

/// The institutions holding a change copied from `origin` (聊城 第三十三条).
pub fn copies_of(conn: &mut DbConn, origin: &str) -> Q<Vec<String>> {
    let mut out: Vec<String> = institution_events::table
        .filter(institution_events::copied_from.eq(origin))
        .select(institution_events::institution_code)
        .load(conn)?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Every institution's code, in order.
pub fn institution_codes(conn: &mut DbConn) -> Q<Vec<String>> {
    institutions::table.select(institutions::code).order(institutions::code).load(conn)
}

pub fn institution_count(conn: &mut DbConn) -> Q<i64> {
    institutions::table.count().get_result(conn)
}
