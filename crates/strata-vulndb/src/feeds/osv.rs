//! OSV (Open Source Vulnerability) records → [`Advisory`].
//!
//! Format: the OSV schema, <https://ossf.github.io/osv-schema/> (1.0 … 1.7). Three
//! delivery shapes are read:
//! - one JSON document ([`parse_record`]), e.g. a file of golang/vulndb `data/osv/`, of
//!   rustsec/advisory-db's `osv` branch, of github/advisory-database;
//! - one YAML document ([`parse_yaml`]), the form pypa/advisory-database keeps (`vulns/**`);
//! - the per-ecosystem `all.zip` of osv.dev
//!   (`https://osv-vulnerabilities.storage.googleapis.com/<ECOSYSTEM>/all.zip`, one
//!   `<ID>.json` per advisory at the zip root, [`parse_zip`]) and a directory tree of
//!   records (`--osv-dir`, [`parse_dir`]).
//!
//! Semantics kept from the schema:
//! - `modified`/`published`/`withdrawn` are RFC 3339; Go's repository writes the zero time
//!   `0001-01-01T00:00:00Z` for "not yet known" (real dates are filled in when vuln.go.dev is
//!   published), which becomes `None` here. A present `withdrawn` is kept as written, so a
//!   withdrawn record stays withdrawn even with an odd date.
//! - `affected[]` entries naming the same (ecosystem, name) are one package: their ranges and
//!   versions are unioned (the schema: "the vulnerability affects a version if it is in any
//!   range or versions list"). GHSA does this for Log4Shell (three entries, three ranges).
//! - `aliases` gets the schema's `aliases` and `upstream` (1.7; Ubuntu, Debian and Chainguard
//!   name the CVE they derive from there); `related` is not an alias.
//! - `severity[]`: `CVSS_V2`/`CVSS_V3`/`CVSS_V4` vectors, base score computed with RustSec's
//!   `cvss` crate; `Ubuntu` (1.7) is the Ubuntu priority.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{
    Advisory, Affected, Cvss, CvssVersion, Event, FeedError, FixState, Parsed, Range, RangeKind,
    Severity, Skipped, VendorSeverity,
};

/// Largest single record (a JSON/YAML file or a zip entry, uncompressed).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// Bounds on an `all.zip`.
#[derive(Debug, Clone, Copy)]
struct ZipLimits {
    /// Entries in the central directory.
    entries: usize,
    /// One entry, uncompressed.
    entry_bytes: u64,
    /// All entries together, uncompressed (actually read, not as declared).
    total_bytes: u64,
    /// Entries larger than this are checked against `max_ratio`.
    ratio_floor: u64,
    /// Largest uncompressed/compressed ratio accepted above `ratio_floor`. JSON text
    /// deflates 5–30×; a run of one byte deflates ~1000×.
    max_ratio: u64,
}

const ZIP_LIMITS: ZipLimits = ZipLimits {
    entries: 500_000,
    entry_bytes: MAX_RECORD_BYTES,
    total_bytes: 4 * 1024 * 1024 * 1024,
    ratio_floor: 1024 * 1024,
    max_ratio: 200,
};

/// Bounds on an `--osv-dir` walk.
#[derive(Debug, Clone, Copy)]
struct DirLimits {
    /// Directory levels below the root.
    depth: usize,
    /// Record files (`*.json`, `*.yaml`, `*.yml`) read.
    files: usize,
    /// Directory entries looked at, of any kind.
    entries: usize,
}

const DIR_LIMITS: DirLimits = DirLimits {
    depth: 32,
    files: 1_000_000,
    entries: 4_000_000,
};

// ---------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------

/// One OSV JSON document to an [`Advisory`]; `name` (file or entry name) names it in the
/// [`Skipped`] if it cannot be used.
pub fn parse_record(bytes: &[u8], name: &str) -> Result<Advisory, Skipped> {
    let raw: RawOsv = check_size(bytes, name).and_then(|b| {
        serde_json::from_slice(b).map_err(|e| skipped(name, format!("not an OSV JSON record: {e}")))
    })?;
    convert(raw).map_err(|reason| skipped(name, reason))
}

/// One OSV YAML document (pypa/advisory-database) to an [`Advisory`]. Scalars are read as the
/// strings they are written as (PyYAML `BaseLoader` semantics): `modified: 2021-07-29T18:15:00Z`
/// stays that string, `- 1.10` stays `"1.10"`.
pub fn parse_yaml(bytes: &[u8], name: &str) -> Result<Advisory, Skipped> {
    let raw: RawOsv = check_size(bytes, name).and_then(|b| {
        if flow_depth(b) > MAX_YAML_FLOW_DEPTH {
            return Err(skipped(
                name,
                format!("YAML flow collections nested deeper than {MAX_YAML_FLOW_DEPTH}"),
            ));
        }
        serde_yaml_ng::from_slice(b)
            .map_err(|e| skipped(name, format!("not an OSV YAML record: {e}")))
    })?;
    convert(raw).map_err(|reason| skipped(name, reason))
}

/// An osv.dev `all.zip` (one `<ID>.json` per advisory). `Err` when the archive itself is
/// unreadable (truncated, no central directory), holds more than 500,000 entries, overlaps
/// entries (a non-recursive zip bomb) or decompresses to more than 4 GiB; an entry that is not
/// JSON, too large, too compressible or not a usable record is skipped. Records with the same
/// id: the newest `modified` is kept.
pub fn parse_zip(bytes: &[u8], feed: &str) -> Result<Parsed<Advisory>, FeedError> {
    parse_zip_with(bytes, feed, &ZIP_LIMITS)
}

/// Every `*.json`, `*.yaml` and `*.yml` below `dir`, at any depth (32 levels at most). Symbolic
/// links are not followed (each is listed as skipped); hidden entries (`.git`, `.github`) are
/// passed over, as are other files (`README.md`, `.id-allocator`). Records with the same id:
/// the newest `modified` is kept. `Err` when `dir` is not a readable directory or holds more
/// than 1,000,000 record files.
pub fn parse_dir(dir: &Path) -> Result<Parsed<Advisory>, FeedError> {
    parse_dir_with(dir, &DIR_LIMITS)
}

// ---------------------------------------------------------------------------------------
// Archive and directory
// ---------------------------------------------------------------------------------------

fn parse_zip_with(
    bytes: &[u8],
    feed: &str,
    limits: &ZipLimits,
) -> Result<Parsed<Advisory>, FeedError> {
    let fail = |reason: String| FeedError {
        feed: feed.to_owned(),
        reason,
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail(format!("not a readable zip archive: {e}")))?;
    if archive.len() > limits.entries {
        return Err(fail(format!(
            "{} entries, more than the {} accepted",
            archive.len(),
            limits.entries
        )));
    }
    // Entries sharing compressed data are how non-recursive zip bombs multiply their output;
    // osv.dev's archives never do it. (An unreadable local header is reported per entry below.)
    if let Ok(true) = archive.has_overlapping_files() {
        return Err(fail("entries overlap (zip bomb)".to_owned()));
    }

    let mut out = Collector::default();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let name = archive
            .name_for_index(index)
            .and_then(Result::ok)
            .map_or_else(|| format!("entry #{index}"), |n| n.into_owned());
        let mut file = match archive.by_index(index) {
            Ok(f) => f,
            Err(e) => {
                out.skip(name, format!("unreadable entry: {e}"));
                continue;
            }
        };
        if file.is_dir() {
            continue;
        }
        if !file.is_file() || !has_ext(&name, &["json"]) {
            out.skip(name, "not a JSON entry".to_owned());
            continue;
        }
        let declared = file.size();
        if declared > limits.entry_bytes {
            out.skip(
                name,
                format!(
                    "{declared} bytes uncompressed, over the {} limit",
                    limits.entry_bytes
                ),
            );
            continue;
        }
        let compressed = file.compressed_size();
        let mut buf = Vec::new();
        // Never trust the declared size: read at most one byte past the limit.
        let read = (&mut file)
            .take(limits.entry_bytes.saturating_add(1))
            .read_to_end(&mut buf);
        let actual = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        total = total.saturating_add(actual);
        if total > limits.total_bytes {
            return Err(fail(format!(
                "more than {} bytes uncompressed in all",
                limits.total_bytes
            )));
        }
        if let Err(e) = read {
            out.skip(name, format!("cannot decompress: {e}"));
            continue;
        }
        if actual > limits.entry_bytes {
            out.skip(
                name,
                format!(
                    "over {} bytes uncompressed (declared {declared})",
                    limits.entry_bytes
                ),
            );
            continue;
        }
        if actual > limits.ratio_floor && actual / compressed.max(1) > limits.max_ratio {
            out.skip(
                name,
                format!(
                    "compression ratio {}:1 over {}:1 (zip bomb?)",
                    actual / compressed.max(1),
                    limits.max_ratio
                ),
            );
            continue;
        }
        match parse_record(&buf, &name) {
            Ok(adv) => out.push(name, adv),
            Err(s) => out.skipped.push(s),
        }
    }
    Ok(out.finish())
}

fn parse_dir_with(dir: &Path, limits: &DirLimits) -> Result<Parsed<Advisory>, FeedError> {
    let feed = dir.display().to_string();
    let fail = |reason: String| FeedError {
        feed: feed.clone(),
        reason,
    };
    // The root itself may be a symlink the user chose; below it nothing is followed.
    let meta = std::fs::metadata(dir).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_dir() {
        return Err(fail("not a directory".to_owned()));
    }

    let mut out = Collector::default();
    let mut files = 0usize;
    let mut seen = 0usize;
    let mut stack: Vec<(PathBuf, usize)> = vec![(dir.to_path_buf(), 0)];
    while let Some((here, depth)) = stack.pop() {
        let rel = |p: &Path| p.strip_prefix(dir).unwrap_or(p).display().to_string();
        let listing = match std::fs::read_dir(&here) {
            Ok(l) => l,
            Err(e) => {
                out.skip(rel(&here), format!("cannot list directory: {e}"));
                continue;
            }
        };
        let mut entries = Vec::new();
        for entry in listing {
            seen = seen.saturating_add(1);
            if seen > limits.entries {
                return Err(fail(format!(
                    "more than {} directory entries",
                    limits.entries
                )));
            }
            match entry {
                Ok(e) => entries.push(e),
                Err(e) => out.skip(rel(&here), format!("cannot list directory: {e}")),
            }
        }
        entries.sort_by_key(std::fs::DirEntry::file_name);
        let mut subdirs = Vec::new();
        for entry in entries {
            let path = entry.path();
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                out.skip(rel(&path), "file name is not UTF-8".to_owned());
                continue;
            };
            if file_name.starts_with('.') {
                continue;
            }
            // `DirEntry::file_type` does not follow symbolic links.
            let kind = match entry.file_type() {
                Ok(k) => k,
                Err(e) => {
                    out.skip(rel(&path), format!("cannot stat: {e}"));
                    continue;
                }
            };
            if kind.is_symlink() {
                out.skip(rel(&path), "symbolic link not followed".to_owned());
            } else if kind.is_dir() {
                if depth >= limits.depth {
                    out.skip(
                        rel(&path),
                        format!("deeper than {} levels, not read", limits.depth),
                    );
                } else {
                    subdirs.push(path);
                }
            } else if kind.is_file() {
                let yaml = has_ext(file_name, &["yaml", "yml"]);
                if !yaml && !has_ext(file_name, &["json"]) {
                    continue;
                }
                files = files.saturating_add(1);
                if files > limits.files {
                    return Err(fail(format!("more than {} record files", limits.files)));
                }
                let name = rel(&path);
                let bytes = match read_bounded(&path) {
                    Ok(b) => b,
                    Err(reason) => {
                        out.skip(name, reason);
                        continue;
                    }
                };
                let parsed = if yaml {
                    parse_yaml(&bytes, &name)
                } else {
                    parse_record(&bytes, &name)
                };
                match parsed {
                    Ok(adv) => out.push(name, adv),
                    Err(s) => out.skipped.push(s),
                }
            }
        }
        // Depth-first, in name order.
        for sub in subdirs.into_iter().rev() {
            stack.push((sub, depth.saturating_add(1)));
        }
    }
    Ok(out.finish())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut buf = Vec::new();
    file.take(MAX_RECORD_BYTES.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read: {e}"))?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > MAX_RECORD_BYTES {
        return Err(format!("over {MAX_RECORD_BYTES} bytes"));
    }
    Ok(buf)
}

/// libyaml's scanner keeps one "possible simple key" per open flow collection and walks
/// them all at every token, so time grows with (tokens × flow depth): 40,000 nested `[` take
/// seconds, a 16 MiB one hours. OSV YAML is block style (PyPA's deepest flow nesting is 4), so
/// anything over 64 is refused before parsing. The count is naive (brackets inside strings
/// count too, closing ones never below zero), which only errs towards refusing.
const MAX_YAML_FLOW_DEPTH: usize = 64;

fn flow_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &b in bytes {
        match b {
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn has_ext(name: &str, exts: &[&str]) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Gathers records, keeping one per id: the newest `modified` (unknown counts as oldest;
/// on a tie the first one read stays).
#[derive(Default)]
struct Collector {
    records: Vec<Advisory>,
    names: Vec<String>,
    by_id: HashMap<String, usize>,
    skipped: Vec<Skipped>,
}

impl Collector {
    fn skip(&mut self, record: String, reason: String) {
        self.skipped.push(Skipped { record, reason });
    }

    fn push(&mut self, name: String, adv: Advisory) {
        let Some(&at) = self.by_id.get(&adv.id) else {
            self.by_id.insert(adv.id.clone(), self.records.len());
            self.records.push(adv);
            self.names.push(name);
            return;
        };
        let (Some(old), Some(old_name)) = (self.records.get_mut(at), self.names.get_mut(at)) else {
            return;
        };
        let newer = instant(adv.modified.as_deref()) > instant(old.modified.as_deref());
        if newer {
            let reason = format!(
                "duplicate id {}: {name} has a newer `modified` ({})",
                adv.id,
                adv.modified.as_deref().unwrap_or("?")
            );
            let gone = std::mem::replace(old_name, name);
            *old = adv;
            self.skipped.push(Skipped {
                record: gone,
                reason,
            });
        } else {
            let reason = format!(
                "duplicate id {}: {old_name} has the same or a newer `modified` ({})",
                adv.id,
                old.modified.as_deref().unwrap_or("unknown")
            );
            self.skipped.push(Skipped {
                record: name,
                reason,
            });
        }
    }

    fn finish(self) -> Parsed<Advisory> {
        Parsed {
            records: self.records,
            skipped: self.skipped,
        }
    }
}

fn instant(s: Option<&str>) -> Option<(i64, u32)> {
    s.and_then(parse_rfc3339)
}

fn skipped(record: &str, reason: String) -> Skipped {
    Skipped {
        record: record.to_owned(),
        reason,
    }
}

fn check_size<'a>(bytes: &'a [u8], name: &str) -> Result<&'a [u8], Skipped> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_RECORD_BYTES {
        return Err(skipped(
            name,
            format!("{} bytes, over the {MAX_RECORD_BYTES} limit", bytes.len()),
        ));
    }
    Ok(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
}

// ---------------------------------------------------------------------------------------
// The wire format (only the fields used; unknown fields are ignored, as the schema allows)
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct RawOsv {
    id: String,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    aliases: Vec<String>,
    /// Schema 1.7: ids this record derives from (`UBUNTU-CVE-…` → `CVE-…`).
    #[serde(default, deserialize_with = "null_vec")]
    upstream: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default, deserialize_with = "null_vec")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_vec")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "null_vec")]
    references: Vec<RawReference>,
    #[serde(default)]
    database_specific: RawSpecific,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    score: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    /// Schema 1.5: per-package severity (Bitnami).
    #[serde(default, deserialize_with = "null_vec")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "null_vec")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "null_vec")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: RawSpecific,
    #[serde(default)]
    database_specific: RawSpecific,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "null_vec")]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The severity words vendors put into the free-form `ecosystem_specific` /
/// `database_specific` objects: GHSA and Bitnami `severity`, Debian `urgency`
/// (osv.dev's Debian converter), Ubuntu `priority`. Anything else in there, and any
/// non-string value, is ignored; a non-object is treated as absent.
#[derive(Default)]
struct RawSpecific {
    severity: Option<String>,
    urgency: Option<String>,
    priority: Option<String>,
}

impl<'de> Deserialize<'de> for RawSpecific {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSpecific;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSpecific, A::Error> {
                let mut out = RawSpecific::default();
                while let Some(key) = map.next_key::<LooseStr>()? {
                    let slot = match key.0.as_deref() {
                        Some("severity") => &mut out.severity,
                        Some("urgency") => &mut out.urgency,
                        Some("priority") => &mut out.priority,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value::<LooseStr>()?.0;
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawSpecific, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawSpecific::default())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<RawSpecific, D2::Error> {
                RawSpecific::deserialize(d)
            }
            fn visit_none<E: de::Error>(self) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawSpecific, E> {
                Ok(RawSpecific::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A string if the value is one, else nothing (the value is consumed and ignored).
struct LooseStr(Option<String>);

impl<'de> Deserialize<'de> for LooseStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LooseStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseStr, E> {
                Ok(LooseStr(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<LooseStr, E> {
                Ok(LooseStr(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<LooseStr, D2::Error> {
                LooseStr::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LooseStr, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LooseStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseStr, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LooseStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `null` (RustSec writes `"affected_functions": null`) or absent → empty.
fn null_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------

/// Longest id accepted (OSV ids are short: `GHSA-xxxx-xxxx-xxxx`, `UBUNTU-CVE-2024-12345`).
const MAX_ID_LEN: usize = 256;
/// Longest CVSS vector accepted (a full v4 vector with every metric is ~250 characters).
const MAX_VECTOR_LEN: usize = 512;

fn convert(raw: RawOsv) -> Result<Advisory, String> {
    let id = raw.id.trim().to_owned();
    if id.is_empty() {
        return Err("empty `id`".to_owned());
    }
    if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) {
        return Err("malformed `id`".to_owned());
    }

    let mut aliases = Unique::default();
    for a in raw.aliases.iter().chain(&raw.upstream) {
        if a.trim() != id {
            aliases.add(a);
        }
    }
    let mut references = Unique::default();
    for url in raw.references.iter().filter_map(|r| r.url.as_deref()) {
        references.add(url);
    }

    let cvss_source = scorer(&id);
    let mut cvss: Vec<Cvss> = Vec::new();
    let mut vectors = HashSet::new();
    let mut add_cvss = |c: Cvss| {
        if vectors.insert((c.version, c.vector.clone())) {
            cvss.push(c);
        }
    };
    let mut ubuntu_priority = None;
    for s in &raw.severity {
        if s.kind == "Ubuntu" {
            ubuntu_priority = ubuntu_priority.or_else(|| s.score.as_deref().and_then(vendor));
        } else if let Some(c) = to_cvss(s, cvss_source) {
            add_cvss(c);
        }
    }

    // One Affected per (ecosystem, package), in order of first appearance.
    let mut affected: Vec<(Affected, Unique)> = Vec::new();
    let mut slot: HashMap<(String, String), usize> = HashMap::new();
    for a in raw.affected {
        let Some(pkg) = a.package else {
            // GIT-only entries without a package (osv.dev's upstream-repository records) name
            // no package a scan can find.
            continue;
        };
        let (Some(ecosystem), Some(name)) = (pkg.ecosystem, pkg.name) else {
            continue;
        };
        let (ecosystem, name) = (ecosystem.trim(), name.trim());
        if ecosystem.is_empty() || name.is_empty() {
            continue;
        }
        let package = if ecosystem.eq_ignore_ascii_case("PyPI") {
            pep503(name)
        } else {
            name.to_owned()
        };

        let mut ranges = Vec::with_capacity(a.ranges.len());
        for r in a.ranges {
            let kind = match r.kind.as_str() {
                "SEMVER" => RangeKind::Semver,
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "GIT" => RangeKind::Git,
                // Not in the schema: nothing to evaluate it with.
                _ => continue,
            };
            let events = r
                .events
                .into_iter()
                .map(|e| to_event(e, &package))
                .collect::<Result<Vec<_>, _>>()?;
            ranges.push(Range { kind, events });
        }

        let mut pkg_severity = None;
        for s in &a.severity {
            if s.kind == "Ubuntu" {
                pkg_severity = pkg_severity.or_else(|| s.score.as_deref().and_then(vendor));
            } else if let Some(c) = to_cvss(s, cvss_source) {
                // The model has no per-package CVSS: keep it with the advisory's.
                add_cvss(c);
            }
        }
        let pkg_severity = pkg_severity
            .or_else(|| specific_severity(&a.ecosystem_specific))
            .or_else(|| specific_severity(&a.database_specific));

        let key = (ecosystem.to_owned(), package);
        let at = match slot.get(&key) {
            Some(&at) => at,
            None => {
                let at = affected.len();
                affected.push((
                    Affected {
                        namespace: key.0.clone(),
                        package: key.1.clone(),
                        ranges: Vec::new(),
                        versions: Vec::new(),
                        fix_state: FixState::NotFixed,
                        severity: None,
                    },
                    Unique::default(),
                ));
                slot.insert(key, at);
                at
            }
        };
        if let Some((same, versions)) = affected.get_mut(at) {
            same.ranges.extend(ranges);
            for v in &a.versions {
                versions.add(v);
            }
            if same.severity.is_none() {
                same.severity = pkg_severity;
            }
        }
    }
    let affected: Vec<Affected> = affected
        .into_iter()
        .map(|(mut a, versions)| {
            a.versions = versions.list;
            // FixState::Fixed: "a fixed version exists (see the ranges' `fixed` events)".
            let fixed = a
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .any(|e| matches!(e, Event::Fixed(_)));
            a.fix_state = if fixed {
                FixState::Fixed
            } else {
                FixState::NotFixed
            };
            a
        })
        .collect();

    let summary = non_empty(raw.summary);
    let base = affected.first().map(|a| ecosystem_base(&a.namespace));
    let severity = ubuntu_priority
        .or_else(|| specific_severity(&raw.database_specific))
        .or_else(|| redhat_summary_severity(base, summary.as_deref()));
    let source = base.map_or_else(|| "osv".to_owned(), |b| format!("osv:{b}"));

    Ok(Advisory {
        id,
        aliases: aliases.list,
        summary,
        details: non_empty(raw.details),
        published: date(raw.published),
        modified: date(raw.modified),
        withdrawn: raw
            .withdrawn
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty()),
        references: references.list,
        severity,
        cvss,
        affected,
        source,
    })
}

fn to_event(e: RawEvent, package: &str) -> Result<Event, String> {
    let RawEvent {
        introduced,
        fixed,
        last_affected,
        limit,
    } = e;
    // The schema: each event object holds exactly one of these, a non-empty version.
    let mut set = [
        introduced.map(Event::Introduced),
        fixed.map(Event::Fixed),
        last_affected.map(Event::LastAffected),
        limit.map(Event::Limit),
    ]
    .into_iter()
    .flatten();
    let event = match (set.next(), set.next()) {
        (Some(ev), None) => ev,
        (None, _) => {
            return Err(format!(
                "{package}: range event without introduced/fixed/last_affected/limit"
            ));
        }
        (Some(_), Some(_)) => {
            return Err(format!("{package}: range event with more than one field"));
        }
    };
    let (Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v)) =
        &event;
    if v.trim().is_empty() {
        return Err(format!("{package}: range event with an empty version"));
    }
    Ok(event)
}

/// Trimmed, non-empty strings in first-seen order, each once.
#[derive(Default)]
struct Unique {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl Unique {
    fn add(&mut self, s: &str) {
        let s = s.trim();
        if !s.is_empty() && !self.seen.contains(s) {
            self.seen.insert(s.to_owned());
            self.list.push(s.to_owned());
        }
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// `Debian:12` → `Debian`, `Ubuntu:Pro:22.04:LTS` → `Ubuntu`, `Rocky Linux:8` → `Rocky Linux`.
fn ecosystem_base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem).trim()
}

/// PEP 503: lowercase, runs of `-`, `_`, `.` become one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Who scored the CVSS vectors, from the record's id prefix (OSV ids are `<DB>-<local id>`,
/// schema "id" section).
fn scorer(id: &str) -> &'static str {
    let prefix = id.split('-').next().unwrap_or("");
    match prefix.to_ascii_uppercase().as_str() {
        "GHSA" => "ghsa",
        "GO" => "go",
        "RUSTSEC" => "rustsec",
        "PYSEC" => "pypa",
        "UBUNTU" | "USN" | "LSN" => "ubuntu",
        "DSA" | "DLA" | "DTSA" | "DEBIAN" => "debian",
        "ALSA" | "ALBA" | "ALEA" => "almalinux",
        "RLSA" | "RXSA" => "rocky",
        "CGA" => "chainguard",
        "BIT" => "bitnami",
        "MAL" => "ossf-malicious-packages",
        _ => "osv",
    }
}

fn to_cvss(s: &RawSeverity, source: &str) -> Option<Cvss> {
    let vector = s.score.as_deref()?.trim();
    if vector.is_empty() || vector.len() > MAX_VECTOR_LEN {
        return None;
    }
    let (version, score) = match s.kind.as_str() {
        "CVSS_V2" => {
            // A bare v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`); tolerate `(…)` and a prefix.
            let bare = vector.trim_start_matches('(').trim_end_matches(')');
            let bare = bare.strip_prefix("CVSS:2.0/").unwrap_or(bare);
            let score = bare
                .parse::<cvss::v2::Vector>()
                .ok()
                .map(|v| v.score().value());
            (CvssVersion::V2, score)
        }
        "CVSS_V3" => {
            let version = if vector.starts_with("CVSS:3.0/") {
                CvssVersion::V3_0
            } else {
                CvssVersion::V3_1
            };
            let score = vector
                .parse::<cvss::v3::Vector>()
                .ok()
                .map(|v| v.base_score().value());
            (version, score)
        }
        "CVSS_V4" => {
            let score = vector
                .parse::<cvss::v4::Vector>()
                .ok()
                .map(|v| v.score().value());
            (CvssVersion::V4_0, score)
        }
        _ => return None,
    };
    Some(Cvss {
        version,
        vector: vector.to_owned(),
        score: score.filter(|s| s.is_finite() && (0.0..=10.0).contains(s)),
        source: source.to_owned(),
    })
}

fn specific_severity(s: &RawSpecific) -> Option<VendorSeverity> {
    [&s.severity, &s.urgency, &s.priority]
        .into_iter()
        .flatten()
        .find_map(|t| vendor(t))
}

/// A vendor's word and its level: GHSA `LOW`/`MODERATE`/`HIGH`/`CRITICAL`, Ubuntu
/// priorities `negligible`…`critical` (`untriaged`), Debian urgencies `unimportant`, `low`,
/// `medium`, `high` (`not yet assigned`, `end-of-life`), Red Hat `Low`…`Important`/`Critical`,
/// Bitnami `Medium`/`High`/`Critical`.
fn vendor(text: &str) -> Option<VendorSeverity> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let word = text.trim_end_matches('*').trim().to_ascii_lowercase();
    let level = match word.as_str() {
        "negligible" | "unimportant" | "none" => Severity::Negligible,
        "low" => Severity::Low,
        "medium" | "moderate" => Severity::Medium,
        "high" | "important" => Severity::High,
        "critical" => Severity::Critical,
        _ => Severity::Unknown,
    };
    Some(VendorSeverity {
        text: text.to_owned(),
        level,
    })
}

/// AlmaLinux and Rocky copy Red Hat's advisory title, which starts with the Red Hat
/// severity: `Important: java-11-openjdk security update`.
fn redhat_summary_severity(base: Option<&str>, summary: Option<&str>) -> Option<VendorSeverity> {
    if !matches!(base, Some("AlmaLinux" | "Rocky Linux")) {
        return None;
    }
    let (word, _) = summary?.split_once(':')?;
    match word.trim() {
        w @ ("Low" | "Moderate" | "Important" | "Critical") => vendor(w),
        _ => None,
    }
}

/// A timestamp as written, or `None` for the zero time (Go's placeholder), an empty or a
/// malformed one.
fn date(s: Option<String>) -> Option<String> {
    let s = s?.trim().to_owned();
    let (secs, nanos) = parse_rfc3339(&s)?;
    if secs == ZERO_TIME && nanos == 0 {
        return None;
    }
    Some(s)
}

/// Seconds of `0001-01-01T00:00:00Z` since the Unix epoch.
const ZERO_TIME: i64 = -62_135_596_800;

/// RFC 3339 `date-time` (`2021-12-10T00:40:56Z`, `…56.770Z`, `…56+02:00`; `t`/`z` and a space
/// for `T` accepted) → (seconds since the Unix epoch, nanoseconds).
fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from.checked_add(len)?)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let sep = |at: usize, ok: &[u8]| b.get(at).is_some_and(|c| ok.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut nanos: u32 = 0;
    if sep(at, b".") {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b.get(at).copied().unwrap_or(b'0') - b'0');
            }
            at += 1;
        }
        let n = at - start;
        if n == 0 || n > 30 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset: i64 = match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) if at + 6 == b.len() && sep(at + 3, b":") => {
            let (oh, om) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = i64::from(oh * 3600 + om * 60);
            if c == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // All parts are bounded (year ≤ 9999), so none of this can overflow.
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset;
    Some((secs, nanos))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn shared(rel: &str) -> PathBuf {
        let s = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        s.ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(rel)
    }

    fn osv(rel: &str) -> PathBuf {
        shared("feeds/osv").join(rel)
    }

    fn record(rel: &str) -> Advisory {
        let path = osv(rel);
        let bytes = std::fs::read(&path).unwrap();
        if has_ext(rel, &["yaml", "yml"]) {
            parse_yaml(&bytes, rel).unwrap()
        } else {
            parse_record(&bytes, rel).unwrap()
        }
    }

    /// Record files below `dir`, counted independently of the parser.
    fn count_files(dir: &Path) -> usize {
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            let name = e.file_name().into_string().unwrap();
            if t.is_dir() {
                n += count_files(&e.path());
            } else if t.is_file() && has_ext(&name, &["json", "yaml", "yml"]) {
                n += 1;
            }
        }
        n
    }

    fn by_id<'a>(p: &'a Parsed<Advisory>, id: &str) -> &'a Advisory {
        p.records.iter().find(|a| a.id == id).unwrap()
    }

    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            if name.ends_with('/') {
                w.add_directory(*name, opts).unwrap();
            } else {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("strata-osv-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    // ---- real samples ---------------------------------------------------------------

    #[test]
    fn every_sample_folder_parses_without_skips() {
        let folders = [
            ("Go", 4291),
            ("crates.io", 1206),
            ("PyPI/yaml", 2661),
            ("PyPI/json", 2661),
            ("npm", 20),
            ("Maven", 8),
            ("Ubuntu", 10),
            ("Debian", 1),
            ("Alpine", 1),
            ("AlmaLinux", 8),
            ("Rocky", 3),
            ("Chainguard", 3),
            ("Bitnami", 4),
        ];
        for (folder, expected) in folders {
            let dir = osv(folder);
            assert_eq!(count_files(&dir), expected, "{folder}: file count");
            let p = parse_dir(&dir).unwrap();
            assert!(p.skipped.is_empty(), "{folder}: {:?}", p.skipped.first());
            assert_eq!(p.records.len(), expected, "{folder}");
            for a in &p.records {
                assert!(!a.id.is_empty());
                assert!(a.source.starts_with("osv:"), "{}: {}", a.id, a.source);
            }
        }
    }

    #[test]
    fn whole_tree_dedups_the_pypi_yaml_json_pairs() {
        let root = shared("feeds/osv");
        let files = count_files(&root);
        let p = parse_dir(&root).unwrap();
        // Every PYSEC record is there twice (YAML and its JSON conversion), same `modified`:
        // the first read (PyPI/json sorts before PyPI/yaml) stays, the other is skipped.
        assert_eq!(p.skipped.len(), 2661);
        assert!(
            p.skipped.iter().all(|s| s.record.starts_with("PyPI/yaml/")
                && s.reason.starts_with("duplicate id PYSEC-"))
        );
        assert_eq!(p.records.len(), files - 2661);
    }

    #[test]
    fn withdrawn_and_zero_time_dates() {
        let count = |folder: &str| {
            let p = parse_dir(&osv(folder)).unwrap();
            let w = p.records.iter().filter(|a| a.withdrawn.is_some()).count();
            (p, w)
        };
        let (go, w) = count("Go");
        assert_eq!(w, 17);
        // golang/vulndb's repository: `modified` is the zero time everywhere, `published`
        // is real in 252 entries only (PROVENANCE.md).
        assert!(go.records.iter().all(|a| a.modified.is_none()));
        assert_eq!(
            go.records.iter().filter(|a| a.published.is_some()).count(),
            252
        );
        assert_eq!(count("crates.io").1, 13);
        assert_eq!(count("PyPI/yaml").1, 10);
        assert_eq!(count("Ubuntu").1, 3);

        let g = record("Go/GO-2022-0617.json");
        assert_eq!(g.withdrawn.as_deref(), Some("2024-08-21T16:25:56Z"));
        assert_eq!(
            (g.published.as_deref(), g.modified.as_deref()),
            (None, None)
        );
        assert_eq!(g.aliases, ["CVE-2020-8562", "GHSA-qh36-44jv-c8xj"]);
        assert_eq!(g.source, "osv:Go");
        let a = g.affected.first().unwrap();
        assert_eq!(
            (a.namespace.as_str(), a.package.as_str()),
            ("Go", "k8s.io/kubernetes")
        );
        assert_eq!(a.fix_state, FixState::NotFixed);
        assert_eq!(
            a.ranges,
            [Range {
                kind: RangeKind::Semver,
                events: vec![Event::Introduced("0".into())],
            }]
        );

        let r = record("crates.io/RUSTSEC-2020-0053.json");
        assert_eq!(r.withdrawn.as_deref(), Some("2021-04-19T12:00:00Z"));
        assert_eq!(r.modified.as_deref(), Some("2022-08-16T02:38:08Z"));
        assert_eq!(r.affected.first().unwrap().package, "dirs");
        assert_eq!(r.source, "osv:crates.io");

        // PYSEC-2024-55 carries the zero time upstream.
        let p = record("PyPI/json/PYSEC-2024-55.json");
        assert_eq!(p.modified, None);
    }

    #[test]
    fn log4shell() {
        let a = record("Maven/GHSA-jfh8-c2jp-5v3q.json");
        assert_eq!(a.aliases, ["CVE-2021-44228"]);
        assert_eq!(a.summary.as_deref(), Some("Remote code injection in Log4j"));
        assert_eq!(a.published.as_deref(), Some("2021-12-10T00:40:56Z"));
        assert_eq!(a.modified.as_deref(), Some("2022-03-25T20:56:18Z"));
        assert_eq!(a.source, "osv:Maven");
        assert_eq!(
            a.severity,
            Some(VendorSeverity {
                text: "CRITICAL".into(),
                level: Severity::Critical
            })
        );
        assert_eq!(
            a.cvss,
            [Cvss {
                version: CvssVersion::V3_1,
                vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into(),
                score: Some(10.0),
                source: "ghsa".into(),
            }]
        );
        // Three `affected` entries for one package: one Affected, three ranges, in order.
        assert_eq!(a.affected.len(), 1);
        let l = a.affected.first().unwrap();
        assert_eq!(l.namespace, "Maven");
        assert_eq!(l.package, "org.apache.logging.log4j:log4j-core");
        assert_eq!(l.fix_state, FixState::Fixed);
        let r = |i: &str, f: &str| Range {
            kind: RangeKind::Ecosystem,
            events: vec![Event::Introduced(i.into()), Event::Fixed(f.into())],
        };
        assert_eq!(
            l.ranges,
            [r("2.13.0", "2.15.0"), r("0", "2.3.1"), r("2.4", "2.12.2")]
        );
        assert!(l.versions.is_empty());
        assert!(
            a.references
                .iter()
                .any(|u| u == "https://nvd.nist.gov/vuln/detail/CVE-2021-44228")
        );
    }

    #[test]
    fn lodash_ghsa() {
        let a = record("npm/GHSA-jf85-cpcp-j695.json");
        assert_eq!(a.aliases, ["CVE-2019-10744"]);
        let c = a.cvss.first().unwrap();
        assert_eq!(c.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H");
        assert_eq!(c.score, Some(9.1));
        assert_eq!(a.severity.as_ref().unwrap().level, Severity::Critical);
        let names: Vec<_> = a.affected.iter().map(|x| x.package.as_str()).collect();
        assert_eq!(
            names,
            ["lodash", "lodash-es", "lodash-amd", "lodash.defaultsdeep"]
        );
        let l = a.affected.first().unwrap();
        assert_eq!(
            l.ranges.first().unwrap().events.last(),
            Some(&Event::Fixed("4.17.12".into()))
        );
        // GHSA's `MODERATE`.
        let m = record("npm/GHSA-p6mc-m468-83gw.json");
        assert!(m.severity.is_some());
    }

    #[test]
    fn distro_records() {
        let d = record("Debian/DSA-3029-1.json");
        assert_eq!(d.source, "osv:Debian");
        assert_eq!(d.aliases, ["CVE-2014-3616"]);
        let n = d.affected.first().unwrap();
        assert_eq!(
            (n.namespace.as_str(), n.package.as_str()),
            ("Debian:7", "nginx")
        );
        assert_eq!(n.fix_state, FixState::Fixed);
        assert_eq!(
            n.ranges.first().unwrap().events.last(),
            Some(&Event::Fixed("1.2.1-2.2+wheezy3".into()))
        );

        let u = record("Ubuntu/UBUNTU-CVE-2022-24823.json");
        assert_eq!(u.source, "osv:Ubuntu");
        // `upstream` (schema 1.7) → alias; `related` (USN-7284-1) is not.
        assert_eq!(u.aliases, ["CVE-2022-24823"]);
        assert_eq!(
            u.severity,
            Some(VendorSeverity {
                text: "low".into(),
                level: Severity::Low
            })
        );
        // The same CVSS vector twice upstream: kept once.
        assert_eq!(u.cvss.len(), 1);
        assert_eq!(u.cvss.first().unwrap().score, Some(5.5));
        assert_eq!(u.cvss.first().unwrap().source, "ubuntu");
        let trusty = u.affected.first().unwrap();
        assert_eq!(trusty.namespace, "Ubuntu:Pro:14.04:LTS");
        assert_eq!(trusty.package, "netty");
        assert_eq!(trusty.fix_state, FixState::NotFixed);
        assert_eq!(
            trusty.versions.first().map(String::as_str),
            Some("1:3.2.6.Final-2")
        );
        let xenial = u.affected.get(1).unwrap();
        assert_eq!(xenial.namespace, "Ubuntu:Pro:16.04:LTS");
        assert_eq!(xenial.fix_state, FixState::Fixed);

        let r = record("Rocky/RLSA-2021_3891.json");
        assert_eq!(r.id, "RLSA-2021:3891");
        assert_eq!(r.source, "osv:Rocky Linux");
        assert_eq!(
            r.severity,
            Some(VendorSeverity {
                text: "Important".into(),
                level: Severity::High
            })
        );
        let j = r.affected.first().unwrap();
        assert_eq!(
            (j.namespace.as_str(), j.package.as_str()),
            ("Rocky Linux:8", "java-11-openjdk")
        );
        assert!(r.aliases.is_empty()); // ten CVEs, but as `related`

        let al = record("AlmaLinux/ALSA-2023_4520.json");
        assert_eq!(al.id, "ALSA-2023:4520");
        assert_eq!(
            al.severity.as_ref().map(|s| s.level),
            Some(Severity::Medium)
        );
        assert_eq!(al.affected.first().unwrap().namespace, "AlmaLinux:8");

        let c = record("Chainguard/CGA-224q-ccj5-2p53.json");
        assert_eq!(c.aliases, ["CVE-2025-32464", "GHSA-frg5-h47x-75j9"]);
        let ns: Vec<_> = c.affected.iter().map(|a| a.namespace.as_str()).collect();
        assert_eq!(ns, ["Chainguard", "Chainguard", "Wolfi", "Wolfi"]);
        assert_eq!(c.source, "osv:Chainguard");

        let b = record("Bitnami/BIT-apache-2020-11984.json");
        assert_eq!(
            b.severity,
            Some(VendorSeverity {
                text: "Critical".into(),
                level: Severity::Critical
            })
        );
        // Per-package CVSS (schema 1.5) is kept with the advisory's.
        assert_eq!(b.cvss.first().unwrap().score, Some(9.8));
        let ap = b.affected.first().unwrap();
        assert_eq!(
            ap.ranges.first().unwrap().events,
            [
                Event::Introduced("2.4.32".into()),
                Event::LastAffected("2.4.43".into())
            ]
        );
        assert_eq!(ap.fix_state, FixState::NotFixed);
        assert_eq!(b.published.as_deref(), Some("2024-03-06T10:57:57.770Z"));

        let alp = record("Alpine/CVE-2022-27449.json");
        assert_eq!(alp.source, "osv:Alpine");
        assert!(
            alp.affected
                .iter()
                .all(|a| a.namespace.starts_with("Alpine:v3."))
        );
    }

    #[test]
    fn cvss_scores_of_every_sample() {
        let p = parse_dir(&shared("feeds/osv")).unwrap();
        let mut n = 0;
        for a in &p.records {
            for c in &a.cvss {
                n += 1;
                assert!(c.score.is_some(), "{}: {} not scored", a.id, c.vector);
            }
        }
        assert!(n > 600, "{n}");
        let v4 = |id: &str| {
            let a = by_id(&p, id);
            let c = a
                .cvss
                .iter()
                .find(|c| c.version == CvssVersion::V4_0)
                .unwrap();
            (c.vector.clone(), c.score)
        };
        // The CVSS v4.0 calculator gives 8.7 for an availability-only network issue.
        assert_eq!(
            v4("RUSTSEC-2026-0037"),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N".into(),
                Some(8.7)
            )
        );
        assert_eq!(v4("RUSTSEC-2026-0024").1, Some(0.0));
        assert_eq!(
            by_id(&p, "RUSTSEC-2026-0037").cvss.first().unwrap().source,
            "rustsec"
        );
    }

    #[test]
    fn pypi_yaml_and_json_forms_are_equal() {
        let yaml = parse_dir(&osv("PyPI/yaml")).unwrap();
        let json = parse_dir(&osv("PyPI/json")).unwrap();
        assert_eq!(yaml.records.len(), 2661);
        let by: HashMap<&str, &Advisory> =
            json.records.iter().map(|a| (a.id.as_str(), a)).collect();
        for y in &yaml.records {
            assert_eq!(Some(&y), by.get(y.id.as_str()), "{}", y.id);
        }
        let a = record("PyPI/yaml/ansible/PYSEC-2021-1.yaml");
        let ans = a.affected.first().unwrap();
        // `- "1.0"` and `- 1.2.1` are both strings; dates stay as written.
        assert_eq!(ans.versions.get(..3).unwrap(), ["1.0", "1.1", "1.2"]);
        assert!(ans.versions.iter().any(|v| v == "1.2.1"));
        assert_eq!(
            ans.ranges.first().unwrap().events,
            [Event::Introduced("0".into()), Event::Fixed("2.9.19".into())]
        );
        assert!(a.modified.as_deref().unwrap().contains('T'));
        // PEP 503 names.
        let j = record("PyPI/json/PYSEC-2020-341.json");
        assert_eq!(j.affected.first().unwrap().package, "jw-util");
        assert_eq!(j.source, "osv:PyPI");
    }

    // ---- all.zip --------------------------------------------------------------------

    #[test]
    fn zip_of_the_crates_io_folder() {
        let dir = osv("crates.io");
        let mut entries = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for n in &names {
            entries.push((n.as_str(), std::fs::read(dir.join(n)).unwrap()));
        }
        entries.push(("README.txt", b"not a record".to_vec()));
        entries.push(("sub/", Vec::new()));
        let bytes = zip_of(&entries);
        let p = parse_zip(&bytes, "crates.io/all.zip").unwrap();
        assert_eq!(p.records.len(), 1206);
        assert_eq!(
            p.skipped,
            [Skipped {
                record: "README.txt".into(),
                reason: "not a JSON entry".into(),
            }]
        );
        let from_dir = parse_dir(&dir).unwrap();
        assert_eq!(p.records, from_dir.records);
        let r = by_id(&p, "RUSTSEC-2020-0053");
        assert_eq!(r.withdrawn.as_deref(), Some("2021-04-19T12:00:00Z"));
    }

    #[test]
    fn zip_bombs() {
        let good = std::fs::read(osv("Debian/DSA-3029-1.json")).unwrap();
        // Over the per-entry limit as declared.
        let big = vec![b' '; 17 * 1024 * 1024];
        // Under it, but 4 MiB of one byte: ~1000:1.
        let mut dense = b"{\"id\":\"X\",\"details\":\"".to_vec();
        dense.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
        dense.extend(b"\"}");
        let bytes = zip_of(&[
            ("big.json", big),
            ("dense.json", dense),
            ("DSA-3029-1.json", good.clone()),
        ]);
        let p = parse_zip(&bytes, "bomb").unwrap();
        assert_eq!(p.records.len(), 1);
        let reasons: Vec<_> = p
            .skipped
            .iter()
            .map(|s| (s.record.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 2);
        assert!(
            reasons
                .first()
                .unwrap()
                .1
                .contains("over the 16777216 limit"),
            "{reasons:?}"
        );
        assert!(
            reasons.get(1).unwrap().1.contains("compression ratio"),
            "{reasons:?}"
        );

        // A size that lies: declare 100 bytes for 17 MiB of deflated spaces.
        let lying = zip_of(&[
            ("lie.json", vec![b' '; 17 * 1024 * 1024]),
            ("DSA-3029-1.json", good),
        ]);
        let patched = patch_sizes(lying, b"lie.json", 100);
        let p = parse_zip(&patched, "lie").unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped.first().unwrap().record, "lie.json");

        // Entries sharing their compressed data (non-recursive bomb).
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        w.start_file("a.json", opts).unwrap();
        w.write_all(&vec![b' '; 1024 * 1024]).unwrap();
        for i in 0..50 {
            w.shallow_copy_file("a.json", &format!("copy{i}.json"))
                .unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let e = parse_zip(&bytes, "overlap").unwrap_err();
        assert!(e.reason.contains("overlap"), "{e}");
    }

    /// Rewrites the uncompressed size of entry `name` in its local header and its
    /// central-directory record (APPNOTE 4.3.7 and 4.3.12).
    fn patch_sizes(mut z: Vec<u8>, name: &[u8], size: u32) -> Vec<u8> {
        let mut i = 0;
        while i + 46 < z.len() {
            let sig = &z[i..i + 4];
            if sig == b"PK\x03\x04" {
                let n = u16::from_le_bytes([z[i + 26], z[i + 27]]) as usize;
                if &z[i + 30..i + 30 + n] == name {
                    z[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
                }
            } else if sig == b"PK\x01\x02" {
                let n = u16::from_le_bytes([z[i + 28], z[i + 29]]) as usize;
                if &z[i + 46..i + 46 + n] == name {
                    z[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                }
            }
            i += 1;
        }
        z
    }

    #[test]
    fn truncated_and_foreign_archives_are_errors() {
        let dir = osv("Bitnami");
        let mut entries = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            entries.push((
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            ));
        }
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        let bytes = zip_of(&refs);
        assert_eq!(parse_zip(&bytes, "ok").unwrap().records.len(), 4);
        for cut in [bytes.len() / 2, bytes.len() - 10, 30, 0] {
            let e = parse_zip(&bytes[..cut], "cut").unwrap_err();
            assert_eq!(e.feed, "cut");
        }
        assert!(parse_zip(b"{\"id\":\"X\"}", "json").is_err());
        let empty = zip_of(&[]);
        assert_eq!(parse_zip(&empty, "empty").unwrap(), Parsed::default());
        // An end-of-central-directory record that claims 65,535 entries it does not hold.
        let mut lying = empty.clone();
        let eocd = lying.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
        lying[eocd + 8..eocd + 12].copy_from_slice(&[0xff; 4]);
        assert!(parse_zip(&lying, "claims").is_err());
        // Corrupt deflate data inside a readable archive: that entry is skipped.
        let mut bad = bytes.clone();
        let at = bad.windows(4).position(|w| w == b"PK\x03\x04").unwrap() + 60;
        for b in &mut bad[at..at + 40] {
            *b ^= 0x5a;
        }
        let p = parse_zip(&bad, "corrupt").unwrap();
        assert_eq!(p.records.len() + p.skipped.len(), 4);
        assert!(!p.skipped.is_empty());
    }

    #[test]
    fn ten_thousand_duplicate_ids_keep_the_newest() {
        let mut entries = Vec::new();
        for i in 0..10_000u32 {
            // Dates in no particular order; the newest is 2024-…, entry 7777.
            let (y, d) = if i == 7777 {
                (2024, 1)
            } else {
                (2000 + i % 20, 1 + i % 28)
            };
            let doc = format!(
                r#"{{"id":"GHSA-dupe-dupe-dupe","modified":"{y}-02-{d:02}T00:00:00Z","summary":"n{i}","affected":[{{"package":{{"ecosystem":"npm","name":"x"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}}]}}]}}]}}"#
            );
            entries.push((format!("e{i}.json"), doc.into_bytes()));
        }
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        let p = parse_zip(&zip_of(&refs), "dupes").unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.skipped.len(), 9_999);
        let kept = p.records.first().unwrap();
        assert_eq!(kept.summary.as_deref(), Some("n7777"));
        assert_eq!(kept.modified.as_deref(), Some("2024-02-01T00:00:00Z"));
        assert!(
            p.skipped
                .iter()
                .all(|s| s.reason.starts_with("duplicate id GHSA-dupe-dupe-dupe"))
        );
        assert!(!p.skipped.iter().any(|s| s.record == "e7777.json"));
    }

    #[test]
    fn zip_count_and_total_limits() {
        let doc =
            |i: u32| format!(r#"{{"id":"X-{i}","modified":"2024-01-01T00:00:00Z"}}"#).into_bytes();
        let entries: Vec<(String, Vec<u8>)> =
            (0..20).map(|i| (format!("{i}.json"), doc(i))).collect();
        let refs: Vec<(&str, Vec<u8>)> = entries
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        let bytes = zip_of(&refs);
        assert_eq!(parse_zip(&bytes, "z").unwrap().records.len(), 20);
        let few = ZipLimits {
            entries: 19,
            ..ZIP_LIMITS
        };
        assert!(
            parse_zip_with(&bytes, "z", &few)
                .unwrap_err()
                .reason
                .contains("20 entries")
        );
        let small = ZipLimits {
            total_bytes: 200,
            ..ZIP_LIMITS
        };
        assert!(
            parse_zip_with(&bytes, "z", &small)
                .unwrap_err()
                .reason
                .contains("uncompressed in all")
        );
    }

    #[test]
    fn deep_json_and_yaml() {
        let depth = 100_000;
        let mut doc = b"{\"id\":\"DEEP-1\",\"database_specific\":".to_vec();
        doc.extend(std::iter::repeat_n(b'[', depth));
        doc.extend(std::iter::repeat_n(b']', depth));
        doc.push(b'}');
        // Ignored content is skipped without recursion (serde_json's `IgnoredAny` is
        // iterative): no stack overflow, the record is kept.
        assert_eq!(parse_record(&doc, "deep.json").unwrap().id, "DEEP-1");
        // Where a value is read, nesting is limited (serde_json: 128 levels).
        let mut doc = b"{\"id\":\"DEEP-2\",\"affected\":[{\"package\":".to_vec();
        doc.extend(std::iter::repeat_n(b'[', depth));
        doc.extend(std::iter::repeat_n(b']', depth));
        doc.extend(b"}]}");
        assert!(parse_record(&doc, "deep2.json").is_err());
        let mut doc = b"{\"id\":\"DEEP-3\",\"affected\":".to_vec();
        doc.extend(std::iter::repeat_n(b'[', depth));
        assert!(parse_record(&doc, "deep3.json").is_err());
        // In an archive, beside a good record.
        let good = std::fs::read(osv("Debian/DSA-3029-1.json")).unwrap();
        let p = parse_zip(&zip_of(&[("deep.json", doc), ("good.json", good)]), "z").unwrap();
        assert_eq!((p.records.len(), p.skipped.len()), (1, 1));

        for field in ["database_specific", "affected", "x"] {
            let mut y = format!("id: DEEP-Y\n{field}: ").into_bytes();
            y.extend(std::iter::repeat_n(b'[', depth));
            y.extend(std::iter::repeat_n(b']', depth));
            y.push(b'\n');
            let t = std::time::Instant::now();
            let s = parse_yaml(&y, "deep.yaml").unwrap_err();
            assert!(
                s.reason.contains("nested deeper than 64"),
                "{field}: {}",
                s.reason
            );
            assert!(t.elapsed() < std::time::Duration::from_secs(1));
        }
        // Within the bound, serde_yaml_ng's own recursion limit (128) is not reached and
        // ignored content is dropped; where a value is read, the type must fit.
        let mut y = b"id: DEEP-W\ndatabase_specific: ".to_vec();
        y.extend(std::iter::repeat_n(b'[', 64));
        y.extend(std::iter::repeat_n(b']', 64));
        y.push(b'\n');
        assert_eq!(parse_yaml(&y, "w.yaml").unwrap().id, "DEEP-W");
        let y = b"id: DEEP-V\naffected: [[[[[[1]]]]]]\n";
        assert!(parse_yaml(y, "v.yaml").is_err());
        // Block-style nesting costs its indentation (depth² bytes): 2,000 levels, 2 MB.
        let mut y = b"id: DEEP-Z\ndatabase_specific:\n".to_vec();
        for i in 0..2000 {
            y.extend(std::iter::repeat_n(b' ', i + 1));
            y.extend(b"k:\n");
        }
        y.extend(std::iter::repeat_n(b' ', 2001));
        y.extend(b"v\n");
        // Ignored content: skipped without recursion, record kept.
        assert_eq!(parse_yaml(&y, "deep2.yaml").unwrap().id, "DEEP-Z");
    }

    #[test]
    fn yaml_alias_bomb() {
        let mut y =
            String::from("id: LOL-1\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        // 9^10 strings if expanded. Read as a string: a type error at once; in ignored or
        // loosely read places aliases are not expanded.
        let t = std::time::Instant::now();
        let with = |field: &str| format!("{y}{field}: *a9\n");
        let s = parse_yaml(with("details").as_bytes(), "lol.yaml").unwrap_err();
        assert_eq!(s.record, "lol.yaml");
        assert!(parse_yaml(with("aliases").as_bytes(), "lol.yaml").is_err());
        assert_eq!(
            parse_yaml(with("database_specific").as_bytes(), "l")
                .unwrap()
                .id,
            "LOL-1"
        );
        assert_eq!(
            parse_yaml(with("credits").as_bytes(), "l").unwrap().id,
            "LOL-1"
        );
        let aff = format!(
            "{y}affected:\n- package: {{ecosystem: PyPI, name: x}}\n  ecosystem_specific: *a9\n  database_specific: {{severity: *a9}}\n"
        );
        assert_eq!(parse_yaml(aff.as_bytes(), "l").unwrap().affected.len(), 1);
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn yaml_scalars_stay_strings() {
        let y = br#"id: PYSEC-0000-1
modified: 2021-07-29T18:15:00Z
published: 2021-07-29 18:15:00Z
affected:
- package: {name: Foo_Bar.baz, ecosystem: PyPI}
  versions: [1.10, "2", 3.0.0]
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: 0
    - fixed: 1.20
"#;
        let a = parse_yaml(y, "x.yaml").unwrap();
        assert_eq!(a.modified.as_deref(), Some("2021-07-29T18:15:00Z"));
        assert_eq!(a.published.as_deref(), Some("2021-07-29 18:15:00Z"));
        let f = a.affected.first().unwrap();
        assert_eq!(f.package, "foo-bar-baz");
        assert_eq!(f.versions, ["1.10", "2", "3.0.0"]);
        assert_eq!(
            f.ranges.first().unwrap().events,
            [Event::Introduced("0".into()), Event::Fixed("1.20".into())]
        );
        assert!(parse_yaml(b"id: A\n---\nid: B\n", "two.yaml").is_err());
        assert!(parse_yaml(b"- id: A\n", "list.yaml").is_err());
        assert!(parse_yaml(b"id: [\n", "broken.yaml").is_err());
    }

    // ---- hostile single records -----------------------------------------------------

    #[test]
    fn malformed_records_are_skipped_with_a_reason() {
        let cases: &[(&str, &[u8])] = &[
            ("not json", b"<html>"),
            ("array", b"[{\"id\":\"A\"}]"),
            ("truncated", b"{\"id\":\"A\",\"aliases\":[\"CVE-1"),
            ("no id", b"{\"modified\":\"2024-01-01T00:00:00Z\"}"),
            ("empty id", b"{\"id\":\"  \"}"),
            ("id type", b"{\"id\":42}"),
            ("aliases type", b"{\"id\":\"A\",\"aliases\":\"CVE-1\"}"),
            ("affected type", b"{\"id\":\"A\",\"affected\":{}}"),
            ("two fields", b"{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\",\"fixed\":\"1\"}]}]}]}"),
            ("empty event", b"{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{}]}]}]}"),
            ("event type", b"{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":1}]}]}]}"),
            ("dup key", b"{\"id\":\"A\",\"id\":\"B\"}"),
            ("trailing", b"{\"id\":\"A\"} {\"id\":\"B\"}"),
            ("nul id", b"{\"id\":\"A\\u0000\"}"),
            ("empty version", b"{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\" \"}]}]}]}"),
        ];
        for (what, doc) in cases {
            let s = parse_record(doc, what).unwrap_err();
            assert_eq!(&s.record, what);
            assert!(!s.reason.is_empty());
        }
        let huge = vec![b' '; 16 * 1024 * 1024 + 1];
        assert!(
            parse_record(&huge, "huge")
                .unwrap_err()
                .reason
                .contains("limit")
        );
        assert!(
            parse_yaml(&huge, "huge")
                .unwrap_err()
                .reason
                .contains("limit")
        );
    }

    #[test]
    fn tolerated_oddities() {
        // BOM, nulls, unknown range type (dropped), a GIT-only entry without a package
        // (dropped), non-object `database_specific`, non-string severities, odd dates.
        let doc = "\u{feff}{\"id\":\"X-1\",\"aliases\":null,\"summary\":\"\",\"modified\":\"yesterday\",\
\"published\":\"2024-02-30T00:00:00Z\",\"withdrawn\":\"0001-01-01T00:00:00Z\",\
\"database_specific\":\"free text\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:X\"},{\"type\":\"Ubuntu\"}],\
\"affected\":[{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"0\"}]}]},\
{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"glibc\"},\"ecosystem_specific\":{\"urgency\":\"unimportant\"},\
\"ranges\":[{\"type\":\"WHATEVER\",\"events\":[{\"introduced\":\"0\"}]}],\"versions\":null},\
{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"glibc\"},\"database_specific\":{\"severity\":7},\"versions\":[\"2.36-9\",\"2.36-9\"]}]}";
        let a = parse_record(doc.as_bytes(), "odd").unwrap();
        assert_eq!(a.summary, None);
        assert_eq!(
            (a.modified.as_deref(), a.published.as_deref()),
            (None, None)
        );
        // A present `withdrawn` is never dropped.
        assert_eq!(a.withdrawn.as_deref(), Some("0001-01-01T00:00:00Z"));
        assert_eq!(a.severity, None);
        assert_eq!(
            a.cvss,
            [Cvss {
                version: CvssVersion::V3_1,
                vector: "CVSS:3.1/AV:X".into(),
                score: None,
                source: "osv".into(),
            }]
        );
        assert_eq!(a.source, "osv:Debian");
        assert_eq!(a.affected.len(), 1);
        let g = a.affected.first().unwrap();
        assert!(g.ranges.is_empty());
        assert_eq!(g.versions, ["2.36-9"]);
        assert_eq!(g.fix_state, FixState::NotFixed);
        assert_eq!(
            g.severity,
            Some(VendorSeverity {
                text: "unimportant".into(),
                level: Severity::Negligible
            })
        );

        let bare = parse_record(b"{\"id\":\"X-2\"}", "bare").unwrap();
        assert_eq!(bare.source, "osv");
        assert!(bare.affected.is_empty());
        // v2 vectors.
        let v2 = parse_record(
            b"{\"id\":\"X-3\",\"severity\":[{\"type\":\"CVSS_V2\",\"score\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\"}]}",
            "v2").unwrap();
        assert_eq!(
            v2.cvss.first().map(|c| (c.version, c.score)),
            Some((CvssVersion::V2, Some(7.5)))
        );
    }

    #[test]
    fn absurdly_many_entries_stay_linear() {
        // ~10 MiB: 60,000 affected entries (half of them the same package), 200,000
        // versions, 100,000 aliases.
        let mut doc = String::from("{\"id\":\"BIG-1\",\"aliases\":[");
        for i in 0..100_000 {
            doc.push_str(&format!("\"CVE-2000-{}\",", i % 50_000));
        }
        doc.push_str("\"CVE-1\"],\"affected\":[");
        for i in 0..60_000 {
            let name = if i % 2 == 0 {
                "same".to_owned()
            } else {
                format!("p{i}")
            };
            doc.push_str(&format!(
                "{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"{name}\"}},\"versions\":[\"1.0.{}\",\"1.0.{}\",\"1.0.0\"],\
                \"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}}]}}]}},",
                i, i + 1
            ));
        }
        doc.push_str("{\"package\":{\"ecosystem\":\"npm\",\"name\":\"last\"}}]}");
        assert!(doc.len() < 16 * 1024 * 1024);
        let t = std::time::Instant::now();
        let a = parse_record(doc.as_bytes(), "big").unwrap();
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(a.aliases.len(), 50_001);
        assert_eq!(a.affected.len(), 30_002);
        let same = a.affected.first().unwrap();
        assert_eq!(same.package, "same");
        assert_eq!(same.ranges.len(), 30_000);
        assert_eq!(same.versions.len(), 60_000); // 1.0.0 … 1.0.59999
        assert_eq!(same.fix_state, FixState::NotFixed);
    }

    #[test]
    fn truncated_and_flipped_records_never_panic() {
        for (rel, yaml) in [
            ("Maven/GHSA-jfh8-c2jp-5v3q.json", false),
            ("Ubuntu/USN-5614-1.json", false),
            ("PyPI/yaml/ansible/PYSEC-2021-1.yaml", true),
        ] {
            let bytes = std::fs::read(osv(rel)).unwrap();
            let parse = |b: &[u8]| {
                if yaml {
                    parse_yaml(b, rel)
                } else {
                    parse_record(b, rel)
                }
            };
            assert!(parse(&bytes).is_ok());
            let step = (bytes.len() / 1500).max(1);
            for cut in (0..bytes.len()).step_by(step) {
                // JSON cut short never parses; YAML cut at a line end can.
                let r = parse(&bytes[..cut]);
                assert!(yaml || r.is_err(), "{rel} cut at {cut}");
                let mut flipped = bytes.clone();
                flipped[cut] ^= 0x20;
                let _ = parse(&flipped);
            }
        }
    }

    #[test]
    fn mangled_cvss_vectors_never_panic() {
        let seeds = [
            ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C"),
            (
                "CVSS_V3",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/MAV:A",
            ),
            ("CVSS_V3", "CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
            (
                "CVSS_V4",
                "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L/E:U",
            ),
        ];
        let subs = [
            "", ":", "/", "X", "N", "H", "CVSS:", "//", "::", "AV:N", "\u{0}", "é",
        ];
        let mut n = 0;
        for (kind, v) in seeds {
            for (i, _) in v.char_indices() {
                for sub in subs {
                    for mangled in [
                        format!("{}{sub}", &v[..i]),
                        format!("{}{sub}{}", &v[..i], &v[i..]),
                        format!("{sub}{}", &v[i..]),
                    ] {
                        for k in [kind, "CVSS_V2", "CVSS_V3", "CVSS_V4"] {
                            let raw = RawSeverity {
                                kind: k.into(),
                                score: Some(mangled.clone()),
                            };
                            if let Some(c) = to_cvss(&raw, "t") {
                                n += 1;
                                assert!(c.score.is_none_or(|s| (0.0..=10.0).contains(&s)));
                            }
                        }
                    }
                }
            }
        }
        assert!(n > 1000);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_rfc3339("0001-01-01T00:00:00Z"), Some((ZERO_TIME, 0)));
        assert_eq!(
            parse_rfc3339("2023-02-02T14:11:02.724098Z"),
            Some((1_675_347_062, 724_098_000))
        );
        assert_eq!(
            parse_rfc3339("2024-03-06T10:57:57.770Z").map(|t| t.1),
            Some(770_000_000)
        );
        assert_eq!(
            parse_rfc3339("2021-01-01T02:00:00+02:00"),
            parse_rfc3339("2021-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z").map(|t| t.0),
            Some(1_709_164_800)
        );
        for bad in [
            "",
            "2024-02-30T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2024-01-01",
            "2024-01-01T00:00:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Zjunk",
            "２０２４-01-01T00:00:00Z",
            "2024-01-01T00:00:00+2:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(date(Some("0001-01-01T00:00:00Z".into())), None);
        assert_eq!(date(Some("0001-01-01T00:00:00.000Z".into())), None);
        assert_eq!(
            date(Some("2022-10-07T05:24:11.123Z".into())).as_deref(),
            Some("2022-10-07T05:24:11.123Z")
        );
        // Offsets compare by instant when picking the newest duplicate.
        assert!(instant(Some("2024-01-01T01:00:00+02:00")) < instant(Some("2024-01-01T00:00:00Z")));
        assert!(instant(None) < instant(Some("0001-01-01T00:00:00Z")));
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("jw.util"), "jw-util");
        assert_eq!(pep503("Foo__Bar-.-baz"), "foo-bar-baz");
        assert_eq!(pep503("zope.interface"), "zope-interface");
    }

    // ---- --osv-dir --------------------------------------------------------------------

    #[test]
    fn dir_walk_bounds() {
        let root = tmpdir("walk");
        let good = std::fs::read(osv("Debian/DSA-3029-1.json")).unwrap();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/DSA-3029-1.json"), &good).unwrap();
        std::fs::write(root.join("README.md"), b"# not a record").unwrap();
        std::fs::write(root.join("broken.json"), b"{").unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join(".git/config.json"), b"{").unwrap();
        // Outside the root, reached only through a symlink.
        let outside = tmpdir("outside");
        std::fs::write(outside.join("GHSA-out.json"), br#"{"id":"GHSA-out"}"#).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("linked-dir")).unwrap();
            std::os::unix::fs::symlink(outside.join("GHSA-out.json"), root.join("linked.json"))
                .unwrap();
        }
        // 40 levels deep.
        let mut deep = root.join("deep");
        for i in 0..40 {
            deep = deep.join(format!("{i}"));
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("too-deep.json"), &good).unwrap();

        let p = parse_dir(&root).unwrap();
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records.first().unwrap().id, "DSA-3029-1");
        assert!(!p.records.iter().any(|a| a.id == "GHSA-out"));
        let skipped: Vec<_> = p.skipped.iter().map(|s| s.record.as_str()).collect();
        assert!(skipped.contains(&"broken.json"), "{skipped:?}");
        #[cfg(unix)]
        {
            assert!(skipped.contains(&"linked-dir"), "{skipped:?}");
            assert!(skipped.contains(&"linked.json"), "{skipped:?}");
        }
        assert!(
            p.skipped
                .iter()
                .any(|s| s.reason.contains("deeper than 32")),
            "{skipped:?}"
        );
        assert!(!skipped.iter().any(|s| s.contains(".git")));

        let few = DirLimits {
            files: 1,
            ..DIR_LIMITS
        };
        assert!(parse_dir_with(&root, &few).is_err());
        assert!(parse_dir(&root.join("README.md")).is_err());
        assert!(parse_dir(&root.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&root);
        let _ = std::fs::remove_dir_all(&outside);
    }
}
