//! Hostile images: each must fail with a clear error naming what was wrong (or be
//! handled safely), never panic, never touch anything outside the image.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::Read;

use strata_image::walk::{self, EntryKind};
use strata_image::{Error, Image, Limits, MergedView, local};
use support::{Item, Layout, gzip, tar};

fn open(layout: &Layout) -> Image {
    local::open(&layout.source(), None, &Limits::default()).unwrap()
}

/// Walks every layer into a merged view, as the indexer will.
fn merge(image: &Image, limits: &Limits) -> Result<MergedView, Error> {
    let mut view = MergedView::new();
    for index in 0..image.layers.len() {
        let stream = image.open_layer(index, limits, limits.total_uncompressed_bytes)?;
        stream.walk(limits, |entry| {
            view.apply(index, &entry.path, entry.kind.clone(), entry.size);
            Ok(())
        })?;
    }
    Ok(view)
}

#[test]
fn dotdot_path_is_refused_naming_layer_and_path() {
    let layout = Layout::with_layers(&[tar(&[
        Item::File("ok.txt", b"x"),
        Item::File("../../etc/passwd", b"pwned"),
    ])]);
    let err = merge(&open(&layout), &Limits::default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::UnsafePath { .. }), "{text}");
    assert!(
        text.contains("layer 0") && text.contains("../../etc/passwd"),
        "{text}"
    );
}

#[test]
fn hardlink_to_outside_is_refused() {
    let layout = Layout::with_layers(&[tar(&[Item::Hardlink("bin/sh", "../../../etc/shadow")])]);
    let err = merge(&open(&layout), &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::UnsafePath { .. }), "{err}");
}

#[test]
fn absolute_symlink_resolves_inside_the_image_only() {
    let layout = Layout::with_layers(&[tar(&[
        Item::Dir("etc/"),
        Item::File("etc/passwd", b"root:x:0:0:image\n"),
        Item::Symlink("escape", "/../../../../etc/passwd"),
        Item::Symlink("nowhere", "/../../../../root/.ssh/id_rsa"),
    ])]);
    let view = merge(&open(&layout), &Limits::default()).unwrap();
    let limits = Limits::default();
    assert_eq!(
        view.resolve("escape", &limits).unwrap().as_deref(),
        Some("etc/passwd")
    );
    // The host has /root; the image does not, so the link leads nowhere.
    assert_eq!(view.resolve("nowhere", &limits).unwrap(), None);
}

#[test]
fn truncated_gzip_is_a_read_error_naming_the_layer() {
    let layer = tar(&[Item::File("big", &vec![7u8; 200_000])]);
    let mut blob = gzip(&layer);
    blob.truncate(blob.len() / 2);
    let layout = Layout::new();
    // The truncated blob is stored under its own digest: only decompression can notice.
    let (digest, size) = layout.image(&[(blob, layer)], None);
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
    let err = merge(&open(&layout), &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(err.to_string().starts_with("layer 0 (sha256:"), "{err}");
}

#[test]
fn blob_with_wrong_digest_is_refused_naming_the_blob() {
    // Stored uncompressed, so a same-length swap decodes fine and only the digest tells.
    let layer = tar(&[Item::File("a", b"hello")]);
    let layout = Layout::new();
    let (digest, size) = layout.image(&[(layer.clone(), layer.clone())], None);
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
    let image = open(&layout);
    let blob = image.layers[0].digest.clone().unwrap();
    let evil = tar(&[Item::File("a", b"HELLO")]);
    assert_eq!(evil.len(), layer.len());
    std::fs::write(layout.path().join("blobs/sha256").join(blob.hex()), &evil).unwrap();
    let err = merge(&image, &Limits::default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{text}");
    assert!(
        text.starts_with(&format!(
            "layer 0 ({blob}): digest mismatch: expected {blob}"
        )),
        "{text}"
    );
}

#[test]
fn config_with_wrong_digest_is_refused() {
    let layout = Layout::new();
    let config = br#"{"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = layout.blob_as(
        config,
        br#"{"rootfs":{"type":"layers","diff_ids":[]},"x":1}"#,
    );
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": []})).unwrap();
    let digest = layout.blob(&manifest);
    layout.index(
        "application/vnd.oci.image.manifest.v1+json",
        &digest,
        manifest.len(),
    );
    let err = local::open(&layout.source(), None, &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
}

#[test]
fn gzip_bomb_hits_the_compression_ratio_limit() {
    // 300 MiB of zeros in one file compress to a few hundred KiB.
    let mut layer = Vec::new();
    let zeros = 300u64 << 20;
    let mut h = support::tar(&[Item::File("zeros", b"")]);
    h.truncate(512);
    // Patch the size field of the header for the zero run.
    h[124..135].copy_from_slice(format!("{zeros:011o}").as_bytes());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    layer.extend_from_slice(&h);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut encoder, &layer).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..(zeros >> 20) + 1 {
        std::io::Write::write_all(&mut encoder, &chunk).unwrap();
    }
    let blob = encoder.finish().unwrap();
    let layout = Layout::new();
    let (digest, size) = layout.image(&[(blob, vec![])], None);
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
    let err = merge(&open(&layout), &Limits::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            Error::Limit {
                limit: "compression-ratio",
                ..
            }
        ),
        "{text}"
    );
    assert!(text.starts_with("layer 0 (sha256:"), "{text}");
}

#[test]
fn layer_larger_than_its_descriptor_is_refused() {
    let layer = tar(&[Item::File("a", &vec![1u8; 50_000])]);
    let blob = gzip(&layer);
    let layout = Layout::new();
    let (digest, size) = layout.image(&[(blob, layer)], Some(&[100]));
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
    let err = merge(&open(&layout), &Limits::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("larger than the 100 bytes its descriptor announces"),
        "{err}"
    );
}

#[test]
fn manifest_whose_descriptor_lies_about_size_is_refused() {
    let layout = Layout::with_layers(&[tar(&[Item::File("a", b"x")])]);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.path().join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    layout.index("application/vnd.oci.image.manifest.v1+json", &digest, 10);
    let err = local::open(&layout.source(), None, &Limits::default()).unwrap_err();
    assert!(
        matches!(err, Error::SizeMismatch { .. } | Error::Limit { .. }),
        "{err}"
    );
}

#[test]
fn deeply_nested_indexes_hit_the_index_depth_limit() {
    let layout = Layout::with_layers(&[tar(&[Item::File("a", b"x")])]);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.path().join("index.json")).unwrap()).unwrap();
    let mut digest = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    let mut size = index["manifests"][0]["size"].as_u64().unwrap() as usize;
    let mut media_type = "application/vnd.oci.image.manifest.v1+json";
    // Content addressing makes a true loop impossible; an endless chain is the attack.
    for _ in 0..10 {
        let nested = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": media_type, "digest": digest, "size": size,
                           "platform": {"os": "linux", "architecture": "amd64"}}]}))
        .unwrap();
        digest = layout.blob(&nested);
        size = nested.len();
        media_type = "application/vnd.oci.image.index.v1+json";
    }
    layout.index(media_type, &digest, size);
    let err = local::open(&layout.source(), None, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                limit: "index-depth",
                ..
            }
        ),
        "{err}"
    );
}

/// A tar of `count` empty files, generated on the fly (512 MB if stored).
struct ManyEntries {
    next: u64,
    count: u64,
    buffer: Vec<u8>,
    position: usize,
}

impl Read for ManyEntries {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.position == self.buffer.len() {
            self.buffer.clear();
            self.position = 0;
            while self.buffer.len() < 64 * 1024 && self.next <= self.count {
                if self.next == self.count {
                    self.buffer.extend_from_slice(&[0u8; 1024]);
                } else {
                    let name = format!("d{}/f{}", self.next % 1000, self.next);
                    self.buffer
                        .extend_from_slice(&tar(&[Item::File(&name, b"")])[..512]);
                }
                self.next += 1;
            }
        }
        let n = buf.len().min(self.buffer.len() - self.position);
        buf[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[test]
fn million_entry_tar_is_walked_and_capped_by_the_entry_limit() {
    let many = || ManyEntries {
        next: 0,
        count: 1_000_000,
        buffer: Vec::new(),
        position: 0,
    };
    let stats = walk::walk(many(), "layer 0", &Limits::default(), |_| Ok(())).unwrap();
    assert_eq!(stats.entries, 1_000_000);
    let limits = Limits {
        entries_per_layer: 500_000,
        ..Limits::default()
    };
    let err = walk::walk(many(), "layer 0", &limits, |_| Ok(())).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Limit {
                limit: "entries-per-layer",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn whiteouts_and_opaque_dirs_apply_across_layers() {
    let layout = Layout::with_layers(&[
        tar(&[
            Item::File("etc/motd", b"hi"),
            Item::File("site/old/__init__.py", b""),
            Item::File("keep", b""),
        ]),
        tar(&[
            Item::File("etc/.wh.motd", b""),
            Item::File("site/.wh..wh..opq", b""),
            Item::File("site/new.py", b""),
        ]),
    ]);
    let view = merge(&open(&layout), &Limits::default()).unwrap();
    assert!(view.get("etc/motd").is_none());
    assert!(view.get("site/old/__init__.py").is_none());
    assert_eq!(view.get("site/new.py").map(|n| n.layer), Some(1));
    assert_eq!(
        view.get("keep").map(|n| (n.layer, n.kind.clone())),
        Some((0, EntryKind::File))
    );
}
