//! Calendar dates. Every date in jifen is a local date in China (UTC+8).

use chrono::{Datelike, FixedOffset, Months, NaiveDate, Utc};

use crate::error::types::Error;

/// `d` plus `n` calendar months, the day clamped to the month's end (DESIGN.md "Periods":
/// 2025-01-31 + 1 month = 2025-02-28).
pub fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    // chrono's checked_add_months clamps to the last day of the month already.
    d.checked_add_months(Months::new(n)).unwrap_or(NaiveDate::MAX)
}

/// Whole years of age on `on` for a person born on `birth` (the birthday itself counts).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Today in China.
pub fn today_china() -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    Utc::now().with_timezone(&offset).date_naive()
}

/// Parses `YYYY-MM-DD`, naming the field when it is not a date. Every date of a request goes
/// through here, and is refused (422 `date_out_of_range`) outside
/// [`DATE_MIN`](crate::domain::limits::DATE_MIN)..=[`DATE_MAX`](crate::domain::limits::DATE_MAX),
/// 1900-01-01 to 2100-12-31: a 9999-12-31 agreement end or a year 0 is a typing slip, not a
/// plan (issue 12).
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, Error> {
    use crate::domain::limits::{date_in_range, DATE_MAX, DATE_MIN};
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid(
            "invalid_date",
            field,
            format!("{field}: '{s}' is not a date (YYYY-MM-DD)"),
            format!("{field}：'{s}' 不是有效日期（格式 YYYY-MM-DD）"),
        )
    })?;
    if !date_in_range(d) {
        return Err(Error::invalid(
            "date_out_of_range",
            field,
            format!("{field}: {d} is outside {DATE_MIN}..{DATE_MAX}"),
            format!("{field}：{d} 超出允许范围（{DATE_MIN} 至 {DATE_MAX}）"),
        ));
    }
    Ok(d)
}

pub fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_end_is_clamped() {
        assert_eq!(add_months(d("2025-01-31"), 1), d("2025-02-28"));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2024-11-30"), 3), d("2025-02-28"));
        assert_eq!(add_months(d("2024-08-31"), 6), d("2025-02-28"));
        assert_eq!(add_months(d("2024-02-29"), 24), d("2026-02-28"));
        assert_eq!(add_months(d("2024-04-15"), 3), d("2024-07-15"));
    }

    #[test]
    fn dates_outside_two_centuries_are_refused() {
        assert!(parse_date("on", "1900-01-01").is_ok() && parse_date("on", "2100-12-31").is_ok());
        for s in ["9999-12-31", "0000-01-01", "-0001-01-01", "1899-12-31", "2101-01-01"] {
            assert!(parse_date("on", s).is_err(), "{s}");
        }
    }

    #[test]
    fn age_counts_the_birthday() {
        assert_eq!(age_on(d("1974-06-01"), d("2024-05-31")), 49);
        assert_eq!(age_on(d("1974-06-01"), d("2024-06-01")), 50);
        assert_eq!(age_on(d("1976-02-29"), d("2026-02-28")), 49);
        assert_eq!(age_on(d("1976-02-29"), d("2026-03-01")), 50);
    }
}
