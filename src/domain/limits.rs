//! Every limit on what a request may carry, in one place (README "Security" lists them).
//! Hitting one is a 422 (413 for a body, 429 for the public rate, 503 for the upload cap)
//! with the field named and a message in English and Chinese; nothing is written.

use std::ops::RangeInclusive;
use std::time::Duration;

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// A person's or an institution's name, a token's label: characters, not bytes.
pub const NAME_MAX_CHARS: usize = 50;
/// Free text: notes, reasons, grounds, evidence, participants.
pub const TEXT_MAX_CHARS: usize = 2000;
/// A phone number as written (digits, spaces, `+`, `-`).
pub const PHONE_MAX_CHARS: usize = 20;
/// A token's label (`jifen token create --label`).
pub const LABEL_MAX_CHARS: usize = 100;

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

/// The first date any field may hold (birth dates of ID numbers included).
pub const DATE_MIN: NaiveDate = ymd(1900, 1, 1);
/// The last date any field may hold (agreement ends, suspensions, token expiry included).
pub const DATE_MAX: NaiveDate = ymd(2100, 12, 31);
/// The years a working-day calendar may be uploaded for (`POST /calendar/years`).
pub const CALENDAR_YEARS: RangeInclusive<i32> = 2000..=2100;
/// Violations in one inspection (`POST /inspections`, one group of `/inspections/batch`).
pub const VIOLATIONS_PER_INSPECTION_MAX: usize = 200;
/// Data rows in one uploaded file (a city's largest hospital has a few thousand staff; a test
/// centre's year, about 10⁵ results).
pub const FILE_ROWS_MAX: usize = 500_000;
/// Columns of one uploaded file.
pub const FILE_COLUMNS_MAX: usize = 100;
/// Characters in one cell of an uploaded file.
pub const CELL_MAX_CHARS: usize = 2000;

/// A JSON body (every JSON endpoint but claims screening).
pub const JSON_BODY_MAX: usize = 1 << 20;
/// `POST /eligibility/check`: about 250 000 claim lines.
pub const CLAIMS_BODY_MAX: usize = 32 << 20;
/// A spreadsheet upload: rosters, training tests, violations, calendars.
pub const UPLOAD_BODY_MAX: usize = 64 << 20;
/// Uploads read and processed at once; one more is 503 `busy` with `Retry-After`.
pub const UPLOADS_AT_ONCE: usize = 4;
/// `Retry-After` of a 503 `busy`.
pub const UPLOAD_RETRY_AFTER_SECS: u32 = 10;
/// A body must be complete within this time plus one second per [`BODY_MIN_RATE`] bytes
/// received: a body trickled at 1 byte/s is cut off (408) after about 10 s, a 64 MiB upload
/// at 64 KiB/s still gets through.
pub const BODY_GRACE: Duration = Duration::from_secs(10);
/// Bytes a second a slow client must keep up, on average, after [`BODY_GRACE`].
pub const BODY_MIN_RATE: u64 = 64 * 1024;
/// The request line and headers must arrive within this time (actix answers 408).
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// `/api/v1/public/*`: lookups a client address may make at once…
pub const PUBLIC_BURST: u32 = 20;
/// …and one more each this often (20 a minute); over it, 429 with `Retry-After`.
pub const PUBLIC_REFILL: Duration = Duration::from_secs(3);

/// A C0 control character other than tab, CR and LF (NUL among them): refused everywhere,
/// as PostgreSQL cannot store NUL and the others only hide text from the reader.
pub fn is_forbidden_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// 422 `control_character` when `s` holds a forbidden control character.
pub fn check_control(field: &str, s: &str) -> Result<()> {
    if s.chars().any(is_forbidden_control) {
        return Err(control_character(field));
    }
    Ok(())
}

pub fn control_character(field: &str) -> Error {
    Error::invalid(
        "control_character",
        field,
        format!("{field} holds a control character (such as NUL): remove it"),
        format!("{field} 含有控制字符（如 NUL），请删除"),
    )
}

/// Free text of at most `max` characters, without forbidden control characters.
pub fn check_text(field: &str, s: &str, max: usize) -> Result<()> {
    check_control(field, s)?;
    let n = s.chars().count();
    if n > max {
        return Err(Error::invalid(
            "too_long",
            field,
            format!("{field} has {n} characters; at most {max}"),
            format!("{field} 共 {n} 个字符，最多 {max} 个"),
        ));
    }
    Ok(())
}

/// A name: at most [`NAME_MAX_CHARS`], on one line.
pub fn check_name(field: &str, s: &str) -> Result<()> {
    if s.contains(['\t', '\r', '\n']) {
        return Err(control_character(field));
    }
    check_text(field, s, NAME_MAX_CHARS)
}

/// Notes, reasons, grounds, evidence: at most [`TEXT_MAX_CHARS`].
pub fn check_note(field: &str, s: &str) -> Result<()> {
    check_text(field, s, TEXT_MAX_CHARS)
}

/// A phone number: at most [`PHONE_MAX_CHARS`] of digits, spaces, `+` and `-` (so never a
/// spreadsheet formula such as `=1+2`).
pub fn check_phone(field: &str, s: &str) -> Result<()> {
    check_control(field, s)?;
    check_text(field, s, PHONE_MAX_CHARS)?;
    if !s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-')) {
        return Err(Error::invalid(
            "invalid_phone",
            field,
            format!("{field} holds digits, spaces, + and - only"),
            format!("{field} 只能包含数字、空格、+ 和 -"),
        ));
    }
    Ok(())
}

/// Whether a date is inside [`DATE_MIN`]..=[`DATE_MAX`].
pub fn date_in_range(d: NaiveDate) -> bool {
    (DATE_MIN..=DATE_MAX).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits_count_characters() {
        assert!(check_name("name", &"张".repeat(50)).is_ok());
        assert!(check_name("name", &"张".repeat(51)).is_err());
        assert!(check_note("note", "第一行\n第二行\t").is_ok());
        assert!(check_name("name", "张\n三").is_err());
        assert!(check_note("note", "a\u{0}b").is_err());
        assert!(check_phone("phone", "+86 138-0000-0000").is_ok());
        assert!(check_phone("phone", &"1".repeat(21)).is_err());
        assert!(check_phone("phone", "=1+2").is_err() && check_phone("phone", "@SUM(A1)").is_err());
    }

    #[test]
    fn dates_stay_within_two_centuries() {
        assert!(date_in_range(DATE_MIN) && date_in_range(DATE_MAX));
        assert!(!date_in_range(ymd(1899, 12, 31)));
        assert!(!date_in_range(ymd(2101, 1, 1)));
    }
}
