//! Installed Python distributions: `*.dist-info/METADATA` (with `RECORD`),
//! `*.egg-info/PKG-INFO` (with `installed-files.txt`), the single-file `*.egg-info`
//! form and `*.egg/EGG-INFO/PKG-INFO`.
//!
//! Formats: the core metadata spec (an RFC 822 header block,
//! <https://packaging.python.org/specifications/core-metadata/>), the recording of
//! installed projects (`RECORD`, a CSV file,
//! <https://packaging.python.org/specifications/recording-installed-packages/>) and
//! setuptools' `installed-files.txt` (one path per line, relative to the egg-info dir).
//! The directory suffix decides, not the location: Debian uses `dist-packages`, virtual
//! environments and Conda use other trees.

use std::collections::BTreeMap;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Longest licence string kept (some projects put the whole licence text in `License`).
const MAX_LICENSE_LEN: usize = 256;

/// Where a distribution's metadata file sits, and what that says about its directories.
#[derive(Debug, PartialEq, Eq)]
enum Evidence<'a> {
    /// `METADATA` or `PKG-INFO`: the metadata directory (whose file list applies) and
    /// the site-packages directory.
    Metadata { dir: Option<&'a str>, site: &'a str },
    /// `RECORD` (paths relative to `base`, the site-packages dir) or
    /// `installed-files.txt` (relative to `base`, the egg-info dir itself).
    FileList {
        dir: &'a str,
        base: &'a str,
        csv: bool,
    },
}

/// `(parent, last component)` of a slash-separated path.
fn split_last(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn classify(path: &str) -> Option<Evidence<'_>> {
    let (dir, file) = split_last(path);
    let (parent, dir_name) = split_last(dir);
    match file {
        "METADATA" if dir_name.ends_with(".dist-info") => Some(Evidence::Metadata {
            dir: Some(dir),
            site: parent,
        }),
        "PKG-INFO" if dir_name.ends_with(".egg-info") => Some(Evidence::Metadata {
            dir: Some(dir),
            site: parent,
        }),
        // An egg directory: `foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO`; no file list.
        "PKG-INFO" if dir_name == "EGG-INFO" && split_last(parent).1.ends_with(".egg") => {
            Some(Evidence::Metadata {
                dir: None,
                site: split_last(parent).0,
            })
        }
        "RECORD" if dir_name.ends_with(".dist-info") => Some(Evidence::FileList {
            dir,
            base: parent,
            csv: true,
        }),
        "installed-files.txt" if dir_name.ends_with(".egg-info") => Some(Evidence::FileList {
            dir,
            base: dir,
            csv: false,
        }),
        // The single-file form (distutils' `install_egg_info`, e.g. `Python-2.7.egg-info`).
        // A directory of that name is never handed over as a regular file.
        _ if file.ends_with(".egg-info") && file.len() > ".egg-info".len() => {
            Some(Evidence::Metadata {
                dir: None,
                site: dir,
            })
        }
        _ => None,
    }
}

/// One distribution's metadata, waiting for the layer's file lists.
#[derive(Debug)]
struct Found {
    path: String,
    name: String,
    version: String,
    license: Option<String>,
    site: String,
    dir: Option<String>,
}

/// Catalogs installed Python distributions.
#[derive(Debug, Default)]
pub struct PythonCataloger {
    found: Vec<Found>,
    /// Resolved file lists by metadata directory.
    files: BTreeMap<String, Vec<String>>,
}

impl PythonCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for PythonCataloger {
    fn name(&self) -> &'static str {
        "python"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        classify(file.path).is_some()
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let Some(evidence) = classify(file.path) else {
            return;
        };
        let text = decode(file.path, content, diagnostics);
        match evidence {
            Evidence::Metadata { dir, site } => {
                let headers = parse_headers(&text);
                let Some(name) = header(&headers, "Name").filter(|n| !n.is_empty()) else {
                    diagnostics.warn(file.path, "no Name in Python metadata; skipped");
                    return;
                };
                let Some(version) = header(&headers, "Version").filter(|v| !v.is_empty()) else {
                    diagnostics.warn(file.path, "no Version in Python metadata; skipped");
                    return;
                };
                if name.chars().any(char::is_control)
                    || version.chars().any(|c| c.is_control() || c.is_whitespace())
                {
                    diagnostics.warn(file.path, "control characters in Name/Version; skipped");
                    return;
                }
                let license = ["License-Expression", "License"]
                    .iter()
                    .filter_map(|key| header(&headers, key))
                    .find_map(clean_license);
                self.found.push(Found {
                    path: file.path.to_string(),
                    name: normalize_name(name),
                    version: version.to_string(),
                    license,
                    site: site.to_string(),
                    dir: dir.map(str::to_string),
                });
            }
            Evidence::FileList { dir, base, csv } => {
                let entries = if csv {
                    record_paths(&text)
                } else {
                    text.lines().map(str::to_string).collect()
                };
                let mut resolved: Vec<String> =
                    entries.iter().filter_map(|e| resolve(base, e)).collect();
                resolved.sort();
                resolved.dedup();
                self.files
                    .entry(dir.to_string())
                    .or_default()
                    .extend(resolved);
            }
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        let mut files = std::mem::take(&mut self.files);
        let mut out: Vec<Package> = std::mem::take(&mut self.found)
            .into_iter()
            .map(|f| {
                let mut p = Package::new(PackageKind::Python, f.name, f.version, f.path);
                if let Some(files) = f.dir.and_then(|d| files.remove(&d)) {
                    p.files = files;
                }
                if let Some(license) = f.license {
                    p.metadata.insert("license".into(), license);
                }
                p.metadata.insert("site_packages".into(), f.site);
                p
            })
            .collect();
        out.sort_by(|a, b| (&a.name, &a.version, &a.paths).cmp(&(&b.name, &b.version, &b.paths)));
        out
    }
}

/// Metadata is UTF-8 by spec; old files may be Latin-1: decode lossily, with a warning.
fn decode(path: &str, content: &[u8], diagnostics: &mut Diagnostics) -> String {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    match std::str::from_utf8(content) {
        Ok(s) => s.to_string(),
        Err(_) => {
            diagnostics.warn(path, "not valid UTF-8; decoded lossily");
            String::from_utf8_lossy(content).into_owned()
        }
    }
}

/// The header block of an RFC 822 message as Python's `email` parser reads it: `Key: value`
/// lines, continuation lines starting with a space or tab, ended by the first empty line
/// (the description body follows). Leading empty lines are skipped (as Syft does);
/// lines that are neither are ignored (the `email` module records them as defects).
fn parse_headers(text: &str) -> Vec<(&str, String)> {
    let mut headers: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            if headers.is_empty() {
                continue;
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
        } else if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim(), value.trim().to_string()));
        }
    }
    headers
}

/// First value of a header (header names are case-insensitive; `email.message` returns
/// the first occurrence).
fn header<'a>(headers: &'a [(&str, String)], key: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
}

/// A licence worth keeping: not empty, not distutils' `UNKNOWN` placeholder; the first
/// line only, bounded (whole licence texts are sometimes pasted into the field).
fn clean_license(value: &str) -> Option<String> {
    let first = value.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.eq_ignore_ascii_case("UNKNOWN") {
        return None;
    }
    let mut end = first.len().min(MAX_LICENSE_LEN);
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first.get(..end).map(str::to_string)
}

/// PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`.
pub(crate) fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// The first column of each row of a RECORD file, read as Python's `csv` module does
/// (default dialect): a field is quoted only if it starts with `"`, `""` is a quote
/// inside a quoted field, and quoted fields may span lines.
fn record_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let mut field = String::new();
        let mut column = 0usize;
        let mut at_field_start = true;
        let mut quoted = false;
        while let Some(c) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                    } else {
                        quoted = false;
                        continue;
                    }
                }
                if column == 0 {
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                ',' => {
                    column = column.saturating_add(1);
                    at_field_start = true;
                }
                '\n' => break,
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    break;
                }
                _ => {
                    at_field_start = false;
                    if column == 0 {
                        field.push(c);
                    }
                }
            }
        }
        if !field.is_empty() {
            out.push(field);
        }
    }
    out
}

/// `entry` resolved against the directory `base` into an image path: `.` and empty
/// components dropped, `..` climbs but never above the root; absolute entries start at
/// the root. `None` for an empty result.
fn resolve(base: &str, entry: &str) -> Option<String> {
    let entry = entry.trim_end_matches(['\r', '\n']);
    if entry.trim().is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let start = if entry.starts_with('/') { "" } else { base };
    for part in start.split('/').chain(entry.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::shared_data;

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(shared_data(rel)).unwrap()
    }

    /// Runs the cataloger over `(path, content)` pairs as the indexer would.
    fn run(files: &[(&str, Vec<u8>)]) -> (Vec<Package>, Diagnostics) {
        let mut c = PythonCataloger::new();
        let mut d = Diagnostics::default();
        for (path, content) in files {
            let info = FileInfo {
                path,
                size: content.len() as u64,
                mode: 0o644,
            };
            if c.wants(&info) {
                c.visit(&info, content, &mut d);
            }
        }
        let pkgs = c.finish(&mut d);
        (pkgs, d)
    }

    fn one(path: &str, content: Vec<u8>) -> Package {
        let (pkgs, d) = run(&[(path, content)]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 1, "{pkgs:?}");
        pkgs.into_iter().next().unwrap()
    }

    #[test]
    fn wants_by_suffix_not_location() {
        let c = PythonCataloger::new();
        let yes = [
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            "usr/local/lib/python3.11/site-packages/pip-23.0.dist-info/RECORD",
            "opt/venv/lib/python3.12/site-packages/requests-2.31.0.egg-info/PKG-INFO",
            "usr/lib/python3/dist-packages/requests-2.22.0.egg-info/installed-files.txt",
            "usr/lib/python2.7/lib-dynload/Python-2.7.egg-info",
            "usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/EGG-INFO/PKG-INFO",
            "x.dist-info/METADATA",
        ];
        let no = [
            "usr/lib/python3/dist-packages/six.py",
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/WHEEL",
            "usr/lib/python3/dist-packages/METADATA",
            "src/PKG-INFO",
            "a/.egg-info",
            "a/b.egg-info/SOURCES.txt",
            "a/b/EGG-INFO/PKG-INFO",
        ];
        for p in yes {
            assert!(
                c.wants(&FileInfo {
                    path: p,
                    size: 1,
                    mode: 0o644
                }),
                "{p}"
            );
        }
        for p in no {
            assert!(
                !c.wants(&FileInfo {
                    path: p,
                    size: 1,
                    mode: 0o644
                }),
                "{p}"
            );
        }
    }

    #[test]
    fn pep503_names() {
        assert_eq!(normalize_name("Foo_Bar"), "foo-bar");
        assert_eq!(normalize_name("pyOpenSSL"), "pyopenssl");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("a-_.-b__c"), "a-b-c");
        assert_eq!(normalize_name("Django"), "django");
    }

    #[test]
    fn osv_scalibr_metadata_and_pkg_info() {
        let site = "usr/local/lib/python3.10/site-packages";
        let cases = [
            (
                "distinfo_meta.METADATA",
                "pip-22.2.2.dist-info/METADATA",
                "pip",
                "22.2.2",
                Some("MIT"),
            ),
            (
                "pyopenssl-26.0.0.dist-info.METADATA",
                "pyOpenSSL-26.0.0.dist-info/METADATA",
                "pyopenssl",
                "26.0.0",
                Some("Apache License, Version 2.0"),
            ),
            // `License: UNKNOWN` is distutils' placeholder for none.
            (
                "egginfo_pkginfo.PKG-INFO",
                "setuptools-57.4.0.egg-info/PKG-INFO",
                "setuptools",
                "57.4.0",
                None,
            ),
            (
                "pkginfo.PKG-INFO",
                "httplib2-0.20.4.egg-info/PKG-INFO",
                "httplib2",
                "0.20.4",
                Some("MIT"),
            ),
        ];
        for (fixture, rel, name, version, license) in cases {
            let path = format!("{site}/{rel}");
            let p = one(
                &path,
                read(&format!("pkgdb/lang/python/osv-scalibr/{fixture}")),
            );
            assert_eq!(p.kind, Some(PackageKind::Python));
            assert_eq!(
                (p.name.as_str(), p.version.as_str()),
                (name, version),
                "{fixture}"
            );
            assert_eq!(p.paths, vec![path.clone()]);
            assert!(p.files.is_empty());
            assert_eq!(
                p.metadata.get("license").map(String::as_str),
                license,
                "{fixture}"
            );
            assert_eq!(
                p.metadata.get("site_packages").map(String::as_str),
                Some(site)
            );
        }
    }

    #[test]
    fn syft_dist_info_with_record() {
        let dir = "usr/lib/python3.8/site-packages/Pygments-2.6.1.dist-info";
        let fixture = "pkgdb/lang/python/syft/Pygments-2.6.1.dist-info";
        let (pkgs, d) = run(&[
            // RECORD before METADATA: tar order must not matter.
            (&format!("{dir}/RECORD"), read(&format!("{fixture}/RECORD"))),
            (
                &format!("{dir}/top_level.txt"),
                read(&format!("{fixture}/top_level.txt")),
            ),
            (
                &format!("{dir}/METADATA"),
                read(&format!("{fixture}/METADATA")),
            ),
        ]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 1);
        let p = &pkgs[0];
        assert_eq!((p.name.as_str(), p.version.as_str()), ("pygments", "2.6.1"));
        assert_eq!(p.paths, vec![format!("{dir}/METADATA")]);
        // No License field (only the non-standard `LicenseFile`).
        assert_eq!(p.metadata.get("license"), None);
        assert_eq!(
            p.metadata["site_packages"],
            "usr/lib/python3.8/site-packages"
        );
        let sp = "usr/lib/python3.8/site-packages";
        let mut want = vec![
            "usr/bin/pygmentize".to_string(),
            format!("{sp}/pygments/__pycache__/__init__.cpython-38.pyc"),
            format!("{sp}/pygments/util.py"),
            format!("{sp}/pygments/x_util.py"),
            format!("{sp}/with-license-file-declared.dist-info/AUTHORS"),
            format!("{sp}/with-license-file-declared.dist-info/LICENSE.txt"),
            format!("{sp}/with-license-file-declared.dist-info/RECORD"),
        ];
        want.sort();
        assert_eq!(p.files, want);
    }

    #[test]
    fn syft_egg_info_dir_and_file() {
        let site = "usr/lib/python2.7/dist-packages";
        let p = one(
            &format!("{site}/requests-2.22.0.egg-info/PKG-INFO"),
            read("pkgdb/lang/python/syft/requests-2.22.0.egg-info/PKG-INFO"),
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("requests", "2.22.0")
        );
        assert_eq!(p.metadata["license"], "Apache 2.0");

        let path = "usr/lib/python2.7/lib-dynload/Python-2.7.egg-info";
        let p = one(path, read("pkgdb/lang/python/syft/Python-2.7.egg-info"));
        assert_eq!((p.name.as_str(), p.version.as_str()), ("python", "2.7.13"));
        assert_eq!(p.paths, vec![path.to_string()]);
        assert_eq!(p.metadata["license"], "PSF license");
        assert_eq!(p.metadata["site_packages"], "usr/lib/python2.7/lib-dynload");
    }

    #[test]
    fn egg_info_installed_files_relative_to_egg_info_dir() {
        let dir = "usr/lib/python3/dist-packages/Foo_Bar-1.0.egg-info";
        let (pkgs, d) = run(&[
            (
                &format!("{dir}/PKG-INFO"),
                b"Metadata-Version: 1.0\nName: Foo_Bar\nVersion: 1.0\n".to_vec(),
            ),
            (
                &format!("{dir}/installed-files.txt"),
                b"../foo_bar/__init__.py\r\n./\nPKG-INFO\n../../../../../../../../etc/x\n\n"
                    .to_vec(),
            ),
        ]);
        assert!(d.warnings.is_empty());
        assert_eq!(pkgs[0].name, "foo-bar");
        assert_eq!(
            pkgs[0].files,
            vec![
                "etc/x".to_string(),
                dir.to_string(),
                format!("{dir}/PKG-INFO"),
                "usr/lib/python3/dist-packages/foo_bar/__init__.py".to_string(),
            ]
        );
    }

    #[test]
    fn record_csv_quoting_and_escapes() {
        let record = "\"a,b.py\",sha256=x,1\n\"q\"\"uote.py\",,\nplain\"q.py,,\r\n\"multi\nline.py\",,\n/abs/path.py,,\n../../../../../../../bin/x,,\n,,\n";
        assert_eq!(
            record_paths(record),
            vec![
                "a,b.py",
                "q\"uote.py",
                "plain\"q.py",
                "multi\nline.py",
                "/abs/path.py",
                "../../../../../../../bin/x"
            ]
        );
        assert_eq!(
            resolve("usr/lib/py/site-packages", "../../../bin/x").as_deref(),
            Some("usr/bin/x")
        );
        assert_eq!(
            resolve("usr/lib", "../../../../../etc/passwd").as_deref(),
            Some("etc/passwd")
        );
        assert_eq!(
            resolve("usr/lib", "/opt//a/./b").as_deref(),
            Some("opt/a/b")
        );
        assert_eq!(resolve("", "a.py").as_deref(), Some("a.py"));
        assert_eq!(resolve("usr", "..").as_deref(), None);
        assert_eq!(resolve("usr", "  ").as_deref(), None);
    }

    #[test]
    fn headers_continuations_case_and_body() {
        let text = "\n\nmetadata-version: 2.1\nNAME: Some.Thing\nVersion:  1.0.post1 \nLicense: BSD\n  continued\n\tmore\nLicense: second\nno colon line\n\nName: body-name\nVersion: 9\n";
        let p = one(
            "a/site-packages/x.dist-info/METADATA",
            text.as_bytes().to_vec(),
        );
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("some-thing", "1.0.post1")
        );
        assert_eq!(p.metadata["license"], "BSD");
        assert_eq!(p.metadata["site_packages"], "a/site-packages");

        // License-Expression wins over License; CRLF line ends.
        let text = "Name: x\r\nVersion: 1\r\nLicense: Apache Software License\r\nLicense-Expression: Apache-2.0\r\n\r\nbody";
        let p = one("x-1.dist-info/METADATA", text.as_bytes().to_vec());
        assert_eq!(p.metadata["license"], "Apache-2.0");
        assert_eq!(p.metadata["site_packages"], "");
    }

    #[test]
    fn record_and_metadata_in_other_dirs_do_not_mix() {
        let (pkgs, _) = run(&[
            (
                "sp/a-1.dist-info/METADATA",
                b"Name: a\nVersion: 1\n".to_vec(),
            ),
            ("sp/b-1.dist-info/RECORD", b"b/__init__.py,,\n".to_vec()),
            (
                "sp/c-1.dist-info/METADATA",
                b"Name: c\nVersion: 1\n".to_vec(),
            ),
            ("sp/c-1.dist-info/RECORD", b"c/__init__.py,,\n".to_vec()),
        ]);
        assert_eq!(pkgs.len(), 2);
        assert!(pkgs[0].files.is_empty());
        assert_eq!(pkgs[1].files, vec!["sp/c/__init__.py"]);
    }

    #[test]
    fn hostile_inputs() {
        // Non-UTF-8: decoded lossily, with a warning, not dropped.
        let (pkgs, d) = run(&[(
            "sp/x-1.dist-info/METADATA",
            b"Name: caf\xe9\nVersion: 1.0\nLicense: \xff\n".to_vec(),
        )]);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].name, "caf\u{fffd}");
        assert_eq!(d.warnings.len(), 1);
        assert!(d.warnings[0].contains("UTF-8"), "{:?}", d.warnings);

        // Missing fields, empty file, garbage, truncated header, control characters.
        let bad: [&[u8]; 7] = [
            b"",
            b"Version: 1.0\n",
            b"Name: x\n",
            b"Name: x\nVersion:",
            b"\x00\x01\x02\xff\xfe garbage",
            b"Name: x\nVersion: 1.0 beta\n",
            b"Name: x\x07\nVersion: 1\n",
        ];
        for content in bad {
            let (pkgs, d) = run(&[("sp/x.dist-info/METADATA", content.to_vec())]);
            assert!(pkgs.is_empty(), "{content:?}");
            assert!(!d.warnings.is_empty(), "{content:?}");
        }

        // Huge fields and a huge, unterminated quoted RECORD field.
        let mut big = b"Name: big\nVersion: 1\nLicense: ".to_vec();
        big.extend(std::iter::repeat_n(b'L', 1 << 20));
        big.extend(b"\nKeywords: ");
        big.extend(std::iter::repeat_n(b'k', 1 << 20));
        let mut record = b"\"".to_vec();
        record.extend(std::iter::repeat_n(b'x', 1 << 20));
        let (pkgs, d) = run(&[
            ("sp/big.dist-info/METADATA", big),
            ("sp/big.dist-info/RECORD", record),
        ]);
        assert!(d.warnings.is_empty());
        assert_eq!(pkgs[0].metadata["license"].len(), MAX_LICENSE_LEN);
        assert_eq!(pkgs[0].files.len(), 1);

        // Multi-byte licence cut on a character boundary.
        let lic = "é".repeat(300);
        let p = one(
            "sp/m.dist-info/METADATA",
            format!("Name: m\nVersion: 1\nLicense: {lic}\n").into_bytes(),
        );
        assert!(p.metadata["license"].len() <= MAX_LICENSE_LEN);

        // RECORD of random bytes, only separators, deep `..`.
        let (_, d) = run(&[
            ("sp/r.dist-info/RECORD", vec![0xff; 4096]),
            ("sp/s.dist-info/RECORD", b",,,\n\n\r\r\"".to_vec()),
        ]);
        assert_eq!(d.warnings.len(), 1);
        let deep = "../".repeat(100_000) + "x";
        assert_eq!(resolve("a/b", &deep).as_deref(), Some("x"));
    }
}
