//! Status as a function of the date: the person's standing on any day (DESIGN.md "As-of
//! questions"), read off the timeline, whose site runs `sites.rs` computes.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::facts::PractitionerFacts;
use super::pack::SanctionKind;
use super::sanctions::{agreement_start, termination_in_force};
use super::timeline::{SiteStatus, StatusInterval, Timeline};
use crate::domain::dates::add_months;

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
