//! The pure rules engine of the 济宁 notice (seeds/003): no I/O, no clock, no database.
//! It takes one practitioner's facts, the policy packs and (for status) a date.

pub mod calendar;
pub mod cascade;
pub mod evaluate;
pub mod explain;
pub mod facts;
pub mod institution;
pub mod pack;
mod sanctions;
pub mod sites;
pub mod status;
pub mod timeline;
pub mod training;
pub mod watch_list;

use chrono::NaiveDate;

pub use evaluate::evaluate;
pub use facts::{
    DeductionFact, InstitutionEvent, InstitutionFacts, PractitionerFacts, RegistrationFact, TestFact, TestFormat,
};
pub use pack::{Dated, PackLibrary, PackSet, PolicyPack, Responsibility, SanctionKind};
pub use status::{status_on, PersonalStatus, StatusOnDate};
pub use timeline::{Sanction, SiteStatus, StatusInterval, Timeline};

include!(concat!(env!("OUT_DIR"), "/data.rs"));

/// Facts that break a rule of the pack, or a pack that is not valid. The engine knows no HTTP:
/// how each variant is answered to a caller (code, field, status) is decided by the error
/// module's `From<RuleError>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("policy pack: {0}")]
    Pack(String),
    #[error("no policy pack is in force on {0}")]
    NoPolicy(NaiveDate),
    #[error("no policy pack of jurisdiction {0}")]
    UnknownJurisdiction(String),
    /// 七: a fact dated before the notice came into force (no retroactive scoring).
    #[error("{} {date} is before {effective_from}, the day the notice came into force ({article} {text}): no retroactive scoring", what.en())]
    NotRetroactive { what: Dated, date: NaiveDate, effective_from: NaiveDate, article: String, text: String },
    #[error("unknown catalogue item {0} in pack {1}")]
    UnknownItem(String, String),
    #[error("a violation must cite at least one item")]
    NoItems,
    #[error("item {0}: {1} points is outside {2}..={3}")]
    PointsOutOfRange(String, u32, u32, u32),
    /// A range item (issue 17) needs the officer's choice of points.
    #[error("item {0} is {1}..={2} points chosen by the officer: points is required")]
    PointsRequired(String, u32, u32),
    /// Points given where the pack fixes them.
    #[error("item {0} is fixed at {1} points: points cannot be chosen")]
    PointsFixed(String, u32),
    #[error("a {given:?} test contradicts the age {age}: {required:?} book is required")]
    FormatContradictsAge { age: i32, required: TestFormat, given: TestFormat, boundary: i32 },
    #[error("a training test is already recorded for {0}")]
    DuplicateTest(i32),
    #[error("no working-day calendar is loaded for {0}")]
    CalendarMissing(i32),
}
