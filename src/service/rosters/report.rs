//! The report of a large roster file: the answer carries a summary and the first 100 entries of
//! each list; the full report is kept 7 days and read back whole, or its rejected rows as a file.

use chrono::Duration;
use serde_json::Value;

use super::RosterReport;
use crate::error::{Error, Result};
use crate::service::{Action, App, Caller};
use crate::sheets::export::ExportFormat;
use crate::store::reports;

/// Above this many data rows the answer is a summary.
pub(super) const LARGE_FILE_ROWS: usize = 10_000;
/// Entries of each list the summary keeps.
const LISTED: usize = 100;
/// How long a full report is kept.
const KEPT_DAYS: i64 = 7;

pub(super) fn is_large(report: &Value) -> bool {
    report["rows"].as_u64().is_some_and(|n| n > LARGE_FILE_ROWS as u64)
}

/// A report's JSON with each list cut to its first entries and the report's id.
pub(super) fn summary_of(full: &Value, id: &str) -> Value {
    let mut v = full.clone();
    if let Some(map) = v.as_object_mut() {
        for list in ["added", "changed", "deregistered", "unchanged", "rejected", "warnings"] {
            if let Some(Value::Array(a)) = map.get_mut(list) {
                a.truncate(LISTED);
            }
        }
        map.insert("rejected_csv".into(), Value::Null);
        map.insert("report_id".into(), Value::String(id.to_string()));
    }
    v
}

impl RosterReport {
    pub(super) fn summarise(&mut self, id: String) {
        self.added.truncate(LISTED);
        self.changed.truncate(LISTED);
        self.deregistered.truncate(LISTED);
        self.unchanged.truncate(LISTED);
        self.rejected.truncate(LISTED);
        self.warnings.truncate(LISTED);
        self.rejected_csv = None;
        self.report_id = Some(id);
    }
}

/// A stored report: the full JSON, or its rejected rows as CSV or .xlsx.
pub enum StoredReport {
    Json(Value),
    File(Vec<u8>, ExportFormat),
}

impl App {
    /// Keeps a full report a week (and drops those older than that).
    pub(super) fn keep_report(&self, institution: &str, full: &Value, rejected_csv: Option<&str>) -> Result<String> {
        use rand::RngCore;
        let mut b = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut b);
        let id: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let mut c = self.conn()?;
        reports::purge(&mut c, crate::store::now() - Duration::days(KEPT_DAYS))?;
        let body = serde_json::to_string(full).map_err(|e| Error::Internal(e.into()))?;
        reports::insert(&mut c, &id, institution, "roster", &body, rejected_csv)?;
        Ok(id)
    }

    /// `GET /rosters/{institution_code}/reports/{id}`: for whoever may read that institution's
    /// roster; `format` csv or xlsx gives the rejected rows to fix and upload again.
    pub fn roster_report(
        &self,
        caller: &Caller,
        institution: &str,
        id: &str,
        format: Option<ExportFormat>,
    ) -> Result<StoredReport> {
        caller.require_institution(Action::ExportRoster, institution)?;
        let mut c = self.conn()?;
        let cutoff = crate::store::now() - Duration::days(KEPT_DAYS);
        let r = reports::get(&mut c, id)?
            .filter(|r| r.institution_code == institution && r.created_at >= cutoff)
            .ok_or_else(|| Error::not_found("upload report", "上传报告"))?;
        match format {
            None => Ok(StoredReport::Json(serde_json::from_str(&r.body).map_err(|e| Error::Internal(e.into()))?)),
            Some(fmt) => {
                let csv = r.rejected_csv.unwrap_or_default();
                let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.as_bytes());
                let mut rows: Vec<Vec<String>> = Vec::new();
                for rec in rd.records() {
                    rows.push(rec.map_err(|e| Error::Internal(e.into()))?.iter().map(str::to_string).collect());
                }
                let header: Vec<String> = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                Ok(StoredReport::File(fmt.write(&header, &rows)?, fmt))
            }
        }
    }
}
