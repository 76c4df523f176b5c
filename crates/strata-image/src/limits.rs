//! Limits on untrusted images. Every one is configurable; breaching one is an
//! error naming the limit and the blob.

/// Bounds applied while reading an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest manifest or index, in bytes.
    pub manifest_bytes: u64,
    /// Largest image config, in bytes.
    pub config_bytes: u64,
    /// Most layers in one image.
    pub layers: usize,
    /// Most tar entries in one layer.
    pub entries_per_layer: u64,
    /// Longest path inside a layer, in bytes.
    pub path_bytes: usize,
    /// Deepest path inside a layer, in components.
    pub path_depth: usize,
    /// Most uncompressed bytes in all layers together.
    pub total_uncompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of a layer (gzip bombs).
    pub compression_ratio: u64,
    /// Most symlinks followed while resolving one path.
    pub symlink_hops: usize,
    /// Deepest chain of nested indexes.
    pub index_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_bytes: 4 << 20,
            config_bytes: 8 << 20,
            layers: 256,
            entries_per_layer: 2_000_000,
            path_bytes: 4096,
            path_depth: 256,
            total_uncompressed_bytes: 64 << 30,
            // Real layers compress 2-10x; sparse files and zero runs go higher, a bomb much higher.
            compression_ratio: 200,
            symlink_hops: 40,
            index_depth: 4,
        }
    }
}
