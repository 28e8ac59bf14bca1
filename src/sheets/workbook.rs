//! Excel workbooks as rows, through `calamine`: .xlsx streamed cell by cell (a worker thread
//! owns the workbook and hands rows over a small bounded channel, so memory stays flat in the
//! row count), .xls (at most 65 536 rows) read sheet-whole. Numbers keep their value and are
//! shown as Excel shows them; date cells become `YYYY-MM-DD`.
//!
//! Hostile files: `zip_guard` and `xls_guard` refuse first what would make `calamine`
//! inflate, allocate or loop without bound; a panic inside `calamine` on a damaged file is
//! caught and reported as an unreadable file; columns past [`MAX_COLUMNS`] are not read.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use calamine::{Data, Reader, SheetType, SheetVisible, Xls, Xlsx, XlsxError};

use super::cell::{Cell, CellKind, SheetRow};
use super::error::SheetError;
use super::source::{Format, RowSource, SourceInfo};
use super::synonyms::Synonyms;
use super::{xls_guard, zip_guard};

/// Columns read, A to IV (the most an .xls has): no upload has more, and a cell at XFD would
/// otherwise make every row it is on 16 384 cells wide in memory.
pub const MAX_COLUMNS: usize = 256;

/// Rows handed over by the .xlsx worker before it waits for the reader.
const CHANNEL_ROWS: usize = 256;

/// Opens the bytes of an .xlsx (zip) or .xls (OLE) workbook at the sheet the table prefers.
pub fn open(bytes: Vec<u8>, table: &Synonyms) -> Result<Box<dyn RowSource>, SheetError> {
    if bytes.starts_with(b"PK") {
        zip_guard::check(&bytes)?;
        guarded(|| open_xlsx(bytes, table))
    } else {
        xls_guard::check(&bytes)?;
        guarded(|| open_xls(bytes, table))
    }
}

/// `calamine` panics on some damaged files (an index past the end of a record): that is a
/// file that cannot be read, not a crash.
fn guarded<T>(f: impl FnOnce() -> Result<T, SheetError>) -> Result<T, SheetError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(damaged()))
}

fn damaged() -> SheetError {
    unreadable("the workbook is damaged")
}

fn unreadable(e: impl std::fmt::Display) -> SheetError {
    SheetError::Unreadable { reason: e.to_string() }
}

fn password() -> SheetError {
    SheetError::Unsupported {
        what: "a password-protected workbook", what_zh: "有密码保护的工作簿（请先取消密码）"
    }
}

/// The sheets that hold cells, and the one to read: the only one; else the first whose name
/// has a `prefer` word; else the first without an `avoid` word; else the first.
pub fn choose_sheet(sheets: &[calamine::Sheet], table: &Synonyms) -> Option<String> {
    let visible: Vec<&str> = sheets
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .map(|s| s.name.as_str())
        .collect();
    let has = |name: &str, words: &[String]| words.iter().any(|w| name.contains(w.as_str()));
    visible
        .iter()
        .find(|n| has(n, &table.sheet.prefer))
        .or_else(|| visible.iter().find(|n| !has(n, &table.sheet.avoid)))
        .or(visible.first())
        .map(|s| s.to_string())
        .or_else(|| sheets.iter().find(|s| s.typ == SheetType::WorkSheet).map(|s| s.name.clone()))
}

fn info(format: Format, sheet: &str, sheets: &[calamine::Sheet]) -> SourceInfo {
    SourceInfo {
        format,
        encoding: None,
        delimiter: None,
        sheet: Some(sheet.to_string()),
        sheets: sheets.iter().map(|s| s.name.clone()).collect(),
    }
}

fn open_xlsx(bytes: Vec<u8>, table: &Synonyms) -> Result<Box<dyn RowSource>, SheetError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        XlsxError::Password => password(),
        XlsxError::FileNotFound(_) => SheetError::Unsupported {
            what: "a zip file that is not an .xlsx workbook (.ods, .xlsb, .docx …)",
            what_zh: "这个文件（它不是 .xlsx 工作簿）",
        },
        e => unreadable(e),
    })?;
    let sheets = book.sheets_metadata().to_vec();
    let sheet = choose_sheet(&sheets, table).ok_or(SheetError::Empty)?;
    let info = info(Format::Xlsx, &sheet, &sheets);
    let (tx, rx) = sync_channel(CHANNEL_ROWS);
    std::thread::Builder::new()
        .name("jifen-xlsx-reader".into())
        .spawn(move || {
            if catch_unwind(AssertUnwindSafe(|| send_rows(&mut book, &sheet, &tx))).is_err() {
                let _ = tx.send(Err(damaged()));
            }
        })
        .map_err(unreadable)?;
    Ok(Box::new(XlsxSource { rx, info }))
}

/// The .xlsx worker: the cells of `sheet`, gathered into rows and sent as they come.
fn send_rows(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, tx: &SyncSender<Result<SheetRow, SheetError>>) {
    let mut cells = match book.worksheet_cells_reader(sheet) {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(Err(unreadable(e)));
            return;
        }
    };
    let mut current: Option<SheetRow> = None;
    loop {
        match cells.next_cell() {
            Ok(Some(c)) => {
                let (r, col) = c.get_position();
                let col = col as usize;
                if col >= MAX_COLUMNS {
                    continue;
                }
                let Some(cell) = cell_of(Data::from(c.get_value().clone())) else { continue };
                let row = u64::from(r) + 1;
                if let Some(done) = current.take_if(|cur| cur.row != row) {
                    if tx.send(Ok(done)).is_err() {
                        return; // the reader is gone
                    }
                }
                let cur = current.get_or_insert_with(|| SheetRow { row, cells: Vec::new() });
                if cur.cells.len() < col {
                    cur.cells.resize(col, Cell::text(""));
                }
                cur.cells.push(cell);
            }
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(unreadable(e)));
                return;
            }
        }
    }
    if let Some(cur) = current {
        let _ = tx.send(Ok(cur));
    }
}

/// The rows the .xlsx worker sends.
struct XlsxSource {
    rx: Receiver<Result<SheetRow, SheetError>>,
    info: SourceInfo,
}

impl Iterator for XlsxSource {
    type Item = Result<SheetRow, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rx.recv().ok()
    }
}

impl RowSource for XlsxSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

fn open_xls(bytes: Vec<u8>, table: &Synonyms) -> Result<Box<dyn RowSource>, SheetError> {
    let mut book: Xls<_> = match Xls::new(Cursor::new(&bytes[..])) {
        Ok(b) => b,
        Err(calamine::XlsError::Password) => return Err(password()),
        Err(e) => {
            // An encrypted .xlsx is an OLE file too.
            if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(&bytes[..])) {
                return Err(password());
            }
            return Err(unreadable(e));
        }
    };
    let sheets = book.sheets_metadata().to_vec();
    let sheet = choose_sheet(&sheets, table).ok_or(SheetError::Empty)?;
    let range = book.worksheet_range(&sheet).map_err(unreadable)?;
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    Ok(Box::new(XlsSource {
        info: info(Format::Xls, &sheet, &sheets),
        range,
        start_row,
        start_col: start_col as usize,
        next: 0,
    }))
}

/// An .xls sheet, read whole (the format holds at most 65 536 rows).
struct XlsSource {
    info: SourceInfo,
    range: calamine::Range<Data>,
    start_row: u32,
    start_col: usize,
    next: usize,
}

impl Iterator for XlsSource {
    type Item = Result<SheetRow, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let k = self.next;
            self.next += 1;
            if self.start_col >= MAX_COLUMNS {
                return None;
            }
            let mut cells = vec![Cell::text(""); self.start_col];
            for j in 0..width.min(MAX_COLUMNS - self.start_col) {
                cells.push(self.range.get((k, j)).and_then(|d| cell_of(d.clone())).unwrap_or_else(|| Cell::text("")));
            }
            while cells.last().is_some_and(|c| c.text.is_empty()) {
                cells.pop();
            }
            if cells.is_empty() {
                continue; // a row with nothing in it: the gap in the numbers says so
            }
            return Some(Ok(SheetRow { row: u64::from(self.start_row) + k as u64 + 1, cells }));
        }
        None
    }
}

impl RowSource for XlsSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// A workbook value as a cell; `None` for an empty cell.
fn cell_of(d: Data) -> Option<Cell> {
    Some(match d {
        Data::Empty => return None,
        Data::String(s) => Cell::text(s),
        Data::Int(i) => Cell::number(i as f64),
        Data::Float(f) => Cell::number(f),
        Data::Bool(b) => Cell { text: if b { "TRUE" } else { "FALSE" }.to_string(), kind: CellKind::Bool },
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let text = if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            };
            Cell { text, kind: CellKind::Date }
        }
        Data::DateTime(dt) => Cell::number(dt.as_f64()),
        Data::DateTimeIso(s) => {
            let text = s.strip_suffix("T00:00:00").unwrap_or(&s).replace('T', " ");
            Cell { text, kind: CellKind::Date }
        }
        Data::DurationIso(s) => Cell::text(s),
        Data::Error(e) => Cell { text: e.to_string(), kind: CellKind::Error },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Sheet;

    fn sheet(name: &str, visible: bool) -> Sheet {
        Sheet {
            name: name.into(),
            typ: SheetType::WorkSheet,
            visible: if visible { SheetVisible::Visible } else { SheetVisible::Hidden },
        }
    }

    #[test]
    fn the_sheet_named_like_the_data_else_the_first_that_is_not_instructions() {
        let t = Synonyms::embedded();
        let pick = |s: &[Sheet]| choose_sheet(s, t);
        assert_eq!(pick(&[sheet("Sheet1", true)]).as_deref(), Some("Sheet1"));
        assert_eq!(pick(&[sheet("Sheet1", true), sheet("附件1花名册", true)]).as_deref(), Some("附件1花名册"));
        assert_eq!(pick(&[sheet("填表说明", true), sheet("Sheet2", true)]).as_deref(), Some("Sheet2"));
        assert_eq!(pick(&[sheet("人员名单", false), sheet("Sheet2", true)]).as_deref(), Some("Sheet2"));
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn workbook_values_as_cells() {
        assert_eq!(cell_of(Data::Float(3.70811198001011e17)).unwrap().text, "3.70811E+17");
        assert!(cell_of(Data::Float(3.70811198001011e17)).unwrap().is_numeric());
        let date = calamine::ExcelDateTime::new(45352.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_of(Data::DateTime(date)).unwrap(), Cell { text: "2024-03-01".into(), kind: CellKind::Date });
        assert_eq!(cell_of(Data::Error(calamine::CellErrorType::NA)).unwrap().kind, CellKind::Error);
        assert_eq!(cell_of(Data::Empty), None);
    }
}
