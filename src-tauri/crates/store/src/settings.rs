//! Settings as key → JSON value. The typed view (which keys exist, their defaults) lives in
//! the core; the store only keeps what was set.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, now_rfc3339};

impl Store {
    /// The stored value of `key`, or `None` when it was never set.
    pub fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let raw: Option<String> = self
            .lock()
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()?;
        raw.map(|s| {
            serde_json::from_str(&s).map_err(|source| StoreError::BadSetting {
                key: key.to_owned(),
                source,
            })
        })
        .transpose()
    }

    /// Stores `value` under `key`, replacing what was there.
    pub fn set_setting(&self, key: &str, value: &serde_json::Value) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![key, value.to_string(), now_rfc3339()],
        )?;
        Ok(())
    }
}
