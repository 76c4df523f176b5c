//! `strata server` end to end: a real server process on loopback, a real
//! registry (`docker-registry`) holding the test images, real feeds served by
//! the loopback feed server, and the real CLI in remote mode.

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
#[path = "support/server.rs"]
mod server_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use feeds::{FeedServer, SOURCES, build_mirror};
use registry::{Auth, TestRegistry};
use serde_json::{Value, json};
use server_support::{Server, create_token, get, request, strata_command};

fn images() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    assert!(
        dir.join("oci/bookworm-python.ok").is_file(),
        "test images missing: run scripts/test"
    );
    dir
}

fn layout(name: &str) -> PathBuf {
    images().join("oci").join(name)
}

/// What the tests share: the feed mirror and its server, and a data dir whose
/// database was built from the feeds by a server. (Registries are per test:
/// a static one would outlive the test process.)
struct World {
    feeds: FeedServer,
    /// A data dir with `db/vuln.db` built by the first server's update.
    seeded: PathBuf,
    _dirs: Vec<tempfile::TempDir>,
}

/// The images pushed, as `repository:tag` (8 distinct manifests: OCI and
/// Docker schema 2 manifests of the same image differ).
const PUSHED: [(&str, &str, bool); 8] = [
    ("debian-bookworm", "debian:latest", false),
    ("debian-bookworm", "debian:v2s2", true),
    ("bookworm-python", "python:latest", false),
    ("bookworm-python", "python:v2s2", true),
    ("bookworm-node", "node:latest", false),
    ("bookworm-java", "java:latest", false),
    ("rust-binary", "rust:latest", false),
    ("rust-binary", "rust:v2s2", true),
];

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mirror = tempfile::tempdir().unwrap();
        build_mirror(mirror.path());
        let feeds = FeedServer::start(mirror.path());
        let seeded = tempfile::tempdir().unwrap();
        let server = Server::start(
            seeded.path(),
            &[
                "--mirror",
                &feeds.url,
                "--db-sources",
                SOURCES,
                "--update-interval",
                "0",
                "--no-bundled-db",
            ],
        );
        server.wait_ready(Duration::from_secs(300));
        // Wait for the update to finish completely (ready comes with the swap).
        let admin = create_token(seeded.path(), "seed-admin", "admin", &[]);
        let deadline = Instant::now() + Duration::from_secs(300);
        while get(&format!("{}/api/v1/db", server.url), Some(&admin)).1["updating"] != json!(false)
        {
            assert!(Instant::now() < deadline, "update did not finish");
            std::thread::sleep(Duration::from_millis(200));
        }
        drop(server);
        World {
            feeds,
            seeded: seeded.path().to_owned(),
            _dirs: vec![mirror, seeded],
        }
    })
}

/// A fresh data dir holding a copy of the seeded database.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("db")).unwrap();
    std::fs::copy(
        world().seeded.join("db/vuln.db"),
        dir.path().join("db/vuln.db"),
    )
    .unwrap();
    dir
}

/// A server over a copy of the seeded database, updates only on request.
fn server(dir: &Path, extra: &[&str]) -> Server {
    let w = world();
    let mut args = vec![
        "--mirror",
        w.feeds.url.as_str(),
        "--db-sources",
        SOURCES,
        "--update-interval",
        "0",
    ];
    args.extend_from_slice(extra);
    let server = Server::start(dir, &args);
    server.wait_ready(Duration::from_secs(60));
    server
}

/// A registry holding the pushed images with these tags.
fn registry(tags: &[&str]) -> TestRegistry {
    let registry = TestRegistry::start(Auth::None);
    for (name, tag, v2s2) in PUSHED {
        if tags.contains(&tag) {
            registry.push(&layout(name), tag, v2s2, false);
        }
    }
    registry
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn cli(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = strata_command(home);
    command
        .env("STRATA_CACHE_DIR", home.join("cache"))
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// (id, ecosystem, package, version) of every finding of a JSON report.
fn finding_keys(report: &Value) -> BTreeSet<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&f["id"]),
                s(&f["package"]["ecosystem"]),
                s(&f["package"]["name"]),
                s(&f["package"]["version"]),
            )
        })
        .collect()
}

/// A local cache dir whose database is the seeded one (so local and remote
/// scans match against the same data).
fn local_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("cache/db");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::copy(world().seeded.join("db/vuln.db"), db.join("vuln.db")).unwrap();
    home
}

#[test]
fn remote_scans_report_and_gate_like_local_scans() {
    let dir = data_dir();
    let server = server(dir.path(), &[]);
    let token = create_token(dir.path(), "ci-pipeline", "ci", &["--expires", "90d"]);
    let home = local_home();
    let remote_env = [
        ("STRATA_ENDPOINT", server.url.as_str()),
        ("STRATA_API_TOKEN", token.as_str()),
    ];
    let registry = registry(&["python:latest", "java:latest"]);
    let image = |tag: &str| format!("{}/{tag}", registry.host);

    // whoami: name, role, expiry, and the permission per resource.
    let who = cli(home.path(), &remote_env, &["whoami"]);
    assert_eq!(who.code, Some(0), "{}", who.stderr);
    assert!(
        who.stdout.contains("Name:       ci-pipeline"),
        "{}",
        who.stdout
    );
    assert!(who.stdout.contains("Role:       ci"), "{}", who.stdout);
    assert!(!who.stdout.contains("Expires:    never"), "{}", who.stdout);
    for line in ["rw  scans", "r   reports", "-   tokens"] {
        assert!(who.stdout.contains(line), "{line}: {}", who.stdout);
    }

    for tag in ["python:latest", "java:latest"] {
        let reference = image(tag);
        let local = cli(
            home.path(),
            &[],
            &[
                "image",
                "scan",
                &reference,
                "-f",
                "json",
                "--offline",
                "--db-warn-age",
                "10000",
            ],
        );
        assert_eq!(local.code, Some(0), "{}", local.stderr);
        let remote = cli(
            home.path(),
            &remote_env,
            &[
                "image",
                "scan",
                &reference,
                "-f",
                "json",
                "--db-warn-age",
                "10000",
            ],
        );
        assert_eq!(remote.code, Some(0), "{}", remote.stderr);
        let (local, remote): (Value, Value) = (
            serde_json::from_str(&local.stdout).unwrap(),
            serde_json::from_str(&remote.stdout).unwrap(),
        );
        assert!(
            !finding_keys(&local).is_empty(),
            "{tag}: the data has advisories for it"
        );
        assert_eq!(finding_keys(&local), finding_keys(&remote), "{tag}");
        assert_eq!(
            local["image"]["manifest_digest"],
            remote["image"]["manifest_digest"]
        );

        // The same gate, the same exit code, for a threshold that fails and one that passes.
        let worst = ["Critical", "High", "Medium", "Low"]
            .into_iter()
            .find(|s| local["summary"]["by_severity"][*s].as_u64().unwrap_or(0) > 0)
            .expect("a finding with a severity");
        for (threshold, code) in [
            (worst, 1),
            ("critical", if worst == "Critical" { 1 } else { 0 }),
        ] {
            let threshold = threshold.to_ascii_lowercase();
            let local = cli(
                home.path(),
                &[],
                &[
                    "image",
                    "scan",
                    &reference,
                    "--offline",
                    "--fail-on",
                    &threshold,
                    "-q",
                ],
            );
            let remote = cli(
                home.path(),
                &remote_env,
                &["image", "scan", &reference, "--fail-on", &threshold, "-q"],
            );
            assert_eq!(
                local.code,
                Some(code),
                "{tag} --fail-on {threshold}: {}",
                local.stderr
            );
            assert_eq!(
                remote.code,
                Some(code),
                "{tag} --fail-on {threshold}: {}",
                remote.stderr
            );
            assert_eq!(local.stdout, remote.stdout, "the same table");
        }
    }

    // --local-index: a local image indexed here, matched by the server.
    let source = format!("oci-dir:{}", layout("bookworm-python").display());
    let local = cli(
        home.path(),
        &[],
        &["image", "scan", &source, "-f", "json", "--offline"],
    );
    let remote = cli(
        home.path(),
        &remote_env,
        &["image", "scan", &source, "-f", "json", "--local-index"],
    );
    assert_eq!(remote.code, Some(0), "{}", remote.stderr);
    let (local, remote): (Value, Value) = (
        serde_json::from_str(&local.stdout).unwrap(),
        serde_json::from_str(&remote.stdout).unwrap(),
    );
    assert_eq!(finding_keys(&local), finding_keys(&remote));
    // Without --local-index the server refuses a path on its own disk.
    let refused = cli(home.path(), &remote_env, &["image", "scan", &source]);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("--local-index"),
        "{}",
        refused.stderr
    );

    // Every format of the scan command, from history.
    let digest = remote["image"]["manifest_digest"]
        .as_str()
        .map(str::to_owned);
    let python = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", server.url),
        Some(&token),
        Some(
            json!({"image": image("python:latest")})
                .to_string()
                .as_bytes(),
        ),
    )
    .json();
    let digest = python["manifest_digest"]
        .as_str()
        .unwrap_or_else(|| panic!("{python} {digest:?}"));
    for format in [
        "json",
        "table",
        "sarif",
        "cyclonedx-json",
        "spdx-json",
        "junit",
        "trivy-json",
    ] {
        let answer = request(
            "GET",
            &format!(
                "{}/api/v1/images/{digest}/report?format={format}",
                server.url
            ),
            Some(&token),
            None,
        );
        assert_eq!(answer.status, 200, "{format}: {}", answer.text());
        if format.ends_with("json") || format == "sarif" {
            let value = answer.json();
            assert!(value.is_object(), "{format}");
        }
        if format == "cyclonedx-json" {
            assert_eq!(answer.json()["bomFormat"], "CycloneDX");
            assert!(
                answer.json()["components"]
                    .as_array()
                    .is_some_and(|c| !c.is_empty()),
                "SBOM formats list the packages"
            );
        }
        if format == "junit" {
            assert!(answer.text().starts_with("<?xml"), "{}", answer.text());
        }
    }
    let bad = request(
        "GET",
        &format!("{}/api/v1/images/{digest}/report?format=pdf", server.url),
        Some(&token),
        None,
    );
    assert_eq!(bad.status, 400);
}

/// (method, path, body, resource, write) of every authenticated endpoint. The
/// bodies are invalid on purpose where the endpoint would do real work: the
/// role is checked before the body is read.
fn endpoints() -> Vec<(
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    bool,
)> {
    vec![
        ("GET", "/api/v1/whoami", None, "", false),
        ("POST", "/api/v1/scans", Some("{}"), "scans", true),
        ("GET", "/api/v1/scans/999999", None, "reports", false),
        (
            "POST",
            "/api/v1/match",
            Some("not an inventory"),
            "scans",
            true,
        ),
        ("GET", "/api/v1/images", None, "reports", false),
        (
            "GET",
            "/api/v1/images/sha256:0000/report",
            None,
            "reports",
            false,
        ),
        (
            "DELETE",
            "/api/v1/images/sha256:0000",
            None,
            "reports",
            true,
        ),
        ("GET", "/api/v1/db", None, "db", false),
        ("POST", "/api/v1/db/update", None, "db", true),
        ("GET", "/api/v1/tokens", None, "tokens", false),
        (
            "POST",
            "/api/v1/tokens",
            Some("{\"name\": \"x\"}"),
            "tokens",
            true,
        ),
        ("DELETE", "/api/v1/tokens/nobody", None, "tokens", true),
        ("GET", "/api/v1/policies", None, "policies", false),
        (
            "PUT",
            "/api/v1/policies",
            Some("policies: [{unknown: 1}]"),
            "policies",
            true,
        ),
        ("POST", "/api/v1/checks", Some("{}"), "scans", true),
    ]
}

#[test]
fn every_endpoint_checks_the_role() {
    let dir = data_dir();
    let server = server(dir.path(), &[]);
    // docs/server-api.md: the permission table.
    let table: BTreeMap<&str, [&str; 3]> = [
        ("scans", ["rw", "-", "rw"]),
        ("reports", ["rw", "r", "r"]),
        ("policies", ["rw", "r", "r"]),
        ("db", ["rw", "r", "r"]),
        ("tokens", ["rw", "-", "-"]),
    ]
    .into_iter()
    .collect();
    let roles = ["admin", "analyst", "ci"];
    let tokens: Vec<String> = roles
        .iter()
        .map(|r| create_token(dir.path(), &format!("t-{r}"), r, &[]))
        .collect();
    let revoked = create_token(dir.path(), "gone", "admin", &[]);
    let revoke = strata_command(dir.path())
        .args(["server", "token", "revoke", "gone", "--data-dir"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(revoke.success());

    for (method, path, body, resource, write) in endpoints() {
        let url = format!("{}{path}", server.url);
        let body = body.map(str::as_bytes);
        for token in [None, Some("strata_not-a-token"), Some(revoked.as_str())] {
            let answer = request(method, &url, token, body);
            assert_eq!(answer.status, 401, "{method} {path} with {token:?}");
            assert!(answer.headers.contains_key("www-authenticate"));
            assert_eq!(answer.json()["error"]["code"], "unauthorized");
        }
        for (i, role) in roles.iter().enumerate() {
            let allowed = resource.is_empty() || {
                let access = table[resource][i];
                if write { access == "rw" } else { access != "-" }
            };
            let answer = request(method, &url, Some(&tokens[i]), body);
            if allowed {
                assert!(
                    ![401, 403].contains(&answer.status),
                    "{role} {method} {path}: {} {}",
                    answer.status,
                    answer.text()
                );
            } else {
                assert_eq!(
                    answer.status,
                    403,
                    "{role} {method} {path}: {}",
                    answer.text()
                );
                assert_eq!(answer.json()["error"]["code"], "forbidden");
            }
        }
    }
    // Past 30 failures a minute from one address: 429, while valid tokens still work.
    let last = (0..40)
        .map(|_| {
            request(
                "GET",
                &format!("{}/api/v1/whoami", server.url),
                Some("strata_guess"),
                None,
            )
        })
        .next_back()
        .unwrap();
    assert_eq!(last.status, 429, "{}", last.text());
    assert!(last.headers.contains_key("retry-after"));
    assert_eq!(
        get(&format!("{}/api/v1/whoami", server.url), Some(&tokens[0])).0,
        200
    );
    // The failed attempts are logged, the presented secrets never.
    let log = server.log_text();
    assert!(log.contains("authentication failed"), "{log}");
    assert!(
        !log.contains("strata_not-a-token") && !log.contains(&revoked),
        "{log}"
    );
    for token in &tokens {
        assert!(!log.contains(token.as_str()));
    }
    // Bodies over the limit: 413 in the API's error shape.
    let big = vec![b' '; 2 << 20];
    let answer = request(
        "POST",
        &format!("{}/api/v1/scans", server.url),
        Some(&tokens[0]),
        Some(&big),
    );
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"]["code"], "payload_too_large");
    let answer = request(
        "POST",
        &format!("{}/api/v1/match", server.url),
        Some(&tokens[0]),
        Some(&big),
    );
    assert_eq!(
        answer.status,
        400,
        "2 MiB is within /match's limit: {}",
        answer.text()
    );
    // No-auth endpoints.
    assert_eq!(get(&format!("{}/healthz", server.url), None).0, 200);
    let metrics = request("GET", &format!("{}/metrics", server.url), None, None).text();
    assert!(metrics.contains("strata_auth_failures_total "), "{metrics}");
    assert!(metrics.contains("strata_db_ready 1"), "{metrics}");
    let openapi = request(
        "GET",
        &format!("{}/api/v1/openapi.json", server.url),
        None,
        None,
    )
    .json();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    for (_, path, ..) in endpoints() {
        let templated = path
            .replace("999999", "{id}")
            .replace("sha256:0000", "{digest}")
            .replace("nobody", "{name}");
        let templated = templated.trim_start_matches("/api/v1");
        assert!(
            openapi["paths"].get(templated).is_some(),
            "openapi documents {templated}"
        );
    }
}

#[test]
fn concurrent_requests_share_scans_and_lose_none() {
    let dir = data_dir();
    let server = server(dir.path(), &["--workers", "2"]);
    let token = create_token(dir.path(), "ci", "ci", &[]);
    let tags: Vec<&str> = PUSHED.iter().map(|p| p.1).collect();
    let registry = registry(&tags);
    let image = |tag: &str| format!("{}/{tag}", registry.host);
    let started = Instant::now();
    let answers: Vec<(String, u16, Value)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..100)
            .map(|i| {
                let tag = PUSHED[i % PUSHED.len()].1;
                let (url, token, image) = (&server.url, &token, &image);
                scope.spawn(move || {
                    let body = json!({"image": image(tag)}).to_string();
                    let answer = request(
                        "POST",
                        &format!("{url}/api/v1/scans?wait=true"),
                        Some(token),
                        Some(body.as_bytes()),
                    );
                    (
                        tag.to_owned(),
                        answer.status,
                        serde_json::from_slice(&answer.body).unwrap_or(Value::Null),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        started.elapsed() < Duration::from_secs(600),
        "took {:?}",
        started.elapsed()
    );
    let mut ids: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for (tag, status, scan) in &answers {
        assert_eq!(*status, 200, "{tag}: {scan}");
        assert_eq!(scan["status"], "done", "{tag}");
        assert!(
            scan["report"]["findings"].is_array(),
            "{tag}: the report comes with the answer"
        );
        ids.entry(tag.clone())
            .or_default()
            .insert(scan["id"].as_i64().unwrap());
    }
    // One scan per distinct manifest, shared by every request for it.
    assert_eq!(ids.len(), PUSHED.len());
    for (tag, set) in &ids {
        assert_eq!(set.len(), 1, "{tag}: {set:?}");
    }
    let all: BTreeSet<i64> = ids.values().flatten().copied().collect();
    assert_eq!(all.len(), PUSHED.len(), "no two images share a scan");
    let (status, history) = get(&format!("{}/api/v1/images", server.url), Some(&token));
    assert_eq!(status, 200);
    assert_eq!(history.as_array().unwrap().len(), PUSHED.len(), "{history}");
    let metrics = request("GET", &format!("{}/metrics", server.url), None, None).text();
    assert!(
        metrics.contains(&format!(
            "strata_scans_total{{outcome=\"done\"}} {}",
            PUSHED.len()
        )),
        "{metrics}"
    );

    // A warm request is answered from history; `force` scans again (its layers from the cache).
    let body = json!({"image": image("python:latest")}).to_string();
    let warm = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", server.url),
        Some(&token),
        Some(body.as_bytes()),
    )
    .json();
    assert_eq!(warm["cached"], true);
    assert_eq!(warm["id"].as_i64(), ids["python:latest"].first().copied());
    let body = json!({"image": image("python:latest"), "force": true}).to_string();
    let forced = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", server.url),
        Some(&token),
        Some(body.as_bytes()),
    )
    .json();
    assert_eq!(forced["cached"], false);
    assert_ne!(forced["id"], warm["id"]);
    assert_eq!(
        finding_keys(&forced["report"]),
        finding_keys(&warm["report"])
    );
}

#[test]
fn a_full_queue_answers_429_with_retry_after() {
    let dir = data_dir();
    let server = server(dir.path(), &["--workers", "1", "--queue", "0"]);
    let token = create_token(dir.path(), "ci", "ci", &[]);
    let registry = registry(&["java:latest", "node:latest"]);
    let image = |tag: &str| format!("{}/{tag}", registry.host);
    let first = json!({"image": image("java:latest")}).to_string();
    let answer = request(
        "POST",
        &format!("{}/api/v1/scans", server.url),
        Some(&token),
        Some(first.as_bytes()),
    );
    assert_eq!(answer.status, 202, "{}", answer.text());
    let id = answer.json()["id"].as_i64().unwrap();
    let second = json!({"image": image("node:latest")}).to_string();
    let busy = request(
        "POST",
        &format!("{}/api/v1/scans", server.url),
        Some(&token),
        Some(second.as_bytes()),
    );
    let (status, scan) = get(&format!("{}/api/v1/scans/{id}", server.url), Some(&token));
    assert_eq!(status, 200);
    // Only meaningful while the first scan still runs (a cold Java image takes seconds).
    if scan["status"] == "running" || scan["status"] == "queued" {
        assert_eq!(busy.status, 429, "{}", busy.text());
        assert!(busy.headers.contains_key("retry-after"));
        assert_eq!(busy.json()["error"]["code"], "too_many_requests");
    }
    // The same image joins the running scan instead of being refused.
    let joined = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", server.url),
        Some(&token),
        Some(first.as_bytes()),
    );
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(joined.json()["id"].as_i64(), Some(id));
}

#[test]
fn history_and_tokens_survive_a_restart_and_unfinished_scans_are_reported_failed() {
    let dir = data_dir();
    let mut first = server(dir.path(), &[]);
    let admin = create_token(dir.path(), "admin", "admin", &[]);
    let registry = registry(&["debian:latest", "java:latest"]);
    let image = |tag: &str| format!("{}/{tag}", registry.host);
    // A token made through the API.
    let made = request(
        "POST",
        &format!("{}/api/v1/tokens", first.url),
        Some(&admin),
        Some(br#"{"name": "ci-pipeline", "role": "ci", "expires_in_days": 90}"#),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let ci = made.json()["token"].as_str().unwrap().to_owned();
    let done = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", first.url),
        Some(&ci),
        Some(
            json!({"image": image("debian:latest")})
                .to_string()
                .as_bytes(),
        ),
    )
    .json();
    assert_eq!(done["status"], "done");
    // A scan in flight when the server dies.
    let running = request(
        "POST",
        &format!("{}/api/v1/scans", first.url),
        Some(&ci),
        Some(
            json!({"image": image("java:latest")})
                .to_string()
                .as_bytes(),
        ),
    )
    .json();
    first.kill();

    let second = server(dir.path(), &[]);
    let (status, who) = get(&format!("{}/api/v1/whoami", second.url), Some(&ci));
    assert_eq!(status, 200);
    assert_eq!(who["name"], "ci-pipeline");
    let (_, history) = get(&format!("{}/api/v1/images", second.url), Some(&ci));
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["scan_id"] == done["id"]),
        "{history}"
    );
    let (_, scan) = get(
        &format!("{}/api/v1/scans/{}", second.url, running["id"]),
        Some(&ci),
    );
    if scan["status"] != "done" {
        assert_eq!(scan["status"], "failed", "{scan}");
        assert!(
            scan["error"].as_str().unwrap().contains("request it again"),
            "{scan}"
        );
    }
    // Revoked through the API: refused at once.
    let revoke = request(
        "DELETE",
        &format!("{}/api/v1/tokens/ci-pipeline", second.url),
        Some(&admin),
        None,
    );
    assert_eq!(revoke.status, 204);
    assert_eq!(
        get(&format!("{}/api/v1/whoami", second.url), Some(&ci)).0,
        401
    );
}

#[test]
fn without_a_database_the_server_is_not_ready_and_never_answers_clean() {
    let dir = tempfile::tempdir().unwrap();
    // Feeds that cannot be reached, and no bundled fallback.
    let mut server = Server::start(
        dir.path(),
        &[
            "--mirror",
            "http://127.0.0.1:9/",
            "--db-sources",
            "debian",
            "--feed-timeout",
            "1",
            "--no-bundled-db",
        ],
    );
    let token = create_token(dir.path(), "ci", "ci", &[]);
    assert_eq!(get(&format!("{}/readyz", server.url), None).0, 503);
    // Refused before the registry is even asked.
    let image = "127.0.0.1:9/debian:latest";
    let answer = request(
        "POST",
        &format!("{}/api/v1/scans?wait=true", server.url),
        Some(&token),
        Some(json!({"image": image}).to_string().as_bytes()),
    );
    assert_eq!(answer.status, 503, "{}", answer.text());
    assert_eq!(answer.json()["error"]["code"], "db_not_ready");
    assert!(answer.headers.contains_key("retry-after"));
    let home = tempfile::tempdir().unwrap();
    let run = cli(
        home.path(),
        &[
            ("STRATA_ENDPOINT", &server.url),
            ("STRATA_API_TOKEN", &token),
        ],
        &["image", "scan", image],
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("not loaded") || run.stderr.contains("not ready"),
        "{}",
        run.stderr
    );
    // SIGTERM: a clean stop, exit 0.
    assert_eq!(server.terminate(), Some(0), "{}", server.log_text());
}

#[test]
fn tls_and_per_scan_registry_credentials_that_are_never_kept() {
    let w = world();
    let secure = TestRegistry::start(Auth::Basic);
    secure.push(
        &layout("debian-bookworm"),
        "private/debian:latest",
        false,
        false,
    );
    let tls = secure.tls.as_ref().unwrap();
    let dir = data_dir();
    // The registry's own certificate pair serves the API too (it is for 127.0.0.1).
    let server = Server::start(
        dir.path(),
        &[
            "--mirror",
            w.feeds.url.as_str(),
            "--db-sources",
            SOURCES,
            "--update-interval",
            "0",
            "--tls-cert",
            tls.cert.to_str().unwrap(),
            "--tls-key",
            tls.key.to_str().unwrap(),
            "--ca-cert",
            tls.ca.to_str().unwrap(),
        ],
    );
    server.wait_ready_with(
        &server_support::client(Some(&tls.ca)),
        Duration::from_secs(60),
    );
    assert!(server.url.starts_with("https://"));
    let token = create_token(dir.path(), "ci", "ci", &[]);
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("STRATA_ENDPOINT", server.url.as_str()),
        ("STRATA_API_TOKEN", token.as_str()),
    ];
    let untrusted = cli(home.path(), &env, &["whoami"]);
    assert_eq!(untrusted.code, Some(2), "an unknown CA is refused");
    let ca = tls.ca.to_str().unwrap();
    let trusted = cli(home.path(), &env, &["whoami", "--server-ca-cert", ca]);
    assert_eq!(trusted.code, Some(0), "{}", trusted.stderr);

    let private = format!("{}/private/debian:latest", secure.host);
    let without = cli(
        home.path(),
        &env,
        &["image", "scan", &private, "--server-ca-cert", ca],
    );
    assert_eq!(
        without.code,
        Some(2),
        "the server has no credentials of its own"
    );
    let with = cli(
        home.path(),
        &env,
        &[
            "image",
            "scan",
            &private,
            "--server-ca-cert",
            ca,
            "-f",
            "json",
            "--username",
            registry::USER,
            "--password",
            registry::PASSWORD,
        ],
    );
    assert_eq!(with.code, Some(0), "{}", with.stderr);
    assert!(!finding_keys(&serde_json::from_str(&with.stdout).unwrap()).is_empty());
    // Neither the log nor the state holds the password or the API token.
    drop(server);
    let mut kept = std::fs::read(dir.path().join("server.db")).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file()
            && path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("server.db-")
        {
            kept.extend(std::fs::read(&path).unwrap());
        }
    }
    for secret in [registry::PASSWORD, token.as_str()] {
        assert!(
            !kept.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} stored"
        );
    }
    let logs: String = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(!logs.contains(registry::PASSWORD) && !logs.contains(&token));
}

/// The address the server's Clair v1 API listens on (from its log).
fn clair_addr(server: &Server) -> String {
    let log = server.log_text();
    let line = log
        .lines()
        .find(|l| l.contains("Clair v1 API listening"))
        .unwrap_or_else(|| panic!("{log}"));
    line.split("addr=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn klar_gets_the_same_answer_from_a_running_servers_clair_api() {
    let dir = data_dir();
    let server = server(dir.path(), &["--clair-v1-listen", "127.0.0.1:0"]);
    let clair = clair_addr(&server);
    let registry = registry(&["python:latest"]);
    let reference = format!("{}/python:latest", registry.host);
    let home = local_home();
    let klar = |env: &[(&str, &str)]| {
        let mut all = vec![("STRATA_SKIP_DB_UPDATE", "true"), ("JSON_OUTPUT", "true")];
        all.extend_from_slice(env);
        cli(home.path(), &all, &["klar", &reference])
    };
    let local = klar(&[]);
    let remote = klar(&[("CLAIR_ADDR", &format!("http://{clair}"))]);
    assert_eq!(
        local.code,
        Some(1),
        "the image has vulnerabilities over threshold 0: {}",
        local.stderr
    );
    assert_eq!(remote.code, local.code, "{}", remote.stderr);
    assert_eq!(remote.stdout, local.stdout);
    drop(server);

    // Limited to other networks: this client is refused, and Klar says so.
    let dir = data_dir();
    let limited = self::server(
        dir.path(),
        &[
            "--clair-v1-listen",
            "127.0.0.1:0",
            "--clair-v1-allow",
            "10.0.0.0/8",
        ],
    );
    let refused = klar(&[("CLAIR_ADDR", &format!("http://{}", clair_addr(&limited)))]);
    assert_eq!(refused.code, Some(2), "{}", refused.stderr);
    let bad = strata_command(dir.path())
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--update-interval",
            "0",
            "--clair-v1-listen",
            "127.0.0.1:0",
        ])
        .args(["--clair-v1-allow", "not-a-net", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--clair-v1-allow \"not-a-net\""),
        "{bad:?}"
    );
}

const LOG4SHELL: &str = "Log4Shell/Spring4Shell/Text4Shell";

fn violated(result: &Value) -> BTreeSet<String> {
    result["policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["violated"] == true)
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_server_holds_the_policies_and_checks_images_against_them() {
    let dir = data_dir();
    let server = server(dir.path(), &[]);
    let (admin, ci) = (
        create_token(dir.path(), "admin", "admin", &[]),
        create_token(dir.path(), "ci", "ci", &[]),
    );
    let registry = registry(&["java:latest", "debian:latest"]);
    let java = format!("{}/java:latest", registry.host);
    let url = |path: &str| format!("{}/api/v1/{path}", server.url);

    // Until an admin sets some, the server's policies are Strata's defaults.
    let (status, policies) = get(&url("policies"), Some(&ci));
    assert_eq!(status, 200);
    assert_eq!(policies["custom"], false);
    assert!(
        policies["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == LOG4SHELL),
        "{policies}"
    );

    // `image check --endpoint`: the server scans, its policies apply, the exit code gates.
    let home = local_home();
    let env = [
        ("STRATA_ENDPOINT", server.url.as_str()),
        ("STRATA_API_TOKEN", ci.as_str()),
    ];
    let remote = cli(
        home.path(),
        &env,
        &[
            "image",
            "check",
            &java,
            "-f",
            "json",
            "--db-warn-age",
            "100000",
        ],
    );
    assert_eq!(remote.code, Some(1), "{}", remote.stderr);
    assert!(
        remote.stderr.contains(LOG4SHELL),
        "the message names the policy: {}",
        remote.stderr
    );
    let remote: Value = serde_json::from_str(&remote.stdout).unwrap();
    let local = cli(
        home.path(),
        &[],
        &[
            "image",
            "check",
            &java,
            "-f",
            "json",
            "--offline",
            "--db-warn-age",
            "100000",
        ],
    );
    assert_eq!(local.code, Some(1), "{}", local.stderr);
    let local: Value = serde_json::from_str(&local.stdout).unwrap();
    assert!(violated(&local).contains(LOG4SHELL));
    assert_eq!(violated(&remote), violated(&local));
    // And the API's own check gives the same verdict.
    let body = json!({"image": java, "categories": []}).to_string();
    let checked = request("POST", &url("checks"), Some(&ci), Some(body.as_bytes()));
    assert_eq!(checked.status, 200, "{}", checked.text());
    assert_eq!(checked.json()["passed"], false);
    assert_eq!(violated(&checked.json()), violated(&local));

    // A bad policy file is refused with where and why, and the previous set stays.
    let bad = "policies:\n  - name: Only warn\n    enforcement: warn\n    criteria:\n      severity_at_leest: low\n";
    let refused = request("PUT", &url("policies"), Some(&admin), Some(bad.as_bytes()));
    assert_eq!(refused.status, 400);
    let message = refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("request body:5") && message.contains("severity_at_leest"),
        "{message}"
    );
    assert_eq!(get(&url("policies"), Some(&ci)).1["custom"], false);
    assert_eq!(
        request("PUT", &url("policies"), Some(&ci), Some(bad.as_bytes())).status,
        403
    );

    // The organisation's own policies: only a warning for root images.
    let only_warn = "policies:\n  - name: Runs as root\n    severity: low\n    enforcement: warn\n    remediation: Set USER.\n    criteria:\n      runs_as_root: true\n";
    let put = request(
        "PUT",
        &url("policies"),
        Some(&admin),
        Some(only_warn.as_bytes()),
    );
    assert_eq!(put.status, 200, "{}", put.text());
    let (_, now) = get(&url("policies"), Some(&ci));
    assert_eq!(
        (now["custom"].clone(), now["names"].clone()),
        (json!(true), json!(["Runs as root"]))
    );
    let passing = cli(
        home.path(),
        &env,
        &["image", "check", &java, "--db-warn-age", "100000"],
    );
    assert_eq!(passing.code, Some(0), "{}", passing.stderr);
    // --local-index: indexed here, matched there, the server's policies still apply.
    let source = format!("oci-dir:{}", layout("bookworm-java").display());
    let indexed = cli(
        home.path(),
        &env,
        &[
            "image",
            "check",
            &source,
            "--local-index",
            "-f",
            "json",
            "--db-warn-age",
            "100000",
        ],
    );
    assert_eq!(indexed.code, Some(0), "{}", indexed.stderr);
    let indexed: Value = serde_json::from_str(&indexed.stdout).unwrap();
    assert_eq!(indexed["policies"].as_array().unwrap().len(), 1);
    // A local --policy file overrides the server's set.
    let policy = home.path().join("log4shell.yaml");
    std::fs::write(&policy, format!("policies:\n  - name: {LOG4SHELL}\n    severity: critical\n    enforcement: fail\n    criteria:\n      cves: [CVE-2021-44228, CVE-2021-45046, CVE-2022-22965, CVE-2022-42889]\n")).unwrap();
    let own = cli(
        home.path(),
        &env,
        &[
            "image",
            "check",
            &java,
            "--policy",
            policy.to_str().unwrap(),
            "--db-warn-age",
            "100000",
        ],
    );
    assert_eq!(own.code, Some(1), "{}", own.stderr);
}
