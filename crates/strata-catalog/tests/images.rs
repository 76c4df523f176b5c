//! Indexing the real test images (shared/tools/make-test-images). Expected values
//! come from how the images were built (the recipe in that script) and from the
//! Debian package lists in shared/data, not from Strata's output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use strata_catalog::cache::LayerCache;
use strata_catalog::inventory::InventoryPackage;
use strata_catalog::{Inventory, Scope, index_image};
use strata_image::{Limits, Source, local};

fn images() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    assert!(
        dir.join("oci/debian-bookworm.ok").is_file(),
        "test images missing in {}: run scripts/test",
        dir.display()
    );
    dir
}

fn index(
    source: Source,
    scope: Scope,
    cache: Option<&mut LayerCache>,
) -> (Inventory, strata_catalog::IndexStats) {
    let image = local::open(&source, None, &Limits::default()).unwrap();
    index_image(&image, cache, scope, &Limits::default(), |_| Ok(())).unwrap()
}

fn oci(name: &str) -> Source {
    Source::OciDir {
        path: images().join("oci").join(name),
        tag: None,
    }
}

fn find<'a>(inventory: &'a Inventory, ecosystem: &str, name: &str) -> Vec<&'a InventoryPackage> {
    inventory
        .packages
        .iter()
        .filter(|p| p.ecosystem == ecosystem && p.name == name)
        .collect()
}

/// name → version of a `*.packages.tsv` listing from shared/data.
fn shared_listing(relative: &str) -> Vec<(String, String)> {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = start
        .ancestors()
        .map(|d| d.join("shared/data"))
        .find(|d| d.is_dir())
        .unwrap();
    std::fs::read_to_string(data.join(relative))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("package\t"))
        .map(|l| {
            let mut f = l.split('\t');
            (f.next().unwrap().to_owned(), f.next().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn debian_bookworm_base_matches_a_real_minbase_root() {
    let (inventory, _) = index(oci("debian-bookworm"), Scope::Squashed, None);
    let os = inventory.os.as_ref().unwrap();
    assert_eq!(
        (
            os.id.as_str(),
            os.release.as_deref(),
            os.ecosystem.as_deref()
        ),
        ("debian", Some("12"), Some("Debian"))
    );
    // The image is a debootstrap --variant=minbase bookworm, like the shared sample:
    // the same package names (versions move with Debian point releases).
    let expected: std::collections::BTreeSet<String> =
        shared_listing("pkgdb/dpkg/debootstrap-bookworm-minbase/status.packages.tsv")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    let found: std::collections::BTreeSet<String> = inventory
        .packages
        .iter()
        .filter(|p| p.ecosystem == "Debian")
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(found, expected);
    let base_layer = inventory.image.layers[0].diff_id.clone();
    assert!(inventory.packages.iter().all(|p| p.layer == base_layer));
    let libc = find(&inventory, "Debian", "libc6")[0];
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert!(
        libc.purl.starts_with("pkg:deb/debian/libc6@") && libc.purl.contains("distro=debian-12"),
        "{}",
        libc.purl
    );
}

#[test]
fn packages_keep_the_layer_that_first_supplied_them() {
    // bookworm-python: layer 1 ran `apt-get install python3 …`, rewriting dpkg's
    // status; base packages still come from layer 0, python3 from layer 1.
    let (inventory, _) = index(oci("bookworm-python"), Scope::Squashed, None);
    let layer = |name: &str| {
        find(&inventory, "Debian", name)
            .first()
            .map(|p| p.layer_index)
            .unwrap()
    };
    assert_eq!(layer("bash"), Some(0));
    assert_eq!(layer("python3"), Some(1));
    assert_eq!(layer("python3-pip"), Some(1));
}

#[test]
fn docker_archive_and_oci_layout_index_alike_and_the_cache_serves_the_second_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut cache = LayerCache::open(dir.path()).unwrap();
    let (cold, stats) = index(oci("debian-bookworm"), Scope::Squashed, Some(&mut cache));
    assert_eq!((stats.cached, stats.indexed), (0, 1));
    let (warm, stats) = index(oci("debian-bookworm"), Scope::Squashed, Some(&mut cache));
    assert_eq!((stats.cached, stats.indexed), (1, 0));
    assert_eq!(cold.packages, warm.packages);

    let archive = Source::DockerArchive {
        path: images().join("docker/debian-bookworm.tar"),
        tag: None,
    };
    let (from_archive, stats) = index(archive, Scope::Squashed, Some(&mut cache));
    // A docker-archive keys its layer by the uncompressed blob's digest: not the
    // layout's gzip blob, so it is indexed once more.
    assert_eq!(stats.indexed, 1);
    let names = |i: &Inventory| {
        i.packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&from_archive), names(&cold));
    assert!(cache.size().unwrap() > 0);
    cache.prune(0).unwrap();
    assert_eq!(cache.size().unwrap(), 0);
}

#[test]
fn root_filesystem_directory_is_one_layer() {
    let root = tempfile::tempdir().unwrap();
    let status = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|d| d.join("shared/data/pkgdb/dpkg/debootstrap-bookworm-minbase"))
            .find(|d| d.is_dir())
            .unwrap()
            .join("status"),
    )
    .unwrap();
    std::fs::create_dir_all(root.path().join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(root.path().join("etc")).unwrap();
    std::fs::write(root.path().join("var/lib/dpkg/status"), status).unwrap();
    std::fs::write(
        root.path().join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    let (inventory, _) = index(Source::Dir(root.path().to_owned()), Scope::Squashed, None);
    assert_eq!(inventory.packages.len(), 88);
    assert_eq!(inventory.os.unwrap().release.as_deref(), Some("12"));
}

#[test]
fn scratch_image_has_no_os() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("app"), "binary").unwrap();
    let (inventory, _) = index(Source::Dir(root.path().to_owned()), Scope::Squashed, None);
    assert_eq!(inventory.os, None);
    assert!(inventory.packages.is_empty());
}
