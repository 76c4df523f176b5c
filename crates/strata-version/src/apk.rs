//! Alpine apk package versions, following apk-tools `src/version.c`
//! (`apk_version_validate`, `apk_version_compare`) as on the 3.x master branch;
//! where 2.14-stable behaves differently (it accepts e.g. `1.0a1`, `1.`, `1-r`,
//! rejects `~hash` and 18+ digit numbers) the 3.x rules are used.
//!
//! Syntax: `digits{.digits}[letter]{_suffix[digits]}[~hexhash][-rdigits]`,
//! suffixes `alpha beta pre rc` (before the release) and `cvs svn git hg p`
//! (after it). Tokens are compared left to right; a number after a `.` that
//! starts with `0` is compared as a string (Gentoo's "fractional" rule).
//! When one version runs out of tokens first, the one with more tokens is
//! greater unless its next token is a pre-release suffix.
//!
//! [`Version::parse`] is strict (what `apk_version_validate` accepts).
//! [`compare_lenient`] is `apk_version_compare` on any two strings, which
//! stops comparing at the first token it cannot read.

use std::cmp::Ordering;
use std::fmt;

use crate::digits::cmp_decimal;
use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed apk version.
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    /// Every token up to (not including) the end.
    tokens: Vec<Stored>,
}

/// A token kept by [`Version`]: its kind plus where its text is.
#[derive(Debug, Clone, Copy)]
struct Stored {
    kind: Kind,
    suffix: Suffix,
    start: usize,
    end: usize,
}

/// Token kinds in the order version.c's `enum PARTS` gives them; that order
/// also decides which token may follow which, and who wins when one version
/// has a token where the other has a different one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix names in their sort order; those before `None` are pre-releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    /// version.c `suffix_value`: the whole `[a-z]*` run must be a known name.
    fn from_name(name: &str) -> Option<Suffix> {
        Some(match name {
            "alpha" => Suffix::Alpha,
            "beta" => Suffix::Beta,
            "pre" => Suffix::Pre,
            "rc" => Suffix::Rc,
            "cvs" => Suffix::Cvs,
            "svn" => Suffix::Svn,
            "git" => Suffix::Git,
            "hg" => Suffix::Hg,
            "p" => Suffix::P,
            _ => return None,
        })
    }

    fn is_pre_release(self) -> bool {
        self < Suffix::None
    }
}

/// One token: its kind, its text (digits without the `.`, the letter, the
/// suffix name, the hash) and, for an invalid one, why.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    suffix: Suffix,
    why: &'static str,
}

impl<'a> Token<'a> {
    fn new(kind: Kind, text: &'a str) -> Self {
        Token {
            kind,
            text,
            suffix: Suffix::None,
            why: "",
        }
    }

    fn end() -> Self {
        Token::new(Kind::End, "")
    }

    fn invalid(why: &'static str) -> Self {
        Token {
            why,
            ..Token::new(Kind::Invalid, "")
        }
    }
}

/// version.c `token_first` / `token_next`: reads tokens off the front of a
/// string. After the end or an invalid token it keeps returning that token.
struct Lexer<'a> {
    rest: &'a str,
    last: Option<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a str) -> Self {
        Lexer {
            rest: input,
            last: None,
        }
    }

    /// Byte offset of the unread rest within `input` (the lexed string).
    fn offset(&self, input: &str) -> usize {
        input.len().saturating_sub(self.rest.len())
    }

    fn next_token(&mut self) -> Token<'a> {
        let token = match self.last {
            None => self.digits(Kind::InitialDigit, "must start with a digit"),
            Some(last) if last.kind >= Kind::End => last,
            Some(last) => self.after(last.kind),
        };
        self.last = Some(token);
        token
    }

    /// The token after one of kind `prev`, checking that it may follow it.
    fn after(&mut self, prev: Kind) -> Token<'a> {
        let Some(&first) = self.rest.as_bytes().first() else {
            return Token::end();
        };
        match first {
            b'a'..=b'z' if prev <= Kind::Digit => self.letter(),
            b'a'..=b'z' => Token::invalid("a letter may only follow a number"),
            b'.' if prev <= Kind::Digit => {
                self.skip(1);
                self.digits(Kind::Digit, "'.' must be followed by digits")
            }
            b'.' => Token::invalid("'.' may only follow a number"),
            b'0'..=b'9' => match prev {
                Kind::InitialDigit | Kind::Digit => self.digits(Kind::Digit, ""),
                Kind::Suffix => self.digits(Kind::SuffixNo, ""),
                _ => Token::invalid("a number may not follow a letter, hash or number"),
            },
            b'_' if prev <= Kind::SuffixNo => self.suffix(),
            b'_' => Token::invalid("a '_' suffix may not follow the hash or revision"),
            b'~' if prev < Kind::CommitHash => self.hash(),
            b'~' => Token::invalid("a '~' hash may not follow the hash or revision"),
            b'-' if prev < Kind::RevisionNo => self.revision(),
            b'-' => Token::invalid("only one '-r' revision is allowed"),
            _ => Token::invalid("unexpected character"),
        }
    }

    fn skip(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or("");
    }

    /// Takes the longest prefix whose bytes satisfy `keep`.
    fn take(&mut self, keep: impl Fn(&u8) -> bool) -> &'a str {
        let len = self.rest.bytes().take_while(keep).count();
        let (head, tail) = self.rest.split_at_checked(len).unwrap_or((self.rest, ""));
        self.rest = tail;
        head
    }

    /// version.c `token_parse_digits`: no digits makes the token invalid.
    fn digits(&mut self, kind: Kind, why: &'static str) -> Token<'a> {
        let text = self.take(u8::is_ascii_digit);
        if text.is_empty() {
            return Token::invalid(why);
        }
        Token::new(kind, text)
    }

    fn letter(&mut self) -> Token<'a> {
        let (text, rest) = self.rest.split_at_checked(1).unwrap_or((self.rest, ""));
        self.rest = rest;
        Token::new(Kind::Letter, text)
    }

    fn suffix(&mut self) -> Token<'a> {
        self.skip(1);
        let name = self.take(u8::is_ascii_lowercase);
        match Suffix::from_name(name) {
            Some(suffix) => Token {
                suffix,
                ..Token::new(Kind::Suffix, name)
            },
            None => Token::invalid("unknown '_' suffix (alpha beta pre rc cvs svn git hg p)"),
        }
    }

    /// `~` and lowercase hex digits (a commit hash).
    fn hash(&mut self) -> Token<'a> {
        self.skip(1);
        let text = self.take(|c| c.is_ascii_digit() || matches!(c, b'a'..=b'f'));
        if text.is_empty() {
            return Token::invalid("'~' must be followed by lowercase hex digits");
        }
        Token::new(Kind::CommitHash, text)
    }

    fn revision(&mut self) -> Token<'a> {
        match self.rest.strip_prefix("-r") {
            Some(rest) => {
                self.rest = rest;
                self.digits(Kind::RevisionNo, "'-r' must be followed by digits")
            }
            None => Token::invalid("'-' must start a '-rN' revision"),
        }
    }
}

impl Version {
    /// Parses an apk version; anything `apk_version_validate` rejects is an error.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Apk, ErrorKind::Version, input)?;
        let mut lexer = Lexer::new(input);
        let mut tokens = Vec::new();
        loop {
            let token = lexer.next_token();
            match token.kind {
                Kind::End => break,
                Kind::Invalid => {
                    let at = lexer.offset(input);
                    let reason = format!("{} (at byte {at})", token.why);
                    return Err(Error::version(Scheme::Apk, input, reason));
                }
                kind => {
                    // a token's text always ends where the unread rest begins
                    let end = lexer.offset(input);
                    tokens.push(Stored {
                        kind,
                        suffix: token.suffix,
                        start: end.saturating_sub(token.text.len()),
                        end,
                    });
                }
            }
        }
        Ok(Version {
            text: input.to_owned(),
            tokens,
        })
    }

    /// The stored tokens followed by the end token, forever.
    fn token_stream(&self) -> impl Iterator<Item = Token<'_>> {
        self.tokens
            .iter()
            .map(|t| Token {
                kind: t.kind,
                text: self.text.get(t.start..t.end).unwrap_or(""),
                suffix: t.suffix,
                why: "",
            })
            .chain(std::iter::repeat(Token::end()))
    }
}

/// `apk_version_compare` on any two strings: tokens are compared until one
/// differs or either string ends or stops being a valid version; two strings
/// that go invalid at the same point compare equal there.
pub fn compare_lenient(a: &str, b: &str) -> Ordering {
    let mut la = Lexer::new(a);
    let mut lb = Lexer::new(b);
    compare_tokens(
        std::iter::from_fn(|| Some(la.next_token())),
        std::iter::from_fn(|| Some(lb.next_token())),
    )
}

/// version.c `apk_version_compare_fuzzy` (not fuzzy). Both streams must
/// eventually yield an `End` or `Invalid` token.
fn compare_tokens<'a, 'b>(
    mut a: impl Iterator<Item = Token<'a>>,
    mut b: impl Iterator<Item = Token<'b>>,
) -> Ordering {
    loop {
        let (Some(ta), Some(tb)) = (a.next(), b.next()) else {
            return Ordering::Equal;
        };
        if ta.kind != tb.kind || ta.kind >= Kind::End {
            return compare_tails(&ta, &tb);
        }
        match compare_values(&ta, &tb) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
}

/// Two tokens of the same kind (version.c `token_cmp`).
fn compare_values(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        // after a '.', a leading zero means string comparison (Gentoo rule)
        Kind::Digit if a.text.starts_with('0') || b.text.starts_with('0') => a.text.cmp(b.text),
        // By value, of any length (apk-tools 3.x reads them into a u64; exact
        // comparison only differs past 2^64).
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_decimal(a.text.as_bytes(), b.text.as_bytes())
        }
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        // letter, hash: byte order, a prefix sorts first (apk_blob_sort)
        _ => a.text.cmp(b.text),
    }
}

/// All earlier tokens were equal and now the kinds differ (or both ended):
/// the longer version wins unless it continues with a pre-release suffix.
fn compare_tails(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    if a.kind == b.kind {
        return Ordering::Equal;
    }
    if a.kind == Kind::Suffix && a.suffix.is_pre_release() {
        return Ordering::Less;
    }
    if b.kind == Kind::Suffix && b.suffix.is_pre_release() {
        return Ordering::Greater;
    }
    // a later kind (e.g. End) means fewer or lesser parts
    b.kind.cmp(&a.kind)
}

impl_from_str_via_parse!(Version);

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_tokens(self.token_stream(), other.token_stream())
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    /// The input as given.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn assert_order(list: &[&str]) {
        for pair in list.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]), "{} > {}", pair[1], pair[0]);
        }
    }

    #[test]
    fn valid_forms() {
        for s in [
            "0",
            "1.2.3",
            "1.2.3a",
            "1.2_alpha",
            "1.2_alpha1_pre2",
            "1.2_p1_pre2",
            "1.2_git20240101_pre1",
            "1.2_rc1~1234abcd-r3",
            "1.2-r0",
            "007",
            "1.0.0.0.0.0",
            "1.99999999999999999999999",
        ] {
            assert!(Version::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn invalid_forms() {
        for s in [
            "",
            "a",
            ".1",
            "_pre1",
            "-r1",
            "1.",
            "1..2",
            "1a1",
            "1ab",
            "1a.1",
            "1_",
            "1_foo",
            "1_pre_",
            "1__alpha",
            "1_1",
            "1_alpha.1",
            "1~",
            "1~xyz",
            "1~abc_pre1",
            "1-r",
            "1-r1-r2",
            "1-r1.1",
            "1-r1_p1",
            "1-r1~abc",
            "1-1",
            "1.0A",
            "1.0 ",
            "1.0é",
        ] {
            assert!(Version::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn error_names_the_problem() {
        let err = Version::parse("1.2_foo").unwrap_err();
        assert_eq!(err.scheme, Scheme::Apk);
        assert!(err.reason.contains("suffix"), "{}", err.reason);
        assert!(Version::parse(&"1.".repeat(600)).is_err());
    }

    #[test]
    fn numbers_and_letters() {
        assert_order(&["1.0", "1.0a", "1.0z", "1.0.1", "1.1", "1.9", "1.10", "2"]);
        assert_eq!(v("01"), v("1"));
        assert!(v("1.99999999999999999999") < v("1.100000000000000000000"));
    }

    #[test]
    fn leading_zero_compares_as_string() {
        // after a '.', "05" and "1" compare as text: "05" < "1" < "10"
        assert_order(&["1.001", "1.01", "1.05", "1.1", "1.10"]);
        assert_order(&["1.0", "1.00"]);
        assert_eq!(v("1.050"), v("1.050"));
    }

    #[test]
    fn suffix_order() {
        assert_order(&[
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p",
            "1.0_p1",
            "1.0a",
            "1.0.1",
        ]);
        assert_order(&["1.0_alpha_pre1", "1.0_alpha", "1.0_alpha_p1"]);
        assert_eq!(v("1.0_p01"), v("1.0_p1"));
    }

    #[test]
    fn hash_and_revision() {
        assert_order(&["1.0", "1.0-r0", "1.0-r1", "1.0-r10"]);
        assert_order(&["1.0~1234", "1.0~2345"]);
        assert_order(&["1.0~1234-r0", "1.0~1234-r1", "1.0~2345-r0"]);
        assert_order(&["1.0-r5", "1.0~abc", "1.0.1"]);
    }

    #[test]
    fn lenient_stops_at_invalid_token() {
        assert_eq!(compare_lenient("1.2_blah", "1.2_blah2"), Ordering::Equal);
        assert_eq!(compare_lenient("1.2_cvs", "1.2_blah"), Ordering::Greater);
        assert_eq!(compare_lenient("1.3_blah", "1.2"), Ordering::Greater);
        assert_eq!(compare_lenient("1.0", "1.0bc"), Ordering::Less);
        assert_eq!(compare_lenient("", "x"), Ordering::Equal);
        assert_eq!(compare_lenient("1.0", "1.0-r1"), Ordering::Less);
    }

    #[test]
    fn display_round_trips() {
        for s in ["1.2.3", "0.1_alpha2_pre1~abc-r4", "1.0a-r0", "1.05"] {
            let parsed = v(s);
            assert_eq!(parsed.to_string(), s);
            assert_eq!(v(&parsed.to_string()), parsed);
            assert_eq!(s.parse::<Version>().unwrap(), parsed);
        }
    }
}
