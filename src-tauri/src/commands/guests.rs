//! Acting on guests: power actions, each followed as a task.

use proxdeck_core::AppError;
use proxdeck_core::guests::{BulkOutcome, GuestRef, PowerAction};
use proxdeck_core::monitor::GuestType;
use proxdeck_core::tracked::TrackedTask;
use tauri::State;

use crate::state::AppState;

/// Starts, stops, shuts down, reboots, resets, suspends or resumes a guest; returns its task,
/// whose end arrives as a `TasksUpdated` event.
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

/// Runs a power action on many guests (of any clusters), a bounded number at a time; one
/// outcome per guest, in order.
#[tauri::command]
#[specta::specta]
pub async fn guests_power_many(
    state: State<'_, AppState>,
    guests: Vec<GuestRef>,
    action: PowerAction,
) -> Result<Vec<BulkOutcome>, AppError> {
    Ok(proxdeck_core::guests::power_many(
        &state.ctx_arc()?,
        guests,
        action,
        proxdeck_core::guests::BULK_CONCURRENCY,
    )
    .await)
}
