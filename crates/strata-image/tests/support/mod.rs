//! Builders for test images: raw tar entries (including ones the `tar` crate
//! would refuse to write, like `..` paths) and OCI layouts around them.

#![allow(dead_code, unreachable_pub)]

pub mod registry;

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest as _, Sha256};

/// One tar entry, written byte by byte so hostile names survive.
pub enum Item<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

fn header(name: &str, kind: u8, size: usize, link: &str) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

/// A tar holding `items`.
pub fn tar(items: &[Item<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let (h, data): ([u8; 512], &[u8]) = match item {
            Item::File(name, data) => (header(name, b'0', data.len(), ""), data),
            Item::Dir(name) => (header(name, b'5', 0, ""), &[]),
            Item::Symlink(name, target) => (header(name, b'2', 0, target), &[]),
            Item::Hardlink(name, target) => (header(name, b'1', 0, target), &[]),
        };
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// An OCI layout under construction.
pub struct Layout {
    pub dir: tempfile::TempDir,
}

impl Layout {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            r#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        Layout { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Stores a blob and returns its digest.
    pub fn blob(&self, bytes: &[u8]) -> String {
        let digest = sha256(bytes);
        let hex = digest.trim_start_matches("sha256:");
        std::fs::write(self.path().join("blobs/sha256").join(hex), bytes).unwrap();
        digest
    }

    /// Stores `bytes` under the digest of `claimed` (a blob that lies).
    pub fn blob_as(&self, claimed: &[u8], bytes: &[u8]) -> String {
        let digest = sha256(claimed);
        let hex = digest.trim_start_matches("sha256:");
        std::fs::write(self.path().join("blobs/sha256").join(hex), bytes).unwrap();
        digest
    }

    /// An image of gzip layers given as (stored blob, uncompressed tar), with
    /// descriptor sizes as stored unless `sizes` overrides them. Returns the manifest digest.
    pub fn image(&self, layers: &[(Vec<u8>, Vec<u8>)], sizes: Option<&[u64]>) -> (String, usize) {
        let diff_ids: Vec<String> = layers.iter().map(|(_, tar)| sha256(tar)).collect();
        let config = serde_json::json!({
            "os": "linux", "architecture": "amd64", "created": "2024-01-01T00:00:00Z",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": layers.iter().enumerate().map(|(i, _)| serde_json::json!({"created_by": format!("step {i}")})).collect::<Vec<_>>(),
        });
        let config = serde_json::to_vec(&config).unwrap();
        let config_digest = self.blob(&config);
        let descriptors: Vec<serde_json::Value> = layers
            .iter()
            .enumerate()
            .map(|(i, (blob, _))| {
                let digest = self.blob(blob);
                let size = sizes.map_or(blob.len() as u64, |s| s[i]);
                serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
            })
            .collect();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
            "layers": descriptors,
        });
        let manifest = serde_json::to_vec(&manifest).unwrap();
        (self.blob(&manifest), manifest.len())
    }

    /// Writes index.json pointing at one descriptor.
    pub fn index(&self, media_type: &str, digest: &str, size: usize) {
        let index = serde_json::json!({
            "schemaVersion": 2,
            "manifests": [{"mediaType": media_type, "digest": digest, "size": size,
                           "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
        });
        std::fs::write(
            self.path().join("index.json"),
            serde_json::to_vec(&index).unwrap(),
        )
        .unwrap();
    }

    /// A layout with one image made of `layers` (uncompressed tars, gzipped here).
    pub fn with_layers(layers: &[Vec<u8>]) -> Layout {
        let layout = Layout::new();
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = layers.iter().map(|t| (gzip(t), t.clone())).collect();
        let (digest, size) = layout.image(&pairs, None);
        layout.index("application/vnd.oci.image.manifest.v1+json", &digest, size);
        layout
    }

    pub fn source(&self) -> strata_image::Source {
        strata_image::Source::OciDir {
            path: self.path().to_owned(),
            tag: None,
        }
    }
}

/// The real test images (built by shared/tools/make-test-images).
pub fn images_dir() -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_IMAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/strata-test/images")
        });
    assert!(
        dir.join("oci/debian-bookworm.ok").is_file(),
        "test images missing in {} — run scripts/test-images (or set STRATA_TEST_IMAGES)",
        dir.display()
    );
    dir
}
