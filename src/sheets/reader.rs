//! A sheet read as data: the header found, then each data row as a [`Record`] whose fields
//! are looked up by name. Empty rows and the totals, notes and signature rows clerks put
//! below the data are not records: they are listed as [`Skipped`], with their row numbers.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::Arc;

use serde::Serialize;

use super::cell::{Cell, SheetRow};
use super::columns::Column;
use super::damage::{self, Checked};
use super::error::SheetError;
use super::header::{find_header, HeaderInfo, HEADER_SEARCH_ROWS};
use super::source::{open, RowSource, SourceInfo};
use super::synonyms::{half_width, Synonyms};

/// Why a row is not data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Nothing in it.
    Empty,
    /// 合计, 总计 …
    Total,
    /// 注：, 说明 … and the lines that continue a note.
    Note,
    /// 填表人, 审核人, 负责人, 制表 …
    Signature,
}

impl SkipReason {
    pub fn zh(self) -> &'static str {
        match self {
            SkipReason::Empty => "空行",
            SkipReason::Total => "合计行",
            SkipReason::Note => "说明或备注行",
            SkipReason::Signature => "签字行（填表人、审核人等）",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            SkipReason::Empty => "empty row",
            SkipReason::Total => "totals row",
            SkipReason::Note => "note row",
            SkipReason::Signature => "signature row",
        }
    }
}

/// Rows passed over: `row` to `last_row` (the same for one row; consecutive empty rows are
/// one entry), why, and the first words of the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub row: u64,
    pub last_row: u64,
    pub reason: SkipReason,
    pub text: Option<String>,
}

/// A data row under the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Its spreadsheet row number.
    pub row: u64,
    pub cells: Vec<Cell>,
    header: Arc<HeaderInfo>,
}

impl Record {
    pub fn header(&self) -> &HeaderInfo {
        &self.header
    }

    /// The cell of a field; `None` when the file has no such column (or the row is short).
    pub fn cell(&self, field: &str) -> Option<&Cell> {
        self.cells.get(self.header.index_of(field)?)
    }

    /// The trimmed text of a field; `None` when the column is absent or the cell blank.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.cell(field).filter(|c| !c.is_blank()).map(Cell::trimmed)
    }

    /// The field's value with Excel's damage recognised ([`damage::check_field`]): ID numbers,
    /// codes, certificate and phone numbers, names. An absent column or blank cell is
    /// `Clean("")`.
    pub fn check(&self, field: &str) -> Checked {
        match self.cell(field) {
            Some(c) => damage::check_field(field, c),
            None => Checked::Clean(String::new()),
        }
    }

    /// The date of a field ([`Cell::as_date`]): `Ok(None)` when the column is absent or the
    /// cell blank, `Err(text)` when the cell holds something that is not a date.
    pub fn date(&self, field: &str) -> Result<Option<chrono::NaiveDate>, &str> {
        match self.cell(field).filter(|c| !c.is_blank()) {
            None => Ok(None),
            Some(c) => c.as_date().map(Some).ok_or(c.trimmed()),
        }
    }

    /// The cells as text, as many as the header has (for a file of rejected rows).
    pub fn texts(&self) -> Vec<String> {
        let mut out: Vec<String> = self.cells.iter().map(|c| c.text.clone()).collect();
        out.resize(out.len().max(self.header.cells.len()), String::new());
        out
    }

    /// The cells as a `csv::StringRecord`, for the parsers written for CSV (see
    /// [`Header::from_info`](super::Header::from_info)).
    pub fn to_string_record(&self) -> csv::StringRecord {
        self.cells.iter().map(|c| c.text.as_str()).collect()
    }

    /// The row without its header.
    pub fn into_sheet_row(self) -> SheetRow {
        SheetRow { row: self.row, cells: self.cells }
    }
}

/// Reads a sheet's data rows after its header. An iterator of records; a row that cannot be
/// read is an `Err` item and reading goes on, an error about the whole file ends it.
pub struct SheetReader {
    source: Box<dyn RowSource>,
    header: Arc<HeaderInfo>,
    table: &'static Synonyms,
    /// Rows read while looking for the header that come after it.
    pending: VecDeque<Result<SheetRow, SheetError>>,
    skipped: Vec<Skipped>,
    /// The last row number seen.
    last_row: u64,
    /// Empty rows not yet listed: listed when a non-empty row follows, dropped at the end.
    blank: Option<(u64, u64)>,
    /// A note or signature row was seen: one-cell rows that follow continue it.
    in_notes: bool,
    done: bool,
}

impl SheetReader {
    /// Opens an upload ([`open`]) and finds its header for `columns`.
    pub fn open(input: impl Read + Send + 'static, columns: &[Column]) -> Result<SheetReader, SheetError> {
        SheetReader::new(open(input)?, columns)
    }

    /// Finds the header among the first rows of `source`.
    pub fn new(source: Box<dyn RowSource>, columns: &[Column]) -> Result<SheetReader, SheetError> {
        SheetReader::with_table(source, columns, Synonyms::embedded())
    }

    /// [`SheetReader::new`] with another synonym table.
    pub fn with_table(
        mut source: Box<dyn RowSource>,
        columns: &[Column],
        table: &'static Synonyms,
    ) -> Result<SheetReader, SheetError> {
        let mut head: Vec<Result<SheetRow, SheetError>> = Vec::new();
        let mut filled = 0;
        while filled < HEADER_SEARCH_ROWS {
            match source.next() {
                None => break,
                Some(Ok(r)) => {
                    filled += usize::from(!r.is_blank());
                    head.push(Ok(r));
                }
                Some(Err(e @ SheetError::UnreadableRow { .. })) => head.push(Err(e)),
                Some(Err(e)) => return Err(e),
            }
        }
        let rows: Vec<SheetRow> = head.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        if rows.iter().all(SheetRow::is_blank) {
            return Err(SheetError::Empty);
        }
        let (at, header) = find_header(&rows, columns, table)?;
        let header_row = header.row;
        let pending = head
            .into_iter()
            .filter(|r| match r {
                Ok(r) => r.row > header_row,
                Err(SheetError::UnreadableRow { row, .. }) => *row > header_row,
                Err(_) => false,
            })
            .collect();
        debug_assert_eq!(rows[at].row, header_row);
        Ok(SheetReader {
            source,
            header: Arc::new(header),
            table,
            pending,
            skipped: Vec::new(),
            last_row: header_row,
            blank: None,
            in_notes: false,
            done: false,
        })
    }

    pub fn header(&self) -> &HeaderInfo {
        &self.header
    }

    pub fn info(&self) -> &SourceInfo {
        self.source.info()
    }

    /// The rows passed over so far (all of them once the iterator has ended).
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Reads to the end: every record (and row error), and the rows skipped.
    pub fn read_all(mut self) -> (Vec<Result<Record, SheetError>>, Vec<Skipped>) {
        let records = self.by_ref().collect();
        (records, self.skipped)
    }

    fn note_blank(&mut self, from: u64, to: u64) {
        self.blank = Some(match self.blank {
            Some((start, _)) => (start, to),
            None => (from, to),
        });
    }

    fn flush_blank(&mut self) {
        if let Some((row, last_row)) = self.blank.take() {
            self.skipped.push(Skipped { row, last_row, reason: SkipReason::Empty, text: None });
        }
    }

    fn skip(&mut self, row: &SheetRow, reason: SkipReason) {
        let text = row.first_text().map(|t| t.chars().take(40).collect());
        self.skipped.push(Skipped { row: row.row, last_row: row.row, reason, text });
    }

    /// A row that is not data, by its first non-empty cell.
    fn classify(&self, row: &SheetRow) -> Option<SkipReason> {
        let first: String = row.first_text()?.chars().map(half_width).filter(|c| !c.is_whitespace()).collect();
        let starts = |list: &[String]| {
            list.iter().any(|p| {
                let p: String = p.chars().map(half_width).collect();
                first.starts_with(&p)
            })
        };
        let skip = &self.table.skip;
        if starts(&skip.totals) {
            Some(SkipReason::Total)
        } else if starts(&skip.notes) {
            Some(SkipReason::Note)
        } else if starts(&skip.signatures) {
            Some(SkipReason::Signature)
        } else {
            None
        }
    }
}

impl Iterator for SheetReader {
    type Item = Result<Record, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let item = match self.pending.pop_front() {
                Some(item) => item,
                None => match self.source.next() {
                    Some(item) => item,
                    None => {
                        // Empty rows at the end are not listed.
                        self.blank = None;
                        self.done = true;
                        return None;
                    }
                },
            };
            let row = match item {
                Ok(row) => row,
                Err(SheetError::UnreadableRow { row, reason }) => {
                    if row > self.last_row + 1 {
                        self.note_blank(self.last_row + 1, row - 1);
                    }
                    self.flush_blank();
                    self.last_row = row;
                    return Some(Err(SheetError::UnreadableRow { row, reason }));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if row.row > self.last_row + 1 {
                self.note_blank(self.last_row + 1, row.row - 1);
            }
            self.last_row = self.last_row.max(row.row);
            if row.is_blank() {
                self.note_blank(row.row, row.row);
                continue;
            }
            self.flush_blank();
            if let Some(reason) = self.classify(&row) {
                self.in_notes |= matches!(reason, SkipReason::Note | SkipReason::Signature);
                self.skip(&row, reason);
                continue;
            }
            if self.in_notes && row.filled() == 1 {
                self.skip(&row, SkipReason::Note);
                continue;
            }
            self.in_notes = false;
            return Some(Ok(Record { row: row.row, cells: row.cells, header: Arc::clone(&self.header) }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheets::source::{Format, SourceInfo};

    struct Rows(std::vec::IntoIter<Result<SheetRow, SheetError>>, SourceInfo);

    impl Iterator for Rows {
        type Item = Result<SheetRow, SheetError>;
        fn next(&mut self) -> Option<Self::Item> {
            self.0.next()
        }
    }

    impl RowSource for Rows {
        fn info(&self) -> &SourceInfo {
            &self.1
        }
    }

    fn source(rows: Vec<Result<SheetRow, SheetError>>) -> Box<dyn RowSource> {
        let info =
            SourceInfo { format: Format::Text, encoding: None, delimiter: None, sheet: None, sheets: Vec::new() };
        Box::new(Rows(rows.into_iter(), info))
    }

    const COLUMNS: &[Column] = &[
        Column { field: "name", names: &["姓名"], required: true },
        Column { field: "id_number", names: &["身份证号码"], required: true },
    ];

    #[test]
    fn records_with_their_row_numbers_and_the_rows_skipped() {
        let rows = vec![
            Ok(SheetRow::of_text(1, &["花名册"])),
            Ok(SheetRow::of_text(3, &["序号", "姓名", "身份证号"])),
            Ok(SheetRow::of_text(4, &["1", "张三", "1"])),
            Ok(SheetRow::of_text(5, &["", "", ""])),
            Err(SheetError::UnreadableRow { row: 8, reason: "bad".into() }),
            Ok(SheetRow::of_text(9, &["2", "李四", "2"])),
            Ok(SheetRow::of_text(10, &["合计", "2人"])),
            Ok(SheetRow::of_text(12, &["注：身份证号码须为18位"])),
            Ok(SheetRow::of_text(13, &["2. 类别按附件填写"])),
            Ok(SheetRow::of_text(14, &["填表人：王五", "", "审核人：赵六"])),
            Ok(SheetRow::of_text(15, &[""])),
        ];
        let reader = SheetReader::new(source(rows), COLUMNS).unwrap();
        assert_eq!((reader.header().row, reader.header().title_rows.clone()), (3, vec![1]));
        let (records, skipped) = reader.read_all();
        let got: Vec<Result<(u64, Option<&str>), u64>> = records
            .iter()
            .map(|r| match r {
                Ok(r) => Ok((r.row, r.get("name"))),
                Err(e) => Err(e.row().unwrap()),
            })
            .collect();
        assert_eq!(got, vec![Ok((4, Some("张三"))), Err(8), Ok((9, Some("李四")))]);
        let skipped: Vec<(u64, u64, SkipReason)> = skipped.iter().map(|s| (s.row, s.last_row, s.reason)).collect();
        assert_eq!(
            skipped,
            vec![
                (5, 7, SkipReason::Empty),
                (10, 10, SkipReason::Total),
                (11, 11, SkipReason::Empty),
                (12, 12, SkipReason::Note),
                (13, 13, SkipReason::Note),
                (14, 14, SkipReason::Signature),
            ]
        );
    }

    #[test]
    fn rows_before_the_header_are_titles_and_a_record_reads_its_fields() {
        let rows = vec![
            Ok(SheetRow::of_text(1, &["姓名", "身份证号码"])),
            Ok(SheetRow::of_text(2, &[" 张三 ", "11010519491231002x", "extra"])),
            Ok(SheetRow::of_text(3, &["李四"])),
        ];
        let mut reader = SheetReader::new(source(rows), COLUMNS).unwrap();
        let r = reader.next().unwrap().unwrap();
        assert_eq!((r.row, r.get("name"), r.texts().len()), (2, Some("张三"), 3));
        assert!(matches!(r.check("id_number"), Checked::Fixed { ref value, .. } if value == "11010519491231002X"));
        let legacy = crate::sheets::Header::from_info(reader.header());
        assert_eq!(legacy.get(&r.to_string_record(), "id_number"), Some("11010519491231002x"));
        let r = reader.next().unwrap().unwrap();
        assert_eq!((r.get("id_number"), r.cell("id_number"), r.texts()), (None, None, vec!["李四".into(), "".into()]));
        assert!(reader.next().is_none());
    }

    #[test]
    fn an_empty_file_and_a_file_of_blank_lines() {
        assert_eq!(SheetReader::new(source(vec![]), COLUMNS).err(), Some(SheetError::Empty));
        let blank = vec![Ok(SheetRow::of_text(1, &["", " "]))];
        assert_eq!(SheetReader::new(source(blank), COLUMNS).err(), Some(SheetError::Empty));
    }
}
