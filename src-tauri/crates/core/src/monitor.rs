//! What the summary pages show: a cluster's health at a glance, a node's and a guest's
//! status, a storage's usage, and the RRD history behind the charts. Each is one or two
//! GETs, read leniently (PVE writes numbers as strings in places and booleans as 0/1)
//! into typed results the UI can draw without guessing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::{AppError, Ctx, ErrorCode};

/// Used out of total, in the resource's own unit (bytes, or CPUs for processor use).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UsedTotal {
    pub used: f64,
    pub total: f64,
}

/// A PVE guest type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum GuestType {
    Qemu,
    Lxc,
}

impl GuestType {
    pub(crate) fn path(self) -> &'static str {
        match self {
            GuestType::Qemu => "qemu",
            GuestType::Lxc => "lxc",
        }
    }
}

/// The span an RRD graph covers; PVE picks the resolution from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum RrdTimeframe {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl RrdTimeframe {
    fn as_str(self) -> &'static str {
        match self {
            RrdTimeframe::Hour => "hour",
            RrdTimeframe::Day => "day",
            RrdTimeframe::Week => "week",
            RrdTimeframe::Month => "month",
            RrdTimeframe::Year => "year",
        }
    }
}

/// How a bucket consolidates its samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "UPPERCASE")]
pub enum RrdCf {
    Average,
    Max,
}

impl RrdCf {
    fn as_str(self) -> &'static str {
        match self {
            RrdCf::Average => "AVERAGE",
            RrdCf::Max => "MAX",
        }
    }
}

/// Whose history to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum RrdTarget {
    Node {
        node: String,
    },
    Guest {
        node: String,
        kind: GuestType,
        vmid: u32,
    },
}

/// One bucket of an RRD series: its start (unix seconds) and each data source's value,
/// `None` where nothing was recorded (the node or guest was down).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RrdPoint {
    pub time: f64,
    pub values: BTreeMap<String, Option<f64>>,
}

/// `/nodes/{node}/status`, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    pub node: String,
    /// CPU use, 0..1 of all CPUs.
    pub cpu: f64,
    pub cpus: u32,
    pub sockets: u32,
    pub cpu_model: String,
    /// Load average over 1, 5 and 15 minutes.
    pub loadavg: Vec<f64>,
    pub memory: UsedTotal,
    pub swap: UsedTotal,
    pub rootfs: UsedTotal,
    /// Seconds since boot.
    pub uptime: f64,
    pub pve_version: String,
    pub kernel_version: String,
}

/// One network interface a guest reports, with its addresses (`ip/prefix`).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestInterface {
    pub name: String,
    pub mac: Option<String>,
    pub addresses: Vec<String>,
}

/// A `key: value` line of a guest's configuration (a disk, a network device).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConfigLine {
    pub key: String,
    pub value: String,
}

/// Status and configuration of a guest, and its addresses when it can tell them.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestSummary {
    pub vmid: u32,
    pub node: String,
    pub kind: GuestType,
    pub name: Option<String>,
    /// `running`, `stopped`, …; for a VM the QMP status (`paused`) wins over `running`.
    pub status: String,
    pub template: bool,
    pub lock: Option<String>,
    /// HA state, when the guest is HA-managed.
    pub ha_state: Option<String>,
    pub uptime: f64,
    /// CPU use, 0..1 of the guest's CPUs.
    pub cpu: f64,
    pub cpus: f64,
    pub memory: UsedTotal,
    pub disk: UsedTotal,
    pub cores: Option<u32>,
    pub sockets: Option<u32>,
    pub memory_mib: Option<f64>,
    pub ostype: Option<String>,
    pub description: Option<String>,
    pub disks: Vec<ConfigLine>,
    pub nets: Vec<ConfigLine>,
    /// Whether the QEMU guest agent is enabled in the config (always false for containers).
    pub agent: bool,
    /// The guest's interfaces, when it is running and reports them; `None` otherwise.
    pub interfaces: Option<Vec<GuestInterface>>,
}

/// `/nodes/{node}/storage/{storage}/status`, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    pub storage: String,
    pub node: String,
    /// The storage plugin: `dir`, `zfspool`, `rbd`, `pbs`, …
    pub kind: String,
    pub active: bool,
    pub enabled: bool,
    pub shared: bool,
    pub content: Vec<String>,
    pub usage: UsedTotal,
    pub avail: f64,
}

/// A cluster member as `/cluster/status` sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNode {
    pub name: String,
    pub online: bool,
    pub ip: Option<String>,
}

/// A cluster at a glance: members, quorum, guests and resource use.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    /// The cluster's name; `None` for a standalone node.
    pub name: Option<String>,
    /// Whether the cluster has quorum; a standalone node always does.
    pub quorate: bool,
    pub nodes: Vec<ClusterNode>,
    pub nodes_online: u32,
    pub guests_running: u32,
    /// Guests, not counting templates.
    pub guests_total: u32,
    /// CPUs in use out of the online nodes' CPUs.
    pub cpu: UsedTotal,
    pub memory: UsedTotal,
    /// Storage use, shared storages counted once.
    pub storage: UsedTotal,
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn f(v: &Value, key: &str) -> f64 {
    num(&v[key]).unwrap_or(0.0)
}

fn flag(v: &Value) -> bool {
    num(v).is_some_and(|n| n != 0.0)
}

fn text(v: &Value, key: &str) -> Option<String> {
    match &v[key] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn usage(v: &Value) -> UsedTotal {
    UsedTotal {
        used: f(v, "used"),
        total: f(v, "total"),
    }
}

fn enc(s: &str) -> String {
    proxdeck_pve::percent_encode(s)
}

async fn get(ctx: &Ctx, conn: &str, path: &str) -> Result<Value, AppError> {
    let client = crate::connections::client(ctx, conn).await?;
    client.get(path).await.map_err(AppError::from)
}

fn shape(what: &str) -> AppError {
    AppError::new(
        ErrorCode::Protocol,
        format!("the server answered {what} in an unexpected shape"),
    )
}

/// A node's status: CPU, load, memory, swap, root disk, uptime and versions.
pub async fn node_status(ctx: &Ctx, conn: &str, node: &str) -> Result<NodeStatus, AppError> {
    let path = format!("/nodes/{}/status", enc(node));
    let v = get(ctx, conn, &path).await?;
    if !v.is_object() {
        return Err(shape(&path));
    }
    let info = &v["cpuinfo"];
    Ok(NodeStatus {
        node: node.to_owned(),
        cpu: f(&v, "cpu"),
        cpus: f(info, "cpus") as u32,
        sockets: f(info, "sockets") as u32,
        cpu_model: text(info, "model").unwrap_or_default(),
        loadavg: v["loadavg"]
            .as_array()
            .map(|a| a.iter().filter_map(num).collect())
            .unwrap_or_default(),
        memory: usage(&v["memory"]),
        swap: usage(&v["swap"]),
        rootfs: usage(&v["rootfs"]),
        uptime: f(&v, "uptime"),
        pve_version: text(&v, "pveversion").unwrap_or_default(),
        kernel_version: text(&v, "kversion").unwrap_or_default(),
    })
}

/// The RRD history of a node or guest over `timeframe`, consolidated with `cf`.
pub async fn rrd(
    ctx: &Ctx,
    conn: &str,
    target: RrdTarget,
    timeframe: RrdTimeframe,
    cf: RrdCf,
) -> Result<Vec<RrdPoint>, AppError> {
    let base = match &target {
        RrdTarget::Node { node } => format!("/nodes/{}", enc(node)),
        RrdTarget::Guest { node, kind, vmid } => {
            format!("/nodes/{}/{}/{vmid}", enc(node), kind.path())
        }
    };
    let path = format!(
        "{base}/rrddata?timeframe={}&cf={}",
        timeframe.as_str(),
        cf.as_str()
    );
    let v = get(ctx, conn, &path).await?;
    let rows = v
        .as_array()
        .ok_or_else(|| shape(&format!("{base}/rrddata")))?;
    Ok(rows
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|row| {
            let time = num(row.get("time")?)?;
            let values = row
                .iter()
                .filter(|(k, _)| *k != "time")
                .map(|(k, v)| (k.clone(), num(v)))
                .collect();
            Some(RrdPoint { time, values })
        })
        .collect())
}

/// Disk keys of a guest config: `scsi0`, `virtio1`, `rootfs`, `mp0`, `efidisk0`, …
fn is_disk(key: &str) -> bool {
    let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
    key == "rootfs"
        || (stem.len() < key.len()
            && matches!(
                stem,
                "scsi" | "sata" | "ide" | "virtio" | "mp" | "efidisk" | "tpmstate" | "unused"
            ))
}

fn is_net(key: &str) -> bool {
    key.strip_prefix("net")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn lines(config: &Value, pick: fn(&str) -> bool) -> Vec<ConfigLine> {
    let mut out: Vec<ConfigLine> = config
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| pick(k))
        .filter_map(|(k, v)| {
            Some(ConfigLine {
                key: k.clone(),
                value: text(config, k).or_else(|| v.as_str().map(str::to_owned))?,
            })
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Whether a VM's `agent` option enables the agent (`1`, or `enabled=1,…`).
fn agent_enabled(value: &str) -> bool {
    value.split(',').any(|part| {
        let v = part.strip_prefix("enabled=").unwrap_or(part);
        matches!(v, "1" | "on" | "yes" | "true")
    })
}

/// Interfaces in the agent's / PVE's form: `name`, `hardware-address`, `ip-addresses`.
fn interfaces(list: &Value) -> Option<Vec<GuestInterface>> {
    let list = list.as_array()?;
    Some(
        list.iter()
            .filter_map(|i| {
                let name = text(i, "name")?;
                let addresses = i["ip-addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| {
                        let ip = text(a, "ip-address")?;
                        Some(match num(&a["prefix"]) {
                            Some(p) => format!("{ip}/{p}"),
                            None => ip,
                        })
                    })
                    .collect();
                let mac = text(i, "hardware-address").or_else(|| text(i, "hwaddr"));
                Some(GuestInterface {
                    name,
                    mac,
                    addresses,
                })
            })
            .collect(),
    )
}

/// A guest's status and configuration, and its interfaces when it is running and can
/// report them. A silent or disabled agent is normal, so it means no addresses, not an error.
pub async fn guest_summary(
    ctx: &Ctx,
    conn: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<GuestSummary, AppError> {
    let base = format!("/nodes/{}/{}/{vmid}", enc(node), kind.path());
    let client = crate::connections::client(ctx, conn).await?;
    let (status_path, config_path) = (format!("{base}/status/current"), format!("{base}/config"));
    let (status, config) = tokio::join!(client.get(&status_path), client.get(&config_path));
    let status = status.map_err(AppError::from)?;
    let config = config.map_err(AppError::from)?;
    if !status.is_object() || !config.is_object() {
        return Err(shape(&base));
    }
    let running = text(&status, "status").as_deref() == Some("running");
    let shown = match (kind, text(&status, "qmpstatus")) {
        (GuestType::Qemu, Some(q)) if running && q != "running" => q,
        _ => text(&status, "status").unwrap_or_else(|| "unknown".into()),
    };
    let agent =
        kind == GuestType::Qemu && text(&config, "agent").is_some_and(|a| agent_enabled(&a));
    let ifaces = if !running {
        None
    } else {
        match kind {
            GuestType::Qemu if agent && shown == "running" => client
                .get(&format!("{base}/agent/network-get-interfaces"))
                .await
                .ok()
                .and_then(|v| interfaces(&v["result"])),
            GuestType::Qemu => None,
            GuestType::Lxc => client
                .get(&format!("{base}/interfaces"))
                .await
                .ok()
                .and_then(|v| interfaces(&v)),
        }
    };
    let ha = &status["ha"];
    Ok(GuestSummary {
        vmid,
        node: node.to_owned(),
        kind,
        name: text(&status, "name")
            .or_else(|| text(&config, "name").or_else(|| text(&config, "hostname"))),
        status: shown,
        template: flag(&status["template"]) || flag(&config["template"]),
        lock: text(&status, "lock").or_else(|| text(&config, "lock")),
        ha_state: flag(&ha["managed"]).then(|| text(ha, "state")).flatten(),
        uptime: f(&status, "uptime"),
        cpu: f(&status, "cpu"),
        cpus: f(&status, "cpus"),
        memory: UsedTotal {
            used: f(&status, "mem"),
            total: f(&status, "maxmem"),
        },
        disk: UsedTotal {
            used: f(&status, "disk"),
            total: f(&status, "maxdisk"),
        },
        cores: num(&config["cores"]).map(|n| n as u32),
        sockets: num(&config["sockets"]).map(|n| n as u32),
        memory_mib: num(&config["memory"]),
        ostype: text(&config, "ostype"),
        description: text(&config, "description"),
        disks: lines(&config, is_disk),
        nets: lines(&config, is_net),
        agent,
        interfaces: ifaces,
    })
}

/// A storage's usage and content types on one node.
pub async fn storage_status(
    ctx: &Ctx,
    conn: &str,
    node: &str,
    storage: &str,
) -> Result<StorageStatus, AppError> {
    let path = format!("/nodes/{}/storage/{}/status", enc(node), enc(storage));
    let v = get(ctx, conn, &path).await?;
    if !v.is_object() {
        return Err(shape(&path));
    }
    Ok(StorageStatus {
        storage: storage.to_owned(),
        node: node.to_owned(),
        kind: text(&v, "type").unwrap_or_default(),
        active: flag(&v["active"]),
        enabled: v.get("enabled").is_none_or(flag),
        shared: flag(&v["shared"]),
        content: text(&v, "content")
            .unwrap_or_default()
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        usage: usage(&v),
        avail: f(&v, "avail"),
    })
}

/// Quorum and members from `/cluster/status`, the rest summed up from `/cluster/resources`.
pub async fn cluster_summary(ctx: &Ctx, conn: &str) -> Result<ClusterSummary, AppError> {
    let client = crate::connections::client(ctx, conn).await?;
    let (status, resources) = tokio::join!(
        client.get("/cluster/status"),
        client.get("/cluster/resources"),
    );
    let status = status.map_err(AppError::from)?;
    let resources = resources.map_err(AppError::from)?;
    let (Some(status), Some(resources)) = (status.as_array(), resources.as_array()) else {
        return Err(shape("/cluster/status or /cluster/resources"));
    };
    let cluster = status.iter().find(|e| e["type"] == "cluster");
    let nodes: Vec<ClusterNode> = status
        .iter()
        .filter(|e| e["type"] == "node")
        .filter_map(|e| {
            Some(ClusterNode {
                name: text(e, "name")?,
                online: flag(&e["online"]),
                ip: text(e, "ip"),
            })
        })
        .collect();
    let mut out = ClusterSummary {
        name: cluster.and_then(|c| text(c, "name")),
        quorate: cluster.is_none_or(|c| flag(&c["quorate"])),
        nodes_online: nodes.iter().filter(|n| n.online).count() as u32,
        nodes,
        guests_running: 0,
        guests_total: 0,
        cpu: UsedTotal::default(),
        memory: UsedTotal::default(),
        storage: UsedTotal::default(),
    };
    let mut shared_seen = BTreeSet::new();
    for r in resources {
        match r["type"].as_str() {
            Some("qemu" | "lxc") if !flag(&r["template"]) => {
                out.guests_total += 1;
                if r["status"] == "running" {
                    out.guests_running += 1;
                }
            }
            Some("node") if r["status"] == "online" => {
                let maxcpu = f(r, "maxcpu");
                out.cpu.used += f(r, "cpu") * maxcpu;
                out.cpu.total += maxcpu;
                out.memory.used += f(r, "mem");
                out.memory.total += f(r, "maxmem");
            }
            Some("storage") if r["status"] == "available" => {
                if flag(&r["shared"]) && !shared_seen.insert(text(r, "storage").unwrap_or_default())
                {
                    continue;
                }
                out.storage.used += f(r, "disk");
                out.storage.total += f(r, "maxdisk");
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_and_net_keys() {
        for k in ["scsi0", "virtio12", "rootfs", "mp3", "efidisk0", "unused1"] {
            assert!(is_disk(k), "{k}");
        }
        for k in ["scsihw", "net0", "ide", "memory"] {
            assert!(!is_disk(k), "{k}");
        }
        assert!(is_net("net0") && is_net("net12"));
        assert!(!is_net("net") && !is_net("netin"));
    }

    #[test]
    fn agent_option_forms() {
        assert!(agent_enabled("1"));
        assert!(agent_enabled("enabled=1,fstrim_cloned_disks=1"));
        assert!(!agent_enabled("0"));
        assert!(!agent_enabled("enabled=0"));
    }

    #[test]
    fn numbers_from_strings() {
        assert_eq!(num(&Value::String("0.25".into())), Some(0.25));
        assert_eq!(num(&serde_json::json!(3)), Some(3.0));
        assert_eq!(num(&Value::Null), None);
    }
}
