//! The engine's output for one practitioner: counted deductions, cycle totals, sanctions and
//! the status of every site over time. Status on any date is read off it (`status.rs`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::explain::Explanation;
use super::pack::SanctionKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedDeduction {
    pub id: i64,
    pub inspection: i64,
    pub institution_code: String,
    pub decided_on: NaiveDate,
    /// 四: the cycle is the calendar year of the decision date.
    pub cycle_year: i32,
    pub items: Vec<String>,
    pub points: u32,
    /// Counts on no date: revoked (六(一)), or decided before the notice came into force (七).
    pub revoked: bool,
    /// The cycle total after this deduction's inspection; `None` when revoked.
    pub total_after: Option<u32>,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleTotal {
    pub year: i32,
    pub total: u32,
    /// Non-revoked deductions of the cycle.
    pub deduction_ids: Vec<i64>,
    pub max_single: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The cycle total entered a band of 五(一).
    Band,
    /// 9–11 in the third consecutive cycle at ≥ 9 (五(一)).
    ConsecutiveCycles,
    /// A failed training test (三(三)).
    TrainingTest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sanction {
    pub kind: SanctionKind,
    pub trigger: Trigger,
    pub cycle_year: i32,
    pub decided_on: NaiveDate,
    pub starts_on: NaiveDate,
    /// Suspension: the first day back in force, after any replacement. `None` otherwise.
    pub ends_on: Option<NaiveDate>,
    /// Suspension: the end its own band gives (starts_on + months).
    pub nominal_ends_on: Option<NaiveDate>,
    /// Suspension: the end as decided (the later of its own and a running one's), before any
    /// later sanction replaced it: what `suspended_until` says on the days before that.
    pub decided_ends_on: Option<NaiveDate>,
    pub months: Option<u32>,
    /// Termination: the first day a new agreement may be signed.
    pub ban_until: Option<NaiveDate>,
    /// The cycle total that triggered it (0 for a training test).
    pub total: u32,
    /// Interview orders go to the institutions where the person was registered that day.
    pub institutions: Vec<String>,
    pub article: String,
    pub explanation: Explanation,
}

/// The status of one site (registration) on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    Active,
    Suspended,
    Terminated,
    /// Registered while banned (五(二)): no agreement until the ban ends.
    Banned,
    InstitutionSuspended,
    InstitutionTerminated,
    InstitutionExpired,
    Unregistered,
}

impl SiteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteStatus::Active => "active",
            SiteStatus::Suspended => "suspended",
            SiteStatus::Terminated => "terminated",
            SiteStatus::Banned => "banned",
            SiteStatus::InstitutionSuspended => "institution_suspended",
            SiteStatus::InstitutionTerminated => "institution_terminated",
            SiteStatus::InstitutionExpired => "institution_expired",
            SiteStatus::Unregistered => "unregistered",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            SiteStatus::Active,
            SiteStatus::Suspended,
            SiteStatus::Terminated,
            SiteStatus::Banned,
            SiteStatus::InstitutionSuspended,
            SiteStatus::InstitutionTerminated,
            SiteStatus::InstitutionExpired,
            SiteStatus::Unregistered,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn payable(self) -> bool {
        self == SiteStatus::Active
    }
}

/// A run of days `[from, until)` with one status at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInterval {
    pub institution_code: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    pub status: SiteStatus,
}

impl StatusInterval {
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.from <= d && self.until.is_none_or(|u| d < u)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub personnel_code: String,
    pub deductions: Vec<CountedDeduction>,
    pub cycles: Vec<CycleTotal>,
    pub sanctions: Vec<Sanction>,
    /// Per site, sorted by institution then date; days outside every interval: not registered.
    pub intervals: Vec<StatusInterval>,
}

impl Timeline {
    pub fn cycle(&self, year: i32) -> Option<&CycleTotal> {
        self.cycles.iter().find(|c| c.year == year)
    }

    /// The cycle total as of `d`: non-revoked deductions of d's year decided on or before d.
    pub fn total_on(&self, d: NaiveDate) -> u32 {
        use chrono::Datelike;
        self.deductions
            .iter()
            .filter(|x| !x.revoked && x.cycle_year == d.year() && x.decided_on <= d)
            .map(|x| x.points)
            .sum()
    }
}
