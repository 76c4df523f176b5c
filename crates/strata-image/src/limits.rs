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

impl Limits {
    /// The limits' names, as errors and `--limit NAME=VALUE` spell them.
    pub const NAMES: [&'static str; 10] = [
        "manifest-bytes",
        "config-bytes",
        "layers",
        "entries-per-layer",
        "path-bytes",
        "path-depth",
        "total-uncompressed-bytes",
        "compression-ratio",
        "symlink-hops",
        "index-depth",
    ];

    /// Sets one limit by name; `value` may carry a `K`/`M`/`G` (powers of 1024) suffix.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let (digits, scale) = match value.trim().char_indices().last() {
            Some((i, 'K' | 'k')) => (value.get(..i).unwrap_or_default(), 1u64 << 10),
            Some((i, 'M' | 'm')) => (value.get(..i).unwrap_or_default(), 1 << 20),
            Some((i, 'G' | 'g')) => (value.get(..i).unwrap_or_default(), 1 << 30),
            _ => (value.trim(), 1),
        };
        let number = digits
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(scale))
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("limit {name}: {value:?} is not a positive number"))?;
        let small =
            || usize::try_from(number).map_err(|_| format!("limit {name}: {value:?} is too large"));
        match name {
            "manifest-bytes" => self.manifest_bytes = number,
            "config-bytes" => self.config_bytes = number,
            "layers" => self.layers = small()?,
            "entries-per-layer" => self.entries_per_layer = number,
            "path-bytes" => self.path_bytes = small()?,
            "path-depth" => self.path_depth = small()?,
            "total-uncompressed-bytes" => self.total_uncompressed_bytes = number,
            "compression-ratio" => self.compression_ratio = number,
            "symlink-hops" => self.symlink_hops = small()?,
            "index-depth" => self.index_depth = small()?,
            _ => {
                return Err(format!(
                    "unknown limit {name:?} (known: {})",
                    Limits::NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_by_name_with_suffixes() {
        let mut limits = Limits::default();
        limits.set("manifest-bytes", "8M").unwrap();
        limits.set("layers", "10").unwrap();
        assert_eq!((limits.manifest_bytes, limits.layers), (8 << 20, 10));
        assert!(limits.set("layers", "0").is_err());
        assert!(limits.set("layers", "x").is_err());
        assert!(
            limits
                .set("nope", "1")
                .unwrap_err()
                .contains("known: manifest-bytes")
        );
        for name in Limits::NAMES {
            assert!(Limits::default().set(name, "3").is_ok(), "{name}");
        }
    }
}
