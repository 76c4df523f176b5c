//! npm versions and ranges, following node-semver 7.x (`npm/node-semver`) with
//! default options: not loose, `includePrerelease` off.
//!
//! Versions follow `classes/semver.js` (the strict `FULL` regex of
//! `internal/re.js`): optional surrounding whitespace and one leading `v`,
//! numeric identifiers without leading zeros, at most 256 characters, major,
//! minor and patch above `Number.MAX_SAFE_INTEGER` refused. Ordering is SemVer
//! 2.0 precedence (`compareMain`, then `comparePre`), with numeric prerelease
//! identifiers compared as JavaScript numbers; build metadata is ignored.
//!
//! Ranges follow `classes/range.js` and `classes/comparator.js`. node-semver
//! parses a range by rewriting the text step by step (strip build metadata,
//! hyphen ranges, whitespace trimming, then carets, tildes, x-ranges and stars
//! per token) before it parses plain comparators; this module replays the same
//! rewrites on strings, so odd inputs are accepted or refused exactly as there.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;

use crate::{Error, ErrorKind, Op, Scheme, check_len};

/// `MAX_LENGTH` of `internal/constants.js`: longer versions are refused.
const MAX_LENGTH: usize = 256;
/// `Number.MAX_SAFE_INTEGER`: larger major/minor/patch numbers are refused.
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;
/// The safe regexes of `internal/re.js` cap `\d*` at 256 repeats, so a numeric
/// identifier in a range has at most 257 digits.
const MAX_NUMBER_DIGITS: usize = 257;
/// The safe regexes cap `[a-zA-Z0-9-]*` / `+` at 250 repeats.
const MAX_IDENT_TAIL: usize = 250;

/// A parsed npm version.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Box<[Ident]>,
    /// Build metadata without the `+` (kept for display, ignored for ordering).
    build: Box<str>,
}

/// One prerelease identifier.
#[derive(Debug, Clone)]
enum Ident {
    /// All digits: the text, and its value as the JavaScript number `+text`.
    Num(Box<str>, f64),
    /// Contains a letter or hyphen.
    Alpha(Box<str>),
}

impl Version {
    /// Parses a version as `new SemVer(input)` does with default options.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Npm, ErrorKind::Version, input)?;
        // semver.js checks the length before trimming, in UTF-16 units.
        if input.encode_utf16().count() > MAX_LENGTH {
            return Err(Error::version(
                Scheme::Npm,
                input,
                format!("longer than {MAX_LENGTH} characters"),
            ));
        }
        parse_plain(js_trim(input)).map_err(|reason| Error::version(Scheme::Npm, input, reason))
    }

    /// True if the version has prerelease identifiers.
    fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// `SemVer.compareMain`.
    fn cmp_main(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }

    /// `SemVer.comparePre`: a version without prerelease sorts after one with.
    fn cmp_pre(&self, other: &Version) -> Ordering {
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                for (a, b) in self.pre.iter().zip(other.pre.iter()) {
                    let ord = a.cmp(b);
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                self.pre.len().cmp(&other.pre.len())
            }
        }
    }
}

impl Ident {
    fn parse(text: &str) -> Ident {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Ident::Alpha(text.into());
        }
        // Rust's float parsing rounds to nearest like JavaScript's `Number()`,
        // and a version holds at most 256 digits, so the value stays finite.
        let value = text.parse::<f64>().unwrap_or(f64::INFINITY);
        Ident::Num(text.into(), value)
    }
}

impl Ord for Ident {
    /// `compareIdentifiers` (internal/identifiers.js): numeric identifiers
    /// compare as `+a` and `+b`, JavaScript doubles (exact up to 2^53; beyond,
    /// neighbours are equal: `9007199254740993` == `9007199254740992`), and
    /// sort before alphanumeric ones, which compare as strings.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(_, a), Ident::Num(_, b)) => a.total_cmp(b),
            (Ident::Alpha(a), Ident::Alpha(b)) => a.cmp(b),
            (Ident::Num(..), Ident::Alpha(_)) => Ordering::Less,
            (Ident::Alpha(_), Ident::Num(..)) => Ordering::Greater,
        }
    }
}

impl_order_via_cmp!(Ident);

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ident::Num(text, _) | Ident::Alpha(text) => f.write_str(text),
        }
    }
}

impl Ord for Version {
    /// `SemVer.compare`: main version, then prerelease; build is ignored.
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_main(other).then_with(|| self.cmp_pre(other))
    }
}

impl_order_via_cmp!(Version);

impl_from_str_via_parse!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            write!(f, "{id}")?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

/// Parses text that must match `FULLPLAIN` entirely (`v?` main version,
/// optional prerelease and build), with the number checks of semver.js.
fn parse_plain(text: &str) -> Result<Version, String> {
    let text = text.strip_prefix('v').unwrap_or(text);
    // Main-version numbers and prerelease identifiers never contain `+`, and
    // the main version never contains `-`: the first of each starts a part.
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (main, pre) = match rest.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (rest, None),
    };
    let mut numbers = main.split('.');
    let major = parse_number(numbers.next(), "major")?;
    let minor = parse_number(numbers.next(), "minor")?;
    let patch = parse_number(numbers.next(), "patch")?;
    if numbers.next().is_some() {
        return Err("more than three version numbers".into());
    }
    let pre = match pre {
        Some(pre) => parse_pre(pre)?,
        None => Box::default(),
    };
    if build.is_some_and(|b| !b.split('.').all(is_build_ident)) {
        return Err("invalid build metadata".into());
    }
    Ok(Version {
        major,
        minor,
        patch,
        pre,
        build: build.unwrap_or("").into(),
    })
}

/// A main-version number: `0|[1-9]\d*`, at most `MAX_SAFE_INTEGER`.
fn parse_number(part: Option<&str>, name: &str) -> Result<u64, String> {
    let part = part.ok_or_else(|| format!("missing {name} version"))?;
    if !is_numeric_ident(part) {
        return Err(format!("invalid {name} version {part:?}"));
    }
    match part.parse::<u64>() {
        Ok(n) if n <= MAX_SAFE_INTEGER => Ok(n),
        _ => Err(format!("{name} version exceeds Number.MAX_SAFE_INTEGER")),
    }
}

fn parse_pre(pre: &str) -> Result<Box<[Ident]>, String> {
    pre.split('.')
        .map(|id| {
            if is_pre_ident(id) {
                Ok(Ident::parse(id))
            } else {
                Err(format!("invalid prerelease identifier {id:?}"))
            }
        })
        .collect()
}

/// `NUMERICIDENTIFIER`: `0` or digits without a leading zero.
fn is_numeric_ident(s: &str) -> bool {
    let digits =
        !s.is_empty() && s.len() <= MAX_NUMBER_DIGITS && s.bytes().all(|b| b.is_ascii_digit());
    digits && (s == "0" || !s.starts_with('0'))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `PRERELEASEIDENTIFIER`: a numeric identifier, or `\d*[a-zA-Z-][a-zA-Z0-9-]*`.
fn is_pre_ident(s: &str) -> bool {
    if !s.bytes().all(is_ident_byte) {
        return false;
    }
    match s.bytes().position(|b| !b.is_ascii_digit()) {
        // Safe-regex caps: `\d{0,256}` before, 250 characters after.
        Some(first) => first < MAX_NUMBER_DIGITS && s.len() - first - 1 <= MAX_IDENT_TAIL,
        None => is_numeric_ident(s),
    }
}

/// `BUILDIDENTIFIER`: `[a-zA-Z0-9-]+`.
fn is_build_ident(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_IDENT_TAIL && s.bytes().all(is_ident_byte)
}

/// JavaScript's `\s` (WhiteSpace and LineTerminator), used by `trim` and the
/// regexes; unlike `char::is_whitespace` it includes U+FEFF but not U+0085.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// How node-semver spells an operator in `comp.value`: `=` is written as none.
fn op_spelling(op: Op) -> &'static str {
    match op {
        Op::Eq => "",
        op => op.as_str(),
    }
}

/// One `Comparator` that is not `ANY` (an empty set stands for `ANY`).
#[derive(Debug, Clone)]
struct Comparator {
    op: Op,
    version: Version,
}

impl Comparator {
    /// `Comparator.test` via `functions/cmp.js`.
    fn test(&self, v: &Version) -> bool {
        self.op.accepts(v.cmp(&self.version))
    }

    /// `isNullSet`: the comparator `<0.0.0-0`, which nothing satisfies.
    fn is_null(&self) -> bool {
        let v = &self.version;
        self.op == Op::Lt
            && (v.major, v.minor, v.patch) == (0, 0, 0)
            && matches!(&*v.pre, [Ident::Num(text, _)] if &**text == "0")
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", op_spelling(self.op), self.version)
    }
}

/// An npm range: `||`-separated sets of comparators that must all hold.
#[derive(Debug, Clone)]
pub struct Range {
    /// An empty set is `ANY` (`*`, `x`, `""`, `>=0.0.0`, ...).
    sets: Vec<Vec<Comparator>>,
}

impl Range {
    /// Parses a range as `new Range(input)` does with default options.
    ///
    /// node-semver reads the empty range as "any version", so `""` is
    /// accepted here (only over-long input is refused by `check_len`).
    pub fn parse(input: &str) -> Result<Range, Error> {
        if !input.is_empty() {
            check_len(Scheme::Npm, ErrorKind::Range, input)?;
        }
        let raw = collapse_spaces(js_trim(input));
        let sets = raw
            .split("||")
            .map(|set| parse_set(js_trim(set)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|reason| Error::range(Scheme::Npm, input, reason))?;
        Ok(Range {
            sets: simplify_sets(sets),
        })
    }

    /// `Range.test`: some set holds for the version.
    pub fn contains(&self, version: &Version) -> bool {
        self.sets.iter().any(|set| test_set(set, version))
    }
}

impl_from_str_via_parse!(Range);

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, set) in self.sets.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            if set.is_empty() {
                f.write_str("*")?;
            }
            for (k, comp) in set.iter().enumerate() {
                if k > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{comp}")?;
            }
        }
        Ok(())
    }
}

/// `testSet` (classes/range.js): every comparator holds, and a prerelease
/// version is only let in by a comparator with a prerelease on the same
/// major.minor.patch (`ANY` never lets one in).
fn test_set(set: &[Comparator], v: &Version) -> bool {
    if !set.iter().all(|c| c.test(v)) {
        return false;
    }
    !v.is_prerelease()
        || set
            .iter()
            .any(|c| c.version.is_prerelease() && c.version.cmp_main(v) == Ordering::Equal)
}

/// The `Range` constructor's clean-up: with several sets, null sets are
/// dropped (all null: keep the first), and a lone `ANY` set wins outright.
fn simplify_sets(mut sets: Vec<Vec<Comparator>>) -> Vec<Vec<Comparator>> {
    if sets.len() <= 1 {
        return sets;
    }
    let first = sets.first().cloned().unwrap_or_default();
    sets.retain(|set| !set.first().is_some_and(Comparator::is_null));
    if sets.is_empty() {
        return vec![first];
    }
    if sets.len() > 1 && sets.iter().any(Vec::is_empty) {
        return vec![Vec::new()];
    }
    sets
}

/// `range.trim().replace(/\s+/g, ' ')` after trimming.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if is_js_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// `Range.parseRange`: one `||`-free set, whitespace already collapsed.
fn parse_set(set: &str) -> Result<Vec<Comparator>, String> {
    let set = strip_builds(set);
    let set = hyphen_range(&set)?.unwrap_or(set);
    let set = trim_comparators(&set);
    let set = trim_lone_operator(&set, '~');
    let set = trim_lone_operator(&set, '^');

    let mut comps: Vec<Comparator> = Vec::new();
    for token in set.split(' ') {
        let expanded = expand_token(token)?;
        // `replaceGTE0`: `>=0.0.0` means any version; empty pieces are `ANY`.
        for piece in expanded
            .split(' ')
            .filter(|p| !p.is_empty() && *p != ">=0.0.0")
        {
            comps.push(parse_comparator(piece)?);
        }
    }
    // A null set swallows the others; duplicates and `ANY` are dropped.
    if let Some(null) = comps.iter().find(|c| c.is_null()) {
        return Ok(vec![null.clone()]);
    }
    // Keyed by `comp.value` (the text), as the reference's Map is: numerically
    // equal prereleases past 2^53 are still different comparators.
    let mut seen = HashSet::with_capacity(comps.len());
    Ok(comps
        .into_iter()
        .filter(|comp| seen.insert(comp.to_string()))
        .collect())
}

/// Parses a plain comparator (`COMPARATOR` regex, then `new SemVer`).
fn parse_comparator(text: &str) -> Result<Comparator, String> {
    let (op, rest) = split_gtlt(text);
    let op = match op {
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        _ => Op::Eq,
    };
    if rest.len() > MAX_LENGTH {
        return Err(format!(
            "version longer than {MAX_LENGTH} characters in {text:?}"
        ));
    }
    let version =
        parse_plain(rest).map_err(|reason| format!("invalid comparator {text:?}: {reason}"))?;
    Ok(Comparator { op, version })
}

/// Splits off a greedy `GTLT` (`(?:<|>)?=?`).
fn split_gtlt(text: &str) -> (&str, &str) {
    let mut end = 0;
    if text.starts_with(['<', '>']) {
        end = 1;
    }
    if text.get(end..).is_some_and(|rest| rest.starts_with('=')) {
        end += 1;
    }
    text.split_at_checked(end).unwrap_or(("", text))
}

/// `BUILDSTRIPRE`: removes every `+ident(.ident)*` anywhere in the set.
fn strip_builds(set: &str) -> String {
    let chars: Vec<char> = set.chars().collect();
    let mut out = String::with_capacity(set.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '+' && is_ident_char(at(&chars, i + 1)) {
            i = skip_ident_run(&chars, i + 1);
            while at(&chars, i) == '.' && is_ident_char(at(&chars, i + 1)) {
                i = skip_ident_run(&chars, i + 1);
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn at(chars: &[char], i: usize) -> char {
    chars.get(i).copied().unwrap_or('\0')
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

fn skip_ident_run(chars: &[char], mut i: usize) -> usize {
    while is_ident_char(at(chars, i)) {
        i += 1;
    }
    i
}

fn skip_digits(chars: &[char], mut i: usize) -> usize {
    while at(chars, i).is_ascii_digit() {
        i += 1;
    }
    i
}

/// `[v=\s]*`, the prefix the range regexes allow before a version.
fn is_prefix_char(c: char) -> bool {
    c == 'v' || c == '=' || is_js_space(c)
}

fn skip_prefix(chars: &[char], mut i: usize) -> usize {
    while is_prefix_char(at(chars, i)) {
        i += 1;
    }
    i
}

/// What `XRANGEPLAIN` captures: major, minor, patch (each a number, `x`, `X`
/// or `*`; later ones may be missing) and the prerelease.
#[derive(Debug)]
struct XParts<'a> {
    major: &'a str,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    pre: Option<&'a str>,
}

/// Matches the whole text against `XRANGEPLAIN`:
/// `[v=\s]*XID(.XID(.XID(-pre)?(+build)?)?)?`.
fn parse_xrange(text: &str) -> Option<XParts<'_>> {
    let text = text.trim_start_matches(is_prefix_char);
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (main, pre) = match rest.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (rest, None),
    };
    let mut parts = main.split('.');
    let major = parts.next().filter(|p| is_xid(p))?;
    let minor = parts.next();
    let patch = parts.next();
    let valid = parts.next().is_none()
        && minor.is_none_or(is_xid)
        && patch.is_none_or(is_xid)
        && (patch.is_some() || (pre.is_none() && build.is_none()))
        && pre.is_none_or(|p| p.split('.').all(is_pre_ident))
        && build.is_none_or(|b| b.split('.').all(is_build_ident));
    valid.then_some(XParts {
        major,
        minor,
        patch,
        pre,
    })
}

/// `XRANGEIDENTIFIER`: a numeric identifier, `x`, `X` or `*`.
fn is_xid(s: &str) -> bool {
    matches!(s, "x" | "X" | "*") || is_numeric_ident(s)
}

/// `isX`: missing, `x`, `X` or `*`.
fn is_x(part: Option<&str>) -> bool {
    part.is_none_or(|p| p.is_empty() || p.eq_ignore_ascii_case("x") || p == "*")
}

/// `+n + 1` on a numeric identifier. A result above `MAX_SAFE_INTEGER`
/// always ends up in a comparator, whose `new SemVer` throws: refuse it here.
fn inc(number: &str) -> Result<String, String> {
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_add(1))
        .filter(|n| *n <= MAX_SAFE_INTEGER)
        .map(|n| n.to_string())
        .ok_or_else(|| format!("version number {number}+1 exceeds Number.MAX_SAFE_INTEGER"))
}

/// `HYPHENRANGE` (`^\s?(XRANGEPLAIN)\s-\s(XRANGEPLAIN)\s?$`) and
/// `hyphenReplace`: `1.2 - 3.4` becomes `>=1.2.0 <3.5.0-0`.
fn hyphen_range(set: &str) -> Result<Option<String>, String> {
    let chars: Vec<char> = set.chars().collect();
    let from_start = usize::from(at(&chars, 0) == ' ');
    let from_end = skip_non_space(&chars, skip_prefix(&chars, from_start));
    let dash = at(&chars, from_end) == ' '
        && at(&chars, from_end + 1) == '-'
        && at(&chars, from_end + 2) == ' ';
    let to_start = from_end + 3;
    let to_end = skip_non_space(&chars, skip_prefix(&chars, to_start));
    let tail = chars.len().saturating_sub(to_end);
    if !dash || tail > 1 || (tail == 1 && at(&chars, to_end) != ' ') {
        return Ok(None);
    }
    let from_text: String = chars.iter().take(from_end).skip(from_start).collect();
    let to_text: String = chars.iter().take(to_end).skip(to_start).collect();
    let (Some(from), Some(to)) = (parse_xrange(&from_text), parse_xrange(&to_text)) else {
        return Ok(None);
    };

    let low = if is_x(Some(from.major)) {
        String::new()
    } else if is_x(from.minor) {
        format!(">={}.0.0", from.major)
    } else if is_x(from.patch) {
        format!(">={}.{}.0", from.major, from.minor.unwrap_or("0"))
    } else {
        // The whole matched text, prefix included (`>=v1.2.3`, `>==1.2.3`).
        format!(">={from_text}")
    };
    let high = if is_x(Some(to.major)) {
        String::new()
    } else if is_x(to.minor) {
        format!("<{}.0.0-0", inc(to.major)?)
    } else if is_x(to.patch) {
        format!("<{}.{}.0-0", to.major, inc(to.minor.unwrap_or("0"))?)
    } else if let Some(pre) = to.pre {
        let (minor, patch) = (to.minor.unwrap_or("0"), to.patch.unwrap_or("0"));
        format!("<={}.{minor}.{patch}-{pre}", to.major)
    } else {
        format!("<={to_text}")
    };
    Ok(Some(js_trim(&format!("{low} {high}")).to_owned()))
}

fn skip_non_space(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && at(chars, i) != ' ' {
        i += 1;
    }
    i
}

/// `COMPARATORTRIM` replaced by `$1$2$3`: drops the one space between an
/// operator and the version after it (`> 1.2.3` becomes `>1.2.3`). Like the
/// global regex, it scans left to right and resumes after each match.
fn trim_comparators(set: &str) -> String {
    let chars: Vec<char> = set.chars().collect();
    // Where the `[v=\s]*` run starting at each index ends, found once from the
    // right, so that trying a match at every index stays linear.
    let mut prefix_ends = vec![chars.len(); chars.len() + 1];
    let mut run_end = chars.len();
    for (k, slot) in prefix_ends.iter_mut().enumerate().take(chars.len()).rev() {
        if !is_prefix_char(at(&chars, k)) {
            run_end = k;
        }
        *slot = run_end;
    }
    let mut out = String::with_capacity(set.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let mut p = i + usize::from(c == ' ');
        if matches!(at(&chars, p), '<' | '>') {
            p += 1;
        }
        if at(&chars, p) == '=' {
            p += 1;
        }
        let removed = (at(&chars, p) == ' ').then_some(p);
        p += usize::from(removed.is_some());
        let start = prefix_ends.get(p).copied().unwrap_or(p);
        if !is_xid_start(at(&chars, start)) {
            out.push(c);
            i += 1;
            continue;
        }
        let end = version_end(&chars, start);
        out.extend(
            (i..end)
                .filter(|&k| Some(k) != removed)
                .filter_map(|k| chars.get(k)),
        );
        i = end;
    }
    out
}

fn is_xid_start(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, 'x' | 'X' | '*')
}

/// Where `(LOOSEPLAIN|XRANGEPLAIN)` stops when matched greedily at `start`
/// (just after the `[v=\s]*` prefix).
fn version_end(chars: &[char], start: usize) -> usize {
    loose_plain_end(chars, start).unwrap_or_else(|| xrange_plain_end(chars, start))
}

/// `LOOSEPLAIN` after its prefix: `\d+\.\d+\.\d+`, a loose prerelease
/// (`-?` and dot-separated runs), then build.
fn loose_plain_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    for k in 0..3 {
        if k > 0 {
            if at(chars, i) != '.' {
                return None;
            }
            i += 1;
        }
        let end = skip_digits(chars, i);
        if end == i {
            return None;
        }
        i = end;
    }
    if is_ident_char(at(chars, i)) {
        i = dotted_runs_end(chars, skip_ident_run(chars, i));
    }
    Some(build_end(chars, i))
}

/// `XRANGEPLAIN` after its prefix.
fn xrange_plain_end(chars: &[char], start: usize) -> usize {
    let mut i = xid_end(chars, start).unwrap_or(start);
    for _ in 0..2 {
        match (at(chars, i) == '.')
            .then(|| xid_end(chars, i + 1))
            .flatten()
        {
            Some(end) => i = end,
            None => return i,
        }
    }
    if at(chars, i) == '-'
        && let Some(mut end) = pre_ident_end(chars, i + 1)
    {
        while let Some(next) = (at(chars, end) == '.')
            .then(|| pre_ident_end(chars, end + 1))
            .flatten()
        {
            end = next;
        }
        i = end;
    }
    build_end(chars, i)
}

/// One `XRANGEIDENTIFIER` at `i`, as the regex alternation picks it.
fn xid_end(chars: &[char], i: usize) -> Option<usize> {
    match at(chars, i) {
        'x' | 'X' | '*' | '0' => Some(i + 1),
        c if c.is_ascii_digit() => Some(skip_digits(chars, i)),
        _ => None,
    }
}

/// One strict `PRERELEASEIDENTIFIER` at `i`: a run with a letter or hyphen
/// after its digits, or a number (just `0` when it starts with `0`).
fn pre_ident_end(chars: &[char], i: usize) -> Option<usize> {
    let run_end = skip_ident_run(chars, i);
    let digits_end = skip_digits(chars, i);
    if run_end == i {
        None
    } else if digits_end < run_end || at(chars, i) != '0' {
        Some(run_end)
    } else {
        Some(i + 1)
    }
}

/// `(?:\.run)*` after a first identifier run.
fn dotted_runs_end(chars: &[char], mut i: usize) -> usize {
    while at(chars, i) == '.' && is_ident_char(at(chars, i + 1)) {
        i = skip_ident_run(chars, i + 1);
    }
    i
}

/// An optional `BUILD` at `i`.
fn build_end(chars: &[char], i: usize) -> usize {
    if at(chars, i) == '+' && is_ident_char(at(chars, i + 1)) {
        dotted_runs_end(chars, skip_ident_run(chars, i + 1))
    } else {
        i
    }
}

/// `TILDETRIM` / `CARETTRIM`: `~ 1`, `~> 1` and `^ 1` lose the space (and
/// for the tilde the `>`).
fn trim_lone_operator(set: &str, op: char) -> String {
    let chars: Vec<char> = set.chars().collect();
    let mut out = String::with_capacity(set.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        out.push(c);
        i += 1;
        if c != op {
            continue;
        }
        if op == '~' && at(&chars, i) == '>' && at(&chars, i + 1) == ' ' {
            i += 2;
        } else if at(&chars, i) == ' ' {
            i += 1;
        }
    }
    out
}

/// `parseComparator` on one space-free token: caret, tilde, x-range, star.
/// The result may hold several comparators (or none) separated by spaces.
fn expand_token(token: &str) -> Result<String, String> {
    if let Some(x) = token.strip_prefix('^').and_then(parse_xrange) {
        return caret(&x);
    }
    if let Some(rest) = token.strip_prefix('~')
        && let Some(x) = parse_xrange(rest.strip_prefix('>').unwrap_or(rest))
    {
        return tilde(&x);
    }
    Ok(remove_star(&xrange(token)?))
}

/// `replaceCaret`: `^1.2.3` is `>=1.2.3 <2.0.0-0`, `^0.2.3` is
/// `>=0.2.3 <0.3.0-0`, `^0.0.3` is `>=0.0.3 <0.0.4-0`.
fn caret(x: &XParts<'_>) -> Result<String, String> {
    let major = x.major;
    if is_x(Some(major)) {
        return Ok(String::new());
    }
    let Some(minor) = x.minor.filter(|m| !is_x(Some(m))) else {
        return Ok(format!(">={major}.0.0 <{}.0.0-0", inc(major)?));
    };
    let Some(patch) = x.patch.filter(|p| !is_x(Some(p))) else {
        return Ok(if major == "0" {
            format!(">={major}.{minor}.0 <{major}.{}.0-0", inc(minor)?)
        } else {
            format!(">={major}.{minor}.0 <{}.0.0-0", inc(major)?)
        });
    };
    let low = match x.pre {
        Some(pre) => format!(">={major}.{minor}.{patch}-{pre}"),
        None => format!(">={major}.{minor}.{patch}"),
    };
    let high = if major != "0" {
        format!("<{}.0.0-0", inc(major)?)
    } else if minor != "0" {
        format!("<{major}.{}.0-0", inc(minor)?)
    } else {
        format!("<{major}.{minor}.{}-0", inc(patch)?)
    };
    Ok(format!("{low} {high}"))
}

/// `replaceTilde`: `~1.2.3` is `>=1.2.3 <1.3.0-0`, `~1` is `>=1.0.0 <2.0.0-0`.
fn tilde(x: &XParts<'_>) -> Result<String, String> {
    let major = x.major;
    if is_x(Some(major)) {
        return Ok(String::new());
    }
    let Some(minor) = x.minor.filter(|m| !is_x(Some(m))) else {
        return Ok(format!(">={major}.0.0 <{}.0.0-0", inc(major)?));
    };
    let high = format!("<{major}.{}.0-0", inc(minor)?);
    Ok(match (x.patch.filter(|p| !is_x(Some(p))), x.pre) {
        (None, _) => format!(">={major}.{minor}.0 {high}"),
        (Some(patch), Some(pre)) => format!(">={major}.{minor}.{patch}-{pre} {high}"),
        (Some(patch), None) => format!(">={major}.{minor}.{patch} {high}"),
    })
}

/// `replaceXRange` on one token (`XRANGE` = `^GTLT\s*XRANGEPLAIN$`); tokens
/// that do not match, or put a number after an x, are returned unchanged.
fn xrange(token: &str) -> Result<String, String> {
    let (gtlt, rest) = split_gtlt(token);
    let Some(x) = parse_xrange(rest) else {
        return Ok(token.to_owned());
    };
    let x_major = is_x(Some(x.major));
    let x_minor = x_major || is_x(x.minor);
    let x_patch = x_minor || is_x(x.patch);
    // `invalidXRangeOrder`.
    if (x_major && !is_x(x.minor)) || (is_x(x.minor) && !is_x(x.patch)) {
        return Ok(token.to_owned());
    }
    let gtlt = if gtlt == "=" && x_patch { "" } else { gtlt };
    let major = x.major;
    if x_major {
        let nothing = gtlt == ">" || gtlt == "<";
        return Ok(if nothing { "<0.0.0-0" } else { "*" }.to_owned());
    }
    if !gtlt.is_empty() && x_patch {
        return xrange_bound(gtlt, major, x.minor.filter(|_| !x_minor));
    }
    let Some(minor) = x.minor.filter(|_| !x_minor) else {
        return Ok(format!(">={major}.0.0 <{}.0.0-0", inc(major)?));
    };
    if x_patch {
        return Ok(format!(">={major}.{minor}.0 <{major}.{}.0-0", inc(minor)?));
    }
    Ok(token.to_owned())
}

/// An x-range with an operator: `>1` is `>=2.0.0`, `<=1.2` is `<1.3.0-0`,
/// `<1.x` is `<1.0.0-0`, `>=1.2.x` is `>=1.2.0`.
fn xrange_bound(gtlt: &str, major: &str, minor: Option<&str>) -> Result<String, String> {
    let bumped = |minor: Option<&str>| -> Result<(String, String), String> {
        match minor {
            None => Ok((inc(major)?, "0".to_owned())),
            Some(minor) => Ok((major.to_owned(), inc(minor)?)),
        }
    };
    let (op, (major, minor)) = match gtlt {
        ">" => (">=", bumped(minor)?),
        "<=" => ("<", bumped(minor)?),
        op => (op, (major.to_owned(), minor.unwrap_or("0").to_owned())),
    };
    let pre = if op == "<" { "-0" } else { "" };
    Ok(format!("{op}{major}.{minor}.0{pre}"))
}

/// `replaceStars`: removes the first `(<|>)?=?\s*\*` (leftmost, greedy).
fn remove_star(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len() {
        let op = usize::from(matches!(at(&chars, i), '<' | '>'));
        let candidates = [
            (op, usize::from(at(&chars, i + op) == '=')),
            (op, 0),
            (0, usize::from(at(&chars, i) == '=')),
            (0, 0),
        ];
        for (op, eq) in candidates {
            if at(&chars, i + op + eq) == '*' {
                let end = i + op + eq + 1;
                return chars.iter().take(i).chain(chars.iter().skip(end)).collect();
            }
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn r(s: &str) -> Range {
        Range::parse(s).unwrap()
    }

    #[test]
    fn parses_strict_versions() {
        assert_eq!(v("1.2.3").to_string(), "1.2.3");
        assert_eq!(v("v1.2.3").to_string(), "1.2.3");
        assert_eq!(v("  1.2.3\t").to_string(), "1.2.3");
        assert_eq!(v("\u{feff}1.2.3\u{a0}").to_string(), "1.2.3");
        assert_eq!(
            v("1.2.3-alpha-.-beta+b.0-1").to_string(),
            "1.2.3-alpha-.-beta+b.0-1"
        );
        assert_eq!(v("1.2.3-0a").to_string(), "1.2.3-0a");
        assert_eq!(v("9007199254740991.0.0").major, MAX_SAFE_INTEGER);
    }

    #[test]
    fn refuses_invalid_versions() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "1.02.3",
            "1.2.03",
            "=1.2.3",
            "V1.2.3",
            "vv1.2.3",
            "v 1.2.3",
            "1.2.3-",
            "1.2.3-01",
            "1.2.3-a..b",
            "1.2.3+",
            "1.2.3+a..b",
            "1.2.3-a_b",
            "1.2.3 -a",
            "1.2.3foo",
            "9007199254740992.0.0",
            "0.99999999999999999999.0",
            "a.b.c",
            "\u{85}1.2.3",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        let long = format!("1.2.3-{}", "a".repeat(251));
        assert!(Version::parse(&long).is_err());
        assert!(Version::parse(&format!("1.2.3-{}", "a".repeat(250))).is_ok());
    }

    #[test]
    fn orders_by_semver_precedence() {
        let chain = [
            "1.0.0-0",
            "1.0.0-1",
            "1.0.0-2",
            "1.0.0-10",
            "1.0.0-99999999999999999999",
            "1.0.0-A",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for pair in chain.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.2.3+a"), v("v1.2.3+b"));
        assert_eq!(v("1.2.3-x+a").cmp(&v("1.2.3-x")), Ordering::Equal);
    }

    #[test]
    fn numeric_prereleases_compare_as_javascript_numbers() {
        // Exact up to 2^53, so up to 15 digits the order is the exact one.
        assert!(v("1.0.0-999999999999999") < v("1.0.0-1000000000000000"));
        assert!(v("1.0.0-9007199254740991") > v("1.0.0-9007199254740990"));
        // Beyond, `+a` rounds: node-semver calls these equal.
        assert_eq!(v("1.0.0-9007199254740993"), v("1.0.0-9007199254740992"));
        assert_eq!(
            v("1.0.0-99999999999999999999").cmp(&v("1.0.0-99999999999999999998")),
            Ordering::Equal
        );
        assert!(v("1.0.0-99999999999999999999") < v("1.0.0-100000000000000020000"));
        assert!(v("1.0.0-99999999999999999999") < v("1.0.0-a"));
        // Equal numbers still display as written, and are kept apart in ranges.
        assert_eq!(
            v("1.0.0-9007199254740993").to_string(),
            "1.0.0-9007199254740993"
        );
        assert_eq!(
            r("<1.0.0-9007199254740993 <1.0.0-9007199254740992").to_string(),
            "<1.0.0-9007199254740993 <1.0.0-9007199254740992"
        );
        assert_eq!(r("<1.0.0-1 <1.0.0-1").to_string(), "<1.0.0-1");
    }

    #[test]
    fn display_round_trips() {
        for s in ["0.0.0", "v1.2.3-rc.1+build.5", "1.2.3-00a.0", " 3.4.5+x "] {
            let parsed = v(s);
            let again = v(&parsed.to_string());
            assert_eq!(again, parsed);
            assert_eq!(again.to_string(), parsed.to_string());
        }
    }

    #[test]
    fn desugars_ranges() {
        let cases = [
            ("1.2.3 - 2.3.4", ">=1.2.3 <=2.3.4"),
            ("1.2 - 2.3", ">=1.2.0 <2.4.0-0"),
            ("1 - 2.x", ">=1.0.0 <3.0.0-0"),
            ("x - 2", "<3.0.0-0"),
            ("v1.2.3 - v2.0.0", ">=1.2.3 <=2.0.0"),
            ("~1.2.3", ">=1.2.3 <1.3.0-0"),
            ("~> 1", ">=1.0.0 <2.0.0-0"),
            ("~0.0.1-beta", ">=0.0.1-beta <0.1.0-0"),
            ("^0.0.3", ">=0.0.3 <0.0.4-0"),
            ("^0.2", ">=0.2.0 <0.3.0-0"),
            ("^ 1.2 ^ 1", ">=1.2.0 <2.0.0-0 >=1.0.0"),
            ("^0", "<1.0.0-0"),
            (">1.2", ">=1.3.0"),
            ("<=1", "<2.0.0-0"),
            ("=1.x", ">=1.0.0 <2.0.0-0"),
            (">=  1.0.0   <2", ">=1.0.0 <2.0.0-0"),
            ("<x", "<0.0.0-0"),
            ("", "*"),
            ("  ", "*"),
            ("x || 1.2.3", "*"),
            ("<x || 1.2.3", "1.2.3"),
            (">=0.0.0", "*"),
            ("1.2.3+build", "1.2.3"),
            ("1.2.3*", "1.2.3"),
        ];
        for (input, want) in cases {
            assert_eq!(r(input).to_string(), want, "range {input:?}");
        }
    }

    #[test]
    fn refuses_invalid_ranges() {
        for bad in [
            "1.x.5",
            "x.1",
            "1.*.5 || 2",
            ">=",
            "blerg",
            "1.2.3 - ",
            "=1.2.3 - 2",
            "1 | 2",
            ">= v 1.2.3",
            "^9007199254740991.0.0",
            "~1.9007199254740991",
            "1.2.3-01",
            "01.2.3",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn prerelease_needs_a_matching_tuple() {
        assert!(r("^1.2.3-alpha").contains(&v("1.2.3-beta")));
        assert!(!r("^1.2.3-alpha").contains(&v("1.2.4-beta")));
        assert!(!r("*").contains(&v("1.0.0-rc.1")));
        assert!(!r(">=1.0.0").contains(&v("1.0.1-0")));
        assert!(r(">=1.0.0-0 <1.0.1").contains(&v("1.0.0-rc.1")));
        // A lone `*` set takes over the whole range, shadowing the others.
        assert!(r("1.2.3-beta || 2").contains(&v("1.2.3-beta")));
        assert!(!r("1.2.3-beta || *").contains(&v("1.2.3-beta")));
    }

    #[test]
    fn contains_plain_versions() {
        assert!(r("1.2.x || >=2.5.0").contains(&v("2.6.0")));
        assert!(!r("1.2.x || >=2.5.0").contains(&v("2.4.9")));
        assert!(r("<=0.7.x").contains(&v("0.7.9")));
        assert!(!r(">*").contains(&v("0.0.0")));
        assert!(r("=1.2.3").contains(&v("1.2.3+other")));
    }
}
