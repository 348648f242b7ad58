//! Embedded schema migrations, applied in one transaction when the store opens.
//!
//! The schema version is SQLite's `user_version`. Migrations are append-only: a released
//! migration is never edited, a change is a new file.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// One step of the schema: `version` is what `user_version` becomes after `sql` ran.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "settings_audit",
        sql: include_str!("../migrations/0001_settings_audit.sql"),
    },
    Migration {
        version: 2,
        name: "connections",
        sql: include_str!("../migrations/0002_connections.sql"),
    },
    Migration {
        version: 3,
        name: "inventory",
        sql: include_str!("../migrations/0003_inventory.sql"),
    },
    Migration {
        version: 4,
        name: "connection_pool",
        sql: include_str!("../migrations/0004_connection_pool.sql"),
    },
];

/// The schema version this build writes.
pub const LATEST_SCHEMA_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub(crate) fn current_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema to the last of `migrations`. All pending steps run in one transaction:
/// either the database reaches the new version or it stays exactly as it was.
pub(crate) fn run(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<(), StoreError> {
    let supported = migrations.last().map_or(0, |m| m.version);
    let found = current_version(conn)?;
    if found > supported {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    let pending: Vec<&Migration> = migrations.iter().filter(|m| m.version > found).collect();
    if pending.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for m in pending {
        tx.execute_batch(m.sql)
            .and_then(|()| tx.pragma_update(None, "user_version", m.version))
            .map_err(|source| StoreError::Migration {
                version: m.version,
                name: m.name,
                at: found,
                source,
            })?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_migration_leaves_the_database_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let broken = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "broken",
                sql: "CREATE TABLE fine (x); THIS IS NOT SQL;",
            },
        ];
        let err = crate::Store::open_with(&path, &broken).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Migration {
                    version: 2,
                    at: 0,
                    ..
                }
            ),
            "{err:?}"
        );
        let conn = Connection::open(&path).unwrap();
        assert_eq!(current_version(&conn).unwrap(), 0);
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('settings', 'fine')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            tables, 0,
            "the first migration must be rolled back with the second"
        );
    }

    #[test]
    fn migration_versions_increase_strictly() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
        assert_eq!(MIGRATIONS[0].version, 1);
    }
}
