//! `strata image scan` and `strata klar` end to end: the real binary, the real
//! test images, and the vulnerability snapshot bundled in the binary
//! (`--offline`; every test has its own cache directory, so each one imports
//! the bundle again).
//!
//! Expected findings are computed here from the advisory files the bundle is
//! built from (`../shared/data/feeds`, `test-data/feeds`; see
//! `data/README.md`) and from what the images' history lines say each layer
//! installed — never from Strata's own output. Only the gate, filter,
//! suppression and format checks compare one scan's output with another
//! run's, since that is what they are about.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../strata-image/tests/support/registry.rs"]
mod registry;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

// ---------------------------------------------------------------------------
// Where things are

/// The test images built by `scripts/test-images`.
fn images() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    assert!(
        dir.join("oci/bookworm-python.ok").is_file(),
        "test images missing in {}: run scripts/test",
        dir.display()
    );
    dir
}

/// `oci-dir:` reference of a test image.
fn oci_dir(name: &str) -> String {
    format!("oci-dir:{}/oci/{name}", images().display())
}

/// `../shared` (the repository sits beside it).
fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared"))
        .find(|d| d.join("data/feeds").is_dir())
        .expect("../shared/data/feeds not found")
}

/// The repository root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// Running the binary

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The lines of stderr that are errors.
    fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect()
    }

    /// stdout as JSON, after checking the run succeeded.
    fn json(&self) -> Value {
        assert_eq!(self.code, Some(0), "{self}");
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self}"))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut stdout = self.stdout.clone();
        if stdout.len() > 4000 {
            stdout.truncate(stdout.floor_char_boundary(4000));
            stdout.push('…');
        }
        write!(
            f,
            "exit {:?}\nstderr:\n{}\nstdout:\n{stdout}",
            self.code, self.stderr
        )
    }
}

/// The binary (`program`: the path it is started by) with a clean
/// environment: no Strata, Klar or Docker settings from the caller, the cache
/// in `cache`, no config file, no stdin, and `cache` as the working
/// directory (no `./strata.yaml` or `./.strataignore` of the checkout).
fn command_as(program: &Path, cache: &Path) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("STRATA_")
            || key.starts_with("CLAIR_")
            || key.starts_with("DOCKER_")
            || matches!(
                key.as_ref(),
                "JSON_OUTPUT" | "FORMAT_OUTPUT" | "WHITELIST_FILE" | "IGNORE_UNFIXED"
            )
        {
            command.env_remove(key.as_ref());
        }
    }
    command
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("STRATA_CACHE_DIR", cache)
        .env("DOCKER_CONFIG", cache)
        .current_dir(cache)
        .stdin(Stdio::null());
    command
}

fn execute(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn strata(cache: &Path, args: &[&str]) -> Run {
    execute(command_as(Path::new(env!("CARGO_BIN_EXE_strata")), cache).args(args))
}

/// `strata image scan IMAGE -f json --offline EXTRA…`.
fn scan(cache: &Path, image: &str, extra: &[&str]) -> Run {
    let mut args = vec!["image", "scan", image, "-f", "json", "--offline"];
    args.extend_from_slice(extra);
    strata(cache, &args)
}

/// The JSON scan of bookworm-python from its layout, run once per test
/// process (with a cache of its own), for the checks that only read it.
fn python_scan() -> &'static (Run, Value) {
    static SCAN: OnceLock<(Run, Value)> = OnceLock::new();
    SCAN.get_or_init(|| {
        let cache = tempfile::tempdir().unwrap();
        let run = scan(cache.path(), &oci_dir("bookworm-python"), &[]);
        let report = run.json();
        (run, report)
    })
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// What identifies a finding across runs and sources of the same image.
fn finding_key(f: &Value) -> (String, String, String, String, String, String) {
    (
        f["id"].as_str().unwrap().to_owned(),
        f["package"]["ecosystem"].as_str().unwrap().to_owned(),
        f["package"]["name"].as_str().unwrap().to_owned(),
        f["package"]["version"].as_str().unwrap().to_owned(),
        f["package"]["paths"].to_string(),
        f["layer"]["diff_id"].to_string(),
    )
}

fn finding_keys(report: &Value) -> BTreeSet<(String, String, String, String, String, String)> {
    findings(report).iter().map(finding_key).collect()
}

fn paths(f: &Value) -> Vec<&str> {
    f["package"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------
// The images' own description of themselves

/// One layer of an image: its diff_id and the history line that made it.
struct Layer {
    diff_id: String,
    created_by: String,
}

/// The layers of a test image, read from its OCI layout (index → manifest →
/// config: `rootfs.diff_ids` with the non-empty `history` entries).
fn layout_layers(name: &str) -> Vec<Layer> {
    let dir = images().join("oci").join(name);
    let blob = |digest: &Value| {
        let digest = digest.as_str().unwrap();
        read_json(
            &dir.join("blobs/sha256")
                .join(digest.strip_prefix("sha256:").unwrap()),
        )
    };
    let index = read_json(&dir.join("index.json"));
    let manifest = blob(&index["manifests"][0]["digest"]);
    let config = blob(&manifest["config"]["digest"]);
    let history: Vec<&Value> = config["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["empty_layer"] != true)
        .collect();
    let diff_ids = config["rootfs"]["diff_ids"].as_array().unwrap();
    assert_eq!(history.len(), diff_ids.len(), "{name}: history and layers");
    diff_ids
        .iter()
        .zip(history)
        .map(|(d, h)| Layer {
            diff_id: d.as_str().unwrap().to_owned(),
            created_by: h["created_by"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}

/// The one layer whose history line contains `needle`.
fn layer_with<'a>(layers: &'a [Layer], needle: &str) -> &'a Layer {
    let found: Vec<&Layer> = layers
        .iter()
        .filter(|l| l.created_by.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "layers whose history says {needle:?}");
    found[0]
}

/// The `name==version` pins of the `; `-separated part of a history line
/// that starts with `part` (names PEP 503-normalised).
fn pins(created_by: &str, part: &str) -> BTreeMap<String, String> {
    let part = created_by
        .split("; ")
        .find(|p| p.starts_with(part))
        .unwrap_or_else(|| panic!("no {part:?} in {created_by:?}"));
    part.split_whitespace()
        .filter_map(|token| {
            let token = token.trim_matches(|c| matches!(c, '(' | ')' | '+' | ','));
            let (name, version) = token.split_once("==")?;
            Some((pep503(name), version.to_owned()))
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Advisory data, read independently of Strata

/// PEP 503: lower case, runs of `-`, `_`, `.` as one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .to_lowercase()
        .split(['-', '_', '.'])
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

/// PEP 440 equality for the plain release numbers used here (`2.2.0` ==
/// `2.2`: missing components are zero); anything else compares as text.
fn pep440_eq(a: &str, b: &str) -> bool {
    let release = |v: &str| -> Option<Vec<u64>> {
        let mut parts: Vec<u64> = v
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        while parts.last() == Some(&0) {
            parts.pop();
        }
        Some(parts)
    };
    match (release(a), release(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Every `*.json` of a directory, parsed.
fn json_files(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|p| read_json(p)).collect()
}

/// The PyPA advisories (`osv/PyPI/json/PYSEC-*.json`).
fn pypa() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        json_files(&shared().join("data/feeds/osv/PyPI/json"))
            .into_iter()
            .filter(|r| r["id"].as_str().unwrap().starts_with("PYSEC-"))
            .collect()
    })
}

/// The PyPA advisories, not withdrawn, that list `version` of `name` as
/// affected (PyPA records enumerate affected versions in `versions`).
fn pypa_affecting(name: &str, version: &str) -> Vec<&'static Value> {
    pypa()
        .iter()
        .filter(|r| r.get("withdrawn").is_none_or(Value::is_null))
        .filter(|r| {
            r["affected"].as_array().unwrap().iter().any(|a| {
                a["package"]["ecosystem"] == "PyPI"
                    && pep503(a["package"]["name"].as_str().unwrap()) == pep503(name)
                    && a["versions"].as_array().is_some_and(|vs| {
                        vs.iter().any(|v| pep440_eq(v.as_str().unwrap(), version))
                    })
            })
        })
        .collect()
}

/// The RustSec advisories (`osv/crates.io/*.json`).
fn rustsec() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(|| json_files(&shared().join("data/feeds/osv/crates.io")))
}

/// Whether OSV `events` of a SEMVER range cover `version`, by the OSV
/// schema's evaluation: events sorted by version, `introduced` at or below
/// the version opens the range, `fixed` at or below it (or `last_affected`
/// below it) closes it again; `introduced: "0"` is the lowest version.
fn semver_range_covers(events: &[Value], version: &semver::Version) -> bool {
    let parse = |v: &str| {
        if v == "0" {
            semver::Version::parse("0.0.0-0").unwrap()
        } else {
            semver::Version::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"))
        }
    };
    let mut sorted: Vec<(semver::Version, &str)> = events
        .iter()
        .flat_map(|e| e.as_object().unwrap())
        .map(|(kind, v)| (parse(v.as_str().unwrap()), kind.as_str()))
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut affected = false;
    for (at, kind) in sorted {
        match kind {
            "introduced" if *version >= at => affected = true,
            "fixed" if *version >= at => affected = false,
            "last_affected" if *version > at => affected = false,
            _ => {}
        }
    }
    affected
}

/// The RustSec advisories, not withdrawn, whose SEMVER ranges (or explicit
/// versions) cover `version` of crate `name`.
fn rustsec_affecting(name: &str, version: &str) -> Vec<&'static Value> {
    let parsed = semver::Version::parse(version).unwrap();
    rustsec()
        .iter()
        .filter(|r| r.get("withdrawn").is_none_or(Value::is_null))
        .filter(|r| {
            r["affected"].as_array().unwrap().iter().any(|a| {
                a["package"]["ecosystem"] == "crates.io"
                    && a["package"]["name"] == name
                    && (a["versions"]
                        .as_array()
                        .is_some_and(|vs| vs.iter().any(|v| v == version))
                        || a["ranges"].as_array().is_some_and(|ranges| {
                            ranges.iter().any(|r| {
                                r["type"] == "SEMVER"
                                    && semver_range_covers(r["events"].as_array().unwrap(), &parsed)
                            })
                        }))
            })
        })
        .collect()
}

/// Debian's tracker JSON as the bundle holds it: `scripts/feed-mirror`
/// serves `test-data/feeds/debian-tracker-minbase.json` with the real
/// tracker subsets of `../shared` merged in, source package by source
/// package (`data/README.md`).
fn debian_tracker() -> &'static Value {
    static TRACKER: OnceLock<Value> = OnceLock::new();
    TRACKER.get_or_init(|| {
        let mut merged = read_json(&repo().join("test-data/feeds/debian-tracker-minbase.json"));
        for name in [
            "vunnel-subset-debian.json",
            "osv.dev-subset-apparmor.json",
            "glvd-subset-vim-glibc.json",
        ] {
            let subset = read_json(&shared().join("data/feeds/debian/tracker-json").join(name));
            for (source, bugs) in subset.as_object().unwrap() {
                let entry = merged
                    .as_object_mut()
                    .unwrap()
                    .entry(source.clone())
                    .or_insert_with(|| Value::Object(Default::default()));
                for (id, bug) in bugs.as_object().unwrap() {
                    entry
                        .as_object_mut()
                        .unwrap()
                        .insert(id.clone(), bug.clone());
                }
            }
        }
        merged
    })
}

/// A source package's bookworm entries: (id, status, fixed_version).
fn bookworm_entries(source: &str) -> Vec<(String, String, Option<String>)> {
    let Some(bugs) = debian_tracker()[source].as_object() else {
        return Vec::new();
    };
    bugs.iter()
        .filter_map(|(id, bug)| {
            let release = bug.get("releases")?.as_object()?.get("bookworm")?;
            Some((
                id.clone(),
                release["status"].as_str().unwrap().to_owned(),
                release["fixed_version"].as_str().map(str::to_owned),
            ))
        })
        .collect()
}

/// `dpkg --compare-versions A lt B` (Debian's own comparison).
fn dpkg_lt(a: &str, b: &str) -> bool {
    let status = Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .expect("dpkg runs (the tests run on Debian)");
    status.success()
}

/// Whether a bookworm tracker entry affects source version `version`: an
/// `open` entry affects every version; a `resolved` one the versions below
/// its `fixed_version` (`0`: none, Debian's "not affected").
fn tracker_affects(status: &str, fixed: Option<&str>, version: &str) -> bool {
    match (status, fixed) {
        ("open", _) => true,
        ("resolved", Some(fixed)) => dpkg_lt(version, fixed),
        other => panic!("tracker entry {other:?}: not a case this test knows"),
    }
}

/// (binary package, id) pairs the tracker says affect these packages
/// (`(name, source, source version)`: advisories name source packages).
fn debian_expected(packages: &[(String, String, String)]) -> BTreeSet<(String, String)> {
    let mut expected = BTreeSet::new();
    for (name, source, version) in packages {
        for (id, status, fixed) in bookworm_entries(source) {
            if tracker_affects(&status, fixed.as_deref(), version) {
                expected.insert((name.clone(), id));
            }
        }
    }
    expected
}

/// Asserts `found` are exactly the advisories `expected`, allowing for the
/// matcher's de-duplication (`dedupe` in strata-match's `matcher.rs`): the
/// records of one package that share a vulnerability key (the id when it is
/// a CVE, else its smallest CVE alias, else the id) are reported once, the
/// other records' ids in the kept finding's `aliases`. So: every finding's id
/// is an expected id, every expected id is some finding's id or alias, and
/// there is one finding per key.
fn assert_advisories(found: &[&Value], expected: &[&Value], what: &str) {
    let expected_ids: BTreeSet<&str> = expected.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let keys: BTreeSet<String> = expected
        .iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap();
            if id.starts_with("CVE-") {
                return id.to_owned();
            }
            r["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|a| a.starts_with("CVE-"))
                .min()
                .unwrap_or(id)
                .to_owned()
        })
        .collect();
    let found_ids: BTreeSet<&str> = found.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let reported: BTreeSet<&str> = found
        .iter()
        .flat_map(|f| std::iter::once(&f["id"]).chain(f["aliases"].as_array().unwrap().iter()))
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        found_ids.is_subset(&expected_ids),
        "{what}: unexpected {:?}",
        found_ids.difference(&expected_ids).collect::<Vec<_>>()
    );
    assert!(
        expected_ids.is_subset(&reported),
        "{what}: missing {:?}",
        expected_ids.difference(&reported).collect::<Vec<_>>()
    );
    assert_eq!(
        found.len(),
        keys.len(),
        "{what}: one finding per vulnerability"
    );
}

// ---------------------------------------------------------------------------
// Matching

#[test]
fn python_findings_are_the_pypa_advisories_of_what_each_layer_installed() {
    let (run, report) = python_scan();
    assert_eq!(run.code, Some(0), "no gate flag: exit 0\n{run}");
    assert!(run.stderr.contains("snapshot bundled with Strata"), "{run}");
    assert_eq!(report["schema"], "strata.scan/v1");
    assert_eq!(report["os"]["supported"], true);
    assert_eq!(report["os"]["namespace"], "Debian:12");
    assert_eq!(report["db"]["bundled"], true);

    let layers = layout_layers("bookworm-python");
    let python = |f: &&Value| f["package"]["ecosystem"] == "PyPI";

    // Layer 2 made /opt/venv with these pins.
    let venv_layer = layer_with(&layers, "venv /opt/venv:");
    let venv = pins(&venv_layer.created_by, "venv /opt/venv:");
    for name in ["django", "urllib3"] {
        let version = &venv[name];
        let expected = pypa_affecting(name, version);
        assert!(!expected.is_empty(), "{name} {version}: no advisory");
        let found: Vec<&Value> = findings(report)
            .iter()
            .filter(python)
            .filter(|f| {
                pep503(f["package"]["name"].as_str().unwrap()) == name
                    && pep440_eq(f["package"]["version"].as_str().unwrap(), version)
            })
            .collect();
        assert_advisories(&found, &expected, &format!("{name} {version}"));
        for f in &found {
            assert!(paths(f).iter().all(|p| p.starts_with("/opt/venv/")), "{f}");
            assert_eq!(f["layer"]["diff_id"], venv_layer.diff_id.as_str(), "{f}");
        }
    }

    // Layer 3 replaced /opt/legacy/site-packages (opaque) with urllib3 1.26.5:
    // its findings come with layer 3, and nothing layer 2 had put there is left.
    let legacy_layer = layer_with(&layers, "/opt/legacy/site-packages opaque:");
    let legacy = pins(
        &legacy_layer.created_by,
        "/opt/legacy/site-packages opaque:",
    );
    let expected = pypa_affecting("urllib3", &legacy["urllib3"]);
    let in_legacy: Vec<&Value> = findings(report)
        .iter()
        .filter(|f| paths(f).iter().any(|p| p.starts_with("/opt/legacy/")))
        .collect();
    assert!(
        in_legacy.iter().all(|f| f["package"]["name"] == "urllib3"
            && f["package"]["version"] == legacy["urllib3"].as_str()),
        "only the new urllib3 is left in /opt/legacy: {in_legacy:?}"
    );
    assert_advisories(&in_legacy, &expected, "urllib3 in /opt/legacy");
    for f in &in_legacy {
        assert_eq!(f["layer"]["diff_id"], legacy_layer.diff_id.as_str(), "{f}");
    }
    let hidden = pins(
        &venv_layer.created_by,
        "pip --target /opt/legacy/site-packages",
    );
    assert!(
        !pypa_affecting("urllib3", &hidden["urllib3"]).is_empty(),
        "the hidden urllib3 has advisories, so their absence above means something"
    );

    // Layer 3 removed PyJWT from the venv: its advisories must not be reported.
    let removal = layer_with(&layers, "rm PyJWT from /opt/venv");
    assert_ne!(removal.diff_id, venv_layer.diff_id);
    assert!(
        !pypa_affecting("pyjwt", &venv["pyjwt"]).is_empty(),
        "the removed pyjwt has advisories, so their absence means something"
    );
    let pyjwt: Vec<&Value> = findings(report)
        .iter()
        .filter(|f| pep503(f["package"]["name"].as_str().unwrap()) == "pyjwt")
        .collect();
    assert!(pyjwt.is_empty(), "{pyjwt:?}");
}

#[test]
fn rust_binary_findings_are_the_rustsec_advisories_of_its_audit_data() {
    let cache = tempfile::tempdir().unwrap();
    let image = oci_dir("rust-binary");
    let layers = layout_layers("rust-binary");
    let app_layer = layer_with(&layers, "cargo auditable build");

    // The crates cargo-auditable recorded in the binary (`strata sbom` is
    // tested elsewhere; here it only lists them).
    let inventory = strata(cache.path(), &["sbom", &image, "-f", "json"]).json();
    let in_binary = |p: &Value| {
        p["ecosystem"] == "crates.io"
            && p["paths"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == "/usr/local/bin/vulnapp")
    };
    let crates: Vec<(String, String)> = inventory["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| in_binary(p))
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        crates.iter().any(|(n, v)| n == "smallvec" && v == "0.6.13"),
        "{crates:?}"
    );

    let report = scan(cache.path(), &image, &[]).json();
    let mut total = 0;
    for (name, version) in &crates {
        let expected = rustsec_affecting(name, version);
        total += expected.len();
        let found: Vec<&Value> = findings(&report)
            .iter()
            .filter(|f| {
                f["package"]["ecosystem"] == "crates.io"
                    && f["package"]["name"] == name.as_str()
                    && f["package"]["version"] == version.as_str()
                    && paths(f).contains(&"/usr/local/bin/vulnapp")
            })
            .collect();
        assert_advisories(&found, &expected, &format!("{name} {version}"));
        for f in &found {
            assert_eq!(f["layer"]["diff_id"], app_layer.diff_id.as_str(), "{f}");
            assert!(f["id"].as_str().unwrap().starts_with("RUSTSEC-"), "{f}");
        }
    }
    assert_eq!(total, 5, "the issue counts five RustSec advisories");
}

#[test]
fn debian_findings_are_the_trackers_bookworm_entries_of_the_installed_sources() {
    let cache = tempfile::tempdir().unwrap();
    let image = oci_dir("debian-bookworm");
    let inventory = strata(cache.path(), &["sbom", &image, "-f", "json"]).json();
    let report = scan(cache.path(), &image, &[]).json();
    assert_eq!(report["os"]["namespace"], "Debian:12");

    // (binary, source, source version) of every dpkg package.
    let packages: Vec<(String, String, String)> = inventory["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "deb")
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_owned();
            let source = p["source_name"].as_str().unwrap_or(&name).to_owned();
            let version = p["source_version"]
                .as_str()
                .or(p["version"].as_str())
                .unwrap()
                .to_owned();
            (name, source, version)
        })
        .collect();
    assert!(packages.len() > 50, "{}", packages.len());
    let source_of: BTreeMap<&str, &str> = packages
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.as_str()))
        .collect();

    for f in findings(&report) {
        assert_eq!(f["namespace"], "Debian:12", "{f}");
        // Advisories name source packages: the finding's is the package's.
        let name = f["package"]["name"].as_str().unwrap();
        let source = f["package"]["source_name"].as_str().unwrap_or(name);
        assert_eq!(Some(&source), source_of.get(name), "{f}");
        assert!(
            debian_tracker()[source]
                .get(f["id"].as_str().unwrap())
                .is_some(),
            "{source} has no tracker entry {}",
            f["id"]
        );
    }

    let found: BTreeSet<(String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = debian_expected(&packages);
    assert_eq!(
        found.difference(&expected).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "reported, but the tracker does not say so"
    );
    assert_eq!(
        expected.difference(&found).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "the tracker says so, not reported"
    );

    // Both kinds of entry occur, so both rules were exercised: open ones are
    // reported, resolved ones fixed at or below the installed version are not.
    let mut open = 0;
    let mut already_fixed = 0;
    for (name, source, version) in &packages {
        for (id, status, fixed) in bookworm_entries(source) {
            let pair = (name.clone(), id.clone());
            if status == "open" {
                open += 1;
                assert!(found.contains(&pair), "open {id} of {name}");
            } else if let Some(fixed) = &fixed
                && !dpkg_lt(version, fixed)
            {
                already_fixed += 1;
                assert!(!found.contains(&pair), "{id} of {name} fixed in {fixed}");
            }
        }
    }
    assert!(open > 0 && already_fixed > 0, "{open} {already_fixed}");
}

#[test]
fn debian_not_affected_entries_never_match() {
    // The tracker's way to say "never affected": resolved, fixed_version 0.
    let not_affected: Vec<String> = bookworm_entries("apparmor")
        .into_iter()
        .filter(|(_, status, fixed)| status == "resolved" && fixed.as_deref() == Some("0"))
        .map(|(id, _, _)| id)
        .collect();
    assert!(!not_affected.is_empty(), "the data has no such entry");

    // A bookworm root filesystem with two binaries of apparmor, at its
    // bookworm version and at an old one.
    let packages = [
        ("libapparmor1", "apparmor", "3.0.8-3"),
        ("apparmor", "apparmor", "2.10.95-1"),
    ];
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::write(
        root.path().join("etc/os-release"),
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
         VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n",
    )
    .unwrap();
    let status: String = packages
        .iter()
        .map(|(name, source, version)| {
            format!(
                "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n\
                 Source: {source}\nVersion: {version}\nDescription: test\n\n"
            )
        })
        .collect();
    std::fs::write(root.path().join("var/lib/dpkg/status"), status).unwrap();

    let cache = tempfile::tempdir().unwrap();
    let report = scan(cache.path(), &format!("dir:{}", root.path().display()), &[]).json();
    let found: BTreeSet<(String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["package"]["name"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let owned: Vec<(String, String, String)> = packages
        .iter()
        .map(|(n, s, v)| ((*n).to_owned(), (*s).to_owned(), (*v).to_owned()))
        .collect();
    let expected = debian_expected(&owned);
    assert_eq!(found, expected);
    // Something is found for each, so the absence below means something.
    for (name, _, _) in &packages {
        assert!(found.iter().any(|(n, _)| n == name), "{name}: {found:?}");
    }
    for id in &not_affected {
        assert!(found.iter().all(|(_, i)| i != id), "{id}: {found:?}");
    }
}

// ---------------------------------------------------------------------------
// Gate, filters, suppressions

/// Findings whose id and aliases no other finding shares: an ignore entry or
/// VEX statement naming one of them covers exactly that finding.
fn unique_findings(report: &Value) -> Vec<&Value> {
    let ids = |f: &Value| -> BTreeSet<String> {
        std::iter::once(&f["id"])
            .chain(f["aliases"].as_array().unwrap().iter())
            .map(|v| v.as_str().unwrap().to_ascii_uppercase())
            .collect()
    };
    let all = findings(report);
    all.iter()
        .enumerate()
        .filter(|(i, f)| {
            let mine = ids(f);
            all.iter()
                .enumerate()
                .all(|(j, g)| j == *i || ids(g).is_disjoint(&mine))
        })
        .map(|(_, f)| f)
        .collect()
}

#[test]
fn gate_flags_decide_the_exit_code() {
    let (_, base) = python_scan();
    let severities: Vec<&str> = findings(base)
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert!(!severities.is_empty());
    let high_or_worse = severities.iter().any(|s| matches!(*s, "High" | "Critical"));
    let critical = severities.contains(&"Critical");

    let cache = tempfile::tempdir().unwrap();
    let image = oci_dir("bookworm-python");
    let code = |extra: &[&str]| {
        let run = scan(cache.path(), &image, extra);
        assert!(run.error_lines().is_empty(), "{run}");
        run.code
    };
    assert_eq!(code(&["--fail-on", "high"]), Some(i32::from(high_or_worse)));
    assert_eq!(code(&["--fail-on", "critical"]), Some(i32::from(critical)));
    // Any finding shown: the code asked for.
    assert_eq!(code(&["--exit-code", "3"]), Some(3));
    assert_eq!(
        code(&["--severity", "critical", "--exit-code", "1"]),
        Some(i32::from(critical))
    );

    // 2 means "error": refused, before anything is scanned.
    let run = scan(cache.path(), &image, &["--exit-code", "2"]);
    assert_eq!(run.code, Some(2), "{run}");
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{run}");
    assert!(errors[0].contains("--exit-code 2"), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn ignore_unfixed_keeps_only_findings_with_a_fixed_version() {
    let (_, base) = python_scan();
    let fixed = |f: &&Value| {
        f["fixed_versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| !v.as_str().unwrap().trim().is_empty())
    };
    let expected: BTreeSet<_> = findings(base)
        .iter()
        .filter(fixed)
        .map(finding_key)
        .collect();
    assert!(!expected.is_empty() && expected.len() < findings(base).len());

    let cache = tempfile::tempdir().unwrap();
    let report = scan(
        cache.path(),
        &oci_dir("bookworm-python"),
        &["--ignore-unfixed"],
    )
    .json();
    assert_eq!(finding_keys(&report), expected);
    assert_eq!(report["summary"]["total"], expected.len());
}

#[test]
fn ignore_file_suppresses_its_entries_until_they_expire() {
    let (_, base) = python_scan();
    let unique = unique_findings(base);
    assert!(unique.len() >= 2);
    let (kept_out, expired) = (unique[0], unique[1]);
    let kept_out_id = kept_out["id"].as_str().unwrap();
    let expired_id = expired["id"].as_str().unwrap();

    let cache = tempfile::tempdir().unwrap();
    let file = cache.path().join("ignore-list");
    std::fs::write(
        &file,
        format!("# accepted risk\n{kept_out_id}\n{expired_id} exp:2000-01-01\n"),
    )
    .unwrap();
    let run = scan(
        cache.path(),
        &oci_dir("bookworm-python"),
        &["--ignore-file", file.to_str().unwrap()],
    );
    let report = run.json();
    assert_eq!(report["summary"]["suppressed"], 1, "{run}");
    assert_eq!(report["summary"]["total"], findings(base).len() - 1);
    let shown = finding_keys(&report);
    assert!(!shown.contains(&finding_key(kept_out)));
    assert!(shown.contains(&finding_key(expired)));
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(finding_key(&suppressed[0]), finding_key(kept_out));
    assert_eq!(suppressed[0]["suppression"]["kind"], "ignore-file");

    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("expired"))
        .unwrap_or_else(|| panic!("no expiry warning: {run}"));
    assert!(warning.contains(expired_id), "{warning}");
    assert!(!warning.contains(kept_out_id), "{warning}");
}

#[test]
fn yaml_ignore_file_with_an_unknown_field_is_an_error() {
    let (_, base) = python_scan();
    let id = findings(base)[0]["id"].as_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let file = cache.path().join("ignore.yaml");
    std::fs::write(
        &file,
        format!("vulnerabilities:\n  - id: {id}\n    expires_at: 2099-01-01\n"),
    )
    .unwrap();
    let run = scan(
        cache.path(),
        &oci_dir("bookworm-python"),
        &["--ignore-file", file.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(2), "{run}");
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{run}");
    assert!(errors[0].contains("expires_at"), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn openvex_not_affected_suppresses_and_show_suppressed_lists_it() {
    let (_, base) = python_scan();
    let target = unique_findings(base)[0];
    let id = target["id"].as_str().unwrap();
    let purl = target["package"]["purl"].as_str().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let vex = cache.path().join("app.openvex.json");
    std::fs::write(
        &vex,
        serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.com/vex/scan-test",
            "author": "scan test",
            "timestamp": "2026-01-01T00:00:00Z",
            "version": 1,
            "statements": [{
                "vulnerability": {"name": id},
                "products": [{"@id": purl}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path"
            }]
        })
        .to_string(),
    )
    .unwrap();
    let image = oci_dir("bookworm-python");
    let vex_arg = vex.to_str().unwrap();

    let report = scan(cache.path(), &image, &["--vex", vex_arg]).json();
    assert_eq!(report["summary"]["suppressed"], 1);
    assert!(!finding_keys(&report).contains(&finding_key(target)));
    let suppressed = report["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(finding_key(&suppressed[0]), finding_key(target));
    assert_eq!(suppressed[0]["suppression"]["kind"], "vex");

    // The table leaves it out, and shows it (after the marker) when asked.
    let table = strata(
        cache.path(),
        &["image", "scan", &image, "--offline", "--vex", vex_arg],
    );
    assert_eq!(table.code, Some(0), "{table}");
    assert!(!table.stdout.contains("Suppressed"), "{table}");
    let shown = strata(
        cache.path(),
        &[
            "image",
            "scan",
            &image,
            "--offline",
            "--vex",
            vex_arg,
            "--show-suppressed",
        ],
    );
    assert_eq!(shown.code, Some(0), "{shown}");
    let (_, after) = shown
        .stdout
        .split_once("Suppressed (ignore file / VEX):")
        .unwrap_or_else(|| panic!("no suppressed section: {shown}"));
    assert!(after.contains(id), "{shown}");
}

// ---------------------------------------------------------------------------
// Report formats

/// `shared/schemas`.
fn schema(name: &str) -> Value {
    read_json(&shared().join("schemas").join(name))
}

/// A validator for `main` with `others` registered under their `$id`s:
/// offline (nothing fetched), formats asserted.
fn validator(main: &str, others: &[&str]) -> jsonschema::Validator {
    let mut registry = jsonschema::Registry::new();
    for other in others {
        let value = schema(other);
        let id = value["$id"].as_str().unwrap().to_owned();
        registry = registry.add(id, value).unwrap();
    }
    let registry = registry.prepare().unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema(main))
        .unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn one_run_writes_every_format_and_each_is_valid() {
    let cache = tempfile::tempdir().unwrap();
    let out = cache.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let file = |name: &str| out.join(name);
    let formats = [
        ("sarif", "scan.sarif"),
        ("cyclonedx-json", "scan.cdx.json"),
        ("spdx-json", "scan.spdx.json"),
        ("json", "scan.json"),
        ("junit", "scan.junit.xml"),
        ("trivy-json", "scan.trivy.json"),
    ];
    let image = oci_dir("bookworm-python");
    let mut args: Vec<String> = ["image", "scan", &image, "--offline"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for (format, name) in formats {
        args.push("-f".into());
        args.push(format!("{format}={}", file(name).display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = strata(cache.path(), &args);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.is_empty(), "every format went to a file: {run}");

    let report = read_json(&file("scan.json"));
    let count = findings(&report).len();
    let packages = report["summary"]["packages"].as_u64().unwrap() as usize;
    assert!(count > 0 && packages > 100);

    let sarif = read_json(&file("scan.sarif"));
    assert_valid(&validator("sarif-schema-2.1.0.json", &[]), &sarif, "SARIF");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        count,
        "one SARIF result per finding"
    );

    let bom = read_json(&file("scan.cdx.json"));
    assert_valid(
        &validator(
            "bom-1.6.schema.json",
            &["spdx.schema.json", "jsf-0.82.schema.json"],
        ),
        &bom,
        "CycloneDX",
    );
    assert!(!bom["vulnerabilities"].as_array().unwrap().is_empty());

    let spdx = read_json(&file("scan.spdx.json"));
    assert_valid(&validator("spdx-schema-v2.3.json", &[]), &spdx, "SPDX");

    let junit = std::fs::read_to_string(file("scan.junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"), "{junit:.200}");
    assert!(junit.contains("<testsuites"), "{junit:.200}");
    assert_eq!(
        junit.matches("<testcase ").count(),
        packages,
        "one test case per package"
    );

    let trivy = read_json(&file("scan.trivy.json"));
    assert_eq!(trivy["SchemaVersion"], 2);
    let vulnerabilities: usize = trivy["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Vulnerabilities"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(vulnerabilities, count);
}

// ---------------------------------------------------------------------------
// Inputs: SBOMs, registries, archives

/// Ids per package (name, version, paths) of the PyPI findings. The paths
/// tell apart two copies of one version: bookworm-python has pip 23.0.1 both
/// in /opt/venv and from Debian's python3-pip, whose copy is left to Debian's
/// advisories.
fn python_ids(report: &Value) -> BTreeMap<(String, String, String), BTreeSet<String>> {
    let mut ids: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for f in findings(report)
        .iter()
        .filter(|f| f["package"]["ecosystem"] == "PyPI")
    {
        ids.entry((
            f["package"]["name"].as_str().unwrap().to_owned(),
            f["package"]["version"].as_str().unwrap().to_owned(),
            f["package"]["paths"].to_string(),
        ))
        .or_default()
        .insert(f["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[test]
fn sbom_input_gives_the_language_findings_of_the_image() {
    let (_, direct) = python_scan();
    let cache = tempfile::tempdir().unwrap();
    let bom = cache.path().join("x.cdx.json");
    let run = strata(
        cache.path(),
        &[
            "sbom",
            &oci_dir("bookworm-python"),
            "-f",
            "cyclonedx-json",
            "-o",
            bom.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{run}");
    let from_sbom = scan(cache.path(), &format!("sbom:{}", bom.display()), &[]).json();
    let expected = python_ids(direct);
    assert!(expected.len() > 5);
    assert_eq!(python_ids(&from_sbom), expected);
    assert_eq!(from_sbom["os"]["namespace"], "Debian:12");
}

#[test]
fn sbom_of_an_os_without_data_says_its_packages_were_not_checked() {
    let cache = tempfile::tempdir().unwrap();
    let bom = cache.path().join("rhel.cdx.json");
    std::fs::write(
        &bom,
        serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "components": [
                {"type": "operating-system", "name": "rhel", "version": "9.4"},
                {"type": "library", "name": "openssl-libs", "version": "3.0.7-27.el9",
                 "purl": "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let input = format!("sbom:{}", bom.display());

    let report = scan(cache.path(), &input, &[]).json();
    assert_eq!(report["os"]["supported"], false);
    assert_eq!(report["os"]["id"], "rhel");
    assert!(findings(&report).is_empty());

    let table = strata(cache.path(), &["image", "scan", &input, "--offline"]);
    assert_eq!(table.code, Some(0), "{table}");
    assert!(
        table
            .stdout
            .contains("no vulnerability data for rhel 9.4: OS packages not checked"),
        "{table}"
    );

    let refused = scan(cache.path(), &input, &["--fail-on-unsupported-os"]);
    assert_eq!(refused.code, Some(2), "{refused}");
    assert_eq!(refused.error_lines().len(), 1, "{refused}");
    assert!(refused.error_lines()[0].contains("rhel 9.4"), "{refused}");
}

#[test]
fn registry_and_docker_archive_give_the_same_findings_as_the_layout() {
    let (_, layout) = python_scan();
    let expected = finding_keys(layout);

    let registry = registry::TestRegistry::start(registry::Auth::None);
    registry.push(
        &images().join("oci/bookworm-python"),
        "scan/python:1",
        false,
        false,
    );
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/scan/python:1", registry.host);
    let from_registry = scan(cache.path(), &reference, &[]).json();
    assert_eq!(finding_keys(&from_registry), expected);

    let archive = images().join("docker/bookworm-python.tar");
    if archive.is_file() {
        let from_archive = scan(
            cache.path(),
            &format!("docker-archive:{}", archive.display()),
            &[],
        )
        .json();
        assert_eq!(finding_keys(&from_archive), expected);
    }
}

// ---------------------------------------------------------------------------
// Klar mode

/// Clair's severity words.
const CLAIR_SEVERITIES: [&str; 7] = [
    "Unknown",
    "Negligible",
    "Low",
    "Medium",
    "High",
    "Critical",
    "Defcon1",
];

/// `base` and then `extra` variables.
fn env_with<'a>(
    base: &[(&'a str, &'a str)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(extra).copied().collect()
}

fn klar(program: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = command_as(program, cache);
    command.args(args).env("STRATA_SKIP_DB_UPDATE", "true");
    for (key, value) in env {
        command.env(key, value);
    }
    execute(&mut command)
}

/// Names per Clair severity in Klar's JSON output, after checking its shape.
fn klar_names(run: &Run, layers: usize) -> BTreeMap<String, Vec<String>> {
    let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}"));
    assert_eq!(value["LayerCount"], layers, "{run}");
    value["Vulnerabilities"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(severity, list)| {
            assert!(CLAIR_SEVERITIES.contains(&severity.as_str()), "{severity}");
            let names = list
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    assert_eq!(v["Severity"], severity.as_str(), "{v}");
                    v["Name"].as_str().unwrap().to_owned()
                })
                .collect();
            (severity.clone(), names)
        })
        .collect()
}

#[test]
fn klar_mode_counts_against_the_threshold_with_klar_env() {
    let cache = tempfile::tempdir().unwrap();
    let image = oci_dir("bookworm-python");
    let layers = layout_layers("bookworm-python").len();
    let strata_bin = PathBuf::from(env!("CARGO_BIN_EXE_strata"));
    let base = [("CLAIR_OUTPUT", "High"), ("JSON_OUTPUT", "true")];

    let first = klar(&strata_bin, cache.path(), &["klar", &image], &base);
    let names = klar_names(&first, layers);
    assert!(
        names.keys().all(|s| s == "High" || s == "Critical"),
        "CLAIR_OUTPUT=High lists High and Critical only: {names:?}"
    );
    let count: usize = names.values().map(Vec::len).sum();
    assert!(count > 0, "{first}");
    // Default threshold 0: more than 0 High+Critical fails.
    assert_eq!(first.code, Some(1), "{first}");

    let threshold = count.to_string();
    let run = klar(
        &strata_bin,
        cache.path(),
        &["klar", &image],
        &env_with(&base, &[("CLAIR_THRESHOLD", &threshold)]),
    );
    assert_eq!(
        run.code,
        Some(0),
        "{count} is not more than {threshold}: {run}"
    );
    let below = (count - 1).to_string();
    let run = klar(
        &strata_bin,
        cache.path(),
        &["klar", &image],
        &env_with(&base, &[("CLAIR_THRESHOLD", &below)]),
    );
    assert_eq!(run.code, Some(1), "{count} is more than {below}: {run}");

    // A whitelisted name is dropped (every vulnerability of that name).
    let listed = names.values().flatten().next().unwrap().clone();
    let times = names.values().flatten().filter(|n| **n == listed).count();
    let whitelist = cache.path().join("whitelist.yaml");
    std::fs::write(&whitelist, format!("general:\n  - {listed}\n")).unwrap();
    let run = klar(
        &strata_bin,
        cache.path(),
        &["klar", &image],
        &env_with(
            &base,
            &[
                ("WHITELIST_FILE", whitelist.to_str().unwrap()),
                ("CLAIR_THRESHOLD", &(count - times).to_string()),
            ],
        ),
    );
    let remaining = klar_names(&run, layers);
    assert!(remaining.values().flatten().all(|n| *n != listed), "{run}");
    assert_eq!(
        remaining.values().map(Vec::len).sum::<usize>(),
        count - times
    );
    assert_eq!(run.code, Some(0), "{run}");

    // Invoked as `klar`: the same, without the subcommand.
    let links = tempfile::tempdir().unwrap();
    let klar_bin = links.path().join("klar");
    std::os::unix::fs::symlink(&strata_bin, &klar_bin).unwrap();
    let linked = klar(&klar_bin, cache.path(), &[&image], &base);
    assert_eq!(linked.code, first.code, "{linked}");
    assert_eq!(linked.stdout, first.stdout);

    // Errors: Klar's messages, exit 2.
    for program in [&strata_bin, &klar_bin] {
        let args: &[&str] = if program == &strata_bin {
            &["klar", &image]
        } else {
            &[&image]
        };
        let run = klar(program, cache.path(), args, &[("CLAIR_OUTPUT", "Bogus")]);
        assert_eq!(run.code, Some(2), "{run}");
        assert!(run.stderr.contains("Invalid options"), "{run}");
        assert!(run.stdout.is_empty(), "{run}");

        let no_image = if program == &strata_bin {
            vec!["klar"]
        } else {
            vec![]
        };
        let run = klar(program, cache.path(), &no_image, &base);
        assert_eq!(run.code, Some(2), "{run}");
        assert!(run.stderr.contains("Image name must be provided"), "{run}");
    }
}

// ---------------------------------------------------------------------------
// Errors

#[test]
fn bad_inputs_are_one_error_line_and_exit_2() {
    let cache = tempfile::tempdir().unwrap();
    let missing = cache.path().join("missing.tar");
    for image in [
        "no such::image".to_owned(),
        format!("docker-archive:{}", missing.display()),
        format!("sbom:{}", missing.display()),
    ] {
        let run = scan(cache.path(), &image, &[]);
        assert_eq!(run.code, Some(2), "{image}: {run}");
        assert_eq!(run.error_lines().len(), 1, "{image}: {run}");
        assert!(run.stdout.is_empty(), "{image}: {run}");
    }
}

#[test]
fn db_max_age_refuses_an_older_database() {
    let cache = tempfile::tempdir().unwrap();
    let run = scan(
        cache.path(),
        &oci_dir("debian-bookworm"),
        &["--db-max-age", "0"],
    );
    assert_eq!(run.code, Some(2), "{run}");
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{run}");
    assert!(
        errors[0].contains("days old") && errors[0].contains("--db-max-age 0"),
        "{run}"
    );
    assert!(run.stdout.is_empty(), "{run}");
}

/// `strata explain`: PYSEC-2019-132 (urllib3, fixed in 1.24.3 per the PyPA record)
/// matches the venv's urllib3 1.23 and says why it does not match 1.26.5.
#[test]
fn explain_says_why_an_advisory_matches_or_not() {
    let record = pypa()
        .iter()
        .find(|r| r["id"] == "PYSEC-2019-132")
        .expect("PYSEC-2019-132 in the PyPA data");
    let fixed: Vec<&str> = record["affected"][0]["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["events"].as_array().unwrap())
        .filter_map(|e| e["fixed"].as_str())
        .filter(|v| v.contains('.'))
        .collect();
    assert_eq!(fixed, ["1.24.3"], "the record as this test reads it");
    let cache = tempfile::tempdir().unwrap();
    let image = oci_dir("bookworm-python");
    let run = strata(
        cache.path(),
        &["explain", "CVE-2019-11236", "--image", &image, "--offline"],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("MATCHES urllib3 1.23 (PyPI)"), "{run}");
    assert!(run.stdout.contains("PYSEC-2019-132"), "{run}");
    assert!(
        run.stdout
            .contains("does NOT match urllib3 1.26.5 (PyPI) in PyPI: urllib3 1.26.5 is outside the affected ranges"),
        "{run}"
    );
    let unknown = strata(
        cache.path(),
        &[
            "explain",
            "CVE-1999-0000000",
            "--image",
            &image,
            "--offline",
        ],
    );
    assert!(
        unknown
            .stdout
            .contains("is not in the vulnerability database"),
        "{unknown}"
    );
}
