//! Money: stored as integer fen, shown as an exact decimal of yuan.

use rust_decimal::Decimal;

use crate::error::types::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Fen(pub i64);

impl Fen {
    /// Parses a yuan amount ("12.30", 12.3) with at most two decimals and no sign.
    pub fn parse_yuan(field: &str, raw: &str) -> Result<Fen, Error> {
        let bad = || {
            Error::invalid(
                "invalid_amount",
                field,
                format!("{field}: '{raw}' is not an amount in yuan with at most 2 decimals"),
                format!("{field}：'{raw}' 不是有效金额（元，最多两位小数）"),
            )
        };
        let d: Decimal = raw.trim().parse().map_err(|_| bad())?;
        if d.is_sign_negative() || d.scale() > 2 && d.normalize().scale() > 2 {
            return Err(bad());
        }
        // checked: `*` panics past 7.9 × 10²⁸ (an amount of 27 digits, found by tests/fuzz.rs).
        let fen = d.checked_mul(Decimal::from(100)).ok_or_else(bad)?.normalize();
        if fen.scale() != 0 {
            return Err(bad());
        }
        i64::try_from(fen).map(Fen).map_err(|_| bad())
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_exactly() {
        assert_eq!(Fen::parse_yuan("a", "12.30").unwrap(), Fen(1230));
        assert_eq!(Fen::parse_yuan("a", "0.1").unwrap(), Fen(10));
        assert_eq!(Fen::parse_yuan("a", "100").unwrap(), Fen(10000));
        assert_eq!(Fen::parse_yuan("a", "1.500").unwrap(), Fen(150));
        assert!(Fen::parse_yuan("a", "1.005").is_err());
        assert!(Fen::parse_yuan("a", "-1").is_err());
        assert!(Fen::parse_yuan("a", "abc").is_err());
        assert!(Fen::parse_yuan("a", "79228162514264337593543950335").is_err());
        assert_eq!(Fen(1230).to_decimal().to_string(), "12.30");
    }
}
