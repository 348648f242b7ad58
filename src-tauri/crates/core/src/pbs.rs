//! Proxmox Backup Servers: datastores with their usage, fill-up estimate and garbage
//! collection, the backup groups in a datastore (in every namespace), and backup coverage
//! ([`coverage`]): which PVE guests have no recent backup where their cluster writes them.

mod coverage;

pub use coverage::{
    ClusterBackups, ClusterTarget, Coverage, CoverageFailure, CoverageRow, CoverageStatus,
    CoverageStorage, Guest, Newest, PBS_DEFAULT_PORT, ServerTarget, coverage, coverage_from, join,
    newest_in,
};

use std::collections::HashMap;
use std::sync::Arc;

use proxdeck_pve::{PveClient, percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::connections::ConnectionKind;
use crate::{AppError, Ctx, ErrorCode};

/// The last (or current) garbage collection of a datastore.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GcInfo {
    /// The task of the last run.
    pub upid: Option<String>,
    /// `ok`, or the error of the last run; `None` when it never ran.
    pub last_run_state: Option<String>,
    #[specta(type = Option<f64>)]
    pub last_run_endtime: Option<i64>,
    #[specta(type = Option<f64>)]
    pub next_run: Option<i64>,
    pub schedule: Option<String>,
    pub removed_bytes: Option<f64>,
    pub pending_bytes: Option<f64>,
    pub disk_bytes: Option<f64>,
}

/// One datastore of a backup server.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Datastore {
    pub name: String,
    /// Bytes; `None` when this login may not see the figures.
    pub total: Option<f64>,
    pub used: Option<f64>,
    pub avail: Option<f64>,
    /// Unix seconds when the store is expected to be full at the current growth; `None`
    /// when not growing or not enough history.
    #[specta(type = Option<f64>)]
    pub estimated_full_date: Option<i64>,
    pub gc: Option<GcInfo>,
    /// Why the store's figures could not be read.
    pub error: Option<String>,
}

/// One snapshot of a backup group.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Unix seconds.
    #[specta(type = f64)]
    pub time: i64,
    pub size: Option<f64>,
    /// `ok`, `failed`, or `None` when not verified.
    pub verification: Option<String>,
    pub protected: bool,
}

/// A backup group: the snapshots of one guest (or host) in a datastore namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupGroup {
    /// The namespace, `""` for the root.
    pub ns: String,
    /// `vm`, `ct` or `host`.
    pub backup_type: String,
    /// The VMID for `vm` and `ct`.
    pub backup_id: String,
    #[specta(type = Option<f64>)]
    pub last_backup: Option<i64>,
    pub count: u32,
    pub owner: Option<String>,
    /// Newest first.
    pub snapshots: Vec<Snapshot>,
}

#[derive(Deserialize)]
struct WireUsage {
    store: String,
    total: Option<f64>,
    used: Option<f64>,
    avail: Option<f64>,
    #[serde(rename = "estimated-full-date")]
    estimated_full_date: Option<i64>,
    #[serde(rename = "gc-status")]
    gc_status: Option<Value>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct WireGroup {
    #[serde(rename = "backup-type")]
    backup_type: String,
    #[serde(rename = "backup-id")]
    backup_id: String,
    #[serde(rename = "last-backup")]
    last_backup: Option<i64>,
    #[serde(rename = "backup-count", default)]
    backup_count: u32,
    owner: Option<String>,
}

#[derive(Deserialize)]
struct WireSnapshot {
    #[serde(rename = "backup-type")]
    backup_type: String,
    #[serde(rename = "backup-id")]
    backup_id: String,
    #[serde(rename = "backup-time")]
    backup_time: i64,
    size: Option<f64>,
    verification: Option<Value>,
    #[serde(default)]
    protected: bool,
}

fn shape(what: &str, e: serde_json::Error) -> AppError {
    AppError::new(
        ErrorCode::Protocol,
        format!("the backup server answered {what} in an unexpected shape"),
    )
    .with_detail(e.to_string())
}

async fn pbs_client(ctx: &Ctx, id: &str) -> Result<Arc<PveClient>, AppError> {
    let conn = crate::connections::get(ctx, id).await?;
    if conn.kind != ConnectionKind::Pbs {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!("{} is a PVE cluster, not a backup server", conn.name),
        ));
    }
    crate::connections::client(ctx, id).await
}

/// The datastores of backup server `connection_id` with usage, estimate and GC state.
pub async fn datastores(ctx: &Ctx, connection_id: &str) -> Result<Vec<Datastore>, AppError> {
    let client = pbs_client(ctx, connection_id).await?;
    datastores_from(&client).await
}

/// [`datastores`] on a given client.
pub async fn datastores_from(client: &PveClient) -> Result<Vec<Datastore>, AppError> {
    let usage = client.get("/status/datastore-usage").await?;
    let usage: Vec<WireUsage> =
        serde_json::from_value(usage).map_err(|e| shape("/status/datastore-usage", e))?;
    let mut out = Vec::with_capacity(usage.len());
    for u in usage {
        // The GC job adds the schedule and the last run's outcome; it needs Datastore.Audit.
        let job = client
            .get(&format!("/admin/datastore/{}/gc", percent_encode(&u.store)))
            .await
            .ok();
        let gc = gc_info(u.gc_status.as_ref(), job.as_ref());
        out.push(Datastore {
            name: u.store,
            total: u.total,
            used: u.used,
            avail: u.avail,
            // PBS reports a date in the past (or 0) when usage is flat or shrinking.
            estimated_full_date: u.estimated_full_date.filter(|d| *d > 0),
            gc,
            error: u.error,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn gc_info(status: Option<&Value>, job: Option<&Value>) -> Option<GcInfo> {
    if status.is_none() && job.is_none() {
        return None;
    }
    let pick = |k: &str| {
        job.and_then(|j| j.get(k))
            .or_else(|| status.and_then(|s| s.get(k)))
    };
    let text = |k: &str| pick(k).and_then(Value::as_str).map(str::to_owned);
    let int = |k: &str| pick(k).and_then(Value::as_i64);
    let num = |k: &str| pick(k).and_then(Value::as_f64);
    Some(GcInfo {
        upid: text("upid"),
        last_run_state: text("last-run-state"),
        last_run_endtime: int("last-run-endtime"),
        next_run: int("next-run"),
        schedule: text("schedule"),
        removed_bytes: num("removed-bytes"),
        pending_bytes: num("pending-bytes"),
        disk_bytes: num("disk-bytes"),
    })
}

/// The backup groups of datastore `store` with their snapshots, newest group first.
pub async fn snapshots(
    ctx: &Ctx,
    connection_id: &str,
    store: &str,
) -> Result<Vec<BackupGroup>, AppError> {
    let client = pbs_client(ctx, connection_id).await?;
    snapshots_from(&client, store).await
}

/// [`snapshots`] on a given client: the groups of every namespace of the datastore.
pub async fn snapshots_from(client: &PveClient, store: &str) -> Result<Vec<BackupGroup>, AppError> {
    let base = format!("/admin/datastore/{}", percent_encode(store));
    let mut out = Vec::new();
    for ns in namespaces(client, store).await? {
        let query = if ns.is_empty() {
            String::new()
        } else {
            format!("?ns={}", percent_encode(&ns))
        };
        let groups = client.get(&format!("{base}/groups{query}")).await?;
        let groups: Vec<WireGroup> =
            serde_json::from_value(groups).map_err(|e| shape("groups", e))?;
        let snaps = client.get(&format!("{base}/snapshots{query}")).await?;
        let snaps: Vec<WireSnapshot> =
            serde_json::from_value(snaps).map_err(|e| shape("snapshots", e))?;
        out.extend(assemble(&ns, groups, snaps));
    }
    out.sort_by(|a, b| {
        (a.ns.as_str(), a.backup_type.as_str(), id_key(&a.backup_id)).cmp(&(
            b.ns.as_str(),
            b.backup_type.as_str(),
            id_key(&b.backup_id),
        ))
    });
    Ok(out)
}

#[derive(Deserialize)]
struct WireNamespace {
    ns: String,
}

/// The namespaces of `store` this login may see, the root first. A server that does not
/// know namespaces (before PBS 2.2) has only the root.
async fn namespaces(client: &PveClient, store: &str) -> Result<Vec<String>, AppError> {
    let path = format!("/admin/datastore/{}/namespace", percent_encode(store));
    let list = match client.get(&path).await {
        Ok(v) => v,
        Err(proxdeck_pve::PveError::Http { status: 404, .. }) => {
            return Ok(vec![String::new()]);
        }
        Err(e) => return Err(e.into()),
    };
    let list: Vec<WireNamespace> =
        serde_json::from_value(list).map_err(|e| shape("namespace", e))?;
    let mut out: Vec<String> = list.into_iter().map(|n| n.ns).collect();
    if !out.iter().any(String::is_empty) {
        out.push(String::new());
    }
    out.sort();
    Ok(out)
}

fn assemble(ns: &str, groups: Vec<WireGroup>, snaps: Vec<WireSnapshot>) -> Vec<BackupGroup> {
    let mut by_group: HashMap<(String, String), Vec<Snapshot>> = HashMap::new();
    for s in snaps {
        by_group
            .entry((s.backup_type, s.backup_id))
            .or_default()
            .push(Snapshot {
                time: s.backup_time,
                size: s.size,
                verification: s
                    .verification
                    .as_ref()
                    .and_then(|v| v.get("state"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                protected: s.protected,
            });
    }
    groups
        .into_iter()
        .map(|g| {
            let mut snapshots = by_group
                .remove(&(g.backup_type.clone(), g.backup_id.clone()))
                .unwrap_or_default();
            snapshots.sort_by_key(|s| std::cmp::Reverse(s.time));
            BackupGroup {
                ns: ns.to_owned(),
                last_backup: g.last_backup.or_else(|| snapshots.first().map(|s| s.time)),
                count: g.backup_count.max(snapshots.len() as u32),
                backup_type: g.backup_type,
                backup_id: g.backup_id,
                owner: g.owner,
                snapshots,
            }
        })
        .collect()
}

/// Sorts numeric ids (VMIDs) numerically, others after them by name.
fn id_key(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}
