//! What every spreadsheet upload shares: read the file row by row through [`SheetReader`] (any
//! encoding, .xlsx, .xls), parse each row or collect its rejections (row as the spreadsheet
//! shows it, column, reason in English and Chinese), list the rows passed over, and hand the
//! rejected rows back as a CSV to fix and upload again.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use serde::Serialize;

use crate::domain::limits;
use crate::error::{ClientError, Error, Kind, Result};
use crate::sheets::{Column, Record, SheetReader};

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

/// A file read through: the rows that parsed, the rejections, the rows passed over, and the
/// raw cells to hand back.
pub struct Sheet<T> {
    /// The encoding of a text file, or `xlsx` / `xls`.
    pub encoding: &'static str,
    /// The header row's cells, and its row number in the file.
    pub header_cells: Vec<String>,
    pub header_row: u64,
    /// Header cells that name no field of this upload (ignored).
    pub unknown: Vec<String>,
    /// Data rows: every row that is not the header, a title, empty, a total, a note or a
    /// signature.
    pub rows_read: usize,
    pub rows: Vec<(u64, T)>,
    pub rejected: Vec<Rejection>,
    /// Rows passed over (empty, 合计, 注：, 填表人 …): listed, never rejected.
    pub skipped: Vec<SkippedRows>,
    raw: HashMap<u64, Vec<String>>,
    rejected_rows: HashSet<u64>,
}

/// Rows the reader passed over, as the report shows them.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRows {
    pub row: u64,
    pub last_row: u64,
    pub reason_zh: &'static str,
}

/// Reads `input` (CSV or TSV in any encoding, .xlsx, .xls) row by row; `parse` turns a data
/// row into a `T` or its rejections. Row numbers are the spreadsheet's, as the clerk sees them.
/// Holds every row; a file too large for that goes through [`SheetRows`] instead.
pub fn read_sheet<T>(
    input: impl Read + Send + 'static,
    columns: &[Column],
    progress: &mut dyn FnMut(u64),
    mut parse: impl FnMut(&Record) -> std::result::Result<T, Vec<Rejection>>,
) -> Result<Sheet<T>> {
    let mut rows = SheetRows::open(input, columns)?;
    let mut sheet = Sheet {
        encoding: rows.encoding,
        header_cells: rows.header_cells.clone(),
        header_row: rows.header_row,
        unknown: rows.unknown.clone(),
        rows_read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
        skipped: Vec::new(),
        raw: HashMap::new(),
        rejected_rows: HashSet::new(),
    };
    while let Some(read) = rows.next_row(progress, &mut parse)? {
        match read.parsed {
            Ok(t) => sheet.rows.push((read.row, t)),
            Err(mut errs) => {
                sheet.rejected.append(&mut errs);
                sheet.rejected_rows.insert(read.row);
            }
        }
        if let Some(raw) = read.raw {
            // Kept to hand back any row a later check rejects.
            sheet.raw.insert(read.row, raw);
        }
    }
    sheet.rows_read = rows.rows_read;
    sheet.skipped = rows.skipped();
    Ok(sheet)
}

/// A file read one data row at a time, holding none of them: the streaming form of
/// [`read_sheet`], for files of any size.
pub struct SheetRows {
    reader: SheetReader,
    /// The encoding of a text file, or `xlsx` / `xls`.
    pub encoding: &'static str,
    pub header_cells: Vec<String>,
    pub header_row: u64,
    /// Header cells that name no field of this upload (ignored).
    pub unknown: Vec<String>,
    /// Data rows read so far (see [`Sheet::rows_read`]).
    pub rows_read: usize,
}

/// One data row: parsed, or its rejections; and its cells as text, to hand back if it is
/// rejected (none for a row that could not be read at all).
pub struct RowRead<T> {
    pub row: u64,
    pub parsed: std::result::Result<T, Vec<Rejection>>,
    pub raw: Option<Vec<String>>,
}

impl SheetRows {
    /// Opens `input` and finds its header.
    pub fn open(input: impl Read + Send + 'static, columns: &[Column]) -> Result<SheetRows> {
        let reader = SheetReader::open(input, columns)?;
        let header = reader.header().clone();
        if header.cells.len() > limits::FILE_COLUMNS_MAX {
            let max = limits::FILE_COLUMNS_MAX;
            return Err(Error::Client(ClientError::new(
                Kind::Unprocessable,
                "too_many_columns",
                format!("the header has more than {max} columns"),
                format!("表头超过{max}列，请删除多余的列后重新上传"),
            )));
        }
        // The header is kept with the report: a control character in it (a UTF-16 file cut at
        // an odd byte decodes to NULs) is the file's fault, and PostgreSQL cannot store a NUL.
        if header.cells.iter().any(|c| c.chars().any(limits::is_forbidden_control)) {
            return Err(match limits::control_character("header") {
                Error::Client(c) => Error::Client(c.row(header.row)),
                other => other,
            });
        }
        Ok(SheetRows {
            encoding: reader.info().label(),
            header_cells: header.cells,
            header_row: header.row,
            unknown: header.unknown,
            rows_read: 0,
            reader,
        })
    }

    /// The next data row, checked for cells no field may hold and then given to `parse`;
    /// `None` at the end of the file.
    pub fn next_row<T>(
        &mut self,
        progress: &mut dyn FnMut(u64),
        parse: &mut impl FnMut(&Record) -> std::result::Result<T, Vec<Rejection>>,
    ) -> Result<Option<RowRead<T>>> {
        let rec = match self.reader.next() {
            None => return Ok(None),
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                let row = e.row().unwrap_or(0);
                self.rows_read += 1;
                let bad = reject(
                    row,
                    None,
                    "unreadable_row",
                    format!("unreadable row: {}", e.message_en()),
                    format!("该行无法读取：{}", e.message_zh()),
                );
                return Ok(Some(RowRead { row, parsed: Err(vec![bad]), raw: None }));
            }
        };
        let row = rec.row;
        progress(row);
        self.rows_read += 1;
        if self.rows_read > limits::FILE_ROWS_MAX {
            let max = limits::FILE_ROWS_MAX;
            return Err(Error::Client(ClientError::new(
                Kind::Unprocessable,
                "too_many_rows",
                format!("the file has more than {max} data rows: split it into several files"),
                format!("文件数据行超过{max}行，请拆分为多个文件上传"),
            )));
        }
        let parsed = match cell_problem(&rec) {
            Some(bad) => Err(vec![bad]),
            None => match parse(&rec) {
                Ok(t) => Ok(t),
                Err(mut errs) => {
                    if errs.is_empty() {
                        // A parser that refuses must say why; never a silent rejection.
                        errs.push(reject(
                            row,
                            None,
                            "invalid_row",
                            "the row is not valid".into(),
                            "该行内容无效".into(),
                        ));
                    }
                    Err(errs)
                }
            },
        };
        // Kept for the rejected-rows file (and so in the database): a control character, which
        // rejects the row, is kept as U+FFFD (PostgreSQL cannot store a NUL; found by fuzzing).
        let raw = rec
            .texts()
            .into_iter()
            .map(|t| {
                if t.chars().any(limits::is_forbidden_control) {
                    t.chars().map(|c| if limits::is_forbidden_control(c) { '\u{FFFD}' } else { c }).collect()
                } else {
                    t
                }
            })
            .collect();
        Ok(Some(RowRead { row, parsed, raw: Some(raw) }))
    }

    /// The rows passed over so far (empty, 合计, 注：, 填表人 …).
    pub fn skipped(&self) -> Vec<SkippedRows> {
        self.reader
            .skipped()
            .iter()
            .map(|s| SkippedRows { row: s.row, last_row: s.last_row, reason_zh: s.reason.zh() })
            .collect()
    }
}

/// The first line of a rejected-rows CSV: the file's header, 原行号 and 错误原因.
pub fn rejected_csv_header(header_cells: &[String]) -> Vec<&str> {
    let mut head: Vec<&str> = header_cells.iter().map(String::as_str).collect();
    head.push("原行号");
    head.push("错误原因");
    head
}

/// One rejected row of that CSV: its cells (made safe from formulas), its row and its reasons.
pub fn rejected_csv_record(raw: &[String], width: usize, row: u64, reasons: &[String]) -> Vec<String> {
    let mut rec: Vec<String> = raw.iter().map(|c| crate::sheets::export::neutralise(c).into_owned()).collect();
    rec.resize(width, String::new());
    rec.push(row.to_string());
    rec.push(reasons.join("；"));
    rec
}

/// A rejection as the 错误原因 column shows it: `[column] reason`.
pub fn reason_text(r: &Rejection) -> String {
    format!("{}{}", r.column.as_deref().map(|c| format!("[{c}] ")).unwrap_or_default(), r.reason_zh)
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
        w.write_record(rejected_csv_header(&self.header_cells)).map_err(internal)?;
        let mut rows: Vec<u64> = self.rejected_rows.iter().copied().collect();
        rows.sort_unstable();
        // Each row's reasons, gathered once (a file may have a rejection on every row).
        let mut reasons_of: HashMap<u64, Vec<String>> = HashMap::new();
        for r in &self.rejected {
            reasons_of.entry(r.row).or_default().push(reason_text(r));
        }
        for row in rows {
            let Some(raw) = self.raw.get(&row) else { continue };
            let reasons = reasons_of.remove(&row).unwrap_or_default();
            let rec = rejected_csv_record(raw, self.header_cells.len(), row, &reasons);
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

/// A cell no field may hold, whatever the file's format: over the length limit, or with a
/// control character (a NUL from a damaged .xls, which PostgreSQL cannot store).
fn cell_problem(rec: &Record) -> Option<Rejection> {
    for (k, cell) in rec.cells.iter().enumerate() {
        let column = rec.header().cells.get(k).cloned().unwrap_or_default();
        let n = cell.text.chars().count();
        if n > limits::CELL_MAX_CHARS {
            let max = limits::CELL_MAX_CHARS;
            return Some(reject(
                rec.row,
                Some(&column),
                "cell_too_long",
                format!("a cell of {n} characters (at most {max})"),
                format!("单元格内容{n}个字符，超过{max}个字符的上限"),
            ));
        }
        if cell.text.chars().any(limits::is_forbidden_control) {
            return Some(reject(
                rec.row,
                Some(&column),
                "control_character",
                "the cell holds a control character (a damaged file?)".into(),
                "单元格含有不可见的控制字符（文件可能已损坏），请重新输入该单元格".into(),
            ));
        }
    }
    None
}
