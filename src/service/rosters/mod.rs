//! Roster upload (全量维护, 附件1): HR's staff list from Excel — preview, then commit all or
//! nothing (or the good rows, returning the rejected ones as a CSV to fix and re-upload).
//! `delta` applies each row's 操作 (新增/变更/注销, default: add or update); `snapshot` also
//! deregisters the institution's staff missing from the file. The same file twice changes
//! nothing the second time.
//!
//! A file goes through `check` (read once, a chunk of rows at a time: `row` checks each row on
//! its own, `dedup` the rows before it, `plan` the ledger, pure), `report` (the answer, and the
//! full report of a large file kept a week) and `commit` (one transaction, applied in chunks).

mod check;
mod commit;
mod dedup;
mod plan;
mod report;
mod row;
mod spool;

use std::io::Read;

use chrono::NaiveDate;
use serde::Serialize;

use super::{App, Caller};
use crate::error::{Error, Result};
use crate::sheets::upload::{Rejection, SkippedRows};
use check::Checked;
pub use report::StoredReport;
pub use row::ROSTER_COLUMNS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RosterMode {
    Delta,
    Snapshot,
}

impl RosterMode {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s.unwrap_or("delta") {
            "delta" => Ok(RosterMode::Delta),
            "snapshot" => Ok(RosterMode::Snapshot),
            other => Err(Error::invalid(
                "invalid_mode",
                "mode",
                format!("mode '{other}' is delta or snapshot"),
                format!("模式 '{other}' 应为 delta（增量）或 snapshot（全量）"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct UploadOptions {
    pub mode: RosterMode,
    pub commit: bool,
    pub partial: bool,
    /// A snapshot that deregisters people from a file without data rows, or more than a fifth
    /// of the staff, is written only with the count the preview showed.
    pub confirm_deregister: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowRef {
    pub row: Option<u64>,
    pub personnel_code: String,
    pub name: String,
    /// Changed fields (changes only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
    /// Filed while a ban of 五(二) runs: registration recorded, no agreement until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned_until: Option<NaiveDate>,
    /// A returning staff member: the registration starts when the previous one ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub deregistered: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RosterReport {
    pub institution_code: String,
    pub mode: RosterMode,
    pub encoding: &'static str,
    pub rows: usize,
    pub commit: bool,
    /// Whether anything was written.
    pub committed: bool,
    pub counts: Counts,
    pub added: Vec<RowRef>,
    pub changed: Vec<RowRef>,
    pub deregistered: Vec<RowRef>,
    pub unchanged: Vec<u64>,
    pub rejected: Vec<Rejection>,
    pub unknown_columns: Vec<String>,
    /// The spreadsheet row that holds the header (title rows above it are passed over).
    pub header_row: u64,
    /// Rows passed over: empty, 合计, 注：, 填表人 … Never rejections.
    pub skipped: Vec<SkippedRows>,
    /// Values converted or worth a look (Excel's harmless damage, a wrong phone number), on rows
    /// that were not refused for them.
    pub warnings: Vec<Rejection>,
    /// The rejected rows with a 错误原因 column, to fix and upload again.
    pub rejected_csv: Option<String>,
    /// Set when committing this snapshot needs `confirm_deregister` equal to this count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmation_required: Option<usize>,
    /// A large file: the lists hold the first 100 entries each; the full report (every row, the
    /// rejected rows as CSV or .xlsx) is at `GET /rosters/{institution_code}/reports/{report_id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
}

impl App {
    /// Reads, checks and (when asked) applies a roster file. `progress` is told each row read.
    /// A file of more than 10 000 rows is answered with a summary and its first 100 rejections;
    /// the full report is kept 7 days (`report_id`, [`App::roster_report`]). The file is read
    /// once, a chunk of rows at a time (`check`), and nothing grows with its size but the
    /// compact duplicate sets: the report's lists and the writes are spooled to temporary files.
    pub fn upload_roster(
        &self,
        caller: &Caller,
        institution: &str,
        input: impl Read + Send + 'static,
        opts: UploadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RosterReport> {
        let institution = institution.trim().to_ascii_uppercase();
        let checked = self.check_roster(caller, &institution, input, opts, progress)?;
        let Checked { mut report, lists, stage, snapshot_out, leaving, today } = checked;
        let refusal = refusal(&report, opts, leaving);
        let writes = report.counts.added + report.counts.changed + report.counts.deregistered;
        if refusal.is_none() && opts.commit && writes > 0 {
            self.commit_roster(caller, &institution, stage, &snapshot_out, today)?;
            report.committed = true;
        }
        drop(snapshot_out);
        let large = report.rows > report::LARGE_FILE_ROWS;
        match refusal {
            None if large => {
                let id = self.keep_large_report(&institution, &report, lists)?;
                report.summarise(id);
                Ok(report)
            }
            // Rejected rows are also kept a week, so they can be fetched as .xlsx to fix.
            None if report.rejected_csv.is_some() && !self.read_only => {
                report.report_id = Some(self.keep_report(&institution, &report)?);
                Ok(report)
            }
            None => Ok(report),
            Some(refused) => {
                if large {
                    let id = self.keep_large_report(&institution, &report, lists)?;
                    report.summarise(id);
                }
                Err(refused.error(&report))
            }
        }
    }
}

/// Why a commit that was asked for is not written.
enum Refusal {
    /// Rows were rejected and `partial` was not given.
    Rejected,
    /// A snapshot deregisters many people: their count and names.
    Confirm(usize, Vec<String>),
}

fn refusal(report: &RosterReport, opts: UploadOptions, leaving: Vec<String>) -> Option<Refusal> {
    let writes = report.counts.added + report.counts.changed + report.counts.deregistered;
    let rejected = report.counts.rejected > 0 || !report.rejected.is_empty();
    if !opts.commit || writes == 0 && !rejected {
        return None;
    }
    if rejected && !opts.partial {
        return Some(Refusal::Rejected);
    }
    if writes == 0 {
        return None;
    }
    report.confirmation_required.filter(|n| opts.confirm_deregister != Some(*n)).map(|n| Refusal::Confirm(n, leaving))
}

impl Refusal {
    fn error(self, report: &RosterReport) -> Error {
        match self {
            Refusal::Rejected => commit_refused(report),
            Refusal::Confirm(n, names) => confirmation_required(n, &names, report),
        }
    }
}

/// A cell as a code or ID number to match people by: no spaces, quotes or Excel's text markers.
fn normalise_cell(s: &str) -> String {
    s.trim()
        .trim_start_matches('\'')
        .trim_start_matches('=')
        .trim_matches('"')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// 422 `commit_refused`: nothing was written because rows were rejected; the report says which.
fn commit_refused(report: &RosterReport) -> Error {
    let n = report.counts.rejected;
    let e = crate::error::ClientError::new(
        crate::error::Kind::Unprocessable,
        "commit_refused",
        format!(
            "nothing was written: {n} rows were rejected; fix them, or commit with partial=true to write the good rows"
        ),
        format!("未写入任何数据：有{n}行被退回；请修改后重新上传，或选择“只提交正确的行”（partial=true）"),
    );
    Error::Client(e.report(serde_json::to_value(report).unwrap_or_default()))
}

/// 422 `confirmation_required`: a snapshot that deregisters many people waits for the count.
fn confirmation_required(n: usize, names: &[String], report: &RosterReport) -> Error {
    let e = crate::error::ClientError::new(
        crate::error::Kind::Unprocessable,
        "confirmation_required",
        format!(
            "this snapshot deregisters {n} people ({}): commit again with confirm_deregister={n}",
            names.join(", ")
        ),
        format!("本次全量上传将注销{n}人（{}）；确认无误请以 confirm_deregister={n} 重新提交", names.join("、")),
    )
    .field("confirm_deregister");
    Error::Client(e.report(serde_json::to_value(report).unwrap_or_default()))
}

/// The blank 附件1 roster template (.xlsx) for HR to fill in.
pub fn template() -> Result<Vec<u8>> {
    crate::sheets::template::roster_template(ROSTER_COLUMNS)
}
