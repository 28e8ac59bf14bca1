//! The working-day calendar: the embedded years and those an admin uploads (六(一) deadlines).

use chrono::NaiveDate;

use super::{Action, App, Caller, Lock};
use crate::error::{Error, Result};
use crate::rules::calendar::Calendar;
use crate::rules::RuleError;
use crate::store::facts;

impl App {
    /// `GET /calendar/working-days`: the `n`-th working day after `from` (六(一)).
    pub fn working_days(&self, caller: &Caller, from: NaiveDate, n: u32) -> Result<NaiveDate> {
        caller.permit(Action::ReadCalendar)?;
        Ok(self.working_days_after(from, n)?)
    }

    pub fn working_days_after(&self, from: NaiveDate, n: u32) -> std::result::Result<NaiveDate, RuleError> {
        match self.calendar.read() {
            Ok(c) => c.working_days_after(from, n),
            Err(_) => Err(RuleError::CalendarMissing(chrono::Datelike::year(&from))),
        }
    }

    pub(crate) fn load_uploaded_calendars(&self) -> Result<()> {
        let mut c = self.conn()?;
        let years = facts::calendar_years(&mut c)?;
        let mut cal = self.calendar.write().map_err(|_| Error::Internal(anyhow::anyhow!("calendar lock poisoned")))?;
        for (year, body) in years {
            // Checked when uploaded; a file that no longer parses is skipped, never guessed.
            if let Err(e) = cal.add_year(&format!("upload of {year}"), &body) {
                tracing::warn!(year, error = %e, "an uploaded calendar no longer loads");
            }
        }
        Ok(())
    }

    /// Checks a year's file like the embedded ones, records it and puts it in force. Returns the year.
    pub fn upload_calendar(&self, caller: &Caller, text: &str) -> Result<i32> {
        caller.permit(Action::UploadCalendar)?;
        let mut probe = Calendar::default();
        probe
            .add_year("upload", text)
            .map_err(|e| Error::invalid("invalid_calendar", "body", format!("{e}"), format!("日历文件有误：{e}")))?;
        let (year, source) = probe.years().next().map(|(y, s)| (*y, s.clone())).ok_or_else(|| {
            Error::invalid("invalid_calendar", "year", "the file names no year", "日历文件未写明年份")
        })?;
        if !crate::domain::limits::CALENDAR_YEARS.contains(&year) {
            let (lo, hi) = (crate::domain::limits::CALENDAR_YEARS.start(), crate::domain::limits::CALENDAR_YEARS.end());
            return Err(Error::invalid(
                "year_out_of_range",
                "year",
                format!("a calendar is for a year {lo}..={hi}, not {year}"),
                format!("日历年份应在 {lo} 至 {hi} 之间，而非 {year}"),
            ));
        }
        self.write(caller, &[Lock::CalendarYear(year)], |c, touched| {
            // The row's id, not the year: the chain links and the audit name rows by id (a
            // re-upload of a year is a new row).
            let id = facts::insert_calendar_year(c, year, &source, text)?;
            touched.fact("calendar_years", id);
            Ok(())
        })?;
        let mut cal = self.calendar.write().map_err(|_| Error::Internal(anyhow::anyhow!("calendar lock poisoned")))?;
        cal.add_year(&format!("upload of {year}"), text).map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
        Ok(year)
    }
}
