use proxdeck_core::AppError;
use proxdeck_core::settings::Settings;
use tauri::State;

use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn settings_get(state: State<'_, AppState>) -> Result<Settings, AppError> {
    proxdeck_core::settings::get(state.ctx()?).await
}

#[tauri::command]
#[specta::specta]
pub async fn settings_set(
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, AppError> {
    proxdeck_core::settings::set(state.ctx()?, settings).await
}
