//! China's working days: public holidays and adjusted working days (调休) from the State
//! Council's annual notices (`data/calendar/*.toml`). A date outside the loaded years is an
//! error, never a guess. Used for the 10-working-day objection deadline (六(一)).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

use super::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    source: String,
    holidays: Vec<NaiveDate>,
    workdays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// year → the notice it comes from.
    years: BTreeMap<i32, String>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn from_texts<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, RuleError> {
        let mut cal = Calendar::default();
        for (name, text) in files {
            cal.add_year(name, text)?;
        }
        Ok(cal)
    }

    pub fn embedded() -> Result<Self, RuleError> {
        Self::from_texts(super::EMBEDDED_CALENDARS.iter().copied())
    }

    /// Adds one year's file, refusing dates outside its year or on the wrong kind of day.
    pub fn add_year(&mut self, name: &str, text: &str) -> Result<(), RuleError> {
        let f: YearFile =
            toml::from_str(text).map_err(|e| RuleError::Pack(format!("{name}: {}", e.to_string().trim())))?;
        let err = |m: String| Err(RuleError::Pack(format!("{name}: {m}")));
        if f.source.trim().is_empty() {
            return err("no source line".into());
        }
        for d in f.holidays.iter().chain(&f.workdays) {
            if d.year() != f.year {
                return err(format!("{d} is not in {}", f.year));
            }
        }
        for d in &f.workdays {
            if !is_weekend(*d) {
                return err(format!("adjusted working day {d} is not a Saturday or Sunday"));
            }
            if f.holidays.contains(d) {
                return err(format!("{d} is both a holiday and a working day"));
            }
        }
        self.holidays.retain(|d| d.year() != f.year);
        self.workdays.retain(|d| d.year() != f.year);
        self.holidays.extend(f.holidays);
        self.workdays.extend(f.workdays);
        self.years.insert(f.year, f.source);
        Ok(())
    }

    pub fn years(&self) -> impl Iterator<Item = (&i32, &String)> {
        self.years.iter()
    }

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, RuleError> {
        if !self.years.contains_key(&d.year()) {
            return Err(RuleError::CalendarMissing(d.year()));
        }
        Ok(if self.workdays.contains(&d) { true } else { !is_weekend(d) && !self.holidays.contains(&d) })
    }

    /// The `n`-th working day after `from` (`from` itself not counted).
    pub fn working_days_after(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, RuleError> {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().ok_or(RuleError::CalendarMissing(d.year()))?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        if !self.years.contains_key(&d.year()) {
            return Err(RuleError::CalendarMissing(d.year()));
        }
        Ok(d)
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn holidays_and_adjusted_weekends() {
        let c = Calendar::embedded().unwrap();
        // 2024 Spring Festival: Feb 10–17 off, Sun Feb 4 and Sun Feb 18 worked.
        assert!(!c.is_working_day(d("2024-02-12")).unwrap());
        assert!(c.is_working_day(d("2024-02-04")).unwrap());
        assert!(c.is_working_day(d("2024-02-18")).unwrap());
        assert!(!c.is_working_day(d("2024-02-03")).unwrap(), "an ordinary Saturday");
        // 2025 National Day: Oct 1–8 off, Sat Oct 11 worked.
        assert!(!c.is_working_day(d("2025-10-08")).unwrap());
        assert!(c.is_working_day(d("2025-10-11")).unwrap());
        // 2026: Jan 1–3 off, Sun Jan 4 worked.
        assert!(!c.is_working_day(d("2026-01-02")).unwrap());
        assert!(c.is_working_day(d("2026-01-04")).unwrap());
    }

    #[test]
    fn ten_working_days_over_a_holiday() {
        let c = Calendar::embedded().unwrap();
        // Notice on Fri 2024-09-27: Sun 9-29 worked, Oct 1–7 off, Sat 10-12 worked.
        // 9-29(1) 9-30(2) 10-8(3) 10-9(4) 10-10(5) 10-11(6) 10-12(7) 10-14(8) 10-15(9) 10-16(10)
        assert_eq!(c.working_days_after(d("2024-09-27"), 10).unwrap(), d("2024-10-16"));
        // An ordinary fortnight.
        assert_eq!(c.working_days_after(d("2024-03-01"), 10).unwrap(), d("2024-03-15"));
        // Spring Festival 2025: notice Mon 1-27; Jan 28–Feb 4 off, Sat Feb 8 worked.
        // 2-5(1) 2-6(2) 2-7(3) 2-8(4) 2-10(5) 2-11(6) 2-12(7) 2-13(8) 2-14(9) 2-17(10)
        assert_eq!(c.working_days_after(d("2025-01-27"), 10).unwrap(), d("2025-02-17"));
    }

    #[test]
    fn outside_the_loaded_years_is_an_error() {
        let c = Calendar::embedded().unwrap();
        assert!(matches!(c.is_working_day(d("2027-01-04")), Err(RuleError::CalendarMissing(2027))));
        assert!(c.working_days_after(d("2026-12-28"), 10).is_err());
        assert!(c.is_working_day(d("2023-12-29")).is_err());
    }
}

/// Every date of the reference table gathered from the State Council notices
/// (`tests/fixtures/holidays_reference.md`, a copy of the reference gathered for the project, read independently of `data/calendar/`).
#[cfg(test)]
mod against_the_reference {
    use super::*;

    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    fn month(s: &str) -> u32 {
        MONTHS.iter().position(|m| *m == s).map(|p| p as u32 + 1).unwrap()
    }

    /// "Feb 10–17", "Jan 28–Feb 4", "Jan 1" → every date.
    fn dates(year: i32, list: &str) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        for part in list.split(';').flat_map(|p| p.split(',')).map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = part.split_once('–').unwrap_or((part, part));
            let mut a_it = a.split_whitespace();
            let m1 = month(a_it.next().unwrap());
            let d1: u32 = a_it.next().unwrap().parse().unwrap();
            let b_parts: Vec<&str> = b.split_whitespace().collect();
            let (m2, d2) = if b_parts.len() == 2 {
                (month(b_parts[0]), b_parts[1].parse().unwrap())
            } else {
                (m1, b_parts[0].parse().unwrap())
            };
            let mut d = NaiveDate::from_ymd_opt(year, m1, d1).unwrap();
            let end = NaiveDate::from_ymd_opt(year, m2, d2).unwrap();
            while d <= end {
                out.push(d);
                d = d.succ_opt().unwrap();
            }
        }
        out
    }

    #[test]
    fn every_holiday_and_adjusted_working_day_of_2024_to_2026() {
        let reference = include_str!("../../tests/fixtures/holidays_reference.md");
        let cal = Calendar::embedded().unwrap();
        let mut checked = 0;
        for line in reference.lines().filter(|l| l.starts_with("| 202")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let year: i32 = cells[1].parse().unwrap();
            for d in dates(year, cells[3]) {
                assert!(!cal.is_working_day(d).unwrap(), "{d} is a holiday");
                checked += 1;
            }
            for d in dates(year, cells[4]) {
                assert!(cal.is_working_day(d).unwrap(), "{d} is an adjusted working day");
                assert!(matches!(d.weekday(), Weekday::Sat | Weekday::Sun), "{d}");
                checked += 1;
            }
        }
        assert!(checked > 90, "{checked}");
        // And the files hold nothing the notices do not say.
        for y in 2024..=2026 {
            let mut d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            while d.year() == y {
                let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                let line = reference.lines().find(|l| l.starts_with(&format!("| {y}"))).unwrap();
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let expected = if dates(y, cells[3]).contains(&d) {
                    false
                } else if dates(y, cells[4]).contains(&d) {
                    true
                } else {
                    !weekend
                };
                assert_eq!(cal.is_working_day(d).unwrap(), expected, "{d}");
                d = d.succ_opt().unwrap();
            }
        }
    }
}
