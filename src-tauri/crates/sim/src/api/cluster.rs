//! `/cluster/*`: the one call a dashboard polls (`resources`), quorum and membership
//! (`status`), recent tasks and the next free VMID.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use super::{ApiError, Call, Kind, Route, opt};
use crate::perms::{Check, Permission, Principal};
use crate::scenario::GuestKind;
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

/// One entry of `/cluster/resources`, serialised directly (see `Call::respond_typed`).
/// Absent fields are left out, as PVE leaves them out.
#[derive(Debug, Default, Serialize)]
pub struct Resource<'a> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vmid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maxcpu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maxmem: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maxdisk: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub netin: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub netout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diskread: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diskwrite: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hastate: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugintype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<&'static str>,
    #[serde(rename = "cgroup-mode", skip_serializing_if = "Option::is_none")]
    pub cgroup_mode: Option<u8>,
}

pub fn guest_row<'a>(
    g: &'a GuestState,
    node_online: bool,
    ha: Option<&'static str>,
    now: i64,
) -> Resource<'a> {
    let s = &g.spec;
    let running = g.running() && node_online;
    let l = load(u64::from(s.vmid), now);
    let maxmem = s.memory_mib * MIB;
    let busy = |v: f64| Some(if running { v as u64 } else { 0 });
    Resource {
        id: format!("{}/{}", g.kind_str(), s.vmid),
        kind: g.kind_str(),
        vmid: Some(s.vmid),
        name: Some(&s.name),
        node: Some(&s.node),
        status: Some(if !node_online {
            "unknown"
        } else if g.running() {
            "running"
        } else {
            "stopped"
        }),
        template: Some(u8::from(s.template)),
        maxcpu: Some(s.cores),
        cpu: Some(if running {
            (l * 0.6 * 10_000.0).round() / 10_000.0
        } else {
            0.0
        }),
        maxmem: Some(maxmem),
        mem: busy(maxmem as f64 * (0.25 + l * 0.5)),
        maxdisk: Some(s.disk_gib * GIB),
        disk: Some(if s.kind == GuestKind::Lxc {
            (s.disk_gib as f64 * GIB as f64 * 0.4) as u64
        } else {
            0
        }),
        uptime: Some(if running {
            g.started_at.map_or(0, |t| now - t)
        } else {
            0
        }),
        netin: busy(l * 9e9),
        netout: busy(l * 4e9),
        diskread: busy(l * 2e10),
        diskwrite: busy(l * 1e10),
        tags: (!s.tags.is_empty()).then(|| s.tags.join(";")),
        pool: s.pool.as_deref(),
        lock: s.lock.as_deref(),
        hastate: ha,
        ..Resource::default()
    }
}

/// A guest's entry as a JSON object, for the per-guest status calls that reuse its fields.
pub fn guest_resource(
    g: &GuestState,
    node_online: bool,
    ha: Option<&'static str>,
    now: i64,
) -> Value {
    serde_json::to_value(guest_row(g, node_online, ha, now)).unwrap_or(Value::Null)
}

/// PVE answers `/cluster/resources` from the status its pvestatd gathers every 10 s, so a
/// caller polling faster sees the same numbers. The simulator keeps each caller's answer for
/// that window too, and drops it at once when the cluster's state changes (a task ended, a
/// guest was created, an ACL changed), so tests still see every change immediately.
const STATUS_WINDOW_SECS: i64 = 10;

fn resources(call: &Call<'_>) -> Result<Value, ApiError> {
    let key = format!(
        "resources|{}|{}",
        call.who().authid(),
        call.params.get("type").unwrap_or("")
    );
    let window = call.now.div_euclid(STATUS_WINDOW_SECS);
    let _reading = call.sim.read_state();
    let generation = call.sim.generation();
    let cache = call.sim.answer_cache();
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key)
        && hit.generation == generation
        && hit.window == window
    {
        return Ok(call.respond_serialized(Arc::clone(&hit.body)));
    }
    drop(_reading);
    let answer = build_resources(call)?;
    if let Some(body) = call.serialized() {
        cache.lock().unwrap_or_else(|p| p.into_inner()).insert(
            key,
            crate::state::CachedAnswer {
                generation,
                window,
                body,
            },
        );
    }
    Ok(answer)
}

fn build_resources(call: &Call<'_>) -> Result<Value, ApiError> {
    let filter = call.params.get("type");
    let want = |t: &str| filter.is_none_or(|f| f == t);
    let model = call.sim.access();
    let who = call.who();
    let can = |path: &str, privs: &[&str]| model.has(who, path, privs, true, call.now);
    let state = call.sim.read_state();
    let now = call.now;
    let mut out: Vec<Resource<'_>> = Vec::new();
    if want("node") {
        for n in &state.spec.nodes {
            if !can(&format!("/nodes/{}", n.name), &["Sys.Audit"]) {
                continue;
            }
            let l = load(n.name.bytes().map(u64::from).sum(), now);
            let maxmem = u64::from(n.memory_gib) * GIB;
            out.push(Resource {
                id: format!("node/{}", n.name),
                kind: "node",
                node: Some(&n.name),
                status: Some(if n.online { "online" } else { "offline" }),
                maxcpu: Some(n.cpus),
                maxmem: Some(maxmem),
                maxdisk: Some(100 * GIB),
                level: Some(""),
                cgroup_mode: Some(2),
                cpu: n
                    .online
                    .then(|| (0.05 + l * 0.3 * 10_000.0).round() / 10_000.0),
                mem: n.online.then_some((maxmem as f64 * (0.3 + l * 0.4)) as u64),
                disk: n.online.then_some(23 * GIB),
                uptime: n.online.then(|| now - call.sim.boot_time()),
                ..Resource::default()
            });
        }
    }
    if want("vm") {
        // Most guests carry no ACL of their own and sit in no pool: they all inherit what
        // /vms gives, so one check answers for all of them.
        let plain_vm = can("/vms/0", &["VM.Audit"]);
        let named = model.named_children("/vms");
        let ha: std::collections::HashMap<String, &'static str> = state
            .spec
            .ha
            .iter()
            .filter_map(|h| {
                let v = serde_json::to_value(h.state).ok()?;
                Some((h.sid.clone(), ha_state(v.as_str()?)))
            })
            .collect();
        let online: std::collections::HashMap<&str, bool> = state
            .spec
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.online))
            .collect();
        for g in state.guests.values() {
            let visible = if named.is_empty() {
                plain_vm
            } else {
                let path = format!("/vms/{}", g.spec.vmid);
                if named.contains(&path) {
                    can(&path, &["VM.Audit"])
                } else {
                    plain_vm
                }
            };
            if !visible {
                continue;
            }
            let node_online = online.get(g.spec.node.as_str()).copied().unwrap_or(false);
            let ha_state = if ha.is_empty() {
                None
            } else {
                let kind = if g.spec.kind == GuestKind::Qemu {
                    "vm"
                } else {
                    "ct"
                };
                ha.get(&format!("{kind}:{}", g.spec.vmid)).copied()
            };
            out.push(guest_row(g, node_online, ha_state, now));
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
                out.push(Resource {
                    id: format!("storage/{}/{}", n.name, s.id),
                    kind: "storage",
                    storage: Some(&s.id),
                    node: Some(&n.name),
                    status: Some(if n.online { "available" } else { "unknown" }),
                    plugintype: Some(s.kind.as_str()),
                    content: Some(s.content.join(",")),
                    shared: Some(u8::from(s.shared)),
                    maxdisk: n.online.then(|| s.total_gib * GIB),
                    disk: n.online.then(|| s.used_gib * GIB),
                    ..Resource::default()
                });
            }
        }
    }
    if filter.is_none() {
        for p in &state.spec.pools {
            if can(&format!("/pool/{}", p.id), &["Pool.Audit"]) {
                out.push(Resource {
                    id: format!("/pool/{}", p.id),
                    kind: "pool",
                    pool: Some(&p.id),
                    ..Resource::default()
                });
            }
        }
    }
    call.respond_typed(&out)
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
