//! Ignore files (`--ignore-file`, default `.strataignore`), in the two forms
//! Trivy users already write:
//!
//! * **lines** (`.trivyignore`): one id per line (`CVE-…`, `GHSA-…`, any
//!   advisory id), `#` comment lines, blank lines; after the id an optional
//!   `exp:YYYY-MM-DD` and an optional `# reason`.
//! * **YAML** (`.trivyignore.yaml`, chosen by a `.yaml`/`.yml` extension):
//!   `vulnerabilities: [{id, paths, purls, expired_at, statement}]`. Trivy's
//!   `misconfigurations`, `secrets` and `licenses` sections are accepted and
//!   unused (Strata reports none of those), so a `.trivyignore.yaml` works
//!   as is. Trivy has no id-less, purl-only entry: `id` is required.
//!
//! An entry suppresses a finding when its id is the finding's id or one of
//! its aliases (ASCII case-insensitive), one of its `paths` globs matches one
//! of the package's paths (when it has paths), and one of its `purls` covers
//! the package's purl (when it has purls; see [`crate::purl`] for how purls
//! compare). As in Trivy, an entry expires *on* its date: `exp:2025-01-31`
//! suppresses through 2025-01-30.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use strata_match::Finding;

use crate::PolicyError;
use crate::date::{Date, parse_timestamp};
use crate::glob::Glob;
use crate::purl::Purl;
use crate::read::{read_limited, utf8};

/// The ignore file read when `--ignore-file` is not given, if it exists in
/// the working directory.
pub const DEFAULT_IGNORE_FILE: &str = ".strataignore";

/// A loaded ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    path: PathBuf,
    entries: Vec<IgnoreEntry>,
}

/// One entry of an ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    id: String,
    paths: Vec<Glob>,
    purls: Vec<Purl>,
    expires: Option<Date>,
    reason: Option<String>,
    line: Option<usize>,
}

impl IgnoreEntry {
    /// The advisory id (or alias) it names.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The day it stops suppressing, when it has one.
    pub fn expires(&self) -> Option<Date> {
        self.expires
    }

    /// Why it is ignored (`# reason` or `statement`).
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Its 1-based line (line form only: YAML entries carry no position).
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// Whether it has expired by `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| today >= expires)
    }

    /// Whether it covers `finding` (whose package purl is `purl`, when it
    /// parses), expiry aside.
    pub(crate) fn covers(&self, finding: &Finding, purl: Option<&Purl>) -> bool {
        let id_matches = std::iter::once(&finding.id)
            .chain(&finding.aliases)
            .any(|id| id.trim().eq_ignore_ascii_case(&self.id));
        let path_matches = self.paths.is_empty()
            || self
                .paths
                .iter()
                .any(|glob| finding.package.paths.iter().any(|path| glob.is_match(path)));
        // A package whose purl does not parse is not covered by a purl entry
        // (Trivy lets it through: we would rather show than hide).
        let purl_matches = self.purls.is_empty()
            || purl.is_some_and(|purl| self.purls.iter().any(|pattern| pattern.matches(purl)));
        id_matches && path_matches && purl_matches
    }
}

impl IgnoreFile {
    /// Reads the ignore file at `path` (YAML when it ends in `.yaml`/`.yml`).
    pub fn load(path: &Path) -> Result<IgnoreFile, PolicyError> {
        let bytes = read_limited(path)?;
        IgnoreFile::from_text(path, &utf8(path, &bytes)?)
    }

    /// Reads [`DEFAULT_IGNORE_FILE`] in `dir` when it exists.
    pub fn load_default(dir: &Path) -> Result<Option<IgnoreFile>, PolicyError> {
        let path = dir.join(DEFAULT_IGNORE_FILE);
        if !path.exists() {
            return Ok(None);
        }
        IgnoreFile::load(&path).map(Some)
    }

    /// Parses `text` as the ignore file `path`; the extension picks the form.
    pub fn from_text(path: &Path, text: &str) -> Result<IgnoreFile, PolicyError> {
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        let entries = if is_yaml {
            parse_yaml(path, text)?
        } else {
            parse_lines(path, text)?
        };
        Ok(IgnoreFile {
            path: path.to_owned(),
            entries,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its entries, in file order.
    pub fn entries(&self) -> &[IgnoreEntry] {
        &self.entries
    }

    /// The first unexpired entry covering `finding`.
    pub(crate) fn suppressing(
        &self,
        finding: &Finding,
        purl: Option<&Purl>,
        today: Date,
    ) -> Option<&IgnoreEntry> {
        self.entries
            .iter()
            .find(|entry| !entry.is_expired(today) && entry.covers(finding, purl))
    }
}

fn parse_lines(path: &Path, text: &str) -> Result<Vec<IgnoreEntry>, PolicyError> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let error = |message: String| PolicyError::IgnoreFile {
            path: path.to_owned(),
            line: Some(line),
            message,
        };
        // Ids never contain `#`, so the first one starts the comment.
        let (body, comment) = match raw.split_once('#') {
            Some((body, comment)) => (body.trim(), Some(comment.trim())),
            None => (raw.trim(), None),
        };
        let mut words = body.split_whitespace();
        let Some(id) = words.next() else { continue };
        if id.ends_with(':') {
            return Err(error(format!(
                "`{id}` looks like the YAML form; name the file *.yaml or *.yml"
            )));
        }
        let mut expires = None;
        for word in words {
            let Some(date) = word.strip_prefix("exp:") else {
                return Err(error(format!(
                    "unexpected `{word}` after `{id}` (only `exp:YYYY-MM-DD` and a `# reason` may follow the id)"
                )));
            };
            if expires.is_some() {
                return Err(error(format!("`{id}` has two expiry dates")));
            }
            expires =
                Some(Date::parse(date).ok_or_else(|| {
                    error(format!("`{word}`: not a date (expected exp:YYYY-MM-DD)"))
                })?);
        }
        entries.push(IgnoreEntry {
            id: id.to_owned(),
            paths: Vec::new(),
            purls: Vec::new(),
            expires,
            reason: comment.filter(|c| !c.is_empty()).map(str::to_owned),
            line: Some(line),
        });
    }
    Ok(entries)
}

/// `.trivyignore.yaml`'s shape. Unknown fields are errors, so a typo
/// (`expires_at`) does not silently make an entry permanent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlFile {
    vulnerabilities: Option<Vec<YamlEntry>>,
    // Trivy's other sections: accepted, unused (see the module docs).
    #[allow(dead_code)]
    misconfigurations: Option<serde_yaml_ng::Value>,
    #[allow(dead_code)]
    secrets: Option<serde_yaml_ng::Value>,
    #[allow(dead_code)]
    licenses: Option<serde_yaml_ng::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlEntry {
    id: String,
    paths: Option<Vec<YamlGlob>>,
    purls: Option<Vec<YamlPurl>>,
    expired_at: Option<YamlDate>,
    statement: Option<String>,
}

// Values are checked while deserialising so the YAML error carries the line.
struct YamlGlob(Glob);
struct YamlPurl(Purl);
struct YamlDate(Date);

impl<'de> Deserialize<'de> for YamlGlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Glob::new(&text)
            .map(YamlGlob)
            .map_err(|e| serde::de::Error::custom(format!("bad path glob: {e}")))
    }
}

impl<'de> Deserialize<'de> for YamlPurl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Purl::parse(&text)
            .map(YamlPurl)
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for YamlDate {
    /// `2025-01-31`, or an RFC 3339 date-time whose date part is taken
    /// (Trivy reads `expired_at` as a YAML timestamp, which allows both).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let date = Date::parse(&text).or_else(|| {
            parse_timestamp(&text)?;
            Date::parse(text.get(0..10)?)
        });
        date.map(YamlDate).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expired_at `{text}` is not a date (expected YYYY-MM-DD)"
            ))
        })
    }
}

fn parse_yaml(path: &Path, text: &str) -> Result<Vec<IgnoreEntry>, PolicyError> {
    let error = |line: Option<usize>, message: String| PolicyError::IgnoreFile {
        path: path.to_owned(),
        line,
        message,
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let file: YamlFile = serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line());
        // The line goes in front, as for the line form; drop serde's copy.
        let message = e.to_string();
        let message = match (message.rfind(" at line "), line) {
            (Some(at), Some(_)) => message.get(..at).unwrap_or(&message).to_owned(),
            _ => message,
        };
        error(line, message)
    })?;
    file.vulnerabilities
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let id = entry.id.trim();
            if id.is_empty() || id.contains(char::is_whitespace) {
                return Err(error(
                    None,
                    format!("vulnerabilities[{index}]: bad id `{}`", entry.id),
                ));
            }
            Ok(IgnoreEntry {
                id: id.to_owned(),
                paths: entry
                    .paths
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| g.0)
                    .collect(),
                purls: entry
                    .purls
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| p.0)
                    .collect(),
                expires: entry.expired_at.map(|d| d.0),
                reason: entry
                    .statement
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                line: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Result<IgnoreFile, PolicyError> {
        IgnoreFile::from_text(Path::new(".strataignore"), text)
    }

    fn yaml(text: &str) -> Result<IgnoreFile, PolicyError> {
        IgnoreFile::from_text(Path::new("ci/.strataignore.yaml"), text)
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn line_form() {
        let file = lines(
            "# accepted risks\n\
             \n\
             CVE-2019-11236\n\
             \tGHSA-r64q-w8jr-g9qp   exp:2025-01-31\n\
             CVE-2024-33601 exp:2030-06-30 # glibc: nscd is not installed\n\
             PYSEC-2019-132 # no expiry   \n",
        )
        .unwrap();
        let entries = file.entries();
        assert_eq!(entries.len(), 4);
        let summary: Vec<_> = entries
            .iter()
            .map(|e| (e.id(), e.line(), e.expires(), e.reason()))
            .collect();
        assert_eq!(
            summary,
            [
                ("CVE-2019-11236", Some(3), None, None),
                (
                    "GHSA-r64q-w8jr-g9qp",
                    Some(4),
                    Some(date("2025-01-31")),
                    None
                ),
                (
                    "CVE-2024-33601",
                    Some(5),
                    Some(date("2030-06-30")),
                    Some("glibc: nscd is not installed")
                ),
                ("PYSEC-2019-132", Some(6), None, Some("no expiry")),
            ]
        );
    }

    #[test]
    fn an_entry_expires_on_its_date() {
        let file = lines("CVE-2019-11236 exp:2025-01-31\n").unwrap();
        let entry = &file.entries()[0];
        assert!(!entry.is_expired(date("2025-01-30")));
        assert!(entry.is_expired(date("2025-01-31")));
        assert!(entry.is_expired(date("2026-01-01")));
    }

    #[test]
    fn line_errors_name_file_and_line() {
        let err = lines("CVE-1\n\nCVE-2 exp:2025-02-30\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            ".strataignore:3: `exp:2025-02-30`: not a date (expected exp:YYYY-MM-DD)"
        );
        let err = lines("CVE-1 CVE-2\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(".strataignore:1: unexpected `CVE-2` after `CVE-1`"),
            "{err}"
        );
        let err = lines("CVE-1 exp:2025-01-01 exp:2026-01-01\n").unwrap_err();
        assert!(err.to_string().contains("two expiry dates"), "{err}");
        let err = lines("vulnerabilities:\n  - id: CVE-1\n").unwrap_err();
        assert!(
            err.to_string().contains("looks like the YAML form"),
            "{err}"
        );
    }

    #[test]
    fn yaml_form() {
        // Trivy's documented example, plus expiry and a glob.
        let file = yaml(
            "vulnerabilities:\n\
             \x20 - id: CVE-2022-40897\n\
             \x20   paths:\n\
             \x20     - \"usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA\"\n\
             \x20   statement: Accept the risk\n\
             \x20 - id: CVE-2023-3817\n\
             \x20   purls:\n\
             \x20     - \"pkg:deb/debian/libssl1.1\"\n\
             \x20 - id: GHSA-r64q-w8jr-g9qp\n\
             \x20   paths: [\"**/site-packages/**\"]\n\
             \x20   expired_at: 2024-08-20\n\
             misconfigurations:\n\
             \x20 - id: AVD-DS-0002\n\
             secrets:\n\
             licenses:\n",
        )
        .unwrap();
        let summary: Vec<_> = file
            .entries()
            .iter()
            .map(|e| (e.id(), e.expires(), e.reason(), e.line()))
            .collect();
        assert_eq!(
            summary,
            [
                ("CVE-2022-40897", None, Some("Accept the risk"), None),
                ("CVE-2023-3817", None, None, None),
                ("GHSA-r64q-w8jr-g9qp", Some(date("2024-08-20")), None, None),
            ]
        );
        // A date-time is read for its date, as Trivy's YAML timestamp.
        let file = yaml("vulnerabilities:\n  - id: CVE-1\n    expired_at: 2024-08-20T00:00:00Z\n")
            .unwrap();
        assert_eq!(file.entries()[0].expires(), Some(date("2024-08-20")));
        assert!(yaml("").unwrap().entries().is_empty());
        assert!(yaml("vulnerabilities:\n").unwrap().entries().is_empty());
    }

    #[test]
    fn yaml_errors_name_file_line_and_field() {
        let err =
            yaml("vulnerabilities:\n  - id: CVE-1\n    expires_at: 2025-01-01\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ci/.strataignore.yaml:3: "), "{text}");
        assert!(text.contains("unknown field `expires_at`"), "{text}");
        assert!(!text.contains(" at line "), "line given once: {text}");

        let err = yaml("vulnerability:\n  - id: CVE-1\n").unwrap_err();
        assert!(
            err.to_string().contains("unknown field `vulnerability`"),
            "{err}"
        );

        let err =
            yaml("vulnerabilities:\n  - id: CVE-1\n    purls: [\"libssl1.1\"]\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("ci/.strataignore.yaml:3: "), "{text}");
        assert!(text.contains("`libssl1.1` is not a package URL"), "{text}");

        let err = yaml("vulnerabilities:\n  - id: CVE-1\n    paths: [\"usr/[lib\"]\n").unwrap_err();
        assert!(err.to_string().contains("unclosed `[`"), "{err}");

        let err =
            yaml("vulnerabilities:\n  - id: CVE-1\n    expired_at: 2025-13-01\n").unwrap_err();
        assert!(err.to_string().contains("expired_at `2025-13-01`"), "{err}");

        let err = yaml("vulnerabilities:\n  - paths: [\"a\"]\n").unwrap_err();
        assert!(err.to_string().contains("missing field `id`"), "{err}");

        let err = yaml("vulnerabilities:\n  - id: \"CVE-1 CVE-2\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ci/.strataignore.yaml: vulnerabilities[0]: bad id `CVE-1 CVE-2`"
        );
    }

    #[test]
    fn yaml_alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("misconfigurations:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = format!("*a{}", level - 1);
            let items = vec![previous; 10].join(", ");
            bomb.push_str(&format!("  - &a{level} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        assert!(yaml(&bomb).is_err());
        assert!(started.elapsed().as_secs() < 5);
        let deep = format!("secrets: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert!(yaml(&deep).is_err());
    }

    #[test]
    fn load_default_only_when_present() {
        let dir = tempfile::tempdir().unwrap();
        assert!(IgnoreFile::load_default(dir.path()).unwrap().is_none());
        std::fs::write(dir.path().join(DEFAULT_IGNORE_FILE), "CVE-2019-11236\n").unwrap();
        let file = IgnoreFile::load_default(dir.path()).unwrap().unwrap();
        assert_eq!(file.entries()[0].id(), "CVE-2019-11236");
        assert!(file.path().ends_with(".strataignore"));
        // An explicit file that is missing is an error.
        assert!(matches!(
            IgnoreFile::load(&dir.path().join("missing")),
            Err(PolicyError::Io { .. })
        ));
    }
}
