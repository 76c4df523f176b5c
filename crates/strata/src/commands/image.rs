//! `strata image inspect`, and opening the image every image command works on.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;
use strata_image::registry::{Credentials, RegistryOptions, Secret};
use strata_image::{Digest, Image, Limits};

use crate::EXIT_OK;
use crate::cli::{ImageOptions, InspectArgs, InspectFormat};
use crate::failure::Failure;

/// The cache directory: `--cache-dir`/`STRATA_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`.
pub(crate) fn cache_dir(flag: Option<&std::path::Path>) -> PathBuf {
    flag.map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|d| !d.is_empty())
                .map(|d| PathBuf::from(d).join("strata"))
        })
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/strata")))
        .unwrap_or_else(|| PathBuf::from(".strata-cache"))
}

/// Registry options from the flags, with Klar's `DOCKER_USER`/`DOCKER_PASSWORD`/
/// `DOCKER_TOKEN` as fallbacks.
pub(crate) fn registry_options(options: &ImageOptions) -> Result<RegistryOptions, Failure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let username = options.username.clone().or_else(|| env("DOCKER_USER"));
    let password = if options.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the password from stdin")?;
        Some(text.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        options.password.clone().or_else(|| env("DOCKER_PASSWORD"))
    };
    let credentials = match (username, password, env("DOCKER_TOKEN")) {
        (Some(username), Some(password), _) => Some(Credentials::Basic {
            username,
            password: Secret::new(password),
        }),
        (None, None, Some(token)) => Some(Credentials::BearerToken(Secret::new(token))),
        (Some(_), None, _) | (None, Some(_), _) => {
            return Err(Failure::from(anyhow::anyhow!("registry credentials need both a user name and a password"))
                .hint("pass --username and --password (or --password-stdin), or neither to use docker's config.json"));
        }
        (None, None, None) => None,
    };
    Ok(RegistryOptions {
        credentials,
        ca_certs: options.ca_cert.clone(),
        insecure: options.insecure,
        insecure_registries: options.insecure_registry.clone(),
        timeout: options
            .timeout
            .map_or(RegistryOptions::default().timeout, |s| {
                std::time::Duration::from_secs(s.max(1))
            }),
        ..RegistryOptions::default()
    })
}

/// Opens the image a user named, with the options every image command shares.
pub(crate) fn open(
    image: &str,
    options: &ImageOptions,
    cache: &std::path::Path,
) -> Result<Image, Failure> {
    open_for_reading(image, options, cache).map(|o| o.opened.image)
}

/// The default limits with `--limit NAME=VALUE` applied.
fn limits(options: &ImageOptions) -> Result<Limits, Failure> {
    let mut limits = Limits::default();
    for setting in &options.limit {
        let (name, value) = setting.split_once('=').ok_or_else(|| {
            Failure::from(anyhow::anyhow!("--limit {setting:?}: expected NAME=VALUE"))
        })?;
        limits.set(name.trim(), value).map_err(|e| {
            Failure::from(anyhow::anyhow!(e)).hint("e.g. --limit compression-ratio=500")
        })?;
    }
    Ok(limits)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

/// An image opened for reading its layers, with the runtime its registry
/// requests run on.
pub(crate) struct Opened {
    pub(crate) opened: strata_image::Opened,
    _runtime: tokio::runtime::Runtime,
}

/// Opens an image whose layers will be read.
pub(crate) fn open_for_reading(
    image: &str,
    options: &ImageOptions,
    cache: &std::path::Path,
) -> Result<Opened, Failure> {
    let runtime = runtime()?;
    let opened = strata_image::open(
        image,
        &registry_options(options)?,
        options.platform.as_ref(),
        limits(options)?,
        cache,
        runtime.handle(),
    )
    .map_err(image_failure)?;
    Ok(Opened {
        opened,
        _runtime: runtime,
    })
}

/// Adds a hint to the image errors users can act on.
pub(crate) fn image_failure(error: strata_image::Error) -> Failure {
    use strata_image::Error as E;
    let hint = match &error {
        E::PlatformNotFound { .. } => Some("choose one of the available platforms with --platform"),
        E::InvalidReference { .. } => Some(
            "references look like debian:12, registry:5000/ns/app:tag or app@sha256:…; local images need a prefix such as docker-archive:",
        ),
        E::Schema1 { .. } => {
            Some("re-push the image with a current Docker or skopeo to convert it to schema 2")
        }
        E::Unauthorized { .. } => {
            Some("check --username/--password (or DOCKER_USER/DOCKER_PASSWORD, or docker login)")
        }
        E::Http { source, .. } if format!("{source:?}").contains("InvalidCertificate") => Some(
            "trust the registry's CA with --ca-cert FILE, or skip verification with --insecure",
        ),
        E::DigestMismatch { .. } | E::SizeMismatch { .. } => Some(
            "the content does not match what the manifest vouches for: do not trust this image",
        ),
        _ => None,
    };
    let failure = Failure::from(error);
    match hint {
        Some(hint) => failure.hint(hint),
        None => failure,
    }
}

/// The JSON shape of `image inspect` (documented in the README).
#[derive(Debug, Serialize)]
struct Inspection<'a> {
    source: String,
    index_digest: Option<&'a Digest>,
    manifest_digest: Option<&'a Digest>,
    media_type: Option<&'a str>,
    platform: Option<String>,
    config_digest: Option<&'a Digest>,
    created: Option<&'a str>,
    layers: &'a [strata_image::Layer],
}

pub(crate) fn inspect(args: &InspectArgs, cache: &std::path::Path) -> Result<u8, Failure> {
    let image = open(&args.image, &args.image_options, cache)?;
    let inspection = Inspection {
        source: image.source.to_string(),
        index_digest: image.index_digest.as_ref(),
        manifest_digest: image.manifest_digest.as_ref(),
        media_type: image.manifest_media_type.as_deref(),
        platform: image.platform.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.as_ref(),
        created: image.config.created.as_deref(),
        layers: &image.layers,
    };
    let text = match args.format {
        InspectFormat::Json => {
            serde_json::to_string_pretty(&inspection).context("cannot render JSON")? + "\n"
        }
        InspectFormat::Table => table(&inspection),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to stdout")?;
    Ok(EXIT_OK)
}

fn table(i: &Inspection<'_>) -> String {
    let none = || "-".to_owned();
    let show = |d: Option<&Digest>| d.map_or_else(none, ToString::to_string);
    let mut out = String::new();
    let mut line = |key: &str, value: String| out.push_str(&format!("{key:<16}{value}\n"));
    line("Source", i.source.clone());
    if i.index_digest.is_some() {
        line("Index", show(i.index_digest));
    }
    line("Manifest", show(i.manifest_digest));
    line("Media type", i.media_type.map_or_else(none, str::to_owned));
    line("Platform", i.platform.clone().unwrap_or_else(none));
    line("Config", show(i.config_digest));
    line("Created", i.created.map_or_else(none, str::to_owned));
    line("Layers", i.layers.len().to_string());
    for layer in i.layers {
        out.push_str(&format!(
            "\n  #{} {}\n     diff_id    {}\n     media type {}\n     size       {}\n     created by {}\n",
            layer.index,
            show(layer.digest.as_ref()),
            show(layer.diff_id.as_ref()),
            layer.media_type,
            layer.size.map_or_else(none, |s| s.to_string()),
            layer.created_by.clone().unwrap_or_else(none),
        ));
    }
    out
}
