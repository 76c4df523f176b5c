//! RubyGems versions and requirements.
//!
//! Follows `Gem::Version` (rubygems/rubygems `lib/rubygems/version.rb`) and
//! `Gem::Requirement` (`lib/rubygems/requirement.rb`) as of RubyGems 3.3.15:
//! a version is `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`
//! between optional whitespace, `-` reads as `.pre.`, and versions compare by
//! their canonical segments, where a letter segment sorts before any number
//! (so `1.0.a < 1.0`) and trailing zeros do not count (`1.0 == 1.0.0`).
//! A requirement is a comma-separated list of `[op] version`, all of which
//! must hold.

use std::cmp::Ordering;
use std::fmt;

use crate::digits::{cmp_decimal, increment_decimal, trim_leading_zeros};
use crate::{Error, ErrorKind, Scheme, check_len};

/// One segment of a version: a run of digits or a run of letters
/// (`Gem::Version#_segments` scans `/[0-9]+|[a-z]+/i`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Letters, compared as Ruby compares strings (bytewise).
    Text(Box<str>),
    /// Digits without leading zeros (`"0"` for zero), so numbers of any
    /// length compare by length, then lexically.
    Number(Box<str>),
}

impl Segment {
    fn number(digits: &str) -> Segment {
        Segment::Number(trim_leading_zeros(digits).into())
    }

    fn is_zero(&self) -> bool {
        matches!(self, Segment::Number(digits) if &**digits == "0")
    }

    fn is_text(&self) -> bool {
        matches!(self, Segment::Text(_))
    }
}

/// `Gem::Version#<=>` on one position; a missing segment counts as `0`, and a
/// string sorts before a number.
fn compare_segment(left: Option<&Segment>, right: Option<&Segment>) -> Ordering {
    match (left, right) {
        (None, None) => Ordering::Equal,
        (None, Some(segment)) => compare_with_zero(segment).reverse(),
        (Some(segment), None) => compare_with_zero(segment),
        (Some(Segment::Text(a)), Some(Segment::Text(b))) => a.as_bytes().cmp(b.as_bytes()),
        (Some(Segment::Text(_)), Some(Segment::Number(_))) => Ordering::Less,
        (Some(Segment::Number(_)), Some(Segment::Text(_))) => Ordering::Greater,
        (Some(Segment::Number(a)), Some(Segment::Number(b))) => {
            cmp_decimal(a.as_bytes(), b.as_bytes())
        }
    }
}

fn compare_with_zero(segment: &Segment) -> Ordering {
    match segment {
        Segment::Text(_) => Ordering::Less,
        Segment::Number(_) if segment.is_zero() => Ordering::Equal,
        Segment::Number(_) => Ordering::Greater,
    }
}

/// Compares two segment lists position by position, padding the shorter one
/// with zeros (the loop in `Gem::Version#<=>`).
fn compare_segments(left: &[Segment], right: &[Segment]) -> Ordering {
    let len = left.len().max(right.len());
    (0..len)
        .map(|i| compare_segment(left.get(i), right.get(i)))
        .find(|order| order.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// A RubyGems version (`Gem::Version`).
#[derive(Debug, Clone)]
pub struct Version {
    /// The input, stripped. (RubyGems keeps it with `-` replaced by `.pre.`, which
    /// may not parse again: `1.0.-a` becomes `1.0..pre.a`; the input always does.)
    version: Box<str>,
    /// `_segments`: every digit or letter run, in order.
    segments: Vec<Segment>,
    /// `canonical_segments`: the numeric part and the part from the first
    /// string on, each without trailing zeros.
    canonical: Vec<Segment>,
    /// How many leading `canonical` segments are numbers: the canonical form of
    /// `Gem::Version#release`.
    release_len: usize,
}

impl Version {
    /// Parses a version as `Gem::Version.new` does.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Rubygems, ErrorKind::Version, input)?;
        let trimmed = input.trim_matches(is_ruby_space);
        // All-whitespace input is version 0, as in `Gem::Version.new` ("" itself
        // never gets here: `check_len` refuses it).
        let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
        check_pattern(trimmed).map_err(|reason| Error::version(Scheme::Rubygems, input, reason))?;
        Ok(Version::from_valid(trimmed))
    }

    /// Builds a version from text that matches `VERSION_PATTERN`.
    fn from_valid(text: &str) -> Version {
        let segments = scan_segments(&text.replace('-', ".pre."));
        let canonical = canonical_segments(&segments);
        let release_len = canonical.iter().take_while(|s| !s.is_text()).count();
        Version {
            version: text.into(),
            segments,
            canonical,
            release_len,
        }
    }

    /// `Gem::Version#bump` in canonical form: drop the prerelease part and the
    /// last number (unless only one is left), then add one to the last number.
    fn bump(&self) -> Vec<Segment> {
        let mut numbers: Vec<&Segment> =
            self.segments.iter().take_while(|s| !s.is_text()).collect();
        if numbers.len() > 1 {
            numbers.pop();
        }
        let mut bumped: Vec<Segment> = numbers.into_iter().cloned().collect();
        if let Some(Segment::Number(last)) = bumped.last_mut() {
            // `Integer#succ`.
            *last = increment_decimal(last).into();
        }
        canonical_segments(&bumped)
    }

    /// The canonical segments of `Gem::Version#release` (the version without
    /// its prerelease part).
    fn release(&self) -> &[Segment] {
        self.canonical
            .get(..self.release_len)
            .unwrap_or(&self.canonical)
    }
}

/// Ruby's `\s` (and what `String#strip` removes around a valid version).
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r')
}

/// Checks `VERSION_PATTERN`:
/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`.
fn check_pattern(text: &str) -> Result<(), &'static str> {
    // The release part cannot hold `-`, so the first `-` starts the prerelease part.
    let (release, prerelease) = match text.split_once('-') {
        Some((release, prerelease)) => (release, Some(prerelease)),
        None => (text, None),
    };
    let mut parts = release.split('.');
    let first = parts.next().unwrap_or_default();
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return Err("must start with a number");
    }
    for part in parts {
        if part.is_empty() {
            return Err("empty segment");
        }
        if !part.bytes().all(|c| c.is_ascii_alphanumeric()) {
            return Err("only ASCII letters, digits, '.' and '-' are allowed");
        }
    }
    if let Some(prerelease) = prerelease {
        for part in prerelease.split('.') {
            if part.is_empty() {
                return Err("empty segment after '-'");
            }
            if !part.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
                return Err("only ASCII letters, digits, '.' and '-' are allowed");
            }
        }
    }
    Ok(())
}

/// `Gem::Version#_segments`: the runs of digits and of letters.
fn scan_segments(version: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut rest = version;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        let tail = rest.get(start..).unwrap_or_default();
        let digits = tail.starts_with(|c: char| c.is_ascii_digit());
        let len = tail
            .find(|c: char| {
                if digits {
                    !c.is_ascii_digit()
                } else {
                    !c.is_ascii_alphabetic()
                }
            })
            .unwrap_or(tail.len());
        let (run, after) = tail.split_at_checked(len).unwrap_or((tail, ""));
        segments.push(if digits {
            Segment::number(run)
        } else {
            Segment::Text(run.into())
        });
        rest = after;
    }
    segments
}

/// `Gem::Version#canonical_segments`: drop trailing zeros from the numeric
/// part and from the part starting at the first string.
fn canonical_segments(segments: &[Segment]) -> Vec<Segment> {
    let split = segments
        .iter()
        .position(Segment::is_text)
        .unwrap_or(segments.len());
    let (numbers, strings) = segments.split_at_checked(split).unwrap_or((segments, &[]));
    let mut canonical = without_trailing_zeros(numbers).to_vec();
    canonical.extend_from_slice(without_trailing_zeros(strings));
    canonical
}

fn without_trailing_zeros(segments: &[Segment]) -> &[Segment] {
    let keep = segments
        .iter()
        .rposition(|s| !s.is_zero())
        .map_or(0, |last| last + 1);
    segments.get(..keep).unwrap_or(segments)
}

impl_from_str_via_parse!(Version);

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_segments(&self.canonical, &other.canonical)
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.version)
    }
}

/// A requirement operator (`Gem::Requirement::OPS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `=`, `!=`, `>`, `<`, `>=`, `<=`.
    Compare(crate::Op),
    /// `~>`: at least the version, and below its `bump`.
    Pessimistic,
}

impl Op {
    /// Longest first, so that `>=` is not read as `>` followed by `=`.
    const ALL: [(&'static str, Op); 7] = [
        ("!=", Op::Compare(crate::Op::Ne)),
        (">=", Op::Compare(crate::Op::Ge)),
        ("<=", Op::Compare(crate::Op::Le)),
        ("~>", Op::Pessimistic),
        ("=", Op::Compare(crate::Op::Eq)),
        (">", Op::Compare(crate::Op::Gt)),
        ("<", Op::Compare(crate::Op::Lt)),
    ];

    fn as_str(self) -> &'static str {
        match self {
            Op::Compare(op) => op.as_str(),
            Op::Pessimistic => "~>",
        }
    }
}

/// One `op version` pair of a requirement.
#[derive(Debug, Clone)]
struct Requirement {
    op: Op,
    version: Version,
    /// `version.bump` for `~>`, computed once here instead of on every match.
    bump: Vec<Segment>,
}

impl Requirement {
    fn satisfied_by(&self, version: &Version) -> bool {
        let order = version.cmp(&self.version);
        match self.op {
            Op::Compare(op) => op.accepts(order),
            // `v >= r && v.release < r.bump`: a prerelease of a later version in
            // the window (`1.5.a` for `~> 1.4`) is inside.
            Op::Pessimistic => {
                order.is_ge() && compare_segments(version.release(), &self.bump).is_lt()
            }
        }
    }
}

/// A RubyGems requirement (`Gem::Requirement`): comma-separated
/// `[op] version` pairs that must all hold; a bare version means `=`.
#[derive(Debug, Clone)]
pub struct Range {
    requirements: Vec<Requirement>,
}

impl Range {
    /// Parses a requirement list such as `>= 1.2, < 2` or `~> 3.0.1`.
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Rubygems, ErrorKind::Range, input)?;
        let requirements = input
            .split(',')
            .map(parse_requirement)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| Error::range(Scheme::Rubygems, input, reason))?;
        Ok(Range { requirements })
    }

    /// `Gem::Requirement#satisfied_by?`: every pair must hold.
    pub fn contains(&self, version: &Version) -> bool {
        self.requirements.iter().all(|r| r.satisfied_by(version))
    }
}

/// One pair, as `Gem::Requirement::PATTERN` reads it:
/// `\s*(op)?\s*(VERSION_PATTERN)\s*`.
fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let text = text.trim_matches(is_ruby_space);
    if text.is_empty() {
        return Err("empty requirement".into());
    }
    let (op, rest) = Op::ALL
        .iter()
        .find_map(|&(symbol, op)| text.strip_prefix(symbol).map(|rest| (op, rest)))
        .unwrap_or((Op::Compare(crate::Op::Eq), text));
    let version_text = rest.trim_start_matches(is_ruby_space);
    if version_text.is_empty() {
        return Err(format!("no version after {:?}", op.as_str()));
    }
    check_pattern(version_text).map_err(|reason| format!("version {version_text:?}: {reason}"))?;
    let version = Version::from_valid(version_text);
    let bump = version.bump();
    Ok(Requirement { op, version, bump })
}

impl_from_str_via_parse!(Range);

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, requirement) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", requirement.op.as_str(), requirement.version)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn r(text: &str) -> Range {
        Range::parse(text).unwrap()
    }

    #[test]
    fn display_of_a_dash_after_a_dot_parses_back() {
        // Found by fuzzing: RubyGems' own to_s ("1.0..pre.a") would not parse again.
        let v = Version::parse("1.0-b.-a").unwrap();
        assert_eq!(Version::parse(&v.to_string()).unwrap(), v);
    }

    #[test]
    fn trailing_zeros_do_not_count() {
        assert_eq!(v("1.0"), v("1"));
        assert_eq!(v("1.0.0"), v("1"));
        assert_eq!(v("1.0.a"), v("1.a"));
        assert_eq!(v("1.a.0"), v("1.a"));
    }

    #[test]
    fn letters_make_a_prerelease() {
        assert!(v("1.0.a") < v("1.0"));
        assert!(v("1.0.b1") < v("1.0"));
        assert!(v("1.0.a.2") < v("1.0.b1"));
        assert!(v("0.9") < v("1.0.a.2"));
        assert!(v("1.0.a10") > v("1.0.a9"));
        // Ruby compares strings bytewise: upper case sorts first.
        assert!(v("1.0.B") < v("1.0.a"));
    }

    #[test]
    fn dash_means_pre() {
        assert_eq!(v("1.0-rc1"), v("1.0.pre.rc1"));
        assert!(v("1.0-1") < v("1.0"));
        // Displayed as written (Ruby shows "1.0.pre.rc1", which does not always parse again).
        assert_eq!(v("1.0-rc1").to_string(), "1.0-rc1");
    }

    #[test]
    fn numbers_of_any_length() {
        let big = "123456789012345678901234567890";
        assert!(v(&format!("1.{big}")) > v("1.99999999999999999999"));
        assert_eq!(v("1.0002"), v("1.2"));
    }

    #[test]
    fn whitespace_is_stripped_and_blank_is_zero() {
        assert_eq!(v(" 1.2 \n"), v("1.2"));
        assert_eq!(v("  "), v("0"));
        assert_eq!(v("  ").to_string(), "0");
    }

    #[test]
    fn malformed_versions_are_refused() {
        for bad in [
            "", "a", "1..2", "1.", ".1", "1.2-", "1-.a", "1.2 3", "1_2", "1.é", "v1",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
        // The prerelease part may hold '-' but the release part must not be empty.
        assert!(Version::parse("1.0--a").is_ok());
        assert!(Version::parse("1.0-a-b.c").is_ok());
    }

    #[test]
    fn display_round_trips() {
        for text in ["1.2.3", "1.0-beta.2", "0", "3.0.rc2", "1.0.A"] {
            let version = v(text);
            assert_eq!(v(&version.to_string()), version);
        }
        let range = r(">= 1.0, < 2.0-a");
        assert_eq!(range.to_string(), ">= 1.0, < 2.0-a");
    }

    #[test]
    fn pessimistic_operator() {
        let range = r("~> 3.5");
        assert!(range.contains(&v("3.5")));
        assert!(range.contains(&v("3.9.9")));
        assert!(!range.contains(&v("4.0")));
        assert!(!range.contains(&v("3.4")));
        // `v.release < r.bump`: the prerelease of 3.6 is inside, 4.0.a is not.
        assert!(range.contains(&v("3.6.a")));
        assert!(!range.contains(&v("4.0.a")));
        let range = r("~> 3.5.0");
        assert!(range.contains(&v("3.5.9")));
        assert!(!range.contains(&v("3.6")));
        // The requirement's own prerelease part is dropped before bumping.
        let range = r("~> 1.2.a");
        assert!(range.contains(&v("1.9")));
        assert!(!range.contains(&v("2.0")));
        assert!(r("~> 9").contains(&v("9.99")));
        assert!(!r("~> 9").contains(&v("10")));
    }

    #[test]
    fn operators_and_lists() {
        assert!(r("1.0").contains(&v("1.0.0")));
        assert!(r("!= 1.0").contains(&v("1.1")));
        assert!(r(">1.0,<2").contains(&v("1.5")));
        assert!(!r(">1.0, <2").contains(&v("2.0")));
        assert!(r("<= 2").contains(&v("2.0.0")));
        assert!(r("< 2").contains(&v("2.a")));
    }

    #[test]
    fn bump_drops_prerelease_and_last_number() {
        let bumped = |text: &str| canonical_segments(&v(text).bump());
        assert_eq!(bumped("5.2.4"), v("5.3").canonical);
        assert_eq!(bumped("5.2.4.a10"), v("5.3").canonical);
        assert_eq!(bumped("5.0.0"), v("5.1").canonical);
        assert_eq!(bumped("5"), v("6").canonical);
        assert_eq!(bumped("1.9"), v("2").canonical);
        assert_eq!(
            bumped("99999999999999999999999.1"),
            v("100000000000000000000000").canonical
        );
    }

    #[test]
    fn release_is_the_numeric_part() {
        assert_eq!(v("1.2.0.a").release(), v("1.2").canonical.as_slice());
        assert_eq!(
            v("1.9.3.alpha.5").release(),
            v("1.9.3").canonical.as_slice()
        );
        assert_eq!(v("1.9.3").release(), v("1.9.3").canonical.as_slice());
    }

    #[test]
    fn string_segments_sort_first_even_against_zero_padding() {
        assert!(v("5.a") < v("5.0.0.rc2"));
        assert!(v("5.x") > v("5.0.0.rc2"));
        assert!(v("0.0.beta") < v("0.beta.1"));
        assert!(v("1.0.0-1") < v("1"));
        assert_eq!(v("1.0.0.a.1.0"), v("1.a.1"));
    }

    #[test]
    fn malformed_requirements_are_refused() {
        for bad in [
            "",
            ">=",
            "== 1.0",
            "=> 1",
            "~ 1",
            "1.0,",
            ">= 1.0 2.0",
            "1.0 || 2.0",
            ">>> 1.3.5",
            "> blah",
            "! 1",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
    }
}
