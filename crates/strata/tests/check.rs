//! `strata image check` and `strata policy …` end to end (the real binary,
//! the real test images, the bundled snapshot with `--offline`), and the CI
//! integrations in `integrations/`: each parses, and the exact shell each
//! runs for its gate is executed against an image in a real local registry.
//!
//! Expectations come from the advisory data and the images' build history:
//! bookworm-java copies bullseye's commons-text 1.9 into `webapp.war`
//! (`make-test-images`), and GHSA-599f-7c49-w659 (CVE-2022-42889) affects
//! commons-text from 1.5 to before 1.10.0; debian-bookworm is a debootstrap
//! minbase (no Java at all), and every advisory naming the four
//! Log4Shell/Spring4Shell/Text4Shell CVEs is for Java packages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../strata-image/tests/support/registry.rs"]
mod registry;
#[path = "support/server.rs"]
mod server_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn images() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    for name in ["bookworm-java", "debian-bookworm"] {
        assert!(
            dir.join(format!("oci/{name}.ok")).is_file(),
            "test image {name} missing in {}: run scripts/test",
            dir.display()
        );
    }
    dir
}

fn oci_dir(name: &str) -> String {
    format!("oci-dir:{}/oci/{name}", images().display())
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| d.join("shared"))
        .find(|d| d.join("data/feeds").is_dir())
        .expect("../shared/data/feeds not found")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut stdout = self.stdout.clone();
        stdout.truncate(stdout.floor_char_boundary(4000));
        write!(
            f,
            "exit {:?}\nstderr:\n{}\nstdout:\n{stdout}",
            self.code, self.stderr
        )
    }
}

/// A clean environment: no Strata/Docker settings of the caller, the cache
/// in `cache` (also the working directory), no config file, no stdin.
fn clean(mut command: Command, cache: &Path) -> Command {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("STRATA_") || key.starts_with("DOCKER_") {
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
    let mut command = clean(Command::new(env!("CARGO_BIN_EXE_strata")), cache);
    execute(command.args(args))
}

/// `strata image check IMAGE --offline EXTRA…`.
fn check(cache: &Path, image: &str, extra: &[&str]) -> Run {
    let mut args = vec!["image", "check", image, "--offline"];
    args.extend_from_slice(extra);
    strata(cache, &args)
}

const LOG4SHELL_CVES: [&str; 4] = [
    "CVE-2021-44228",
    "CVE-2021-45046",
    "CVE-2022-22965",
    "CVE-2022-42889",
];

/// Only the Log4Shell/Spring4Shell/Text4Shell policy, enforced.
fn shell_policy(dir: &Path) -> PathBuf {
    let path = dir.join("shells.yaml");
    std::fs::write(
        &path,
        format!(
            "policies:\n  - name: Log4Shell/Spring4Shell/Text4Shell\n    severity: critical\n    enforcement: fail\n    remediation: Upgrade log4j-core, spring-beans and commons-text.\n    criteria:\n      cves: [{}]\n",
            LOG4SHELL_CVES.join(", ")
        ),
    )
    .unwrap();
    path
}

/// The OSV advisories of the feed data naming one of `cves`: (ecosystem,
/// package, fixed versions).
fn advisories_naming(cves: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let mut found = Vec::new();
    let mut stack = vec![shared().join("data/feeds/osv")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(record) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
                continue;
            };
            let ids: Vec<&str> = std::iter::once(&record["id"])
                .chain(record["aliases"].as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect();
            if !ids.iter().any(|id| cves.contains(id)) {
                continue;
            }
            for affected in record["affected"].as_array().into_iter().flatten() {
                let fixed = affected["ranges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|r| r["events"].as_array().unwrap())
                    .filter_map(|e| e["fixed"].as_str().map(str::to_owned))
                    .collect();
                found.push((
                    affected["package"]["ecosystem"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    affected["package"]["name"].as_str().unwrap().to_owned(),
                    fixed,
                ));
            }
        }
    }
    found
}

/// The image config of a test image's OCI layout.
fn config(name: &str) -> Value {
    let dir = images().join("oci").join(name);
    let blob = |digest: &Value| -> Value {
        let hex = digest.as_str().unwrap().strip_prefix("sha256:").unwrap();
        serde_json::from_slice(&std::fs::read(dir.join("blobs/sha256").join(hex)).unwrap()).unwrap()
    };
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let manifest = blob(&index["manifests"][0]["digest"]);
    blob(&manifest["config"]["digest"])
}

#[test]
fn bookworm_java_fails_the_text4shell_policy_through_the_war() {
    let text4shell = advisories_naming(&["CVE-2022-42889"]);
    let commons_text = text4shell
        .iter()
        .find(|(ecosystem, name, _)| ecosystem == "Maven" && name.ends_with(":commons-text"))
        .expect("the data has a Maven advisory for CVE-2022-42889");

    let cache = tempfile::tempdir().unwrap();
    // The default policies, as JSON.
    let run = check(cache.path(), &oci_dir("bookworm-java"), &["-f", "json"]);
    assert_eq!(run.code, Some(1), "{run}");
    let failing = run
        .stderr
        .lines()
        .find(|l| l.starts_with("policy check failed:"))
        .unwrap_or_else(|| panic!("{run}"));
    assert!(
        failing.contains("`Log4Shell/Spring4Shell/Text4Shell`"),
        "{failing}"
    );
    let result: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(result["schema"], "strata.check/v1");
    assert_eq!(result["passed"], false);
    let policy = result["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Log4Shell/Spring4Shell/Text4Shell")
        .unwrap();
    assert_eq!(policy["status"], "failed");
    assert!(
        policy["remediation"]
            .as_str()
            .unwrap()
            .contains("commons-text to 1.10.0")
    );
    let in_war: Vec<&Value> = policy["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            v["finding"]["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/opt/app/webapp.war"))
        })
        .collect();
    assert_eq!(in_war.len(), 1, "{policy:#}");
    let finding = &in_war[0]["finding"];
    assert_eq!(finding["package"], commons_text.1.as_str());
    assert_eq!(finding["version"], "1.9");
    assert!(
        commons_text
            .2
            .contains(&finding["fixed_version"].as_str().unwrap().to_owned()),
        "{finding}"
    );
    let ids: Vec<&str> = std::iter::once(&finding["id"])
        .chain(finding["aliases"].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(ids.contains(&"CVE-2022-42889"), "{ids:?}");
}

#[test]
fn debian_bookworm_passes_the_log4shell_policy() {
    // Every advisory for the four CVEs is for a Java package, and the image
    // is a debootstrap minbase: no Java.
    let advisories = advisories_naming(&LOG4SHELL_CVES);
    assert!(!advisories.is_empty());
    assert!(
        advisories
            .iter()
            .all(|(ecosystem, _, _)| ecosystem == "Maven"),
        "{advisories:?}"
    );
    let history = config("debian-bookworm")["history"].to_string();
    assert!(
        history.contains("debootstrap --variant=minbase bookworm"),
        "{history}"
    );

    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let run = check(
        cache.path(),
        &oci_dir("debian-bookworm"),
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("passed"), "{run}");
    assert!(run.stderr.contains("policy check passed"), "{run}");
}

#[test]
fn categories_and_the_default_set_on_debian_bookworm() {
    // What the default vulnerability policies decide follows from the scan's
    // findings (another run's output: this checks the gate, not the match).
    let cache = tempfile::tempdir().unwrap();
    let scan = strata(
        cache.path(),
        &[
            "image",
            "scan",
            &oci_dir("debian-bookworm"),
            "-f",
            "json",
            "--offline",
        ],
    );
    assert_eq!(scan.code, Some(0), "{scan}");
    let report: Value = serde_json::from_str(&scan.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let fixable_critical = findings.iter().any(|f| {
        f["severity"] == "Critical"
            && f["fixed_versions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| !v.as_str().unwrap().trim().is_empty())
    });
    let kev = findings.iter().any(|f| !f["kev"].is_null());
    let run = check(
        cache.path(),
        &oci_dir("debian-bookworm"),
        &["--categories", "vulnerability management", "-f", "json"],
    );
    let result: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}"));
    let names: Vec<&str> = result["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Fixable Critical",
            "Known exploited (KEV)",
            "Log4Shell/Spring4Shell/Text4Shell"
        ]
    );
    assert_eq!(result["policies"][0]["violated"], fixable_critical);
    assert_eq!(result["policies"][1]["violated"], kev);
    let expected = i32::from(fixable_critical || kev);
    assert_eq!(run.code, Some(expected), "{run}");

    // The image facts, as its config has them: no USER, and its creation time.
    let config = config("debian-bookworm");
    assert!(config["config"]["User"].as_str().unwrap_or("").is_empty());
    let created = &config["created"].as_str().unwrap()[..10];
    let run = check(
        cache.path(),
        &oci_dir("debian-bookworm"),
        &[
            "--categories",
            "Security Best Practices,DevOps Best Practices",
            "-f",
            "json",
        ],
    );
    assert_eq!(run.code, Some(0), "warn policies never fail: {run}");
    let result: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        result["summary"]["warned"],
        serde_json::json!(["Image older than 90 days", "Runs as root"])
    );
    assert!(
        result["policies"][0]["violations"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("created on {created}")),
        "{result:#}"
    );

    let run = check(
        cache.path(),
        &oci_dir("debian-bookworm"),
        &["--categories", "nope"],
    );
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr
            .contains("no policy to evaluate in the categories nope"),
        "{run}"
    );
}

#[test]
fn invalid_policy_files_are_file_line_field_errors_and_exit_2() {
    let cache = tempfile::tempdir().unwrap();
    let unknown = cache.path().join("unknown.yaml");
    std::fs::write(
        &unknown,
        "policies:\n  - name: a\n    severity: high\n    enforcement: fail\n    criteria:\n      fixable: true\n      severity_at_leest: high\n",
    )
    .unwrap();
    let bad_type = cache.path().join("bad-type.json");
    std::fs::write(
        &bad_type,
        "{\"policies\": [\n  {\"name\": \"a\", \"severity\": \"high\",\n   \"criteria\": {\"layer_count_above\": \"many\"}}]}\n",
    )
    .unwrap();
    let good = shell_policy(cache.path());

    for (file, line, field, what) in [
        (
            &unknown,
            7,
            "policies[0].criteria.severity_at_leest",
            "unknown field `severity_at_leest`",
        ),
        (
            &bad_type,
            3,
            "policies[0].criteria.layer_count_above",
            "invalid type",
        ),
    ] {
        let prefix = format!("error: {}:{line}: {field}: ", file.display());
        // Refused before anything is scanned.
        let run = check(
            cache.path(),
            "oci-dir:/nonexistent",
            &["--policy", file.to_str().unwrap()],
        );
        assert_eq!(run.code, Some(2), "{run}");
        let first = run.stderr.lines().next().unwrap();
        assert!(first.starts_with(&prefix), "{run}");
        assert!(first.contains(what), "{run}");

        let run = strata(
            cache.path(),
            &[
                "policy",
                "validate",
                good.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, Some(2), "{run}");
        assert!(run.stderr.contains(&prefix), "{run}");
        assert!(
            run.stderr.contains("shells.yaml: valid (1 policy)"),
            "{run}"
        );
    }
    let run = strata(
        cache.path(),
        &["policy", "validate", good.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{run}");
}

#[test]
fn policy_list_and_show() {
    let cache = tempfile::tempdir().unwrap();
    let run = strata(cache.path(), &["policy", "list"]);
    assert_eq!(run.code, Some(0), "{run}");
    for name in [
        "Fixable Critical",
        "Known exploited (KEV)",
        "Log4Shell/Spring4Shell/Text4Shell",
        "Image older than 90 days",
        "Runs as root",
    ] {
        assert!(run.stdout.contains(name), "{run}");
    }
    let run = strata(cache.path(), &["policy", "show", "runs as root"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("runs_as_root: true"), "{run}");
    assert!(run.stdout.contains("enforcement: warn"), "{run}");
    // What `show` prints is a policy file.
    let shown = cache.path().join("shown.yaml");
    std::fs::write(&shown, &run.stdout).unwrap();
    let run = strata(
        cache.path(),
        &["policy", "validate", shown.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{run}");

    let policy = shell_policy(cache.path());
    let run = strata(
        cache.path(),
        &[
            "policy",
            "list",
            "--policy",
            policy.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    let file: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}"));
    assert_eq!(file["policies"].as_array().unwrap().len(), 1);
    let run = strata(cache.path(), &["policy", "show", "nope"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains("hint: policies: Fixable Critical"),
        "{run}"
    );
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(shared().join("schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn one_check_writes_every_format() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path();
    let run = check(
        dir,
        &oci_dir("bookworm-java"),
        &[
            "-f",
            "table",
            "-f",
            &format!("json={}", dir.join("c.json").display()),
            "-f",
            &format!("junit={}", dir.join("c.xml").display()),
            "-f",
            &format!("sarif={}", dir.join("c.sarif").display()),
        ],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("FAIL"), "{run}");
    assert!(run.stdout.contains("Remediation:"), "{run}");

    let result: Value =
        serde_json::from_slice(&std::fs::read(dir.join("c.json")).unwrap()).unwrap();
    let policies = result["policies"].as_array().unwrap();

    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.join("c.sarif")).unwrap()).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        policies.len()
    );
    let violations: usize = policies
        .iter()
        .filter(|p| p["violated"] == true)
        .map(|p| p["violations"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        violations
    );

    let xml = std::fs::read_to_string(dir.join("c.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, policies.len());
    assert_eq!(
        failures,
        result["summary"]["failed"].as_array().unwrap().len()
    );
}

// ---------------------------------------------------------------------------
// CI integrations

fn yaml(relative: &str) -> Value {
    let path = repo().join("integrations").join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A directory whose `strata` is the binary under test, as an installed one.
fn bin_dir(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("strata");
    if !link.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_strata"), &link).unwrap();
    }
    bin
}

/// Runs `script` with `shell` as the CI system would, `strata` on PATH, the
/// shared cache and offline database set through Strata's environment, the
/// policy file as `STRATA_POLICY`, plus `env`.
fn run_script(
    shell: &[&str],
    script: &str,
    cache: &Path,
    policy: &Path,
    env: &[(&str, String)],
) -> Run {
    let mut command = clean(Command::new(shell[0]), cache);
    let path = format!(
        "{}:{}",
        bin_dir(cache).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    command
        .args(&shell[1..])
        .arg(script)
        .env("PATH", path)
        .env("STRATA_SKIP_DB_UPDATE", "true")
        .env("STRATA_POLICY", policy);
    for (key, value) in env {
        command.env(key, value);
    }
    execute(&mut command)
}

/// A registry serving bookworm-java (fails) and debian-bookworm (passes).
fn registry_with_images(auth: registry::Auth) -> (registry::TestRegistry, String, String) {
    let registry = registry::TestRegistry::start(auth);
    registry.push(
        &images().join("oci/bookworm-java"),
        "shop/java:1",
        false,
        false,
    );
    registry.push(
        &images().join("oci/debian-bookworm"),
        "shop/base:1",
        false,
        false,
    );
    let failing = format!("{}/shop/java:1", registry.host);
    let passing = format!("{}/shop/base:1", registry.host);
    (registry, failing, passing)
}

#[test]
fn every_integration_file_parses() {
    let task = yaml("tekton/strata-image-scan.yaml");
    assert_eq!(task["kind"], "Task");
    assert_eq!(task["metadata"]["name"], "strata-image-scan");
    let action = yaml("github/action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let gitlab = yaml("gitlab/strata-image-check.gitlab-ci.yml");
    assert!(gitlab["strata_image_check"]["script"].is_array());
    let buildspec = yaml("codebuild/buildspec.yml");
    assert_eq!(buildspec["version"], 0.2);
    let jenkins = std::fs::read_to_string(repo().join("integrations/jenkins/Jenkinsfile")).unwrap();
    assert!(jenkins.contains("sh '''"), "{jenkins}");
}

/// Tekton: the step's script with its `$(params.…)` env values, the secret
/// absent (local check), and the result file written.
#[test]
fn tekton_task_gates_on_the_check() {
    let (_registry, failing, passing) = registry_with_images(registry::Auth::None);
    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let task = yaml("tekton/strata-image-scan.yaml");
    let step = &task["spec"]["steps"][0];
    let defaults: Vec<(String, String)> = task["spec"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["default"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let result_file = cache.path().join("check-passed");
    for (image, expected, passed) in [(&failing, 1, "false"), (&passing, 0, "true")] {
        let substitute = |text: &str| {
            let mut text = text.replace(
                "$(results.check-passed.path)",
                result_file.to_str().unwrap(),
            );
            for (name, default) in &defaults {
                let value = match name.as_str() {
                    "image" => image.clone(),
                    "policy" => policy.display().to_string(),
                    _ => default.clone(),
                };
                text = text.replace(&format!("$(params.{name})"), &value);
            }
            text
        };
        let env: Vec<(&str, String)> = step["env"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                Some((
                    e["name"].as_str().unwrap(),
                    substitute(e["value"].as_str()?),
                ))
            })
            .collect();
        let script = substitute(step["script"].as_str().unwrap());
        let run = run_script(&["sh", "-c"], &script, cache.path(), &policy, &env);
        assert_eq!(run.code, Some(expected), "{image}: {run}");
        assert_eq!(std::fs::read_to_string(&result_file).unwrap(), passed);
        if expected == 1 {
            assert!(
                run.stderr.contains("`Log4Shell/Spring4Shell/Text4Shell`"),
                "{run}"
            );
        }
    }
}

/// Tekton against a Strata server: the secret gives endpoint and token, the
/// policy parameter is empty, so the server's own policies decide.
#[test]
fn tekton_task_gates_through_the_server() {
    let (_registry, failing, passing) = registry_with_images(registry::Auth::None);
    let cache = tempfile::tempdir().unwrap();
    let data = cache.path().join("server");
    let bundle = repo().join("data/strata-db.bundle");
    let import = strata(
        cache.path(),
        &[
            "--cache-dir",
            data.to_str().unwrap(),
            "db",
            "import",
            bundle.to_str().unwrap(),
        ],
    );
    assert_eq!(import.code, Some(0), "{import}");
    let server = server_support::Server::start(&data, &["--update-interval", "0"]);
    server.wait_ready(std::time::Duration::from_secs(60));
    let admin = server_support::create_token(&data, "admin", "admin", &[]);
    let ci = server_support::create_token(&data, "tekton", "ci", &[]);
    // The organisation's policy, held by the server.
    let policy = std::fs::read(shell_policy(cache.path())).unwrap();
    let put = server_support::request(
        "PUT",
        &format!("{}/api/v1/policies", server.url),
        Some(&admin),
        Some(&policy),
    );
    assert_eq!(put.status, 200, "{}", put.text());

    let task = yaml("tekton/strata-image-scan.yaml");
    let step = &task["spec"]["steps"][0];
    let result_file = cache.path().join("check-passed");
    for (image, expected) in [(&failing, 1), (&passing, 0)] {
        let substitute = |text: &str| {
            text.replace(
                "$(results.check-passed.path)",
                result_file.to_str().unwrap(),
            )
            .replace("$(params.image)", image)
            .replace("$(params.policy)", "")
            .replace("$(params.output-format)", "table")
        };
        let mut env: Vec<(&str, String)> = step["env"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                Some((
                    e["name"].as_str().unwrap(),
                    substitute(e["value"].as_str()?),
                ))
            })
            .collect();
        // What the basic-auth secret's keys give the step.
        env.push(("STRATA_ENDPOINT", server.url.clone()));
        env.push(("STRATA_API_TOKEN", ci.clone()));
        let script = substitute(step["script"].as_str().unwrap());
        let run = run_script(&["sh", "-c"], &script, cache.path(), Path::new(""), &env);
        assert_eq!(run.code, Some(expected), "{image}: {run}");
        if expected == 1 {
            assert!(
                run.stderr.contains("Log4Shell/Spring4Shell/Text4Shell"),
                "{run}"
            );
        }
    }
    // The scans ran on the server: its history has both images.
    let (_, history) = server_support::get(&format!("{}/api/v1/images", server.url), Some(&ci));
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
}

/// GitHub Actions: the check step's `run` with its `env` from the inputs.
#[test]
fn github_action_gates_on_the_check() {
    let (_registry, failing, passing) = registry_with_images(registry::Auth::None);
    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let action = yaml("github/action.yml");
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Strata image check")
        .unwrap();
    assert_eq!(step["shell"], "bash");
    for (image, expected) in [(&failing, 1), (&passing, 0)] {
        let input = |name: &str| -> String {
            match name {
                "image" => image.clone(),
                "policy" => policy.display().to_string(),
                other => action["inputs"][other]["default"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            }
        };
        let env: Vec<(&str, String)> = step["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let v = v.as_str().unwrap();
                let name = v
                    .strip_prefix("${{ inputs.")
                    .and_then(|r| r.strip_suffix(" }}"))
                    .unwrap_or_else(|| panic!("{v}"));
                (k.as_str(), input(name))
            })
            .collect();
        // GitHub runs `bash --noprofile --norc -eo pipefail {0}`.
        let run = run_script(
            &["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"],
            step["run"].as_str().unwrap(),
            cache.path(),
            &policy,
            &env,
        );
        assert_eq!(run.code, Some(expected), "{image}: {run}");
        let sarif: Value = serde_json::from_slice(
            &std::fs::read(cache.path().join("strata-check.sarif")).unwrap(),
        )
        .unwrap();
        assert_eq!(sarif["version"], "2.1.0");
    }
}

/// GitLab CI: the job's script lines, with the image as the pipeline sets it.
#[test]
fn gitlab_template_gates_on_the_check() {
    let (_registry, failing, passing) = registry_with_images(registry::Auth::None);
    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let job = &yaml("gitlab/strata-image-check.gitlab-ci.yml")["strata_image_check"];
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for (image, expected) in [(&failing, 1), (&passing, 0)] {
        let env = vec![
            ("STRATA_IMAGE_REF", image.clone()),
            (
                "STRATA_FORMAT_ON_LOG",
                job["variables"]["STRATA_FORMAT_ON_LOG"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
        ];
        // GitLab stops at the first failing line.
        let run = run_script(
            &["sh", "-e", "-c"],
            &script.join("\n"),
            cache.path(),
            &policy,
            &env,
        );
        assert_eq!(run.code, Some(expected), "{image}: {run}");
        let junit = std::fs::read_to_string(cache.path().join("strata-check.junit.xml")).unwrap();
        assert_eq!(junit.contains("<failure"), expected == 1, "{junit}");
    }
}

/// CodeBuild: post_build's commands, with the credentials pre_build exports
/// (here the test registry's user, behind Basic auth over TLS).
#[test]
fn codebuild_buildspec_gates_on_the_check_with_registry_credentials() {
    let (registry, failing, passing) = registry_with_images(registry::Auth::Basic);
    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let buildspec = yaml("codebuild/buildspec.yml");
    let pre_build: Vec<&str> = buildspec["phases"]["pre_build"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        pre_build.contains(&"export DOCKER_USER=AWS"),
        "{pre_build:?}"
    );
    assert!(
        pre_build
            .iter()
            .any(|c| c.contains("DOCKER_PASSWORD=\"$(aws ecr get-login-password")),
        "{pre_build:?}"
    );
    let post_build: Vec<&str> = buildspec["phases"]["post_build"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let ca = registry.tls.as_ref().unwrap().ca.display().to_string();
    for (image, expected) in [(&failing, 1), (&passing, 0)] {
        let env = vec![
            ("IMAGE_URI", image.clone()),
            ("DOCKER_USER", registry::USER.to_owned()),
            ("DOCKER_PASSWORD", registry::PASSWORD.to_owned()),
            ("STRATA_CA_CERT", ca.clone()),
        ];
        let run = run_script(
            &["sh", "-e", "-c"],
            &post_build.join("\n"),
            cache.path(),
            &policy,
            &env,
        );
        assert_eq!(run.code, Some(expected), "{image}: {run}");
    }
    // Without the credentials the registry refuses: an error, not a pass.
    let env = vec![("IMAGE_URI", passing.clone()), ("STRATA_CA_CERT", ca)];
    let run = run_script(
        &["sh", "-e", "-c"],
        &post_build.join("\n"),
        cache.path(),
        &policy,
        &env,
    );
    assert_eq!(run.code, Some(2), "{run}");
}

/// Jenkins: the `sh '''…'''` block of the stage.
#[test]
fn jenkins_stage_gates_on_the_check() {
    let (_registry, failing, passing) = registry_with_images(registry::Auth::None);
    let cache = tempfile::tempdir().unwrap();
    let policy = shell_policy(cache.path());
    let jenkinsfile =
        std::fs::read_to_string(repo().join("integrations/jenkins/Jenkinsfile")).unwrap();
    let script = jenkinsfile
        .split("sh '''")
        .nth(1)
        .and_then(|rest| rest.split("'''").next())
        .unwrap();
    for (image, expected) in [(&failing, 1), (&passing, 0)] {
        // Jenkins runs `sh -xe`.
        let run = run_script(
            &["sh", "-xe", "-c"],
            script,
            cache.path(),
            &policy,
            &[("IMAGE", image.clone())],
        );
        assert_eq!(run.code, Some(expected), "{image}: {run}");
    }
}
