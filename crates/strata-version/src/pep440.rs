//! Python package versions (PEP 440) and PEP 440 specifier sets.
//!
//! Follows pypa/packaging 26.3: `packaging/version.py` (`Version`: parsing,
//! normalisation, `_cmpkey` ordering, `__str__`), `packaging/specifiers.py`
//! (`Specifier` / `SpecifierSet` syntax) and `packaging/_ranges.py` (what each
//! operator admits). [`Range::contains`] answers like
//! `SpecifierSet(spec, prereleases=True).contains(version)`: pre-releases are
//! matched like any other version.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::digits::{cmp_decimal, increment_decimal, trim_leading_zeros};
use crate::{Error, ErrorKind, Scheme, check_len};

/// Python's `str.isspace()`, which `\s` and `str.strip()` use: Unicode
/// White_Space plus the ASCII separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A non-negative integer of any size (Python ints are unbounded), kept as
/// its digits without leading zeros, so that equal numbers are equal text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Num(Box<str>);

impl Num {
    fn new(digits: &str) -> Num {
        Num(trim_leading_zeros(digits).into())
    }

    fn zero() -> Num {
        Num("0".into())
    }

    fn is_zero(&self) -> bool {
        &*self.0 == "0"
    }

    /// `n + 1` (used where packaging builds the next version).
    fn plus_one(&self) -> Num {
        Num(increment_decimal(&self.0).into())
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pre-release kinds after normalisation (`alpha`→a, `beta`→b, `c/pre/preview`→rc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum PreKind {
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    fn as_str(self) -> &'static str {
        match self {
            PreKind::Alpha => "a",
            PreKind::Beta => "b",
            PreKind::Rc => "rc",
        }
    }
}

/// One dot-separated part of a local version label. The variant order is the
/// sort order: PEP 440 (and `_cmpkey`) put strings before numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum LocalPart {
    Text(Box<str>),
    Number(Num),
}

impl fmt::Display for LocalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalPart::Text(text) => f.write_str(text),
            LocalPart::Number(number) => number.fmt(f),
        }
    }
}

/// A parsed version.
#[derive(Debug, Clone)]
pub struct Version {
    epoch: Num,
    release: Vec<Num>,
    /// Length of `release` without trailing zeros: `1.0.0 == 1` (`_cmpkey`).
    trimmed: usize,
    pre: Option<(PreKind, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Vec<LocalPart>>,
    /// The text as given: `===` compares it, not the normalised form.
    input: Box<str>,
}

/// The pieces of a version before it becomes a [`Version`].
struct Parts {
    epoch: Num,
    release: Vec<Num>,
    pre: Option<(PreKind, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Vec<LocalPart>>,
}

impl Version {
    /// Parses and normalises a version the way `packaging.version.Version` does.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Pep440, ErrorKind::Version, input)?;
        // The reference regex is wrapped in `\s*...\s*`.
        let text = input.trim_matches(is_py_space);
        let parts =
            parse_parts(text).map_err(|reason| Error::version(Scheme::Pep440, input, reason))?;
        Ok(Version::from_parts(parts, input.into()))
    }

    fn from_parts(parts: Parts, input: Box<str>) -> Version {
        let mut version = Version {
            epoch: parts.epoch,
            release: parts.release,
            trimmed: 0,
            pre: parts.pre,
            post: parts.post,
            dev: parts.dev,
            local: parts.local,
            input,
        };
        version.trimmed = trimmed_len(&version.release);
        version
    }

    /// A version packaging builds itself (a range bound): no local, and its
    /// normalised text as its input.
    fn derived(mut self) -> Version {
        self.local = None;
        self.trimmed = trimmed_len(&self.release);
        self.input = self.to_string().into();
        self
    }

    /// `epoch!release.dev0`: the smallest version with that release.
    fn release_dev0(epoch: &Num, release: Vec<Num>) -> Version {
        let parts = Parts {
            epoch: epoch.clone(),
            release,
            pre: None,
            post: None,
            dev: Some(Num::zero()),
            local: None,
        };
        Version::from_parts(parts, Box::default()).derived()
    }

    fn release_key(&self) -> &[Num] {
        self.release.get(..self.trimmed).unwrap_or(&self.release)
    }

    /// `_cmpkey`'s pre rank: dev-only releases sort before alphas, and
    /// releases without a pre-release after release candidates.
    fn pre_rank(&self) -> i8 {
        match (&self.pre, &self.post, &self.dev) {
            (None, None, Some(_)) => -1,
            (None, _, _) => 3,
            (Some((kind, _)), _, _) => *kind as i8,
        }
    }

    fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// Same epoch and release once trailing zeros are ignored.
    fn same_release(&self, other: &Version) -> bool {
        self.epoch == other.epoch && self.release_key() == other.release_key()
    }

    /// Same public version, locals ignored (`_make_below_after_locals`).
    fn same_public(&self, other: &Version) -> bool {
        self.same_release(other)
            && self.pre == other.pre
            && self.post == other.post
            && self.dev == other.dev
    }

    /// `str(item).lower() == spec.lower()` for `===`, without allocating.
    fn input_equals_lowercase(&self, lower: &str) -> bool {
        self.input
            .chars()
            .flat_map(char::to_lowercase)
            .eq(lower.chars())
    }
}

fn trimmed_len(release: &[Num]) -> usize {
    release
        .iter()
        .rposition(|n| !n.is_zero())
        .map_or(0, |i| i + 1)
}

impl_from_str_via_parse!(Version);

impl Ord for Version {
    /// The order of packaging's `_cmpkey`: epoch, trimmed release, then
    /// (pre rank, pre number, has post, post number, has no dev, dev number),
    /// then the local label (none sorts first).
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release_key().cmp(other.release_key()))
            .then_with(|| self.pre_rank().cmp(&other.pre_rank()))
            .then_with(|| pre_number(self).cmp(&pre_number(other)))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| self.dev.is_none().cmp(&other.dev.is_none()))
            .then_with(|| self.dev.cmp(&other.dev))
            .then_with(|| self.local.cmp(&other.local))
    }
}

fn pre_number(version: &Version) -> Option<&Num> {
    version.pre.as_ref().map(|(_, number)| number)
}

impl_order_via_cmp!(Version);

impl Hash for Version {
    /// Hashes exactly what `cmp` compares.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.epoch.hash(state);
        self.release_key().hash(state);
        self.pre_rank().hash(state);
        pre_number(self).hash(state);
        self.post.hash(state);
        self.dev.hash(state);
        self.local.hash(state);
    }
}

impl fmt::Display for Version {
    /// The normalised form, as `Version.__str__` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.epoch.is_zero() {
            write!(f, "{}!", self.epoch)?;
        }
        write_joined(f, &self.release)?;
        if let Some((kind, number)) = &self.pre {
            write!(f, "{}{number}", kind.as_str())?;
        }
        if let Some(post) = &self.post {
            write!(f, ".post{post}")?;
        }
        if let Some(dev) = &self.dev {
            write!(f, ".dev{dev}")?;
        }
        if let Some(local) = &self.local {
            f.write_str("+")?;
            write_joined(f, local)?;
        }
        Ok(())
    }
}

fn write_joined<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(".")?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

/// A cursor over ASCII text. The reference regex only matches ASCII inside a
/// version, so any other byte simply fails to match.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.rest().as_bytes().first() == Some(&byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// The optional `[._-]` separator the grammar allows around labels.
    fn eat_separator(&mut self) -> bool {
        self.eat(b'.') || self.eat(b'-') || self.eat(b'_')
    }

    /// The longest run of bytes matching `pred`, if any.
    fn take_while(&mut self, pred: fn(&u8) -> bool) -> Option<&'a str> {
        let len = self.rest().bytes().take_while(pred).count();
        let taken = self.rest().get(..len).filter(|s| !s.is_empty())?;
        self.pos += len;
        Some(taken)
    }

    fn digits(&mut self) -> Option<&'a str> {
        self.take_while(u8::is_ascii_digit)
    }

    /// The first of `words` (in regex alternation order) that the text
    /// starts with, case-insensitively.
    fn word(&mut self, words: &[&'static str]) -> Option<&'static str> {
        let rest = self.rest();
        let found = words.iter().copied().find(|word| {
            rest.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        })?;
        self.pos += found.len();
        Some(found)
    }

    /// Runs an optional group of the grammar: on failure nothing is consumed.
    /// The reference's groups are possessive, so a group that matched is kept.
    fn attempt<T>(&mut self, group: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.pos;
        let result = group(self);
        if result.is_none() {
            self.pos = start;
        }
        result
    }
}

/// Parses `VERSION_PATTERN` (version.py) on text with surrounding whitespace
/// already removed.
fn parse_parts(text: &str) -> Result<Parts, String> {
    let mut cur = Cursor { text, pos: 0 };
    cur.word(&["v"]);
    let epoch = cur.attempt(epoch).unwrap_or_else(Num::zero);
    let release = release(&mut cur).ok_or("expected a release number")?;
    let pre = cur.attempt(pre_release);
    let post = cur.attempt(post_release);
    let dev = cur.attempt(dev_release);
    let local = cur.attempt(local_label);
    match cur.rest() {
        "" => Ok(Parts {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        }),
        rest => Err(format!("unexpected {rest:?}")),
    }
}

/// `N!`
fn epoch(cur: &mut Cursor<'_>) -> Option<Num> {
    let digits = cur.digits()?;
    cur.eat(b'!').then(|| Num::new(digits))
}

/// `N(.N)*`
fn release(cur: &mut Cursor<'_>) -> Option<Vec<Num>> {
    let mut release = vec![Num::new(cur.digits()?)];
    while let Some(digits) = cur.attempt(|c| if c.eat(b'.') { c.digits() } else { None }) {
        release.push(Num::new(digits));
    }
    Some(release)
}

/// An optional number after a label; missing means 0 (`_parse_letter_version`).
fn label_number(cur: &mut Cursor<'_>) -> Num {
    cur.digits().map_or_else(Num::zero, Num::new)
}

/// `[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?N?`
fn pre_release(cur: &mut Cursor<'_>) -> Option<(PreKind, Num)> {
    cur.eat_separator();
    let kind = match cur.word(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"])? {
        "alpha" | "a" => PreKind::Alpha,
        "beta" | "b" => PreKind::Beta,
        _ => PreKind::Rc,
    };
    cur.eat_separator();
    Some((kind, label_number(cur)))
}

/// `-N` (implicit post release, `1.0-1`) or `[._-]?(post|rev|r)[._-]?N?`
fn post_release(cur: &mut Cursor<'_>) -> Option<Num> {
    let implicit = cur.attempt(|c| if c.eat(b'-') { c.digits() } else { None });
    if let Some(digits) = implicit {
        return Some(Num::new(digits));
    }
    cur.eat_separator();
    cur.word(&["post", "rev", "r"])?;
    cur.eat_separator();
    Some(label_number(cur))
}

/// `[._-]?dev[._-]?N?`
fn dev_release(cur: &mut Cursor<'_>) -> Option<Num> {
    cur.eat_separator();
    cur.word(&["dev"])?;
    cur.eat_separator();
    Some(label_number(cur))
}

/// `+label([._-]label)*`, parts lowercased, all-digit parts as numbers
/// (`_parse_local_version`).
fn local_label(cur: &mut Cursor<'_>) -> Option<Vec<LocalPart>> {
    if !cur.eat(b'+') {
        return None;
    }
    let mut parts = vec![local_part(cur.take_while(u8::is_ascii_alphanumeric)?)];
    while let Some(part) = cur.attempt(local_next) {
        parts.push(local_part(part));
    }
    Some(parts)
}

/// `[._-]label` after the first local part.
fn local_next<'a>(cur: &mut Cursor<'a>) -> Option<&'a str> {
    if cur.eat_separator() {
        cur.take_while(u8::is_ascii_alphanumeric)
    } else {
        None
    }
}

fn local_part(text: &str) -> LocalPart {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        LocalPart::Number(Num::new(text))
    } else {
        LocalPart::Text(text.to_ascii_lowercase().into())
    }
}

/// A specifier operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Compatible,
    Equal,
    NotEqual,
    LessEqual,
    GreaterEqual,
    Less,
    Greater,
    Arbitrary,
}

impl Op {
    /// Splits the operator off a specifier, longest spelling first.
    fn split(text: &str) -> Option<(Op, &str)> {
        const OPS: [(&str, Op); 8] = [
            ("===", Op::Arbitrary),
            ("~=", Op::Compatible),
            ("==", Op::Equal),
            ("!=", Op::NotEqual),
            ("<=", Op::LessEqual),
            (">=", Op::GreaterEqual),
            ("<", Op::Less),
            (">", Op::Greater),
        ];
        OPS.iter()
            .find_map(|(spelling, op)| text.strip_prefix(spelling).map(|rest| (*op, rest)))
    }

    fn as_str(self) -> &'static str {
        match self {
            Op::Compatible => "~=",
            Op::Equal => "==",
            Op::NotEqual => "!=",
            Op::LessEqual => "<=",
            Op::GreaterEqual => ">=",
            Op::Less => "<",
            Op::Greater => ">",
            Op::Arbitrary => "===",
        }
    }
}

/// What one specifier admits, with its bounds computed at parse time
/// (`standard_ranges` / `wildcard_ranges` in `_ranges.py`).
#[derive(Debug, Clone)]
enum Rule {
    /// `v >= bound`: `>=V`, and `>V.devN` / `>V.postN` as their next version.
    AtLeast(Version),
    /// `<=V`: at or below V, or V with any local label.
    AtMost(Version),
    /// `>V` (V without dev/post): above V, but not V's post releases or locals.
    AbovePosts(Version),
    /// `v < bound`: `<V` with V's own pre-releases already excluded.
    Below(Version),
    /// `==V`: locals of V match unless V has a local label itself.
    Equal(Version),
    NotEqual(Version),
    /// `low <= v < high`: `~=V` and `==V.*`.
    Between(Version, Version),
    /// `!=V.*`: outside `low <= v < high`.
    Outside(Version, Version),
    /// `===V`: the given text, case-insensitively (stored lowercased).
    Arbitrary(Box<str>),
}

impl Rule {
    fn contains(&self, v: &Version) -> bool {
        match self {
            Rule::AtLeast(bound) => v >= bound,
            Rule::AtMost(bound) => v <= bound || v.same_public(bound),
            Rule::AbovePosts(bound) => v > bound && !(v.same_release(bound) && v.pre == bound.pre),
            Rule::Below(bound) => v < bound,
            Rule::Equal(spec) => equals(v, spec),
            Rule::NotEqual(spec) => !equals(v, spec),
            Rule::Between(low, high) => low <= v && v < high,
            Rule::Outside(low, high) => !(low <= v && v < high),
            Rule::Arbitrary(lower) => v.input_equals_lowercase(lower),
        }
    }
}

/// `==V`: exact when V has a local label, else V's public version with any local.
fn equals(v: &Version, spec: &Version) -> bool {
    if spec.local.is_some() {
        v == spec
    } else {
        v.same_public(spec)
    }
}

/// One specifier of a set, e.g. `>=1.0`.
#[derive(Debug, Clone)]
struct Specifier {
    op: Op,
    /// The version text as written (stripped), for `Display`.
    text: Box<str>,
    rule: Rule,
}

impl Specifier {
    /// Parses one comma-free, stripped specifier (`Specifier._regex`).
    fn parse(spec: &str) -> Result<Specifier, String> {
        let (op, rest) = Op::split(spec)
            .ok_or_else(|| format!("{spec:?} has no operator (~= == != <= >= < > ===)"))?;
        let text = rest.trim_matches(is_py_space);
        let rule = match op {
            Op::Arbitrary => arbitrary_rule(text)?,
            Op::Equal | Op::NotEqual => match text.strip_suffix(".*") {
                Some(base) => prefix_rule(op, base)?,
                None => equality_rule(op, text)?,
            },
            _ => ordered_rule(op, text)?,
        };
        Ok(Specifier {
            op,
            text: text.into(),
            rule,
        })
    }
}

/// Parses the version of a specifier: no surrounding whitespace is allowed
/// here, as the regex has already consumed it.
fn spec_version(text: &str) -> Result<Version, String> {
    let parts = parse_parts(text).map_err(|reason| format!("version {text:?}: {reason}"))?;
    Ok(Version::from_parts(parts, text.into()))
}

/// `===` takes anything without whitespace, `;` or `)`, even nothing.
fn arbitrary_rule(text: &str) -> Result<Rule, String> {
    if text.chars().any(|c| is_py_space(c) || c == ';' || c == ')') {
        return Err(format!("=== version {text:?} has whitespace, ';' or ')'"));
    }
    Ok(Rule::Arbitrary(text.to_lowercase().into()))
}

/// `==V.*` / `!=V.*`: V is a bare release; matches `[V.dev0, next.dev0)`
/// where next bumps V's last number (`wildcard_ranges`).
fn prefix_rule(op: Op, base: &str) -> Result<Rule, String> {
    let version = spec_version(base)?;
    let bare = version.pre.is_none()
        && version.post.is_none()
        && version.dev.is_none()
        && version.local.is_none();
    if !bare {
        return Err(format!("{base:?}: a .* prefix must be a plain release"));
    }
    let high = next_prefix_dev0(&version.epoch, &version.release);
    let low = Version::release_dev0(&version.epoch, version.release);
    Ok(if op == Op::Equal {
        Rule::Between(low, high)
    } else {
        Rule::Outside(low, high)
    })
}

/// `epoch!a.b.(c+1).dev0` for release `a.b.c` (`_next_prefix_dev0`).
fn next_prefix_dev0(epoch: &Num, release: &[Num]) -> Version {
    let mut next = release.to_vec();
    if let Some(last) = next.last_mut() {
        *last = last.plus_one();
    }
    Version::release_dev0(epoch, next)
}

fn equality_rule(op: Op, text: &str) -> Result<Rule, String> {
    let version = spec_version(text)?;
    Ok(if op == Op::Equal {
        Rule::Equal(version)
    } else {
        Rule::NotEqual(version)
    })
}

/// `~=`, `<`, `<=`, `>`, `>=`: no local label, no `.*`.
fn ordered_rule(op: Op, text: &str) -> Result<Rule, String> {
    let version = spec_version(text)?;
    if version.local.is_some() {
        return Err(format!("{} does not allow a local version", op.as_str()));
    }
    match op {
        Op::Compatible => compatible_rule(version),
        Op::LessEqual => Ok(Rule::AtMost(version)),
        Op::GreaterEqual => Ok(Rule::AtLeast(version)),
        Op::Less => Ok(Rule::Below(less_bound(version))),
        _ => Ok(greater_rule(version)),
    }
}

/// `~=a.b.c` is `>=a.b.c, <a.(b+1).dev0`; it needs two release numbers.
fn compatible_rule(version: Version) -> Result<Rule, String> {
    let prefix = match version.release.split_last() {
        Some((_, prefix)) if !prefix.is_empty() => prefix,
        _ => return Err("~= needs at least two release numbers".into()),
    };
    let high = next_prefix_dev0(&version.epoch, prefix);
    Ok(Rule::Between(version, high))
}

/// `<V` for a final or post release V excludes V's pre-releases: the bound is
/// `V.dev0` (`standard_ranges`).
fn less_bound(version: Version) -> Version {
    if version.is_prerelease() {
        return version;
    }
    let mut bound = version;
    bound.dev = Some(Num::zero());
    bound.derived()
}

/// `>V`: `>V.devN` starts at `V.dev(N+1)`, `>V.postN` at `V.post(N+1).dev0`,
/// otherwise V's post releases are excluded (`standard_ranges`).
fn greater_rule(version: Version) -> Rule {
    let mut next = version.clone();
    if let Some(dev) = &version.dev {
        next.dev = Some(dev.plus_one());
    } else if let Some(post) = &version.post {
        next.post = Some(post.plus_one());
        next.dev = Some(Num::zero());
    } else {
        return Rule::AbovePosts(version);
    }
    Rule::AtLeast(next.derived())
}

/// A PEP 440 specifier set: comma-separated specifiers that must all match.
#[derive(Debug, Clone)]
pub struct Range {
    specs: Vec<Specifier>,
}

impl Range {
    /// Parses a specifier set as `SpecifierSet(input)` does. Empty pieces are
    /// skipped, so a set of only commas and whitespace matches every version.
    pub fn parse(input: &str) -> Result<Range, Error> {
        check_len(Scheme::Pep440, ErrorKind::Range, input)?;
        let specs = input
            .split(',')
            .map(|piece| piece.trim_matches(is_py_space))
            .filter(|piece| !piece.is_empty())
            .map(Specifier::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| Error::range(Scheme::Pep440, input, reason))?;
        Ok(Range { specs })
    }

    /// Whether every specifier admits `version`, pre-releases included.
    pub fn contains(&self, version: &Version) -> bool {
        self.specs.iter().all(|spec| spec.rule.contains(version))
    }
}

impl_from_str_via_parse!(Range);

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, spec) in self.specs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}{}", spec.op.as_str(), spec.text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn within(version: &str, range: &str) -> bool {
        Range::parse(range).unwrap().contains(&v(version))
    }

    #[test]
    fn normalises_spellings() {
        let cases = [
            ("1.0ALPHA1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre", "1.0rc0"),
            ("1.0preview_3", "1.0rc3"),
            ("1.0-1", "1.0.post1"),
            ("1.0rev", "1.0.post0"),
            ("1.0_r4", "1.0.post4"),
            ("1.0.post-", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("v1.0", "1.0"),
            ("  V01.002\n", "1.2"),
            ("\u{a0}1.0\u{1f}", "1.0"),
            ("0!1.0", "1.0"),
            ("01!1", "1!1"),
            ("1.0+Ubuntu-1_00", "1.0+ubuntu.1.0"),
            ("1.0a.post.dev", "1.0a0.post0.dev0"),
        ];
        for (input, normal) in cases {
            assert_eq!(v(input).to_string(), normal, "{input}");
            assert_eq!(v(normal), v(input), "{input}");
        }
    }

    #[test]
    fn rejects_invalid() {
        for input in [
            "",
            " ",
            "v",
            "1.",
            ".1",
            "1..2",
            "1.0-",
            "1.0+",
            "1.0+a..b",
            "1!",
            "!1",
            "1.0a1.1",
            "1.0.*",
            "1.0 a1",
            "१.0",
            "1.0+ä",
            "1-1-1",
            "1.0post1a1",
            "1,0",
        ] {
            assert!(Version::parse(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn orders_like_cmpkey() {
        let sorted = [
            "1.0.dev0",
            "1.0a1.dev1",
            "1.0a1",
            "1.0a1+local",
            "1.0a1.post1.dev1",
            "1.0a1.post1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+abc",
            "1.0+abc.5",
            "1.0+5",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.0.1",
            "1!0.1",
        ];
        for pair in sorted.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0.0"));
        assert_ne!(v("1.0+a"), v("1.0"));
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        let big = "123456789012345678901234567890123456789";
        assert!(v(&format!("1.{big}")) > v("1.99999999999999999999"));
        assert!(v(&format!("{big}!1")) > v("9!1"));
        assert!(within(&format!("1.{big}"), "==1.*"));
        assert!(within(
            "1.0.dev10000000000000000000000",
            ">1.0.dev9999999999999999999999"
        ));
        assert_eq!(Num::new("999").plus_one(), Num::new("1000"));
    }

    #[test]
    fn display_round_trips() {
        for input in ["1!2.0.0b3.post4.dev5+X.07", "2012.04-rc_01", "1.0-1"] {
            let version = v(input);
            assert_eq!(v(&version.to_string()), version);
        }
    }

    #[test]
    fn specifier_rules() {
        assert!(within("1.0+local", "==1.0"));
        assert!(!within("1.0+local", "==1.0+other"));
        assert!(!within("1.0+local", "!=1.0"));
        assert!(within("1.0.post1", ">=1.0"));
        assert!(!within("1.0.post1", ">1.0"));
        assert!(within("1.0.post2", ">1.0.post1"));
        assert!(!within("1.0a1", "<1.0"));
        assert!(within("1.0a1", "<1.0a2"));
        assert!(within("1.0+local", "<=1.0"));
        assert!(within("1.9", "~=1.2"));
        assert!(!within("2.0", "~=1.2"));
        assert!(!within("1.3", "~=1.2.0"));
        assert!(within("1.2.0a1", "==1.2.*"));
        assert!(!within("1.2.0a1", "!=1.2.*"));
        assert!(within("1.5", " >= 1.0 , < 2 ,"));
        assert!(within("1.0", ", ,"));
        assert!(within("1.0A1", "===1.0a1"));
        assert!(!within("1.0.0", "===1.0"));
    }

    #[test]
    fn rejects_invalid_specifiers() {
        for input in [
            "1.0",
            "=1.0",
            "~=1",
            "~=1.0.*",
            ">=1.0+local",
            "<1.*",
            "==1.0a1.*",
            "== 1.0 .*",
            "===a b",
            "===a;",
            ">=",
            "=>1.0",
        ] {
            assert!(Range::parse(input).is_err(), "{input:?}");
        }
        assert!(Range::parse("==1.0,").is_ok());
        assert!(Range::parse("===").is_ok());
    }

    #[test]
    fn range_display() {
        let range = Range::parse(" >= 1.0 ,!=1.5.*").unwrap();
        assert_eq!(range.to_string(), ">=1.0,!=1.5.*");
    }
}
