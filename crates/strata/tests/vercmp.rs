//! `strata vercmp` driven through the real binary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn strata() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    // Keep the developer's own config and STRATA_* settings out of the tests.
    command
        .env_remove("STRATA_CONFIG")
        .env_remove("STRATA_RANGE");
    command
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .current_dir(env!("CARGO_TARGET_TMPDIR"));
    command
}

fn run(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../strata-version/tests/data/vectors")
}

/// The vector lines of a file, without comments.
fn vectors(file: &str) -> Vec<String> {
    std::fs::read_to_string(vectors_dir().join(file))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_comparison_vector_prints_the_reference_answer() {
    let files = std::fs::read_dir(vectors_dir()).unwrap();
    let mut checked = 0;
    for entry in files {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(scheme) = name.strip_suffix(".txt") else {
            continue;
        };
        if scheme.ends_with("-ranges") {
            continue;
        }
        let lines = vectors(&name);
        let (pairs, want): (Vec<String>, Vec<String>) = lines
            .iter()
            .map(|l| {
                let p: Vec<&str> = l.split_whitespace().collect();
                (format!("{} {}", p[0], p[2]), p[1].to_owned())
            })
            .unzip();
        let output = run(
            strata().args(["vercmp", scheme]),
            &(pairs.join("\n") + "\n"),
        );
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let got: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
        assert_eq!(got.len(), want.len(), "{name}: one answer per line");
        let wrong: Vec<String> = lines
            .iter()
            .zip(&got)
            .zip(&want)
            .filter(|((_, g), w)| g != w)
            .map(|((l, g), _)| format!("{l} => {g}"))
            .collect();
        assert!(wrong.is_empty(), "{name}:\n{}", wrong.join("\n"));
        checked += lines.len();
    }
    assert!(checked > 2500, "only {checked} vectors found");
}

#[test]
fn every_range_vector_prints_the_reference_answer() {
    for scheme in ["npm", "pep440", "rubygems", "composer"] {
        let name = format!("{scheme}-ranges.txt");
        let lines = vectors(&name);
        let (input, want): (Vec<String>, Vec<String>) = lines
            .iter()
            .map(|l| {
                let mut p = l.splitn(3, ' ');
                let (v, verdict, range) = (p.next().unwrap(), p.next().unwrap(), p.next().unwrap());
                (format!("{v} {range}"), verdict.to_owned())
            })
            .unzip();
        let output = run(
            strata().args(["vercmp", scheme, "--range"]),
            &(input.join("\n") + "\n"),
        );
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        let got: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn one_pair_from_arguments() {
    let output = run(strata().args(["vercmp", "dpkg", "1.0~rc1-1", "1.0-1"]), "");
    assert_eq!(stdout(&output), "<\n");
    assert_eq!(output.status.code(), Some(0));
    let output = run(
        strata().args(["vercmp", "npm", "--range", "1.3.0", "^1.2.0 || ^2"]),
        "",
    );
    assert_eq!(stdout(&output), "in\n");
}

#[test]
fn invalid_version_is_one_error_line_and_exit_2() {
    let output = run(
        strata().args(["vercmp", "pep440", "1.0", "not/a/version"]),
        "",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.starts_with("error: invalid pep440 version \"not/a/version\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn bad_stdin_lines_answer_in_place_and_reading_goes_on() {
    let output = run(
        strata().args(["vercmp", "cargo"]),
        "1.0.0 2.0.0\n1.0 2.0.0\n\n# note\n2.0.0 1.0.0\nlonely\n",
    );
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "<");
    assert!(
        lines[1].starts_with("error: invalid cargo version \"1.0\""),
        "{out}"
    );
    assert_eq!(lines[2], ">");
    assert!(
        lines[3].starts_with("error: line 6: expected `A B`"),
        "{out}"
    );
}

#[test]
fn unknown_scheme_lists_the_known_ones() {
    let output = run(strata().args(["vercmp", "debian", "1", "2"]), "");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for scheme in [
        "dpkg", "rpm", "apk", "pep440", "npm", "cargo", "go", "maven", "rubygems", "composer",
        "nuget",
    ] {
        assert!(err.contains(scheme), "{scheme} missing from: {err}");
    }
}

#[test]
fn help_lists_the_schemes() {
    let output = run(strata().args(["vercmp", "--help"]), "");
    assert!(output.status.success());
    let help = stdout(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("dpkg, rpm, apk, pep440, npm, cargo, go, maven, rubygems, composer, nuget"),
        "{help}"
    );
}

#[test]
fn one_argument_is_an_error_with_a_hint() {
    let output = run(strata().args(["vercmp", "rpm", "1.0"]), "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("hint: strata vercmp SCHEME A B"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn flags_come_from_env_then_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strata.yaml");

    // Environment alone.
    let output = run(
        strata()
            .args(["vercmp", "npm", "1.2.3", "^1.0.0"])
            .env("STRATA_RANGE", "true"),
        "",
    );
    assert_eq!(stdout(&output), "in\n", "{}", stderr(&output));

    // Config file alone (named by --config, then by STRATA_CONFIG, then found in the cwd).
    std::fs::write(&config, "range: true\n").unwrap();
    let output = run(
        strata()
            .args(["vercmp", "npm", "1.2.3", "^1.0.0", "--config"])
            .arg(&config),
        "",
    );
    assert_eq!(stdout(&output), "in\n", "{}", stderr(&output));
    let output = run(
        strata()
            .args(["vercmp", "npm", "2.0.0", "^1.0.0"])
            .env("STRATA_CONFIG", &config),
        "",
    );
    assert_eq!(stdout(&output), "out\n", "{}", stderr(&output));
    let output = run(
        strata()
            .args(["vercmp", "npm", "2.0.0", "^1.0.0"])
            .current_dir(dir.path()),
        "",
    );
    assert_eq!(stdout(&output), "out\n", "{}", stderr(&output));

    // The environment beats the config file.
    std::fs::write(&config, "range: false\n").unwrap();
    let output = run(
        strata()
            .args(["vercmp", "npm", "1.2.3", "^1.0.0"])
            .env("STRATA_CONFIG", &config)
            .env("STRATA_RANGE", "true"),
        "",
    );
    assert_eq!(stdout(&output), "in\n", "{}", stderr(&output));
}

#[test]
fn config_file_errors_name_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strata.yaml");
    std::fs::write(&config, "rnage: true\n").unwrap();
    let output = run(
        strata()
            .args(["vercmp", "npm", "1.0.0", "1.0.0"])
            .env("STRATA_CONFIG", &config),
        "",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("\"rnage\" is not a strata flag"),
        "{}",
        stderr(&output)
    );

    std::fs::write(&config, "range: [\n").unwrap();
    let output = run(
        strata()
            .args(["vercmp", "npm", "1.0.0", "1.0.0"])
            .env("STRATA_CONFIG", &config),
        "",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&config.display().to_string()),
        "{}",
        stderr(&output)
    );

    let output = run(
        strata().args([
            "vercmp",
            "npm",
            "1.0.0",
            "1.0.0",
            "--config",
            "/nonexistent/strata.yaml",
        ]),
        "",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read config file /nonexistent/strata.yaml"),
        "{}",
        stderr(&output)
    );
}
