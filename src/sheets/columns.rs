//! Spreadsheet headers: each field by its Chinese name or an English alias, in any order;
//! unknown columns are reported, not fatal; a missing required column refuses the file.

use chrono::NaiveDate;

use crate::error::{ClientError, Error, Kind};

/// A field a file may carry.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub field: &'static str,
    /// The first name is the one written in exports and error messages.
    pub names: &'static [&'static str],
    pub required: bool,
}

/// Which column of the file holds which field.
#[derive(Debug, Clone)]
pub struct Header {
    index: Vec<(&'static str, usize)>,
    pub unknown: Vec<String>,
}

fn normalise(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').trim_matches('"').replace([' ', '\u{3000}', '_', '-'], "").to_lowercase()
}

impl Header {
    pub fn read(record: &csv::StringRecord, columns: &[Column]) -> Result<Header, Error> {
        let mut index = Vec::new();
        let mut unknown = Vec::new();
        for (k, raw) in record.iter().enumerate() {
            let n = normalise(raw);
            if n.is_empty() {
                continue;
            }
            match columns.iter().find(|c| c.names.iter().any(|name| normalise(name) == n)) {
                Some(c) if !index.iter().any(|(f, _)| *f == c.field) => index.push((c.field, k)),
                Some(c) => {
                    return Err(Error::Client(
                        ClientError::new(
                            Kind::Unprocessable,
                            "duplicate_column",
                            format!("column '{}' appears twice", c.names[0]),
                            format!("列“{}”重复出现", c.names[0]),
                        )
                        .field(c.names[0])
                        .row(1),
                    ))
                }
                None => unknown.push(raw.trim().to_string()),
            }
        }
        for c in columns.iter().filter(|c| c.required) {
            if !index.iter().any(|(f, _)| *f == c.field) {
                return Err(Error::Client(
                    ClientError::new(
                        Kind::Unprocessable,
                        "missing_column",
                        format!("the file has no '{}' column ({})", c.names[0], c.names.get(1).unwrap_or(&"")),
                        format!("文件缺少“{}”列", c.names[0]),
                    )
                    .field(c.names[0])
                    .row(1),
                ));
            }
        }
        Ok(Header { index, unknown })
    }

    /// The trimmed value of a field in a record; `None` when the column is absent or empty.
    pub fn get<'r>(&self, record: &'r csv::StringRecord, field: &str) -> Option<&'r str> {
        let k = self.index.iter().find(|(f, _)| *f == field)?.1;
        record.get(k).map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn has(&self, field: &str) -> bool {
        self.index.iter().any(|(f, _)| *f == field)
    }

    /// This header of a header the sheet reader found (its row, synonyms and all), so that a
    /// row parser over `csv::StringRecord` keeps working on [`Record::to_string_record`]
    /// while it moves to [`Record`].
    ///
    /// [`Record`]: super::Record
    /// [`Record::to_string_record`]: super::Record::to_string_record
    pub fn from_info(info: &super::HeaderInfo) -> Header {
        Header { index: info.columns.iter().map(|c| (c.field, c.index)).collect(), unknown: info.unknown.clone() }
    }
}

/// Dates as spreadsheets write them: 2024-03-01, 2024/3/1, 20240301, 2024年3月1日, 2024.03.01.
pub fn parse_sheet_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim().trim_end_matches('日').replace(['年', '月', '/', '.'], "-");
    let t = t.split_whitespace().next().unwrap_or("");
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_shapes_excel_writes() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1);
        for s in ["2024-03-01", "2024/3/1", "20240301", "2024年3月1日", "2024.03.01", "2024-03-01 00:00:00"] {
            assert_eq!(parse_sheet_date(s), d, "{s}");
        }
        assert_eq!(parse_sheet_date("2024-02-30"), None);
        assert_eq!(parse_sheet_date("soon"), None);
    }
}
