//! Read-side use-cases: status as of a date, the ledger of a cycle, the watch list,
//! interview orders, public lookups.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Action, App, Caller, Lock};
use crate::domain::codes::region_of;
use crate::domain::id_number::mask_name_public;
use crate::error::{ClientError, Error, Result};
use crate::rules::explain::Explanation;
use crate::rules::timeline::CountedDeduction;
use crate::rules::watch_list::WatchTrigger;
use crate::rules::{self, PackSet, PractitionerFacts, Sanction, StatusOnDate, Timeline};
use crate::store::{facts, projections, DbConn};

#[derive(Debug, Clone, Serialize)]
pub struct PractitionerStatus {
    pub personnel_code: String,
    pub name: String,
    pub category: String,
    #[serde(flatten)]
    pub status: StatusOnDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerDeduction {
    #[serde(flatten)]
    pub deduction: CountedDeduction,
    pub occurred_on: Option<NaiveDate>,
    pub note: String,
    /// Yuan, exact.
    pub fund_loss: Option<rust_decimal::Decimal>,
    pub revoked_on: Option<NaiveDate>,
    pub revocation_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub personnel_code: String,
    pub year: i32,
    pub initial_points: u32,
    pub total: u32,
    pub remaining: u32,
    pub deductions: Vec<LedgerDeduction>,
    /// Deductions recorded at institutions outside the caller's scope: counted in `total`, not
    /// listed (a registration grants no sight of what other institutions' inspections found).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_listed: usize,
    /// Sanctions decided in the cycle.
    pub sanctions: Vec<Sanction>,
    pub explanation: Explanation,
    /// After a revocation: the days whose claims screening changed (refused claims to pay back).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affected_periods: Vec<crate::rules::status::PayabilityChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WatchPractitioner {
    pub personnel_code: String,
    #[serde(flatten)]
    pub trigger: WatchTrigger,
}

#[derive(Debug, Clone, Serialize)]
pub struct WatchEntry {
    pub institution_code: String,
    pub cycle_year: i32,
    pub article: &'static str,
    pub practitioners: Vec<WatchPractitioner>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InterviewOrder {
    pub id: i64,
    pub institution_code: String,
    pub personnel_code: String,
    pub cycle_year: i32,
    pub ordered_on: NaiveDate,
    pub held_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub participants: Option<String>,
    /// Not held 30 days after the order (as of the date asked).
    pub overdue: bool,
    pub article: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicPractitioner {
    pub personnel_code: String,
    /// The first character and `**` (no length).
    pub name: String,
    pub category: String,
    pub date: NaiveDate,
    pub status: &'static str,
    pub cycle_year: i32,
    pub cycle_total: u32,
    pub remaining: u32,
    pub suspended_until: Option<NaiveDate>,
    pub banned_until: Option<NaiveDate>,
    pub sites: Vec<PublicSite>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicSite {
    pub institution_code: String,
    pub institution_name: String,
    pub status: &'static str,
    pub institution_status: &'static str,
}

pub(crate) fn ledger_of(
    f: &PractitionerFacts,
    t: &Timeline,
    year: i32,
    packs: &PackSet,
    c: &mut DbConn,
) -> Result<Ledger> {
    let rows = facts::deductions_of(c, &f.personnel_code)?;
    let revs = facts::revocations_of(c, &f.personnel_code)?;
    let deductions: Vec<LedgerDeduction> = t
        .deductions
        .iter()
        .filter(|d| d.cycle_year == year)
        .map(|d| {
            let row = rows.iter().find(|r| r.id == d.id);
            let rev = revs.iter().find(|r| r.deduction_id == d.id);
            LedgerDeduction {
                deduction: d.clone(),
                occurred_on: row.and_then(|r| r.occurred_on),
                note: row.map(|r| r.note.clone()).unwrap_or_default(),
                fund_loss: row.and_then(|r| r.fund_loss_fen).map(|f| crate::domain::Fen(f).to_decimal()),
                revoked_on: rev.map(|r| r.revoked_on),
                revocation_reason: rev.map(|r| r.reason.clone()),
            }
        })
        .collect();
    let cycle = t.cycle(year);
    let total = cycle.map_or(0, |c| c.total);
    // A cycle before the first pack is empty (no deduction is decided before it): its ledger
    // shows the first pack's starting points, as tests/rules_scenarios.rs reads for 2023.
    let pack = packs
        .in_force_or_first(crate::domain::dates::year_start(year))
        .map_err(|e| ClientError::from(e).field("year"))?;
    let initial = pack.cycle.initial_points;
    Ok(Ledger {
        personnel_code: f.personnel_code.clone(),
        year,
        initial_points: initial,
        total,
        remaining: initial.saturating_sub(total),
        sanctions: t.sanctions.iter().filter(|s| s.cycle_year == year).cloned().collect(),
        explanation: Explanation {
            article: pack.cycle.article.clone(),
            policy: pack.id.clone(),
            zh: format!("{year}年度初始分值{initial}分，扣分累计{total}分，剩余{}分；扣分按处理决定日期计入年度，年度末清零", initial.saturating_sub(total)),
            en: format!("cycle {year}: {initial} points at the start, {total} deducted, {} left; deductions count in the year of their decision and reset on 1 January", initial.saturating_sub(total)),
            deduction_ids: cycle.map(|c| c.deduction_ids.clone()).unwrap_or_default(),
        },
        deductions,
        not_listed: 0,
        affected_periods: Vec::new(),
    })
}

impl App {
    /// The facts and the engine's timeline of one practitioner, read now.
    pub fn timeline(&self, code: &str) -> Result<(PractitionerFacts, Timeline)> {
        let mut c = self.conn()?;
        let f = facts::practitioner_facts(&mut c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let t = rules::evaluate(&self.packs, &f)?;
        Ok((f, t))
    }

    /// `GET /practitioners/{code}/status`: for whoever may see one of the person's sites.
    pub fn status(&self, caller: &Caller, code: &str, on: NaiveDate) -> Result<PractitionerStatus> {
        caller.require_person(Action::ReadPractitioner, &self.sites_of(code)?)?;
        self.status_of(code, on)
    }

    fn status_of(&self, code: &str, on: NaiveDate) -> Result<PractitionerStatus> {
        let mut c = self.conn()?;
        let p = facts::practitioner(&mut c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        drop(c);
        let (f, t) = self.timeline(code)?;
        let pack = self.packs.in_force_or_first(on).map_err(|e| ClientError::from(e).field("date"))?;
        Ok(PractitionerStatus {
            personnel_code: p.personnel_code,
            name: p.name,
            category: p.category.as_str().to_string(),
            status: rules::status_on(&f, &t, pack.cycle.initial_points, pack.agreement.term_months, on),
        })
    }

    pub fn ledger(&self, caller: &Caller, code: &str, year: i32) -> Result<Ledger> {
        caller.require_person(Action::ReadPractitioner, &self.sites_of(code)?)?;
        let (f, t) = self.timeline(code)?;
        let mut c = self.conn()?;
        let mut ledger = ledger_of(&f, &t, year, &self.packs, &mut c)?;
        let before = ledger.deductions.len();
        ledger.deductions.retain(|d| caller.covers_institution(&d.deduction.institution_code));
        ledger.not_listed = before - ledger.deductions.len();
        Ok(ledger)
    }

    /// The institutions where a person is or was registered (for tenancy checks).
    pub fn sites_of(&self, code: &str) -> Result<Vec<String>> {
        let mut c = self.conn()?;
        let mut v: Vec<String> =
            facts::registrations_of(&mut c, code)?.into_iter().map(|r| r.institution_code).collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// 六(三): institutions on the watch list for a cycle, with the practitioners and
    /// deductions that put them there.
    pub fn watch_list(&self, caller: &Caller, year: i32) -> Result<Vec<WatchEntry>> {
        caller.permit(Action::ReadWatchList)?;
        let region = caller.region();
        let mut c = self.conn()?;
        let rows = projections::watch_rows(&mut c, year)?;
        let mut out: Vec<WatchEntry> = Vec::new();
        for r in rows {
            if region.is_some_and(|reg| region_of(&r.institution_code) != Some(reg)) {
                continue;
            }
            let trigger: WatchTrigger = serde_json::from_str(&r.detail).map_err(|e| Error::Internal(e.into()))?;
            let p = WatchPractitioner { personnel_code: r.personnel_code, trigger };
            match out.last_mut() {
                Some(e) if e.institution_code == r.institution_code => e.practitioners.push(p),
                _ => out.push(WatchEntry {
                    institution_code: r.institution_code,
                    cycle_year: year,
                    article: "六(三)",
                    practitioners: vec![p],
                }),
            }
        }
        Ok(out)
    }

    /// `overdue_on`: only the orders still not held 30 days after they were given, on that date.
    pub fn interview_orders(
        &self,
        caller: &Caller,
        institution: Option<String>,
        year: Option<i32>,
        overdue_on: Option<NaiveDate>,
    ) -> Result<Vec<InterviewOrder>> {
        caller.permit(Action::ReadInterviewOrders)?;
        let institution = caller.own_institution(institution)?;
        let region = caller.region();
        let mut c = self.conn()?;
        let rows = projections::interview_orders_list(&mut c, institution.as_deref(), year)?;
        let today = overdue_on.unwrap_or_else(crate::domain::dates::today_china);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let rec = facts::interview_record(&mut c, r.id)?;
            let overdue = rec.is_none() && today > r.ordered_on + chrono::Duration::days(30);
            if (overdue_on.is_some() && !overdue)
                || region.is_some_and(|reg| region_of(&r.institution_code) != Some(reg))
            {
                continue;
            }
            out.push(InterviewOrder {
                id: r.id,
                institution_code: r.institution_code,
                personnel_code: r.personnel_code,
                cycle_year: r.cycle_year,
                ordered_on: r.ordered_on,
                held_on: rec.as_ref().map(|x| x.held_on),
                notes: rec.as_ref().map(|x| x.notes.clone()),
                participants: rec.and_then(|x| x.participants),
                overdue,
                article: "五(一)",
            });
        }
        Ok(out)
    }

    /// 五(一): the institution records that it held the interview.
    pub fn record_interview(
        &self,
        caller: &Caller,
        id: i64,
        held_on: NaiveDate,
        notes: &str,
        participants: Option<&str>,
    ) -> Result<InterviewOrder> {
        caller.permit(Action::RecordInterview)?;
        crate::domain::limits::check_note("notes", notes)?;
        if let Some(p) = participants {
            crate::domain::limits::check_note("participants", p)?;
        }
        self.write(caller, &[Lock::InterviewOrder(id)], |c, touched| {
            let o =
                projections::interview_order(c, id)?.ok_or_else(|| Error::not_found("interview order", "约谈通知"))?;
            caller.require_institution(Action::RecordInterview, &o.institution_code)?;
            if o.withdrawn {
                return Err(Error::conflict("withdrawn", "this interview order was withdrawn", "该约谈通知已撤回"));
            }
            if held_on < o.ordered_on {
                return Err(Error::invalid(
                    "invalid_date",
                    "held_on",
                    "held_on is before the order",
                    "约谈日期早于约谈通知日期",
                ));
            }
            if facts::interview_record(c, id)?.is_some() {
                return Err(Error::conflict("already_recorded", "this interview is already recorded", "该约谈已记录"));
            }
            let rec = facts::insert_interview_record(c, id, held_on, notes, participants)?;
            touched.fact("interview_records", rec);
            Ok(InterviewOrder {
                id,
                institution_code: o.institution_code,
                personnel_code: o.personnel_code,
                cycle_year: o.cycle_year,
                ordered_on: o.ordered_on,
                held_on: Some(held_on),
                notes: Some(notes.to_string()),
                participants: participants.map(str::to_string),
                overdue: false,
                article: "五(一)",
            })
        })
    }

    /// The public lookup: masked name and ID, no phone.
    pub fn public_practitioner(&self, code: &str, on: NaiveDate) -> Result<PublicPractitioner> {
        let mut c = self.conn()?;
        let p = facts::practitioner(&mut c, code)?.ok_or_else(|| Error::not_found("practitioner", "人员"))?;
        let s = self.status_of(code, on)?;
        let mut sites = Vec::new();
        for site in &s.status.sites {
            let inst = facts::institution_facts(&mut c, &site.institution_code)?;
            let name = facts::institution(&mut c, &site.institution_code)?.map(|i| i.name).unwrap_or_default();
            sites.push(PublicSite {
                institution_code: site.institution_code.clone(),
                institution_name: name,
                status: site.status.as_str(),
                institution_status: inst
                    .map_or("unknown", |i| rules::institution::status_on(&i, &self.packs, on).as_str()),
            });
        }
        Ok(PublicPractitioner {
            personnel_code: p.personnel_code,
            // No ID number at all, not even masked: its region, sequence and check digit left
            // about 2 200 candidates, which a roster preview then confirmed (issue 12).
            name: mask_name_public(&p.name),
            category: p.category.as_str().to_string(),
            date: on,
            status: s.status.status.as_str(),
            cycle_year: on.year(),
            cycle_total: s.status.cycle_total,
            remaining: s.status.remaining,
            suspended_until: s.status.suspended_until,
            banned_until: s.status.banned_until,
            sites,
        })
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
