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

/// A command on one guest: `GuestRef` in, the core function of the same purpose called with
/// the guest's connection, node, kind and VMID and the command's own arguments.
macro_rules! guest_command {
    ($(#[doc = $doc:expr])* $name:ident => $core:path, $ret:ty $(, $arg:ident: $ty:ty)*) => {
        $(#[doc = $doc])*
        #[tauri::command]
        #[specta::specta]
        pub async fn $name(
            state: State<'_, AppState>,
            guest: GuestRef,
            $($arg: $ty,)*
        ) -> Result<$ret, AppError> {
            let ctx = state.ctx_arc()?;
            $core(&ctx, &guest.connection_id, &guest.node, guest.kind, guest.vmid $(, $arg)*).await
        }
    };
}

guest_command!(
    /// What the clone form offers: next free VMID, template or not, online nodes, pools.
    guest_clone_options => guests::clone::options, CloneOptions
);
guest_command!(
    /// Clones a guest or template; the task is followed and the new guest appears when it ends.
    guest_clone => guests::clone::clone, TrackedTask, input: CloneInput
);
guest_command!(
    /// The guest's configuration with its pending changes and digest.
    guest_config => guests::config::get, GuestConfig
);
guest_command!(
    /// Edits the configuration; a change made elsewhere meanwhile is a Conflict.
    guest_config_update => guests::config::update, GuestConfig, change: ConfigChange
);
guest_command!(
    /// Grows a disk.
    guest_disk_resize => guests::config::resize_disk, TrackedTask, resize: DiskResize
);
guest_command!(
    /// Deletes a stopped guest, its name typed to confirm.
    guest_delete => guests::lifecycle::delete, TrackedTask, input: DeleteInput
);
guest_command!(
    /// The nodes the guest can move to, and why not to the others.
    guest_migrate_options => guests::lifecycle::migrate_options, MigrateOptions
);
guest_command!(
    /// Moves the guest to another node (online when it runs).
    guest_migrate => guests::lifecycle::migrate, TrackedTask, target: String
);
guest_command!(
    /// The guest's HA resource, if HA manages it.
    guest_ha => guests::ha::get, Option<HaResource>
);
guest_command!(
    /// Puts the guest under HA or changes its HA settings.
    guest_ha_set => guests::ha::set, Option<HaResource>, settings: HaSettings
);
guest_command!(
    /// Takes the guest out of HA.
    guest_ha_remove => guests::ha::remove, ()
);
guest_command!(
    /// A VM's cloud-init settings and what the image lacks.
    guest_cloudinit => guests::cloudinit::get, CloudInitConfig
);
guest_command!(
    /// Writes cloud-init settings; the password goes to the cluster only.
    guest_cloudinit_set => guests::cloudinit::set, CloudInitConfig, input: CloudInitInput
);
guest_command!(
    /// Regenerates the cloud-init drive.
    guest_cloudinit_regenerate => guests::cloudinit::regenerate, CloudInitConfig
);
guest_command!(
    /// Asks the guest (agent / container) for its addresses now.
    guest_ips => guests::agent::ips, GuestIps
);
guest_command!(
    /// The guest's snapshots, `current` last.
    guest_snapshots => guests::snapshots::list, Vec<GuestSnapshot>
);
guest_command!(
    /// Takes a snapshot.
    guest_snapshot_create => guests::snapshots::create, TrackedTask, input: SnapshotInput
);
guest_command!(
    /// Rolls back to a snapshot.
    guest_snapshot_rollback => guests::snapshots::rollback, TrackedTask, name: String, start: bool
);
guest_command!(
    /// Deletes a snapshot.
    guest_snapshot_delete => guests::snapshots::delete, TrackedTask, name: String
);

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
