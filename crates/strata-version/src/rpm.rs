//! RPM versions: `[epoch:]version[-release]` split as rpm's `parseEVR` (rpmvercmp.c)
//! does, each part ordered by `rpmvercmp`, and compared as `rpm.labelCompare`: a
//! missing epoch is 0, and when versions are equal a missing release sorts first.

use std::cmp::Ordering;
use std::fmt;

use crate::digits::cmp_decimal;
use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed EVR. Keeps the original text; comparing needs no allocation.
#[derive(Debug, Clone)]
pub struct Version {
    text: Box<str>,
    /// End of the epoch digits when a `:` follows them.
    epoch_end: Option<usize>,
    /// Byte offset of the `-` before the release.
    release_sep: Option<usize>,
}

impl Version {
    /// Splits an EVR string as rpm's `parseEVR`: the epoch is the leading digits when
    /// a `:` follows them, the release is whatever follows the last `-`.
    /// rpm orders any byte string, so only empty, over-long and whitespace-holding
    /// input is refused.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Rpm, ErrorKind::Version, input)?;
        let text = input.trim();
        if text.is_empty() {
            return Err(Error::version(Scheme::Rpm, input, "empty"));
        }
        if text.contains(char::is_whitespace) {
            return Err(Error::version(Scheme::Rpm, input, "embedded whitespace"));
        }
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let epoch_end = (text.as_bytes().get(digits) == Some(&b':')).then_some(digits);
        // Searched after the leading digits, so after any `epoch:` too.
        let release_sep = text
            .get(digits..)
            .and_then(|rest| rest.rfind('-'))
            .map(|dash| digits + dash);
        Ok(Version {
            text: text.into(),
            epoch_end,
            release_sep,
        })
    }

    /// The epoch digits, `"0"` when absent or empty.
    pub fn epoch(&self) -> &str {
        match self.epoch_end {
            Some(0) | None => "0",
            Some(end) => self.text.get(..end).unwrap_or("0"),
        }
    }

    /// The version part.
    pub fn version(&self) -> &str {
        let start = self.epoch_end.map_or(0, |end| end + 1);
        let end = self.release_sep.unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or_default()
    }

    /// The release part, `None` when absent.
    pub fn release(&self) -> Option<&str> {
        self.release_sep.and_then(|sep| self.text.get(sep + 1..))
    }
}

/// rpm's `rpmvercmp`: compares alternating alphabetic and numeric segments; other
/// bytes only separate them, `~` sorts before anything and `^` after the end.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(is_sep) {
            i += 1;
        }
        while b.get(j).is_some_and(is_sep) {
            j += 1;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x == Some(b'~') || y == Some(b'~') {
            if x != Some(b'~') {
                return Ordering::Greater;
            }
            if y != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // Like `~`, except that a version that ended sorts before a caret.
        if x == Some(b'^') || y == Some(b'^') {
            if x.is_none() {
                return Ordering::Less;
            }
            if y.is_none() {
                return Ordering::Greater;
            }
            if x != Some(b'^') {
                return Ordering::Greater;
            }
            if y != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(x), Some(_)) = (x, y) else { break };
        let numeric = x.is_ascii_digit();
        let run = |s: &[u8], from: usize| {
            let len = s
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| {
                    if numeric {
                        c.is_ascii_digit()
                    } else {
                        c.is_ascii_alphabetic()
                    }
                })
                .count();
            from + len
        };
        let (i_end, j_end) = (run(a, i), run(b, j));
        if j_end == j {
            // Segments of different kinds: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let seg_a = a.get(i..i_end).unwrap_or_default();
        let seg_b = b.get(j..j_end).unwrap_or_default();
        let ordering = if numeric {
            cmp_decimal(seg_a, seg_b)
        } else {
            seg_a.cmp(seg_b)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
        i = i_end;
        j = j_end;
    }
    match (i < a.len(), j < b.len()) {
        (false, false) => Ordering::Equal,
        (true, _) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        rpmvercmp(self.epoch(), other.epoch())
            .then_with(|| rpmvercmp(self.version(), other.version()))
            .then_with(|| match (self.release(), other.release()) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
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
    fn evr_split() {
        let v = Version::parse("2:1.0-3.el9").unwrap();
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            ("2", "1.0", Some("3.el9"))
        );
        let v = Version::parse("1.0").unwrap();
        assert_eq!((v.epoch(), v.version(), v.release()), ("0", "1.0", None));
        // Only leading digits followed by ':' make an epoch.
        let v = Version::parse("a:1").unwrap();
        assert_eq!((v.epoch(), v.version()), ("0", "a:1"));
    }

    #[test]
    fn tilde_before_release_caret_after() {
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Ordering::Less);
    }

    #[test]
    fn numbers_beat_letters_and_separators_do_not_count() {
        assert_eq!(rpmvercmp("1.0", "1.a"), Ordering::Greater);
        assert_eq!(rpmvercmp("1_0", "1.0"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.010", "1.10"), Ordering::Equal);
    }

    #[test]
    fn missing_release_sorts_first_missing_epoch_is_zero() {
        assert_eq!(cmp("1.0", "1.0-1"), Ordering::Less);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Ordering::Equal);
        assert_eq!(cmp("1:0.1", "2.0"), Ordering::Greater);
    }

    #[test]
    fn refuses_empty_and_spaces() {
        assert!(Version::parse("").is_err());
        assert!(Version::parse("1 .0").is_err());
    }
}
