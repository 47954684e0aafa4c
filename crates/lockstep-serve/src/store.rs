//! The embedded store: one SQLite file (`lockstep.sqlite3` in the data folder)
//! holding datasets, runs, notes, live alerts and settings (the ingest token). Result tables stay in memory per loaded
//! run (see [`crate::results`]) and on disk as the run's output folder.
//!
//! Every query is short and runs under one mutex; SQLite is in WAL mode so a
//! reader of the file (a backup) does not block the server.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

/// Schema version (SQLite `user_version`).
const SCHEMA: i64 = 1;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS datasets(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('upload', 'path')),
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY,
    dataset INTEGER NOT NULL REFERENCES datasets(id),
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS notes(
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(id),
    target_kind TEXT NOT NULL,
    target TEXT NOT NULL,
    author TEXT NOT NULL,
    tags TEXT NOT NULL,
    body TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_run ON notes(run, target_kind, target);
CREATE TABLE IF NOT EXISTS settings(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts(
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    alert_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    body TEXT NOT NULL,
    received TEXT NOT NULL,
    UNIQUE(source, alert_id)
);
";

/// A live alert as stored: the alert's JSON as `lockstep watch` sent it, and where and when it came.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAlert {
    /// Id in the store (increasing in the order received).
    pub id: i64,
    /// Which watcher sent it (`watch` unless the ingest URL names one).
    pub source: String,
    /// When it was received (UTC).
    pub received: String,
    /// The alert (docs/live.md).
    pub alert: serde_json::Value,
}

fn alert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAlert> {
    let body: String = r.get(2)?;
    Ok(StoredAlert {
        id: r.get(0)?,
        source: r.get(1)?,
        alert: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        received: r.get(3)?,
    })
}

/// A dataset: an uploaded file kept in the data folder, or a registered path.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dataset {
    /// Id.
    pub id: i64,
    /// Name as given (the upload's file name or the path's).
    pub name: String,
    /// `upload` or `path`.
    pub origin: String,
    /// Where the file is (uploads: inside the data folder).
    pub path: String,
    /// Size in bytes.
    pub bytes: i64,
    /// SHA-256 of the file when it was added (provenance).
    pub sha256: String,
    /// When it was added (UTC, RFC 3339).
    pub created: String,
}

/// A run: one analysis of a dataset with parameters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Run {
    /// Id.
    pub id: i64,
    /// Dataset id.
    pub dataset: i64,
    /// Parameters (the [`crate::params::RunParams`] as JSON).
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// `queued`, `running`, `done`, `failed`, `cancelled` or `interrupted` (the server stopped).
    pub state: String,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was asked for (UTC).
    pub created: String,
    /// When it started.
    pub started: Option<String>,
    /// When it ended.
    pub finished: Option<String>,
    /// Figures of a finished run (counts, groups, skipped records, seconds of the analysis, outputs and indexes;
    /// the seconds are the one thing that differs between reruns).
    #[schema(value_type = Object)]
    pub summary: Option<serde_json::Value>,
}

/// A case note on a run, group, account, object or domain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Note {
    /// Id.
    pub id: i64,
    /// Run.
    pub run: i64,
    /// `run`, `group`, `account`, `object` or `domain`.
    pub target_kind: String,
    /// The group number, account name, object value or domain (empty for the run).
    pub target: String,
    /// Who wrote it.
    pub author: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// The note.
    pub body: String,
    /// When (UTC).
    pub created: String,
}

/// The store.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
}

/// Now, UTC, RFC 3339 to the second.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(Run {
        id: r.get(0)?,
        dataset: r.get(1)?,
        params: json(r.get(2)?).unwrap_or(serde_json::Value::Null),
        state: r.get(3)?,
        error: r.get(4)?,
        created: r.get(5)?,
        started: r.get(6)?,
        finished: r.get(7)?,
        summary: json(r.get(8)?),
    })
}

fn dataset_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dataset> {
    Ok(Dataset {
        id: r.get(0)?,
        name: r.get(1)?,
        origin: r.get(2)?,
        path: r.get(3)?,
        bytes: r.get(4)?,
        sha256: r.get(5)?,
        created: r.get(6)?,
    })
}

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        run: r.get(1)?,
        target_kind: r.get(2)?,
        target: r.get(3)?,
        author: r.get(4)?,
        tags: r.get(5)?,
        body: r.get(6)?,
        created: r.get(7)?,
    })
}

const RUN_COLS: &str = "id, dataset, params, state, error, created, started, finished, summary";
const DATASET_COLS: &str = "id, name, origin, path, bytes, sha256, created";
const NOTE_COLS: &str = "id, run, target_kind, target, author, tags, body, created";

impl Store {
    /// Opens (or creates) the store at `path`. Runs left queued or running by a
    /// previous process are marked `interrupted`.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "{}: store schema {version} is newer than this lockstep's ({SCHEMA})",
                path.display()
            )));
        }
        conn.execute_batch(CREATE)?;
        conn.pragma_update(None, "user_version", SCHEMA)?;
        conn.execute(
            "UPDATE runs SET state = 'interrupted', finished = ?1 WHERE state IN ('queued', 'running')",
            params![now()],
        )?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&conn)
    }

    /// Adds a dataset; returns it.
    pub fn add_dataset(
        &self,
        name: &str,
        origin: &str,
        path: &str,
        bytes: u64,
        sha256: &str,
    ) -> rusqlite::Result<Dataset> {
        let id = self.with(|c| {
            c.execute(
                "INSERT INTO datasets(name, origin, path, bytes, sha256, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![name, origin, path, bytes as i64, sha256, now()],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        Ok(self.dataset(id)?.expect("just inserted"))
    }

    /// One dataset.
    pub fn dataset(&self, id: i64) -> rusqlite::Result<Option<Dataset>> {
        self.with(|c| {
            c.query_row(&format!("SELECT {DATASET_COLS} FROM datasets WHERE id = ?1"), [id], dataset_row).optional()
        })
    }

    /// Every dataset, newest first.
    pub fn datasets(&self) -> rusqlite::Result<Vec<Dataset>> {
        self.with(|c| {
            let mut s = c.prepare(&format!("SELECT {DATASET_COLS} FROM datasets ORDER BY id DESC"))?;
            let rows = s.query_map([], dataset_row)?;
            rows.collect()
        })
    }

    /// Adds a queued run; returns it.
    pub fn add_run(&self, dataset: i64, params: &serde_json::Value) -> rusqlite::Result<Run> {
        let id = self.with(|c| {
            c.execute(
                "INSERT INTO runs(dataset, params, state, created) VALUES (?1, ?2, 'queued', ?3)",
                params![dataset, params.to_string(), now()],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        Ok(self.run(id)?.expect("just inserted"))
    }

    /// One run.
    pub fn run(&self, id: i64) -> rusqlite::Result<Option<Run>> {
        self.with(|c| c.query_row(&format!("SELECT {RUN_COLS} FROM runs WHERE id = ?1"), [id], run_row).optional())
    }

    /// Every run, newest first.
    pub fn runs(&self) -> rusqlite::Result<Vec<Run>> {
        self.with(|c| {
            let mut s = c.prepare(&format!("SELECT {RUN_COLS} FROM runs ORDER BY id DESC"))?;
            let rows = s.query_map([], run_row)?;
            rows.collect()
        })
    }

    /// Marks a run started.
    pub fn run_started(&self, id: i64) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute("UPDATE runs SET state = 'running', started = ?2 WHERE id = ?1", params![id, now()]).map(drop)
        })
    }

    /// Marks a run ended: `done` (with its summary), `failed` (with the error) or `cancelled`.
    pub fn run_ended(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        summary: Option<&serde_json::Value>,
    ) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "UPDATE runs SET state = ?2, error = ?3, finished = ?4, summary = ?5 WHERE id = ?1",
                params![id, state, error, now(), summary.map(|s| s.to_string())],
            )
            .map(drop)
        })
    }

    /// Adds a note; returns it.
    pub fn add_note(
        &self,
        run: i64,
        target_kind: &str,
        target: &str,
        author: &str,
        tags: &str,
        body: &str,
    ) -> rusqlite::Result<Note> {
        let id = self.with(|c| {
            c.execute(
                "INSERT INTO notes(run, target_kind, target, author, tags, body, created) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![run, target_kind, target, author, tags, body, now()],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        self.with(|c| c.query_row(&format!("SELECT {NOTE_COLS} FROM notes WHERE id = ?1"), [id], note_row))
    }

    /// A run's notes, oldest first; only those on one target when given.
    pub fn notes(&self, run: i64, target: Option<(&str, &str)>) -> rusqlite::Result<Vec<Note>> {
        self.with(|c| match target {
            Some((kind, t)) => {
                let mut s = c.prepare(&format!(
                    "SELECT {NOTE_COLS} FROM notes WHERE run = ?1 AND target_kind = ?2 AND target = ?3 ORDER BY id"
                ))?;
                let rows = s.query_map(params![run, kind, t], note_row)?;
                rows.collect()
            }
            None => {
                let mut s = c.prepare(&format!("SELECT {NOTE_COLS} FROM notes WHERE run = ?1 ORDER BY id"))?;
                let rows = s.query_map([run], note_row)?;
                rows.collect()
            }
        })
    }

    /// The value of setting `key`, set to `default()` when it has none.
    pub fn setting(&self, key: &str, default: impl FnOnce() -> String) -> rusqlite::Result<String> {
        self.with(|c| {
            c.execute("INSERT OR IGNORE INTO settings(key, value) VALUES (?1, ?2)", params![key, default()])?;
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
        })
    }

    /// Stores an alert; `None` when one with the same source and alert id is stored already.
    pub fn add_alert(
        &self,
        source: &str,
        alert_id: u64,
        kind: &str,
        event_time: i64,
        body: &str,
    ) -> rusqlite::Result<Option<StoredAlert>> {
        let alert_id =
            i64::try_from(alert_id).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(1, alert_id as i64))?;
        self.with(|c| {
            let added = c.execute(
                "INSERT OR IGNORE INTO alerts(source, alert_id, kind, event_time, body, received) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![source, alert_id, kind, event_time, body, now()],
            )?;
            if added == 0 {
                return Ok(None);
            }
            let id = c.last_insert_rowid();
            c.query_row("SELECT id, source, body, received FROM alerts WHERE id = ?1", [id], alert_row).map(Some)
        })
    }

    /// Alerts stored after store id `after`, newest first, at most `limit`.
    pub fn alerts(&self, after: i64, limit: usize) -> rusqlite::Result<Vec<StoredAlert>> {
        self.with(|c| {
            let mut s =
                c.prepare("SELECT id, source, body, received FROM alerts WHERE id > ?1 ORDER BY id DESC LIMIT ?2")?;
            let rows = s.query_map(params![after, limit as i64], alert_row)?;
            rows.collect()
        })
    }

    /// Number of alerts stored.
    pub fn alert_count(&self) -> rusqlite::Result<i64> {
        self.with(|c| c.query_row("SELECT count(*) FROM alerts", [], |r| r.get(0)))
    }

    /// Deletes a note of a run; false when there was none.
    pub fn delete_note(&self, run: i64, id: i64) -> rusqlite::Result<bool> {
        self.with(|c| Ok(c.execute("DELETE FROM notes WHERE id = ?1 AND run = ?2", params![id, run])? == 1))
    }
}
