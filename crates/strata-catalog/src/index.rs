//! Indexing one layer: a single pass over its tar stream that records the file
//! entries (for merging with the other layers), the OS release files, and what
//! every cataloger finds. The result depends only on the layer's content, so it is
//! cached by the layer's verified blob digest.

use std::collections::BTreeMap;
use std::io::Read;

use serde::{Deserialize, Serialize};
use strata_image::walk::EntryKind;
use strata_image::{Limits, layer::LayerStream};

use crate::{Cataloger, Diagnostics, FileInfo, Package, os};

/// One tar entry of a layer, as merging needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Normalised path.
    pub path: String,
    /// File, directory, link, whiteout…
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
}

/// What one layer holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerIndex {
    /// Every entry, in tar order.
    pub entries: Vec<FileEntry>,
    /// Contents of the OS identification files this layer wrote.
    pub os_files: BTreeMap<String, Vec<u8>>,
    /// Whether the layer wrote distroless dpkg records (`var/lib/dpkg/status.d/`).
    pub dpkg_status_d: bool,
    /// Packages per cataloger name.
    pub packages: BTreeMap<String, Vec<Package>>,
    /// Problems that did not stop indexing.
    pub warnings: Vec<String>,
}

/// Largest OS release file read (they are a few hundred bytes).
const MAX_OS_FILE: u64 = 64 * 1024;

/// Reads one layer with `catalogers` (fresh instances: they keep per-layer state).
pub fn index_layer<R: Read>(
    stream: LayerStream<R>,
    catalogers: &mut [Box<dyn Cataloger>],
    limits: &Limits,
) -> Result<LayerIndex, strata_image::Error> {
    let mut index = LayerIndex::default();
    let mut diagnostics = Diagnostics::default();
    let mut content = Vec::new();
    let mut wanting: Vec<usize> = Vec::new();
    stream.walk(limits, |mut entry| {
        if entry.path.starts_with("var/lib/dpkg/status.d/") {
            index.dpkg_status_d = true;
        }
        let kind = entry.kind.clone();
        index.entries.push(FileEntry {
            path: entry.path.clone(),
            kind: kind.clone(),
            size: entry.size,
        });
        if kind != EntryKind::File {
            return Ok(());
        }
        let file = FileInfo {
            path: &entry.path,
            size: entry.size,
            mode: entry.mode,
        };
        wanting.clear();
        wanting.extend(
            catalogers
                .iter()
                .enumerate()
                .filter(|(_, c)| c.wants(&file))
                .map(|(i, _)| i),
        );
        let os_file = os::OS_FILES.contains(&entry.path.as_str()) && entry.size <= MAX_OS_FILE;
        if wanting.is_empty() && !os_file {
            return Ok(());
        }
        let max = wanting
            .iter()
            .filter_map(|&i| catalogers.get(i).map(|c| c.max_size()))
            .max()
            .unwrap_or(MAX_OS_FILE);
        content.clear();
        if entry.size > max {
            diagnostics.warn(
                &entry.path,
                format!(
                    "{} bytes, larger than the {max} bytes read: skipped",
                    entry.size
                ),
            );
            return Ok(());
        }
        (&mut entry.reader)
            .take(max)
            .read_to_end(&mut content)
            .map_err(|e| strata_image::Error::io(format!("reading {}", entry.path), e))?;
        if os_file {
            index.os_files.insert(entry.path.clone(), content.clone());
        }
        for &i in &wanting {
            if let Some(cataloger) = catalogers.get_mut(i) {
                if entry.size > cataloger.max_size() {
                    diagnostics.warn(
                        &entry.path,
                        format!("larger than {} accepts", cataloger.name()),
                    );
                    continue;
                }
                cataloger.visit(&file, &content, &mut diagnostics);
            }
        }
        Ok(())
    })?;
    for cataloger in catalogers.iter_mut() {
        let found = cataloger.finish(&mut diagnostics);
        index.packages.insert(cataloger.name().to_owned(), found);
    }
    index.warnings = diagnostics.warnings;
    Ok(index)
}
