//! `/nodes` and per-node status and tasks. Requests for an offline node fail the way PVE's
//! proxy fails them (595), since the node that should answer is not there.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::cluster::{load, may_see_task};
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Permission};

pub fn routes(r: &mut Vec<Route>) {
    r.push(Route {
        method: Method::GET,
        path: "/nodes",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: list,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/status",
        permission: Permission::Check(Check::perm("/nodes/{node}", &["Sys.Audit"])),
        allow_token: true,
        params: vec![req("node", Kind::Node)],
        handler: status,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/tasks/{upid}/status",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![req("node", Kind::Node), req("upid", Kind::Upid)],
        handler: task_status,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/tasks/{upid}/log",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![
            opt("download", Kind::Boolean),
            opt(
                "limit",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            req("node", Kind::Node),
            opt(
                "start",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            req("upid", Kind::Upid),
        ],
        handler: task_log,
    });
    // "The user needs 'Sys.Modify' permissions on '/nodes/{node}' if they aren't the owner
    // of the task." — checked in the handler, as PVE does.
    r.push(Route {
        method: Method::DELETE,
        path: "/nodes/{node}/tasks/{upid}",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![req("node", Kind::Node), req("upid", Kind::Upid)],
        handler: task_stop,
    });
}

/// Fails unless `node` exists and is online.
pub fn online_node(call: &Call<'_>) -> Result<String, ApiError> {
    let name = call.params.str("node")?;
    let state = call.sim.state();
    match state.node(name) {
        None => Err(ApiError::failed(format!("no such node '{name}'"))),
        Some(n) if !n.online => Err(ApiError::new(
            StatusCode::from_u16(595).expect("valid status"),
            format!("No route to host ({name})"),
        )),
        Some(n) => Ok(n.name.clone()),
    }
}

fn list(call: &Call<'_>) -> Result<Value, ApiError> {
    let now = call.now;
    let state = call.sim.state();
    let fingerprint = call.sim.certificate_fingerprint();
    let mut out = Vec::new();
    for n in &state.spec.nodes {
        if !call.can(&format!("/nodes/{}", n.name), &["Sys.Audit"], false) {
            continue;
        }
        let mut v = json!({
            "node": n.name, "status": if n.online { "online" } else { "offline" },
            "maxcpu": n.cpus, "maxmem": n.memory_gib as u64 * (1u64 << 30),
            "level": "", "ssl_fingerprint": fingerprint,
        });
        if n.online {
            let l = load(n.name.bytes().map(u64::from).sum(), now);
            v["cpu"] = json!(0.05 + l * 0.3);
            v["mem"] = json!((n.memory_gib as f64 * (1u64 << 30) as f64 * (0.3 + l * 0.4)) as u64);
            v["uptime"] = json!(now - call.sim.boot_time());
        }
        out.push(v);
    }
    Ok(Value::Array(out))
}

fn status(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = online_node(call)?;
    let state = call.sim.state();
    let n = state.node(&name).expect("checked above");
    let l = load(name.bytes().map(u64::from).sum(), call.now);
    let total = n.memory_gib as u64 * (1u64 << 30);
    let used = (total as f64 * (0.3 + l * 0.4)) as u64;
    Ok(json!({
        "cpu": 0.05 + l * 0.3,
        "cpuinfo": { "cpus": n.cpus, "cores": n.cpus / 2, "sockets": 1, "model": "Simulated CPU @ 3.0GHz", "mhz": "3000.000", "hvm": "1", "flags": "" },
        "loadavg": [format!("{:.2}", l * 4.0), format!("{:.2}", l * 3.0), format!("{:.2}", l * 2.0)],
        "memory": { "total": total, "used": used, "free": total - used },
        "swap": { "total": 8u64 << 30, "used": 0, "free": 8u64 << 30 },
        "rootfs": { "total": 100u64 << 30, "used": 23u64 << 30, "avail": 77u64 << 30, "free": 77u64 << 30 },
        "uptime": call.now - call.sim.boot_time(),
        "pveversion": format!("pve-manager/{}/5e0c4f1a", n.pve_version),
        "kversion": format!("Linux {} #1 SMP PREEMPT_DYNAMIC PMX", n.kernel),
        "current-kernel": { "sysname": "Linux", "release": n.kernel, "machine": "x86_64", "version": "#1 SMP PREEMPT_DYNAMIC PMX" },
        "boot-info": { "mode": "efi", "secureboot": 0 },
    }))
}

fn find_task<'a>(
    call: &Call<'_>,
    tasks: &'a [crate::tasks::Task],
) -> Result<&'a crate::tasks::Task, ApiError> {
    let upid = call.params.str("upid")?;
    let node = call.params.str("node")?;
    let task = tasks
        .iter()
        .find(|t| t.upid == upid && t.parts.node == node)
        .ok_or_else(|| ApiError::failed(format!("no such task '{upid}'")))?;
    if !may_see_task(call, &task.parts.user, node) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("Permission check failed (/nodes/{node}, Sys.Audit)"),
        ));
    }
    Ok(task)
}

fn task_status(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    Ok(find_task(call, &state.tasks)?.status_json())
}

/// Stops a running task: it ends with "interrupted by signal" and its effect never happens.
/// Stopping a task that already ended is not an error in PVE either.
fn task_stop(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let upid = call.params.str("upid")?.to_owned();
    let now = call.now;
    let mut state = call.sim.state();
    let task = find_task(call, &state.tasks)?;
    let own = match call.who() {
        crate::perms::Principal::User(u) => {
            task.parts.user == *u || task.parts.user.starts_with(&format!("{u}!"))
        }
        crate::perms::Principal::Token { tokenid, .. } => task.parts.user == *tokenid,
    };
    if !own && !call.can(&format!("/nodes/{node}"), &["Sys.Modify"], false) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("Permission check failed (/nodes/{node}, Sys.Modify)"),
        ));
    }
    if let Some(task) = state.tasks.iter_mut().find(|t| t.upid == upid)
        && task.state == crate::tasks::TaskState::Running
    {
        task.finish(Err("interrupted by signal".to_owned()), now);
    }
    Ok(Value::Null)
}

fn task_log(call: &Call<'_>) -> Result<Value, ApiError> {
    let start = call.params.int("start")?.unwrap_or(0).max(0) as usize;
    let limit = call.params.int("limit")?.unwrap_or(50).max(0) as usize;
    let state = call.sim.state();
    Ok(find_task(call, &state.tasks)?.log_json(start, limit))
}
