//! Integration tests of the store against real SQLite files in a temporary directory.

use proxdeck_store::{
    AuditEntry, ConnectionRow, DB_FILE_NAME, GENESIS_HASH, HealthRow, LATEST_SCHEMA_VERSION, Store,
    StoreError, new_connection_id,
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

fn connection(name: &str) -> ConnectionRow {
    let id = new_connection_id();
    ConnectionRow {
        secret_ref: Some(format!("{id}:token-secret")),
        id,
        name: name.into(),
        kind: "pve".into(),
        urls: vec!["https://pve1:8006".into(), "https://pve2:8006".into()],
        access: "apiToken".into(),
        username: "root@pam".into(),
        token_id: Some("root@pam!proxdeck".into()),
        timeout_ms: 1000,
        fingerprints: Vec::new(),
        node_order: vec!["pve2".into(), "pve1".into()],
        enabled: true,
        pool: None,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

#[test]
fn connection_ids_look_alike_and_differ() {
    let a = new_connection_id();
    let b = new_connection_id();
    assert_ne!(a, b);
    for id in [a, b] {
        assert_eq!(id.len(), 18, "{id}");
        assert!(id.starts_with("c-"));
        assert!(id[2..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
}

#[test]
fn connections_round_trip_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let lab = store.connection_insert(&connection("lab")).unwrap();
    let prod = store.connection_insert(&connection("Prod")).unwrap();
    let alpha = store.connection_insert(&connection("alpha")).unwrap();
    assert!(!lab.created_at.is_empty());
    assert_eq!(lab.created_at, lab.updated_at);
    assert_eq!(store.connection_get(&lab.id).unwrap(), Some(lab.clone()));
    assert_eq!(store.connection_get("c-nope").unwrap(), None);
    assert_eq!(
        store.connection_by_name("PROD").unwrap().map(|r| r.id),
        Some(prod.id.clone())
    );
    let names: Vec<String> = store
        .connection_list()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["alpha", "lab", "Prod"], "by name, ignoring case");

    let mut changed = lab.clone();
    changed.name = "lab-2".into();
    changed.urls = vec!["https://[::1]:8006".into()];
    changed.access = "credential".into();
    changed.token_id = None;
    changed.secret_ref = Some(format!("{}:password", lab.id));
    changed.fingerprints = vec!["AA:BB".into(), "CC:DD".into()];
    changed.node_order = vec![];
    changed.timeout_ms = 60_000;
    let updated = store.connection_update(&changed).unwrap().unwrap();
    assert_eq!(updated.created_at, lab.created_at);
    assert_eq!(
        ConnectionRow {
            updated_at: String::new(),
            ..updated.clone()
        },
        ConnectionRow {
            updated_at: String::new(),
            ..changed.clone()
        }
    );
    let mut ghost = changed.clone();
    ghost.id = "c-0000000000000000".into();
    assert_eq!(store.connection_update(&ghost).unwrap(), None);

    assert!(store.connection_set_enabled(&prod.id, false).unwrap());
    assert!(!store.connection_get(&prod.id).unwrap().unwrap().enabled);
    assert!(!store.connection_set_enabled("c-nope", true).unwrap());

    assert!(store.connection_delete(&alpha.id).unwrap());
    assert!(!store.connection_delete(&alpha.id).unwrap());
    assert_eq!(store.connection_list().unwrap().len(), 2);

    drop(store);
    let store = Store::open_in(dir.path()).unwrap();
    assert_eq!(store.connection_get(&lab.id).unwrap(), Some(updated));
}

#[test]
fn a_connection_name_is_unique_ignoring_case() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    store.connection_insert(&connection("Prod")).unwrap();
    let err = store.connection_insert(&connection("prod")).unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateName { ref name } if name == "prod"),
        "{err:?}"
    );
    assert!(err.to_string().contains("choose another name"), "{err}");

    let other = store.connection_insert(&connection("lab")).unwrap();
    let renamed = ConnectionRow {
        name: "PROD".into(),
        ..other
    };
    let err = store.connection_update(&renamed).unwrap_err();
    assert!(matches!(err, StoreError::DuplicateName { .. }), "{err:?}");
    assert_eq!(store.connection_list().unwrap().len(), 2);
}

#[test]
fn health_history_is_newest_first_and_removed_with_its_connection() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let a = store.connection_insert(&connection("a")).unwrap();
    let b = store.connection_insert(&connection("b")).unwrap();
    assert_eq!(store.health_latest(&a.id).unwrap(), None);
    store
        .health_record(&a.id, "connected", "2026-01-01T00:00:00Z", None)
        .unwrap();
    store
        .health_record(
            &a.id,
            "disconnected",
            "2026-01-01T00:05:00Z",
            Some("pve1 did not answer"),
        )
        .unwrap();
    store
        .health_record(&b.id, "apiOnly", "2026-01-01T00:01:00Z", None)
        .unwrap();
    let latest = HealthRow {
        state: "disconnected".into(),
        at: "2026-01-01T00:05:00Z".into(),
        message: Some("pve1 did not answer".into()),
    };
    assert_eq!(store.health_latest(&a.id).unwrap(), Some(latest.clone()));
    let history = store.health_history(&a.id, 10).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], latest);
    assert_eq!(history[1].state, "connected");
    assert_eq!(store.health_history(&a.id, 1).unwrap(), vec![latest]);

    assert!(
        store
            .health_record("c-unknown", "connected", "2026-01-01T00:00:00Z", None)
            .is_err(),
        "health belongs to a stored connection"
    );

    store.connection_delete(&a.id).unwrap();
    assert_eq!(store.health_history(&a.id, 10).unwrap(), vec![]);
    let left: i64 = Connection::open(store.path())
        .unwrap()
        .query_row("SELECT COUNT(*) FROM connection_health", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 1, "only b's row is left");
}

#[test]
fn a_hand_edited_connection_row_is_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let a = store.connection_insert(&connection("a")).unwrap();
    Connection::open(store.path())
        .unwrap()
        .execute(
            "UPDATE connections SET urls = 'not json' WHERE id = ?1",
            [&a.id],
        )
        .unwrap();
    let err = store.connection_get(&a.id).unwrap_err();
    assert!(
        matches!(err, StoreError::BadConnection { column: "urls", .. }),
        "{err:?}"
    );
    assert!(store.connection_list().is_err());
}
