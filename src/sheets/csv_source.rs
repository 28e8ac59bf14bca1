//! Delimited text as rows: decoded as it is read (see `decode.rs`), split by the `csv` crate,
//! and numbered as Excel numbers them: one record is one row, a quoted cell with line breaks
//! in it (Alt+Enter in Excel) included. The `csv` crate passes over empty lines without a
//! trace, so [`BlankLines`] first turns each empty line into a line holding one delimiter,
//! which is a record of empty cells: a row that counts.

use std::io::{BufRead, Read};

use super::cell::{Cell, SheetRow};
use super::decode::{decode_stream, Decoded};
use super::error::SheetError;
use super::source::{Format, RowSource, SourceInfo};

pub struct CsvSource<R: Read> {
    reader: csv::Reader<BlankLines<Decoded<R>>>,
    record: csv::StringRecord,
    info: SourceInfo,
    /// The row number given last.
    row: u64,
    done: bool,
}

impl<R: Read> CsvSource<R> {
    pub fn new(input: R) -> Result<Self, SheetError> {
        let (decoded, detected) = decode_stream(input)?;
        let reader = csv::ReaderBuilder::new()
            .delimiter(detected.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(BlankLines::new(decoded, detected.delimiter));
        Ok(CsvSource {
            reader,
            record: csv::StringRecord::new(),
            info: SourceInfo {
                format: Format::Text,
                encoding: Some(detected.encoding),
                delimiter: Some(detected.delimiter as char),
                sheet: None,
                sheets: Vec::new(),
            },
            row: 0,
            done: false,
        })
    }
}

impl<R: Read> Iterator for CsvSource<R> {
    type Item = Result<SheetRow, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.row += 1;
                Some(Ok(SheetRow { row: self.row, cells: self.record.iter().map(Cell::text).collect() }))
            }
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(io) => {
                    self.done = true;
                    Some(Err(SheetError::Unreadable { reason: io.to_string() }))
                }
                other => {
                    self.row += 1;
                    Some(Err(SheetError::UnreadableRow { row: self.row, reason: format!("{other:?}") }))
                }
            },
        }
    }
}

impl<R: Read + Send> RowSource for CsvSource<R> {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// Where the text is, as the `csv` crate reads it: quotes open only at the start of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    LineStart,
    /// After a carriage return: a line feed completes the line break.
    AfterCr,
    CellStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: the end of the quotes, or the first of `""`.
    QuoteInQuoted,
}

/// A reader that writes the delimiter at the start of every empty line (outside quoted
/// cells), so that the line becomes a record of empty cells.
pub struct BlankLines<R> {
    inner: R,
    delimiter: u8,
    at: At,
    /// A byte held back when the delimiter took the last place of the caller's buffer.
    held: Option<u8>,
}

impl<R> BlankLines<R> {
    pub fn new(inner: R, delimiter: u8) -> Self {
        BlankLines { inner, delimiter, at: At::LineStart, held: None }
    }
}

/// The state after byte `b`.
fn step(at: At, b: u8, delimiter: u8) -> At {
    let end_of_line = |b: u8| match b {
        b'\n' => Some(At::LineStart),
        b'\r' => Some(At::AfterCr),
        _ => None,
    };
    match (at, b) {
        (At::Quoted, b'"') => At::QuoteInQuoted,
        (At::Quoted, _) => At::Quoted,
        (At::QuoteInQuoted, b'"') => At::Quoted,
        (At::AfterCr, b'\n') => At::LineStart,
        (At::LineStart | At::AfterCr | At::CellStart, b'"') => At::Quoted,
        (_, b) if b == delimiter => At::CellStart,
        (_, b) => end_of_line(b).unwrap_or(At::Unquoted),
    }
}

/// Whether an empty line starts with byte `b`.
fn blank_line(at: At, b: u8) -> bool {
    match at {
        At::LineStart => matches!(b, b'\n' | b'\r'),
        At::AfterCr => b == b'\r',
        _ => false,
    }
}

impl<R: BufRead> Read for BlankLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        if let Some(b) = self.held.take() {
            out[0] = b;
            n = 1;
        }
        let (delimiter, mut at) = (self.delimiter, self.at);
        let input = self.inner.fill_buf()?;
        let mut used = 0;
        while n < out.len() && used < input.len() {
            let b = input[used];
            used += 1;
            if blank_line(at, b) {
                out[n] = delimiter;
                n += 1;
                if n == out.len() {
                    self.held = Some(b);
                    at = step(at, b, delimiter);
                    break;
                }
            }
            out[n] = b;
            n += 1;
            at = step(at, b, delimiter);
        }
        self.at = at;
        self.inner.consume(used);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(u64, Vec<String>)> {
        CsvSource::new(std::io::Cursor::new(text.as_bytes().to_vec()))
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                (r.row, r.cells.into_iter().map(|c| c.text).collect())
            })
            .collect()
    }

    #[test]
    fn row_numbers_count_empty_lines_and_line_breaks_inside_cells() {
        let text = "表名\n姓名,\"身份证号码\r\n（必填）\"\n\n\n张三,1\r\n\r\n李四,2\n";
        let got = rows(text);
        let numbers: Vec<u64> = got.iter().filter(|(_, c)| c.iter().any(|c| !c.is_empty())).map(|(r, _)| *r).collect();
        assert_eq!(numbers, vec![1, 2, 5, 7], "{got:?}");
        assert_eq!(got.len(), 7, "the empty lines are rows of empty cells: {got:?}");
        assert_eq!(got[1].1, vec!["姓名", "身份证号码\r\n（必填）"]);
        assert_eq!(got[6].1, vec!["李四", "2"]);
    }

    #[test]
    fn empty_lines_in_quoted_cells_lone_quotes_and_carriage_returns() {
        let text = "a,b\n\"x\n\ny\",1\n5\",2\n\n\r\n\r\rc,\"\"\"q\"\"\"\n\n";
        let got = rows(text);
        let filled: Vec<(u64, Vec<String>)> =
            got.iter().filter(|(_, c)| c.iter().any(|c| !c.is_empty())).cloned().collect();
        assert_eq!(
            filled,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["x\n\ny".into(), "1".into()]),
                (3, vec!["5\"".into(), "2".into()]),
                (8, vec!["c".into(), "\"q\"".into()]),
            ],
            "{got:?}"
        );
    }

    #[test]
    fn the_marker_survives_a_one_byte_buffer() {
        let text = "a\n\n\nb\n";
        let mut r = BlankLines::new(std::io::Cursor::new(text.as_bytes().to_vec()), b',');
        let mut out = Vec::new();
        let mut byte = [0u8; 1];
        while r.read(&mut byte).unwrap() == 1 {
            out.push(byte[0]);
        }
        assert_eq!(String::from_utf8(out).unwrap(), "a\n,\n,\nb\n");
    }

    #[test]
    fn semicolons_and_tabs() {
        assert_eq!(rows("a;b;c\n1;2;3\n")[1].1, vec!["1", "2", "3"]);
        assert_eq!(rows("表名\n姓名\t备注\n张三\t内科,外科\n")[2].1, vec!["张三", "内科,外科"]);
    }
}
