//! Where an image comes from, chosen by prefix (as Trivy and Syft spell them) or
//! detected from what a bare path holds.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Error, ImageRef};

/// An image source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An image in an OCI/Docker registry.
    Registry(ImageRef),
    /// A `docker save` tar, optionally choosing one of its tags.
    DockerArchive {
        /// The tar.
        path: PathBuf,
        /// `repo:tag` to pick when the archive holds several images.
        tag: Option<String>,
    },
    /// A tar of an OCI image layout.
    OciArchive {
        /// The tar.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// An OCI image layout directory.
    OciDir {
        /// The directory.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick.
        tag: Option<String>,
    },
    /// A root filesystem directory (one pseudo-layer).
    Dir(PathBuf),
}

impl Source {
    /// Reads `registry:REF`, `docker-archive:PATH[:TAG]`, `oci-archive:PATH[:TAG]`,
    /// `oci-dir:PATH[:TAG]` (alias `oci:`), `dir:PATH`; a bare existing path is
    /// detected (tar: docker-archive or OCI archive; directory: OCI layout or
    /// rootfs); anything else is a registry reference.
    pub fn parse(input: &str) -> Result<Source, Error> {
        if let Some(reference) = input.strip_prefix("registry:") {
            return Ok(Source::Registry(ImageRef::parse(reference)?));
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            let (path, tag) = split_tag(rest);
            return Ok(Source::DockerArchive { path, tag });
        }
        if let Some(rest) = input.strip_prefix("oci-archive:") {
            let (path, tag) = split_tag(rest);
            return Ok(Source::OciArchive { path, tag });
        }
        if let Some(rest) = input
            .strip_prefix("oci-dir:")
            .or_else(|| input.strip_prefix("oci:"))
        {
            let (path, tag) = split_tag(rest);
            return Ok(Source::OciDir { path, tag });
        }
        if let Some(rest) = input.strip_prefix("dir:") {
            return Ok(Source::Dir(PathBuf::from(rest)));
        }
        let path = Path::new(input);
        if path.is_dir() {
            return Ok(if path.join("oci-layout").is_file() {
                Source::OciDir {
                    path: path.to_owned(),
                    tag: None,
                }
            } else {
                Source::Dir(path.to_owned())
            });
        }
        if path.is_file() {
            return detect_archive(path);
        }
        if input.starts_with(['/', '.']) || input.ends_with(".tar") {
            return Err(Error::NotFound {
                what: format!("image file {input}"),
            });
        }
        Ok(Source::Registry(ImageRef::parse(input)?))
    }
}

/// `PATH:TAG` where PATH exists without the suffix; otherwise the whole is a path.
fn split_tag(rest: &str) -> (PathBuf, Option<String>) {
    if !Path::new(rest).exists()
        && let Some((path, tag)) = rest.rsplit_once(':')
        && Path::new(path).exists()
    {
        return (PathBuf::from(path), Some(tag.to_owned()));
    }
    (PathBuf::from(rest), None)
}

/// A tar with `manifest.json` at its top is a docker-archive; one with `oci-layout`
/// or `index.json` is an OCI archive.
fn detect_archive(path: &Path) -> Result<Source, Error> {
    let what = || format!("image archive {}", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::io(what(), e))?;
    let mut archive = tar::Archive::new(file);
    let entries = archive
        .entries_with_seek()
        .map_err(|e| Error::io(what(), e))?;
    for entry in entries.take(100_000) {
        let entry = entry.map_err(|e| Error::io(what(), e))?;
        let name = String::from_utf8_lossy(&entry.path_bytes())
            .trim_start_matches("./")
            .to_owned();
        match name.as_str() {
            "manifest.json" => {
                return Ok(Source::DockerArchive {
                    path: path.to_owned(),
                    tag: None,
                });
            }
            "oci-layout" | "index.json" => {
                return Ok(Source::OciArchive {
                    path: path.to_owned(),
                    tag: None,
                });
            }
            _ => {}
        }
    }
    Err(Error::invalid(
        what(),
        "neither a docker-archive (manifest.json) nor an OCI archive (oci-layout)",
    ))
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let with_tag =
            |f: &mut fmt::Formatter<'_>, prefix: &str, path: &Path, tag: &Option<String>| {
                write!(f, "{prefix}:{}", path.display())?;
                match tag {
                    Some(tag) => write!(f, ":{tag}"),
                    None => Ok(()),
                }
            };
        match self {
            Source::Registry(reference) => write!(f, "{reference}"),
            Source::DockerArchive { path, tag } => with_tag(f, "docker-archive", path, tag),
            Source::OciArchive { path, tag } => with_tag(f, "oci-archive", path, tag),
            Source::OciDir { path, tag } => with_tag(f, "oci-dir", path, tag),
            Source::Dir(path) => write!(f, "dir:{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert!(matches!(
            Source::parse("registry:debian:12"),
            Ok(Source::Registry(_))
        ));
        assert!(matches!(
            Source::parse("debian:12"),
            Ok(Source::Registry(_))
        ));
        assert_eq!(
            Source::parse("docker-archive:/nonexistent/x.tar").unwrap(),
            Source::DockerArchive {
                path: "/nonexistent/x.tar".into(),
                tag: None
            }
        );
        assert!(matches!(
            Source::parse("oci:/tmp/layout"),
            Ok(Source::OciDir { .. })
        ));
        assert!(matches!(Source::parse("dir:/"), Ok(Source::Dir(_))));
    }

    #[test]
    fn detects_directories_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Source::parse(dir.path().to_str().unwrap()),
            Ok(Source::Dir(_))
        ));
        std::fs::write(dir.path().join("oci-layout"), "{}").unwrap();
        assert!(matches!(
            Source::parse(dir.path().to_str().unwrap()),
            Ok(Source::OciDir { .. })
        ));
        assert!(matches!(
            Source::parse("./missing.tar"),
            Err(Error::NotFound { .. })
        ));
    }
}
