//! `/cluster/*`: the one call a dashboard polls (`resources`), quorum and membership
//! (`status`), recent tasks and the next free VMID.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ApiError, Call, Kind, Route, opt};
use crate::perms::{Check, Permission, Principal};
use crate::scenario::{GuestKind, StorageKind};
use crate::state::GuestState;

pub fn routes(r: &mut Vec<Route>) {
    r.push(Route {
        method: Method::GET,
        path: "/cluster/resources",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("type", Kind::Enum(&["vm", "storage", "node", "sdn"]))],
        handler: resources,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/status",
        permission: Permission::Check(Check::perm("/", &["Sys.Audit"])),
        allow_token: true,
        params: vec![],
        handler: status,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/tasks",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: tasks,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/nextid",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("vmid", Kind::VmId)],
        handler: nextid,
    });
}

/// Deterministic "load" for a guest or node: varies by id and by the minute, so repeated
/// refreshes look alive without randomness in tests.
pub fn load(seed: u64, now: i64) -> f64 {
    let mut z = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ ((now / 60) as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 31;
    (z % 1000) as f64 / 1000.0
}

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

pub fn guest_resource(g: &GuestState, node_online: bool, ha: Option<&str>, now: i64) -> Value {
    let s = &g.spec;
    let running = g.running() && node_online;
    let l = load(u64::from(s.vmid), now);
    let maxmem = s.memory_mib * MIB;
    let mut v = json!({
        "id": format!("{}/{}", g.kind_str(), s.vmid),
        "type": g.kind_str(),
        "vmid": s.vmid,
        "name": s.name,
        "node": s.node,
        "status": if !node_online { "unknown" } else if g.running() { "running" } else { "stopped" },
        "template": u8::from(s.template),
        "maxcpu": s.cores,
        "cpu": if running { (l * 0.6 * 10_000.0).round() / 10_000.0 } else { 0.0 },
        "maxmem": maxmem,
        "mem": if running { (maxmem as f64 * (0.25 + l * 0.5)) as u64 } else { 0 },
        "maxdisk": s.disk_gib * GIB,
        "disk": if s.kind == GuestKind::Lxc { (s.disk_gib as f64 * GIB as f64 * 0.4) as u64 } else { 0 },
        "uptime": if running { g.started_at.map_or(0, |t| now - t) } else { 0 },
        "netin": if running { (l * 9e9) as u64 } else { 0 },
        "netout": if running { (l * 4e9) as u64 } else { 0 },
        "diskread": if running { (l * 2e10) as u64 } else { 0 },
        "diskwrite": if running { (l * 1e10) as u64 } else { 0 },
    });
    if !s.tags.is_empty() {
        v["tags"] = json!(s.tags.join(";"));
    }
    if let Some(pool) = &s.pool {
        v["pool"] = json!(pool);
    }
    if let Some(lock) = &s.lock {
        v["lock"] = json!(lock);
    }
    if let Some(state) = ha {
        v["hastate"] = json!(state);
    }
    v
}

fn resources(call: &Call<'_>) -> Result<Value, ApiError> {
    let filter = call.params.get("type");
    let want = |t: &str| filter.is_none_or(|f| f == t);
    let model = call.sim.access();
    let who = call.who();
    let can = |path: &str, privs: &[&str]| model.has(who, path, privs, true, call.now);
    let state = call.sim.state();
    let now = call.now;
    let mut out = Vec::new();
    if want("node") {
        for n in &state.spec.nodes {
            if !can(&format!("/nodes/{}", n.name), &["Sys.Audit"]) {
                continue;
            }
            let l = load(n.name.bytes().map(u64::from).sum(), now);
            let maxmem = n.memory_gib as u64 * GIB;
            let mut v = json!({
                "id": format!("node/{}", n.name), "type": "node", "node": n.name,
                "status": if n.online { "online" } else { "offline" },
                "maxcpu": n.cpus, "maxmem": maxmem, "maxdisk": 100 * GIB,
                "level": "", "cgroup-mode": 2,
            });
            if n.online {
                v["cpu"] = json!((0.05 + l * 0.3 * 10_000.0).round() / 10_000.0);
                v["mem"] = json!((maxmem as f64 * (0.3 + l * 0.4)) as u64);
                v["disk"] = json!(23 * GIB);
                v["uptime"] = json!(now - call.sim.boot_time());
            }
            out.push(v);
        }
    }
    if want("vm") {
        for g in state.guests.values() {
            if !can(&format!("/vms/{}", g.spec.vmid), &["VM.Audit"]) {
                continue;
            }
            let online = state.node(&g.spec.node).is_some_and(|n| n.online);
            let sid = format!(
                "{}:{}",
                if g.spec.kind == GuestKind::Qemu {
                    "vm"
                } else {
                    "ct"
                },
                g.spec.vmid
            );
            let ha = state
                .spec
                .ha
                .iter()
                .find(|h| h.sid == sid)
                .and_then(|h| serde_json::to_value(h.state).ok())
                .and_then(|v| v.as_str().map(ha_state));
            out.push(guest_resource(g, online, ha, now));
        }
    }
    if want("storage") {
        for s in &state.spec.storages {
            if !can(
                &format!("/storage/{}", s.id),
                &["Datastore.Audit", "Datastore.AllocateSpace"],
            ) {
                continue;
            }
            for n in &state.spec.nodes {
                if s.nodes.as_ref().is_some_and(|ns| !ns.contains(&n.name)) {
                    continue;
                }
                let mut v = json!({
                    "id": format!("storage/{}/{}", n.name, s.id), "type": "storage",
                    "storage": s.id, "node": n.name,
                    "status": if n.online { "available" } else { "unknown" },
                    "plugintype": storage_type(&s.kind), "content": s.content.join(","),
                    "shared": u8::from(s.shared),
                });
                if n.online {
                    v["maxdisk"] = json!(s.total_gib * GIB);
                    v["disk"] = json!(s.used_gib * GIB);
                }
                out.push(v);
            }
        }
    }
    if filter.is_none() {
        for p in &state.spec.pools {
            if can(&format!("/pool/{}", p.id), &["Pool.Audit"]) {
                out.push(json!({ "id": format!("/pool/{}", p.id), "type": "pool", "pool": p.id }));
            }
        }
    }
    Ok(Value::Array(out))
}

pub fn storage_type(kind: &StorageKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The `hastate` PVE shows for a configured HA state.
fn ha_state(configured: &str) -> &'static str {
    match configured {
        "started" => "started",
        "stopped" => "stopped",
        "disabled" => "disabled",
        "ignored" => "ignored",
        _ => "error",
    }
}

fn status(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let nodes = &state.spec.nodes;
    let online = nodes.iter().filter(|n| n.online).count();
    let mut out = vec![json!({
        "type": "cluster", "id": "cluster", "name": state.spec.name,
        "nodes": nodes.len(), "quorate": u8::from(online * 2 > nodes.len()), "version": nodes.len() + 3,
    })];
    for (i, n) in nodes.iter().enumerate() {
        out.push(json!({
            "type": "node", "id": format!("node/{}", n.name), "name": n.name,
            "nodeid": i + 1, "ip": n.ip, "local": u8::from(i == 0),
            "online": u8::from(n.online), "level": "",
        }));
    }
    Ok(Value::Array(out))
}

/// Whether `who` may see a task: their own (a user sees their tokens' too), or Sys.Audit
/// on the task's node.
pub fn may_see_task(call: &Call<'_>, task_user: &str, node: &str) -> bool {
    let own = match call.who() {
        Principal::User(u) => task_user == u || task_user.starts_with(&format!("{u}!")),
        Principal::Token { tokenid, .. } => task_user == tokenid,
    };
    own || call.can(&format!("/nodes/{node}"), &["Sys.Audit"], false)
}

fn tasks(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let mut list: Vec<&crate::tasks::Task> = state
        .tasks
        .iter()
        .filter(|t| may_see_task(call, &t.parts.user, &t.parts.node))
        .collect();
    list.sort_by_key(|t| std::cmp::Reverse(t.parts.starttime));
    Ok(Value::Array(list.iter().map(|t| t.list_json()).collect()))
}

fn nextid(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    if let Some(asked) = call.params.int("vmid")? {
        return if state.guests.contains_key(&(asked as u32)) {
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("VM {asked} already exists"),
            ))
        } else {
            Ok(json!(asked))
        };
    }
    let free = (100u32..)
        .find(|id| !state.guests.contains_key(id))
        .unwrap_or(100);
    Ok(json!(free))
}
