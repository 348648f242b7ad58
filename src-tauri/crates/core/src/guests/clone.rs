//! Cloning a guest or a template: the next free VMID, the choices the form offers (online
//! nodes, storages with guest images, pools), and the clone itself, followed as a task.

use std::sync::Arc;

use proxdeck_pve::percent_encode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::tracked::TrackedTask;
use crate::{AppError, Ctx, ErrorCode};

/// What the clone form offers for one guest.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloneOptions {
    /// `/cluster/nextid`: the lowest free VMID (the form lets it be edited).
    pub next_vmid: u32,
    /// The source is a template: a linked clone is possible (and the default).
    pub template: bool,
    /// The source's name (the form proposes `<name>-clone`).
    pub name: Option<String>,
    /// Online nodes of the cluster, the source's node first.
    pub nodes: Vec<String>,
    /// Pools the login sees.
    pub pools: Vec<String>,
}

/// A storage a guest's disks can be placed on.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StorageChoice {
    pub storage: String,
    /// `rbd`, `lvmthin`, `dir`, `zfspool`…
    pub kind: String,
    pub shared: bool,
    /// Free bytes, when the node reports them.
    pub avail: Option<f64>,
}

/// The clone form's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloneInput {
    pub newid: u32,
    /// The new guest's name (VM) or hostname (container).
    pub name: Option<String>,
    pub description: Option<String>,
    /// The node to clone to; `None`: the source's node.
    pub target: Option<String>,
    /// Full clone (copies the disks) or linked clone (templates only).
    pub full: bool,
    /// Full clone only: where the copied disks go; `None`: the same storage as the source.
    pub storage: Option<String>,
    pub pool: Option<String>,
}

/// What the clone form needs: the next free VMID, whether the source is a template, the
/// online nodes and the pools.
pub async fn options(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<CloneOptions, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let client = &guest.client;
    let config_path = guest.path("/config");
    let (next, config, nodes, pools) = tokio::join!(
        client.get("/cluster/nextid"),
        client.get(&config_path),
        client.get("/nodes"),
        client.get("/pools"),
    );
    let next_vmid = vmid_of(&next.map_err(AppError::from)?).ok_or_else(|| {
        AppError::new(ErrorCode::Protocol, "/cluster/nextid did not answer a VMID")
    })?;
    let config = config.map_err(AppError::from)?;
    let mut online: Vec<String> = nodes
        .map_err(AppError::from)?
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["status"].as_str() == Some("online"))
        .filter_map(|n| n["node"].as_str().map(str::to_owned))
        .collect();
    online.sort();
    if let Some(i) = online.iter().position(|n| n == node) {
        let own = online.remove(i);
        online.insert(0, own);
    }
    // A login without Pool.Audit anywhere sees no pools: that is not an error.
    let mut pools: Vec<String> = pools
        .ok()
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p["poolid"].as_str().map(str::to_owned))
        .collect();
    pools.sort();
    let name = config["name"]
        .as_str()
        .or_else(|| config["hostname"].as_str())
        .map(str::to_owned);
    let template = matches!(&config["template"], Value::Number(n) if n.as_u64() == Some(1))
        || config["template"].as_str() == Some("1");
    Ok(CloneOptions {
        next_vmid,
        template,
        name,
        nodes: online,
        pools,
    })
}

/// The storages of `node` that hold guest disks of `kind` (`images` for VMs, `rootdir` for
/// containers), enabled and active.
pub async fn storages(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
) -> Result<Vec<StorageChoice>, AppError> {
    let client = crate::connections::client(ctx, connection_id).await?;
    let content = match kind {
        GuestType::Qemu => "images",
        GuestType::Lxc => "rootdir",
    };
    let answer = client
        .get(&format!(
            "/nodes/{}/storage?content={content}&enabled=1",
            percent_encode(node)
        ))
        .await?;
    let mut out: Vec<StorageChoice> = answer
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["active"].as_u64().unwrap_or(1) == 1)
        .filter_map(|s| {
            Some(StorageChoice {
                storage: s["storage"].as_str()?.to_owned(),
                kind: s["type"].as_str().unwrap_or_default().to_owned(),
                shared: s["shared"].as_u64() == Some(1),
                avail: s["avail"].as_f64(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.storage.cmp(&b.storage));
    Ok(out)
}

/// Whether `vmid` is free now (`/cluster/nextid?vmid=`): `Ok(())`, or an `Invalid` error on
/// the `newid` field.
pub async fn check_vmid(ctx: &Ctx, connection_id: &str, vmid: u32) -> Result<(), AppError> {
    let client = crate::connections::client(ctx, connection_id).await?;
    match client.get(&format!("/cluster/nextid?vmid={vmid}")).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = AppError::from(e);
            if e.code == ErrorCode::Invalid {
                Err(taken(vmid, &e.message))
            } else {
                Err(e)
            }
        }
    }
}

fn taken(vmid: u32, why: &str) -> AppError {
    let message = format!(
        "VMID {vmid} is taken ({}); choose another one, the next free one is proposed when the form opens",
        why.trim().trim_end_matches('.')
    );
    AppError::fields(message.clone(), [("newid".to_owned(), message)].into())
}

fn vmid_of(v: &Value) -> Option<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// Clones the guest; the new guest appears in the inventory when the task ends.
pub async fn clone(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    input: CloneInput,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    if let Some(pool) = &guest.conn.pool
        && input.pool.as_deref() != Some(pool.as_str())
    {
        let message = format!(
            "connection {} is bound to pool {pool}: a clone must go into that pool too, or it would be out of this connection's reach",
            guest.conn.name
        );
        return Err(AppError::fields(
            message.clone(),
            [("pool".to_owned(), message)].into(),
        ));
    }
    if !input.full && input.storage.is_some() {
        let message = "a linked clone stays on the template's storage; choose a full clone to pick another storage".to_owned();
        return Err(AppError::fields(
            message.clone(),
            [("storage".to_owned(), message)].into(),
        ));
    }
    let mut form = vec![
        ("newid".to_owned(), input.newid.to_string()),
        (
            "full".to_owned(),
            if input.full { "1" } else { "0" }.to_owned(),
        ),
    ];
    let name_key = match kind {
        GuestType::Qemu => "name",
        GuestType::Lxc => "hostname",
    };
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            form.push((k.to_owned(), v.to_owned()));
        }
    };
    push(name_key, &input.name);
    push("description", &input.description);
    push("target", &input.target.clone().filter(|t| t != node));
    push("storage", &input.storage);
    push("pool", &input.pool);
    let details = serde_json::json!({
        "newid": input.newid,
        "full": input.full,
        "target": input.target,
        "storage": input.storage,
        "pool": input.pool,
    });
    guest
        .start_task(
            ctx,
            Call::post(guest.path("/clone"), form),
            "guest.clone",
            details,
        )
        .await
        .map_err(|e| {
            let m = e.message.to_lowercase();
            if m.contains("already exists") && m.contains(&input.newid.to_string()) {
                return taken(input.newid, &e.message);
            }
            if e.fields.contains_key(name_key) && name_key != "name" {
                // PVE names a container's name `hostname`; the form calls it name.
                let mut e = e;
                if let Some(v) = e.fields.remove(name_key) {
                    e.fields.insert("name".to_owned(), v);
                }
                return e;
            }
            super::explain(e, "be cloned", vmid)
        })
}
