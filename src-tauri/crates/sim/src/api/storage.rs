//! Storage as PVE shows it: the datacenter configuration (`/storage`), each node's view
//! of it (`/nodes/{node}/storage`, `.../status`) and what a storage holds (`.../content`):
//! the guests' disks that live there, a few ISO images and container templates, and the
//! backups on Proxmox Backup Server storages. Every volume passes PVE's
//! `check_volume_access` before it is listed.

use axum::http::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Permission};
use crate::scenario::{GuestKind, Storage, StorageKind};
use crate::state::{ClusterSim, ClusterState};

const GIB: u64 = 1 << 30;
const STORAGE_TYPES: &[&str] = &[
    "btrfs",
    "cephfs",
    "cifs",
    "dir",
    "esxi",
    "iscsi",
    "iscsidirect",
    "lvm",
    "lvmthin",
    "nfs",
    "pbs",
    "rbd",
    "zfs",
    "zfspool",
];

pub fn routes(r: &mut Vec<Route>) {
    let audit_or_space = || {
        Permission::Check(
            Check::perm(
                "/storage/{storage}",
                &["Datastore.Audit", "Datastore.AllocateSpace"],
            )
            .any(),
        )
    };
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/storage",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![
            opt("content", Kind::Format("pve-storage-content-list")),
            opt("enabled", Kind::Boolean),
            opt("format", Kind::Boolean),
            req("node", Kind::Node),
            opt("storage", Kind::Format("pve-storage-id")),
            opt("target", Kind::Node),
        ],
        handler: node_list,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/storage/{storage}",
        permission: audit_or_space(),
        allow_token: true,
        params: vec![
            req("node", Kind::Node),
            req("storage", Kind::Format("pve-storage-id")),
        ],
        handler: diridx,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/storage/{storage}/status",
        permission: audit_or_space(),
        allow_token: true,
        params: vec![
            req("node", Kind::Node),
            req("storage", Kind::Format("pve-storage-id")),
        ],
        handler: node_status,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/storage/{storage}/content",
        permission: audit_or_space(),
        allow_token: true,
        params: vec![
            opt("content", Kind::Format("pve-storage-content")),
            req("node", Kind::Node),
            req("storage", Kind::Format("pve-storage-id")),
            opt("vmid", Kind::VmId),
        ],
        handler: content,
    });
    r.push(Route {
        method: Method::GET,
        path: "/storage",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("type", Kind::Enum(STORAGE_TYPES))],
        handler: config_list,
    });
    r.push(Route {
        method: Method::GET,
        path: "/storage/{storage}",
        permission: Permission::Check(Check::perm("/storage/{storage}", &["Datastore.Allocate"])),
        allow_token: true,
        params: vec![req("storage", Kind::Format("pve-storage-id"))],
        handler: config_read,
    });
}

/// `content_hash_to_string`: the configured types, sorted.
fn content_string(s: &Storage) -> String {
    let mut c = s.content.clone();
    c.sort();
    c.dedup();
    c.join(",")
}

/// `storage.cfg` as PVE writes it; its SHA-1 is every entry's `digest`.
fn config_text(sim: &ClusterSim, state: &ClusterState) -> String {
    let mut text = String::new();
    for s in &state.spec.storages {
        text.push_str(&format!("{}: {}\n", s.kind.as_str(), s.id));
        let Value::Object(map) = storage_config(sim, s, "") else {
            continue;
        };
        for (k, v) in map {
            if matches!(k.as_str(), "storage" | "type" | "digest") {
                continue;
            }
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            text.push_str(&format!("\t{k} {v}\n"));
        }
        text.push('\n');
    }
    text
}

fn digest(sim: &ClusterSim, state: &ClusterState) -> String {
    hex::encode(Sha1::digest(config_text(sim, state).as_bytes()))
}

/// One `storage.cfg` entry in API form, with the type's usual settings.
fn storage_config(sim: &ClusterSim, s: &Storage, digest: &str) -> Value {
    let mut v = json!({ "storage": s.id, "type": s.kind.as_str(), "content": content_string(s) });
    match s.kind {
        StorageKind::Dir => {
            v["path"] = json!(if s.id == "local" {
                "/var/lib/vz".to_owned()
            } else {
                format!("/mnt/{}", s.id)
            });
            if s.content.iter().any(|c| c == "backup") {
                v["prune-backups"] = json!("keep-all=1");
            }
        }
        StorageKind::Zfspool => {
            v["pool"] = json!("rpool/data");
            v["sparse"] = json!(1);
        }
        StorageKind::Lvmthin => {
            v["thinpool"] = json!("data");
            v["vgname"] = json!("pve");
        }
        StorageKind::Rbd => {
            v["pool"] = json!(s.id);
            v["krbd"] = json!(0);
        }
        StorageKind::Nfs => {
            v["server"] = json!("192.0.2.20");
            v["export"] = json!(format!("/export/{}", s.id));
            v["path"] = json!(format!("/mnt/pve/{}", s.id));
            v["options"] = json!("vers=4.2");
        }
        StorageKind::Pbs => {
            // The scenario names the backup server; PVE stores where it listens. A cluster
            // served on its own (no backup servers attached) shows the name.
            if let Some(server) = &s.server {
                match sim.backup_server(server) {
                    Some(addr) => {
                        v["server"] = json!(addr.host);
                        v["port"] = json!(addr.port);
                        v["fingerprint"] = json!(addr.fingerprint);
                    }
                    None => v["server"] = json!(server),
                }
            }
            if let Some(ds) = &s.datastore {
                v["datastore"] = json!(ds);
            }
            if let Some(ns) = s.namespace.as_deref().filter(|ns| !ns.is_empty()) {
                v["namespace"] = json!(ns);
            }
            if let Some(user) = &s.username {
                v["username"] = json!(user);
            }
            v["prune-backups"] = json!("keep-all=1");
        }
    }
    if let Some(nodes) = &s.nodes {
        v["nodes"] = json!(nodes.join(","));
    }
    if s.shared {
        v["shared"] = json!(1);
    }
    if !digest.is_empty() {
        v["digest"] = json!(digest);
    }
    v
}

fn may_see_storage(call: &Call<'_>, id: &str) -> bool {
    call.can(
        &format!("/storage/{id}"),
        &["Datastore.Audit", "Datastore.AllocateSpace"],
        true,
    )
}

fn config_list(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let d = digest(call.sim, &state);
    let want = call.params.get("type");
    Ok(Value::Array(
        state
            .spec
            .storages
            .iter()
            .filter(|s| want.is_none_or(|t| t == s.kind.as_str()))
            .filter(|s| may_see_storage(call, &s.id))
            .map(|s| storage_config(call.sim, s, &d))
            .collect(),
    ))
}

fn config_read(call: &Call<'_>) -> Result<Value, ApiError> {
    let id = call.params.str("storage")?;
    let state = call.sim.state();
    let s = state
        .spec
        .storage(id)
        .ok_or_else(|| ApiError::failed(format!("storage '{id}' does not exist")))?;
    Ok(storage_config(call.sim, s, &digest(call.sim, &state)))
}

fn diridx(_call: &Call<'_>) -> Result<Value, ApiError> {
    Ok(json!([
        { "subdir": "content" }, { "subdir": "download-url" }, { "subdir": "file-restore" },
        { "subdir": "import-metadata" }, { "subdir": "prunebackups" }, { "subdir": "rrd" },
        { "subdir": "rrddata" }, { "subdir": "status" }, { "subdir": "upload" },
    ]))
}

/// `storage_info` for one storage on `node`: usage only when enabled there and active.
fn info(s: &Storage, node: &str, node_online: bool) -> Value {
    let enabled = s.available_on(node);
    let mut v = json!({
        "type": s.kind.as_str(), "content": content_string(s),
        "shared": u8::from(s.is_shared()), "enabled": u8::from(enabled),
        "active": 0, "total": 0, "used": 0, "avail": 0,
    });
    if enabled && node_online {
        let total = s.total_gib * GIB;
        let used = s.used_gib.min(s.total_gib) * GIB;
        v["active"] = json!(1);
        v["total"] = json!(total);
        v["used"] = json!(used);
        v["avail"] = json!(total - used);
    }
    v
}

/// `get_formats`: (supported, default), for the types that have disk formats.
fn formats(kind: StorageKind) -> Option<(&'static [&'static str], &'static str)> {
    match kind {
        StorageKind::Dir | StorageKind::Nfs => Some((&["qcow2", "raw", "subvol", "vmdk"], "raw")),
        StorageKind::Zfspool => Some((&["raw", "subvol"], "raw")),
        StorageKind::Lvmthin | StorageKind::Rbd => Some((&["raw"], "raw")),
        StorageKind::Pbs => None,
    }
}

fn node_list(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let p = &call.params;
    let state = call.sim.state();
    let wanted: Option<Vec<String>> = p.get("content").map(crate::perms::split_list);
    let target = p.get("target").filter(|t| *t != node && *t != "localhost");
    if let Some(id) = p.get("storage") {
        let known = state.spec.storage(id).is_some_and(|s| {
            wanted
                .as_ref()
                .is_none_or(|w| s.available_on(&node) && w.iter().any(|c| s.content.contains(c)))
        });
        if !known {
            return Err(ApiError::param("storage", "No such storage."));
        }
    }
    let mut out = Vec::new();
    for s in &state.spec.storages {
        if let Some(w) = &wanted
            && (!s.available_on(&node) || !w.iter().any(|c| s.content.contains(c)))
        {
            continue;
        }
        if !may_see_storage(call, &s.id) {
            continue;
        }
        if p.get("storage").is_some_and(|id| id != s.id) {
            continue;
        }
        if let Some(t) = target
            && (!s.shared || !s.available_on(&node) || !s.available_on(t))
        {
            continue;
        }
        let mut v = info(s, &node, true);
        v["storage"] = json!(s.id);
        if let Some(total) = v["total"].as_u64().filter(|t| *t > 0) {
            v["used_fraction"] = json!(v["used"].as_u64().unwrap_or(0) as f64 / total as f64);
        }
        if p.flag("format")
            && s.available_on(&node)
            && let Some((supported, default)) = formats(s.kind)
        {
            v["formats"] = json!({ "supported": supported, "default": default });
        }
        out.push(v);
    }
    out.sort_by(|a, b| a["storage"].as_str().cmp(&b["storage"].as_str()));
    Ok(Value::Array(out))
}

fn node_status(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let id = call.params.str("storage")?;
    let state = call.sim.state();
    let s = state
        .spec
        .storage(id)
        .ok_or_else(|| ApiError::param("storage", "No such storage."))?;
    Ok(info(s, &node, true))
}

/// One volume of a storage, with what `check_volume_access` needs to know.
struct Volume {
    volid: String,
    content: &'static str,
    format: String,
    size: u64,
    vmid: Option<u32>,
    ctime: i64,
    notes: Option<String>,
}

/// `size=32G` and friends in a drive string, in bytes.
fn drive_size(opts: &str) -> Option<u64> {
    let v = opts.split(',').find_map(|p| p.strip_prefix("size="))?;
    let (num, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
    let n: u64 = num.parse().ok()?;
    Some(match unit {
        "K" => n << 10,
        "M" => n << 20,
        "G" => n << 30,
        "T" => n << 40,
        _ => n,
    })
}

fn is_disk_key(kind: GuestKind, key: &str) -> bool {
    let numbered = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    match kind {
        GuestKind::Qemu => [
            "ide", "sata", "scsi", "virtio", "efidisk", "tpmstate", "unused",
        ]
        .iter()
        .any(|p| numbered(p)),
        GuestKind::Lxc => key == "rootfs" || numbered("mp") || numbered("unused"),
    }
}

/// Formats a unix time as PBS writes backup times: `2026-01-06T01:07:00Z`.
fn backup_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                d.year(),
                u8::from(d.month()),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            )
        })
        .unwrap_or_default()
}

const ISOS: &[(&str, u64)] = &[
    ("debian-13.1.0-amd64-netinst.iso", 783_286_272),
    ("ubuntu-24.04.3-live-server-amd64.iso", 3_303_444_480),
    ("virtio-win-0.1.285.iso", 771_891_200),
];
const TEMPLATES: &[(&str, u64)] = &[
    ("debian-13-standard_13.1-2_amd64.tar.zst", 129_412_608),
    ("ubuntu-24.04-standard_24.04-2_amd64.tar.zst", 141_725_184),
];

/// Everything stored on `s` as seen from `node`.
fn volumes(state: &ClusterState, s: &Storage, node: &str, now: i64, boot: i64) -> Vec<Volume> {
    let mut out = Vec::new();
    let has = |c: &str| s.content.iter().any(|x| x == c);
    for g in state.guests.values() {
        if !s.is_shared() && g.spec.node != node {
            continue;
        }
        let content = match g.spec.kind {
            GuestKind::Qemu => "images",
            GuestKind::Lxc => "rootdir",
        };
        if !has(content) {
            continue;
        }
        for (key, value) in &g.spec.config {
            if !is_disk_key(g.spec.kind, key) {
                continue;
            }
            let (file, opts) = value.split_once(',').unwrap_or((value, ""));
            let Some((sid, volname)) = file.split_once(':') else {
                continue;
            };
            if sid != s.id || volname.starts_with("iso/") {
                continue;
            }
            let cloudinit = volname.ends_with("-cloudinit");
            if opts.contains("media=cdrom") && !cloudinit {
                continue;
            }
            let (volname, format) = match s.kind {
                StorageKind::Dir | StorageKind::Nfs => {
                    let name = if volname.contains('/') {
                        volname.to_owned()
                    } else {
                        format!("{}/{volname}.qcow2", g.spec.vmid)
                    };
                    let format = name.rsplit('.').next().unwrap_or("raw").to_owned();
                    (name, format)
                }
                _ if volname.starts_with("subvol-") => (volname.to_owned(), "subvol".to_owned()),
                _ => (volname.to_owned(), "raw".to_owned()),
            };
            let size = drive_size(opts).unwrap_or(if cloudinit { 4 << 20 } else { 0 });
            out.push(Volume {
                volid: format!("{}:{volname}", s.id),
                content,
                format,
                size,
                vmid: Some(g.spec.vmid),
                ctime: boot - i64::from(g.spec.vmid % 89) * 86_400,
                notes: None,
            });
        }
    }
    if has("iso") {
        for (i, (name, size)) in ISOS.iter().enumerate() {
            out.push(Volume {
                volid: format!("{}:iso/{name}", s.id),
                content: "iso",
                format: "iso".into(),
                size: *size,
                vmid: None,
                ctime: boot - 40 * 86_400 + i as i64 * 3_600,
                notes: None,
            });
        }
    }
    if has("vztmpl") {
        for (i, (name, size)) in TEMPLATES.iter().enumerate() {
            out.push(Volume {
                volid: format!("{}:vztmpl/{name}", s.id),
                content: "vztmpl",
                format: "tzst".into(),
                size: *size,
                vmid: None,
                ctime: boot - 30 * 86_400 + i as i64 * 3_600,
                notes: None,
            });
        }
    }
    if s.kind == StorageKind::Pbs && has("backup") {
        // Nightly backups of every guest, the last three nights.
        let midnight = now - now.rem_euclid(86_400);
        for g in state.guests.values().filter(|g| !g.spec.template) {
            let (ty, format) = match g.spec.kind {
                GuestKind::Qemu => ("vm", "pbs-vm"),
                GuestKind::Lxc => ("ct", "pbs-ct"),
            };
            for day in 0..3 {
                let t = midnight - day * 86_400 + 3_600 + i64::from(g.spec.vmid % 60) * 60;
                if t > now {
                    continue;
                }
                out.push(Volume {
                    volid: format!("{}:backup/{ty}/{}/{}", s.id, g.spec.vmid, backup_time(t)),
                    content: "backup",
                    format: format.into(),
                    size: g.spec.disk_gib * GIB * 2 / 5,
                    vmid: Some(g.spec.vmid),
                    ctime: t,
                    notes: Some(g.spec.name.clone()),
                });
            }
        }
    }
    out.sort_by_key(|v| v.volid.to_lowercase());
    out
}

/// `PVE::Storage::check_volume_access` without an owning VM context.
fn may_access(call: &Call<'_>, storage: &str, v: &Volume) -> bool {
    let spath = format!("/storage/{storage}");
    if call.can(&spath, &["Datastore.Allocate"], false) {
        return true;
    }
    match (v.content, v.vmid) {
        ("iso" | "vztmpl" | "import", _) => call.can(
            &spath,
            &["Datastore.AllocateSpace", "Datastore.Audit"],
            true,
        ),
        ("backup", Some(vmid)) => {
            call.can(&spath, &["Datastore.AllocateSpace"], false)
                && call.can(&format!("/vms/{vmid}"), &["VM.Backup"], false)
        }
        ("images" | "rootdir", Some(vmid)) => {
            call.can(&spath, &["Datastore.Audit"], false)
                && call.can(&format!("/vms/{vmid}"), &["VM.Config.Disk"], false)
        }
        _ => false,
    }
}

fn content(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let id = call.params.str("storage")?.to_owned();
    let want = call.params.get("content");
    let vmid = call.params.int("vmid")?.map(|v| v as u32);
    if let Some(c) = want
        && ![
            "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import",
        ]
        .contains(&c)
    {
        return Err(ApiError::param(
            "content",
            format!("invalid format - invalid content type '{c}'"),
        ));
    }
    let state = call.sim.state();
    let s = state
        .spec
        .storage(&id)
        .ok_or_else(|| ApiError::failed(format!("storage '{id}' does not exist")))?;
    if !s.available_on(&node) {
        return Err(ApiError::failed(format!(
            "storage '{id}' is not available on node '{node}'"
        )));
    }
    let list = volumes(&state, s, &node, call.now, call.sim.boot_time());
    drop(state);
    let out = list
        .into_iter()
        .filter(|v| want.is_none_or(|c| c == v.content))
        .filter(|v| vmid.is_none_or(|id| v.vmid == Some(id)))
        .filter(|v| may_access(call, &id, v))
        .map(|v| {
            let mut o = json!({
                "volid": v.volid, "content": v.content, "format": v.format,
                "size": v.size, "ctime": v.ctime,
            });
            if let Some(id) = v.vmid {
                o["vmid"] = json!(id);
            }
            if let Some(n) = v.notes {
                o["notes"] = json!(n);
            }
            o
        })
        .collect();
    Ok(Value::Array(out))
}
