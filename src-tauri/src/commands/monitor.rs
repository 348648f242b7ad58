//! The summary pages' reads: cluster, node, guest and storage status, and RRD history.

use proxdeck_core::AppError;
use proxdeck_core::monitor::{
    ClusterSummary, GuestSummary, GuestType, NodeStatus, RrdCf, RrdPoint, RrdTarget, RrdTimeframe,
    StorageStatus,
};
use tauri::State;

use crate::state::AppState;

/// A cluster at a glance: members, quorum, guests, CPU/memory/storage use.
#[tauri::command]
#[specta::specta]
pub async fn monitor_cluster_summary(
    state: State<'_, AppState>,
    conn: String,
) -> Result<ClusterSummary, AppError> {
    proxdeck_core::monitor::cluster_summary(state.ctx()?, &conn).await
}

/// A node's status: load, CPU, memory, swap, root disk, uptime, versions.
#[tauri::command]
#[specta::specta]
pub async fn monitor_node_status(
    state: State<'_, AppState>,
    conn: String,
    node: String,
) -> Result<NodeStatus, AppError> {
    proxdeck_core::monitor::node_status(state.ctx()?, &conn, &node).await
}

/// A guest's status, configuration summary and addresses.
#[tauri::command]
#[specta::specta]
pub async fn monitor_guest_summary(
    state: State<'_, AppState>,
    conn: String,
    node: String,
    kind: GuestType,
    vmid: u32,
) -> Result<GuestSummary, AppError> {
    proxdeck_core::monitor::guest_summary(state.ctx()?, &conn, &node, kind, vmid).await
}

/// A storage's usage and content types on a node.
#[tauri::command]
#[specta::specta]
pub async fn monitor_storage_status(
    state: State<'_, AppState>,
    conn: String,
    node: String,
    storage: String,
) -> Result<StorageStatus, AppError> {
    proxdeck_core::monitor::storage_status(state.ctx()?, &conn, &node, &storage).await
}

/// RRD history of a node or guest.
#[tauri::command]
#[specta::specta]
pub async fn monitor_rrd(
    state: State<'_, AppState>,
    conn: String,
    target: RrdTarget,
    timeframe: RrdTimeframe,
    cf: RrdCf,
) -> Result<Vec<RrdPoint>, AppError> {
    proxdeck_core::monitor::rrd(state.ctx()?, &conn, target, timeframe, cf).await
}
