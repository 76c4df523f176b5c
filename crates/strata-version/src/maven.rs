//! Maven versions and version ranges, following maven-artifact 3.8.7 / 3.9.x
//! (`org.apache.maven.artifact.versioning`): `ComparableVersion` orders
//! versions, `VersionRange.createFromVersionSpec` and `Restriction.containsVersion`
//! parse and evaluate ranges. (Maven 4's `CombinationItem` is not used by 3.x.)
//!
//! A version is lower-cased and split into items: numbers (any length), and
//! qualifiers. `.` separates items, `-` and every digit/letter change open a
//! nested list. Known qualifiers sort `alpha < beta < milestone < rc < snapshot
//! < "" (release) < sp < any other word` (other words lexically); `a1`, `b1`, `m1`
//! mean alpha/beta/milestone 1, `cr` is `rc`, `ga`/`final`/`release` are "".
//! Trailing zeros and release qualifiers are dropped (`1.0.ga == 1`).
//! Every string is a valid Maven version (the reference never rejects one);
//! only the crate-wide empty/over-long check applies. The text is not trimmed:
//! Maven reads a space as a qualifier.
//!
//! A range is a union of `[a,b)`-style restrictions, or a bare version. A bare
//! version is only a *recommendation*: `VersionRange` stores it with
//! `Restriction.EVERYTHING`, so [`Range::contains`] is true for every version.

use std::cmp::Ordering;
use std::fmt;

use crate::digits::cmp_decimal;
use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed Maven version (`ComparableVersion`).
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    /// The normalised item tree, flattened (see [`Token`]).
    tokens: Vec<Token>,
}

/// One step of the flattened item tree. `ComparableVersion` only ever appends
/// a nested list as the *last* item of the current list, so the tree is a
/// chain: each list's items, then (maybe) a marker and the nested list's items.
#[derive(Debug, Clone)]
enum Token {
    Item(Item),
    /// The start of a nested `ListItem` (the last item of its parent).
    SubList,
}

#[derive(Debug, Clone)]
enum Item {
    Number(Number),
    Qualifier(Qualifier),
}

/// `IntItem` / `LongItem` / `BigIntegerItem`.
#[derive(Debug, Clone)]
struct Number {
    width: Width,
    /// ASCII digits without leading zeros; "" is zero.
    digits: Box<str>,
}

/// Which Java item class holds the number. Classes compare before values
/// (an `IntItem` is below every `LongItem`), which matters for zero-padded
/// numbers: `ComparableVersion.parseItem` sizes an all-zero run by its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Width {
    Int,
    Long,
    Big,
}

/// `StringItem`, after aliases.
#[derive(Debug, Clone)]
enum Qualifier {
    /// Index into [`QUALIFIERS`].
    Known(usize),
    Other(Box<str>),
}

/// `StringItem.QUALIFIERS`, lowest first; "" is a release.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE: usize = 5;

/// `MAX_INTITEM_LENGTH` / `MAX_LONGITEM_LENGTH`.
const MAX_INT_DIGITS: usize = 9;
const MAX_LONG_DIGITS: usize = 18;

impl Version {
    /// Parses a Maven version. Maven accepts any string, so this only refuses
    /// empty and over-long input.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Maven, ErrorKind::Version, input)?;
        Ok(Version::from_text(input))
    }

    /// `new ComparableVersion(text)`; also used for range bounds, where Maven
    /// allows an empty bound (`[]`).
    fn from_text(text: &str) -> Version {
        Version {
            text: text.to_owned(),
            tokens: parse_tokens(text),
        }
    }
}

/// `ComparableVersion.parseVersion`: builds the list chain, normalises it and
/// flattens it.
fn parse_tokens(text: &str) -> Vec<Token> {
    let mut lists = Lists::default();
    let mut segment = String::new();
    let mut in_digits = false;
    for c in text.to_lowercase().chars() {
        if c == '.' || c == '-' {
            lists.push(separated_item(in_digits, &segment));
            segment.clear();
            if c == '-' {
                lists.open();
            }
        } else if java_digit(c).is_some() {
            if !in_digits && !segment.is_empty() {
                // "1.0.0.X1 < 1.0.0-X2": a word before a number gets its own list.
                if !lists.current.is_empty() {
                    lists.open();
                }
                lists.push(Item::Qualifier(Qualifier::new(&segment, true)));
                segment.clear();
                lists.open();
            }
            in_digits = true;
            segment.push(c);
        } else {
            if in_digits && !segment.is_empty() {
                lists.push(Item::Number(Number::new(&segment)));
                segment.clear();
                lists.open();
            }
            in_digits = false;
            segment.push(c);
        }
    }
    if !segment.is_empty() {
        if !in_digits && !lists.current.is_empty() {
            lists.open();
        }
        lists.push(item(in_digits, &segment));
    }
    lists.into_tokens()
}

/// The item before a `.` or `-`: an empty one is `IntItem.ZERO` (`1..2 == 1.0.2`).
fn separated_item(in_digits: bool, segment: &str) -> Item {
    if segment.is_empty() {
        Item::Number(Number::zero())
    } else {
        item(in_digits, segment)
    }
}

/// `ComparableVersion.parseItem`.
fn item(in_digits: bool, segment: &str) -> Item {
    if in_digits {
        Item::Number(Number::new(segment))
    } else {
        Item::Qualifier(Qualifier::new(segment, false))
    }
}

/// The chain of nested lists being built: `done` are the outer lists, each
/// ending where the next one starts.
#[derive(Default)]
struct Lists {
    done: Vec<Vec<Item>>,
    current: Vec<Item>,
}

impl Lists {
    fn push(&mut self, item: Item) {
        self.current.push(item);
    }

    /// `list.add(list = new ListItem())`.
    fn open(&mut self) {
        self.done.push(std::mem::take(&mut self.current));
    }

    /// `ListItem.normalize` on every list, innermost first, then flattening.
    fn into_tokens(self) -> Vec<Token> {
        let mut levels = self.done;
        levels.push(self.current);
        for depth in (0..levels.len()).rev() {
            let has_child = levels.len() > depth + 1;
            if let Some(list) = levels.get_mut(depth) {
                // Trailing nulls go, also those just before a non-empty sub-list.
                while list.last().is_some_and(Item::is_null) {
                    list.pop();
                }
                if list.is_empty() && !has_child {
                    levels.truncate(depth);
                }
            }
        }
        let mut tokens = Vec::new();
        for (depth, list) in levels.into_iter().enumerate() {
            if depth > 0 {
                tokens.push(Token::SubList);
            }
            tokens.extend(list.into_iter().map(Token::Item));
        }
        tokens
    }
}

/// Java's `Character.isDigit` / `Character.digit(c, 10)` for one UTF-16 unit:
/// the Unicode decimal digits (category Nd) of the Basic Multilingual Plane.
fn java_digit(c: char) -> Option<u32> {
    /// The zero of every BMP Nd run of ten.
    const ZEROS: [u32; 37] = [
        0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
        0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
        0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0,
        0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ];
    if c.is_ascii() {
        return c.to_digit(10);
    }
    let code = u32::from(c);
    ZEROS
        .iter()
        .find(|&&zero| (zero..=zero + 9).contains(&code))
        .map(|zero| code - zero)
}

impl Number {
    fn zero() -> Number {
        Number {
            width: Width::Int,
            digits: "".into(),
        }
    }

    /// `parseItem(true, …)`: `stripLeadingZeroes` removes ASCII '0's only and
    /// keeps an all-'0' run whole; the remaining length picks the item class.
    fn new(segment: &str) -> Number {
        let stripped = match segment.trim_start_matches('0') {
            "" => segment,
            rest => rest,
        };
        let width = match stripped.chars().count() {
            n if n <= MAX_INT_DIGITS => Width::Int,
            n if n <= MAX_LONG_DIGITS => Width::Long,
            _ => Width::Big,
        };
        let digits: String = segment
            .chars()
            .filter_map(java_digit)
            .filter_map(|d| char::from_digit(d, 10))
            .skip_while(|&d| d == '0')
            .collect();
        Number {
            width,
            digits: digits.into(),
        }
    }

    fn cmp_number(&self, other: &Number) -> Ordering {
        self.width
            .cmp(&other.width)
            .then_with(|| cmp_decimal(self.digits.as_bytes(), other.digits.as_bytes()))
    }
}

impl Qualifier {
    /// `new StringItem(value, followedByDigit)`.
    fn new(value: &str, followed_by_digit: bool) -> Qualifier {
        let value = match (followed_by_digit, value) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            _ => value,
        };
        let value = match value {
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        match QUALIFIERS.iter().position(|&known| known == value) {
            Some(index) => Qualifier::Known(index),
            None => Qualifier::Other(value.into()),
        }
    }

    /// `StringItem.compareTo` via `comparableQualifier`: known qualifiers by
    /// index, then other words (Java `String.compareTo`, i.e. UTF-16 order).
    fn cmp_qualifier(&self, other: &Qualifier) -> Ordering {
        match (self, other) {
            (Qualifier::Known(a), Qualifier::Known(b)) => a.cmp(b),
            (Qualifier::Known(_), Qualifier::Other(_)) => Ordering::Less,
            (Qualifier::Other(_), Qualifier::Known(_)) => Ordering::Greater,
            (Qualifier::Other(a), Qualifier::Other(b)) => a.encode_utf16().cmp(b.encode_utf16()),
        }
    }
}

impl Item {
    /// `Item.isNull`: zero, or a release qualifier.
    fn is_null(&self) -> bool {
        match self {
            Item::Number(number) => number.digits.is_empty(),
            Item::Qualifier(qualifier) => matches!(qualifier, Qualifier::Known(RELEASE)),
        }
    }

    /// `item.compareTo(null)`: how the item compares with a missing one.
    fn cmp_missing(&self) -> Ordering {
        match self {
            Item::Number(number) if number.digits.is_empty() => Ordering::Equal,
            Item::Number(_) => Ordering::Greater,
            Item::Qualifier(Qualifier::Known(index)) => index.cmp(&RELEASE),
            Item::Qualifier(Qualifier::Other(_)) => Ordering::Greater,
        }
    }

    /// Numbers are above qualifiers (`1.1 > 1-sp`).
    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Number(a), Item::Number(b)) => a.cmp_number(b),
            (Item::Number(_), Item::Qualifier(_)) => Ordering::Greater,
            (Item::Qualifier(_), Item::Number(_)) => Ordering::Less,
            (Item::Qualifier(a), Item::Qualifier(b)) => a.cmp_qualifier(b),
        }
    }

    /// `ListItem.compareTo(item)`: a list is below a number (`1-1 < 1.1`) and
    /// above a qualifier (`1-1 > 1-sp`).
    fn cmp_from_list(&self) -> Ordering {
        match self {
            Item::Number(_) => Ordering::Less,
            Item::Qualifier(_) => Ordering::Greater,
        }
    }
}

/// `ListItem.compareTo(null)` for the rest of a chain (MNG-6964: the first
/// item that is not null decides).
fn cmp_rest_with_missing(rest: &[Token]) -> Ordering {
    rest.iter()
        .filter_map(|token| match token {
            Token::Item(item) => Some(item.cmp_missing()),
            Token::SubList => None,
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// `ListItem.compareTo(ListItem)` over two flattened chains, without recursion.
fn cmp_tokens(a: &[Token], b: &[Token]) -> Ordering {
    let mut index = 0;
    loop {
        let ordering = match (a.get(index), b.get(index)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => {
                return cmp_rest_with_missing(b.get(index..).unwrap_or_default()).reverse();
            }
            (Some(_), None) => return cmp_rest_with_missing(a.get(index..).unwrap_or_default()),
            (Some(Token::SubList), Some(Token::SubList)) => Ordering::Equal,
            (Some(Token::SubList), Some(Token::Item(item))) => item.cmp_from_list(),
            (Some(Token::Item(item)), Some(Token::SubList)) => item.cmp_from_list().reverse(),
            (Some(Token::Item(x)), Some(Token::Item(y))) => x.cmp_item(y),
        };
        if ordering.is_ne() {
            return ordering;
        }
        index += 1;
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_tokens(&self.tokens, &other.tokens)
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl_from_str_via_parse!(Version);

/// A Maven version range (`VersionRange`).
#[derive(Debug, Clone)]
pub struct Range {
    text: String,
    /// A bare version: Maven's "recommended" version, which restricts nothing.
    recommended: Option<Version>,
    /// Empty for a recommended version (it stands for `Restriction.EVERYTHING`).
    restrictions: Vec<Restriction>,
}

/// One `[lower,upper)` set (`Restriction`); a missing bound is unbounded.
#[derive(Debug, Clone)]
struct Restriction {
    lower: Option<Version>,
    lower_inclusive: bool,
    upper: Option<Version>,
    upper_inclusive: bool,
}

impl Range {
    /// `VersionRange.createFromVersionSpec`: `[1.0,2.0)`, `(,1.0]`, `[1.2]`,
    /// unions like `[1.0,1.2),[1.5,)`, or a bare (recommended) version.
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Maven, ErrorKind::Range, input)?;
        let fail = |reason: String| Error::range(Scheme::Maven, input, reason);
        let mut restrictions: Vec<Restriction> = Vec::new();
        // Like the reference, the spec itself is not trimmed: " [1,2)" is a
        // bare version.
        let mut rest = input;
        while rest.starts_with(['[', '(']) {
            let close = rest
                .find([')', ']'])
                .ok_or_else(|| fail("unbounded range: no closing ']' or ')'".into()))?;
            let (set, after) = rest
                .split_at_checked(close + 1)
                .ok_or_else(|| fail("unbounded range".into()))?;
            let restriction = Restriction::parse(set).map_err(fail)?;
            if restrictions
                .last()
                .is_some_and(|previous| restriction.overlaps(previous))
            {
                return Err(fail(format!("ranges overlap at {set:?}")));
            }
            restrictions.push(restriction);
            rest = java_trim(after);
            if let Some(after_comma) = rest.strip_prefix(',') {
                rest = java_trim(after_comma);
            }
        }
        if rest.is_empty() {
            return Ok(Range {
                text: input.to_owned(),
                recommended: None,
                restrictions,
            });
        }
        if !restrictions.is_empty() {
            return Err(fail(format!(
                "unexpected {rest:?} after a set (only bracketed sets can be combined)"
            )));
        }
        Ok(Range {
            text: input.to_owned(),
            recommended: Some(Version::from_text(rest)),
            restrictions,
        })
    }

    /// `VersionRange.containsVersion`. A bare (recommended) version contains
    /// every version, as in Maven.
    pub fn contains(&self, version: &Version) -> bool {
        self.recommended.is_some()
            || self
                .restrictions
                .iter()
                .any(|restriction| restriction.contains(version))
    }

    /// The bare version of a spec like `1.0`, which Maven only recommends.
    pub fn recommended(&self) -> Option<&Version> {
        self.recommended.as_ref()
    }
}

impl Restriction {
    /// `VersionRange.parseRestriction` for one `[..]`/`(..)` set, brackets included.
    fn parse(set: &str) -> Result<Restriction, String> {
        let lower_inclusive = set.starts_with('[');
        let upper_inclusive = set.ends_with(']');
        let inner = set
            .len()
            .checked_sub(1)
            .and_then(|end| set.get(1..end))
            .ok_or_else(|| format!("{set:?} is not a bracketed set"))?;
        let inner = java_trim(inner);
        let Some((lower, upper)) = inner.split_once(',') else {
            if !(lower_inclusive && upper_inclusive) {
                return Err(format!("single version must be surrounded by []: {set:?}"));
            }
            let version = Version::from_text(inner);
            return Ok(Restriction {
                lower: Some(version.clone()),
                lower_inclusive,
                upper: Some(version),
                upper_inclusive,
            });
        };
        let lower = bound(java_trim(lower));
        let upper = bound(java_trim(upper));
        if let (Some(lower), Some(upper)) = (&lower, &upper) {
            let ordering = upper.cmp(lower);
            if ordering.is_lt() || (ordering.is_eq() && !(lower_inclusive && upper_inclusive)) {
                return Err(format!("range defies version ordering: {set:?}"));
            }
        }
        Ok(Restriction {
            lower,
            lower_inclusive,
            upper,
            upper_inclusive,
        })
    }

    /// The check of `createFromVersionSpec`: a set must start at or above the
    /// previous set's upper bound. (After an unbounded set anything goes.)
    fn overlaps(&self, previous: &Restriction) -> bool {
        match (&previous.upper, &self.lower) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(upper), Some(lower)) => lower < upper,
        }
    }

    /// `Restriction.containsVersion`.
    fn contains(&self, version: &Version) -> bool {
        if let Some(lower) = &self.lower {
            match lower.cmp(version) {
                Ordering::Greater => return false,
                Ordering::Equal if !self.lower_inclusive => return false,
                _ => {}
            }
        }
        if let Some(upper) = &self.upper {
            match upper.cmp(version) {
                Ordering::Less => return false,
                Ordering::Equal if !self.upper_inclusive => return false,
                _ => {}
            }
        }
        true
    }
}

/// An empty bound is unbounded.
fn bound(text: &str) -> Option<Version> {
    (!text.is_empty()).then(|| Version::from_text(text))
}

/// Java's `String.trim`: strips every char up to U+0020.
fn java_trim(text: &str) -> &str {
    text.trim_matches(|c: char| c <= ' ')
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
    fn qualifier_order_from_the_pom_reference() {
        let ordered = [
            "1-alpha",
            "1-beta",
            "1-milestone",
            "1-rc",
            "1-snapshot",
            "1",
            "1-sp",
            "1-abc",
            "1-abd",
            "1.0.1",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(cmp(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
    }

    #[test]
    fn aliases_and_release_qualifiers() {
        assert_eq!(cmp("1a1", "1-alpha-1"), Ordering::Equal);
        assert_eq!(cmp("1b2", "1-beta-2"), Ordering::Equal);
        assert_eq!(cmp("1m3", "1-milestone-3"), Ordering::Equal);
        assert_eq!(cmp("1-cr1", "1-rc1"), Ordering::Equal);
        for release in ["1-ga", "1.final", "1-RELEASE", "1.0.0", "1-0"] {
            assert_eq!(cmp(release, "1"), Ordering::Equal, "{release}");
        }
        // A lone "a" is only alpha when a digit follows.
        assert_eq!(cmp("1-a", "1-alpha"), Ordering::Greater);
    }

    #[test]
    fn case_insensitive_and_zero_padding() {
        assert_eq!(cmp("1.0-SNAPSHOT", "1-snapshot"), Ordering::Equal);
        assert_eq!(cmp("1.01", "1.1"), Ordering::Equal);
        assert_eq!(cmp("1..2", "1.0.2"), Ordering::Equal);
    }

    #[test]
    fn dot_qualifier_before_dash_qualifier_before_number() {
        assert_eq!(cmp("1.0.RC2", "1.0-RC3"), Ordering::Less);
        assert_eq!(cmp("1.0-RC3", "1.0.1"), Ordering::Less);
        assert_eq!(cmp("1-1", "1.1"), Ordering::Less);
        assert_eq!(cmp("1-1", "1-sp"), Ordering::Greater);
    }

    #[test]
    fn numbers_of_any_length() {
        let huge = "1.123456789012345678901234567890";
        assert_eq!(
            cmp(huge, "1.123456789012345678901234567891"),
            Ordering::Less
        );
        assert_eq!(cmp(huge, "1.999999999"), Ordering::Greater);
        assert_eq!(cmp("1.9999999999", "1.999999999"), Ordering::Greater);
        // Java sizes an all-zero run by its length: twenty zeros are a BigIntegerItem,
        // which sorts above every IntItem.
        assert_eq!(cmp("1.00000000000000000000.1", "1.5"), Ordering::Greater);
    }

    #[test]
    fn unicode_digits_are_digits_in_java() {
        assert_eq!(cmp("1.\u{0662}", "1.2"), Ordering::Equal);
        assert_eq!(cmp("1.\u{FF13}", "1.2"), Ordering::Greater);
    }

    #[test]
    fn every_string_is_a_version_but_not_empty_or_huge() {
        assert!(Version::parse("what ever?").is_ok());
        assert!(Version::parse("").is_err());
        assert!(Version::parse(&"1".repeat(2000)).is_err());
        // Not trimmed: a space is a qualifier.
        assert_eq!(cmp("1.0 ", "1.0"), Ordering::Greater);
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = "1-".repeat(500) + "1";
        assert_eq!(cmp(&deep, &deep), Ordering::Equal);
        assert_eq!(cmp(&deep, "1"), Ordering::Greater);
    }

    #[test]
    fn display_round_trips() {
        for text in ["1.0-SNAPSHOT", "1.0.0.Final", " 2 ", "1-1.a"] {
            let version = v(text);
            assert_eq!(version.to_string(), text);
            assert_eq!(v(&version.to_string()), version);
        }
    }

    #[test]
    fn bracketed_ranges() {
        assert!(contains("[1.0,2.0)", "1.0"));
        assert!(contains("[1.0,2.0)", "1.9.9"));
        assert!(!contains("[1.0,2.0)", "2.0"));
        assert!(!contains("[1.0,2.0)", "2.0.0"));
        assert!(contains("[1.0,2.0)", "2.0-SNAPSHOT"));
        assert!(contains("(,1.0]", "0.1"));
        assert!(!contains("(,1.0]", "1.0.1"));
        assert!(contains("[1.2]", "1.2.0"));
        assert!(!contains("[1.2]", "1.2.1"));
        assert!(contains("( 1.0 , )", "1.1"));
        assert!(!contains("( 1.0 , )", "1.0"));
    }

    #[test]
    fn unions() {
        let range = "[1.0,1.2),[1.5,)";
        assert!(contains(range, "1.1"));
        assert!(!contains(range, "1.3"));
        assert!(contains(range, "7"));
        assert!(contains("(,1.0],[1.2,)", "1.2"));
    }

    #[test]
    fn bare_version_is_only_recommended_and_contains_everything() {
        let range = Range::parse("1.0").unwrap();
        assert_eq!(range.recommended(), Some(&v("1.0")));
        assert!(range.contains(&v("0.1")));
        assert!(range.contains(&v("99")));
        assert!(Range::parse("[1.0]").unwrap().recommended().is_none());
    }

    #[test]
    fn invalid_ranges() {
        for bad in [
            "[1.0",
            "[1.0,2.0",
            "(1.0)",
            "[1.0)",
            "[2.0,1.0]",
            "[1.0,1.0)",
            "[1.0,2.0),1.5",
            "[1.0,2.0],[1.5,3.0]",
            "[1.0,2.0],(,3.0]",
            "",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad}");
        }
        let error = Range::parse("[2.0,1.0]").unwrap_err();
        assert_eq!(error.kind, ErrorKind::Range);
    }

    #[test]
    fn range_display_is_the_spec() {
        for text in ["[1.0,2.0)", "(,1.0],[1.2,)", "1.0"] {
            assert_eq!(Range::parse(text).unwrap().to_string(), text);
        }
    }
}
