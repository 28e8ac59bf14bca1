//! What the statistics answer (the JSON of `GET /stats/…`, the dashboard's figures).

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::codes::Category;
use crate::store::stats;

/// Which figures: a cycle, the city or one county, everyone or one category of people.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatsScope {
    pub year: i32,
    /// The county (six digits), or `None` for the whole city.
    pub county: Option<String>,
    pub county_name: String,
    /// 医保支付资格类别 (`physician`, `nurse`, `pharmacist`, `technician`, `carer`), or `None`
    /// for everyone. It narrows every figure about people or deductions; the institutions'
    /// 30 % of 五(三) and the watch list (六(三)) count all their staff whatever it is.
    pub category: Option<Category>,
    /// 医保医师 …, or 全部类别.
    pub category_name: String,
    /// Compute the figures the slow way, from the facts, as before the dashboard's projections
    /// (the test that both ways agree sets it; see [`StatsScope::from_facts`]).
    #[serde(skip)]
    pub reference: bool,
}

impl StatsScope {
    pub(super) fn filter(&self) -> stats::Filter<'_> {
        stats::Filter { region: self.county.as_deref(), category: self.category, reference: self.reference }
    }

    /// The same scope, computed the slow way from the facts (for tests and comparisons).
    pub fn from_facts(mut self) -> Self {
        self.reference = true;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyMonths {
    pub county: String,
    pub name: String,
    /// January to December.
    pub deductions: Vec<u64>,
    pub points: Vec<u64>,
}

/// 四: deductions and points per month by county, and the year before for comparison.
#[derive(Debug, Clone, Serialize)]
pub struct DeductionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub counties: Vec<CountyMonths>,
    pub previous_year: CountyMonths,
    pub total_deductions: u64,
    pub total_points: u64,
}

/// People by their own status on a date (as `GET /practitioners/{code}/status` reads it).
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub active: u64,
    /// Of the active: with an interview order (五(一)) not held yet.
    pub active_with_open_interview: u64,
    pub suspended: u64,
    pub terminated: u64,
    /// Of the terminated: still within the ban (五(二)).
    pub terminated_still_banned: u64,
    /// Registered before and no longer.
    pub unregistered: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusOn {
    pub date: NaiveDate,
    #[serde(flatten)]
    pub counts: StatusCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub today: StatusOn,
    /// The last day of each month of the year (today for the current month), up to today.
    pub months: Vec<StatusOn>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemStat {
    pub code: String,
    pub text: String,
    pub article: String,
    pub points: u32,
    /// Deductions citing the item.
    pub deductions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    /// Most cited first.
    pub items: Vec<ItemStat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionRatio {
    pub institution_code: String,
    pub name: String,
    pub numerator: u32,
    pub denominator: u32,
    /// Four decimals, as `GET /institutions/{code}/cascade` writes it.
    pub ratio: String,
    pub threshold_reached: bool,
    /// People of the institution on the watch list of the cycle (0: not listed).
    pub watch_list_people: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub percent: u32,
    pub article: String,
    /// Institutions with anyone suspended or terminated in the cycle, nearest the line first.
    pub nearest: Vec<InstitutionRatio>,
    /// Institutions on the watch list of the cycle (六(三)), with their ratio.
    pub watch_list: Vec<InstitutionRatio>,
    pub at_or_over: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassRate {
    pub group: String,
    pub tests: u64,
    pub passed: u64,
    /// Percent, one decimal.
    pub rate: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub by_age: Vec<PassRate>,
    pub by_format: Vec<PassRate>,
    pub tests: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionStats {
    #[serde(flatten)]
    pub scope: StatsScope,
    pub filed: u64,
    pub upheld: u64,
    pub rejected: u64,
    pub pending: u64,
    pub escalated: u64,
    /// Median working days from filing to the agency's decision (六(一)).
    pub median_working_days: Option<f64>,
}

/// Everything on the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub scope: StatsScope,
    pub deductions: DeductionStats,
    pub statuses: StatusStats,
    pub items: ItemStats,
    pub institutions: InstitutionStats,
    pub training_tests: TestStats,
    pub objections: ObjectionStats,
}
