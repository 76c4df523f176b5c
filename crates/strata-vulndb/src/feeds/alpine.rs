//! Alpine's secdb (<https://secdb.alpinelinux.org/v3.NN/{main,community}.json>) and the
//! same format as published by Wolfi (<https://packages.wolfi.dev/os/security.json>) and
//! Chainguard.
//!
//! Shape (alpinelinux/alpine-secdb README; generated from the `# secfixes:` comment block of
//! each APKBUILD, <https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#secfixes>):
//! `{distroversion, reponame, urlprefix, apkurl, archs, packages: [{pkg: {name,
//! secfixes: {version: [ids…]}}}]}`. `name` is the *origin* (source) package. Each secfixes
//! key is the first package version fixing the listed ids; the key `"0"` lists ids that
//! never affected the package (same wiki section).
//!
//! Reading:
//! * one advisory per id, merged across packages; one `affected` per (id, package) with
//!   `introduced 0, fixed V` (`Fixed`), or no range when the only key is `"0"` (`NotAffected`);
//! * an id listed under several versions of one package (a first fix that was incomplete,
//!   or secfixes copied between branches) keeps the highest version, in apk order; a real
//!   version also beats `"0"`: the conservative reading, as Trivy does for Debian refixes;
//! * an id string may hold several ids and comments (`CVE-2016-9932 XSA-200`,
//!   `CVE-2018-14468 (FrameRelay)`): it is split on whitespace and every id-like word is
//!   kept (CVE, XSA, GHSA, TALOS, ALPINE-…, as is); ids named in one string are aliases of
//!   each other. Obvious CVE typos are mended (`CVE_2019-2426`, `CVE 2018-16859`,
//!   `CVE-2017-8073.patch`, `CVE-2017-17434-1` → the CVE id); a string with no id is skipped;
//! * a version apk would reject is skipped, except two typos of the `-rN` separator
//!   (`1.7.5.-r1`, `10.2.22.r0`), mended;
//! * `packages: null` (v3.3 community) is an empty feed; a `null` id list (v3.6 main heimdal
//!   7.4.0-r0) lists nothing.
//!
//! Namespaces: `Alpine:v3.NN` from `distroversion` (`Alpine:edge` for edge); Wolfi and
//! Chainguard are rolling distributions: `Wolfi`, `Chainguard`.

use super::clip;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use strata_version::apk;

use crate::{Advisory, Affected, Event, FeedError, FixState, Parsed, Range, RangeKind, Skipped};

/// Longest id kept.
const MAX_ID_LEN: usize = 128;
/// Longest package name kept (apk names are short; abuild allows any length).
const MAX_PACKAGE_LEN: usize = 256;
/// Longest id string looked at (real ones are < 200 bytes).
const MAX_ID_STRING_LEN: usize = 4096;

/// Parses a secdb document. `namespace_base` is `"Alpine"`, `"Wolfi"` or `"Chainguard"`.
pub fn parse_secdb(bytes: &[u8], namespace_base: &str) -> Result<Parsed<Advisory>, FeedError> {
    let feed = format!("{namespace_base} secdb");
    let err = |reason: String| FeedError {
        feed: feed.clone(),
        reason,
    };
    let source = match namespace_base {
        "Alpine" => "alpine-secdb",
        "Wolfi" => "wolfi-secdb",
        "Chainguard" => "chainguard-secdb",
        other => return Err(err(format!("unknown secdb namespace {other:?}"))),
    };
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| err(e.to_string()))?;
    let Value::Object(mut doc) = doc else {
        return Err(err("top level is not an object".to_owned()));
    };
    let namespace = if namespace_base == "Alpine" {
        let release = match doc.get("distroversion") {
            Some(Value::String(s)) => s.trim(),
            _ => return Err(err("no distroversion".to_owned())),
        };
        if !is_alpine_release(release) {
            let shown: String = release.chars().take(32).collect();
            return Err(err(format!("bad distroversion {shown:?}")));
        }
        format!("Alpine:{release}")
    } else {
        namespace_base.to_owned()
    };
    let packages = match doc.remove("packages") {
        Some(Value::Array(packages)) => packages,
        Some(Value::Null) => Vec::new(),
        Some(_) => return Err(err("`packages` is not an array".to_owned())),
        None => return Err(err("no `packages` field".to_owned())),
    };

    let mut ids: BTreeMap<String, IdEntry> = BTreeMap::new();
    let mut skipped = Vec::new();
    for (index, item) in packages.into_iter().enumerate() {
        let Some((name, secfixes)) = package_of(item, index, &mut skipped) else {
            continue;
        };
        for (version, list) in secfixes {
            let record = format!("{name} {}", clip(&version, MAX_ID_LEN));
            let fix = match version.trim() {
                "0" => None,
                v => match parse_version(v) {
                    Ok(fix) => Some(fix),
                    Err(e) => {
                        skipped.push(skip(record, format!("bad fix version: {e}")));
                        continue;
                    }
                },
            };
            let strings = match list {
                Value::Array(strings) => strings,
                // v3.6/main heimdal 7.4.0-r0 has a null list: nothing listed
                Value::Null => continue,
                _ => {
                    skipped.push(skip(record, "id list is not an array"));
                    continue;
                }
            };
            add_strings(
                &mut ids,
                &mut skipped,
                &name,
                &record,
                fix.as_ref(),
                strings,
            );
        }
    }

    let records = ids
        .into_iter()
        .map(|(id, entry)| Advisory {
            aliases: entry.aliases.into_iter().collect(),
            affected: entry
                .packages
                .into_iter()
                .map(|p| p.into_affected(&namespace))
                .collect(),
            id,
            source: source.to_owned(),
            ..Advisory::default()
        })
        .collect();
    Ok(Parsed { records, skipped })
}

/// Records the ids of one secfixes list (`strings`) as fixed in `fix` of `package`.
fn add_strings(
    ids: &mut BTreeMap<String, IdEntry>,
    skipped: &mut Vec<Skipped>,
    package: &str,
    record: &str,
    fix: Option<&(String, apk::Version)>,
    strings: Vec<Value>,
) {
    for s in strings {
        let Value::String(s) = s else {
            skipped.push(skip(record.to_owned(), "id is not a string"));
            continue;
        };
        if s.len() > MAX_ID_STRING_LEN {
            skipped.push(skip(record.to_owned(), "id string too long"));
            continue;
        }
        let (found, bad) = ids_in(&s);
        for b in bad {
            skipped.push(skip(
                format!("{record}: {}", clip(&b, MAX_ID_LEN)),
                "malformed CVE id",
            ));
        }
        if found.is_empty() {
            let shown = clip(s.trim(), MAX_ID_LEN);
            skipped.push(skip(format!("{record}: {shown}"), "no advisory id"));
            continue;
        }
        for id in &found {
            let entry = ids.entry(id.clone()).or_default();
            entry
                .aliases
                .extend(found.iter().filter(|a| *a != id).cloned());
            entry.record(package, fix);
        }
    }
}

/// One id across the document.
#[derive(Default)]
struct IdEntry {
    aliases: BTreeSet<String>,
    /// In order of first appearance.
    packages: Vec<PackageFix>,
    index: HashMap<String, usize>,
}

impl IdEntry {
    fn record(&mut self, package: &str, fix: Option<&(String, apk::Version)>) {
        let slot = match self.index.get(package) {
            Some(&i) => self.packages.get_mut(i),
            None => {
                self.index.insert(package.to_owned(), self.packages.len());
                self.packages.push(PackageFix {
                    package: package.to_owned(),
                    fixed: None,
                });
                self.packages.last_mut()
            }
        };
        let Some(slot) = slot else { return };
        if let Some(fix) = fix
            && slot.fixed.as_ref().is_none_or(|old| fix.1 > old.1)
        {
            slot.fixed = Some(fix.clone());
        }
    }
}

/// One (id, package): the highest fixing version (as written, parsed), or none (only
/// `"0"`: never affected).
struct PackageFix {
    package: String,
    fixed: Option<(String, apk::Version)>,
}

impl PackageFix {
    fn into_affected(self, namespace: &str) -> Affected {
        let (fix_state, ranges) = match self.fixed {
            Some((v, _)) => {
                let events = vec![Event::Introduced("0".to_owned()), Event::Fixed(v)];
                let range = Range {
                    kind: RangeKind::Ecosystem,
                    events,
                };
                (FixState::Fixed, vec![range])
            }
            None => (FixState::NotAffected, Vec::new()),
        };
        Affected {
            namespace: namespace.to_owned(),
            package: self.package,
            ranges,
            versions: Vec::new(),
            fix_state,
            severity: None,
        }
    }
}

/// A secfixes version, parsed as apk does. Two typos of the revision separator seen in
/// the real secdb are mended when the result is valid: `1.7.5.-r1` (v3.3 libxi) and
/// `10.2.22.r0` (v3.8 mariadb) are `…-rN`. Others (`4.10-1-r1`, `2.7.16-33`) are errors.
fn parse_version(v: &str) -> Result<(String, apk::Version), strata_version::Error> {
    let first = match apk::Version::parse(v) {
        Ok(parsed) => return Ok((v.to_owned(), parsed)),
        Err(e) => e,
    };
    let mended = match v.rsplit_once(".-r").or_else(|| v.rsplit_once(".r")) {
        Some((head, rev)) if !rev.is_empty() && rev.chars().all(|c| c.is_ascii_digit()) => {
            format!("{head}-r{rev}")
        }
        _ => return Err(first),
    };
    apk::Version::parse(&mended)
        .map(|parsed| (mended, parsed))
        .map_err(|_| first)
}

/// `{pkg: {name, secfixes}}` → (name, secfixes), or a skip.
fn package_of(
    item: Value,
    index: usize,
    skipped: &mut Vec<Skipped>,
) -> Option<(String, serde_json::Map<String, Value>)> {
    let record = format!("packages[{index}]");
    let Value::Object(mut item) = item else {
        skipped.push(skip(record, "entry is not an object"));
        return None;
    };
    let Some(Value::Object(mut pkg)) = item.remove("pkg") else {
        skipped.push(skip(record, "no `pkg` object"));
        return None;
    };
    let name = match pkg.remove("name") {
        Some(Value::String(name)) => name.trim().to_owned(),
        _ => {
            skipped.push(skip(record, "no package name"));
            return None;
        }
    };
    if name.is_empty()
        || name.len() > MAX_PACKAGE_LEN
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        let shown = clip(&name, MAX_PACKAGE_LEN);
        skipped.push(skip(format!("{record} {shown}"), "bad package name"));
        return None;
    }
    match pkg.remove("secfixes") {
        Some(Value::Object(secfixes)) => Some((name, secfixes)),
        // a package without secfixes lists nothing
        None | Some(Value::Null) => None,
        Some(_) => {
            skipped.push(skip(name, "`secfixes` is not an object"));
            None
        }
    }
}

/// The ids in one secfixes string, and the malformed CVE-looking words.
fn ids_in(s: &str) -> (Vec<String>, Vec<String>) {
    let mut found: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut i = 0;
    while let Some(&word) = words.get(i) {
        i += 1;
        let upper = word.to_ascii_uppercase();
        let id = if upper == "CVE" {
            // `CVE 2018-16859` (v3.9 main ansible): the id split in two
            match words
                .get(i)
                .and_then(|next| cve_prefix(&format!("CVE-{next}")))
            {
                Some(id) => {
                    i += 1;
                    Some(id)
                }
                None => None,
            }
        } else if let Some(rest) = upper
            .strip_prefix("CVE-")
            .or_else(|| upper.strip_prefix("CVE_"))
        {
            // `CVE_2019-2426`, `CVE-2017-8073.patch`, `CVE-2017-17434-1` → the CVE id;
            // `CVE-????-?????` (xen placeholders) is no id
            match cve_prefix(&format!("CVE-{rest}")) {
                Some(id) => Some(id),
                None => {
                    bad.push(clip(word, MAX_ID_LEN));
                    None
                }
            }
        } else if is_id_like(word) {
            Some(word.to_owned())
        } else {
            // prose around the ids: `(FrameRelay)`, `(+ regression fix)`
            None
        };
        if let Some(id) = id
            && !found.contains(&id)
        {
            found.push(id);
        }
    }
    (found, bad)
}

/// The `CVE-YYYY-NNNN…` id at the start of `s` (upper case), if `s` starts with one that
/// is not followed by more digits.
fn cve_prefix(s: &str) -> Option<String> {
    let rest = s.strip_prefix("CVE-")?;
    let year_len = rest.chars().take_while(char::is_ascii_digit).count();
    if year_len != 4 {
        return None;
    }
    let rest = rest.get(4..)?.strip_prefix('-')?;
    let num_len = rest.chars().take_while(char::is_ascii_digit).count();
    if !(4..=12).contains(&num_len) {
        return None;
    }
    let year = s.get(4..8)?;
    let number = rest.get(..num_len)?;
    Some(format!("CVE-{year}-{number}"))
}

/// An advisory-id-like word: a letter first, then letters, digits and `-`, with a `-` not at
/// the end and a digit (`XSA-200`, `GHSA-jq35-85cj-fj4p`, `wnpa-sec-2017-18`; not `follow-up`).
fn is_id_like(word: &str) -> bool {
    word.len() <= MAX_ID_LEN
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !word.ends_with('-')
        && word.contains('-')
        && word.contains(|c: char| c.is_ascii_digit())
}

/// `v3.18` (`v` then dotted numbers) or `edge`.
fn is_alpine_release(s: &str) -> bool {
    if s == "edge" {
        return true;
    }
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let parts: Vec<&str> = rest.split('.').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

fn skip(record: String, reason: impl Into<String>) -> Skipped {
    Skipped {
        record,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared(rel: &str) -> PathBuf {
        let s = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        s.ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn parse_file(rel: &str, base: &str) -> Parsed<Advisory> {
        let bytes = std::fs::read(shared(rel)).expect("read sample");
        parse_secdb(&bytes, base).expect("parse sample")
    }

    fn secdb_2020(release: &str, repo: &str) -> Parsed<Advisory> {
        parse_file(
            &format!("feeds/alpine/secdb-json-2020-converted/{release}/{repo}.json"),
            "Alpine",
        )
    }

    fn advisory<'a>(parsed: &'a Parsed<Advisory>, id: &str) -> &'a Advisory {
        parsed
            .records
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    }

    /// (fix state, fixed version) of one (id, package), checking the namespace and range shape.
    fn fix(parsed: &Parsed<Advisory>, id: &str, package: &str) -> (FixState, Option<String>) {
        let a = advisory(parsed, id)
            .affected
            .iter()
            .find(|a| a.package == package)
            .unwrap_or_else(|| panic!("{id} {package} missing"));
        assert!(a.severity.is_none() && a.versions.is_empty());
        match a.fix_state {
            FixState::Fixed => {
                assert_eq!(a.ranges.len(), 1);
                assert_eq!(a.ranges[0].kind, RangeKind::Ecosystem);
                let [Event::Introduced(zero), Event::Fixed(v)] = a.ranges[0].events.as_slice()
                else {
                    panic!("{id} {package}: {:?}", a.ranges)
                };
                assert_eq!(zero, "0");
                (a.fix_state, Some(v.clone()))
            }
            _ => {
                assert!(a.ranges.is_empty());
                (a.fix_state, None)
            }
        }
    }

    fn fixed(v: &str) -> (FixState, Option<String>) {
        (FixState::Fixed, Some(v.to_owned()))
    }

    const NOT_AFFECTED: (FixState, Option<String>) = (FixState::NotAffected, None);

    #[test]
    fn v3_11_main() {
        let p = secdb_2020("v3.11", "main");
        assert!(p.records.iter().all(|a| a.source == "alpine-secdb"));
        assert!(
            p.records
                .iter()
                .flat_map(|a| &a.affected)
                .all(|a| a.namespace == "Alpine:v3.11")
        );
        assert_eq!(fix(&p, "CVE-2019-14904", "ansible"), fixed("2.9.3-r0"));
        assert_eq!(fix(&p, "CVE-2019-14846", "ansible"), fixed("2.8.6-r0"));
        // prose after the id: "CVE-2018-14468 (FrameRelay)"
        assert_eq!(fix(&p, "CVE-2018-14468", "tcpdump"), fixed("4.9.3-r0"));
        assert!(
            !p.records
                .iter()
                .any(|a| a.id.contains('(') || a.id == "fixed,")
        );
        // "CVE-2017-17434-1" / "-2": the CVE id
        assert_eq!(fix(&p, "CVE-2017-17434", "rsync"), fixed("3.1.2-r7"));
        assert_eq!(fix(&p, "CVE-2017-16548", "rsync"), fixed("3.1.2-r7"));
        // the exact skips: invalid versions, xen's placeholder CVE next to XSA-297
        let mut skipped: Vec<(&str, &str)> = p
            .skipped
            .iter()
            .map(|s| (s.record.as_str(), s.reason.split(':').next().unwrap_or("")))
            .collect();
        skipped.sort_unstable();
        assert_eq!(
            skipped,
            [
                ("opensmtpd 6.6.2p1-r0", "bad fix version"),
                ("python2 2.7.16-33", "bad fix version"),
                ("xen 4.10-1-r1", "bad fix version"),
                ("xen 4.12.1-r0: CVE-????-?????", "malformed CVE id"),
            ]
        );
        assert_eq!(fix(&p, "XSA-295", "xen"), fixed("4.12.1-r0"));
        assert_eq!(fix(&p, "XSA-297", "xen"), fixed("4.12.0-r2"));
        let xsa = advisory(&p, "XSA-297");
        assert_eq!(
            xsa.aliases,
            [
                "CVE-2018-12126",
                "CVE-2018-12127",
                "CVE-2018-12130",
                "CVE-2019-11091"
            ]
        );
    }

    #[test]
    fn merges_ids_across_packages_and_keeps_highest_fix() {
        // v3.5 main: openssl CVE-2017-3738 under 1.0.2n-r0 and 1.0.2o-r0
        let p = secdb_2020("v3.5", "main");
        assert_eq!(fix(&p, "CVE-2017-3738", "openssl"), fixed("1.0.2o-r0"));
        // XSA ids kept, aliases from one string
        let cve = advisory(&p, "CVE-2016-9932");
        assert_eq!(cve.aliases, ["XSA-200"]);
        assert_eq!(fix(&p, "CVE-2016-9932", "xen"), fixed("4.7.1-r3"));
        let xsa = advisory(&p, "XSA-201");
        assert_eq!(
            xsa.aliases,
            [
                "CVE-2016-9815",
                "CVE-2016-9816",
                "CVE-2016-9817",
                "CVE-2016-9818"
            ]
        );
        assert_eq!(fix(&p, "XSA-201", "xen"), fixed("4.7.1-r3"));
        // other id schemes as is
        assert_eq!(fix(&p, "TALOS-2017-0394", "sdl2_image"), fixed("2.0.1-r2"));
        assert_eq!(fix(&p, "wnpa-sec-2017-18", "wireshark"), fixed("2.2.6-r0"));
        assert_eq!(fix(&p, "ZBX-11023", "zabbix"), fixed("3.0.4-r0"));
        // "CVE-2017-8073.patch"
        assert_eq!(fix(&p, "CVE-2017-8073", "weechat"), fixed("1.6.0-r1"));
        // one CVE in two packages: one advisory, two affected (document order)
        let p = secdb_2020("v3.8", "community");
        let php = advisory(&p, "CVE-2018-5712");
        let packages: Vec<&str> = php.affected.iter().map(|a| a.package.as_str()).collect();
        assert_eq!(packages, ["php5", "php7"]);
        assert_eq!(fix(&p, "CVE-2018-5712", "php5"), fixed("5.6.36-r0"));
        let p = secdb_2020("v3.5", "community");
        let a = advisory(&p, "CVE-2018-5712");
        assert_eq!(a.affected.len(), 1);
        assert_eq!(fix(&p, "CVE-2018-5712", "php7"), fixed("7.0.30-r0"));
        let p = secdb_2020("v3.8", "community");
        assert_eq!(fix(&p, "CVE-2018-6789", "exim"), fixed("4.91-r0"));
        let multi = p
            .records
            .iter()
            .find(|a| a.affected.len() > 1)
            .expect("an id fixed in several packages");
        let mut names: Vec<&str> = multi.affected.iter().map(|a| a.package.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), multi.affected.len());
    }

    #[test]
    fn quirks_of_the_2020_set() {
        // v3.3 community: "packages": null
        let p = secdb_2020("v3.3", "community");
        assert_eq!(p, Parsed::default());
        // v3.6 main heimdal 7.4.0-r0: null id list; the other heimdal fixes stay
        let p = secdb_2020("v3.6", "main");
        assert_eq!(fix(&p, "CVE-2017-17439", "heimdal"), fixed("7.1.0-r2"));
        assert_eq!(fix(&p, "CVE-2017-11103", "heimdal"), fixed("7.1.0-r1"));
        assert!(!p.skipped.iter().any(|s| s.record.contains("heimdal")));
        // v3.6 community shadow: "CVE-2017-2616 (+ regression fix)"
        let p = secdb_2020("v3.6", "community");
        assert_eq!(fix(&p, "CVE-2017-2616", "shadow"), fixed("4.2.1-r7"));
        assert_eq!(
            fix(&p, "CVE-2019-2426", "openjdk7"),
            fixed("7.211.2.6.17-r0")
        );
        // v3.9 main ansible: "CVE 2018-16859"
        let p = secdb_2020("v3.9", "main");
        assert_eq!(fix(&p, "CVE-2018-16859", "ansible"), fixed("2.7.3-r0"));
        assert_eq!(fix(&p, "XSA-284", "xen"), fixed("4.11.2-r0"));
        // v3.8 main mariadb "10.2.22.r0": mended
        let p = secdb_2020("v3.8", "main");
        assert_eq!(fix(&p, "CVE-2019-2510", "mariadb"), fixed("10.2.22-r0"));
        assert_eq!(fix(&p, "CVE-2019-2805", "mariadb"), fixed("10.2.26-r0"));
        // v3.3 main libxi "1.7.5.-r1": mended
        let p = secdb_2020("v3.3", "main");
        let libxi = p
            .records
            .iter()
            .flat_map(|a| &a.affected)
            .find(|a| a.package == "libxi");
        let events = &libxi.expect("libxi").ranges[0].events;
        assert_eq!(events[1], Event::Fixed("1.7.5-r1".to_owned()));
        // v3.7 main git "2.15.r-r1": not mendable, skipped
        let p = secdb_2020("v3.7", "main");
        assert!(p.skipped.iter().any(|s| s.record == "git 2.15.r-r1"));
    }

    #[test]
    fn whole_2020_set() {
        let mut total = 0;
        for release in [
            "v3.3", "v3.4", "v3.5", "v3.6", "v3.7", "v3.8", "v3.9", "v3.10", "v3.11",
        ] {
            for repo in ["main", "community"] {
                let p = secdb_2020(release, repo);
                let ns = format!("Alpine:{release}");
                for a in &p.records {
                    assert!(!a.id.is_empty() && !a.affected.is_empty(), "{a:?}");
                    assert!(a.affected.iter().all(|x| x.namespace == ns));
                    assert!(!a.aliases.contains(&a.id));
                }
                // upstream typos only: never more than a handful per file
                assert!(p.skipped.len() <= 13, "{release}/{repo}: {:?}", p.skipped);
                total += p.records.len();
            }
        }
        // distinct ids per file, as counted independently with a regex over the JSON
        assert_eq!(total, 12152);
    }

    #[test]
    fn claircore_v3_10_community_fixture() {
        let p = parse_file(
            "feeds/alpine/fixture-subsets/claircore-v3.10-community.json",
            "Alpine",
        );
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert_eq!(fix(&p, "CVE-2018-20187", "botan"), fixed("2.9.0-r0"));
        assert_eq!(fix(&p, "CVE-2018-9127", "botan"), fixed("2.5.0-r0"));
        // same facts as the complete 2020 file
        let full = secdb_2020("v3.10", "community");
        assert_eq!(fix(&full, "CVE-2018-20187", "botan"), fixed("2.9.0-r0"));
    }

    /// Test-only adapter: aquasecurity/vuln-list `alpine/<rel>/<repo>/<pkg>.json` files are one
    /// `pkg` of a secdb document with the header fields appended; wrap them back.
    fn wrap_vuln_list(files: &[&str]) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut packages = Vec::new();
        for file in files {
            let path = format!("feeds/alpine/vuln-list-v3.18-main-per-package/{file}.json");
            let Value::Object(mut obj) =
                serde_json::from_slice(&std::fs::read(shared(&path)).expect("read")).expect("json")
            else {
                panic!("{file}: not an object")
            };
            for key in ["distroversion", "reponame", "urlprefix", "apkurl", "archs"] {
                if let Some(v) = obj.remove(key) {
                    header.insert(key.to_owned(), v);
                }
            }
            packages.push(serde_json::json!({ "pkg": obj }));
        }
        header.insert("packages".to_owned(), Value::Array(packages));
        serde_json::to_vec(&Value::Object(header)).expect("serialise")
    }

    #[test]
    fn vuln_list_v3_18_main() {
        let doc = wrap_vuln_list(&["apk-tools", "busybox", "musl", "openssl", "zlib"]);
        let p = parse_secdb(&doc, "Alpine").expect("parse");
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert!(
            p.records
                .iter()
                .flat_map(|a| &a.affected)
                .all(|a| a.namespace == "Alpine:v3.18")
        );
        assert_eq!(fix(&p, "CVE-2023-45853", "zlib"), NOT_AFFECTED);
        assert_eq!(fix(&p, "CVE-2022-37434", "zlib"), fixed("1.2.12-r2"));
        assert_eq!(fix(&p, "CVE-2018-25032", "zlib"), fixed("1.2.11-r4"));
        assert_eq!(fix(&p, "CVE-2021-42373", "busybox"), NOT_AFFECTED);
        assert_eq!(fix(&p, "CVE-2017-16544", "busybox"), fixed("1.27.2-r4"));
        assert_eq!(fix(&p, "ALPINE-13661", "busybox"), fixed("1.35.0-r7"));
        assert_eq!(fix(&p, "CVE-2020-28928", "musl"), fixed("1.2.2_pre2-r0"));
        assert_eq!(fix(&p, "CVE-2025-26519", "musl"), fixed("1.2.4-r3"));
        assert_eq!(fix(&p, "CVE-2021-36159", "apk-tools"), fixed("2.12.6-r0"));
        assert_eq!(fix(&p, "CVE-2022-1292", "openssl"), NOT_AFFECTED);
        assert_eq!(fix(&p, "CVE-2019-1543", "openssl"), fixed("1.1.1b-r1"));
    }

    #[test]
    fn wolfi_and_chainguard() {
        for file in [
            "vunnel-wolfi-security.json",
            "vunnel-cli-wolfi-security.json",
        ] {
            let p = parse_file(&format!("feeds/wolfi/{file}"), "Wolfi");
            assert!(p.skipped.is_empty(), "{:?}", p.skipped);
            assert!(p.records.iter().all(|a| a.source == "wolfi-secdb"));
            assert!(
                p.records
                    .iter()
                    .flat_map(|a| &a.affected)
                    .all(|a| a.namespace == "Wolfi")
            );
            assert_eq!(fix(&p, "CVE-2016-2781", "coreutils"), NOT_AFFECTED);
            assert_eq!(fix(&p, "CVE-2022-38533", "binutils"), fixed("2.39-r2"));
            assert_eq!(fix(&p, "CVE-2022-30065", "busybox"), fixed("1.35.0-r3"));
        }
        let p = parse_file("feeds/wolfi/vunnel-wolfi-security.json", "Wolfi");
        assert_eq!(fix(&p, "GHSA-jq35-85cj-fj4p", "apko"), NOT_AFFECTED);

        let p = parse_file(
            "feeds/chainguard/vunnel-chainguard-security.json",
            "Chainguard",
        );
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert!(p.records.iter().all(|a| a.source == "chainguard-secdb"));
        assert!(
            p.records
                .iter()
                .flat_map(|a| &a.affected)
                .all(|a| a.namespace == "Chainguard")
        );
        assert_eq!(fix(&p, "CVE-2021-36156", "grafana"), fixed("7.5.19-r0"));
        assert_eq!(fix(&p, "CVE-2022-2795", "bind"), fixed("9.18.10-r0"));
    }

    // ---- hostile input ----

    #[test]
    fn whole_document_errors() {
        let ok = r#"{"distroversion": "v3.18", "packages": []}"#;
        assert_eq!(
            parse_secdb(ok.as_bytes(), "Alpine").expect("ok"),
            Parsed::default()
        );
        assert!(parse_secdb(ok.as_bytes(), "Ubuntu").is_err());
        for bad in [
            "",
            "nope",
            "[]",
            "null",
            r#"{"distroversion": "v3.18", "packages": [}"#,
            r#"{"distroversion": "v3.18", "packages": []} x"#,
            r#"{"distroversion": "v3.18", "packages": {}}"#,
            r#"{"distroversion": "v3.18", "packages": "x"}"#,
            r#"{"distroversion": "v3.18"}"#,
            r#"{"packages": []}"#,
            r#"{"distroversion": 3.18, "packages": []}"#,
            r#"{"distroversion": "3.18", "packages": []}"#,
            r#"{"distroversion": "v3.18/../x", "packages": []}"#,
        ] {
            assert!(parse_secdb(bad.as_bytes(), "Alpine").is_err(), "{bad}");
        }
        // Wolfi and Chainguard have no distroversion
        assert!(parse_secdb(br#"{"packages": null}"#, "Wolfi").is_ok());
        let deep = format!(
            "{{\"packages\": {}{}}}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        assert!(parse_secdb(deep.as_bytes(), "Wolfi").is_err());
        let edge = r#"{"distroversion": "edge", "packages": [{"pkg": {"name": "a", "secfixes": {"1-r0": ["CVE-2024-0001"]}}}]}"#;
        let p = parse_secdb(edge.as_bytes(), "Alpine").expect("edge");
        assert_eq!(p.records[0].affected[0].namespace, "Alpine:edge");
    }

    #[test]
    fn bad_records_are_skipped() {
        let doc = r#"{"distroversion": "v3.18", "packages": [
            42,
            {"nopkg": {}},
            {"pkg": {"secfixes": {}}},
            {"pkg": {"name": "bad name", "secfixes": {}}},
            {"pkg": {"name": "s", "secfixes": ["CVE-2024-0001"]}},
            {"pkg": {"name": "none"}},
            {"pkg": {"name": "nul", "secfixes": null}},
            {"pkg": {"name": "a", "secfixes": {
                "1.0-r0": ["CVE-2024-0001", 7, null, "just words", "CVE-2024-0002 XSA-1 (note)"],
                "not a version": ["CVE-2024-0003"],
                "2.0-r0": "CVE-2024-0004",
                "0": ["CVE-2024-0001", "CVE-2024-0005", "cve-2024-0006"],
                "0.9-r0": ["CVE-2024-0001"],
                "3.0-r0": null
            }}},
            {"pkg": {"name": "a", "secfixes": {"1.5-r0": ["CVE-2024-0001"]}}},
            {"pkg": {"name": "b", "secfixes": {"1-r0": ["CVE-2024-0001"], "0": ["CVE-2024-0005"]}}}
        ]}"#;
        let p = parse_secdb(doc.as_bytes(), "Alpine").expect("parse");
        let ids: Vec<&str> = p.records.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "CVE-2024-0001",
                "CVE-2024-0002",
                "CVE-2024-0005",
                "CVE-2024-0006",
                "XSA-1"
            ]
        );
        // highest fix across the list and the repeated package; a real fix beats "0"
        assert_eq!(fix(&p, "CVE-2024-0001", "a"), fixed("1.5-r0"));
        assert_eq!(advisory(&p, "CVE-2024-0001").affected.len(), 2);
        assert_eq!(fix(&p, "CVE-2024-0001", "b"), fixed("1-r0"));
        assert_eq!(fix(&p, "CVE-2024-0005", "a"), NOT_AFFECTED);
        assert_eq!(fix(&p, "CVE-2024-0005", "b"), NOT_AFFECTED);
        assert_eq!(fix(&p, "CVE-2024-0006", "a"), NOT_AFFECTED);
        assert_eq!(advisory(&p, "CVE-2024-0002").aliases, ["XSA-1"]);
        assert_eq!(advisory(&p, "XSA-1").aliases, ["CVE-2024-0002"]);
        let mut skipped: Vec<String> = p
            .skipped
            .iter()
            .map(|s| {
                format!(
                    "{} | {}",
                    s.record,
                    s.reason.split(':').next().unwrap_or("")
                )
            })
            .collect();
        skipped.sort_unstable();
        assert_eq!(
            skipped,
            [
                "a 1.0-r0 | id is not a string",
                "a 1.0-r0 | id is not a string",
                "a 1.0-r0: just words | no advisory id",
                "a 2.0-r0 | id list is not an array",
                "a not a version | bad fix version",
                "packages[0] | entry is not an object",
                "packages[1] | no `pkg` object",
                "packages[2] | no package name",
                "packages[3] bad name | bad package name",
                "s | `secfixes` is not an object",
            ]
        );
    }

    #[test]
    fn huge_fields_are_bounded() {
        let big = "A-1".repeat(100_000);
        let doc = serde_json::json!({
            "packages": [{"pkg": {"name": "p", "secfixes": {
                "1-r0": [big.clone(), format!("X-{}", "9".repeat(200)), format!("CVE-2024-{}", "1".repeat(50))],
                big.clone(): ["CVE-2024-0001"]
            }}}, {"pkg": {"name": big.clone(), "secfixes": {}}}]
        })
        .to_string();
        let p = parse_secdb(doc.as_bytes(), "Wolfi").expect("parse");
        assert!(p.records.is_empty(), "{:?}", p.records);
        let mut reasons: Vec<&str> = p
            .skipped
            .iter()
            .map(|s| s.reason.split(':').next().unwrap_or(""))
            .collect();
        reasons.sort_unstable();
        assert_eq!(
            reasons,
            [
                "bad fix version",
                "bad package name",
                "id string too long",
                "malformed CVE id",
                "no advisory id",
                "no advisory id"
            ]
        );
        assert!(
            p.skipped
                .iter()
                .all(|s| s.record.len() <= 2 * MAX_ID_LEN + MAX_PACKAGE_LEN)
        );
    }

    #[test]
    fn id_words() {
        let ids = |s: &str| ids_in(s).0;
        assert_eq!(ids("CVE-2016-9932 XSA-200"), ["CVE-2016-9932", "XSA-200"]);
        assert_eq!(ids("CVE_2019-2426"), ["CVE-2019-2426"]);
        assert_eq!(ids("CVE 2018-16859"), ["CVE-2018-16859"]);
        assert_eq!(ids("CVE-2017-8073.patch"), ["CVE-2017-8073"]);
        assert_eq!(
            ids("CVE-2017-12893 (SMB - partially fixed, but SMB printing disabled)"),
            ["CVE-2017-12893"]
        );
        assert_eq!(ids("GHSA-jq35-85cj-fj4p"), ["GHSA-jq35-85cj-fj4p"]);
        assert_eq!(ids("XPTI"), Vec::<String>::new());
        assert_eq!(ids("follow-up"), Vec::<String>::new());
        assert_eq!(ids("CVE-????-?????  XSA-284"), ["XSA-284"]);
        assert_eq!(ids_in("CVE-????-?????").1, ["CVE-????-?????"]);
        assert_eq!(ids("CVE-2024-1 CVE-24-12345"), Vec::<String>::new());
        assert_eq!(ids("CVE-2024-1234 CVE-2024-1234"), ["CVE-2024-1234"]);
    }
}
