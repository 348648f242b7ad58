//! Guest snapshots (`/nodes/{node}/qemu|lxc/{vmid}/snapshot`): the list with PVE's virtual
//! `current` entry, and create, delete and rollback as the tasks PVE runs, each holding its
//! config lock (`snapshot`, `snapshot-delete`, `rollback`) until it ends.

use std::sync::Arc;

use axum::http::Method;
use serde_json::{Value, json};

use super::config::{
    config_json, current_config, digest, find_guest, kind_of, lock_error, materialize, noun,
    sync_scenario,
};
use super::lifecycle::worker;
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Denied, Permission};
use crate::scenario::{GuestKind, GuestStatus, Snapshot};
use crate::state::ClusterState;

pub fn routes(r: &mut Vec<Route>) {
    let vm = |privs: &[&str]| Permission::Check(Check::perm("/vms/{vmid}", privs));
    let base = || vec![req("node", Kind::Node), req("vmid", Kind::VmId)];
    let named = || {
        vec![
            req("node", Kind::Node),
            req("snapname", Kind::Format("pve-configid")),
            req("vmid", Kind::VmId),
        ]
    };
    for kind in ["qemu", "lxc"] {
        let p = |suffix: &str| -> &'static str {
            Box::leak(format!("/nodes/{{node}}/{kind}/{{vmid}}/snapshot{suffix}").into_boxed_str())
        };
        r.push(Route {
            method: Method::GET,
            path: p(""),
            permission: vm(&["VM.Audit"]),
            allow_token: true,
            params: base(),
            handler: list,
        });
        let mut create = vec![
            opt("description", Kind::String),
            req("node", Kind::Node),
            req("snapname", Kind::Format("pve-configid")),
            req("vmid", Kind::VmId),
        ];
        if kind == "qemu" {
            create.push(opt("vmstate", Kind::Boolean));
        }
        r.push(Route {
            method: Method::POST,
            path: p(""),
            permission: vm(&["VM.Snapshot"]),
            allow_token: true,
            params: create,
            handler: create_snapshot,
        });
        r.push(Route {
            method: Method::GET,
            path: p("/{snapname}"),
            permission: Permission::AllUsers,
            allow_token: true,
            params: named(),
            handler: index,
        });
        let mut delete = named();
        delete.insert(0, opt("force", Kind::Boolean));
        r.push(Route {
            method: Method::DELETE,
            path: p("/{snapname}"),
            permission: vm(&["VM.Snapshot"]),
            allow_token: true,
            params: delete,
            handler: delete_snapshot,
        });
        r.push(Route {
            method: Method::GET,
            path: p("/{snapname}/config"),
            permission: Permission::Check(
                Check::perm(
                    "/vms/{vmid}",
                    &["VM.Snapshot", "VM.Snapshot.Rollback", "VM.Audit"],
                )
                .any(),
            ),
            allow_token: true,
            params: named(),
            handler: get_snapshot_config,
        });
        let mut update = named();
        update.insert(0, opt("description", Kind::String));
        r.push(Route {
            method: Method::PUT,
            path: p("/{snapname}/config"),
            permission: vm(&["VM.Snapshot"]),
            allow_token: true,
            params: update,
            handler: update_snapshot_config,
        });
        let mut rollback_params = named();
        rollback_params.insert(2, opt("start", Kind::Boolean));
        r.push(Route {
            method: Method::POST,
            path: p("/{snapname}/rollback"),
            permission: Permission::Check(
                Check::perm("/vms/{vmid}", &["VM.Snapshot", "VM.Snapshot.Rollback"]).any(),
            ),
            allow_token: true,
            params: rollback_params,
            handler: rollback,
        });
    }
}

/// The config's `parent`: the snapshot the current state descends from.
fn current_parent(state: &ClusterState, vmid: u32) -> Option<String> {
    let g = state.guests.get(&vmid)?;
    current_config(state, g).get("parent").cloned()
}

fn set_parent(state: &mut ClusterState, vmid: u32, parent: Option<String>) {
    materialize(state, vmid);
    if let Some(g) = state.guests.get_mut(&vmid) {
        match parent {
            Some(p) => g.spec.config.insert("parent".into(), p),
            // Kept as an empty value so the scenario's implied parent does not come back.
            None => g.spec.config.insert("parent".into(), String::new()),
        };
    }
}

fn list(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    let mut out: Vec<Value> = g
        .spec
        .snapshots
        .iter()
        .map(|s| {
            let mut item = json!({
                "name": s.name,
                "snaptime": s.snaptime,
                "description": s.description,
            });
            if kind == GuestKind::Qemu {
                item["vmstate"] = json!(u8::from(s.vmstate));
            }
            if let Some(p) = &s.parent {
                item["parent"] = json!(p);
            }
            item
        })
        .collect();
    // PVE adds the current state as a pseudo snapshot; its `digest` and `running` are left
    // out because the schema does not document them.
    let mut current = json!({ "name": "current", "description": "You are here!" });
    if let Some(p) = current_parent(&state, vmid) {
        current["parent"] = json!(p);
    }
    out.push(current);
    Ok(Value::Array(out))
}

fn index(call: &Call<'_>) -> Result<Value, ApiError> {
    Ok(json!([{ "cmd": "rollback" }, { "cmd": "config" }]))
        .and_then(|v| call.params.vmid().map(|_| v))
}

fn task_name(kind: GuestKind, action: &str) -> String {
    match kind {
        GuestKind::Qemu => format!("qm{action}"),
        GuestKind::Lxc => format!("vz{action}"),
    }
}

fn create_snapshot(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let snapname = call.params.str("snapname")?.to_owned();
    let description = call
        .params
        .get("description")
        .unwrap_or_default()
        .to_owned();
    let want_vmstate = call.params.flag("vmstate");
    if snapname == "current" {
        return Err(ApiError::failed(
            "unable to use snapshot name 'current' (reserved name)",
        ));
    }
    if kind == GuestKind::Qemu && snapname.eq_ignore_ascii_case("pending") {
        return Err(ApiError::failed(
            "unable to use snapshot name 'pending' (reserved name)",
        ));
    }
    if kind == GuestKind::Lxc && snapname == "vzdump" {
        return Err(ApiError::failed(
            "unable to use snapshot name 'vzdump' (reserved name)",
        ));
    }
    // snapshot_create's prepare step runs first thing in the worker.
    let (precheck, vmstate) = {
        let state = call.sim.state();
        let g = find_guest(&state, kind, &node, vmid)?;
        let precheck = if g.spec.template {
            Err("you can't take a snapshot if it's a template".to_owned())
        } else if let Some(e) = lock_error(g) {
            Err(e)
        } else if g.spec.snapshots.iter().any(|s| s.name == snapname) {
            Err(format!("snapshot name '{snapname}' already used"))
        } else {
            Ok(())
        };
        (precheck, want_vmstate && g.running())
    };
    let sim = Arc::clone(call.sim);
    let now = call.now;
    let log = vec![format!("snapshotting '{snapname}'")];
    let name = snapname.clone();
    let upid = worker(
        call,
        &node,
        &task_name(kind, "snapshot"),
        &vmid.to_string(),
        log,
        precheck,
        |state| {
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.lock = Some("snapshot".into());
            }
        },
        move |state| {
            let parent = current_parent(state, vmid);
            set_parent(state, vmid, Some(name.clone()));
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("snapshot '{name}' failed: guest vanished"))?;
            g.spec.snapshots.push(Snapshot {
                name,
                description,
                parent,
                snaptime: now,
                vmstate,
            });
            g.spec.lock = None;
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(json!(upid))
}

fn delete_snapshot(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let snapname = call.params.str("snapname")?.to_owned();
    let force = call.params.flag("force");
    let precheck = {
        let state = call.sim.state();
        let g = find_guest(&state, kind, &node, vmid)?;
        if !g.spec.snapshots.iter().any(|s| s.name == snapname) {
            Err(format!("snapshot '{snapname}' does not exist"))
        } else if g.spec.template {
            Err("you can't delete a snapshot if vm is a template".to_owned())
        } else if let Some(e) = lock_error(g).filter(|_| !force) {
            Err(e)
        } else {
            Ok(())
        }
    };
    let sim = Arc::clone(call.sim);
    let name = snapname.clone();
    let upid = worker(
        call,
        &node,
        &task_name(kind, "delsnapshot"),
        &vmid.to_string(),
        Vec::new(),
        precheck,
        |state| {
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.lock = Some("snapshot-delete".into());
            }
        },
        move |state| {
            let current = current_parent(state, vmid);
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("snapshot '{name}' does not exist"))?;
            let pos = g
                .spec
                .snapshots
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| format!("snapshot '{name}' does not exist"))?;
            let removed = g.spec.snapshots.remove(pos);
            // Children (and the current state) move up to the deleted snapshot's parent.
            for s in &mut g.spec.snapshots {
                if s.parent.as_deref() == Some(name.as_str()) {
                    s.parent = removed.parent.clone();
                }
            }
            g.spec.lock = None;
            if current.as_deref() == Some(name.as_str()) {
                set_parent(state, vmid, removed.parent);
            } else {
                set_parent(state, vmid, current);
            }
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(json!(upid))
}

fn get_snapshot_config(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let snapname = call.params.str("snapname")?;
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    let snap = g
        .spec
        .snapshots
        .iter()
        .find(|s| s.name == snapname)
        .ok_or_else(|| ApiError::failed(format!("snapshot '{snapname}' does not exist")))?;
    // The simulator keeps one config per guest, so a snapshot shows the current keys with
    // its own snapshot metadata.
    let mut c = current_config(&state, g);
    c.remove("lock");
    c.remove("parent");
    c.remove("description");
    if let Some(p) = &snap.parent {
        c.insert("parent".into(), p.clone());
    }
    if !snap.description.is_empty() {
        c.insert("description".into(), snap.description.clone());
    }
    let mut out = config_json(kind, &c);
    out.insert("snaptime".into(), json!(snap.snaptime));
    if snap.vmstate {
        out.insert("vmstate".into(), json!(1));
    }
    let _ = digest;
    Ok(Value::Object(out))
}

fn update_snapshot_config(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let snapname = call.params.str("snapname")?;
    let Some(description) = call.params.get("description") else {
        return Ok(Value::Null);
    };
    let mut state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    if let Some(e) = lock_error(g) {
        return Err(ApiError::failed(e));
    }
    let g = state.guests.get_mut(&vmid).expect("found above");
    let snap = g
        .spec
        .snapshots
        .iter_mut()
        .find(|s| s.name == snapname)
        .ok_or_else(|| ApiError::failed(format!("snapshot '{snapname}' does not exist")))?;
    snap.description = description.to_owned();
    sync_scenario(call.sim, &mut state, vmid);
    Ok(Value::Null)
}

fn rollback(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let snapname = call.params.str("snapname")?.to_owned();
    let start = call.params.flag("start");
    // The worker starts the guest itself, past vm_start's own permission check.
    if kind == GuestKind::Qemu
        && start
        && !call.can(&format!("/vms/{vmid}"), &["VM.PowerMgmt"], false)
    {
        return Err(Denied::new(format!("/vms/{vmid}"), &["VM.PowerMgmt"]).into());
    }
    let (precheck, with_ram) = {
        let state = call.sim.state();
        let g = find_guest(&state, kind, &node, vmid)?;
        let snap = g.spec.snapshots.iter().find(|s| s.name == snapname);
        let precheck = if g.spec.template {
            Err("you can't rollback if vm is a template".to_owned())
        } else if snap.is_none() {
            Err(format!("snapshot '{snapname}' does not exist"))
        } else if let Some(e) = lock_error(g) {
            Err(e)
        } else {
            Ok(())
        };
        (
            precheck,
            kind == GuestKind::Qemu && snap.is_some_and(|s| s.vmstate),
        )
    };
    let sim = Arc::clone(call.sim);
    let name = snapname.clone();
    let n = noun(kind);
    let upid = worker(
        call,
        &node,
        &task_name(kind, "rollback"),
        &vmid.to_string(),
        Vec::new(),
        precheck,
        |state| {
            // A running guest is stopped before its volumes roll back.
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.status = GuestStatus::Stopped;
                g.started_at = None;
                g.spec.lock = Some("rollback".into());
            }
        },
        move |state| {
            set_parent(state, vmid, Some(name));
            let now = sim.now();
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("{n} {vmid} vanished"))?;
            g.spec.lock = None;
            // A snapshot with RAM resumes where it was taken; `start` boots it.
            if with_ram || start {
                g.spec.status = GuestStatus::Running;
                g.started_at = Some(now);
            }
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(json!(upid))
}
