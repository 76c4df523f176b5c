//! The layer-index cache: per-layer results in their own SQLite file, keyed by the
//! layer's *verified* blob digest and each cataloger's name and version, so a layer
//! shared by many images is indexed once and a changed cataloger recomputes only
//! its own part. Bounded in size; least recently used entries go first.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::index::LayerIndex;
use crate::{Cataloger, Package};

/// The size the cache is kept under after each write (`strata cache prune` sets any
/// other): a few thousand layers' indexes.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// Bumped when the shape of the stored file part changes.
const FILES_VERSION: i64 = 1;
const FILES_PART: &str = "files";

/// Errors of the cache (never fatal for a scan: the caller re-indexes).
#[derive(Debug, thiserror::Error)]
#[error("layer cache {path}: {message}")]
pub struct CacheError {
    path: String,
    message: String,
}

/// The file part of a layer's index (everything but the packages).
#[derive(serde::Serialize, serde::Deserialize)]
struct FilesPart {
    entries: Vec<crate::FileEntry>,
    os_files: BTreeMap<String, Vec<u8>>,
    dpkg_status_d: bool,
    warnings: Vec<String>,
}

/// An open layer cache.
#[derive(Debug)]
pub struct LayerCache {
    connection: Connection,
    path: String,
}

/// What is cached for a layer: the index if complete, else the catalogers to rerun.
#[derive(Debug)]
pub enum Lookup {
    /// Everything is cached.
    Hit(LayerIndex),
    /// Some parts are missing or stale.
    Miss,
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The canonical path and `device:inode:size:mtime` of a file: an archive changed
/// in any of these is treated as a new archive (as git's index treats files).
fn file_identity(path: &Path) -> Option<(String, String)> {
    use std::os::unix::fs::MetadataExt as _;
    let canonical = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    let identity = format!(
        "{}:{}:{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    Some((canonical.to_string_lossy().into_owned(), identity))
}

/// Milliseconds: seconds would leave layers used in the same second unordered.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl LayerCache {
    /// Opens (creating if needed) `dir/layer-index.sqlite`.
    pub fn open(dir: &Path) -> Result<LayerCache, CacheError> {
        let path = dir.join("layer-index.sqlite");
        let display = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| CacheError {
            path: display.clone(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        let connection = Connection::open(&path).map_err(|e| fail(&e))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|_| connection.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|_| {
                connection.execute_batch(
                    "CREATE TABLE IF NOT EXISTS parts (
                        layer TEXT NOT NULL, part TEXT NOT NULL, version INTEGER NOT NULL,
                        data BLOB NOT NULL, size INTEGER NOT NULL, last_used INTEGER NOT NULL,
                        PRIMARY KEY (layer, part));
                     CREATE INDEX IF NOT EXISTS parts_last_used ON parts(last_used);
                     CREATE TABLE IF NOT EXISTS archive_members (
                        archive TEXT NOT NULL, offset INTEGER NOT NULL, size INTEGER NOT NULL,
                        identity TEXT NOT NULL, digest TEXT NOT NULL,
                        PRIMARY KEY (archive, offset));",
                )
            })
            .map_err(|e| fail(&e))?;
        Ok(LayerCache {
            connection,
            path: display,
        })
    }

    fn fail(&self, e: &dyn std::fmt::Display) -> CacheError {
        CacheError {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    fn get_part(
        &self,
        layer: &str,
        part: &str,
        version: i64,
    ) -> Result<Option<Vec<u8>>, CacheError> {
        let data: Option<Vec<u8>> = self
            .connection
            .query_row(
                "SELECT data FROM parts WHERE layer = ?1 AND part = ?2 AND version = ?3",
                params![layer, part, version],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(&e))?;
        let Some(compressed) = data else {
            return Ok(None);
        };
        zstd::decode_all(&compressed[..])
            .map(Some)
            .map_err(|e| self.fail(&e))
    }

    /// The cached index of `layer` (its verified blob digest) for these catalogers.
    pub fn get(
        &self,
        layer: &str,
        catalogers: &[Box<dyn Cataloger>],
    ) -> Result<Lookup, CacheError> {
        let Some(files) = self.get_part(layer, FILES_PART, FILES_VERSION)? else {
            return Ok(Lookup::Miss);
        };
        let files: FilesPart = serde_json::from_slice(&files).map_err(|e| self.fail(&e))?;
        let mut packages = BTreeMap::new();
        for cataloger in catalogers {
            let part = format!("cataloger:{}", cataloger.name());
            match self.get_part(layer, &part, i64::from(cataloger.version()))? {
                Some(bytes) => {
                    let found: Vec<Package> =
                        serde_json::from_slice(&bytes).map_err(|e| self.fail(&e))?;
                    packages.insert(cataloger.name().to_owned(), found);
                }
                None => return Ok(Lookup::Miss),
            }
        }
        self.connection
            .execute(
                "UPDATE parts SET last_used = ?2 WHERE layer = ?1",
                params![layer, now()],
            )
            .map_err(|e| self.fail(&e))?;
        Ok(Lookup::Hit(LayerIndex {
            entries: files.entries,
            os_files: files.os_files,
            dpkg_status_d: files.dpkg_status_d,
            packages,
            warnings: files.warnings,
        }))
    }

    /// Stores a layer's index (written in one transaction: all parts or none).
    pub fn put(
        &mut self,
        layer: &str,
        index: &LayerIndex,
        catalogers: &[Box<dyn Cataloger>],
    ) -> Result<(), CacheError> {
        let files = FilesPart {
            entries: index.entries.clone(),
            os_files: index.os_files.clone(),
            dpkg_status_d: index.dpkg_status_d,
            warnings: index.warnings.clone(),
        };
        let mut rows = vec![(
            FILES_PART.to_owned(),
            FILES_VERSION,
            serde_json::to_vec(&files).map_err(|e| self.fail(&e))?,
        )];
        for cataloger in catalogers {
            let found = index
                .packages
                .get(cataloger.name())
                .cloned()
                .unwrap_or_default();
            let bytes = serde_json::to_vec(&found).map_err(|e| self.fail(&e))?;
            rows.push((
                format!("cataloger:{}", cataloger.name()),
                i64::from(cataloger.version()),
                bytes,
            ));
        }
        let path = self.path.clone();
        let fail = |e: &dyn std::fmt::Display| CacheError {
            path: path.clone(),
            message: e.to_string(),
        };
        let transaction = self.connection.transaction().map_err(|e| fail(&e))?;
        for (part, version, bytes) in rows {
            let compressed = zstd::encode_all(&bytes[..], 3).map_err(|e| fail(&e))?;
            transaction
                .execute(
                    "INSERT OR REPLACE INTO parts (layer, part, version, data, size, last_used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![layer, part, version, compressed, i64::try_from(compressed.len()).unwrap_or(i64::MAX), now()],
                )
                .map_err(|e| fail(&e))?;
        }
        transaction.commit().map_err(|e| fail(&e))
    }

    /// The digest a layer stored in an archive was verified to have, if the archive
    /// is the same file (device, inode, size, modification time) as when it was read.
    pub fn archive_member(
        &self,
        archive: &Path,
        offset: u64,
        size: u64,
    ) -> Result<Option<String>, CacheError> {
        let Some((name, identity)) = file_identity(archive) else {
            return Ok(None);
        };
        self.connection
            .query_row(
                "SELECT digest FROM archive_members WHERE archive = ?1 AND offset = ?2 AND size = ?3 AND identity = ?4",
                params![name, to_i64(offset), to_i64(size), identity],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(&e))
    }

    /// Remembers the verified digest of a layer stored in an archive.
    pub fn put_archive_member(
        &self,
        archive: &Path,
        offset: u64,
        size: u64,
        digest: &str,
    ) -> Result<(), CacheError> {
        let Some((name, identity)) = file_identity(archive) else {
            return Ok(());
        };
        self.connection
            .execute(
                "INSERT OR REPLACE INTO archive_members (archive, offset, size, identity, digest) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, to_i64(offset), to_i64(size), identity, digest],
            )
            .map(drop)
            .map_err(|e| self.fail(&e))
    }

    /// Total size of the cached data, in bytes.
    pub fn size(&self) -> Result<u64, CacheError> {
        let size: i64 = self
            .connection
            .query_row("SELECT COALESCE(SUM(size), 0) FROM parts", [], |row| {
                row.get(0)
            })
            .map_err(|e| self.fail(&e))?;
        Ok(u64::try_from(size).unwrap_or(0))
    }

    /// Evicts least recently used layers until the data fits in `max_bytes`, and
    /// returns the file's space to the system; returns how many layers were evicted.
    pub fn prune(&mut self, max_bytes: u64) -> Result<usize, CacheError> {
        let evicted = self.evict(max_bytes)?;
        self.connection
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
            .map_err(|e| self.fail(&e))?;
        Ok(evicted)
    }

    /// Evicts least recently used layers until the data fits in `max_bytes` (freed
    /// pages are reused by later writes; no vacuum, so this is cheap after a scan).
    pub fn evict(&mut self, max_bytes: u64) -> Result<usize, CacheError> {
        let mut evicted = 0;
        while self.size()? > max_bytes {
            let oldest: Option<String> = self
                .connection
                .query_row(
                    "SELECT layer FROM parts ORDER BY last_used ASC LIMIT 1",
                    [],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.fail(&e))?;
            let Some(layer) = oldest else { break };
            self.connection
                .execute("DELETE FROM parts WHERE layer = ?1", params![layer])
                .map_err(|e| self.fail(&e))?;
            evicted += 1;
        }
        self.connection
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;")
            .map_err(|e| self.fail(&e))?;
        Ok(evicted)
    }
}
