//! The inventory: last-known resources of every cluster, refreshes and window visibility.

use proxdeck_core::AppError;
use proxdeck_core::inventory::{ConnectionInventory, RefreshReport};
use tauri::State;

use crate::state::AppState;

/// The last-known inventory of every enabled cluster (from the cache at start, stale).
#[tauri::command]
#[specta::specta]
pub async fn inventory_snapshot(
    state: State<'_, AppState>,
) -> Result<Vec<ConnectionInventory>, AppError> {
    proxdeck_core::inventory::snapshot(state.ctx()?).await
}

/// Refreshes every enabled cluster now; changes arrive as `InventoryChanged` events.
#[tauri::command]
#[specta::specta]
pub async fn inventory_refresh_now(state: State<'_, AppState>) -> Result<RefreshReport, AppError> {
    proxdeck_core::inventory::refresh_once(&state.ctx_arc()?).await
}

/// The window became visible (refresh often, at once) or hidden (refresh rarely).
#[tauri::command]
#[specta::specta]
pub async fn window_visibility(state: State<'_, AppState>, visible: bool) -> Result<(), AppError> {
    proxdeck_core::inventory::set_window_visible(state.ctx()?, visible);
    Ok(())
}
