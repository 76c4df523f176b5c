//! `strata db status|update|export|import|push|pull`, and the database a scan uses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;
use strata_image::{Digest, ImageRef};
use strata_vulndb::bundle::{self, ImportLimits};
use strata_vulndb::fetch::FetchOptions;
use strata_vulndb::store::Db;
use strata_vulndb::update::{self, Kind, Source, SourceOutcome, UpdateOptions, UpdateReport};

use crate::cli::{
    DbExportArgs, DbImportArgs, DbPullArgs, DbPushArgs, DbStatusArgs, DbUpdateArgs, FeedOptions,
    InspectFormat,
};
use crate::commands::image::{registry_options, runtime};
use crate::failure::Failure;
use crate::{EXIT_ERROR, EXIT_OK};

/// The snapshot built from the real feed samples, carried in the binary for
/// machines that cannot reach any feed (see `data/README.md`).
#[cfg(feature = "bundled-db")]
const BUNDLED: &[u8] = include_bytes!("../../../../data/strata-db.bundle");

/// The database file in the cache directory.
pub(crate) fn db_path(cache: &Path) -> PathBuf {
    cache.join("db").join("vuln.db")
}

/// Marks a database imported from the bundled snapshot (removed by updates and imports).
fn bundled_marker(db: &Path) -> PathBuf {
    db.with_extension("db.bundled")
}

/// Whether the database at `db` is the bundled snapshot.
pub(crate) fn is_bundled(db: &Path) -> bool {
    bundled_marker(db).is_file()
}

/// The configured sources: the defaults, narrowed by `--db-sources`, with
/// `--source-url`, `--alpine-releases` and `--osv-dir` applied.
pub(crate) fn configured_sources(feeds: &FeedOptions) -> Result<Vec<Source>, Failure> {
    let year = jiff::Zoned::now().year();
    let mut sources = update::default_sources(i32::from(year));
    if !feeds.db_sources.is_empty() {
        for name in &feeds.db_sources {
            if !sources.iter().any(|s| s.selected_by(name)) {
                return Err(Failure::from(anyhow::anyhow!(
                    "--db-sources: no source is named {name:?}"
                ))
                .hint(source_names_hint(&sources)));
            }
        }
        sources.retain(|s| feeds.db_sources.iter().any(|n| s.selected_by(n)));
    }
    for pair in &feeds.source_url {
        let (name, url) = pair.split_once('=').ok_or_else(|| {
            Failure::from(anyhow::anyhow!("--source-url {pair:?} is not NAME=URL"))
                .hint("e.g. --source-url debian=https://mirror.example/tracker/data/json")
        })?;
        let source = sources
            .iter_mut()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Failure::from(anyhow::anyhow!("--source-url: no source is named {name:?}"))
            })?;
        url.clone_into(&mut source.url);
    }
    if !feeds.alpine_releases.is_empty() {
        for source in &mut sources {
            if let Kind::AlpineSecdb { releases } = &mut source.kind {
                *releases = Some(feeds.alpine_releases.clone());
            }
        }
    }
    if let Some(dir) = &feeds.osv_dir {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        sources.push(Source {
            name: "osv-dir".into(),
            url: format!("file://{}", dir.display()),
            kind: Kind::OsvDir(dir),
        });
    }
    Ok(sources)
}

fn source_names_hint(sources: &[Source]) -> String {
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    format!("sources: {}", names.join(", "))
}

/// How to update: the feed flags turned into the updater's options.
pub(crate) fn update_options(
    feeds: &FeedOptions,
    only: &[String],
    force: bool,
) -> Result<UpdateOptions, Failure> {
    Ok(UpdateOptions {
        fetch: FetchOptions {
            mirror: feeds.mirror.clone(),
            timeout: Duration::from_secs(feeds.feed_timeout.max(1)),
            ..FetchOptions::default()
        },
        sources: configured_sources(feeds)?,
        only: only.to_vec(),
        force,
        parallel: 4,
    })
}

/// Runs an update of the database in `cache`, printing each source's outcome.
pub(crate) fn run_update(
    cache: &Path,
    feeds: &FeedOptions,
    only: &[String],
    force: bool,
    show_progress: bool,
) -> Result<UpdateReport, Failure> {
    let options = update_options(feeds, only, force)?;
    let path = db_path(cache);
    let now = jiff::Timestamp::now().to_string();
    let progress = |outcome: &SourceOutcome| {
        if show_progress {
            eprintln!("{}", describe(outcome));
        }
    };
    let report = runtime()?
        .block_on(update::update(&path, &options, &now, &progress))
        .map_err(|e| {
            let hint = match e {
                update::UpdateError::UnknownSource(_) => Some(source_names_hint(&options.sources)),
                _ => None,
            };
            let failure = Failure::from(anyhow::Error::new(e).context("database update failed"));
            match hint {
                Some(hint) => failure.hint(hint),
                None => failure,
            }
        })?;
    let _ = std::fs::remove_file(bundled_marker(&path));
    Ok(report)
}

fn describe(outcome: &SourceOutcome) -> String {
    match &outcome.error {
        Some(reason) => format!("{}: failed, previous data kept: {reason}", outcome.name),
        None => {
            let mut line = format!("{}: ", outcome.name);
            if outcome.updated > 0 {
                line.push_str(&format!(
                    "{} record(s) from {} document(s)",
                    outcome.records, outcome.updated
                ));
            }
            if outcome.unchanged > 0 {
                if outcome.updated > 0 {
                    line.push_str(", ");
                }
                line.push_str(&format!("{} document(s) unchanged", outcome.unchanged));
            }
            if outcome.skipped > 0 {
                line.push_str(&format!("; {} record(s) skipped", outcome.skipped));
                for warning in &outcome.warnings {
                    line.push_str(&format!("\n  warning: {warning}"));
                }
            }
            line
        }
    }
}

pub(crate) fn update_command(args: &DbUpdateArgs, cache: &Path) -> Result<u8, Failure> {
    let report = run_update(cache, &args.feeds, &args.source, args.force, true)?;
    let failed: Vec<&str> = report.failures().map(|s| s.name.as_str()).collect();
    if failed.is_empty() {
        eprintln!("database updated: {}", db_path(cache).display());
        Ok(EXIT_OK)
    } else {
        eprintln!(
            "error: {} source(s) failed and kept their previous data: {}",
            failed.len(),
            failed.join(", ")
        );
        Ok(EXIT_ERROR)
    }
}

/// Opens the database for a scan, or says how to get one.
pub(crate) fn open(cache: &Path) -> Result<Db, Failure> {
    let path = db_path(cache);
    Db::open(&path).map_err(|e| {
        Failure::from(e).hint("run `strata db update` (or `strata db import FILE` offline)")
    })
}

pub(crate) fn status(args: &DbStatusArgs, cache: &Path) -> Result<u8, Failure> {
    let path = db_path(cache);
    let db = open(cache)?;
    let built_at = db.built_at()?;
    let sources = db.sources()?;
    let bundled = is_bundled(&path);
    let mut out = String::new();
    match args.format {
        InspectFormat::Json => {
            let json = serde_json::json!({
                "path": path,
                "schema_version": strata_vulndb::store::SCHEMA_VERSION,
                "built_at": built_at,
                "bundled": bundled,
                "sources": sources.iter().map(|s| serde_json::json!({
                    "name": s.name,
                    "url": s.url,
                    "fetched_at": s.fetched_at,
                    "etag": s.etag,
                    "last_modified": s.last_modified,
                    "records": s.records,
                    "newest_modified": s.newest_modified,
                    "documents": s.documents,
                })).collect::<Vec<_>>(),
            });
            out.push_str(&serde_json::to_string_pretty(&json)?);
            out.push('\n');
        }
        InspectFormat::Table => {
            let _ = writeln!(out, "Database:  {}", path.display());
            let _ = writeln!(out, "Schema:    {}", strata_vulndb::store::SCHEMA_VERSION);
            let _ = writeln!(
                out,
                "Built at:  {}{}",
                built_at.as_deref().unwrap_or("unknown"),
                age_note(built_at.as_deref())
            );
            if bundled {
                let _ = writeln!(
                    out,
                    "Origin:    the snapshot bundled with Strata (run `strata db update`)"
                );
            }
            out.push('\n');
            let width = sources
                .iter()
                .map(|s| s.name.len())
                .max()
                .unwrap_or(6)
                .max(6);
            let _ = writeln!(
                out,
                "{:width$}  {:>8}  {:20}  {:20}  URL / validators",
                "SOURCE", "RECORDS", "FETCHED", "NEWEST RECORD"
            );
            for s in &sources {
                let validators = match (&s.etag, &s.last_modified) {
                    (Some(etag), _) => format!(" (ETag {etag})"),
                    (None, Some(lm)) => format!(" (Last-Modified {lm})"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "{:width$}  {:>8}  {:20}  {:20}  {}{}",
                    s.name,
                    s.records,
                    s.fetched_at.as_deref().map_or("-", short_time),
                    s.newest_modified.as_deref().map_or("-", short_time),
                    s.url.as_deref().unwrap_or("-"),
                    validators
                );
            }
        }
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .context("cannot write to stdout")?;
    Ok(EXIT_OK)
}

fn short_time(time: &str) -> &str {
    time.get(..19).unwrap_or(time)
}

/// The database's age in days, when its build time is known.
pub(crate) fn age_days(built_at: Option<&str>) -> Option<f64> {
    let built: jiff::Timestamp = built_at?.parse().ok()?;
    let seconds = jiff::Timestamp::now().as_second() - built.as_second();
    Some(seconds as f64 / 86_400.0)
}

fn age_note(built_at: Option<&str>) -> String {
    age_days(built_at).map_or_else(String::new, |days| format!(" ({days:.0} days ago)"))
}

pub(crate) fn export(args: &DbExportArgs, cache: &Path) -> Result<u8, Failure> {
    let key = args
        .signing_key
        .as_deref()
        .map(bundle::signing_key)
        .transpose()?;
    let path = db_path(cache);
    open(cache)?;
    let manifest = bundle::export(&path, &args.file, key.as_ref())?;
    let size = std::fs::metadata(&args.file).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "exported {} source(s) to {} ({size} bytes{})",
        manifest.sources.len(),
        args.file.display(),
        if key.is_some() { ", signed" } else { "" }
    );
    Ok(EXIT_OK)
}

fn import_from(
    reader: impl std::io::Read,
    name: &Path,
    cache: &Path,
    public_key: Option<&Path>,
) -> Result<bundle::Manifest, Failure> {
    let key = public_key.map(bundle::verifying_key).transpose()?;
    let path = db_path(cache);
    let manifest = bundle::import(reader, name, &path, key.as_ref(), ImportLimits::default())?;
    let _ = std::fs::remove_file(bundled_marker(&path));
    Ok(manifest)
}

pub(crate) fn import(args: &DbImportArgs, cache: &Path) -> Result<u8, Failure> {
    let manifest = if args.file.as_os_str() == "-" {
        import_from(
            std::io::stdin().lock(),
            Path::new("<stdin>"),
            cache,
            args.public_key.as_deref(),
        )?
    } else {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        import_from(
            std::io::BufReader::new(file),
            &args.file,
            cache,
            args.public_key.as_deref(),
        )?
    };
    eprintln!(
        "imported the database built at {} ({} source(s))",
        manifest.built_at.as_deref().unwrap_or("unknown"),
        manifest.sources.len()
    );
    Ok(EXIT_OK)
}

/// Imports the snapshot carried in the binary, marking it as such.
pub(crate) fn import_bundled(cache: &Path) -> Result<bundle::Manifest, Failure> {
    #[cfg(feature = "bundled-db")]
    {
        let manifest = import_from(BUNDLED, Path::new("<bundled snapshot>"), cache, None)?;
        std::fs::write(
            bundled_marker(&db_path(cache)),
            "imported from the snapshot bundled with Strata\n",
        )
        .context("cannot mark the bundled database")?;
        Ok(manifest)
    }
    #[cfg(not(feature = "bundled-db"))]
    {
        let _ = cache;
        Err(Failure::from(anyhow::anyhow!(
            "this Strata was built without the bundled database snapshot"
        ))
        .hint("run `strata db update`, or `strata db import FILE`"))
    }
}

fn oci_target(target: &str) -> Result<ImageRef, Failure> {
    let reference = target.strip_prefix("oci://").ok_or_else(|| {
        Failure::from(anyhow::anyhow!(
            "{target:?} is not oci://REGISTRY/REPOSITORY:TAG"
        ))
        .hint("e.g. oci://registry.example:5000/strata/db:1")
    })?;
    ImageRef::parse(reference).map_err(|e| Failure::from(anyhow::Error::new(e)))
}

fn tag_of(image: &ImageRef) -> String {
    image
        .digest()
        .map(Digest::to_string)
        .or_else(|| image.tag().map(str::to_owned))
        .unwrap_or_else(|| "latest".to_owned())
}

pub(crate) fn push(args: &DbPushArgs, cache: &Path) -> Result<u8, Failure> {
    let image = oci_target(&args.target)?;
    let key = args
        .signing_key
        .as_deref()
        .map(bundle::signing_key)
        .transpose()?;
    let path = db_path(cache);
    open(cache)?;
    let dir = tempfile::tempdir_in(cache).context("cannot create a temporary directory")?;
    let file = dir.path().join("strata-db.bundle");
    let manifest = bundle::export(&path, &file, key.as_ref())?;
    let layer = std::fs::read(&file).context("cannot read the bundle back")?;
    let config = serde_json::to_vec(&manifest)?;
    let registry = strata_image::registry::Registry::new(registry_options(&args.image_options)?)
        .map_err(crate::commands::image::image_failure)?;
    let layer_size = layer.len();
    let config_size = config.len();
    let tag = tag_of(&image);
    let digest = runtime()?
        .block_on(async {
            let config_digest = registry.push_blob(&image, config).await?;
            let layer_digest = registry.push_blob(&image, layer).await?;
            let oci_manifest = serde_json::json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": bundle::MEDIA_TYPE,
                "config": {
                    "mediaType": bundle::CONFIG_MEDIA_TYPE,
                    "digest": config_digest.to_string(),
                    "size": config_size,
                },
                "layers": [{
                    "mediaType": bundle::MEDIA_TYPE,
                    "digest": layer_digest.to_string(),
                    "size": layer_size,
                    "annotations": {"org.opencontainers.image.title": "strata-db.bundle"},
                }],
                "annotations": {
                    "org.opencontainers.image.created": manifest.built_at,
                },
            });
            let bytes = serde_json::to_vec(&oci_manifest).unwrap_or_default();
            registry
                .push_manifest(
                    &image,
                    &tag,
                    bytes,
                    "application/vnd.oci.image.manifest.v1+json",
                )
                .await
        })
        .map_err(crate::commands::image::image_failure)?;
    eprintln!("pushed the database to {} ({digest})", args.target);
    Ok(EXIT_OK)
}

pub(crate) fn pull(args: &DbPullArgs, cache: &Path) -> Result<u8, Failure> {
    let image = oci_target(&args.target)?;
    let registry = strata_image::registry::Registry::new(registry_options(&args.image_options)?)
        .map_err(crate::commands::image::image_failure)?;
    let dir = {
        std::fs::create_dir_all(cache).context("cannot create the cache directory")?;
        tempfile::tempdir_in(cache).context("cannot create a temporary directory")?
    };
    let tag = tag_of(&image);
    let file = runtime()?.block_on(async {
        let fetched = registry
            .manifest(&image, &tag, 4 << 20)
            .await
            .map_err(crate::commands::image::image_failure)?;
        let manifest: serde_json::Value = serde_json::from_slice(&fetched.bytes)
            .with_context(|| format!("{}: the manifest is not JSON", args.target))?;
        let layer = manifest
            .get("layers")
            .and_then(|l| l.as_array())
            .and_then(|layers| {
                layers.iter().find(|l| {
                    l.get("mediaType").and_then(|m| m.as_str()) == Some(bundle::MEDIA_TYPE)
                })
            })
            .ok_or_else(|| {
                Failure::from(anyhow::anyhow!(
                    "{}: no layer of type {} (not a Strata database)",
                    args.target,
                    bundle::MEDIA_TYPE
                ))
            })?;
        let digest: Digest = layer
            .get("digest")
            .and_then(|d| d.as_str())
            .unwrap_or_default()
            .parse()
            .map_err(crate::commands::image::image_failure)?;
        let size = layer.get("size").and_then(serde_json::Value::as_u64);
        registry
            .download_blob(&image, &digest, size, dir.path())
            .await
            .map_err(crate::commands::image::image_failure)
    })?;
    let reader = std::fs::File::open(&file).context("cannot read the downloaded bundle")?;
    let manifest = import_from(
        std::io::BufReader::new(reader),
        Path::new(&args.target),
        cache,
        args.public_key.as_deref(),
    )?;
    eprintln!(
        "pulled the database built at {} from {}",
        manifest.built_at.as_deref().unwrap_or("unknown"),
        args.target
    );
    Ok(EXIT_OK)
}
