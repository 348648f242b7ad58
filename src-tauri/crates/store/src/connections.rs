//! Stored connections: the settings of each cluster or backup server the user added. The
//! secret itself stays in the OS keychain; a row keeps only `secret_ref`, where to find it.
//!
//! Kinds and access types are kept as the strings the core's enums serialise to
//! (`pve`/`pbs`, `credential`/`apiToken`); the core owns their meaning.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now_rfc3339};

/// One stored connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRow {
    /// `c-` and 16 hex digits: see [`new_connection_id`].
    pub id: String,
    /// Unique, case-insensitively.
    pub name: String,
    /// `pve` or `pbs`.
    pub kind: String,
    /// `https://host:port`, in the order they are tried.
    pub urls: Vec<String>,
    /// `credential` or `apiToken`.
    pub access: String,
    pub username: String,
    pub token_id: Option<String>,
    /// The keychain entry holding the secret (`owner:kind`), never the secret.
    pub secret_ref: Option<String>,
    pub timeout_ms: u32,
    /// Pinned certificate fingerprints; empty: the system's roots.
    pub fingerprints: Vec<String>,
    pub node_order: Vec<String>,
    pub enabled: bool,
    /// PVE: the resource pool the connection is bound to; `None`: the whole cluster.
    pub pool: Option<String>,
    /// RFC 3339; set by the store.
    pub created_at: String,
    pub updated_at: String,
}

/// A fresh connection id: `c-` and 64 random bits in hex. Ids are also keychain owners, so
/// they must never be reused for another connection.
pub fn new_connection_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (practically impossible on the desktop OSes we run on): fall back
        // to the clock and std's randomly keyed hasher; ids need to be unique, not secret.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        bytes = h.finish().to_be_bytes();
    }
    format!("c-{}", hex::encode(bytes))
}

const COLUMNS: &str = "id, name, kind, urls, access, username, token_id, secret_ref, timeout_ms, \
                       fingerprints, node_order, enabled, created_at, updated_at, pool";

impl Store {
    /// Every stored connection, by name (case-insensitively).
    pub fn connection_list(&self) -> Result<Vec<ConnectionRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM connections ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt.query_map([], read_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(|r| r))
            .collect()
    }

    /// The connection `id`, or `None`.
    pub fn connection_get(&self, id: &str) -> Result<Option<ConnectionRow>, StoreError> {
        let conn = self.lock();
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"),
            params![id],
            read_row,
        )
        .optional()?
        .transpose()
    }

    /// The connection named `name` (case-insensitively), or `None`.
    pub fn connection_by_name(&self, name: &str) -> Result<Option<ConnectionRow>, StoreError> {
        let conn = self.lock();
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE name = ?1 COLLATE NOCASE"),
            params![name],
            read_row,
        )
        .optional()?
        .transpose()
    }

    /// Stores a new connection; `created_at` and `updated_at` are set here. A name in use
    /// is [`StoreError::DuplicateName`].
    pub fn connection_insert(&self, row: &ConnectionRow) -> Result<ConnectionRow, StoreError> {
        let now = now_rfc3339();
        let conn = self.lock();
        conn.execute(
            &format!("INSERT INTO connections ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)"),
            rusqlite::params_from_iter(row_params(row, &now)),
        )
        .map_err(|e| duplicate_name(e, &row.name))?;
        Ok(ConnectionRow {
            created_at: now.clone(),
            updated_at: now,
            ..row.clone()
        })
    }

    /// Replaces every field of the stored connection `row.id` but `created_at`;
    /// `updated_at` is set here. `Ok(None)` when there is no such connection.
    pub fn connection_update(
        &self,
        row: &ConnectionRow,
    ) -> Result<Option<ConnectionRow>, StoreError> {
        let now = now_rfc3339();
        let conn = self.lock();
        let changed = conn
            .execute(
                "UPDATE connections SET name = ?2, kind = ?3, urls = ?4, access = ?5,
                 username = ?6, token_id = ?7, secret_ref = ?8, timeout_ms = ?9,
                 fingerprints = ?10, node_order = ?11, enabled = ?12, updated_at = ?13,
                 pool = ?14
                 WHERE id = ?1",
                rusqlite::params_from_iter(row_params(row, &now)),
            )
            .map_err(|e| duplicate_name(e, &row.name))?;
        drop(conn);
        if changed == 0 {
            return Ok(None);
        }
        self.connection_get(&row.id)
    }

    /// Enables or disables a connection; `false` when there is no such connection.
    pub fn connection_set_enabled(&self, id: &str, enabled: bool) -> Result<bool, StoreError> {
        let n = self.lock().execute(
            "UPDATE connections SET enabled = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, enabled, now_rfc3339()],
        )?;
        Ok(n > 0)
    }

    /// Removes a connection and (by cascade) its health history; `false` when there was
    /// none.
    pub fn connection_delete(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .lock()
            .execute("DELETE FROM connections WHERE id = ?1", params![id])?;
        Ok(n > 0)
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::Value::from(items.to_vec()).to_string()
}

/// A row, or the error naming the column that does not read (a hand-edited file).
fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ConnectionRow, StoreError>> {
    let id: String = r.get(0)?;
    let list =
        |col: usize, name: &'static str| -> rusqlite::Result<Result<Vec<String>, StoreError>> {
            let raw: String = r.get(col)?;
            Ok(
                serde_json::from_str(&raw).map_err(|source| StoreError::BadConnection {
                    id: id.clone(),
                    column: name,
                    source,
                }),
            )
        };
    let urls = match list(3, "urls")? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let fingerprints = match list(9, "fingerprints")? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let node_order = match list(10, "node_order")? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(ConnectionRow {
        name: r.get(1)?,
        kind: r.get(2)?,
        urls,
        access: r.get(4)?,
        username: r.get(5)?,
        token_id: r.get(6)?,
        secret_ref: r.get(7)?,
        timeout_ms: r.get(8)?,
        fingerprints,
        node_order,
        enabled: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        pool: r.get(14)?,
        id,
    }))
}

/// The row's values as `?1`…`?14` of the INSERT and the UPDATE (`?13`: the time now).
fn row_params(row: &ConnectionRow, now: &str) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(row.id.clone()),
        Box::new(row.name.clone()),
        Box::new(row.kind.clone()),
        Box::new(json_list(&row.urls)),
        Box::new(row.access.clone()),
        Box::new(row.username.clone()),
        Box::new(row.token_id.clone()),
        Box::new(row.secret_ref.clone()),
        Box::new(row.timeout_ms),
        Box::new(json_list(&row.fingerprints)),
        Box::new(json_list(&row.node_order)),
        Box::new(row.enabled),
        Box::new(now.to_owned()),
        Box::new(row.pool.clone()),
    ]
}

/// SQLite's UNIQUE failure on `connections.name`, as an error that names the name.
fn duplicate_name(e: rusqlite::Error, name: &str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
        && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        && msg.contains("connections.name")
    {
        return StoreError::DuplicateName {
            name: name.to_owned(),
        };
    }
    StoreError::Sqlite(e)
}
