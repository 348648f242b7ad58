//! The core's behaviour with no window: a context on a temporary directory.

use std::sync::{Arc, Mutex};

use proxdeck_core::events::{CoreEvent, EventSink};
use proxdeck_core::paths::Paths;
use proxdeck_core::settings::{self, Settings, Theme};
use proxdeck_core::{Ctx, ErrorCode, app};

#[derive(Default)]
struct Recorder(Mutex<Vec<CoreEvent>>);

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}

async fn ctx_in(dir: &std::path::Path, events: Arc<Recorder>) -> Ctx {
    Ctx::builder("9.9.9-test", Paths::under(dir))
        .events(events)
        .open()
        .await
        .unwrap()
}

#[tokio::test]
async fn app_info_reports_version_dirs_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    let info = app::info(&ctx).await.unwrap();
    assert_eq!(info.version, "9.9.9-test");
    assert_eq!(info.data_dir, dir.path().display().to_string());
    assert_eq!(info.log_dir, dir.path().join("logs").display().to_string());
    assert_eq!(
        info.database_path,
        dir.path().join("proxdeck.sqlite3").display().to_string()
    );
    assert_eq!(info.schema_version, proxdeck_store::LATEST_SCHEMA_VERSION);
    assert_eq!(info.os, std::env::consts::OS);
}

#[tokio::test]
async fn theme_defaults_to_system_and_persists_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Recorder::default());
    {
        let ctx = ctx_in(dir.path(), events.clone()).await;
        assert_eq!(settings::get(&ctx).await.unwrap().theme, Theme::System);
        let saved = settings::set(
            &ctx,
            Settings {
                theme: Theme::Dark,
                ..Settings::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.theme, Theme::Dark);
    }
    let ctx = ctx_in(dir.path(), events.clone()).await;
    assert_eq!(settings::get(&ctx).await.unwrap().theme, Theme::Dark);
    assert_eq!(
        events.0.lock().unwrap().as_slice(),
        &[CoreEvent::SettingsChanged(Settings {
            theme: Theme::Dark,
            ..Settings::default()
        })]
    );
}

#[tokio::test]
async fn a_settings_change_is_audited_and_a_no_op_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    settings::set(
        &ctx,
        Settings {
            theme: Theme::Light,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    settings::set(
        &ctx,
        Settings {
            theme: Theme::Light,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    settings::set(
        &ctx,
        Settings {
            theme: Theme::Dark,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    let rows = ctx.db(|s| s.audit_list(None, 10)).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].entry.action, "settings.set");
    assert_eq!(
        rows[0].entry.details,
        serde_json::json!({ "from": "light", "to": "dark" })
    );
    assert_eq!(
        rows[1].entry.details,
        serde_json::json!({ "from": "system", "to": "light" })
    );
    assert!(
        ctx.db(|s| s.verify_audit_chain())
            .await
            .unwrap()
            .is_intact()
    );
}

#[tokio::test]
async fn an_unknown_stored_theme_falls_back_to_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    ctx.db(|s| s.set_setting("theme", &serde_json::json!("solarized")))
        .await
        .unwrap();
    assert_eq!(settings::get(&ctx).await.unwrap().theme, Theme::System);
}

#[tokio::test]
async fn a_newer_database_is_a_storage_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("proxdeck.sqlite3");
    rusqlite_user_version(&db, 1000);
    let err = Ctx::builder("1", Paths::under(dir.path()))
        .open()
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("newer Proxdeck"), "{}", err.message);
}

#[test]
fn errors_serialize_with_a_code_the_ui_can_branch_on() {
    let e = proxdeck_core::AppError::new(ErrorCode::Keychain, "no keychain").with_detail("why");
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({ "code": "Keychain", "message": "no keychain", "detail": "why", "fields": {} })
    );
}

#[test]
fn the_data_dir_variable_moves_data_and_logs() {
    // Paths::under is what PROXDECK_DATA_DIR maps to; resolve() itself reads the process
    // environment, which tests must not change while others run in parallel.
    let p = Paths::under("/tmp/x");
    assert_eq!(p.data_dir, std::path::PathBuf::from("/tmp/x"));
    assert_eq!(p.log_dir, std::path::PathBuf::from("/tmp/x/logs"));
}

fn rusqlite_user_version(path: &std::path::Path, v: u32) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.pragma_update(None, "user_version", v).unwrap();
}

#[tokio::test]
async fn the_demo_datacenter_opens_once_lists_its_inventory_and_closes() {
    use proxdeck_core::connections::{self, ConnectionKind};
    use proxdeck_core::{demo, inventory};
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    assert!(connections::list(&ctx).await.unwrap().is_empty());
    let opened = demo::open(&ctx).await.unwrap();
    let names: Vec<(&str, ConnectionKind)> =
        opened.iter().map(|c| (c.name.as_str(), c.kind)).collect();
    assert_eq!(
        names,
        [
            ("prod", ConnectionKind::Pve),
            ("lab", ConnectionKind::Pve),
            ("pbs-backup", ConnectionKind::Pbs)
        ]
    );
    assert!(
        opened
            .iter()
            .all(|c| c.demo && c.url.starts_with("https://127.0.0.1:"))
    );
    assert!(
        opened
            .iter()
            .all(|c| c.fingerprints.len() == 1 && c.fingerprints[0].len() == 95)
    );
    // Opening again does not start a second simulator.
    assert_eq!(demo::open(&ctx).await.unwrap(), opened);
    assert_eq!(connections::list(&ctx).await.unwrap(), opened);
    // No secret travels with a connection.
    let wire = serde_json::to_string(&opened).unwrap();
    assert!(
        !wire.contains("secret") && !wire.contains("password"),
        "{wire}"
    );

    let prod = inventory::resources(&ctx, "demo-prod").await.unwrap();
    let nodes: Vec<&str> = prod
        .iter()
        .filter(|r| r.kind == "node")
        .filter_map(|r| r.node.as_deref())
        .collect();
    assert_eq!(nodes, ["pve1", "pve2", "pve3"]);
    let guests: Vec<_> = prod
        .iter()
        .filter(|r| r.kind == "qemu" || r.kind == "lxc")
        .collect();
    assert!(guests.len() >= 20, "{}", guests.len());
    assert!(
        guests.iter().any(|g| g.template),
        "templates come through as booleans"
    );
    assert!(guests.iter().all(|g| g.vmid.is_some() && g.name.is_some()));

    let err = inventory::resources(&ctx, "demo-pbs-backup")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);

    demo::close(&ctx).await.unwrap();
    assert!(connections::list(&ctx).await.unwrap().is_empty());
    let err = inventory::resources(&ctx, "demo-prod").await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_demo_outage_marks_the_cluster_stale_and_disconnected_and_ending_it_clears_that() {
    use proxdeck_core::connections::{self, HealthState};
    use proxdeck_core::{demo, inventory};
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Recorder::default());
    let ctx = Arc::new(ctx_in(dir.path(), events.clone()).await);
    demo::open(&ctx).await.unwrap();
    inventory::refresh_once(&ctx).await.unwrap();
    let prod = |snap: Vec<inventory::ConnectionInventory>| {
        snap.into_iter()
            .find(|c| c.connection_id == "demo-prod")
            .unwrap()
    };
    let before = prod(inventory::snapshot(&ctx).await.unwrap());
    assert!(!before.stale && before.error.is_none());

    let down = demo::set_outage(&ctx, "demo-prod", true).await.unwrap();
    assert_eq!(down.health.state, HealthState::Disconnected);
    assert!(down.health.message.unwrap().contains("End the outage"));
    let listed = connections::get(&ctx, "demo-prod").await.unwrap();
    assert_eq!(listed.health.state, HealthState::Disconnected);
    assert!(events.0.lock().unwrap().iter().any(|e| matches!(
        e,
        CoreEvent::HealthChanged(c) if c.connection_id == "demo-prod" && c.to == HealthState::Disconnected
    )));
    // The listener is really gone: the refresh fails and keeps the last-known state.
    inventory::refresh_once(&ctx).await.unwrap();
    let offline = prod(inventory::snapshot(&ctx).await.unwrap());
    assert!(offline.stale, "{offline:?}");
    assert!(
        offline.error.as_deref().unwrap().contains("did not answer"),
        "{offline:?}"
    );
    assert_eq!(offline.resources, before.resources);
    // The other demo cluster is not affected.
    let lab = inventory::snapshot(&ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.connection_id == "demo-lab")
        .unwrap();
    assert!(!lab.stale);
    // Taking it down twice changes nothing.
    assert_eq!(
        demo::set_outage(&ctx, "demo-prod", true)
            .await
            .unwrap()
            .health
            .state,
        HealthState::Disconnected
    );

    let up = demo::set_outage(&ctx, "demo-prod", false).await.unwrap();
    assert_eq!(up.health.state, HealthState::ApiOnly);
    inventory::refresh_once(&ctx).await.unwrap();
    let back = prod(inventory::snapshot(&ctx).await.unwrap());
    assert!(!back.stale && back.error.is_none(), "{back:?}");

    let err = demo::set_outage(&ctx, "demo-nope", true).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn the_first_refresh_waits_for_the_window_to_paint_from_the_cache() {
    use proxdeck_core::demo;
    use proxdeck_core::inventory::{self, RefresherOptions};
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let ctx = Arc::new(ctx_in(dir.path(), Default::default()).await);
    demo::open(&ctx).await.unwrap();
    let refresher = tokio::spawn(inventory::run_refresher(
        Arc::clone(&ctx),
        RefresherOptions {
            first_paint_wait: Duration::from_secs(30),
            ..RefresherOptions::default()
        },
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        inventory::refresh_count(&ctx),
        0,
        "no refresh before the first paint"
    );
    // The window reads its snapshot (painted from the cache): the refresh follows at once.
    inventory::snapshot(&ctx).await.unwrap();
    let mut waited = 0;
    while inventory::refresh_count(&ctx) == 0 {
        assert!(waited < 100, "no refresh 5 s after the first paint");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += 1;
    }
    refresher.abort();

    // Without a window, the wait ends after its time.
    let started = std::time::Instant::now();
    inventory::wait_first_paint(&ctx, Duration::from_millis(200)).await;
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "painted already: no wait"
    );
    let other = tempfile::tempdir().unwrap();
    let fresh = ctx_in(other.path(), Default::default()).await;
    let started = std::time::Instant::now();
    inventory::wait_first_paint(&fresh, Duration::from_millis(200)).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn health_interval_defaults_to_30_s_is_range_checked_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    assert_eq!(settings::get(&ctx).await.unwrap().health_interval_secs, 30);
    let e = settings::set(
        &ctx,
        Settings {
            health_interval_secs: 2,
            ..Settings::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.fields["healthIntervalSecs"].contains("between 5 and 3600"));
    settings::set(
        &ctx,
        Settings {
            health_interval_secs: 60,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    drop(ctx);
    let ctx = ctx_in(dir.path(), Default::default()).await;
    let s = settings::get(&ctx).await.unwrap();
    assert_eq!(s.health_interval(), std::time::Duration::from_secs(60));
}

#[tokio::test]
async fn backup_coverage_days_default_to_1_are_range_checked_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = ctx_in(dir.path(), Default::default()).await;
    assert_eq!(settings::get(&ctx).await.unwrap().backup_coverage_days, 1);
    for bad in [0, 366] {
        let e = settings::set(
            &ctx,
            Settings {
                backup_coverage_days: bad,
                ..Settings::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        assert!(
            e.fields["backupCoverageDays"].contains("between 1 and 365 days"),
            "{e:?}"
        );
        assert!(e.message.contains("backup coverage window"), "{e:?}");
    }
    settings::set(
        &ctx,
        Settings {
            backup_coverage_days: 7,
            ..Settings::default()
        },
    )
    .await
    .unwrap();
    drop(ctx);
    let ctx = ctx_in(dir.path(), Default::default()).await;
    assert_eq!(settings::get(&ctx).await.unwrap().backup_coverage_days, 7);
}
