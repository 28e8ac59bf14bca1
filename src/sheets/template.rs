//! The blank 附件1 roster template HR downloads: the roster columns in order, a note on each
//! header cell (from `data/sheet_columns.toml`'s `[notes]`), ID number and code columns
//! formatted as text so Excel cannot turn them into numbers, and drop-down lists for
//! 医保支付资格类别 and 操作. Uploaded back as it is, it is read like any other roster.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, IgnoreError, Note, Workbook, XlsxError,
};

use super::columns::Column;
use super::export::{column_widths, header_format, is_text_column};
use super::synonyms::Synonyms;
use crate::domain::Category;
use crate::error::Error;

/// The sheet's name; the reader prefers a sheet named like a roster.
pub const ROSTER_SHEET: &str = "附件1花名册";

/// The values the roster parser accepts in 操作 (its first spelling of each).
pub const OPERATIONS: [&str; 3] = ["新增", "变更", "注销"];

/// Rows that carry the drop-downs and the text format.
pub const TEMPLATE_ROWS: u32 = 5000;

fn xlsx_error(e: XlsxError) -> Error {
    Error::Internal(anyhow::anyhow!("writing the roster template: {e}"))
}

/// The roster template for `columns` (the roster upload's column list), as .xlsx bytes.
pub fn roster_template(columns: &[Column]) -> Result<Vec<u8>, Error> {
    let table = Synonyms::embedded();
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(ROSTER_SHEET).map_err(xlsx_error)?;
    let header: Vec<&str> = columns.iter().map(|c| c.names[0]).collect();
    let sample: Vec<Vec<String>> = vec![columns.iter().map(|c| example(c.field).to_string()).collect()];
    let widths = column_widths(&header, &sample);
    let as_text = Format::new().set_num_format("@");
    let required = header_format().set_font_color(Color::RGB(0xC00000));
    let optional = header_format();
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.name_zh()).collect();
    for (k, c) in columns.iter().enumerate() {
        let col = u16::try_from(k).map_err(|_| Error::Internal(anyhow::anyhow!("too many columns")))?;
        ws.set_column_width(col, widths[k]).map_err(xlsx_error)?;
        let text = is_text_column(c.names[0]);
        if text {
            ws.set_column_format(col, &as_text).map_err(xlsx_error)?;
            ws.ignore_error_range(1, col, TEMPLATE_ROWS, col, IgnoreError::NumberStoredAsText).map_err(xlsx_error)?;
        }
        let format = if c.required { &required } else { &optional };
        ws.write_string_with_format(0, col, c.names[0], format).map_err(xlsx_error)?;
        let note = table.note(c.field).map(str::to_string).unwrap_or_else(|| {
            if c.required {
                "必填。".to_string()
            } else {
                "选填。".to_string()
            }
        });
        ws.insert_note(0, col, &Note::new(note).set_author("jifen").add_author_prefix(false).set_width(260))
            .map_err(xlsx_error)?;
        let list: Option<(&[&str], &str)> = match c.field {
            "category" => Some((&categories, "请从下拉列表选择医保支付资格类别")),
            "operation" => Some((&OPERATIONS, "请从下拉列表选择：新增、变更、注销")),
            _ => None,
        };
        if let Some((values, message)) = list {
            let v = DataValidation::new()
                .allow_list_strings(values)
                .map_err(xlsx_error)?
                .set_error_title(c.names[0])
                .map_err(xlsx_error)?
                .set_error_message(message)
                .map_err(xlsx_error)?
                .set_error_style(DataValidationErrorStyle::Stop);
            ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &v).map_err(xlsx_error)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// A value of the field's shape, to size its column.
fn example(field: &str) -> &'static str {
    match field {
        "id_number" => "370811198001011234",
        "personnel_code" => "HY370811000001",
        "category" => "医保照护员",
        "certificate_no" => "110370800000001",
        "phone" => "0537-12345678",
        "practice_place" => "济宁市第一人民医院",
        "practice_scope" => "内科专业",
        f if f.ends_with("_on") => "2024-03-01",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheets::{open, SheetReader};

    /// The roster columns of 附件1 in order (the roster upload's list; a copy, so that this
    /// test does not depend on the service layer).
    const ROSTER: &[Column] = &[
        Column { field: "name", names: &["姓名"], required: true },
        Column { field: "id_number", names: &["身份证号码"], required: true },
        Column { field: "category", names: &["医保支付资格类别"], required: true },
        Column { field: "personnel_code", names: &["医保对应代码"], required: true },
        Column { field: "practice_registered_on", names: &["注册时间"], required: true },
        Column { field: "practice_scope", names: &["执业范围"], required: false },
        Column { field: "phone", names: &["联系电话"], required: false },
        Column { field: "practice_place", names: &["注册地点"], required: false },
        Column { field: "filed_on", names: &["备案时间"], required: false },
        Column { field: "certificate_no", names: &["执业证书编号"], required: false },
        Column { field: "operation", names: &["操作"], required: false },
        Column { field: "deregistered_on", names: &["注销时间"], required: false },
    ];

    #[test]
    fn the_blank_template_reads_back_as_a_roster_without_rows() {
        let bytes = roster_template(ROSTER).unwrap();
        let source = open(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(source.info().sheet.as_deref(), Some(ROSTER_SHEET));
        let mut reader = SheetReader::new(source, ROSTER).unwrap();
        let fields: Vec<&str> = reader.header().columns.iter().map(|c| c.field).collect();
        assert_eq!(fields, ROSTER.iter().map(|c| c.field).collect::<Vec<_>>());
        assert_eq!((reader.header().row, reader.header().unknown.len()), (1, 0));
        assert!(reader.next().is_none());
    }

    #[test]
    fn every_roster_column_has_a_note_and_the_lists_are_what_the_parsers_accept() {
        let table = Synonyms::embedded();
        for c in ROSTER {
            assert!(table.note(c.field).is_some(), "{}", c.field);
        }
        for c in Category::ALL {
            assert_eq!(Category::parse("类别", c.name_zh()).unwrap(), c);
        }
        assert_eq!(OPERATIONS, ["新增", "变更", "注销"]);
    }
}
