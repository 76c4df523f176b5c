//! Composer / Packagist versions and constraints.
//!
//! Follows composer/semver 3.3: `VersionParser::normalize` (plus
//! `normalizeDefaultBranch` for ordering), `VersionParser::parseConstraints`,
//! `Constraint::matchSpecific` / `MultiConstraint::matches` as
//! `Semver::satisfies` uses them, and `Comparator`, which compares the
//! normalised strings with PHP's `version_compare` (php-src
//! `ext/standard/versioning.c`). Composer's regular expressions are
//! hand-written here as small matchers that try alternatives in PCRE's order.

use std::cmp::Ordering;
use std::fmt;

use crate::{Error, ErrorKind, Op, Scheme, check_len};

// ---------------------------------------------------------------------------
// Byte helpers (all of Composer's syntax is ASCII, so cutting at the positions
// found here always lands on a char boundary).

fn at(b: &[u8], i: usize) -> Option<u8> {
    b.get(i).copied()
}

fn is(b: &[u8], i: usize, test: impl Fn(u8) -> bool) -> bool {
    at(b, i).is_some_and(test)
}

fn sub(s: &str, start: usize, end: usize) -> &str {
    s.get(start..end).unwrap_or_default()
}

fn has_word(b: &[u8], i: usize, word: &str, ignore_case: bool) -> bool {
    let end = i.saturating_add(word.len());
    b.get(i..end).is_some_and(|found| {
        if ignore_case {
            found.eq_ignore_ascii_case(word.as_bytes())
        } else {
            found == word.as_bytes()
        }
    })
}

/// Index after the run of bytes from `i` that pass `test`.
fn run_end(b: &[u8], i: usize, test: impl Fn(u8) -> bool) -> usize {
    i + b
        .get(i..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| test(c)).count())
}

fn digits_end(b: &[u8], i: usize) -> usize {
    run_end(b, i, |c| c.is_ascii_digit())
}

/// PCRE's `$` without the D modifier: the end, or just before a final newline.
fn at_end(b: &[u8], i: usize) -> bool {
    i == b.len() || (i + 1 == b.len() && at(b, i) == Some(b'\n'))
}

/// The last line of `b` as `.*$` sees it: `.` stops at a newline, and `$` also
/// matches before a final one. Found once, so a pattern tried at every `#` or
/// `+` stays linear.
#[derive(Clone, Copy)]
struct LastLine {
    /// Just after the last newline before `end` (0 when there is none).
    start: usize,
    /// The length, or the position of a final newline.
    end: usize,
}

impl LastLine {
    fn of(b: &[u8]) -> LastLine {
        let end = match b.split_last() {
            Some((b'\n', rest)) => rest.len(),
            _ => b.len(),
        };
        let start = b
            .get(..end)
            .and_then(|line| line.iter().rposition(|&c| c == b'\n'))
            .map_or(0, |newline| newline + 1);
        LastLine { start, end }
    }

    /// Whether `.*$` matches from `i` (`i` at most the length).
    fn rest_matches(self, i: usize) -> bool {
        i >= self.start
    }

    /// Whether `.+$` matches from `i`.
    fn rest_matches_non_empty(self, i: usize) -> bool {
        i >= self.start && i < self.end
    }
}

/// PCRE's `\s` (C locale tables).
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// What PHP's `trim()` removes by default.
fn php_trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\u{0b}'))
}

// ---------------------------------------------------------------------------
// The stability modifier, `VersionParser::$modifierRegex`:
// `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?`

const STABILITIES: [&str; 9] = [
    "stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p",
];

/// The groups of one match of the modifier.
#[derive(Debug, Clone, Copy, Default)]
struct Modifier<'a> {
    stability: Option<&'a str>,
    number: &'a str,
    dev: bool,
}

/// Matches the modifier at `start`, trying its alternatives in PCRE's order
/// until `rest` accepts the position after it.
fn match_modifier<'a>(
    s: &'a str,
    start: usize,
    ignore_case: bool,
    rest: &mut dyn FnMut(usize, &Modifier<'a>) -> bool,
) -> Option<(usize, Modifier<'a>)> {
    let b = s.as_bytes();
    let with_separator = is(b, start, |c| matches!(c, b'.' | b'_' | b'-'));
    let starts = [with_separator.then_some(start + 1), Some(start)];
    for pos in starts.into_iter().flatten() {
        let words = STABILITIES.iter().map(Some).chain([None]);
        for word in words {
            let (after, modifier) = match word {
                Some(word) if has_word(b, pos, word, ignore_case) => {
                    let word_end = pos + word.len();
                    let number_end = modifier_number_end(b, word_end);
                    let modifier = Modifier {
                        stability: Some(sub(s, pos, word_end)),
                        number: sub(s, word_end, number_end),
                        dev: false,
                    };
                    (number_end, modifier)
                }
                Some(_) => continue,
                None => (pos, Modifier::default()),
            };
            for (end, dev) in dev_suffix_options(b, after, ignore_case)
                .into_iter()
                .flatten()
            {
                let modifier = Modifier { dev, ..modifier };
                if rest(end, &modifier) {
                    return Some((end, modifier));
                }
            }
        }
    }
    None
}

/// `(?:[.-]?\d+)*+`: possessive, so the longest run is the only option.
fn modifier_number_end(b: &[u8], mut pos: usize) -> usize {
    loop {
        let digits_at = if is(b, pos, |c| matches!(c, b'.' | b'-')) {
            pos + 1
        } else {
            pos
        };
        let end = digits_end(b, digits_at);
        if end == digits_at {
            return pos;
        }
        pos = end;
    }
}

/// `([.-]?dev)?`: with the suffix first, then without it.
fn dev_suffix_options(b: &[u8], pos: usize, ignore_case: bool) -> [Option<(usize, bool)>; 2] {
    let with_dev =
        if is(b, pos, |c| matches!(c, b'.' | b'-')) && has_word(b, pos + 1, "dev", ignore_case) {
            Some((pos + 4, true))
        } else if has_word(b, pos, "dev", ignore_case) {
            Some((pos + 3, true))
        } else {
            None
        };
    [with_dev, Some((pos, false))]
}

/// Appends a matched modifier the way `normalize` does: `-<stability><n>`
/// then `-dev`; a lower-case `stable` drops everything.
fn append_modifier(mut version: String, modifier: &Modifier<'_>) -> String {
    if let Some(stability) = modifier.stability {
        // `'stable' === $matches[$index]` is case-sensitive in Composer.
        if stability == "stable" {
            return version;
        }
        version.push('-');
        version.push_str(&expand_stability(stability));
        version.push_str(modifier.number.trim_start_matches(['.', '-']));
    }
    if modifier.dev {
        version.push_str("-dev");
    }
    version
}

/// `VersionParser::expandStability`.
fn expand_stability(stability: &str) -> String {
    let lower = stability.to_ascii_lowercase();
    match lower.as_str() {
        "a" => "alpha".into(),
        "b" => "beta".into(),
        "p" | "pl" => "patch".into(),
        "rc" => "RC".into(),
        _ => lower,
    }
}

// ---------------------------------------------------------------------------
// VersionParser::normalize

/// `VersionParser::normalize`.
fn normalize(input: &str) -> Result<String, &'static str> {
    let version = php_trim(input);
    let version = strip_alias(version);
    let version = strip_stability_suffix(version);
    // master/trunk/default used to be valid constraints; they mean dev-<name>.
    if matches!(version, "master" | "trunk" | "default") {
        return Ok(format!("dev-{version}"));
    }
    if has_word(version.as_bytes(), 0, "dev-", true) {
        return Ok(format!("dev-{}", sub(version, 4, version.len())));
    }
    let version = strip_build_metadata(version);
    if let Some(normalized) = normalize_classical(version) {
        return Ok(normalized);
    }
    if let Some(normalized) = normalize_date(version) {
        return Ok(normalized);
    }
    normalize_numeric_branch(version).ok_or("not a Composer version")
}

/// `^([^,\s]++) ++as ++([^,\s]++)$`: `1.0 as 2.0` means `1.0`.
fn strip_alias(s: &str) -> &str {
    let b = s.as_bytes();
    let not_list = |c: u8| c != b',' && !is_space(c);
    let source_end = run_end(b, 0, not_list);
    let spaces = run_end(b, source_end, |c| c == b' ');
    if source_end == 0 || spaces == source_end || !has_word(b, spaces, "as", false) {
        return s;
    }
    let target = run_end(b, spaces + 2, |c| c == b' ');
    let target_end = run_end(b, target, not_list);
    if target == spaces + 2 || target_end == target || !at_end(b, target_end) {
        return s;
    }
    sub(s, 0, source_end)
}

/// `@(?:stable|RC|beta|alpha|dev)$` (case-insensitive) is cut off.
fn strip_stability_suffix(s: &str) -> &str {
    let b = s.as_bytes();
    for word in ["stable", "RC", "beta", "alpha", "dev"] {
        let Some(at_sign) = s.len().checked_sub(word.len() + 1) else {
            continue;
        };
        if at(b, at_sign) == Some(b'@') && has_word(b, at_sign + 1, word, true) {
            return sub(s, 0, at_sign);
        }
    }
    s
}

/// `^([^,\s+]++)\+[^\s]++$`: build metadata is dropped.
fn strip_build_metadata(s: &str) -> &str {
    let b = s.as_bytes();
    let main_end = run_end(b, 0, |c| c != b',' && c != b'+' && !is_space(c));
    if main_end == 0 || at(b, main_end) != Some(b'+') {
        return s;
    }
    let build_end = run_end(b, main_end + 1, |c| !is_space(c));
    if build_end == main_end + 1 || !at_end(b, build_end) {
        return s;
    }
    sub(s, 0, main_end)
}

/// Length of an optional leading `v`/`V`.
fn v_prefix(b: &[u8], i: usize) -> usize {
    usize::from(is(b, i, |c| c == b'v' || c == b'V'))
}

/// `^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?<modifier>$`, padded to four numbers.
fn normalize_classical(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let start = v_prefix(b, 0);
    let major_end = digits_end(b, start);
    if !(1..=5).contains(&(major_end - start)) {
        return None;
    }
    let mut version = sub(s, start, major_end).to_owned();
    let mut pos = major_end;
    for _ in 0..3 {
        if at(b, pos) == Some(b'.') && is(b, pos + 1, |c| c.is_ascii_digit()) {
            let end = digits_end(b, pos + 1);
            version.push_str(sub(s, pos, end));
            pos = end;
        } else {
            version.push_str(".0");
        }
    }
    let (_, modifier) = match_modifier(s, pos, true, &mut |end, _| at_end(b, end))?;
    Some(append_modifier(version, &modifier))
}

/// `^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)<modifier>$`, with every
/// non-digit of the date turned into `.`.
fn normalize_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let start = v_prefix(b, 0);
    // The modifier never starts with a digit, nor with a separator followed by
    // one, so the date is the whole leading run of digit groups.
    let mut end = digits_end(b, start);
    while is(b, end, |c| matches!(c, b'.' | b':' | b'-')) && is(b, end + 1, |c| c.is_ascii_digit())
    {
        end = digits_end(b, end + 1);
    }
    let date = b.get(start..end)?;
    if !is_date(date) {
        return None;
    }
    let (_, modifier) = match_modifier(s, end, true, &mut |e, _| at_end(b, e))?;
    let version: String = date
        .iter()
        .map(|&c| {
            if c.is_ascii_digit() {
                char::from(c)
            } else {
                '.'
            }
        })
        .collect();
    Some(append_modifier(version, &modifier))
}

/// Whether all of `date` matches `\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?`.
fn is_date(date: &[u8]) -> bool {
    if digits_end(date, 0) < 4 {
        return false;
    }
    let mut pos = 4;
    for _ in 0..6 {
        let digits_at = pos + usize::from(is(date, pos, |c| matches!(c, b'.' | b':' | b'-')));
        if digits_end(date, digits_at) < digits_at + 2 {
            break;
        }
        pos = digits_at + 2;
        // After at least one pair, the rest may be empty or `[.:-]?\d{1,3}`.
        let tail_at = pos + usize::from(is(date, pos, |c| matches!(c, b'.' | b':' | b'-')));
        let tail_digits = digits_end(date, tail_at) - tail_at;
        if pos == date.len()
            || (tail_at + tail_digits == date.len() && (1..=3).contains(&tail_digits))
        {
            return true;
        }
    }
    false
}

/// `(.*?)[.-]?dev$` then `normalizeBranch`: `1.x-dev` is
/// `1.9999999.9999999.9999999-dev`. Other branch names ending in `dev` are
/// invalid as versions (they need a `dev-` prefix).
fn normalize_numeric_branch(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let tail_end = if b.last() == Some(&b'\n') {
        b.len() - 1
    } else {
        b.len()
    };
    let dev_at = tail_end.checked_sub(3)?;
    if !has_word(b, dev_at, "dev", true) {
        return None;
    }
    let name_end = match dev_at.checked_sub(1) {
        Some(sep) if is(b, sep, |c| matches!(c, b'.' | b'-')) => sep,
        _ => dev_at,
    };
    // `.` does not match a newline, so the name starts after the last one.
    let name_start = b
        .get(..name_end)?
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    numeric_branch(php_trim(sub(s, name_start, name_end)))
}

/// The numeric case of `VersionParser::normalizeBranch`:
/// `^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$`.
fn numeric_branch(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let start = v_prefix(b, 0);
    let mut pos = digits_end(b, start);
    if pos == start {
        return None;
    }
    let mut version = sub(name, start, pos).to_owned();
    let mut parts = 1;
    while parts < 4 && at(b, pos) == Some(b'.') {
        let end = if is(b, pos + 1, |c| c.is_ascii_digit()) {
            digits_end(b, pos + 1)
        } else if is(b, pos + 1, |c| matches!(c, b'x' | b'X' | b'*')) {
            pos + 2
        } else {
            break;
        };
        version.push_str(sub(name, pos, end));
        pos = end;
        parts += 1;
    }
    if !at_end(b, pos) {
        return None;
    }
    for _ in parts..4 {
        version.push_str(".x");
    }
    Some(version.replace(['x', 'X', '*'], "9999999") + "-dev")
}

/// `VersionParser::normalizeDefaultBranch`.
fn normalize_default_branch(name: &str) -> &str {
    match name {
        "dev-master" | "dev-default" | "dev-trunk" => "9999999-dev",
        _ => name,
    }
}

// ---------------------------------------------------------------------------
// PHP version_compare

/// One element of a version after `php_canonicalize_version`, ordered as
/// `php_version_compare` orders it. Special forms match by prefix:
/// `dev < alpha = a < beta = b < RC = rc < (number) < pl = p`; any other
/// word sorts below `dev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    /// A trailing empty element (the string ended in a separator): PHP
    /// compares it as less than anything.
    Empty,
    /// A word that is no special form.
    Other,
    Dev,
    Alpha,
    Beta,
    Rc,
    /// What the shorter version is compared against once it has run out
    /// (`"#N#"`): below every number, above `RC`.
    End,
    /// A number, read with `strtol` (so it saturates at `i64::MAX`).
    Number(u64),
    Patch,
}

/// `php_canonicalize_version`, then the elements `php_version_compare` sees.
fn php_tokens(version: &str) -> Vec<Token> {
    // PHP hands the C string over, so it ends at the first NUL. (PHP leaves a
    // string starting with '#' as it is; normalised versions never do.)
    let raw = version.as_bytes();
    let raw = raw.split(|&c| c == 0).next().unwrap_or_default();
    let canonical = php_canonicalize(raw);
    let pieces: Vec<&[u8]> = canonical.split(|&c| c == b'.').collect();
    let mut tokens = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate() {
        if piece.is_empty() && i + 1 == pieces.len() {
            // A trailing '.' ends the loop early and compares as "".
            if i > 0 {
                tokens.push(Token::Empty);
            }
            break;
        }
        tokens.push(php_token(piece));
    }
    tokens
}

/// `s/[-_+]/./g` and a `.` between digits and non-digits; other non-alphanumerics
/// become `.`, runs of separators collapse.
fn php_canonicalize(raw: &[u8]) -> Vec<u8> {
    let is_digit = |c: u8| c.is_ascii_digit();
    let is_non_digit = |c: u8| !c.is_ascii_digit() && c != b'.';
    let mut out = Vec::with_capacity(raw.len() * 2);
    let mut chars = raw.iter().copied();
    let Some(first) = chars.next() else {
        return out;
    };
    out.push(first);
    let mut previous = first;
    for c in chars {
        let last_out = out.last().copied();
        if matches!(c, b'-' | b'_' | b'+') {
            if last_out != Some(b'.') {
                out.push(b'.');
            }
        } else if (is_non_digit(previous) && is_digit(c)) || (is_digit(previous) && is_non_digit(c))
        {
            if last_out != Some(b'.') {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if last_out != Some(b'.') {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

/// `compare_special_version_forms` order, or the number for a digit element.
fn php_token(piece: &[u8]) -> Token {
    if piece.first().is_some_and(u8::is_ascii_digit) {
        let value = piece
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .fold(0u64, |n, &c| {
                n.saturating_mul(10).saturating_add(u64::from(c - b'0'))
            });
        return Token::Number(value.min(i64::MAX as u64));
    }
    let forms: [(&[u8], Token); 9] = [
        (b"dev", Token::Dev),
        (b"alpha", Token::Alpha),
        (b"a", Token::Alpha),
        (b"beta", Token::Beta),
        (b"b", Token::Beta),
        (b"RC", Token::Rc),
        (b"rc", Token::Rc),
        (b"pl", Token::Patch),
        (b"p", Token::Patch),
    ];
    forms
        .iter()
        .find(|(prefix, _)| piece.starts_with(prefix))
        .map_or(Token::Other, |&(_, token)| token)
}

/// `php_version_compare` on tokenised versions: element by element, then the
/// first extra element of the longer one decides against `#N#`.
fn php_compare(left: &[Token], right: &[Token]) -> Ordering {
    let len = left.len().max(right.len());
    (0..len)
        .map(|i| {
            let a = left.get(i).copied().unwrap_or(Token::End);
            let b = right.get(i).copied().unwrap_or(Token::End);
            a.cmp(&b)
        })
        .find(|order| order.is_ne())
        .unwrap_or(Ordering::Equal)
}

// ---------------------------------------------------------------------------
// Version

/// A Composer version, normalised as `VersionParser::normalize` does.
#[derive(Debug, Clone)]
pub struct Version {
    /// The trimmed input, shown by `Display` (normalising is not idempotent:
    /// `2010-01-02` becomes `2010.01.02`, which reads back as `2010.01.02.0`).
    input: Box<str>,
    /// `VersionParser::normalize(input)`.
    normalized: Box<str>,
    /// `dev-<branch>`: `Semver::satisfies` only matches it by name.
    branch: bool,
    /// Still a branch after `normalizeDefaultBranch` (`dev-master` is not).
    ordered_as_branch: bool,
    /// `version_compare` elements of `normalizeDefaultBranch(normalized)`.
    tokens: Vec<Token>,
}

impl Version {
    /// Parses and normalises a version (`1.0`, `v2.3.4-beta.1`, `dev-main`, `1.x-dev`).
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Composer, ErrorKind::Version, input)?;
        let normalized =
            normalize(input).map_err(|reason| Error::version(Scheme::Composer, input, reason))?;
        let ordered = normalize_default_branch(&normalized);
        Ok(Version {
            input: php_trim(input).into(),
            branch: is_branch(&normalized),
            ordered_as_branch: is_branch(ordered),
            tokens: php_tokens(ordered),
            normalized: normalized.into(),
        })
    }
}

/// `strpos($version, 'dev-') === 0`.
fn is_branch(version: &str) -> bool {
    version.starts_with("dev-")
}

impl_from_str_via_parse!(Version);

impl Ord for Version {
    /// `version_compare` on the normalised strings. Composer calls two
    /// different branches neither equal nor ordered; they are ordered by name
    /// here so that equality means the same branch.
    fn cmp(&self, other: &Self) -> Ordering {
        php_compare(&self.tokens, &other.tokens).then_with(|| {
            if self.ordered_as_branch && other.ordered_as_branch {
                self.normalized.cmp(&other.normalized)
            } else {
                Ordering::Equal
            }
        })
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.input)
    }
}

// ---------------------------------------------------------------------------
// Constraints

/// How Composer spells an operator (`Constraint::$transOpStr`).
fn op_spelling(op: Op) -> &'static str {
    match op {
        Op::Eq => "==",
        op => op.as_str(),
    }
}

/// One `Constraint`, or the `MatchAllConstraint` of `*`.
#[derive(Debug, Clone)]
enum Constraint {
    Any,
    Compare {
        op: Op,
        version: Box<str>,
        branch: bool,
        tokens: Vec<Token>,
    },
}

impl Constraint {
    fn new(op: Op, version: String) -> Constraint {
        Constraint::Compare {
            op,
            branch: is_branch(&version),
            tokens: php_tokens(&version),
            version: version.into(),
        }
    }

    /// `Constraint::matchSpecific` against `== version` (either way round,
    /// the result is the same), via `Constraint::versionCompare` without
    /// branch comparison: a branch only equals itself.
    fn matches(&self, version: &Version) -> bool {
        let Constraint::Compare {
            op,
            version: wanted,
            branch,
            tokens,
        } = self
        else {
            return true;
        };
        let any_branch = *branch || version.branch;
        match op {
            Op::Ne if any_branch => *version.normalized != **wanted,
            Op::Eq if *branch && version.branch => *version.normalized == **wanted,
            _ if any_branch => false,
            _ => op.accepts(php_compare(&version.tokens, tokens)),
        }
    }

    fn compare_parts(&self) -> Option<(Op, &str)> {
        match self {
            Constraint::Any => None,
            Constraint::Compare { op, version, .. } => Some((*op, version)),
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constraint::Any => f.write_str("*"),
            Constraint::Compare { op, version, .. } => {
                write!(f, "{} {}", op_spelling(*op), version)
            }
        }
    }
}

/// A Composer constraint (`VersionParser::parseConstraints`): alternatives
/// separated by `||`, each a list of constraints that must all hold.
#[derive(Debug, Clone)]
pub struct Range {
    alternatives: Vec<Vec<Constraint>>,
}

impl Range {
    /// Parses a constraint such as `^1.2 || ~2.0`, `>=1.0 <2.0`, `1.0 - 2.0`, `1.2.*`.
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Composer, ErrorKind::Range, input)?;
        let mut alternatives = Vec::new();
        for alternative in split_or(php_trim(input)) {
            let mut all = Vec::new();
            for part in split_and(alternative) {
                let parsed = parse_constraint(part)
                    .map_err(|reason| Error::range(Scheme::Composer, input, reason))?;
                all.extend(parsed);
            }
            alternatives.push(all);
        }
        Ok(Range {
            alternatives: merge_contiguous(alternatives),
        })
    }

    /// `Semver::satisfies`: some alternative has all of its constraints hold.
    pub fn contains(&self, version: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|all| all.iter().all(|constraint| constraint.matches(version)))
    }
}

impl_from_str_via_parse!(Range);

/// Composer's own text form (`MultiConstraint::__toString`): `[a b]` for
/// constraints that must all hold, `[x || y]` for alternatives.
impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let many = self.alternatives.len() > 1;
        if many {
            f.write_str("[")?;
        }
        for (i, all) in self.alternatives.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            if all.len() > 1 {
                f.write_str("[")?;
            }
            for (j, constraint) in all.iter().enumerate() {
                if j > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{constraint}")?;
            }
            if all.len() > 1 {
                f.write_str("]")?;
            }
        }
        if many {
            f.write_str("]")?;
        }
        Ok(())
    }
}

/// `MultiConstraint::optimizeConstraints` for `||`: `[>= a < b] || [>= b < c]`
/// becomes `[>= a < c]` (even when that is not the union, as in Composer).
fn merge_contiguous(alternatives: Vec<Vec<Constraint>>) -> Vec<Vec<Constraint>> {
    let mut merged: Vec<Vec<Constraint>> = Vec::with_capacity(alternatives.len());
    for right in alternatives {
        if let Some(left) = merged.last_mut()
            && let Some(upper) = joinable(left, &right)
        {
            left.truncate(1);
            left.push(upper);
            continue;
        }
        merged.push(right);
    }
    merged
}

/// The upper bound of `right` when `left` is `>= a, < b` and `right` is
/// `>= b, <[=] c`.
fn joinable(left: &[Constraint], right: &[Constraint]) -> Option<Constraint> {
    let [left_low, left_high] = left else {
        return None;
    };
    let [right_low, right_high] = right else {
        return None;
    };
    let (Op::Ge, _) = left_low.compare_parts()? else {
        return None;
    };
    let (Op::Lt, left_end) = left_high.compare_parts()? else {
        return None;
    };
    let (Op::Ge, right_start) = right_low.compare_parts()? else {
        return None;
    };
    let (Op::Lt | Op::Le, _) = right_high.compare_parts()? else {
        return None;
    };
    (left_end == right_start).then(|| right_high.clone())
}

/// `preg_split('{\s*\|\|?\s*}', ...)`.
fn split_or(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if at(b, i) != Some(b'|') {
            i += 1;
            continue;
        }
        let mut cut = i;
        while cut > start && is(b, cut - 1, is_space) {
            cut -= 1;
        }
        let mut end = i + 1;
        if at(b, end) == Some(b'|') {
            end += 1;
        }
        end = run_end(b, end, is_space);
        pieces.push(sub(s, start, cut));
        start = end;
        i = end;
    }
    pieces.push(sub(s, start, b.len()));
    pieces
}

/// `preg_split('{(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)}', ...)`:
/// spaces or a comma separate constraints, except after an operator, around
/// the `-` of a hyphen range, and around `as`.
fn split_and(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut p = 0;
    while p < b.len() {
        match and_separator_at(b, p) {
            Some(end) => {
                pieces.push(sub(s, start, p));
                start = end;
                p = end;
            }
            None => p += 1,
        }
    }
    pieces.push(sub(s, start, b.len()));
    pieces
}

/// The end of an AND separator starting at `p`, trying the space counts in
/// PCRE's (greedy, backtracking) order.
fn and_separator_at(b: &[u8], p: usize) -> Option<usize> {
    let before = p.checked_sub(1).and_then(|i| at(b, i))?;
    if matches!(before, b'=' | b'>' | b'<' | b' ' | b',')
        || (p >= 2 && has_word(b, p - 2, "as", false))
    {
        return None;
    }
    let spaces = run_end(b, p, |c| c == b' ') - p;
    for q in (p..=p + spaces).rev() {
        let separator = is(b, q, |c| c == b',' || c == b' ');
        let dash_around = (q > 0 && at(b, q - 1) == Some(b'-')) || at(b, q + 1) == Some(b'-');
        if !separator || dash_around {
            continue;
        }
        let after = run_end(b, q + 1, |c| c == b' ');
        for r in (q + 1..=after).rev() {
            let next_ok = at(b, r) != Some(b',') && !has_word(b, r, "as", false) && !at_end(b, r);
            if next_ok {
                return Some(r);
            }
        }
    }
    None
}

/// The groups of `$versionRegex` in `parseConstraint`:
/// `v?(\d++)(?:\.(\d++))?(?:\.(\d++))?(?:\.(\d++))?(?:<modifier>|\.([xX*][.-]?dev))(?:\+[^\s]+)?`.
#[derive(Debug, Clone, Copy, Default)]
struct VersionMatch<'a> {
    text: &'a str,
    numbers: [Option<&'a str>; 4],
    modifier: Modifier<'a>,
    x_dev: bool,
}

impl VersionMatch<'_> {
    /// No stability and no `-dev`: Composer then adds `-dev` to lower bounds.
    fn is_plain(&self) -> bool {
        self.modifier.stability.is_none() && !self.modifier.dev && !self.x_dev
    }

    /// The 1-based index of the last number given.
    fn last_number(&self) -> usize {
        self.numbers
            .iter()
            .rposition(Option::is_some)
            .map_or(1, |i| i + 1)
    }
}

/// Matches `$versionRegex` at `start`; `rest` must accept the position after it.
fn match_version<'a>(
    s: &'a str,
    start: usize,
    rest: &mut dyn FnMut(usize) -> bool,
) -> Option<VersionMatch<'a>> {
    let b = s.as_bytes();
    let mut pos = start + v_prefix(b, start);
    let mut numbers = [None; 4];
    for (i, slot) in numbers.iter_mut().enumerate() {
        let digits_at = if i == 0 { pos } else { pos + 1 };
        if i > 0 && at(b, pos) != Some(b'.') {
            break;
        }
        let end = digits_end(b, digits_at);
        if end == digits_at {
            break;
        }
        *slot = Some(sub(s, digits_at, end));
        pos = end;
    }
    numbers.first().copied().flatten()?;
    let mut matched_end = pos;
    let mut with_build = |end: usize| -> bool {
        for candidate in build_options(b, end).into_iter().flatten() {
            if rest(candidate) {
                matched_end = candidate;
                return true;
            }
        }
        false
    };
    let found =
        if let Some((_, modifier)) = match_modifier(s, pos, true, &mut |end, _| with_build(end)) {
            Some(VersionMatch {
                modifier,
                ..VersionMatch::default()
            })
        } else {
            x_dev_options(b, pos)
                .into_iter()
                .flatten()
                .any(&mut with_build)
                .then(|| VersionMatch {
                    x_dev: true,
                    ..VersionMatch::default()
                })
        };
    found.map(|found| VersionMatch {
        text: sub(s, start, matched_end),
        numbers,
        ..found
    })
}

/// `(?:\+[^\s]+)?`: with the build suffix first, then without.
fn build_options(b: &[u8], pos: usize) -> [Option<usize>; 2] {
    let with_build = if at(b, pos) == Some(b'+') {
        let end = run_end(b, pos + 1, |c| !is_space(c));
        (end > pos + 1).then_some(end)
    } else {
        None
    };
    [with_build, Some(pos)]
}

/// `\.([xX*][.-]?dev)`.
fn x_dev_options(b: &[u8], pos: usize) -> [Option<usize>; 2] {
    if at(b, pos) != Some(b'.') || !is(b, pos + 1, |c| matches!(c, b'x' | b'X' | b'*')) {
        return [None, None];
    }
    let after = pos + 2;
    let with_separator = (is(b, after, |c| matches!(c, b'.' | b'-'))
        && has_word(b, after + 1, "dev", true))
    .then_some(after + 4);
    let without = has_word(b, after, "dev", true).then_some(after + 3);
    [with_separator, without]
}

/// `VersionParser::parseConstraint`: one constraint, which may expand to two.
fn parse_constraint(text: &str) -> Result<Vec<Constraint>, String> {
    let text = strip_alias(text);
    let (text, stability) = match constraint_stability_flag(text) {
        Some((rest, flag)) => (
            if rest.is_empty() { "*" } else { rest },
            (flag != "stable").then_some(flag),
        ),
        None => (text, None),
    };
    let text = strip_reference(text);
    if let Some(any_version) = match_all(text) {
        // `*`, `x` match everything; `v*`, `*.*` mean `>= 0.0.0.0-dev`.
        return Ok(vec![if any_version {
            Constraint::new(Op::Ge, "0.0.0.0-dev".into())
        } else {
            Constraint::Any
        }]);
    }
    let b = text.as_bytes();
    if at(b, 0) == Some(b'~') {
        if at(b, 1) == Some(b'>') && match_version(text, 2, &mut |end| at_end(b, end)).is_some() {
            return Err(format!(
                "invalid operator \"~>\" in {text:?}, Composer uses \"~\""
            ));
        }
        if let Some(found) = match_version(text, 1, &mut |end| at_end(b, end)) {
            return tilde(text, &found);
        }
    }
    if at(b, 0) == Some(b'^')
        && let Some(found) = match_version(text, 1, &mut |end| at_end(b, end))
    {
        return caret(text, &found);
    }
    if let Some(constraints) = wildcard(text) {
        return Ok(constraints);
    }
    if let Some(constraints) = hyphen(text)? {
        return Ok(constraints);
    }
    comparison(text, stability)
}

/// `^([^,\s]*?)@(stable|RC|beta|alpha|dev)$` (case-insensitive).
fn constraint_stability_flag(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let limit = run_end(b, 0, |c| c != b',' && !is_space(c));
    for at_sign in (0..=limit).filter(|&i| at(b, i) == Some(b'@')) {
        for word in ["stable", "RC", "beta", "alpha", "dev"] {
            if has_word(b, at_sign + 1, word, true) && at_end(b, at_sign + 1 + word.len()) {
                return Some((
                    sub(text, 0, at_sign),
                    sub(text, at_sign + 1, at_sign + 1 + word.len()),
                ));
            }
        }
    }
    None
}

/// `^(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+$` (case-insensitive): `#ref` is dropped.
fn strip_reference(text: &str) -> &str {
    let b = text.as_bytes();
    let limit = run_end(b, 0, |c| c != b',' && c != b'@' && !is_space(c));
    let line = LastLine::of(b);
    let reference_ok = |hash: usize| line.rest_matches_non_empty(hash + 1);
    let hashes = || (1..=limit).filter(|&i| at(b, i) == Some(b'#'));
    if has_word(b, 0, "dev-", true)
        && let Some(hash) = hashes().find(|&hash| hash > 4 && reference_ok(hash))
    {
        return sub(text, 0, hash);
    }
    if let Some(hash) = hashes()
        .find(|&hash| hash > 6 && has_word(b, hash - 6, ".x-dev", true) && reference_ok(hash))
    {
        return sub(text, 0, hash);
    }
    text
}

/// `^(v)?[xX*](\.[xX*])*$` (case-insensitive): `Some(true)` when a `v` or a
/// second wildcard is present.
fn match_all(text: &str) -> Option<bool> {
    let b = text.as_bytes();
    let is_wild = |c: u8| matches!(c, b'x' | b'X' | b'*');
    let start = v_prefix(b, 0);
    if !is(b, start, is_wild) {
        return None;
    }
    let mut pos = start + 1;
    while at(b, pos) == Some(b'.') && is(b, pos + 1, is_wild) {
        pos += 2;
    }
    at_end(b, pos).then_some(start == 1 || pos > start + 1)
}

/// `~1.2.3`: at least 1.2.3 (with `-dev` unless a stability is given),
/// below 1.3.
fn tilde(text: &str, found: &VersionMatch<'_>) -> Result<Vec<Constraint>, String> {
    let mut position = found.last_number();
    // `2.x-dev` shifts the position, as if the x were a number.
    if found.x_dev {
        position += 1;
    }
    let low = lower_bound(text, found)?;
    let high = bump(found.numbers, position.saturating_sub(1).max(1)) + "-dev";
    Ok(vec![
        Constraint::new(Op::Ge, low),
        Constraint::new(Op::Lt, high),
    ])
}

/// `^1.2.3`: up to the next change of the left-most non-zero number.
fn caret(text: &str, found: &VersionMatch<'_>) -> Result<Vec<Constraint>, String> {
    let [major, minor, patch, _] = found.numbers;
    // String comparison with '0', as in Composer ("00" counts as non-zero).
    let position = if major != Some("0") || minor.is_none() {
        1
    } else if minor != Some("0") || patch.is_none() {
        2
    } else {
        3
    };
    let low = lower_bound(text, found)?;
    let high = bump(found.numbers, position) + "-dev";
    Ok(vec![
        Constraint::new(Op::Ge, low),
        Constraint::new(Op::Lt, high),
    ])
}

/// The lower bound of `~`/`^`: the rest of the constraint, with `-dev` added
/// before normalising when no stability is given.
fn lower_bound(text: &str, found: &VersionMatch<'_>) -> Result<String, String> {
    let mut low = sub(text, 1, text.len()).to_owned();
    if found.is_plain() {
        low.push_str("-dev");
    }
    normalize(&low).map_err(|reason| format!("{low:?}: {reason}"))
}

/// `^v?(\d++)(?:\.(\d++))?(?:\.(\d++))?(?:\.[xX*])++$` (case-sensitive):
/// `1.2.*` is `>= 1.2.0.0-dev, < 1.3.0.0-dev`.
fn wildcard(text: &str) -> Option<Vec<Constraint>> {
    let b = text.as_bytes();
    let mut pos = usize::from(at(b, 0) == Some(b'v'));
    let mut numbers = [None; 4];
    for (i, slot) in numbers.iter_mut().take(3).enumerate() {
        let digits_at = if i == 0 { pos } else { pos + 1 };
        if i > 0 && at(b, pos) != Some(b'.') {
            break;
        }
        let end = digits_end(b, digits_at);
        if end == digits_at {
            break;
        }
        *slot = Some(sub(text, digits_at, end));
        pos = end;
    }
    numbers.first().copied().flatten()?;
    let wild_start = pos;
    while at(b, pos) == Some(b'.') && is(b, pos + 1, |c| matches!(c, b'x' | b'X' | b'*')) {
        pos += 2;
    }
    if pos == wild_start || !at_end(b, pos) {
        return None;
    }
    let position = numbers
        .iter()
        .rposition(Option::is_some)
        .map_or(1, |i| i + 1);
    let low = pad_after(numbers, position) + "-dev";
    let high = Constraint::new(Op::Lt, bump(numbers, position) + "-dev");
    Some(if low == "0.0.0.0-dev" {
        vec![high]
    } else {
        vec![Constraint::new(Op::Ge, low), high]
    })
}

/// `^(?P<from>$versionRegex) +- +(?P<to>$versionRegex)($)`: an inclusive
/// range; a partial upper bound includes everything that starts with it.
fn hyphen(text: &str) -> Result<Option<Vec<Constraint>>, String> {
    let b = text.as_bytes();
    let mut to = None;
    let from = match_version(text, 0, &mut |end| {
        let dash = run_end(b, end, |c| c == b' ');
        if dash == end || at(b, dash) != Some(b'-') {
            return false;
        }
        let to_start = run_end(b, dash + 1, |c| c == b' ');
        if to_start == dash + 1 {
            return false;
        }
        to = match_version(text, to_start, &mut |e| at_end(b, e));
        to.is_some()
    });
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(None);
    };
    let mut low = normalize(from.text).map_err(|reason| format!("{:?}: {reason}", from.text))?;
    if from.is_plain() {
        low.push_str("-dev");
    }
    let high_normalized =
        normalize(to.text).map_err(|reason| format!("{:?}: {reason}", to.text))?;
    let [_, minor, patch, _] = to.numbers;
    let upper = if (minor.is_some() && patch.is_some()) || !to.is_plain() {
        Constraint::new(Op::Le, high_normalized)
    } else {
        let position = if minor.is_none() { 1 } else { 2 };
        Constraint::new(Op::Lt, bump(to.numbers, position) + "-dev")
    };
    Ok(Some(vec![Constraint::new(Op::Ge, low), upper]))
}

/// `^(<>|!=|>=?|<=?|==?)?\s*(.*)`: an operator and a version.
fn comparison(text: &str, stability: Option<&str>) -> Result<Vec<Constraint>, String> {
    let b = text.as_bytes();
    let operators = [
        ("<>", Op::Ne),
        ("!=", Op::Ne),
        (">=", Op::Ge),
        (">", Op::Gt),
        ("<=", Op::Le),
        ("<", Op::Lt),
        ("==", Op::Eq),
        ("=", Op::Eq),
    ];
    let (op, op_len) = operators
        .iter()
        .find(|(symbol, _)| has_word(b, 0, symbol, false))
        .map_or((Op::Eq, 0), |&(symbol, op)| (op, symbol.len()));
    let version_start = run_end(b, op_len, is_space);
    // `.` stops at a newline.
    let version_end = run_end(b, version_start, |c| c != b'\n');
    let version_text = sub(text, version_start, version_end);
    let mut version = match normalize(version_text) {
        Ok(version) => version,
        // `foo-dev` is read as `dev-foo`.
        Err(_)
            if version_text.ends_with("-dev")
                && version_text
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'/')) =>
        {
            normalize(&format!(
                "dev-{}",
                sub(version_text, 0, version_text.len() - 4)
            ))
            .map_err(|reason| format!("{text:?}: {reason}"))?
        }
        Err(reason) => return Err(format!("{text:?}: {reason}")),
    };
    match stability {
        Some(flag) if op != Op::Eq && is_stable(&version) => {
            version.push('-');
            version.push_str(flag);
        }
        _ if matches!(op, Op::Lt | Op::Ge)
            && !has_modifier_after_dash(&version_text.to_ascii_lowercase())
            && !version_text.starts_with("dev-") =>
        {
            // `>= 1.0` includes 1.0's pre-releases: `>= 1.0.0.0-dev`.
            version.push_str("-dev");
        }
        _ => {}
    }
    Ok(vec![Constraint::new(op, version)])
}

/// `preg_match('/-' . $modifierRegex . '$/', ...)`, case-sensitive.
fn has_modifier_after_dash(lower: &str) -> bool {
    let b = lower.as_bytes();
    (0..b.len())
        .filter(|&i| at(b, i) == Some(b'-'))
        .any(|i| match_modifier(lower, i + 1, false, &mut |end, _| at_end(b, end)).is_some())
}

/// `VersionParser::parseStability(...) === 'stable'`.
fn is_stable(version: &str) -> bool {
    let version = strip_hash_suffix(version);
    if version.starts_with("dev-") || version.ends_with("-dev") {
        return false;
    }
    let lower = version.to_ascii_lowercase();
    let b = lower.as_bytes();
    let line = LastLine::of(b);
    let build_then_end =
        |end: usize| (at(b, end) == Some(b'+') && line.rest_matches(end + 1)) || at_end(b, end);
    // The leftmost match decides.
    for start in 0..=b.len() {
        if let Some((_, modifier)) =
            match_modifier(&lower, start, true, &mut |end, _| build_then_end(end))
        {
            if modifier.dev {
                return false;
            }
            return !matches!(
                modifier.stability,
                Some("beta" | "b" | "alpha" | "a" | "rc")
            );
        }
    }
    true
}

/// `preg_replace('{#.+$}', '', ...)`.
fn strip_hash_suffix(version: &str) -> &str {
    let b = version.as_bytes();
    let line = LastLine::of(b);
    (0..b.len())
        .filter(|&i| at(b, i) == Some(b'#'))
        .find(|&i| line.rest_matches_non_empty(i + 1))
        .map_or(version, |i| sub(version, 0, i))
}

/// `manipulateVersionString($matches, $position)`: numbers after `position`
/// become 0.
fn pad_after(numbers: [Option<&str>; 4], position: usize) -> String {
    join_numbers(numbers.map(|n| n.unwrap_or_default().to_owned()), position)
}

/// `manipulateVersionString($matches, $position, 1)`: the number at
/// `position` goes up by one (PHP arithmetic), later ones become 0.
fn bump(numbers: [Option<&str>; 4], position: usize) -> String {
    let mut parts = numbers.map(|n| n.unwrap_or_default().to_owned());
    if let Some(part) = position.checked_sub(1).and_then(|i| parts.get_mut(i)) {
        *part = php_increment(part);
    }
    join_numbers(parts, position)
}

fn join_numbers(mut parts: [String; 4], position: usize) -> String {
    for (i, part) in parts.iter_mut().enumerate() {
        if i + 1 > position {
            *part = "0".into();
        }
    }
    parts.join(".")
}

/// `$digits + 1` in PHP: an integer while it fits in 64 bits, else a float
/// printed with `precision=14` (`9.2233720368548E+18`, `INF`).
fn php_increment(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    let value = if trimmed.is_empty() {
        Some(0)
    } else {
        trimmed.parse::<i64>().ok()
    };
    if let Some(next) = value.and_then(|n| n.checked_add(1)) {
        return next.to_string();
    }
    let float = digits.parse::<f64>().unwrap_or(f64::INFINITY) + 1.0;
    php_float_to_string(float)
}

/// PHP's `(string)$float` for large values: 14 significant digits in
/// exponent form.
fn php_float_to_string(value: f64) -> String {
    if value.is_infinite() {
        return "INF".into();
    }
    let formatted = format!("{value:.13e}");
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let mantissa = mantissa.trim_end_matches('0');
    let mantissa = if mantissa.ends_with('.') {
        format!("{mantissa}0")
    } else {
        mantissa.to_owned()
    };
    let sign = if exponent.starts_with('-') { '-' } else { '+' };
    format!("{mantissa}E{sign}{}", exponent.trim_start_matches('-'))
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
    fn normalize_pads_and_expands() {
        let cases = [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("0", "0.0.0.0"),
            ("v1.0.0", "1.0.0.0"),
            (" 1.0.0 ", "1.0.0.0"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"),
            ("1.0.0+foo as 2.0", "1.0.0.0"),
            ("1.0.0+foo@dev", "1.0.0.0"),
            ("1.0-Stable", "1.0.0.0-stable"),
            ("1.0-stable-dev", "1.0.0.0"),
            ("000.001.003.004", "000.001.003.004"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input).as_deref(), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn normalize_dates_and_branches() {
        let cases = [
            ("2010.01", "2010.01.0.0"),
            ("2010-01-02", "2010.01.02"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("v20100102", "20100102"),
            ("20100102203040-10", "20100102203040.10"),
            ("201903.0-p2", "201903.0-patch2"),
            (
                "20100102.203040.x-dev",
                "20100102.203040.9999999.9999999-dev",
            ),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("master", "dev-master"),
            ("DEV-FOOBAR", "dev-FOOBAR"),
            ("dev-feature+issue-1", "dev-feature+issue-1"),
            ("dev-foo bar", "dev-foo bar"),
            ("dev-master as 1.0.0", "dev-master"),
            (
                "dev-load-varnish-only-when-used@dev as ^2.0@dev",
                "dev-load-varnish-only-when-used",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input).as_deref(), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn invalid_versions_are_refused() {
        for bad in [
            "",
            "   ",
            "a",
            "1.0.0-meh",
            "1.0.0.0.0",
            "feature-foo",
            "1.0.0+foo bar",
            "1.0.1-SNAPSHOT",
            "1.0.0<1.0.5-dev",
            "foo bar-dev",
            "1.0 .2",
            " as ",
            "^1",
            "~1",
            "1.*",
            "12345678901234567890",
            "1.2.3.4.5",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn version_compare_special_forms() {
        assert!(v("1.0-dev") < v("1.0a1"));
        assert!(v("1.0a1") < v("1.0b1"));
        assert!(v("1.0b1") < v("1.0RC1"));
        assert!(v("1.0RC1") < v("1.0"));
        assert!(v("1.0") < v("1.0pl1"));
        assert_eq!(v("1.25.0-beta2.1"), v("1.25.0-b.2.1"));
        assert!(v("1.25.0-b-2.1") < v("1.25.0-rc"));
        // An unknown word sorts below dev ("1.0-Stable" keeps its word).
        assert!(v("1.0-Stable") < v("1.0-dev"));
        // strtol saturates, so very long numbers tie.
        assert_eq!(v("1.99999999999999999999"), v("1.99999999999999999998"));
    }

    #[test]
    fn branches_sort_below_releases_and_equal_only_themselves() {
        assert!(v("dev-foo") < v("1.0"));
        assert!(v("dev-foo") < v("dev-master"));
        assert!(v("1.0") < v("dev-master"));
        assert_eq!(v("master"), v("dev-master"));
        assert_eq!(v("dev-foo"), v("dev-foo"));
        assert_ne!(v("dev-foo"), v("dev-bar"));
    }

    #[test]
    fn tokens_follow_php_canonicalization() {
        use Token::*;
        assert_eq!(
            php_tokens("1.0.0.0-beta2"),
            [Number(1), Number(0), Number(0), Number(0), Beta, Number(2)]
        );
        assert_eq!(php_tokens("dev-feature/x"), [Dev, Other, Other]);
        assert_eq!(php_tokens("dev-x-"), [Dev, Other, Empty]);
        assert!(php_compare(&php_tokens("1.0."), &php_tokens("1.0")).is_lt());
    }

    #[test]
    fn constraints_read_as_composer_reads_them() {
        let cases = [
            ("*", "*"),
            ("v*", ">= 0.0.0.0-dev"),
            ("<>1.0.0", "!= 1.0.0.0"),
            ("<1.2.3.4", "< 1.2.3.4-dev"),
            ("<=1.2.3", "<= 1.2.3.0"),
            (">=1.2.3.4-stable", ">= 1.2.3.4"),
            ("<1.0-rc1", "< 1.0.0.0-RC1-dev"),
            (">=1.0@beta", ">= 1.0.0.0-beta"),
            ("foobar-dev", "== dev-foobar"),
            ("1.0.x-dev#abcd123", "== 1.0.9999999.9999999-dev"),
            ("0.x", "< 1.0.0.0-dev"),
            ("2.1.3.*", "[>= 2.1.3.0-dev < 2.1.4.0-dev]"),
            ("~1.2-beta", "[>= 1.2.0.0-beta < 2.0.0.0-dev]"),
            ("~2.0.3.x-dev", "[>= 2.0.3.9999999-dev < 2.0.4.0-dev]"),
            ("^0.0.3", "[>= 0.0.3.0-dev < 0.0.4.0-dev]"),
            ("^1.", "[>= 1.0.0.0-dev < 2.0.0.0-dev]"),
            ("1 - 2.0", "[>= 1.0.0.0-dev < 2.1.0.0-dev]"),
            ("1.2-beta - 2.3-dev", "[>= 1.2.0.0-beta <= 2.3.0.0-dev]"),
            ("> 2.0  ,  <=  3.0", "[> 2.0.0.0 <= 3.0.0.0]"),
            (
                ">2.0,<2.0.5 | >2.0.6",
                "[[> 2.0.0.0 < 2.0.5.0-dev] || > 2.0.6.0]",
            ),
            (">2.0@stable,@dev", "[> 2.0.0.0 *]"),
            (
                "foobar-dev as 2.1.0 || 3.5 as 1.5",
                "[== dev-foobar || == 3.5.0.0]",
            ),
            // Contiguous alternatives merge, as MultiConstraint::create does.
            ("~1.0 || ~2.0", "[>= 1.0.0.0-dev < 3.0.0.0-dev]"),
            // PHP turns an overflowing integer into a float.
            (
                "^9223372036854775807",
                "[>= 9223372036854775807-dev < 9.2233720368548E+18.0.0.0-dev]",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(r(input).to_string(), expected, "{input:?}");
        }
    }

    #[test]
    fn invalid_constraints_are_refused() {
        for bad in [
            "",
            "1.0.0-meh",
            ">2.0,,<=3.0",
            ">2.0 ||| <=3.0",
            ",^1@dev",
            "|| ^1@dev",
            "^1@dev ||",
            "^1@dev ,",
            "^2.0.*",
            "~2.x",
            "1.x - 2.*",
            "~>1.2",
            "1.0#abcd123",
            "*-dev",
            "^8 || ^",
            "~1 ~",
        ] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn satisfies_adds_dev_to_lower_bounds() {
        assert!(r(">1.2").contains(&v("1.3.0-beta")));
        assert!(r(">=1.2").contains(&v("1.2.0-alpha")));
        assert!(!r("<1.2.3").contains(&v("1.2.3-beta")));
        assert!(r("<=1.2.3").contains(&v("1.2.3-beta")));
        assert!(!r("^1.2.3").contains(&v("2.0.0-alpha")));
        assert!(!r("~v0.5.4-beta").contains(&v("0.5.4-alpha")));
    }

    #[test]
    fn branches_match_only_by_name() {
        assert!(r("dev-master").contains(&v("dev-master")));
        assert!(r("*").contains(&v("dev-master")));
        assert!(r("!=1.0").contains(&v("dev-foo")));
        // Unlike ordering, satisfies does not map dev-master to 9999999-dev.
        assert!(!r(">=1.0").contains(&v("dev-master")));
        assert!(!r(">=dev-foo").contains(&v("dev-foo")));
        assert!(r("1.x-dev").contains(&v("1.x-dev")));
    }

    #[test]
    fn stability_of_versions() {
        for stable in [
            "1",
            "3.2.1",
            "v3.2.1",
            "3.1.2-p1",
            "3.1.2-pl2",
            "3.1.2-patch",
        ] {
            assert!(is_stable(stable), "{stable}");
        }
        for unstable in [
            "v2.0.x-dev",
            "v2.0.x-dev#abc123",
            "3.0-RC2",
            "dev-master",
            "2.0B1",
            "1.2_a1",
            "1.0.0-alpha11+cs-1.1.0",
            "1-2_dev",
        ] {
            assert!(!is_stable(unstable), "{unstable}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "1.0",
            "v2.3.4-beta.1",
            "dev-main",
            "master",
            "2010-01-02",
            "1.x-dev",
            "1.0-Stable",
        ] {
            let version = v(text);
            assert_eq!(v(&version.to_string()), version, "{text:?}");
        }
    }

    #[test]
    fn php_increment_matches_php_arithmetic() {
        assert_eq!(php_increment("007"), "8");
        assert_eq!(php_increment("9223372036854775806"), "9223372036854775807");
        assert_eq!(php_increment("9223372036854775807"), "9.2233720368548E+18");
        assert_eq!(php_increment("99999999999999999999"), "1.0E+20");
        assert_eq!(php_increment(&"9".repeat(400)), "INF");
    }
}
