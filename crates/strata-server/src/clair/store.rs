//! The Clair layer store, `DATA_DIR/clair.db`: each posted layer's name, its
//! parent's name and the key of its content; each content (a layer index,
//! keyed by the verified blob digest) stored once however many names point at
//! it. Request headers (registry credentials) are never stored.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use strata_catalog::LayerIndex;

/// Errors of the store (answered as Clair's 500).
#[derive(Debug, thiserror::Error)]
#[error("clair layer store {path}: {message}")]
pub struct StoreError {
    path: String,
    message: String,
}

/// One stored layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredLayer {
    pub(crate) name: String,
    pub(crate) parent: Option<String>,
    pub(crate) content: String,
}

/// The open store.
#[derive(Debug)]
pub(crate) struct Store {
    connection: Connection,
    path: String,
}

impl Store {
    /// Opens (creating) `path`.
    pub(crate) fn open(path: &Path) -> Result<Store, StoreError> {
        let display = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| StoreError {
            path: display.clone(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        let connection = Connection::open(path).map_err(|e| fail(&e))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|()| connection.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| connection.pragma_update(None, "foreign_keys", "ON"))
            .and_then(|()| {
                connection.execute_batch(
                    "CREATE TABLE IF NOT EXISTS contents (
                        key TEXT PRIMARY KEY, engine TEXT NOT NULL, data BLOB NOT NULL);
                     CREATE TABLE IF NOT EXISTS layers (
                        name TEXT PRIMARY KEY,
                        parent TEXT REFERENCES layers(name) ON DELETE CASCADE,
                        content TEXT NOT NULL REFERENCES contents(key),
                        created INTEGER NOT NULL);
                     CREATE INDEX IF NOT EXISTS layers_parent ON layers(parent);",
                )
            })
            .map_err(|e| fail(&e))?;
        Ok(Store {
            connection,
            path: display,
        })
    }

    fn fail(&self, e: &dyn std::fmt::Display) -> StoreError {
        StoreError {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// The layer named `name`.
    pub(crate) fn layer(&self, name: &str) -> Result<Option<StoredLayer>, StoreError> {
        self.connection
            .query_row(
                "SELECT name, parent, content FROM layers WHERE name = ?1",
                params![name],
                |row| {
                    Ok(StoredLayer {
                        name: row.get(0)?,
                        parent: row.get(1)?,
                        content: row.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.fail(&e))
    }

    /// Whether content `key` is stored, indexed by `engine` (the catalogers'
    /// names and versions: content indexed by older ones is indexed again).
    pub(crate) fn has_content(&self, key: &str, engine: &str) -> Result<bool, StoreError> {
        self.connection
            .query_row(
                "SELECT 1 FROM contents WHERE key = ?1 AND engine = ?2",
                params![key, engine],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.fail(&e))
    }

    /// The index stored as content `key`.
    pub(crate) fn content(&self, key: &str) -> Result<Option<LayerIndex>, StoreError> {
        let data: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT data FROM contents WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(&e))?;
        let Some(compressed) = data else {
            return Ok(None);
        };
        let json = zstd::decode_all(compressed.as_slice()).map_err(|e| self.fail(&e))?;
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|e| self.fail(&e))
    }

    /// Stores content `key` (replacing an older engine's).
    pub(crate) fn put_content(
        &self,
        key: &str,
        engine: &str,
        index: &LayerIndex,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_vec(index).map_err(|e| self.fail(&e))?;
        let compressed = zstd::encode_all(json.as_slice(), 3).map_err(|e| self.fail(&e))?;
        self.connection
            .execute(
                "INSERT OR REPLACE INTO contents (key, engine, data) VALUES (?1, ?2, ?3)",
                params![key, engine, compressed],
            )
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Records layer `name` (a name already stored keeps its first record, as
    /// Clair never re-parents a layer).
    pub(crate) fn put_layer(
        &self,
        name: &str,
        parent: Option<&str>,
        content: &str,
    ) -> Result<(), StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        self.connection
            .execute(
                "INSERT OR IGNORE INTO layers (name, parent, content, created) VALUES (?1, ?2, ?3, ?4)",
                params![name, parent, content, now],
            )
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Deletes layer `name` and, as Clair does, every layer above it; then any
    /// content no layer points at. `false` when there was no such layer.
    pub(crate) fn delete_layer(&mut self, name: &str) -> Result<bool, StoreError> {
        let path = self.path.clone();
        let fail = |e: &dyn std::fmt::Display| StoreError {
            path: path.clone(),
            message: e.to_string(),
        };
        let transaction = self.connection.transaction().map_err(|e| fail(&e))?;
        let deleted = transaction
            .execute(
                "WITH RECURSIVE doomed(name) AS (
                    SELECT name FROM layers WHERE name = ?1
                    UNION SELECT l.name FROM layers l JOIN doomed d ON l.parent = d.name)
                 DELETE FROM layers WHERE name IN (SELECT name FROM doomed)",
                params![name],
            )
            .map_err(|e| fail(&e))?;
        transaction
            .execute(
                "DELETE FROM contents WHERE key NOT IN (SELECT content FROM layers)",
                [],
            )
            .map_err(|e| fail(&e))?;
        transaction.commit().map_err(|e| fail(&e))?;
        Ok(deleted > 0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_layer_deletes_its_descendants_and_orphaned_contents() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("clair.db")).unwrap();
        let index = LayerIndex::default();
        store.put_content("sha256:a", "e1", &index).unwrap();
        store.put_content("sha256:b", "e1", &index).unwrap();
        store.put_layer("base", None, "sha256:a").unwrap();
        store.put_layer("top", Some("base"), "sha256:b").unwrap();
        store.put_layer("other", None, "sha256:a").unwrap();
        assert!(store.has_content("sha256:a", "e1").unwrap());
        assert!(!store.has_content("sha256:a", "e2").unwrap());
        assert_eq!(
            store.layer("top").unwrap().unwrap().parent.as_deref(),
            Some("base")
        );

        assert!(store.delete_layer("base").unwrap());
        assert!(store.layer("base").unwrap().is_none());
        assert!(store.layer("top").unwrap().is_none(), "child goes too");
        assert!(store.layer("other").unwrap().is_some());
        assert!(store.content("sha256:a").unwrap().is_some(), "still used");
        assert!(store.content("sha256:b").unwrap().is_none(), "orphaned");
        assert!(!store.delete_layer("base").unwrap());
    }
}
