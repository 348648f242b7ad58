//! Integration tests of the store against real SQLite files in a temporary directory.

use proxdeck_store::{
    AuditEntry, DB_FILE_NAME, GENESIS_HASH, LATEST_SCHEMA_VERSION, Store, StoreError,
};
use rusqlite::Connection;
use serde_json::json;

fn entry(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        actor: "tester".into(),
        action: action.into(),
        target: target.into(),
        outcome: "ok".into(),
        details: json!({ "n": target }),
    }
}

#[test]
fn opens_a_fresh_database_in_wal_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let store = Store::open_in(&data).unwrap();
    assert_eq!(store.path(), data.join(DB_FILE_NAME));
    assert!(store.path().exists());
    assert_eq!(store.journal_mode().unwrap(), "wal");
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
}

#[test]
fn reopening_keeps_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_in(dir.path()).unwrap();
        store.set_setting("theme", &json!("dark")).unwrap();
        store.audit_append(&entry("a", "1")).unwrap();
    }
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.setting("theme").unwrap(), Some(json!("dark")));
    assert_eq!(store.audit_list(None, 10).unwrap().len(), 1);
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA_VERSION);
}

#[test]
fn refuses_a_database_from_a_newer_version_and_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future_thing (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, 99);
            assert_eq!(*supported, LATEST_SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("newer Proxdeck"), "{msg}");
    assert!(
        msg.contains("PROXDECK_DATA_DIR"),
        "the message says what to do: {msg}"
    );
    let c = Connection::open(&path).unwrap();
    let v: u32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
    let n: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('settings', 'audit_log')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "no migration may run on a newer database");
}

#[test]
fn settings_round_trip_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.setting("theme").unwrap(), None);
    store.set_setting("theme", &json!("light")).unwrap();
    store.set_setting("theme", &json!("dark")).unwrap();
    store
        .set_setting("refresh", &json!({ "visible_ms": 5000 }))
        .unwrap();
    assert_eq!(store.setting("theme").unwrap(), Some(json!("dark")));
    assert_eq!(
        store.setting("refresh").unwrap(),
        Some(json!({ "visible_ms": 5000 }))
    );
}

#[test]
fn a_corrupt_setting_value_is_reported_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    Connection::open(store.path())
        .unwrap()
        .execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('theme', '{not json', 'x')",
            [],
        )
        .unwrap();
    let err = store.setting("theme").unwrap_err();
    assert!(
        matches!(err, StoreError::BadSetting { ref key, .. } if key == "theme"),
        "{err:?}"
    );
}

#[test]
fn audit_rows_chain_each_to_the_previous_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let a = store.audit_append(&entry("settings.set", "theme")).unwrap();
    let b = store
        .audit_append(&entry("guest.start", "prod/qemu/100"))
        .unwrap();
    let c = store
        .audit_append(&entry("guest.stop", "prod/qemu/100"))
        .unwrap();
    assert_eq!(a.prev_hash, GENESIS_HASH);
    assert_eq!(b.prev_hash, a.hash);
    assert_eq!(c.prev_hash, b.hash);
    assert_eq!(a.hash.len(), 64);
    assert!(a.id < b.id && b.id < c.id);

    let listed = store.audit_list(None, 10).unwrap();
    assert_eq!(listed, vec![c.clone(), b.clone(), a.clone()]);
    assert_eq!(store.audit_list(Some(c.id), 1).unwrap(), vec![b]);

    let report = store.verify_audit_chain().unwrap();
    assert!(report.is_intact());
    assert_eq!(report.checked, 3);
}

#[test]
fn audit_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    store.audit_append(&entry("a", "1")).unwrap();
    let raw = Connection::open(store.path()).unwrap();
    let upd = raw.execute("UPDATE audit_log SET outcome = 'forged'", []);
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = raw.execute("DELETE FROM audit_log", []);
    assert!(del.unwrap_err().to_string().contains("append-only"));
    assert!(store.verify_audit_chain().unwrap().is_intact());
}

#[test]
fn verification_names_the_first_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let ids: Vec<i64> = (0..5)
        .map(|i| store.audit_append(&entry("x", &i.to_string())).unwrap().id)
        .collect();
    let raw = Connection::open(store.path()).unwrap();
    // Someone with file access drops the guard and edits history.
    raw.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    raw.execute(
        "UPDATE audit_log SET outcome = 'failed' WHERE id = ?1",
        [ids[2]],
    )
    .unwrap();
    let report = store.verify_audit_chain().unwrap();
    assert_eq!(report.broken_at, Some(ids[2]));
    assert_eq!(report.checked, 2);
}

#[test]
fn verification_notices_a_removed_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let ids: Vec<i64> = (0..4)
        .map(|i| store.audit_append(&entry("x", &i.to_string())).unwrap().id)
        .collect();
    let raw = Connection::open(store.path()).unwrap();
    raw.execute_batch("DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    raw.execute("DELETE FROM audit_log WHERE id = ?1", [ids[1]])
        .unwrap();
    assert_eq!(store.verify_audit_chain().unwrap().broken_at, Some(ids[2]));
}

#[test]
fn appends_after_reopen_continue_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let store = Store::open_in(dir.path()).unwrap();
        store.audit_append(&entry("a", "1")).unwrap()
    };
    let store = Store::open_in(dir.path()).unwrap();
    let second = store.audit_append(&entry("b", "2")).unwrap();
    assert_eq!(second.prev_hash, first.hash);
    assert!(store.verify_audit_chain().unwrap().is_intact());
}
