//! 三(三): the annual training test — closed book under 50, open book from 50.

use chrono::{Datelike, NaiveDate};

use super::facts::{TestFact, TestFormat};
use super::pack::PolicyPack;
use super::RuleError;
use crate::domain::dates::age_on;

pub fn required_format(pack: &PolicyPack, birth: NaiveDate, tested_on: NaiveDate) -> TestFormat {
    if age_on(birth, tested_on) >= pack.training_test.open_book_from_age {
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
    let required = required_format(pack, birth, tested_on);
    if format != required {
        return Err(RuleError::FormatContradictsAge {
            age: age_on(birth, tested_on),
            required,
            given: format,
            boundary: pack.training_test.open_book_from_age,
        });
    }
    if earlier.iter().any(|t| t.tested_on.year() == tested_on.year()) {
        return Err(RuleError::DuplicateTest(tested_on.year()));
    }
    Ok(())
}
