//! Resident ID numbers (公民身份号码, GB 11643-1999): 18 characters, the last a check digit.

use std::fmt;

use chrono::NaiveDate;

use crate::error::types::Error;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A valid ID number. Personal data: never logged; shown masked outside its institution.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let s = raw.trim().to_ascii_uppercase();
        let bad = |en: &str, zh: &str| {
            Error::invalid("invalid_id_number", field, format!("{field}: {en}"), format!("{field}：{zh}"))
        };
        if s.chars().count() != 18 {
            return Err(bad("an ID number has 18 characters", "身份证号码应为18位"));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(bad("the first 17 characters must be digits", "前17位应为数字"));
        }
        let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        let expected = CHECK[(sum % 11) as usize];
        if bytes[17] as char != expected {
            return Err(bad("the check digit is wrong (GB 11643)", "校验码错误（GB 11643）"));
        }
        if birth_date_of(&s).is_none() {
            return Err(bad("the birth date in the ID number is not a date", "身份证号码中的出生日期无效"));
        }
        Ok(IdNumber(s))
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).unwrap_or(NaiveDate::MIN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `370811********1234`: region kept, birth date and sequence hidden.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks any stored ID number string the same way as [`IdNumber::masked`].
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// `张*`, `欧阳**`: the family name's first character kept.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// `张**` whatever the name's length: the public lookup shows the first character only, not
/// how long the name is (issue 12: surname and length helped tie harvested records to people).
pub fn mask_name_public(name: &str) -> String {
    name.chars().next().map(|first| format!("{first}**")).unwrap_or_default()
}

fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y = s.get(6..10)?.parse().ok()?;
    let m = s.get(10..12)?.parse().ok()?;
    let d = s.get(12..14)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    (y >= 1900).then_some(date)
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(body: &str) -> String {
        let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
        format!("{body}{}", CHECK[(sum % 11) as usize])
    }

    #[test]
    fn accepts_a_valid_number_and_reads_the_birth_date() {
        let s = with_check("37081119800101123");
        let id = IdNumber::parse("id_number", &s).unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1980, 1, 1).unwrap());
        assert_eq!(id.masked(), format!("370811********{}", &s[14..]));
    }

    #[test]
    fn lower_case_x_is_accepted() {
        // 11010519491231002X is the standard's own example.
        let id = IdNumber::parse("id", "11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_wrong_check_digit_length_and_date() {
        let s = with_check("37081119800101123");
        let last = if s.ends_with('1') { '2' } else { '1' };
        let wrong = format!("{}{last}", &s[..17]);
        for bad in [wrong.as_str(), "3708111980010112", "37081119801301123X", "A70811198001011234"] {
            let err = IdNumber::parse("id_number", bad).unwrap_err();
            assert_eq!(err.client().unwrap().code, "invalid_id_number", "{bad}");
        }
        let feb30 = with_check("37081119800230123");
        assert!(IdNumber::parse("id", &feb30).is_err());
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name_public("张三"), "张**");
        assert_eq!(mask_name_public("欧阳娜娜"), "欧**");
        assert_eq!(mask_name("欧阳修远"), "欧***");
        assert_eq!(mask_name("李"), "李*");
    }
}
