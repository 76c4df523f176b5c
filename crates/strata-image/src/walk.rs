//! Walking a layer's tar stream without extracting it: every entry's path made
//! safe and relative to the image root, whiteouts recognised, limits enforced.

use std::io::Read;

use crate::{Error, Limits};

/// The whiteout prefix of the OCI layer spec (`.wh.NAME` deletes `NAME`).
const WHITEOUT_PREFIX: &str = ".wh.";
/// The opaque-directory marker (`DIR/.wh..wh..opq` hides lower layers' `DIR/*`).
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// What a tar entry is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file (its content is the entry's reader).
    File,
    /// A directory.
    Dir,
    /// A symbolic link to the (unresolved) target.
    Symlink(String),
    /// A hard link to another path of the image (normalised).
    Hardlink(String),
    /// Deletes the path from lower layers.
    Whiteout,
    /// Hides everything lower layers put under this directory.
    Opaque,
    /// Devices, FIFOs and the like.
    Other,
}

/// One entry of a layer.
pub struct Entry<'a> {
    /// Normalised path relative to the image root (`usr/lib/os-release`); for
    /// whiteouts the path that is deleted, for opaque markers the directory.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Size of the content in bytes.
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// The content (empty for everything but files).
    pub reader: &'a mut dyn Read,
}

impl std::fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Counts of what a walk saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkStats {
    /// Tar entries read.
    pub entries: u64,
}

/// Normalises a path from a layer: strips `/` and `./`, collapses `//` and `.`,
/// and refuses `..` that would climb above the root. `""` is the root itself.
pub fn normalize(raw: &str, layer: &str, limits: &Limits) -> Result<String, Error> {
    let unsafe_path = |reason| Error::UnsafePath {
        layer: layer.to_owned(),
        path: raw.chars().take(300).collect(),
        reason,
    };
    if raw.len() > limits.path_bytes {
        return Err(unsafe_path("path longer than the path-bytes limit"));
    }
    if raw.contains('\0') {
        return Err(unsafe_path("NUL byte in path"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(unsafe_path("`..` leads outside the image root"));
                }
            }
            name => parts.push(name),
        }
    }
    if parts.len() > limits.path_depth {
        return Err(unsafe_path("path deeper than the path-depth limit"));
    }
    Ok(parts.join("/"))
}

/// Walks every entry of the tar `stream`, calling `visit` for each. `layer` names the
/// layer in errors. Reading an entry's content is up to `visit`; what it leaves
/// unread is skipped.
pub fn walk<R: Read>(
    stream: R,
    layer: &str,
    limits: &Limits,
    mut visit: impl FnMut(Entry<'_>) -> Result<(), Error>,
) -> Result<WalkStats, Error> {
    let mut archive = tar::Archive::new(stream);
    let mut stats = WalkStats::default();
    let entries = archive
        .entries()
        .map_err(|e| Error::io(format!("{layer}: reading tar"), e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::io(format!("{layer}: reading tar entry"), e))?;
        stats.entries += 1;
        if stats.entries > limits.entries_per_layer {
            return Err(Error::Limit {
                what: layer.to_owned(),
                limit: "entries-per-layer",
                max: limits.entries_per_layer,
            });
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut path = normalize(&raw_path, layer, limits)?;
        let header = entry.header();
        let size = header.size().unwrap_or(0);
        let mode = header.mode().unwrap_or(0);
        let entry_type = header.entry_type();
        let link_target = || {
            entry
                .link_name_bytes()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        };
        let name = path.rsplit('/').next().unwrap_or_default().to_owned();
        let kind = if name == OPAQUE_MARKER {
            path = parent(&path).to_owned();
            EntryKind::Opaque
        } else if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
            path = join(parent(&path), hidden);
            EntryKind::Whiteout
        } else if entry_type.is_file() || entry_type.is_contiguous() {
            EntryKind::File
        } else if entry_type.is_dir() {
            EntryKind::Dir
        } else if entry_type.is_symlink() {
            EntryKind::Symlink(link_target())
        } else if entry_type.is_hard_link() {
            EntryKind::Hardlink(normalize(&link_target(), layer, limits)?)
        } else {
            EntryKind::Other
        };
        if path.is_empty() && !matches!(kind, EntryKind::Dir | EntryKind::Opaque) {
            // Only a directory can be the root; a file named "/" or "." is malformed.
            return Err(Error::UnsafePath {
                layer: layer.to_owned(),
                path: raw_path,
                reason: "entry replaces the image root",
            });
        }
        visit(Entry {
            path,
            kind,
            size,
            mode,
            reader: &mut entry,
        })?;
    }
    Ok(stats)
}

/// The directory part of a normalised path (`""` for top-level names).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(p: &str) -> Result<String, Error> {
        normalize(p, "layer", &Limits::default())
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(norm("./etc//os-release").unwrap(), "etc/os-release");
        assert_eq!(norm("/usr/./lib/../lib/x").unwrap(), "usr/lib/x");
        assert_eq!(norm("./").unwrap(), "");
    }

    #[test]
    fn refuses_escapes_and_absurd_paths() {
        assert!(norm("../etc/passwd").is_err());
        assert!(norm("a/../../b").is_err());
        assert!(norm(&"a/".repeat(300)).is_err());
        assert!(norm(&"x".repeat(5000)).is_err());
    }
}
