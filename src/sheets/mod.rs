//! Spreadsheets in and out: one reader for every file jifen takes (rosters, training-test
//! results, inspection findings), and exports Excel opens without damage.
//!
//! # Reading
//! [`open`] looks at an upload's first bytes and gives a [`RowSource`]: .xlsx and .xls
//! through `calamine` (the sheet named like the data), or delimited text in any encoding
//! (UTF-8 with or without BOM, GBK, UTF-16 with or without BOM; comma, tab or semicolon).
//! Every row carries its row number as Excel shows it, empty lines counted, and its cells
//! as text, each remembering whether Excel held a number or a date.
//!
//! [`SheetReader`] finds the header among the first ten rows (title rows such as 表名,
//! 填报单位, 填报日期 above it), maps each header cell to a field through the upload kind's
//! column list and the synonym table of `data/sheet_columns.toml` (姓名*, 身份证号码（必填）,
//! 证件号码, 考试日期, 成绩（分） …), and refuses a file that lacks required columns by naming
//! every one of them with the headers it found. It then yields the data rows as [`Record`]s
//! and lists the rows it passed over ([`Skipped`]: empty rows, 合计, 注：, 填表人 …).
//!
//! [`damage`] recognises what Excel does to ID numbers, codes, certificate and phone numbers
//! (`3.70811E+17`, a number cell, 18 digits ending in `000`, a 15-digit ID) and converts the
//! harmless forms (`'`, `="…"`, full-width, spaces, lower-case x), each with a sentence the
//! clerk can act on; [`Record::check`] applies it by field.
//!
//! # How an upload kind plugs in
//! An upload kind is three things, none of which knows the file format:
//! 1. a column list, `&[Column]`: field, names (the first is the one shown), required;
//! 2. a row parser, `fn(&Record) -> Result<Row, Vec<Rejection>>`, which reads fields with
//!    [`Record::get`] (trimmed text) or [`Record::check`] (Excel's damage recognised: a
//!    `Damaged` value rejects the row, a `Fixed` or `Warning` one is reported with it), and
//!    rejects with `record.row` — the number the clerk sees;
//! 3. a planner that turns the parsed rows into the use-case's typed commands.
//!
//! ```no_run
//! # use jifen::sheets::{Column, SheetReader, Checked};
//! const COLUMNS: &[Column] = &[
//!     Column { field: "name", names: &["姓名", "name"], required: true },
//!     Column { field: "id_number", names: &["身份证号码", "id_number"], required: true },
//! ];
//! # fn f(body: Vec<u8>) -> jifen::error::Result<()> {
//! let mut reader = SheetReader::open(std::io::Cursor::new(body), COLUMNS)?; // 422 with message_zh
//! for record in reader.by_ref() {
//!     let record = match record {
//!         Ok(r) => r,
//!         Err(e) => { /* an unreadable row: reject e.row() */ continue }
//!     };
//!     match record.check("id_number") {
//!         Checked::Damaged { reason_zh, .. } => { /* reject record.row with reason_zh */ }
//!         other => { let _id = other.value(); /* IdNumber::parse, note other.message_zh() */ }
//!     }
//! }
//! let _skipped = reader.skipped(); // listed in the report, never rejections
//! # Ok(()) }
//! ```
//!
//! # Writing
//! [`export`] writes CSV (UTF-8 with BOM, or GBK) and .xlsx, both safe from formula
//! injection; [`template`] makes the blank 附件1 roster.

pub mod cell;
pub mod columns;
pub mod csv_source;
pub mod damage;
pub mod decode;
pub mod error;
pub mod export;
pub mod header;
pub mod reader;
pub mod source;
pub mod synonyms;
pub mod template;
pub mod upload;
pub mod workbook;
pub mod xls_guard;
pub mod zip_guard;

pub use cell::{Cell, CellKind, SheetRow};
pub use columns::{parse_sheet_date, Column, Header};
pub use damage::{Checked, ValueKind};
pub use decode::{decode, Detected};
pub use error::SheetError;
pub use export::{ExportEncoding, ExportFormat};
pub use header::{HeaderInfo, MappedColumn};
pub use reader::{Record, SheetReader, SkipReason, Skipped};
pub use source::{open, Format, RowSource, SourceInfo};
pub use synonyms::Synonyms;
pub use template::roster_template;

/// Opens an upload and finds its header: [`SheetReader::open`].
pub fn read_header(source: Box<dyn RowSource>, columns: &[Column]) -> Result<SheetReader, SheetError> {
    SheetReader::new(source, columns)
}
