//! What the routes do: storing a posted layer, and answering for a layer the
//! way the scan pipeline answers for an image (its chain merged, the packages
//! matched), in Clair's shapes.

use std::collections::HashSet;
use std::sync::{Arc, MutexGuard};

use strata_catalog::inventory::{ImageInfo, LayerInfo};
use strata_catalog::{LayerIndex, Scope, assemble};
use strata_match::{DbInfo, Matched, Matcher, OsStatus, ScanReport};
use strata_report::clair::api::{self, Layer, Namespace};
use strata_report::clair::clair_namespace;
use strata_vulndb::store::Db;

use super::Service;
use super::fetch::{self, digest_in_path};
use super::handlers::ClairError;
use super::store::{Store, StoredLayer};

/// Clair's `ErrParentUnknown`.
const PARENT_UNKNOWN: &str = "worker: parent layer is unknown, it must be processed first";

impl Service {
    fn store(&self) -> Result<MutexGuard<'_, Store>, ClairError> {
        self.store
            .lock()
            .map_err(|_| ClairError::internal("the layer store lock is poisoned"))
    }

    /// Runs `work` on the store off the async workers.
    async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Store) -> Result<T, ClairError> + Send + 'static,
    ) -> Result<T, ClairError> {
        let service = self.clone();
        tokio::task::spawn_blocking(move || work(&*service.store()?))
            .await
            .unwrap_or_else(|e| Err(ClairError::internal(e)))
    }

    /// `POST /v1/layers` (Clair's `ProcessLayer`): the answer's layer.
    pub(crate) async fn process_layer(
        self: &Arc<Self>,
        layer: &Layer,
    ) -> Result<Layer, ClairError> {
        if layer.name.is_empty() {
            return Err(ClairError::bad_request(
                "could not process a layer which does not have a name",
            ));
        }
        if layer.path.is_empty() {
            return Err(ClairError::bad_request(
                "could not process a layer which does not have a path",
            ));
        }
        if layer.format.is_empty() {
            return Err(ClairError::bad_request(
                "could not process a layer which does not have a format",
            ));
        }
        // Layers are tar archives; Clair's other format (ACI) is long gone.
        if !layer.format.eq_ignore_ascii_case("docker") {
            return Err(ClairError::bad_request(format!(
                "unsupported image format '{}'",
                layer.format
            )));
        }
        // The answer echoes the request but not its Headers (credentials).
        let answer = Layer {
            name: layer.name.clone(),
            path: layer.path.clone(),
            parent_name: layer.parent_name.clone(),
            format: layer.format.clone(),
            indexed_by_version: api::INDEXED_BY_VERSION,
            ..Layer::default()
        };
        let name = layer.name.clone();
        let parent = Some(layer.parent_name.clone()).filter(|p| !p.is_empty());
        let expected = digest_in_path(&layer.path);
        let engine = self.engine.clone();
        let (known, parent_known, content_known) = {
            let (name, parent, expected, engine) = (
                name.clone(),
                parent.clone(),
                expected.clone(),
                engine.clone(),
            );
            self.with_store(move |store| {
                let known = match store.layer(&name).map_err(ClairError::internal)? {
                    Some(stored) => store
                        .has_content(&stored.content, &engine)
                        .map_err(ClairError::internal)?,
                    None => false,
                };
                let parent_known = match &parent {
                    Some(parent) => store.layer(parent).map_err(ClairError::internal)?.is_some(),
                    None => true,
                };
                let content_known = match &expected {
                    Some(digest) => store
                        .has_content(&digest.to_string(), &engine)
                        .map_err(ClairError::internal)?,
                    None => false,
                };
                Ok((known, parent_known, content_known))
            })
            .await?
        };
        if known {
            return Ok(answer);
        }
        if !parent_known {
            return Err(ClairError::bad_request(PARENT_UNKNOWN));
        }
        if let (true, Some(digest)) = (content_known, &expected) {
            let key = digest.to_string();
            self.with_store(move |store| {
                store
                    .put_layer(&name, parent.as_deref(), &key)
                    .map_err(ClairError::internal)
            })
            .await?;
            return Ok(answer);
        }
        let blob = fetch::download(
            &self.http,
            &layer.path,
            &layer.headers,
            expected.as_ref(),
            self.config.max_blob_bytes,
            &self.data_dir.join("tmp"),
        )
        .await?;
        let service = self.clone();
        tokio::task::spawn_blocking(move || {
            let index = fetch::index(&blob, &name, &service.config.limits)?;
            let key = blob.digest.to_string();
            let store = service.store()?;
            store
                .put_content(&key, &engine, &index)
                .and_then(|()| store.put_layer(&name, parent.as_deref(), &key))
                .map_err(ClairError::internal)
        })
        .await
        .unwrap_or_else(|e| Err(ClairError::internal(e)))?;
        Ok(answer)
    }

    /// The layers from the base to `name`, with their indexes.
    fn chain(&self, name: &str) -> Result<Vec<(StoredLayer, LayerIndex)>, ClairError> {
        let store = self.store()?;
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut current = Some(name.to_owned());
        while let Some(wanted) = current {
            if chain.len() >= self.config.limits.layers {
                return Err(ClairError::unprocessable(format!(
                    "layer {name} has more than {} ancestors",
                    self.config.limits.layers
                )));
            }
            if !seen.insert(wanted.clone()) {
                return Err(ClairError::internal(format!(
                    "the parents of layer {name} loop at {wanted}"
                )));
            }
            let Some(layer) = store.layer(&wanted).map_err(ClairError::internal)? else {
                return Err(if wanted == name {
                    ClairError::not_found()
                } else {
                    ClairError::internal(format!("parent layer {wanted} of {name} is gone"))
                });
            };
            let index = store
                .content(&layer.content)
                .map_err(ClairError::internal)?
                .ok_or_else(|| {
                    ClairError::internal(format!("the content of layer {wanted} is gone"))
                })?;
            current = layer.parent.clone();
            chain.push((layer, index));
        }
        chain.reverse();
        Ok(chain)
    }

    /// `GET /v1/layers/{name}`: the layer, with the image's features up to
    /// it when asked for features or vulnerabilities.
    pub(crate) fn analyse(
        &self,
        name: &str,
        with_features: bool,
        with_vulnerabilities: bool,
    ) -> Result<Layer, ClairError> {
        let chain = self.chain(name)?;
        let names: Vec<String> = chain.iter().map(|(l, _)| l.name.clone()).collect();
        let parent_name = chain
            .last()
            .and_then(|(l, _)| l.parent.clone())
            .unwrap_or_default();
        let info = ImageInfo {
            reference: name.to_owned(),
            manifest_digest: None,
            config_digest: None,
            platform: None,
            layers: chain
                .iter()
                .enumerate()
                .map(|(index, (layer, _))| LayerInfo {
                    index,
                    digest: Some(layer.content.clone()),
                    diff_id: None,
                    created_by: None,
                })
                .collect(),
            ..ImageInfo::default()
        };
        let indexes: Vec<LayerIndex> = chain.into_iter().map(|(_, index)| index).collect();
        // The scan pipeline's merge: whiteouts and opaque directories applied.
        let inventory = assemble(info, &indexes, Scope::Squashed);
        let namespace = strata_match::os_namespace(&inventory);
        let mut layer = Layer {
            name: name.to_owned(),
            namespace_name: namespace
                .as_deref()
                .map(clair_namespace)
                .unwrap_or_default(),
            parent_name,
            indexed_by_version: api::INDEXED_BY_VERSION,
            ..Layer::default()
        };
        if !with_features && !with_vulnerabilities {
            return Ok(layer);
        }
        let report = if with_vulnerabilities {
            let db = Db::open(&self.db_path()).map_err(ClairError::db_not_ready)?;
            let matched = Matcher::new(&db)
                .run(&inventory, 0)
                .map_err(ClairError::internal)?;
            let info = DbInfo::of(&db, false).map_err(ClairError::internal)?;
            ScanReport::new(inventory, matched, info)
        } else {
            let os = inventory.os.as_ref().map(|os| OsStatus {
                id: os.id.clone(),
                version: os.version_id.clone(),
                name: os.pretty_name.clone(),
                namespace: namespace.clone(),
                supported: false,
            });
            let matched = Matched {
                findings: Vec::new(),
                os,
                unchecked: Vec::new(),
            };
            ScanReport::new(inventory, matched, DbInfo::default())
        };
        layer.features = api::features(&report, &names);
        Ok(layer)
    }

    /// `DELETE /v1/layers/{name}`.
    pub(crate) fn delete(&self, name: &str) -> Result<(), ClairError> {
        let mut store = self.store()?;
        match store.delete_layer(name).map_err(ClairError::internal)? {
            true => Ok(()),
            false => Err(ClairError::not_found()),
        }
    }

    /// `GET /v1/namespaces`: every namespace of the DB, Clair-style.
    pub(crate) fn namespaces(&self) -> Result<Vec<Namespace>, ClairError> {
        let db = Db::open(&self.db_path()).map_err(ClairError::db_not_ready)?;
        let mut namespaces: Vec<Namespace> = db
            .namespaces()
            .map_err(ClairError::internal)?
            .iter()
            .map(|n| Namespace {
                name: clair_namespace(n),
                version_format: api::version_format(n),
            })
            .collect();
        namespaces.dedup();
        Ok(namespaces)
    }
}
