//! Guests (`/nodes/{node}/qemu` and `/lxc`): listing, current status and the power
//! actions, each a task that changes the guest when it finishes, refused as PVE refuses
//! them (locked, template, wrong state, wrong node).

use axum::http::Method;
use serde_json::{Value, json};

use super::cluster::load;
use std::sync::Arc;

use super::config::{apply_pending, find_guest, kind_of};
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Param, Route, opt, req};
use crate::perms::{Check, Permission};
use crate::scenario::{GuestKind, GuestStatus};
use crate::state::GuestState;

pub fn routes(r: &mut Vec<Route>) {
    for kind in ["qemu", "lxc"] {
        let (list_path, current_path, list_params) = match kind {
            "qemu" => (
                "/nodes/{node}/qemu",
                "/nodes/{node}/qemu/{vmid}/status/current",
                vec![opt("full", Kind::Boolean), req("node", Kind::Node)],
            ),
            _ => (
                "/nodes/{node}/lxc",
                "/nodes/{node}/lxc/{vmid}/status/current",
                vec![req("node", Kind::Node)],
            ),
        };
        r.push(Route {
            method: Method::GET,
            path: list_path,
            permission: Permission::AllUsers,
            allow_token: true,
            params: list_params,
            handler: list,
        });
        r.push(Route {
            method: Method::GET,
            path: current_path,
            permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
            allow_token: true,
            params: vec![req("node", Kind::Node), req("vmid", Kind::VmId)],
            handler: current,
        });
    }
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/lxc/{vmid}/interfaces",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
        allow_token: true,
        params: vec![req("node", Kind::Node), req("vmid", Kind::VmId)],
        handler: ct_interfaces,
    });
    // The power actions, with the schema's own parameters besides node and vmid.
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/start",
        vec![
            opt("force-cpu", Kind::String),
            opt("machine", Kind::String),
            opt("migratedfrom", Kind::Node),
            opt("migration_network", Kind::Format("CIDR")),
            opt("migration_type", Kind::Enum(&["secure", "insecure"])),
            opt("nets-host-mtu", Kind::Pattern(r"net\d+=\d+(,net\d+=\d+)*")),
            opt("skiplock", Kind::Boolean),
            opt("stateuri", Kind::String),
            opt("targetstorage", Kind::Format("storage-pair-list")),
            TIMEOUT,
            opt("with-conntrack-state", Kind::Boolean),
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/stop",
        vec![
            opt("keepActive", Kind::Boolean),
            opt("migratedfrom", Kind::Node),
            opt("overrule-shutdown", Kind::Boolean),
            opt("skiplock", Kind::Boolean),
            TIMEOUT,
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/reset",
        vec![opt("skiplock", Kind::Boolean)],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/shutdown",
        vec![
            opt("forceStop", Kind::Boolean),
            opt("keepActive", Kind::Boolean),
            opt("skiplock", Kind::Boolean),
            TIMEOUT,
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/reboot",
        vec![TIMEOUT],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/suspend",
        vec![
            opt("skiplock", Kind::Boolean),
            opt("statestorage", Kind::Format("pve-storage-id")),
            opt("todisk", Kind::Boolean),
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/qemu/{vmid}/status/resume",
        vec![
            opt("nocheck", Kind::Boolean),
            opt("skiplock", Kind::Boolean),
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/start",
        vec![opt("debug", Kind::Boolean), opt("skiplock", Kind::Boolean)],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/stop",
        vec![
            opt("overrule-shutdown", Kind::Boolean),
            opt("skiplock", Kind::Boolean),
        ],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/shutdown",
        vec![opt("forceStop", Kind::Boolean), TIMEOUT],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/suspend",
        vec![],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/resume",
        vec![],
    ));
    r.push(power_route(
        "/nodes/{node}/lxc/{vmid}/status/reboot",
        vec![TIMEOUT],
    ));
}

const TIMEOUT: Param = opt(
    "timeout",
    Kind::Integer {
        min: Some(0),
        max: None,
    },
);

/// A power action: POST, VM.PowerMgmt on the guest, tokens allowed, node and vmid in the
/// path; only the extra parameters differ.
fn power_route(path: &'static str, mut extra: Vec<Param>) -> Route {
    extra.push(req("node", Kind::Node));
    extra.push(req("vmid", Kind::VmId));
    Route {
        method: Method::POST,
        path,
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.PowerMgmt"])),
        allow_token: true,
        params: extra,
        handler: power,
    }
}

fn list(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let out = state
        .guests
        .values()
        .filter(|g| g.spec.node == node && g.spec.kind == kind)
        .filter(|g| call.can(&format!("/vms/{}", g.spec.vmid), &["VM.Audit"], false))
        .map(|g| status_json(g, call.now))
        .collect();
    Ok(Value::Array(out))
}

fn status_json(g: &GuestState, now: i64) -> Value {
    let mut v = super::cluster::guest_resource(g, true, None, now);
    let obj = v.as_object_mut().expect("an object");
    obj.remove("id");
    obj.remove("type");
    obj.remove("node");
    obj.remove("pool");
    if g.spec.kind == GuestKind::Qemu {
        // A VM's disk usage is unknown to PVE (0 in /cluster/resources); its own status
        // calls do not document the field at all.
        obj.remove("disk");
    }
    if let Some(cpus) = obj.remove("maxcpu") {
        obj.insert("cpus".into(), cpus);
    }
    if g.spec.kind == GuestKind::Qemu {
        let qmp = match g.spec.status {
            GuestStatus::Running => "running",
            GuestStatus::Paused => "paused",
            GuestStatus::Stopped => "stopped",
        };
        obj.insert("qmpstatus".into(), json!(qmp));
        if g.running() {
            obj.insert("pid".into(), json!(10_000 + g.spec.vmid));
            obj.insert("running-qemu".into(), json!("10.1.2"));
            obj.insert("running-machine".into(), json!("pc-i440fx-10.1+pve0"));
        }
    } else {
        obj.remove("qmpstatus");
    }
    v
}

fn current(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    let mut v = status_json(g, call.now);
    let sid = format!(
        "{}:{vmid}",
        if kind == GuestKind::Qemu { "vm" } else { "ct" }
    );
    v["ha"] = match state.spec.ha.iter().find(|h| h.sid == sid) {
        Some(h) => json!({ "managed": 1, "state": h.state }),
        None => json!({ "managed": 0 }),
    };
    if kind == GuestKind::Qemu {
        let agent = g
            .spec
            .config
            .get("agent")
            .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"));
        v["agent"] = json!(u8::from(agent));
        v["clipboard"] = Value::Null;
    }
    let _ = load;
    Ok(v)
}

/// A running container's interfaces as the host sees them (`PVE::LXC::get_interfaces`):
/// the first IPv4 and IPv6 address in `inet`/`inet6`, all of them in `ip-addresses`.
fn ct_interfaces(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let state = call.sim.state();
    let g = find_guest(&state, GuestKind::Lxc, &node, vmid)?;
    if !g.running() {
        return Err(ApiError::failed("container not running"));
    }
    let out = super::agent::reported_interfaces(&g.spec, None)
        .iter()
        .map(|i| {
            let mac = if i.mac.is_empty() {
                "00:00:00:00:00:00".to_owned()
            } else {
                i.mac.to_lowercase()
            };
            let addrs: Vec<Value> = i
                .ips
                .iter()
                .map(|cidr| {
                    let (ip, prefix) = cidr.split_once('/').unwrap_or((cidr, ""));
                    let v6 = ip.contains(':');
                    let prefix: u32 = prefix.parse().unwrap_or(if v6 { 128 } else { 32 });
                    json!({ "ip-address": ip, "ip-address-type": if v6 { "inet6" } else { "inet" }, "prefix": prefix })
                })
                .collect();
            let mut v = json!({ "name": i.name, "hwaddr": mac, "hardware-address": mac, "ip-addresses": addrs });
            if let Some(a) = i.ips.iter().find(|a| !a.contains(':')) {
                v["inet"] = json!(a);
            }
            if let Some(a) = i.ips.iter().find(|a| a.contains(':')) {
                v["inet6"] = json!(a);
            }
            v
        })
        .collect();
    Ok(Value::Array(out))
}

/// The power actions. Each checks what PVE checks before it forks its worker, then runs
/// as a task whose end applies the change.
fn power(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let action = call.path.rsplit('/').next().unwrap_or_default().to_owned();
    let (task_type, noun) = match kind {
        GuestKind::Qemu => (format!("qm{action}"), "VM"),
        GuestKind::Lxc => (format!("vz{action}"), "CT"),
    };
    {
        let state = call.sim.state();
        let g = find_guest(&state, kind, &node, vmid)?;
        if let Some(lock) = &g.spec.lock
            && !(call.params.flag("skiplock") && call.userid() == "root@pam")
        {
            return Err(ApiError::failed(format!("{noun} is locked ({lock})")));
        }
        let status = g.spec.status;
        let refuse = |msg: String| Err(ApiError::failed(msg));
        match action.as_str() {
            "start" if g.spec.template => {
                return refuse(format!(
                    "you can't start a {} if it's a template",
                    if kind == GuestKind::Qemu { "vm" } else { "CT" }
                ));
            }
            "start" if status != GuestStatus::Stopped => {
                return refuse(format!("{noun} {vmid} already running"));
            }
            "shutdown" | "reboot" | "reset" | "suspend" if status == GuestStatus::Stopped => {
                return refuse(format!("{noun} {vmid} not running"));
            }
            "suspend" if status == GuestStatus::Paused => {
                return refuse(format!("{noun} {vmid} already suspended"));
            }
            "resume" if status != GuestStatus::Paused => {
                return refuse(format!("{noun} {vmid} not suspended"));
            }
            _ => {}
        }
    }
    let now = call.now;
    let log = match action.as_str() {
        "start" => vec![format!("starting {noun} {vmid}")],
        "stop" => vec![format!("stopping {noun} {vmid}")],
        "shutdown" => vec![format!("shutting down {noun} {vmid}")],
        other => vec![format!("{other} {noun} {vmid}")],
    };
    let user = match call.who() {
        crate::perms::Principal::User(u) => u.clone(),
        crate::perms::Principal::Token { tokenid, .. } => tokenid.clone(),
    };
    let sim = Arc::clone(call.sim);
    let upid = call.sim.spawn_task(
        &node,
        &task_type,
        &vmid.to_string(),
        &user,
        log,
        move |state| {
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("{noun} {vmid} vanished"))?;
            match action.as_str() {
                "start" => {
                    g.spec.status = GuestStatus::Running;
                    g.started_at = Some(now);
                }
                "stop" | "shutdown" => {
                    g.spec.status = GuestStatus::Stopped;
                    g.started_at = None;
                }
                "reboot" | "reset" => g.started_at = Some(now),
                "suspend" => g.spec.status = GuestStatus::Paused,
                "resume" => g.spec.status = GuestStatus::Running,
                _ => {}
            }
            // A cold start applies the pending section (vm_start's vmconfig_apply_pending);
            // a reboot is a shutdown and a start. A reset keeps the QEMU process.
            if matches!(action.as_str(), "start" | "reboot") {
                apply_pending(&sim, state, vmid);
                // vm_start regenerates the cloud-init drive: the guest boots with the
                // values the config has now.
                super::ha::with_extra(&sim, |e| e.cloudinit_generated.remove(&vmid));
            }
            Ok(())
        },
    );
    Ok(json!(upid))
}
