//! `strata db …` through the real binary: updates from the real feed samples
//! served on loopback in the upstream layout (through `--mirror`), conditional
//! fetches, a killed update, a failing source, bundles (signed and not), and
//! push/pull through a real `docker-registry`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/feeds.rs"]
mod feeds;
#[path = "../../strata-image/tests/support/registry.rs"]
mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use feeds::{FeedServer, SOURCES};

/// The mirror, built once per test run.
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("strata-feed-mirror-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        feeds::build_mirror(&dir);
        dir
    })
}

fn strata(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("STRATA_CACHE_DIR", cache)
        .env("DOCKER_CONFIG", cache)
        .env_remove("DOCKER_USER")
        .env_remove("DOCKER_PASSWORD")
        .env_remove("DOCKER_TOKEN")
        .stdin(Stdio::null());
    command
}

fn run(cache: &Path, args: &[&str]) -> Output {
    strata(cache).args(args).output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn update(cache: &Path, mirror_url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "db",
        "update",
        "--mirror",
        mirror_url,
        "--db-sources",
        SOURCES,
    ];
    args.extend_from_slice(extra);
    run(cache, &args)
}

fn status(cache: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&run(cache, &["db", "status", "-f", "json"]))).unwrap()
}

fn source<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {status}"))
}

/// Number of `<ID>.json` records in an OSV folder of the shared data.
fn osv_records(ecosystem: &str) -> u64 {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/feeds/osv");
    let dir = if ecosystem == "PyPI" {
        shared.join("PyPI/json")
    } else {
        shared.join(ecosystem)
    };
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count() as u64
}

#[test]
fn update_over_http_then_conditional_update() {
    let server = FeedServer::start(mirror());
    let cache = tempfile::tempdir().unwrap();
    let first = update(cache.path(), &server.url, &[]);
    ok(&first);
    let status = status(cache.path());
    // Every record file of the complete OSV sets is stored (one advisory each).
    for ecosystem in ["PyPI", "Go", "crates.io"] {
        assert_eq!(
            source(&status, &format!("osv:{ecosystem}"))["records"],
            osv_records(ecosystem),
            "{ecosystem}"
        );
    }
    let pypi = source(&status, "osv:PyPI");
    assert_eq!(
        pypi["url"], "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip",
        "the upstream URL is recorded, not the mirror's"
    );
    assert!(pypi["etag"].as_str().unwrap().starts_with('"'));
    // Alpine: every release the secdb root lists, main and community.
    let alpine = source(&status, "alpine");
    assert_eq!(alpine["documents"], 19, "{alpine}");
    assert_eq!(
        server.requests("/secdb.alpinelinux.org/index.html"),
        1,
        "the root index"
    );
    assert!(source(&status, "nvd")["records"].as_u64().unwrap() > 0);
    assert_eq!(source(&status, "kev")["records"], 2);

    // Nothing changed upstream: every document comes back 304 and nothing is re-parsed.
    let before = server.state.lock().unwrap().not_modified;
    let second = update(cache.path(), &server.url, &[]);
    let stderr = String::from_utf8_lossy(&second.stderr).into_owned();
    ok(&second);
    let documents: u64 = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["documents"].as_u64().unwrap())
        .sum();
    let not_modified = server.state.lock().unwrap().not_modified - before;
    assert_eq!(not_modified as u64, documents, "{stderr}");
    assert!(
        stderr.contains("osv:PyPI: 1 document(s) unchanged"),
        "{stderr}"
    );
    let again = self::status(cache.path());
    assert_eq!(
        source(&again, "osv:PyPI")["records"],
        source(&status, "osv:PyPI")["records"]
    );
}

#[test]
fn update_from_a_file_mirror_and_one_source_only() {
    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", mirror().display());
    ok(&run(
        cache.path(),
        &[
            "db",
            "update",
            "--mirror",
            &url,
            "--db-sources",
            "osv:crates.io,kev",
        ],
    ));
    let status = status(cache.path());
    assert_eq!(status["sources"].as_array().unwrap().len(), 2);
    // --source updates one source and keeps the other as it was.
    let kev_fetched = source(&status, "kev")["fetched_at"].clone();
    ok(&run(
        cache.path(),
        &[
            "db",
            "update",
            "--mirror",
            &url,
            "--db-sources",
            "osv:crates.io,kev",
            "--source",
            "osv",
            "--force",
        ],
    ));
    let after = self::status(cache.path());
    assert_eq!(source(&after, "kev")["fetched_at"], kev_fetched);
    assert_ne!(
        source(&after, "osv:crates.io")["fetched_at"],
        source(&status, "osv:crates.io")["fetched_at"]
    );
    let unknown = run(
        cache.path(),
        &["db", "update", "--mirror", &url, "--source", "nope"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"nope\""));
}

#[test]
fn a_failing_source_keeps_its_previous_data_and_fails_the_command() {
    let server = FeedServer::start(mirror());
    let cache = tempfile::tempdir().unwrap();
    ok(&update(
        cache.path(),
        &server.url,
        &["--db-sources", "osv:crates.io,kev"],
    ));
    let before = status(cache.path());
    // crates.io's all.zip is now truncated: that source fails, kev still updates.
    let zip = std::fs::read(
        mirror().join("osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip"),
    )
    .unwrap();
    server.state.lock().unwrap().replace.insert(
        "/osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip".into(),
        zip[..zip.len() / 2].to_vec(),
    );
    let failed = update(
        cache.path(),
        &server.url,
        &["--db-sources", "osv:crates.io,kev", "--force"],
    );
    assert_eq!(failed.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("osv:crates.io: failed, previous data kept"),
        "{stderr}"
    );
    assert!(
        stderr.contains("crates.io/all.zip"),
        "the error names the document: {stderr}"
    );
    let after = status(cache.path());
    assert_eq!(
        source(&after, "osv:crates.io"),
        source(&before, "osv:crates.io")
    );
    assert_ne!(
        source(&after, "kev")["fetched_at"],
        source(&before, "kev")["fetched_at"]
    );
}

#[test]
fn a_killed_update_leaves_the_previous_database_serving() {
    let server = FeedServer::start(mirror());
    let cache = tempfile::tempdir().unwrap();
    ok(&update(
        cache.path(),
        &server.url,
        &["--db-sources", "osv:crates.io,kev"],
    ));
    let db = cache.path().join("db/vuln.db");
    let before = std::fs::read(&db).unwrap();
    // The next update hangs mid-download of the KEV catalog; kill it there.
    server
        .state
        .lock()
        .unwrap()
        .stall
        .push("known_exploited_vulnerabilities.json".into());
    let mut child = strata(cache.path())
        .args([
            "db",
            "update",
            "--mirror",
            &server.url,
            "--db-sources",
            "osv:crates.io,kev",
            "--force",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while server.requests("known_exploited_vulnerabilities.json") < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the update never reached KEV"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Give the other source time to be parsed into the new (temporary) database.
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is untouched"
    );
    // It still serves, and the next update cleans up what the killed one left.
    status(cache.path());
    server.state.lock().unwrap().stall.clear();
    ok(&update(
        cache.path(),
        &server.url,
        &["--db-sources", "osv:crates.io,kev"],
    ));
    let leftovers: Vec<_> = std::fs::read_dir(cache.path().join("db"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("building"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn openssl(args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .status()
        .expect("openssl");
    assert!(status.success(), "openssl {args:?}");
}

fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let private = dir.join(format!("{name}.pem"));
    let public = dir.join(format!("{name}.pub.pem"));
    openssl(&[
        "genpkey",
        "-algorithm",
        "ed25519",
        "-out",
        private.to_str().unwrap(),
    ]);
    openssl(&[
        "pkey",
        "-in",
        private.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    (private, public)
}

/// A database of two small sources.
fn small_db() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let url = format!("file://{}", mirror().display());
    ok(&run(
        cache.path(),
        &[
            "db",
            "update",
            "--mirror",
            &url,
            "--db-sources",
            "osv:npm,kev",
        ],
    ));
    cache
}

#[test]
fn export_import_round_trip_with_signatures() {
    let source = small_db();
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = keypair(keys.path(), "team");
    let (_, other_public) = keypair(keys.path(), "other");
    let bundle = keys.path().join("db.bundle");
    let unsigned = keys.path().join("unsigned.bundle");
    ok(&run(
        source.path(),
        &[
            "db",
            "export",
            bundle.to_str().unwrap(),
            "--signing-key",
            private.to_str().unwrap(),
        ],
    ));
    ok(&run(
        source.path(),
        &["db", "export", unsigned.to_str().unwrap()],
    ));

    let target = tempfile::tempdir().unwrap();
    ok(&run(
        target.path(),
        &[
            "db",
            "import",
            bundle.to_str().unwrap(),
            "--public-key",
            public.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read(target.path().join("db/vuln.db")).unwrap(),
        std::fs::read(source.path().join("db/vuln.db")).unwrap()
    );
    assert_eq!(
        status(target.path())["sources"],
        status(source.path())["sources"]
    );

    let refuse = |bundle: &Path, key: Option<&Path>, why: &str| {
        let fresh = tempfile::tempdir().unwrap();
        let mut args = vec!["db", "import", bundle.to_str().unwrap()];
        if let Some(key) = key {
            args.extend(["--public-key", key.to_str().unwrap()]);
        }
        let out = run(fresh.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{why}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{stderr}");
        assert!(!fresh.path().join("db/vuln.db").exists());
    };
    refuse(&bundle, Some(&other_public), "signature does not match");
    refuse(&unsigned, Some(&public), "unsigned");
    // A flipped byte in the compressed stream or a truncation is caught.
    let mut bytes = std::fs::read(&unsigned).unwrap();
    let truncated = keys.path().join("truncated.bundle");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    refuse(&truncated, None, "bundle");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let corrupt = keys.path().join("corrupt.bundle");
    std::fs::write(&corrupt, &bytes).unwrap();
    refuse(&corrupt, None, "bundle");
    // A failed import leaves the database in place.
    let out = run(target.path(), &["db", "import", corrupt.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    status(target.path());
}

#[test]
fn push_and_pull_through_a_registry() {
    let registry = registry::TestRegistry::start(registry::Auth::None);
    let source = small_db();
    let target = format!("oci://{}/strata/db:1", registry.host);
    ok(&run(source.path(), &["db", "push", &target]));
    let fresh = tempfile::tempdir().unwrap();
    ok(&run(fresh.path(), &["db", "pull", &target]));
    assert_eq!(
        std::fs::read(fresh.path().join("db/vuln.db")).unwrap(),
        std::fs::read(source.path().join("db/vuln.db")).unwrap()
    );
    let missing = run(
        fresh.path(),
        &[
            "db",
            "pull",
            &format!("oci://{}/strata/db:nope", registry.host),
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
}
