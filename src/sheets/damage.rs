//! Excel's damage to numbers that are not numbers, recognised and explained in a sentence a
//! clerk can act on.
//!
//! An 18-digit ID number typed into a General cell becomes the number 3.70811198001011E+17:
//! Excel keeps 15 significant digits, shows `3.70811E+17`, and writes that to CSV; formatted
//! as a number it shows 18 digits ending in `000`. Neither can be repaired: the clerk must
//! set the column to Text and type the numbers again. Other forms are harmless and converted,
//! and the conversion is reported: a leading `'`, `="…"`, full-width digits and letters,
//! spaces and zero-width characters inside, a lower-case `x`. A 15-digit ID number of the
//! old kind is converted to 18 digits (GB 11643) only with a warning. A name with `?` or `�`
//! lost characters in an encoding round trip. A phone number that starts like a formula is
//! refused.
//!
//! This module only says what Excel did; whether a value is valid is for the domain types
//! (`IdNumber::parse`, `CodeFormats::personnel_code`), called with the value returned here.

use super::cell::{is_space, Cell, CellKind};
use super::synonyms::half_width;

/// What kind of value a column holds, for the damage it can suffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// 身份证号码 (GB 11643, 18 characters).
    IdNumber,
    /// 医保对应代码 (一人一码, `D370811000001`).
    PersonnelCode,
    /// 定点医药机构编码 (`H37081100001`).
    InstitutionCode,
    /// 执业证书编号.
    CertificateNo,
    /// 联系电话.
    Phone,
    /// 姓名.
    Name,
}

impl ValueKind {
    /// The kind of a field of jifen's column lists, by the field's name.
    pub fn of_field(field: &str) -> Option<ValueKind> {
        Some(match field {
            "id_number" => ValueKind::IdNumber,
            "personnel_code" => ValueKind::PersonnelCode,
            "institution_code" => ValueKind::InstitutionCode,
            "certificate_no" => ValueKind::CertificateNo,
            "phone" => ValueKind::Phone,
            "name" => ValueKind::Name,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ValueKind::IdNumber => "身份证号码",
            ValueKind::PersonnelCode => "医保对应代码",
            ValueKind::InstitutionCode => "定点医药机构编码",
            ValueKind::CertificateNo => "执业证书编号",
            ValueKind::Phone => "联系电话",
            ValueKind::Name => "姓名",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ValueKind::IdNumber => "the ID number",
            ValueKind::PersonnelCode => "the personnel code",
            ValueKind::InstitutionCode => "the institution code",
            ValueKind::CertificateNo => "the practising certificate number",
            ValueKind::Phone => "the phone number",
            ValueKind::Name => "the name",
        }
    }
}

/// What a cell's value is after Excel's damage is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// Nothing to say (surrounding white space is trimmed without a word).
    Clean(String),
    /// A harmless form, converted; say so in the report.
    Fixed { value: String, note_zh: String, note_en: String },
    /// Converted, but the clerk should look (a 15-digit ID number made 18, a name with `?`).
    Warning { value: String, note_zh: String, note_en: String },
    /// Excel destroyed the value: the row cannot be taken as it is.
    Damaged { code: &'static str, reason_zh: String, reason_en: String },
}

impl Checked {
    /// The value to use, unless damaged.
    pub fn value(&self) -> Option<&str> {
        match self {
            Checked::Clean(v) | Checked::Fixed { value: v, .. } | Checked::Warning { value: v, .. } => Some(v),
            Checked::Damaged { .. } => None,
        }
    }

    pub fn is_damaged(&self) -> bool {
        matches!(self, Checked::Damaged { .. })
    }

    /// The note, warning or reason in Chinese; `None` when clean.
    pub fn message_zh(&self) -> Option<&str> {
        match self {
            Checked::Clean(_) => None,
            Checked::Fixed { note_zh: m, .. } | Checked::Warning { note_zh: m, .. } => Some(m),
            Checked::Damaged { reason_zh: m, .. } => Some(m),
        }
    }

    /// The same in English.
    pub fn message_en(&self) -> Option<&str> {
        match self {
            Checked::Clean(_) => None,
            Checked::Fixed { note_en: m, .. } | Checked::Warning { note_en: m, .. } => Some(m),
            Checked::Damaged { reason_en: m, .. } => Some(m),
        }
    }
}

/// Checks a field's cell by the kind of its field ([`ValueKind::of_field`]); other fields
/// are only trimmed.
pub fn check_field(field: &str, cell: &Cell) -> Checked {
    match ValueKind::of_field(field) {
        Some(kind) => check(kind, cell),
        None => Checked::Clean(cell.trimmed().to_string()),
    }
}

/// Checks a text value (from CSV, a form or JSON).
pub fn check_text(kind: ValueKind, text: &str) -> Checked {
    check(kind, &Cell::text(text))
}

pub fn id_number(cell: &Cell) -> Checked {
    check(ValueKind::IdNumber, cell)
}

pub fn personnel_code(cell: &Cell) -> Checked {
    check(ValueKind::PersonnelCode, cell)
}

pub fn certificate_no(cell: &Cell) -> Checked {
    check(ValueKind::CertificateNo, cell)
}

pub fn phone(cell: &Cell) -> Checked {
    check(ValueKind::Phone, cell)
}

pub fn name(cell: &Cell) -> Checked {
    check(ValueKind::Name, cell)
}

/// The sentence for a number Excel has already rounded.
fn turned_into_number(kind: ValueKind, shown: &str) -> Checked {
    Checked::Damaged {
        code: "excel_number",
        reason_zh: format!("{}被 Excel 转成了数字（{shown}），请将该列设置为“文本”格式后重新填写", kind.label_zh()),
        reason_en: format!(
            "Excel turned {} into a number ({shown}) and lost digits: format the column as Text and type the numbers again",
            kind.label_en()
        ),
    }
}

/// Checks one cell for the damage its kind of value suffers.
pub fn check(kind: ValueKind, cell: &Cell) -> Checked {
    if cell.kind == CellKind::Error {
        return Checked::Damaged {
            code: "excel_error",
            reason_zh: format!("{}是 Excel 的公式错误（{}），请填写实际内容", kind.label_zh(), cell.trimmed()),
            reason_en: format!(
                "{} is an Excel formula error ({}): type the value itself",
                kind.label_en(),
                cell.trimmed()
            ),
        };
    }
    if kind == ValueKind::Name {
        return check_name(cell.trimmed());
    }
    let mut notes = Notes::default();
    let text = match cell.kind {
        CellKind::Number(v) => {
            // Up to 15 digits Excel keeps exactly; longer numbers have lost their tail.
            if v.fract() != 0.0 || !(0.0..1e15).contains(&v) {
                return turned_into_number(kind, &cell.text);
            }
            let digits = format!("{v:.0}");
            if kind == ValueKind::Phone {
                if digits.len() == 11 && digits.starts_with('1') {
                    return Checked::Clean(digits);
                }
                return Checked::Warning {
                    note_zh: format!(
                        "联系电话在 Excel 中是数字格式，开头的 0 可能已丢失（{digits}），请将该列设置为“文本”格式后核对"
                    ),
                    note_en: format!("the phone number is an Excel number; a leading 0 may be lost ({digits})"),
                    value: digits,
                };
            }
            notes.add(
                &format!(
                    "{}在 Excel 中是数字格式，已按原数字 {digits} 读取；请将该列设置为“文本”格式",
                    kind.label_zh()
                ),
                &format!("{} is an Excel number, read as {digits}; format the column as Text", kind.label_en()),
            );
            digits
        }
        _ => cell.trimmed().to_string(),
    };
    if text.is_empty() {
        return Checked::Clean(text);
    }
    let mut s = text;
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        s = inner.to_string();
        notes.add("去掉了 =\"…\" 外壳", "removed the =\"…\" wrapper");
    }
    if let Some(rest) = s.strip_prefix(['\'', '‘', '’', '`']) {
        s = rest.to_string();
        notes.add("去掉了开头的单引号", "removed the leading apostrophe");
    }
    if s.chars().any(|c| half_width(c) != c && c != '\u{3000}') {
        s = s.chars().map(half_width).collect();
        notes.add("全角字符已改为半角", "full-width characters made half-width");
    }
    if s.chars().any(|c| matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')) {
        s.retain(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'));
        notes.add("删除了不可见字符", "removed invisible characters");
    }
    let s = s.trim_matches(is_space).to_string();
    if kind == ValueKind::Phone {
        return check_phone(s, notes);
    }
    let mut s = s;
    if s.chars().any(is_space) {
        s.retain(|c| !is_space(c));
        notes.add("删除了中间的空格", "removed the spaces inside");
    }
    if is_scientific(&s) {
        return turned_into_number(kind, &s);
    }
    if s.chars().any(|c| c.is_ascii_lowercase()) {
        s = s.to_ascii_uppercase();
        if kind == ValueKind::IdNumber {
            notes.add("末位小写 x 已改为大写 X", "lower-case x made X");
        } else {
            notes.add("小写字母已改为大写", "lower-case letters made capitals");
        }
    }
    if kind == ValueKind::IdNumber {
        if let Some(damaged) = id_truncated(&s) {
            return damaged;
        }
        if let Some(upgraded) = id_from_15(&s) {
            notes.add(
                &format!("15位旧身份证号码 {s} 已按国家标准升为18位 {upgraded}，请核对"),
                &format!("the old 15-digit ID number {s} was converted to the 18-digit {upgraded}: please check it"),
            );
            return notes.warning(upgraded);
        }
    }
    notes.finish(s)
}

/// The notes gathered while a value is converted.
#[derive(Default)]
struct Notes {
    zh: Vec<String>,
    en: Vec<String>,
}

impl Notes {
    fn add(&mut self, zh: &str, en: &str) {
        self.zh.push(zh.to_string());
        self.en.push(en.to_string());
    }

    fn finish(self, value: String) -> Checked {
        if self.zh.is_empty() {
            Checked::Clean(value)
        } else {
            Checked::Fixed { value, note_zh: self.zh.join("；"), note_en: self.en.join("; ") }
        }
    }

    fn warning(self, value: String) -> Checked {
        Checked::Warning { value, note_zh: self.zh.join("；"), note_en: self.en.join("; ") }
    }
}

/// `3.70811E+17`, `1.10371e14`, `3.7E+17`: what Excel shows of a long number, and what it
/// writes to CSV.
pub fn is_scientific(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['E', 'e']) else { return false };
    let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character of 17 digits.
pub fn check_char(body: &str) -> Option<char> {
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// 18 digits ending in `000` whose check digit fails: a number Excel cut to 15 digits.
fn id_truncated(s: &str) -> Option<Checked> {
    if s.len() != 18 || !s.is_ascii() || !s.ends_with("000") || check_char(&s[..17])? == '0' {
        return None;
    }
    Some(Checked::Damaged {
        code: "excel_truncated",
        reason_zh: format!(
            "身份证号码 {s} 的后三位是 000 且校验码不符：Excel 只保留 15 位数字，后三位已丢失。请将该列设置为“文本”格式后重新填写"
        ),
        reason_en: format!(
            "the ID number {s} ends in 000 and its check digit fails: Excel keeps 15 digits and lost the last three; format the column as Text and type the numbers again"
        ),
    })
}

/// A 15-digit ID number (before 1999: 6-digit region, YYMMDD, 3-digit sequence) as 18
/// characters: `19` before the year and the check character after.
fn id_from_15(s: &str) -> Option<String> {
    if s.len() != 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("{}19{}", &s[..6], &s[6..]);
    let (m, d): (u32, u32) = (body[10..12].parse().ok()?, body[12..14].parse().ok()?);
    let y: i32 = body[6..10].parse().ok()?;
    chrono::NaiveDate::from_ymd_opt(y, m, d)?;
    Some(format!("{body}{}", check_char(&body)?))
}

fn check_phone(s: String, mut notes: Notes) -> Checked {
    if let Some(first) = s.chars().next().filter(|c| matches!(c, '=' | '+' | '-' | '@')) {
        return Checked::Damaged {
            code: "formula_like",
            reason_zh: format!(
                "联系电话以“{first}”开头，Excel 会把它当作公式；请只填写号码，如 13800000000 或 0537-1234567"
            ),
            reason_en: format!(
                "the phone number starts with '{first}', which Excel takes for a formula: write the number alone"
            ),
        };
    }
    if is_scientific(&s.replace(' ', "")) {
        return turned_into_number(ValueKind::Phone, &s);
    }
    let mut s = s;
    if s.chars().any(|c| is_space(c) && c != ' ') {
        s = s.chars().map(|c| if is_space(c) { ' ' } else { c }).collect();
        notes.add("空白字符已改为空格", "white space made plain spaces");
    }
    notes.finish(s)
}

fn check_name(s: &str) -> Checked {
    let mut value = s.to_string();
    let mut notes = Notes::default();
    if value.chars().any(|c| matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')) {
        value.retain(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'));
        notes.add("删除了不可见字符", "removed invisible characters");
    }
    // 「张  三」: spaces to align two-character names; a name in Latin letters keeps its spaces.
    let cjk = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c);
    if value.chars().any(is_space) && value.chars().filter(|c| !is_space(*c)).all(|c| cjk(c) || c == '·') {
        value.retain(|c| !is_space(c));
        notes.add("删除了姓名中间的空格", "removed the spaces inside the name");
    }
    if value.chars().any(|c| matches!(c, '?' | '？' | '\u{FFFD}')) {
        notes.add(
            &format!("姓名“{value}”中有“?”或“�”：文件在编码转换时可能丢失了汉字（常见于生僻字），请核对后改正"),
            &format!("the name '{value}' has '?' or '�': characters were probably lost converting the file's encoding"),
        );
        return notes.warning(value);
    }
    notes.finish(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 11010519491231002X is GB 11643's own example.
    const ID: &str = "11010519491231002X";

    fn id(body: &str) -> String {
        format!("{body}{}", check_char(body).unwrap())
    }

    fn fixed(c: Checked) -> (String, String) {
        match c {
            Checked::Fixed { value, note_zh, .. } => (value, note_zh),
            other => panic!("not fixed: {other:?}"),
        }
    }

    #[test]
    fn scientific_notation_is_damage_with_the_sentence_a_clerk_reads() {
        let c = check_text(ValueKind::IdNumber, "3.70811E+17");
        assert_eq!(
            c,
            Checked::Damaged {
                code: "excel_number",
                reason_zh: "身份证号码被 Excel 转成了数字（3.70811E+17），请将该列设置为“文本”格式后重新填写".into(),
                reason_en: "Excel turned the ID number into a number (3.70811E+17) and lost digits: format the column as Text and type the numbers again".into(),
            }
        );
        assert!(check_text(ValueKind::CertificateNo, "1.10371E+14").is_damaged());
        assert!(check_text(ValueKind::PersonnelCode, "3.70811e17").is_damaged());
        assert!(check_text(ValueKind::Phone, "1.38E+10").is_damaged());
    }

    #[test]
    fn a_number_cell_in_an_id_column() {
        let c = id_number(&Cell::number(3.70811198001011e17));
        assert_eq!(
            c.message_zh(),
            Some("身份证号码被 Excel 转成了数字（3.70811E+17），请将该列设置为“文本”格式后重新填写")
        );
        // 15 digits survive as a number: kept, and the clerk told to fix the column.
        let (value, note) = fixed(certificate_no(&Cell::number(110370800000001.0)));
        assert_eq!(value, "110370800000001");
        assert!(note.contains("已按原数字 110370800000001 读取"), "{note}");
        assert_eq!(phone(&Cell::number(13800000001.0)), Checked::Clean("13800000001".into()));
        assert!(
            matches!(phone(&Cell::number(5371234567.0)), Checked::Warning { ref value, .. } if value == "5371234567")
        );
    }

    #[test]
    fn eighteen_digits_ending_in_000_with_a_failing_check_digit() {
        let truncated = "370811198001011000";
        assert_ne!(check_char(&truncated[..17]), Some('0'));
        let c = check_text(ValueKind::IdNumber, truncated);
        assert!(matches!(c, Checked::Damaged { code: "excel_truncated", .. }), "{c:?}");
        // The same shape whose check digit is right is a real number.
        let mut n = 0;
        let real = loop {
            let body = format!("370811198001{n:02}100");
            n += 1;
            if check_char(&body) == Some('0') {
                break format!("{body}0");
            }
        };
        assert_eq!(check_text(ValueKind::IdNumber, &real), Checked::Clean(real.clone()));
    }

    #[test]
    fn fifteen_digits_become_eighteen_with_a_warning() {
        let c = check_text(ValueKind::IdNumber, "370811800101123");
        let want = id("37081119800101123");
        match c {
            Checked::Warning { value, note_zh, .. } => {
                assert_eq!(value, want);
                assert!(note_zh.contains("15位旧身份证号码 370811800101123 已按国家标准升为18位"), "{note_zh}");
            }
            other => panic!("{other:?}"),
        }
        // A number cell of 15 digits: both notes.
        let c = id_number(&Cell::number(370811800101123.0));
        assert!(
            matches!(&c, Checked::Warning { value, note_zh, .. } if *value == want && note_zh.contains("数字格式"))
        );
        // Not a date: left for the ID check to refuse.
        assert_eq!(check_text(ValueKind::IdNumber, "370811801301123"), Checked::Clean("370811801301123".into()));
    }

    #[test]
    fn harmless_forms_are_converted_and_reported() {
        for (raw, note) in [
            ("'11010519491231002X", "去掉了开头的单引号"),
            ("=\"11010519491231002X\"", "去掉了 =\"…\" 外壳"),
            ("１１０１０５１９４９１２３１００２Ｘ", "全角字符已改为半角"),
            ("110105 19491231 002X", "删除了中间的空格"),
            ("110105\u{200B}19491231002X", "删除了不可见字符"),
            ("11010519491231002x", "末位小写 x 已改为大写 X"),
        ] {
            assert_eq!(fixed(check_text(ValueKind::IdNumber, raw)), (ID.to_string(), note.to_string()), "{raw}");
        }
        assert_eq!(check_text(ValueKind::IdNumber, &format!("  {ID}\u{3000}")), Checked::Clean(ID.into()));
        let (v, note) = fixed(check_text(ValueKind::PersonnelCode, "'ｄ370811 000001"));
        assert_eq!(v, "D370811000001");
        assert_eq!(note, "去掉了开头的单引号；全角字符已改为半角；删除了中间的空格；小写字母已改为大写");
        assert_eq!(check_text(ValueKind::PersonnelCode, ""), Checked::Clean(String::new()));
    }

    #[test]
    fn phone_numbers_that_look_like_formulas_are_refused() {
        for raw in ["=1+1", "+8613800000000", "-13800000000", "@SUM(A1)"] {
            assert!(
                matches!(check_text(ValueKind::Phone, raw), Checked::Damaged { code: "formula_like", .. }),
                "{raw}"
            );
        }
        assert_eq!(check_text(ValueKind::Phone, "0537-1234567"), Checked::Clean("0537-1234567".into()));
        assert_eq!(fixed(check_text(ValueKind::Phone, "=\"05371234567\"")).0, "05371234567");
        assert_eq!(fixed(check_text(ValueKind::Phone, "１３８００００００００")).0, "13800000000");
    }

    #[test]
    fn names_lost_in_an_encoding_round_trip_are_a_warning() {
        for raw in ["张?", "王\u{FFFD}明", "李？"] {
            assert!(matches!(check_text(ValueKind::Name, raw), Checked::Warning { .. }), "{raw}");
        }
        assert_eq!(fixed(check_text(ValueKind::Name, "张  三")).0, "张三");
        assert_eq!(check_text(ValueKind::Name, "John Smith"), Checked::Clean("John Smith".into()));
        assert_eq!(check_text(ValueKind::Name, "买买提·艾力"), Checked::Clean("买买提·艾力".into()));
        let err = Cell { text: "#N/A".into(), kind: CellKind::Error };
        assert!(matches!(name(&err), Checked::Damaged { code: "excel_error", .. }));
    }
}
