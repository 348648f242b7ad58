use proxdeck_core::AppError;
use proxdeck_core::connections::Connection;
use proxdeck_core::inventory::Resource;
use tauri::State;

use crate::state::AppState;

/// Every connection the app knows (today: the demo datacenter's, while it runs).
#[tauri::command]
#[specta::specta]
pub async fn connections_list(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    proxdeck_core::connections::list(state.ctx()?).await
}

/// Starts the built-in demo datacenter and returns its connections.
#[tauri::command]
#[specta::specta]
pub async fn demo_open(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    proxdeck_core::demo::open(state.ctx()?).await
}

/// Stops the demo datacenter and removes its connections.
#[tauri::command]
#[specta::specta]
pub async fn demo_close(state: State<'_, AppState>) -> Result<(), AppError> {
    proxdeck_core::demo::close(state.ctx()?).await
}

/// The nodes, guests, storages and pools of a cluster connection.
#[tauri::command]
#[specta::specta]
pub async fn connection_resources(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<Resource>, AppError> {
    proxdeck_core::inventory::resources(state.ctx()?, &id).await
}
