//! One spreadsheet row as the clerk sees it: its row number in Excel and its cells as text,
//! each cell remembering whether Excel held it as a number (an ID column holding a number
//! has lost digits) or as a date.

use std::fmt;

use chrono::{Days, NaiveDate};

use super::columns::parse_sheet_date;

/// What Excel held in a cell. CSV and tab-separated text only ever have `Text`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellKind {
    Text,
    /// A number cell; `Cell::text` is what Excel shows in a General column. The value is
    /// kept: an integer of up to 15 digits is exact, anything longer has lost its tail.
    Number(f64),
    /// A date (or date and time) cell, written `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` with a time).
    Date,
    /// TRUE or FALSE.
    Bool,
    /// A formula error such as `#N/A` or `#VALUE!`.
    Error,
}

/// A cell's text and what Excel held.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub kind: CellKind,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), kind: CellKind::Text }
    }

    /// A number cell, shown as Excel's General format shows it.
    pub fn number(value: f64) -> Cell {
        Cell { text: excel_general(value), kind: CellKind::Number(value) }
    }

    /// Whether Excel held the cell as a number.
    pub fn is_numeric(&self) -> bool {
        matches!(self.kind, CellKind::Number(_))
    }

    /// Blank: empty or only white space (ideographic spaces and zero-width characters too).
    pub fn is_blank(&self) -> bool {
        is_blank(&self.text)
    }

    /// The text without surrounding white space.
    pub fn trimmed(&self) -> &str {
        trim(&self.text)
    }

    /// The date in the cell: a date cell; a number cell holding a date serial (a date typed
    /// into a General column shows as 45352); text in the shapes of [`parse_sheet_date`]
    /// (20240301 included, as text or as a number).
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self.kind {
            CellKind::Number(v) if v.fract() == 0.0 && (1.0..=MAX_SERIAL).contains(&v) => from_serial(v as u64),
            _ => parse_sheet_date(self.trimmed()),
        }
    }
}

/// 9999-12-31, the last date Excel has.
const MAX_SERIAL: f64 = 2_958_465.0;

/// An Excel date serial of the 1900 system: day 1 is 1900-01-01, and day 60 the 29 February
/// 1900 that Excel counts but never was.
pub fn from_serial(serial: u64) -> Option<NaiveDate> {
    match serial {
        0 | 60 => None,
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?.checked_add_days(Days::new(serial)),
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial)),
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A row of a sheet: its number as Excel shows it (row 1 is the first line of the file,
/// empty lines counted) and its cells from column A on.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: u64,
    pub cells: Vec<Cell>,
}

impl SheetRow {
    /// A row of text cells (tests, JSON bodies turned into rows).
    pub fn of_text(row: u64, cells: &[&str]) -> SheetRow {
        SheetRow { row, cells: cells.iter().map(|c| Cell::text(*c)).collect() }
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }

    /// The first cell that is not blank, trimmed.
    pub fn first_text(&self) -> Option<&str> {
        self.cells.iter().find(|c| !c.is_blank()).map(Cell::trimmed)
    }

    /// How many cells are not blank.
    pub fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_blank()).count()
    }
}

/// White space as spreadsheets have it: ASCII, the ideographic space, no-break space, and the
/// zero-width characters and BOM that copying from web pages leaves behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// A number as Excel's General format shows it in a column of standard width: integers up to
/// 11 digits in full, larger numbers in scientific notation with 6 significant digits
/// (`370811198001011234` → `3.70811E+17`), fractions in at most 11 characters.
pub fn excel_general(v: f64) -> String {
    if !v.is_finite() {
        return "#NUM!".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-9..1e11).contains(&a) {
        return scientific(v);
    }
    if v.fract() == 0.0 {
        return format!("{v:.0}");
    }
    // Eleven characters in all: the integer digits (at least the 0), the point, the decimals.
    let int_digits = (a.log10().floor() as i32 + 1).max(1);
    let decimals = (10 - int_digits).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// `3.70811E+17`: 6 significant digits, trailing zeros dropped, a signed exponent of at least
/// two digits.
fn scientific(v: f64) -> String {
    let s = format!("{v:.5E}");
    let (mantissa, exponent) = s.split_once('E').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    let e: i32 = exponent.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", e.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_as_excel_shows_them() {
        for (v, shown) in [
            (370811198001011234.0, "3.70811E+17"),
            (110370800000001.0, "1.10371E+14"),
            (13800000001.0, "13800000001"),
            (100000000000.0, "1E+11"),
            (85.5, "85.5"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333333"),
            (-12.0, "-12"),
            (20240301.0, "20240301"),
            (0.0, "0"),
            (-3.70811e17, "-3.70811E+17"),
            (1.5e-12, "1.5E-12"),
        ] {
            assert_eq!(excel_general(v), shown, "{v}");
        }
    }

    #[test]
    fn dates_from_date_cells_serials_and_text() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(Cell::number(45352.0).as_date(), d(2024, 3, 1));
        assert_eq!(Cell::number(1.0).as_date(), d(1900, 1, 1));
        assert_eq!(Cell::number(61.0).as_date(), d(1900, 3, 1));
        assert_eq!(Cell::number(60.0).as_date(), None);
        assert_eq!(Cell::number(20240301.0).as_date(), d(2024, 3, 1));
        assert_eq!(Cell::number(85.5).as_date(), None);
        assert_eq!(Cell { text: "2024-03-01".into(), kind: CellKind::Date }.as_date(), d(2024, 3, 1));
        assert_eq!(Cell::text("2024年3月1日").as_date(), d(2024, 3, 1));
        assert_eq!(Cell::text("45352").as_date(), None, "a serial typed as text is not a date");
    }

    #[test]
    fn blank_includes_ideographic_and_zero_width_spaces() {
        assert!(Cell::text(" \u{3000}\u{200B}\t").is_blank());
        assert!(!Cell::text(" 张三 ").is_blank());
        assert_eq!(Cell::text("\u{FEFF} 张三\u{3000}").trimmed(), "张三");
        let row = SheetRow::of_text(3, &["", " ", "合计", "35"]);
        assert_eq!((row.first_text(), row.filled(), row.is_blank()), (Some("合计"), 2, false));
    }
}
