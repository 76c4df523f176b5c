//! Rust crates: the dependency list cargo-auditable embeds in executables (the
//! zlib-compressed JSON of `auditable-serde` in a `.dep-v0` section), and `Cargo.lock`.

use std::io::Read;

use object::{Object, ObjectSection};
use serde::Deserialize;

use crate::{Cataloger, Diagnostics, FileInfo, Package, PackageKind};

/// Executables bigger than this are not read.
const MAX_BINARY: u64 = 512 << 20;
/// Decompressed `.dep-v0` limit (zip-bomb guard; `rust-audit-info`'s default).
const MAX_AUDIT_JSON: u64 = 8 << 20;
/// Lock files bigger than this are not parsed: real ones are well under 1 MiB, and
/// the parsed TOML tree takes several times the text.
const MAX_LOCK: usize = 4 << 20;
const SECTION: &str = ".dep-v0";

/// Crates of cargo-auditable binaries and `Cargo.lock` files.
#[derive(Debug, Default)]
pub struct RustCataloger {
    packages: Vec<Package>,
}

impl RustCataloger {
    /// A cataloger for one layer.
    pub fn new() -> Self {
        Self::default()
    }
}

fn is_lock(path: &str) -> bool {
    path == "Cargo.lock" || path.ends_with("/Cargo.lock")
}

impl Cataloger for RustCataloger {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn version(&self) -> u32 {
        1
    }

    fn wants(&self, file: &FileInfo<'_>) -> bool {
        is_lock(file.path) || (file.mode & 0o111 != 0 && file.size <= MAX_BINARY)
    }

    fn max_size(&self) -> u64 {
        MAX_BINARY
    }

    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics) {
        if is_lock(file.path) {
            match parse_lock(file.path, content, diagnostics) {
                Ok(packages) => self.packages.extend(packages),
                Err(reason) => diagnostics.warn(file.path, format!("Cargo.lock: {reason}")),
            }
        } else if super::golang::is_executable_format(content) {
            match parse_binary(file.path, content, diagnostics) {
                Ok(packages) => self.packages.extend(packages),
                Err(reason) => {
                    diagnostics.warn(file.path, format!("cargo-auditable data: {reason}"))
                }
            }
        }
    }

    fn finish(&mut self, _diagnostics: &mut Diagnostics) -> Vec<Package> {
        std::mem::take(&mut self.packages)
    }
}

/// One entry of `auditable-serde`'s `VersionInfo.packages`. `source` is `crates.io`,
/// `git`, `local`, `registry` or another source kind; `kind` is `runtime` (the
/// default) or `build`; `dependencies` (indexes) are not needed here.
#[derive(Debug, Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    root: bool,
}

/// Typed rather than `serde_json::Value` entries: memory stays near the JSON size.
/// One malformed entry rejects the whole list, as `auditable-serde` does.
#[derive(Debug, Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

/// The packages of a cargo-auditable binary; none (and no warning) without `.dep-v0`.
fn parse_binary(
    path: &str,
    content: &[u8],
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Package>, String> {
    let file = match object::File::parse(content) {
        Ok(file) => file,
        // Only worth a warning when the file names the section.
        Err(_) if memchr::memmem::find(content, SECTION.as_bytes()).is_none() => {
            return Ok(Vec::new());
        }
        Err(e) => return Err(format!("unreadable executable headers: {e}")),
    };
    // ELF and PE `.dep-v0`, Mach-O `__DATA,.dep-v0`.
    let Some(section) = file.section_by_name(SECTION) else {
        return Ok(Vec::new());
    };
    let compressed = section
        .data()
        .map_err(|e| format!("section unreadable: {e}"))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_AUDIT_JSON + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("zlib: {e}"))?;
    if json.len() as u64 > MAX_AUDIT_JSON {
        return Err(format!("decompresses to more than {MAX_AUDIT_JSON} bytes"));
    }
    let info: VersionInfo = serde_json::from_slice(&json).map_err(|e| format!("JSON: {e}"))?;
    let mut out = Vec::new();
    for (i, p) in info.packages.into_iter().enumerate() {
        if p.name.is_empty() || p.version.is_empty() {
            diagnostics.warn(
                path,
                format!("cargo-auditable data: package {i}: empty name or version"),
            );
            continue;
        }
        let mut package = Package::new(PackageKind::Cargo, p.name, p.version, path);
        package.metadata.insert("source".into(), p.source);
        package
            .metadata
            .insert("kind".into(), p.kind.unwrap_or_else(|| "runtime".into()));
        if p.root {
            package.metadata.insert("root".into(), "true".into());
        }
        out.push(package);
    }
    Ok(out)
}

/// The source kind as cargo-auditable records it, from a lock file's source id:
/// crates.io, `registry` (other registries), `git`, `local` (path packages).
fn source_kind(source: Option<&str>) -> String {
    const CRATES_IO: [&str; 2] = [
        "registry+https://github.com/rust-lang/crates.io-index",
        "sparse+https://index.crates.io/",
    ];
    match source {
        None => "local".into(),
        Some(s) if CRATES_IO.contains(&s) => "crates.io".into(),
        Some(s) => match s.split_once('+').map_or(s, |(kind, _)| kind) {
            "registry" | "sparse" => "registry".into(),
            kind => kind.into(),
        },
    }
}

/// `Cargo.lock`, any version (1–4): `[[package]]` tables with name, version and an
/// optional source; very old files also have a `[root]` table.
fn parse_lock(
    path: &str,
    content: &[u8],
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Package>, String> {
    if content.len() > MAX_LOCK {
        return Err(format!("larger than {MAX_LOCK} bytes"));
    }
    let text = std::str::from_utf8(content).map_err(|e| format!("not UTF-8: {e}"))?;
    let lock: toml::Table = toml::from_str(text).map_err(|e| format!("TOML: {}", e.message()))?;
    let roots = lock.get("root").and_then(toml::Value::as_table).into_iter();
    let packages = match lock.get("package") {
        None => &Vec::new(),
        Some(toml::Value::Array(packages)) => packages,
        Some(_) => return Err("`package` is not an array of tables".into()),
    };
    let tables = roots
        .map(Some)
        .chain(packages.iter().map(toml::Value::as_table));
    let mut out = Vec::new();
    for (i, table) in tables.enumerate() {
        let field = |key: &str| table.and_then(|t| t.get(key)).and_then(toml::Value::as_str);
        let (Some(name), Some(version)) = (field("name"), field("version")) else {
            diagnostics.warn(path, format!("Cargo.lock: package {i}: no name or version"));
            continue;
        };
        let mut package = Package::new(PackageKind::Cargo, name, version, path);
        let source = field("source");
        package
            .metadata
            .insert("source".into(), source_kind(source));
        if let Some(source) = source {
            package.metadata.insert("source_id".into(), source.into());
        }
        out.push(package);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::super::golang::tests::{elf64, macho64, pe64, test_data};
    use super::*;
    use crate::testdata::shared_data;

    fn run(path: &str, content: &[u8]) -> (Vec<Package>, Diagnostics) {
        let mut cataloger = RustCataloger::new();
        let mut diagnostics = Diagnostics::default();
        let file = FileInfo {
            path,
            size: content.len() as u64,
            mode: if is_lock(path) { 0o644 } else { 0o755 },
        };
        assert!(cataloger.wants(&file));
        cataloger.visit(&file, content, &mut diagnostics);
        (cataloger.finish(&mut diagnostics), diagnostics)
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn lines(packages: &[Package], keys: &[&str]) -> Vec<String> {
        packages
            .iter()
            .map(|p| {
                let meta: Vec<String> = keys
                    .iter()
                    .filter_map(|k| p.metadata.get(*k).map(|v| format!("{k}={v}")))
                    .collect();
                format!("{} {} {}", p.name, p.version, meta.join(" "))
            })
            .collect()
    }

    /// The crates of the `Cargo.lock` the binary was built from (shared/tools/fixtures/rust-app),
    /// less the Windows-only ones, as the binary records them.
    const VULNAPP: &[&str] = &[
        "aho-corasick 0.7.20 source=crates.io kind=runtime",
        "autocfg 1.5.1 source=crates.io kind=build",
        "base64 0.5.1 source=crates.io kind=runtime",
        "byteorder 1.5.0 source=crates.io kind=runtime",
        "chrono 0.4.19 source=crates.io kind=runtime",
        "libc 0.2.191 source=crates.io kind=runtime",
        "maybe-uninit 2.0.0 source=crates.io kind=runtime",
        "memchr 2.8.3 source=crates.io kind=runtime",
        "num-integer 0.1.47 source=crates.io kind=runtime",
        "num-traits 0.2.19 source=crates.io kind=runtime",
        "regex 1.5.4 source=crates.io kind=runtime",
        "regex-syntax 0.6.29 source=crates.io kind=runtime",
        "smallvec 0.6.13 source=crates.io kind=runtime",
        "time 0.1.43 source=crates.io kind=runtime",
        "vulnapp 0.1.0 source=local kind=runtime root=true",
    ];

    #[test]
    fn real_auditable_binary() {
        // usr/local/bin/vulnapp of the rust-binary test image, built with cargo-auditable.
        let content = test_data("rust/vulnapp.gz");
        let (packages, diagnostics) = run("usr/local/bin/vulnapp", &content);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(lines(&packages, &["source", "kind", "root"]), VULNAPP);
        assert!(packages.iter().all(|p| p.kind == Some(PackageKind::Cargo) && p.paths == ["usr/local/bin/vulnapp"]));
    }

    #[test]
    fn pe_and_macho_sections() {
        let json = br#"{"packages":[{"name":"app","version":"1.0.0","source":"local","root":true},{"name":"serde","version":"1.0.200","source":"crates.io"}],"format":1}"#;
        let data = zlib(json);
        let expected = [
            "app 1.0.0 source=local kind=runtime root=true",
            "serde 1.0.200 source=crates.io kind=runtime",
        ];
        let pe = pe64(&[
            (".text", 0x1000, 0x6000_0020, b"\xc3"),
            (".dep-v0", 0x2000, 0x4000_0040, &data),
        ]);
        let (packages, diagnostics) = run("app.exe", &pe);
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(lines(&packages, &["source", "kind", "root"]), expected);
        let macho = macho64(0x1_0000_0000, &[(".dep-v0", &data)]);
        let (packages, _) = run("app", &macho);
        assert_eq!(lines(&packages, &["source", "kind", "root"]), expected);
    }

    #[test]
    fn binaries_without_audit_data() {
        let go = test_data("go/docker-credential-secretservice.gz");
        let (packages, diagnostics) = run("usr/bin/x", &go);
        assert!(packages.is_empty() && diagnostics.warnings.is_empty());
        let (packages, diagnostics) = run("usr/bin/script", b"#!/bin/sh\n.dep-v0\n");
        assert!(packages.is_empty() && diagnostics.warnings.is_empty());
    }

    #[test]
    fn hostile_binaries() {
        let warned = |content: &[u8], needle: &str| {
            let (packages, diagnostics) = run("x", content);
            assert!(packages.is_empty(), "{packages:?}");
            assert_eq!(diagnostics.warnings.len(), 1, "{diagnostics:?}");
            assert!(
                diagnostics.warnings[0].contains(needle),
                "{diagnostics:?} lacks {needle}"
            );
        };
        // A zlib bomb: 16 MiB of zeros in ~16 KiB.
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..16 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 20_000);
        warned(&elf64(&[(".dep-v0", 0, &bomb)]), "more than 8388608 bytes");
        // Not zlib, truncated zlib, not JSON, wrong JSON shape.
        warned(&elf64(&[(".dep-v0", 0, b"garbage")]), "zlib");
        let real = zlib(br#"{"packages":[{"name":"a","version":"1","source":"crates.io"}]}"#);
        warned(&elf64(&[(".dep-v0", 0, &real[..real.len() - 6])]), "zlib");
        warned(&elf64(&[(".dep-v0", 0, &zlib(b"\xff\xfe{"))]), "JSON");
        warned(
            &elf64(&[(".dep-v0", 0, &zlib(b"{\"packages\":{}}"))]),
            "JSON",
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        warned(&elf64(&[(".dep-v0", 0, &zlib(deep.as_bytes()))]), "JSON");
        // A malformed entry rejects the list; empty names are skipped.
        let json = br#"{"packages":[{"name":"a"},{"name":"ok","version":"1.0.0","source":"git"}]}"#;
        warned(
            &elf64(&[(".dep-v0", 0, &zlib(json))]),
            "missing field `version`",
        );
        let json = br#"{"packages":[{"name":"","version":"1","source":"x"},{"name":"ok","version":"1.0.0","source":"git","kind":"build"}]}"#;
        let (packages, diagnostics) = run("x", &elf64(&[(".dep-v0", 0, &zlib(json))]));
        assert_eq!(
            lines(&packages, &["source", "kind"]),
            ["ok 1.0.0 source=git kind=build"]
        );
        assert_eq!(diagnostics.warnings.len(), 1, "{diagnostics:?}");
        // Truncated real binary and garbage behind executable magic: no panic.
        let vulnapp = test_data("rust/vulnapp.gz");
        for cut in [4, 64, 1000, 1_000_000, vulnapp.len() - 1] {
            let _ = run("x", &vulnapp[..cut]);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in [0usize, 20, 64, 4096] {
            for prefix in [&b"\x7fELF\x02\x01\x01"[..], b"MZ", b"\xcf\xfa\xed\xfe"] {
                let mut bytes = prefix.to_vec();
                while bytes.len() < len {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    bytes.push(state as u8);
                }
                assert!(run("x", &bytes).0.is_empty());
            }
        }
    }

    fn lock_file(relative: &str) -> (Vec<Package>, Diagnostics) {
        let content = std::fs::read(shared_data(relative)).unwrap();
        run("app/Cargo.lock", &content)
    }

    #[test]
    fn lock_v4_osv_scanner() {
        let (packages, diagnostics) = lock_file("pkgdb/lang/cargo/osv-scanner/Cargo.lock");
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        let expected = "displaydoc 0.2.5|form_urlencoded 1.2.2|icu_collections 2.1.1|icu_locale_core 2.1.1|\
            icu_normalizer 2.1.1|icu_normalizer_data 2.1.1|icu_properties 2.1.1|icu_properties_data 2.1.1|\
            icu_provider 2.1.1|idna 1.1.0|idna_adapter 1.2.1|litemap 0.8.1|percent-encoding 2.3.2|\
            potential_utf 0.1.4|proc-macro2 1.0.103|quote 1.0.42|rust_novuln_deprecated 0.1.0|smallvec 1.15.1|\
            stable_deref_trait 1.2.1|syn 2.0.111|synstructure 0.13.2|tinystr 0.8.2|unicode-ident 1.0.22|\
            url 2.5.3|utf8_iter 1.0.4|writeable 0.6.2|yoke 0.8.1|yoke-derive 0.8.1|zerofrom 0.1.6|\
            zerofrom-derive 0.1.6|zerotrie 0.2.3|zerovec 0.11.5|zerovec-derive 0.11.2";
        let got: Vec<String> = packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        assert_eq!(got.join("|"), expected);
        for p in &packages {
            let want = if p.name == "rust_novuln_deprecated" {
                "local"
            } else {
                "crates.io"
            };
            assert_eq!(p.metadata["source"], want, "{}", p.name);
            assert_eq!(p.paths, ["app/Cargo.lock"]);
        }
    }

    #[test]
    fn lock_without_version_line_syft() {
        let (packages, diagnostics) = lock_file("pkgdb/lang/cargo/syft/Cargo.lock");
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        let got: Vec<String> = packages
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        let expected = "ansi_term 0.12.1|errno 0.3.9|matches 0.1.8|memchr 2.3.3|natord 1.0.9|nom 4.2.3|\
            schannel 0.1.26|unicode-bidi 0.3.4|version_check 0.1.5|winapi 0.3.9|winapi-i686-pc-windows-gnu 0.4.0|\
            winapi-x86_64-pc-windows-gnu 0.4.0|windows-sys 0.52.0|windows-sys 0.59.0";
        assert_eq!(got.join("|"), expected);
    }

    #[test]
    fn lock_image_audit_syft() {
        let (packages, diagnostics) = lock_file("pkgdb/lang/cargo/syft/image-audit.Cargo.lock");
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        let got: Vec<String> = lines(&packages, &["source"]);
        let expected = [
            "argh 0.1.12 source=crates.io",
            "argh_derive 0.1.12 source=crates.io",
            "argh_shared 0.1.12 source=crates.io",
            "hello_world 0.1.0 source=local",
            "proc-macro2 1.0.92 source=crates.io",
            "quote 1.0.37 source=crates.io",
            "serde 1.0.215 source=crates.io",
            "serde_derive 1.0.215 source=crates.io",
            "syn 2.0.90 source=crates.io",
            "unicode-ident 1.0.14 source=crates.io",
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn lock_formats_and_sources() {
        let v1 = r#"
[root]
name = "app"
version = "0.1.0"
dependencies = ["a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "a"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "b"
version = "2.0.0"
source = "git+https://github.com/x/b?branch=main#0123abcd"

[[package]]
name = "c"
version = "0.3.0"
source = "sparse+https://my.registry/index/"

[[package]]
name = "d"
version = "0.4.0"
source = "sparse+https://index.crates.io/"

[metadata]
"checksum a 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)" = "00"
"#;
        let (packages, diagnostics) = run("Cargo.lock", v1.as_bytes());
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
        assert_eq!(
            lines(&packages, &["source", "source_id"]),
            [
                "app 0.1.0 source=local",
                "a 1.0.0 source=crates.io source_id=registry+https://github.com/rust-lang/crates.io-index",
                "b 2.0.0 source=git source_id=git+https://github.com/x/b?branch=main#0123abcd",
                "c 0.3.0 source=registry source_id=sparse+https://my.registry/index/",
                "d 0.4.0 source=crates.io source_id=sparse+https://index.crates.io/",
            ]
        );
    }

    #[test]
    fn hostile_locks() {
        let warned = |content: &[u8], needle: &str| {
            let (packages, diagnostics) = run("x/Cargo.lock", content);
            assert!(packages.is_empty(), "{packages:?}");
            assert_eq!(diagnostics.warnings.len(), 1, "{diagnostics:?}");
            assert!(
                diagnostics.warnings[0].contains(needle),
                "{diagnostics:?} lacks {needle}"
            );
        };
        warned(b"[[package]]\nname = \"a\xff\"\n", "not UTF-8");
        warned(b"[[package]\nname = ", "TOML");
        warned(b"package = 3\n", "not an array");
        let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        warned(deep.as_bytes(), "TOML");
        let deep = format!("a = {}1{}\n", "{b=".repeat(50_000), "}".repeat(50_000));
        warned(deep.as_bytes(), "TOML");
        warned(&vec![b'#'; MAX_LOCK + 1], "larger than");
        // Bad packages are skipped.
        let lock = "[[package]]\nname = \"a\"\n\n[[package]]\nversion = 1\nname = \"b\"\n\n\
            [[package]]\nname = \"ok\"\nversion = \"1.0.0\"\n";
        let (packages, diagnostics) = run("Cargo.lock", lock.as_bytes());
        assert_eq!(lines(&packages, &[]), ["ok 1.0.0 "]);
        assert_eq!(diagnostics.warnings.len(), 2, "{diagnostics:?}");
        assert_eq!(run("Cargo.lock", b"").0, vec![]);
    }

    #[test]
    fn wants() {
        let c = RustCataloger::new();
        assert!(c.wants(&FileInfo {
            path: "src/app/Cargo.lock",
            size: 10,
            mode: 0o644
        }));
        assert!(c.wants(&FileInfo {
            path: "Cargo.lock",
            size: 10,
            mode: 0o644
        }));
        assert!(!c.wants(&FileInfo {
            path: "src/app/NotCargo.lock",
            size: 10,
            mode: 0o644
        }));
        assert!(c.wants(&FileInfo {
            path: "usr/bin/rg",
            size: 10,
            mode: 0o755
        }));
        assert!(!c.wants(&FileInfo {
            path: "usr/bin/rg",
            size: MAX_BINARY + 1,
            mode: 0o755
        }));
    }
}
