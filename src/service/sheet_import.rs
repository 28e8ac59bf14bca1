//! What every spreadsheet upload shares: read the file row by row (any encoding), parse each
//! row or collect its rejections (row as the spreadsheet shows it, column, reason in English
//! and Chinese), and hand the rejected rows back as a CSV to fix and upload again.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Serialize;

use crate::error::{ClientError, Error, Kind, Result};
use crate::sheets::{decode, Column, Header};

#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// The spreadsheet row (header = 1).
    pub row: u64,
    pub column: Option<String>,
    pub code: &'static str,
    pub reason: String,
    pub reason_zh: String,
}

pub fn reject(row: u64, column: Option<&str>, code: &'static str, en: String, zh: String) -> Rejection {
    Rejection { row, column: column.map(str::to_string), code, reason: en, reason_zh: zh }
}

/// A validation error of the domain, as a rejection of one cell.
pub fn from_error(row: u64, column: &str, e: Error) -> Rejection {
    match e {
        Error::Client(c) => Rejection {
            row,
            column: Some(column.to_string()),
            code: c.code,
            reason: c.message,
            reason_zh: c.message_zh,
        },
        Error::Internal(e) => reject(row, Some(column), "invalid", e.to_string(), e.to_string()),
    }
}

/// A file read through: the rows that parsed, the rejections, and the raw records to hand back.
pub struct Sheet<T> {
    pub encoding: &'static str,
    pub header_record: csv::StringRecord,
    pub header: Header,
    /// Non-empty data rows.
    pub rows_read: usize,
    pub rows: Vec<(u64, T)>,
    pub rejected: Vec<Rejection>,
    raw: HashMap<u64, csv::StringRecord>,
    rejected_rows: HashSet<u64>,
}

/// Reads `input` row by row; `parse` turns a row into a `T` or its rejections.
pub fn read_sheet<T>(
    input: impl Read + 'static,
    columns: &[Column],
    progress: &mut dyn FnMut(u64),
    mut parse: impl FnMut(&Header, &csv::StringRecord, u64) -> std::result::Result<T, Vec<Rejection>>,
) -> Result<Sheet<T>> {
    let (reader, detected) = decode(input).map_err(|e| bad_file(format!("cannot read the file: {e}")))?;
    let mut csv =
        csv::ReaderBuilder::new().delimiter(detected.delimiter).flexible(true).has_headers(false).from_reader(reader);
    let mut records = csv.records();
    let header_record = match records.next() {
        Some(r) => r.map_err(|e| bad_file(format!("row 1: {e}")))?,
        None => return Err(bad_file("the file is empty".into())),
    };
    let header = Header::read(&header_record, columns)?;
    let mut sheet = Sheet {
        encoding: detected.encoding,
        header_record,
        header,
        rows_read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
        raw: HashMap::new(),
        rejected_rows: HashSet::new(),
    };
    for (k, rec) in records.enumerate() {
        let row = k as u64 + 2;
        progress(row);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let bad = e.to_string();
                sheet.rejected.push(reject(
                    row,
                    None,
                    "unreadable_row",
                    format!("unreadable row: {bad}"),
                    format!("该行无法读取：{bad}"),
                ));
                sheet.rejected_rows.insert(row);
                continue;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        sheet.rows_read += 1;
        match parse(&sheet.header, &rec, row) {
            Ok(t) => sheet.rows.push((row, t)),
            Err(mut errs) => {
                sheet.rejected.append(&mut errs);
                sheet.rejected_rows.insert(row);
            }
        }
        // Kept to hand back any row a later check rejects.
        sheet.raw.insert(row, rec);
    }
    Ok(sheet)
}

impl<T> Sheet<T> {
    /// Rejects a row that parsed, for a reason found later (duplicates, the ledger).
    pub fn reject_later(&mut self, mut errs: Vec<Rejection>) {
        self.rejected_rows.extend(errs.iter().map(|e| e.row));
        self.rejected.append(&mut errs);
    }

    pub fn rejected_row_count(&self) -> usize {
        self.rejected_rows.len()
    }

    /// Sorts the rejections; the rejected rows as CSV with 原行号 and 错误原因 columns.
    pub fn finish_rejections(&mut self) -> Result<Option<String>> {
        self.rejected.sort_by_key(|r| r.row);
        if self.rejected.is_empty() {
            return Ok(None);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| Error::Internal(e.into());
        let mut head: Vec<&str> = self.header_record.iter().collect();
        head.push("原行号");
        head.push("错误原因");
        w.write_record(&head).map_err(internal)?;
        let mut rows: Vec<u64> = self.rejected_rows.iter().copied().collect();
        rows.sort_unstable();
        for row in rows {
            let Some(raw) = self.raw.get(&row) else { continue };
            let reasons: Vec<String> = self
                .rejected
                .iter()
                .filter(|r| r.row == row)
                .map(|r| {
                    format!("{}{}", r.column.as_deref().map(|c| format!("[{c}] ")).unwrap_or_default(), r.reason_zh)
                })
                .collect();
            let mut rec: Vec<String> = raw.iter().map(str::to_string).collect();
            rec.resize(self.header_record.len(), String::new());
            rec.push(row.to_string());
            rec.push(reasons.join("；"));
            w.write_record(&rec).map_err(internal)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
        String::from_utf8(bytes).map(Some).map_err(|e| Error::Internal(e.into()))
    }

    pub fn is_rejected(&self, row: u64) -> bool {
        self.rejected_rows.contains(&row)
    }
}

pub fn bad_file(message: String) -> Error {
    Error::Client(ClientError::new(
        Kind::Unprocessable,
        "unreadable_file",
        message.clone(),
        format!("文件无法读取：{message}"),
    ))
}
