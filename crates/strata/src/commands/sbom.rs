//! `strata sbom`: index an image and write its inventory.

use anyhow::Context as _;
use strata_catalog::cache::LayerCache;
use strata_catalog::{Inventory, Scope};

use crate::EXIT_OK;
use crate::cli::{ImageOptions, SbomArgs};
use crate::commands::{image, output};
use crate::failure::Failure;

/// Formats `strata sbom` writes.
const FORMATS: [&str; 3] = ["json", "cyclonedx-json", "spdx-json"];

pub(crate) fn run(args: &SbomArgs, cache_dir: &std::path::Path) -> Result<u8, Failure> {
    let targets = output::targets(&args.output, &FORMATS, "json")?;
    let scope = args.scope.into();
    let inventory = index(
        &args.image,
        &args.image_options,
        cache_dir,
        scope,
        args.no_cache,
    )?
    .inventory;
    for target in &targets {
        output::write(target, &render(&inventory, &target.format)?)?;
    }
    Ok(EXIT_OK)
}

fn render(inventory: &Inventory, format: &str) -> Result<String, Failure> {
    match format {
        "json" => Ok(serde_json::to_string_pretty(inventory).context("cannot render JSON")? + "\n"),
        "cyclonedx-json" => {
            let bom = strata_report::cyclonedx::sbom(inventory, env!("CARGO_PKG_VERSION"));
            Ok(serde_json::to_string_pretty(&bom).context("cannot render JSON")? + "\n")
        }
        "spdx-json" => {
            let created = strata_report::now_rfc3339();
            let document =
                strata_report::spdx::document(inventory, &created, env!("CARGO_PKG_VERSION"));
            Ok(serde_json::to_string_pretty(&document).context("cannot render JSON")? + "\n")
        }
        other => Err(Failure::from(anyhow::anyhow!("unknown format {other:?}"))),
    }
}

/// An indexed image.
pub(crate) struct Indexed {
    pub(crate) inventory: Inventory,
    /// Layers of the base image, read from the history.
    pub(crate) base_layers: usize,
    /// The image's diff_ids (to compare with a `--base-image`).
    pub(crate) diff_ids: Vec<strata_image::Digest>,
}

/// Opens and indexes an image (shared by every command that needs an inventory).
pub(crate) fn index(
    reference: &str,
    options: &ImageOptions,
    cache_dir: &std::path::Path,
    scope: Scope,
    no_cache: bool,
) -> Result<Indexed, Failure> {
    // The holder keeps the runtime registry downloads run on alive.
    let holder = image::open_for_reading(reference, options, cache_dir)?;
    let opened = &holder.opened;
    let mut cache = if no_cache {
        None
    } else {
        match LayerCache::open(cache_dir) {
            Ok(cache) => Some(cache),
            Err(e) => {
                eprintln!("warning: {e}; indexing without the cache");
                None
            }
        }
    };
    let limits = opened.limits;
    let (inventory, _stats) =
        strata_catalog::index_image(&opened.image, cache.as_mut(), scope, &limits, |missing| {
            opened.fetch(missing)
        })
        .map_err(image::image_failure)?;
    Ok(Indexed {
        inventory,
        base_layers: opened.image.config.base_layers(),
        diff_ids: opened.image.config.rootfs.diff_ids.clone(),
    })
}
