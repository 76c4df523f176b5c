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
    // Bounded, least recently used first: the docker-archive layer (used last) stays.
    assert!(cache.size().unwrap() > 0);
    let archive_only = {
        let mut probe = LayerCache::open(dir.path()).unwrap();
        let total = probe.size().unwrap();
        probe.evict(total - 1).unwrap()
    };
    assert_eq!(archive_only, 1);
    let (_, stats) = index(oci("debian-bookworm"), Scope::Squashed, Some(&mut cache));
    assert_eq!(
        stats.indexed, 1,
        "the evicted layout layer is indexed again"
    );
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

#[test]
fn bookworm_python_whiteouts_opaque_dirs_and_distro_owned_packages() {
    let (inventory, _) = index(oci("bookworm-python"), Scope::Squashed, None);
    // Layer 3 deleted PyJWT's dist-info: it must not be reported.
    assert!(find(&inventory, "PyPI", "pyjwt").is_empty());
    // /opt/legacy/site-packages was made opaque in layer 3 and refilled with
    // urllib3 1.26.5 only: 1.24.1 and requests 2.20.0 are hidden.
    let legacy: Vec<(&str, &str, Option<usize>)> = inventory
        .packages
        .iter()
        .filter(|p| p.paths[0].starts_with("/opt/legacy/"))
        .map(|p| (p.name.as_str(), p.version.as_str(), p.layer_index))
        .collect();
    assert_eq!(legacy, [("urllib3", "1.26.5", Some(2))]);
    // The venv packages pip installed in layer 2 (index 1).
    for (name, version) in [
        ("django", "2.2"),
        ("requests", "2.19.0"),
        ("urllib3", "1.23"),
        ("jinja2", "2.10"),
        ("flask", "0.12"),
    ] {
        let found = find(&inventory, "PyPI", name);
        assert!(
            found
                .iter()
                .any(|p| p.version == version && p.layer_index == Some(1)),
            "{name} {version}: {found:?}"
        );
    }
    // Debian's python3-pip installed a pip dist-info: owned, so the matcher can skip it.
    let pip: Vec<_> = find(&inventory, "PyPI", "pip")
        .into_iter()
        .filter(|p| p.paths[0].starts_with("/usr/lib/python3/"))
        .collect();
    assert_eq!(pip.len(), 1);
    assert_eq!(
        pip[0].owner.as_ref().map(|o| o.name.as_str()),
        Some("python3-pip")
    );
    assert!(pip[0].purl.starts_with("pkg:pypi/pip@"));

    // All layers: what the later layer removed or hid is listed too, with its layer.
    let (all, _) = index(oci("bookworm-python"), Scope::AllLayers, None);
    assert!(
        find(&all, "PyPI", "pyjwt")
            .iter()
            .any(|p| p.version == "1.7.1" && p.layer_index == Some(1))
    );
    assert!(
        find(&all, "PyPI", "urllib3")
            .iter()
            .any(|p| p.version == "1.24.1")
    );
}

#[test]
fn bookworm_node_finds_nested_copies() {
    let (inventory, _) = index(oci("bookworm-node"), Scope::Squashed, None);
    let qs: std::collections::BTreeSet<&str> = find(&inventory, "npm", "qs")
        .iter()
        .map(|p| p.version.as_str())
        .collect();
    assert!(qs.contains("6.5.2") && qs.contains("6.5.1"), "{qs:?}");
    // Installed node_modules win over the project's lock file: no lock-only doubles.
    assert!(
        inventory
            .packages
            .iter()
            .all(|p| !p.metadata.contains_key("from_lockfile"))
    );
    for (name, version) in [
        ("lodash", "4.17.15"),
        ("minimist", "1.2.0"),
        ("express", "4.16.0"),
        ("axios", "0.21.0"),
    ] {
        assert!(
            find(&inventory, "npm", name)
                .iter()
                .any(|p| p.version == version && p.layer_index == Some(1)),
            "{name}"
        );
    }
}

#[test]
fn bookworm_java_finds_commons_text_inside_the_war() {
    let (inventory, _) = index(oci("bookworm-java"), Scope::Squashed, None);
    let text: Vec<_> = find(&inventory, "Maven", "org.apache.commons:commons-text");
    // The war's WEB-INF/lib holds the bullseye commons-text (1.9), copied in layer 1.
    let in_war: Vec<_> = text
        .iter()
        .filter(|p| p.paths[0] == "/opt/app/webapp.war!/WEB-INF/lib/commons-text-1.9.jar")
        .collect();
    assert_eq!(in_war.len(), 1, "{text:?}");
    assert_eq!(in_war[0].version, "1.9");
    assert_eq!(
        in_war[0].purl,
        "pkg:maven/org.apache.commons/commons-text@1.9"
    );
    assert_eq!(in_war[0].layer_index, Some(1));
    assert!(
        !find(
            &inventory,
            "Maven",
            "com.fasterxml.jackson.core:jackson-databind"
        )
        .is_empty()
    );
}

#[test]
fn rust_binary_reports_its_auditable_dependencies() {
    let (inventory, _) = index(oci("rust-binary"), Scope::Squashed, None);
    // The binary was built from shared/tools/fixtures/rust-app with these pins.
    for (name, version) in [
        ("smallvec", "0.6.13"),
        ("time", "0.1.43"),
        ("chrono", "0.4.19"),
        ("regex", "1.5.4"),
        ("base64", "0.5.1"),
    ] {
        let found = find(&inventory, "crates.io", name);
        assert!(
            found.iter().any(|p| p.version == version
                && p.paths[0] == "/usr/local/bin/vulnapp"
                && p.layer_index == Some(1)),
            "{name} {version}: {found:?}"
        );
    }
}
