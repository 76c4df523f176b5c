//! Go module versions, following golang.org/x/mod/semver (`semver/semver.go`:
//! `parse`, `Compare`, `IsValid`, `Canonical`).
//!
//! Syntax: `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`. The `v` is required;
//! `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0` and take no
//! prerelease or build. Numbers have no leading zeros (any length). Build
//! metadata (`+incompatible`) is ignored when comparing. Pseudo-versions are
//! ordinary prereleases.
//!
//! [`Version::parse`] is strict. [`compare_lenient`] is `semver.Compare`
//! itself: invalid strings sort below valid ones and equal each other.

use std::cmp::Ordering;
use std::fmt;

use crate::digits::cmp_decimal;
use crate::{Error, ErrorKind, Scheme, check_len};

/// A parsed Go module version.
#[derive(Debug, Clone)]
pub struct Version {
    text: String,
    major: String,
    minor: String,
    patch: String,
    /// Without the leading `-`; empty when there is none.
    prerelease: String,
    /// Without the leading `+`; empty when there is none.
    build: String,
}

/// The borrowed pieces of a valid version that order it (semver.go's
/// `parsed`; the build is returned beside them, as it does not count).
struct Parts<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    prerelease: &'a str,
}

impl Version {
    /// Parses a Go module version; anything `semver.IsValid` rejects is an error.
    pub fn parse(input: &str) -> Result<Version, Error> {
        check_len(Scheme::Go, ErrorKind::Version, input)?;
        let (parts, build) =
            parse_parts(input).map_err(|why| Error::version(Scheme::Go, input, why))?;
        Ok(Version {
            text: input.to_owned(),
            major: parts.major.to_owned(),
            minor: parts.minor.to_owned(),
            patch: parts.patch.to_owned(),
            prerelease: parts.prerelease.to_owned(),
            build: build.to_owned(),
        })
    }

    /// `semver.Canonical`: `vMAJOR.MINOR.PATCH[-PRERELEASE]`, build dropped.
    pub fn canonical(&self) -> String {
        let mut out = format!("v{}.{}.{}", self.major, self.minor, self.patch);
        if !self.prerelease.is_empty() {
            out.push('-');
            out.push_str(&self.prerelease);
        }
        out
    }

    /// The build metadata without its `+` (e.g. `incompatible`), or "".
    pub fn build(&self) -> &str {
        &self.build
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            major: &self.major,
            minor: &self.minor,
            patch: &self.patch,
            prerelease: &self.prerelease,
        }
    }
}

/// `semver.Compare`: valid versions by precedence; an invalid string is below
/// every valid one and equal to every other invalid one.
pub fn compare_lenient(a: &str, b: &str) -> Ordering {
    match (parse_parts(a), parse_parts(b)) {
        (Ok((a, _)), Ok((b, _))) => compare_parts(&a, &b),
        (Err(_), Err(_)) => Ordering::Equal,
        (Err(_), Ok(_)) => Ordering::Less,
        (Ok(_), Err(_)) => Ordering::Greater,
    }
}

/// semver.go `parse`: the parts and the build (without its `+`, or ""); the
/// error is the reason it is invalid.
fn parse_parts(v: &str) -> Result<(Parts<'_>, &str), &'static str> {
    let rest = v.strip_prefix('v').ok_or("must start with 'v'")?;
    let (major, rest) = parse_int(rest, Field::Major)?;
    if rest.is_empty() {
        return Ok((shorthand(major, "0"), ""));
    }
    let rest = rest
        .strip_prefix('.')
        .ok_or("expected '.' after major (shorthand vMAJOR takes no prerelease or build)")?;
    let (minor, rest) = parse_int(rest, Field::Minor)?;
    if rest.is_empty() {
        return Ok((shorthand(major, minor), ""));
    }
    let rest = rest
        .strip_prefix('.')
        .ok_or("expected '.' after minor (shorthand vMAJOR.MINOR takes no prerelease or build)")?;
    let (patch, rest) = parse_int(rest, Field::Patch)?;
    let (prerelease, rest) = match rest.strip_prefix('-') {
        Some(after) => split_prerelease(after)?,
        None => ("", rest),
    };
    let build = match rest.strip_prefix('+') {
        Some(after) => check_build(after)?,
        None if rest.is_empty() => "",
        None => return Err("unexpected text after patch (expected '-' or '+')"),
    };
    let parts = Parts {
        major,
        minor,
        patch,
        prerelease,
    };
    Ok((parts, build))
}

fn shorthand<'a>(major: &'a str, minor: &'a str) -> Parts<'a> {
    Parts {
        major,
        minor,
        patch: "0",
        prerelease: "",
    }
}

/// Which number `parse_int` reads, to name it in errors.
#[derive(Clone, Copy)]
enum Field {
    Major,
    Minor,
    Patch,
}

impl Field {
    fn missing(self) -> &'static str {
        match self {
            Field::Major => "major version must be digits",
            Field::Minor => "minor version must be digits",
            Field::Patch => "patch version must be digits",
        }
    }

    fn leading_zero(self) -> &'static str {
        match self {
            Field::Major => "leading zero in major version",
            Field::Minor => "leading zero in minor version",
            Field::Patch => "leading zero in patch version",
        }
    }
}

/// semver.go `parseInt`: one or more digits, no leading zero.
fn parse_int(v: &str, field: Field) -> Result<(&str, &str), &'static str> {
    let len = v.bytes().take_while(u8::is_ascii_digit).count();
    let (num, rest) = v.split_at_checked(len).ok_or(field.missing())?;
    if num.is_empty() {
        return Err(field.missing());
    }
    if num.len() > 1 && num.starts_with('0') {
        return Err(field.leading_zero());
    }
    Ok((num, rest))
}

/// semver.go `parsePrerelease`: dot-separated non-empty identifiers of
/// `[0-9A-Za-z-]`, numeric ones without leading zeros, up to a `+`.
fn split_prerelease(v: &str) -> Result<(&str, &str), &'static str> {
    let end = v.find('+').unwrap_or(v.len());
    let (pre, rest) = v.split_at_checked(end).ok_or("bad prerelease")?;
    for ident in pre.split('.') {
        check_ident(
            ident,
            "empty prerelease identifier",
            "prerelease may only hold [0-9A-Za-z-.]",
        )?;
        if is_num(ident) && ident.len() > 1 && ident.starts_with('0') {
            return Err("leading zero in numeric prerelease identifier");
        }
    }
    Ok((pre, rest))
}

/// semver.go `parseBuild`: dot-separated non-empty identifiers to the end.
fn check_build(v: &str) -> Result<&str, &'static str> {
    for ident in v.split('.') {
        check_ident(
            ident,
            "empty build identifier",
            "build may only hold [0-9A-Za-z-.]",
        )?;
    }
    Ok(v)
}

/// One identifier: non-empty, only `[0-9A-Za-z-]`.
fn check_ident(
    ident: &str,
    empty: &'static str,
    bad_char: &'static str,
) -> Result<(), &'static str> {
    if ident.is_empty() {
        return Err(empty);
    }
    if !ident
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-')
    {
        return Err(bad_char);
    }
    Ok(())
}

fn is_num(ident: &str) -> bool {
    ident.bytes().all(|c| c.is_ascii_digit())
}

/// semver.go `Compare` on two valid versions (build ignored).
fn compare_parts(a: &Parts<'_>, b: &Parts<'_>) -> Ordering {
    compare_int(a.major, b.major)
        .then_with(|| compare_int(a.minor, b.minor))
        .then_with(|| compare_int(a.patch, b.patch))
        .then_with(|| compare_prerelease(a.prerelease, b.prerelease))
}

/// Numbers of any length (`parse` has refused leading zeros).
fn compare_int(a: &str, b: &str) -> Ordering {
    cmp_decimal(a.as_bytes(), b.as_bytes())
}

/// semver.go `comparePrerelease`: no prerelease is highest; identifiers
/// left to right, numeric < alphanumeric; more identifiers win a tie.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Greater;
    }
    if b.is_empty() {
        return Ordering::Less;
    }
    let mut xs = a.split('.');
    let mut ys = b.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (Some(x), Some(y)) => match compare_ident(x, y) {
                Ordering::Equal => continue,
                other => return other,
            },
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}

fn compare_ident(x: &str, y: &str) -> Ordering {
    match (is_num(x), is_num(y)) {
        (true, true) => compare_int(x, y),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => x.cmp(y),
    }
}

impl_from_str_via_parse!(Version);

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_parts(&self.parts(), &other.parts())
    }
}

impl_order_via_cmp!(Version);

impl fmt::Display for Version {
    /// The input as given (build metadata kept, shorthand not expanded).
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

    #[test]
    fn valid_forms() {
        for s in [
            "v0.0.0",
            "v1",
            "v1.2",
            "v1.2.3",
            "v1.2.3-rc.1",
            "v1.2.3+incompatible",
            "v2.0.0-rc.1+build.5",
            "v0.0.0-20191109021931-daa7c04131f5",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.3-0--",
            "v1.2.3+001",
            "v123456789012345678901234567890.0.0",
        ] {
            assert!(Version::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn invalid_forms() {
        for s in [
            "",
            "1.2.3",
            "V1.2.3",
            "v",
            "v01.2.3",
            "v1.02.3",
            "v1.2.03",
            "v1-pre",
            "v1+meta",
            "v1.2-pre",
            "v1.2+meta",
            "v1.2.3-",
            "v1.2.3+",
            "v1.2.3-a..b",
            "v1.2.3-01",
            "v1.2.3-a_b",
            "v1.2.3+a..b",
            "v1.2.3.4",
            "v1.2.3 ",
            "v1.2.3-é",
            "v1.",
            "v1..2",
        ] {
            assert!(Version::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn error_names_the_problem() {
        let err = Version::parse("v1.2-pre").unwrap_err();
        assert_eq!(err.scheme, Scheme::Go);
        assert!(err.reason.contains("shorthand"), "{}", err.reason);
        assert!(Version::parse(&"v1".repeat(600)).is_err());
    }

    #[test]
    fn shorthand_equals_full() {
        assert_eq!(v("v1"), v("v1.0.0"));
        assert_eq!(v("v1.2"), v("v1.2.0"));
        assert_eq!(v("v1.2").canonical(), "v1.2.0");
        assert_eq!(v("v1.2.3-pre+meta").canonical(), "v1.2.3-pre");
    }

    #[test]
    fn build_is_ignored() {
        assert_eq!(v("v2.0.0+incompatible"), v("v2.0.0"));
        assert_eq!(v("v2.0.0+incompatible").build(), "incompatible");
        assert_eq!(v("v1.0.0-a+x"), v("v1.0.0-a+y"));
    }

    #[test]
    fn semver_spec_order() {
        let order = [
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.0.1",
            "v1.10.0",
            "v2.0.0",
            "v10.0.0",
        ];
        for pair in order.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn pseudo_versions_are_prereleases() {
        let base = v("v0.0.0-20191109021931-daa7c04131f5");
        assert!(base < v("v0.0.0-20200101000000-000000000000"));
        assert!(base < v("v0.0.1"));
        let after_tag = v("v1.2.4-0.20191109021931-daa7c04131f5");
        assert!(v("v1.2.3") < after_tag);
        assert!(after_tag < v("v1.2.4-pre"));
        assert!(after_tag < v("v1.2.4"));
    }

    #[test]
    fn long_numbers_compare_by_value() {
        assert!(v("v99999999999999999999.0.0") < v("v100000000000000000000.0.0"));
        assert!(v("v1.0.0-99999999999999999999") < v("v1.0.0-100000000000000000000"));
    }

    #[test]
    fn lenient_matches_compare() {
        assert_eq!(compare_lenient("bad", "v1-pre"), Ordering::Equal);
        assert_eq!(compare_lenient("bad", "v0.0.0"), Ordering::Less);
        assert_eq!(compare_lenient("v0.0.0", ""), Ordering::Greater);
        assert_eq!(compare_lenient("v1", "v1.0.0+x"), Ordering::Equal);
    }

    #[test]
    fn display_round_trips() {
        for s in ["v1", "v1.2", "v1.2.3-pre.1+meta", "v2.0.0+incompatible"] {
            let parsed = v(s);
            assert_eq!(parsed.to_string(), s);
            assert_eq!(v(&parsed.to_string()), parsed);
            assert_eq!(s.parse::<Version>().unwrap(), parsed);
        }
    }
}
