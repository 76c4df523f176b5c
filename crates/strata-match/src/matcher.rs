//! Matching an inventory against the database.
//!
//! Precision first: OS packages are looked up only in their own distro
//! release's namespace (dpkg by source package, apk by origin, rpm by name),
//! language packages only in their ecosystem, each compared with its
//! ecosystem's scheme; a language package whose files an OS package owns is
//! left to the distro's advisories. Withdrawn advisories and `not-affected`
//! statements never match.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use strata_catalog::PackageKind;
use strata_catalog::inventory::{Inventory, InventoryPackage};
use strata_version::{Scheme, Version, osv};
use strata_vulndb::store::{Db, Match, StoreError};
use strata_vulndb::{Advisory, Affected, Enrichment, Event, FixState, Range, RangeKind, Severity};

use crate::Finding;
use crate::report::{FoundLayer, FoundPackage, OsStatus};

/// A package that could not be checked, and why (for `explain` and warnings).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unchecked {
    /// `ecosystem/name@version`.
    pub package: String,
    /// Why.
    pub reason: String,
}

/// What matching found.
#[derive(Debug, Clone, Default)]
pub struct Matched {
    /// Findings, de-duplicated, most severe first.
    pub findings: Vec<Finding>,
    /// The OS and whether its packages were checked.
    pub os: Option<OsStatus>,
    /// Packages that could not be checked (unparsable versions, no data).
    pub unchecked: Vec<Unchecked>,
}

/// Where and how a package is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The namespace (`Debian:12`, `PyPI`).
    pub namespace: String,
    /// The name advisories use (dpkg source package, apk origin, PEP 503 name…).
    pub name: String,
    /// The version compared (dpkg: the source version).
    pub version: String,
    /// The scheme it is compared with.
    pub scheme: Scheme,
}

/// How a package is looked up, or why it is not (distro-owned, no OS release…).
pub fn lookup_of(package: &InventoryPackage, inventory: &Inventory) -> Result<Lookup, String> {
    if let Some(owner) = &package.owner {
        return Err(format!(
            "its files belong to the OS package {} {}: matched through the distro's advisories",
            owner.name, owner.version
        ));
    }
    let os_package = matches!(
        package.kind,
        PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm
    );
    let namespace = if os_package {
        os_namespace(inventory).ok_or_else(|| "the OS release is unknown".to_owned())?
    } else {
        package.ecosystem.clone()
    };
    let scheme = Scheme::for_osv_ecosystem(&namespace)
        .ok_or_else(|| format!("no version scheme for {namespace}"))?;
    let (name, version) = match package.kind {
        // Debian and Ubuntu advisories name source packages and source versions.
        PackageKind::Deb => (
            package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone()),
            package
                .source_version
                .clone()
                .unwrap_or_else(|| package.version.clone()),
        ),
        // Alpine's secdb names origin packages; the version is the binary's (same as origin's).
        PackageKind::Apk => (
            package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone()),
            package.version.clone(),
        ),
        PackageKind::Python => (pep503(&package.name), package.version.clone()),
        PackageKind::Go => (package.name.clone(), go_version(&package.version)?),
        _ => (package.name.clone(), package.version.clone()),
    };
    Ok(Lookup {
        namespace,
        name,
        version,
        scheme,
    })
}

/// The namespace of the image's OS packages (`Debian:12`, `Alpine:v3.18`, `Wolfi`).
pub fn os_namespace(inventory: &Inventory) -> Option<String> {
    let os = inventory.os.as_ref()?;
    let ecosystem = os.ecosystem.as_deref()?;
    if matches!(ecosystem, "Wolfi" | "Chainguard") {
        return Some(ecosystem.to_owned());
    }
    Some(format!("{ecosystem}:{}", os.release.as_deref()?))
}

/// Go module and toolchain versions as Go's scheme reads them: `v1.2.3` stays,
/// the toolchain's `go1.21` is `v1.21.0`, `go1.21rc1` is `v1.21.0-rc.1` (x/vuln's
/// mapping; OSV's `stdlib` ranges name the same versions without the `v`).
fn go_version(version: &str) -> Result<String, String> {
    if version == "(devel)" || version.is_empty() {
        return Err(format!("version {version:?} cannot be compared"));
    }
    let Some(toolchain) = version.strip_prefix("go") else {
        return Ok(version.to_owned());
    };
    let split = toolchain
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(toolchain.len());
    let (numbers, pre) = toolchain.split_at(split);
    let mut parts: Vec<&str> = numbers.split('.').filter(|p| !p.is_empty()).collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    let base = format!("v{}", parts.join("."));
    // `rc1` → `-rc.1`, `beta2` → `-beta.2` (x/vuln's toolchain mapping).
    let pre = pre.trim_start_matches('-');
    if pre.is_empty() {
        return Ok(base);
    }
    let digits = pre.find(|c: char| c.is_ascii_digit()).unwrap_or(pre.len());
    let (word, number) = pre.split_at(digits);
    Ok(if number.is_empty() {
        format!("{base}-{word}")
    } else {
        format!("{base}-{word}.{number}")
    })
}

/// PEP 503: lower case, runs of `-`, `_`, `.` as one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether an advisory entry affects `version`, and if so by what (in words).
pub fn affects<'a>(
    affected: &Affected,
    listed: impl Iterator<Item = &'a str> + Clone,
    version: &Version,
    scheme: Scheme,
) -> Option<String> {
    if affected.fix_state == FixState::NotAffected {
        return None;
    }
    for range in &affected.ranges {
        if range.kind == RangeKind::Git {
            continue;
        }
        let events: Vec<osv::Event> = range.events.iter().map(to_version_event).collect();
        let kind = match range.kind {
            RangeKind::Semver => osv::RangeKind::Semver,
            _ => osv::RangeKind::Ecosystem,
        };
        let Ok(parsed) = osv::AffectedRange::new(scheme, kind, &events) else {
            continue;
        };
        if parsed.contains(version) {
            return Some(describe_range(range));
        }
    }
    // OSV: the affected set is the union of the ranges and the listed versions.
    if osv::in_listed(version, listed) {
        return Some(format!("version {version} is listed as affected"));
    }
    None
}

fn to_version_event(event: &Event) -> osv::Event {
    match event {
        Event::Introduced(v) => osv::Event::Introduced(v.clone()),
        Event::Fixed(v) => osv::Event::Fixed(v.clone()),
        Event::LastAffected(v) => osv::Event::LastAffected(v.clone()),
        Event::Limit(v) => osv::Event::Limit(v.clone()),
    }
}

/// A range in words: `>= 2.2, < 2.2.8 (ECOSYSTEM)`.
pub fn describe_range(range: &Range) -> String {
    let parts: Vec<String> = range
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Introduced(v) if v == "0" => None,
            Event::Introduced(v) => Some(format!(">= {v}")),
            Event::Fixed(v) => Some(format!("< {v}")),
            Event::LastAffected(v) => Some(format!("<= {v}")),
            Event::Limit(v) => Some(format!("< {v} (limit)")),
        })
        .collect();
    let kind = match range.kind {
        RangeKind::Semver => "SEMVER",
        RangeKind::Ecosystem => "ECOSYSTEM",
        RangeKind::Git => "GIT",
    };
    if parts.is_empty() {
        format!("every version ({kind})")
    } else {
        format!("{} ({kind})", parts.join(", "))
    }
}

fn fixed_versions(affected: &Affected) -> Vec<String> {
    let mut fixed: Vec<String> = affected
        .ranges
        .iter()
        // GIT ranges name commits, not versions anyone installs.
        .filter(|r| r.kind != RangeKind::Git)
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    fixed.dedup();
    fixed
}

/// The matcher: looks packages up, caching advisories and enrichment.
pub struct Matcher<'db> {
    db: &'db Db,
    advisories: HashMap<(String, String), Option<Advisory>>,
    enrichments: HashMap<String, Option<Enrichment>>,
    /// Entries per (namespace, name): binary packages of one source share them.
    entries: HashMap<(String, String), std::rc::Rc<Vec<Match>>>,
}

impl std::fmt::Debug for Matcher<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher").finish_non_exhaustive()
    }
}

impl<'db> Matcher<'db> {
    /// A matcher over `db`.
    pub fn new(db: &'db Db) -> Matcher<'db> {
        Matcher {
            db,
            advisories: HashMap::new(),
            enrichments: HashMap::new(),
            entries: HashMap::new(),
        }
    }

    /// Matches every package of `inventory`. Layers below `base_layers` belong
    /// to the base image.
    pub fn run(
        &mut self,
        inventory: &Inventory,
        base_layers: usize,
    ) -> Result<Matched, StoreError> {
        let os = match &inventory.os {
            Some(os) => {
                let namespace = os_namespace(inventory);
                let supported = match &namespace {
                    Some(ns) => self.db.has_namespace(ns)?,
                    None => false,
                };
                Some(OsStatus {
                    id: os.id.clone(),
                    version: os.version_id.clone(),
                    name: os.pretty_name.clone(),
                    namespace,
                    supported,
                })
            }
            None => None,
        };
        let os_supported = os.as_ref().is_some_and(|o| o.supported);
        let mut findings = Vec::new();
        let mut unchecked = Vec::new();
        for package in &inventory.packages {
            let is_os = matches!(
                package.kind,
                PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm
            );
            if is_os && !os_supported {
                continue;
            }
            let label = format!("{}/{}@{}", package.ecosystem, package.name, package.version);
            let lookup = match lookup_of(package, inventory) {
                Ok(lookup) => lookup,
                Err(reason) => {
                    if package.owner.is_none() {
                        unchecked.push(Unchecked {
                            package: label,
                            reason,
                        });
                    }
                    continue;
                }
            };
            let version = match Version::parse(lookup.scheme, &lookup.version) {
                Ok(version) => version,
                Err(e) => {
                    unchecked.push(Unchecked {
                        package: label,
                        reason: format!("version not comparable: {e}"),
                    });
                    continue;
                }
            };
            let key = (lookup.namespace.clone(), lookup.name.clone());
            let entries = match self.entries.get(&key) {
                Some(entries) => entries.clone(),
                None => {
                    let entries =
                        std::rc::Rc::new(self.db.affecting(&lookup.namespace, &lookup.name)?);
                    self.entries.insert(key, entries.clone());
                    entries
                }
            };
            for m in entries.iter() {
                let listed = m
                    .versions()
                    .chain(m.affected.versions.iter().map(String::as_str));
                let Some(matched_by) = affects(&m.affected, listed, &version, lookup.scheme) else {
                    continue;
                };
                if let Some(finding) =
                    self.finding(m, package, inventory, &lookup, matched_by, base_layers)?
                {
                    findings.push(finding);
                }
            }
        }
        let mut findings = dedupe(findings);
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.package.name.cmp(&b.package.name))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(Matched {
            findings,
            os,
            unchecked,
        })
    }

    fn advisory(&mut self, origin: &str, id: &str) -> Result<Option<Advisory>, StoreError> {
        let key = (origin.to_owned(), id.to_owned());
        if let Some(cached) = self.advisories.get(&key) {
            return Ok(cached.clone());
        }
        let advisory = self.db.advisory_head(origin, id)?;
        self.advisories.insert(key, advisory.clone());
        Ok(advisory)
    }

    fn enrichment(&mut self, cve: &str) -> Result<Option<Enrichment>, StoreError> {
        if let Some(cached) = self.enrichments.get(cve) {
            return Ok(cached.clone());
        }
        let enrichment = self.db.enrichment(cve)?;
        self.enrichments.insert(cve.to_owned(), enrichment.clone());
        Ok(enrichment)
    }

    fn finding(
        &mut self,
        m: &Match,
        package: &InventoryPackage,
        inventory: &Inventory,
        lookup: &Lookup,
        matched_by: String,
        base_layers: usize,
    ) -> Result<Option<Finding>, StoreError> {
        let Some(advisory) = self.advisory(&m.origin, &m.id)? else {
            return Ok(None);
        };
        if advisory.withdrawn.is_some() {
            return Ok(None);
        }
        let cve = std::iter::once(&advisory.id)
            .chain(&advisory.aliases)
            .find(|id| id.starts_with("CVE-"))
            .cloned();
        let enrichment = match &cve {
            Some(cve) => self.enrichment(cve)?,
            None => None,
        };
        let mut cvss = advisory.cvss.clone();
        if let Some(e) = &enrichment {
            cvss.extend(e.cvss.iter().cloned());
        }
        // Vendor first (the per-package rating, then the advisory's), then CVSS.
        let vendor = m
            .affected
            .severity
            .as_ref()
            .filter(|s| s.level != Severity::Unknown)
            .or(advisory
                .severity
                .as_ref()
                .filter(|s| s.level != Severity::Unknown));
        let (severity, severity_source) = match vendor {
            Some(s) => (s.level, Some(vendor_name(&advisory.source))),
            None => match best_cvss(&cvss) {
                Some((score, source)) => (Severity::from_cvss_score(score), Some(source)),
                None => (Severity::Unknown, None),
            },
        };
        let layer = package.layer_index.map(|index| FoundLayer {
            diff_id: package.layer.clone(),
            index,
            created_by: inventory
                .image
                .layers
                .get(index)
                .and_then(|l| l.created_by.clone()),
            in_base_image: index < base_layers,
        });
        let source_name = (lookup.name != package.name
            && matches!(package.kind, PackageKind::Deb | PackageKind::Apk))
        .then(|| lookup.name.clone());
        Ok(Some(Finding {
            id: advisory.id.clone(),
            aliases: advisory.aliases.clone(),
            summary: advisory
                .summary
                .clone()
                .or_else(|| advisory.details.as_deref().map(first_line)),
            package: FoundPackage {
                ecosystem: package.ecosystem.clone(),
                name: package.name.clone(),
                version: package.version.clone(),
                purl: package.purl.clone(),
                source_name,
                paths: package.paths.clone(),
            },
            namespace: lookup.namespace.clone(),
            source: advisory.source.clone(),
            fixed_versions: fixed_versions(&m.affected),
            fix_state: m.affected.fix_state,
            severity,
            severity_source,
            vendor_severity: vendor.map(|s| s.text.clone()),
            cvss,
            epss: enrichment.as_ref().and_then(|e| e.epss.clone()),
            kev: enrichment.as_ref().and_then(|e| e.kev.clone()),
            layer,
            references: advisory.references.clone(),
            published: advisory
                .published
                .clone()
                .or_else(|| enrichment.and_then(|e| e.published)),
            matched_by: format!(
                "{} {} in {} {}: {matched_by}",
                lookup.name, lookup.version, lookup.namespace, m.id
            ),
            suppression: None,
        }))
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut line = line.trim().to_owned();
    if line.len() > 200 {
        let mut cut = 200;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line
}

/// The vendor a feed's severities come from (`debian`, `alpine`, `ghsa`…).
fn vendor_name(source: &str) -> String {
    match source {
        "debian-tracker" => "debian".into(),
        other => other
            .strip_suffix("-secdb")
            .unwrap_or(other)
            .trim_start_matches("osv:")
            .to_ascii_lowercase(),
    }
}

/// The highest-version CVSS with a score: v4, then v3.x, then v2; the score and who gave it.
fn best_cvss(cvss: &[strata_vulndb::Cvss]) -> Option<(f64, String)> {
    cvss.iter()
        .filter_map(|c| c.score.map(|s| (c.version, s, c.source.clone())))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, score, source)| (score, source))
}

/// The key findings are de-duplicated by: the package, and the vulnerability
/// (its CVE when it has one, else its id).
fn vulnerability_key(finding: &Finding) -> String {
    if finding.id.starts_with("CVE-") {
        return finding.id.clone();
    }
    let cves: BTreeSet<&String> = finding
        .aliases
        .iter()
        .filter(|a| a.starts_with("CVE-"))
        .collect();
    match cves.into_iter().next() {
        Some(cve) => cve.clone(),
        None => finding.id.clone(),
    }
}

/// Which of two findings of one vulnerability is kept: the distro's own feed
/// over OSV copies, GHSA over other language ids, then the higher severity.
fn rank(finding: &Finding) -> (u8, Severity) {
    let native = match finding.source.as_str() {
        "debian-tracker" | "alpine-secdb" | "wolfi-secdb" | "chainguard-secdb" => 3,
        _ if finding.id.starts_with("GHSA-") => 2,
        _ => 1,
    };
    (native, finding.severity)
}

fn dedupe(findings: Vec<Finding>) -> Vec<Finding> {
    let mut kept: BTreeMap<(String, String, String, Vec<String>, String), Finding> =
        BTreeMap::new();
    for finding in findings {
        let key = (
            finding.package.ecosystem.clone(),
            finding.package.name.clone(),
            finding.package.version.clone(),
            finding.package.paths.clone(),
            vulnerability_key(&finding),
        );
        match kept.remove(&key) {
            None => {
                kept.insert(key, finding);
            }
            Some(other) => {
                let (mut winner, loser) = if rank(&finding) > rank(&other) {
                    (finding, other)
                } else {
                    (other, finding)
                };
                for alias in std::iter::once(&loser.id).chain(&loser.aliases) {
                    if *alias != winner.id && !winner.aliases.contains(alias) {
                        winner.aliases.push(alias.clone());
                    }
                }
                for fixed in loser.fixed_versions {
                    if !winner.fixed_versions.contains(&fixed) {
                        winner.fixed_versions.push(fixed);
                    }
                }
                kept.insert(key, winner);
            }
        }
    }
    kept.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_toolchain_versions() {
        assert_eq!(go_version("go1.21.3").unwrap(), "v1.21.3");
        assert_eq!(go_version("go1.21").unwrap(), "v1.21.0");
        assert_eq!(go_version("go1.21rc1").unwrap(), "v1.21.0-rc.1");
        assert_eq!(go_version("v0.3.7").unwrap(), "v0.3.7");
        assert!(go_version("(devel)").is_err());
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("Foo__Bar-.-baz"), "foo-bar-baz");
    }
}
