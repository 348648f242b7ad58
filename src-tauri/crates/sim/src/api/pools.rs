//! `/pools`: resource pools, as PVE 8+ serves them (`GET/PUT/DELETE /pools?poolid=`) and
//! the deprecated `/pools/{poolid}` forms the 9.1 schema still carries.
//!
//! Pools matter beyond grouping: a role on `/pool/<id>` applies to every member, so adding
//! a guest to a pool can hand a user power over it. Every membership change therefore ends
//! in `refresh_access`, and changes apply all-or-nothing, as PVE's locked user.cfg update
//! does when it dies half-way.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, Weak};

use axum::http::Method;
use serde_json::{Value, json};

use super::access_admin::{can_modify_perms, check_requires, list_param};
use super::cluster::guest_resource;
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Denied, Permission, normalize_path};
use crate::scenario::Pool;
use crate::state::{ClusterSim, ClusterState};

pub fn routes(r: &mut Vec<Route>) {
    let allocate = || Permission::Check(Check::perm("/pool/{poolid}", &["Pool.Allocate"]));
    let types = Kind::Enum(&["qemu", "lxc", "storage"]);
    let update_params = || {
        vec![
            opt("allow-move", Kind::Boolean),
            opt("comment", Kind::String),
            opt("delete", Kind::Boolean),
            req("poolid", Kind::PoolId),
            opt("storage", Kind::Format("pve-storage-id-list")),
            opt("vms", Kind::Format("pve-vmid-list")),
        ]
    };
    r.push(Route {
        method: Method::GET,
        path: "/pools",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("poolid", Kind::PoolId), opt("type", types)],
        handler: index,
    });
    r.push(Route {
        method: Method::POST,
        path: "/pools",
        permission: allocate(),
        allow_token: true,
        params: vec![opt("comment", Kind::String), req("poolid", Kind::PoolId)],
        handler: create,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/pools",
        permission: allocate(),
        allow_token: true,
        params: update_params(),
        handler: update,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/pools",
        permission: allocate(),
        allow_token: true,
        params: vec![req("poolid", Kind::PoolId)],
        handler: delete,
    });
    r.push(Route {
        method: Method::GET,
        path: "/pools/{poolid}",
        permission: Permission::Check(Check::perm("/pool/{poolid}", &["Pool.Audit"])),
        allow_token: true,
        params: vec![req("poolid", Kind::PoolId), opt("type", types)],
        handler: read_deprecated,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/pools/{poolid}",
        permission: allocate(),
        allow_token: true,
        params: update_params(),
        handler: update,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/pools/{poolid}",
        permission: allocate(),
        allow_token: true,
        params: vec![req("poolid", Kind::PoolId)],
        handler: delete,
    });
}

/// Storage members of pools, per cluster. The scenario's `Pool` has no storage list (and
/// `Storage` no pool), so this lives beside the cluster state, keyed by the cluster so that
/// simulators in one process never share it.
type StorageMembers = BTreeMap<String, BTreeSet<String>>;
static STORAGE_MEMBERS: Mutex<Vec<(Weak<ClusterSim>, StorageMembers)>> = Mutex::new(Vec::new());

/// Runs `f` on this cluster's storage membership. Callers hold the state lock first, so the
/// two locks are always taken in the same order.
fn with_storage_members<R>(sim: &Arc<ClusterSim>, f: impl FnOnce(&mut StorageMembers) -> R) -> R {
    let mut all = STORAGE_MEMBERS.lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|(w, _)| w.strong_count() > 0);
    let me = Arc::downgrade(sim);
    let i = match all.iter().position(|(w, _)| w.ptr_eq(&me)) {
        Some(i) => i,
        None => {
            all.push((me, StorageMembers::new()));
            all.len() - 1
        }
    };
    f(&mut all[i].1)
}

fn pool_exists(state: &ClusterState, poolid: &str) -> bool {
    state.spec.pools.iter().any(|p| p.id == poolid)
}

fn no_such_pool(poolid: &str) -> String {
    format!("pool '{poolid}' does not exist")
}

/// Guests of the pool by vmid, in PVE's order (it sorts the ids as strings).
fn vm_members(state: &ClusterState, poolid: &str) -> Vec<u32> {
    let mut ids: Vec<u32> = state
        .guests
        .values()
        .filter(|g| g.spec.pool.as_deref() == Some(poolid))
        .map(|g| g.spec.vmid)
        .collect();
    ids.sort_by_key(|id| id.to_string());
    ids
}

/// `extract_vm_stats`: without the node's RRD data (node offline) only the identity and
/// `status: unknown`.
fn vm_member(state: &ClusterState, vmid: u32, now: i64) -> Option<Value> {
    let g = state.guests.get(&vmid)?;
    let online = state.node(&g.spec.node).is_some_and(|n| n.online);
    if !online {
        return Some(json!({
            "id": format!("{}/{vmid}", g.kind_str()),
            "vmid": vmid,
            "node": g.spec.node,
            "type": g.kind_str(),
            "status": "unknown",
        }));
    }
    let mut v = guest_resource(g, true, None, now);
    if let Some(o) = v.as_object_mut() {
        // /cluster/resources decorations the pool listing does not carry.
        for k in ["tags", "pool", "lock", "hastate"] {
            o.remove(k);
        }
    }
    Some(v)
}

/// `extract_storage_stats` on the node PVE picks: the answering (first) node unless the
/// storage is restricted to others, then the first of those.
fn storage_member(state: &ClusterState, storeid: &str) -> Option<Value> {
    let s = state.spec.storage(storeid)?;
    let local = state.spec.nodes.first().map(|n| n.name.clone())?;
    let node = match &s.nodes {
        Some(nodes) if !nodes.contains(&local) => {
            let mut sorted = nodes.clone();
            sorted.sort();
            sorted.into_iter().next().unwrap_or(local)
        }
        _ => local,
    };
    let mut content = s.content.clone();
    content.sort();
    let mut v = json!({
        "id": format!("storage/{node}/{storeid}"),
        "storage": storeid,
        "node": node,
        "type": "storage",
        "plugintype": s.kind.as_str(),
        "status": "unknown",
        "shared": u8::from(s.shared),
        "content": content.join(","),
    });
    if state.node(&node).is_some_and(|n| n.online) {
        v["maxdisk"] = json!(s.total_gib << 30);
        v["disk"] = json!(s.used_gib << 30);
        v["status"] = json!("available");
    }
    Some(v)
}

/// One pool with its members, as `GET /pools?poolid=` lists it.
fn pool_info(call: &Call<'_>, poolid: &str) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let pool = state
        .spec
        .pools
        .iter()
        .find(|p| p.id == poolid)
        .ok_or_else(|| ApiError::failed(no_such_pool(poolid)))?;
    let ty = call.params.get("type");
    let mut members = Vec::new();
    for vmid in vm_members(&state, poolid) {
        if let Some(g) = state.guests.get(&vmid)
            && ty.is_none_or(|t| t == g.kind_str())
            && let Some(m) = vm_member(&state, vmid, call.now)
        {
            members.push(m);
        }
    }
    if ty.is_none_or(|t| t == "storage") {
        let stores = with_storage_members(call.sim, |m| m.get(poolid).cloned().unwrap_or_default());
        members.extend(stores.iter().filter_map(|s| storage_member(&state, s)));
    }
    let mut v = json!({ "members": members });
    if !pool.comment.is_empty() {
        v["comment"] = json!(pool.comment);
    }
    Ok(v)
}

/// `GET /pools`: the pools the caller may audit, or one pool with its members. PVE's
/// Pool.Audit test on the named pool runs with errors off and its result is not used, so
/// any user may read any pool by name; this does the same.
fn index(call: &Call<'_>) -> Result<Value, ApiError> {
    check_requires(call, "type", "poolid")?;
    if let Some(poolid) = call.params.get("poolid") {
        let mut v = pool_info(call, poolid)?;
        v["poolid"] = json!(poolid);
        return Ok(json!([v]));
    }
    let state = call.sim.state();
    let mut pools: Vec<&Pool> = state.spec.pools.iter().collect();
    pools.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Value::Array(
        pools
            .into_iter()
            .filter(|p| call.can(&format!("/pool/{}", p.id), &["Pool.Audit"], false))
            .map(|p| {
                let mut v = json!({ "poolid": p.id });
                if !p.comment.is_empty() {
                    v["comment"] = json!(p.comment);
                }
                v
            })
            .collect(),
    ))
}

/// `GET /pools/{poolid}` (deprecated): the same entry without `poolid`, which this
/// method's schema does not document.
fn read_deprecated(call: &Call<'_>) -> Result<Value, ApiError> {
    let poolid = call.params.str("poolid")?;
    pool_info(call, poolid)
}

/// `POST /pools`.
fn create(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "create pool failed";
    let fail = |m: String| ApiError::failed(format!("{ACTION}: {m}"));
    let poolid = call.params.str("poolid")?;
    let mut state = call.sim.state();
    if pool_exists(&state, poolid) {
        return Err(fail(format!("pool '{poolid}' already exists")));
    }
    let leaf = match poolid.rsplit_once('/') {
        Some((parent, leaf)) => {
            if !pool_exists(&state, parent) {
                return Err(fail(format!(
                    "parent '{parent}' of pool '{poolid}' does not exist"
                )));
            }
            leaf
        }
        None => poolid,
    };
    if !leaf.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(fail("pool name must start with a letter".to_owned()));
    }
    state.spec.pools.push(Pool {
        id: poolid.to_owned(),
        comment: call.params.get("comment").unwrap_or("").to_owned(),
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

fn verify_vmid(v: &str) -> Result<(), String> {
    let ok =
        (3..=9).contains(&v.len()) && !v.starts_with('0') && v.chars().all(|c| c.is_ascii_digit());
    ok.then_some(())
        .ok_or_else(|| "value does not look like a valid VM ID".to_owned())
}

/// PVE's `parse_storage_id`.
fn verify_storage_id(s: &str) -> Result<(), String> {
    if s.chars().count() < 2 {
        return Err(format!(
            "storage ID '{s}' cannot be shorter than 2 characters"
        ));
    }
    let mut c = s.chars();
    let first = c.next().is_some_and(|c| c.is_ascii_alphabetic());
    let last = s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    let middle = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (first && last && middle)
        .then_some(())
        .ok_or_else(|| format!("storage ID '{s}' contains illegal characters"))
}

/// `PUT /pools` and the deprecated `PUT /pools/{poolid}`: comment, and adding or removing
/// guests and storages. Each object needs the right to modify permissions on it, since
/// membership changes who may act on it.
fn update(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "update pools failed";
    let fail = |m: String| ApiError::failed(format!("{ACTION}: {m}"));
    // A permission exception raised under the user.cfg lock reaches the client as text.
    let denied = |d: Denied| fail(format!("403 {d}"));
    let p = &call.params;
    let vms = list_param(call, "vms", verify_vmid)?;
    let stores = list_param(call, "storage", verify_storage_id)?;
    let poolid = p.str("poolid")?;
    let remove = p.flag("delete");
    let allow_move = p.flag("allow-move");

    let mut state = call.sim.state();
    if !pool_exists(&state, poolid) {
        return Err(fail(no_such_pool(poolid)));
    }
    // Planned pool of each touched guest; applied only when every step passed.
    let mut moves: BTreeMap<u32, Option<String>> = BTreeMap::new();
    for v in &vms {
        let vmid: u32 = v.parse().map_err(|_| fail(format!("invalid vmid '{v}'")))?;
        let path = format!("/vms/{vmid}");
        if !can_modify_perms(call, &path) {
            return Err(denied(Denied::new(
                path,
                &["Permissions.Modify", "VM.Allocate"],
            )));
        }
        let current = match moves.get(&vmid) {
            Some(planned) => planned.clone(),
            None => state.guests.get(&vmid).and_then(|g| g.spec.pool.clone()),
        };
        if remove {
            if current.as_deref() != Some(poolid) {
                return Err(fail(format!("VM {vmid} is not a pool member")));
            }
            moves.insert(vmid, None);
        } else {
            if current.as_deref() == Some(poolid) {
                return Err(fail(format!("VM {vmid} is already a pool member")));
            }
            if let Some(existing) = current {
                if !allow_move {
                    return Err(fail(format!(
                        "VM {vmid} belongs already to pool '{existing}' and 'allow-move' is not set"
                    )));
                }
                let from = format!("/pool/{existing}");
                if !call.can(&from, &["Pool.Allocate"], false) {
                    return Err(denied(Denied::new(from, &["Pool.Allocate"])));
                }
            }
            moves.insert(vmid, Some(poolid.to_owned()));
        }
    }
    let mut members =
        with_storage_members(call.sim, |m| m.get(poolid).cloned().unwrap_or_default());
    for s in &stores {
        let path = format!("/storage/{s}");
        if !can_modify_perms(call, &path) {
            return Err(denied(Denied::new(
                path,
                &["Permissions.Modify", "Datastore.Allocate"],
            )));
        }
        if remove {
            if !members.remove(s) {
                return Err(fail(format!("Storage '{s}' is not a pool member")));
            }
        } else if !members.insert(s.clone()) {
            return Err(fail(format!("Storage '{s}' is already a pool member")));
        }
    }

    if let Some(c) = p.get("comment")
        && let Some(pool) = state.spec.pools.iter_mut().find(|x| x.id == poolid)
    {
        pool.comment = c.to_owned();
    }
    for (vmid, pool) in moves {
        // PVE records any vmid, existing or not; only existing guests are listed, so one
        // that does not exist has nothing to record here.
        if let Some(g) = state.guests.get_mut(&vmid) {
            g.spec.pool = pool.clone();
        }
        if let Some(g) = state.spec.guests.iter_mut().find(|g| g.vmid == vmid) {
            g.pool = pool;
        }
    }
    with_storage_members(call.sim, |m| {
        if members.is_empty() {
            m.remove(poolid);
        } else {
            m.insert(poolid.to_owned(), members);
        }
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// `DELETE /pools` and the deprecated `DELETE /pools/{poolid}`: only an empty pool, and its
/// ACL subtree goes with it.
fn delete(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "delete pool failed";
    let fail = |m: String| ApiError::failed(format!("{ACTION}: {m}"));
    let poolid = call.params.str("poolid")?;
    let mut state = call.sim.state();
    if !pool_exists(&state, poolid) {
        return Err(fail(no_such_pool(poolid)));
    }
    let child_prefix = format!("{poolid}/");
    let mut subpools: Vec<&str> = state
        .spec
        .pools
        .iter()
        .filter(|p| {
            p.id.strip_prefix(&child_prefix)
                .is_some_and(|r| !r.contains('/'))
        })
        .map(|p| p.id.as_str())
        .collect();
    subpools.sort();
    if let Some(sub) = subpools.first() {
        return Err(fail(format!(
            "pool '{poolid}' is not empty (contains pool '{sub}')"
        )));
    }
    if let Some(vmid) = vm_members(&state, poolid).first() {
        return Err(fail(format!(
            "pool '{poolid}' is not empty (contains VM {vmid})"
        )));
    }
    let stores = with_storage_members(call.sim, |m| m.get(poolid).cloned().unwrap_or_default());
    if let Some(s) = stores.iter().find(|s| state.spec.storage(s).is_some()) {
        return Err(fail(format!(
            "pool '{poolid}' is not empty (contains storage '{s}')"
        )));
    }
    state.spec.pools.retain(|p| p.id != poolid);
    let acl_root = format!("/pool/{poolid}");
    state.spec.acl.retain(|a| {
        normalize_path(&a.path)
            .is_none_or(|p| p != acl_root && !p.starts_with(&format!("{acl_root}/")))
    });
    with_storage_members(call.sim, |m| {
        m.remove(poolid);
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}
