//! OSV `affected[].ranges` evaluation, as the OSV schema specifies it
//! (<https://ossf.github.io/osv-schema/#evaluation>): events sorted by version,
//! `introduced` opens, `fixed` closes before, `last_affected` closes after, and
//! `limit` caps the range. `SEMVER` and `ECOSYSTEM` ranges are evaluated in the
//! scheme of the installed package; `GIT` ranges name commits, not versions.

use std::cmp::Ordering;

use crate::{Error, Scheme, Version};

/// The `type` of an OSV range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// SemVer 2.0 versions (npm, crates.io, Go without its `v`).
    Semver,
    /// The ecosystem's own version scheme.
    Ecosystem,
    /// Commit hashes: cannot be evaluated against a version.
    Git,
}

/// One OSV range event, with its version text as the feed wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `introduced`: affected from this version on (`"0"`: from the start).
    Introduced(String),
    /// `fixed`: not affected from this version on.
    Fixed(String),
    /// `last_affected`: affected up to and including this version.
    LastAffected(String),
    /// `limit`: nothing at or above this version is affected (`"*"`: no limit).
    Limit(String),
}

#[derive(Debug, Clone)]
enum Bound {
    /// `introduced: "0"`, below every version.
    Start,
    At(Version),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Introduced,
    Fixed,
    LastAffected,
}

/// An OSV range with its versions parsed and its events sorted, ready to be
/// evaluated against many installed versions.
#[derive(Debug, Clone)]
pub struct AffectedRange {
    scheme: Scheme,
    steps: Vec<(Step, Bound)>,
    limits: Vec<Version>,
}

impl AffectedRange {
    /// Parses and sorts the events of one range in `scheme`. Go ranges in OSV omit
    /// the `v` that Go versions carry; it is added here.
    pub fn new(scheme: Scheme, kind: RangeKind, events: &[Event]) -> Result<Self, Error> {
        if kind == RangeKind::Git {
            return Err(Error::range(
                scheme,
                "GIT",
                "GIT ranges name commits and cannot be evaluated against versions",
            ));
        }
        let parse = |text: &str| -> Result<Version, Error> {
            let text = text.trim();
            match scheme {
                Scheme::Go if !text.starts_with('v') => Version::parse(scheme, &format!("v{text}")),
                _ => Version::parse(scheme, text),
            }
        };
        let mut steps = Vec::with_capacity(events.len());
        let mut limits = Vec::new();
        for event in events {
            match event {
                Event::Introduced(text) if text.trim() == "0" => {
                    steps.push((Step::Introduced, Bound::Start));
                }
                Event::Introduced(text) => steps.push((Step::Introduced, Bound::At(parse(text)?))),
                Event::Fixed(text) => steps.push((Step::Fixed, Bound::At(parse(text)?))),
                Event::LastAffected(text) => {
                    steps.push((Step::LastAffected, Bound::At(parse(text)?)));
                }
                Event::Limit(text) if text.trim() == "*" => {}
                Event::Limit(text) => limits.push(parse(text)?),
            }
        }
        // A stable sort: events at the same version keep the feed's order.
        steps.sort_by(|(_, a), (_, b)| match (a, b) {
            (Bound::Start, Bound::Start) => Ordering::Equal,
            (Bound::Start, Bound::At(_)) => Ordering::Less,
            (Bound::At(_), Bound::Start) => Ordering::Greater,
            (Bound::At(a), Bound::At(b)) => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        });
        Ok(AffectedRange {
            scheme,
            steps,
            limits,
        })
    }

    /// The scheme the range's versions were parsed in.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether `version` falls in the range. A version of another scheme never does.
    pub fn contains(&self, version: &Version) -> bool {
        if version.scheme() != self.scheme {
            return false;
        }
        let at_least = |bound: &Bound| match bound {
            Bound::Start => true,
            Bound::At(b) => version >= b,
        };
        let mut affected = false;
        for (step, bound) in &self.steps {
            match step {
                Step::Introduced if at_least(bound) => affected = true,
                Step::Fixed if at_least(bound) => affected = false,
                Step::LastAffected if matches!(bound, Bound::At(b) if version > b) => {
                    affected = false;
                }
                _ => {}
            }
        }
        affected && (self.limits.is_empty() || self.limits.iter().any(|limit| version < limit))
    }
}

/// Whether `version` equals one of an OSV record's explicit `versions`, compared in
/// the version's scheme (so `1.0` matches a listed `1.0.0` where the scheme says
/// they are equal); entries that do not parse are compared as text.
pub fn in_versions(version: &Version, listed: &[String]) -> bool {
    let text = version.to_string();
    listed.iter().any(
        |entry| match Version::parse(version.scheme(), entry.trim()) {
            Ok(parsed) => parsed == *version,
            Err(_) => entry.trim() == text,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intro(v: &str) -> Event {
        Event::Introduced(v.into())
    }
    fn fixed(v: &str) -> Event {
        Event::Fixed(v.into())
    }

    fn affected(scheme: Scheme, kind: RangeKind, events: &[Event], version: &str) -> bool {
        let range = AffectedRange::new(scheme, kind, events).unwrap();
        range.contains(&Version::parse(scheme, version).unwrap())
    }

    #[test]
    fn introduced_fixed_pairs_in_any_order() {
        // Two affected spans, listed out of order as feeds sometimes do.
        let events = [intro("3.0-1"), fixed("3.2-1"), intro("0"), fixed("1.5-1")];
        let at = |v| affected(Scheme::Dpkg, RangeKind::Ecosystem, &events, v);
        assert!(at("1.0-1"));
        assert!(!at("1.5-1"));
        assert!(!at("2.0-1"));
        assert!(at("3.1-1"));
        assert!(!at("3.2-1"));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let events = [intro("1.0.0"), Event::LastAffected("1.2.0".into())];
        let at = |v| affected(Scheme::Cargo, RangeKind::Semver, &events, v);
        assert!(at("1.2.0"));
        assert!(!at("1.2.1"));
        assert!(!at("0.9.0"));
    }

    #[test]
    fn limit_caps_the_range() {
        let events = [intro("0"), Event::Limit("2.0.0".into())];
        let at = |v| affected(Scheme::Npm, RangeKind::Semver, &events, v);
        assert!(at("1.9.9"));
        assert!(!at("2.0.0"));
        let star = [intro("0"), Event::Limit("*".into())];
        assert!(affected(Scheme::Npm, RangeKind::Semver, &star, "99.0.0"));
    }

    #[test]
    fn go_ranges_get_their_v() {
        let events = [intro("0"), fixed("0.0.0-20220314234659-1baeb1ce4c0b")];
        let at = |v| affected(Scheme::Go, RangeKind::Semver, &events, v);
        assert!(at("v0.0.0-20210817164053-32db794688a5"));
        assert!(!at("v0.1.0"));
    }

    #[test]
    fn git_ranges_are_refused() {
        assert!(AffectedRange::new(Scheme::Npm, RangeKind::Git, &[intro("abc")]).is_err());
    }

    #[test]
    fn explicit_versions_compare_in_scheme() {
        let v = Version::parse(Scheme::Pep440, "1.0").unwrap();
        assert!(in_versions(&v, &["1.0.0".into()]));
        assert!(!in_versions(&v, &["1.0.1".into()]));
    }
}
