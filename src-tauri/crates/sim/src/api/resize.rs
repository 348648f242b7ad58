//! Disk resize (`PUT /nodes/{node}/qemu|lxc/{vmid}/resize`): a `resize` task that grows a
//! drive's or mount point's volume and writes the new `size=` into its config line.
//!
//! qemu-server makes every check inside the worker (so a refused resize is a failed
//! task); pve-container makes them before it forks as well (a refused resize is an error
//! answer) and again inside. Growing the guest's main disk (the first disk in the boot
//! order, or `rootfs`) also grows what `/cluster/resources` reports as `maxdisk`.

use std::sync::{Arc, OnceLock};

use axum::http::Method;
use serde_json::{Value, json};

use super::config::{
    check_skiplock, config_file, current_config, digest, find_guest, kind_of, lock_error,
    materialize, sync_scenario,
};
use super::lifecycle::{QEMU_TEMPLATE_DISKS, worker};
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Param, Route, opt, req};
use crate::perms::{Check, Denied, Permission};
use crate::scenario::GuestKind;
use crate::state::{ClusterState, GuestState};

const SIZE_PATTERN: &str = r"\+?\d+(\.\d+)?[KMGT]?";

/// The schema's `disk` enum of the LXC route: `rootfs`, `mp0` … `mp255`.
fn lxc_disks() -> &'static [&'static str] {
    static DISKS: OnceLock<Vec<&'static str>> = OnceLock::new();
    DISKS.get_or_init(|| {
        std::iter::once("rootfs")
            .chain((0..256).map(|i| &*Box::leak(format!("mp{i}").into_boxed_str())))
            .collect()
    })
}

pub fn routes(r: &mut Vec<Route>) {
    let common = |disks: &'static [&'static str]| -> Vec<Param> {
        vec![
            opt("digest", Kind::String),
            req("disk", Kind::Enum(disks)),
            req("node", Kind::Node),
            req("size", Kind::Pattern(SIZE_PATTERN)),
            req("vmid", Kind::VmId),
        ]
    };
    let mut qemu = common(QEMU_TEMPLATE_DISKS);
    qemu.push(opt("skiplock", Kind::Boolean));
    r.push(Route {
        method: Method::PUT,
        path: "/nodes/{node}/qemu/{vmid}/resize",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Config.Disk"])),
        allow_token: true,
        params: qemu,
        handler: resize,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/nodes/{node}/lxc/{vmid}/resize",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Config.Disk"]).any()),
        allow_token: true,
        params: common(lxc_disks()),
        handler: resize,
    });
}

/// `PVE::JSONSchema::parse_size`-like: a number with an optional K/M/G/T (binary) unit.
fn parse_size(s: &str) -> Option<f64> {
    let (num, unit) = match s.chars().last()? {
        c @ ('K' | 'M' | 'G' | 'T') => (&s[..s.len() - 1], Some(c)),
        _ => (s, None),
    };
    let n: f64 = num.parse().ok()?;
    let shift = match unit {
        None => 0,
        Some('K') => 10,
        Some('M') => 20,
        Some('G') => 30,
        _ => 40,
    };
    Some(n * (1u64 << shift) as f64)
}

/// `PVE::JSONSchema::format_size`: the largest unit that divides the size.
fn format_size(bytes: u64) -> String {
    let mut n = bytes;
    for unit in ["", "K", "M", "G"] {
        if !n.is_multiple_of(1024) {
            return format!("{n}{unit}");
        }
        n /= 1024;
    }
    format!("{n}T")
}

/// The guest's main disk, whose size the scenario keeps as `disk_gib`: `rootfs`, or the
/// first non-CD-ROM disk of the boot order (else the first of `scsi0`, `virtio0`, `sata0`,
/// `ide0` that is set).
fn main_disk(g: &GuestState, conf: &std::collections::BTreeMap<String, String>) -> String {
    if g.spec.kind == GuestKind::Lxc {
        return "rootfs".into();
    }
    let is_disk = |k: &str| {
        conf.get(k)
            .is_some_and(|v| !v.contains("media=cdrom") && QEMU_TEMPLATE_DISKS.contains(&k))
    };
    let order = conf
        .get("boot")
        .and_then(|b| b.strip_prefix("order="))
        .map(|o| o.split(';').map(str::to_owned).collect::<Vec<_>>())
        .unwrap_or_default();
    order
        .into_iter()
        .chain(conf.get("bootdisk").cloned())
        .chain(["scsi0", "virtio0", "sata0", "ide0"].map(str::to_owned))
        .find(|k| is_disk(k))
        .unwrap_or_default()
}

/// What a resize will do: the config key, its new value, and the new size in bytes
/// (`None`: already at that size, nothing to do).
struct Plan {
    value: String,
    new_size: Option<u64>,
    main: bool,
}

/// The checks both daemons make (in their order and words), and the new drive line.
#[allow(clippy::too_many_arguments)]
fn plan(
    state: &ClusterState,
    kind: GuestKind,
    node: &str,
    vmid: u32,
    disk: &str,
    size: &str,
    want_digest: Option<&str>,
    skiplock: bool,
    denied_storage: &dyn Fn(&str) -> bool,
) -> Result<Plan, String> {
    let g = state
        .guests
        .get(&vmid)
        .filter(|g| g.spec.node == node && g.spec.kind == kind)
        .ok_or_else(|| {
            format!(
                "Configuration file '{}' does not exist",
                config_file(kind, node, vmid)
            )
        })?;
    let stale = want_digest.is_some_and(|d| !d.is_empty() && d != digest(state, g));
    match kind {
        GuestKind::Qemu => {
            if stale {
                return Err("checksum mismatch (file change by other user?)".into());
            }
            if !skiplock && let Some(e) = lock_error(g) {
                return Err(e);
            }
        }
        GuestKind::Lxc => {
            if let Some(e) = lock_error(g) {
                return Err(e);
            }
            if stale {
                return Err(
                    "detected modified configuration - file changed by other user? Try again."
                        .into(),
                );
            }
        }
    }
    let conf = current_config(state, g);
    let value = conf.get(disk).ok_or_else(|| match kind {
        GuestKind::Qemu => format!("disk '{disk}' does not exist"),
        GuestKind::Lxc => format!("unable to parse volume '{disk}' - not set"),
    })?;
    let mut parts: Vec<String> = value.split(',').map(str::to_owned).collect();
    let volid = parts
        .iter()
        .find(|p| !p.contains('=') || p.starts_with("file=") || p.starts_with("volume="))
        .map(|p| p.split_once('=').map_or(p.as_str(), |(_, v)| v).to_owned())
        .unwrap_or_default();
    if volid.is_empty() {
        return Err(format!("disk '{disk}' has no associated volume"));
    }
    // parse_volname comes first: an empty CD-ROM drive (`none`) is no volume ID.
    if !volid.contains(':') && !volid.starts_with('/') {
        return Err(format!("unable to parse volume ID '{volid}'"));
    }
    if kind == GuestKind::Qemu && (value.contains("media=cdrom") || volid == "cdrom") {
        return Err("you can't resize a cdrom".into());
    }
    if let Some((sid, _)) = volid.split_once(':')
        && !volid.starts_with('/')
        && denied_storage(sid)
    {
        return Err(
            Denied::new(format!("/storage/{sid}"), &["Datastore.AllocateSpace"]).to_string(),
        );
    }
    let main = main_disk(g, &conf) == disk;
    let current = parts
        .iter()
        .find_map(|p| p.strip_prefix("size="))
        .and_then(parse_size)
        .map(|s| s as u64)
        .or_else(|| main.then_some(g.spec.disk_gib << 30))
        .ok_or_else(|| format!("Could not determine current size of volume '{volid}'"))?;
    let (grow, amount) = match size.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, size),
    };
    let requested = parse_size(amount).ok_or_else(|| "invalid size string".to_owned())?;
    let new_size = if grow {
        (current as f64 + requested) as u64
    } else {
        requested as u64
    };
    if new_size < current {
        return Err(match kind {
            GuestKind::Qemu => "shrinking disks is not supported".into(),
            GuestKind::Lxc => "unable to shrink disk size".into(),
        });
    }
    if new_size == current {
        return match kind {
            GuestKind::Qemu => Ok(Plan {
                value: value.clone(),
                new_size: None,
                main,
            }),
            GuestKind::Lxc => Err("disk is already at specified size".into()),
        };
    }
    let formatted = format!("size={}", format_size(new_size));
    match parts.iter_mut().find(|p| p.starts_with("size=")) {
        Some(p) => *p = formatted,
        None => parts.push(formatted),
    }
    Ok(Plan {
        value: parts.join(","),
        new_size: Some(new_size),
        main,
    })
}

fn resize(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let skiplock = match kind {
        GuestKind::Qemu => check_skiplock(call)?,
        GuestKind::Lxc => false,
    };
    let disk = call.params.str("disk")?.to_owned();
    let size = call.params.str("size")?.to_owned();
    let want_digest = call.params.get("digest").map(str::to_owned);
    // The storage privilege is the caller's; decide it now for the storages there are.
    let denied: std::collections::BTreeSet<String> = {
        let state = call.sim.state();
        find_guest(&state, kind, &node, vmid)?;
        state
            .spec
            .storages
            .iter()
            .map(|s| s.id.clone())
            .filter(|sid| {
                !call.can(
                    &format!("/storage/{sid}"),
                    &["Datastore.AllocateSpace"],
                    false,
                )
            })
            .collect()
    };
    let check = {
        let (node, disk, size, want_digest) = (
            node.clone(),
            disk.clone(),
            size.clone(),
            want_digest.clone(),
        );
        move |state: &ClusterState| {
            plan(
                state,
                kind,
                &node,
                vmid,
                &disk,
                &size,
                want_digest.as_deref(),
                skiplock,
                &|sid| denied.contains(sid),
            )
        }
    };
    let precheck = check(&call.sim.state()).map(|_| ());
    // pve-container refuses before it forks; qemu-server's worker fails.
    if kind == GuestKind::Lxc
        && let Err(e) = &precheck
    {
        // `$rpcenv->check` on the storage raises a permission exception, the rest dies.
        return Err(if e.starts_with("Permission check failed") {
            ApiError::new(axum::http::StatusCode::FORBIDDEN, e.clone())
        } else {
            ApiError::failed(e.clone())
        });
    }
    let noun = match kind {
        GuestKind::Qemu => "VM",
        GuestKind::Lxc => "CT",
    };
    let log = vec![format!(
        "update {noun} {vmid}: resize --disk {disk} --size {size}"
    )];
    let sim = Arc::clone(call.sim);
    let upid = worker(
        call,
        &node,
        "resize",
        &vmid.to_string(),
        log,
        precheck,
        |_| {},
        move |state| {
            let plan = check(state)?;
            let Some(new_size) = plan.new_size else {
                return Ok(());
            };
            materialize(state, vmid);
            if let Some(g) = state.guests.get_mut(&vmid) {
                g.spec.config.insert(disk.clone(), plan.value);
                if plan.main {
                    g.spec.disk_gib = new_size.div_ceil(1 << 30);
                }
            }
            sync_scenario(&sim, state, vmid);
            Ok(())
        },
    );
    Ok(json!(upid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_format_as_pve_does() {
        assert_eq!(parse_size("32G"), Some(32.0 * (1u64 << 30) as f64));
        assert_eq!(parse_size("512"), Some(512.0));
        assert_eq!(parse_size("1.5T"), Some(1.5 * (1u64 << 40) as f64));
        assert_eq!(parse_size("x"), None);
        assert_eq!(format_size(32 << 30), "32G");
        assert_eq!(format_size(1 << 40), "1T");
        assert_eq!(format_size((32 << 30) + (512 << 20)), "33280M");
        assert_eq!(format_size(1000), "1000");
        assert_eq!(lxc_disks().len(), 257);
        assert_eq!(lxc_disks()[256], "mp255");
    }
}
