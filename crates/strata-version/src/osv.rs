//! OSV `affected[].ranges` evaluation, as the OSV schema specifies it
//! (<https://ossf.github.io/osv-schema/#evaluation>): events sorted by version,
//! `introduced` opens, `fixed` closes before, `last_affected` closes after, and
//! `limit` caps the range. `SEMVER` and `ECOSYSTEM` ranges are evaluated in the
//! scheme of the installed package; `GIT` ranges name commits, not versions.

use crate::{Error, Scheme, Version};

/// Ranges with more events are refused: real ones have a handful, and sorting
/// them is quadratic.
const MAX_EVENTS: usize = 1000;

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
        if events.len() > MAX_EVENTS {
            let kind = if kind == RangeKind::Semver {
                "SEMVER"
            } else {
                "ECOSYSTEM"
            };
            return Err(Error::range(
                scheme,
                kind,
                format!(
                    "{} events, more than the {MAX_EVENTS} evaluated",
                    events.len()
                ),
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
        sort_steps(&mut steps);
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

/// Sorts the steps by version with a stable insertion sort: steps at the same
/// version keep the feed's order. Maven's order is not total (ComparableVersion
/// has cycles), and `sort_by` may panic on such a comparator; this cannot.
fn sort_steps(steps: &mut [(Step, Bound)]) {
    let greater = |a: &Bound, b: &Bound| match (a, b) {
        (Bound::At(_), Bound::Start) => true,
        (Bound::At(a), Bound::At(b)) => a > b,
        (Bound::Start, _) => false,
    };
    for i in 1..steps.len() {
        let mut j = i;
        while j > 0 {
            let (Some((_, a)), Some((_, b))) = (steps.get(j - 1), steps.get(j)) else {
                break;
            };
            if !greater(a, b) {
                break;
            }
            steps.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Whether `version` equals one of an OSV record's explicit `versions`, compared in
/// the version's scheme (so `1.0` matches a listed `1.0.0` where the scheme says
/// they are equal); entries that do not parse are compared as text.
pub fn in_versions(version: &Version, listed: &[String]) -> bool {
    in_listed(version, listed.iter().map(String::as_str))
}

/// [`in_versions`] over any list of versions.
pub fn in_listed<'a>(version: &Version, listed: impl Iterator<Item = &'a str> + Clone) -> bool {
    let text = version.to_string();
    if listed.clone().any(|entry| entry.trim() == text) {
        return true;
    }
    // Lists run to hundreds of versions (PyPA enumerates every release): an entry
    // whose leading number differs cannot be equal, so only the rest is parsed.
    let major = leading_number(&text);
    let mut listed = listed;
    listed.any(|entry| {
        let entry = entry.trim();
        if let (Some(a), Some(b)) = (major, leading_number(entry))
            && a != b
        {
            return false;
        }
        let parsed = match version.scheme() {
            // As in ranges: OSV writes Go versions without their `v`.
            Scheme::Go if !entry.starts_with('v') => {
                Version::parse(Scheme::Go, &format!("v{entry}"))
            }
            scheme => Version::parse(scheme, entry),
        };
        parsed.is_ok_and(|parsed| parsed == *version)
    })
}

/// The first number of a version (`v01.2` → 1), or `None` when the text has an
/// epoch (`1:2.0`, `1!2.0`, where the first number is not the major) or no
/// leading digits, so that the caller compares it fully.
fn leading_number(text: &str) -> Option<u64> {
    if text.contains([':', '!']) {
        return None;
    }
    let digits = text.trim_start_matches(['v', 'V']);
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let digits = digits.get(..end)?;
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    digits.parse().ok()
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
    fn listed_versions_compare_in_the_scheme() {
        let listed = |scheme: Scheme, version: &str, list: &[&str]| {
            let list: Vec<String> = list.iter().map(|s| (*s).to_owned()).collect();
            in_versions(&Version::parse(scheme, version).unwrap(), &list)
        };
        assert!(listed(Scheme::Pep440, "1.0", &["0.9", "1.0.0"]));
        assert!(listed(Scheme::Pep440, "1.0", &["v01.0"]));
        assert!(listed(Scheme::Pep440, "1.0", &["0!1.0"]));
        assert!(listed(Scheme::Dpkg, "2.0-1", &["0:2.0-1"]));
        assert!(!listed(Scheme::Dpkg, "2.0-1", &["1:2.0-1", "2.0-2"]));
        assert!(listed(Scheme::Go, "v1.2.3", &["1.2.3"]));
        assert!(!listed(Scheme::Npm, "1.2.3", &["11.2.3", "not a version"]));
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
    fn non_total_maven_order_sorts_without_panicking() {
        let maven = |v: &str| Version::parse(Scheme::Maven, v).unwrap();
        // ComparableVersion's cycle, as maven-artifact has it.
        let cycle = ["1.0.alpha.1", "1.ga.1", "1"];
        assert!(maven(cycle[0]) > maven(cycle[1]));
        assert!(maven(cycle[1]) > maven(cycle[2]));
        assert!(maven(cycle[2]) > maven(cycle[0]));
        let events: Vec<Event> = (0..MAX_EVENTS)
            .map(|i| match i % 2 {
                0 => intro(cycle[i % 3]),
                _ => fixed(cycle[i % 3]),
            })
            .collect();
        let range = AffectedRange::new(Scheme::Maven, RangeKind::Ecosystem, &events).unwrap();
        for version in cycle {
            let _ = range.contains(&maven(version));
        }
        let few = [intro(cycle[0]), fixed(cycle[1]), intro(cycle[2])];
        assert!(AffectedRange::new(Scheme::Maven, RangeKind::Ecosystem, &few).is_ok());
    }

    #[test]
    fn too_many_events_are_refused() {
        let events = vec![intro("1.0.0"); MAX_EVENTS + 1];
        let err = AffectedRange::new(Scheme::Npm, RangeKind::Semver, &events).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Range);
        assert!(err.reason.contains("1001 events"), "{}", err.reason);
        let events = vec![intro("1.0.0"); MAX_EVENTS];
        assert!(AffectedRange::new(Scheme::Npm, RangeKind::Semver, &events).is_ok());
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
