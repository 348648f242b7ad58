//! Generates Tauri's context: capabilities from src-tauri/capabilities and one permission
//! per app command, so the main window's capability can grant exactly the commands it uses.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "settings_get",
            "settings_set",
            "connections_list",
            "demo_open",
            "demo_close",
            "demo_outage",
            "connection_resources",
            "connection_add",
            "connection_update",
            "connection_remove",
            "connection_set_enabled",
            "connection_test",
            "certificate_probe",
            "connection_features",
            "token_wizard_choices",
            "token_create",
            "connection_check",
            "inventory_snapshot",
            "inventory_refresh_now",
            "window_visibility",
            "tasks_recent",
            "task_log",
            "task_stop",
            "guest_power",
            "guests_power_many",
            "pbs_datastores",
            "pbs_snapshots",
            "backup_coverage",
            "monitor_cluster_summary",
            "monitor_node_status",
            "monitor_guest_summary",
            "monitor_storage_status",
            "monitor_rrd",
            "permissions_on",
        ]));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
