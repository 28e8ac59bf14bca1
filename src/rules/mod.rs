//! The pure rules engine of the 济宁 notice (seeds/003): no I/O, no clock, no database.
//! It takes one practitioner's facts, the policy packs and (for status) a date.

pub mod calendar;
pub mod cascade;
pub mod evaluate;
pub mod explain;
pub mod facts;
pub mod institution;
pub mod pack;
pub mod status;
pub mod timeline;
pub mod training;
pub mod watch_list;

use chrono::NaiveDate;

use crate::error::{ClientError, Kind};
pub use evaluate::evaluate;
pub use facts::{
    DeductionFact, InstitutionEvent, InstitutionFacts, PractitionerFacts, RegistrationFact, TestFact, TestFormat,
};
pub use pack::{PackSet, PolicyPack, SanctionKind};
pub use status::{status_on, PersonalStatus, StatusOnDate};
pub use timeline::{Sanction, SiteStatus, StatusInterval, Timeline};

include!(concat!(env!("OUT_DIR"), "/data.rs"));

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("policy pack: {0}")]
    Pack(String),
    #[error("no policy pack is in force on {0}")]
    NoPolicy(NaiveDate),
    #[error("unknown catalogue item {0} in pack {1}")]
    UnknownItem(String, String),
    #[error("a violation must cite at least one item")]
    NoItems,
    #[error("item {0}: {1} points is outside {2}..={3}")]
    PointsOutOfRange(String, u32, u32, u32),
    #[error("a {given:?} test contradicts the age {age}: {required:?} book is required")]
    FormatContradictsAge { age: i32, required: TestFormat, given: TestFormat, boundary: i32 },
    #[error("a training test is already recorded for {0}")]
    DuplicateTest(i32),
    #[error("no working-day calendar is loaded for {0}")]
    CalendarMissing(i32),
}

impl RuleError {
    pub fn into_client(self) -> ClientError {
        let unp = |code, en: String, zh: String, field: &str| {
            ClientError::new(Kind::Unprocessable, code, en, zh).field(field)
        };
        match &self {
            RuleError::Pack(m) => unp("invalid_policy", m.clone(), format!("政策包错误：{m}"), "policy"),
            RuleError::NoPolicy(d) => unp(
                "no_policy_in_force",
                self.to_string(),
                format!("{d}没有生效的记分政策"),
                "decided_on",
            ),
            RuleError::UnknownItem(code, pack) => unp(
                "unknown_item",
                self.to_string(),
                format!("扣分情形 {code} 不在记分目录（{pack}）中"),
                "items",
            ),
            RuleError::NoItems => unp("no_items", self.to_string(), "违规行为至少应列明一项扣分情形".into(), "items"),
            RuleError::PointsOutOfRange(code, p, lo, hi) => unp(
                "points_out_of_range",
                self.to_string(),
                format!("扣分情形 {code} 的分值 {p} 超出 {lo}-{hi} 分"),
                "points",
            ),
            RuleError::FormatContradictsAge { age, required, boundary, .. } => unp(
                "format_contradicts_age",
                format!(
                    "the person is {age} on the test date: a {} book test is required (open book from {boundary}, 三(三))",
                    required.as_str()
                ),
                format!(
                    "测试日年龄{age}周岁，应采取{}形式（{boundary}周岁以上含{boundary}周岁开卷，三(三)）",
                    if *required == TestFormat::Open { "开卷" } else { "闭卷" }
                ),
                "format",
            ),
            RuleError::DuplicateTest(y) => ClientError::new(
                Kind::Conflict,
                "duplicate_test",
                format!("a training test is already recorded for this person in {y} (once a year, 三(三))"),
                format!("该人员{y}年度已有测试记录（原则上每年1次，三(三)）"),
            )
            .field("tested_on"),
            RuleError::CalendarMissing(y) => unp(
                "calendar_missing",
                format!("no working-day calendar is loaded for {y}; an admin must upload that year's holidays"),
                format!("未载入{y}年度节假日安排，请管理员上传该年度日历"),
                "date",
            ),
        }
    }
}
