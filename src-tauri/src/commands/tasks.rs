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

/// Streams a task's log over `on_log`: each page of new lines as it appears, the last one
/// with the exit status. Returns when the task ended or `task_log_unfollow(follow_id)` was
/// called (the window closed); the task itself is never touched.
#[tauri::command]
#[specta::specta]
pub async fn task_log_follow(
    state: State<'_, AppState>,
    connection_id: String,
    node: String,
    upid: String,
    follow_id: String,
    on_log: tauri::ipc::Channel<TaskLog>,
) -> Result<(), AppError> {
    proxdeck_core::tasks::follow_log(
        state.ctx()?,
        &connection_id,
        &node,
        &upid,
        &follow_id,
        proxdeck_core::tasks::LOG_FOLLOW_INTERVAL,
        |page| on_log.send(page).is_ok(),
    )
    .await
}

/// Stops streaming a log (only the local wait: the task goes on).
#[tauri::command]
#[specta::specta]
pub fn task_log_unfollow(state: State<'_, AppState>, follow_id: String) -> Result<(), AppError> {
    proxdeck_core::tasks::unfollow_log(state.ctx()?, &follow_id);
    Ok(())
}
