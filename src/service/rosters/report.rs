//! The report of a roster file: the answer carries a summary and the first 100 entries of each
//! list when the file has more than 10 000 rows; the full report is kept 7 days and read back
//! whole, or its rejected rows as a file. A large report is written from the check's spools
//! straight into the database in parts of about 1 MiB — never built in memory.

use chrono::Duration;
use diesel::Connection;

use super::check::Lists;
use super::spool::{copy, io, write_json_string, LISTED};
use super::RosterReport;
use crate::error::{Error, Result};
use crate::service::{Action, App, Caller};
use crate::sheets::export::ExportFormat;
use crate::store::{reports, DbConn};

/// Above this many data rows the answer is a summary.
pub(super) const LARGE_FILE_ROWS: usize = 10_000;
/// How long a full report is kept.
const KEPT_DAYS: i64 = 7;
/// The size of one stored part of a large report.
const PART_BYTES: usize = 1 << 20;

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

/// A stored report: the full JSON text, or its rejected rows as CSV or .xlsx.
pub enum StoredReport {
    Json(String),
    File(Vec<u8>, ExportFormat),
}

fn new_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Text written to the database a part at a time, each part ending on a character boundary.
struct Parts<'a> {
    c: &'a mut DbConn,
    id: &'a str,
    which: &'static str,
    seq: i32,
    buf: Vec<u8>,
}

impl<'a> Parts<'a> {
    fn new(c: &'a mut DbConn, id: &'a str, which: &'static str) -> Self {
        Parts { c, id, which, seq: 0, buf: Vec::with_capacity(PART_BYTES + 64 * 1024) }
    }

    fn write(&mut self, b: &[u8]) -> Result<()> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= PART_BYTES {
            let cut = match std::str::from_utf8(&self.buf) {
                Ok(_) => self.buf.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => return Err(io(e)),
            };
            self.flush(cut)?;
        }
        Ok(())
    }

    fn flush(&mut self, cut: usize) -> Result<()> {
        let text = std::str::from_utf8(&self.buf[..cut]).map_err(io)?;
        reports::insert_part(self.c, self.id, self.which, self.seq, text)?;
        self.seq += 1;
        self.buf.drain(..cut);
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        if !self.buf.is_empty() {
            let n = self.buf.len();
            self.flush(n)?;
        }
        Ok(())
    }
}

impl App {
    /// Keeps a report (of a file of at most 10 000 rows, whole in memory) a week, and drops
    /// those older than that.
    pub(super) fn keep_report(&self, institution: &str, report: &RosterReport) -> Result<String> {
        let id = new_id();
        let body = serde_json::to_string(report).map_err(|e| Error::Internal(e.into()))?;
        let mut c = self.conn()?;
        reports::purge(&mut c, crate::store::now() - Duration::days(KEPT_DAYS))?;
        reports::insert(&mut c, &id, institution, "roster", &body, report.rejected_csv.as_deref())?;
        Ok(id)
    }

    /// Keeps the full report of a large file a week: `report`'s own fields, every entry of each
    /// list from the check's spools, and the rejected rows as CSV, written in parts.
    pub(super) fn keep_large_report(&self, institution: &str, report: &RosterReport, lists: Lists) -> Result<String> {
        let id = new_id();
        let mut head = serde_json::to_value(report).map_err(|e| Error::Internal(e.into()))?;
        let Some(fields) = head.as_object_mut() else {
            return Err(Error::Internal(anyhow::anyhow!("a report is a JSON object")));
        };
        fields.remove("report_id");
        let Lists { added, changed, deregistered, unchanged, rejected, warnings, rejected_csv } = lists;
        let mut c = self.conn()?;
        reports::purge(&mut c, crate::store::now() - Duration::days(KEPT_DAYS))?;
        c.transaction::<_, Error, _>(|c| {
            let mut body = Parts::new(c, &id, reports::PART_BODY);
            let mut out = |b: &[u8]| body.write(b);
            out(b"{")?;
            let mut first = true;
            let mut key = |out: &mut dyn FnMut(&[u8]) -> Result<()>, k: &str| -> Result<()> {
                if !std::mem::take(&mut first) {
                    out(b",")?;
                }
                out(serde_json::to_string(k).map_err(io)?.as_bytes())?;
                out(b":")
            };
            for (k, v) in fields.iter() {
                if matches!(k.as_str(), "added" | "changed" | "deregistered" | "unchanged" | "rejected" | "warnings")
                    || k == "rejected_csv"
                {
                    continue;
                }
                key(&mut out, k)?;
                out(serde_json::to_string(v).map_err(io)?.as_bytes())?;
            }
            key(&mut out, "added")?;
            added.write_json(&mut out)?;
            key(&mut out, "changed")?;
            changed.write_json(&mut out)?;
            key(&mut out, "deregistered")?;
            deregistered.write_json(&mut out)?;
            key(&mut out, "unchanged")?;
            unchanged.write_json(&mut out)?;
            key(&mut out, "rejected")?;
            rejected.write_json(&mut out)?;
            key(&mut out, "warnings")?;
            warnings.write_json(&mut out)?;
            key(&mut out, "rejected_csv")?;
            let csv = match rejected_csv {
                None => {
                    out(b"null")?;
                    None
                }
                Some(spool) => {
                    let mut r = spool.reader()?;
                    write_json_string(&mut r, &mut out)?;
                    Some(r)
                }
            };
            out(b"}")?;
            body.finish()?;
            if let Some(mut r) = csv {
                use std::io::Seek;
                r.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
                let mut parts = Parts::new(c, &id, reports::PART_CSV);
                copy(r, &mut |b: &[u8]| parts.write(b))?;
                parts.finish()?;
            }
            // The report row last: a report is readable once all its parts are there.
            reports::insert_parted(c, &id, institution, "roster")?;
            Ok(())
        })?;
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
            None if r.is_parted() => Ok(StoredReport::Json(reports::parts(&mut c, id, reports::PART_BODY)?)),
            None => Ok(StoredReport::Json(r.body)),
            Some(fmt) => {
                let csv = match r.is_parted() {
                    true => reports::parts(&mut c, id, reports::PART_CSV)?,
                    false => r.rejected_csv.unwrap_or_default(),
                };
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
