//! The JSON documents of Clair v2.1's API v1 (`api/v1/models.go`) that Klar
//! sends and reads, with Go's `encoding/json` conventions: PascalCase field
//! names, `omitempty` fields left out when empty, and `null` read as empty.
//!
//! * `POST /v1/layers` takes and answers a [`LayerEnvelope`] (`201`);
//! * `GET /v1/layers/{name}?features&vulnerabilities` answers one whose
//!   [`Layer::features`] are the image's packages up to that layer, each with
//!   the layer that added it (`AddedBy`) and its vulnerabilities;
//! * `GET /v1/namespaces` answers a [`NamespaceEnvelope`];
//! * every error is `{"Error":{"Message":"…"}}`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer, Serialize};
use strata_catalog::PackageKind;
use strata_match::ScanReport;

use super::{ClairSeverity, ClairVulnerability, NvdMetadata, clair_namespace, feature_name};

/// Clair v2's engine version (`worker.go`, `Version = 3`), which it reports as
/// `IndexedByVersion`.
pub const INDEXED_BY_VERSION: i64 = 3;

/// The blob digest of an empty gzipped tar, which Klar never sends to Clair
/// (`clair.go`, `EMPTY_LAYER_BLOB_SUM`).
pub const EMPTY_LAYER_BLOB_SUM: &str =
    "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

/// Go reads `null` as the zero value; serde would refuse it for strings, maps
/// and lists (Klar sends `"Features":null`).
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `{"Layer": …}` or `{"Error": …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerEnvelope {
    /// `Layer`.
    #[serde(rename = "Layer", default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    /// `Error`.
    #[serde(rename = "Error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

/// `{"Namespaces": […]}` or `{"Error": …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NamespaceEnvelope {
    /// `Namespaces`.
    #[serde(
        rename = "Namespaces",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub namespaces: Option<Vec<Namespace>>,
    /// `Error`.
    #[serde(rename = "Error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

/// Clair's `Error`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// `Message`.
    #[serde(
        rename = "Message",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub message: String,
}

/// Clair's `Namespace`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// `Name` (`debian:12`).
    #[serde(
        rename = "Name",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// `VersionFormat` (`dpkg`, `rpm`).
    #[serde(
        rename = "VersionFormat",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub version_format: String,
}

/// Clair's `Layer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Layer {
    /// `Name`: the client's name for it (Klar: config digest hex + blob digest hex).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// `NamespaceName`: the OS of the image up to this layer (`debian:12`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace_name: String,
    /// `Path`: where the layer blob is (an http(s) URL).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub path: String,
    /// `Headers`: sent with the GET of `Path` (Klar: `Authorization`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub headers: BTreeMap<String, String>,
    /// `ParentName`: the layer below it, empty for the base layer.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub parent_name: String,
    /// `Format`: `Docker` (or `ACI`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub format: String,
    /// `IndexedByVersion`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub indexed_by_version: i64,
    /// `Features`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub features: Vec<Feature>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// Clair's `Feature`: a package (for dpkg, its source package) at a version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Feature {
    /// `Name`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// `NamespaceName`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace_name: String,
    /// `VersionFormat`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub version_format: String,
    /// `Version`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub version: String,
    /// `Vulnerabilities`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vulnerabilities: Vec<Vulnerability>,
    /// `AddedBy`: the name of the layer that introduced it.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub added_by: String,
}

/// Clair's `Vulnerability` (without `FixedIn`, which the layer API never fills).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vulnerability {
    /// `Name` (`CVE-2024-33601`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub name: String,
    /// `NamespaceName` (`debian:12`).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub namespace_name: String,
    /// `Description`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub description: String,
    /// `Link`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub link: String,
    /// `Severity`: one of Clair's words ([`ClairSeverity`]).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub severity: String,
    /// `Metadata` (`{"NVD": {"CVSSv2": …, "CVSSv3": …}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// `FixedBy`: the first fixed version, empty when there is no fix.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub fixed_by: String,
}

impl From<&ClairVulnerability> for Vulnerability {
    fn from(v: &ClairVulnerability) -> Self {
        Vulnerability {
            name: v.name.clone(),
            namespace_name: v.namespace_name.clone(),
            description: v.description.clone(),
            link: v.link.clone(),
            severity: v.severity.as_str().to_owned(),
            metadata: v.metadata.as_ref().map(metadata_json),
            fixed_by: v.fixed_by.clone(),
        }
    }
}

/// Clair 2.1's `NVDMetadata` as JSON (`ext/vulnmdsrc/nvd`: no `omitempty`).
fn metadata_json(m: &NvdMetadata) -> serde_json::Value {
    serde_json::json!({
        "NVD": {
            "CVSSv2": {
                "PublishedDateTime": m.published_date_time,
                "Vectors": m.v2_vectors,
                "Score": m.v2_score,
            },
            "CVSSv3": {
                "Vectors": m.v3_vectors,
                "Score": m.v3_score,
                "ExploitabilityScore": m.v3_exploitability_score,
                "ImpactScore": m.v3_impact_score,
            },
        }
    })
}

/// The NVD part of a vulnerability's metadata, when it has one.
fn metadata_of(value: &serde_json::Value) -> Option<NvdMetadata> {
    let nvd = value.get("NVD")?.as_object()?;
    let v2 = nvd.get("CVSSv2");
    let v3 = nvd.get("CVSSv3");
    let text = |part: Option<&serde_json::Value>, key: &str| {
        part.and_then(|p| p.get(key))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let number = |part: Option<&serde_json::Value>, key: &str| {
        part.and_then(|p| p.get(key))
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    Some(NvdMetadata {
        published_date_time: text(v2, "PublishedDateTime"),
        v2_score: number(v2, "Score"),
        v2_vectors: text(v2, "Vectors"),
        v3_score: number(v3, "Score"),
        v3_vectors: text(v3, "Vectors"),
        v3_exploitability_score: number(v3, "ExploitabilityScore"),
        v3_impact_score: number(v3, "ImpactScore"),
    })
}

/// Klar's name for a layer (`docker.go`, `LayerName`): the config digest's hex
/// then the layer blob digest's hex (`sha256:` dropped once from each).
pub fn layer_name(config_digest: &str, blob_digest: &str) -> String {
    format!(
        "{}{}",
        config_digest.replacen("sha256:", "", 1),
        blob_digest.replacen("sha256:", "", 1)
    )
}

/// Clair's `VersionFormat` of a namespace or ecosystem: `dpkg` for Debian,
/// Ubuntu and Alpine (Clair v2 compared apk versions as dpkg ones), `rpm` for
/// the RPM distributions; a language ecosystem, which Clair v2 did not know,
/// is named by itself (`pypi`).
pub fn version_format(ecosystem: &str) -> String {
    let base = ecosystem
        .split(':')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    match base.as_str() {
        "debian" | "ubuntu" | "alpine" | "wolfi" | "chainguard" => "dpkg".to_owned(),
        "red hat" | "rhel" | "redhat" | "centos" | "almalinux" | "rocky linux" | "rocky"
        | "oracle" | "oracle linux" | "ol" | "amazon linux" | "amzn" | "fedora" | "suse"
        | "opensuse" | "sles" | "mariner" | "azure linux" | "photon os" => "rpm".to_owned(),
        _ => base,
    }
}

/// The features of a scanned image, as Clair's `GET /v1/layers/{top}` lists
/// them: first those with vulnerabilities, in the order of the report's
/// findings (most severe first), each with its vulnerabilities in that order
/// and once each; then every other package of the inventory. A feature is one
/// (namespace, name, version): for dpkg the source package, so `libc6` and
/// `libc-bin` are one `glibc` feature. `AddedBy` is `layer_names[i]` for the
/// lowest layer `i` (0 = base) that brought one of the feature's packages.
pub fn features(report: &ScanReport, layer_names: &[String]) -> Vec<Feature> {
    let mut features: Vec<Feature> = Vec::new();
    // The lowest layer any package of the feature came with: Clair's AddedBy
    // is where the feature (name and version) first appears in the chain.
    let mut first_layer: Vec<Option<usize>> = Vec::new();
    let mut position: HashMap<(String, String, String), usize> = HashMap::new();
    let seen_in = |at: usize, layer: Option<usize>, first_layer: &mut [Option<usize>]| {
        if let Some(slot) = first_layer.get_mut(at) {
            *slot = match (*slot, layer) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    };
    for finding in &report.findings {
        let vulnerability = ClairVulnerability::from_finding(finding);
        let key = (
            vulnerability.namespace_name.clone(),
            vulnerability.feature_name.clone(),
            vulnerability.feature_version.clone(),
        );
        let at = *position.entry(key).or_insert_with(|| {
            features.push(Feature {
                name: vulnerability.feature_name.clone(),
                namespace_name: vulnerability.namespace_name.clone(),
                version_format: version_format(&finding.package.ecosystem),
                version: vulnerability.feature_version.clone(),
                vulnerabilities: Vec::new(),
                added_by: String::new(),
            });
            first_layer.push(None);
            features.len() - 1
        });
        seen_in(
            at,
            finding.layer.as_ref().map(|l| l.index),
            &mut first_layer,
        );
        if let Some(feature) = features.get_mut(at)
            && !feature.vulnerabilities.iter().any(|v| {
                v.name == vulnerability.name && v.namespace_name == vulnerability.namespace_name
            })
        {
            feature
                .vulnerabilities
                .push(Vulnerability::from(&vulnerability));
        }
    }
    let os_namespace = report
        .os
        .as_ref()
        .and_then(|os| os.namespace.as_deref())
        .map(clair_namespace);
    for package in report.inventory.iter().flat_map(|i| &i.packages) {
        let is_os = matches!(
            package.kind,
            PackageKind::Deb | PackageKind::Apk | PackageKind::Rpm
        );
        let namespace = match (&os_namespace, is_os) {
            (Some(namespace), true) => namespace.clone(),
            _ => clair_namespace(&package.ecosystem),
        };
        let name = feature_name(
            &package.ecosystem,
            &package.name,
            package.source_name.as_deref(),
        );
        let key = (namespace.clone(), name.clone(), package.version.clone());
        let at = *position.entry(key).or_insert_with(|| {
            features.push(Feature {
                name,
                namespace_name: namespace,
                version_format: version_format(&package.ecosystem),
                version: package.version.clone(),
                vulnerabilities: Vec::new(),
                added_by: String::new(),
            });
            first_layer.push(None);
            features.len() - 1
        });
        seen_in(at, package.layer_index, &mut first_layer);
    }
    for (feature, layer) in features.iter_mut().zip(first_layer) {
        feature.added_by = layer
            .and_then(|i| layer_names.get(i))
            .cloned()
            .unwrap_or_default();
    }
    features
}

/// Klar's reading of a layer's features (`api.go`, `apiV1.Analyze`): every
/// vulnerability of every feature, in order, with the feature's name and
/// version copied in. A severity word Clair does not have counts as `Unknown`.
pub fn vulnerabilities_of(features: &[Feature]) -> Vec<ClairVulnerability> {
    features
        .iter()
        .flat_map(|feature| {
            feature
                .vulnerabilities
                .iter()
                .map(move |v| ClairVulnerability {
                    name: v.name.clone(),
                    namespace_name: v.namespace_name.clone(),
                    description: v.description.clone(),
                    link: v.link.clone(),
                    severity: ClairSeverity::from_word(&v.severity)
                        .unwrap_or(ClairSeverity::Unknown),
                    metadata: v.metadata.as_ref().and_then(metadata_of),
                    fixed_by: v.fixed_by.clone(),
                    feature_name: feature.name.clone(),
                    feature_version: feature.version.clone(),
                })
        })
        .collect()
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;

    #[test]
    fn klar_request_reads_with_nulls() {
        // The body Klar's pushLayer marshals (clair.go `layer`, no omitempty).
        let body = r#"{"Layer":{"Name":"ab12cd34","Path":"https://r/v2/app/blobs/sha256:cd34","ParentName":"","Format":"Docker","Features":null,"Headers":{"Authorization":"Bearer x"}}}"#;
        let envelope: LayerEnvelope = serde_json::from_str(body).unwrap();
        let layer = envelope.layer.unwrap();
        assert_eq!(layer.name, "ab12cd34");
        assert_eq!(layer.format, "Docker");
        assert!(layer.features.is_empty());
        assert_eq!(layer.headers["Authorization"], "Bearer x");
    }

    #[test]
    fn empty_fields_are_left_out_like_go_omitempty() {
        let envelope = LayerEnvelope {
            layer: Some(Layer {
                name: "n".into(),
                indexed_by_version: INDEXED_BY_VERSION,
                ..Layer::default()
            }),
            error: None,
        };
        assert_eq!(
            serde_json::to_string(&envelope).unwrap(),
            r#"{"Layer":{"Name":"n","IndexedByVersion":3}}"#
        );
        let error = LayerEnvelope {
            layer: None,
            error: Some(ApiError {
                message: "the resource cannot be found".into(),
            }),
        };
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"Error":{"Message":"the resource cannot be found"}}"#
        );
    }

    #[test]
    fn klar_layer_names() {
        assert_eq!(layer_name("sha256:aa", "sha256:bb"), "aabb");
    }

    #[test]
    fn metadata_round_trips() {
        let m = NvdMetadata {
            published_date_time: "2024-05-06T20:15Z".into(),
            v2_score: 5.0,
            v2_vectors: "AV:N/AC:L/Au:N/C:N/I:N/A:P".into(),
            v3_score: 7.5,
            v3_vectors: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
            v3_exploitability_score: 3.9,
            v3_impact_score: 3.6,
        };
        let json = metadata_json(&m);
        assert_eq!(json["NVD"]["CVSSv3"]["Score"], 7.5);
        assert_eq!(metadata_of(&json), Some(m));
        assert_eq!(metadata_of(&serde_json::json!({"Other": {}})), None);
    }

    #[test]
    fn version_formats() {
        assert_eq!(version_format("Debian:12"), "dpkg");
        assert_eq!(version_format("Alpine"), "dpkg");
        assert_eq!(version_format("Red Hat"), "rpm");
        assert_eq!(version_format("PyPI"), "pypi");
    }
}
