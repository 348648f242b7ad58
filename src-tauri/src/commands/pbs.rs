//! Backup server commands: datastores, backup groups, and backup coverage.

use proxdeck_core::AppError;
use proxdeck_core::pbs::{BackupGroup, Coverage, Datastore};
use tauri::State;

use crate::state::AppState;

/// The datastores of a backup server with usage, estimated full date and GC state.
#[tauri::command]
#[specta::specta]
pub async fn pbs_datastores(
    state: State<'_, AppState>,
    connection_id: String,
) -> Result<Vec<Datastore>, AppError> {
    proxdeck_core::pbs::datastores(state.ctx()?, &connection_id).await
}

/// The backup groups of a datastore with their snapshots.
#[tauri::command]
#[specta::specta]
pub async fn pbs_snapshots(
    state: State<'_, AppState>,
    connection_id: String,
    store: String,
) -> Result<Vec<BackupGroup>, AppError> {
    proxdeck_core::pbs::snapshots(state.ctx()?, &connection_id, &store).await
}

/// Every PVE guest and its newest backup; `days` is the window a backup must fall in.
#[tauri::command]
#[specta::specta]
pub async fn backup_coverage(state: State<'_, AppState>, days: u32) -> Result<Coverage, AppError> {
    proxdeck_core::pbs::coverage(state.ctx()?, days).await
}
