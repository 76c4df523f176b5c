//! The embedded store: one SQLite file, schema-versioned. Builds write a *new*
//! file and rename it over the old one, so readers never see a half-written
//! database and a failed build leaves the previous one serving.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::{Advisory, Affected, Enrichment};

/// Bumped when the schema changes; a database of another version is rebuilt.
pub const SCHEMA_VERSION: i64 = 4;

/// A store failure, naming the database file.
#[derive(Debug, thiserror::Error)]
#[error("vulnerability database {path}: {message}")]
pub struct StoreError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

fn fail(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> StoreError + '_ {
    move |e| StoreError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The namespace a package's advisories are stored under: OSV ecosystems with
/// their release, normalised so every feed agrees (`Ubuntu:22.04:LTS` → `Ubuntu:22.04`).
pub fn normalize_namespace(namespace: &str) -> String {
    let mut parts: Vec<&str> = namespace.split(':').collect();
    if parts.first() == Some(&"Ubuntu") {
        parts.retain(|p| *p != "LTS" && *p != "Pro");
    }
    parts.join(":")
}

const SCHEMA: &str = "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (origin TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT,
                            fetched_at TEXT, etag TEXT, last_modified TEXT,
                            records INTEGER NOT NULL, newest_modified TEXT);
    CREATE TABLE advisories (origin TEXT NOT NULL, id TEXT NOT NULL, head TEXT NOT NULL,
                             details TEXT, PRIMARY KEY (origin, id));
    CREATE TABLE aliases (alias TEXT NOT NULL, origin TEXT NOT NULL, id TEXT NOT NULL,
                          PRIMARY KEY (alias, origin, id));
    CREATE TABLE affected (namespace TEXT NOT NULL, package TEXT NOT NULL, origin TEXT NOT NULL,
                           id TEXT NOT NULL, data TEXT NOT NULL, versions TEXT NOT NULL);
    CREATE INDEX affected_package ON affected (namespace, package);
    CREATE INDEX affected_advisory ON affected (origin, id);
    CREATE TABLE enrichment (cve TEXT NOT NULL, origin TEXT NOT NULL, data TEXT NOT NULL,
                             PRIMARY KEY (cve, origin));
    CREATE INDEX enrichment_origin ON enrichment (origin);
";

/// One fetched feed document (an OSV `all.zip`, one Alpine secdb file, one NVD
/// year feed…): the unit an update replaces. Its rows are tagged with `origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Unique key (`osv:PyPI`, `alpine-secdb:v3.18/main`, `nvd:2023`).
    pub origin: String,
    /// The source it belongs to (`osv:PyPI`, `alpine-secdb`, `nvd`).
    pub source: String,
    /// Where it was fetched from.
    pub url: Option<String>,
    /// When (RFC 3339).
    pub fetched_at: Option<String>,
    /// HTTP `ETag`, for the next conditional fetch.
    pub etag: Option<String>,
    /// HTTP `Last-Modified`.
    pub last_modified: Option<String>,
    /// Records stored.
    pub records: u64,
    /// Newest `modified` among them.
    pub newest_modified: Option<String>,
}

/// One source's provenance, for `strata db status` (its documents summed up).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// Source name (`osv:PyPI`, `debian-tracker`…).
    pub name: String,
    /// Where it was fetched from (its first document).
    pub url: Option<String>,
    /// When its oldest document was fetched.
    pub fetched_at: Option<String>,
    /// Its documents' validators (the first one's).
    pub etag: Option<String>,
    /// HTTP `Last-Modified` (the first one's).
    pub last_modified: Option<String>,
    /// Records stored.
    pub records: u64,
    /// Newest `modified` among them.
    pub newest_modified: Option<String>,
    /// How many documents.
    pub documents: u64,
}

/// Builds a new database beside `path`, then swaps it in.
#[derive(Debug)]
pub struct Builder {
    connection: Connection,
    temporary: PathBuf,
    path: PathBuf,
}

impl Builder {
    /// Starts a build of the database at `path` in a temporary file beside it:
    /// empty, or (`from_previous`) a copy of the current database, whose
    /// documents are kept until replaced.
    pub fn new(path: &Path, from_previous: bool) -> Result<Builder, StoreError> {
        let f = fail(path);
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| f(&e))?;
        let name = path
            .file_name()
            .map_or_else(|| "db".into(), |n| n.to_string_lossy().into_owned());
        let temporary = dir.join(format!(".{name}.building-{}", std::process::id()));
        remove_stale_builds(dir, &name);
        // Only a readable database of this schema is a base; anything else is rebuilt.
        let copied =
            from_previous && Db::open(path).is_ok() && std::fs::copy(path, &temporary).is_ok();
        let connection = Connection::open(&temporary).map_err(|e| f(&e))?;
        let builder = Builder {
            connection,
            temporary,
            path: path.to_owned(),
        };
        builder
            .connection
            .execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN;")
            .map_err(|e| f(&e))?;
        if !copied {
            builder
                .connection
                .execute_batch(SCHEMA)
                .and_then(|()| {
                    builder.connection.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                        params![SCHEMA_VERSION.to_string()],
                    )
                })
                .map_err(|e| f(&e))?;
        }
        Ok(builder)
    }

    /// The validators stored for a document (from the previous database).
    pub fn document(&self, origin: &str) -> Result<Option<Document>, StoreError> {
        document(&self.connection, origin).map_err(|e| fail(&self.path)(&e))
    }

    /// The origins of a source's documents.
    pub fn origins(&self, source: &str) -> Result<Vec<String>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT origin FROM documents WHERE source = ?1 ORDER BY origin")
            .map_err(|e| f(&e))?;
        let rows = statement
            .query_map(params![source], |row| row.get(0))
            .map_err(|e| f(&e))?;
        rows.collect::<Result<Vec<String>, _>>().map_err(|e| f(&e))
    }

    /// The sources with documents in the database that are not in `keep`.
    pub fn sources_other_than(
        &self,
        keep: &std::collections::BTreeSet<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT DISTINCT source FROM documents ORDER BY source")
            .map_err(|e| f(&e))?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| f(&e))?;
        Ok(rows
            .into_iter()
            .filter(|s| !keep.contains(s.as_str()))
            .collect())
    }

    /// Removes a document and everything it brought.
    pub fn remove(&mut self, origin: &str) -> Result<(), StoreError> {
        let f = fail(&self.path);
        for table in [
            "documents",
            "advisories",
            "aliases",
            "affected",
            "enrichment",
        ] {
            self.connection
                .execute(
                    &format!("DELETE FROM {table} WHERE origin = ?1"),
                    params![origin],
                )
                .map_err(|e| f(&e))?;
        }
        Ok(())
    }

    /// Replaces a document: its old rows go, `records` and `enrichments` come in.
    /// Within one document a later advisory with the same id merges into the
    /// earlier one (its affected packages and aliases are added).
    pub fn replace(
        &mut self,
        document: &Document,
        advisories: &[Advisory],
        enrichments: &[Enrichment],
    ) -> Result<(), StoreError> {
        self.remove(&document.origin)?;
        let path = self.path.clone();
        let f = fail(&path);
        let mut merged: std::collections::BTreeMap<&str, Advisory> = Default::default();
        for advisory in advisories {
            match merged.get_mut(advisory.id.as_str()) {
                Some(existing) => {
                    for alias in &advisory.aliases {
                        if !existing.aliases.contains(alias) {
                            existing.aliases.push(alias.clone());
                        }
                    }
                    existing.affected.extend(advisory.affected.iter().cloned());
                }
                None => {
                    merged.insert(&advisory.id, advisory.clone());
                }
            }
        }
        let origin = &document.origin;
        {
            let mut insert_advisory = self
                .connection
                .prepare_cached(
                    "INSERT INTO advisories (origin, id, head, details) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(|e| f(&e))?;
            let mut insert_alias = self
                .connection
                .prepare_cached(
                    "INSERT OR IGNORE INTO aliases (alias, origin, id) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| f(&e))?;
            let mut insert_affected = self
                .connection
                .prepare_cached(
                    "INSERT INTO affected (namespace, package, origin, id, data, versions) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| f(&e))?;
            for advisory in merged.values() {
                // Stored once: the head (what findings show), the whole details only
                // when the head's are cut, the affected packages in their own table.
                let head = head_of(advisory);
                let details = advisory
                    .details
                    .as_ref()
                    .filter(|d| Some(*d) != head.details.as_ref());
                let head = serde_json::to_string(&head).map_err(|e| f(&e))?;
                insert_advisory
                    .execute(params![origin, advisory.id, head, details])
                    .map_err(|e| f(&e))?;
                for alias in advisory.aliases.iter().chain(std::iter::once(&advisory.id)) {
                    insert_alias
                        .execute(params![alias, origin, advisory.id])
                        .map_err(|e| f(&e))?;
                }
                for affected in &advisory.affected {
                    // The version lists (PyPA enumerates hundreds) are kept as one
                    // text, one version per line: one allocation to read, not hundreds.
                    let versions = affected.versions.join("\n");
                    let slim = Affected {
                        versions: Vec::new(),
                        ..affected.clone()
                    };
                    let data = serde_json::to_string(&slim).map_err(|e| f(&e))?;
                    insert_affected
                        .execute(params![
                            normalize_namespace(&affected.namespace),
                            affected.package,
                            origin,
                            advisory.id,
                            data,
                            versions
                        ])
                        .map_err(|e| f(&e))?;
                }
            }
            let mut insert_enrichment = self
                .connection
                .prepare_cached(
                    "INSERT OR REPLACE INTO enrichment (cve, origin, data) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| f(&e))?;
            for enrichment in enrichments {
                let data = serde_json::to_string(enrichment).map_err(|e| f(&e))?;
                insert_enrichment
                    .execute(params![enrichment.cve, origin, data])
                    .map_err(|e| f(&e))?;
            }
        }
        let records = u64::try_from(merged.len() + enrichments.len()).unwrap_or(u64::MAX);
        self.connection
            .execute(
                "INSERT OR REPLACE INTO documents (origin, source, url, fetched_at, etag, last_modified, records, newest_modified)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    document.origin,
                    document.source,
                    document.url,
                    document.fetched_at,
                    document.etag,
                    document.last_modified,
                    i64::try_from(records).unwrap_or(i64::MAX),
                    document.newest_modified
                ],
            )
            .map(drop)
            .map_err(|e| f(&e))
    }

    /// Records that an unchanged document was checked again (a `304`).
    pub fn touch(&mut self, origin: &str, fetched_at: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE documents SET fetched_at = ?2 WHERE origin = ?1",
                params![origin, fetched_at],
            )
            .map(drop)
            .map_err(|e| fail(&self.path)(&e))
    }

    /// Commits, and atomically replaces the database at the target path. Until this
    /// returns, readers keep the previous file; if it fails, nothing changed.
    pub fn finish(self, built_at: &str) -> Result<(), StoreError> {
        let f = fail(&self.path);
        self.connection
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('built_at', ?1)",
                params![built_at],
            )
            .and_then(|_| self.connection.execute_batch("COMMIT; ANALYZE; VACUUM;"))
            .map_err(|e| f(&e))?;
        sync_file(&self.temporary).map_err(|e| f(&e))?;
        std::fs::rename(&self.temporary, &self.path).map_err(|e| f(&e))?;
        // The rename itself is durable once the directory is synced.
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// Removes what killed builds left behind (`.NAME.building-PID` of a process
/// that no longer runs; without /proc, only this process's own).
fn remove_stale_builds(dir: &Path, name: &str) {
    let prefix = format!(".{name}.building-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let proc_available = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let ours = pid == std::process::id().to_string();
        let dead = proc_available && !Path::new("/proc").join(pid).exists();
        if ours || dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What a finding shows of an advisory: everything but the affected packages,
/// with the details cut to their start. Matching reads this, not the whole record.
fn head_of(advisory: &Advisory) -> Advisory {
    const DETAILS: usize = 512;
    let details = advisory.details.as_ref().map(|d| {
        let mut end = d.len().min(DETAILS);
        while !d.is_char_boundary(end) {
            end -= 1;
        }
        d.get(..end).unwrap_or_default().to_owned()
    });
    Advisory {
        affected: Vec::new(),
        details,
        ..advisory.clone()
    }
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}

fn document(connection: &Connection, origin: &str) -> rusqlite::Result<Option<Document>> {
    connection
        .query_row(
            "SELECT origin, source, url, fetched_at, etag, last_modified, records, newest_modified
             FROM documents WHERE origin = ?1",
            params![origin],
            |row| {
                Ok(Document {
                    origin: row.get(0)?,
                    source: row.get(1)?,
                    url: row.get(2)?,
                    fetched_at: row.get(3)?,
                    etag: row.get(4)?,
                    last_modified: row.get(5)?,
                    records: u64::try_from(row.get::<_, i64>(6)?).unwrap_or(0),
                    newest_modified: row.get(7)?,
                })
            },
        )
        .optional()
}

impl Drop for Builder {
    fn drop(&mut self) {
        // An unfinished build leaves no file behind (after `finish`, it is renamed away).
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// A read-only view of a built database.
#[derive(Debug)]
pub struct Db {
    connection: Connection,
    path: PathBuf,
}

/// An advisory's entry for one package.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The document it came from.
    pub origin: String,
    /// The advisory id.
    pub id: String,
    /// What it says about the package, except the listed versions (see
    /// [`Match::versions`]): `affected.versions` is empty.
    pub affected: Affected,
    /// The explicitly listed affected versions, one per line.
    pub listed: String,
}

impl Match {
    /// The explicitly listed affected versions.
    pub fn versions(&self) -> impl Iterator<Item = &str> + Clone {
        self.listed.lines().filter(|l| !l.is_empty())
    }

    /// The whole entry, listed versions included.
    pub fn into_affected(self) -> Affected {
        let versions = self.versions().map(str::to_owned).collect();
        Affected {
            versions,
            ..self.affected
        }
    }
}

impl Db {
    /// Opens a database read-only, refusing another schema version.
    pub fn open(path: &Path) -> Result<Db, StoreError> {
        let f = fail(path);
        if !path.is_file() {
            return Err(f(&"not found"));
        }
        // A database file is never changed in place (updates rename a new file over
        // it, and an open handle keeps the old one), so it is opened immutable: no
        // locks and no change checks per query, and memory-mapped.
        let absolute = std::path::absolute(path).map_err(|e| f(&e))?;
        let mut uri = url::Url::from_file_path(&absolute)
            .map_err(|()| f(&"cannot be named as a file: URI"))?;
        uri.set_query(Some("immutable=1"));
        let connection = Connection::open_with_flags(
            uri.as_str(),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .and_then(|c| {
            c.execute_batch("PRAGMA mmap_size = 1073741824;")
                .map(|()| c)
        })
        .map_err(|e| f(&e))?;
        let db = Db {
            connection,
            path: path.to_owned(),
        };
        let version = db
            .meta("schema_version")?
            .and_then(|v| v.parse::<i64>().ok());
        if version != Some(SCHEMA_VERSION) {
            return Err(f(&format!(
                "schema version {}, this Strata reads {SCHEMA_VERSION}: run `strata db update`",
                version.map_or_else(|| "unknown".to_owned(), |v| v.to_string())
            )));
        }
        Ok(db)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.connection
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| fail(&self.path)(&e))
    }

    /// When the database was built.
    pub fn built_at(&self) -> Result<Option<String>, StoreError> {
        self.meta("built_at")
    }

    /// Every advisory entry for a package in a namespace (`Debian:12`, `bash`).
    pub fn affecting(&self, namespace: &str, package: &str) -> Result<Vec<Match>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT origin, id, data, versions FROM affected WHERE namespace = ?1 AND package = ?2",
            )
            .map_err(|e| f(&e))?;
        let mut rows = statement
            .query(params![normalize_namespace(namespace), package])
            .map_err(|e| f(&e))?;
        let mut found = Vec::new();
        while let Some(row) = rows.next().map_err(|e| f(&e))? {
            let data = row
                .get_ref(2)
                .map_err(|e| f(&e))?
                .as_str()
                .map_err(|e| f(&e))?;
            let affected: Affected = serde_json::from_str(data).map_err(|e| f(&e))?;
            found.push(Match {
                origin: row.get(0).map_err(|e| f(&e))?,
                id: row.get(1).map_err(|e| f(&e))?,
                affected,
                listed: row.get(3).map_err(|e| f(&e))?,
            });
        }
        Ok(found)
    }

    /// Every namespace some advisory is stored under (`Debian:12`, `PyPI`…),
    /// sorted (the package index starts with the namespace: no table scan).
    pub fn namespaces(&self) -> Result<Vec<String>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare_cached("SELECT DISTINCT namespace FROM affected ORDER BY namespace")
            .map_err(|e| f(&e))?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| f(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| f(&e))?;
        Ok(names)
    }

    /// Whether any advisory names this namespace (an OS release Strata has data for).
    pub fn has_namespace(&self, namespace: &str) -> Result<bool, StoreError> {
        self.connection
            .prepare_cached("SELECT 1 FROM affected WHERE namespace = ?1 LIMIT 1")
            .and_then(|mut s| {
                s.query_row(params![normalize_namespace(namespace)], |_| Ok(()))
                    .optional()
            })
            .map(|found| found.is_some())
            .map_err(|e| fail(&self.path)(&e))
    }

    /// The advisory `id` as the document `origin` has it.
    pub fn advisory_in(&self, origin: &str, id: &str) -> Result<Option<Advisory>, StoreError> {
        let f = fail(&self.path);
        let row: Option<(String, Option<String>)> = self
            .connection
            .prepare_cached("SELECT head, details FROM advisories WHERE origin = ?1 AND id = ?2")
            .and_then(|mut s| {
                s.query_row(params![origin, id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .map_err(|e| f(&e))?;
        let Some((head, details)) = row else {
            return Ok(None);
        };
        let mut advisory: Advisory = serde_json::from_str(&head).map_err(|e| f(&e))?;
        if details.is_some() {
            advisory.details = details;
        }
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT data, versions FROM affected WHERE origin = ?1 AND id = ?2 ORDER BY rowid",
            )
            .map_err(|e| f(&e))?;
        let mut rows = statement.query(params![origin, id]).map_err(|e| f(&e))?;
        while let Some(row) = rows.next().map_err(|e| f(&e))? {
            let data: String = row.get(0).map_err(|e| f(&e))?;
            let versions: String = row.get(1).map_err(|e| f(&e))?;
            let mut affected: Affected = serde_json::from_str(&data).map_err(|e| f(&e))?;
            affected.versions = versions
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            advisory.affected.push(affected);
        }
        Ok(Some(advisory))
    }

    /// The advisory `id` of `origin` without its affected packages and with its
    /// details shortened: what a finding needs, cheap to read.
    pub fn advisory_head(&self, origin: &str, id: &str) -> Result<Option<Advisory>, StoreError> {
        let f = fail(&self.path);
        let data: Option<String> = self
            .connection
            .prepare_cached("SELECT head FROM advisories WHERE origin = ?1 AND id = ?2")
            .and_then(|mut s| {
                s.query_row(params![origin, id], |row| row.get(0))
                    .optional()
            })
            .map_err(|e| f(&e))?;
        data.map(|d| serde_json::from_str(&d).map_err(|e| f(&e)))
            .transpose()
    }

    /// Every advisory known by this id or alias, from every document.
    pub fn advisories(&self, id_or_alias: &str) -> Result<Vec<Advisory>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare_cached("SELECT origin, id FROM aliases WHERE alias = ?1 ORDER BY id, origin")
            .map_err(|e| f(&e))?;
        let keys = statement
            .query_map(params![id_or_alias], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| f(&e))?;
        let mut found = Vec::new();
        for (origin, id) in keys {
            if let Some(advisory) = self.advisory_in(&origin, &id)? {
                found.push(advisory);
            }
        }
        Ok(found)
    }

    /// An advisory by its id or any of its aliases (the first, by id, if several).
    pub fn advisory(&self, id_or_alias: &str) -> Result<Option<Advisory>, StoreError> {
        Ok(self.advisories(id_or_alias)?.into_iter().next())
    }

    /// Enrichment for a CVE, merged from its documents: NVD's `-modified` feed
    /// before the year feeds, each field from the first document that has it.
    pub fn enrichment(&self, cve: &str) -> Result<Option<Enrichment>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT data FROM enrichment WHERE cve = ?1
                 ORDER BY origin = 'nvd:modified' DESC, origin DESC",
            )
            .map_err(|e| f(&e))?;
        let rows = statement
            .query_map(params![cve], |row| row.get::<_, String>(0))
            .map_err(|e| f(&e))?;
        let mut merged: Option<Enrichment> = None;
        for row in rows {
            let data = row.map_err(|e| f(&e))?;
            let part: Enrichment = serde_json::from_str(&data).map_err(|e| f(&e))?;
            let into = merged.get_or_insert_with(|| Enrichment {
                cve: cve.to_owned(),
                ..Enrichment::default()
            });
            if into.cvss.is_empty() {
                into.cvss = part.cvss;
            }
            into.published = into.published.take().or(part.published);
            into.epss = into.epss.take().or(part.epss);
            into.kev = into.kev.take().or(part.kev);
        }
        Ok(merged)
    }

    /// Every document, by origin.
    pub fn documents(&self) -> Result<Vec<Document>, StoreError> {
        let f = fail(&self.path);
        let mut statement = self
            .connection
            .prepare("SELECT origin FROM documents ORDER BY origin")
            .map_err(|e| f(&e))?;
        let origins = statement
            .query_map([], |row| row.get::<_, String>(0))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| f(&e))?;
        let mut found = Vec::new();
        for origin in origins {
            if let Some(doc) = document(&self.connection, &origin).map_err(|e| f(&e))? {
                found.push(doc);
            }
        }
        Ok(found)
    }

    /// The sources the database was built from, their documents summed up.
    pub fn sources(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let mut sources: Vec<SourceInfo> = Vec::new();
        for doc in self.documents()? {
            match sources.iter_mut().find(|s| s.name == doc.source) {
                Some(source) => {
                    source.records += doc.records;
                    source.documents += 1;
                    if doc.fetched_at < source.fetched_at {
                        source.fetched_at = doc.fetched_at;
                    }
                    if doc.newest_modified > source.newest_modified {
                        source.newest_modified = doc.newest_modified;
                    }
                }
                None => sources.push(SourceInfo {
                    name: doc.source,
                    url: doc.url,
                    fetched_at: doc.fetched_at,
                    etag: doc.etag,
                    last_modified: doc.last_modified,
                    records: doc.records,
                    newest_modified: doc.newest_modified,
                    documents: 1,
                }),
            }
        }
        sources.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds;

    fn shared(relative: &str) -> PathBuf {
        let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        start
            .ancestors()
            .map(|d| d.join("shared/data"))
            .find(|d| d.is_dir())
            .expect("shared/data")
            .join(relative)
    }

    fn doc(origin: &str) -> Document {
        Document {
            origin: origin.into(),
            source: origin.split(':').next().unwrap_or(origin).into(),
            ..Document::default()
        }
    }

    /// A database built from real feed samples: PyPI (OSV) and the Debian tracker subset.
    fn build(path: &Path) {
        let mut builder = Builder::new(path, false).unwrap();
        let pypi = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json")).unwrap();
        builder
            .replace(&doc("osv:PyPI"), &pypi.records, &[])
            .unwrap();
        let tracker = std::fs::read(shared(
            "feeds/debian/tracker-json/glvd-subset-vim-glibc.json",
        ))
        .unwrap();
        let debian = feeds::debian::parse_tracker(&tracker).unwrap();
        builder
            .replace(&doc("debian-tracker"), &debian.records, &[])
            .unwrap();
        builder.finish("2026-11-23T00:00:00Z").unwrap();
    }

    #[test]
    fn lookups_by_package_and_by_alias() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        build(&path);
        let db = Db::open(&path).unwrap();
        assert_eq!(
            db.built_at().unwrap().as_deref(),
            Some("2026-11-23T00:00:00Z")
        );
        // The PyPA database has advisories for urllib3 (e.g. PYSEC-2019-132, CVE-2019-11324).
        let urllib3 = db.affecting("PyPI", "urllib3").unwrap();
        assert!(
            urllib3.iter().any(|m| m.id == "PYSEC-2019-132"),
            "{:?}",
            urllib3.iter().map(|m| &m.id).collect::<Vec<_>>()
        );
        // PYSEC-2019-132 names CVE-2019-11236 and GHSA-r64q-w8jr-g9qp as aliases.
        for alias in ["CVE-2019-11236", "GHSA-r64q-w8jr-g9qp", "PYSEC-2019-132"] {
            let by_alias = db.advisory(alias).unwrap().expect("alias lookup");
            assert_eq!(by_alias.id, "PYSEC-2019-132", "{alias}");
        }
        // Stored in parts (head, details, affected rows), read back whole.
        let parsed = feeds::osv::parse_dir(&shared("feeds/osv/PyPI/json"))
            .unwrap()
            .records
            .into_iter()
            .find(|a| a.id == "PYSEC-2019-132")
            .unwrap();
        assert_eq!(
            db.advisory("PYSEC-2019-132").unwrap().as_ref(),
            Some(&parsed)
        );
        let head = db
            .advisory_head("osv:PyPI", "PYSEC-2019-132")
            .unwrap()
            .unwrap();
        assert!(head.affected.is_empty());
        assert_eq!(head.aliases, parsed.aliases);
        // Debian: source package glibc in bookworm.
        let glibc = db.affecting("Debian:12", "glibc").unwrap();
        assert!(glibc.iter().any(|m| m.id == "CVE-2024-33601"));
        assert!(
            db.affecting("Debian:12", "no-such-package")
                .unwrap()
                .is_empty()
        );
        let sources = db.sources().unwrap();
        assert_eq!(
            sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["debian-tracker", "osv"]
        );
        assert!(db.has_namespace("Debian:12").unwrap());
        assert!(!db.has_namespace("Alpine:v3.18").unwrap());
        let namespaces = db.namespaces().unwrap();
        assert!(
            namespaces.contains(&"Debian:12".to_owned()),
            "{namespaces:?}"
        );
        assert!(!namespaces.contains(&"Alpine:v3.18".to_owned()));
        assert!(namespaces.is_sorted());
    }

    #[test]
    fn a_failed_build_leaves_the_previous_database_serving() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        build(&path);
        let before = std::fs::read(&path).unwrap();
        {
            // A build that dies before finishing (dropped, as an error or a kill would).
            let mut builder = Builder::new(&path, true).unwrap();
            let advisory = Advisory {
                id: "X-1".into(),
                source: "test".into(),
                ..Advisory::default()
            };
            builder.replace(&doc("test"), &[advisory], &[]).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the old file is untouched"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
        assert!(Db::open(&path).unwrap().advisory("X-1").unwrap().is_none());
    }

    #[test]
    fn an_update_replaces_one_document_and_keeps_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        build(&path);
        let pypi_before = Db::open(&path)
            .unwrap()
            .affecting("PyPI", "urllib3")
            .unwrap();
        let mut builder = Builder::new(&path, true).unwrap();
        // The tracker document now says nothing about glibc (a record was withdrawn).
        builder.replace(&doc("debian-tracker"), &[], &[]).unwrap();
        let epss = Enrichment {
            cve: "CVE-2019-11236".into(),
            epss: Some(crate::Epss {
                score: 0.5,
                percentile: 0.9,
                date: None,
            }),
            ..Enrichment::default()
        };
        let nvd = Enrichment {
            cve: "CVE-2019-11236".into(),
            published: Some("2019-04-15".into()),
            ..Enrichment::default()
        };
        builder.replace(&doc("epss"), &[], &[epss]).unwrap();
        builder.replace(&doc("nvd:2019"), &[], &[nvd]).unwrap();
        builder.finish("2026-11-24T00:00:00Z").unwrap();
        let db = Db::open(&path).unwrap();
        assert!(db.affecting("Debian:12", "glibc").unwrap().is_empty());
        assert_eq!(db.affecting("PyPI", "urllib3").unwrap(), pypi_before);
        let merged = db.enrichment("CVE-2019-11236").unwrap().unwrap();
        assert_eq!(merged.published.as_deref(), Some("2019-04-15"));
        assert_eq!(merged.epss.map(|e| e.percentile), Some(0.9));
        assert!(db.enrichment("CVE-1999-0001").unwrap().is_none());
    }

    #[test]
    fn other_schema_versions_and_garbage_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vuln.db");
        std::fs::write(&path, b"not a database").unwrap();
        assert!(Db::open(&path).is_err());
        assert!(
            Db::open(&dir.path().join("missing.db"))
                .unwrap_err()
                .to_string()
                .contains("not found")
        );
    }

    #[test]
    fn ubuntu_namespaces_normalise() {
        assert_eq!(normalize_namespace("Ubuntu:22.04:LTS"), "Ubuntu:22.04");
        assert_eq!(normalize_namespace("Ubuntu:Pro:14.04:LTS"), "Ubuntu:14.04");
        assert_eq!(normalize_namespace("Debian:12"), "Debian:12");
    }
}
