//! Finding the header row: among the first rows of the sheet, the one whose cells name the
//! most columns of the upload kind (title rows such as 「XX医院医保支付资格人员花名册」 or
//! 「填报单位：…　填报日期：…」 above it name none). Each header cell is matched by its
//! normalised name against the kind's own column names and the synonym table.

use serde::Serialize;

use super::cell::{Cell, SheetRow};
use super::columns::Column;
use super::error::SheetError;
use super::synonyms::{normalise, without_hint, Synonyms};

/// How many non-empty rows at the top of a sheet may hold the header.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// A column of the file that holds a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    pub field: &'static str,
    /// Position in the row, 0 = column A.
    pub index: usize,
    /// The header as written in the file.
    pub header: String,
}

/// The header row found, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderInfo {
    /// Its spreadsheet row number.
    pub row: u64,
    /// The header cells as written (for a file of rejected rows with the same header).
    pub cells: Vec<String>,
    pub columns: Vec<MappedColumn>,
    /// Headers that name no field of this kind of file (reported, never fatal).
    pub unknown: Vec<String>,
    /// The non-empty rows above the header (titles, 填报单位, 填报日期).
    pub title_rows: Vec<u64>,
}

impl HeaderInfo {
    pub fn index_of(&self, field: &str) -> Option<usize> {
        self.columns.iter().find(|c| c.field == field).map(|c| c.index)
    }

    pub fn has(&self, field: &str) -> bool {
        self.index_of(field).is_some()
    }

    /// The cell of a field in a row, when the file has the column.
    pub fn cell<'r>(&self, row: &'r SheetRow, field: &str) -> Option<&'r Cell> {
        row.cells.get(self.index_of(field)?)
    }

    /// The trimmed text of a field in a row; `None` when the column is absent or the cell blank.
    pub fn get<'r>(&self, row: &'r SheetRow, field: &str) -> Option<&'r str> {
        self.cell(row, field).filter(|c| !c.is_blank()).map(Cell::trimmed)
    }

    /// The column letter of a field as Excel shows it (A, B, …, AA).
    pub fn column_letter(&self, field: &str) -> Option<String> {
        self.index_of(field).map(column_letter)
    }
}

/// `0` → `A`, `26` → `AA`.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

enum Match {
    Field(&'static str),
    Ignored,
    Unknown,
}

fn match_header(raw: &str, columns: &[Column], table: &Synonyms) -> Match {
    let n = normalise(raw);
    let by_name = |n: &str| -> Option<&'static str> {
        if let Some(c) = columns.iter().find(|c| c.names.iter().any(|name| normalise(name) == n)) {
            return Some(c.field);
        }
        let field = table.field_of(n)?;
        columns.iter().find(|c| c.field == field).map(|c| c.field)
    };
    if let Some(f) = by_name(&n).or_else(|| without_hint(&n).and_then(by_name)) {
        return Match::Field(f);
    }
    if table.is_ignored(&n) || without_hint(&n).is_some_and(|h| table.is_ignored(h)) {
        Match::Ignored
    } else {
        Match::Unknown
    }
}

/// How many distinct fields a row names.
fn score(row: &SheetRow, columns: &[Column], table: &Synonyms) -> usize {
    let mut fields: Vec<&str> = row
        .cells
        .iter()
        .filter(|c| !c.is_blank())
        .filter_map(|c| match match_header(&c.text, columns, table) {
            Match::Field(f) => Some(f),
            _ => None,
        })
        .collect();
    fields.sort_unstable();
    fields.dedup();
    fields.len()
}

/// The header among `rows` (the first non-empty rows of a sheet): its position in `rows` and
/// what it maps. Every missing required column is named at once.
pub fn find_header(rows: &[SheetRow], columns: &[Column], table: &Synonyms) -> Result<(usize, HeaderInfo), SheetError> {
    let candidates: Vec<(usize, &SheetRow)> =
        rows.iter().enumerate().filter(|(_, r)| !r.is_blank()).take(HEADER_SEARCH_ROWS).collect();
    if candidates.is_empty() {
        return Err(SheetError::Empty);
    }
    let mut best: Option<(usize, usize)> = None;
    for (k, row) in &candidates {
        let s = score(row, columns, table);
        if s > 0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((*k, s));
        }
    }
    let Some((at, _)) = best else {
        return Err(SheetError::NoHeader {
            searched: candidates.len(),
            expected: columns.iter().filter(|c| c.required).map(|c| c.names[0].to_string()).collect(),
        });
    };
    let header = &rows[at];
    let mut mapped: Vec<MappedColumn> = Vec::new();
    let mut unknown = Vec::new();
    for (index, cell) in header.cells.iter().enumerate() {
        if cell.is_blank() {
            continue;
        }
        let text = cell.trimmed().to_string();
        match match_header(&cell.text, columns, table) {
            Match::Field(field) => {
                if let Some(first) = mapped.iter().find(|m| m.field == field) {
                    let name = columns.iter().find(|c| c.field == field).map_or(field, |c| c.names[0]);
                    return Err(SheetError::DuplicateColumn {
                        name: name.to_string(),
                        first: first.header.clone(),
                        second: text,
                        row: header.row,
                    });
                }
                mapped.push(MappedColumn { field, index, header: text });
            }
            Match::Ignored => {}
            Match::Unknown => unknown.push(text),
        }
    }
    let missing: Vec<String> = columns
        .iter()
        .filter(|c| c.required && !mapped.iter().any(|m| m.field == c.field))
        .map(|c| c.names[0].to_string())
        .collect();
    let cells: Vec<String> = header.cells.iter().map(|c| c.trimmed().to_string()).collect();
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns {
            header_row: header.row,
            missing,
            found: cells.iter().filter(|c| !c.is_empty()).cloned().collect(),
        });
    }
    let title_rows = rows[..at].iter().filter(|r| !r.is_blank()).map(|r| r.row).collect();
    Ok((at, HeaderInfo { row: header.row, cells, columns: mapped, unknown, title_rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column { field: "name", names: &["姓名", "name"], required: true },
        Column { field: "id_number", names: &["身份证号码", "id_number"], required: true },
        Column { field: "category", names: &["医保支付资格类别", "category"], required: true },
        Column { field: "personnel_code", names: &["医保对应代码", "personnel_code"], required: true },
        Column { field: "practice_registered_on", names: &["注册时间"], required: true },
        Column { field: "phone", names: &["联系电话"], required: false },
    ];

    fn find(rows: &[SheetRow]) -> Result<(usize, HeaderInfo), SheetError> {
        find_header(rows, COLUMNS, Synonyms::embedded())
    }

    #[test]
    fn the_header_below_title_rows_with_variant_names() {
        let rows = vec![
            SheetRow::of_text(1, &["济宁市第一人民医院医保支付资格人员花名册"]),
            SheetRow::of_text(2, &["填报单位：济宁市第一人民医院", "", "填报日期：2024年3月1日"]),
            SheetRow::of_text(
                4,
                &["序号", "姓名*", "身份证号码（必填）", "人员类别", "医保医师代码", "注册日期", "手机号", "科室"],
            ),
            SheetRow::of_text(5, &["1", "张三", "370811198001011234", "医保医师", "D370811000001", "2020-01-01"]),
        ];
        let (at, h) = find(&rows).unwrap();
        assert_eq!((at, h.row, h.title_rows.clone()), (2, 4, vec![1, 2]));
        assert_eq!(h.unknown, vec!["科室"]);
        assert_eq!(h.index_of("id_number"), Some(2));
        assert_eq!(h.column_letter("personnel_code").as_deref(), Some("E"));
        assert_eq!(h.get(&rows[3], "personnel_code"), Some("D370811000001"));
        assert_eq!(h.get(&rows[3], "phone"), None);
    }

    #[test]
    fn every_missing_column_at_once() {
        let rows = vec![SheetRow::of_text(1, &["姓名", "身份证号", "科室"])];
        let e = find(&rows).unwrap_err();
        assert_eq!(
            e,
            SheetError::MissingColumns {
                header_row: 1,
                missing: vec!["医保支付资格类别".into(), "医保对应代码".into(), "注册时间".into()],
                found: vec!["姓名".into(), "身份证号".into(), "科室".into()],
            }
        );
    }

    #[test]
    fn a_file_without_any_known_column_and_duplicates() {
        let rows = vec![SheetRow::of_text(1, &["a", "b"]), SheetRow::of_text(2, &["1", "2"])];
        assert!(matches!(find(&rows), Err(SheetError::NoHeader { searched: 2, .. })));
        let rows = vec![SheetRow::of_text(1, &["姓名", "身份证号码", "证件号码"])];
        assert!(matches!(find(&rows), Err(SheetError::DuplicateColumn { row: 1, .. })));
    }

    #[test]
    fn column_letters() {
        assert_eq!(
            (column_letter(0), column_letter(25), column_letter(26), column_letter(701)),
            ("A".into(), "Z".into(), "AA".into(), "ZZ".into())
        );
    }
}
