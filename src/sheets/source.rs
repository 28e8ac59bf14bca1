//! Where rows come from: [`open`] looks at the first bytes of an upload — never at a file
//! name — and reads it as an Excel workbook (.xlsx is a zip, `PK\x03\x04`; .xls is an OLE
//! compound file, `D0 CF 11 E0`) or as delimited text in any encoding.

use std::io::{BufRead, BufReader, Read};

use serde::Serialize;

use super::cell::SheetRow;
use super::csv_source::CsvSource;
use super::error::SheetError;
use super::synonyms::Synonyms;
use super::workbook;

/// Rows of one sheet, top to bottom, each with its spreadsheet row number.
///
/// Rows come in increasing row order; a row number that is skipped is an empty row (an
/// empty line of a text file, a row of a workbook with nothing in it). A row may still be
/// blank (a line of only commas). After an error about the whole file the source ends; after
/// [`SheetError::UnreadableRow`] it goes on with the next row.
pub trait RowSource: Iterator<Item = Result<SheetRow, SheetError>> + Send {
    /// What was opened: the format, the text encoding and delimiter, the sheet.
    fn info(&self) -> &SourceInfo;
}

/// The format of an upload, as detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text: CSV, tab-separated (Excel's 文本文件(制表符分隔) and "Unicode text").
    Text,
    Xlsx,
    Xls,
}

/// What [`open`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub format: Format,
    /// For text: `utf-8`, `utf-8-bom`, `gbk`, `utf-16le`, `utf-16be`.
    pub encoding: Option<&'static str>,
    /// For text: `,`, `\t` or `;`.
    pub delimiter: Option<char>,
    /// For a workbook: the sheet read, and all the sheets it has.
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
}

impl SourceInfo {
    /// The name the existing reports use: the encoding for text, else `xlsx` or `xls`.
    pub fn label(&self) -> &'static str {
        match self.format {
            Format::Text => self.encoding.unwrap_or("utf-8"),
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
        }
    }
}

const ZIP: [u8; 4] = [b'P', b'K', 0x03, 0x04];
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Opens an upload of any kind jifen reads, choosing the sheet of a workbook by the names in
/// `data/sheet_columns.toml` (`[sheet]`). A workbook is read into memory (a zip needs to seek)
/// and its rows streamed from there; text is decoded as it is read.
pub fn open(input: impl Read + Send + 'static) -> Result<Box<dyn RowSource>, SheetError> {
    open_with(input, Synonyms::embedded())
}

/// [`open`] with another table of sheet names.
pub fn open_with(input: impl Read + Send + 'static, table: &Synonyms) -> Result<Box<dyn RowSource>, SheetError> {
    let mut buf = BufReader::with_capacity(64 * 1024, input);
    let head = buf.fill_buf()?;
    if head.is_empty() {
        return Err(SheetError::Empty);
    }
    if head.starts_with(&ZIP) || head.starts_with(&OLE) {
        let mut bytes = Vec::new();
        buf.read_to_end(&mut bytes)?;
        return workbook::open(bytes, table);
    }
    Ok(Box::new(CsvSource::new(buf)?))
}
