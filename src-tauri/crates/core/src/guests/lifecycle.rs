//! Deleting and migrating a guest.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::tracked::TrackedTask;
use crate::{AppError, Ctx, ErrorCode};

impl Guest {
    /// `VM` or `CT`, as PVE says it.
    pub fn noun(&self) -> &'static str {
        match self.kind {
            GuestType::Qemu => "VM",
            GuestType::Lxc => "CT",
        }
    }
}

/// How a guest is to be deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeleteInput {
    /// What the user typed to confirm: the guest's name (or its VMID when it has none).
    pub confirm: String,
    /// Also remove it from backup and replication jobs, HA and its pool (PVE's `purge`).
    pub purge: bool,
    /// Also destroy disks on enabled storages that carry its VMID but are not in its
    /// configuration (PVE's `destroy-unreferenced-disks`).
    pub destroy_unreferenced_disks: bool,
}

/// Deletes a stopped guest after checking the typed confirmation against its name.
pub async fn delete(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    input: DeleteInput,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let config = guest.client.get(&guest.path("/config")).await?;
    let name = config["name"]
        .as_str()
        .or_else(|| config["hostname"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| vmid.to_string());
    if input.confirm.trim() != name {
        let message = format!(
            "type the {}'s name, {name}, exactly to confirm the deletion",
            guest.noun()
        );
        return Err(AppError::fields(
            message.clone(),
            [("confirm".to_owned(), message)].into(),
        ));
    }
    let mut form = vec![("purge".to_owned(), flag(input.purge))];
    if input.destroy_unreferenced_disks {
        form.push(("destroy-unreferenced-disks".to_owned(), "1".to_owned()));
    }
    let details = serde_json::json!({
        "name": name,
        "purge": input.purge,
        "destroyUnreferencedDisks": input.destroy_unreferenced_disks,
    });
    guest
        .start_task(ctx, Call::delete(guest.path(""), form), "guest.delete", details)
        .await
        .map_err(|e| {
            let m = e.message.to_lowercase();
            if m.contains("is running") {
                return AppError::new(
                    ErrorCode::Conflict,
                    format!("{} {vmid} is running: stop it first, then delete it", guest.noun()),
                )
                .with_detail(e.message);
            }
            if m.contains("used in ha resources") {
                return AppError::new(
                    ErrorCode::Conflict,
                    format!(
                        "{} {vmid} is managed by HA: tick \"Purge from job configurations\" to remove it from HA too, or remove it from HA first",
                        guest.noun()
                    ),
                )
                .with_detail(e.message);
            }
            super::explain(e, "be deleted", vmid)
        })
}

fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

/// A node the guest could move to, or why not.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MigrateTarget {
    pub node: String,
    /// Why the guest cannot move there; `None`: it can.
    pub reason: Option<String>,
}

/// What the migrate form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MigrateOptions {
    pub running: bool,
    /// Online migration: a running VM moves without stopping. A running container is
    /// restarted on the target instead (PVE has no live migration of containers).
    pub online: bool,
    /// Every other node of the cluster; those with a `reason` are shown but not offered.
    pub targets: Vec<MigrateTarget>,
    /// Disks on storage local to the node (copied with the migration).
    pub local_disks: Vec<String>,
    /// Local devices (PCI, USB…) that block migration.
    pub local_resources: Vec<String>,
}

/// Reads PVE's migration precondition for the guest and the node list: only online nodes
/// that pass it are offered.
pub async fn migrate_options(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<MigrateOptions, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let precondition_path = guest.path("/migrate");
    let (pre, nodes) = tokio::join!(
        guest.client.get(&precondition_path),
        guest.client.get("/nodes")
    );
    let pre = pre.map_err(|e| super::explain(AppError::from(e), "be migrated", vmid))?;
    let nodes = nodes.map_err(AppError::from)?;
    let (allowed_key, not_allowed_key) = match kind {
        GuestType::Qemu => ("allowed_nodes", "not_allowed_nodes"),
        GuestType::Lxc => ("allowed-nodes", "not-allowed-nodes"),
    };
    let allowed: Vec<&str> = pre[allowed_key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let running =
        matches!(&pre["running"], Value::Bool(true)) || pre["running"].as_u64() == Some(1);
    let mut targets: Vec<MigrateTarget> = nodes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let name = n["node"].as_str()?;
            if name == node {
                return None;
            }
            let reason = if n["status"].as_str() != Some("online") {
                Some("offline".to_owned())
            } else if let Some(why) = pre[not_allowed_key].get(name) {
                Some(not_allowed_reason(why))
            } else if !allowed.contains(&name) {
                Some("not allowed by the cluster".to_owned())
            } else {
                None
            };
            Some(MigrateTarget {
                node: name.to_owned(),
                reason,
            })
        })
        .collect();
    targets.sort_by(|a, b| (a.reason.is_some(), &a.node).cmp(&(b.reason.is_some(), &b.node)));
    let local_disks = pre["local_disks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["volid"].as_str().map(str::to_owned))
        .collect();
    let local_resources = pre["local_resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str().map(str::to_owned))
        .collect::<Vec<_>>();
    Ok(MigrateOptions {
        running,
        online: running && kind == GuestType::Qemu,
        targets,
        local_disks,
        local_resources,
    })
}

fn not_allowed_reason(why: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(storages) = why["unavailable_storages"].as_array() {
        let names: Vec<&str> = storages.iter().filter_map(Value::as_str).collect();
        if !names.is_empty() {
            parts.push(format!("storage {} not available there", names.join(", ")));
        }
    }
    if let Some(blocking) = why["blocking-ha-resources"].as_array() {
        let sids: Vec<&str> = blocking.iter().filter_map(|b| b["sid"].as_str()).collect();
        if !sids.is_empty() {
            parts.push(format!("HA affinity with {}", sids.join(", ")));
        }
    }
    if parts.is_empty() {
        "not allowed by the cluster".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Moves the guest to `target`: online for a running VM, restarting a running container,
/// offline otherwise. Local disks are copied along.
pub async fn migrate(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    target: String,
) -> Result<TrackedTask, AppError> {
    let options = migrate_options(ctx, connection_id, node, kind, vmid).await?;
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    match options.targets.iter().find(|t| t.node == target) {
        None => {
            let message = format!("{target} is not another node of this cluster");
            return Err(AppError::fields(
                message.clone(),
                [("target".to_owned(), message)].into(),
            ));
        }
        Some(MigrateTarget {
            reason: Some(why), ..
        }) => {
            let message = format!("{} {vmid} cannot move to {target}: {why}", guest.noun());
            return Err(AppError::fields(
                message.clone(),
                [("target".to_owned(), message)].into(),
            ));
        }
        Some(_) => {}
    }
    let mut form = vec![("target".to_owned(), target.clone())];
    match kind {
        GuestType::Qemu => {
            if options.online {
                form.push(("online".to_owned(), "1".to_owned()));
            }
            if !options.local_disks.is_empty() {
                form.push(("with-local-disks".to_owned(), "1".to_owned()));
            }
        }
        GuestType::Lxc => {
            if options.running {
                form.push(("restart".to_owned(), "1".to_owned()));
            }
        }
    }
    let details = serde_json::json!({
        "target": target,
        "online": options.online,
        "restart": kind == GuestType::Lxc && options.running,
    });
    guest
        .start_task(
            ctx,
            Call::post(guest.path("/migrate"), form),
            "guest.migrate",
            details,
        )
        .await
        .map_err(|e| super::explain(e, "be migrated", vmid))
}
