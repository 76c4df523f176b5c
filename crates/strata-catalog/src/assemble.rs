//! From per-layer indexes to the image's inventory: layers merged (whiteouts and
//! opaque directories applied), the OS read from the visible release files, each
//! package kept only if its evidence is visible, attributed to the first layer
//! that supplied the visible version, and linked to the OS package owning it.

use std::collections::{BTreeMap, HashMap, HashSet};

use strata_image::walk::EntryKind;
use strata_image::{Limits, MergedView};

use crate::index::LayerIndex;
use crate::inventory::{ImageInfo, Inventory, InventoryPackage, OsInfo, Owner, SCHEMA};
use crate::{Os, Package, PackageKind, os, purl};

/// Which packages an inventory lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// What the running container sees (the default, as Syft's `squashed`).
    #[default]
    Squashed,
    /// Every package any layer held, even if a later layer removed it.
    AllLayers,
}

/// The evidence file of a package: the part of its first path before `!` (a file
/// inside an archive is evidence of the archive).
fn evidence(package: &Package) -> Option<&str> {
    package
        .paths
        .first()
        .map(|p| p.split('!').next().unwrap_or(p))
}

/// What makes two records the same installed package.
fn identity(package: &Package) -> (Option<PackageKind>, &str, &str, Option<&str>) {
    (
        package.kind,
        &package.name,
        &package.version,
        package.arch.as_deref(),
    )
}

/// Builds the inventory of an image from its layers' indexes (base first).
pub fn assemble(image: ImageInfo, layers: &[LayerIndex], scope: Scope) -> Inventory {
    let limits = Limits::default();
    let mut view = MergedView::new();
    for (i, layer) in layers.iter().enumerate() {
        for entry in &layer.entries {
            view.apply(i, &entry.path, entry.kind.clone(), entry.size);
        }
    }
    let os = detect_os(&view, layers, &limits);
    let mut warnings: Vec<String> = layers
        .iter()
        .flat_map(|l| l.warnings.iter().cloned())
        .collect();

    // Paths each layer wrote (including whiteouts), for attribution.
    let written: Vec<HashSet<&str>> = layers
        .iter()
        .map(|l| l.entries.iter().map(|e| e.path.as_str()).collect())
        .collect();

    let mut found: Vec<(usize, &Package)> = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        for package in layer.packages.values().flatten() {
            let visible =
                evidence(package).is_some_and(|path| view.get(path).is_some_and(|n| n.layer == i));
            if scope == Scope::AllLayers || visible {
                found.push((i, package));
            }
        }
    }

    let owners = owners(&found, os.as_ref());
    let dropped_locks = superseded_lockfiles(&found);
    let mut packages = Vec::new();
    for (i, package) in found {
        if package.metadata.contains_key("from_lockfile")
            && evidence(package).is_some_and(|p| dropped_locks.contains(p))
        {
            continue;
        }
        let introduced = first_layer(i, package, layers, &written);
        match to_inventory(package, introduced, &image, os.as_ref(), &owners) {
            Ok(item) => packages.push(item),
            Err(e) => warnings.push(e),
        }
    }
    packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version, &a.paths).cmp(&(
            &b.ecosystem,
            &b.name,
            &b.version,
            &b.paths,
        ))
    });
    packages.dedup_by(|a, b| {
        a.ecosystem == b.ecosystem
            && a.name == b.name
            && a.version == b.version
            && a.paths == b.paths
            && a.layer == b.layer
    });
    Inventory {
        schema: SCHEMA.to_owned(),
        image,
        os: os.as_ref().map(OsInfo::from),
        packages,
        warnings,
    }
}

/// The OS from the release files that are visible in the merged image.
fn detect_os(view: &MergedView, layers: &[LayerIndex], limits: &Limits) -> Option<Os> {
    let mut files = BTreeMap::new();
    for path in os::OS_FILES {
        let Ok(Some(resolved)) = view.resolve(path, limits) else {
            continue;
        };
        let Some(node) = view.get(&resolved) else {
            continue;
        };
        if let Some(bytes) = layers
            .get(node.layer)
            .and_then(|l| l.os_files.get(&resolved))
        {
            files.insert(path.to_owned(), bytes.clone());
        }
    }
    let status_d = view.iter().any(|(path, node)| {
        path.starts_with("var/lib/dpkg/status.d/") && node.kind == EntryKind::File
    });
    os::detect(&files, status_d)
}

/// The first layer that supplied the visible version: going down from the layer it
/// was found in, past layers that did not touch its evidence file, as long as each
/// layer that wrote the file recorded the same package.
fn first_layer(
    found_in: usize,
    package: &Package,
    layers: &[LayerIndex],
    written: &[HashSet<&str>],
) -> usize {
    let Some(path) = evidence(package) else {
        return found_in;
    };
    let mut first = found_in;
    for k in (0..found_in).rev() {
        if !written.get(k).is_some_and(|w| w.contains(path)) {
            continue;
        }
        let same = layers.get(k).is_some_and(|layer| {
            layer
                .packages
                .values()
                .flatten()
                .any(|p| identity(p) == identity(package) && evidence(p) == Some(path))
        });
        if !same {
            break;
        }
        first = k;
    }
    first
}

type OwnerMap = HashMap<String, Owner>;

/// File path → the visible OS package that installed it.
fn owners(found: &[(usize, &Package)], os: Option<&Os>) -> OwnerMap {
    let mut map = OwnerMap::new();
    for (_, package) in found {
        let Some(kind) = package
            .kind
            .filter(|k| matches!(k, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm))
        else {
            continue;
        };
        let owner = Owner {
            ecosystem: ecosystem(kind, os).to_owned(),
            name: package.name.clone(),
            version: package.version.clone(),
        };
        for file in &package.files {
            map.entry(file.trim_start_matches('/').to_owned())
                .or_insert_with(|| owner.clone());
        }
    }
    map
}

/// A language package is owned by an OS package when that package installed its
/// evidence file or the directory holding it (Debian's `python3-*` dist-info).
fn owner_of<'a>(package: &Package, owners: &'a OwnerMap) -> Option<&'a Owner> {
    if matches!(
        package.kind,
        Some(PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm)
    ) {
        return None;
    }
    let path = evidence(package)?;
    owners
        .get(path)
        .or_else(|| path.rsplit_once('/').and_then(|(dir, _)| owners.get(dir)))
}

/// Lock files whose project also has installed `node_modules` packages: the
/// installed ones are the truth, the lock's entries would double them.
fn superseded_lockfiles(found: &[(usize, &Package)]) -> HashSet<String> {
    let installed: Vec<&str> = found
        .iter()
        .filter(|(_, p)| {
            p.kind == Some(PackageKind::Npm) && !p.metadata.contains_key("from_lockfile")
        })
        .filter_map(|(_, p)| evidence(p))
        .collect();
    found
        .iter()
        .filter(|(_, p)| {
            p.kind == Some(PackageKind::Npm) && p.metadata.contains_key("from_lockfile")
        })
        .filter_map(|(_, p)| evidence(p))
        .filter(|lock| {
            let dir = lock.rsplit_once('/').map_or("", |(d, _)| d);
            let prefix = if dir.is_empty() {
                "node_modules/".to_owned()
            } else {
                format!("{dir}/node_modules/")
            };
            installed.iter().any(|p| p.starts_with(&prefix))
        })
        .map(str::to_owned)
        .collect()
}

/// The OSV ecosystem of a package kind (OS kinds follow the detected OS).
fn ecosystem(kind: PackageKind, os: Option<&Os>) -> &'static str {
    let from_os = os.and_then(Os::ecosystem);
    match kind {
        PackageKind::Deb => from_os
            .filter(|e| *e == "Debian" || *e == "Ubuntu")
            .unwrap_or("Debian"),
        PackageKind::Apk => from_os
            .filter(|e| matches!(*e, "Alpine" | "Wolfi" | "Chainguard"))
            .unwrap_or("Alpine"),
        PackageKind::Rpm => from_os.unwrap_or("Red Hat"),
        PackageKind::Python => "PyPI",
        PackageKind::Npm => "npm",
        PackageKind::Cargo => "crates.io",
        PackageKind::Go => "Go",
        PackageKind::Maven => "Maven",
        PackageKind::Gem => "RubyGems",
        PackageKind::Composer => "Packagist",
        PackageKind::Nuget => "NuGet",
    }
}

fn to_inventory(
    package: &Package,
    layer: usize,
    image: &ImageInfo,
    os: Option<&Os>,
    owners: &OwnerMap,
) -> Result<InventoryPackage, String> {
    let kind = package
        .kind
        .ok_or_else(|| format!("{}: package without a kind", package.name))?;
    let purl = purl::of(kind, package, os)
        .map_err(|e| format!("{} {}: no package URL: {e}", package.name, package.version))?;
    let layer_info = image.layers.get(layer);
    Ok(InventoryPackage {
        ecosystem: ecosystem(kind, os).to_owned(),
        name: package.name.clone(),
        version: package.version.clone(),
        source_name: package.source_name.clone(),
        source_version: package.source_version.clone(),
        arch: package.arch.clone(),
        purl,
        layer: layer_info.and_then(|l| l.diff_id.clone()),
        layer_index: layer_info.map(|l| l.index),
        paths: package.paths.iter().map(|p| format!("/{p}")).collect(),
        owner: owner_of(package, owners).cloned(),
        kind,
        metadata: package.metadata.clone(),
    })
}
