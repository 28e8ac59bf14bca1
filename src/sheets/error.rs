//! Why a file cannot be read as a sheet. Each error is the clerk's to fix and becomes a
//! [`ClientError`] (422) with a stable code and a Chinese sentence that says what to do.

use crate::error::{ClientError, Error, Kind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SheetError {
    /// The bytes are not a spreadsheet jifen can read (a broken workbook, an I/O error).
    #[error("the file cannot be read: {reason}")]
    Unreadable { reason: String },

    /// A workbook jifen does not read (.xlsb, .ods, a password-protected workbook).
    #[error("unsupported file: {what}")]
    Unsupported { what: &'static str, what_zh: &'static str },

    /// No row at all, or a workbook whose sheets are all empty.
    #[error("the file is empty")]
    Empty,

    /// One row cannot be read (a broken record in a text file); the other rows still can.
    #[error("row {row} cannot be read: {reason}")]
    UnreadableRow { row: u64, reason: String },

    /// None of the first rows names a column of this kind of file.
    #[error("no header row among the first {searched} rows")]
    NoHeader { searched: usize, expected: Vec<String> },

    /// The header row lacks required columns: every one of them, with what was found.
    #[error("the header (row {header_row}) lacks {missing:?}; found {found:?}")]
    MissingColumns { header_row: u64, missing: Vec<String>, found: Vec<String> },

    /// Two columns of the header mean the same field.
    #[error("column '{name}' appears twice in the header (row {row})")]
    DuplicateColumn { name: String, first: String, second: String, row: u64 },
}

impl SheetError {
    /// The stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::Unreadable { .. } | SheetError::Empty => "unreadable_file",
            SheetError::Unsupported { .. } => "unsupported_file",
            SheetError::UnreadableRow { .. } => "unreadable_row",
            SheetError::NoHeader { .. } => "no_header",
            SheetError::MissingColumns { .. } => "missing_column",
            SheetError::DuplicateColumn { .. } => "duplicate_column",
        }
    }

    /// The sentence for the clerk.
    pub fn message_zh(&self) -> String {
        match self {
            SheetError::Unreadable { reason } => format!("文件无法读取：{reason}"),
            SheetError::Unsupported { what_zh, .. } => {
                format!("无法读取{what_zh}：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 文件后重新上传")
            }
            SheetError::Empty => "文件是空的，没有任何内容".to_string(),
            SheetError::UnreadableRow { row, reason } => format!("第{row}行无法读取：{reason}"),
            SheetError::NoHeader { searched, expected } => format!(
                "前{searched}行中没有找到表头：表头应包含“{}”等列名，请检查是否上传了正确的文件",
                expected.join("”“")
            ),
            SheetError::MissingColumns { header_row, missing, found } => format!(
                "表头（第{header_row}行）缺少以下列：{}。找到的列：{}",
                missing.iter().map(|m| format!("“{m}”")).collect::<Vec<_>>().join("、"),
                if found.is_empty() {
                    "（无）".to_string()
                } else {
                    found.iter().map(|m| format!("“{m}”")).collect::<Vec<_>>().join("、")
                }
            ),
            SheetError::DuplicateColumn { name, first, second, row } => {
                if first == second {
                    format!("表头（第{row}行）中“{name}”列出现了两次，请删除其中一列")
                } else {
                    format!("表头（第{row}行）中“{first}”和“{second}”都是“{name}”列，请只保留一列")
                }
            }
        }
    }

    /// The same in English.
    pub fn message_en(&self) -> String {
        match self {
            SheetError::Unsupported { what, .. } => {
                format!("{what} cannot be read: save it as .xlsx or CSV in Excel or WPS and upload it again")
            }
            SheetError::MissingColumns { header_row, missing, found } => format!(
                "the header (row {header_row}) lacks the columns {}; the columns found are {}",
                missing.join(", "),
                if found.is_empty() { "none".to_string() } else { found.join(", ") }
            ),
            SheetError::NoHeader { searched, expected } => format!(
                "no header row among the first {searched} rows: the header names columns such as {}",
                expected.join(", ")
            ),
            other => other.to_string(),
        }
    }

    /// The spreadsheet row the error is about, when there is one.
    pub fn row(&self) -> Option<u64> {
        match self {
            SheetError::UnreadableRow { row, .. } | SheetError::DuplicateColumn { row, .. } => Some(*row),
            SheetError::MissingColumns { header_row, .. } => Some(*header_row),
            _ => None,
        }
    }

    /// The column it is about: the first missing one, or the duplicated one.
    pub fn column(&self) -> Option<&str> {
        match self {
            SheetError::MissingColumns { missing, .. } => missing.first().map(String::as_str),
            SheetError::DuplicateColumn { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn to_client(&self) -> ClientError {
        let mut c = ClientError::new(Kind::Unprocessable, self.code(), self.message_en(), self.message_zh());
        if let Some(col) = self.column() {
            c = c.field(col);
        }
        if let Some(row) = self.row() {
            c = c.row(row);
        }
        c
    }
}

impl From<SheetError> for ClientError {
    fn from(e: SheetError) -> Self {
        e.to_client()
    }
}

impl From<SheetError> for Error {
    fn from(e: SheetError) -> Self {
        Error::Client(e.to_client())
    }
}

impl From<std::io::Error> for SheetError {
    fn from(e: std::io::Error) -> Self {
        SheetError::Unreadable { reason: e.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_are_listed_together_with_what_was_found() {
        let e = SheetError::MissingColumns {
            header_row: 3,
            missing: vec!["医保支付资格类别".into(), "注册时间".into()],
            found: vec!["姓名".into(), "身份证号码（必填）".into()],
        };
        let c = ClientError::from(e);
        assert_eq!((c.code, c.row, c.field.as_deref()), ("missing_column", Some(3), Some("医保支付资格类别")));
        assert_eq!(
            c.message_zh,
            "表头（第3行）缺少以下列：“医保支付资格类别”、“注册时间”。找到的列：“姓名”、“身份证号码（必填）”"
        );
        assert!(c.message.contains("医保支付资格类别, 注册时间"), "{}", c.message);
    }
}
