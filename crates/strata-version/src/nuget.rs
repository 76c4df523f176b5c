//! NuGet package versions and version ranges, following NuGet.Client's
//! `NuGet.Versioning`: `NuGetVersion.TryParse` (`NuGetVersionFactory.cs`,
//! `SemanticVersionFactory.cs`), `VersionComparer.Default` (`VersionComparer.cs`),
//! `VersionRange.Parse` (`VersionRangeFactory.cs`, `FloatRange.cs`) and
//! `VersionRangeBase.Satisfies`.
//!
//! A version is 1 to 4 numbers (each 0..=2147483647, leading zeros allowed,
//! missing ones are 0: `1.0 == 1.0.0.0`), then optional `-` release labels and
//! `+` build metadata. Labels are dot-separated parts of `[0-9A-Za-z-]`; a part
//! that is an `int` sorts numerically and below text, text compares ordinally
//! ignoring case; any label sorts below no label. Metadata is ignored.
//! Surrounding whitespace is trimmed, as NuGet does.

use std::cmp::Ordering;
use std::fmt;

use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed NuGet version (`NuGetVersion`).
#[derive(Debug, Clone)]
pub struct Version {
    /// The trimmed input.
    text: String,
    /// Major, minor, patch, revision.
    numbers: [u32; 4],
    /// Empty for a release.
    labels: Vec<Label>,
}

/// One dot-separated part of the release label.
#[derive(Debug, Clone)]
struct Label {
    /// `int.TryParse` of the part (it also takes a leading `-`: `-1`).
    number: Option<i32>,
    /// Upper-cased, for `StringComparer.OrdinalIgnoreCase` (labels are ASCII).
    folded: Box<str>,
}

/// The pieces `SemanticVersion.ParseSections` cuts a version into.
struct Sections<'a> {
    numbers: &'a str,
    labels: Option<&'a str>,
    metadata: Option<&'a str>,
}

impl Version {
    /// `NuGetVersion.TryParse`; what it rejects is an error.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Nuget, ErrorKind::Version, input)?;
        let text = input.trim();
        let fail = |reason: &str| Error::version(Scheme::Nuget, input, reason);
        let sections = split_sections(text).map_err(fail)?;
        let numbers = parse_numbers(sections.numbers).map_err(fail)?;
        let labels = match sections.labels {
            Some(labels) => labels
                .split('.')
                .map(Label::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| fail(&why))?,
            None => Vec::new(),
        };
        if let Some(metadata) = sections.metadata {
            for part in metadata.split('.') {
                check_part(part, true).map_err(|why| fail(&format!("build metadata: {why}")))?;
            }
        }
        Ok(Version {
            text: text.to_owned(),
            numbers,
            labels,
        })
    }

    /// Whether the version has a release label (`1.0.0-beta`).
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

/// `SemanticVersion.ParseSections`: numbers up to the first `-` or `+`, labels
/// up to the next `+`, metadata after it.
fn split_sections(text: &str) -> Result<Sections<'_>, &'static str> {
    let Some(at) = text.find(['-', '+']) else {
        return Ok(Sections {
            numbers: text,
            labels: None,
            metadata: None,
        });
    };
    let (numbers, rest) = text.split_at_checked(at).ok_or("cannot split")?;
    if let Some(metadata) = rest.strip_prefix('+') {
        return Ok(Sections {
            numbers,
            labels: None,
            metadata: Some(non_empty(metadata, "empty build metadata after '+'")?),
        });
    }
    let rest = rest.strip_prefix('-').ok_or("cannot split")?;
    let rest = non_empty(rest, "empty release label after '-'")?;
    let (labels, metadata) = match rest.split_once('+') {
        Some((labels, metadata)) => (
            labels,
            Some(non_empty(metadata, "empty build metadata after '+'")?),
        ),
        None => (rest, None),
    };
    Ok(Sections {
        numbers,
        labels: Some(labels),
        metadata,
    })
}

fn non_empty<'a>(text: &'a str, why: &'static str) -> Result<&'a str, &'static str> {
    if text.is_empty() { Err(why) } else { Ok(text) }
}

/// `NuGetVersion.TryGetNormalizedVersion`: one to four numbers separated by
/// `.`, whitespace allowed around each number.
fn parse_numbers(text: &str) -> Result<[u32; 4], &'static str> {
    if text.trim().is_empty() {
        return Err("no version number");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut numbers = [0; 4];
    let mut position = 0;
    for number in &mut numbers {
        let (value, end) = parse_section(&chars, position)?;
        *number = value;
        position = end;
    }
    if position != chars.len() {
        return Err("more than four numeric parts");
    }
    Ok(numbers)
}

/// NuGet's version parts are `int`s.
const MAX_PART: u64 = 2_147_483_647;

/// `TryGetNormalizedVersion.ParseSection`: one number and the `.` after it;
/// returns the value and where the next section starts. A section at the end
/// of the text is a missing part, 0.
fn parse_section(chars: &[char], start: usize) -> Result<(u32, usize), &'static str> {
    if start == chars.len() {
        return Ok((0, start));
    }
    let mut end = start;
    while let Some(&c) = chars.get(end) {
        if c.is_ascii_digit() {
            break;
        }
        if !c.is_whitespace() {
            return Err("a version part must be a number (digits 0-9)");
        }
        end += 1;
    }
    let mut value: u64 = 0;
    let mut found_digit = false;
    let mut done = false;
    while let Some(&c) = chars.get(end) {
        if let Some(digit) = c.to_digit(10) {
            found_digit = true;
            value = value * 10 + u64::from(digit);
            if value > MAX_PART {
                return Err("a version part is above 2147483647");
            }
        } else if c == '.' {
            end += 1;
            if end == chars.len() {
                return Err("ends with '.'");
            }
            done = true;
            break;
        } else if c.is_whitespace() {
            break;
        } else {
            return Err("a version part must be a number (digits 0-9)");
        }
        end += 1;
    }
    if !found_digit {
        return Err("empty version part");
    }
    if !done {
        end = skip_trailing_whitespace(chars, end)?;
    }
    let value = u32::try_from(value).map_err(|_| "a version part is above 2147483647")?;
    Ok((value, end))
}

/// After a number and its whitespace only a `.` (then more) may follow.
fn skip_trailing_whitespace(chars: &[char], mut end: usize) -> Result<usize, &'static str> {
    while let Some(&c) = chars.get(end) {
        if c == '.' {
            end += 1;
            if end == chars.len() {
                return Err("ends with '.'");
            }
            break;
        }
        if !c.is_whitespace() {
            return Err("unexpected text after a version part");
        }
        end += 1;
    }
    Ok(end)
}

/// `SemanticVersion.IsValidPart`: non-empty `[0-9A-Za-z-]`; labels (not
/// metadata) refuse numeric parts with a leading zero (`01`).
fn check_part(part: &str, allow_leading_zeros: bool) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("empty part (two dots, or a dot at an end)");
    }
    if !allow_leading_zeros
        && part.len() > 1
        && part.starts_with('0')
        && part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("numeric part with a leading zero");
    }
    if !part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("only 0-9, A-Z, a-z and '-' are allowed");
    }
    Ok(())
}

impl Label {
    fn parse(part: &str) -> Result<Label, String> {
        check_part(part, false).map_err(|why| format!("release label: {why}"))?;
        Ok(Label {
            // .NET int.TryParse takes an optional sign and leading zeros and
            // fails above int range; so does Rust's i32 parser (labels hold
            // no whitespace or '+').
            number: part.parse().ok(),
            folded: part.to_ascii_uppercase().into(),
        })
    }

    /// `VersionComparer.CompareRelease`.
    fn cmp_label(&self, other: &Label) -> Ordering {
        match (self.number, other.number) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.folded.cmp(&other.folded),
        }
    }
}

/// `VersionComparer.CompareReleaseLabels`: part by part, then the shorter first.
fn cmp_labels(a: &[Label], b: &[Label]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.cmp_label(y))
        .find(|ordering| ordering.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

impl Ord for Version {
    /// `VersionComparer.Default.Compare`: numbers, then a prerelease below a
    /// release, then labels; metadata is ignored.
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (false, true) => Ordering::Less,
                (true, false) => Ordering::Greater,
                (false, false) => cmp_labels(&self.labels, &other.labels),
            }
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

/// A NuGet version range (`VersionRange`): `1.0` (at least 1.0), `[1.0]`,
/// `(1.0,)`, `[1.0,2.0)`, `(,1.0]`, and floating minimums such as `1.*`.
#[derive(Debug, Clone)]
pub struct Range {
    /// The trimmed input.
    text: String,
    min: Option<Version>,
    min_inclusive: bool,
    max: Option<Version>,
    max_inclusive: bool,
}

impl Range {
    /// `VersionRange.Parse(value)` (floating allowed).
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Nuget, ErrorKind::Range, input)?;
        let text = input.trim();
        let fail = |reason: String| Error::range(Scheme::Nuget, input, reason);
        if text.is_empty() {
            return Err(fail("only whitespace".into()));
        }
        if text == "*" {
            return Ok(Range {
                text: text.to_owned(),
                min: Some(Version::zero()),
                min_inclusive: true,
                max: None,
                max_inclusive: true,
            });
        }
        let (min_text, max_text, min_inclusive, max_inclusive) =
            split_bounds(text).map_err(|why| fail(why.into()))?;
        let min = match min_text.filter(|t| !t.trim().is_empty()) {
            Some(t) if t.contains('*') => {
                Some(float_min(t).ok_or_else(|| fail(format!("invalid floating version {t:?}")))?)
            }
            Some(t) => Some(bound_version(t).map_err(|why| fail(format!("minimum: {why}")))?),
            None => None,
        };
        // The maximum never floats.
        let max = match max_text.filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(bound_version(t).map_err(|why| fail(format!("maximum: {why}")))?),
            None => None,
        };
        if let (Some(min), Some(max)) = (&min, &max) {
            match min.cmp(max) {
                Ordering::Greater => return Err(fail("minimum is above maximum".into())),
                // "(1.0, 1.0)" passes in NuGet (and matches nothing); "(1.0, 1.0]" fails.
                Ordering::Equal if min_inclusive != max_inclusive => {
                    return Err(fail("empty range: same bound, one side exclusive".into()));
                }
                _ => {}
            }
        }
        Ok(Range {
            text: text.to_owned(),
            min,
            min_inclusive,
            max,
            max_inclusive,
        })
    }

    /// `VersionRangeBase.Satisfies` with `VersionComparer.Default`. A floating
    /// range only bounds from below (`1.*` contains `2.0`), as in NuGet.
    pub fn contains(&self, version: &Version) -> bool {
        let above_min = self.min.as_ref().is_none_or(|min| match min.cmp(version) {
            Ordering::Less => true,
            Ordering::Equal => self.min_inclusive,
            Ordering::Greater => false,
        });
        let below_max = self.max.as_ref().is_none_or(|max| match max.cmp(version) {
            Ordering::Greater => true,
            Ordering::Equal => self.max_inclusive,
            Ordering::Less => false,
        });
        above_min && below_max
    }
}

/// The bound texts of `VersionRangeFactory.TryParse` (untrimmed, possibly
/// blank) and whether each side is inclusive. Without brackets the whole text
/// is an inclusive minimum.
type Bounds<'a> = (Option<&'a str>, Option<&'a str>, bool, bool);

fn split_bounds(text: &str) -> Result<Bounds<'_>, &'static str> {
    let min_inclusive = match text.chars().next() {
        Some('[') => true,
        Some('(') => false,
        _ => return Ok((Some(text), None, true, false)),
    };
    let max_inclusive = match text.chars().last() {
        Some(']') => true,
        Some(')') => false,
        _ => return Err("a range starting with '[' or '(' must end with ']' or ')'"),
    };
    let inner = text
        .len()
        .checked_sub(1)
        .and_then(|end| text.get(1..end))
        .ok_or("a range needs two brackets")?;
    let parts: Vec<&str> = inner.split(',').collect();
    match parts.as_slice() {
        _ if parts.iter().all(|part| part.is_empty()) => Err("no version between the brackets"),
        [single] if min_inclusive && max_inclusive => {
            Ok((Some(*single), Some(*single), true, true))
        }
        [_] => Err("a single version must be written [1.0]"),
        [min, max] => Ok((Some(*min), Some(*max), min_inclusive, max_inclusive)),
        _ => Err("more than one ',' in a range"),
    }
}

fn bound_version(text: &str) -> Result<Version, String> {
    Version::parse(text).map_err(|error| error.reason)
}

/// `FloatRange.TryParse(...).MinVersion`: the lowest version a floating
/// version string allows (`1.*` → 1.0, `1.0.0-beta*` → 1.0.0-beta,
/// `1.*-*` → 1.0-0). `None` where NuGet fails.
fn float_min(text: &str) -> Option<Version> {
    if text == "*" {
        return Some(Version::zero());
    }
    if text == "*-*" {
        return bound_version("0.0.0-0").ok();
    }
    let first_star = text.find('*')?;
    let last_star = text.rfind('*')?;
    let at_end = last_star + 1 == text.len();
    let has_plus = text.contains('+');
    let actual = if first_star != last_star && !has_plus {
        // Two stars: only "<numbers>*-<prefix>*".
        let dash = text.find('-')?;
        if !(at_end && first_star + 1 == dash) {
            return None;
        }
        let stable = text.get(..first_star)?;
        let prefix = text.get(dash + 1..last_star)?;
        let release = if prefix.is_empty() || prefix.ends_with('.') {
            format!("{prefix}0")
        } else {
            prefix.to_owned()
        };
        format!("{stable}0-{release}")
    } else if at_end && !has_plus {
        float_single_star(text.get(..last_star)?)
    } else {
        // NuGet parses the text as a plain version, which a '*' fails.
        text.to_owned()
    };
    bound_version(&actual).ok()
}

/// One trailing `*`, given the text before it: in the numbers it becomes 0
/// (`1.*` → `1.0`), after the only `-` an empty or dot-ended label gets a 0
/// (`1.0-*` → `1.0-0`, `1.0-rc.*` → `1.0-rc.0`).
fn float_single_star(before: &str) -> String {
    match (before.find('-'), before.rfind('-')) {
        (None, _) => format!("{before}0"),
        (Some(first), Some(last)) if first == last => {
            let prefix = before.get(first + 1..).unwrap_or_default();
            if prefix.is_empty() || before.ends_with('.') {
                format!("{before}0")
            } else {
                before.to_owned()
            }
        }
        _ => before.to_owned(),
    }
}

impl Version {
    /// 0.0.0, the minimum of `*`.
    fn zero() -> Version {
        Version {
            text: "0.0.0".to_owned(),
            numbers: [0; 4],
            labels: Vec::new(),
        }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl_from_str_via_parse!(Range);

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn cmp(a: &str, b: &str) -> Ordering {
        v(a).cmp(&v(b))
    }

    fn contains(range: &str, version: &str) -> bool {
        Range::parse(range).unwrap().contains(&v(version))
    }

    #[test]
    fn missing_parts_are_zero_and_leading_zeros_are_allowed() {
        assert_eq!(cmp("1.0", "1.0.0.0"), Ordering::Equal);
        assert_eq!(cmp("1", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1.0.0.1", "1.0.0"), Ordering::Greater);
    }

    #[test]
    fn prerelease_labels() {
        assert_eq!(cmp("1.0.0-beta", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-BETA", "1.0.0-beta"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-2", "1.0.0-10"), Ordering::Less);
        assert_eq!(cmp("1.0.0-99", "1.0.0-a"), Ordering::Less);
        assert_eq!(cmp("1.0.0-a", "1.0.0-a.1"), Ordering::Less);
        assert_eq!(cmp("1.0.0-a.b", "1.0.0-a.1"), Ordering::Greater);
        // int.TryParse takes a sign; above int range the part is text.
        assert_eq!(cmp("1.0.0--1", "1.0.0-0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-3000000000", "1.0.0-4"), Ordering::Greater);
        assert_eq!(cmp("1.0.0-3000000000", "1.0.0-A"), Ordering::Less);
    }

    #[test]
    fn metadata_is_ignored() {
        assert_eq!(cmp("1.0.0+abc", "1.0.0+def"), Ordering::Equal);
        assert_eq!(cmp("1.0.0-rc.1+x.01", "1.0.0-RC.1"), Ordering::Equal);
    }

    #[test]
    fn whitespace_is_trimmed_and_allowed_around_numbers() {
        assert_eq!(cmp("  1.2.3 ", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("1. 2", "1.2"), Ordering::Equal);
        assert_eq!(v(" 1.2 ").to_string(), "1.2");
    }

    #[test]
    fn rejects_what_nuget_rejects() {
        for bad in [
            "",
            "  ",
            "v1.0",
            "1.0.0.0.0",
            "1.",
            ".1",
            "1..0",
            "1.a",
            "2147483648.0",
            "1.0-",
            "1.0+",
            "1.0-a+",
            "1.0-beta..1",
            "1.0-beta.01",
            "1.0-be_ta",
            "1.0+a..b",
            "1 2",
            "-1.0",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Version::parse("2147483647.0").is_ok());
        assert!(Version::parse("1.0+001").is_ok());
        assert!(Version::parse("1.0-0a").is_ok());
    }

    #[test]
    fn display_round_trips() {
        for text in ["1.0", "1.01.0-Beta.2+meta", "1.2.3.4"] {
            let version = v(text);
            assert_eq!(version.to_string(), text);
            assert_eq!(v(&version.to_string()), version);
        }
    }

    #[test]
    fn plain_version_is_a_minimum() {
        assert!(contains("1.0", "1.0.0"));
        assert!(contains("1.0", "5.0"));
        assert!(!contains("1.0", "1.0.0-beta"));
    }

    #[test]
    fn bracketed_ranges() {
        assert!(contains("[1.0]", "1.0.0.0"));
        assert!(!contains("[1.0]", "1.0.1"));
        assert!(!contains("(1.0,)", "1.0"));
        assert!(contains("(1.0,)", "1.0.1-alpha"));
        assert!(contains("[1.0,2.0)", "1.5"));
        assert!(!contains("[1.0,2.0)", "2.0"));
        assert!(contains("[1.0,2.0)", "2.0-beta"));
        assert!(contains("(,1.0]", "0.1"));
        assert!(contains(" [ 1.0 , 2.0 ] ", "2.0"));
        assert!(!contains("(1.0,1.0)", "1.0"));
    }

    #[test]
    fn floating_minimums() {
        assert!(contains("*", "0.0.0"));
        assert!(contains("1.*", "1.0.0"));
        assert!(contains("1.*", "2.0.0"));
        assert!(!contains("1.*", "0.9"));
        assert!(!contains("1.*", "1.0.0-beta"));
        assert!(contains("1.0.0-*", "1.0.0-0"));
        assert!(contains("1.0.0-beta*", "1.0.0-beta"));
        assert!(!contains("1.0.0-beta*", "1.0.0-alpha"));
        assert!(contains("1.*-*", "1.0.0-0"));
        assert!(contains("[1.*, 2.0)", "1.5"));
        for bad in ["1.*.0", "[1.0, 2.*)", "1.0.*+meta", "1*2"] {
            assert!(Range::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invalid_ranges() {
        for bad in [
            "[1.0",
            "1.0]",
            "(1.0)",
            "(1.0]",
            "[1.0,2.0,3.0]",
            "[,]",
            "()",
            "[2.0,1.0]",
            "[1.0,1.0)",
            "1.0,2.0",
            "",
            "[a,2.0]",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Range::parse("[2.0,1.0]").unwrap_err().kind,
            ErrorKind::Range
        );
    }

    #[test]
    fn range_display_is_the_trimmed_spec() {
        assert_eq!(
            Range::parse(" [1.0,2.0) ").unwrap().to_string(),
            "[1.0,2.0)"
        );
    }
}
