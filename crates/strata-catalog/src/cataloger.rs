//! The interface every cataloger implements: it names the files it wants, is handed
//! their contents as one layer streams past, and reports the packages they show.

use crate::Package;

/// A regular file of a layer.
#[derive(Debug, Clone, Copy)]
pub struct FileInfo<'a> {
    /// Normalised path, without a leading `/` (`var/lib/dpkg/status`).
    pub path: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Permission bits (`0o755`…).
    pub mode: u32,
}

/// Problems that did not stop indexing (a corrupt record is skipped, not fatal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// One line per problem, naming the file and what was wrong.
    pub warnings: Vec<String>,
}

impl Diagnostics {
    /// Records a skipped file or record.
    pub fn warn(&mut self, path: &str, message: impl std::fmt::Display) {
        // Bounded: a hostile layer must not grow this without end.
        if self.warnings.len() < 1000 {
            self.warnings.push(format!("{path}: {message}"));
        }
    }
}

/// A package cataloger. One instance reads one layer: `wants` and `visit` are called
/// for that layer's regular files in tar order, then `finish` once.
pub trait Cataloger: Send {
    /// Stable name (part of the layer-cache key).
    fn name(&self) -> &'static str;

    /// Bump when the output for the same input changes: cached results of older
    /// versions are then recomputed.
    fn version(&self) -> u32;

    /// Whether `visit` should get this file's content.
    fn wants(&self, file: &FileInfo<'_>) -> bool;

    /// Largest file content this cataloger accepts (bigger files get a warning).
    fn max_size(&self) -> u64 {
        64 << 20
    }

    /// One wanted file with its whole content. Problems go to `diagnostics`; parsing
    /// must never panic, whatever the bytes.
    fn visit(&mut self, file: &FileInfo<'_>, content: &[u8], diagnostics: &mut Diagnostics);

    /// The packages the visited files show.
    fn finish(&mut self, diagnostics: &mut Diagnostics) -> Vec<Package>;
}
