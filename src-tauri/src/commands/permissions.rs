//! The connection's login's privileges on a path, for permission-aware actions.

use proxdeck_core::AppError;
use tauri::State;

use crate::state::AppState;

/// The privileges the connection's login (or API token) holds on `path` (e.g. `/vms/100`),
/// cached for a minute.
#[tauri::command]
#[specta::specta]
pub async fn permissions_on(
    state: State<'_, AppState>,
    connection_id: String,
    path: String,
) -> Result<Vec<String>, AppError> {
    proxdeck_core::permissions::on_path(state.ctx()?, &connection_id, &path).await
}
