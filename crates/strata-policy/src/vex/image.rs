//! The scanned image as a VEX product: a statement about the image (rather
//! than a package) covers the packages in it. Identifiers are the ones
//! Grype and Trivy match: the reference as given, the manifest digest (and
//! its bare hex, for `hashes`), and `pkg:oci/<name>@<digest>` purls with
//! `repository_url`, `tag` and `arch` qualifiers.

use crate::purl::Purl;

/// What identifies the scanned image.
#[derive(Debug, Clone, Default)]
pub(crate) struct ImageIdentity {
    /// Exact strings an `@id`, identifier or hash may equal.
    texts: Vec<String>,
    /// The last path component of the repository, lowercased (`debian`).
    name: Option<String>,
    /// `registry/repository` spellings accepted for `repository_url`.
    repository_urls: Vec<String>,
    tag: Option<String>,
    /// The manifest digest (`sha256:…`), the version of an oci purl.
    digest: Option<String>,
    arch: Option<String>,
}

impl ImageIdentity {
    /// From the report's image: `reference` as given, the manifest digest and
    /// the platform (`linux/amd64`).
    pub(crate) fn new(image: ImageView<'_>) -> ImageIdentity {
        let mut identity = ImageIdentity {
            arch: image
                .platform
                .and_then(|p| p.split('/').nth(1))
                .map(str::to_owned),
            digest: image.manifest_digest.map(str::to_owned),
            ..ImageIdentity::default()
        };
        let reference = image.reference.trim();
        if !reference.is_empty() {
            identity.texts.push(reference.to_owned());
        }
        if let Some(digest) = image.manifest_digest {
            identity.texts.push(digest.to_owned());
            if let Some((_, hex)) = digest.split_once(':') {
                identity.texts.push(hex.to_owned());
            }
        }
        if let Some(parsed) = parse_reference(reference) {
            if let Some(digest) = image.manifest_digest {
                identity.texts.push(format!(
                    "{}/{}@{digest}",
                    parsed.registry, parsed.repository
                ));
            }
            identity.name = parsed
                .repository
                .rsplit('/')
                .next()
                .map(str::to_ascii_lowercase);
            identity.repository_urls = repository_urls(&parsed.registry, &parsed.repository);
            identity.tag = parsed.tag;
        }
        identity
    }

    /// Whether a product identifier that is not a purl names this image.
    pub(crate) fn has_text(&self, text: &str) -> bool {
        let text = text.trim();
        !text.is_empty() && self.texts.iter().any(|t| t == text)
    }

    /// Whether an `oci` purl pattern covers this image. Qualifiers are
    /// checked only when the pattern has them, as for packages; one we
    /// cannot check (anything but `repository_url`, `tag`, `arch`) fails
    /// the match.
    pub(crate) fn matches_purl(&self, pattern: &Purl) -> bool {
        let Some(name) = &self.name else {
            return false;
        };
        if pattern.ty() != "oci"
            || pattern.namespace().is_some()
            || pattern.subpath().is_some()
            || !pattern.name().eq_ignore_ascii_case(name)
        {
            return false;
        }
        if let Some(version) = pattern.version()
            && self.digest.as_deref() != Some(version)
        {
            return false;
        }
        pattern
            .qualifiers()
            .iter()
            .all(|(key, value)| match key.as_str() {
                "repository_url" => {
                    let wanted = normalise_repository_url(value);
                    self.repository_urls.contains(&wanted)
                }
                "tag" => self.tag.as_deref() == Some(value.as_str()),
                "arch" => self.arch.as_deref() == Some(value.as_str()),
                _ => false,
            })
    }
}

/// The parts of the report's `ImageInfo` the identity needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ImageView<'a> {
    /// The reference as given.
    pub(crate) reference: &'a str,
    /// The manifest digest.
    pub(crate) manifest_digest: Option<&'a str>,
    /// `os/arch[/variant]`.
    pub(crate) platform: Option<&'a str>,
}

struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
}

/// A registry reference (`debian:12`, `ghcr.io/org/app@sha256:…`), with
/// Docker Hub's defaults; `None` for archives, layouts and directories,
/// which have no repository.
fn parse_reference(reference: &str) -> Option<Reference> {
    const LOCAL: [&str; 5] = [
        "docker-archive:",
        "oci-archive:",
        "oci-dir:",
        "oci:",
        "dir:",
    ];
    if LOCAL.iter().any(|prefix| reference.starts_with(prefix)) || reference.starts_with(['/', '.'])
    {
        return None;
    }
    let reference = reference.strip_prefix("registry:").unwrap_or(reference);
    let name = reference
        .split_once('@')
        .map_or(reference, |(name, _)| name);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name.get(last_slash..).and_then(|tail| tail.rfind(':')) {
        Some(colon) => (
            name.get(..last_slash + colon)?,
            name.get(last_slash + colon + 1..).map(str::to_owned),
        ),
        None => (name, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((host, path)) if host.contains(['.', ':']) || host == "localhost" => {
            (host.to_ascii_lowercase(), path.to_owned())
        }
        _ => ("docker.io".to_owned(), name.to_owned()),
    };
    let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
        "docker.io".to_owned()
    } else {
        registry
    };
    let repository = if registry == "docker.io" && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository
    };
    if repository.is_empty() {
        return None;
    }
    Some(Reference {
        registry,
        repository,
        tag,
    })
}

/// The `repository_url` spellings that name this repository: the purl
/// spec's `registry/repository`, and for Docker Hub the `index.docker.io`
/// host Trivy and Grype write, with and without `library/`.
fn repository_urls(registry: &str, repository: &str) -> Vec<String> {
    let mut urls = vec![format!("{registry}/{repository}")];
    if registry == "docker.io" {
        urls.push(format!("index.docker.io/{repository}"));
        if let Some(short) = repository.strip_prefix("library/") {
            urls.push(format!("docker.io/{short}"));
            urls.push(format!("index.docker.io/{short}"));
        }
    }
    urls
}

/// `https://Index.Docker.io/library/debian/` → `index.docker.io/library/debian`.
fn normalise_repository_url(url: &str) -> String {
    let url = url.trim();
    let url = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url)
        .trim_end_matches('/');
    match url.split_once('/') {
        Some((host, path)) => {
            let host = host.to_ascii_lowercase();
            let host = if host == "registry-1.docker.io" {
                "index.docker.io".to_owned()
            } else {
                host
            };
            format!("{host}/{path}")
        }
        None => url.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:5a0e6bd7d4d3a4f0b1a3c1fb6f3e0f0b7f4a9c2d8e6b1a0c3d5e7f9a1b3c5d7e";

    fn identity(reference: &str) -> ImageIdentity {
        ImageIdentity::new(ImageView {
            reference,
            manifest_digest: Some(DIGEST),
            platform: Some("linux/amd64"),
        })
    }

    fn matches(reference: &str, purl: &str) -> bool {
        identity(reference).matches_purl(&Purl::parse(purl).unwrap())
    }

    #[test]
    fn oci_purls_name_the_image() {
        let app = "registry.example.com/shop/api:1.4.2";
        assert!(matches(app, "pkg:oci/api"));
        assert!(matches(app, &format!("pkg:oci/api@{DIGEST}")));
        assert!(!matches(app, "pkg:oci/api@sha256:0000"));
        assert!(matches(
            app,
            &format!(
                "pkg:oci/api@{DIGEST}?repository_url=registry.example.com/shop/api&tag=1.4.2&arch=amd64"
            )
        ));
        assert!(!matches(app, "pkg:oci/api?repository_url=ghcr.io/shop/api"));
        assert!(!matches(app, "pkg:oci/api?tag=1.4.3"));
        assert!(!matches(app, "pkg:oci/api?arch=arm64"));
        assert!(!matches(app, "pkg:oci/api?os=linux"), "unknown qualifier");
        assert!(!matches(app, "pkg:oci/web"));
        assert!(!matches(app, "pkg:docker/api"));
    }

    #[test]
    fn docker_hub_spellings() {
        for url in [
            "index.docker.io/library/debian",
            "docker.io/library/debian",
            "docker.io/debian",
            "https://index.docker.io/library/debian/",
        ] {
            assert!(
                matches("debian:12", &format!("pkg:oci/debian?repository_url={url}")),
                "{url}"
            );
        }
        assert!(matches(
            "docker.io/library/debian:12",
            "pkg:oci/debian?repository_url=index.docker.io/library/debian&tag=12"
        ));
    }

    #[test]
    fn texts_name_the_image() {
        let image = identity("registry.example.com/shop/api:1.4.2");
        assert!(image.has_text("registry.example.com/shop/api:1.4.2"));
        assert!(image.has_text(DIGEST));
        assert!(image.has_text(DIGEST.trim_start_matches("sha256:")));
        assert!(image.has_text(&format!("registry.example.com/shop/api@{DIGEST}")));
        assert!(!image.has_text("registry.example.com/shop/api:1.4.3"));
        assert!(!image.has_text(""));
    }

    #[test]
    fn archives_have_no_repository() {
        let image = identity("docker-archive:/tmp/api.tar");
        assert!(!image.matches_purl(&Purl::parse("pkg:oci/api.tar").unwrap()));
        assert!(image.has_text(DIGEST));
    }
}
