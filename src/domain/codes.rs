//! National codes (一人一码 and institution codes), validated against the formats in
//! `data/code_formats.toml`, and catalogue item codes (`points.n`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::types::Error;

/// 医保支付资格类别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Physician,
    Nurse,
    Pharmacist,
    Technician,
    Carer,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Physician, Category::Nurse, Category::Pharmacist, Category::Technician, Category::Carer];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Physician => "physician",
            Category::Nurse => "nurse",
            Category::Pharmacist => "pharmacist",
            Category::Technician => "technician",
            Category::Carer => "carer",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Category::Physician => "医保医师",
            Category::Nurse => "医保护士",
            Category::Pharmacist => "医保药师",
            Category::Technician => "医保技师",
            Category::Carer => "医保照护员",
        }
    }

    /// Accepts the English name, the 附件1 name (医保医师), its short form (医师) or its number (1–5).
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let s = raw.trim();
        let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '．' || c == '、');
        let found = Category::ALL
            .into_iter()
            .find(|c| s.eq_ignore_ascii_case(c.as_str()) || s == c.name_zh() || s == &c.name_zh()["医保".len()..]);
        let by_number = match raw.trim() {
            "1" => Some(Category::Physician),
            "2" => Some(Category::Nurse),
            "3" => Some(Category::Pharmacist),
            "4" => Some(Category::Technician),
            "5" => Some(Category::Carer),
            _ => None,
        };
        found.or(by_number).ok_or_else(|| {
            Error::invalid(
                "invalid_category",
                field,
                format!("{field}: '{raw}' is not a category (physician, nurse, pharmacist, technician, carer)"),
                format!(
                    "{field}：'{raw}' 不是有效的医保支付资格类别（医保医师、医保护士、医保药师、医保技师、医保照护员）"
                ),
            )
        })
    }
}

/// 定点医药机构类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    Medical,
    Pharmacy,
}

impl InstitutionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionKind::Medical => "medical",
            InstitutionKind::Pharmacy => "pharmacy",
        }
    }
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        match raw.trim() {
            "medical" | "医疗机构" | "定点医疗机构" => Ok(InstitutionKind::Medical),
            "pharmacy" | "药店" | "零售药店" | "定点零售药店" => Ok(InstitutionKind::Pharmacy),
            _ => Err(Error::invalid(
                "invalid_kind",
                field,
                format!("{field}: '{raw}' is not 'medical' or 'pharmacy'"),
                format!("{field}：'{raw}' 应为 medical（医疗机构）或 pharmacy（零售药店）"),
            )),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatLine {
    category: Option<Category>,
    kind: Option<InstitutionKind>,
    #[allow(dead_code)]
    name_zh: String,
    #[serde(default)]
    prefixes: Vec<String>,
    letters: Option<[usize; 2]>,
    digits: usize,
    #[allow(dead_code)]
    source: String,
}

impl FormatLine {
    fn matches(&self, s: &str) -> bool {
        let letters = s.chars().take_while(|c| c.is_ascii_uppercase()).count();
        let (head, tail) = s.split_at(letters);
        let head_ok = if self.prefixes.is_empty() {
            self.letters.is_some_and(|[lo, hi]| (lo..=hi).contains(&letters))
        } else {
            self.prefixes.iter().any(|p| p == head)
        };
        head_ok && tail.len() == self.digits && tail.bytes().all(|b| b.is_ascii_digit())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatFile {
    practitioner: Vec<FormatLine>,
    institution: Vec<FormatLine>,
}

/// The code formats of `data/code_formats.toml`.
#[derive(Debug, Clone)]
pub struct CodeFormats {
    practitioner: Vec<FormatLine>,
    institution: Vec<FormatLine>,
}

impl CodeFormats {
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let f: FormatFile = toml::from_str(text)?;
        for line in f.practitioner.iter() {
            anyhow::ensure!(line.category.is_some(), "code_formats.toml: a practitioner line without category");
        }
        for line in f.institution.iter() {
            anyhow::ensure!(line.kind.is_some(), "code_formats.toml: an institution line without kind");
        }
        Ok(CodeFormats { practitioner: f.practitioner, institution: f.institution })
    }

    pub fn embedded() -> Self {
        Self::from_toml(include_str!("../../data/code_formats.toml")).unwrap_or_else(|e| {
            // The file is compiled in and covered by a unit test; this cannot fail at run time.
            panic!("embedded data/code_formats.toml is invalid: {e}")
        })
    }

    /// Checks a personnel code against its category's format.
    pub fn personnel_code(&self, field: &str, raw: &str, category: Category) -> Result<PersonnelCode, Error> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = self.practitioner.iter().filter(|l| l.category == Some(category)).any(|l| l.matches(&s));
        if ok {
            Ok(PersonnelCode(s))
        } else {
            Err(Error::invalid(
                "invalid_personnel_code",
                field,
                format!("{field}: '{raw}' is not a {} code (national format)", category.as_str()),
                format!("{field}：'{raw}' 不符合{}的国家医保信息业务编码格式", category.name_zh()),
            ))
        }
    }

    /// Checks an institution code against the kind's format.
    pub fn institution_code(&self, field: &str, raw: &str, kind: InstitutionKind) -> Result<InstitutionCode, Error> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = self.institution.iter().filter(|l| l.kind == Some(kind)).any(|l| l.matches(&s));
        if ok {
            Ok(InstitutionCode(s))
        } else {
            Err(Error::invalid(
                "invalid_institution_code",
                field,
                format!(
                    "{field}: '{raw}' is not a {} institution code (H/P + 6-digit region + 5 digits)",
                    kind.as_str()
                ),
                format!("{field}：'{raw}' 不符合定点医药机构编码格式（H/P + 6位区划 + 5位序号）"),
            ))
        }
    }
}

/// A personnel code (医保对应代码, 一人一码) that passed its format check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonnelCode(String);

impl PersonnelCode {
    /// For codes read back from the ledger, which were validated when written.
    pub fn from_trusted(s: impl Into<String>) -> Self {
        PersonnelCode(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An institution code (定点医药机构编码).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstitutionCode(String);

impl InstitutionCode {
    pub fn from_trusted(s: impl Into<String>) -> Self {
        InstitutionCode(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The GB/T 2260 county the institution is in.
    pub fn region(&self) -> &str {
        region_of(&self.0).unwrap_or("")
    }
}

/// The county (GB/T 2260) an institution code names: the six digits after its letter, `H` for
/// a medical institution or `P` for a pharmacy (DESIGN.md "Identifiers"); `None` when the code
/// is too short to hold them. For institution codes only: a personnel code such as `HY…` has
/// a two-letter prefix.
pub fn region_of(institution_code: &str) -> Option<&str> {
    institution_code.get(1..7)
}

impl fmt::Display for PersonnelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_data_file() {
        let f = CodeFormats::embedded();
        assert!(f.personnel_code("c", "D370811000001", Category::Physician).is_ok());
        assert!(f.personnel_code("c", "d370811000001", Category::Physician).is_ok());
        assert!(f.personnel_code("c", "N370811000001", Category::Nurse).is_ok());
        assert!(f.personnel_code("c", "HY370811000001", Category::Pharmacist).is_ok());
        assert!(f.personnel_code("c", "Y370811000001", Category::Pharmacist).is_ok());
        assert!(f.personnel_code("c", "HJ370811000001", Category::Technician).is_ok());
        assert!(f.personnel_code("c", "ZH370811000001", Category::Carer).is_ok());
        assert!(f.personnel_code("c", "D37081100001", Category::Physician).is_err());
        assert!(f.personnel_code("c", "N370811000001", Category::Physician).is_err());
        assert!(f.personnel_code("c", "ABC370811000001", Category::Carer).is_err());
        assert!(f.institution_code("c", "H37081100001", InstitutionKind::Medical).is_ok());
        assert!(f.institution_code("c", "P37081100001", InstitutionKind::Pharmacy).is_ok());
        assert!(f.institution_code("c", "P37081100001", InstitutionKind::Medical).is_err());
        assert!(f.institution_code("c", "H3708110001", InstitutionKind::Medical).is_err());
    }

    #[test]
    fn an_institution_code_names_its_county() {
        assert_eq!(region_of("H37081100001"), Some("370811"));
        assert_eq!(region_of("P37083200001"), Some("370832"));
        assert_eq!(InstitutionCode::from_trusted("H37081100001").region(), "370811");
        assert_eq!(region_of("H3708"), None);
    }

    #[test]
    fn categories_accept_the_form_names() {
        assert_eq!(Category::parse("c", "医保医师").unwrap(), Category::Physician);
        assert_eq!(Category::parse("c", "护士").unwrap(), Category::Nurse);
        assert_eq!(Category::parse("c", "3").unwrap(), Category::Pharmacist);
        assert_eq!(Category::parse("c", "4.医保技师").unwrap(), Category::Technician);
        assert_eq!(Category::parse("c", "Carer").unwrap(), Category::Carer);
        assert!(Category::parse("c", "厨师").is_err());
    }
}
