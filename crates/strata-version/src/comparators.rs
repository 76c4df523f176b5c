//! A scheme-neutral range: comma-separated `OP VERSION` comparators that must all
//! hold, optionally several such sets joined by `||`. This is the range syntax for
//! schemes without one of their own (dpkg, rpm, apk, go), and works for every scheme.

use std::cmp::Ordering;
use std::fmt;

use crate::{Error, ErrorKind, Scheme, Version, check_len};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<` (also dpkg's `<<`)
    Lt,
    /// `<=`
    Le,
    /// `=` or `==`
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>` (also dpkg's `>>`)
    Gt,
}

impl Op {
    // Longest first, so `<=` is not read as `<` followed by `=`. No operator
    // means `=`.
    const SPELLINGS: [(&'static str, Op); 9] = [
        ("<<", Op::Lt),
        (">>", Op::Gt),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ];

    /// Whether `ordering` (of the version against the bound) satisfies the operator.
    pub fn accepts(self, ordering: Ordering) -> bool {
        match self {
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Eq => ordering == Ordering::Equal,
            Op::Ne => ordering != Ordering::Equal,
            Op::Ge => ordering != Ordering::Less,
            Op::Gt => ordering == Ordering::Greater,
        }
    }

    /// The operator as this syntax (and RubyGems) spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }
}

/// One `OP VERSION` bound.
#[derive(Debug, Clone)]
pub struct Comparator {
    /// The operator.
    pub op: Op,
    /// The version it compares against.
    pub version: Version,
}

impl Comparator {
    /// Whether `version` satisfies this bound (never across schemes).
    pub fn matches(&self, version: &Version) -> bool {
        version
            .partial_cmp(&self.version)
            .is_some_and(|ordering| self.op.accepts(ordering))
    }
}

/// Sets of comparators: any set (`||`) whose every comparator (`,`) holds.
#[derive(Debug, Clone)]
pub struct Comparators {
    scheme: Scheme,
    sets: Vec<Vec<Comparator>>,
}

impl Comparators {
    /// Parses `>= 1.2, < 2.0 || = 3.0` with versions in `scheme`.
    pub fn parse(scheme: Scheme, input: &str) -> Result<Comparators, Error> {
        check_len(scheme, ErrorKind::Range, input)?;
        let mut sets = Vec::new();
        for set in input.split("||") {
            let mut comparators = Vec::new();
            for part in set.split(',') {
                comparators.push(parse_comparator(scheme, input, part.trim())?);
            }
            sets.push(comparators);
        }
        Ok(Comparators { scheme, sets })
    }

    /// The scheme of the versions in this range.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether `version` satisfies the range.
    pub fn contains(&self, version: &Version) -> bool {
        self.sets
            .iter()
            .any(|set| set.iter().all(|comparator| comparator.matches(version)))
    }
}

fn parse_comparator(scheme: Scheme, input: &str, part: &str) -> Result<Comparator, Error> {
    if part.is_empty() {
        return Err(Error::range(scheme, input, "empty comparator"));
    }
    let (op, rest) = Op::SPELLINGS
        .iter()
        .find_map(|(spelling, op)| part.strip_prefix(spelling).map(|rest| (*op, rest)))
        .unwrap_or((Op::Eq, part));
    let text = rest.trim();
    if text.is_empty() {
        return Err(Error::range(
            scheme,
            input,
            format!("{part:?} has no version"),
        ));
    }
    let version = Version::parse(scheme, text)
        .map_err(|e| Error::range(scheme, input, format!("{text:?}: {}", e.reason)))?;
    Ok(Comparator { op, version })
}

impl fmt::Display for Comparators {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, set) in self.sets.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            for (j, comparator) in set.iter().enumerate() {
                if j > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{} {}", comparator.op.as_str(), comparator.version)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(scheme: Scheme, range: &str, version: &str) -> bool {
        let range = Comparators::parse(scheme, range).unwrap();
        range.contains(&Version::parse(scheme, version).unwrap())
    }

    #[test]
    fn all_bounds_in_a_set_must_hold() {
        assert!(contains(Scheme::Dpkg, ">= 1.2, < 2.0", "1.9~rc1"));
        assert!(!contains(Scheme::Dpkg, ">= 1.2, < 2.0", "2.0"));
        assert!(!contains(Scheme::Dpkg, ">= 1.2, < 2.0", "1.2~rc1"));
    }

    #[test]
    fn any_set_may_hold() {
        assert!(contains(Scheme::Rpm, "< 1.0 || >= 2.0", "2.1-1"));
        assert!(!contains(Scheme::Rpm, "< 1.0 || >= 2.0", "1.5-1"));
    }

    #[test]
    fn dpkg_spellings_and_missing_spaces() {
        assert!(contains(Scheme::Dpkg, "<<1.0", "0.9"));
        assert!(contains(Scheme::Dpkg, ">>1.0", "1.0+b1"));
        assert!(contains(Scheme::Dpkg, "1.0-1", "1.0-1"));
        assert!(contains(Scheme::Dpkg, "!= 1.0", "1.1"));
    }

    #[test]
    fn errors_name_the_range() {
        for bad in ["", ">=", ">= 1.0,", "<= a b"] {
            let err = Comparators::parse(Scheme::Dpkg, bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Range, "{bad:?}");
        }
    }
}
