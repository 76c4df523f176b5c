//! `strata image inspect`.

use std::io::Write as _;

use anyhow::Context as _;
use serde::Serialize;
use strata_image::{Digest, Image, Limits, Source};

use crate::EXIT_OK;
use crate::cli::{ImageOptions, InspectArgs, InspectFormat};
use crate::failure::Failure;

/// Opens the image a user named, with the options every image command shares.
pub(crate) fn open(image: &str, options: &ImageOptions) -> Result<Image, Failure> {
    let source = Source::parse(image).map_err(image_failure)?;
    let limits = Limits::default();
    match source {
        Source::Registry(_) => Err(Failure::from(anyhow::anyhow!(
            "{source}: pulling from a registry is not available in this build yet"
        ))
        .hint("save the image first (docker save / skopeo copy) and pass docker-archive:FILE or oci-dir:DIR")),
        local => strata_image::local::open(&local, options.platform.as_ref(), &limits).map_err(image_failure),
    }
}

/// Adds a hint to the image errors users can act on.
fn image_failure(error: strata_image::Error) -> Failure {
    let hint = match &error {
        strata_image::Error::PlatformNotFound { .. } => {
            Some("choose one of the available platforms with --platform")
        }
        strata_image::Error::InvalidReference { .. } => Some(
            "references look like debian:12, registry:5000/ns/app:tag or app@sha256:…; local images need a prefix such as docker-archive:",
        ),
        strata_image::Error::Schema1 { .. } => {
            Some("re-push the image with a current Docker or skopeo to convert it to schema 2")
        }
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

pub(crate) fn inspect(args: &InspectArgs) -> Result<u8, Failure> {
    let image = open(&args.image, &args.image_options)?;
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
    let mut out = std::io::stdout().lock();
    let text = match args.format {
        InspectFormat::Json => {
            serde_json::to_string_pretty(&inspection).context("cannot render JSON")? + "\n"
        }
        InspectFormat::Table => table(&inspection),
    };
    out.write_all(text.as_bytes())
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
