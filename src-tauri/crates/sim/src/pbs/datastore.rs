//! Datastores as proxmox-backup's `api2/admin/datastore.rs` and `api2/status.rs` present
//! them: listings filtered by privilege and by backup ownership, the 403 texts naming the
//! missing privileges, snapshot file lists built like a vzdump backup's manifest, garbage
//! collection status, and the month of usage history with PBS's least-squares estimate of
//! when the store fills up.
//!
//! The scenario gives sizes and snapshot times only; everything else (archive names,
//! chunk counts, verification results, history) is derived from them deterministically so
//! that repeated calls agree with each other and with the scenario.

use axum::http::Method;
use serde_json::{Value, json};

use super::access::{
    DATASTORE_AUDIT, DATASTORE_BACKUP, DATASTORE_MODIFY, DATASTORE_PRUNE, DATASTORE_READ,
    NS_PRIVS_OK, UserInfo, privilege_names,
};
use super::{
    BACKUP_ID, BACKUP_TYPE, Call, Kind, NAMESPACE, PbsError, PbsState, Permission, Route, STORE,
    opt, req,
};
use crate::scenario::{BackupGroup, BackupType, Datastore};

const GIB: u64 = 1 << 30;
/// PBS's fixed chunk size for VM images; dynamic chunks average about the same.
const CHUNK: u64 = 4 << 20;
/// The month view of the datastore RRD: 30 days at 30-minute resolution.
pub const HISTORY_DELTA: i64 = 1800;
const HISTORY_SPAN: i64 = 30 * 86_400;

pub(super) fn routes(r: &mut Vec<Route>) {
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore",
        permission: Permission::Anybody,
        params: vec![],
        handler: list_datastores,
    });
    r.push(Route {
        method: Method::GET,
        path: "/status/datastore-usage",
        permission: Permission::Anybody,
        params: vec![],
        handler: datastore_usage,
    });
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore/{store}/groups",
        permission: Permission::Anybody,
        params: vec![opt("ns", NAMESPACE), req("store", STORE)],
        handler: list_groups,
    });
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore/{store}/namespace",
        permission: Permission::Anybody,
        params: vec![
            opt(
                "max-depth",
                Kind::Integer {
                    min: Some(0),
                    max: Some(MAX_NAMESPACE_DEPTH),
                },
            ),
            opt("parent", NAMESPACE),
            req("store", STORE),
        ],
        handler: list_namespaces,
    });
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore/{store}/snapshots",
        permission: Permission::Anybody,
        params: vec![
            opt("backup-id", BACKUP_ID),
            opt("backup-type", BACKUP_TYPE),
            opt("ns", NAMESPACE),
            req("store", STORE),
        ],
        handler: list_snapshots,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/admin/datastore/{store}/snapshots",
        permission: Permission::Anybody,
        params: vec![
            req("backup-id", BACKUP_ID),
            req(
                "backup-time",
                Kind::Integer {
                    min: Some(1),
                    max: None,
                },
            ),
            req("backup-type", BACKUP_TYPE),
            opt("ns", NAMESPACE),
            req("store", STORE),
        ],
        handler: delete_snapshot,
    });
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore/{store}/status",
        permission: Permission::Anybody,
        params: vec![req("store", STORE), opt("verbose", Kind::Boolean)],
        handler: datastore_status,
    });
    r.push(Route {
        method: Method::GET,
        path: "/admin/datastore/{store}/gc",
        permission: Permission::Privilege {
            path: &["datastore", "{store}"],
            privs: &["Datastore.Audit"],
            partial: false,
        },
        params: vec![req("store", STORE)],
        handler: gc_job_status,
    });
}

/// `/datastore/{store}[/{ns...}]` as components.
fn acl_path<'a>(store: &'a str, ns: &'a str) -> Vec<&'a str> {
    let mut path = vec!["datastore", store];
    path.extend(ns.split('/').filter(|c| !c.is_empty()));
    path
}

/// PBS's `check_ns_privs_full`: `Ok(false)` with full access, `Ok(true)` when only owned
/// groups may be touched, 403 naming the privileges otherwise.
fn check_ns_privs_full(
    state: &PbsState,
    auth_id: &str,
    store: &str,
    ns: &str,
    full: u64,
    partial: u64,
) -> Result<bool, PbsError> {
    let path = acl_path(store, ns);
    let privs = UserInfo { spec: &state.spec }.lookup_privs(auth_id, &path);
    if full != 0 && privs & full != 0 {
        return Ok(false);
    }
    if partial != 0 && privs & partial != 0 {
        return Ok(true);
    }
    Err(PbsError::forbidden(format!(
        "permission check failed - missing {} on /{}",
        privilege_names(full | partial).join("|"),
        path.join("/")
    )))
}

/// `DataStore::lookup_datastore`: an unknown name is a plain (400) error.
fn lookup<'a>(state: &'a PbsState, store: &str) -> Result<&'a Datastore, PbsError> {
    state
        .datastore(store)
        .ok_or_else(|| PbsError::bail(format!("no such datastore '{store}'")))
}

/// PBS's `MAX_NAMESPACE_DEPTH`.
const MAX_NAMESPACE_DEPTH: i64 = 7;

/// A namespace the datastore does not have: PBS fails reading the missing directory.
fn check_namespace(d: &Datastore, ns: &str) -> Result<(), PbsError> {
    if ns.is_empty() || d.namespaces.iter().any(|n| n == ns) {
        Ok(())
    } else {
        Err(PbsError::bail("ENOENT: No such file or directory"))
    }
}

/// How many levels `ns` is below `parent`, if it is `parent` or below it.
fn depth_below(parent: &str, ns: &str) -> Option<usize> {
    let levels = |s: &str| s.split('/').filter(|c| !c.is_empty()).count();
    if parent.is_empty() {
        return Some(levels(ns));
    }
    if ns == parent {
        return Some(0);
    }
    ns.strip_prefix(parent)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(levels)
}

/// `api2/admin/namespace.rs` `list_namespaces`: a base check on the parent (so that
/// whether it exists does not leak), then the parent and the namespaces below it down to
/// `max-depth`, each only if the caller has some privilege on it.
fn list_namespaces(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store");
    let parent = call.get("parent").unwrap_or_default();
    let max_depth: usize = call
        .get("max-depth")
        .and_then(|d| d.parse().ok())
        .unwrap_or(MAX_NAMESPACE_DEPTH as usize);
    let who = call.auth_id();
    let state = call.sim.state();
    let privs_ok = DATASTORE_MODIFY | DATASTORE_BACKUP | DATASTORE_AUDIT;
    check_ns_privs_full(&state, who, store, parent, privs_ok, 0)?;
    let d = lookup(&state, store)?;
    if check_namespace(d, parent).is_err() {
        return Err(PbsError::forbidden("permission check failed"));
    }
    let info = UserInfo { spec: &state.spec };
    let mut list: Vec<&str> = std::iter::once("")
        .chain(d.namespaces.iter().map(String::as_str))
        .filter(|ns| depth_below(parent, ns).is_some_and(|depth| depth <= max_depth))
        .filter(|ns| info.lookup_privs(who, &acl_path(store, ns)) & privs_ok != 0)
        .collect();
    list.sort_unstable();
    Ok(json!(
        list.into_iter()
            .map(|ns| json!({ "ns": ns }))
            .collect::<Vec<_>>()
    ))
}

/// PBS's `check_backup_owner`: a user owns what its own tokens made, a token only its own.
fn owns(owner: &str, auth_id: &str) -> bool {
    owner == auth_id
        || owner
            .split_once('!')
            .is_some_and(|(user, _)| user == auth_id)
}

/// `systemd-escape` as PBS applies it to task ids inside a UPID.
fn escape_unit(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        match c {
            '/' => out.push('-'),
            c if c.is_ascii_alphanumeric() || c == '_' || (c == '.' && i > 0) => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
        }
    }
    out
}

fn upid(node: &str, seed: u64, start: i64, wtype: &str, wid: &str, authid: &str) -> String {
    format!(
        "UPID:{node}:{:08X}:{:08X}:{:08X}:{start:08X}:{wtype}:{}:{authid}:",
        1000 + seed % 60_000,
        (seed.wrapping_mul(2_654_435_761) >> 8) & 0x0fff_ffff,
        seed % 4096,
        escape_unit(wid)
    )
}

/// One archive of a snapshot: name, size; `None` for files outside the manifest.
struct File {
    name: &'static str,
    size: Option<u64>,
}

/// What vzdump / proxmox-backup-client put into a snapshot of this type, in manifest
/// order; `index.json.blob` and the client log (uploaded after the manifest) follow.
fn snapshot_files(group: &BackupGroup) -> Vec<File> {
    let data = group.size_gib * GIB;
    let mut files = match group.backup_type {
        BackupType::Vm => vec![
            File {
                name: "qemu-server.conf.blob",
                size: Some(438),
            },
            File {
                name: "drive-scsi0.img.fidx",
                size: Some(data),
            },
        ],
        BackupType::Ct => vec![
            File {
                name: "pct.conf.blob",
                size: Some(321),
            },
            File {
                name: "root.pxar.didx",
                size: Some(data),
            },
            File {
                name: "catalog.pcat1.didx",
                size: Some(data / 4096 + 10_240),
            },
        ],
        BackupType::Host => vec![
            File {
                name: "root.pxar.didx",
                size: Some(data),
            },
            File {
                name: "catalog.pcat1.didx",
                size: Some(data / 4096 + 10_240),
            },
        ],
    };
    files.push(File {
        name: "index.json.blob",
        size: Some(612),
    });
    if group.backup_type != BackupType::Host {
        files.push(File {
            name: "client.log.blob",
            size: None,
        });
    }
    files
}

fn list_datastores(call: &Call<'_>) -> Result<Value, PbsError> {
    let state = call.sim.state();
    let info = UserInfo { spec: &state.spec };
    let who = call.auth_id();
    let list: Vec<Value> = state
        .spec
        .datastores
        .iter()
        .filter_map(|d| {
            let path = ["datastore", d.name.as_str()];
            let allowed = info.lookup_privs(who, &path) & (DATASTORE_AUDIT | DATASTORE_BACKUP) != 0;
            (allowed || info.any_privs_below(who, &path, NS_PRIVS_OK)).then(|| {
                json!({
                    "store": d.name,
                    "mount-status": "nonremovable",
                    "backend-type": "filesystem",
                })
            })
        })
        .collect();
    Ok(json!(list))
}

/// Bytes in use, total and available: PBS reads them from the filesystem (`statfs`), where
/// used + available = total for a datastore on its own disk.
fn usage(d: &Datastore) -> (u64, u64, u64) {
    let total = d.total_gib * GIB;
    let used = d.used_gib * GIB;
    (total, used, total - used)
}

/// The last garbage collection as PBS keeps it in memory (`GarbageCollectionStatus`):
/// all zeros and no task before the first run.
fn gc_status(node: &str, d: &Datastore) -> Value {
    let Some(gc) = &d.gc_status else {
        return json!({
            "index-file-count": 0, "index-data-bytes": 0, "disk-bytes": 0, "disk-chunks": 0,
            "removed-bytes": 0, "removed-chunks": 0, "pending-bytes": 0, "pending-chunks": 0,
            "removed-bad": 0, "still-bad": 0,
        });
    };
    let (_, used, _) = usage(d);
    let snapshots: u64 = d.backups.iter().map(|g| g.snapshots.len() as u64).sum();
    let index_files: u64 = d
        .backups
        .iter()
        .map(|g| {
            let per = snapshot_files(g)
                .iter()
                .filter(|f| f.name.ends_with("idx"))
                .count() as u64;
            per * g.snapshots.len() as u64
        })
        .sum();
    let logical: u64 = d
        .backups
        .iter()
        .map(|g| g.size_gib * GIB * g.snapshots.len() as u64)
        .sum();
    json!({
        "upid": upid(node, gc.last_run as u64, gc_start(d), "garbage_collection", &d.name, "root@pam"),
        "index-file-count": index_files.max(snapshots),
        "index-data-bytes": logical,
        "disk-bytes": used,
        "disk-chunks": used / CHUNK,
        "removed-bytes": gc.removed_bytes,
        "removed-chunks": gc.removed_bytes / CHUNK,
        "pending-bytes": 0,
        "pending-chunks": 0,
        "removed-bad": 0,
        "still-bad": 0,
    })
}

/// A GC run takes longer the more chunks it has to touch.
fn gc_duration(d: &Datastore) -> i64 {
    30 + (usage(d).1 / CHUNK / 400) as i64
}

fn gc_start(d: &Datastore) -> i64 {
    d.gc_status
        .as_ref()
        .map(|g| g.last_run - gc_duration(d))
        .unwrap_or_default()
}

/// Used bytes over the last month, sampled like the RRD: each snapshot in the scenario
/// adds its share at its backup time, scaled so the curve ends at today's usage.
fn history(d: &Datastore, now: i64) -> (i64, Vec<Option<f64>>) {
    let start = (now - HISTORY_SPAN) / HISTORY_DELTA * HISTORY_DELTA;
    let (total, used, _) = usage(d);
    let weight = |t: i64| -> u64 {
        d.backups
            .iter()
            .map(|g| g.size_gib.max(1) * g.snapshots.iter().filter(|s| **s <= t).count() as u64)
            .sum()
    };
    let full = weight(now);
    let mut points = Vec::new();
    let mut t = start;
    // The slot that is still being filled has no value yet.
    while t + HISTORY_DELTA <= now {
        let used_then = if full == 0 {
            used as f64
        } else {
            used as f64 * weight(t) as f64 / full as f64
        };
        points.push((total > 0).then(|| used_then / total as f64));
        t += HISTORY_DELTA;
    }
    (start, points)
}

/// PBS's least-squares fit of usage over time, extrapolated to 100 %: a date in the past
/// (0 for a flat line) means "not growing".
fn estimated_full_date(start: i64, history: &[Option<f64>]) -> Option<i64> {
    let points: Vec<(f64, f64)> = history
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.map(|u| ((start + i as i64 * HISTORY_DELTA) as f64, u)))
        .collect();
    if points.len() < 7 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let cov: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let var: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if var == 0.0 {
        return None;
    }
    let b = cov / var;
    let a = mean_y - b * mean_x;
    Some(if b == 0.0 {
        0
    } else {
        ((1.0 - a) / b).floor() as i64
    })
}

fn datastore_usage(call: &Call<'_>) -> Result<Value, PbsError> {
    let state = call.sim.state();
    let info = UserInfo { spec: &state.spec };
    let who = call.auth_id();
    let mut list = Vec::new();
    for d in &state.spec.datastores {
        let path = ["datastore", d.name.as_str()];
        let privs = info.lookup_privs(who, &path);
        if privs & (DATASTORE_AUDIT | DATASTORE_BACKUP) == 0 {
            // Listed without figures when some namespace of it is accessible.
            if info.any_privs_below(who, &path, NS_PRIVS_OK) {
                list.push(json!({
                    "store": d.name,
                    "mount-status": "nonremovable",
                    "backend-type": "filesystem",
                }));
            }
            continue;
        }
        let (total, used, avail) = usage(d);
        let (start, history) = history(d, call.now);
        let mut entry = json!({
            "store": d.name,
            "total": total,
            "used": used,
            "avail": avail,
            "history": history,
            "history-start": start,
            "history-delta": HISTORY_DELTA,
            "gc-status": gc_status(&call.sim.name, d),
            "mount-status": "nonremovable",
            "backend-type": "filesystem",
        });
        if let Some(date) = estimated_full_date(start, &history) {
            entry["estimated-full-date"] = json!(date);
        }
        list.push(entry);
    }
    Ok(json!(list))
}

fn list_groups(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store");
    let ns = call.get("ns").unwrap_or_default();
    let who = call.auth_id();
    let state = call.sim.state();
    let limited = check_ns_privs_full(&state, who, store, ns, DATASTORE_AUDIT, DATASTORE_BACKUP)?;
    let d = lookup(&state, store)?;
    check_namespace(d, ns)?;
    let list: Vec<Value> = d
        .backups
        .iter()
        .filter(|g| g.ns == ns && (!limited || owns(&g.owner, who)))
        .filter_map(|g| {
            let last = *g.snapshots.iter().max()?;
            let mut files: Vec<&str> = snapshot_files(g).iter().map(|f| f.name).collect();
            files.sort_unstable();
            Some(json!({
                "backup-type": g.backup_type.as_str(),
                "backup-id": g.backup_id,
                "last-backup": last,
                "backup-count": g.snapshots.len(),
                "owner": g.owner,
                "files": files,
            }))
        })
        .collect();
    Ok(json!(list))
}

/// Verify jobs run daily: snapshots older than a day have been verified.
fn verification(node: &str, store: &str, time: i64, now: i64) -> Option<Value> {
    let verified_at = time + 3 * 3600;
    (now - time > 86_400).then(|| {
        json!({
            "state": "ok",
            "upid": upid(node, time as u64, verified_at, "verify", store, "root@pam"),
        })
    })
}

fn snapshot_item(node: &str, store: &str, g: &BackupGroup, time: i64, now: i64) -> Value {
    let files = snapshot_files(g);
    let size: u64 = files.iter().filter_map(|f| f.size).sum();
    let files: Vec<Value> = files
        .iter()
        .map(|f| match f.size {
            Some(size) => json!({ "filename": f.name, "crypt-mode": "none", "size": size }),
            None => json!({ "filename": f.name }),
        })
        .collect();
    let mut item = json!({
        "backup-type": g.backup_type.as_str(),
        "backup-id": g.backup_id,
        "backup-time": time,
        "files": files,
        "size": size,
        "owner": g.owner,
        "protected": false,
    });
    if let Some(v) = verification(node, store, time, now) {
        item["verification"] = v;
    }
    item
}

fn list_snapshots(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store");
    let ns = call.get("ns").unwrap_or_default();
    let who = call.auth_id();
    let state = call.sim.state();
    let limited = check_ns_privs_full(&state, who, store, ns, DATASTORE_AUDIT, DATASTORE_BACKUP)?;
    let d = lookup(&state, store)?;
    check_namespace(d, ns)?;
    let mut list = Vec::new();
    for g in d.backups.iter().filter(|g| g.ns == ns) {
        if call
            .get("backup-type")
            .is_some_and(|t| t != g.backup_type.as_str())
            || call.get("backup-id").is_some_and(|id| id != g.backup_id)
            || (limited && !owns(&g.owner, who))
        {
            continue;
        }
        let mut times = g.snapshots.clone();
        times.sort_unstable();
        for t in times {
            list.push(snapshot_item(&call.sim.name, store, g, t, call.now));
        }
    }
    Ok(json!(list))
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

fn delete_snapshot(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store").to_owned();
    let ns = call.get("ns").unwrap_or_default();
    let btype = call.req("backup-type").to_owned();
    let bid = call.req("backup-id").to_owned();
    let btime: i64 = call.req("backup-time").parse().unwrap_or_default();
    let who = call.auth_id();
    let mut state = call.sim.state();
    let limited = check_ns_privs_full(&state, who, &store, ns, DATASTORE_MODIFY, DATASTORE_PRUNE)?;
    let d = lookup(&state, &store)?;
    check_namespace(d, ns)?;
    // On disk a namespace `a/b` is `ns/a/ns/b` below the datastore.
    let ns_dir: String = ns
        .split('/')
        .filter(|c| !c.is_empty())
        .map(|c| format!("/ns/{c}"))
        .collect();
    let group_dir = format!("{}{ns_dir}/{btype}/{bid}", d.path.trim_end_matches('/'));
    let group = d
        .backups
        .iter()
        .position(|g| g.ns == ns && g.backup_type.as_str() == btype && g.backup_id == bid);
    if limited {
        let Some(g) = group.map(|i| &d.backups[i]) else {
            return Err(PbsError::bail(format!(
                "unable to read \"{group_dir}/owner\" - No such file or directory (os error 2)"
            )));
        };
        if !owns(&g.owner, who) {
            return Err(PbsError::bail(format!(
                "backup owner check failed ({who} != {})",
                g.owner
            )));
        }
    }
    let missing = || {
        PbsError::bail(format!(
            "unable to open snapshot directory \"{group_dir}/{}\" for locking - ENOENT: No such file or directory",
            rfc3339(btime)
        ))
    };
    let gi = group.ok_or_else(missing)?;
    let ds = state
        .spec
        .datastores
        .iter_mut()
        .find(|d| d.name == store)
        .expect("looked up above");
    let snaps = &mut ds.backups[gi].snapshots;
    let si = snaps.iter().position(|t| *t == btime).ok_or_else(missing)?;
    snaps.remove(si);
    Ok(Value::Null)
}

fn datastore_status(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store");
    let who = call.auth_id();
    let state = call.sim.state();
    let info = UserInfo { spec: &state.spec };
    let path = ["datastore", store];
    let privs = info.lookup_privs(who, &path);
    let full_stats = if privs & (DATASTORE_AUDIT | DATASTORE_BACKUP) != 0 {
        true
    } else if privs & DATASTORE_READ != 0 || info.any_privs_below(who, &path, NS_PRIVS_OK) {
        // Readers, and users with rights on a namespace below, see the store without usage.
        false
    } else {
        // Not even revealing whether the store exists.
        return Err(PbsError::forbidden("permission check failed"));
    };
    let d = lookup(&state, store)?;
    let mut out = if full_stats {
        let (total, used, avail) = usage(d);
        json!({ "total": total, "used": used, "avail": avail })
    } else {
        json!({ "total": 0, "used": 0, "avail": 0 })
    };
    out["backend-type"] = json!("filesystem");
    if call.flag("verbose") {
        let all = privs & DATASTORE_AUDIT != 0;
        let mut counts = serde_json::Map::new();
        for g in d
            .backups
            .iter()
            .filter(|g| !g.snapshots.is_empty() && (all || owns(&g.owner, who)))
        {
            let entry = counts
                .entry(g.backup_type.as_str())
                .or_insert_with(|| json!({ "groups": 0, "snapshots": 0 }));
            entry["groups"] = json!(entry["groups"].as_u64().unwrap_or(0) + 1);
            entry["snapshots"] =
                json!(entry["snapshots"].as_u64().unwrap_or(0) + g.snapshots.len() as u64);
        }
        out["counts"] = Value::Object(counts);
        if full_stats {
            out["gc-status"] = gc_status(&call.sim.name, d);
        }
    }
    Ok(out)
}

/// The next daily (00:00 UTC) run after `after`.
fn next_daily(after: i64) -> i64 {
    (after / 86_400 + 1) * 86_400
}

fn gc_job_status(call: &Call<'_>) -> Result<Value, PbsError> {
    let store = call.req("store");
    let state = call.sim.state();
    let d = lookup(&state, store)?;
    let mut out = gc_status(&call.sim.name, d);
    out["store"] = json!(d.name);
    out["schedule"] = json!("daily");
    match &d.gc_status {
        Some(gc) => {
            out["last-run-endtime"] = json!(gc.last_run);
            out["last-run-state"] = json!("ok");
            out["duration"] = json!(gc_duration(d));
            out["next-run"] = json!(next_daily(gc.last_run));
        }
        None => out["next-run"] = json!(next_daily(call.now)),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_extrapolates_growth_and_is_zero_for_a_flat_line() {
        let start = 1_000_000;
        let growing: Vec<Option<f64>> = (0..100).map(|i| Some(0.1 + i as f64 * 0.001)).collect();
        // 0.1 at start, +0.001 per slot: full after 900 slots.
        let est = estimated_full_date(start, &growing).unwrap();
        assert!((est - (start + 900 * HISTORY_DELTA)).abs() <= 1, "{est}");
        let flat = vec![Some(0.5); 20];
        assert_eq!(estimated_full_date(start, &flat), Some(0));
        assert_eq!(estimated_full_date(start, &flat[..6]), None);
    }

    #[test]
    fn task_ids_in_upids_are_systemd_escaped() {
        assert_eq!(escape_unit("store-1"), "store\\x2d1");
        let u = upid(
            "pbs",
            7,
            0x1234,
            "garbage_collection",
            "store-1",
            "root@pam",
        );
        assert!(u.starts_with("UPID:pbs:"), "{u}");
        assert!(
            u.ends_with(":00001234:garbage_collection:store\\x2d1:root@pam:"),
            "{u}"
        );
    }
}
