//! `strata image inspect` through the real binary, on the real test images.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../strata-image/tests/support/registry.rs"]
mod registry;

use std::path::PathBuf;
use std::process::{Command, Output};

use registry::{Auth, PASSWORD, TestRegistry, USER};

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

fn strata(args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("STRATA_CACHE_DIR", cache.path())
        .env_remove("DOCKER_USER")
        .env_remove("DOCKER_PASSWORD")
        .env_remove("DOCKER_TOKEN")
        .env("DOCKER_CONFIG", cache.path())
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn diff_ids(value: &serde_json::Value) -> Vec<String> {
    value["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn archive_and_layouts_of_one_image_agree() {
    let dir = images();
    let oci_dir = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &format!("oci-dir:{}/oci/bookworm-python", dir.display()),
    ]));
    let oci_tar = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &format!("oci-archive:{}/oci/bookworm-python.tar", dir.display()),
    ]));
    let docker = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &format!(
            "docker-archive:{}/docker/bookworm-python.tar",
            dir.display()
        ),
    ]));
    // Bare paths are detected.
    let bare = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &format!("{}/docker/bookworm-python.tar", dir.display()),
    ]));
    assert!(
        bare["source"]
            .as_str()
            .unwrap()
            .starts_with("docker-archive:")
    );

    // The summary make-test-images wrote from the layout is the reference.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("oci/bookworm-python.json")).unwrap())
            .unwrap();
    let expected: Vec<String> = summary["images"][0]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["diff_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(expected.len(), 3);
    for inspected in [&oci_dir, &oci_tar, &docker, &bare] {
        assert_eq!(diff_ids(inspected), expected);
        assert_eq!(inspected["config_digest"], summary["images"][0]["config"]);
        assert_eq!(inspected["platform"], "linux/amd64");
    }
    assert_eq!(oci_dir["manifest_digest"], summary["images"][0]["manifest"]);
    assert_eq!(oci_tar["manifest_digest"], summary["images"][0]["manifest"]);
    // The history line that made each layer.
    assert_eq!(
        oci_dir["layers"][2]["created_by"]
            .as_str()
            .unwrap()
            .split(';')
            .next(),
        Some("rm /etc/motd")
    );
}

#[test]
fn table_output_names_every_layer() {
    let dir = images();
    let output = strata(&[
        "image",
        "inspect",
        &format!("{}/oci/bookworm-python", dir.display()),
    ]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Layers          3"), "{text}");
    assert_eq!(text.matches("diff_id    sha256:").count(), 3, "{text}");
}

#[test]
fn unknown_platform_lists_the_available_ones() {
    let dir = images();
    let output = strata(&[
        "image",
        "inspect",
        "--platform",
        "linux/s390x",
        &format!("{}/oci/debian-bookworm-multiarch", dir.display()),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.contains("no image for platform linux/s390x")
            && err.contains("available: linux/amd64, linux/arm64"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn root_filesystem_directory() {
    let rootfs = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(rootfs.path().join("etc")).unwrap();
    let value = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &format!("dir:{}", rootfs.path().display()),
    ]));
    assert_eq!(value["layers"].as_array().unwrap().len(), 0);
    assert!(value["source"].as_str().unwrap().starts_with("dir:"));
}

#[test]
fn registry_with_basic_auth_tls_and_wrong_password() {
    let dir = images();
    let registry = TestRegistry::start(Auth::Basic);
    registry.push(
        &dir.join("oci/debian-bookworm"),
        "cli/bookworm:latest",
        false,
        false,
    );
    let ca = registry.tls.as_ref().unwrap().ca.display().to_string();
    let reference = format!("{}/cli/bookworm:latest", registry.host);

    let ok = json(&strata(&[
        "image",
        "inspect",
        "-f",
        "json",
        &reference,
        "--ca-cert",
        &ca,
        "--username",
        USER,
        "--password",
        PASSWORD,
    ]));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("oci/debian-bookworm.json")).unwrap())
            .unwrap();
    assert_eq!(ok["manifest_digest"], summary["images"][0]["manifest"]);

    let output = strata(&[
        "image",
        "inspect",
        &reference,
        "--ca-cert",
        &ca,
        "--username",
        USER,
        "--password",
        "Wr0ng-Secret",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.starts_with("error: ") && err.contains("authentication failed"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(
        !err.contains("Wr0ng-Secret") && output.stdout.is_empty(),
        "secret leaked: {err}"
    );

    // Klar's variables work too.
    let output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["image", "inspect", &reference, "--ca-cert", &ca])
        .env("DOCKER_USER", USER)
        .env("DOCKER_PASSWORD", PASSWORD)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Docker's config.json (`docker login` writes `auths` with base64 user:password).
    let docker_config = tempfile::tempdir().unwrap();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{USER}:{PASSWORD}"),
    );
    std::fs::write(
        docker_config.path().join("config.json"),
        format!(
            r#"{{"auths":{{"https://{}":{{"auth":"{auth}"}}}}}}"#,
            registry.host
        ),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["image", "inspect", &reference, "--ca-cert", &ca])
        .env("DOCKER_CONFIG", docker_config.path())
        .env_remove("DOCKER_USER")
        .env_remove("DOCKER_PASSWORD")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // No CA: a certificate error with a hint, not a fall-back to plain HTTP.
    let output = strata(&[
        "image",
        "inspect",
        &reference,
        "--username",
        USER,
        "--password",
        PASSWORD,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.contains("invalid peer certificate") && err.contains("--ca-cert"),
        "{err}"
    );
}

#[test]
fn limits_can_be_tightened_and_errors_name_them() {
    let dir = images();
    let layout = format!("{}/oci/bookworm-python", dir.display());
    let output = strata(&["image", "inspect", &layout, "--limit", "layers=2"]);
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("exceeds the layers limit (2)"), "{err}");
    let output = strata(&["image", "inspect", &layout, "--limit", "bogus=1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("unknown limit \"bogus\"")
    );
}
