//! What a VM tells about its inside: the QEMU guest agent commands
//! (`/nodes/{node}/qemu/{vmid}/agent/...`, answered from the scenario's agent interfaces)
//! and cloud-init (`.../cloudinit`, `.../cloudinit/dump`, the YAML PVE generates from the
//! guest's settings, byte for byte as `PVE::QemuServer::Cloudinit` writes it).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::ha::with_extra;
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, req};
use crate::perms::{Check, Permission};
use crate::scenario::{AgentInterface, GuestKind, GuestStatus};
use crate::state::{ClusterSim, ClusterState, GuestState};

/// Every command of PVE's `$guest_agent_commands`, its method and its own privilege
/// (always alongside `VM.GuestAgent.Unrestricted`).
const COMMANDS: &[(&str, &str, &[&str])] = &[
    (
        "fsfreeze-freeze",
        "POST",
        &["VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "fsfreeze-status",
        "POST",
        &[
            "VM.GuestAgent.Audit",
            "VM.GuestAgent.FileSystemMgmt",
            "VM.GuestAgent.Unrestricted",
        ],
    ),
    (
        "fsfreeze-thaw",
        "POST",
        &["VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "fstrim",
        "POST",
        &["VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-fsinfo",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-host-name",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-memory-block-info",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-memory-blocks",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-osinfo",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-time",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-timezone",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-users",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "get-vcpus",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "info",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "network-get-interfaces",
        "GET",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "ping",
        "POST",
        &["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "shutdown",
        "POST",
        &["VM.PowerMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "suspend-disk",
        "POST",
        &["VM.PowerMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "suspend-hybrid",
        "POST",
        &["VM.PowerMgmt", "VM.GuestAgent.Unrestricted"],
    ),
    (
        "suspend-ram",
        "POST",
        &["VM.PowerMgmt", "VM.GuestAgent.Unrestricted"],
    ),
];

pub fn routes(r: &mut Vec<Route>) {
    let node_vmid = || vec![req("node", Kind::Node), req("vmid", Kind::VmId)];
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/qemu/{vmid}/agent",
        permission: Permission::AllUsers,
        allow_token: true,
        params: node_vmid(),
        handler: index,
    });
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| COMMANDS.iter().map(|c| c.0).collect());
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/qemu/{vmid}/agent",
        // The compatibility endpoint: PVE lists the privilege twice.
        permission: Permission::Check(
            Check::perm(
                "/vms/{vmid}",
                &["VM.GuestAgent.Unrestricted", "VM.GuestAgent.Unrestricted"],
            )
            .any(),
        ),
        allow_token: true,
        params: vec![
            req("command", Kind::Enum(names.as_slice())),
            req("node", Kind::Node),
            req("vmid", Kind::VmId),
        ],
        handler: command,
    });
    for (name, method, privs) in COMMANDS {
        r.push(Route {
            method: if *method == "GET" {
                Method::GET
            } else {
                Method::POST
            },
            path: Box::leak(format!("/nodes/{{node}}/qemu/{{vmid}}/agent/{name}").into_boxed_str()),
            permission: Permission::Check(Check::perm("/vms/{vmid}", privs).any()),
            allow_token: true,
            params: node_vmid(),
            handler: command,
        });
    }
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/qemu/{vmid}/cloudinit",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
        allow_token: true,
        params: node_vmid(),
        handler: cloudinit_pending,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/nodes/{node}/qemu/{vmid}/cloudinit",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Config.Cloudinit"])),
        allow_token: true,
        params: node_vmid(),
        handler: cloudinit_update,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/qemu/{vmid}/cloudinit/dump",
        permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
        allow_token: true,
        params: vec![
            req("node", Kind::Node),
            req("type", Kind::Enum(&["user", "network", "meta"])),
            req("vmid", Kind::VmId),
        ],
        handler: cloudinit_dump,
    });
}

/// `PVE::QemuConfig->load_config` on the answering node: the VM must live there.
fn local_vm<'a>(
    state: &'a ClusterState,
    node: &str,
    vmid: u32,
) -> Result<&'a GuestState, ApiError> {
    state
        .guests
        .get(&vmid)
        .filter(|g| g.spec.node == node && g.spec.kind == GuestKind::Qemu)
        .ok_or_else(|| {
            ApiError::failed(format!(
                "Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist"
            ))
        })
}

fn index(_call: &Call<'_>) -> Result<Value, ApiError> {
    let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.0).collect();
    names.extend([
        "exec",
        "exec-status",
        "file-read",
        "file-write",
        "set-user-password",
    ]);
    names.sort_unstable();
    Ok(Value::Array(
        names.into_iter().map(|n| json!({ "name": n })).collect(),
    ))
}

/// Whether `agent` in the config enables the agent (`1`, or `enabled=1,...`).
fn agent_enabled(value: &str) -> bool {
    value.split(',').any(|part| {
        let v = part.strip_prefix("enabled=").unwrap_or(part);
        matches!(v, "1" | "on" | "yes" | "true")
    })
}

/// `assert_agent_available`: configured, VM running, agent answering its ping (it does
/// not while the VM is paused or the agent is disabled).
fn assert_agent(g: &GuestState) -> Result<(), ApiError> {
    let vmid = g.spec.vmid;
    let Some(agent) = g.spec.config.get("agent") else {
        return Err(ApiError::failed("No QEMU guest agent configured"));
    };
    if !g.running() {
        return Err(ApiError::failed(format!("VM {vmid} is not running")));
    }
    // qemu-server: "QEMU guest agent is not enabled" for `agent: 0`, checked before the
    // ping that fails while the VM is paused.
    if !agent_enabled(agent) {
        return Err(ApiError::failed("QEMU guest agent is not enabled"));
    }
    if g.spec.status == GuestStatus::Paused {
        return Err(ApiError::failed("QEMU guest agent is not running"));
    }
    Ok(())
}

fn command(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let cmd = match call.params.get("command") {
        Some(c) => c.to_owned(),
        None => call.path.rsplit('/').next().unwrap_or_default().to_owned(),
    };
    let (result, effect) = {
        let state = call.sim.state();
        let g = local_vm(&state, &node, vmid)?;
        assert_agent(g)?;
        let booted = with_extra(call.sim, |e| e.cloudinit_generated.get(&vmid).cloned());
        respond(g, &cmd, call.now, booted.as_ref())
    };
    if let Some(target) = effect {
        let mut state = call.sim.state();
        if let Some(g) = state.guests.get_mut(&vmid) {
            g.spec.status = target;
            if target == GuestStatus::Stopped {
                g.started_at = None;
            }
        }
    }
    Ok(json!({ "result": result }))
}

fn is_windows(g: &GuestState) -> bool {
    g.spec
        .config
        .get("ostype")
        .is_some_and(|o| o.starts_with('w'))
}

/// The agent's answer to `cmd`, and the power state it leaves the VM in, if it changes.
fn respond(
    g: &GuestState,
    cmd: &str,
    now: i64,
    booted: Option<&BTreeMap<String, String>>,
) -> (Value, Option<GuestStatus>) {
    let s = &g.spec;
    let empty = json!({});
    match cmd {
        "network-get-interfaces" => (interfaces(g, now, booted), None),
        "get-host-name" => (json!({ "host-name": s.name }), None),
        "get-osinfo" => (osinfo(g), None),
        "info" => {
            let supported: Vec<Value> = COMMANDS
                .iter()
                .map(|c| json!({ "name": format!("guest-{}", c.0), "enabled": true, "success-response": !matches!(c.0, "shutdown" | "suspend-disk" | "suspend-ram" | "suspend-hybrid") }))
                .collect();
            (
                json!({ "version": "9.2.0", "supported_commands": supported }),
                None,
            )
        }
        "get-time" => (json!(now.saturating_mul(1_000_000_000)), None),
        "get-timezone" => (json!({ "zone": "UTC", "offset": 0 }), None),
        "get-users" => (
            json!([{ "user": if is_windows(g) { "Administrator" } else { "root" }, "login-time": g.started_at.unwrap_or(now) as f64 + 42.5 }]),
            None,
        ),
        "get-vcpus" => (
            Value::Array(
                (0..s.cores)
                    .map(|i| json!({ "logical-id": i, "online": true, "can-offline": i != 0 }))
                    .collect(),
            ),
            None,
        ),
        "get-fsinfo" => {
            let total = s.disk_gib << 30;
            (
                json!([{
                    "name": if is_windows(g) { "C:\\" } else { "sda1" },
                    "mountpoint": if is_windows(g) { "C:\\" } else { "/" },
                    "type": if is_windows(g) { "NTFS" } else { "ext4" },
                    "total-bytes": total, "used-bytes": total * 2 / 5,
                    "disk": [{ "bus-type": "scsi", "bus": 0, "target": 0, "unit": 0, "dev": "/dev/sda1",
                               "pci-controller": { "domain": 0, "bus": 9, "slot": 1, "function": 0 } }],
                }]),
                None,
            )
        }
        "get-memory-blocks" => {
            let blocks = (s.memory_mib / 128).max(1);
            (
                Value::Array(
                    (0..blocks)
                        .map(|i| json!({ "phys-index": i, "online": true, "can-offline": i != 0 }))
                        .collect(),
                ),
                None,
            )
        }
        "get-memory-block-info" => (json!({ "size": 128u64 << 20 }), None),
        "fsfreeze-status" => (json!("thawed"), None),
        "fsfreeze-freeze" | "fsfreeze-thaw" => (json!(1), None),
        "fstrim" => (
            json!({ "paths": [{ "path": "/", "minimum": 0, "trimmed": (s.disk_gib << 30) / 50 }] }),
            None,
        ),
        "shutdown" | "suspend-disk" => (empty, Some(GuestStatus::Stopped)),
        "suspend-ram" | "suspend-hybrid" => (empty, Some(GuestStatus::Paused)),
        _ => (empty, None),
    }
}

fn osinfo(g: &GuestState) -> Value {
    if is_windows(g) {
        json!({
            "name": "Microsoft Windows", "kernel-release": "26100", "kernel-version": "10.0",
            "machine": "x86_64", "id": "mswindows", "version-id": "11",
            "pretty-name": "Windows 11 Pro", "variant": "client", "variant-id": "client",
        })
    } else {
        json!({
            "name": "Debian GNU/Linux", "kernel-release": "6.12.48+deb13-amd64",
            "kernel-version": "#1 SMP PREEMPT_DYNAMIC Debian 6.12.48-1 (2025-09-20)",
            "machine": "x86_64", "id": "debian", "version-id": "13",
            "version": "13 (trixie)", "pretty-name": "Debian GNU/Linux 13 (trixie)",
        })
    }
}

/// A counter that grows with the guest's uptime, so statistics look alive.
fn counter(vmid: u32, salt: u64, uptime: i64) -> u64 {
    let rate = 1_000 + (u64::from(vmid).wrapping_mul(2_654_435_761) ^ salt) % 50_000;
    rate * uptime.max(0) as u64
}

/// The value of `key` among a property string's `key=value` pairs.
fn prop<'a>(key: &str, from: &[(&'a str, &'a str)]) -> Option<&'a str> {
    from.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The interfaces a running guest reports: the scenario's, or, for a guest the scenario gave
/// none (a clone, a guest whose agent was turned on later), what its configuration makes of
/// each `netN`: the NIC's MAC, and the address cloud-init or the container's `ip=` sets. A
/// `dhcp` address is a lease from the documentation range 198.51.100.0/24 (203.0.113.0/24
/// for a second NIC) and `ip6=auto`/`dhcp` an address in 2001:db8::/32, each fixed by the
/// VMID; every NIC has its link-local IPv6 address.
///
/// `booted`: the cloud-init values the running guest booted with, when they differ from the
/// config's (a change made since its start waits for the next one, as in the guest).
pub(crate) fn reported_interfaces(
    spec: &crate::scenario::Guest,
    booted: Option<&BTreeMap<String, String>>,
) -> Vec<AgentInterface> {
    if !spec.agent_interfaces.is_empty() {
        return spec.agent_interfaces.clone();
    }
    let mut nets: Vec<(u32, &String)> = spec
        .config
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("net")?.parse::<u32>().ok()?, v)))
        .collect();
    nets.sort_by_key(|(n, _)| *n);
    let vmid = spec.vmid;
    nets.into_iter()
        .map(|(n, net)| {
            let parts: Vec<(&str, &str)> =
                net.split(',').filter_map(|p| p.split_once('=')).collect();
            let is_mac = |m: &str| m.len() == 17 && m.matches(':').count() == 5;
            let (name, mac, addressing) = match spec.kind {
                GuestKind::Lxc => (
                    prop("name", &parts).unwrap_or("eth0").to_owned(),
                    prop("hwaddr", &parts).unwrap_or_default().to_owned(),
                    parts.clone(),
                ),
                GuestKind::Qemu => {
                    let mac = parts
                        .iter()
                        .find(|(_, v)| is_mac(v))
                        .map(|(_, v)| *v)
                        .unwrap_or_default();
                    let key = format!("ipconfig{n}");
                    // The scenario keeps ipconfig0 with the other cloud-init values.
                    let ipconfig0 = spec.cloudinit.as_ref().and_then(|c| c.ipconfig0.as_deref());
                    let ipconfig = match booted {
                        Some(values) => values.get(&key).map(String::as_str),
                        None => spec.config.get(&key).map(String::as_str).or(if n == 0 {
                            ipconfig0
                        } else {
                            None
                        }),
                    }
                    .unwrap_or("ip=dhcp");
                    let addressing = ipconfig
                        .split(',')
                        .filter_map(|p| p.split_once('='))
                        .collect();
                    // PVE's virtio NICs sit at PCI slot 18 onwards: ens18, ens19, …
                    (format!("ens{}", 18 + n), mac.to_owned(), addressing)
                }
            };
            let host = 10 + vmid % 240;
            let mut ips = Vec::new();
            match prop("ip", &addressing) {
                Some("dhcp") | None => ips.push(if n == 0 {
                    format!("198.51.100.{host}/24")
                } else {
                    format!("203.0.113.{host}/24")
                }),
                Some("manual") => {}
                Some(cidr) => ips.push(cidr.to_owned()),
            }
            match prop("ip6", &addressing) {
                Some("auto" | "dhcp") => ips.push(format!("2001:db8:{:x}::{vmid:x}/64", 0x100 + n)),
                Some("manual") | None => {}
                Some(cidr) => ips.push(cidr.to_owned()),
            }
            ips.push(format!("fe80::{:x}:{vmid:x}/64", 0x200 + n));
            AgentInterface { name, mac, ips }
        })
        .collect()
}

/// `guest-network-get-interfaces`: the guest's interfaces ([`reported_interfaces`]), with
/// the loopback the agent always reports first (unless the scenario already lists one).
fn interfaces(g: &GuestState, now: i64, booted: Option<&BTreeMap<String, String>>) -> Value {
    let vmid = g.spec.vmid;
    let reported = reported_interfaces(&g.spec, booted);
    let uptime = g.started_at.map_or(0, |t| now - t);
    let has_loopback = reported.iter().any(|i| {
        i.name == "lo"
            || i.ips
                .iter()
                .any(|ip| ip.starts_with("127.") || ip == "::1/128")
    });
    let mut list: Vec<(String, String, Vec<String>)> = Vec::new();
    if !has_loopback {
        list.push((
            "lo".into(),
            "00:00:00:00:00:00".into(),
            vec!["127.0.0.1/8".into(), "::1/128".into()],
        ));
    }
    list.extend(reported.into_iter().map(|i| (i.name, i.mac, i.ips)));
    let out = list
        .into_iter()
        .enumerate()
        .map(|(idx, (name, mac, ips))| {
            let salt = idx as u64 * 7919;
            let loopback = ips.iter().any(|ip| ip.starts_with("127."));
            let rx = counter(vmid, salt, uptime) / if loopback { 20 } else { 1 };
            let tx = counter(vmid, salt ^ 0xABCD, uptime) / if loopback { 20 } else { 2 };
            let addrs: Vec<Value> = ips
                .iter()
                .map(|cidr| {
                    let (ip, prefix) = cidr.split_once('/').unwrap_or((cidr, ""));
                    let v6 = ip.contains(':');
                    let prefix: u32 = prefix.parse().unwrap_or(if v6 { 128 } else { 32 });
                    json!({
                        "ip-address": ip,
                        "ip-address-type": if v6 { "ipv6" } else { "ipv4" },
                        "prefix": prefix,
                    })
                })
                .collect();
            let mut v = json!({
                "name": name,
                "ip-addresses": addrs,
                "statistics": {
                    "rx-bytes": rx, "rx-packets": rx / 900, "rx-errs": 0, "rx-dropped": 0,
                    "tx-bytes": tx, "tx-packets": tx / 700, "tx-errs": 0, "tx-dropped": 0,
                },
            });
            if !mac.is_empty() {
                v["hardware-address"] = json!(mac.to_lowercase());
            }
            v
        })
        .collect();
    Value::Array(out)
}

// ---- cloud-init ----------------------------------------------------------------------

/// `$cloudinitoptions` plus the `ipconfigN` keys: what is recorded when the drive is
/// generated, and so what can be pending.
const CI_KEYS: &[&str] = &[
    "cicustom",
    "cipassword",
    "citype",
    "ciuser",
    "ciupgrade",
    "nameserver",
    "searchdomain",
    "sshkeys",
];

/// PVE's percent-encoding of `sshkeys` in the config (`URI::Escape` of the key text).
fn uri_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn uri_unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The guest's cloud-init settings as config keys: the scenario's typed fields, with
/// raw config keys (written by a config update) taking precedence.
fn ci_values(g: &GuestState) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(ci) = &g.spec.cloudinit {
        if let Some(u) = &ci.user {
            out.insert("ciuser".to_owned(), u.clone());
        }
        if let Some(ip) = &ci.ipconfig0 {
            out.insert("ipconfig0".to_owned(), ip.clone());
        }
        if let Some(n) = &ci.nameserver {
            out.insert("nameserver".to_owned(), n.clone());
        }
        if let Some(s) = &ci.searchdomain {
            out.insert("searchdomain".to_owned(), s.clone());
        }
        if !ci.sshkeys.is_empty() {
            out.insert(
                "sshkeys".to_owned(),
                uri_escape(&(ci.sshkeys.join("\n") + "\n")),
            );
        }
    }
    for (k, v) in &g.spec.config {
        if CI_KEYS.contains(&k.as_str()) || k.starts_with("ipconfig") {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Whether `key` is one the cloud-init drive is generated from.
pub(super) fn is_ci_key(key: &str) -> bool {
    CI_KEYS.contains(&key) || key.starts_with("ipconfig")
}

/// Records the values the drive holds now, unless a regeneration recorded them already:
/// called before a config change touches a cloud-init key.
pub(super) fn remember_generated(sim: &Arc<ClusterSim>, state: &ClusterState, vmid: u32) {
    let Some(g) = state.guests.get(&vmid) else {
        return;
    };
    let known = with_extra(sim, |e| e.cloudinit_generated.contains_key(&vmid));
    if !known {
        let values = ci_values(g);
        with_extra(sim, |e| {
            e.cloudinit_generated.entry(vmid).or_insert(values);
        });
    }
}

/// The values the current drive was generated from: the last regeneration, else the
/// guest as the scenario defined it (its drive was built from that).
fn ci_generated(call: &Call<'_>, state: &ClusterState, g: &GuestState) -> BTreeMap<String, String> {
    let vmid = g.spec.vmid;
    if let Some(v) = with_extra(call.sim, |e| e.cloudinit_generated.get(&vmid).cloned()) {
        return v;
    }
    match state.spec.guests.iter().find(|o| o.vmid == vmid) {
        Some(original) => ci_values(&GuestState {
            spec: original.clone(),
            started_at: None,
        }),
        None => ci_values(g),
    }
}

fn cloudinit_drive(g: &GuestState) -> Option<String> {
    let cloudinit = format!("vm-{}-cloudinit", g.spec.vmid);
    g.spec
        .config
        .iter()
        .filter(|(k, _)| {
            ["ide", "sata", "scsi", "virtio"]
                .iter()
                .any(|p| k.strip_prefix(p).is_some_and(|n| n.parse::<u32>().is_ok()))
        })
        .find(|(_, v)| v.split(',').next().is_some_and(|f| f.contains(&cloudinit)))
        .map(|(k, _)| k.clone())
}

/// `GET .../cloudinit`: PVE's walk over the recorded section, including its habit of
/// listing only the eight `$cloudinitoptions` keys (not `ipconfigN`) as existing values.
fn cloudinit_pending(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let state = call.sim.state();
    let g = local_vm(&state, &node, vmid)?;
    let mut conf = ci_values(g);
    let generated = ci_generated(call, &state, g);
    // The section PVE keeps: old values of changed or deleted keys, and `added`.
    let mut ci: BTreeMap<String, String> = BTreeMap::new();
    let mut added = Vec::new();
    for key in conf.keys().chain(generated.keys()) {
        if ci.contains_key(key) || added.contains(key) {
            continue;
        }
        match (generated.get(key), conf.get(key)) {
            (None, Some(_)) => added.push(key.clone()),
            (Some(old), Some(new)) if old != new => {
                ci.insert(key.clone(), old.clone());
            }
            (Some(old), None) => {
                ci.insert(key.clone(), old.clone());
            }
            _ => {}
        }
    }
    let mask = |m: &mut BTreeMap<String, String>| {
        if let Some(p) = m.get_mut("cipassword") {
            *p = "**********".to_owned();
        }
    };
    mask(&mut conf);
    mask(&mut ci);
    let mut out = Vec::new();
    for key in &added {
        out.push(json!({ "key": key, "pending": conf.get(key) }));
    }
    for opt in CI_KEYS {
        let Some(value) = conf.get(*opt).filter(|v| !v.is_empty()) else {
            continue;
        };
        if added.iter().any(|a| a.contains(opt)) {
            continue;
        }
        match ci.get(*opt) {
            Some(old) => out.push(json!({ "key": opt, "value": old, "pending": value })),
            None => out.push(json!({ "key": opt, "value": value })),
        }
    }
    for key in ci.keys() {
        if conf.get(key).is_some_and(|v| !v.is_empty()) {
            continue;
        }
        out.push(json!({ "key": key, "delete": 1 }));
    }
    Ok(Value::Array(out))
}

/// `PUT .../cloudinit`: regenerates the drive from the current values (a no-op without a
/// cloud-init drive), so nothing is pending afterwards.
fn cloudinit_update(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let state = call.sim.state();
    let g = local_vm(&state, &node, vmid)?;
    if let Some(lock) = &g.spec.lock {
        return Err(ApiError::failed(format!("VM is locked ({lock})")));
    }
    if cloudinit_drive(g).is_none() {
        return Ok(Value::Null);
    }
    let now = ci_values(g);
    with_extra(call.sim, |e| e.cloudinit_generated.insert(vmid, now));
    Ok(Value::Null)
}

fn cloudinit_dump(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = call.params.str("type")?.to_owned();
    let state = call.sim.state();
    let g = local_vm(&state, &node, vmid)?;
    let mut conf = ci_values(g);
    for (k, v) in &g.spec.config {
        if k.starts_with("net") || k == "ostype" {
            conf.insert(k.clone(), v.clone());
        }
    }
    conf.insert("name".to_owned(), g.spec.name.clone());
    let mask = !call.can(&format!("/vms/{vmid}"), &["VM.Config.Cloudinit"], false);
    let nocloud = match conf.get("citype") {
        Some(t) => t == "nocloud",
        None => conf.get("ostype").is_none_or(|o| windows_version(o) == 0),
    };
    let network = |conf: &BTreeMap<String, String>| {
        if nocloud {
            nocloud_network(conf)
        } else {
            configdrive2_network(conf)
        }
    };
    let text = match kind.as_str() {
        "user" => userdata(&conf, vmid, mask),
        "network" => network(&conf)?,
        _ => {
            let uuid = hex::encode(Sha1::digest(
                format!("{}{}", userdata(&conf, vmid, false), network(&conf)?).as_bytes(),
            ));
            if nocloud {
                format!("instance-id: {uuid}\n")
            } else {
                format!(
                    "{{\n     \"uuid\": \"{uuid}\",\n     \"network_config\": {{ \"content_path\": \"/content/0000\" }}\n}}\n"
                )
            }
        }
    };
    Ok(json!(text))
}

fn windows_version(ostype: &str) -> u32 {
    match ostype {
        "wxp" | "w2k3" | "w2k" => 5,
        "w2k8" | "wvista" => 6,
        o => o
            .strip_prefix("win")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    }
}

/// `cloudinit_userdata`.
fn userdata(conf: &BTreeMap<String, String>, vmid: u32, mask_password: bool) -> String {
    let name = conf
        .get("name")
        .cloned()
        .unwrap_or_else(|| format!("VM{vmid}"));
    let (hostname, fqdn) = if name.contains('.') {
        (
            name.split('.').next().unwrap_or_default().to_owned(),
            name.clone(),
        )
    } else if let Some(search) = conf.get("searchdomain").filter(|s| !s.is_empty()) {
        (name.clone(), format!("{name}.{search}"))
    } else {
        (name.clone(), name.clone())
    };
    let mut c = String::from("#cloud-config\n");
    c += &format!("hostname: {hostname}\nmanage_etc_hosts: true\nfqdn: {fqdn}\n");
    let user = conf.get("ciuser");
    if let Some(u) = user {
        c += &format!("user: {u}\n");
        if u == "root" {
            c += "disable_root: False\n";
        }
    }
    if let Some(p) = conf.get("cipassword") {
        if mask_password {
            c += "password: **********\n";
        } else {
            c += &format!("password: {p}\n");
        }
    }
    if let Some(keys) = conf.get("sshkeys") {
        c += "ssh_authorized_keys:\n";
        for k in uri_unescape(keys)
            .split('\n')
            .map(str::trim_end)
            .filter(|k| !k.trim().is_empty())
        {
            c += &format!("  - {k}\n");
        }
    }
    c += "chpasswd:\n  expire: False\n";
    if user.is_none_or(|u| u != "root") {
        c += "users:\n  - default\n";
    }
    if conf.get("ciupgrade").is_none_or(|v| v != "0") {
        c += "package_upgrade: true\n";
    }
    c
}

/// The simulated hosts have no resolv.conf entries of their own to fall back on.
fn dns_conf(conf: &BTreeMap<String, String>) -> (Vec<String>, Vec<String>) {
    let split = |k: &str| -> Vec<String> {
        conf.get(k)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    (split("searchdomain"), split("nameserver"))
}

fn parse_kv(s: &str) -> BTreeMap<String, String> {
    s.split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The MAC of a `netN` value (`virtio=BC:24:11:..,bridge=vmbr0`).
fn net_mac(net: &str) -> Option<String> {
    net.split(',').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "macaddr"].contains(&k)
            && v.matches(':').count() == 5)
            .then(|| v.to_owned())
    })
}

fn ipv4_mask(prefix: u32) -> String {
    let m: u32 = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    };
    format!(
        "{}.{}.{}.{}",
        m >> 24,
        (m >> 16) & 255,
        (m >> 8) & 255,
        m & 255
    )
}

fn split_ip4(ip: &str) -> Result<(String, String), ApiError> {
    let (addr, prefix) = ip
        .split_once('/')
        .ok_or_else(|| ApiError::failed(format!("not a CIDR: {ip}")))?;
    let prefix: u32 = prefix
        .parse()
        .map_err(|_| ApiError::failed(format!("not a CIDR: {ip}")))?;
    Ok((addr.to_owned(), ipv4_mask(prefix)))
}

/// The `netN` interfaces that have an `ipconfigN`, in PVE's (string) order.
fn configured_nets(
    conf: &BTreeMap<String, String>,
) -> Vec<(String, String, BTreeMap<String, String>)> {
    conf.iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("net")?;
            id.parse::<u32>().ok()?;
            let ipc = conf
                .get(&format!("ipconfig{id}"))
                .filter(|s| !s.is_empty())?;
            Some((id.to_owned(), v.clone(), parse_kv(ipc)))
        })
        .collect()
}

/// `nocloud_network` (network-config version 1).
fn nocloud_network(conf: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let mut c = String::from("version: 1\nconfig:\n");
    for (id, net, ipc) in configured_nets(conf) {
        let mac = net_mac(&net)
            .ok_or_else(|| {
                ApiError::failed(format!("network interface 'net{id}' has no mac address"))
            })?
            .to_lowercase();
        c += &format!(
            "    - type: physical\n      name: eth{id}\n      mac_address: '{mac}'\n      subnets:\n"
        );
        let i = "      ";
        if let Some(ip) = ipc.get("ip") {
            if ip == "dhcp" {
                c += &format!("{i}- type: dhcp4\n");
            } else {
                let (addr, mask) = split_ip4(ip)?;
                c +=
                    &format!("{i}- type: static\n{i}  address: '{addr}'\n{i}  netmask: '{mask}'\n");
                if let Some(gw) = ipc.get("gw") {
                    c += &format!("{i}  gateway: '{gw}'\n");
                }
            }
        }
        if let Some(ip) = ipc.get("ip6") {
            match ip.as_str() {
                "dhcp" => c += &format!("{i}- type: dhcp6\n"),
                "auto" => c += &format!("{i}- type: ipv6_slaac\n"),
                _ => {
                    c += &format!("{i}- type: static6\n{i}  address: '{ip}'\n");
                    if let Some(gw) = ipc.get("gw6") {
                        c += &format!("{i}  gateway: '{gw}'\n");
                    }
                }
            }
        }
    }
    let (search, servers) = dns_conf(conf);
    c += "    - type: nameserver\n";
    if !servers.is_empty() {
        c += "      address:\n";
        for s in &servers {
            c += &format!("      - '{s}'\n");
        }
    }
    if !search.is_empty() {
        c += "      search:\n";
        for s in &search {
            c += &format!("      - '{s}'\n");
        }
    }
    Ok(c)
}

/// `configdrive2_network` (ifupdown style), used for Windows guests and other formats.
fn configdrive2_network(conf: &BTreeMap<String, String>) -> Result<String, ApiError> {
    let mut c = String::from("auto lo\niface lo inet loopback\n\n");
    let (search, servers) = dns_conf(conf);
    if !servers.is_empty() {
        c += &format!("        dns_nameservers {}\n", servers.join(" "));
    }
    if !search.is_empty() {
        c += &format!("        dns_search {}\n", search.join(" "));
    }
    for (id, _, ipc) in configured_nets(conf) {
        let id = format!("eth{id}");
        c += &format!("auto {id}\n");
        if let Some(ip) = ipc.get("ip").filter(|s| !s.is_empty()) {
            if ip == "dhcp" {
                c += &format!("iface {id} inet dhcp\n");
            } else {
                let (addr, mask) = split_ip4(ip)?;
                c += &format!(
                    "iface {id} inet static\n        address {addr}\n        netmask {mask}\n"
                );
                if let Some(gw) = ipc.get("gw").filter(|s| !s.is_empty()) {
                    c += &format!("        gateway {gw}\n");
                }
            }
        }
        if let Some(ip) = ipc.get("ip6").filter(|s| !s.is_empty()) {
            if ip == "auto" || ip == "dhcp" {
                c += &format!("iface {id} inet6 {ip}\n");
            } else {
                let (addr, mask) = ip.split_once('/').unwrap_or((ip, ""));
                c += &format!(
                    "iface {id} inet6 static\n        address {addr}\n        netmask {mask}\n"
                );
                if let Some(gw) = ipc.get("gw6").filter(|s| !s.is_empty()) {
                    c += &format!("        gateway {gw}\n");
                }
            }
        }
    }
    Ok(c)
}
