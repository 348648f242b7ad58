//! The task bar's commands: recent tasks of all clusters and a task's log.

use proxdeck_core::AppError;
use proxdeck_core::tasks::{TaskList, TaskLog};
use tauri::State;

use crate::state::AppState;

/// Recent tasks of every enabled cluster, newest first, and the clusters that failed.
#[tauri::command]
#[specta::specta]
pub async fn tasks_recent(state: State<'_, AppState>, limit: u32) -> Result<TaskList, AppError> {
    proxdeck_core::tasks::recent(state.ctx()?, limit).await
}

/// A page of a task's log from line `start` (0-based), and whether the task still runs.
#[tauri::command]
#[specta::specta]
pub async fn task_log(
    state: State<'_, AppState>,
    connection_id: String,
    node: String,
    upid: String,
    start: u32,
) -> Result<TaskLog, AppError> {
    proxdeck_core::tasks::log(state.ctx()?, &connection_id, &node, &upid, start).await
}

/// Asks the cluster to stop a running task (the UI confirms first).
#[tauri::command]
#[specta::specta]
pub async fn task_stop(
    state: State<'_, AppState>,
    connection_id: String,
    node: String,
    upid: String,
) -> Result<(), AppError> {
    proxdeck_core::tracked::stop(state.ctx()?, &connection_id, &node, &upid).await
}
