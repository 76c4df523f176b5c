//! The Debian security tracker's JSON export
//! (<https://security-tracker.debian.org/tracker/data/json>).
//!
//! Shape (the tracker's `/tracker/data/json` handler, salsa security-tracker-team):
//! `{source_package: {bug_id: {description, scope, debianbug, releases: {codename:
//! {status, repositories: {suite: version}, fixed_version, urgency, nodsa, nodsa_reason}}}}}`,
//! bug ids being `CVE-…` and `TEMP-…` (the tracker's own ids for issues without a CVE).
//!
//! Reading (as the tracker's pages show it, and as Trivy (via vuln-list) and Grype (via
//! vunnel) read the tracker):
//! * `resolved` + `fixed_version` `"0"`: the release was never affected → `NotAffected`;
//! * `resolved` + a version: fixed there → `Fixed`, range `introduced 0, fixed V`;
//! * `open`: affected, no fix in that release → `NotFixed` (`introduced 0`), or `WontFix`
//!   when the release carries a `nodsa` note (`<no-dsa>`/`<ignored>`; a `postponed`
//!   reason stays `NotFixed`), or `EndOfLife` when the urgency is `end-of-life`
//!   (the tracker's marker for packages no longer supported in that release);
//!   a `fixed_version` next to `open` is no fix available in that release and is ignored;
//! * `undetermined`: `UnderInvestigation`.
//!
//! The urgency becomes the per-release [`Affected::severity`] (`unimportant` → Negligible;
//! `low`, `medium`, `high`, with or without the tracker's `*`/`**` suffixes, → Low/Medium/High;
//! `not yet assigned`, `end-of-life` → Unknown; the text is kept as written).
//!
//! The export is ~70 MB: the top-level object is streamed, one source package at a time.

use super::clip;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde_json::Value;

use crate::{
    Advisory, Affected, Event, FeedError, FixState, Parsed, Range, RangeKind, Severity, Skipped,
    VendorSeverity,
};

/// The `source` of every advisory from this feed.
pub const SOURCE: &str = "debian-tracker";

const FEED: &str = "debian security tracker JSON";
/// Longest id kept (CVE and TEMP ids are ~20 bytes).
const MAX_ID_LEN: usize = 128;
/// Longest source package name kept (Debian policy §5.6.1 sets no limit; real ones are < 70).
const MAX_PACKAGE_LEN: usize = 256;
/// Descriptions are NVD texts (< 4 kB); longer ones are cut at a character boundary.
const MAX_SUMMARY_LEN: usize = 32 * 1024;
/// Urgency texts are a handful of words; longer ones are cut.
const MAX_URGENCY_LEN: usize = 64;

/// Release codenames and their Debian major versions (the tracker's `data/config.json`,
/// debian.org/releases). `sid` (and its suite name `unstable`) is `Debian:unstable`.
const CODENAMES: &[(&str, &str)] = &[
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
    ("sid", "unstable"),
    ("unstable", "unstable"),
];

/// The namespace (`Debian:12`, `Debian:unstable`) of a tracker release codename.
pub fn namespace_of(codename: &str) -> Option<String> {
    let codename = codename.trim();
    CODENAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(codename))
        .map(|(_, number)| format!("Debian:{number}"))
}

/// Parses the tracker's JSON export into one advisory per bug id (a bug listed under several
/// source packages is merged), with one `affected` per (release, source package).
pub fn parse_tracker(bytes: &[u8]) -> Result<Parsed<Advisory>, FeedError> {
    let mut builder = Builder::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.deserialize_map(TopLevel {
        builder: &mut builder,
    })
    .map_err(|e| feed_error(&e))?;
    de.end().map_err(|e| feed_error(&e))?;
    Ok(Parsed {
        records: builder.advisories.into_values().collect(),
        skipped: builder.skipped,
    })
}

fn feed_error(e: &serde_json::Error) -> FeedError {
    FeedError {
        feed: FEED.to_owned(),
        reason: e.to_string(),
    }
}

/// Streams the top-level `{source_package: …}` object.
struct TopLevel<'a> {
    builder: &'a mut Builder,
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of source packages")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(package) = map.next_key::<String>()? {
            let entries: Value = map.next_value()?;
            self.builder.package(package, entries);
        }
        Ok(())
    }
}

/// One bug of one source package.
#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    debianbug: Option<Value>,
    #[serde(default)]
    releases: Option<Value>,
}

/// One release of one bug of one source package.
#[derive(Deserialize)]
struct Release {
    status: String,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa: Option<Value>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

#[derive(Default)]
struct Builder {
    advisories: BTreeMap<String, Advisory>,
    /// (id, namespace, package) already recorded: a repeated key (JSON objects with
    /// duplicate keys, `sid` next to `unstable`) keeps the first and skips the rest.
    seen: HashSet<(String, String, String)>,
    skipped: Vec<Skipped>,
}

impl Builder {
    fn skip(&mut self, record: String, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            record,
            reason: reason.into(),
        });
    }

    fn package(&mut self, package: String, entries: Value) {
        if let Err(reason) = check_package(&package) {
            return self.skip(clip(&package, MAX_PACKAGE_LEN), reason);
        }
        let Value::Object(entries) = entries else {
            return self.skip(package, "source package entry is not an object");
        };
        for (id, entry) in entries {
            self.entry(&package, &id, entry);
        }
    }

    fn entry(&mut self, package: &str, id: &str, entry: Value) {
        let record = format!("{package}/{}", clip(id, MAX_ID_LEN));
        if let Err(reason) = check_id(id) {
            return self.skip(record, reason);
        }
        let entry: Entry = match serde_json::from_value(entry) {
            Ok(entry) => entry,
            Err(e) => return self.skip(record, format!("bad entry: {e}")),
        };
        let releases = match entry.releases {
            Some(Value::Object(releases)) => releases,
            // The export writes an empty `[]` for a bug with no release rows
            // (seen for chromium-browser CVE-2022-0358); null/absent likewise mean none.
            Some(Value::Array(a)) if a.is_empty() => serde_json::Map::new(),
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(_) => return self.skip(record, "`releases` is not an object"),
        };

        let mut affected = Vec::new();
        for (codename, release) in releases {
            let release_record = format!("{record}/{}", clip(&codename, MAX_ID_LEN));
            let Some(namespace) = namespace_of(&codename) else {
                self.skip(release_record, "unknown Debian release codename");
                continue;
            };
            let release: Release = match serde_json::from_value(release) {
                Ok(release) => release,
                Err(e) => {
                    self.skip(release_record, format!("bad release entry: {e}"));
                    continue;
                }
            };
            match affected_of(&release, namespace, package) {
                Ok(a) => {
                    let key = (id.to_owned(), a.namespace.clone(), a.package.clone());
                    if self.seen.insert(key) {
                        affected.push(a);
                    } else {
                        self.skip(release_record, "duplicate release for this package");
                    }
                }
                Err(reason) => self.skip(release_record, reason),
            }
        }

        let advisory = self
            .advisories
            .entry(id.to_owned())
            .or_insert_with(|| Advisory {
                id: id.to_owned(),
                references: vec![format!("https://security-tracker.debian.org/tracker/{id}")],
                source: SOURCE.to_owned(),
                ..Advisory::default()
            });
        if advisory.summary.is_none() {
            advisory.summary = entry
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| clip(d, MAX_SUMMARY_LEN));
        }
        if let Some(bug) = entry.debianbug.as_ref().and_then(bug_number) {
            let url = format!("https://bugs.debian.org/{bug}");
            if !advisory.references.contains(&url) {
                advisory.references.push(url);
            }
        }
        advisory.affected.extend(affected);
    }
}

/// The `affected` of one release row, or why it is unusable.
fn affected_of(release: &Release, namespace: String, package: &str) -> Result<Affected, String> {
    let urgency = release.urgency.as_deref().map(str::trim);
    let severity = urgency.filter(|u| !u.is_empty()).map(urgency_severity);
    let affected_from_start = || {
        vec![Range {
            kind: RangeKind::Ecosystem,
            events: vec![Event::Introduced("0".to_owned())],
        }]
    };
    let (fix_state, ranges) = match release.status.trim() {
        "resolved" => match release.fixed_version.as_deref().map(str::trim) {
            Some("0") => (FixState::NotAffected, Vec::new()),
            Some(version) if !version.is_empty() => {
                strata_version::dpkg::Version::parse(version)
                    .map_err(|e| format!("bad fixed_version: {e}"))?;
                let events = vec![
                    Event::Introduced("0".to_owned()),
                    Event::Fixed(version.to_owned()),
                ];
                let range = Range {
                    kind: RangeKind::Ecosystem,
                    events,
                };
                (FixState::Fixed, vec![range])
            }
            _ => return Err("status `resolved` without a fixed_version".to_owned()),
        },
        "open" => {
            let reason = release.nodsa_reason.as_deref().map(str::trim);
            let nodsa = release.nodsa.as_ref().is_some_and(|v| !v.is_null())
                || reason.is_some_and(|r| !r.is_empty());
            let state = if urgency == Some("end-of-life") {
                FixState::EndOfLife
            } else if nodsa && reason != Some("postponed") {
                // `<no-dsa>` (minor issue, maybe fixed in a point release) and `<ignored>`
                FixState::WontFix
            } else {
                // plain open, or `<postponed>` (will be fixed in a later update)
                FixState::NotFixed
            };
            (state, affected_from_start())
        }
        "undetermined" => (FixState::UnderInvestigation, affected_from_start()),
        other => return Err(format!("unknown status {:?}", clip(other, MAX_URGENCY_LEN))),
    };
    Ok(Affected {
        namespace,
        package: package.to_owned(),
        ranges,
        versions: Vec::new(),
        fix_state,
        severity,
    })
}

/// The tracker's urgency as a vendor severity.
fn urgency_severity(urgency: &str) -> VendorSeverity {
    // the tracker appends `*`/`**` to some urgencies (`high**`, `low**`); the level is the word
    let level = match urgency.trim_end_matches('*') {
        "unimportant" => Severity::Negligible,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        // "not yet assigned", "end-of-life", anything new
        _ => Severity::Unknown,
    };
    VendorSeverity {
        text: clip(urgency, MAX_URGENCY_LEN),
        level,
    }
}

/// A Debian bug number from `debianbug` (a JSON number; a digit string is accepted).
fn bug_number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if s.len() <= 20 => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// Bug ids: `CVE-YYYY-N…`, `TEMP-NNNNNNN-XXXXXX`; any short ASCII id-like word is kept as is.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err("id empty or too long".to_owned());
    }
    let ok = id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err("not an advisory id".to_owned())
    }
}

/// Source package names (Debian policy §5.6.1: `[a-z0-9][a-z0-9+.-]+`), checked loosely.
fn check_package(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_PACKAGE_LEN {
        return Err("package name empty or too long".to_owned());
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err("package name holds whitespace, control characters or '/'".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;
    use std::path::{Path, PathBuf};

    fn shared(rel: &str) -> PathBuf {
        let s = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        s.ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn parse_file(rel: &str) -> Parsed<Advisory> {
        let bytes = std::fs::read(shared(rel)).expect("read sample");
        parse_tracker(&bytes).expect("parse sample")
    }

    fn advisory<'a>(parsed: &'a Parsed<Advisory>, id: &str) -> &'a Advisory {
        parsed
            .records
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    }

    fn affected<'a>(adv: &'a Advisory, namespace: &str, package: &str) -> &'a Affected {
        adv.affected
            .iter()
            .find(|a| a.namespace == namespace && a.package == package)
            .unwrap_or_else(|| panic!("{} {namespace} {package} missing", adv.id))
    }

    fn has_affected(adv: &Advisory, namespace: &str, package: &str) -> bool {
        adv.affected
            .iter()
            .any(|a| a.namespace == namespace && a.package == package)
    }

    fn fixed_in(a: &Affected) -> Option<&str> {
        a.ranges
            .iter()
            .flat_map(|r| &r.events)
            .find_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
    }

    /// Asserts state, fix and severity level of one (advisory, namespace, package).
    fn check(
        parsed: &Parsed<Advisory>,
        id: &str,
        namespace: &str,
        package: &str,
        state: FixState,
        fixed: Option<&str>,
        level: Option<Severity>,
    ) {
        let a = affected(advisory(parsed, id), namespace, package);
        assert_eq!(a.fix_state, state, "{id} {namespace} {package}");
        assert_eq!(fixed_in(a), fixed, "{id} {namespace} {package}");
        assert_eq!(
            a.severity.as_ref().map(|s| s.level),
            level,
            "{id} {namespace} {package}"
        );
        match state {
            FixState::NotAffected => assert!(a.ranges.is_empty()),
            _ => {
                let first = a.ranges.first().and_then(|r| r.events.first());
                assert_eq!(first, Some(&Event::Introduced("0".to_owned())));
                assert!(a.ranges.iter().all(|r| r.kind == RangeKind::Ecosystem));
            }
        }
    }

    // ---- real samples of /tracker/data/json ----

    #[test]
    fn osv_dev_apparmor_sample() {
        let p = parse_file("feeds/debian/tracker-json/osv.dev-subset-apparmor.json");
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let ids: Vec<&str> = p.records.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2014-1424", "CVE-2016-1585", "CVE-2017-6507"]);
        use FixState::*;
        let neg = Some(Severity::Negligible);
        check(
            &p,
            "CVE-2014-1424",
            "Debian:12",
            "apparmor",
            NotAffected,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2014-1424",
            "Debian:unstable",
            "apparmor",
            NotAffected,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2016-1585",
            "Debian:12",
            "apparmor",
            NotFixed,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2016-1585",
            "Debian:10",
            "apparmor",
            NotFixed,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2016-1585",
            "Debian:13",
            "apparmor",
            Fixed,
            Some("3.0.12-1"),
            neg,
        );
        let unk = Some(Severity::Unknown);
        check(
            &p,
            "CVE-2017-6507",
            "Debian:12",
            "apparmor",
            Fixed,
            Some("2.11.0-3"),
            unk,
        );
        let a = advisory(&p, "CVE-2017-6507");
        assert_eq!(a.affected.len(), 5);
        assert_eq!(a.source, "debian-tracker");
        assert!(
            a.summary
                .as_deref()
                .unwrap_or("")
                .starts_with("An issue was discovered in AppArmor before 2.12.")
        );
        assert!(
            a.references
                .contains(&"https://bugs.debian.org/858768".to_owned())
        );
        assert!(
            a.references
                .contains(&"https://security-tracker.debian.org/tracker/CVE-2017-6507".to_owned())
        );
        let sev = affected(a, "Debian:12", "apparmor").severity.clone();
        assert_eq!(sev.map(|s| s.text), Some("not yet assigned".to_owned()));
    }

    #[test]
    fn glvd_vim_glibc_sample() {
        let p = parse_file("feeds/debian/tracker-json/glvd-subset-vim-glibc.json");
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        use FixState::*;
        let unk = Some(Severity::Unknown);
        // bookworm: fixed in bookworm-security 2.36-9+deb12u7 (the point release has u10)
        check(
            &p,
            "CVE-2024-33601",
            "Debian:12",
            "glibc",
            Fixed,
            Some("2.36-9+deb12u7"),
            unk,
        );
        check(
            &p,
            "CVE-2024-33601",
            "Debian:11",
            "glibc",
            Fixed,
            Some("2.31-13+deb11u10"),
            unk,
        );
        check(
            &p,
            "CVE-2024-33601",
            "Debian:13",
            "glibc",
            Fixed,
            Some("2.37-19"),
            unk,
        );
        check(
            &p,
            "CVE-2024-33601",
            "Debian:unstable",
            "glibc",
            Fixed,
            Some("2.37-19"),
            unk,
        );
        check(
            &p,
            "CVE-2023-5344",
            "Debian:12",
            "vim",
            Fixed,
            Some("2:9.0.1378-2+deb12u1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-5344",
            "Debian:11",
            "vim",
            Fixed,
            Some("2:8.2.2434-3+deb11u2"),
            unk,
        );
        assert_eq!(advisory(&p, "CVE-2024-33601").affected.len(), 4);
    }

    #[test]
    fn vunnel_subset_sample() {
        let p = parse_file("feeds/debian/tracker-json/vunnel-subset-debian.json");
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        let ids: Vec<&str> = p.records.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-2005-3111",
                "CVE-2007-2383",
                "CVE-2008-7220",
                "CVE-2013-1444",
                "CVE-2022-0358",
                "CVE-2022-0456",
                "CVE-2025-53603"
            ]
        );
        use FixState::*;
        // `urgency: end-of-life` on an open release
        check(
            &p,
            "CVE-2022-0456",
            "Debian:10",
            "chromium",
            EndOfLife,
            None,
            Some(Severity::Unknown),
        );
        check(
            &p,
            "CVE-2022-0456",
            "Debian:9",
            "chromium",
            EndOfLife,
            None,
            Some(Severity::Unknown),
        );
        check(
            &p,
            "CVE-2022-0456",
            "Debian:11",
            "chromium",
            Fixed,
            Some("98.0.4758.80-1~deb11u1"),
            Some(Severity::Unknown),
        );
        check(
            &p,
            "CVE-2022-0456",
            "Debian:12",
            "chromium",
            Fixed,
            Some("98.0.4758.80-1"),
            Some(Severity::Unknown),
        );
        // `high**`: an urgency not set by the security team
        check(
            &p,
            "CVE-2008-7220",
            "Debian:8",
            "prototypejs",
            Fixed,
            Some("1.6.0.2-1"),
            Some(Severity::High),
        );
        let sev = affected(advisory(&p, "CVE-2008-7220"), "Debian:8", "prototypejs")
            .severity
            .clone();
        assert_eq!(sev.map(|s| s.text), Some("high**".to_owned()));
        check(
            &p,
            "CVE-2007-2383",
            "Debian:unstable",
            "prototypejs",
            NotAffected,
            None,
            Some(Severity::Negligible),
        );
        check(
            &p,
            "CVE-2013-1444",
            "Debian:10",
            "txt2man",
            Fixed,
            Some("1.5.5-4.1"),
            Some(Severity::Low),
        );
        check(
            &p,
            "CVE-2005-3111",
            "Debian:9",
            "backupninja",
            Fixed,
            Some("0.8-2"),
            Some(Severity::Medium),
        );
        check(
            &p,
            "CVE-2025-53603",
            "Debian:12",
            "sope",
            Fixed,
            Some("5.8.0-1+deb12u1"),
            Some(Severity::Unknown),
        );
        // `"releases": []` in the export: an advisory without affected packages
        let empty = advisory(&p, "CVE-2022-0358");
        assert!(empty.affected.is_empty());
        assert_eq!(empty.summary, None);
    }

    // ---- edge cases and hostile input ----

    fn parse_str(s: &str) -> Parsed<Advisory> {
        parse_tracker(s.as_bytes()).expect("parse")
    }

    #[test]
    fn whole_document_errors() {
        for bad in [
            "",
            "not json",
            "[]",
            "[{\"a\": {}}]",
            "\"string\"",
            "42",
            "null",
            "{\"glibc\": {\"CVE-2024-1\": {\"releases\": {}}}",
            "{\"glibc\": {}} trailing",
            "{\"glibc\": {}",
        ] {
            assert!(parse_tracker(bad.as_bytes()).is_err(), "{bad:?}");
        }
        // a nesting bomb hits serde_json's recursion limit instead of the stack
        let deep = format!("{{\"p\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_tracker(deep.as_bytes()).expect_err("too deep");
        assert!(err.reason.contains("recursion"), "{err}");
        // not UTF-8
        assert!(parse_tracker(b"{\"p\": {\"CVE-1\": {\"description\": \"\xff\"}}}").is_err());
        assert_eq!(parse_str("{}"), Parsed::default());
    }

    #[test]
    fn bad_records_are_skipped_and_the_rest_kept() {
        let doc = r#"{
          "bad-type": "nope",
          "bad name": {"CVE-2024-0001": {}},
          "pkg": {
            "not an id": {"releases": {}},
            "CVE-2024-0002": {"releases": 42},
            "CVE-2024-0003": {"description": 7},
            "CVE-2024-0004": {"releases": {
              "bookworm": {"status": "resolved"},
              "bullseye": {"status": "resolved", "fixed_version": "1 2"},
              "buster": {"status": "weird"},
              "hamm": {"status": "open"},
              "trixie": {"status": 5},
              "forky": "open",
              "sid": {"status": "open", "urgency": "medium"}
            }}
          }
        }"#;
        let p = parse_str(doc);
        let ids: Vec<&str> = p.records.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2024-0004"]);
        let a = advisory(&p, "CVE-2024-0004");
        assert_eq!(a.affected.len(), 1);
        check(
            &p,
            "CVE-2024-0004",
            "Debian:unstable",
            "pkg",
            FixState::NotFixed,
            None,
            Some(Severity::Medium),
        );
        let mut records: Vec<&str> = p.skipped.iter().map(|s| s.record.as_str()).collect();
        records.sort_unstable();
        assert_eq!(
            records,
            [
                "bad name",
                "bad-type",
                "pkg/CVE-2024-0002",
                "pkg/CVE-2024-0003",
                "pkg/CVE-2024-0004/bookworm",
                "pkg/CVE-2024-0004/bullseye",
                "pkg/CVE-2024-0004/buster",
                "pkg/CVE-2024-0004/forky",
                "pkg/CVE-2024-0004/hamm",
                "pkg/CVE-2024-0004/trixie",
                "pkg/not an id",
            ]
        );
        let hamm = p
            .skipped
            .iter()
            .find(|s| s.record.ends_with("hamm"))
            .expect("hamm");
        assert_eq!(hamm.reason, "unknown Debian release codename");
    }

    #[test]
    fn nodsa_postponed_undetermined_and_merge() {
        let doc = r#"{
          "a": {"CVE-2024-1000": {"description": "first", "debianbug": "123", "releases": {
            "bookworm": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": ""},
            "bullseye": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"},
            "buster": {"status": "open", "urgency": "low", "nodsa": "", "nodsa_reason": "ignored"},
            "trixie": {"status": "undetermined", "urgency": "not yet assigned"},
            "sid": {"status": "open", "fixed_version": "1.0-1", "urgency": "unimportant"}
          }}},
          "b": {"CVE-2024-1000": {"description": "second", "releases": {
            "bookworm": {"status": "resolved", "fixed_version": "1:2.0-1+deb12u1"},
            "sid": {"status": "resolved", "fixed_version": "1:2.1-1"},
            "unstable": {"status": "open"}
          }}, "TEMP-0290435-0B57B5": {"releases": {"sid": {"status": "open"}}}}
        }"#;
        let p = parse_str(doc);
        use FixState::*;
        let low = Some(Severity::Low);
        check(&p, "CVE-2024-1000", "Debian:12", "a", WontFix, None, low);
        check(&p, "CVE-2024-1000", "Debian:11", "a", NotFixed, None, low);
        check(&p, "CVE-2024-1000", "Debian:10", "a", WontFix, None, low);
        check(
            &p,
            "CVE-2024-1000",
            "Debian:13",
            "a",
            UnderInvestigation,
            None,
            Some(Severity::Unknown),
        );
        // open: a fixed_version next to it is not a fix for that release
        check(
            &p,
            "CVE-2024-1000",
            "Debian:unstable",
            "a",
            NotFixed,
            None,
            Some(Severity::Negligible),
        );
        check(
            &p,
            "CVE-2024-1000",
            "Debian:12",
            "b",
            Fixed,
            Some("1:2.0-1+deb12u1"),
            None,
        );
        check(
            &p,
            "CVE-2024-1000",
            "Debian:unstable",
            "b",
            Fixed,
            Some("1:2.1-1"),
            None,
        );
        let adv = advisory(&p, "CVE-2024-1000");
        assert_eq!(adv.affected.len(), 7);
        assert_eq!(adv.summary.as_deref(), Some("first"));
        assert!(
            adv.references
                .contains(&"https://bugs.debian.org/123".to_owned())
        );
        // `unstable` repeats `sid`: kept once
        assert_eq!(p.skipped.len(), 1, "{:?}", p.skipped);
        assert_eq!(p.skipped[0].record, "b/CVE-2024-1000/unstable");
        check(
            &p,
            "TEMP-0290435-0B57B5",
            "Debian:unstable",
            "b",
            NotFixed,
            None,
            None,
        );
    }

    #[test]
    fn huge_fields_are_bounded() {
        let big = "x".repeat(1 << 20);
        let doc = serde_json::json!({
            "p": {
                "CVE-2024-1": {"description": format!("é{big}"), "releases": {
                    "sid": {"status": "open", "urgency": big.clone()}
                }},
                big.clone(): {"releases": {}}
            },
            big.clone(): {}
        })
        .to_string();
        let p = parse_str(&doc);
        let a = advisory(&p, "CVE-2024-1");
        let summary = a.summary.as_deref().unwrap_or_default();
        assert!(summary.len() <= MAX_SUMMARY_LEN && summary.starts_with('é'));
        let sev = a.affected[0].severity.as_ref().expect("severity");
        assert!(sev.text.len() <= MAX_URGENCY_LEN);
        assert_eq!(sev.level, Severity::Unknown);
        assert_eq!(p.skipped.len(), 2);
        assert!(
            p.skipped
                .iter()
                .all(|s| s.record.len() <= MAX_PACKAGE_LEN + MAX_ID_LEN + 1)
        );
    }

    #[test]
    fn codenames() {
        assert_eq!(namespace_of("wheezy").as_deref(), Some("Debian:7"));
        assert_eq!(namespace_of("bookworm").as_deref(), Some("Debian:12"));
        assert_eq!(namespace_of("forky").as_deref(), Some("Debian:14"));
        assert_eq!(namespace_of("sid").as_deref(), Some("Debian:unstable"));
        assert_eq!(namespace_of("experimental"), None);
        assert_eq!(namespace_of("bookworm-security"), None);
    }

    // ---- test-only converter: vuln-list-debian per-entry files → tracker JSON ----
    //
    // aquasecurity/vuln-list-debian holds `data/CVE/list` and `data/DSA/list` one entry per
    // file (`{Header, Annotations}`). The tracker turns such entries into `/data/json` rows by
    // these rules (security-tracker `lib/python/security_db.py`, the tracker's "removed
    // packages"/"no-dsa" docs), which this converter follows mechanically:
    // * a package line without `[release]` is the unstable (sid) line;
    // * a release with its own line uses it: `fixed V` → resolved V, `<not-affected>` →
    //   resolved "0", `<unfixed>` → open, `<no-dsa>`/`<postponed>`/`<ignored>` → open with
    //   `nodsa`, `<end-of-life>` → open with urgency `end-of-life`, `<removed>` → no row;
    // * a release without a line of its own is judged by comparing its version of the
    //   package with the unstable fix (resolved at that fix when its version is not older);
    //   the same holds for a no-dsa/postponed line whose release already has the unstable fix;
    // * bookworm/bullseye fixes shipped by a DSA live in the DSA entry (its `{CVE…}` xref);
    //   the newest such fix wins;
    // * the urgency is the unstable line's severity (`not yet assigned` when none);
    // * releases outside `distributions.json` (sarge, etch, experimental…) have no rows.
    // Release versions are known only for bookworm, from the bookworm minbase dpkg status;
    // a release without its own line and without a known version gets no row.

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct VlBug {
        header: VlHeader,
        #[serde(default)]
        annotations: Vec<VlAnnotation>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct VlHeader {
        #[serde(rename = "ID")]
        id: String,
        #[serde(default)]
        description: String,
    }

    #[derive(Deserialize, Clone)]
    #[serde(rename_all = "PascalCase")]
    struct VlAnnotation {
        #[serde(rename = "Type")]
        kind_of_line: String,
        #[serde(default)]
        release: Option<String>,
        #[serde(default)]
        package: Option<String>,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        version: Option<String>,
        #[serde(default)]
        severity: Option<String>,
        #[serde(default)]
        bug_no: Option<u64>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        bugs: Vec<String>,
    }

    fn dpkg_cmp(a: &str, b: &str) -> Ordering {
        let a = strata_version::dpkg::Version::parse(a).expect("dpkg version");
        let b = strata_version::dpkg::Version::parse(b).expect("dpkg version");
        a.cmp(&b)
    }

    fn json_files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("read dir") {
                let path = e.expect("dir entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "json") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    fn read_bug(path: &Path) -> VlBug {
        serde_json::from_slice(&std::fs::read(path).expect("read")).expect("vuln-list entry")
    }

    /// Source package → source version, from a dpkg status file.
    fn source_versions(status: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for stanza in status.split("\n\n") {
            let field = |name: &str| {
                stanza
                    .lines()
                    .find_map(|l| l.strip_prefix(name).map(str::trim))
                    .map(str::to_owned)
            };
            let (Some(package), Some(version)) = (field("Package:"), field("Version:")) else {
                continue;
            };
            let (source, source_version) = match field("Source:") {
                Some(src) => match src.split_once(' ') {
                    Some((name, v)) => (name.to_owned(), v.trim_matches(['(', ')']).to_owned()),
                    None => (src, version),
                },
                None => (package, version),
            };
            out.insert(source, source_version);
        }
        out
    }

    /// The converter (see the rules above). `release_versions`: (codename, source) → version.
    fn vuln_list_to_tracker_json(
        root: &Path,
        release_versions: &BTreeMap<(String, String), String>,
    ) -> Value {
        let distributions: BTreeMap<String, Value> =
            serde_json::from_slice(&std::fs::read(root.join("distributions.json")).expect("read"))
                .expect("distributions.json");
        let mut releases: Vec<String> = distributions
            .iter()
            .filter(|(_, v)| v["major-version"].as_str().is_some_and(|m| !m.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        releases.push("sid".to_owned());

        // (cve, package, release) → newest DSA fix
        let mut dsa_fixes: BTreeMap<(String, String, String), String> = BTreeMap::new();
        for path in json_files(&root.join("DSA")) {
            let bug = read_bug(&path);
            let cves: Vec<String> = bug
                .annotations
                .iter()
                .filter(|a| a.kind_of_line == "xref")
                .flat_map(|a| a.bugs.clone())
                .collect();
            for a in bug
                .annotations
                .iter()
                .filter(|a| a.kind_of_line == "package")
            {
                let (Some(rel), Some(pkg), Some("fixed"), Some(v)) =
                    (&a.release, &a.package, a.kind.as_deref(), &a.version)
                else {
                    continue;
                };
                for cve in &cves {
                    let key = (cve.clone(), pkg.clone(), rel.clone());
                    let newer = dsa_fixes
                        .get(&key)
                        .is_none_or(|old| dpkg_cmp(v, old).is_gt());
                    if newer {
                        dsa_fixes.insert(key, v.clone());
                    }
                }
            }
        }

        let mut out = serde_json::Map::new();
        for path in json_files(&root.join("CVE")) {
            let bug = read_bug(&path);
            let id = bug.header.id.clone();
            let description = bug
                .header
                .description
                .trim()
                .trim_start_matches(['(', '['])
                .trim_end_matches([')', ']'])
                .trim()
                .to_owned();
            // package → (sid line, release lines), in file order
            let mut by_package: BTreeMap<
                String,
                (Option<VlAnnotation>, BTreeMap<String, VlAnnotation>),
            > = BTreeMap::new();
            for a in bug
                .annotations
                .iter()
                .filter(|a| a.kind_of_line == "package")
            {
                let Some(pkg) = a.package.clone() else {
                    continue;
                };
                let slot = by_package.entry(pkg).or_default();
                match &a.release {
                    None => slot.0 = Some(a.clone()),
                    Some(r) => {
                        slot.1.insert(r.clone(), a.clone());
                    }
                }
            }
            for (pkg, (sid_line, mut lines)) in by_package {
                // DSA fixes become (or beat) the release's own line
                for ((cve, p, rel), v) in &dsa_fixes {
                    if *cve != id || *p != pkg {
                        continue;
                    }
                    let keep_own = lines.get(rel).is_some_and(|own| {
                        own.kind.as_deref() == Some("fixed")
                            && own
                                .version
                                .as_deref()
                                .is_some_and(|o| dpkg_cmp(o, v).is_ge())
                    });
                    if !keep_own {
                        let mut line = sid_line.clone().unwrap_or_else(|| VlAnnotation {
                            kind_of_line: "package".to_owned(),
                            release: None,
                            package: Some(pkg.clone()),
                            kind: None,
                            version: None,
                            severity: None,
                            bug_no: None,
                            description: None,
                            bugs: Vec::new(),
                        });
                        line.release = Some(rel.clone());
                        line.kind = Some("fixed".to_owned());
                        line.version = Some(v.clone());
                        line.severity = None;
                        lines.insert(rel.clone(), line);
                    }
                }
                let urgency = sid_line
                    .as_ref()
                    .and_then(|l| l.severity.clone())
                    .unwrap_or_else(|| "not yet assigned".to_owned());
                let sid_fix = sid_line
                    .as_ref()
                    .filter(|l| l.kind.as_deref() == Some("fixed"))
                    .and_then(|l| l.version.clone());
                let sid_not_affected = sid_line
                    .as_ref()
                    .is_some_and(|l| l.kind.as_deref() == Some("not-affected"));

                let mut rows = serde_json::Map::new();
                for rel in &releases {
                    let repo = release_versions.get(&(rel.clone(), pkg.clone()));
                    let has_sid_fix = || match (&sid_fix, repo) {
                        (Some(fix), Some(have)) => dpkg_cmp(have, fix).is_ge(),
                        _ => false,
                    };
                    let line = if rel == "sid" {
                        sid_line.as_ref()
                    } else {
                        lines.get(rel)
                    };
                    let mut row = serde_json::Map::new();
                    let mut urgency = urgency.clone();
                    let (status, fixed) = match line.map(|l| (l.kind.as_deref().unwrap_or(""), l)) {
                        Some(("fixed", l)) => match (&l.version, repo) {
                            (Some(v), Some(have)) if dpkg_cmp(have, v).is_lt() => ("open", None),
                            (Some(v), _) => ("resolved", Some(v.clone())),
                            (None, _) => ("open", None),
                        },
                        Some(("not-affected", _)) => ("resolved", Some("0".to_owned())),
                        Some(("removed", _)) => continue,
                        Some(("end-of-life", _)) => {
                            urgency = "end-of-life".to_owned();
                            ("open", None)
                        }
                        Some((kind @ ("no-dsa" | "postponed" | "ignored"), l)) => {
                            if has_sid_fix() {
                                ("resolved", sid_fix.clone())
                            } else {
                                let comment = l.description.clone().unwrap_or_default();
                                row.insert("nodsa".into(), comment.into());
                                let reason = if kind == "no-dsa" { "" } else { kind };
                                row.insert("nodsa_reason".into(), reason.into());
                                ("open", None)
                            }
                        }
                        Some(_) => ("open", None), // unfixed
                        None => {
                            if repo.is_none() || sid_line.is_none() {
                                continue;
                            }
                            if sid_not_affected {
                                ("resolved", Some("0".to_owned()))
                            } else if has_sid_fix() {
                                ("resolved", sid_fix.clone())
                            } else {
                                ("open", None)
                            }
                        }
                    };
                    row.insert("status".into(), status.into());
                    if let Some(have) = repo {
                        row.insert(
                            "repositories".into(),
                            serde_json::json!({ rel.clone(): have }),
                        );
                    }
                    if let Some(fixed) = fixed {
                        row.insert("fixed_version".into(), fixed.into());
                    }
                    row.insert("urgency".into(), urgency.into());
                    rows.insert(rel.clone(), Value::Object(row));
                }
                let mut entry = serde_json::Map::new();
                entry.insert("description".into(), description.clone().into());
                if let Some(bug_no) = sid_line.as_ref().and_then(|l| l.bug_no) {
                    entry.insert("debianbug".into(), bug_no.into());
                }
                entry.insert("releases".into(), Value::Object(rows));
                let package = out
                    .entry(pkg)
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if let Value::Object(package) = package {
                    package.insert(id.clone(), Value::Object(entry));
                }
            }
        }
        Value::Object(out)
    }

    fn converted_json() -> Value {
        let status =
            std::fs::read_to_string(shared("pkgdb/dpkg/debootstrap-bookworm-minbase/status"))
                .expect("status");
        let versions = source_versions(&status)
            .into_iter()
            .map(|(pkg, v)| (("bookworm".to_owned(), pkg), v))
            .collect();
        let root = shared("feeds/debian/vuln-list-debian-tracker/tracker");
        vuln_list_to_tracker_json(&root, &versions)
    }

    fn converted() -> Parsed<Advisory> {
        let bytes = serde_json::to_vec(&converted_json()).expect("serialise");
        parse_tracker(&bytes).expect("converted tracker JSON parses")
    }

    /// The repo keeps the converted document (`test-data/feeds/debian-tracker-minbase.json`)
    /// for the feed mirror its tests and the bundled snapshot are built from; it must be
    /// exactly what the converter makes of the shared data (`STRATA_REGENERATE=1` rewrites it).
    #[test]
    fn committed_tracker_json_is_the_converter_output() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../test-data/feeds/debian-tracker-minbase.json");
        let mut expected = serde_json::to_string_pretty(&converted_json()).expect("serialise");
        expected.push('\n');
        if std::env::var_os("STRATA_REGENERATE").is_some() {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &expected).expect("write");
        }
        let committed = std::fs::read_to_string(&path).expect("committed tracker JSON");
        assert!(
            committed == expected,
            "{} is stale: run with STRATA_REGENERATE=1",
            path.display()
        );
    }

    #[test]
    fn minbase_status_source_versions() {
        let status =
            std::fs::read_to_string(shared("pkgdb/dpkg/debootstrap-bookworm-minbase/status"))
                .expect("status");
        let v = source_versions(&status);
        assert_eq!(v.get("glibc").map(String::as_str), Some("2.36-9+deb12u14"));
        assert_eq!(
            v.get("util-linux").map(String::as_str),
            Some("2.38.1-5+deb12u3")
        );
        assert_eq!(
            v.get("tar").map(String::as_str),
            Some("1.34+dfsg-1.2+deb12u1")
        );
        assert_eq!(v.len(), 63);
    }

    #[test]
    fn vuln_list_debian_minbase_entries() {
        let p = converted();
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        // 98 CVE/TEMP files; CVE-2023-45918 is only "TODO: check" (no package line), and
        // the tracker JSON is keyed by source package, so it has no row
        assert_eq!(p.records.len(), 97);
        assert!(!p.records.iter().any(|a| a.id == "CVE-2023-45918"));
        assert!(p.records.iter().all(|a| a.source == "debian-tracker"));
        use FixState::*;
        let neg = Some(Severity::Negligible);
        let unk = Some(Severity::Unknown);

        // tar CVE-2005-2541: "- tar <unfixed> (bug #328228; unimportant)"
        check(
            &p,
            "CVE-2005-2541",
            "Debian:unstable",
            "tar",
            NotFixed,
            None,
            neg,
        );
        check(&p, "CVE-2005-2541", "Debian:12", "tar", NotFixed, None, neg);
        let tar = advisory(&p, "CVE-2005-2541");
        assert!(
            tar.references
                .contains(&"https://bugs.debian.org/328228".to_owned())
        );
        assert!(
            tar.summary
                .as_deref()
                .unwrap_or("")
                .starts_with("Tar 1.15.1 does not properly warn")
        );
        // tar CVE-2023-39804: own bookworm and bullseye lines
        check(
            &p,
            "CVE-2023-39804",
            "Debian:12",
            "tar",
            Fixed,
            Some("1.34+dfsg-1.2+deb12u1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-39804",
            "Debian:11",
            "tar",
            Fixed,
            Some("1.34+dfsg-1+deb11u1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-39804",
            "Debian:unstable",
            "tar",
            Fixed,
            Some("1.34+dfsg-1.3"),
            unk,
        );
        // tar CVE-2025-45582: bullseye <postponed>
        check(
            &p,
            "CVE-2025-45582",
            "Debian:11",
            "tar",
            NotFixed,
            None,
            unk,
        );
        // TEMP ids are kept; a sarge line has no row
        check(
            &p,
            "TEMP-0290435-0B57B5",
            "Debian:unstable",
            "tar",
            NotFixed,
            None,
            neg,
        );
        assert!(
            !advisory(&p, "TEMP-0290435-0B57B5")
                .affected
                .iter()
                .any(|a| a.namespace.contains("3.1"))
        );

        // glibc CVE-2023-4911 (Looney Tunables): bookworm/bullseye fixes from DSA-5514-1
        check(
            &p,
            "CVE-2023-4911",
            "Debian:12",
            "glibc",
            Fixed,
            Some("2.36-9+deb12u3"),
            unk,
        );
        check(
            &p,
            "CVE-2023-4911",
            "Debian:11",
            "glibc",
            Fixed,
            Some("2.31-13+deb11u7"),
            unk,
        );
        check(
            &p,
            "CVE-2023-4911",
            "Debian:10",
            "glibc",
            NotAffected,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2023-4911",
            "Debian:unstable",
            "glibc",
            Fixed,
            Some("2.37-12"),
            unk,
        );
        // glibc CVE-2023-6246: DSA-5611-1, bullseye not affected
        check(
            &p,
            "CVE-2023-6246",
            "Debian:12",
            "glibc",
            Fixed,
            Some("2.36-9+deb12u4"),
            unk,
        );
        check(
            &p,
            "CVE-2023-6246",
            "Debian:11",
            "glibc",
            NotAffected,
            None,
            unk,
        );
        // glibc CVE-2019-1010022: unimportant, open everywhere
        check(
            &p,
            "CVE-2019-1010022",
            "Debian:12",
            "glibc",
            NotFixed,
            None,
            neg,
        );
        // glibc CVE-2025-4802: bookworm <no-dsa>
        check(
            &p,
            "CVE-2025-4802",
            "Debian:12",
            "glibc",
            WontFix,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2025-4802",
            "Debian:unstable",
            "glibc",
            Fixed,
            Some("2.39-4"),
            unk,
        );
        // glibc CVE-2010-4756: "- glibc <removed>" → no unstable row, bookworm still open
        let removed = advisory(&p, "CVE-2010-4756");
        assert!(!has_affected(removed, "Debian:unstable", "glibc"));
        check(
            &p,
            "CVE-2010-4756",
            "Debian:12",
            "glibc",
            NotFixed,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2010-4756",
            "Debian:unstable",
            "eglibc",
            NotFixed,
            None,
            neg,
        );

        // systemd: 252.x~deb12u1 fixes in bookworm
        check(
            &p,
            "CVE-2023-50387",
            "Debian:12",
            "systemd",
            Fixed,
            Some("252.23-1~deb12u1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-50387",
            "Debian:10",
            "systemd",
            WontFix,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2023-50387",
            "Debian:unstable",
            "systemd",
            Fixed,
            Some("255.4-1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-50387",
            "Debian:11",
            "knot-resolver",
            WontFix,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2023-50387",
            "Debian:11",
            "pdns-recursor",
            EndOfLife,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2025-4598",
            "Debian:12",
            "systemd",
            Fixed,
            Some("252.38-1~deb12u1"),
            unk,
        );
        check(
            &p,
            "CVE-2025-4598",
            "Debian:unstable",
            "systemd",
            Fixed,
            Some("257.6-1"),
            unk,
        );
        check(
            &p,
            "CVE-2023-7008",
            "Debian:12",
            "systemd",
            WontFix,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2023-7008",
            "Debian:10",
            "systemd",
            NotFixed,
            None,
            unk,
        );
        check(
            &p,
            "CVE-2023-31437",
            "Debian:12",
            "systemd",
            NotFixed,
            None,
            neg,
        );
        check(
            &p,
            "CVE-2013-4392",
            "Debian:7",
            "systemd",
            NotAffected,
            None,
            neg,
        );

        // other DSA fixes for bookworm
        check(
            &p,
            "CVE-2024-12243",
            "Debian:12",
            "gnutls28",
            Fixed,
            Some("3.7.9-2+deb12u4"),
            unk,
        );
        check(
            &p,
            "CVE-2025-32988",
            "Debian:12",
            "gnutls28",
            Fixed,
            Some("3.7.9-2+deb12u5"),
            unk,
        );
        check(
            &p,
            "CVE-2024-56406",
            "Debian:12",
            "perl",
            Fixed,
            Some("5.36.0-7+deb12u2"),
            unk,
        );
        check(
            &p,
            "CVE-2025-31115",
            "Debian:12",
            "xz-utils",
            Fixed,
            Some("5.4.1-1"),
            unk,
        );
        // apt CVE-2011-3374: unimportant
        check(&p, "CVE-2011-3374", "Debian:12", "apt", NotFixed, None, neg);
    }

    /// What a bookworm minbase scan would see from these entries: every bookworm row is
    /// either for a minbase package or came from the entry's own lines.
    #[test]
    fn vuln_list_debian_bookworm_rows() {
        let p = converted();
        let mut states: BTreeMap<String, usize> = BTreeMap::new();
        for a in p.records.iter().flat_map(|a| &a.affected) {
            if a.namespace == "Debian:12" {
                *states.entry(format!("{:?}", a.fix_state)).or_default() += 1;
            }
        }
        // every state of the model except UnderInvestigation/EndOfLife shows up in bookworm
        for state in ["Fixed", "NotFixed", "WontFix"] {
            assert!(states.get(state).copied().unwrap_or(0) > 0, "{states:?}");
        }
    }
}
