//! `strata image scan`: index, match, filter, report, gate.

use std::path::Path;

use anyhow::Context as _;
use strata_catalog::{Inventory, Scope};
use strata_match::{DbInfo, Matcher, ScanReport};
use strata_vulndb::store::Db;

use crate::cli::{ImageOptions, ScanArgs};
use crate::commands::{db, gate, image, output, remote, sbom};
use crate::failure::Failure;

/// Formats `strata image scan` writes.
pub(crate) use strata_report::scan::FORMATS;

/// The database a scan uses: the local one; with none, one update, and when the
/// feeds cannot be reached (or `--offline`), the bundled snapshot.
pub(crate) fn scan_db(
    cache: &Path,
    offline: bool,
    feeds: &crate::cli::FeedOptions,
    quiet: bool,
) -> Result<Db, Failure> {
    let path = db::db_path(cache);
    if Db::open(&path).is_err() {
        let mut updated = false;
        if !offline {
            if !quiet {
                eprintln!("no vulnerability database yet: running `strata db update` once");
            }
            match db::run_update(cache, feeds, &[], false, false) {
                Ok(report) => {
                    let failed: Vec<_> = report.failures().collect();
                    updated = failed.len() < report.sources.len();
                    if let Some(first) = failed.first()
                        && !quiet
                    {
                        eprintln!(
                            "warning: {} of {} feed source(s) could not be fetched (first: {}: {})",
                            failed.len(),
                            report.sources.len(),
                            first.name,
                            first.error.as_deref().unwrap_or("unknown")
                        );
                    }
                }
                Err(e) => {
                    if !quiet {
                        eprint!("warning: {}", e.render(false));
                    }
                }
            }
        }
        if !updated || Db::open(&path).is_err() {
            let manifest = db::import_bundled(cache)?;
            if !quiet {
                eprintln!(
                    "warning: using the vulnerability snapshot bundled with Strata, built {}{}: \
                     it misses everything published since; run `strata db update` when online",
                    manifest.built_at.as_deref().unwrap_or("at an unknown time"),
                    db::age_days(manifest.built_at.as_deref())
                        .map_or_else(String::new, |d| format!(" ({d:.0} days ago)")),
                );
            }
        }
    }
    db::open(cache)
}

pub(crate) fn run(args: &ScanArgs, cache: &Path) -> Result<u8, Failure> {
    let targets = output::targets(&args.output, &FORMATS, "table")?;
    // Bad gate flags are refused before anything is downloaded.
    gate::gate(args)?;
    let client = remote::Client::from_options(&args.source.remote)?;
    let request = Request::new(&args.image, &args.image_options, &args.source, args.quiet);
    let mut report = unfiltered(&request, "scanning", client.as_ref(), cache)?;
    unsupported_os(&report, args.fail_on_unsupported_os, args.quiet)?;
    let outcome = gate::apply(&mut report, args)?;
    for target in &targets {
        output::write(target, &render(&report, &target.format, args, &outcome)?)?;
    }
    if !args.quiet
        && let Some(reason) = &outcome.reason
    {
        eprintln!("{reason}");
    }
    Ok(outcome.exit_code)
}

/// How `image scan` and `image check` get their report.
pub(crate) struct Request<'a> {
    pub(crate) input: Input<'a>,
    /// With a server: index here, match there.
    pub(crate) local_index: bool,
    pub(crate) skip_db_update: bool,
    pub(crate) feeds: &'a crate::cli::FeedOptions,
    pub(crate) quiet: bool,
    pub(crate) db_max_age: Option<f64>,
    pub(crate) db_warn_age: f64,
}

impl<'a> Request<'a> {
    pub(crate) fn new(
        image: &'a str,
        image_options: &'a ImageOptions,
        source: &'a crate::cli::SourceArgs,
        quiet: bool,
    ) -> Request<'a> {
        Request {
            input: Input {
                image,
                image_options,
                scope: source.scope.into(),
                no_cache: source.no_cache,
                base_image: source.base_image.as_deref(),
            },
            local_index: source.local_index,
            skip_db_update: source.skip_db_update,
            feeds: &source.feeds,
            quiet,
            db_max_age: source.db_max_age,
            db_warn_age: source.db_warn_age,
        }
    }
}

/// The unfiltered report: made on the server when there is one, else here
/// (`verb` says what for, on the spinner).
pub(crate) fn unfiltered(
    request: &Request<'_>,
    verb: &str,
    client: Option<&remote::Client>,
    cache: &Path,
) -> Result<ScanReport, Failure> {
    let (image, quiet) = (request.input.image, request.quiet);
    let report = match client {
        Some(client) => with_spinner(
            quiet,
            &format!("{verb} {image} on {}", client.base()),
            || remote::scan(client, &request.input, request.local_index, cache),
        )?,
        None => {
            let db = scan_db(cache, request.skip_db_update, request.feeds, quiet)?;
            let info = db_info(&db, cache)?;
            check_age(&info, request.db_max_age, request.db_warn_age, quiet)?;
            return with_spinner(quiet, &format!("{verb} {image}"), || {
                report(&request.input, cache, &db, info)
            });
        }
    };
    // A server's database: checked once its report says which it used.
    check_age(&report.db, request.db_max_age, request.db_warn_age, quiet)?;
    Ok(report)
}

fn with_spinner<T>(quiet: bool, message: &str, work: impl FnOnce() -> T) -> T {
    let progress = spinner(quiet, message);
    let result = work();
    if let Some(progress) = progress {
        progress.finish_and_clear();
    }
    result
}

/// Warns (or, with `--fail-on-unsupported-os`, fails) when the database has
/// no data for the image's OS.
pub(crate) fn unsupported_os(report: &ScanReport, fail: bool, quiet: bool) -> Result<(), Failure> {
    if let Some(os) = report.os.as_ref().filter(|os| !os.supported) {
        let what = format!(
            "no vulnerability data for {} {}: OS packages not checked",
            os.id,
            os.version.as_deref().unwrap_or("")
        );
        if fail {
            return Err(Failure::from(anyhow::anyhow!("{what}"))
                .hint("drop --fail-on-unsupported-os to scan its language packages anyway"));
        }
        if !quiet {
            eprintln!("warning: {what}");
        }
    }
    Ok(())
}

/// What to scan.
pub(crate) struct Input<'a> {
    pub(crate) image: &'a str,
    pub(crate) image_options: &'a ImageOptions,
    pub(crate) scope: Scope,
    pub(crate) no_cache: bool,
    pub(crate) base_image: Option<&'a str>,
}

/// Indexes (or reads) the image and matches it: the unfiltered report.
pub(crate) fn report(
    input: &Input<'_>,
    cache: &Path,
    db: &Db,
    info: DbInfo,
) -> Result<ScanReport, Failure> {
    let started = std::time::Instant::now();
    let (inventory, base_layers) = index(input, cache)?;
    let indexed = started.elapsed();
    let matched = Matcher::new(db).run(&inventory, base_layers)?;
    // For benchmarks: the match step timed on its own.
    if std::env::var_os("STRATA_TIMINGS").is_some() {
        eprintln!(
            "timings: index {:.1} ms, match {:.1} ms ({} packages)",
            indexed.as_secs_f64() * 1e3,
            (started.elapsed() - indexed).as_secs_f64() * 1e3,
            inventory.packages.len()
        );
    }
    Ok(ScanReport::new(inventory, matched, info))
}

/// `--db-max-age` refuses, `--db-warn-age` warns about, an old database.
pub(crate) fn check_age(
    info: &DbInfo,
    db_max_age: Option<f64>,
    db_warn_age: f64,
    quiet: bool,
) -> Result<(), Failure> {
    let Some(days) = db::age_days(info.built_at.as_deref()) else {
        return Ok(());
    };
    if let Some(max) = db_max_age
        && days > max
    {
        return Err(Failure::from(anyhow::anyhow!(
            "the vulnerability database is {days:.1} days old, more than --db-max-age {max}"
        ))
        .hint("run `strata db update`"));
    }
    if days > db_warn_age && !quiet {
        eprintln!(
            "warning: the vulnerability database is {days:.0} days old; run `strata db update`"
        );
    }
    Ok(())
}

pub(crate) fn db_info(db: &Db, cache: &Path) -> Result<DbInfo, Failure> {
    Ok(DbInfo::of(db, db::is_bundled(&db::db_path(cache)))?)
}

/// The inventory (indexed, or read from `sbom:PATH`) and the base image's layer count.
fn index(input: &Input<'_>, cache: &Path) -> Result<(Inventory, usize), Failure> {
    if let Some(path) = input.image.strip_prefix("sbom:") {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
        let inventory = strata_catalog::sbom_input::read(&bytes, path)?;
        return Ok((inventory, 0));
    }
    let indexed = sbom::index(
        input.image,
        input.image_options,
        cache,
        input.scope,
        input.no_cache,
    )?;
    let base_layers = match input.base_image {
        None => indexed.base_layers,
        Some(base) => {
            let base = image::open(base, input.image_options, cache)?;
            base.config
                .rootfs
                .diff_ids
                .iter()
                .zip(&indexed.diff_ids)
                .take_while(|(a, b)| a == b)
                .count()
        }
    };
    Ok((indexed.inventory, base_layers))
}

fn render(
    report: &ScanReport,
    format: &str,
    args: &ScanArgs,
    outcome: &gate::Outcome,
) -> Result<String, Failure> {
    let options = strata_report::scan::RenderOptions {
        color: std::io::IsTerminal::is_terminal(&std::io::stdout())
            && std::env::var_os("NO_COLOR").is_none(),
        show_suppressed: args.show_suppressed,
        tool_version: env!("CARGO_PKG_VERSION"),
        fails: &|f| outcome.fails(f),
    };
    Ok(strata_report::scan::render(report, format, &options)?)
}

/// A spinner on stderr while the image is read, indexed and matched — only
/// when stderr is a terminal (CI logs stay clean) and not `--quiet`.
fn spinner(quiet: bool, message: &str) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}
