//! Bulk uploads beside the roster: the agency's training-test results (三(三),
//! `training_tests`) and an inspection's findings brought as a spreadsheet (`inspections`).
//! Both preview by default, commit all or nothing (or the good rows with `partial`), and are
//! idempotent: the same file twice records nothing the second time.

mod inspections;
mod training_tests;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Error;
use crate::sheets::upload::{from_error, reject, Rejection, Sheet, SkippedRows};
use crate::sheets::Record;
pub use inspections::VIOLATION_COLUMNS;
pub use training_tests::TEST_COLUMNS;

#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    pub commit: bool,
    pub partial: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchRow {
    pub row: u64,
    pub personnel_code: String,
    /// For violations: the inspection reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspection_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchCounts {
    pub accepted: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    pub kind: &'static str,
    pub encoding: &'static str,
    pub rows: usize,
    pub commit: bool,
    pub committed: bool,
    pub counts: BatchCounts,
    /// Rows to record (recorded, when committed).
    pub accepted: Vec<BatchRow>,
    /// Rows already recorded by an earlier upload of the same facts.
    pub unchanged: Vec<u64>,
    pub rejected: Vec<Rejection>,
    pub unknown_columns: Vec<String>,
    /// The spreadsheet row that holds the header.
    pub header_row: u64,
    /// Rows passed over: empty, 合计, 注：, 填表人 … Never rejections.
    pub skipped: Vec<SkippedRows>,
    pub rejected_csv: Option<String>,
    /// Values read in a way the clerk should check (an item given by its words, matched to its
    /// code), on rows that were not refused for them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Rejection>,
    /// Training tests: the pass mark of each year in the file (三(三); 60 until the agency sets one).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub pass_marks: std::collections::BTreeMap<i32, u32>,
}

/// The next count of rows read (for the reading phase's progress).
pub(super) fn bump(n: &mut u64) -> u64 {
    *n += 1;
    *n
}

pub(super) fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "合格" | "是" | "通过" | "true" | "yes" | "y" | "1" | "pass" | "passed" => Some(true),
        "不合格" | "否" | "未通过" | "false" | "no" | "n" | "0" | "fail" | "failed" => Some(false),
        _ => None,
    }
}

/// A date cell (text in any common form, or Excel's date serial); a cell that is not a date is
/// a rejection naming the column. `None` when the cell is blank.
pub(super) fn date_cell(rec: &Record, field: &str, column: &str, errs: &mut Vec<Rejection>) -> Option<NaiveDate> {
    match rec.date(field) {
        Ok(Some(out)) if !crate::domain::limits::date_in_range(out) => {
            let (lo, hi) = (crate::domain::limits::DATE_MIN, crate::domain::limits::DATE_MAX);
            errs.push(reject(
                rec.row,
                Some(column),
                "date_out_of_range",
                format!("{column}: {out} is outside {lo}..{hi}"),
                format!("{column}：{out} 超出允许范围（{lo} 至 {hi}）"),
            ));
            None
        }
        Ok(d) => d,
        Err(s) => {
            errs.push(reject(
                rec.row,
                Some(column),
                "invalid_date",
                format!("{column}: '{s}' is not a date"),
                format!("{column}：'{s}' 不是有效日期"),
            ));
            None
        }
    }
}

pub(super) fn report<T>(kind: &'static str, sheet: &mut Sheet<T>, opts: BatchOptions) -> BatchReport {
    let (encoding, rows, unknown) = (sheet.encoding, sheet.rows_read, sheet.unknown.clone());
    BatchReport {
        kind,
        encoding,
        rows,
        commit: opts.commit,
        committed: false,
        counts: BatchCounts::default(),
        accepted: Vec::new(),
        unchanged: Vec::new(),
        rejected: Vec::new(),
        unknown_columns: unknown,
        header_row: sheet.header_row,
        skipped: std::mem::take(&mut sheet.skipped),
        rejected_csv: None,
        pass_marks: Default::default(),
        warnings: Vec::new(),
    }
}

/// The same rejection for every row of a group.
pub(super) fn reject_all(
    rows: &[u64],
    column: Option<&str>,
    code: &'static str,
    en: String,
    zh: String,
) -> Vec<Rejection> {
    rows.iter().map(|row| reject(*row, column, code, en.clone(), zh.clone())).collect()
}

/// An inspection refused as a whole: the field `violations[k].…` names the row.
pub(super) fn rows_of_error(rows: &[u64], e: Error) -> Vec<Rejection> {
    let field = e.client().and_then(|c| c.field.clone()).unwrap_or_default();
    let k = field.strip_prefix("violations[").and_then(|s| s.split(']').next()).and_then(|s| s.parse::<usize>().ok());
    let column = match field.rsplit('.').next() {
        Some("items") => "扣分情形",
        Some("occurred_on") => "违规发生日期",
        Some("fund_loss") => "基金损失",
        Some("personnel_code") => "医保对应代码",
        _ if field.contains("decided_on") => "处理决定日期",
        _ if field.contains("inspected_on") => "检查日期",
        _ => "检查编号",
    };
    // The clerk sees the column, never the API's field path (violations[0].fund_loss).
    let e = match e {
        Error::Client(mut c) => {
            if !field.is_empty() {
                c.message = c.message.replace(&field, column);
                c.message_zh = c.message_zh.replace(&field, column);
            }
            Error::Client(c)
        }
        other => other,
    };
    match k.and_then(|k| rows.get(k)) {
        Some(row) => vec![from_error(*row, column, e)],
        None => rows.iter().map(|row| from_error(*row, column, clone_error(&e))).collect(),
    }
}

pub(super) fn clone_error(e: &Error) -> Error {
    match e {
        Error::Client(c) => Error::Client(c.clone()),
        Error::Internal(i) => Error::Internal(anyhow::anyhow!("{i}")),
    }
}
