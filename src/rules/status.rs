//! Status as a function of the date: every site's status over time, and the person's
//! standing on any day (DESIGN.md "As-of questions").

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::evaluate::termination_in_force;
use super::facts::{InstitutionFacts, PractitionerFacts, RegistrationFact};
use super::institution::InstitutionPeriods;
use super::pack::SanctionKind;
use super::timeline::{Sanction, SiteStatus, StatusInterval, Timeline};
use crate::domain::dates::add_months;

/// The first day a registration's agreement is in force: its date, or the end of a ban
/// running when it was filed (五(二)).
fn agreement_start(reg: &RegistrationFact, sanctions: &[Sanction]) -> NaiveDate {
    sanctions
        .iter()
        .filter(|s| s.kind == SanctionKind::Termination && s.starts_on < reg.registered_on)
        .filter_map(|s| s.ban_until)
        .fold(reg.registered_on, NaiveDate::max)
}

/// A site's status on `d` for a registration in force that day.
/// Precedence: personal termination / ban > institution terminated > personal suspension >
/// institution suspended > institution expired > active.
fn site_status(
    reg: &RegistrationFact,
    inst: Option<(&InstitutionFacts, &InstitutionPeriods)>,
    sanctions: &[Sanction],
    d: NaiveDate,
) -> SiteStatus {
    // 五(一)(二): a termination ends every agreement in force that day.
    if sanctions
        .iter()
        .any(|s| s.kind == SanctionKind::Termination && reg.registered_on <= s.starts_on && s.starts_on <= d)
    {
        return SiteStatus::Terminated;
    }
    if d < agreement_start(reg, sanctions) {
        return SiteStatus::Banned;
    }
    if let Some((_, p)) = inst {
        // 三(四)
        if p.terminated_by(d) {
            return SiteStatus::InstitutionTerminated;
        }
    }
    if sanctions
        .iter()
        .any(|s| s.kind == SanctionKind::Suspension && s.starts_on <= d && s.ends_on.is_some_and(|e| d < e))
    {
        return SiteStatus::Suspended;
    }
    if let Some((facts, p)) = inst {
        if p.suspended_on(d).is_some() {
            return SiteStatus::InstitutionSuspended;
        }
        if d > facts.agreement_end {
            return SiteStatus::InstitutionExpired;
        }
    }
    SiteStatus::Active
}

/// Every site's status as runs of days, from the facts and the sanctions already decided.
pub fn site_intervals(facts: &PractitionerFacts, sanctions: &[Sanction]) -> Vec<StatusInterval> {
    let mut out = Vec::new();
    let mut regs: Vec<&RegistrationFact> = facts.registrations.iter().collect();
    regs.sort_by_key(|r| (r.institution_code.clone(), r.registered_on, r.id));
    for reg in regs {
        let inst = facts.institutions.iter().find(|i| i.code == reg.institution_code);
        let periods = inst.map(InstitutionPeriods::of);
        let inst_pair = inst.zip(periods.as_ref());
        let mut points: BTreeSet<NaiveDate> = BTreeSet::new();
        points.insert(reg.registered_on);
        for s in sanctions {
            points.insert(s.starts_on);
            points.extend(s.ends_on);
            points.extend(s.ban_until);
        }
        if let Some((i, p)) = inst_pair {
            points.extend(p.breakpoints());
            points.extend(i.agreement_end.succ_opt());
        }
        let end = reg.deregistered_on;
        let cuts: Vec<NaiveDate> =
            points.into_iter().filter(|&d| d >= reg.registered_on && end.is_none_or(|e| d < e)).collect();
        let mut runs: Vec<StatusInterval> = Vec::new();
        for (k, &from) in cuts.iter().enumerate() {
            let until = cuts.get(k + 1).copied().or(end);
            let status = site_status(reg, inst_pair, sanctions, from);
            match runs.last_mut() {
                Some(last) if last.status == status => last.until = until,
                _ => runs.push(StatusInterval { institution_code: reg.institution_code.clone(), from, until, status }),
            }
        }
        out.extend(runs);
    }
    out
}

/// The person's own standing (DESIGN.md, `GET /practitioners/{code}/status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalStatus {
    Active,
    Suspended,
    Terminated,
    Unregistered,
}

impl PersonalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonalStatus::Active => "active",
            PersonalStatus::Suspended => "suspended",
            PersonalStatus::Terminated => "terminated",
            PersonalStatus::Unregistered => "unregistered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteOnDate {
    pub institution_code: String,
    pub status: SiteStatus,
    /// The end of the current 2-year service agreement term (三(二)), when registered.
    pub term_ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusOnDate {
    pub date: NaiveDate,
    pub status: PersonalStatus,
    pub cycle_year: i32,
    pub cycle_total: u32,
    pub remaining: u32,
    pub suspended_until: Option<NaiveDate>,
    pub banned_until: Option<NaiveDate>,
    pub sites: Vec<SiteOnDate>,
}

/// The term containing `d` of an agreement that starts on `start` and renews every
/// `term_months` (三(二)): its end, the first day of the next term.
pub fn term_end_on(start: NaiveDate, term_months: u32, d: NaiveDate) -> NaiveDate {
    let mut k = 1;
    loop {
        let end = add_months(start, term_months * k);
        if end > d || end == NaiveDate::MAX {
            return end;
        }
        k += 1;
    }
}

pub fn status_on(
    facts: &PractitionerFacts,
    timeline: &Timeline,
    initial_points: u32,
    term_months: u32,
    d: NaiveDate,
) -> StatusOnDate {
    let total = timeline.total_on(d);
    let sanctions = &timeline.sanctions;
    let terminated = termination_in_force(facts, sanctions, d);
    let suspension = sanctions
        .iter()
        .find(|s| s.kind == SanctionKind::Suspension && s.starts_on <= d && s.ends_on.is_some_and(|e| d < e));
    let registered = facts.registrations.iter().any(|r| r.in_force_on(d));
    let status = if terminated {
        PersonalStatus::Terminated
    } else if suspension.is_some() {
        PersonalStatus::Suspended
    } else if !registered {
        PersonalStatus::Unregistered
    } else {
        PersonalStatus::Active
    };
    let banned_until = sanctions
        .iter()
        .filter(|s| s.kind == SanctionKind::Termination && s.starts_on <= d)
        .filter_map(|s| s.ban_until)
        .max()
        .filter(|&b| d < b);
    let mut codes: Vec<&str> = facts.registrations.iter().map(|r| r.institution_code.as_str()).collect();
    codes.sort();
    codes.dedup();
    let sites = codes
        .into_iter()
        .map(|code| {
            let status = timeline
                .intervals
                .iter()
                .find(|i| i.institution_code == code && i.covers(d))
                .map_or(SiteStatus::Unregistered, |i| i.status);
            let term_ends_on = facts
                .registrations
                .iter()
                .find(|r| r.institution_code == code && r.in_force_on(d))
                .map(|r| term_end_on(agreement_start(r, sanctions), term_months, d));
            SiteOnDate { institution_code: code.to_string(), status, term_ends_on }
        })
        .collect();
    StatusOnDate {
        date: d,
        status,
        cycle_year: d.year(),
        cycle_total: total,
        remaining: initial_points.saturating_sub(total),
        // As of d: a replacement decided later is not known yet.
        suspended_until: if terminated { None } else { suspension.and_then(|s| s.decided_ends_on.or(s.ends_on)) },
        banned_until,
        sites,
    }
}

/// A run of days whose payability at a site changed between two timelines (a revocation makes
/// refused claims payable: these are the days to pay back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayabilityChange {
    pub institution_code: String,
    pub from: NaiveDate,
    /// First day after the run; `None`: open-ended.
    pub until: Option<NaiveDate>,
    pub before: SiteStatus,
    pub after: SiteStatus,
}

pub fn payability_changes(before: &[StatusInterval], after: &[StatusInterval]) -> Vec<PayabilityChange> {
    let mut sites: Vec<&str> = before.iter().chain(after).map(|i| i.institution_code.as_str()).collect();
    sites.sort();
    sites.dedup();
    let at = |runs: &[StatusInterval], site: &str, d: NaiveDate| {
        runs.iter().find(|i| i.institution_code == site && i.covers(d)).map_or(SiteStatus::Unregistered, |i| i.status)
    };
    let mut out: Vec<PayabilityChange> = Vec::new();
    for site in sites {
        let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
        for i in before.iter().chain(after).filter(|i| i.institution_code == site) {
            cuts.insert(i.from);
            cuts.extend(i.until);
        }
        let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
        for (k, &from) in cuts.iter().enumerate() {
            let (b, a) = (at(before, site, from), at(after, site, from));
            if b.payable() == a.payable() {
                continue;
            }
            let until = cuts.get(k + 1).copied();
            match out.last_mut() {
                Some(last)
                    if last.institution_code == site
                        && last.until == Some(from)
                        && last.before == b
                        && last.after == a =>
                {
                    last.until = until
                }
                _ => {
                    out.push(PayabilityChange { institution_code: site.to_string(), from, until, before: b, after: a })
                }
            }
        }
    }
    out
}
