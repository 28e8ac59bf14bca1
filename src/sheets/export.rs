//! Files for Excel users that Excel opens without damage: CSV in UTF-8 with a BOM by default
//! (or GBK, `?encoding=gbk`), and .xlsx with ID numbers and codes as text cells, the header
//! frozen and columns wide enough for Chinese text.
//!
//! Both neutralise formula injection: a CSV cell that starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return gets a leading `'` (plain numbers such as `-3` excepted), so Excel shows
//! it instead of running it; in .xlsx every value is written as a string or a number cell,
//! never as a formula.

use std::borrow::Cow;

use rust_xlsxwriter::{Color, Format, IgnoreError, Workbook, XlsxError};

use super::damage::ValueKind;
use super::synonyms::{normalise, without_hint, Synonyms};
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportEncoding {
    Utf8Bom,
    Gbk,
}

impl ExportEncoding {
    pub fn parse(s: Option<&str>) -> Result<Self, Error> {
        match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("utf-8") | Some("utf8") => Ok(ExportEncoding::Utf8Bom),
            Some("gbk") | Some("gb18030") | Some("gb2312") => Ok(ExportEncoding::Gbk),
            Some(other) => Err(Error::invalid(
                "invalid_encoding",
                "encoding",
                format!("encoding '{other}' is not utf-8 or gbk"),
                format!("编码 '{other}' 应为 utf-8 或 gbk"),
            )),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportEncoding::Utf8Bom => "text/csv; charset=utf-8",
            ExportEncoding::Gbk => "text/csv; charset=gbk",
        }
    }
}

/// The kind of file an export is written as: `?format=csv|xlsx`, or what `Accept` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv(ExportEncoding),
    Xlsx,
}

/// The media type of .xlsx.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl ExportFormat {
    /// From `?format=` (csv, xlsx), else the `Accept` header, and `?encoding=` for CSV.
    pub fn parse(format: Option<&str>, accept: Option<&str>, encoding: Option<&str>) -> Result<Self, Error> {
        let format = format.map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty());
        match format.as_deref() {
            Some("xlsx") | Some("excel") => Ok(ExportFormat::Xlsx),
            Some("csv") => Ok(ExportFormat::Csv(ExportEncoding::parse(encoding)?)),
            Some(other) => Err(Error::invalid(
                "invalid_format",
                "format",
                format!("format '{other}' is not csv or xlsx"),
                format!("格式 '{other}' 应为 csv 或 xlsx"),
            )),
            None if accept.is_some_and(|a| a.contains(XLSX_CONTENT_TYPE)) => Ok(ExportFormat::Xlsx),
            None => Ok(ExportFormat::Csv(ExportEncoding::parse(encoding)?)),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv(enc) => enc.content_type(),
            ExportFormat::Xlsx => XLSX_CONTENT_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv(_) => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The header and rows as a file of this format.
    pub fn write(self, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
        match self {
            ExportFormat::Csv(enc) => to_bytes(header, rows, enc),
            ExportFormat::Xlsx => to_xlsx("Sheet1", header, rows),
        }
    }
}

/// A CSV cell Excel would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return at the
/// start), with a `'` in front; negative numbers (`-3`, `-1.5`) are left as they are.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn is_plain_number(s: &str) -> bool {
    let Some(body) = s.strip_prefix('-') else { return false };
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Writes rows to CSV text, each cell neutralised, then encodes it.
pub fn to_bytes(header: &[&str], rows: &[Vec<String>], enc: ExportEncoding) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(e.into());
    w.write_record(header.iter().map(|h| neutralise(h).into_owned())).map_err(internal)?;
    for r in rows {
        w.write_record(r.iter().map(|c| neutralise(c).into_owned())).map_err(internal)?;
    }
    let utf8 = w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    Ok(match enc {
        ExportEncoding::Utf8Bom => {
            let mut out = vec![0xEF, 0xBB, 0xBF];
            out.extend_from_slice(&utf8);
            out
        }
        ExportEncoding::Gbk => {
            let text = String::from_utf8_lossy(&utf8);
            encoding_rs::GBK.encode(&text).0.into_owned()
        }
    })
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Internal(anyhow::anyhow!("writing .xlsx: {e}"))
}

/// A header whose column holds identifiers, written as text: ID numbers, codes, certificate
/// and phone numbers, by the synonym table or by the words 号码, 代码, 编码, 编号, 证号, 电话.
pub fn is_text_column(header: &str) -> bool {
    let n = normalise(header);
    let table = Synonyms::embedded();
    let field = table.field_of(&n).or_else(|| without_hint(&n).and_then(|h| table.field_of(h)));
    if field.is_some_and(|f| ValueKind::of_field(f).is_some_and(|k| k != ValueKind::Name) || f == "inspection_ref") {
        return true;
    }
    ["号码", "代码", "编码", "编号", "证号", "电话", "手机", "code", "number", "phone"].iter().any(|w| n.contains(w))
}

/// How wide a text is in Excel's column units: CJK and full-width characters count two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Column widths that fit the header and the sampled rows, between 6 and 60.
pub fn column_widths(header: &[&str], sample: &[Vec<String>]) -> Vec<f64> {
    (0..header.len())
        .map(|k| {
            let widest = sample
                .iter()
                .filter_map(|r| r.get(k))
                .map(|c| display_width(c))
                .chain(std::iter::once(display_width(header[k])))
                .max()
                .unwrap_or(0);
            (widest + 2).clamp(6, 60) as f64
        })
        .collect()
}

/// The header row's look: bold on grey.
pub fn header_format() -> Format {
    Format::new().set_bold().set_background_color(Color::RGB(0xD9D9D9))
}

/// Writes an .xlsx sheet row by row with flat memory (rust_xlsxwriter's constant-memory
/// mode): the header frozen, identifier columns as text (format `@`, no "number stored as
/// text" marks), other cells that are plain numbers as numbers, everything else as strings.
pub struct XlsxWriter {
    workbook: Workbook,
    text: Vec<bool>,
    next_row: u32,
}

/// Rows sampled for the column widths.
pub const WIDTH_SAMPLE_ROWS: usize = 1000;

impl XlsxWriter {
    /// A workbook with one sheet named `sheet` and its header; `sample` (the first rows, up to
    /// [`WIDTH_SAMPLE_ROWS`]) sizes the columns.
    pub fn new(sheet: &str, header: &[&str], sample: &[Vec<String>]) -> Result<XlsxWriter, Error> {
        let mut workbook = Workbook::new();
        let text: Vec<bool> = header.iter().map(|h| is_text_column(h)).collect();
        if header.len() > usize::from(u16::MAX) {
            return Err(Error::Internal(anyhow::anyhow!("too many columns")));
        }
        let widths = column_widths(header, &sample[..sample.len().min(WIDTH_SAMPLE_ROWS)]);
        {
            let ws = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            ws.set_name(sheet).map_err(xlsx_error)?;
            let as_text = Format::new().set_num_format("@");
            for (k, w) in widths.iter().enumerate() {
                let col = k as u16;
                ws.set_column_width(col, *w).map_err(xlsx_error)?;
                if text[k] {
                    ws.set_column_format(col, &as_text).map_err(xlsx_error)?;
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
            let bold = header_format();
            for (k, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, k as u16, *h, &bold).map_err(xlsx_error)?;
            }
        }
        Ok(XlsxWriter { workbook, text, next_row: 1 })
    }

    pub fn write_row(&mut self, cells: &[String]) -> Result<(), Error> {
        let row = self.next_row;
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        let as_text = Format::new().set_num_format("@");
        for (k, c) in cells.iter().enumerate() {
            if c.is_empty() {
                continue;
            }
            let col = u16::try_from(k).map_err(|_| Error::Internal(anyhow::anyhow!("too many columns")))?;
            let text = self.text.get(k).copied().unwrap_or(false);
            if text {
                ws.write_string_with_format(row, col, c, &as_text).map_err(xlsx_error)?;
            } else if let Some(n) = plain_number(c) {
                ws.write_number(row, col, n).map_err(xlsx_error)?;
            } else {
                ws.write_string(row, col, c).map_err(xlsx_error)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        let last_row = self.next_row.saturating_sub(1).max(1);
        let text = self.text.clone();
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        for (k, t) in text.iter().enumerate() {
            if *t {
                let col = k as u16;
                ws.ignore_error_range(1, col, last_row, col, IgnoreError::NumberStoredAsText).map_err(xlsx_error)?;
            }
        }
        self.workbook.save_to_buffer().map_err(xlsx_error)
    }
}

/// A cell written as a number: up to 11 integer digits, no leading zero, at most 6 decimals.
fn plain_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let ok = !int.is_empty()
        && int.len() <= 11
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.len() <= 6
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(body.contains('.') && frac.is_empty());
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

/// The header and rows as an .xlsx workbook of one sheet.
pub fn to_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Error> {
    let mut w = XlsxWriter::new(sheet, header, rows)?;
    for r in rows {
        w.write_row(r)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_neutralised_in_csv() {
        for (raw, out) in [
            ("=1+1", "'=1+1"),
            ("+8613800000000", "'+8613800000000"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-3", "-3"),
            ("-1.5", "-1.5"),
            ("+1.5", "'+1.5"),
            ("张三", "张三"),
            ("", ""),
        ] {
            assert_eq!(neutralise(raw), out, "{raw:?}");
        }
        let bytes =
            to_bytes(&["姓名", "联系电话"], &[vec!["=HYPERLINK(\"x\")".into(), "-3".into()]], ExportEncoding::Utf8Bom)
                .unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        assert_eq!(String::from_utf8_lossy(&bytes[3..]), "姓名,联系电话\n\"'=HYPERLINK(\"\"x\"\")\",-3\n");
    }

    #[test]
    fn identifier_columns_are_text_and_widths_fit_chinese() {
        for h in ["身份证号码", "医保对应代码", "执业证书编号", "联系电话", "定点医药机构编码", "证件号码", "id_number"]
        {
            assert!(is_text_column(h), "{h}");
        }
        for h in ["姓名", "注册时间", "成绩", "原行号"] {
            assert!(!is_text_column(h), "{h}");
        }
        assert_eq!(display_width("济宁市第一人民医院"), 18);
        assert_eq!(display_width("D370811000001"), 13);
        assert_eq!(
            column_widths(&["姓名", "医保对应代码"], &[vec!["欧阳修远".into(), "D370811000001".into()]]),
            vec![10.0, 15.0]
        );
    }

    #[test]
    fn numbers_only_when_nothing_can_be_lost() {
        assert_eq!(plain_number("85.5"), Some(85.5));
        assert_eq!(plain_number("-3"), Some(-3.0));
        assert_eq!(plain_number("0"), Some(0.0));
        for s in ["0537", "370811198001011234", "1.", "1e5", "2024-03-01", "12.1234567"] {
            assert_eq!(plain_number(s), None, "{s}");
        }
    }

    #[test]
    fn formats_from_query_and_accept() {
        assert_eq!(ExportFormat::parse(Some("xlsx"), None, None).unwrap(), ExportFormat::Xlsx);
        assert_eq!(ExportFormat::parse(None, Some(XLSX_CONTENT_TYPE), None).unwrap(), ExportFormat::Xlsx);
        assert_eq!(
            ExportFormat::parse(None, Some("text/csv"), Some("gbk")).unwrap(),
            ExportFormat::Csv(ExportEncoding::Gbk)
        );
        assert!(ExportFormat::parse(Some("pdf"), None, None).is_err());
    }

    #[test]
    fn an_xlsx_export_reads_back_as_it_was_written() {
        let header = ["姓名", "身份证号码", "医保对应代码", "联系电话", "成绩", "备注"];
        let rows = vec![
            vec!["张三", "370811198001011234", "D370811000001", "05371234567", "85.5", "=1+1"],
            vec!["李四", "11010519491231002X", "N370811000002", "", "-3", "@x"],
        ];
        let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r.into_iter().map(String::from).collect()).collect();
        let bytes = to_xlsx("名单", &header, &rows).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let source = crate::sheets::open(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(source.info().sheet.as_deref(), Some("名单"));
        let back: Vec<crate::sheets::SheetRow> = source.map(|r| r.unwrap()).collect();
        assert_eq!(back.len(), 3);
        let texts = |k: usize| back[k].cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(0), header);
        assert_eq!(texts(1), rows[0]);
        // Identifiers are text cells, the score a number, the formula-like note a string.
        let kinds: Vec<bool> = back[1].cells.iter().map(|c| c.is_numeric()).collect();
        assert_eq!(kinds, vec![false, false, false, false, true, false]);
        assert_eq!(texts(2)[..5], rows[1][..5]);
    }
}
