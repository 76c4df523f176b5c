//! What policies know of an image besides its findings. All of it is in a
//! [`ScanReport`] (the `image` block carries the config's creation time,
//! user and labels; `unchecked` the packages that could not be checked), so
//! the CLI and the server build the same facts from the same report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use strata_match::ScanReport;

/// The image facts policies read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// The reference as scanned (`registry.example.com/shop/api:1.4`,
    /// `oci-dir:/tmp/app`).
    pub reference: String,
    /// The registry, for registry references (`docker.io`, `localhost:5000`).
    pub registry: Option<String>,
    /// The repository, for registry references (`library/debian`).
    pub repository: Option<String>,
    /// The tag, when the reference has one.
    pub tag: Option<String>,
    /// The image manifest digest.
    pub manifest_digest: Option<String>,
    /// The config's creation time (RFC 3339).
    pub created: Option<String>,
    /// The config's `User` (absent or empty: root).
    pub user: Option<String>,
    /// The config's labels.
    pub labels: BTreeMap<String, String>,
    /// How many layers the image has.
    pub layer_count: usize,
    /// The OS (`os-release` `ID`, `VERSION_ID`).
    pub os: Option<(String, Option<String>)>,
    /// What was not checked for vulnerabilities, one line each.
    pub unscanned: Vec<String>,
}

/// Local sources: their references name files, not registry repositories.
const LOCAL_PREFIXES: [&str; 6] = [
    "docker-archive:",
    "oci-archive:",
    "oci-dir:",
    "oci:",
    "dir:",
    "sbom:",
];

impl ImageFacts {
    /// The facts a scan report carries.
    pub fn from_report(report: &ScanReport) -> ImageFacts {
        let image = &report.image;
        let mut facts = ImageFacts {
            reference: image.reference.clone(),
            manifest_digest: image.manifest_digest.clone(),
            created: image.created.clone(),
            user: image.user.clone(),
            labels: image.labels.clone(),
            layer_count: image.layers.len(),
            os: report
                .os
                .as_ref()
                .map(|os| (os.id.clone(), os.version.clone())),
            ..ImageFacts::default()
        };
        let local = LOCAL_PREFIXES
            .iter()
            .any(|prefix| image.reference.starts_with(prefix));
        if !local && let Ok(parsed) = strata_image::ImageRef::parse(&image.reference) {
            facts.registry = Some(parsed.registry().to_owned());
            facts.repository = Some(parsed.repository().to_owned());
            facts.tag = parsed.tag().map(str::to_owned);
        }
        if let Some(os) = report.os.as_ref().filter(|os| !os.supported) {
            facts.unscanned.push(format!(
                "OS packages of {} {} (no vulnerability data for this release)",
                os.id,
                os.version.as_deref().unwrap_or("(unknown version)")
            ));
        }
        facts.unscanned.extend(
            report
                .unchecked
                .iter()
                .map(|u| format!("{} ({})", u.package, u.reason)),
        );
        facts
    }

    /// Whether the container runs as root: no `User`, or user `root`/`0`
    /// (with any group), as the runtime would resolve it.
    pub fn runs_as_root(&self) -> bool {
        let user = self.user.as_deref().unwrap_or("").trim();
        let name = user.split(':').next().unwrap_or("");
        name.is_empty() || name == "root" || name == "0"
    }

    /// The names an exclusion's image pattern is matched against:
    /// `REGISTRY/REPOSITORY:TAG` and `REGISTRY/REPOSITORY` for registry
    /// images, else the reference as given.
    pub fn image_names(&self) -> Vec<String> {
        match (&self.registry, &self.repository) {
            (Some(registry), Some(repository)) => {
                let name = format!("{registry}/{repository}");
                let mut names = Vec::new();
                if let Some(tag) = &self.tag {
                    names.push(format!("{name}:{tag}"));
                }
                names.push(name);
                names
            }
            _ => vec![self.reference.clone()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_no_user_or_uid_zero() {
        let facts = |user: Option<&str>| ImageFacts {
            user: user.map(str::to_owned),
            ..ImageFacts::default()
        };
        assert!(facts(None).runs_as_root());
        assert!(facts(Some("")).runs_as_root());
        assert!(facts(Some("root")).runs_as_root());
        assert!(facts(Some("0:0")).runs_as_root());
        assert!(!facts(Some("1000")).runs_as_root());
        assert!(!facts(Some("app:root")).runs_as_root());
        assert!(!facts(Some("nobody")).runs_as_root());
    }
}
