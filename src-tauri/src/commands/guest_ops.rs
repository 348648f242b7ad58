//! The guest actions beyond power: clone, configuration, delete, migrate, HA, cloud-init,
//! addresses and snapshots. Each takes the guest as a `GuestRef`.

use proxdeck_core::AppError;
use proxdeck_core::guests::agent::GuestIps;
use proxdeck_core::guests::clone::{CloneInput, CloneOptions, StorageChoice};
use proxdeck_core::guests::cloudinit::{CloudInitConfig, CloudInitInput};
use proxdeck_core::guests::config::{ConfigChange, DiskResize, GuestConfig};
use proxdeck_core::guests::ha::{HaResource, HaSettings};
use proxdeck_core::guests::lifecycle::{DeleteInput, MigrateOptions};
use proxdeck_core::guests::snapshots::{GuestSnapshot, SnapshotInput};
use proxdeck_core::guests::{self, GuestRef};
use proxdeck_core::monitor::GuestType;
use proxdeck_core::tracked::TrackedTask;
use tauri::State;

use crate::state::AppState;

/// What the clone form offers: next free VMID, template or not, online nodes, pools.
#[tauri::command]
#[specta::specta]
pub async fn guest_clone_options(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<CloneOptions, AppError> {
    let ctx = state.ctx_arc()?;
    guests::clone::options(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Clones a guest or template; the task is followed and the new guest appears when it ends.
#[tauri::command]
#[specta::specta]
pub async fn guest_clone(
    state: State<'_, AppState>,
    guest: GuestRef,
    input: CloneInput,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::clone::clone(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        input,
    )
    .await
}

/// The guest's configuration with its pending changes and digest.
#[tauri::command]
#[specta::specta]
pub async fn guest_config(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<GuestConfig, AppError> {
    let ctx = state.ctx_arc()?;
    guests::config::get(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Edits the configuration; a change made elsewhere meanwhile is a Conflict.
#[tauri::command]
#[specta::specta]
pub async fn guest_config_update(
    state: State<'_, AppState>,
    guest: GuestRef,
    change: ConfigChange,
) -> Result<GuestConfig, AppError> {
    let ctx = state.ctx_arc()?;
    guests::config::update(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        change,
    )
    .await
}

/// Grows a disk.
#[tauri::command]
#[specta::specta]
pub async fn guest_disk_resize(
    state: State<'_, AppState>,
    guest: GuestRef,
    resize: DiskResize,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::config::resize_disk(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        resize,
    )
    .await
}

/// Deletes a stopped guest, its name typed to confirm.
#[tauri::command]
#[specta::specta]
pub async fn guest_delete(
    state: State<'_, AppState>,
    guest: GuestRef,
    input: DeleteInput,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::lifecycle::delete(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        input,
    )
    .await
}

/// The nodes the guest can move to, and why not to the others.
#[tauri::command]
#[specta::specta]
pub async fn guest_migrate_options(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<MigrateOptions, AppError> {
    let ctx = state.ctx_arc()?;
    guests::lifecycle::migrate_options(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Moves the guest to another node (online when it runs).
#[tauri::command]
#[specta::specta]
pub async fn guest_migrate(
    state: State<'_, AppState>,
    guest: GuestRef,
    target: String,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::lifecycle::migrate(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        target,
    )
    .await
}

/// The guest's HA resource, if HA manages it.
#[tauri::command]
#[specta::specta]
pub async fn guest_ha(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<Option<HaResource>, AppError> {
    let ctx = state.ctx_arc()?;
    guests::ha::get(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Puts the guest under HA or changes its HA settings.
#[tauri::command]
#[specta::specta]
pub async fn guest_ha_set(
    state: State<'_, AppState>,
    guest: GuestRef,
    settings: HaSettings,
) -> Result<Option<HaResource>, AppError> {
    let ctx = state.ctx_arc()?;
    guests::ha::set(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        settings,
    )
    .await
}

/// Takes the guest out of HA.
#[tauri::command]
#[specta::specta]
pub async fn guest_ha_remove(state: State<'_, AppState>, guest: GuestRef) -> Result<(), AppError> {
    let ctx = state.ctx_arc()?;
    guests::ha::remove(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// A VM's cloud-init settings and what the image lacks.
#[tauri::command]
#[specta::specta]
pub async fn guest_cloudinit(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<CloudInitConfig, AppError> {
    let ctx = state.ctx_arc()?;
    guests::cloudinit::get(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Writes cloud-init settings; the password goes to the cluster only.
#[tauri::command]
#[specta::specta]
pub async fn guest_cloudinit_set(
    state: State<'_, AppState>,
    guest: GuestRef,
    input: CloudInitInput,
) -> Result<CloudInitConfig, AppError> {
    let ctx = state.ctx_arc()?;
    guests::cloudinit::set(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        input,
    )
    .await
}

/// Regenerates the cloud-init drive.
#[tauri::command]
#[specta::specta]
pub async fn guest_cloudinit_regenerate(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<CloudInitConfig, AppError> {
    let ctx = state.ctx_arc()?;
    guests::cloudinit::regenerate(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Asks the guest (agent / container) for its addresses now.
#[tauri::command]
#[specta::specta]
pub async fn guest_ips(state: State<'_, AppState>, guest: GuestRef) -> Result<GuestIps, AppError> {
    let ctx = state.ctx_arc()?;
    guests::agent::ips(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// The guest's snapshots, `current` last.
#[tauri::command]
#[specta::specta]
pub async fn guest_snapshots(
    state: State<'_, AppState>,
    guest: GuestRef,
) -> Result<Vec<GuestSnapshot>, AppError> {
    let ctx = state.ctx_arc()?;
    guests::snapshots::list(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
    )
    .await
}

/// Takes a snapshot.
#[tauri::command]
#[specta::specta]
pub async fn guest_snapshot_create(
    state: State<'_, AppState>,
    guest: GuestRef,
    input: SnapshotInput,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::snapshots::create(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        input,
    )
    .await
}

/// Rolls back to a snapshot.
#[tauri::command]
#[specta::specta]
pub async fn guest_snapshot_rollback(
    state: State<'_, AppState>,
    guest: GuestRef,
    name: String,
    start: bool,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::snapshots::rollback(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        name,
        start,
    )
    .await
}

/// Deletes a snapshot.
#[tauri::command]
#[specta::specta]
pub async fn guest_snapshot_delete(
    state: State<'_, AppState>,
    guest: GuestRef,
    name: String,
) -> Result<TrackedTask, AppError> {
    let ctx = state.ctx_arc()?;
    guests::snapshots::delete(
        &ctx,
        &guest.connection_id,
        &guest.node,
        guest.kind,
        guest.vmid,
        name,
    )
    .await
}

/// The storages of a node that hold guest disks of `kind`, for the clone form.
#[tauri::command]
#[specta::specta]
pub async fn guest_storages(
    state: State<'_, AppState>,
    connection_id: String,
    node: String,
    kind: GuestType,
) -> Result<Vec<StorageChoice>, AppError> {
    guests::clone::storages(state.ctx()?, &connection_id, &node, kind).await
}

/// Whether a VMID is free now; an `Invalid` error on `newid` when it is taken.
#[tauri::command]
#[specta::specta]
pub async fn guest_check_vmid(
    state: State<'_, AppState>,
    connection_id: String,
    vmid: u32,
) -> Result<(), AppError> {
    guests::clone::check_vmid(state.ctx()?, &connection_id, vmid).await
}

/// Every guest's last-known addresses, for the guest table.
#[tauri::command]
#[specta::specta]
pub async fn guest_ips_known(state: State<'_, AppState>) -> Result<Vec<GuestIps>, AppError> {
    Ok(guests::agent::known(state.ctx()?))
}
