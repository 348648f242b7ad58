//! Guest lifecycle: clone, destroy, migrate and convert to template, for QEMU and LXC.
//! Each runs as the task PVE forks (qmclone, vzdestroy, qmigrate, ...) and holds the config
//! lock PVE holds while it runs, so clients see the same intermediate states: a clone that
//! exists but is locked, a guest locked `migrate` that has not moved yet.

use std::sync::Arc;

use axum::http::Method;
use serde_json::{Value, json};

use super::config::{
    apply_pending, check_skiplock, config_file, current_config, find_guest, kind_of, lock_error,
    mac_for, materialize, noun, sync_scenario, task_user,
};
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Permission};
use crate::scenario::{GuestKind, GuestStatus};
use crate::state::{ClusterState, GuestState};

const DRIVE_KEYS: &[&str] = &["ide", "scsi", "sata", "virtio", "efidisk", "tpmstate"];

pub fn routes(r: &mut Vec<Route>) {
    let clone_perm = || {
        Permission::Check(Check::and(vec![
            Check::perm("/vms/{vmid}", &["VM.Clone"]),
            Check::or(vec![
                Check::perm("/vms/{newid}", &["VM.Allocate"]),
                Check::perm("/pool/{pool}", &["VM.Allocate"]).require_param("pool"),
            ]),
        ]))
    };
    let vm = |privs: &[&str]| Permission::Check(Check::perm("/vms/{vmid}", privs));
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/qemu/{vmid}/clone",
        permission: clone_perm(),
        allow_token: true,
        params: vec![
            opt(
                "bwlimit",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            opt("description", Kind::String),
            opt("format", Kind::Enum(&["raw", "qcow2", "vmdk"])),
            opt("full", Kind::Boolean),
            opt("name", Kind::Format("dns-name")),
            req("newid", Kind::VmId),
            req("node", Kind::Node),
            opt("pool", Kind::PoolId),
            opt("snapname", Kind::Format("pve-configid")),
            opt("storage", Kind::Format("pve-storage-id")),
            opt("target", Kind::Node),
            req("vmid", Kind::VmId),
        ],
        handler: clone,
    });
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/lxc/{vmid}/clone",
        permission: clone_perm(),
        allow_token: true,
        params: vec![
            opt(
                "bwlimit",
                Kind::Number {
                    min: Some(0.0),
                    max: None,
                },
            ),
            opt("description", Kind::String),
            opt("full", Kind::Boolean),
            opt("hostname", Kind::Format("dns-name")),
            req("newid", Kind::VmId),
            req("node", Kind::Node),
            opt("pool", Kind::PoolId),
            opt("snapname", Kind::Format("pve-configid")),
            opt("storage", Kind::Format("pve-storage-id")),
            opt("target", Kind::Node),
            req("vmid", Kind::VmId),
        ],
        handler: clone,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/nodes/{node}/qemu/{vmid}",
        permission: vm(&["VM.Allocate"]),
        allow_token: true,
        params: vec![
            opt("destroy-unreferenced-disks", Kind::Boolean),
            req("node", Kind::Node),
            opt("purge", Kind::Boolean),
            opt("skiplock", Kind::Boolean),
            req("vmid", Kind::VmId),
        ],
        handler: destroy,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/nodes/{node}/lxc/{vmid}",
        permission: vm(&["VM.Allocate"]),
        allow_token: true,
        params: vec![
            opt("destroy-unreferenced-disks", Kind::Boolean),
            opt("force", Kind::Boolean),
            req("node", Kind::Node),
            opt("purge", Kind::Boolean),
            req("vmid", Kind::VmId),
        ],
        handler: destroy,
    });
    for path in [
        "/nodes/{node}/qemu/{vmid}/migrate",
        "/nodes/{node}/lxc/{vmid}/migrate",
    ] {
        r.push(Route {
            method: Method::GET,
            path,
            permission: vm(&["VM.Migrate"]),
            allow_token: true,
            params: vec![
                req("node", Kind::Node),
                opt("target", Kind::Node),
                req("vmid", Kind::VmId),
            ],
            handler: migrate_precondition,
        });
    }
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/qemu/{vmid}/migrate",
        permission: vm(&["VM.Migrate"]),
        allow_token: true,
        params: vec![
            opt(
                "bwlimit",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            opt("force", Kind::Boolean),
            opt("migration_network", Kind::Format("CIDR")),
            opt("migration_type", Kind::Enum(&["secure", "insecure"])),
            req("node", Kind::Node),
            opt("online", Kind::Boolean),
            req("target", Kind::Node),
            opt("targetstorage", Kind::Format("storage-pair-list")),
            req("vmid", Kind::VmId),
            opt("with-conntrack-state", Kind::Boolean),
            opt("with-local-disks", Kind::Boolean),
        ],
        handler: migrate,
    });
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/lxc/{vmid}/migrate",
        permission: vm(&["VM.Migrate"]),
        allow_token: true,
        params: vec![
            opt(
                "bwlimit",
                Kind::Number {
                    min: Some(0.0),
                    max: None,
                },
            ),
            req("node", Kind::Node),
            opt("online", Kind::Boolean),
            opt("restart", Kind::Boolean),
            req("target", Kind::Node),
            opt("target-storage", Kind::Format("storage-pair-list")),
            opt(
                "timeout",
                Kind::Integer {
                    min: None,
                    max: None,
                },
            ),
            req("vmid", Kind::VmId),
        ],
        handler: migrate,
    });
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/qemu/{vmid}/template",
        permission: vm(&["VM.Allocate"]),
        allow_token: true,
        params: vec![
            opt("disk", Kind::Enum(QEMU_TEMPLATE_DISKS)),
            req("node", Kind::Node),
            req("vmid", Kind::VmId),
        ],
        handler: template,
    });
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/lxc/{vmid}/template",
        permission: vm(&["VM.Allocate"]),
        allow_token: true,
        params: vec![req("node", Kind::Node), req("vmid", Kind::VmId)],
        handler: template,
    });
}

// The schema's enum for the template route's `disk` (qemu-server's valid drive names).
pub(super) const QEMU_TEMPLATE_DISKS: &[&str] = &[
    "ide0",
    "ide1",
    "ide2",
    "ide3",
    "scsi0",
    "scsi1",
    "scsi2",
    "scsi3",
    "scsi4",
    "scsi5",
    "scsi6",
    "scsi7",
    "scsi8",
    "scsi9",
    "scsi10",
    "scsi11",
    "scsi12",
    "scsi13",
    "scsi14",
    "scsi15",
    "scsi16",
    "scsi17",
    "scsi18",
    "scsi19",
    "scsi20",
    "scsi21",
    "scsi22",
    "scsi23",
    "scsi24",
    "scsi25",
    "scsi26",
    "scsi27",
    "scsi28",
    "scsi29",
    "scsi30",
    "virtio0",
    "virtio1",
    "virtio2",
    "virtio3",
    "virtio4",
    "virtio5",
    "virtio6",
    "virtio7",
    "virtio8",
    "virtio9",
    "virtio10",
    "virtio11",
    "virtio12",
    "virtio13",
    "virtio14",
    "virtio15",
    "sata0",
    "sata1",
    "sata2",
    "sata3",
    "sata4",
    "sata5",
    "efidisk0",
    "tpmstate0",
];

/// Starts a task whose checks PVE makes inside the worker: when `precheck` fails the task
/// fails with that text and nothing changes; otherwise `begin` runs now (the worker's first
/// step, e.g. taking the config lock) and `end` when the task finishes.
#[allow(clippy::too_many_arguments)]
pub(super) fn worker<B, E>(
    call: &Call<'_>,
    node: &str,
    kind: &str,
    id: &str,
    log: Vec<String>,
    precheck: Result<(), String>,
    begin: B,
    end: E,
) -> String
where
    B: FnOnce(&mut ClusterState),
    E: FnOnce(&mut ClusterState) -> Result<(), String> + Send + 'static,
{
    let user = task_user(call);
    match precheck {
        Err(msg) => call
            .sim
            .spawn_task(node, kind, id, &user, log, move |_| Err(msg)),
        Ok(()) => {
            begin(&mut call.sim.state());
            call.sim.spawn_task(node, kind, id, &user, log, end)
        }
    }
}

/// PVE's `check_node_exists`.
fn cluster_node(state: &ClusterState, name: &str) -> Result<(), ApiError> {
    state
        .node(name)
        .map(|_| ())
        .ok_or_else(|| ApiError::failed(format!("no such cluster node '{name}'")))
}

/// The storages of a guest's volumes (disks and mount points, not CD-ROMs or ISOs).
fn volume_storages(state: &ClusterState, g: &GuestState) -> Vec<(String, String)> {
    current_config(state, g)
        .into_iter()
        .filter(|(k, v)| {
            let base = k.trim_end_matches(|c: char| c.is_ascii_digit());
            let is_volume_key = match g.spec.kind {
                GuestKind::Qemu => DRIVE_KEYS.contains(&base) && base.len() < k.len(),
                GuestKind::Lxc => k == "rootfs" || (base == "mp" && base.len() < k.len()),
            };
            is_volume_key && !v.contains("media=cdrom") && v.contains(':')
        })
        .filter_map(|(k, v)| {
            let volid = v.split(',').next()?;
            let sid = volid.split(':').next()?;
            (!volid.starts_with('/')).then(|| (sid.to_owned(), k))
        })
        .collect()
}

fn storage_shared(state: &ClusterState, sid: &str) -> bool {
    state.spec.storage(sid).is_some_and(|s| s.is_shared())
}

/// The clone's volume for one of the source's: linked clones reference the template's base
/// volume, full clones get their own.
fn cloned_volume(value: &str, vmid: u32, newid: u32, full: bool) -> String {
    let (volid, opts) = value.split_once(',').unwrap_or((value, ""));
    let Some((sid, name)) = volid.split_once(':') else {
        return value.to_owned();
    };
    let own = name
        .replace(&format!("base-{vmid}-"), &format!("vm-{newid}-"))
        .replace(&format!("vm-{vmid}-"), &format!("vm-{newid}-"))
        .replace(&format!("subvol-{vmid}-"), &format!("subvol-{newid}-"));
    let own = own.rsplit('/').next().unwrap_or(&own).to_owned();
    let new_volid = if full {
        format!("{sid}:{own}")
    } else {
        format!("{sid}:{}/{own}", name.split('/').next().unwrap_or(name))
    };
    if opts.is_empty() {
        new_volid
    } else {
        format!("{new_volid},{opts}")
    }
}

fn clone(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let newid: u32 = call.params.str("newid")?.parse().map_err(|_| {
        ApiError::param(
            "newid",
            "invalid format - value does not look like a valid VM ID",
        )
    })?;
    let pool = call.params.get("pool").map(str::to_owned);
    let snapname = call.params.get("snapname").map(str::to_owned);
    let storage = call.params.get("storage").map(str::to_owned);
    let target = call
        .params
        .get("target")
        .filter(|t| *t != node && *t != "localhost")
        .map(str::to_owned);

    let mut state = call.sim.state();
    if let Some(p) = &pool
        && !state.spec.pools.iter().any(|x| &x.id == p)
    {
        return Err(ApiError::failed(format!("pool '{p}' does not exist")));
    }
    if let Some(t) = &target {
        cluster_node(&state, t)?;
    }
    if let Some(sid) = &storage {
        let s = state
            .spec
            .storage(sid)
            .filter(|s| s.available_on(&node))
            .ok_or_else(|| ApiError::failed(format!("storage '{sid}' does not exist")))?;
        let content = if kind == GuestKind::Qemu {
            "images"
        } else {
            "rootdir"
        };
        if kind == GuestKind::Qemu && !s.content.iter().any(|c| c == content) {
            return Err(ApiError::param(
                "storage",
                format!("storage '{sid}' does not support vm images"),
            ));
        }
        if target.is_some() && !s.is_shared() {
            return Err(ApiError::failed(format!(
                "can't clone to non-shared storage '{sid}'"
            )));
        }
    }
    let src = find_guest(&state, kind, &node, vmid)?;
    if let Some(e) = lock_error(src) {
        return Err(ApiError::failed(e));
    }
    if let Some(s) = &snapname
        && !src.spec.snapshots.iter().any(|x| &x.name == s)
    {
        return Err(ApiError::failed(format!("snapshot '{s}' does not exist")));
    }
    let full = match call.params.get("full") {
        Some(_) => call.params.flag("full"),
        None => !src.spec.template,
    };
    if storage.is_some() && !full {
        return Err(ApiError::failed(
            "parameter 'storage' not allowed for linked clones",
        ));
    }
    if call.params.get("format").is_some() && !full {
        return Err(ApiError::failed(
            "parameter 'format' not allowed for linked clones",
        ));
    }
    if kind == GuestKind::Lxc && full && src.running() && snapname.is_none() {
        return Err(ApiError::failed(
            "Full clone of a running container is only possible from a snapshot",
        ));
    }
    let local = volume_storages(&state, src)
        .iter()
        .any(|(sid, _)| !storage_shared(&state, storage.as_deref().unwrap_or(sid)));
    if let Some(t) = &target
        && local
    {
        return Err(ApiError::failed(format!(
            "can't clone {} to node '{t}' ({} uses local storage)",
            noun(kind),
            noun(kind)
        )));
    }
    if let Some(existing) = state.guests.get(&newid) {
        return Err(ApiError::failed(match kind {
            GuestKind::Qemu => format!("unable to create VM {newid}: config file already exists"),
            GuestKind::Lxc => format!("CT {newid} already exists on node '{}'", existing.spec.node),
        }));
    }

    // The new config as PVE writes it before copying disks: new MACs, own volumes, no
    // snapshot state, locked until the task ends.
    let mut spec = src.spec.clone();
    let mut config = current_config(&state, src);
    // Keys the scenario keeps in typed fields come back from the cloned spec; snapshot
    // state and unused volumes are not copied (qemu-server skips them too).
    for k in [
        "name",
        "hostname",
        "cores",
        "memory",
        "tags",
        "template",
        "lock",
        "parent",
        "snaptime",
        "vmstate",
        "ciuser",
        "ipconfig0",
        "nameserver",
        "searchdomain",
        "sshkeys",
    ] {
        config.remove(k);
    }
    config.retain(|k, _| !k.starts_with("unused"));
    let volume_keys: Vec<String> = volume_storages(&state, src)
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    let is_mac = |m: &str| m.len() == 17 && m.matches(':').count() == 5;
    for (k, v) in config.iter_mut() {
        let net_index = k
            .strip_prefix("net")
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if let Some(index) = net_index {
            // Always a new MAC address, as PVE does.
            let salt = index.parse::<u8>().unwrap_or(0).wrapping_add(1);
            *v = v
                .split(',')
                .map(|part| match part.split_once('=') {
                    Some((key, mac)) if is_mac(mac) => format!("{key}={}", mac_for(newid, salt)),
                    _ => part.to_owned(),
                })
                .collect::<Vec<_>>()
                .join(",");
        } else if volume_keys.contains(k) {
            *v = cloned_volume(v, vmid, newid, full);
        } else if v.contains(&format!("vm-{vmid}-cloudinit")) {
            *v = v.replace(
                &format!("vm-{vmid}-cloudinit"),
                &format!("vm-{newid}-cloudinit"),
            );
        } else if k == "smbios1" {
            *v = format!(
                "uuid=5e1d{:04x}-0000-4000-8000-{:012x}",
                newid & 0xffff,
                newid
            );
        }
    }
    if let Some(d) = call.params.get("description").filter(|d| !d.is_empty()) {
        config.insert("description".into(), d.to_owned());
    }
    spec.vmid = newid;
    spec.config = config;
    // The clone is made from the current config; pending changes stay with the source.
    spec.pending.clear();
    spec.pending_delete.clear();
    spec.template = false;
    spec.snapshots.clear();
    spec.status = GuestStatus::Stopped;
    spec.pool = None;
    spec.agent_interfaces.clear();
    spec.lock = Some(match kind {
        GuestKind::Qemu => "clone".into(),
        GuestKind::Lxc => "create".into(),
    });
    match kind {
        GuestKind::Qemu => {
            spec.name = call
                .params
                .get("name")
                .map(str::to_owned)
                .unwrap_or_else(|| format!("Copy-of-VM-{}", src.spec.name));
        }
        GuestKind::Lxc => {
            if let Some(h) = call.params.get("hostname") {
                spec.name = h.to_owned();
            }
        }
    }
    state.guests.insert(
        newid,
        GuestState {
            spec,
            started_at: None,
        },
    );
    if kind == GuestKind::Lxc
        && let Some(g) = state.guests.get_mut(&vmid)
    {
        // pve-container holds a 'disk' lock on the source for the whole copy.
        g.spec.lock = Some("disk".into());
        sync_scenario(call.sim, &mut state, vmid);
    }
    sync_scenario(call.sim, &mut state, newid);
    drop(state);

    let (task, what) = match kind {
        GuestKind::Qemu => ("qmclone", "VM"),
        GuestKind::Lxc => ("vzclone", "container"),
    };
    let sim = Arc::clone(call.sim);
    let log = vec![format!("creating a clone of {what} {vmid} with ID {newid}")];
    let upid = call.sim.spawn_task(
        &node,
        task,
        &vmid.to_string(),
        &task_user(call),
        log,
        move |state| {
            if kind == GuestKind::Lxc
                && let Some(src) = state.guests.get_mut(&vmid)
                && src.spec.lock.as_deref() == Some("disk")
            {
                src.spec.lock = None;
                sync_scenario(&sim, state, vmid);
            }
            let g = state
                .guests
                .get_mut(&newid)
                .ok_or_else(|| format!("clone failed: {} {newid} vanished", noun(kind)))?;
            g.spec.lock = None;
            if let Some(p) = pool {
                g.spec.pool = Some(p);
            }
            if let Some(t) = target {
                g.spec.node = t;
            }
            sync_scenario(&sim, state, newid);
            Ok(())
        },
    );
    Ok(json!(upid))
}

fn destroy(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let skiplock = if kind == GuestKind::Qemu {
        check_skiplock(call)?
    } else {
        false
    };
    let purge = call.params.flag("purge");
    let force = call.params.flag("force");
    let n = noun(kind);
    let sid = format!("{}:{vmid}", kind.ha_prefix());
    let precheck = {
        let state = call.sim.state();
        let g = find_guest(&state, kind, &node, vmid)?;
        let protected = current_config(&state, g)
            .get("protection")
            .is_some_and(|p| p == "1");
        if protected {
            return Err(ApiError::failed(format!(
                "can't remove {n} {vmid} - protection mode enabled"
            )));
        }
        if kind == GuestKind::Lxc
            && let Some(e) = lock_error(g)
        {
            return Err(ApiError::failed(e));
        }
        let ha_managed = state.spec.ha.iter().any(|h| h.sid == sid);
        if !purge && ha_managed {
            return Err(ApiError::failed(format!(
                "unable to remove {n} {vmid} - used in HA resources and purge parameter not set."
            )));
        }
        if g.running() {
            match kind {
                GuestKind::Qemu => {
                    return Err(ApiError::failed(format!(
                        "VM {vmid} is running - destroy failed"
                    )));
                }
                GuestKind::Lxc if !force => {
                    return Err(ApiError::failed(format!(
                        "unable to destroy CT {vmid} - container is running"
                    )));
                }
                GuestKind::Lxc => {}
            }
        }
        // qemu-server checks the lock in the worker, so a locked VM gives a failed task.
        match lock_error(g) {
            Some(e) if kind == GuestKind::Qemu && !skiplock => Err(e),
            _ => Ok(()),
        }
    };
    let task = match kind {
        GuestKind::Qemu => "qmdestroy",
        GuestKind::Lxc => "vzdestroy",
    };
    let mut log = Vec::new();
    if force {
        log.push(format!("forced to stop CT {vmid} before destroying!"));
    }
    if purge {
        log.push(format!("purging {n} {vmid} from related configurations.."));
    }
    let sim = Arc::clone(call.sim);
    let upid = worker(
        call,
        &node,
        task,
        &vmid.to_string(),
        log,
        precheck,
        |state| {
            // destroy_vm replaces the config by one that only holds this lock while the
            // volumes go.
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.lock = Some("destroyed".into());
                g.spec.status = GuestStatus::Stopped;
                g.started_at = None;
            }
        },
        move |state| {
            state.guests.remove(&vmid);
            // remove_vm_access: ACL entries and pool membership go in any case.
            let path = format!("/vms/{vmid}");
            state.spec.acl.retain(|a| a.path != path);
            if purge {
                state.spec.ha.retain(|h| h.sid != sid);
            }
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(json!(upid))
}

fn migrate_precondition(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    if let Some(e) = lock_error(g) {
        return Err(ApiError::failed(e));
    }
    let running = u8::from(g.running());
    let others = state.spec.nodes.iter().filter(|n| n.name != node);
    if kind == GuestKind::Lxc {
        let allowed: Vec<&str> = others.map(|n| n.name.as_str()).collect();
        return Ok(json!({
            "running": running,
            "allowed-nodes": allowed,
            "not-allowed-nodes": {},
        }));
    }
    let volumes = volume_storages(&state, g);
    let config = current_config(&state, g);
    let mut allowed = Vec::new();
    let mut not_allowed = serde_json::Map::new();
    for n in others {
        let missing: Vec<&str> = volumes
            .iter()
            .map(|(sid, _)| sid.as_str())
            .filter(|sid| {
                state
                    .spec
                    .storage(sid)
                    .is_none_or(|s| !s.available_on(&n.name))
            })
            .collect();
        if missing.is_empty() {
            allowed.push(n.name.clone());
        } else {
            not_allowed.insert(n.name.clone(), json!({ "unavailable_storages": missing }));
        }
    }
    let local_disks: Vec<Value> = volumes
        .iter()
        .filter(|(sid, _)| !storage_shared(&state, sid))
        .map(|(_, key)| {
            let value = config.get(key).map(String::as_str).unwrap_or_default();
            json!({
                "volid": value.split(',').next().unwrap_or_default(),
                "size": g.spec.disk_gib << 30,
                "cdrom": 0,
                "is_unused": 0,
            })
        })
        .collect();
    let mut out = json!({
        "running": running,
        "allowed_nodes": allowed,
        "not_allowed_nodes": not_allowed,
        "local_disks": local_disks,
        "local_resources": [],
        "mapped-resources": [],
        "mapped-resource-info": {},
        "has-dbus-vmstate": 1,
    });
    if state.spec.ha.iter().any(|h| h.sid == g.spec.ha_sid()) {
        out["dependent-ha-resources"] = json!([]);
    }
    Ok(out)
}

fn migrate(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let target = call.params.str("target")?.to_owned();
    let is_root = call.userid() == "root@pam";
    if target == node {
        return Err(ApiError::param("target", "target is local node."));
    }
    if kind == GuestKind::Qemu {
        for p in ["force", "migration_type", "migration_network"] {
            if call.params.get(p).is_some_and(|v| v != "0") && !is_root {
                return Err(ApiError::param(p, "Only root may use this option."));
            }
        }
    }
    let online = call.params.flag("online");
    let restart = call.params.flag("restart");
    let (precheck, ha_managed, running) = {
        let state = call.sim.state();
        cluster_node(&state, &target)?;
        let g = find_guest(&state, kind, &node, vmid)?;
        let running = g.running();
        let lock = lock_error(g);
        if kind == GuestKind::Qemu {
            if let Some(e) = lock {
                return Err(ApiError::failed(e));
            }
            if running && !online {
                return Err(ApiError::failed(
                    "can't migrate running VM without --online",
                ));
            }
        } else if running && !online && !restart {
            return Err(ApiError::failed(
                "can't migrate running container without --online or --restart",
            ));
        }
        let target_online = state.node(&target).is_some_and(|n| n.online);
        // What the migration's prepare step finds (LXC checks its lock only there).
        let precheck = match lock {
            Some(e) => Err(e),
            None if kind == GuestKind::Lxc && running && online => {
                Err("lxc live migration is currently not implemented".into())
            }
            None if !target_online => {
                Err("Can't connect to destination address using public key".into())
            }
            None => Ok(()),
        };
        let ha_managed = state.spec.ha.iter().any(|h| h.sid == g.spec.ha_sid());
        (precheck, ha_managed, running)
    };
    let n = noun(kind);
    let sim = Arc::clone(call.sim);
    let move_guest = {
        let target = target.clone();
        move |state: &mut ClusterState| -> Result<(), String> {
            // The target went away while the migration ran: it aborts, the guest stays.
            if !state.node(&target).is_some_and(|n| n.online) {
                return Err(format!(
                    "migration aborted: lost connection to node '{target}' during the migration"
                ));
            }
            materialize(state, vmid);
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("{n} {vmid} vanished"))?;
            g.spec.node = target;
            g.spec.lock = None;
            sync_scenario(&sim, state, vmid);
            Ok(())
        }
    };
    if ha_managed {
        // The HA stack moves HA-managed guests; the API only asks it to.
        let log = vec![format!(
            "Requesting HA migration for {n} {vmid} to node {target}"
        )];
        let upid = worker(
            call,
            &node,
            "hamigrate",
            &vmid.to_string(),
            log,
            precheck,
            |_| {},
            move_guest,
        );
        return Ok(json!(upid));
    }
    let task = match kind {
        GuestKind::Qemu => "qmigrate",
        GuestKind::Lxc => "vzmigrate",
    };
    let mode = if running && online {
        "online"
    } else if running {
        "restart"
    } else {
        "offline"
    };
    let mut log = vec![format!(
        "starting migration of {n} {vmid} to node '{target}'"
    )];
    if precheck.is_err() {
        log.push(format!(
            "ERROR: {}",
            precheck.as_ref().err().cloned().unwrap_or_default()
        ));
        log.push("ERROR: migration aborted (duration 00:00:01)".into());
    } else {
        log.push(format!("{mode} migration"));
        log.push("migration finished successfully (duration 00:00:01)".into());
    }
    let precheck = precheck.map_err(|_| "migration aborted".to_owned());
    let restarting = kind == GuestKind::Lxc && running && restart;
    let sim_after = Arc::clone(call.sim);
    let upid = worker(
        call,
        &node,
        task,
        &vmid.to_string(),
        log,
        precheck,
        |state| {
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.lock = Some("migrate".into());
            }
        },
        move |state| {
            move_guest(state)?;
            if restarting && let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.status = GuestStatus::Running;
                // Started again on the target: a cold start applies pending changes.
                apply_pending(&sim_after, state, vmid);
            }
            Ok(())
        },
    );
    if restarting {
        // Restart mode stops the container on the source before moving it.
        let mut state = call.sim.state();
        if let Some(g) = state.guests.get_mut(&vmid)
            && g.spec.lock.as_deref() == Some("migrate")
        {
            g.spec.status = GuestStatus::Stopped;
            g.started_at = None;
        }
    }
    Ok(json!(upid))
}

fn template(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let disk = call.params.get("disk").map(str::to_owned);
    let check = |state: &ClusterState| -> Result<(), String> {
        let g = state
            .guests
            .get(&vmid)
            .filter(|g| g.spec.node == node && g.spec.kind == kind)
            .ok_or_else(|| {
                format!(
                    "Configuration file '{}' does not exist",
                    config_file(kind, &node, vmid)
                )
            })?;
        if let Some(e) = lock_error(g) {
            return Err(e);
        }
        if !g.spec.snapshots.is_empty() {
            return Err(format!(
                "unable to create template, because {} contains snapshots",
                noun(kind)
            ));
        }
        if g.spec.template && (kind == GuestKind::Lxc || disk.is_none()) {
            return Err("you can't convert a template to a template".into());
        }
        if g.running() {
            return Err(match kind {
                GuestKind::Qemu => "you can't convert a VM to template if VM is running".into(),
                GuestKind::Lxc => "you can't convert a CT to template if the CT is running".into(),
            });
        }
        Ok(())
    };
    check(&call.sim.state()).map_err(ApiError::failed)?;
    let sim = Arc::clone(call.sim);
    let task = match kind {
        GuestKind::Qemu => "qmtemplate",
        GuestKind::Lxc => "vztemplate",
    };
    let upid = worker(
        call,
        &node,
        task,
        &vmid.to_string(),
        Vec::new(),
        Ok(()),
        |_| {},
        move |state| {
            materialize(state, vmid);
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("{} {vmid} vanished", noun(kind)))?;
            g.spec.template = true;
            // template_create renames each disk to its base volume.
            for v in g.spec.config.values_mut() {
                *v = v
                    .replace(&format!(":vm-{vmid}-"), &format!(":base-{vmid}-"))
                    .replace(&format!(":subvol-{vmid}-"), &format!(":basevol-{vmid}-"));
            }
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(match kind {
        GuestKind::Qemu => json!(upid),
        // The LXC route returns null in the schema although it runs a worker.
        GuestKind::Lxc => Value::Null,
    })
}
