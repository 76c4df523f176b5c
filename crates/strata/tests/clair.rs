//! The Clair v1 API (`strata_server::clair`) and `strata klar` with
//! `CLAIR_ADDR`, end to end: the service on a loopback port over a data dir
//! whose vulnerability DB is the bundle built from `../shared/data` (the one
//! `--offline` scans use), a real registry with token auth holding a test
//! image, and a client that sends exactly Klar's requests (written from Klar
//! 2.x's `clair/api.go`, `clair/clair.go` and `docker/docker.go`: Go's
//! request headers, Klar's bodies, its order, its layer names).
//!
//! The oracle of record is `strata image scan -f json` of the same image with
//! the same DB; Debian's tracker data and the image's history lines give
//! spot checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../strata-image/tests/support/registry.rs"]
mod registry;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use strata_image::registry::{Credentials, Registry, RegistryOptions, Secret};
use strata_image::{ImageRef, Limits};
use strata_match::ScanReport;
use strata_report::clair::api::{self, LayerEnvelope};
use strata_server::clair::{ClairConfig, Service};

// ---------------------------------------------------------------------------
// Where things are

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

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared"))
        .find(|d| d.join("data/feeds").is_dir())
        .expect("../shared/data/feeds not found")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A data dir whose DB is the bundle `--offline` scans import.
fn data_dir_with_db() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bundle = repo().join("data/strata-db.bundle");
    strata_vulndb::bundle::import(
        std::fs::File::open(&bundle).unwrap(),
        &bundle,
        &dir.path().join("db/vuln.db"),
        None,
        strata_vulndb::bundle::ImportLimits::default(),
    )
    .unwrap();
    dir
}

// ---------------------------------------------------------------------------
// The service on loopback

/// Serves the Clair routes on a fresh loopback port as the server does (with
/// the peers' addresses); returns `127.0.0.1:PORT`.
fn serve(data_dir: &Path, config: ClairConfig) -> String {
    let service = Arc::new(Service::with_config(data_dir, config).unwrap());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = strata_server::clair::router(service)
                .into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr.to_string()
}

// ---------------------------------------------------------------------------
// A Klar-shaped client: Go's net/http on the wire, Klar's bodies

struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// Clair's error body, after checking its shape.
    fn error_message(&self) -> String {
        let value = self.json();
        let object = value.as_object().unwrap();
        assert_eq!(
            object.keys().collect::<Vec<_>>(),
            ["Error"],
            "{}",
            self.body
        );
        let error = object["Error"].as_object().unwrap();
        assert_eq!(
            error.keys().collect::<Vec<_>>(),
            ["Message"],
            "{}",
            self.body
        );
        error["Message"].as_str().unwrap().to_owned()
    }
}

/// One request as Go's `http.Client` writes it (Klar sets only
/// `Content-Type`; Go adds `Host`, `User-Agent`, `Content-Length` and
/// `Accept-Encoding: gzip`).
fn go_request(addr: &str, method: &str, path: &str, body: Option<&str>) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: Go-http-client/1.1\r\n");
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Length: {}\r\nContent-Type: application/json\r\n",
            body.len()
        ));
    }
    request.push_str("Accept-Encoding: gzip\r\n\r\n");
    request.push_str(body.unwrap_or_default());
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let (mut length, mut content_type) = (0usize, String::new());
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "content-type" => content_type = value.trim().to_owned(),
            "transfer-encoding" => panic!("chunked answers are not expected"),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Reply {
        status,
        content_type,
        body: String::from_utf8(body).unwrap(),
    }
}

/// Klar's `pushLayer`: `POST /v1/layers` with its `layerEnvelope` as
/// `json.Marshal` writes it (field order of `clair.layer`, no omitempty).
fn klar_push(addr: &str, name: &str, path: &str, parent: &str, authorization: &str) -> Reply {
    let s = |v: &str| serde_json::to_string(v).unwrap();
    let body = format!(
        "{{\"Layer\":{{\"Name\":{},\"Path\":{},\"ParentName\":{},\"Format\":\"Docker\",\"Features\":null,\"Headers\":{{\"Authorization\":{}}}}}}}",
        s(name),
        s(path),
        s(parent),
        s(authorization)
    );
    go_request(addr, "POST", "/v1/layers", Some(&body))
}

/// Klar's `Analyze`: `GET /v1/layers/{name}?vulnerabilities`.
fn klar_analyze(addr: &str, name: &str) -> Reply {
    go_request(
        addr,
        "GET",
        &format!("/v1/layers/{name}?vulnerabilities"),
        None,
    )
}

// ---------------------------------------------------------------------------
// The image in a registry, as Klar sees it

struct KlarView {
    /// Klar's layer names (config hex + blob hex), base first.
    names: Vec<String>,
    /// The blob URLs (Klar's `Path`).
    paths: Vec<String>,
    /// The pull's Authorization (Klar's `image.Token`).
    authorization: String,
    /// The config blob's URL (a blob that is not a layer).
    config_path: String,
}

fn klar_view(registry: &registry::TestRegistry, repo_tag: &str) -> KlarView {
    let client = Registry::new(RegistryOptions {
        credentials: Some(Credentials::Basic {
            username: registry::USER.into(),
            password: Secret::new(registry::PASSWORD),
        }),
        ..RegistryOptions::default()
    })
    .unwrap();
    let reference = ImageRef::parse(&format!("{}/{repo_tag}", registry.host)).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let image = runtime
        .block_on(strata_image::pull::open(
            &client,
            &reference,
            None,
            &Limits::default(),
            cache.path(),
        ))
        .unwrap();
    let config = image.config_digest.clone().unwrap();
    let digests: Vec<_> = image
        .layers
        .iter()
        .map(|l| l.digest.clone().unwrap())
        .collect();
    assert!(
        digests
            .iter()
            .all(|d| d.to_string() != api::EMPTY_LAYER_BLOB_SUM),
        "Klar would skip an empty layer"
    );
    KlarView {
        names: digests
            .iter()
            .map(|d| api::layer_name(&config.to_string(), &d.to_string()))
            .collect(),
        paths: digests
            .iter()
            .map(|d| client.blob_url(&reference, d))
            .collect(),
        authorization: client
            .pull_authorization(&reference)
            .unwrap()
            .expose()
            .to_owned(),
        config_path: client.blob_url(&reference, &config),
    }
}

// ---------------------------------------------------------------------------
// The binary

fn strata_command(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("STRATA_")
            || key.starts_with("CLAIR_")
            || key.starts_with("DOCKER_")
            || matches!(
                key.as_ref(),
                "JSON_OUTPUT"
                    | "FORMAT_OUTPUT"
                    | "WHITELIST_FILE"
                    | "IGNORE_UNFIXED"
                    | "KLAR_TRACE"
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

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head: String = self.stdout.chars().take(3000).collect();
        write!(
            f,
            "exit {:?}\nstderr:\n{}\nstdout:\n{head}",
            self.code, self.stderr
        )
    }
}

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `strata image scan IMAGE -f json --offline`: the oracle.
fn scan_report(image: &str) -> ScanReport {
    let cache = tempfile::tempdir().unwrap();
    let out =
        run(strata_command(cache.path()).args(["image", "scan", image, "-f", "json", "--offline"]));
    assert_eq!(out.code, Some(0), "{out}");
    serde_json::from_str(&out.stdout).unwrap()
}

// ---------------------------------------------------------------------------
// Debian's tracker, for spot checks

/// glibc's bookworm entries in the tracker data the bundle is built from.
fn glibc_bookworm_affecting(version: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let files = [
        repo().join("test-data/feeds/debian-tracker-minbase.json"),
        shared().join("data/feeds/debian/tracker-json/glvd-subset-vim-glibc.json"),
        shared().join("data/feeds/debian/tracker-json/vunnel-subset-debian.json"),
    ];
    for file in files {
        let tracker = read_json(&file);
        let Some(bugs) = tracker["glibc"].as_object() else {
            continue;
        };
        for (id, bug) in bugs {
            let Some(release) = bug["releases"].get("bookworm") else {
                continue;
            };
            let affected = match (
                release["status"].as_str(),
                release["fixed_version"].as_str(),
            ) {
                (Some("open"), _) => true,
                (Some("resolved"), Some(fixed)) => Command::new("dpkg")
                    .args(["--compare-versions", version, "lt", fixed])
                    .status()
                    .unwrap()
                    .success(),
                _ => false,
            };
            if affected {
                ids.insert(id.clone());
            }
        }
    }
    ids
}

// ---------------------------------------------------------------------------
// Tests

/// (feature, version, vulnerability, severity, fixed by, namespace), Klar's view.
type Row = (String, String, String, String, String, String);

fn rows(vulnerabilities: &[strata_report::clair::ClairVulnerability]) -> BTreeSet<Row> {
    vulnerabilities
        .iter()
        .map(|v| {
            (
                v.feature_name.clone(),
                v.feature_version.clone(),
                v.name.clone(),
                v.severity.as_str().to_owned(),
                v.fixed_by.clone(),
                v.namespace_name.clone(),
            )
        })
        .collect()
}

#[test]
fn klar_requests_get_the_scan_pipelines_findings() {
    let registry = registry::TestRegistry::start(registry::Auth::Token);
    registry.push(
        &images().join("oci/bookworm-python"),
        "klar/python:1",
        true,
        false,
    );
    let view = klar_view(&registry, "klar/python:1");
    let data = data_dir_with_db();
    let addr = serve(data.path(), ClairConfig::default());

    // Klar's Push: every layer in order, each naming the one before.
    for (i, (name, path)) in view.names.iter().zip(&view.paths).enumerate() {
        let parent = if i == 0 {
            ""
        } else {
            view.names[i - 1].as_str()
        };
        let reply = klar_push(&addr, name, path, parent, &view.authorization);
        assert_eq!(reply.status, 201, "layer {i}: {}", reply.body);
        assert_eq!(reply.content_type, "application/json;charset=utf-8");
        let layer = &reply.json()["Layer"];
        assert_eq!(layer["Name"], name.as_str());
        assert_eq!(layer["Path"], path.as_str());
        assert_eq!(layer["Format"], "Docker");
        assert_eq!(layer["IndexedByVersion"], 3);
        assert!(layer.get("Headers").is_none(), "credentials are not echoed");
    }

    // Klar's Analyze of the top layer.
    let top = view.names.last().unwrap();
    let reply = klar_analyze(&addr, top);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let envelope: LayerEnvelope = serde_json::from_str(&reply.body).unwrap();
    let layer = envelope.layer.unwrap();
    assert_eq!(&layer.name, top);
    assert_eq!(layer.parent_name, view.names[view.names.len() - 2]);
    assert_eq!(layer.namespace_name, "debian:12");
    // Only Clair's field names, nothing else.
    let raw = reply.json();
    for feature in raw["Layer"]["Features"].as_array().unwrap() {
        for key in feature.as_object().unwrap().keys() {
            assert!(
                [
                    "Name",
                    "NamespaceName",
                    "VersionFormat",
                    "Version",
                    "Vulnerabilities",
                    "AddedBy"
                ]
                .contains(&key.as_str()),
                "{key}"
            );
        }
        for v in feature["Vulnerabilities"].as_array().into_iter().flatten() {
            for key in v.as_object().unwrap().keys() {
                assert!(
                    [
                        "Name",
                        "NamespaceName",
                        "Description",
                        "Link",
                        "Severity",
                        "Metadata",
                        "FixedBy"
                    ]
                    .contains(&key.as_str()),
                    "{key}"
                );
            }
        }
    }

    // The oracle: the local scan of the same image with the same DB.
    let oci = format!("oci-dir:{}", images().join("oci/bookworm-python").display());
    let report = scan_report(&oci);
    assert!(!report.findings.is_empty());
    let expected = api::vulnerabilities_of(&api::features(&report, &view.names));
    let found = api::vulnerabilities_of(&layer.features);
    assert_eq!(rows(&found), rows(&expected));
    // Each feature added by the lowest layer that brought one of its packages,
    // as the image's inventory (`strata sbom -f json`) attributes them.
    let cache = tempfile::tempdir().unwrap();
    let sbom = run(strata_command(cache.path()).args(["sbom", &oci, "-f", "json"]));
    assert_eq!(sbom.code, Some(0), "{sbom}");
    let inventory: Value = serde_json::from_str(&sbom.stdout).unwrap();
    let mut lowest: BTreeMap<(String, String), usize> = BTreeMap::new();
    for package in inventory["packages"].as_array().unwrap() {
        let feature = strata_report::clair::feature_name(
            package["ecosystem"].as_str().unwrap(),
            package["name"].as_str().unwrap(),
            package["source_name"].as_str(),
        );
        let key = (feature, package["version"].as_str().unwrap().to_owned());
        let index = package["layer_index"].as_u64().unwrap() as usize;
        let entry = lowest.entry(key).or_insert(index);
        *entry = (*entry).min(index);
    }
    assert_eq!(
        layer.features.len(),
        lowest.len(),
        "one feature per (name, version)"
    );
    for feature in &layer.features {
        let index = lowest[&(feature.name.clone(), feature.version.clone())];
        assert_eq!(
            feature.added_by, view.names[index],
            "{} {}: added by layer {index}",
            feature.name, feature.version
        );
    }

    // Spot checks from the image's history and Debian's tracker.
    let find = |name: &str| layer.features.iter().find(|f| f.name == name);
    let glibc = find("glibc").expect("glibc (libc6's source) is a feature");
    assert_eq!(glibc.added_by, view.names[0], "debootstrap layer");
    assert_eq!(glibc.namespace_name, "debian:12");
    assert_eq!(glibc.version_format, "dpkg");
    let tracker = glibc_bookworm_affecting(&glibc.version);
    assert!(!tracker.is_empty());
    for v in &glibc.vulnerabilities {
        assert!(tracker.contains(&v.name), "{} not in the tracker", v.name);
        assert_eq!(v.namespace_name, "debian:12");
        assert!(
            ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"]
                .contains(&v.severity.as_str())
        );
    }
    let django = find("Django")
        .or_else(|| find("django"))
        .expect("django from the pip layer");
    assert_eq!(django.added_by, view.names[1], "pip install layer");
    assert!(
        !django.vulnerabilities.is_empty(),
        "django 2.2.0 is vulnerable"
    );
    // The third layer removed PyJWT (a whiteout): not a feature any more.
    assert!(
        layer
            .features
            .iter()
            .all(|f| !f.name.eq_ignore_ascii_case("pyjwt")),
        "whiteouts apply across the chain"
    );
    // Features without vulnerabilities are listed too (Clair lists them all).
    assert!(layer.features.iter().any(|f| f.vulnerabilities.is_empty()));

    // Features only: no vulnerabilities; neither: the bare layer.
    let reply = go_request(&addr, "GET", &format!("/v1/layers/{top}?features"), None);
    assert_eq!(reply.status, 200);
    let features = reply.json()["Layer"]["Features"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(features.len(), layer.features.len());
    assert!(features.iter().all(|f| f.get("Vulnerabilities").is_none()));
    let bare = go_request(&addr, "GET", &format!("/v1/layers/{}", view.names[0]), None);
    assert_eq!(bare.status, 200);
    assert!(bare.json()["Layer"].get("Features").is_none());
    assert!(
        bare.json()["Layer"].get("ParentName").is_none(),
        "base layer"
    );

    // A layer already stored is not fetched again (its Path is not read)...
    let again = klar_push(&addr, &view.names[0], "http://127.0.0.1:1/gone", "", "");
    assert_eq!(again.status, 201, "{}", again.body);
    // ...nor a blob already indexed under another name.
    let digest = view.paths[0].rsplit('/').next().unwrap();
    let alias = klar_push(
        &addr,
        "another-name",
        &format!("http://127.0.0.1:1/v2/x/blobs/{digest}"),
        "",
        "",
    );
    assert_eq!(alias.status, 201, "{}", alias.body);

    // Errors, with Clair's codes and body.
    let unknown = klar_analyze(&addr, "no-such-layer");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error_message(), "the resource cannot be found");
    let bad = go_request(&addr, "POST", "/v1/layers", Some("{\"Layer\":"));
    assert_eq!(bad.status, 400);
    assert!(!bad.error_message().is_empty());
    let empty = go_request(&addr, "POST", "/v1/layers", Some("{}"));
    assert_eq!(empty.status, 400);
    assert_eq!(empty.error_message(), "failed to provide layer");
    let orphan = klar_push(&addr, "orphan", &view.paths[0], "no-such-parent", "");
    assert_eq!(orphan.status, 400);
    assert_eq!(
        orphan.error_message(),
        "worker: parent layer is unknown, it must be processed first"
    );
    // Clair: a Path it cannot download is a bad request ("could not find layer")...
    let unreachable = klar_push(
        &addr,
        "unreachable",
        "http://127.0.0.1:1/v2/x/blobs/sha256:00",
        "",
        "",
    );
    assert_eq!(unreachable.status, 400);
    assert!(
        unreachable
            .error_message()
            .starts_with("could not find layer")
    );
    // ...and so is one the registry refuses without the credentials.
    let refused = klar_push(&addr, "refused", &view.config_path, "", "");
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.error_message().contains("401"), "{}", refused.body);
    // A blob that is no layer (the image config) cannot be extracted: 422.
    let not_a_layer = klar_push(&addr, "config", &view.config_path, "", &view.authorization);
    assert_eq!(not_a_layer.status, 422, "{}", not_a_layer.body);
    assert!(
        not_a_layer
            .error_message()
            .starts_with("tarutil: could not extract the archive")
    );

    // Namespaces of the DB.
    let namespaces = go_request(&addr, "GET", "/v1/namespaces", None);
    assert_eq!(namespaces.status, 200);
    let list = namespaces.json()["Namespaces"].as_array().unwrap().clone();
    assert!(
        list.contains(&serde_json::json!({"Name": "debian:12", "VersionFormat": "dpkg"})),
        "{list:?}"
    );

    // DELETE: 200 and no body; the layers above go too; then 404.
    let deleted = go_request(
        &addr,
        "DELETE",
        &format!("/v1/layers/{}", view.names[1]),
        None,
    );
    assert_eq!((deleted.status, deleted.body.as_str()), (200, ""));
    assert_eq!(
        klar_analyze(&addr, top).status,
        404,
        "the child went with it"
    );
    assert_eq!(klar_analyze(&addr, &view.names[0]).status, 200);
    let again = go_request(
        &addr,
        "DELETE",
        &format!("/v1/layers/{}", view.names[1]),
        None,
    );
    assert_eq!(again.status, 404);
    assert_eq!(again.error_message(), "the resource cannot be found");
}

#[test]
fn without_a_database_layers_are_stored_but_never_answered_clean() {
    let registry = registry::TestRegistry::start(registry::Auth::Token);
    registry.push(
        &images().join("oci/debian-bookworm"),
        "klar/debian:1",
        true,
        false,
    );
    let view = klar_view(&registry, "klar/debian:1");
    let data = tempfile::tempdir().unwrap();
    let addr = serve(data.path(), ClairConfig::default());
    let reply = klar_push(
        &addr,
        &view.names[0],
        &view.paths[0],
        "",
        &view.authorization,
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let analyzed = klar_analyze(&addr, &view.names[0]);
    assert_eq!(analyzed.status, 503);
    assert!(analyzed.error_message().contains("not ready"));
    assert_eq!(go_request(&addr, "GET", "/v1/namespaces", None).status, 503);
    // What needs no DB still works.
    let features = go_request(
        &addr,
        "GET",
        &format!("/v1/layers/{}?features", view.names[0]),
        None,
    );
    assert_eq!(features.status, 200);
    assert!(
        features.json()["Layer"]["Features"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );
}

#[test]
fn peers_outside_the_allowed_networks_are_refused() {
    let data = data_dir_with_db();
    let elsewhere = serve(
        data.path(),
        ClairConfig {
            allow: vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()],
            ..ClairConfig::default()
        },
    );
    for (method, path) in [
        ("GET", "/v1/namespaces"),
        ("GET", "/v1/layers/x?vulnerabilities"),
    ] {
        let reply = go_request(&elsewhere, method, path, None);
        assert_eq!(reply.status, 403);
        assert!(reply.error_message().contains("127.0.0.1"));
    }
    let refused = klar_push(&elsewhere, "n", "http://127.0.0.1:1/x", "", "");
    assert_eq!(refused.status, 403);

    let data = data_dir_with_db();
    let loopback = serve(
        data.path(),
        ClairConfig {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
            ..ClairConfig::default()
        },
    );
    assert_eq!(
        go_request(&loopback, "GET", "/v1/namespaces", None).status,
        200
    );
}

/// `strata klar` with `CLAIR_ADDR` prints what the local `strata klar` prints
/// for the same image and DB, and exits the same, in every format.
#[test]
fn strata_klar_against_the_clair_api_matches_local_klar() {
    let registry = registry::TestRegistry::start(registry::Auth::Token);
    registry.push(
        &images().join("oci/bookworm-python"),
        "klar/python:2",
        true,
        false,
    );
    let data = data_dir_with_db();
    let addr = serve(data.path(), ClairConfig::default());
    let image = format!("{}/klar/python:2", registry.host);
    let cache = tempfile::tempdir().unwrap();
    let klar = |clair: Option<&str>, extra: &[(&str, &str)]| {
        let mut command = strata_command(cache.path());
        command
            .args(["klar", &image])
            .env("STRATA_SKIP_DB_UPDATE", "true")
            .env("DOCKER_USER", registry::USER)
            .env("DOCKER_PASSWORD", registry::PASSWORD);
        if let Some(clair) = clair {
            command.env("CLAIR_ADDR", clair);
        }
        for (key, value) in extra {
            command.env(key, value);
        }
        run(&mut command)
    };
    let settings: [&[(&str, &str)]; 4] = [
        &[],
        &[("FORMAT_OUTPUT", "table")],
        &[("JSON_OUTPUT", "true")],
        &[("CLAIR_OUTPUT", "High"), ("CLAIR_THRESHOLD", "1000")],
    ];
    for extra in settings {
        let local = klar(None, extra);
        assert!(matches!(local.code, Some(0 | 1)), "{local}");
        assert!(local.stdout.contains("layers") || local.stdout.contains("LayerCount"));
        // Klar completes an address without scheme with http://.
        let remote = klar(Some(&addr), extra);
        assert_eq!(
            remote.code, local.code,
            "{extra:?}\nremote: {remote}\nlocal: {local}"
        );
        assert_eq!(remote.stdout, local.stdout, "{extra:?}");
        assert!(!remote.stderr.contains(registry::PASSWORD));
    }
    // The first run found vulnerabilities over the default threshold 0.
    assert_eq!(klar(Some(&addr), &[]).code, Some(1));

    // A Clair that cannot be reached: Klar's failure lines, exit 2.
    let down = klar(Some("127.0.0.1:1"), &[]);
    assert_eq!(down.code, Some(2), "{down}");
    assert!(
        down.stderr
            .contains("Failed to analyze using API v1: push image"),
        "{down}"
    );
    assert!(
        down.stderr.ends_with("Failed to analyze, exiting\n"),
        "{down}"
    );
    assert!(down.stdout.starts_with("Analysing 3 layers\n"), "{down}");
}
