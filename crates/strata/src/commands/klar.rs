//! `strata klar IMAGE` (also the binary invoked as `klar`): Klar's environment,
//! output and exit rule over a local scan (see `crate::klar`).

use std::io::Write as _;
use std::path::Path;

use strata_catalog::Scope;

use crate::cli::{FeedOptions, ImageOptions};
use crate::commands::scan;
use crate::klar::{self, KlarEnv, Whitelist};

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
    match scan_for_klar(image, &env, cache) {
        Ok(report) => {
            let outcome = klar::render_for_image(&report, &env, whitelist.as_ref(), image);
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(outcome.stdout.as_bytes()).is_err() {
                return klar::EXIT_ERROR;
            }
            eprint!("{}", outcome.stderr);
            outcome.exit_code
        }
        Err(failure) => {
            eprint!("{}", failure.render(false));
            klar::EXIT_ERROR
        }
    }
}

fn scan_for_klar(
    image: &str,
    env: &KlarEnv,
    cache: &Path,
) -> Result<strata_match::ScanReport, crate::failure::Failure> {
    let registry_host = strata_image::ImageRef::parse(image)
        .map(|r| r.registry().to_owned())
        .ok();
    let platform = format!("{}/{}", env.platform_os, env.platform_arch)
        .parse::<strata_image::Platform>()
        .ok();
    // Credentials come from DOCKER_USER / DOCKER_PASSWORD / DOCKER_TOKEN, which
    // the registry options read from the environment as Klar does.
    let options = ImageOptions {
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
    };
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
