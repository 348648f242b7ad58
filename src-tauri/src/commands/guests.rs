//! Acting on guests: power actions, each followed as a task.

use proxdeck_core::AppError;
use proxdeck_core::guests::PowerAction;
use proxdeck_core::monitor::GuestType;
use proxdeck_core::tracked::TrackedTask;
use tauri::State;

use crate::state::AppState;

/// Starts, stops, shuts down, reboots, resets, suspends or resumes a guest; returns its task,
/// whose end arrives as a `TaskUpdated` event.
#[tauri::command]
#[specta::specta]
pub async fn guest_power(
    state: State<'_, AppState>,
    connection_id: String,
    node: String,
    kind: GuestType,
    vmid: u32,
    action: PowerAction,
) -> Result<TrackedTask, AppError> {
    proxdeck_core::guests::power(&state.ctx_arc()?, &connection_id, &node, kind, vmid, action).await
}
