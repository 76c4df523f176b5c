//! Klar's conversation with a Clair v2 server (`clair/api.go`, `apiV1`), for
//! `strata klar` with `CLAIR_ADDR` set: every non-empty layer posted to
//! `/v1/layers` in order, each naming the one before as its parent, then
//! `GET /v1/layers/{top}?vulnerabilities`. Same requests, bodies and error
//! messages as Klar, so a real Clair v2 and a Strata server both work.

use serde::Serialize;
use strata_report::clair::ClairVulnerability;
use strata_report::clair::api::{self, LayerEnvelope};

/// Klar's `newAPIV1`: `http://` when no scheme is given, and `:6060` when the
/// last `:` is within the scheme (`strings.LastIndex(url, ":") < 6`).
pub(crate) fn clair_url(addr: &str) -> String {
    let mut url = if addr.starts_with("http://") || addr.starts_with("https://") {
        addr.to_owned()
    } else {
        format!("http://{addr}")
    };
    if url.rfind(':').is_none_or(|i| i < 6) {
        url.push_str(":6060");
    }
    url
}

/// The image as Klar names it in messages and requests.
#[derive(Debug, Clone)]
pub(crate) struct KlarImage {
    /// `https://host/v2` (`http` with `REGISTRY_INSECURE`), Klar's `Registry`.
    pub(crate) registry: String,
    /// The repository, Klar's `Name`.
    pub(crate) name: String,
    /// The tag (or digest) asked for, Klar's `Tag`.
    pub(crate) tag: String,
    /// The config digest (`sha256:…`).
    pub(crate) config_digest: String,
    /// Every layer: its blob digest and the URL Clair fetches it from.
    pub(crate) layers: Vec<(String, String)>,
    /// The `Authorization` header for the blobs (empty for none). A secret.
    pub(crate) authorization: String,
}

impl KlarImage {
    fn label(&self) -> String {
        format!("{}/{}:{}", self.registry, self.name, self.tag)
    }
}

/// Klar's `layer` struct as `json.Marshal` writes it: fields in this order,
/// none `omitempty` (hence `"Features":null`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PushLayer<'a> {
    name: &'a str,
    path: &'a str,
    parent_name: &'a str,
    format: &'a str,
    features: Option<Vec<()>>,
    headers: PushHeaders<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PushHeaders<'a> {
    authorization: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PushEnvelope<'a> {
    layer: PushLayer<'a>,
}

/// What Klar's `Analyse` returns: the vulnerabilities, or its error message
/// (ending in a newline, as Klar's do); plus a stderr note when there was no
/// layer to send.
#[derive(Debug)]
pub(crate) struct Analysis {
    pub(crate) vulnerabilities: Vec<ClairVulnerability>,
    pub(crate) note: String,
}

/// Klar's `Clair.Analyse` over API v1.
pub(crate) async fn analyse(
    client: &reqwest::Client,
    clair: &str,
    image: &KlarImage,
) -> Result<Analysis, String> {
    let layers: Vec<&(String, String)> = image
        .layers
        .iter()
        .filter(|(digest, _)| digest != api::EMPTY_LAYER_BLOB_SUM)
        .collect();
    let names: Vec<String> = layers
        .iter()
        .map(|(digest, _)| api::layer_name(&image.config_digest, digest))
        .collect();
    let Some(top) = names.last() else {
        return Ok(Analysis {
            vulnerabilities: Vec::new(),
            note: format!(
                "no need to analyse image {} as there is no non-emtpy layer\n",
                image.label()
            ),
        });
    };
    for (i, ((_, path), name)) in layers.iter().zip(&names).enumerate() {
        let parent = i
            .checked_sub(1)
            .and_then(|p| names.get(p))
            .map_or("", String::as_str);
        push_layer(client, clair, name, path, parent, &image.authorization)
            .await
            .map_err(|e| format!("push image {} to Clair failed: {e}\n", image.label()))?;
    }
    let vulnerabilities = get_vulnerabilities(client, clair, top)
        .await
        .map_err(|e| format!("analyse image {} failed: {e}\n", image.label()))?;
    Ok(Analysis {
        vulnerabilities,
        note: String::new(),
    })
}

/// Klar's `pushLayer`.
async fn push_layer(
    client: &reqwest::Client,
    clair: &str,
    name: &str,
    path: &str,
    parent: &str,
    authorization: &str,
) -> Result<(), String> {
    let body = serde_json::to_vec(&PushEnvelope {
        layer: PushLayer {
            name,
            path,
            parent_name: parent,
            format: "Docker",
            features: None,
            headers: PushHeaders { authorization },
        },
    })
    .map_err(|e| format!("can't serialze push request: {e}"))?;
    let response = client
        .post(format!("{clair}/v1/layers"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("can't push layer to Clair: {}", e.without_url()))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("can't read clair response : {}", e.without_url()))?;
    if status != 201 {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&body) {
            return Err(format!("can't even read an error message: {e}"));
        }
        return Err(format!(
            "push error {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(())
}

/// Klar's `Analyze`.
async fn get_vulnerabilities(
    client: &reqwest::Client,
    clair: &str,
    top: &str,
) -> Result<Vec<ClairVulnerability>, String> {
    let response = client
        .get(format!("{clair}/v1/layers/{top}?vulnerabilities"))
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| e.without_url().to_string())?;
    if status != 200 {
        return Err(format!(
            "analyze error {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let envelope: LayerEnvelope = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let features = envelope.layer.map(|l| l.features).unwrap_or_default();
    Ok(api::vulnerabilities_of(&features))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn clair_addresses_completed_as_klar_does() {
        assert_eq!(clair_url("clair"), "http://clair:6060");
        assert_eq!(clair_url("clair:6061"), "http://clair:6061");
        assert_eq!(clair_url("https://clair"), "https://clair:6060");
        assert_eq!(clair_url("http://10.0.0.1:80"), "http://10.0.0.1:80");
    }

    #[test]
    fn push_body_is_klars() {
        let body = serde_json::to_string(&PushEnvelope {
            layer: PushLayer {
                name: "aabb",
                path: "https://r/v2/app/blobs/sha256:bb",
                parent_name: "",
                format: "Docker",
                features: None,
                headers: PushHeaders { authorization: "" },
            },
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"Layer":{"Name":"aabb","Path":"https://r/v2/app/blobs/sha256:bb","ParentName":"","Format":"Docker","Features":null,"Headers":{"Authorization":""}}}"#
        );
    }
}
