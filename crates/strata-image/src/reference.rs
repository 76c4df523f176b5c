//! Image references read the way `docker pull` reads them (the grammar of
//! distribution's `reference` package): `debian:12`, `library/debian`,
//! `registry:5000/ns/app:tag`, `name@sha256:…`, with Docker Hub's defaults.

use std::fmt;
use std::str::FromStr;

use crate::{Digest, Error};

/// Docker Hub's canonical name and the host its API actually lives on.
pub const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";
const MAX_NAME_LEN: usize = 255;

/// A normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl ImageRef {
    /// Parses a reference; a missing registry is Docker Hub, a one-part Docker Hub
    /// name gets `library/`, and a reference without tag or digest means `latest`.
    pub fn parse(input: &str) -> Result<ImageRef, Error> {
        let bad = |reason: &str| Error::InvalidReference {
            reference: input.chars().take(300).collect(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(bad("empty"));
        }
        if input.len() > 4096 {
            return Err(bad("too long"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.parse::<Digest>()?)),
            None => (input, None),
        };
        // A tag is after the last ':' that comes after the last '/' (a ':' before
        // it belongs to `host:port`).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(colon) => {
                let at = last_slash + colon;
                (
                    rest.get(..at).unwrap_or(rest),
                    rest.get(at + 1..).map(str::to_owned),
                )
            }
            None => (rest, None),
        };
        if let Some(tag) = &tag {
            check_tag(tag).map_err(bad)?;
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, path)) if looks_like_host(first) => (first.to_owned(), path.to_owned()),
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_owned()
        } else {
            registry
        };
        check_host(&registry).map_err(bad)?;
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        check_repository(&repository).map_err(bad)?;
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_owned()),
            (tag, _) => tag,
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry as named (`docker.io`, `localhost:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host:port to send API requests to (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The repository path (`library/debian`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if any (`latest` when neither tag nor digest was given).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if the reference pins one.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// What to ask the registry's manifest endpoint for: the digest if pinned, else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.clone(),
            (None, None) => "latest".to_owned(),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// distribution/reference: the first component is a host when it has a `.` or a
/// `:`, or is `localhost`, or has an upper-case letter (never valid in a path).
fn looks_like_host(component: &str) -> bool {
    component.contains(['.', ':'])
        || component == "localhost"
        || component.bytes().any(|b| b.is_ascii_uppercase())
}

fn check_tag(tag: &str) -> Result<(), &'static str> {
    let mut bytes = tag.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !first_ok || tag.len() > 128 {
        return Err("tag must be 1-128 characters of [A-Za-z0-9_.-], not starting with . or -");
    }
    if !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) {
        return Err("tag must be 1-128 characters of [A-Za-z0-9_.-], not starting with . or -");
    }
    Ok(())
}

/// `host[:port]`: dot-separated labels of [A-Za-z0-9-] not starting or ending with
/// `-` (or a bracketed IPv6 address), and an optional numeric port.
fn check_host(registry: &str) -> Result<(), &'static str> {
    const BAD: &str = "invalid registry host";
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or(BAD)?;
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return Err(BAD);
        }
        (
            None,
            after
                .strip_prefix(':')
                .map(Some)
                .unwrap_or((!after.is_empty()).then_some("")),
        )
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        let label_ok = |l: &str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !host.split('.').all(label_ok) {
            return Err(BAD);
        }
    }
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(BAD);
    }
    Ok(())
}

/// Path components are `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn check_repository(path: &str) -> Result<(), &'static str> {
    if path.is_empty() || path.len() > MAX_NAME_LEN {
        return Err("repository name must be 1-255 characters");
    }
    for component in path.split('/') {
        let valid = !component.is_empty()
            && component.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && component.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && component.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            })
            && !component.contains("..")
            && !component.contains("___")
            && !component.contains("._")
            && !component.contains("_.");
        if !valid {
            return Err(
                "repository path components must be lowercase [a-z0-9] joined by '.', '_', '__' or '-'",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    #[test]
    fn docker_hub_defaults() {
        let r = parse("debian");
        assert_eq!(r.to_string(), "docker.io/library/debian:latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(parse("debian:9").to_string(), "docker.io/library/debian:9");
        assert_eq!(
            parse("library/debian").to_string(),
            "docker.io/library/debian:latest"
        );
        assert_eq!(parse("bitnami/nginx:1.25").repository(), "bitnami/nginx");
        assert_eq!(parse("index.docker.io/debian").registry(), "docker.io");
    }

    #[test]
    fn registries_ports_and_digests() {
        let r = parse("registry:5000/ns/app:tag");
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("registry:5000", "ns/app", Some("tag"))
        );
        let r = parse("localhost/app");
        assert_eq!(r.registry(), "localhost");
        assert_eq!(parse("[::1]:5000/app").registry(), "[::1]:5000");
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let r = parse(&format!("127.0.0.1:5000/app@{d}"));
        assert_eq!((r.tag(), r.manifest_reference()), (None, d.to_owned()));
        let r = parse(&format!("app:1.0@{d}"));
        assert_eq!(r.tag(), Some("1.0"));
        assert_eq!(r.manifest_reference(), d);
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "UPPER/Case",
            "app:",
            "app:-tag",
            "a//b",
            "app@sha256:zz",
            "ns/app:t/x",
            "a..b/c",
            "host:port/x",
            "[::1/x",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?}");
        }
    }
}
