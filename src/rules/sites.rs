//! Every site's status over time, as runs of days: the `intervals` of a timeline, from the
//! facts and the sanctions already decided. Status on one date is read off them (`status.rs`).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::facts::{InstitutionFacts, PractitionerFacts, RegistrationFact};
use super::institution::InstitutionPeriods;
use super::pack::PackSet;
use super::pack::SanctionKind;
use super::sanctions::agreement_start;
use super::timeline::{Sanction, SiteStatus, StatusInterval};

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
    if let Some((_, p)) = inst {
        if p.suspended_on(d).is_some() {
            return SiteStatus::InstitutionSuspended;
        }
        // 终止 (not renewed, lapsed, or past its term where the rules end it). Past its term
        // while the renewal is pending (顺延) the staff are paid: active.
        if p.ended_by(d) {
            return SiteStatus::InstitutionExpired;
        }
    }
    SiteStatus::Active
}

/// Every site's status as runs of days, from the facts and the sanctions already decided.
pub fn site_intervals(packs: &PackSet, facts: &PractitionerFacts, sanctions: &[Sanction]) -> Vec<StatusInterval> {
    let mut out = Vec::new();
    let mut regs: Vec<&RegistrationFact> = facts.registrations.iter().collect();
    regs.sort_by_key(|r| (r.institution_code.clone(), r.registered_on, r.id));
    for reg in regs {
        let inst = facts.institutions.iter().find(|i| i.code == reg.institution_code);
        let periods = inst.map(|i| InstitutionPeriods::of(i, packs));
        let inst_pair = inst.zip(periods.as_ref());
        let mut points: BTreeSet<NaiveDate> = BTreeSet::new();
        points.insert(reg.registered_on);
        for s in sanctions {
            points.insert(s.starts_on);
            points.extend(s.ends_on);
            points.extend(s.ban_until);
        }
        if let Some((_, p)) = inst_pair {
            points.extend(p.breakpoints());
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
