//! An institution agreement's status over time (三(四) passes it on to the staff).

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{InstitutionEvent, InstitutionFacts};
use super::pack::InstitutionAgreementRule;
use crate::domain::dates::add_months;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionStatus {
    /// Before `agreement_start`.
    NotStarted,
    Active,
    Suspended,
    Terminated,
    /// After `agreement_end` (终止).
    Expired,
}

impl InstitutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionStatus::NotStarted => "not_started",
            InstitutionStatus::Active => "active",
            InstitutionStatus::Suspended => "suspended",
            InstitutionStatus::Terminated => "terminated",
            InstitutionStatus::Expired => "expired",
        }
    }
}

/// The institution's suspension periods `[from, until)` and termination date, from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstitutionPeriods {
    pub suspensions: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub terminated_on: Option<NaiveDate>,
}

impl InstitutionPeriods {
    pub fn of(facts: &InstitutionFacts) -> Self {
        let mut p = InstitutionPeriods::default();
        let mut lapses: Vec<(usize, NaiveDate)> = Vec::new();
        for e in &facts.events {
            match *e {
                InstitutionEvent::Suspend { from, until, lapses_on } => {
                    if let Some(l) = lapses_on {
                        lapses.push((p.suspensions.len(), l));
                    }
                    p.suspensions.push((from, until));
                }
                // A restore ends every suspension running on that day.
                InstitutionEvent::Restore { on } => {
                    for s in p.suspensions.iter_mut() {
                        if s.0 <= on && s.1.is_none_or(|u| u > on) {
                            s.1 = Some(on);
                        }
                    }
                }
                InstitutionEvent::Terminate { on } => {
                    p.terminated_on = Some(p.terminated_on.map_or(on, |t| t.min(on)));
                }
            }
        }
        // Still suspended on the day it lapses: the agreement ends by itself (自动终止).
        for (k, on) in lapses {
            let (from, until) = p.suspensions[k];
            if from <= on && until.is_none_or(|u| on < u) {
                p.suspensions[k].1 = Some(on);
                p.terminated_on = Some(p.terminated_on.map_or(on, |t| t.min(on)));
            }
        }
        p
    }

    pub fn suspended_on(&self, d: NaiveDate) -> Option<(NaiveDate, Option<NaiveDate>)> {
        self.suspensions.iter().copied().find(|&(f, u)| f <= d && u.is_none_or(|u| d < u))
    }

    pub fn terminated_by(&self, d: NaiveDate) -> bool {
        self.terminated_on.is_some_and(|t| t <= d)
    }

    /// Dates where the status may change.
    pub fn breakpoints(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.suspensions.iter().flat_map(|&(f, u)| std::iter::once(f).chain(u)).chain(self.terminated_on)
    }
}

pub fn status_on(facts: &InstitutionFacts, d: NaiveDate) -> InstitutionStatus {
    let p = InstitutionPeriods::of(facts);
    if p.terminated_by(d) {
        InstitutionStatus::Terminated
    } else if d < facts.agreement_start {
        InstitutionStatus::NotStarted
    } else if d > facts.agreement_end {
        InstitutionStatus::Expired
    } else if p.suspended_on(d).is_some() {
        InstitutionStatus::Suspended
    } else {
        InstitutionStatus::Active
    }
}

/// The last day a suspension from `from` may run to, and the article that limits it: a
/// voluntary one (requested by the institution) at most `voluntary_suspension_max_days` (聊城
/// 第二十九条), one for violations at most `violation_suspension_max_months` (吉林 第四十六条).
pub fn suspension_limit(rule: &InstitutionAgreementRule, from: NaiveDate, requested: bool) -> (NaiveDate, &str) {
    if requested {
        (from + chrono::Duration::days(i64::from(rule.voluntary_suspension_max_days)), &rule.voluntary_article)
    } else {
        (add_months(from, rule.violation_suspension_max_months), &rule.violation_article)
    }
}

/// 吉林 第四十六条 因违法违规违约等情形被中止医保协议的，原则上中止协议时间不超过1年 — and a
/// suspension decided on a 30 % case (五(三)) is such a suspension: the day it ends. A longer
/// `until` is `Err(the latest end)`; an open-ended one ends at the latest end (the agency may
/// restore it earlier).
pub fn violation_suspension_end(
    rule: &InstitutionAgreementRule,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> Result<NaiveDate, NaiveDate> {
    let (latest, _) = suspension_limit(rule, from, false);
    match until {
        Some(u) if u > latest => Err(latest),
        Some(u) => Ok(u),
        None => Ok(latest),
    }
}

/// Suspensions that began within the agreement term `[start, end]` (聊城 第三十一条(一)).
pub fn suspensions_in_term(
    suspension_starts: impl Iterator<Item = NaiveDate>,
    start: NaiveDate,
    end: NaiveDate,
) -> u32 {
    suspension_starts.filter(|d| *d >= start && *d <= end).count() as u32
}

/// 聊城 第三十一条(一): this many suspensions in one term are grounds for termination.
pub fn termination_due(rule: &InstitutionAgreementRule, suspensions_in_term: u32) -> bool {
    suspensions_in_term >= rule.suspensions_before_termination
}

/// When an institution terminated on `terminated_on` and its legal representative may apply
/// again (吉林 第十七条、第二十一条).
pub fn reapplication_dates(rule: &InstitutionAgreementRule, terminated_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        add_months(terminated_on, 12 * rule.reapply_bar_years),
        add_months(terminated_on, 12 * rule.legal_representative_bar_years),
    )
}
