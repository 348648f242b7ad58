use proxdeck_core::AppError;
use proxdeck_core::app::AppInfo;
use tauri::State;

use crate::state::AppState;

/// Version, directories and database schema of this installation.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    proxdeck_core::app::info(state.ctx()?).await
}
