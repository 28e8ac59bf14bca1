//! A training-test score (三(三)) as the test centre gave it: exact, decimals kept (85.5 is 85.5,
//! never 86). Read from `85`, `85.5`, `85分`, `８５．５`; at most two decimals, 0 to 1000.
//! Stored as its text (`"85.5"`), answered in JSON as a number, as it always was.

use std::fmt;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(Decimal);

impl Score {
    /// The most decimals a score may carry (85.25): more is a typing error, not a score.
    pub const MAX_DECIMALS: u32 = 2;

    /// A score as test centres write it: `85`, `85.5`, `85分`, full-width digits. `None` for
    /// anything else, a negative score, more than 1000, or more than two decimals.
    pub fn parse(s: &str) -> Option<Score> {
        let t: String = s
            .trim()
            .trim_end_matches('分')
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '．' => '.',
                c => c,
            })
            .collect();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return None;
        }
        let d: Decimal = t.parse().ok()?;
        Self::of(d)
    }

    /// A decimal in range with at most two decimals, normalised (85.50 is 85.5).
    pub fn of(d: Decimal) -> Option<Score> {
        let d = d.normalize();
        (!d.is_sign_negative() && d <= Decimal::from(1000) && d.scale() <= Self::MAX_DECIMALS).then_some(Score(d))
    }

    /// A JSON value: a number (`85.5`, read from its digits, not through a float) or a string.
    pub fn from_json(v: &serde_json::Value) -> Option<Score> {
        match v {
            serde_json::Value::Number(n) => Self::parse(&n.to_string()),
            serde_json::Value::String(s) => Self::parse(s),
            _ => None,
        }
    }

    pub fn from_whole(n: i32) -> Option<Score> {
        Self::of(Decimal::from(n))
    }

    pub fn to_decimal(self) -> Decimal {
        self.0
    }

    /// 三(三): the score reaches the year's pass mark (compared exactly: 59.5 is below 60).
    pub fn passes(self, mark: u32) -> bool {
        self.0 >= Decimal::from(mark)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Score {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Score::parse(s).ok_or_else(|| format!("'{s}' is not a score"))
    }
}

/// A JSON number, as the field always was: `85` for a whole score, `85.5` otherwise.
impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.to_i64() {
            Some(n) if self.0.scale() == 0 => s.serialize_i64(n),
            _ => s.serialize_f64(self.0.to_f64().unwrap_or(f64::NAN)),
        }
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Score::from_json(&v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a score")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_keep_their_decimals() {
        assert_eq!(Score::parse("85.5").unwrap().to_string(), "85.5");
        assert_eq!(Score::parse("85分").unwrap().to_string(), "85");
        assert_eq!(Score::parse(" 85.50 分").unwrap().to_string(), "85.5");
        assert_eq!(Score::parse("８５．５").unwrap().to_string(), "85.5");
        assert_eq!(Score::parse("60.0").unwrap().to_string(), "60");
        for bad in ["", "-1", "1000.5", "85.555", "八十", "1e2", "85.5.5"] {
            assert_eq!(Score::parse(bad), None, "{bad}");
        }
        assert!(!Score::parse("59.5").unwrap().passes(60));
        assert!(Score::parse("60").unwrap().passes(60));
        assert_eq!(serde_json::to_string(&Score::parse("85.5").unwrap()).unwrap(), "85.5");
        assert_eq!(serde_json::to_string(&Score::parse("85").unwrap()).unwrap(), "85");
        assert_eq!(Score::from_json(&serde_json::json!(85.5)).unwrap().to_string(), "85.5");
        assert_eq!(Score::from_json(&serde_json::json!("85.5分")).unwrap().to_string(), "85.5");
    }
}
