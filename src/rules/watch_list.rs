//! 六(三): 重点监控名单 — a single 12-point deduction, or 3 or more, in one cycle.

use serde::{Deserialize, Serialize};

use super::cascade::member_in;
use super::facts::PractitionerFacts;
use super::pack::PackSet;
use super::timeline::Timeline;
use super::RuleError;
use crate::domain::dates::year_start;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchTrigger {
    pub cycle_year: i32,
    /// Every site the person held in that cycle.
    pub institutions: Vec<String>,
    pub deduction_ids: Vec<i64>,
    /// The deductions that put the institution on the list.
    pub deductions: Vec<WatchDeduction>,
    pub article: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchDeduction {
    pub deduction_id: i64,
    pub decided_on: chrono::NaiveDate,
    pub items: Vec<String>,
    pub points: u32,
    pub article: String,
}

pub fn triggers(
    packs: &PackSet,
    facts: &PractitionerFacts,
    timeline: &Timeline,
) -> Result<Vec<WatchTrigger>, RuleError> {
    let mut out = Vec::new();
    for c in &timeline.cycles {
        let pack = packs.in_force(year_start(c.year)).or_else(|_| {
            // A cycle that began before the first pack: read the pack of its first deduction.
            let first = timeline.deductions.iter().find(|d| d.cycle_year == c.year).map(|d| d.decided_on);
            first.map_or(Err(RuleError::NoPolicy(year_start(c.year))), |d| packs.in_force(d))
        })?;
        let rule = &pack.watch_list;
        let count = c.deduction_ids.len() as u32;
        let single = c.max_single >= rule.single_points;
        if !single && count < rule.deduction_count {
            continue;
        }
        let mut institutions: Vec<String> = facts
            .registrations
            .iter()
            .filter(|r| member_in(facts, &r.institution_code, c.year))
            .map(|r| r.institution_code.clone())
            .collect();
        institutions.sort();
        institutions.dedup();
        let (zh, en) = if single {
            (
                format!("{}年度出现一次性扣{}分的严重违规", c.year, rule.single_points),
                format!("a single {}-point deduction in cycle {}", rule.single_points, c.year),
            )
        } else {
            (format!("{}年度违规{}项", c.year, count), format!("{count} deductions in cycle {}", c.year))
        };
        out.push(WatchTrigger {
            cycle_year: c.year,
            institutions,
            deduction_ids: c.deduction_ids.clone(),
            deductions: timeline
                .deductions
                .iter()
                .filter(|d| c.deduction_ids.contains(&d.id))
                .map(|d| WatchDeduction {
                    deduction_id: d.id,
                    decided_on: d.decided_on,
                    items: d.items.clone(),
                    points: d.points,
                    article: d.explanation.article.clone(),
                })
                .collect(),
            article: rule.article.clone(),
            zh,
            en,
        });
    }
    Ok(out)
}
