//! Decimal numbers of any length kept as ASCII digit strings: several
//! references use unbounded integers (Python, Ruby, Java's `BigInteger`) or
//! compare digit runs without parsing them (rpm, apk, Go).

use std::cmp::Ordering;

/// `digits` without its leading zeros, keeping one `0` for zero (`"007"` →
/// `"7"`, `"000"` → `"0"`), so that equal numbers have equal text.
pub(crate) fn trim_leading_zeros(digits: &str) -> &str {
    match digits.trim_start_matches('0') {
        "" => digits
            .get(digits.len().saturating_sub(1)..)
            .unwrap_or(digits),
        trimmed => trimmed,
    }
}

/// Compares two ASCII digit strings by value: leading zeros do not count
/// (and `""` is zero), then the longer number is larger, then the digits decide.
pub(crate) fn cmp_decimal(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |digits: &[u8]| -> usize { digits.iter().take_while(|&&d| d == b'0').count() };
    let a = a.get(strip(a)..).unwrap_or_default();
    let b = b.get(strip(b)..).unwrap_or_default();
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `digits + 1` for an ASCII digit string (`"199"` → `"200"`, `"9"` → `"10"`).
pub(crate) fn increment_decimal(digits: &str) -> String {
    let mut out = digits.as_bytes().to_vec();
    let mut carry = true;
    for digit in out.iter_mut().rev() {
        if *digit == b'9' {
            *digit = b'0';
        } else {
            *digit += 1;
            carry = false;
            break;
        }
    }
    if carry {
        out.insert(0, b'1');
    }
    out.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_to_the_canonical_form() {
        assert_eq!(trim_leading_zeros("007"), "7");
        assert_eq!(trim_leading_zeros("000"), "0");
        assert_eq!(trim_leading_zeros("0"), "0");
        assert_eq!(trim_leading_zeros("100"), "100");
        assert_eq!(trim_leading_zeros(""), "");
    }

    #[test]
    fn compares_by_value() {
        let cmp = |a: &str, b: &str| cmp_decimal(a.as_bytes(), b.as_bytes());
        assert_eq!(cmp("9", "10"), Ordering::Less);
        assert_eq!(cmp("010", "10"), Ordering::Equal);
        assert_eq!(cmp("", "000"), Ordering::Equal);
        assert_eq!(cmp("0", "1"), Ordering::Less);
        assert_eq!(cmp("123", "122"), Ordering::Greater);
        let huge = "123456789012345678901234567890";
        assert_eq!(cmp(huge, "99999999999999999999"), Ordering::Greater);
    }

    #[test]
    fn increments_with_carry() {
        assert_eq!(increment_decimal("0"), "1");
        assert_eq!(increment_decimal("41"), "42");
        assert_eq!(increment_decimal("199"), "200");
        assert_eq!(increment_decimal("999"), "1000");
        assert_eq!(
            increment_decimal("99999999999999999999"),
            "100000000000000000000"
        );
    }
}
