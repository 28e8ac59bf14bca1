//! 五(三): an institution whose staff were suspended or terminated at 30 % or more in a cycle.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::facts::PractitionerFacts;
use super::pack::{PolicyPack, SanctionKind};
use super::timeline::Timeline;
use crate::domain::dates::year_start;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CascadeFigures {
    pub institution_code: String,
    pub cycle_year: i32,
    pub numerator: u32,
    pub denominator: u32,
    /// numerator / denominator, four decimals, as a string ("0.3000").
    pub ratio: String,
    pub threshold_reached: bool,
    pub article: String,
}

/// Integer arithmetic: reached when numerator × 100 ≥ denominator × percent.
pub fn threshold_reached(pack: &PolicyPack, numerator: u32, denominator: u32) -> bool {
    // A pack without the cascade (only 济宁 has it, as far as published) never reaches it.
    let Some(rule) = &pack.cascade else {
        return false;
    };
    denominator > 0 && u64::from(numerator) * 100 >= u64::from(denominator) * u64::from(rule.percent)
}

pub fn figures(
    pack: &PolicyPack,
    institution_code: &str,
    year: i32,
    numerator: u32,
    denominator: u32,
) -> CascadeFigures {
    let ratio = if denominator == 0 {
        "0.0000".to_string()
    } else {
        let r = rust_decimal::Decimal::from(numerator) / rust_decimal::Decimal::from(denominator);
        format!("{:.4}", r.round_dp(4))
    };
    CascadeFigures {
        institution_code: institution_code.to_string(),
        cycle_year: year,
        numerator,
        denominator,
        ratio,
        threshold_reached: threshold_reached(pack, numerator, denominator),
        article: pack.cascade.as_ref().map(|c| c.article.clone()).unwrap_or_default(),
    }
}

/// Whether the person held an agreement at the institution at any time in `year`
/// (the denominator).
pub fn member_in(facts: &PractitionerFacts, institution_code: &str, year: i32) -> bool {
    let (start, end) = (year_start(year), year_start(year + 1));
    facts.registrations.iter().any(|r| {
        r.institution_code == institution_code && r.registered_on < end && r.deregistered_on.is_none_or(|e| e > start)
    })
}

/// Whether a personal suspension or termination started in `year` (the numerator).
/// Institution-caused suspensions are not sanctions of the person and never count.
pub fn sanctioned_in(timeline: &Timeline, year: i32) -> bool {
    timeline
        .sanctions
        .iter()
        .any(|s| matches!(s.kind, SanctionKind::Suspension | SanctionKind::Termination) && s.starts_on.year() == year)
}

/// The cycle `year` as `[1 January, next 1 January)`.
pub fn cycle_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    (year_start(year), year_start(year + 1))
}
