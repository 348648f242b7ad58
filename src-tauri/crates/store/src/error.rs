//! The store's errors, each worded so that the person reading it knows what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot create the data directory {path}: {source}. Check that it is writable, or set PROXDECK_DATA_DIR to another directory"
    )]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot open the database {path}: {source}. Check that the file is readable and writable and not held by another program"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the database {path} has schema version {found}, but this Proxdeck knows only up to {supported}: it was written by a newer Proxdeck. Install that newer version, or set PROXDECK_DATA_DIR to start with a separate database; the file was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "migration {version} ({name}) failed: {source}. The database was left at schema version {at}"
    )]
    Migration {
        version: u32,
        name: &'static str,
        at: u32,
        source: rusqlite::Error,
    },
    #[error(
        "the database could not switch to WAL journaling (it reports `{mode}`); is it on a network or read-only file system?"
    )]
    NoWal { mode: String },
    #[error("the stored value of setting `{key}` is not valid JSON: {source}")]
    BadSetting {
        key: String,
        source: serde_json::Error,
    },
    #[error("a connection named `{name}` exists already; choose another name")]
    DuplicateName { name: String },
    #[error(
        "the stored connection {id} has an unreadable `{column}` ({source}); remove the connection and add it again"
    )]
    BadConnection {
        id: String,
        column: &'static str,
        source: serde_json::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
