//! dpkg: the status database `var/lib/dpkg/status`, the distroless layout
//! `var/lib/dpkg/status.d/<name>` (+ `<name>.md5sums`), and the file lists
//! `var/lib/dpkg/info/<name>[:<arch>].{list,md5sums}` written by the same layer.
//!
//! Stanza syntax per deb-control(5) / dpkg `lib/dpkg/parse.c`: `Name: value` lines,
//! continuation lines start with a space or tab, stanzas are separated by blank lines,
//! field names are case-insensitive. dpkg aborts on a malformed stanza; we skip just that
//! stanza with a warning and keep the rest.

use std::collections::{HashMap, HashSet};

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d/";
const INFO: &str = "var/lib/dpkg/info/";

/// A stanza bigger than this is not a real package record.
const MAX_STANZA: usize = 4 << 20;
/// Longest field value accepted (Description/Conffiles of real packages are far below).
const MAX_FIELD: usize = 1 << 20;
/// Longest Package/Version/Architecture/Source/Status value accepted.
const MAX_KEY: usize = 1024;
/// Most packages taken from one file (real systems have a few thousand).
const MAX_PACKAGES: usize = 100_000;
/// Most paths taken from one file list.
const MAX_LIST_ENTRIES: usize = 1_000_000;

/// Other dpkg control-file suffixes that may sit in `status.d/`: not stanzas.
const NOT_STANZA_SUFFIXES: &[&str] = &[
    ".list",
    ".conffiles",
    ".preinst",
    ".postinst",
    ".prerm",
    ".postrm",
    ".triggers",
    ".shlibs",
    ".symbols",
    ".templates",
    ".config",
];

/// Catalogs dpkg-installed packages of one layer.
#[derive(Debug, Default)]
pub struct DpkgCataloger {
    /// Packages from `status` / `status.d` in visit order.
    found: Vec<Found>,
    /// `info/<stem>.list` contents by stem (`name` or `name:arch`).
    lists: HashMap<String, Vec<String>>,
    /// `info/<stem>.md5sums` contents by stem.
    sums: HashMap<String, Vec<String>>,
    /// `status.d/<stem>.md5sums` contents by stem.
    status_d_sums: HashMap<String, Vec<String>>,
}

#[derive(Debug)]
struct Found {
    pkg: Package,
    /// For `status.d/<stem>`: the stem and whether the file held only this package.
    status_d: Option<(String, bool)>,
}

impl DpkgCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for DpkgCataloger {
    fn name(&self) -> &'static str {
        "dpkg"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        let p = file.path;
        if p == STATUS {
            return true;
        }
        if let Some(name) = p.strip_prefix(STATUS_D) {
            return plain_name(name) && !NOT_STANZA_SUFFIXES.iter().any(|s| name.ends_with(s));
        }
        if let Some(name) = p.strip_prefix(INFO) {
            return plain_name(name) && (name.ends_with(".list") || name.ends_with(".md5sums"));
        }
        false
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        let path = file.path;
        if path == STATUS {
            let pkgs = parse_status(content, path, true, diagnostics);
            self.found.extend(pkgs.into_iter().map(|pkg| Found {
                pkg,
                status_d: None,
            }));
        } else if let Some(name) = path.strip_prefix(STATUS_D) {
            if let Some(stem) = name.strip_suffix(".md5sums") {
                let files = parse_md5sums(content, path, diagnostics);
                self.status_d_sums.insert(stem.to_string(), files);
            } else {
                // Distroless writes these without a Status field: they are installed.
                let pkgs = parse_status(content, path, false, diagnostics);
                let single = pkgs.len() == 1;
                self.found.extend(pkgs.into_iter().map(|pkg| Found {
                    pkg,
                    status_d: Some((name.to_string(), single)),
                }));
            }
        } else if let Some(name) = path.strip_prefix(INFO) {
            if let Some(stem) = name.strip_suffix(".list") {
                let files = parse_list(content, path, diagnostics);
                self.lists.insert(stem.to_string(), files);
            } else if let Some(stem) = name.strip_suffix(".md5sums") {
                let files = parse_md5sums(content, path, diagnostics);
                self.sums.insert(stem.to_string(), files);
            }
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        let found = std::mem::take(&mut self.found);
        let mut out = Vec::with_capacity(found.len());
        for Found { mut pkg, status_d } in found {
            let mut lists: Vec<&Vec<String>> = Vec::new();
            // dpkg names info files `name:arch` for Multi-Arch: same packages, else `name`.
            let qualified = pkg.arch.as_ref().map(|a| format!("{}:{a}", pkg.name));
            let stem = match &qualified {
                Some(q) if self.lists.contains_key(q) || self.sums.contains_key(q) => q.as_str(),
                _ => pkg.name.as_str(),
            };
            lists.extend(self.lists.get(stem));
            lists.extend(self.sums.get(stem));
            if let Some((file_stem, single)) = &status_d
                && (*single || *file_stem == pkg.name)
            {
                lists.extend(self.status_d_sums.get(file_stem));
            }
            let mut seen = HashSet::new();
            for f in lists.into_iter().flatten() {
                if seen.insert(f.as_str()) {
                    pkg.files.push(f.clone());
                }
            }
            out.push(pkg);
        }
        out
    }
}

/// A file name directly in the directory, not hidden.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && !name.starts_with('.')
}

/// The fields a package record needs, as raw values of one stanza.
#[derive(Default)]
struct Fields<'a> {
    package: Option<&'a [u8]>,
    version: Option<&'a [u8]>,
    arch: Option<&'a [u8]>,
    source: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
}

/// Parses a status file (or a `status.d` entry); keeps installed packages.
fn parse_status(
    content: &[u8],
    path: &str,
    status_required: bool,
    diagnostics: &mut Diagnostics,
) -> Vec<Package> {
    let mut out = Vec::new();
    let mut seen: HashSet<(String, Option<String>)> = HashSet::new();
    for (line, stanza) in stanzas_of(content) {
        let result = if stanza.len() > MAX_STANZA {
            Err(format!("stanza of {} bytes is too large", stanza.len()))
        } else {
            fields_of(stanza).and_then(|f| package_of(&f, path, status_required))
        };
        match result {
            Ok(None) => {}
            Ok(Some(pkg)) => {
                // dpkg keeps one record per (name, arch); a repeat is corruption.
                if !seen.insert((pkg.name.clone(), pkg.arch.clone())) {
                    diagnostics.warn(path, format!("line {line}: duplicate package {}", pkg.name));
                    continue;
                }
                if out.len() >= MAX_PACKAGES {
                    diagnostics.warn(
                        path,
                        format!("more than {MAX_PACKAGES} packages; rest ignored"),
                    );
                    break;
                }
                out.push(pkg);
            }
            Err(e) => diagnostics.warn(path, format!("line {line}: stanza skipped: {e}")),
        }
    }
    out
}

/// Splits `content` into stanzas. As in dpkg's parse.c, whitespace before a stanza is
/// skipped and a stanza ends at an empty line (a whitespace-only line starting with a
/// space is a continuation line); a lone `\r` also ends it, to tolerate CRLF files.
/// Yields the 1-based number of the stanza's first line and its bytes.
fn stanzas_of(content: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = content;
    let mut line_no = 0usize;
    std::iter::from_fn(move || {
        // Skip blank lines before the stanza.
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, after) = split_line(rest);
            if !line.trim_ascii().is_empty() {
                break;
            }
            rest = after;
            line_no = line_no.saturating_add(1);
        }
        let first = line_no.saturating_add(1);
        let start = rest;
        let mut len = 0usize;
        while !rest.is_empty() {
            let (line, after) = split_line(rest);
            if line.is_empty() || line == b"\r" {
                break;
            }
            len = len.saturating_add(rest.len() - after.len());
            rest = after;
            line_no = line_no.saturating_add(1);
        }
        Some((first, start.get(..len).unwrap_or(start)))
    })
}

/// The line at the start of `b` (without its `\n`) and what follows it.
fn split_line(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|&c| c == b'\n') {
        Some(i) => (
            b.get(..i).unwrap_or(b),
            b.get(i.saturating_add(1)..).unwrap_or(&[]),
        ),
        None => (b, &[]),
    }
}

/// Reads the fields of one stanza (deb-control(5) syntax), keeping the ones we use.
fn fields_of(stanza: &[u8]) -> Result<Fields<'_>, String> {
    let mut fields = Fields::default();
    // (name, offset of the value's first byte, offset after its last line)
    let mut current: Option<(&[u8], usize, usize)> = None;
    let mut offset = 0usize;
    let mut rest = stanza;
    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        let line_start = offset;
        offset = offset.saturating_add(rest.len() - after.len());
        rest = after;
        let line_end = line_start.saturating_add(line.len());
        if matches!(line.first(), Some(b' ' | b'\t')) {
            // Continuation of the previous field's value.
            match current.as_mut() {
                Some((_, _, end)) => *end = line_end,
                None => return Err("continuation line before any field".into()),
            }
            continue;
        }
        if let Some((name, start, end)) = current.take() {
            store(&mut fields, name, stanza.get(start..end).unwrap_or(&[]))?;
        }
        let colon = line
            .iter()
            .position(|&c| c == b':')
            .ok_or_else(|| format!("line without a colon: {}", show(line)))?;
        let name = line.get(..colon).unwrap_or(&[]);
        if name.is_empty()
            || name.iter().any(|c| c.is_ascii_whitespace())
            || name.first() == Some(&b'-')
        {
            return Err(format!("bad field name: {}", show(name)));
        }
        current = Some((
            name,
            line_start.saturating_add(colon).saturating_add(1),
            line_end,
        ));
    }
    if let Some((name, start, end)) = current {
        store(&mut fields, name, stanza.get(start..end).unwrap_or(&[]))?;
    }
    Ok(fields)
}

/// Records one field value (raw, possibly multi-line) if it is one we use.
fn store<'a>(fields: &mut Fields<'a>, name: &[u8], value: &'a [u8]) -> Result<(), String> {
    if value.len() > MAX_FIELD {
        return Err(format!(
            "field {} of {} bytes is too large",
            show(name),
            value.len()
        ));
    }
    let slot = if name.eq_ignore_ascii_case(b"package") {
        &mut fields.package
    } else if name.eq_ignore_ascii_case(b"version") {
        &mut fields.version
    } else if name.eq_ignore_ascii_case(b"architecture") {
        &mut fields.arch
    } else if name.eq_ignore_ascii_case(b"source") {
        &mut fields.source
    } else if name.eq_ignore_ascii_case(b"status") {
        &mut fields.status
    } else {
        return Ok(());
    };
    if slot.is_some() {
        // dpkg: "duplicate value for field".
        return Err(format!("duplicate field {}", show(name)));
    }
    *slot = Some(value.trim_ascii());
    Ok(())
}

/// A one-line text value of a key field.
fn key<'a>(value: Option<&'a [u8]>, name: &str) -> Result<Option<&'a str>, String> {
    let Some(v) = value else { return Ok(None) };
    if v.len() > MAX_KEY {
        return Err(format!("{name} of {} bytes is too long", v.len()));
    }
    let s = std::str::from_utf8(v).map_err(|_| format!("{name} is not UTF-8"))?;
    if s.is_empty() || s.contains('\n') {
        return Err(format!("{name} is empty or spans lines"));
    }
    Ok(Some(s))
}

/// Builds the package of a stanza; `Ok(None)` when it is not installed.
fn package_of(
    f: &Fields<'_>,
    path: &str,
    status_required: bool,
) -> Result<Option<Package>, String> {
    match key(f.status, "Status")? {
        Some(status) if !installed(status)? => return Ok(None),
        Some(_) => {}
        None if status_required => return Err("no Status field".into()),
        None => {}
    }
    let name = key(f.package, "Package")?.ok_or("no Package field")?;
    // dpkg pkg_name_is_illegal: alphanumeric first, then alphanumerics and `-+._`;
    // dpkg looks names up case-insensitively and Debian policy makes them lowercase.
    let name = name.to_ascii_lowercase();
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-+._".contains(c))
    {
        return Err(format!("illegal package name {name:?}"));
    }
    let version = key(f.version, "Version")?.ok_or("no Version field")?;
    if version.contains(char::is_whitespace) {
        return Err(format!("bad version {version:?}"));
    }
    let arch = key(f.arch, "Architecture")?;
    // dpkg_arch_name_is_illegal: alphanumerics and `-`.
    if let Some(a) = arch
        && !a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!("bad architecture {a:?}"));
    }
    let mut pkg = Package::new(PackageKind::Deb, name, version, path);
    pkg.arch = arch.map(str::to_string);
    if let Some(source) = key(f.source, "Source")? {
        // `Source: name` or `Source: name (version)` (deb-control(5)); without a
        // version the source version is the binary's.
        let (sname, rest) = source
            .split_once(char::is_whitespace)
            .unwrap_or((source, ""));
        let rest = rest.trim();
        let sversion = if rest.is_empty() {
            None
        } else {
            let v = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .map(str::trim)
                .filter(|v| !v.is_empty() && !v.contains(char::is_whitespace))
                .ok_or_else(|| format!("bad Source field {source:?}"))?;
            Some(v)
        };
        pkg.source_name = Some(sname.to_string());
        pkg.source_version = sversion.filter(|v| *v != version).map(str::to_string);
    }
    Ok(Some(pkg))
}

/// Whether a `Status: want eflag status` value means the package's files are installed.
/// The want flag is only the selection (`deinstall ok installed` is still installed);
/// `triggers-*` are configured packages with pending triggers (dpkg treats them as
/// satisfying dependencies). Unknown words are an error, as in dpkg.
fn installed(status: &str) -> Result<bool, String> {
    let words: Vec<&str> = status.split_ascii_whitespace().collect();
    let [want, eflag, state] = words.as_slice() else {
        return Err(format!("bad Status {status:?}"));
    };
    let known_want = ["unknown", "install", "hold", "deinstall", "purge"].contains(want);
    let known_eflag = ["ok", "reinstreq", "hold", "hold-reinstreq"].contains(eflag);
    let installed = match *state {
        "installed" | "triggers-pending" | "triggers-awaiting" => true,
        "not-installed" | "config-files" | "half-installed" | "unpacked" | "half-configured" => {
            false
        }
        _ => return Err(format!("bad Status {status:?}")),
    };
    if !known_want || !known_eflag {
        return Err(format!("bad Status {status:?}"));
    }
    Ok(installed)
}

/// `info/*.list`: one absolute path per line; `/.` is the root itself.
fn parse_list(content: &[u8], path: &str, diagnostics: &mut Diagnostics) -> Vec<String> {
    collect_paths(content, path, diagnostics, |line| Some(line))
}

/// `*.md5sums`: `md5sum` output, `<hash>  <path>` (or `<hash> *<path>`).
fn parse_md5sums(content: &[u8], path: &str, diagnostics: &mut Diagnostics) -> Vec<String> {
    collect_paths(content, path, diagnostics, |line| {
        let sp = line.iter().position(|&c| c == b' ')?;
        let rest = line.get(sp.saturating_add(1)..)?;
        match rest.first() {
            Some(b' ' | b'*') => rest.get(1..),
            _ => None,
        }
    })
}

/// Image paths (no leading `/`) from the lines of a file list; `pick` extracts the path.
fn collect_paths(
    content: &[u8],
    path: &str,
    diagnostics: &mut Diagnostics,
    pick: impl Fn(&[u8]) -> Option<&[u8]>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut bad = 0usize;
    for line in content.split(|&c| c == b'\n') {
        if line.is_empty() {
            continue;
        }
        let Some(p) = pick(line).and_then(|p| std::str::from_utf8(p).ok()) else {
            bad = bad.saturating_add(1);
            continue;
        };
        let p = p.trim_start_matches('/');
        if p.is_empty() || p == "." {
            continue;
        }
        if out.len() >= MAX_LIST_ENTRIES {
            diagnostics.warn(
                path,
                format!("more than {MAX_LIST_ENTRIES} entries; rest ignored"),
            );
            break;
        }
        out.push(p.to_string());
    }
    if bad > 0 {
        diagnostics.warn(path, format!("{bad} unreadable line(s) skipped"));
    }
    out
}

/// A short printable excerpt of raw bytes for a warning.
fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b.get(..60).unwrap_or(b));
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::shared_data;

    fn info(path: &str) -> FileInfo<'_> {
        FileInfo {
            path,
            size: 0,
            mode: 0o644,
        }
    }

    /// Runs one layer made of `files` through the cataloger.
    fn run(files: &[(&str, &[u8])]) -> (Vec<Package>, Diagnostics) {
        let mut c = DpkgCataloger::new();
        let mut d = Diagnostics::default();
        for (path, content) in files {
            let fi = info(path);
            if c.wants(&fi) {
                c.visit(&fi, content, &mut d);
            }
        }
        let pkgs = c.finish(&mut d);
        (pkgs, d)
    }

    /// Rows of a corpus `*.packages.tsv`: package, version, architecture, source, status.
    fn expected(tsv: &str) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(shared_data(tsv)).unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    }

    /// Catalogs a corpus file placed at `image_path` and compares it with its listing.
    fn check_corpus(rel: &str, image_path: &str) -> Vec<Package> {
        let content = std::fs::read(shared_data(rel)).unwrap();
        let (pkgs, d) = run(&[(image_path, &content)]);
        assert!(d.warnings.is_empty(), "{rel}: {:?}", d.warnings);
        let rows: Vec<_> = expected(&format!("{rel}.packages.tsv"))
            .into_iter()
            .filter(|r| r[4].is_empty() || r[4].ends_with(" installed"))
            .collect();
        assert_eq!(pkgs.len(), rows.len(), "{rel}");
        for (p, r) in pkgs.iter().zip(&rows) {
            assert_eq!(p.kind, Some(PackageKind::Deb));
            assert_eq!(p.name, r[0], "{rel}");
            assert_eq!(p.version, r[1], "{rel} {}", p.name);
            assert_eq!(p.arch.as_deref(), Some(r[2].as_str()), "{rel} {}", p.name);
            let (sname, sver) = match r[3].split_once(" (") {
                Some((n, v)) => (Some(n), v.strip_suffix(')').filter(|v| *v != r[1])),
                None => (Some(r[3].as_str()).filter(|s| !s.is_empty()), None),
            };
            assert_eq!(p.source_name.as_deref(), sname, "{rel} {}", p.name);
            assert_eq!(p.source_version.as_deref(), sver, "{rel} {}", p.name);
            assert_eq!(p.paths, vec![image_path.to_string()]);
        }
        pkgs
    }

    #[test]
    fn corpus_status_files() {
        let n = check_corpus("pkgdb/dpkg/debootstrap-bookworm-minbase/status", STATUS).len();
        assert_eq!(n, 88);
        let texlive = check_corpus("pkgdb/dpkg/claircore/texlive.status", STATUS);
        assert_eq!(texlive.len(), 357);
        check_corpus("pkgdb/dpkg/claircore/debian-only.status", STATUS);
        let pg = check_corpus("pkgdb/dpkg/claircore/postgresql.status", STATUS);
        let client = pg.iter().find(|p| p.name == "postgresql-client").unwrap();
        assert_eq!(client.source_name.as_deref(), Some("postgresql-common"));
        assert_eq!(client.source_version.as_deref(), Some("200+deb10u5"));
        // 91 stanzas, one of them `deinstall ok config-files`.
        let ubuntu = check_corpus("pkgdb/dpkg/trivy/ubuntu-18.04-status", STATUS);
        assert_eq!(ubuntu.len(), 90);
        let scalibr = check_corpus("pkgdb/dpkg/osv-scalibr/valid.status", STATUS);
        let ule = scalibr
            .iter()
            .find(|p| p.name == "util-linux-extra")
            .unwrap();
        assert_eq!(ule.version, "2.38.1-5+b1");
        assert_eq!(ule.source_name.as_deref(), Some("util-linux"));
        assert_eq!(ule.source_version.as_deref(), Some("2.38.1-5"));
    }

    #[test]
    fn corpus_status_d() {
        let dash = check_corpus(
            "pkgdb/dpkg/distroless-status.d/syft-integration/dash",
            "var/lib/dpkg/status.d/dash",
        );
        assert_eq!(
            (dash[0].name.as_str(), dash[0].version.as_str()),
            ("dash", "0.5.8-2.4")
        );
        check_corpus(
            "pkgdb/dpkg/distroless-status.d/syft-integration/netbase",
            "var/lib/dpkg/status.d/netbase",
        );
        let sqlite = check_corpus(
            "pkgdb/dpkg/distroless-status.d/syft/libsqlite3-0",
            "var/lib/dpkg/status.d/libsqlite3-0",
        );
        assert_eq!(sqlite[0].source_name.as_deref(), Some("sqlite3"));
        assert_eq!(sqlite[0].version, "3.34.1-3");

        // With its md5sums beside it (either tar order), the files are attached.
        let status = std::fs::read(shared_data(
            "pkgdb/dpkg/distroless-status.d/syft/libsqlite3-0",
        ))
        .unwrap();
        let sums = std::fs::read(shared_data(
            "pkgdb/dpkg/distroless-status.d/syft/libsqlite3-0.md5sums",
        ))
        .unwrap();
        let (pkgs, d) = run(&[
            ("var/lib/dpkg/status.d/libsqlite3-0.md5sums", &sums),
            ("var/lib/dpkg/status.d/libsqlite3-0", &status),
        ]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].files.len(), 6);
        assert_eq!(
            pkgs[0].files[0],
            "usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6"
        );
        assert_eq!(pkgs[0].files[5], "usr/share/doc/libsqlite3-0/copyright");
    }

    const SAMPLE: &[u8] = b"Package: libc6\n\
Status: install ok installed\n\
Architecture: amd64\n\
Multi-Arch: same\n\
Source: glibc\n\
Version: 2.36-9+deb12u4\n\
Description: GNU C Library\n \
Contains the standard libraries.\n \
.\n \
More.\n\
\n\
\n\
package: Dash\n\
STATUS: install ok installed\n\
architecture: amd64\n\
version: 0.5.12-2\n\
\n\
Package: gone\n\
Status: deinstall ok config-files\n\
Architecture: amd64\n\
Version: 1.0\n\
\n\
Package: held\n\
Status: hold ok installed\n\
Architecture: all\n\
Version: 1:2.0\n\
Source: held-src (1:2.0)\n\
\n\
Package: half\n\
Status: install reinstreq half-installed\n\
Architecture: amd64\n\
Version: 3\n";

    #[test]
    fn inline_status_with_lists() {
        let (pkgs, d) = run(&[
            (
                "var/lib/dpkg/info/libc6:amd64.list",
                b"/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n",
            ),
            (
                "var/lib/dpkg/info/libc6:amd64.md5sums",
                b"0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n\
                  0123456789abcdef0123456789abcdef  usr/share/doc/libc6/copyright\n",
            ),
            ("var/lib/dpkg/info/dash.list", b"/.\n/bin\n/bin/dash\n"),
            ("var/lib/dpkg/info/dash.postinst", b"#!/bin/sh\n"),
            (STATUS, SAMPLE),
        ]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["libc6", "dash", "held"]);
        let libc = &pkgs[0];
        assert_eq!(libc.version, "2.36-9+deb12u4");
        assert_eq!(libc.arch.as_deref(), Some("amd64"));
        assert_eq!(libc.source_name.as_deref(), Some("glibc"));
        assert_eq!(libc.source_version, None);
        assert_eq!(
            libc.files,
            [
                "lib",
                "lib/x86_64-linux-gnu/libc.so.6",
                "usr/share/doc/libc6/copyright"
            ]
        );
        assert_eq!(pkgs[1].files, ["bin", "bin/dash"]);
        assert_eq!(pkgs[1].version, "0.5.12-2");
        // Same source version as the binary's: not repeated.
        assert_eq!(pkgs[2].source_name.as_deref(), Some("held-src"));
        assert_eq!(pkgs[2].source_version, None);
        assert!(pkgs[2].files.is_empty());
    }

    #[test]
    fn wants_only_dpkg_files() {
        let c = DpkgCataloger::new();
        for p in [
            STATUS,
            "var/lib/dpkg/status.d/libc6",
            "var/lib/dpkg/status.d/libssl1.1",
            "var/lib/dpkg/status.d/libc6.md5sums",
            "var/lib/dpkg/info/bash.list",
            "var/lib/dpkg/info/libc6:amd64.md5sums",
        ] {
            assert!(c.wants(&info(p)), "{p}");
        }
        for p in [
            "var/lib/dpkg/status-old",
            "var/lib/dpkg/available",
            "var/lib/dpkg/info/bash.postinst",
            "var/lib/dpkg/info/sub/bash.list",
            "var/lib/dpkg/status.d/",
            "var/lib/dpkg/status.d/.keep",
            "var/lib/dpkg/status.d/x/y",
            "var/lib/dpkg/status.d/libc6.conffiles",
            "usr/var/lib/dpkg/status",
        ] {
            assert!(!c.wants(&info(p)), "{p}");
        }
    }

    #[test]
    fn status_d_multi_stanza_and_status_field() {
        let content = b"Package: base-files\nVersion: 11.1\nArchitecture: amd64\n\n\
Package: netbase\nVersion: 6.3\nArchitecture: all\nStatus: install ok installed\n\n\
Package: removed\nVersion: 1\nStatus: purge ok not-installed\n";
        let (pkgs, d) = run(&[
            ("var/lib/dpkg/status.d/base", content),
            ("var/lib/dpkg/status.d/base.md5sums", b"00  etc/issue\n"),
        ]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 2);
        // Several packages in the file and none named like it: the sums are not guessed.
        assert!(pkgs.iter().all(|p| p.files.is_empty()));
        assert_eq!(pkgs[0].paths, ["var/lib/dpkg/status.d/base"]);
    }

    #[test]
    fn bad_stanzas_are_skipped_with_warnings() {
        let mut content = Vec::new();
        content.extend_from_slice(b"Package: good\nStatus: install ok installed\nVersion: 1\n\n");
        content.extend_from_slice(b"Package: nostatus\nVersion: 1\n\n");
        content.extend_from_slice(b"Package: badstatus\nStatus: install ok\nVersion: 1\n\n");
        content.extend_from_slice(
            b"Package: dup\nPackage: dup2\nStatus: install ok installed\nVersion: 1\n\n",
        );
        content
            .extend_from_slice(b"Package: bad name!\nStatus: install ok installed\nVersion: 1\n\n");
        content.extend_from_slice(b"Package: nover\nStatus: install ok installed\n\n");
        content.extend_from_slice(b" orphan continuation\nPackage: x\n\n");
        content
            .extend_from_slice(b"Package: \xff\xfe\nStatus: install ok installed\nVersion: 1\n\n");
        content.extend_from_slice(
            b"Package: latin1\nStatus: install ok installed\nVersion: 1\nMaintainer: Jos\xe9\n\n",
        );
        content.extend_from_slice(b"Package: good\nStatus: install ok installed\nVersion: 2\n\n");
        content.extend_from_slice(b"Package: trunc\nStatus: install ok installed\nVers");
        let (pkgs, d) = run(&[(STATUS, &content)]);
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["good", "latin1"]);
        assert_eq!(d.warnings.len(), 9, "{:#?}", d.warnings);
        assert!(
            d.warnings
                .iter()
                .all(|w| w.starts_with("var/lib/dpkg/status: line "))
        );
        assert!(
            d.warnings[0].contains("no Status field"),
            "{}",
            d.warnings[0]
        );
        assert!(
            d.warnings[2].contains("duplicate field"),
            "{}",
            d.warnings[2]
        );
        assert!(
            d.warnings[7].contains("duplicate package good"),
            "{}",
            d.warnings[7]
        );
        assert!(d.warnings[8].contains("colon"), "{}", d.warnings[8]);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        // A huge stanza and a huge field.
        let mut huge =
            b"Package: big\nStatus: install ok installed\nVersion: 1\nDescription: x\n".to_vec();
        huge.extend(std::iter::repeat_n(b" aaaaaaaaaaaaaaa\n".as_slice(), 300_000).flatten());
        huge.extend_from_slice(b"\nPackage: ok\nStatus: install ok installed\nVersion: 1\n");
        let (pkgs, d) = run(&[(STATUS, &huge)]);
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].name, "ok");
        assert!(d.warnings[0].contains("too large"), "{:?}", d.warnings);

        let long_version = format!(
            "Package: v\nStatus: install ok installed\nVersion: {}\n",
            "1".repeat(5000)
        );
        let (pkgs, d) = run(&[(STATUS, long_version.as_bytes())]);
        assert!(pkgs.is_empty());
        assert!(d.warnings[0].contains("too long"), "{:?}", d.warnings);

        // Garbage, empty, truncated at every byte, CRLF, NULs.
        let sample_len = SAMPLE.len();
        for cut in 0..sample_len {
            let _ = run(&[(STATUS, &SAMPLE[..cut])]);
        }
        // An empty database is valid (nothing installed).
        let (pkgs, d) = run(&[(STATUS, b"\n \n")]);
        assert!(pkgs.is_empty() && d.warnings.is_empty());
        // A field over the limit in a stanza under it.
        let mut big_field =
            b"Package: f\nStatus: install ok installed\nVersion: 1\nConffiles:\n".to_vec();
        big_field.extend(
            std::iter::repeat_n(b" /etc/x 0123456789abcdef\n".as_slice(), 50_000).flatten(),
        );
        let (pkgs, d) = run(&[(STATUS, &big_field)]);
        assert!(pkgs.is_empty());
        assert!(
            d.warnings[0].contains("field \"Conffiles\" of"),
            "{:?}",
            d.warnings
        );
        // A whitespace-only line inside a stanza is a continuation (dpkg), not a separator.
        let ws =
            b"Package: w\nDescription: d\n \n more\nStatus: install ok installed\nVersion: 1\n";
        let (pkgs, d) = run(&[(STATUS, ws)]);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs[0].version, "1");
        let crlf = b"Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n";
        let (pkgs, _) = run(&[(STATUS, crlf)]);
        assert_eq!(pkgs[0].version, "1");
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let _ = run(&[
            (STATUS, &noise),
            ("var/lib/dpkg/status.d/x", &noise),
            ("var/lib/dpkg/status.d/x.md5sums", &noise),
            ("var/lib/dpkg/info/x.list", &noise),
            ("var/lib/dpkg/info/x.md5sums", &noise),
        ]);
        let (_, d) = run(&[("var/lib/dpkg/info/x.md5sums", b"nospace\n\xff\xff  bad\n")]);
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    }
}
