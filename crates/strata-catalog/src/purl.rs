//! Package URLs (<https://github.com/package-url/purl-spec>) for every kind of
//! package, built with the `packageurl` crate; OS packages carry the distribution
//! as Trivy and Syft write it (`distro=debian-12`).

use packageurl::PackageUrl;

use crate::{Os, Package, PackageKind};

/// The purl of a package.
pub(crate) fn of(
    kind: PackageKind,
    package: &Package,
    os: Option<&Os>,
) -> Result<String, packageurl::Error> {
    let (ty, namespace, name) = match kind {
        PackageKind::Deb => (
            "deb",
            Some(os.map_or("debian", |o| o.id.as_str()).to_owned()),
            package.name.clone(),
        ),
        PackageKind::Apk => (
            "apk",
            Some(os.map_or("alpine", |o| o.id.as_str()).to_owned()),
            package.name.clone(),
        ),
        PackageKind::Rpm => ("rpm", Some(rpm_namespace(os)), package.name.clone()),
        PackageKind::Python => ("pypi", None, package.name.clone()),
        PackageKind::Npm => match package.name.split_once('/') {
            Some((scope, name)) if scope.starts_with('@') => {
                ("npm", Some(scope.to_owned()), name.to_owned())
            }
            _ => ("npm", None, package.name.clone()),
        },
        PackageKind::Cargo => ("cargo", None, package.name.clone()),
        PackageKind::Go => match package.name.rsplit_once('/') {
            Some((namespace, name)) => ("golang", Some(namespace.to_owned()), name.to_owned()),
            None => ("golang", None, package.name.clone()),
        },
        PackageKind::Maven => match package.name.split_once(':') {
            Some((group, artifact)) => ("maven", Some(group.to_owned()), artifact.to_owned()),
            None => ("maven", None, package.name.clone()),
        },
        PackageKind::Gem => ("gem", None, package.name.clone()),
        PackageKind::Composer => match package.name.split_once('/') {
            Some((vendor, name)) => ("composer", Some(vendor.to_owned()), name.to_owned()),
            None => ("composer", None, package.name.clone()),
        },
        PackageKind::Nuget => ("nuget", None, package.name.clone()),
    };
    let mut purl = PackageUrl::new(ty, name)?;
    if let Some(namespace) = namespace.filter(|n| !n.is_empty()) {
        purl.with_namespace(namespace)?;
    }
    if !package.version.is_empty() {
        purl.with_version(package.version.clone())?;
    }
    if let Some(arch) = &package.arch {
        purl.add_qualifier("arch", arch.clone())?;
    }
    if kind == PackageKind::Rpm
        && let Some(epoch) = package.metadata.get("epoch")
    {
        purl.add_qualifier("epoch", epoch.clone())?;
    }
    if matches!(kind, PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm)
        && let Some(os) = os
    {
        let distro = match &os.version_id {
            Some(v) if kind == PackageKind::Apk => v.clone(),
            Some(v) => format!("{}-{v}", os.id),
            None => os.id.clone(),
        };
        purl.add_qualifier("distro", distro)?;
    }
    Ok(purl.to_string())
}

fn rpm_namespace(os: Option<&Os>) -> String {
    match os.map(|o| o.id.as_str()) {
        Some("rhel") | None => "redhat".into(),
        Some("ol") => "oracle".into(),
        Some("amzn") => "amazon".into(),
        Some("sles" | "sled" | "opensuse-leap" | "opensuse-tumbleweed" | "opensuse") => {
            "suse".into()
        }
        Some(other) => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, version: &str) -> Os {
        Os {
            id: id.into(),
            version_id: Some(version.into()),
            version_codename: None,
            pretty_name: None,
            id_like: vec![],
        }
    }

    #[test]
    fn os_packages_carry_the_distro() {
        let mut p = Package::new(
            PackageKind::Deb,
            "libc6",
            "2.36-9+deb12u7",
            "var/lib/dpkg/status",
        );
        p.arch = Some("amd64".into());
        assert_eq!(
            of(PackageKind::Deb, &p, Some(&os("debian", "12"))).unwrap(),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12"
        );
    }

    #[test]
    fn namespaces_from_names() {
        let p = Package::new(PackageKind::Npm, "@actions/core", "1.2.6", "x");
        assert_eq!(
            of(PackageKind::Npm, &p, None).unwrap(),
            "pkg:npm/%40actions/core@1.2.6"
        );
        let p = Package::new(
            PackageKind::Maven,
            "org.apache.commons:commons-text",
            "1.9",
            "x",
        );
        assert_eq!(
            of(PackageKind::Maven, &p, None).unwrap(),
            "pkg:maven/org.apache.commons/commons-text@1.9"
        );
        let p = Package::new(PackageKind::Go, "golang.org/x/net", "v0.1.0", "x");
        assert_eq!(
            of(PackageKind::Go, &p, None).unwrap(),
            "pkg:golang/golang.org/x/net@v0.1.0"
        );
    }
}
