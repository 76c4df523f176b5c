//! Which operating system an image runs: `/etc/os-release` (or
//! `/usr/lib/os-release`), else the distributions' own release files, else a
//! distroless Debian's `status.d`. No OS is a valid answer (scratch images).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Files that identify the OS, most authoritative first.
pub const OS_FILES: [&str; 8] = [
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/oracle-release",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/lsb-release",
];

/// The detected operating system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Os {
    /// os-release `ID` (`debian`, `ubuntu`, `alpine`, `rhel`, `rocky`, `almalinux`, `ol`,
    /// `amzn`, `sles`, `opensuse-leap`, `photon`, `azurelinux`, `mariner`, `wolfi`,
    /// `chainguard`, `fedora`, `centos`…).
    pub id: String,
    /// os-release `VERSION_ID` (`12`, `3.18.4`, `9.4`), when known.
    pub version_id: Option<String>,
    /// os-release `VERSION_CODENAME` (`bookworm`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_codename: Option<String>,
    /// os-release `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// os-release `ID_LIKE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
}

impl Os {
    /// The OSV ecosystem of this OS's packages (`Debian`, `Alpine`, `Red Hat`…).
    pub fn ecosystem(&self) -> Option<&'static str> {
        Some(match self.id.as_str() {
            "debian" => "Debian",
            "ubuntu" => "Ubuntu",
            "alpine" => "Alpine",
            "wolfi" => "Wolfi",
            "chainguard" => "Chainguard",
            "rhel" | "centos" => "Red Hat",
            "almalinux" => "AlmaLinux",
            "rocky" => "Rocky Linux",
            "ol" => "Oracle Linux",
            "amzn" => "Amazon Linux",
            "sles" | "sled" | "sle-micro" | "sl-micro" => "SUSE",
            "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "openSUSE",
            "photon" => "Photon OS",
            "azurelinux" | "mariner" => "Azure Linux",
            "fedora" => "Fedora",
            _ => return None,
        })
    }

    /// The release as the ecosystem's advisories name it: Debian `12`, Ubuntu
    /// `22.04`, Alpine `v3.18` (or `edge`), RHEL-likes the major version.
    pub fn release(&self) -> Option<String> {
        let version = self.version_id.as_deref()?;
        Some(match self.id.as_str() {
            "alpine" | "wolfi" | "chainguard"
                if version.contains("_alpha") || version == "edge" =>
            {
                "edge".into()
            }
            "alpine" => format!("v{}", major_minor(version)),
            "debian" | "rhel" | "centos" | "almalinux" | "rocky" | "ol" | "fedora" => {
                major(version).to_owned()
            }
            _ => version.to_owned(),
        })
    }
}

fn major(version: &str) -> &str {
    version.split(['.', ' ']).next().unwrap_or(version)
}

fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Parses os-release (`KEY=value`, values optionally quoted, per os-release(5)).
pub fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in text.lines().take(1000) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        let unescaped = unquoted
            .replace("\\\"", "\"")
            .replace("\\$", "$")
            .replace("\\\\", "\\");
        fields.insert(key.trim().to_owned(), unescaped);
    }
    fields
}

/// Detects the OS from the visible contents of [`OS_FILES`] (path → bytes) and
/// whether a distroless `var/lib/dpkg/status.d` is present.
pub fn detect(files: &BTreeMap<String, Vec<u8>>, has_dpkg_status_d: bool) -> Option<Os> {
    let text = |path: &str| {
        files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).trim().to_owned())
    };
    let os_release = text("etc/os-release")
        .or_else(|| text("usr/lib/os-release"))
        .map(|t| parse_os_release(&t));
    if let Some(fields) = os_release.filter(|f| f.contains_key("ID")) {
        let id = fields
            .get("ID")
            .map(|s| s.to_ascii_lowercase())
            .unwrap_or_default();
        let mut os = Os {
            id,
            version_id: fields.get("VERSION_ID").cloned().filter(|v| !v.is_empty()),
            version_codename: fields
                .get("VERSION_CODENAME")
                .cloned()
                .filter(|v| !v.is_empty()),
            pretty_name: fields.get("PRETTY_NAME").cloned(),
            id_like: fields
                .get("ID_LIKE")
                .map(|l| l.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
        };
        // Debian testing/sid carries no VERSION_ID; debian_version names the release.
        if os.id == "debian" && os.version_id.is_none() {
            os.version_id = text("etc/debian_version").and_then(|v| debian_version_id(&v));
        }
        return Some(os);
    }
    if let Some(version) = text("etc/alpine-release") {
        return Some(plain(
            "alpine",
            &version,
            &format!("Alpine Linux v{version}"),
        ));
    }
    for (path, id) in [
        ("etc/oracle-release", "ol"),
        ("etc/centos-release", "centos"),
        ("etc/redhat-release", "rhel"),
    ] {
        if let Some(line) = text(path) {
            let id = if id == "rhel" && line.starts_with("CentOS") {
                "centos"
            } else {
                id
            };
            let version = line
                .split_whitespace()
                .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or_default();
            return Some(plain(id, version, &line));
        }
    }
    if let Some(fields) = text("etc/lsb-release").map(|t| parse_os_release(&t))
        && let Some(id) = fields.get("DISTRIB_ID")
    {
        let version = fields.get("DISTRIB_RELEASE").cloned().unwrap_or_default();
        let pretty = fields
            .get("DISTRIB_DESCRIPTION")
            .cloned()
            .unwrap_or_else(|| format!("{id} {version}"));
        return Some(plain(&id.to_ascii_lowercase(), &version, &pretty));
    }
    if let Some(version) = text("etc/debian_version") {
        let version_id = debian_version_id(&version);
        let pretty = format!(
            "Debian GNU/Linux {}",
            version_id.as_deref().unwrap_or(&version)
        );
        return Some(Os {
            version_id,
            ..plain("debian", "", &pretty)
        });
    }
    // Distroless Debian images ship dpkg's status.d but (often) no release file.
    has_dpkg_status_d.then(|| plain("debian", "", "Debian GNU/Linux (distroless)"))
}

fn plain(id: &str, version: &str, pretty: &str) -> Os {
    Os {
        id: id.to_owned(),
        version_id: (!version.is_empty()).then(|| version.to_owned()),
        version_codename: None,
        pretty_name: Some(pretty.to_owned()),
        id_like: Vec::new(),
    }
}

/// `12.4` → `12`; `trixie/sid` → none (testing has no number yet).
fn debian_version_id(version: &str) -> Option<String> {
    let major = major(version.trim());
    major
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| major.to_owned())
        .filter(|m| !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::shared_data;

    /// Reads one sample under `pkgdb/os-release`: a root's release files, or (trivy's)
    /// a bare os-release file.
    fn sample(root: &str) -> Option<Os> {
        let dir = shared_data("pkgdb/os-release").join(root);
        let mut files = BTreeMap::new();
        if dir.is_file() {
            files.insert("etc/os-release".to_owned(), std::fs::read(&dir).unwrap());
        }
        for path in OS_FILES {
            if let Ok(bytes) = std::fs::read(dir.join(path)) {
                files.insert(path.to_owned(), bytes);
            }
        }
        detect(&files, false)
    }

    fn release_of(root: &str) -> (String, Option<String>, Option<&'static str>) {
        let os = sample(root).unwrap_or_else(|| panic!("{root}: no OS"));
        let ecosystem = os.ecosystem();
        (os.id.clone(), os.release(), ecosystem)
    }

    #[test]
    fn debian_7_to_12_and_distroless() {
        for n in 7..=12 {
            assert_eq!(
                release_of(&format!("claircore/debian/dist/{n}")),
                ("debian".into(), Some(n.to_string()), Some("Debian"))
            );
        }
        for n in 9..=11 {
            assert_eq!(
                release_of(&format!("claircore/debian/distroless_dist/{n}")).1,
                Some(n.to_string())
            );
        }
        let os = detect(&BTreeMap::new(), true).unwrap();
        assert_eq!((os.id.as_str(), os.ecosystem()), ("debian", Some("Debian")));
        assert_eq!(detect(&BTreeMap::new(), false), None, "scratch: no OS");
    }

    #[test]
    fn ubuntu_and_alpine_releases() {
        assert_eq!(
            release_of("claircore/ubuntu/dist/22.04"),
            ("ubuntu".into(), Some("22.04".into()), Some("Ubuntu"))
        );
        assert_eq!(release_of("claircore/alpine/3.18").1, Some("v3.18".into()));
        assert_eq!(release_of("claircore/alpine/3.3").1, Some("v3.3".into()));
        assert_eq!(release_of("claircore/alpine/edge").1, Some("edge".into()));
    }

    #[test]
    fn rhel_family_from_os_release_and_release_files() {
        assert_eq!(
            release_of("claircore/rhel/releasefiles/9"),
            ("rhel".into(), Some("9".into()), Some("Red Hat"))
        );
        assert_eq!(
            release_of("trivy/alma"),
            ("almalinux".into(), Some("9".into()), Some("AlmaLinux"))
        );
        assert_eq!(release_of("trivy/rocky").0, "rocky");
        // Oracle 6 has no os-release: the oracle-release line decides.
        let (id, release, ecosystem) = release_of("claircore/rhel/releasefiles/oracle-6");
        assert_eq!(
            (id.as_str(), release.as_deref(), ecosystem),
            ("ol", Some("6"), Some("Oracle Linux"))
        );
    }

    #[test]
    fn every_sample_is_detected_or_deliberately_broken() {
        let root = shared_data("pkgdb/os-release");
        let mut roots = Vec::new();
        for group in ["trivy"] {
            for entry in std::fs::read_dir(root.join(group)).unwrap() {
                roots.push(format!(
                    "{group}/{}",
                    entry.unwrap().file_name().to_string_lossy()
                ));
            }
        }
        for name in roots {
            // trivy's samples are bare os-release files, not roots.
            let text = std::fs::read_to_string(root.join(&name)).unwrap_or_default();
            let files = BTreeMap::from([("etc/os-release".to_owned(), text.into_bytes())]);
            let os = detect(&files, false);
            if name.ends_with("no-id") || name.ends_with("unknown") {
                continue;
            }
            let os = os.unwrap_or_else(|| panic!("{name}: not detected"));
            assert!(!os.id.is_empty(), "{name}");
        }
    }

    #[test]
    fn os_release_quoting() {
        let f = parse_os_release("A=\"x y\"\nB='z'\nC=plain\n# D=no\nE=\"q\\\"uote\"\n");
        assert_eq!(
            (
                f["A"].as_str(),
                f["B"].as_str(),
                f["C"].as_str(),
                f["E"].as_str()
            ),
            ("x y", "z", "plain", "q\"uote")
        );
        assert!(!f.contains_key("D"));
    }
}
