//! Desktop notifications (tauri-plugin-notification) for what happens while the admin
//! looks elsewhere: a cluster becoming unreachable, and coming back.

use proxdeck_core::events::HealthChange;
use tauri_plugin_notification::NotificationExt;

/// "Cluster X is unreachable since 14:02" / "Cluster X is reachable again".
pub fn health(handle: &tauri::AppHandle, change: &HealthChange) {
    let Some((title, body)) = proxdeck_core::connections::health::notification_text(change) else {
        return;
    };
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
