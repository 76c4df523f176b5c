//! The image config: platform, run settings, history, and the diff_ids that name
//! each layer's uncompressed content.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Digest, Error};

/// The parts of an image config Strata uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `linux`…
    #[serde(default)]
    pub os: String,
    /// `amd64`…
    #[serde(default)]
    pub architecture: String,
    /// `v8`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// RFC 3339 creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Run settings.
    #[serde(default)]
    pub config: RunConfig,
    /// The layers' uncompressed digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// One entry per build step; steps with `empty_layer` made no layer.
    #[serde(default)]
    pub history: Vec<History>,
}

/// `config` of the image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// The user the container runs as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `KEY=value` environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// Entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// `rootfs` of the image config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The diff_ids, base layer first.
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
}

/// One build step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The command (Dockerfile line) that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// Parses a config blob.
    pub fn parse(bytes: &[u8], what: &str) -> Result<ImageConfig, Error> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::invalid(what, format!("invalid image config: {e}")))
    }

    /// How many of the first layers belong to the base image, read from the
    /// history: a base image's last step is its `CMD` or `ENTRYPOINT` (an empty
    /// layer), so the layers before the last such step that is still followed by
    /// a layer are the base's. 0 when the history shows no such step.
    pub fn base_layers(&self) -> usize {
        let mut layers = 0;
        let mut pending = None;
        let mut boundary = 0;
        for step in &self.history {
            if step.empty_layer {
                let command = step.created_by.as_deref().unwrap_or_default();
                if command.contains("CMD") || command.contains("ENTRYPOINT") {
                    pending = Some(layers);
                }
            } else {
                // A CMD followed by a layer closed a base image.
                if let Some(end) = pending.take() {
                    boundary = end;
                }
                layers += 1;
            }
        }
        boundary
    }

    /// The history entry that made each layer (`None` where history is short).
    pub fn layer_history(&self) -> Vec<Option<&History>> {
        let mut steps = self.history.iter().filter(|h| !h.empty_layer);
        self.rootfs.diff_ids.iter().map(|_| steps.next()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_layers_end_at_the_base_images_cmd() {
        let config = |history: &str| -> ImageConfig {
            serde_json::from_str(&format!(
                r#"{{"os":"linux","architecture":"amd64","rootfs":{{"type":"layers","diff_ids":[]}},"history":{history}}}"#
            ))
            .unwrap()
        };
        // debian:12 as a base (ADD + CMD), then two layers of the application.
        let app = config(
            r#"[{"created_by":"/bin/sh -c #(nop) ADD file:abc in / "},
                {"created_by":"/bin/sh -c #(nop)  CMD [\"bash\"]","empty_layer":true},
                {"created_by":"RUN /bin/sh -c apt-get install -y python3"},
                {"created_by":"COPY app /app"},
                {"created_by":"CMD [\"python3\"]","empty_layer":true}]"#,
        );
        assert_eq!(app.base_layers(), 1);
        // The base image itself: its CMD ends it, nothing is "base" of it.
        let base = config(
            r#"[{"created_by":"ADD file:abc in /"},{"created_by":"CMD [\"bash\"]","empty_layer":true}]"#,
        );
        assert_eq!(base.base_layers(), 0);
        assert_eq!(config("[]").base_layers(), 0);
    }

    #[test]
    fn history_skips_empty_layers() {
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let json = format!(
            r#"{{"os":"linux","architecture":"amd64","rootfs":{{"type":"layers","diff_ids":["{d}","{d}"]}},
               "history":[{{"created_by":"ADD rootfs"}},{{"created_by":"ENV A=1","empty_layer":true}},{{"created_by":"RUN apt-get"}}],
               "config":{{"User":"app","Labels":{{"a":"b"}}}}}}"#
        );
        let config = ImageConfig::parse(json.as_bytes(), "config").unwrap();
        let by: Vec<_> = config
            .layer_history()
            .iter()
            .map(|h| h.and_then(|h| h.created_by.clone()))
            .collect();
        assert_eq!(
            by,
            [
                Some("ADD rootfs".to_owned()),
                Some("RUN apt-get".to_owned())
            ]
        );
        assert_eq!(config.config.user.as_deref(), Some("app"));
    }

    #[test]
    fn bad_diff_id_is_an_error() {
        let json = r#"{"rootfs":{"type":"layers","diff_ids":["sha256:nope"]}}"#;
        assert!(ImageConfig::parse(json.as_bytes(), "config").is_err());
    }
}
