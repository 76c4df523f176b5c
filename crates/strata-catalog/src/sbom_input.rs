//! Reading an SBOM made elsewhere (`image scan sbom:PATH`) as an inventory:
//! Strata's own inventory JSON, CycloneDX JSON or SPDX 2.x JSON. Packages are
//! known by their purls (type → ecosystem; `upstream` qualifiers, as Syft
//! writes them, give OS source packages); the OS comes from an
//! `operating-system` component / package, else from the `distro` qualifier.

use std::collections::BTreeMap;

use packageurl::PackageUrl;
use serde_json::Value;

use crate::inventory::{ImageInfo, Inventory, InventoryPackage, OsInfo, Owner, SCHEMA};
use crate::{Os, PackageKind};

/// The largest SBOM read.
pub const MAX_BYTES: usize = 256 << 20;

/// An SBOM that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("SBOM {path}: {reason}")]
pub struct SbomError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Reads `bytes` (the file `path`) as an inventory.
pub fn read(bytes: &[u8], path: &str) -> Result<Inventory, SbomError> {
    let err = |reason: String| SbomError {
        path: path.to_owned(),
        reason,
    };
    if bytes.len() > MAX_BYTES {
        return Err(err(format!("larger than {MAX_BYTES} bytes")));
    }
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| err(format!("not JSON: {e}")))?;
    if doc.get("schema").and_then(Value::as_str) == Some(SCHEMA) {
        return serde_json::from_value(doc).map_err(|e| err(format!("bad inventory: {e}")));
    }
    let (os, purls) = if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx(&doc)
    } else if doc.get("spdxVersion").is_some() {
        spdx(&doc)
    } else {
        return Err(err(
            "neither a Strata inventory, nor CycloneDX (bomFormat), nor SPDX (spdxVersion)".into(),
        ));
    };
    let mut packages = Vec::new();
    let mut distro = None;
    for Listed { purl, paths, owner } in purls {
        let Ok(parsed) = purl.parse::<PackageUrl<'_>>() else {
            continue;
        };
        if distro.is_none() {
            distro = parsed
                .qualifiers()
                .get("distro")
                .map(|d| (parsed.ty().to_owned(), d.to_string()));
        }
        if let Some(package) = package_of(&parsed, &purl, paths, owner) {
            packages.push(package);
        }
    }
    let os = os.or_else(|| distro.and_then(|(ty, d)| os_from_distro(&ty, &d)));
    if let Some(os) = &os {
        let ecosystem = os.ecosystem();
        for package in &mut packages {
            if matches!(
                package.kind,
                PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm
            ) && let Some(e) = ecosystem
            {
                e.clone_into(&mut package.ecosystem);
            }
        }
    }
    packages.sort_by(|a, b| {
        (&a.ecosystem, &a.name, &a.version).cmp(&(&b.ecosystem, &b.name, &b.version))
    });
    packages.dedup_by(|a, b| a.purl == b.purl && a.paths == b.paths);
    Ok(Inventory {
        schema: SCHEMA.to_owned(),
        image: ImageInfo {
            reference: format!("sbom:{path}"),
            ..ImageInfo::default()
        },
        os: os.as_ref().map(OsInfo::from),
        packages,
        warnings: Vec::new(),
    })
}

/// A package an SBOM lists: its purl, where it is, and the OS package that
/// owns its files (Strata's own `strata:owner:*` properties).
struct Listed {
    purl: String,
    paths: Vec<String>,
    owner: Option<Owner>,
}

type Purls = Vec<Listed>;

fn cyclonedx(doc: &Value) -> (Option<Os>, Purls) {
    let mut os = None;
    let mut purls = Vec::new();
    let mut stack: Vec<&Value> = Vec::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        stack.push(c);
    }
    if let Some(Value::Array(components)) = doc.get("components") {
        stack.extend(components.iter());
    }
    // Nested components, bounded so a hostile document cannot loop us long.
    let mut seen = 0_usize;
    while let Some(component) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            break;
        }
        if component.get("type").and_then(Value::as_str) == Some("operating-system")
            && let Some(name) = component.get("name").and_then(Value::as_str)
        {
            os = Some(os_named(
                name,
                component.get("version").and_then(Value::as_str),
            ));
        }
        if let Some(purl) = component.get("purl").and_then(Value::as_str) {
            let properties: Vec<(&str, &str)> = component
                .get("properties")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    Some((
                        p.get("name").and_then(Value::as_str)?,
                        p.get("value").and_then(Value::as_str)?,
                    ))
                })
                .collect();
            let paths = properties
                .iter()
                .filter(|(n, _)| n.ends_with(":path") || n.ends_with("location:0:path"))
                .map(|(_, v)| (*v).to_owned())
                .collect();
            // Strata's CycloneDX names the OS package owning a language
            // package's files: keep it, so the scan leaves that package to the
            // distro's advisories as a scan of the image does.
            let property = |name: &str| {
                properties
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            };
            let owner = match (
                property("strata:owner:ecosystem"),
                property("strata:owner:name"),
                property("strata:owner:version"),
            ) {
                (Some(ecosystem), Some(name), Some(version)) => Some(Owner {
                    ecosystem,
                    name,
                    version,
                }),
                _ => None,
            };
            purls.push(Listed {
                purl: purl.to_owned(),
                paths,
                owner,
            });
        }
        if let Some(Value::Array(children)) = component.get("components") {
            stack.extend(children.iter());
        }
    }
    (os, purls)
}

fn spdx(doc: &Value) -> (Option<Os>, Purls) {
    let mut os = None;
    let mut purls = Vec::new();
    for package in doc
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if package.get("primaryPackagePurpose").and_then(Value::as_str) == Some("OPERATING-SYSTEM")
            && let Some(name) = package.get("name").and_then(Value::as_str)
        {
            os = Some(os_named(
                name,
                package.get("versionInfo").and_then(Value::as_str),
            ));
        }
        for reference in package
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if reference.get("referenceType").and_then(Value::as_str) == Some("purl")
                && let Some(purl) = reference.get("referenceLocator").and_then(Value::as_str)
            {
                purls.push(Listed {
                    purl: purl.to_owned(),
                    paths: Vec::new(),
                    owner: None,
                });
            }
        }
    }
    (os, purls)
}

fn os_named(name: &str, version: Option<&str>) -> Os {
    Os {
        id: name.to_ascii_lowercase(),
        version_id: version.map(str::to_owned),
        version_codename: None,
        pretty_name: None,
        id_like: Vec::new(),
    }
}

/// The OS named by a `distro` qualifier: `debian-12`, `ubuntu-22.04`, apk's bare `3.18.4`.
fn os_from_distro(ty: &str, distro: &str) -> Option<Os> {
    if ty == "apk" && distro.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(os_named("alpine", Some(distro)));
    }
    let (id, version) = distro.split_once('-')?;
    Some(os_named(id, Some(version)))
}

fn package_of(
    purl: &PackageUrl<'_>,
    text: &str,
    paths: Vec<String>,
    owner: Option<Owner>,
) -> Option<InventoryPackage> {
    let version = purl.version()?.to_owned();
    let namespace = purl.namespace();
    let name = purl.name();
    let (kind, ecosystem, name) = match purl.ty() {
        "deb" => (PackageKind::Deb, "Debian", name.to_owned()),
        "apk" => (PackageKind::Apk, "Alpine", name.to_owned()),
        "rpm" => (PackageKind::Rpm, "Red Hat", name.to_owned()),
        "pypi" => (PackageKind::Python, "PyPI", name.to_owned()),
        "npm" => (
            PackageKind::Npm,
            "npm",
            namespace.map_or_else(|| name.to_owned(), |ns| format!("{ns}/{name}")),
        ),
        "cargo" => (PackageKind::Cargo, "crates.io", name.to_owned()),
        "golang" => (
            PackageKind::Go,
            "Go",
            namespace.map_or_else(|| name.to_owned(), |ns| format!("{ns}/{name}")),
        ),
        "maven" => (
            PackageKind::Maven,
            "Maven",
            namespace.map_or_else(|| name.to_owned(), |ns| format!("{ns}:{name}")),
        ),
        "gem" => (PackageKind::Gem, "RubyGems", name.to_owned()),
        "composer" => (
            PackageKind::Composer,
            "Packagist",
            namespace.map_or_else(|| name.to_owned(), |ns| format!("{ns}/{name}")),
        ),
        "nuget" => (PackageKind::Nuget, "NuGet", name.to_owned()),
        _ => return None,
    };
    let qualifiers: BTreeMap<String, String> = purl
        .qualifiers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Syft: `upstream=glibc` or `upstream=glibc@2.36-9` (deb, apk); rpm: the source rpm file.
    let (source_name, source_version) = match (kind, qualifiers.get("upstream")) {
        (PackageKind::Deb | PackageKind::Apk, Some(upstream)) => match upstream.split_once('@') {
            Some((n, v)) => (Some(n.to_owned()), Some(v.to_owned())),
            None => (Some(upstream.clone()), None),
        },
        _ => (None, None),
    };
    Some(InventoryPackage {
        ecosystem: ecosystem.to_owned(),
        name,
        version,
        source_name,
        source_version,
        arch: qualifiers.get("arch").cloned(),
        purl: text.to_owned(),
        layer: None,
        layer_index: None,
        paths,
        owner,
        kind,
        metadata: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn syft_style_cyclonedx() {
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"operating-system","name":"debian","version":"12"},
          {"type":"library","name":"libc6","version":"2.36-9+deb12u4",
           "purl":"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12"},
          {"type":"library","name":"urllib3","version":"1.23","purl":"pkg:pypi/urllib3@1.23"},
          {"type":"library","name":"log4j-core","version":"2.14.1",
           "purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]}"#;
        let inventory = read(doc, "x.cdx.json").unwrap();
        let os = inventory.os.unwrap();
        assert_eq!(os.ecosystem.as_deref(), Some("Debian"));
        assert_eq!(os.release.as_deref(), Some("12"));
        let libc = inventory
            .packages
            .iter()
            .find(|p| p.name == "libc6")
            .unwrap();
        assert_eq!(libc.source_name.as_deref(), Some("glibc"));
        assert_eq!(libc.version, "2.36-9+deb12u4");
        assert!(
            inventory
                .packages
                .iter()
                .any(|p| p.name == "org.apache.logging.log4j:log4j-core" && p.ecosystem == "Maven")
        );
    }

    #[test]
    fn strata_cyclonedx_keeps_the_owning_os_package() {
        // As `strata sbom -f cyclonedx-json` writes a distro's pip and a venv's.
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"operating-system","name":"debian","version":"12"},
          {"type":"library","name":"pip","version":"23.0.1","purl":"pkg:pypi/pip@23.0.1",
           "properties":[
            {"name":"strata:path","value":"/usr/lib/python3/dist-packages/pip-23.0.1.dist-info/METADATA"},
            {"name":"strata:owner:ecosystem","value":"Debian"},
            {"name":"strata:owner:name","value":"python3-pip"},
            {"name":"strata:owner:version","value":"23.0.1+dfsg-1"}]},
          {"type":"library","name":"pip","version":"23.0.1","purl":"pkg:pypi/pip@23.0.1",
           "properties":[
            {"name":"strata:path","value":"/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA"}]}]}"#;
        let inventory = read(doc, "x.cdx.json").unwrap();
        assert_eq!(inventory.packages.len(), 2);
        let owned = |dir: &str| {
            inventory
                .packages
                .iter()
                .find(|p| p.paths.iter().any(|x| x.starts_with(dir)))
                .unwrap()
                .owner
                .clone()
        };
        assert_eq!(
            owned("/usr/lib/python3/"),
            Some(Owner {
                ecosystem: "Debian".into(),
                name: "python3-pip".into(),
                version: "23.0.1+dfsg-1".into(),
            })
        );
        assert_eq!(owned("/opt/venv/"), None);
    }

    #[test]
    fn spdx_with_distro_qualifier_only() {
        let doc =
            br#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"musl","versionInfo":"1.2.4-r1",
          "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
          "referenceLocator":"pkg:apk/alpine/musl@1.2.4-r1?arch=x86_64&distro=3.18.4"}]}]}"#;
        let inventory = read(doc, "x.spdx.json").unwrap();
        assert_eq!(inventory.os.unwrap().release.as_deref(), Some("v3.18"));
        assert_eq!(inventory.packages[0].ecosystem, "Alpine");
    }

    #[test]
    fn garbage_is_an_error_naming_the_file() {
        let e = read(b"{\"hello\":1}", "odd.json").unwrap_err();
        assert!(e.to_string().contains("odd.json"));
        assert!(read(b"\x00\x01", "bin").is_err());
    }
}
