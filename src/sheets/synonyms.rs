//! The table of `data/sheet_columns.toml`: the names clerks give each column, the columns
//! to ignore, the totals/notes/signature rows to skip, the sheet to read in a workbook, and
//! the notes of the blank template. Compiled into the binary.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    fields: HashMap<String, Vec<String>>,
    ignore: Ignore,
    skip: Skip,
    sheet: SheetNames,
    notes: HashMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ignore {
    names: Vec<String>,
}

/// First-cell prefixes of the rows that are not data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skip {
    pub totals: Vec<String>,
    pub notes: Vec<String>,
    pub signatures: Vec<String>,
}

/// Words in sheet names: the sheet to prefer, the sheets to pass over.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetNames {
    pub prefer: Vec<String>,
    pub avoid: Vec<String>,
}

/// The parsed table.
#[derive(Debug, Clone)]
pub struct Synonyms {
    /// Normalised name → field.
    names: HashMap<String, String>,
    ignored: Vec<String>,
    pub skip: Skip,
    pub sheet: SheetNames,
    notes: HashMap<String, String>,
}

impl Synonyms {
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let f: File = toml::from_str(text)?;
        let mut names = HashMap::new();
        for (field, list) in &f.fields {
            for name in list {
                let n = normalise(name);
                if let Some(other) = names.insert(n.clone(), field.clone()) {
                    anyhow::ensure!(other == *field, "sheet_columns.toml: '{name}' names both {other} and {field}");
                }
            }
        }
        let ignored = f.ignore.names.iter().map(|n| normalise(n)).collect();
        Ok(Synonyms { names, ignored, skip: f.skip, sheet: f.sheet, notes: f.notes })
    }

    /// The table compiled from `data/sheet_columns.toml`.
    pub fn embedded() -> &'static Synonyms {
        static TABLE: OnceLock<Synonyms> = OnceLock::new();
        TABLE.get_or_init(|| {
            Synonyms::from_toml(include_str!("../../data/sheet_columns.toml")).unwrap_or_else(|e| {
                // The file is compiled in and covered by a unit test; this cannot fail at run time.
                panic!("embedded data/sheet_columns.toml is invalid: {e}")
            })
        })
    }

    /// The field a normalised header name stands for in the table.
    pub fn field_of(&self, normalised: &str) -> Option<&str> {
        self.names.get(normalised).map(String::as_str)
    }

    /// Whether a normalised header is a column jifen ignores on purpose (序号).
    pub fn is_ignored(&self, normalised: &str) -> bool {
        self.ignored.iter().any(|i| i == normalised)
    }

    /// The template's note on a field's column.
    pub fn note(&self, field: &str) -> Option<&str> {
        self.notes.get(field).map(String::as_str)
    }
}

/// A header cell reduced to what identifies it: half-width, no `*`, no white space or line
/// breaks, no （必填）-style marks, no trailing colon, Latin letters in lower case, `_` and
/// `-` dropped (`id_number` = `ID-Number`).
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = half_width(c);
        if super::cell::is_space(c) || matches!(c, '*' | '_' | '-' | '"' | '\'' | '※' | '★') {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    for mark in ["(必填)", "(选填)", "(必选)", "(可选)", "(非必填)", "(必填项)", "(选填项)", "[必填]", "[选填]"]
    {
        out = out.replace(mark, "");
    }
    out.trim_end_matches(':').to_string()
}

/// The name without a trailing bracketed hint: 成绩(分) → 成绩, 注册时间(yyyy-mm-dd) → 注册时间.
pub fn without_hint(normalised: &str) -> Option<&str> {
    let close = normalised.chars().last()?;
    let open = match close {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    let start = normalised.rfind(open)?;
    (start > 0).then(|| &normalised[..start])
}

/// Full-width ASCII (`０`–`ｚ`, `（`, `）`, `：`, `＊`), the ideographic space and the CJK
/// brackets as their half-width forms.
pub fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_and_names_each_field_once() {
        let t = Synonyms::embedded();
        assert_eq!(t.field_of(&normalise("证件号码")), Some("id_number"));
        assert_eq!(t.field_of(&normalise("医保医师代码")), Some("personnel_code"));
        assert_eq!(t.field_of(&normalise("考试日期")), Some("tested_on"));
        assert!(t.is_ignored(&normalise("序号")));
        assert!(t.note("id_number").is_some());
        let twice = "[fields]\na = [\"姓名\"]\nb = [\"姓名*\"]\n[ignore]\nnames=[]\n[skip]\ntotals=[]\nnotes=[]\nsignatures=[]\n[sheet]\nprefer=[]\navoid=[]\n[notes]\n";
        assert!(Synonyms::from_toml(twice).is_err(), "a name for two fields is refused");
    }

    #[test]
    fn header_cells_are_normalised() {
        for (raw, n) in [
            ("姓名*", "姓名"),
            ("*姓名", "姓名"),
            ("身份证号码（必填）", "身份证号码"),
            ("身份证号码\n(必填)", "身份证号码"),
            (" 医保 对应代码 ", "医保对应代码"),
            ("成绩（分）", "成绩(分)"),
            ("ID_Number", "idnumber"),
            ("注册时间：", "注册时间"),
            ("【备注】", "[备注]"),
            ("\u{feff}姓名", "姓名"),
        ] {
            assert_eq!(normalise(raw), n, "{raw}");
        }
        assert_eq!(without_hint("成绩(分)"), Some("成绩"));
        assert_eq!(without_hint("注册时间(yyyymmdd)"), Some("注册时间"));
        assert_eq!(without_hint("(分)"), None);
        assert_eq!(without_hint("姓名"), None);
    }
}
