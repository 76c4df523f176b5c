//! `strata klar IMAGE` (also the binary invoked as `klar`): Klar's environment,
//! output and exit rule over a local scan (see `crate::klar`), or, with
//! `CLAIR_ADDR` set, over what that Clair v1 server answers (Klar's own
//! requests: a Strata server's `--clair-v1-listen` or a real Clair v2).

use std::io::Write as _;
use std::path::Path;

use strata_catalog::Scope;

use crate::cli::{FeedOptions, ImageOptions};
use crate::commands::scan;
use strata_image::registry::{Registry, RegistryOptions};

use crate::klar::remote::{self, KlarImage};
use crate::klar::{self, KlarEnv, KlarOutcome, Whitelist};

/// Runs Klar mode on the arguments after the command name; returns the exit status.
pub(crate) fn run(args: &[String], cache: &Path) -> u8 {
    let code = run_klar(args, cache);
    u8::try_from(code).unwrap_or(2)
}

fn run_klar(args: &[String], cache: &Path) -> i32 {
    // Klar: exactly one argument, else "Image name must be provided".
    let [image] = args else {
        eprintln!("Image name must be provided");
        return klar::EXIT_ERROR;
    };
    let env = match KlarEnv::from_lookup(|key| std::env::var(key).ok()) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{}", klar::invalid_options(&e));
            return klar::EXIT_ERROR;
        }
    };
    eprint!("{}", env.stderr_preamble());
    let whitelist = match &env.whitelist_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Err(e) => {
                eprintln!(
                    "{}",
                    klar::whitelist_failure(&format!("could not read file {e}"))
                );
                return klar::EXIT_ERROR;
            }
            Ok(text) => match Whitelist::parse(&text) {
                Ok(list) => Some(list),
                Err(e) => {
                    eprintln!("{}", klar::whitelist_failure(&e));
                    return klar::EXIT_ERROR;
                }
            },
        },
    };
    if let Some(addr) = &env.clair_addr {
        let outcome = remote_klar(image, &env, addr, whitelist.as_ref(), cache);
        return print_outcome(&outcome);
    }
    match scan_for_klar(image, &env, cache) {
        Ok(report) => {
            let outcome = klar::render_for_image(&report, &env, whitelist.as_ref(), image);
            print_outcome(&outcome)
        }
        Err(failure) => {
            eprint!("{}", failure.render(false));
            klar::EXIT_ERROR
        }
    }
}

fn print_outcome(outcome: &KlarOutcome) -> i32 {
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(outcome.stdout.as_bytes()).is_err() {
        return klar::EXIT_ERROR;
    }
    eprint!("{}", outcome.stderr);
    outcome.exit_code
}

/// Klar with `CLAIR_ADDR`: the manifest from the registry, each layer posted
/// to that Clair server (which fetches it from the registry itself), the
/// vulnerabilities read back from it (`main.go`, `clair.Analyse`).
fn remote_klar(
    image: &str,
    env: &KlarEnv,
    addr: &str,
    whitelist: Option<&Whitelist>,
    cache: &Path,
) -> KlarOutcome {
    let fail = |stdout: String, stderr: String| KlarOutcome {
        stdout,
        stderr,
        exit_code: klar::EXIT_ERROR,
    };
    let reference = match strata_image::ImageRef::parse(image) {
        Ok(reference) => reference,
        Err(e) => return fail(String::new(), format!("Can't parse name: {e}\n")),
    };
    let options = klar_image_options(image, env);
    let pulled = (|| {
        let registry_options = crate::commands::image::registry_options(&options)
            .map_err(|f| f.render(false).trim_end().to_owned())?;
        let registry = Registry::new(registry_options).map_err(|e| e.to_string())?;
        let runtime =
            crate::commands::image::runtime().map_err(|f| f.render(false).trim_end().to_owned())?;
        let pulled = runtime
            .block_on(strata_image::pull::open(
                &registry,
                &reference,
                options.platform.as_ref(),
                &strata_image::Limits::default(),
                cache,
            ))
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((registry, runtime, pulled))
    })();
    let (registry, runtime, pulled) = match pulled {
        Ok(done) => done,
        Err(e) => return fail(String::new(), format!("Can't pull image: {e}\n")),
    };
    let layer_count = pulled.layers.len();
    if layer_count == 0 {
        return fail(String::new(), "Can't pull fsLayers\n".to_owned());
    }
    // What Klar sends Clair to fetch the blobs with: the pull's own
    // Authorization, else Klar's `Basic <DOCKER_TOKEN>`.
    let authorization = registry
        .pull_authorization(&reference)
        .map(|secret| secret.expose().to_owned())
        .or_else(|| env.docker_token.as_ref().map(|t| format!("Basic {t}")))
        .unwrap_or_default();
    let klar_image = KlarImage {
        registry: format!(
            "{}://{}/v2",
            if env.registry_insecure {
                "http"
            } else {
                "https"
            },
            reference.api_host()
        ),
        name: reference.repository().to_owned(),
        tag: reference.manifest_reference(),
        config_digest: pulled
            .config_digest
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        layers: pulled
            .layers
            .iter()
            .filter_map(|l| l.digest.as_ref())
            .map(|d| (d.to_string(), registry.blob_url(&reference, d)))
            .collect(),
        authorization,
    };
    let analysing = if env.json_output() {
        String::new()
    } else {
        format!("Analysing {layer_count} layers\n")
    };
    let client = match strata_image::registry::http_client(&RegistryOptions {
        timeout: env
            .clair_timeout()
            .unwrap_or(std::time::Duration::from_secs(u64::from(u32::MAX))),
        ..RegistryOptions::default()
    }) {
        Ok(client) => client,
        Err(e) => return fail(analysing, format!("{e}\n")),
    };
    let clair = remote::clair_url(addr);
    match runtime.block_on(remote::analyse(&client, &clair, &klar_image)) {
        Ok(analysis) => {
            let mut outcome =
                klar::render_remote(analysis.vulnerabilities, layer_count, env, whitelist, image);
            outcome.stderr.insert_str(0, &analysis.note);
            outcome
        }
        // Klar then tries Clair's gRPC API v3, which Strata does not speak.
        Err(message) => fail(
            analysing,
            format!("Failed to analyze using API v1: {message}\nFailed to analyze, exiting\n"),
        ),
    }
}

/// The registry options of Klar mode: Klar's platform, TLS and timeout
/// variables (credentials are read from DOCKER_USER / DOCKER_PASSWORD /
/// DOCKER_TOKEN by the registry options, as Klar does).
fn klar_image_options(image: &str, env: &KlarEnv) -> ImageOptions {
    let registry_host = strata_image::ImageRef::parse(image)
        .map(|r| r.registry().to_owned())
        .ok();
    let platform = format!("{}/{}", env.platform_os, env.platform_arch)
        .parse::<strata_image::Platform>()
        .ok();
    ImageOptions {
        platform,
        username: None,
        password: None,
        password_stdin: false,
        ca_cert: Vec::new(),
        insecure: env.docker_insecure,
        insecure_registry: if env.registry_insecure {
            registry_host.into_iter().collect()
        } else {
            Vec::new()
        },
        timeout: env.docker_timeout().map(|t| t.as_secs()),
        limit: Vec::new(),
    }
}

fn scan_for_klar(
    image: &str,
    env: &KlarEnv,
    cache: &Path,
) -> Result<strata_match::ScanReport, crate::failure::Failure> {
    let options = klar_image_options(image, env);
    let feeds = FeedOptions {
        mirror: None,
        db_sources: Vec::new(),
        source_url: Vec::new(),
        osv_dir: None,
        alpine_releases: Vec::new(),
        feed_timeout: 30,
    };
    let offline = std::env::var_os("STRATA_SKIP_DB_UPDATE").is_some_and(|v| v != "false");
    let db = scan::scan_db(cache, offline, &feeds, false)?;
    let info = scan::db_info(&db, cache)?;
    let input = scan::Input {
        image,
        image_options: &options,
        scope: Scope::Squashed,
        no_cache: false,
        base_image: None,
    };
    // Klar counts every severity itself: no Strata filters here.
    scan::report(&input, cache, &db, info)
}
