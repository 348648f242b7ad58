//! Proxdeck's local store: one SQLite file in the app-data directory.
//!
//! It holds what must survive a restart and work without the network: settings, stored
//! connections and their health history, the audit log and the inventory cache. Secrets
//! never come here; rows that need one keep only a reference into the OS keychain.

mod audit;
mod connections;
mod error;
mod health;
mod inventory;
mod migrations;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

pub use audit::{AuditEntry, AuditRecord, ChainReport, GENESIS_HASH};
pub use connections::{ConnectionRow, new_connection_id};
pub use error::StoreError;
pub use health::HealthRow;
pub use inventory::InventoryRow;
pub use migrations::{LATEST_SCHEMA_VERSION, Migration};

/// The file name of the database inside the data directory.
pub const DB_FILE_NAME: &str = "proxdeck.sqlite3";

/// An open store. Cheap to share behind an `Arc`; calls are short and serialised by a mutex,
/// which SQLite would do for writers anyway.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, switches it to WAL and brings
    /// its schema up to date. A database written by a newer Proxdeck is refused untouched.
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        Self::open(&data_dir.join(DB_FILE_NAME))
    }

    /// Opens the database file at `path`; see [`Store::open_in`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, migrations::MIGRATIONS)
    }

    pub(crate) fn open_with(path: &Path, migrations: &[Migration]) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { mode });
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrations::run(&mut conn, path, migrations)?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// Where the database file lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version this database is at (SQLite's `user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrations::current_version(&self.lock())
    }

    /// The journal mode in force, for diagnostics (always `wal` for a store we opened).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(self
            .lock()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are
        // atomic), so a poisoned mutex is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("an RFC 3339 timestamp always formats")
}
