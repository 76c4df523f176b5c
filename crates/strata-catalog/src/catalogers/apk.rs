//! apk: the installed database `lib/apk/db/installed` (apk-tools `src/database.c`,
//! `apk_db_index_read`; field letters per apk-tools' `apk_pkg_add_info` and the
//! "Installed database V2" format): one `X:value` line per field, packages separated
//! by empty lines. `P` name, `V` version, `A` arch, `o` origin, `L` license, `c` commit,
//! `F` a directory (relative to `/`), `R` a file in the last `F`, others ignored.

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// apk-tools 2 path, and the `/usr`-merged location apk-tools 3 also accepts.
const INSTALLED: &[&str] = &["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// Longest line accepted (paths are below PATH_MAX, descriptions short).
const MAX_LINE: usize = 64 << 10;
/// Longest name/version/arch/origin accepted.
const MAX_KEY: usize = 1024;
/// Most packages taken from one database.
const MAX_PACKAGES: usize = 100_000;

/// Catalogs apk-installed packages of one layer.
#[derive(Debug, Default)]
pub struct ApkCataloger {
    found: Vec<Package>,
}

impl ApkCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Cataloger for ApkCataloger {
    fn name(&self) -> &'static str {
        "apk"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        INSTALLED.contains(&file.path)
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        self.found
            .extend(parse_installed(content, file.path, diagnostics));
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.found)
    }
}

/// One record being read.
#[derive(Default)]
struct Record {
    /// 1-based number of its first line.
    line: usize,
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
    license: Option<String>,
    commit: Option<String>,
    /// The last `F` directory; `None` after a non-UTF-8 one (its files are skipped).
    dir: Option<String>,
    files: Vec<String>,
    /// File names skipped for not being UTF-8 (image paths are text).
    bad_paths: usize,
    /// Whether an `F` line was seen.
    in_dir: bool,
    error: Option<String>,
}

impl Record {
    fn fail(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// Applies one `field:value` line (apk-tools keeps the last value of a repeated field).
    fn add(&mut self, field: u8, value: &[u8]) {
        if value.len() > MAX_LINE {
            return self.fail(format!(
                "{} line of {} bytes is too long",
                char::from(field),
                value.len()
            ));
        }
        let slot = match field {
            b'P' => &mut self.name,
            b'V' => &mut self.version,
            b'A' => &mut self.arch,
            b'o' => &mut self.origin,
            b'c' => &mut self.commit,
            b'L' => {
                // Free text: keep it even if not UTF-8.
                self.license = Some(String::from_utf8_lossy(value).into_owned());
                return;
            }
            b'F' => {
                self.dir = path_text(value).map(|d| d.trim_matches('/').to_string());
                self.in_dir = true;
                return;
            }
            b'R' => {
                // A file before any `F` line lies in the root directory.
                let path = match (self.in_dir, self.dir.as_deref(), path_text(value)) {
                    (_, Some(d), Some(f)) if !d.is_empty() => format!("{d}/{f}"),
                    (false, None, Some(f)) | (true, Some(_), Some(f)) => f.to_string(),
                    _ => {
                        self.bad_paths = self.bad_paths.saturating_add(1);
                        return;
                    }
                };
                self.files.push(path);
                return;
            }
            _ => return,
        };
        match std::str::from_utf8(value) {
            Ok(v) if v.len() <= MAX_KEY && !v.is_empty() && !v.contains(char::is_whitespace) => {
                *slot = Some(v.to_string());
            }
            _ => self.fail(format!("bad {} value", char::from(field))),
        }
    }

    /// The package of a complete record, or why it is skipped.
    fn finish(self, path: &str) -> Result<(Package, usize), String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let name = self.name.ok_or("no P (name) field")?;
        let version = self.version.ok_or("no V (version) field")?;
        let mut pkg = Package::new(PackageKind::Apk, name, version, path);
        pkg.arch = self.arch;
        pkg.source_name = self.origin;
        pkg.files = self.files;
        if let Some(l) = self.license {
            pkg.metadata.insert("license".into(), l);
        }
        if let Some(c) = self.commit {
            pkg.metadata.insert("commit".into(), c);
        }
        Ok((pkg, self.bad_paths))
    }
}

/// A path component as text, without a leading `/`; `None` if not UTF-8.
fn path_text(value: &[u8]) -> Option<&str> {
    std::str::from_utf8(value)
        .ok()
        .map(|s| s.trim_start_matches('/'))
}

/// Parses an installed database; corrupt records are skipped with a warning.
fn parse_installed(content: &[u8], path: &str, diagnostics: &mut Diagnostics) -> Vec<Package> {
    let mut out = Vec::new();
    let mut record: Option<Record> = None;
    let done = |record: Record, out: &mut Vec<Package>, diagnostics: &mut Diagnostics| {
        let line = record.line;
        match record.finish(path) {
            Ok((pkg, bad)) if out.len() < MAX_PACKAGES => {
                if bad > 0 {
                    diagnostics.warn(
                        path,
                        format!(
                            "line {line}: {bad} non-UTF-8 path(s) of {} skipped",
                            pkg.name
                        ),
                    );
                }
                out.push(pkg);
            }
            Ok(_) => diagnostics.warn(
                path,
                format!("line {line}: more than {MAX_PACKAGES} packages"),
            ),
            Err(e) => diagnostics.warn(path, format!("line {line}: record skipped: {e}")),
        }
    };
    for (i, line) in content.split(|&c| c == b'\n').enumerate() {
        // apk-tools: a line shorter than 2 bytes ends the record.
        if line.len() < 2 {
            if let Some(r) = record.take() {
                done(r, &mut out, diagnostics);
            }
            continue;
        }
        let r = record.get_or_insert_with(|| Record {
            line: i.saturating_add(1),
            ..Record::default()
        });
        match line {
            [field, b':', value @ ..] => r.add(*field, value),
            // apk-tools rejects the whole database here ("FDB format error").
            _ => r.fail(format!(
                "line {}: not a `X:value` line",
                i.saturating_add(1)
            )),
        }
    }
    if let Some(r) = record.take() {
        done(r, &mut out, diagnostics);
    }
    if out.is_empty() && !content.is_empty() {
        diagnostics.warn(path, "no package record");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::shared_data;

    const DB: &str = "lib/apk/db/installed";

    fn run(content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut c = ApkCataloger::new();
        let mut d = Diagnostics::default();
        let fi = FileInfo {
            path: DB,
            size: content.len() as u64,
            mode: 0o644,
        };
        assert!(c.wants(&fi));
        c.visit(&fi, content, &mut d);
        (c.finish(&mut d), d)
    }

    /// Compares a corpus database with its `*.packages.tsv` listing
    /// (name, version, arch, origin, license, commit), every row.
    fn check_corpus(rel: &str) -> Vec<Package> {
        let content = std::fs::read(shared_data(rel)).unwrap();
        let (pkgs, d) = run(&content);
        // Trivy's fixture holds one deliberately broken record.
        if rel.contains("trivy-alpine-3.4") {
            assert_eq!(
                d.warnings,
                [format!(
                    "{DB}: line 23: record skipped: no V (version) field"
                )]
            );
        } else {
            assert!(d.warnings.is_empty(), "{rel}: {:?}", d.warnings);
        }
        let tsv = std::fs::read_to_string(shared_data(&format!("{rel}.packages.tsv"))).unwrap();
        let rows: Vec<Vec<&str>> = tsv
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .map(|l| l.split('\t').collect())
            // The listing keeps the record without a version; apk-tools cannot install such.
            .filter(|r: &Vec<&str>| !r[1].is_empty())
            .collect();
        assert_eq!(pkgs.len(), rows.len(), "{rel}");
        for (p, r) in pkgs.iter().zip(&rows) {
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
            assert_eq!(p.kind, Some(PackageKind::Apk));
            assert_eq!(p.name, r[0], "{rel}");
            assert_eq!(p.version, r[1], "{rel} {}", p.name);
            assert_eq!(p.arch, opt(r[2]), "{rel} {}", p.name);
            assert_eq!(p.source_name, opt(r[3]), "{rel} {}", p.name);
            assert_eq!(
                p.metadata.get("license").cloned(),
                opt(r[4]),
                "{rel} {}",
                p.name
            );
            assert_eq!(
                p.metadata.get("commit").cloned(),
                opt(r[5]),
                "{rel} {}",
                p.name
            );
            assert_eq!(p.paths, [DB]);
            assert!(p.files.iter().all(|f| !f.starts_with('/') && !f.is_empty()));
        }
        pkgs
    }

    #[test]
    fn corpus() {
        let alpine318 = check_corpus("pkgdb/apk/osv-scalibr-alpine-3.18/installed");
        assert_eq!(alpine318.len(), 15);
        let base = &alpine318[0];
        assert_eq!(base.name, "alpine-baselayout");
        assert_eq!(
            base.metadata["commit"],
            "65502ca9379dd29d1ac4b0bf0dcf03a3dd1b324a"
        );
        assert!(
            base.files.iter().any(|f| f == "etc/motd"),
            "{:?}",
            base.files
        );
        assert!(base.files.iter().any(|f| f == "etc/crontabs/root"));
        assert!(base.files.iter().any(|f| f == "etc/modprobe.d/kms.conf"));
        let busybox = alpine318.iter().find(|p| p.name == "busybox").unwrap();
        assert_eq!(busybox.version, "1.36.0-r9");
        assert!(busybox.files.iter().any(|f| f == "bin/busybox"));

        assert_eq!(
            check_corpus("pkgdb/apk/syft-alpine-3.16/installed").len(),
            14
        );
        assert_eq!(
            check_corpus("pkgdb/apk/trivy-alpine-3.4/installed").len(),
            15
        );
        assert_eq!(check_corpus("pkgdb/apk/syft-multiple-1/installed").len(), 4);
        for f in ["base", "empty-deps-and-provides", "single"] {
            assert_eq!(
                check_corpus(&format!("pkgdb/apk/syft-single-entries/{f}")).len(),
                1
            );
        }
        let jre = check_corpus("pkgdb/apk/syft-single-entries/extra-file-attributes");
        assert_eq!(
            jre[0].files,
            ["usr/lib/jvm/java-1.8-openjdk/bin/policytool"]
        );
    }

    #[test]
    fn inline_records() {
        let db = b"C:Q1abc=\nP:musl\nV:1.2.4-r0\nA:x86_64\nL:MIT\no:musl\nc:abc123\n\
F:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1xyz=\nR:libc.musl-x86_64.so.1\n\n\n\
P:noorigin\nV:1\nR:rootfile\nF:/usr/bin/\nR:tool\n";
        let (pkgs, d) = run(db);
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].name, "musl");
        assert_eq!(pkgs[0].source_name.as_deref(), Some("musl"));
        assert_eq!(
            pkgs[0].files,
            ["lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"]
        );
        assert_eq!(pkgs[1].source_name, None);
        assert_eq!(pkgs[1].arch, None);
        assert!(pkgs[1].metadata.is_empty());
        assert_eq!(pkgs[1].files, ["rootfile", "usr/bin/tool"]);
    }

    #[test]
    fn wants() {
        let c = ApkCataloger::new();
        for (p, want) in [
            ("lib/apk/db/installed", true),
            ("usr/lib/apk/db/installed", true),
            ("lib/apk/db/installed.old", false),
            ("lib/apk/db/triggers", false),
            ("x/lib/apk/db/installed", false),
        ] {
            assert_eq!(
                c.wants(&FileInfo {
                    path: p,
                    size: 1,
                    mode: 0
                }),
                want,
                "{p}"
            );
        }
    }

    #[test]
    fn hostile_inputs() {
        // Bad records are skipped, good ones kept.
        let db = b"P:ok\nV:1\n\nP:noversion\n\nV:2\n\nP:bad\nV:1\ngarbage line\n\n\
P:\xff\nV:1\n\nP:sp ace\nV:1\n\nP:ok2\nV:2\nL:\xe9\nF:\xff\nR:x\n\nP:ok3\nV:3";
        let (pkgs, d) = run(db);
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ok", "ok2", "ok3"]);
        assert_eq!(pkgs[1].metadata["license"], "\u{fffd}");
        assert!(pkgs[1].files.is_empty());
        assert_eq!(d.warnings.len(), 6, "{:#?}", d.warnings);
        assert!(
            d.warnings[0].contains("line 4: record skipped: no V"),
            "{}",
            d.warnings[0]
        );
        assert!(
            d.warnings[2].contains("not a `X:value` line"),
            "{}",
            d.warnings[2]
        );

        // Huge line, truncation at every byte, garbage, empty.
        let mut huge = b"P:big\nV:1\nT:".to_vec();
        huge.extend(std::iter::repeat_n(b'a', MAX_LINE + 1));
        huge.extend_from_slice(b"\n\nP:small\nV:1\n");
        let (pkgs, d) = run(&huge);
        assert_eq!(pkgs.len(), 1);
        assert!(d.warnings[0].contains("too long"), "{:?}", d.warnings);
        for cut in 0..db.len() {
            let _ = run(&db[..cut]);
        }
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let _ = run(&noise);
        let (pkgs, d) = run(b"");
        assert!(pkgs.is_empty() && d.warnings.is_empty());
        let (pkgs, d) = run(b"\n\n\x00\x01\x02\n");
        assert!(pkgs.is_empty());
        assert_eq!(d.warnings.len(), 2, "{:?}", d.warnings);
    }
}
