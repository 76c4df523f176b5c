//! Debian package versions, ordered as dpkg's `verrevcmp` (lib/dpkg/version.c) and
//! apt's `debVersioningSystem::CmpVersion` order them: `[epoch:]upstream[-revision]`,
//! `~` sorts before everything (even the end), letters before other symbols.

use std::cmp::Ordering;
use std::fmt;

use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed Debian version. Keeps the original text; comparing needs no allocation.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    epoch: u32,
    /// Byte offset where the upstream version starts (after `epoch:`).
    upstream_start: usize,
    /// Byte offset of the `-` before the revision, or the text's length.
    revision_sep: usize,
}

impl Version {
    /// Parses a version the way dpkg's `parseversion` does, keeping only its hard
    /// errors: dpkg merely warns about an upstream part that does not start with a
    /// digit or holds unusual characters, and apt compares those too.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Dpkg, ErrorKind::Version, input)?;
        let bad = |reason: &str| Error::version(Scheme::Dpkg, input, reason);
        let text = input.trim();
        if text.is_empty() {
            return Err(bad("empty"));
        }
        if text.contains(char::is_whitespace) {
            return Err(bad("embedded whitespace"));
        }
        let (epoch, upstream_start) = match text.find(':') {
            Some(colon) => {
                let digits = text.get(..colon).unwrap_or_default();
                if digits.is_empty() {
                    return Err(bad("epoch is empty"));
                }
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("epoch is not a number"));
                }
                // dpkg refuses epochs above INT_MAX.
                let epoch = digits
                    .parse::<u32>()
                    .ok()
                    .filter(|e| i32::try_from(*e).is_ok())
                    .ok_or_else(|| bad("epoch is too big"))?;
                (epoch, colon + 1)
            }
            None => (0, 0),
        };
        let rest = text.get(upstream_start..).unwrap_or_default();
        if rest.is_empty() {
            return Err(bad("nothing after colon in version"));
        }
        let revision_sep = match rest.rfind('-') {
            Some(dash) if dash + 1 == rest.len() => return Err(bad("revision is empty")),
            Some(0) => return Err(bad("upstream version is empty")),
            Some(dash) => upstream_start + dash,
            None => text.len(),
        };
        Ok(Version {
            text: text.into(),
            epoch,
            upstream_start,
            revision_sep,
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream part.
    pub fn upstream(&self) -> &str {
        self.text
            .get(self.upstream_start..self.revision_sep)
            .unwrap_or_default()
    }

    /// The Debian revision, `""` when absent.
    pub fn revision(&self) -> &str {
        self.text.get(self.revision_sep + 1..).unwrap_or_default()
    }
}

/// dpkg's `order()`: digits are 0, letters themselves, `~` below the end, other
/// symbols after letters. dpkg and apt read a `char`, signed on the platforms they
/// ship on, so a byte >= 0x80 lands at its own value (between letters and symbols).
fn order(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(b) if b.is_ascii_digit() => 0,
        Some(b) if b.is_ascii_alphabetic() => i32::from(b),
        Some(b'~') => -1,
        Some(b) if b >= 0x80 => i32::from(b),
        Some(b) => i32::from(b) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let digit_at = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit_at(a, i)) || (j < b.len() && !digit_at(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit_at(a, i) && digit_at(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit_at(a, i) {
            return Ordering::Greater;
        }
        if digit_at(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream().as_bytes(), other.upstream().as_bytes()))
            .then_with(|| verrevcmp(self.revision().as_bytes(), other.revision().as_bytes()))
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl_from_str_via_parse!(Version);

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        Version::parse(a).unwrap().cmp(&Version::parse(b).unwrap())
    }

    #[test]
    fn parts() {
        let v = Version::parse("2:1.0-a-3").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (2, "1.0-a", "3"));
        let v = Version::parse("1.0").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (0, "1.0", ""));
    }

    #[test]
    fn tilde_sorts_before_end_and_everything() {
        assert_eq!(cmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp("1.0~~", "1.0~"), Ordering::Less);
        assert_eq!(cmp("1.0~", "1.0"), Ordering::Less);
    }

    #[test]
    fn letters_before_symbols_and_plus_after_end() {
        // Symbols among themselves by ASCII: `+` (0x2b) before `.` (0x2e).
        assert_eq!(cmp("1.0+", "1.0."), Ordering::Less);
        assert_eq!(cmp("1.0+", "1.0"), Ordering::Greater);
        // Symbols among themselves by ASCII: `+` (0x2b) before `.` (0x2e).
        assert_eq!(cmp("1.0+", "1.0."), Ordering::Less);
    }

    #[test]
    fn numbers_ignore_leading_zeros_and_have_no_size_limit() {
        assert_eq!(cmp("1.007", "1.7"), Ordering::Equal);
        assert_eq!(
            cmp("99999999999999999999999999", "99999999999999999999999998"),
            Ordering::Greater
        );
    }

    #[test]
    fn epoch_and_missing_revision() {
        assert_eq!(cmp("1:0.1", "9.9"), Ordering::Greater);
        assert_eq!(cmp("0:1.0", "1.0"), Ordering::Equal);
        assert_eq!(cmp("1.0-0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn hard_errors() {
        for bad in ["", "1 0", ":1", "a:1", "1:", "1.0-", "-1", "99999999999:1"] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn display_round_trips() {
        let v = Version::parse("1:2.3~b4-5+deb12u1").unwrap();
        assert_eq!(Version::parse(&v.to_string()).unwrap(), v);
    }
}
