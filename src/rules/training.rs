//! 三(三): the annual training test — closed book under 50, open book from 50.

use chrono::{Datelike, NaiveDate};

use super::facts::{TestFact, TestFormat};
use super::pack::PolicyPack;
use super::RuleError;
use crate::domain::dates::age_on;

pub fn required_format(pack: &PolicyPack, birth: NaiveDate, tested_on: NaiveDate) -> TestFormat {
    let from = pack.training_test.as_ref().map_or(i32::MAX, |t| t.open_book_from_age);
    if age_on(birth, tested_on) >= from {
        TestFormat::Open
    } else {
        TestFormat::Closed
    }
}

/// Refuses a test whose format contradicts the age, or a second test in the same year.
pub fn check(
    pack: &PolicyPack,
    birth: NaiveDate,
    earlier: &[TestFact],
    tested_on: NaiveDate,
    format: TestFormat,
) -> Result<(), RuleError> {
    check_retake(pack, birth, earlier, tested_on, format, false)
}

/// [`check`], where `retake` is a re-sit an admin records with its reason: 三(三) 原则上每年
/// 参加1次 — "in principle" once a year, so a second test in a year is refused unless the
/// agency allowed it. A re-sit does not undo an earlier fail: 测试未合格者…1年内不再与其签订
/// 服务协议 (a test recorded wrongly is revoked instead).
pub fn check_retake(
    pack: &PolicyPack,
    birth: NaiveDate,
    earlier: &[TestFact],
    tested_on: NaiveDate,
    format: TestFormat,
    retake: bool,
) -> Result<(), RuleError> {
    let required = required_format(pack, birth, tested_on);
    // A pack with no yearly test (its `training_test` absent) sets no format by age.
    if let Some(rule) = pack.training_test.as_ref().filter(|_| format != required) {
        return Err(RuleError::FormatContradictsAge {
            age: age_on(birth, tested_on),
            required,
            given: format,
            boundary: rule.open_book_from_age,
        });
    }
    if !retake && earlier.iter().any(|t| t.tested_on.year() == tested_on.year()) {
        return Err(RuleError::DuplicateTest(tested_on.year()));
    }
    Ok(())
}

/// A year's standing in the training test (三(三)), as the person's page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearResult {
    /// The year's latest test was passed.
    Passed,
    /// The year's latest test was failed (a fail terminates, 三(三)).
    Failed,
    /// 缺考: absent, and no test sat since. Not a pass, not a result: the year's test is still
    /// to be sat, and nothing is terminated for it (the notice terminates for a fail only).
    Absent,
    /// Nothing recorded for the year.
    NotTested,
}

/// The standing of `year` from the tests (not revoked) and the days the person was absent.
pub fn year_result(tests: &[TestFact], absences: &[NaiveDate], year: i32) -> YearResult {
    let latest_test = tests.iter().filter(|t| t.tested_on.year() == year).max_by_key(|t| (t.tested_on, t.id));
    let latest_absence = absences.iter().filter(|d| d.year() == year).max();
    match (latest_test, latest_absence) {
        (Some(t), Some(a)) if *a > t.tested_on => YearResult::Absent,
        (Some(t), _) if t.passed => YearResult::Passed,
        (Some(_), _) => YearResult::Failed,
        (None, Some(_)) => YearResult::Absent,
        (None, None) => YearResult::NotTested,
    }
}
