//! The health history of each connection: every state it entered, when and why. The core's
//! monitor writes a row on each change; the newest row is what the app shows after a
//! restart, until the monitor has checked again.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// One recorded state. `state` is the core's `HealthState` as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthRow {
    pub state: String,
    /// When the connection entered this state (RFC 3339).
    pub at: String,
    pub message: Option<String>,
}

impl Store {
    /// Records that `connection_id` entered `state` at `at`.
    pub fn health_record(
        &self,
        connection_id: &str,
        state: &str,
        at: &str,
        message: Option<&str>,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO connection_health (connection_id, state, at, message) VALUES (?1, ?2, ?3, ?4)",
            params![connection_id, state, at, message],
        )?;
        Ok(())
    }

    /// The newest recorded state of `connection_id`.
    pub fn health_latest(&self, connection_id: &str) -> Result<Option<HealthRow>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT state, at, message FROM connection_health
                 WHERE connection_id = ?1 ORDER BY id DESC LIMIT 1",
                params![connection_id],
                read_row,
            )
            .optional()?)
    }

    /// The newest `limit` recorded states of `connection_id`, newest first.
    pub fn health_history(
        &self,
        connection_id: &str,
        limit: u32,
    ) -> Result<Vec<HealthRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT state, at, message FROM connection_health
             WHERE connection_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![connection_id, limit], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HealthRow> {
    Ok(HealthRow {
        state: r.get(0)?,
        at: r.get(1)?,
        message: r.get(2)?,
    })
}
