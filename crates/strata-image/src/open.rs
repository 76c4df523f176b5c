//! Opening any image source for reading its layers: the one entry point the CLI
//! and the server share. Registry images resolve their manifest and config now
//! and download the layers indexing asks for, on the caller's async runtime.

use std::path::Path;

use crate::registry::{Registry, RegistryOptions};
use crate::{Error, Image, Limits, Platform, Source};

/// An image opened for reading; registry images fetch layers on demand.
#[derive(Debug)]
pub struct Opened {
    /// The image: manifest, config, layers.
    pub image: Image,
    /// The limits it was opened with (indexing uses them too).
    pub limits: Limits,
    registry: Option<(Registry, tokio::runtime::Handle)>,
}

impl Opened {
    /// Downloads the given layers into the blob cache (registry images only;
    /// verified blobs already cached are not fetched again). Blocks: call it
    /// outside the runtime's worker threads.
    pub fn fetch(&self, layers: &[usize]) -> Result<(), Error> {
        match &self.registry {
            Some((registry, handle)) => handle
                .block_on(crate::pull::download_layers(registry, &self.image, layers))
                .map(drop),
            None => Ok(()),
        }
    }
}

/// Opens `source` (`debian:12`, `oci-dir:PATH`, …). Registry blobs go to
/// `cache_dir`. Blocks on `runtime` for registry requests: call it outside the
/// runtime's worker threads (e.g. in `spawn_blocking`).
pub fn open(
    source: &str,
    registry: &RegistryOptions,
    platform: Option<&Platform>,
    limits: Limits,
    cache_dir: &Path,
    runtime: &tokio::runtime::Handle,
) -> Result<Opened, Error> {
    match Source::parse(source)? {
        Source::Registry(reference) => open_registry(
            Registry::new(registry.clone())?,
            &reference,
            platform,
            limits,
            cache_dir,
            runtime,
        ),
        local => Ok(Opened {
            image: crate::local::open(&local, platform, &limits)?,
            limits,
            registry: None,
        }),
    }
}

/// Opens a registry image with an existing client (a long-running process
/// shares one: connections and tokens are reused). Blocks like [`open`].
pub fn open_registry(
    client: Registry,
    reference: &crate::ImageRef,
    platform: Option<&Platform>,
    limits: Limits,
    cache_dir: &Path,
    runtime: &tokio::runtime::Handle,
) -> Result<Opened, Error> {
    let image = runtime.block_on(crate::pull::open(
        &client, reference, platform, &limits, cache_dir,
    ))?;
    Ok(Opened {
        image,
        limits,
        registry: Some((client, runtime.clone())),
    })
}
