//! Policy packs: the catalogue, bands, durations and thresholds of one notice, as data
//! (`data/packs/*.toml`). Packs are grouped by jurisdiction (`jining`, `national`, `tianjin`…);
//! the engine reads the pack of the deployment's jurisdiction in force on the date it evaluates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::RuleError;

mod catalogue;
pub mod check;
pub mod diff;
mod scope;
mod sections;
pub mod set;
#[cfg(test)]
mod tests;

pub use catalogue::{Band, HeldBy, Item, Responsibility};
pub use scope::{BanCause, CauseBan, Coverage, PharmacyCoverage, RepairRule, TrialRule};
pub use sections::*;
pub use set::{PackLibrary, PackSet, DEFAULT_JURISDICTION};

/// Which date of a fact is before the notice came into force (七).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dated {
    /// A deduction's decision date (`decided_on`).
    Decision,
    /// The date of the conduct (`occurred_on`, or the inspection's date when not given).
    Conduct,
    /// A training test's date (三(三)).
    Test,
}

impl Dated {
    pub fn field(self) -> &'static str {
        match self {
            Dated::Decision => "decided_on",
            Dated::Conduct => "occurred_on",
            Dated::Test => "tested_on",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Dated::Decision => "a deduction decided on",
            Dated::Conduct => "conduct on",
            Dated::Test => "a training test on",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Dated::Decision => "处理决定日期",
            Dated::Conduct => "违规行为发生日期",
            Dated::Test => "测试日期",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    Interview,
    Suspension,
    Termination,
}

impl SanctionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SanctionKind::Interview => "interview",
            SanctionKind::Suspension => "suspension",
            SanctionKind::Termination => "termination",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPack {
    pub id: String,
    /// Which deployment's packs this one belongs to; packs of one jurisdiction follow each
    /// other by date, those of different jurisdictions may overlap.
    #[serde(default = "default_jurisdiction")]
    pub jurisdiction: String,
    pub name: String,
    /// The document the pack transcribes, where the articles are not its own (national guidance).
    pub source: Option<String>,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub effective_from: NaiveDate,
    /// The article that puts the notice in force (七: 本通知自印发之日起施行), cited when a fact
    /// dated before `effective_from` is refused.
    pub effective_article: String,
    pub effective_text: String,
    /// First day no longer in force.
    pub effective_until: Option<NaiveDate>,
    pub trial: Option<TrialRule>,
    pub coverage: Option<Coverage>,
    pub cycle: CycleRule,
    pub items: Vec<Item>,
    pub bands: Vec<Band>,
    /// 济宁 五(一) 连续三年…: absent where the notice has no such rule.
    pub consecutive: Option<ConsecutiveRule>,
    pub ban: BanRule,
    /// Bans that differ by cause; a cause without an entry takes `[ban]`.
    #[serde(default)]
    pub ban_by_cause: Vec<CauseBan>,
    pub repair: Option<RepairRule>,
    /// 济宁 三(三): absent where the notice sets no yearly test, whose failure then ends nothing.
    pub training_test: Option<TrainingTestRule>,
    pub agreement: AgreementRule,
    /// 济宁 五(三): absent where the notice has no 30 % cascade.
    pub cascade: Option<CascadeRule>,
    pub watch_list: WatchListRule,
    pub objection: ObjectionRule,
    pub payment: PaymentRule,
    pub notice: NoticeRule,
    pub institution_agreement: InstitutionAgreementRule,
}

fn default_jurisdiction() -> String {
    DEFAULT_JURISDICTION.to_string()
}

/// A ban's range in months and what it cites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRange {
    pub cause: BanCause,
    pub months: u32,
    pub max_months: u32,
    pub article: String,
    pub text: String,
}

impl PolicyPack {
    /// Parses and validates one pack; `source` names the file in errors (every problem, with
    /// its line, as `jifen pack check` prints them).
    pub fn from_toml(source: &str, text: &str) -> Result<Self, RuleError> {
        match check::check(text) {
            (Some(pack), problems) if problems.is_empty() => Ok(pack),
            (_, problems) => {
                let all: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                Err(RuleError::Pack(format!("{source}: {}", all.join("; "))))
            }
        }
    }

    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The highest band whose `min` the total reaches.
    pub fn band_for(&self, total: u32) -> Option<(usize, &Band)> {
        self.bands.iter().enumerate().rev().find(|(_, b)| total >= b.min)
    }

    pub fn in_force_on(&self, d: NaiveDate) -> bool {
        d >= self.effective_from && self.effective_until.is_none_or(|u| d < u)
    }

    /// The ban a termination of this cause carries (`[[ban_by_cause]]`, else `[ban]`).
    pub fn ban_for(&self, cause: BanCause) -> BanRange {
        match self.ban_by_cause.iter().find(|b| b.cause == cause) {
            Some(b) => BanRange {
                cause,
                months: b.years * 12,
                max_months: b.years_max.unwrap_or(b.years).max(b.years) * 12,
                article: b.article.clone(),
                text: b.text.clone(),
            },
            None => BanRange {
                cause,
                months: self.ban.months,
                max_months: self.ban.max_months,
                article: self.ban.article.clone(),
                text: self.ban.text.clone(),
            },
        }
    }

    /// The default pass mark of a year's training test (60 where the pack sets no test).
    pub fn default_pass_mark(&self) -> u32 {
        self.training_test.as_ref().map_or(60, |t| t.default_pass_mark)
    }
}
