//! Desktop notifications (tauri-plugin-notification) for what happens while the admin
//! looks elsewhere: a cluster becoming unreachable, and coming back; a task started from
//! Proxdeck that failed or ran long.

use proxdeck_core::events::HealthChange;
use tauri_plugin_notification::NotificationExt;

/// "Cluster X is unreachable since 14:02" / "Cluster X is reachable again".
pub fn health(handle: &tauri::AppHandle, change: &HealthChange) {
    if let Some((title, body)) = proxdeck_core::connections::health::notification_text(change) {
        show(handle, title, body);
    }
}

/// Shows a desktop notification (the core's task notifications: "VM 100 - Start failed on
/// prod", "5 of 48 tasks failed on prod"…); a failure is logged, never fatal.
pub fn show(handle: &tauri::AppHandle, title: String, body: String) {
    if let Err(e) = handle
        .notification()
        .builder()
        .title(title)
        .body(body)
        .show()
    {
        tracing::warn!(error = %e, "could not show a desktop notification");
    }
}
