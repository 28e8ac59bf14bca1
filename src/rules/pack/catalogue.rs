//! A pack's catalogue (items and their points) and its bands (what a cycle total triggers).
//! Points and suspension lengths are fixed (济宁) or a range the officer chooses within
//! (national guidance, 天津), optionally narrowed by the person's degree of responsibility.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::SanctionKind;

/// The person's degree of responsibility for a violation (天津、北京: 一般 / 重要 / 主要责任).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Responsibility {
    #[serde(rename = "一般")]
    General,
    #[serde(rename = "重要")]
    Important,
    #[serde(rename = "主要")]
    Main,
}

impl Responsibility {
    pub const ALL: [Responsibility; 3] = [Responsibility::General, Responsibility::Important, Responsibility::Main];

    pub fn zh(self) -> &'static str {
        match self {
            Responsibility::General => "一般",
            Responsibility::Important => "重要",
            Responsibility::Main => "主要",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.zh() == s.trim().trim_end_matches("责任"))
    }
}

/// One catalogue line: `points` fixed, or `points..=points_max` chosen by the officer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub points: u32,
    pub points_max: Option<u32>,
    /// Responsibility tier → the sub-range of points the officer chooses within (inclusive).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tiers: BTreeMap<Responsibility, [u32; 2]>,
    /// The points a replay uses when the recorded fact holds no choice (default: the middle
    /// of the range, rounded down).
    pub simulation_default: Option<u32>,
    /// Fraud (骗保): a termination this item causes carries the fraud ban, where the pack has one.
    #[serde(default)]
    pub fraud: bool,
    pub article: String,
    pub text: String,
}

impl Item {
    /// The points the officer may choose, inclusive (one value when fixed).
    pub fn range(&self) -> (u32, u32) {
        (self.points, self.points_max.unwrap_or(self.points).max(self.points))
    }

    /// Whether the points are the officer's choice.
    pub fn is_choice(&self) -> bool {
        let (lo, hi) = self.range();
        lo != hi
    }

    pub fn default_points(&self) -> u32 {
        let (lo, hi) = self.range();
        self.simulation_default.unwrap_or(lo + (hi - lo) / 2)
    }

    /// The sub-range of a tier, or the whole range when the item has no tiers.
    pub fn tier_range(&self, r: Option<Responsibility>) -> (u32, u32) {
        match r.and_then(|r| self.tiers.get(&r)) {
            Some([lo, hi]) => (*lo, *hi),
            None => self.range(),
        }
    }

    /// Range shown to people: `3` or `1-3`.
    pub fn range_text(&self) -> String {
        match self.range() {
            (lo, hi) if lo == hi => lo.to_string(),
            (lo, hi) => format!("{lo}-{hi}"),
        }
    }
}

/// Who holds an interview (约谈): the agency itself, or the person's own institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldBy {
    Agency,
    Institution,
}

impl HeldBy {
    pub fn zh(self) -> &'static str {
        match self {
            HeldBy::Agency => "医保部门",
            HeldBy::Institution => "所在定点医药机构",
        }
    }
}

/// One band: the sanction when the cycle total first enters `min..=max`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub min: u32,
    pub max: Option<u32>,
    pub sanction: SanctionKind,
    /// A suspension's months: fixed, or `months..=months_max` chosen by the officer.
    pub months: Option<u32>,
    pub months_max: Option<u32>,
    /// The months a replay uses when no choice is recorded (default: the range's low end).
    pub simulation_default: Option<u32>,
    /// An interview's holder; 济宁 五(一) 责令定点医药机构进行约谈: the institution, ordered by
    /// the agency — the default.
    pub held_by: Option<HeldBy>,
    /// 天津: the person is put under close supervision (重点监管) with the interview.
    #[serde(default)]
    pub close_supervision: bool,
    pub article: String,
    pub text: String,
}

impl Band {
    /// The suspension months the officer may choose, inclusive.
    pub fn months_range(&self) -> Option<(u32, u32)> {
        self.months.map(|m| (m, self.months_max.unwrap_or(m).max(m)))
    }

    /// The months applied when the officer chose none (today: the fixed value or the low end).
    pub fn default_months(&self) -> u32 {
        match self.months_range() {
            Some((lo, _)) => self.simulation_default.unwrap_or(lo),
            None => 0,
        }
    }

    pub fn held_by(&self) -> HeldBy {
        self.held_by.unwrap_or(HeldBy::Institution)
    }
}
