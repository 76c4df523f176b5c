//! Indexing a whole image: cache lookups by verified layer digest, the missing
//! layers fetched (registry images) and indexed in parallel, then assembled.

use std::path::Path;

use strata_image::walk::EntryKind;
use strata_image::{Image, Limits};

use crate::cache::{LayerCache, Lookup};
use crate::index::{FileEntry, LayerIndex, index_layer};
use crate::inventory::{ImageInfo, Inventory, LayerInfo};
use crate::{Diagnostics, FileInfo, Scope, assemble, catalogers, os};

/// How indexing went, for progress and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Layers served from the cache.
    pub cached: usize,
    /// Layers read and indexed now.
    pub indexed: usize,
}

/// Indexes `image`. `fetch` is called once with the layers that must be read (not
/// cached), before they are opened: registry images download them there.
/// A failing cache is reported in the inventory's warnings, never fatal.
pub fn index_image(
    image: &Image,
    mut cache: Option<&mut LayerCache>,
    scope: Scope,
    limits: &Limits,
    fetch: impl FnOnce(&[usize]) -> Result<(), strata_image::Error>,
) -> Result<(Inventory, IndexStats), strata_image::Error> {
    let mut warnings = Vec::new();
    if let Some(root) = image.rootfs() {
        let layer = index_rootfs(root, limits)?;
        let inventory = assemble(image_info(image), std::slice::from_ref(&layer), scope);
        return Ok((
            inventory,
            IndexStats {
                cached: 0,
                indexed: 1,
            },
        ));
    }
    // A layer's cache key must be a digest its content was verified against: the
    // manifest's, or one a previous read of the same archive file verified.
    let mut keys: Vec<Option<String>> = (0..image.layers.len())
        .map(|i| image.layer_key(i).map(|d| d.to_string()))
        .collect();
    let mut layers: Vec<Option<LayerIndex>> = vec![None; keys.len()];
    if let Some(cache) = cache.as_deref() {
        let probe = catalogers::all();
        for (i, (slot, key)) in layers.iter_mut().zip(keys.iter_mut()).enumerate() {
            if key.is_none()
                && let Some((archive, offset, size)) = image.layer_location(i)
            {
                match cache.archive_member(archive, offset, size) {
                    Ok(found) => *key = found,
                    Err(e) => warnings.push(e.to_string()),
                }
            }
            let Some(key) = key.as_deref() else { continue };
            match cache.get(key, &probe) {
                Ok(Lookup::Hit(index)) => *slot = Some(index),
                Ok(Lookup::Miss) => {}
                Err(e) => warnings.push(e.to_string()),
            }
        }
    }
    let missing: Vec<usize> = layers
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_none())
        .map(|(i, _)| i)
        .collect();
    let stats = IndexStats {
        cached: keys.len() - missing.len(),
        indexed: missing.len(),
    };
    if !missing.is_empty() {
        fetch(&missing)?;
        let fresh = index_in_parallel(image, &missing, limits)?;
        for (&i, index) in missing.iter().zip(fresh) {
            // Reading the layer verified its digest: now it can key the cache.
            let verified = image
                .layers
                .get(i)
                .and_then(|l| l.digest.as_ref())
                .map(ToString::to_string);
            if let (Some(cache), Some(key)) = (
                cache.as_deref_mut(),
                keys.get(i).cloned().flatten().or(verified),
            ) {
                if let Err(e) = cache.put(&key, &index, &catalogers::all()) {
                    warnings.push(e.to_string());
                }
                if let Some((archive, offset, size)) = image.layer_location(i)
                    && let Err(e) = cache.put_archive_member(archive, offset, size, &key)
                {
                    warnings.push(e.to_string());
                }
            }
            if let Some(slot) = layers.get_mut(i) {
                *slot = Some(index);
            }
        }
    }
    if stats.indexed > 0
        && let Some(cache) = cache
        && let Err(e) = cache.evict(crate::cache::DEFAULT_MAX_BYTES)
    {
        warnings.push(e.to_string());
    }
    let layers: Vec<LayerIndex> = layers.into_iter().map(Option::unwrap_or_default).collect();
    let mut inventory = assemble(image_info(image), &layers, scope);
    inventory.warnings.extend(warnings);
    Ok((inventory, stats))
}

/// Indexes the given layers, up to one per core at a time.
fn index_in_parallel(
    image: &Image,
    indices: &[usize],
    limits: &Limits,
) -> Result<Vec<LayerIndex>, strata_image::Error> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(indices.len())
        .max(1);
    // Each layer's share of the image-wide uncompressed budget is the whole budget:
    // the per-layer ratio limit bounds bombs, the total bounds honest giants.
    let budget = limits.total_uncompressed_bytes;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Result<LayerIndex, strata_image::Error>)>> =
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let Some(&layer) = indices.get(n) else { break };
                            let result =
                                image.open_layer(layer, limits, budget).and_then(|stream| {
                                    index_layer(stream, &mut catalogers::all(), limits)
                                });
                            done.push((n, result));
                        }
                        done
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_default())
                .collect()
        });
    let mut ordered: Vec<Option<LayerIndex>> = vec![None; indices.len()];
    for (n, result) in results.into_iter().flatten() {
        if let Some(slot) = ordered.get_mut(n) {
            *slot = Some(result?);
        }
    }
    ordered
        .into_iter()
        .enumerate()
        .map(|(n, index)| {
            index.ok_or_else(|| {
                strata_image::Error::invalid(format!("layer {n}"), "indexing thread failed")
            })
        })
        .collect()
}

fn image_info(image: &Image) -> ImageInfo {
    ImageInfo {
        reference: image.source.to_string(),
        manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.as_ref().map(ToString::to_string),
        platform: image.platform.as_ref().map(ToString::to_string),
        layers: image
            .layers
            .iter()
            .map(|l| LayerInfo {
                index: l.index,
                digest: l.digest.as_ref().map(ToString::to_string),
                diff_id: l.diff_id.as_ref().map(ToString::to_string),
                created_by: l.created_by.clone(),
            })
            .collect(),
        created: image.config.created.clone(),
        user: image.config.config.user.clone(),
        labels: image.config.config.labels.clone().unwrap_or_default(),
    }
}

/// Indexes a root filesystem directory as one layer. Symbolic links are recorded,
/// never followed, so nothing outside `root` is read.
pub fn index_rootfs(root: &Path, limits: &Limits) -> Result<LayerIndex, strata_image::Error> {
    let mut catalogers = catalogers::all();
    let mut index = LayerIndex::default();
    let mut diagnostics = Diagnostics::default();
    // A live system's root holds the kernel's pseudo filesystems: never walk them.
    let live_root = std::fs::canonicalize(root).is_ok_and(|r| r == Path::new("/"));
    let pseudo = |path: &str| live_root && matches!(path, "proc" | "sys" | "dev" | "run");
    let mut stack = vec![(root.to_owned(), String::new(), 0usize)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                diagnostics.warn(&prefix, e);
                continue;
            }
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if index.entries.len() as u64 >= limits.entries_per_layer {
                return Err(strata_image::Error::Limit {
                    what: root.display().to_string(),
                    limit: "entries-per-layer",
                    max: limits.entries_per_layer,
                });
            }
            if pseudo(&path) {
                continue;
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            let kind = if meta.file_type().is_symlink() {
                EntryKind::Symlink(
                    std::fs::read_link(entry.path())
                        .map(|t| t.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                )
            } else if meta.is_dir() {
                if depth < limits.path_depth {
                    stack.push((entry.path(), path.clone(), depth + 1));
                }
                EntryKind::Dir
            } else if meta.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            index.entries.push(FileEntry {
                path: path.clone(),
                kind: kind.clone(),
                size: meta.len(),
            });
            if path.starts_with("var/lib/dpkg/status.d/") {
                index.dpkg_status_d = true;
            }
            if kind != EntryKind::File {
                continue;
            }
            let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
            let file = FileInfo {
                path: &path,
                size: meta.len(),
                mode,
            };
            let wanting: Vec<usize> = catalogers
                .iter()
                .enumerate()
                .filter(|(_, c)| c.wants(&file))
                .map(|(i, _)| i)
                .collect();
            let os_file = os::OS_FILES.contains(&path.as_str()) && meta.len() <= 64 * 1024;
            if wanting.is_empty() && !os_file {
                continue;
            }
            let content = match std::fs::read(entry.path()) {
                Ok(content) => content,
                Err(e) => {
                    diagnostics.warn(&path, e);
                    continue;
                }
            };
            if os_file {
                index.os_files.insert(path.clone(), content.clone());
            }
            for i in wanting {
                if let Some(cataloger) = catalogers.get_mut(i)
                    && meta.len() <= cataloger.max_size()
                {
                    cataloger.visit(&file, &content, &mut diagnostics);
                }
            }
        }
    }
    for cataloger in &mut catalogers {
        let found = cataloger.finish(&mut diagnostics);
        index.packages.insert(cataloger.name().to_owned(), found);
    }
    index.warnings = diagnostics.warnings;
    Ok(index)
}
