//! Layer formats: compression found by magic number, sha512 digests, long names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use sha2::{Digest as _, Sha512};
use strata_image::walk::EntryKind;
use strata_image::{Limits, local};
use support::{Item, Layout, tar};

fn entries(layout: &Layout) -> Vec<(String, EntryKind)> {
    let image = local::open(&layout.source(), None, &Limits::default()).unwrap();
    let limits = Limits::default();
    let mut seen = Vec::new();
    for index in 0..image.layers.len() {
        image
            .open_layer(index, &limits, limits.total_uncompressed_bytes)
            .unwrap()
            .walk(&limits, |e| {
                seen.push((e.path.clone(), e.kind.clone()));
                Ok(())
            })
            .unwrap();
    }
    seen
}

#[test]
fn zstd_and_plain_layers_are_found_by_magic_not_media_type() {
    let a = tar(&[Item::File("zstd.txt", b"z")]);
    let b = tar(&[Item::File("plain.txt", b"p")]);
    let layout = Layout::new();
    // Both are announced as gzip by Layout::image; their bytes say otherwise.
    let (digest, size) = layout.image(
        &[(zstd::encode_all(&a[..], 3).unwrap(), a), (b.clone(), b)],
        None,
    );
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
    let names: Vec<String> = entries(&layout).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["zstd.txt", "plain.txt"]);
}

#[test]
fn sha512_digests_are_verified() {
    let layer = tar(&[Item::File("etc/os-release", b"ID=x\n")]);
    let layout = Layout::new();
    let sha512 = |bytes: &[u8]| {
        let hex = hex::encode(Sha512::digest(bytes));
        std::fs::create_dir_all(layout.path().join("blobs/sha512")).unwrap();
        std::fs::write(layout.path().join("blobs/sha512").join(&hex), bytes).unwrap();
        format!("sha512:{hex}")
    };
    let config = serde_json::to_vec(&serde_json::json!({
        "os": "linux", "architecture": "amd64",
        "rootfs": {"type": "layers", "diff_ids": [sha512(&layer)]},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha512(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha512(&layer), "size": layer.len()}],
    }))
    .unwrap();
    let digest = sha512(&manifest);
    layout.index(
        "application/vnd.oci.image.manifest.v1+json",
        &digest,
        manifest.len(),
    );
    assert_eq!(entries(&layout)[0].0, "etc/os-release");

    // The same layer with one byte changed fails its sha512.
    let image = local::open(&layout.source(), None, &Limits::default()).unwrap();
    let stored = layout
        .path()
        .join("blobs/sha512")
        .join(image.layers[0].digest.as_ref().unwrap().hex());
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[600] ^= 1;
    std::fs::write(&stored, bytes).unwrap();
    let limits = Limits::default();
    let err = image
        .open_layer(0, &limits, u64::MAX)
        .unwrap()
        .walk(&limits, |_| Ok(()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("digest mismatch: expected sha512:"),
        "{err}"
    );
}

#[test]
fn gnu_and_pax_long_names_and_link_targets() {
    let long_dir =
        "usr/lib/python3/dist-packages/".to_owned() + &"a-very-long-directory-name/".repeat(6);
    let long_file = format!("{long_dir}METADATA");
    assert!(long_file.len() > 155);
    let mut gnu = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    gnu.append_data(&mut header, &long_file, &b"abc"[..])
        .unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    gnu.append_link(&mut link, "short-link", format!("/{long_file}"))
        .unwrap();
    let gnu = gnu.into_inner().unwrap();

    let mut pax = tar::Builder::new(Vec::new());
    let pax_name = format!("opt/{}/pkg.json", "p".repeat(200));
    pax.append_pax_extensions([("path", pax_name.as_bytes())])
        .unwrap();
    let mut header = tar::Header::new_ustar();
    header.set_path("opt/placeholder").unwrap();
    header.set_size(2);
    header.set_mode(0o644);
    header.set_cksum();
    pax.append(&header, &b"{}"[..]).unwrap();
    let pax = pax.into_inner().unwrap();

    let layout = Layout::with_layers(&[gnu, pax]);
    let seen = entries(&layout);
    assert_eq!(seen[0], (long_file.clone(), EntryKind::File));
    assert_eq!(
        seen[1],
        (
            "short-link".to_owned(),
            EntryKind::Symlink(format!("/{long_file}"))
        )
    );
    assert_eq!(seen[2], (pax_name, EntryKind::File));
}
