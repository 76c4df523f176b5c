//! The server's own state in `DATA_DIR/server.db` (SQLite): API tokens, scan
//! history with the reports, the organisation's policies. One connection behind
//! a mutex: every statement is short, and SQLite serialises writers anyway.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::Error;
use crate::tokens::Role;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens(
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT
);
CREATE TABLE IF NOT EXISTS scans(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image TEXT NOT NULL,
    platform TEXT,
    manifest_digest TEXT,
    status TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    db_built_at TEXT,
    counts TEXT,
    report TEXT,
    inventory TEXT
);
CREATE INDEX IF NOT EXISTS scans_by_digest ON scans(manifest_digest, id);
CREATE TABLE IF NOT EXISTS policies(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

/// A stored token (never the secret: its SHA-256).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    /// Unique name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, or none for no expiry.
    pub expires_at: Option<String>,
    /// RFC 3339, updated at most once a minute.
    pub last_used_at: Option<String>,
}

/// Where a scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Queued,
    Running,
    Done,
    Failed,
}

impl Status {
    fn parse(s: &str) -> Status {
        match s {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "done" => Status::Done,
            _ => Status::Failed,
        }
    }
}

/// A scan as the history keeps it.
#[derive(Debug, Clone)]
pub(crate) struct ScanRow {
    pub(crate) id: i64,
    pub(crate) image: String,
    pub(crate) platform: Option<String>,
    pub(crate) manifest_digest: Option<String>,
    pub(crate) status: Status,
    pub(crate) error: Option<String>,
    pub(crate) created_at: String,
    pub(crate) started_at: Option<String>,
    pub(crate) finished_at: Option<String>,
    pub(crate) db_built_at: Option<String>,
    pub(crate) counts: Option<String>,
    /// The report and inventory JSON, when asked for.
    pub(crate) report: Option<String>,
    pub(crate) inventory: Option<String>,
}

/// One image of the history: its newest finished scan.
#[derive(Debug, Clone)]
pub(crate) struct ImageRow {
    pub(crate) image: String,
    pub(crate) manifest_digest: String,
    pub(crate) last_scanned: Option<String>,
    pub(crate) scan_id: i64,
    pub(crate) counts: Option<String>,
}

/// The state database.
#[derive(Debug)]
pub(crate) struct State {
    connection: Mutex<Connection>,
    path: String,
}

const SCAN_COLUMNS: &str = "id, image, platform, manifest_digest, status, error, created_at, \
     started_at, finished_at, db_built_at, counts";

impl State {
    /// Opens (creating) `DATA_DIR/server.db`.
    pub(crate) fn open(data_dir: &Path) -> Result<State, Error> {
        let path = data_dir.join("server.db");
        let fail = |e: &dyn std::fmt::Display| Error::State {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(data_dir).map_err(|e| fail(&e))?;
        let connection = Connection::open(&path).map_err(|e| fail(&e))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .and_then(|()| connection.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| connection.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|()| connection.execute_batch(SCHEMA))
            .map_err(|e| fail(&e))?;
        Ok(State {
            connection: Mutex::new(connection),
            path: path.display().to_string(),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, Error> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&connection).map_err(|e| Error::State {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }

    // --- tokens

    pub(crate) fn insert_token(&self, token: &TokenInfo, hash: &str) -> Result<bool, Error> {
        self.with(|c| {
            let inserted = c.execute(
                "INSERT OR IGNORE INTO tokens(name, role, hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token.name, token.role.as_str(), hash, token.created_at, token.expires_at],
            )?;
            Ok(inserted == 1)
        })
    }

    pub(crate) fn token_by_hash(&self, hash: &str) -> Result<Option<TokenInfo>, Error> {
        self.with(|c| {
            c.query_row(
                "SELECT name, role, created_at, expires_at, last_used_at FROM tokens WHERE hash = ?1",
                [hash],
                token_row,
            )
            .optional()
        })
        .map(Option::flatten)
    }

    pub(crate) fn tokens(&self) -> Result<Vec<TokenInfo>, Error> {
        self.with(|c| {
            let mut statement = c.prepare(
                "SELECT name, role, created_at, expires_at, last_used_at FROM tokens ORDER BY name",
            )?;
            let rows = statement.query_map([], token_row)?;
            rows.filter_map(Result::transpose).collect()
        })
    }

    pub(crate) fn delete_token(&self, name: &str) -> Result<bool, Error> {
        self.with(|c| Ok(c.execute("DELETE FROM tokens WHERE name = ?1", [name])? == 1))
    }

    pub(crate) fn touch_token(&self, name: &str, now: &str) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE tokens SET last_used_at = ?2 WHERE name = ?1",
                params![name, now],
            )
            .map(drop)
        })
    }

    // --- scans

    pub(crate) fn insert_scan(
        &self,
        image: &str,
        platform: Option<&str>,
        digest: Option<&str>,
        now: &str,
    ) -> Result<i64, Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO scans(image, platform, manifest_digest, status, created_at) VALUES (?1, ?2, ?3, 'queued', ?4)",
                params![image, platform, digest, now],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    pub(crate) fn set_running(&self, id: i64, now: &str) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE scans SET status = 'running', started_at = ?2 WHERE id = ?1",
                params![id, now],
            )
            .map(drop)
        })
    }

    pub(crate) fn finish_scan(&self, id: i64, done: &Finished<'_>, now: &str) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE scans SET status = 'done', finished_at = ?2, manifest_digest = ?3, db_built_at = ?4, \
                 counts = ?5, report = ?6, inventory = ?7, error = NULL WHERE id = ?1",
                params![id, now, done.manifest_digest, done.db_built_at, done.counts, done.report, done.inventory],
            )
            .map(drop)
        })
    }

    pub(crate) fn fail_scan(&self, id: i64, error: &str, now: &str) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE scans SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                params![id, now, error],
            )
            .map(drop)
        })
    }

    /// Scans a previous process left queued or running: reported failed.
    pub(crate) fn fail_unfinished(&self, now: &str) -> Result<usize, Error> {
        self.with(|c| {
            c.execute(
                "UPDATE scans SET status = 'failed', finished_at = ?1, \
                 error = 'the server stopped before this scan finished; request it again' \
                 WHERE status IN ('queued', 'running')",
                [now],
            )
        })
    }

    pub(crate) fn scan(&self, id: i64, with_report: bool) -> Result<Option<ScanRow>, Error> {
        let extra = if with_report {
            ", report, inventory"
        } else {
            ", NULL, NULL"
        };
        self.with(|c| {
            c.query_row(
                &format!("SELECT {SCAN_COLUMNS}{extra} FROM scans WHERE id = ?1"),
                [id],
                scan_row,
            )
            .optional()
        })
    }

    /// The newest finished scan of a manifest digest, made with the DB built at
    /// `db_built_at` when given.
    pub(crate) fn latest_done(
        &self,
        digest: &str,
        db_built_at: Option<&str>,
        with_report: bool,
    ) -> Result<Option<ScanRow>, Error> {
        let extra = if with_report {
            ", report, inventory"
        } else {
            ", NULL, NULL"
        };
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {SCAN_COLUMNS}{extra} FROM scans WHERE manifest_digest = ?1 AND status = 'done' \
                     AND (?2 IS NULL OR db_built_at IS ?2) ORDER BY id DESC LIMIT 1"
                ),
                params![digest, db_built_at],
                scan_row,
            )
            .optional()
        })
    }

    pub(crate) fn images(&self) -> Result<Vec<ImageRow>, Error> {
        self.with(|c| {
            let mut statement = c.prepare(
                "SELECT s.image, s.manifest_digest, s.finished_at, s.id, s.counts FROM scans s \
                 JOIN (SELECT manifest_digest, MAX(id) AS id FROM scans WHERE status = 'done' \
                       AND manifest_digest IS NOT NULL GROUP BY manifest_digest) newest ON s.id = newest.id \
                 ORDER BY s.finished_at DESC, s.id DESC",
            )?;
            let rows = statement.query_map([], |r| {
                Ok(ImageRow {
                    image: r.get(0)?,
                    manifest_digest: r.get(1)?,
                    last_scanned: r.get(2)?,
                    scan_id: r.get(3)?,
                    counts: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    pub(crate) fn delete_image(&self, digest: &str) -> Result<usize, Error> {
        self.with(|c| {
            c.execute(
                "DELETE FROM scans WHERE manifest_digest = ?1 AND status IN ('done', 'failed')",
                [digest],
            )
        })
    }

    // --- policies

    pub(crate) fn policies(&self) -> Result<Option<String>, Error> {
        self.with(|c| {
            c.query_row("SELECT text FROM policies WHERE id = 1", [], |r| r.get(0))
                .optional()
        })
    }

    pub(crate) fn put_policies(&self, text: &str, now: &str) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO policies(id, text, updated_at) VALUES (1, ?1, ?2) \
                 ON CONFLICT(id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                params![text, now],
            )
            .map(drop)
        })
    }
}

/// What a finished scan stores.
#[derive(Debug)]
pub(crate) struct Finished<'a> {
    pub(crate) manifest_digest: Option<&'a str>,
    pub(crate) db_built_at: Option<&'a str>,
    pub(crate) counts: &'a str,
    pub(crate) report: &'a str,
    pub(crate) inventory: &'a str,
}

/// A token row; `None` for a role this version does not know (never granted).
fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<TokenInfo>> {
    let role: String = r.get(1)?;
    Ok(Role::parse(&role).map(|role| TokenInfo {
        name: r.get(0).unwrap_or_default(),
        role,
        created_at: r.get(2).unwrap_or_default(),
        expires_at: r.get(3).unwrap_or_default(),
        last_used_at: r.get(4).unwrap_or_default(),
    }))
}

fn scan_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ScanRow> {
    let status: String = r.get(4)?;
    Ok(ScanRow {
        id: r.get(0)?,
        image: r.get(1)?,
        platform: r.get(2)?,
        manifest_digest: r.get(3)?,
        status: Status::parse(&status),
        error: r.get(5)?,
        created_at: r.get(6)?,
        started_at: r.get(7)?,
        finished_at: r.get(8)?,
        db_built_at: r.get(9)?,
        counts: r.get(10)?,
        report: r.get(11)?,
        inventory: r.get(12)?,
    })
}
