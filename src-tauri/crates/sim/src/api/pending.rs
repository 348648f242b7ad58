//! Pending configuration changes, as qemu-server and pve-container keep them: a config
//! update writes every change into the config's `[PENDING]` section first; for a stopped
//! guest the section is applied at once, for a running one only what can be changed live
//! ("hot-plugged") is, and the rest waits for the guest's next cold start (a `start`, or a
//! `reboot`, which PVE implements as shutdown + start). `GET …/pending` lists current and
//! pending values side by side; `GET …/config` shows the pending values unless `current=1`.
//!
//! What is applied live on a running guest:
//!
//! - QEMU (`vmconfig_hotplug_pending`, default `hotplug` = `network,disk,usb`):
//!   - at once: qemu-server's `$fast_plug_option`s (`description`, `hookscript`, `lock`,
//!     `migrate_downtime`, `migrate_speed`, `name`, `onboot`, `protection`, `shares`,
//!     `startup`, `tags`, `vmstatestorage`) and the cloud-init options (`ciuser`,
//!     `cipassword`, `citype`, `cicustom`, `ciupgrade`, `ipconfigN`, `nameserver`,
//!     `searchdomain`, `sshkeys`), which only take effect when the cloud-init drive is
//!     regenerated anyway;
//!   - `cpuunits`, `cpulimit` (cgroup) and `balloon` (balloon driver) unless the balloon
//!     device is switched on or off (`0` <-> not `0`);
//!   - `netN` with the `network` feature; without it only changes that keep model, MAC,
//!     `queues` and `mtu` (bridge, tag, firewall, rate, link_down);
//!   - drives (`scsiN`, `virtioN`) with the `disk` feature; a CD-ROM media change on any
//!     bus; option changes of an existing disk except `aio`, `discard`, `iothread`,
//!     `queues`, `product`, `cache`, `ssd`, `vendor`, `ro`; never `efidisk0`/`tpmstate0`,
//!     nor a new or replaced `ideN`/`sataN` disk; changing a drive's media type is an error;
//!   - `memory` only with the `memory` feature, `vcpus` only with `cpu`, `tablet` and
//!     `usbN` only with `usb`; `agent` when only `fstrim_cloned_disks` changes;
//!   - `hotplug` itself unless `memory` or `cpu` hotplug is switched;
//!   - deleting follows the same rules (a drive on `ide`/`sata`/`efidisk`/`tpmstate`, a
//!     disabled balloon, `memory` without memory hotplug … stay pending deletes);
//!   - everything else (`cores`, `sockets`, `cpu`, `bios`, `machine`, `boot`, `ostype`,
//!     `scsihw`, `vga`, …) stays pending.
//! - LXC (`PVE::LXC::Config::vmconfig_hotplug_pending`):
//!   - at once: `$LXC_FASTPLUG_OPTIONS` (`description`, `onboot`, `startup`, `protection`,
//!     `hostname`, `hookscript`, `cores`, `tags`, `lock`);
//!   - live: `memory`, `swap`, `cpulimit`, `cpuunits`, `netN`, and a new `mpN`/`devN`
//!     (not one replacing an existing mount point or device);
//!   - deleting is live for the fast-plug options, `unusedN`, `swap`, `cpulimit`,
//!     `cpuunits` and `netN`;
//!   - everything else (`rootfs`, changed `mpN`, `nameserver`, `searchdomain`, `features`,
//!     `ostype`, `arch`, `tty`, `cmode`, `console`, `timezone`, …) stays pending.
//!
//! For a stopped QEMU VM every pending change is applied by an update; for a stopped
//! container only the keys the update touched (pve-container passes its selection), the
//! others wait for the start.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::config::{current_config, delete_key, digest, find_guest, kind_of, set_key};
use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, req};
use crate::perms::{Check, Permission};
use crate::scenario::GuestKind;
use crate::state::{ClusterState, GuestState};

pub fn routes(r: &mut Vec<Route>) {
    for path in [
        "/nodes/{node}/qemu/{vmid}/pending",
        "/nodes/{node}/lxc/{vmid}/pending",
    ] {
        r.push(Route {
            method: Method::GET,
            path,
            permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
            allow_token: true,
            params: vec![req("node", Kind::Node), req("vmid", Kind::VmId)],
            handler: get_pending,
        });
    }
}

/// `config_with_pending_array`: one entry per key of the current config (with `digest`),
/// of the pending section and of the pending deletions, sorted by key.
fn get_pending(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let vmid = call.params.vmid()?;
    let kind = kind_of(call.path);
    let state = call.sim.state();
    let g = find_guest(&state, kind, &node, vmid)?;
    let mut conf = current_config(&state, g);
    conf.insert("digest".into(), digest(&state, g));
    let mut pending = g.spec.pending.clone();
    if kind == GuestKind::Qemu {
        // vm_pending hides the cloud-init password on both sides.
        if let Some(v) = conf.get_mut("cipassword") {
            *v = "**********".into();
        }
        if let Some(v) = pending.get_mut("cipassword") {
            *v = "**********".into();
        }
    }
    let keys: BTreeSet<&String> = conf
        .keys()
        .chain(pending.keys())
        .chain(g.spec.pending_delete.keys())
        .collect();
    let out = keys
        .into_iter()
        .map(|key| {
            let mut item = Map::new();
            item.insert("key".into(), json!(key));
            if let Some(v) = conf.get(key) {
                item.insert("value".into(), json!(v));
            }
            if let Some(v) = pending.get(key) {
                item.insert("pending".into(), json!(v));
            }
            if let Some(force) = g.spec.pending_delete.get(key) {
                item.insert("delete".into(), json!(if *force { 2 } else { 1 }));
            }
            Value::Object(item)
        })
        .collect();
    Ok(Value::Array(out))
}

/// The config as `GET …/config` shows it by default: current values with the pending
/// ones taken in and the pending deletions taken out.
pub(super) fn pending_config(state: &ClusterState, g: &GuestState) -> BTreeMap<String, String> {
    let mut c = current_config(state, g);
    for key in g.spec.pending_delete.keys() {
        c.remove(key);
    }
    for (k, v) in &g.spec.pending {
        c.insert(k.clone(), v.clone());
    }
    c
}

/// The `[PENDING]` section of the config file, empty when nothing is pending: the pending
/// description as comment lines, then the keys in order with `delete: a,!b` among them.
pub(super) fn pending_section(g: &GuestState) -> String {
    let s = &g.spec;
    if s.pending.is_empty() && s.pending_delete.is_empty() {
        return String::new();
    }
    let mut text = String::from("\n[PENDING]\n");
    if let Some(d) = s.pending.get("description") {
        if d.is_empty() {
            text.push_str("#\n");
        }
        for line in d.lines() {
            text.push('#');
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut keys: BTreeMap<&str, String> = s
        .pending
        .iter()
        .filter(|(k, _)| *k != "description")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    if !s.pending_delete.is_empty() {
        let list = s
            .pending_delete
            .iter()
            .map(|(k, force)| format!("{}{k}", if *force { "!" } else { "" }))
            .collect::<Vec<_>>()
            .join(",");
        keys.insert("delete", list);
    }
    for (k, v) in keys {
        text.push_str(&format!("{k}: {v}\n"));
    }
    text
}

/// Makes one pending value current.
pub(super) fn commit_set(g: &mut GuestState, key: &str) {
    if let Some(value) = g.spec.pending.remove(key) {
        set_key(g, key, &value);
    }
}

/// Carries out one pending deletion.
pub(super) fn commit_delete(g: &mut GuestState, key: &str) {
    if g.spec.pending_delete.remove(key).is_some() {
        delete_key(g, key);
    }
}

/// `vmconfig_apply_pending` at a cold start: every pending deletion, then every pending
/// value. The caller materializes the config first and syncs the scenario after.
pub(super) fn commit_all(g: &mut GuestState) {
    let deletes: Vec<String> = g.spec.pending_delete.keys().cloned().collect();
    for key in deletes {
        commit_delete(g, &key);
    }
    let sets: Vec<String> = g.spec.pending.keys().cloned().collect();
    for key in sets {
        commit_set(g, &key);
    }
}

/// What a running guest does with one change.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Plug {
    /// Applied now.
    Live,
    /// Left in the pending section.
    Pending,
    /// Refused: stays pending and the update reports it (`hotplug problem - …`).
    Error(String),
}

/// `parse_hotplug_features` of the current config (default `network,disk,usb`).
struct Hotplug(BTreeSet<String>);

impl Hotplug {
    fn of(conf: &BTreeMap<String, String>) -> Self {
        let raw = conf.get("hotplug").map(String::as_str).unwrap_or("1");
        let list = match raw {
            "0" => "",
            "1" => "network,disk,usb",
            other => other,
        };
        Hotplug(
            list.split([',', ';', ' '])
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    fn has(&self, feature: &str) -> bool {
        self.0.contains(feature)
    }
}

fn numbered(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

const QEMU_FAST_PLUG: &[&str] = &[
    "description",
    "hookscript",
    "lock",
    "migrate_downtime",
    "migrate_speed",
    "name",
    "onboot",
    "protection",
    "shares",
    "startup",
    "tags",
    "vmstatestorage",
    // $confdesc_cloudinit: all fast-plug.
    "cicustom",
    "cipassword",
    "citype",
    "ciupgrade",
    "ciuser",
    "nameserver",
    "searchdomain",
    "sshkeys",
];

fn qemu_fast_plug(key: &str) -> bool {
    QEMU_FAST_PLUG.contains(&key) || numbered(key, "ipconfig")
}

fn qemu_drive(key: &str) -> bool {
    ["ide", "sata", "scsi", "virtio"]
        .iter()
        .any(|p| numbered(key, p))
        || key == "efidisk0"
        || key == "tpmstate0"
}

/// A property string's options, with the leading unnamed value under `default_key`.
fn props<'a>(value: &'a str, default_key: &'a str) -> BTreeMap<&'a str, &'a str> {
    value
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((default_key, p)))
        .collect()
}

/// `vmconfig_update_net`: the model and MAC (`virtio=BC:24:…`), `queues` and `mtu` need a
/// re-plug; bridge, tag, firewall, rate and link state change live.
fn qemu_net(hotplug: &Hotplug, old: Option<&str>, new: &str) -> Plug {
    if hotplug.has("network") {
        return Plug::Live;
    }
    let Some(old) = old else {
        return Plug::Pending;
    };
    let model = |v: &str| v.split(',').next().map(str::to_owned).unwrap_or_default();
    let (o, n) = (props(old, "model"), props(new, "model"));
    let same = model(old) == model(new)
        && ["macaddr", "queues", "mtu"]
            .iter()
            .all(|k| o.get(k) == n.get(k));
    if same { Plug::Live } else { Plug::Pending }
}

/// `vmconfig_update_disk`.
fn qemu_disk(hotplug: &Hotplug, key: &str, old: Option<&str>, new: &str) -> Plug {
    if key == "efidisk0" || key == "tpmstate0" {
        return Plug::Pending;
    }
    let ide_or_sata = numbered(key, "ide") || numbered(key, "sata");
    let Some(old) = old else {
        return if hotplug.has("disk") && !ide_or_sata {
            Plug::Live
        } else {
            Plug::Pending
        };
    };
    let (o, n) = (props(old, "file"), props(new, "file"));
    let media = |p: &BTreeMap<&str, &str>| p.get("media").copied().unwrap_or("disk").to_owned();
    if media(&o) != media(&n) {
        return Plug::Error("unable to change media type".into());
    }
    if media(&o) == "cdrom" {
        return Plug::Live;
    }
    if o.get("file") != n.get("file") {
        return if hotplug.has("disk") && !ide_or_sata {
            Plug::Live
        } else {
            Plug::Pending
        };
    }
    const COLD: &[&str] = &[
        "aio", "discard", "iothread", "queues", "product", "cache", "ssd", "vendor", "ro",
    ];
    if COLD.iter().any(|k| o.get(k) != n.get(k)) {
        Plug::Pending
    } else {
        Plug::Live
    }
}

/// `vmconfig_update_agent`: only `fstrim_cloned_disks` changes live, and only when the
/// agent is configured (and not `0`) already.
fn qemu_agent(old: Option<&str>, new: &str) -> Plug {
    let Some(old) = old.filter(|o| !o.is_empty() && *o != "0") else {
        return Plug::Pending;
    };
    let strip = |v: &str| {
        let mut p = props(v, "enabled")
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<BTreeMap<_, _>>();
        p.remove("fstrim_cloned_disks");
        p
    };
    if strip(old) == strip(new) {
        Plug::Live
    } else {
        Plug::Pending
    }
}

/// How a running VM takes a new value of `key`.
pub(super) fn qemu_set(conf: &BTreeMap<String, String>, key: &str, new: &str) -> Plug {
    let hotplug = Hotplug::of(conf);
    let old = conf.get(key).map(String::as_str);
    let live_if = |b: bool| if b { Plug::Live } else { Plug::Pending };
    if qemu_fast_plug(key) {
        return Plug::Live;
    }
    match key {
        "hotplug" => {
            let switches = |v: &str| v.contains("memory") || v.contains("cpu");
            live_if(!switches(new) && !old.is_some_and(switches))
        }
        "tablet" => live_if(hotplug.has("usb")),
        _ if numbered(key, "usb") => live_if(hotplug.has("usb")),
        "vcpus" => live_if(hotplug.has("cpu")),
        "balloon" => {
            let enabled = |v: Option<&str>| v.is_none_or(|v| v != "0");
            live_if(enabled(old) == enabled(Some(new)))
        }
        _ if numbered(key, "net") => qemu_net(&hotplug, old, new),
        _ if qemu_drive(key) => qemu_disk(&hotplug, key, old, new),
        "memory" => live_if(hotplug.has("memory")),
        "cpuunits" | "cpulimit" => Plug::Live,
        "agent" => qemu_agent(old, new),
        _ => Plug::Pending,
    }
}

/// How a running VM takes the deletion of `key`.
pub(super) fn qemu_delete(conf: &BTreeMap<String, String>, key: &str) -> Plug {
    let hotplug = Hotplug::of(conf);
    let live_if = |b: bool| if b { Plug::Live } else { Plug::Pending };
    match key {
        "hotplug" => live_if(
            !conf
                .get("hotplug")
                .is_some_and(|h| h.contains("cpu") || h.contains("memory")),
        ),
        "tablet" => live_if(hotplug.has("usb")),
        _ if numbered(key, "usb") => live_if(hotplug.has("usb")),
        "vcpus" => live_if(hotplug.has("cpu")),
        "balloon" => live_if(conf.get("balloon").is_none_or(|b| b != "0")),
        _ if qemu_fast_plug(key) || numbered(key, "unused") => Plug::Live,
        _ if numbered(key, "net") => live_if(hotplug.has("network")),
        _ if qemu_drive(key) => live_if(
            hotplug.has("disk")
                && !(numbered(key, "ide")
                    || numbered(key, "sata")
                    || key == "efidisk0"
                    || key == "tpmstate0"),
        ),
        "memory" => live_if(hotplug.has("memory")),
        "cpuunits" | "cpulimit" => Plug::Live,
        _ => Plug::Pending,
    }
}

const LXC_FAST_PLUG: &[&str] = &[
    "description",
    "onboot",
    "startup",
    "protection",
    "hostname",
    "hookscript",
    "cores",
    "tags",
    "lock",
];

/// How a running container takes a new value of `key`.
pub(super) fn lxc_set(conf: &BTreeMap<String, String>, key: &str) -> Plug {
    match key {
        _ if LXC_FAST_PLUG.contains(&key) => Plug::Live,
        "cpulimit" | "cpuunits" | "memory" | "swap" => Plug::Live,
        _ if numbered(key, "net") => Plug::Live,
        // A new mount point or device is hot-plugged; one over an existing one is not.
        _ if numbered(key, "mp") || numbered(key, "dev") => {
            if conf.contains_key(key) {
                Plug::Pending
            } else {
                Plug::Live
            }
        }
        _ => Plug::Pending,
    }
}

/// How a running container takes the deletion of `key`.
pub(super) fn lxc_delete(key: &str) -> Plug {
    match key {
        _ if LXC_FAST_PLUG.contains(&key) => Plug::Live,
        "swap" | "cpulimit" | "cpuunits" => Plug::Live,
        _ if numbered(key, "unused") || numbered(key, "net") => Plug::Live,
        _ => Plug::Pending,
    }
}
