//! Guest configuration (`/nodes/{node}/qemu|lxc/{vmid}/config`): the config file as PVE
//! renders it, its SHA-1 `digest`, and updates that honour digest, locks and the per-key
//! privileges qemu-server and pve-container check inside their handlers (the route's own
//! permission only asks for any one `VM.Config.*`).
//!
//! The helpers here (guest lookup, lock check, config rendering, keeping the scenario copy
//! in step) are shared with the lifecycle and snapshot modules, which change the same file.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::Method;
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use super::nodes::online_node;
use super::pending::{self, Plug, pending_config, pending_section};
use super::{ApiError, Call, Kind, Param, Route, opt, req};
use crate::perms::{Check, Denied, Permission, Principal};
use crate::scenario::{CloudInit, GuestKind, StorageKind};
use crate::state::{ClusterSim, ClusterState, GuestState};

const QEMU_CONFIG_PRIVS: &[&str] = &[
    "VM.Config.Disk",
    "VM.Config.CDROM",
    "VM.Config.CPU",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.HWType",
    "VM.Config.Options",
    "VM.Config.Cloudinit",
];
const LXC_CONFIG_PRIVS: &[&str] = &[
    "VM.Config.Disk",
    "VM.Config.CPU",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
];

pub fn routes(r: &mut Vec<Route>) {
    for (path, _) in [
        ("/nodes/{node}/qemu/{vmid}/config", GuestKind::Qemu),
        ("/nodes/{node}/lxc/{vmid}/config", GuestKind::Lxc),
    ] {
        r.push(Route {
            method: Method::GET,
            path,
            permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
            allow_token: true,
            params: vec![
                opt("current", Kind::Boolean),
                req("node", Kind::Node),
                opt("snapshot", Kind::Format("pve-configid")),
                req("vmid", Kind::VmId),
            ],
            handler: get_config,
        });
    }
    r.push(Route {
        method: Method::PUT,
        path: "/nodes/{node}/qemu/{vmid}/config",
        permission: Permission::Check(Check::perm("/vms/{vmid}", QEMU_CONFIG_PRIVS).any()),
        allow_token: true,
        params: qemu_put_params(),
        handler: update_config_sync,
    });
    r.push(Route {
        method: Method::POST,
        path: "/nodes/{node}/qemu/{vmid}/config",
        permission: Permission::Check(Check::perm("/vms/{vmid}", QEMU_CONFIG_PRIVS).any()),
        allow_token: true,
        params: qemu_post_params(),
        handler: update_config_async,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/nodes/{node}/lxc/{vmid}/config",
        permission: Permission::Check(Check::perm("/vms/{vmid}", LXC_CONFIG_PRIVS).any()),
        allow_token: true,
        params: lxc_put_params(),
        handler: update_config_sync,
    });
}

// Generated from the schema: every parameter name, required flag, enum and bound.
fn qemu_put_params() -> Vec<Param> {
    vec![
        opt("acpi", Kind::Boolean),
        opt("affinity", Kind::Format("pve-cpuset")),
        opt("agent", Kind::String),
        opt("allow-ksm", Kind::Boolean),
        opt("amd-sev", Kind::Format("pve-qemu-sev-fmt")),
        opt("arch", Kind::Enum(&["x86_64", "aarch64"])),
        opt("args", Kind::String),
        opt("audio0", Kind::String),
        opt("autostart", Kind::Boolean),
        opt(
            "balloon",
            Kind::Integer {
                min: Some(0),
                max: None,
            },
        ),
        opt("bios", Kind::Enum(&["seabios", "ovmf"])),
        opt("boot", Kind::Format("pve-qm-boot")),
        opt(
            "bootdisk",
            Kind::FormatAndPattern {
                format: "pve-qm-bootdisk",
                pattern: r"(ide|sata|scsi|virtio)\d+",
            },
        ),
        opt("cdrom", Kind::Format("pve-qm-ide")),
        opt("cicustom", Kind::Format("pve-qm-cicustom")),
        opt("cipassword", Kind::String),
        opt(
            "citype",
            Kind::Enum(&["configdrive2", "nocloud", "opennebula"]),
        ),
        opt("ciupgrade", Kind::Boolean),
        opt("ciuser", Kind::String),
        opt(
            "cores",
            Kind::Integer {
                min: Some(1),
                max: None,
            },
        ),
        opt("cpu", Kind::Format("pve-vm-cpu-conf")),
        opt(
            "cpulimit",
            Kind::Number {
                min: Some(0.0),
                max: Some(128.0),
            },
        ),
        opt(
            "cpuunits",
            Kind::Integer {
                min: Some(1),
                max: Some(262144),
            },
        ),
        opt("delete", Kind::Format("pve-configid-list")),
        opt("description", Kind::String),
        opt("digest", Kind::String),
        opt("efidisk0", Kind::String),
        opt("force", Kind::Boolean),
        opt("freeze", Kind::Boolean),
        opt("hookscript", Kind::Format("pve-volume-id")),
        opt("hostpci[n]", Kind::Format("pve-qm-hostpci")),
        opt("hotplug", Kind::Format("pve-hotplug-features")),
        opt("hugepages", Kind::Enum(&["any", "2", "1024"])),
        opt("ide[n]", Kind::String),
        opt("intel-tdx", Kind::Format("pve-qemu-tdx-fmt")),
        opt("ipconfig[n]", Kind::Format("pve-qm-ipconfig")),
        opt("ivshmem", Kind::String),
        opt("keephugepages", Kind::Boolean),
        opt(
            "keyboard",
            Kind::Enum(&[
                "de", "de-ch", "da", "en-gb", "en-us", "es", "fi", "fr", "fr-be", "fr-ca", "fr-ch",
                "hu", "is", "it", "ja", "lt", "mk", "nl", "no", "pl", "pt", "pt-br", "sv", "sl",
                "tr",
            ]),
        ),
        opt("kvm", Kind::Boolean),
        opt("localtime", Kind::Boolean),
        opt(
            "lock",
            Kind::Enum(&[
                "backup",
                "clone",
                "create",
                "migrate",
                "rollback",
                "snapshot",
                "snapshot-delete",
                "suspending",
                "suspended",
            ]),
        ),
        opt("machine", Kind::String),
        opt("memory", Kind::String),
        opt(
            "migrate_downtime",
            Kind::Number {
                min: Some(0.0),
                max: None,
            },
        ),
        opt(
            "migrate_speed",
            Kind::Integer {
                min: Some(0),
                max: None,
            },
        ),
        opt("name", Kind::Format("dns-name")),
        opt("nameserver", Kind::Format("address-list")),
        opt("net[n]", Kind::String),
        req("node", Kind::Node),
        opt("numa", Kind::Boolean),
        opt("numa[n]", Kind::String),
        opt("onboot", Kind::Boolean),
        opt(
            "ostype",
            Kind::Enum(&[
                "other", "wxp", "w2k", "w2k3", "w2k8", "wvista", "win7", "win8", "win10", "win11",
                "l24", "l26", "solaris",
            ]),
        ),
        opt(
            "parallel[n]",
            Kind::Pattern(r"/dev/parport\d+|/dev/usb/lp\d+"),
        ),
        opt("protection", Kind::Boolean),
        opt("reboot", Kind::Boolean),
        opt("revert", Kind::Format("pve-configid-list")),
        opt("rng0", Kind::Format("pve-qm-rng")),
        opt("sata[n]", Kind::String),
        opt("scsi[n]", Kind::String),
        opt(
            "scsihw",
            Kind::Enum(&[
                "lsi",
                "lsi53c810",
                "virtio-scsi-pci",
                "virtio-scsi-single",
                "megasas",
                "pvscsi",
            ]),
        ),
        opt("searchdomain", Kind::String),
        opt("serial[n]", Kind::Pattern(r"(/dev/.+|socket)")),
        opt(
            "shares",
            Kind::Integer {
                min: Some(0),
                max: Some(50000),
            },
        ),
        opt("skiplock", Kind::Boolean),
        opt("smbios1", Kind::Format("pve-qm-smbios1")),
        opt(
            "smp",
            Kind::Integer {
                min: Some(1),
                max: None,
            },
        ),
        opt(
            "sockets",
            Kind::Integer {
                min: Some(1),
                max: None,
            },
        ),
        opt("spice_enhancements", Kind::String),
        opt("sshkeys", Kind::Format("urlencoded")),
        opt(
            "startdate",
            Kind::Pattern(r"(now|\d{4}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{1,2}:\d{1,2})?)"),
        ),
        opt("startup", Kind::Format("pve-startup-order")),
        opt("tablet", Kind::Boolean),
        opt("tags", Kind::Format("pve-tag-list")),
        opt("tdf", Kind::Boolean),
        opt("template", Kind::Boolean),
        opt("tpmstate0", Kind::String),
        opt("unused[n]", Kind::String),
        opt("usb[n]", Kind::String),
        opt(
            "vcpus",
            Kind::Integer {
                min: Some(1),
                max: None,
            },
        ),
        opt("vga", Kind::String),
        opt("virtio[n]", Kind::String),
        opt("virtiofs[n]", Kind::String),
        opt(
            "vmgenid",
            Kind::Pattern(r"(?:[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}|[01])"),
        ),
        req("vmid", Kind::VmId),
        opt("vmstatestorage", Kind::Format("pve-storage-id")),
        opt("watchdog", Kind::Format("pve-qm-watchdog")),
    ]
}

/// The asynchronous POST takes what PUT takes, plus its two own options.
fn qemu_post_params() -> Vec<Param> {
    let mut params = qemu_put_params();
    params.push(opt(
        "background_delay",
        Kind::Integer {
            min: Some(1),
            max: Some(30),
        },
    ));
    params.push(opt(
        "import-working-storage",
        Kind::Format("pve-storage-id"),
    ));
    params
}

// Generated from the schema: every parameter name, required flag, enum and bound.
fn lxc_put_params() -> Vec<Param> {
    vec![
        opt(
            "arch",
            Kind::Enum(&["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"]),
        ),
        opt("cmode", Kind::Enum(&["shell", "console", "tty"])),
        opt("console", Kind::Boolean),
        opt(
            "cores",
            Kind::Integer {
                min: Some(1),
                max: Some(8192),
            },
        ),
        opt(
            "cpulimit",
            Kind::Number {
                min: Some(0.0),
                max: Some(8192.0),
            },
        ),
        opt(
            "cpuunits",
            Kind::Integer {
                min: Some(0),
                max: Some(500000),
            },
        ),
        opt("debug", Kind::Boolean),
        opt("delete", Kind::Format("pve-configid-list")),
        opt("description", Kind::String),
        opt("dev[n]", Kind::String),
        opt("digest", Kind::String),
        opt(
            "entrypoint",
            Kind::Pattern(r"(?^:[^\x00-\x08\x10-\x1F\x7F]+)"),
        ),
        opt(
            "env",
            Kind::Pattern(
                r"(?^:(?:\w+=[^\x00-\x08\x10-\x1F\x7F]*)(?:\0\w+=[^\x00-\x08\x10-\x1F\x7F]*)*)",
            ),
        ),
        opt("features", Kind::String),
        opt("hookscript", Kind::Format("pve-volume-id")),
        opt("hostname", Kind::Format("dns-name")),
        opt(
            "lock",
            Kind::Enum(&[
                "backup",
                "create",
                "destroyed",
                "disk",
                "fstrim",
                "migrate",
                "mounted",
                "rollback",
                "snapshot",
                "snapshot-delete",
            ]),
        ),
        opt(
            "memory",
            Kind::Integer {
                min: Some(16),
                max: None,
            },
        ),
        opt("mp[n]", Kind::String),
        opt("nameserver", Kind::Format("lxc-ip-with-ll-iface-list")),
        opt("net[n]", Kind::String),
        req("node", Kind::Node),
        opt("onboot", Kind::Boolean),
        opt(
            "ostype",
            Kind::Enum(&[
                "debian",
                "devuan",
                "ubuntu",
                "centos",
                "fedora",
                "opensuse",
                "archlinux",
                "alpine",
                "gentoo",
                "nixos",
                "unmanaged",
            ]),
        ),
        opt("protection", Kind::Boolean),
        opt("revert", Kind::Format("pve-configid-list")),
        opt("rootfs", Kind::String),
        opt("searchdomain", Kind::Format("dns-name-list")),
        opt("startup", Kind::Format("pve-startup-order")),
        opt(
            "swap",
            Kind::Integer {
                min: Some(0),
                max: None,
            },
        ),
        opt("tags", Kind::Format("pve-tag-list")),
        opt("template", Kind::Boolean),
        opt("timezone", Kind::Format("pve-ct-timezone")),
        opt(
            "tty",
            Kind::Integer {
                min: Some(0),
                max: Some(6),
            },
        ),
        opt("unprivileged", Kind::Boolean),
        opt("unused[n]", Kind::String),
        req("vmid", Kind::VmId),
    ]
}

/// Which kind of guest a route serves, from its path template.
pub(super) fn kind_of(path: &str) -> GuestKind {
    if path.starts_with("/nodes/{node}/lxc") {
        GuestKind::Lxc
    } else {
        GuestKind::Qemu
    }
}

/// PVE's `guest_type()`: the word its messages use ("VM is locked (backup)").
pub(super) fn noun(kind: GuestKind) -> &'static str {
    match kind {
        GuestKind::Qemu => "VM",
        GuestKind::Lxc => "CT",
    }
}

pub(super) fn config_file(kind: GuestKind, node: &str, vmid: u32) -> String {
    match kind {
        GuestKind::Qemu => format!("nodes/{node}/qemu-server/{vmid}.conf"),
        GuestKind::Lxc => format!("nodes/{node}/lxc/{vmid}.conf"),
    }
}

/// The guest behind `{node}`/`{vmid}`: it must live on that node with that kind, or PVE's
/// `load_config` error.
pub(super) fn find_guest<'a>(
    state: &'a ClusterState,
    kind: GuestKind,
    node: &str,
    vmid: u32,
) -> Result<&'a GuestState, ApiError> {
    state
        .guests
        .get(&vmid)
        .filter(|g| g.spec.node == node && g.spec.kind == kind)
        .ok_or_else(|| {
            ApiError::failed(format!(
                "Configuration file '{}' does not exist",
                config_file(kind, node, vmid)
            ))
        })
}

/// What tasks record as their user: the token id for a token, as PVE's UPIDs do.
pub(super) fn task_user(call: &Call<'_>) -> String {
    match call.who() {
        Principal::User(u) => u.clone(),
        Principal::Token { tokenid, .. } => tokenid.clone(),
    }
}

/// `check_lock`: any config lock refuses the action.
pub(super) fn lock_error(g: &GuestState) -> Option<String> {
    g.spec
        .lock
        .as_ref()
        .map(|l| format!("{} is locked ({l})", noun(g.spec.kind)))
}

/// `raise_param_exc({ skiplock => "Only root may use this option." })`.
pub(super) fn check_skiplock(call: &Call<'_>) -> Result<bool, ApiError> {
    let skip = call.params.flag("skiplock");
    if skip && call.userid() != "root@pam" {
        return Err(ApiError::param(
            "skiplock",
            "Only root may use this option.",
        ));
    }
    Ok(skip)
}

/// A deterministic MAC in Proxmox's BC:24:11 prefix, so configs and digests are stable.
pub(super) fn mac_for(vmid: u32, salt: u8) -> String {
    let b = vmid.to_be_bytes();
    format!("BC:24:11:{:02X}:{:02X}:{:02X}", b[1] ^ salt, b[2], b[3])
}

/// The storage a synthesized disk lives on: the first one of the node that holds images
/// (or container volumes).
fn default_storage(state: &ClusterState, node: &str, kind: GuestKind) -> String {
    let content = match kind {
        GuestKind::Qemu => "images",
        GuestKind::Lxc => "rootdir",
    };
    state
        .spec
        .storages
        .iter()
        .filter(|s| s.kind != StorageKind::Pbs && s.available_on(node))
        .find(|s| s.content.iter().any(|c| c == content))
        .map(|s| s.id.clone())
        .unwrap_or_else(|| "local-lvm".to_owned())
}

/// The keys a minimal scenario guest (one without raw config) has anyway, as PVE's
/// wizard writes them.
fn synthesized(state: &ClusterState, g: &GuestState) -> BTreeMap<String, String> {
    let s = &g.spec;
    let store = default_storage(state, &s.node, s.kind);
    let mut c = BTreeMap::new();
    match s.kind {
        GuestKind::Qemu => {
            c.insert("ostype".into(), "l26".into());
            c.insert("boot".into(), "order=scsi0;ide2;net0".into());
            c.insert("scsihw".into(), "virtio-scsi-single".into());
            c.insert("sockets".into(), "1".into());
            c.insert("cpu".into(), "x86-64-v2-AES".into());
            c.insert("numa".into(), "0".into());
            c.insert(
                "net0".into(),
                format!("virtio={},bridge=vmbr0,firewall=1", mac_for(s.vmid, 0)),
            );
            c.insert(
                "scsi0".into(),
                format!(
                    "{store}:vm-{}-disk-0,iothread=1,size={}G",
                    s.vmid, s.disk_gib
                ),
            );
            c.insert(
                "smbios1".into(),
                format!(
                    "uuid=5e1d{:04x}-0000-4000-8000-{:012x}",
                    s.vmid & 0xffff,
                    s.vmid
                ),
            );
            if !s.agent_interfaces.is_empty() {
                c.insert("agent".into(), "1".into());
            }
        }
        GuestKind::Lxc => {
            c.insert("arch".into(), "amd64".into());
            c.insert("ostype".into(), "debian".into());
            c.insert("swap".into(), "512".into());
            c.insert("unprivileged".into(), "1".into());
            c.insert(
                "rootfs".into(),
                format!("{store}:subvol-{}-disk-0,size={}G", s.vmid, s.disk_gib),
            );
            c.insert(
                "net0".into(),
                format!(
                    "name=eth0,bridge=vmbr0,firewall=1,hwaddr={},ip=dhcp,type=veth",
                    mac_for(s.vmid, 0)
                ),
            );
        }
    }
    c
}

/// Writes the synthesized keys into the guest's raw config, so later edits (a `delete`)
/// change a real file instead of a view that would grow the keys back.
pub(super) fn materialize(state: &mut ClusterState, vmid: u32) {
    let Some(g) = state.guests.get(&vmid) else {
        return;
    };
    if !g.spec.config.is_empty() {
        return;
    }
    let defaults = synthesized(state, g);
    if let Some(g) = state.guests.get_mut(&vmid) {
        g.spec.config = defaults;
    }
}

fn sshkeys_encoded(keys: &[String]) -> String {
    let joined = keys.join("\n");
    joined
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sshkeys_decoded(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// The guest's current config section: the raw keys plus the ones the scenario keeps in
/// typed fields.
pub(super) fn current_config(state: &ClusterState, g: &GuestState) -> BTreeMap<String, String> {
    let s = &g.spec;
    let mut c = if s.config.is_empty() {
        synthesized(state, g)
    } else {
        s.config.clone()
    };
    let name_key = match s.kind {
        GuestKind::Qemu => "name",
        GuestKind::Lxc => "hostname",
    };
    c.insert(name_key.into(), s.name.clone());
    c.insert("cores".into(), s.cores.to_string());
    c.insert("memory".into(), s.memory_mib.to_string());
    if !s.tags.is_empty() {
        c.insert("tags".into(), s.tags.join(";"));
    }
    if s.template {
        c.insert("template".into(), "1".into());
    }
    if let Some(lock) = &s.lock {
        c.insert("lock".into(), lock.clone());
    }
    if s.kind == GuestKind::Qemu
        && let Some(ci) = &s.cloudinit
    {
        if !c.contains_key("ide2") {
            let store = default_storage(state, &s.node, s.kind);
            c.insert(
                "ide2".into(),
                format!("{store}:vm-{}-cloudinit,media=cdrom", s.vmid),
            );
        }
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                c.insert(k.to_owned(), v.clone());
            }
        };
        put("ciuser", &ci.user);
        put("ipconfig0", &ci.ipconfig0);
        put("nameserver", &ci.nameserver);
        put("searchdomain", &ci.searchdomain);
        if !ci.sshkeys.is_empty() {
            c.insert("sshkeys".into(), sshkeys_encoded(&ci.sshkeys));
        }
    }
    // A scenario names snapshots without the config's `parent`: the newest one is where
    // the guest stands. An empty value records "no parent" once snapshots changed it.
    match c.get("parent").map(String::as_str) {
        Some("") => {
            c.remove("parent");
        }
        Some(_) => {}
        None => {
            if let Some(latest) = s.snapshots.iter().max_by_key(|sn| sn.snaptime) {
                c.insert("parent".into(), latest.name.clone());
            }
        }
    }
    c
}

/// The config file as PVE writes it: the description as leading comment lines, the keys in
/// order, the `[PENDING]` section if anything is pending, then one section per snapshot.
/// Its SHA-1 is the `digest`.
pub(super) fn config_text(state: &ClusterState, g: &GuestState) -> String {
    let c = current_config(state, g);
    let mut text = String::new();
    let comment = |text: &mut String, d: &str| {
        for line in d.lines() {
            text.push('#');
            text.push_str(line);
            text.push('\n');
        }
    };
    if let Some(d) = c.get("description") {
        comment(&mut text, d);
    }
    for (k, v) in c.iter().filter(|(k, _)| *k != "description") {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text.push_str(&pending_section(g));
    for snap in &g.spec.snapshots {
        text.push_str(&format!("\n[{}]\n", snap.name));
        comment(&mut text, &snap.description);
        if let Some(p) = &snap.parent {
            text.push_str(&format!("parent: {p}\n"));
        }
        text.push_str(&format!("snaptime: {}\n", snap.snaptime));
        if snap.vmstate {
            text.push_str("vmstate: 1\n");
        }
    }
    text
}

pub(super) fn digest(state: &ClusterState, g: &GuestState) -> String {
    hex::encode(Sha1::digest(config_text(state, g).as_bytes()))
}

/// Keys the schema types as integer or boolean: PVE returns them as JSON numbers.
fn numeric_key(kind: GuestKind, key: &str) -> bool {
    const QEMU: &[&str] = &[
        "acpi",
        "allow-ksm",
        "autostart",
        "balloon",
        "ciupgrade",
        "cores",
        "cpuunits",
        "freeze",
        "keephugepages",
        "kvm",
        "localtime",
        "migrate_speed",
        "numa",
        "onboot",
        "protection",
        "reboot",
        "shares",
        "smp",
        "sockets",
        "tablet",
        "tdf",
        "template",
        "vcpus",
        "cpulimit",
        "migrate_downtime",
    ];
    const LXC: &[&str] = &[
        "console",
        "cores",
        "cpuunits",
        "debug",
        "memory",
        "onboot",
        "protection",
        "swap",
        "template",
        "tty",
        "unprivileged",
        "cpulimit",
    ];
    match kind {
        GuestKind::Qemu => QEMU.contains(&key),
        GuestKind::Lxc => LXC.contains(&key),
    }
}

pub(super) fn config_json(kind: GuestKind, c: &BTreeMap<String, String>) -> Map<String, Value> {
    c.iter()
        .map(|(k, v)| {
            let value = if numeric_key(kind, k) {
                v.parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| v.parse::<f64>().map(Value::from))
                    .unwrap_or_else(|_| Value::from(v.clone()))
            } else {
                Value::from(v.clone())
            };
            (k.clone(), value)
        })
        .collect()
}

/// Sets one config key, in the typed field where the scenario keeps it.
pub(super) fn set_key(g: &mut GuestState, key: &str, value: &str) {
    let s = &mut g.spec;
    let leading_number = |v: &str| {
        let v = v.strip_prefix("current=").unwrap_or(v);
        v.split(',').next().and_then(|n| n.parse::<u64>().ok())
    };
    match (key, s.kind) {
        ("name", GuestKind::Qemu) | ("hostname", GuestKind::Lxc) => s.name = value.to_owned(),
        ("cores", _) => {
            if let Ok(n) = value.parse() {
                s.cores = n;
            }
        }
        ("memory", _) => {
            if let Some(n) = leading_number(value) {
                s.memory_mib = n;
            }
        }
        ("tags", _) => {
            s.tags = value
                .split([';', ',', ' '])
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
        }
        ("template", _) => s.template = matches!(value, "1" | "true" | "yes" | "on"),
        ("lock", _) => s.lock = Some(value.to_owned()),
        ("ciuser" | "ipconfig0" | "nameserver" | "searchdomain" | "sshkeys", GuestKind::Qemu) => {
            let ci = s.cloudinit.get_or_insert_with(CloudInit::default);
            match key {
                "ciuser" => ci.user = Some(value.to_owned()),
                "ipconfig0" => ci.ipconfig0 = Some(value.to_owned()),
                "nameserver" => ci.nameserver = Some(value.to_owned()),
                "searchdomain" => ci.searchdomain = Some(value.to_owned()),
                _ => ci.sshkeys = sshkeys_decoded(value),
            }
        }
        _ => {
            s.config.insert(key.to_owned(), value.to_owned());
        }
    }
}

/// Removes one config key; keys PVE always has (name, cores, memory) fall back to PVE's
/// defaults.
pub(super) fn delete_key(g: &mut GuestState, key: &str) {
    let s = &mut g.spec;
    match (key, s.kind) {
        ("name", GuestKind::Qemu) => s.name = format!("VM{}", s.vmid),
        ("hostname", GuestKind::Lxc) => s.name = format!("CT{}", s.vmid),
        ("cores", GuestKind::Qemu) => s.cores = 1,
        ("cores", GuestKind::Lxc) => s.cores = 1,
        ("memory", GuestKind::Qemu) => s.memory_mib = 2048,
        ("memory", GuestKind::Lxc) => s.memory_mib = 512,
        ("tags", _) => s.tags.clear(),
        ("template", _) => s.template = false,
        ("lock", _) => s.lock = None,
        ("ciuser" | "ipconfig0" | "nameserver" | "searchdomain" | "sshkeys", GuestKind::Qemu) => {
            if let Some(ci) = s.cloudinit.as_mut() {
                match key {
                    "ciuser" => ci.user = None,
                    "ipconfig0" => ci.ipconfig0 = None,
                    "nameserver" => ci.nameserver = None,
                    "searchdomain" => ci.searchdomain = None,
                    _ => ci.sshkeys.clear(),
                }
            }
        }
        _ => {
            s.config.remove(key);
        }
    }
}

/// Mirrors a guest into the scenario copy the access model is built from (pool
/// membership lives there), then rebuilds the model.
pub(super) fn sync_scenario(sim: &ClusterSim, state: &mut ClusterState, vmid: u32) {
    let live = state.guests.get(&vmid).map(|g| g.spec.clone());
    let pos = state.spec.guests.iter().position(|g| g.vmid == vmid);
    match (live, pos) {
        (Some(spec), Some(i)) => state.spec.guests[i] = spec,
        (Some(spec), None) => state.spec.guests.push(spec),
        (None, Some(i)) => {
            state.spec.guests.remove(i);
        }
        (None, None) => {}
    }
    sim.refresh_access(state);
}

fn get_config(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    if let Some(snapname) = call.params.get("snapshot") {
        let snap = g
            .spec
            .snapshots
            .iter()
            .find(|s| s.name == snapname)
            .ok_or_else(|| ApiError::failed(format!("snapshot '{snapname}' does not exist")))?;
        let mut c = current_config(&state, g);
        c.remove("lock");
        c.remove("parent");
        if let Some(p) = &snap.parent {
            c.insert("parent".into(), p.clone());
        }
        c.insert("snaptime".into(), snap.snaptime.to_string());
        if !snap.description.is_empty() {
            c.insert("description".into(), snap.description.clone());
        }
        let mut out = config_json(kind, &c);
        out.insert("snaptime".into(), json!(snap.snaptime));
        if kind == GuestKind::Qemu && snap.vmstate {
            out.insert("vmstate".into(), json!(1));
        }
        out.insert("digest".into(), json!(digest(&state, g)));
        return Ok(Value::Object(out));
    }
    // Pending values are taken in unless `current` asks for the values in effect.
    let c = if call.params.flag("current") {
        current_config(&state, g)
    } else {
        pending_config(&state, g)
    };
    let mut out = config_json(kind, &c);
    out.insert("digest".into(), json!(digest(&state, g)));
    Ok(Value::Object(out))
}

/// Parameters that steer the update rather than name a config key.
const CONTROL: &[&str] = &[
    "node",
    "vmid",
    "digest",
    "delete",
    "revert",
    "skiplock",
    "force",
    "background_delay",
    "import-working-storage",
    "skip_cloud_init",
];

fn is_drive(key: &str) -> bool {
    let base = key.trim_end_matches(|c: char| c.is_ascii_digit());
    base.len() < key.len() && matches!(base, "ide" | "scsi" | "sata" | "virtio")
        || key == "efidisk0"
        || key == "tpmstate0"
}

fn denied(vmid: u32, privs: &[&str]) -> ApiError {
    Denied::new(format!("/vms/{vmid}"), privs).into()
}

/// qemu-server's `check_vm_modify_config_perm` plus the drive and tag checks it leaves to
/// other helpers.
fn check_qemu_key(
    call: &Call<'_>,
    vmid: u32,
    key: &str,
    value: Option<&str>,
) -> Result<(), ApiError> {
    let path = format!("/vms/{vmid}");
    let need = |privs: &[&str], any: bool| {
        if call.can(&path, privs, any) {
            Ok(())
        } else if any {
            Err(denied(vmid, privs))
        } else {
            let missing = privs
                .iter()
                .find(|p| !call.can(&path, &[p], false))
                .copied()
                .unwrap_or(privs[0]);
            Err(denied(vmid, &[missing]))
        }
    };
    let numbered = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    const CPU: &[&str] = &[
        "cores", "cpu", "cpulimit", "cpuunits", "numa", "smp", "sockets", "vcpus", "affinity",
    ];
    const MEMORY: &[&str] = &["memory", "balloon", "shares", "allow-ksm"];
    const HWTYPE: &[&str] = &[
        "acpi", "hotplug", "kvm", "machine", "scsihw", "smbios1", "tablet", "vga", "watchdog",
        "audio0", "rng0",
    ];
    const OPTIONS: &[&str] = &[
        "agent",
        "autostart",
        "bios",
        "description",
        "keyboard",
        "localtime",
        "migrate_downtime",
        "migrate_speed",
        "name",
        "onboot",
        "ostype",
        "protection",
        "reboot",
        "startdate",
        "startup",
        "tdf",
        "template",
    ];
    const DISK: &[&str] = &["boot", "bootdisk", "vmstatestorage"];
    const CLOUDINIT: &[&str] = &[
        "cicustom",
        "cipassword",
        "citype",
        "ciuser",
        "ciupgrade",
        "nameserver",
        "searchdomain",
        "sshkeys",
    ];
    if key == "cdrom" || is_drive(key) {
        let cdrom = key == "cdrom"
            || value.is_some_and(|v| v.contains("media=cdrom") || v == "none" || v == "cdrom");
        return need(
            &[if cdrom {
                "VM.Config.CDROM"
            } else {
                "VM.Config.Disk"
            }],
            false,
        );
    }
    if numbered("unused") {
        return need(&["VM.Config.Disk"], false);
    }
    if key == "tags" {
        return need(&["VM.Config.Options"], false);
    }
    if numbered("serial") {
        if value.is_none_or(|v| v == "socket") {
            return need(&["VM.Config.HWType"], false);
        }
        return Err(ApiError::failed(format!(
            "only root can set '{key}' config for real devices"
        )));
    }
    if CPU.contains(&key) || numbered("numa") {
        need(&["VM.Config.CPU"], false)
    } else if MEMORY.contains(&key) {
        need(&["VM.Config.Memory"], false)
    } else if HWTYPE.contains(&key) {
        need(&["VM.Config.HWType"], false)
    } else if OPTIONS.contains(&key) {
        need(&["VM.Config.Options"], false)?;
        if key == "startup" && !call.can("/", &["Sys.Modify"], false) {
            return Err(Denied::new("/", &["Sys.Modify"]).into());
        }
        Ok(())
    } else if key == "freeze" {
        need(&["VM.PowerMgmt"], false)
    } else if DISK.contains(&key) {
        need(&["VM.Config.Disk"], false)
    } else if numbered("net") {
        need(&["VM.Config.Network"], false)
    } else if CLOUDINIT.contains(&key) || numbered("ipconfig") {
        need(&["VM.Config.Cloudinit", "VM.Config.Network"], true)
    } else {
        Err(ApiError::failed(format!(
            "only root can set '{key}' config"
        )))
    }
}

/// pve-container's `check_ct_modify_config_perm`.
fn check_lxc_key(call: &Call<'_>, vmid: u32, key: &str) -> Result<(), ApiError> {
    let path = format!("/vms/{vmid}");
    let need = |p: &str| {
        if call.can(&path, &[p], false) {
            Ok(())
        } else {
            Err(denied(vmid, &[p]))
        }
    };
    let numbered = |prefix: &str| {
        key.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    let perm_exc = |what: &str| Err(ApiError::from(Denied::reason(what)));
    match key {
        "cores" | "cpuunits" | "cpulimit" => need("VM.Config.CPU"),
        "rootfs" => need("VM.Config.Disk"),
        "memory" | "swap" => need("VM.Config.Memory"),
        "nameserver" | "searchdomain" | "hostname" => need("VM.Config.Network"),
        "features" => perm_exc("changing feature flags is only allowed for root@pam"),
        "hookscript" => perm_exc("changing the hookscript is only allowed for root@pam"),
        _ if numbered("mp") => need("VM.Config.Disk"),
        _ if numbered("net") => need("VM.Config.Network"),
        _ if numbered("dev") => {
            perm_exc("configuring device passthrough is only allowed for root@pam")
        }
        _ => need("VM.Config.Options"),
    }
}

fn is_known_key(kind: GuestKind, key: &str, route: &[Param]) -> bool {
    route.iter().any(|p| {
        if CONTROL.contains(&p.name) {
            return false;
        }
        match p.name.strip_suffix("[n]") {
            Some(base) => key
                .strip_prefix(base)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())),
            None => p.name == key,
        }
    }) || (kind == GuestKind::Qemu && key == "ide2")
}

/// A validated config change, checked again when it is applied (PVE repeats its checks
/// under the config lock, and a `qmconfig` task applies later).
#[derive(Clone)]
struct Update {
    vmid: u32,
    node: String,
    kind: GuestKind,
    skiplock: bool,
    digest: Option<String>,
    sets: Vec<(String, String)>,
    deletes: Vec<String>,
    /// Pending changes to drop (`revert`).
    revert: Vec<String>,
    /// `force`: deletions are recorded as forced (`!key`, `delete: 2`).
    force: bool,
}

impl Update {
    fn check(&self, state: &ClusterState) -> Result<(), String> {
        let (vmid, kind) = (self.vmid, self.kind);
        let g = state
            .guests
            .get(&vmid)
            .filter(|g| g.spec.node == self.node && g.spec.kind == kind)
            .ok_or_else(|| {
                format!(
                    "Configuration file '{}' does not exist",
                    config_file(kind, &self.node, vmid)
                )
            })?;
        let stale = self
            .digest
            .as_deref()
            .is_some_and(|d| !d.is_empty() && d != digest(state, g));
        match kind {
            GuestKind::Qemu => {
                if stale {
                    return Err("checksum mismatch (file change by other user?)".into());
                }
                if !self.skiplock
                    && let Some(e) = lock_error(g)
                {
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
                // update_pct_config's refusals (a key that is set nowhere is skipped).
                let current = current_config(state, g);
                for key in &self.deletes {
                    if !current.contains_key(key) && !g.spec.pending.contains_key(key) {
                        continue;
                    }
                    if matches!(key.as_str(), "memory" | "rootfs" | "ostype") {
                        return Err(format!("unable to delete required option '{key}'"));
                    }
                    if key == "unprivileged" {
                        return Err(format!("unable to delete read-only option: '{key}'"));
                    }
                }
                if self.sets.iter().any(|(k, _)| k == "unprivileged") {
                    return Err("unable to modify read-only option: 'unprivileged'".into());
                }
            }
        }
        Ok(())
    }

    /// Writes the change into the pending section, then applies what the guest takes now:
    /// everything for a stopped guest, the hot-pluggable part for a running one (see
    /// [`pending`]). Returns the hot-plug errors PVE raises as parameter errors.
    fn apply(&self, sim: &ClusterSim, state: &mut ClusterState) -> BTreeMap<String, String> {
        let mut errors = BTreeMap::new();
        materialize(state, self.vmid);
        let Some(g) = state.guests.get(&self.vmid) else {
            return errors;
        };
        let current = current_config(state, g);
        let running = g.running();
        let kind = self.kind;
        let Some(g) = state.guests.get_mut(&self.vmid) else {
            return errors;
        };
        for key in &self.revert {
            g.spec.pending.remove(key);
            g.spec.pending_delete.remove(key);
        }
        let mut modified: BTreeSet<String> = BTreeSet::new();
        for key in &self.deletes {
            // "cannot delete '…' - not set in current configuration!" is only a warning.
            if !current.contains_key(key) && !g.spec.pending.contains_key(key) {
                continue;
            }
            modified.insert(key.clone());
            g.spec.pending.remove(key);
            g.spec.pending_delete.insert(key.clone(), self.force);
        }
        for (key, value) in &self.sets {
            modified.insert(key.clone());
            g.spec.pending.insert(key.clone(), value.clone());
            g.spec.pending_delete.remove(key);
        }
        // cleanup_pending: a pending value equal to the current one, or the deletion of a
        // key that is not set, is no change.
        g.spec.pending.retain(|k, v| current.get(k) != Some(v));
        g.spec.pending_delete.retain(|k, _| current.contains_key(k));
        if !running {
            match kind {
                // vmconfig_apply_pending: the whole section.
                GuestKind::Qemu => pending::commit_all(g),
                // pve-container applies only what this update touched.
                GuestKind::Lxc => {
                    for key in &modified {
                        pending::commit_delete(g, key);
                    }
                    for key in &modified {
                        pending::commit_set(g, key);
                    }
                }
            }
        } else {
            let deletes: Vec<String> = g
                .spec
                .pending_delete
                .keys()
                .filter(|k| modified.contains(*k))
                .cloned()
                .collect();
            for key in deletes {
                let plug = match kind {
                    GuestKind::Qemu => pending::qemu_delete(&current, &key),
                    GuestKind::Lxc => pending::lxc_delete(&key),
                };
                match plug {
                    Plug::Live => pending::commit_delete(g, &key),
                    Plug::Pending => {}
                    Plug::Error(e) => {
                        errors.insert(key, format!("hotplug problem - {e}"));
                    }
                }
            }
            let sets: Vec<(String, String)> = g
                .spec
                .pending
                .iter()
                .filter(|(k, _)| modified.contains(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (key, value) in sets {
                let plug = match kind {
                    GuestKind::Qemu => pending::qemu_set(&current, &key, &value),
                    GuestKind::Lxc => pending::lxc_set(&current, &key),
                };
                match plug {
                    Plug::Live => pending::commit_set(g, &key),
                    Plug::Pending => {}
                    Plug::Error(e) => {
                        errors.insert(key, format!("hotplug problem - {e}"));
                    }
                }
            }
        }
        sync_scenario(sim, state, self.vmid);
        errors
    }
}

/// Applies a guest's pending changes, as its cold start (`start`, `reboot`) does.
pub(super) fn apply_pending(sim: &ClusterSim, state: &mut ClusterState, vmid: u32) {
    let has_pending = state
        .guests
        .get(&vmid)
        .is_some_and(|g| !g.spec.pending.is_empty() || !g.spec.pending_delete.is_empty());
    if !has_pending {
        return;
    }
    materialize(state, vmid);
    if let Some(g) = state.guests.get_mut(&vmid) {
        pending::commit_all(g);
    }
    sync_scenario(sim, state, vmid);
}

fn update_config_sync(call: &Call<'_>) -> Result<Value, ApiError> {
    update_config(call, false)
}

fn update_config_async(call: &Call<'_>) -> Result<Value, ApiError> {
    update_config(call, true)
}

/// Splits a `pve-configid-list` parameter.
fn config_ids(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ';', ' ', '\0'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
}

/// PUT (sync) and POST (async, a `qmconfig` task) of a guest's config.
fn update_config(call: &Call<'_>, background: bool) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let skiplock = if kind == GuestKind::Qemu {
        check_skiplock(call)?
    } else {
        false
    };
    let sets: Vec<(String, String)> = call
        .params
        .0
        .iter()
        .filter(|(k, _)| !CONTROL.contains(&k.as_str()))
        .map(|(k, v)| match k.as_str() {
            // qemu-server's resolve_cdrom_alias.
            "cdrom" if kind == GuestKind::Qemu => {
                let value = if v.contains("media=") {
                    v.clone()
                } else {
                    format!("{v},media=cdrom")
                };
                ("ide2".to_owned(), value)
            }
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let route_params = match kind {
        GuestKind::Qemu => qemu_put_params(),
        GuestKind::Lxc => lxc_put_params(),
    };
    let mut revert: Vec<String> = Vec::new();
    for key in config_ids(call.params.get("revert").unwrap_or_default()) {
        if !is_known_key(kind, key, &route_params) {
            return Err(ApiError::param("revert", format!("unknown option '{key}'")));
        }
        if sets.iter().any(|(k, _)| k == key) {
            // qemu-server names the wrong parameter here; so does the simulator.
            return Err(match kind {
                GuestKind::Qemu => ApiError::param(
                    "delete",
                    format!("you can't use '-{key}' and -revert {key}' at the same time"),
                ),
                GuestKind::Lxc => ApiError::param(
                    "revert",
                    format!("you can't use '-{key}' and '-revert {key}' at the same time"),
                ),
            });
        }
        revert.push(key.to_owned());
    }
    let mut deletes: Vec<String> = Vec::new();
    if let Some(list) = call.params.get("delete") {
        for key in config_ids(list) {
            let key = if kind == GuestKind::Qemu && key == "cdrom" {
                "ide2"
            } else {
                key
            };
            if sets.iter().any(|(k, _)| k == key) {
                return Err(ApiError::param(
                    "delete",
                    format!("you can't use '-{key}' and -delete {key}' at the same time"),
                ));
            }
            if revert.iter().any(|k| k == key) {
                return Err(match kind {
                    GuestKind::Qemu => ApiError::param(
                        "revert",
                        format!(
                            "you can't use '-delete {key}' and -revert {key}' at the same time"
                        ),
                    ),
                    GuestKind::Lxc => ApiError::param(
                        "delete",
                        format!(
                            "you can't use '-delete {key}' and '-revert {key}' at the same time"
                        ),
                    ),
                });
            }
            if !is_known_key(kind, key, &route_params) {
                return Err(ApiError::param("delete", format!("unknown option '{key}'")));
            }
            deletes.push(key.to_owned());
        }
    }
    if sets.is_empty() && deletes.is_empty() && call.params.get("revert").is_none() {
        return Err(ApiError::failed("no options specified"));
    }
    let update = Update {
        vmid,
        node: node.clone(),
        kind,
        skiplock,
        digest: call.params.get("digest").map(str::to_owned),
        sets,
        deletes,
        revert,
        force: kind == GuestKind::Qemu && call.params.flag("force"),
    };
    let check_perms = || -> Result<(), ApiError> {
        if call.userid() == "root@pam" {
            return Ok(());
        }
        // pve-container checks reverted keys as it checks deleted ones; qemu-server does
        // not check them.
        let reverted: &[String] = match kind {
            GuestKind::Qemu => &[],
            GuestKind::Lxc => &update.revert,
        };
        for key in update.deletes.iter().chain(reverted) {
            match kind {
                GuestKind::Qemu => check_qemu_key(call, vmid, key, None)?,
                GuestKind::Lxc => check_lxc_key(call, vmid, key)?,
            }
        }
        for (key, value) in &update.sets {
            match kind {
                GuestKind::Qemu => check_qemu_key(call, vmid, key, Some(value))?,
                GuestKind::Lxc => check_lxc_key(call, vmid, key)?,
            }
        }
        Ok(())
    };
    // qemu-server checks key privileges before it loads the config; pve-container does it
    // under the config lock, after the lock and digest checks.
    if kind == GuestKind::Qemu {
        check_perms()?;
    }
    update.check(&call.sim.state()).map_err(ApiError::failed)?;
    // The drive holds the values it was generated from: keep them before the first change
    // of a cloud-init key, so `GET .../cloudinit` lists what a regeneration would change.
    if update
        .sets
        .iter()
        .map(|(k, _)| k)
        .chain(&update.deletes)
        .any(|k| super::agent::is_ci_key(k))
    {
        super::agent::remember_generated(call.sim, &call.sim.state(), vmid);
    }
    if kind == GuestKind::Lxc {
        check_perms()?;
    }
    if background {
        let log = vec![format!(
            "update VM {vmid}: {}",
            update
                .sets
                .iter()
                .map(|(k, v)| format!("-{k} {}", if k == "cipassword" { "<hidden>" } else { v }))
                .collect::<Vec<_>>()
                .join(" ")
        )];
        let sim = Arc::clone(call.sim);
        let upid = call.sim.spawn_task(
            &node,
            "qmconfig",
            &vmid.to_string(),
            &task_user(call),
            log,
            move |state| {
                update.check(state)?;
                let errors = update.apply(&sim, state);
                if errors.is_empty() {
                    Ok(())
                } else {
                    Err(errors
                        .iter()
                        .map(|(k, e)| format!("{k}: {e}"))
                        .collect::<Vec<_>>()
                        .join("\n"))
                }
            },
        );
        return Ok(json!(upid));
    }
    let mut state = call.sim.state();
    update.check(&state).map_err(ApiError::failed)?;
    let errors = update.apply(call.sim, &mut state);
    if !errors.is_empty() {
        return Err(ApiError::params(errors));
    }
    Ok(Value::Null)
}
