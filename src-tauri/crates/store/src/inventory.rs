//! The inventory cache: the last successful `/cluster/resources` of each cluster connection,
//! with when it was fetched. It is what the app paints at start, before any network call
//! returns, and what it keeps showing (greyed, with its age) while a cluster is unreachable.
//! The core owns the shape of `resources` (JSON); the store only keeps it.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// One connection's cached inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryRow {
    pub connection_id: String,
    /// When it was fetched (RFC 3339).
    pub fetched_at: String,
    /// The resources as JSON.
    pub resources: String,
}

impl Store {
    /// Replaces the cached inventory of `connection_id`.
    pub fn inventory_put(
        &self,
        connection_id: &str,
        fetched_at: &str,
        resources: &str,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO inventory_cache (connection_id, fetched_at, resources) VALUES (?1, ?2, ?3)
             ON CONFLICT (connection_id) DO UPDATE
             SET fetched_at = excluded.fetched_at, resources = excluded.resources",
            params![connection_id, fetched_at, resources],
        )?;
        Ok(())
    }

    /// Moves the fetch time of an unchanged inventory forward (no rewrite of its resources).
    /// Returns whether a row was there to touch.
    pub fn inventory_touch(
        &self,
        connection_id: &str,
        fetched_at: &str,
    ) -> Result<bool, StoreError> {
        let n = self.lock().execute(
            "UPDATE inventory_cache SET fetched_at = ?2 WHERE connection_id = ?1",
            params![connection_id, fetched_at],
        )?;
        Ok(n > 0)
    }

    /// The cached inventory of `connection_id`.
    pub fn inventory_get(&self, connection_id: &str) -> Result<Option<InventoryRow>, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT connection_id, fetched_at, resources FROM inventory_cache
                 WHERE connection_id = ?1",
                params![connection_id],
                |r| {
                    Ok(InventoryRow {
                        connection_id: r.get(0)?,
                        fetched_at: r.get(1)?,
                        resources: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Forgets the cached inventory of `connection_id`.
    pub fn inventory_delete(&self, connection_id: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "DELETE FROM inventory_cache WHERE connection_id = ?1",
            params![connection_id],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_touch_get_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.inventory_get("c-1").unwrap(), None);
        assert!(
            !store
                .inventory_touch("c-1", "2026-01-01T00:00:00Z")
                .unwrap()
        );
        store
            .inventory_put("c-1", "2026-01-01T00:00:00Z", "[1]")
            .unwrap();
        store
            .inventory_put("c-1", "2026-01-01T00:00:05Z", "[1,2]")
            .unwrap();
        assert!(
            store
                .inventory_touch("c-1", "2026-01-01T00:00:10Z")
                .unwrap()
        );
        let row = store.inventory_get("c-1").unwrap().unwrap();
        assert_eq!(row.fetched_at, "2026-01-01T00:00:10Z");
        assert_eq!(row.resources, "[1,2]");
        store.inventory_delete("c-1").unwrap();
        assert_eq!(store.inventory_get("c-1").unwrap(), None);
    }

    #[test]
    fn removing_a_connection_removes_its_cache_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let now = crate::now_rfc3339();
        store
            .lock()
            .execute(
                "INSERT INTO connections (id, name, kind, urls, access, username, timeout_ms,
                 created_at, updated_at)
                 VALUES ('c-9', 'prod', 'pve', '[]', 'apiToken', 'u@pve', 1000, ?1, ?1)",
                params![now],
            )
            .unwrap();
        store.inventory_put("c-9", &now, "[]").unwrap();
        store.inventory_put("demo-x", &now, "[]").unwrap();
        store.connection_delete("c-9").unwrap();
        assert_eq!(store.inventory_get("c-9").unwrap(), None);
        assert!(store.inventory_get("demo-x").unwrap().is_some());
    }
}
