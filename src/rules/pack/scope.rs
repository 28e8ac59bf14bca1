//! Where, when and to whom a pack applies, and what follows a termination or a repair:
//! jurisdiction-independent pieces that differ between cities (issue 17).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why a person's agreements were terminated: the ban can differ by cause (天津: 1 year when
/// 12 was reached over time, 3 years for a single 12-point deduction; 上海: fraud 3 years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanCause {
    /// The cycle total reached the termination band over several deductions.
    Accumulated,
    /// One deduction alone was worth the whole cycle (一次性记满12分).
    SingleDeduction,
    /// A deduction citing an item marked `fraud`.
    Fraud,
}

impl BanCause {
    pub fn as_str(self) -> &'static str {
        match self {
            BanCause::Accumulated => "accumulated",
            BanCause::SingleDeduction => "single_deduction",
            BanCause::Fraud => "fraud",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            BanCause::Accumulated => "累计记满",
            BanCause::SingleDeduction => "一次性记满",
            BanCause::Fraud => "欺诈骗保",
        }
    }
}

/// A ban of `years..=years_max` for one cause; without an entry the pack's `[ban]` applies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CauseBan {
    pub cause: BanCause,
    pub years: u32,
    pub years_max: Option<u32>,
    pub article: String,
    pub text: String,
}

/// Point repair (修复): credit per qualifying activity, capped per cycle.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RepairRule {
    /// Points given back per activity.
    pub credit: u32,
    /// At most this many points given back in one cycle.
    pub cap_per_cycle: u32,
    pub activities: Vec<String>,
    /// Whether the registration status may be re-adjusted after a repair.
    #[serde(default)]
    pub readjusts_status: bool,
    pub article: String,
    pub text: String,
}

/// A trial period (试行) and the conduct it applies to (湖南: from 2025-03-01 for 2 years, for
/// conduct on or after 2025-01-01).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrialRule {
    pub years: u32,
    /// Conduct before this day is not scored under the pack.
    pub conduct_from: Option<NaiveDate>,
    pub article: String,
    pub text: String,
}

/// Who at a pharmacy is covered (其主要负责人 only, or its pharmacists too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PharmacyCoverage {
    PrincipalOnly,
    PrincipalAndPharmacists,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub pharmacy: PharmacyCoverage,
    pub article: String,
    pub text: String,
}
