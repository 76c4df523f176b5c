//! Renderers of a [`ScanReport`]: SARIF 2.1.0 ([`sarif`]), Trivy's JSON report
//! ([`trivy`]), JUnit XML ([`junit`]) and a terminal table ([`table`]). The
//! CycloneDX form (SBOM plus vulnerabilities) is [`crate::cyclonedx::scan_bom`].
//!
//! All are pure: they return the document, the caller writes it.

pub mod junit;
pub mod sarif;
pub mod table;
pub mod trivy;

use std::borrow::Cow;
use std::collections::HashMap;

use strata_catalog::PackageKind;
use strata_match::{Finding, FoundLayer, FoundPackage, ScanReport};
use strata_vulndb::{Cvss, CvssVersion, FixState, Severity};

/// Every format a scan report renders to, by the name users pass to `--format`.
pub const FORMATS: [&str; 7] = [
    "table",
    "json",
    "sarif",
    "cyclonedx-json",
    "spdx-json",
    "junit",
    "trivy-json",
];

/// How [`render`] renders.
pub struct RenderOptions<'a> {
    /// ANSI colours in the table.
    pub color: bool,
    /// The table also lists the suppressed findings, marked.
    pub show_suppressed: bool,
    /// Strata's version, named as the tool in SARIF, CycloneDX and SPDX.
    pub tool_version: &'a str,
    /// Whether a finding fails the gate (JUnit marks those as failures).
    pub fails: &'a dyn Fn(&Finding) -> bool,
}

impl std::fmt::Debug for RenderOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("color", &self.color)
            .field("show_suppressed", &self.show_suppressed)
            .field("tool_version", &self.tool_version)
            .finish_non_exhaustive()
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Not one of [`FORMATS`].
    #[error("unknown format {0:?} (one of: {formats})", formats = FORMATS.join(", "))]
    UnknownFormat(String),
    /// SPDX lists packages, and the report carries none.
    #[error("no inventory to write as SPDX")]
    NoInventory,
    /// Serialising failed.
    #[error("cannot render JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `report` in one of [`FORMATS`].
pub fn render(
    report: &ScanReport,
    format: &str,
    options: &RenderOptions<'_>,
) -> Result<String, RenderError> {
    let json = |value: &serde_json::Value| -> Result<String, RenderError> {
        Ok(serde_json::to_string_pretty(value)? + "\n")
    };
    let version = options.tool_version;
    match format {
        "json" => Ok(serde_json::to_string_pretty(report)? + "\n"),
        "table" if options.show_suppressed && !report.suppressed.is_empty() => {
            // The suppressed findings, marked, after the shown ones.
            let mut shown = report.clone();
            shown.findings = report.suppressed.clone();
            shown.suppressed.clear();
            shown.summary = strata_match::Summary::of(&shown.findings, 0, report.summary.packages);
            Ok(format!(
                "{}\nSuppressed (ignore file / VEX):\n{}",
                table::render(report, options.color),
                table::render(&shown, options.color)
            ))
        }
        "table" => Ok(table::render(report, options.color)),
        "sarif" => json(&sarif::render(report, version)),
        "cyclonedx-json" => json(&crate::cyclonedx::scan_bom(report, version)),
        "spdx-json" => match &report.inventory {
            Some(inventory) => json(&crate::spdx::document(
                inventory,
                &crate::now_rfc3339(),
                version,
            )),
            None => Err(RenderError::NoInventory),
        },
        "junit" => Ok(junit::render(report, options.fails)),
        "trivy-json" => json(&trivy::render(report)),
        other => Err(RenderError::UnknownFormat(other.to_owned())),
    }
}

/// One package of a scan: from the inventory, or from a finding when the report
/// carries no inventory (a report read back from JSON) or the inventory lacks it.
#[derive(Debug, Clone)]
pub(crate) struct ScanPackage<'a> {
    pub(crate) ecosystem: &'a str,
    pub(crate) name: &'a str,
    pub(crate) version: &'a str,
    pub(crate) purl: &'a str,
    pub(crate) paths: &'a [String],
    pub(crate) source_name: Option<&'a str>,
    /// diff_id of the layer that introduced it.
    pub(crate) layer: Option<&'a str>,
    pub(crate) layer_index: Option<usize>,
    /// Known for inventory packages only.
    pub(crate) kind: Option<PackageKind>,
    /// Its index in `report.inventory.packages`, if it comes from there.
    pub(crate) inventory_index: Option<usize>,
}

impl ScanPackage<'_> {
    /// Whether it is an OS package (dpkg, apk, rpm) rather than a language one.
    pub(crate) fn is_os(&self) -> bool {
        match self.kind {
            Some(kind) => matches!(kind, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm),
            None => {
                matches!(purl_type(self.purl), Some("deb" | "apk" | "rpm" | "alpm"))
                    || OS_ECOSYSTEMS.contains(&ecosystem_root(self.ecosystem))
            }
        }
    }

    /// The first path, if any.
    pub(crate) fn first_path(&self) -> Option<&str> {
        self.paths.first().map(String::as_str)
    }
}

/// OSV ecosystems of OS packages (without release), for packages of findings
/// whose purl says nothing.
const OS_ECOSYSTEMS: &[&str] = &[
    "Debian",
    "Ubuntu",
    "Alpine",
    "Wolfi",
    "Chainguard",
    "Red Hat",
    "AlmaLinux",
    "Rocky Linux",
    "Oracle Linux",
    "Amazon Linux",
    "SUSE",
    "openSUSE",
    "Photon OS",
    "Azure Linux",
    "Fedora",
];

/// `Debian:12` → `Debian`.
pub(crate) fn ecosystem_root(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// The purl's type (`deb`, `pypi`…), lowercase as the purl spec requires.
pub(crate) fn purl_type(purl: &str) -> Option<&str> {
    let rest = purl.strip_prefix("pkg:")?;
    let end = rest.find(['/', '@', '?', '#']).unwrap_or(rest.len());
    rest.get(..end).filter(|t| !t.is_empty())
}

/// The packages of a scan, and which one each finding belongs to.
#[derive(Debug)]
pub(crate) struct Packages<'a> {
    /// Inventory packages in inventory order, then packages only findings know.
    pub(crate) list: Vec<ScanPackage<'a>>,
    /// For each of `report.findings`, its package's index in `list`.
    pub(crate) of_finding: Vec<usize>,
    /// For each of `report.suppressed`, likewise.
    pub(crate) of_suppressed: Vec<usize>,
}

/// How findings find their package: the purl, or ecosystem, name and version
/// when there is no purl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Purl(&'a str),
    Named(&'a str, &'a str, &'a str),
}

impl<'a> Key<'a> {
    fn of(ecosystem: &'a str, name: &'a str, version: &'a str, purl: &'a str) -> Key<'a> {
        if purl.is_empty() {
            Key::Named(ecosystem_root(ecosystem), name, version)
        } else {
            Key::Purl(purl)
        }
    }
}

/// The layer (diff_id, index) a finding came with, else its package's.
pub(crate) fn finding_layer<'a>(
    finding: &'a Finding,
    package: &ScanPackage<'a>,
) -> (Option<&'a str>, Option<usize>) {
    let layer = finding.layer.as_ref();
    (
        layer.and_then(|l| l.diff_id.as_deref()).or(package.layer),
        layer.map(|l| l.index).or(package.layer_index),
    )
}

/// Lists the scan's packages and maps each finding to one. A finding's package
/// is the inventory package with the same purl (or ecosystem, name and version
/// when it has none), preferring one with the same paths; a package no
/// inventory entry matches is added once.
pub(crate) fn packages(report: &ScanReport) -> Packages<'_> {
    let mut list: Vec<ScanPackage<'_>> = Vec::new();
    if let Some(inventory) = &report.inventory {
        for (index, package) in inventory.packages.iter().enumerate() {
            list.push(ScanPackage {
                ecosystem: &package.ecosystem,
                name: &package.name,
                version: &package.version,
                purl: &package.purl,
                paths: &package.paths,
                source_name: package.source_name.as_deref(),
                layer: package.layer.as_deref(),
                layer_index: package.layer_index,
                kind: Some(package.kind),
                inventory_index: Some(index),
            });
        }
    }
    let mut by_key: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
    for (index, package) in list.iter().enumerate() {
        by_key
            .entry(Key::of(
                package.ecosystem,
                package.name,
                package.version,
                package.purl,
            ))
            .or_default()
            .push(index);
    }
    let of_finding = report
        .findings
        .iter()
        .map(|f| place_package(&mut list, &mut by_key, &f.package, f.layer.as_ref()))
        .collect();
    let of_suppressed = report
        .suppressed
        .iter()
        .map(|f| place_package(&mut list, &mut by_key, &f.package, f.layer.as_ref()))
        .collect();
    Packages {
        list,
        of_finding,
        of_suppressed,
    }
}

/// The index in `list` of `found`'s package, added when none matches.
fn place_package<'a>(
    list: &mut Vec<ScanPackage<'a>>,
    by_key: &mut HashMap<Key<'a>, Vec<usize>>,
    found: &'a FoundPackage,
    layer: Option<&'a FoundLayer>,
) -> usize {
    let key = Key::of(&found.ecosystem, &found.name, &found.version, &found.purl);
    let candidates = by_key.entry(key).or_default();
    let same_paths = candidates.iter().copied().find(|&i| {
        list.get(i)
            .is_some_and(|p| p.paths == found.paths.as_slice())
    });
    if let Some(index) = same_paths.or_else(|| candidates.first().copied()) {
        return index;
    }
    let index = list.len();
    candidates.push(index);
    list.push(ScanPackage {
        ecosystem: &found.ecosystem,
        name: &found.name,
        version: &found.version,
        purl: &found.purl,
        paths: &found.paths,
        source_name: found.source_name.as_deref(),
        layer: layer.and_then(|l| l.diff_id.as_deref()),
        layer_index: layer.map(|l| l.index),
        kind: None,
        inventory_index: None,
    });
    index
}

/// The severity in capitals (`CRITICAL`… `NEGLIGIBLE`, `UNKNOWN`).
pub(crate) fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Negligible => "NEGLIGIBLE",
        Severity::Unknown => "UNKNOWN",
    }
}

/// Every severity, most severe first.
pub(crate) const SEVERITIES: [Severity; 6] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Negligible,
    Severity::Unknown,
];

/// The fix state in words: the fixed versions when there are some.
pub(crate) fn fix_text(state: FixState, fixed_versions: &[String]) -> String {
    match state {
        FixState::Fixed if !fixed_versions.is_empty() => {
            format!("fixed in {}", fixed_versions.join(", "))
        }
        FixState::Fixed => "fixed".to_owned(),
        FixState::NotFixed => "not fixed".to_owned(),
        FixState::WontFix => "won't fix".to_owned(),
        FixState::EndOfLife => "end of life".to_owned(),
        FixState::NotAffected => "not affected".to_owned(),
        FixState::UnderInvestigation => "under investigation".to_owned(),
    }
}

/// Preference among a finding's CVSS entries: v3.1, v3.0, v4.0, v2 (the score
/// most tools and GitHub show is the v3 one).
fn version_rank(version: CvssVersion) -> u8 {
    match version {
        CvssVersion::V3_1 => 0,
        CvssVersion::V3_0 => 1,
        CvssVersion::V4_0 => 2,
        CvssVersion::V2 => 3,
    }
}

/// The preferred scored entry of `cvss` among those `keep` accepts (earlier
/// entries win ties: the advisory's come before NVD's).
fn preferred(cvss: &[Cvss], keep: impl Fn(&Cvss) -> bool) -> Option<&Cvss> {
    cvss.iter()
        .filter(|c| c.score.is_some() && keep(c))
        .min_by_key(|c| version_rank(c.version))
}

/// The CVSS base score that stands for the finding's severity: the one scored
/// by the severity's own source, else the preferred one when its rating is
/// that severity. `None` when no score agrees with the severity (a vendor
/// rating such as Debian's `unimportant` beside NVD's 9.8 is not contradicted).
pub(crate) fn severity_score(
    severity: Severity,
    severity_source: Option<&str>,
    cvss: &[Cvss],
) -> Option<f64> {
    if let Some(source) = severity_source
        && let Some(own) = preferred(cvss, |c| c.source.eq_ignore_ascii_case(source))
        && own.score.map(Severity::from_cvss_score) == Some(severity)
    {
        return own.score;
    }
    preferred(cvss, |_| true)
        .and_then(|c| c.score)
        .filter(|&score| Severity::from_cvss_score(score) == severity)
}

/// A web page for the advisory: its own page for well-known id schemes, else
/// the first reference that is a clean URL.
pub(crate) fn advisory_url(id: &str, source: &str, references: &[String]) -> Option<String> {
    let encoded = encode_path_segment(id);
    let page = if id.starts_with("CVE-") {
        Some(format!("https://nvd.nist.gov/vuln/detail/{encoded}"))
    } else if id.starts_with("GHSA-") {
        Some(format!("https://github.com/advisories/{encoded}"))
    } else if ["TEMP-", "DSA-", "DLA-"].iter().any(|p| id.starts_with(p)) {
        Some(format!(
            "https://security-tracker.debian.org/tracker/{encoded}"
        ))
    } else if source.starts_with("osv")
        || ["RUSTSEC-", "PYSEC-", "GO-"]
            .iter()
            .any(|p| id.starts_with(p))
    {
        Some(format!("https://osv.dev/vulnerability/{encoded}"))
    } else {
        None
    };
    page.or_else(|| {
        references
            .iter()
            .find(|r| is_clean_url(r))
            .map(ToString::to_string)
    })
}

/// The source (name, advisory page) an advisory id comes from, for ids named as
/// aliases.
pub(crate) fn id_source(id: &str) -> (&'static str, String) {
    let encoded = encode_path_segment(id);
    if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{encoded}"))
    } else if id.starts_with("GHSA-") {
        (
            "GitHub Advisory Database",
            format!("https://github.com/advisories/{encoded}"),
        )
    } else if ["TEMP-", "DSA-", "DLA-"].iter().any(|p| id.starts_with(p)) {
        (
            "Debian Security Tracker",
            format!("https://security-tracker.debian.org/tracker/{encoded}"),
        )
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{encoded}"))
    }
}

/// An absolute `http(s)` URL made only of characters RFC 3986 allows, with
/// well-formed percent escapes: safe where a schema asks for `format: uri`.
pub(crate) fn is_clean_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let bytes = rest.as_bytes();
    !rest.is_empty()
        && !rest.starts_with('/')
        && bytes.iter().enumerate().all(|(i, &b)| {
            if b == b'%' {
                bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            } else {
                b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)
            }
        })
}

/// `text` percent-encoded for one URI path segment (RFC 3986 unreserved
/// characters kept).
pub(crate) fn encode_path_segment(text: &str) -> String {
    encode(text, b"-._~")
}

/// `path` (an image path) as a relative URI reference: no leading `/`, each
/// segment percent-encoded. `:` is encoded too, so that the first segment can
/// never read as a scheme.
pub(crate) fn path_uri(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .map(|segment| encode(segment, b"-._~!$&'()*+,;=@"))
        .collect::<Vec<_>>()
        .join("/")
}

fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` normalised to RFC 3339 (`2019-04-15T15:29:00Z`), which JSON Schema
/// `date-time` and Go's `time.Time` require: a bare date gets midnight UTC, a
/// zoneless time gets `Z`; anything else unrecognisable gives `None`.
pub(crate) fn rfc3339(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let date_ok = |d: &str| {
        let parts: Vec<&str> = d.split('-').collect();
        matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 && digits(y) && digits(m) && digits(d))
    };
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    if !date_ok(date) {
        return None;
    }
    let Some(time) = time else {
        return Some(format!("{date}T00:00:00Z"));
    };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let hms_ok = {
        let parts: Vec<&str> = hms.split(':').collect();
        matches!(parts.as_slice(), [h, m, s] if [h, m, s].iter().all(|p| p.len() == 2 && digits(p)))
    };
    let zone_ok = match zone {
        "" | "Z" | "z" => true,
        _ => {
            let offset = zone.get(1..).unwrap_or_default();
            matches!(offset.split_once(':'), Some((h, m)) if h.len() == 2 && m.len() == 2 && digits(h) && digits(m))
        }
    };
    if !hms_ok || !zone_ok || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    let zone = match zone {
        "" | "z" => "Z",
        other => other,
    };
    Some(format!("{date}T{clock}{zone}"))
}

/// `text` on one line for a terminal: control characters (which could move the
/// cursor or recolour the screen) become U+FFFD, line breaks and tabs a space.
pub(crate) fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if c.is_control() => char::REPLACEMENT_CHARACTER,
                c => c,
            })
            .collect(),
    )
}

/// At most `max` characters of `text`, ending in `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_forms() {
        assert_eq!(
            rfc3339("2019-04-15T15:29:00Z").as_deref(),
            Some("2019-04-15T15:29:00Z")
        );
        assert_eq!(
            rfc3339("2024-05-06").as_deref(),
            Some("2024-05-06T00:00:00Z")
        );
        assert_eq!(
            rfc3339("2024-05-06T20:15:11.837").as_deref(),
            Some("2024-05-06T20:15:11.837Z")
        );
        assert_eq!(
            rfc3339("2024-05-06T20:15:11+02:00").as_deref(),
            Some("2024-05-06T20:15:11+02:00")
        );
        for bad in [
            "",
            "yesterday",
            "2024-5-6",
            "2024-05-06T25",
            "2024-05-06T20:15:11+0200",
        ] {
            assert_eq!(rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(is_clean_url(
            "https://github.com/urllib3/urllib3/issues/1553"
        ));
        assert!(is_clean_url("https://example.com/a%20b?x=1#f"));
        assert!(!is_clean_url("https://example.com/a b"));
        assert!(!is_clean_url("https://example.com/<script>"));
        assert!(!is_clean_url("https://example.com/%zz"));
        assert!(!is_clean_url("ftp://example.com/"));
        assert_eq!(path_uri("/var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(
            path_uri("docker-archive:/tmp/my image.tar"),
            "docker-archive%3A/tmp/my%20image.tar"
        );
        assert_eq!(encode_path_segment("a/b <c>"), "a%2Fb%20%3Cc%3E");
        assert_eq!(
            advisory_url("PYSEC-2019-132", "osv:PyPI", &[]).as_deref(),
            Some("https://osv.dev/vulnerability/PYSEC-2019-132")
        );
        assert_eq!(
            advisory_url(
                "ALAS-2023-1",
                "amazon",
                &["bad url".into(), "https://alas.aws.amazon.com/x".into()]
            )
            .as_deref(),
            Some("https://alas.aws.amazon.com/x")
        );
    }

    #[test]
    fn text_helpers() {
        assert_eq!(one_line("a\nb\x1b[31m"), "a b\u{fffd}[31m");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(purl_type("pkg:deb/debian/libc6@2.36"), Some("deb"));
        assert_eq!(purl_type("pkg:pypi/urllib3@1.24.1"), Some("pypi"));
        assert_eq!(purl_type("urllib3"), None);
    }

    fn cvss(version: CvssVersion, score: f64, source: &str) -> Cvss {
        Cvss {
            version,
            vector: String::new(),
            score: Some(score),
            source: source.into(),
        }
    }

    #[test]
    fn severity_scores() {
        let both = [
            cvss(CvssVersion::V2, 4.3, "nvd"),
            cvss(CvssVersion::V3_0, 6.1, "nvd"),
        ];
        assert_eq!(
            severity_score(Severity::Medium, Some("nvd"), &both),
            Some(6.1)
        );
        assert_eq!(severity_score(Severity::Medium, None, &both), Some(6.1));
        // Debian's `unimportant` is not NVD's critical.
        let nvd = [cvss(CvssVersion::V3_0, 9.8, "nvd")];
        assert_eq!(
            severity_score(Severity::Negligible, Some("debian"), &nvd),
            None
        );
        assert_eq!(
            severity_score(Severity::Critical, Some("debian"), &nvd),
            Some(9.8)
        );
    }
}
