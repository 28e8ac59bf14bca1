//! What the engine is given: one practitioner's facts as recorded in the ledger.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A registration (登记备案) at one site; `deregistered_on` is the first day no longer registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationFact {
    pub id: i64,
    pub institution_code: String,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
}

impl RegistrationFact {
    pub fn in_force_on(&self, d: NaiveDate) -> bool {
        self.registered_on <= d && self.deregistered_on.is_none_or(|e| d < e)
    }
}

/// One violation's deduction. `inspection` orders inspections decided on the same day by the
/// order they were recorded (DESIGN.md "As-of questions").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionFact {
    pub id: i64,
    pub inspection: i64,
    pub institution_code: String,
    pub decided_on: NaiveDate,
    pub items: Vec<String>,
    /// The officer's choice for range items (other packs); `None` for fixed items.
    pub chosen_points: Option<u32>,
    /// The officer's choice of ban length (五(二): 1 or 2 years) should this deduction terminate.
    pub ban_months: Option<u32>,
    pub revoked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestFormat {
    Closed,
    Open,
}

impl TestFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TestFormat::Closed => "closed",
            TestFormat::Open => "open",
        }
    }
}

/// The annual training test (三(三)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestFact {
    pub id: i64,
    pub tested_on: NaiveDate,
    pub format: TestFormat,
    /// As the test centre gave it, decimals kept.
    pub score: Option<crate::domain::Score>,
    pub passed: bool,
}

/// A change of an institution agreement (医保协议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum InstitutionEvent {
    /// `until` is the first day back in force; `None` until a restore. `lapses_on`: a
    /// suspension the institution requested terminates by itself that day unless resumed
    /// before (聊城 第二十九条).
    Suspend {
        from: NaiveDate,
        until: Option<NaiveDate>,
        lapses_on: Option<NaiveDate>,
    },
    Restore {
        on: NaiveDate,
    },
    Terminate {
        on: NaiveDate,
    },
    /// A new term `[start, end]` (end included), the day after the last (续签).
    Renew {
        start: NaiveDate,
        end: NaiveDate,
    },
    /// Not renewed (不再续签): the agreement ends with its term, or on `on` when decided later.
    NotRenewed {
        on: NaiveDate,
    },
    /// The inspection (验收) after a suspension, where the rules require one (吉林 第四十六条):
    /// passed, the agreement continues from `on`; failed, it is terminated that day.
    Inspected {
        on: NaiveDate,
        passed: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionFacts {
    pub code: String,
    pub agreement_start: NaiveDate,
    /// Last day of the agreement's term.
    pub agreement_end: NaiveDate,
    /// In recorded order.
    pub events: Vec<InstitutionEvent>,
}

/// Everything the engine needs about one practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PractitionerFacts {
    pub personnel_code: String,
    pub birth_date: NaiveDate,
    pub registrations: Vec<RegistrationFact>,
    pub deductions: Vec<DeductionFact>,
    pub tests: Vec<TestFact>,
    /// The institutions of the person's sites.
    pub institutions: Vec<InstitutionFacts>,
}
