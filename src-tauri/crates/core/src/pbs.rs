//! Proxmox Backup Servers: datastores with their usage, fill-up estimate and garbage
//! collection, the backup groups in a datastore, and backup coverage: which PVE guests have
//! no recent backup on any backup server the app knows.
//!
//! Only the root namespace is read; backups in sub-namespaces are not seen yet.

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

/// A backup group: the snapshots of one guest (or host) in a datastore.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupGroup {
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

/// One PVE guest and its newest backup on any known backup server.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CoverageRow {
    pub connection_id: String,
    pub connection: String,
    pub vmid: u32,
    pub name: Option<String>,
    /// `qemu` or `lxc`.
    pub kind: String,
    pub node: Option<String>,
    #[specta(type = Option<f64>)]
    pub last_backup: Option<i64>,
    /// Where the newest backup is: `server / datastore`.
    pub last_backup_on: Option<String>,
    pub backed_up_within: bool,
}

/// A connection that could not be read for the coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CoverageFailure {
    pub connection_id: String,
    pub connection: String,
    pub message: String,
}

/// Backup coverage of every PVE guest (templates excluded).
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub days: u32,
    /// Unix seconds the check was made at.
    #[specta(type = f64)]
    pub checked_at: i64,
    /// Every guest, those without a backup within `days` first.
    pub rows: Vec<CoverageRow>,
    /// Connections that did not answer: a guest may have a backup there.
    pub failed: Vec<CoverageFailure>,
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

/// [`snapshots`] on a given client.
pub async fn snapshots_from(client: &PveClient, store: &str) -> Result<Vec<BackupGroup>, AppError> {
    let base = format!("/admin/datastore/{}", percent_encode(store));
    let groups = client.get(&format!("{base}/groups")).await?;
    let groups: Vec<WireGroup> = serde_json::from_value(groups).map_err(|e| shape("groups", e))?;
    let snaps = client.get(&format!("{base}/snapshots")).await?;
    let snaps: Vec<WireSnapshot> =
        serde_json::from_value(snaps).map_err(|e| shape("snapshots", e))?;
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
    let mut out: Vec<BackupGroup> = groups
        .into_iter()
        .map(|g| {
            let mut snapshots = by_group
                .remove(&(g.backup_type.clone(), g.backup_id.clone()))
                .unwrap_or_default();
            snapshots.sort_by_key(|s| std::cmp::Reverse(s.time));
            BackupGroup {
                last_backup: g.last_backup.or_else(|| snapshots.first().map(|s| s.time)),
                count: g.backup_count.max(snapshots.len() as u32),
                backup_type: g.backup_type,
                backup_id: g.backup_id,
                owner: g.owner,
                snapshots,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.backup_type.as_str(), id_key(&a.backup_id))
            .cmp(&(b.backup_type.as_str(), id_key(&b.backup_id)))
    });
    Ok(out)
}

/// Sorts numeric ids (VMIDs) numerically, others after them by name.
fn id_key(id: &str) -> (u64, &str) {
    (id.parse().unwrap_or(u64::MAX), id)
}

/// The newest backup of each guest on one backup server: `(type, id) -> (time, store)`.
pub type Newest = HashMap<(String, String), (i64, String)>;

/// The newest snapshot per `(vm|ct, vmid)` over every datastore of a backup server.
pub async fn newest_backups(client: &PveClient) -> Result<Newest, AppError> {
    let stores = client.get("/admin/datastore").await?;
    let stores: Vec<String> = stores
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("store").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Newest::new();
    for store in stores {
        let groups = client
            .get(&format!(
                "/admin/datastore/{}/groups",
                percent_encode(&store)
            ))
            .await?;
        let groups: Vec<WireGroup> =
            serde_json::from_value(groups).map_err(|e| shape("groups", e))?;
        for g in groups {
            let Some(last) = g.last_backup else { continue };
            let key = (g.backup_type, g.backup_id);
            if out.get(&key).is_none_or(|(t, _)| *t < last) {
                out.insert(key, (last, store.clone()));
            }
        }
    }
    Ok(out)
}

/// One guest as the coverage needs it.
#[derive(Debug, Clone)]
pub struct Guest {
    pub connection_id: String,
    pub connection: String,
    pub vmid: u32,
    pub name: Option<String>,
    pub kind: String,
    pub node: Option<String>,
}

/// Backup coverage of every guest of every enabled PVE connection against every enabled
/// backup server: guests without a backup within `days` days come first.
///
/// A guest is matched to backup groups by VMID and type (`qemu` ↔ `vm`, `lxc` ↔ `ct`).
pub async fn coverage(ctx: &Ctx, days: u32) -> Result<Coverage, AppError> {
    let mut failed = Vec::new();
    let mut pve = Vec::new();
    let mut pbs = tokio::task::JoinSet::new();
    for c in crate::connections::list(ctx).await? {
        if !c.enabled {
            continue;
        }
        match c.kind {
            ConnectionKind::Pve => pve.push(c),
            ConnectionKind::Pbs => match crate::connections::client(ctx, &c.id).await {
                Ok(client) => {
                    pbs.spawn(async move {
                        let r = newest_backups(&client).await;
                        (c, r)
                    });
                }
                Err(e) => failed.push(CoverageFailure {
                    connection_id: c.id,
                    connection: c.name,
                    message: e.message,
                }),
            },
        }
    }
    // The backup servers are read in the background meanwhile.
    let mut guests = Vec::new();
    for c in pve {
        match crate::inventory::resources(ctx, &c.id).await {
            Ok(resources) => guests.extend(
                resources
                    .into_iter()
                    .filter(|r| (r.kind == "qemu" || r.kind == "lxc") && !r.template)
                    .filter_map(|r| {
                        Some(Guest {
                            connection_id: c.id.clone(),
                            connection: c.name.clone(),
                            vmid: r.vmid?,
                            name: r.name,
                            kind: r.kind,
                            node: r.node,
                        })
                    }),
            ),
            Err(e) => failed.push(CoverageFailure {
                connection_id: c.id,
                connection: c.name,
                message: e.message,
            }),
        }
    }
    let mut servers = Vec::new();
    while let Some(Ok((c, r))) = pbs.join_next().await {
        match r {
            Ok(newest) => servers.push((c.name, newest)),
            Err(e) => failed.push(CoverageFailure {
                connection_id: c.id,
                connection: c.name,
                message: e.message,
            }),
        }
    }
    failed.sort_by(|a, b| a.connection.cmp(&b.connection));
    let now = chrono::Utc::now().timestamp();
    Ok(Coverage {
        days,
        checked_at: now,
        rows: join(guests, &servers, days, now),
        failed,
    })
}

/// Joins guests with the newest backups of each server: one row per guest.
pub fn join(
    guests: Vec<Guest>,
    servers: &[(String, Newest)],
    days: u32,
    now: i64,
) -> Vec<CoverageRow> {
    let window = i64::from(days) * 86_400;
    let mut rows: Vec<CoverageRow> = guests
        .into_iter()
        .map(|g| {
            let btype = if g.kind == "lxc" { "ct" } else { "vm" };
            let key = (btype.to_owned(), g.vmid.to_string());
            let mut best: Option<(i64, String)> = None;
            for (server, newest) in servers {
                if let Some((t, store)) = newest.get(&key)
                    && best.as_ref().is_none_or(|(b, _)| b < t)
                {
                    best = Some((*t, format!("{server} / {store}")));
                }
            }
            let last_backup = best.as_ref().map(|(t, _)| *t);
            CoverageRow {
                backed_up_within: last_backup.is_some_and(|t| now - t <= window),
                last_backup,
                last_backup_on: best.map(|(_, on)| on),
                connection_id: g.connection_id,
                connection: g.connection,
                vmid: g.vmid,
                name: g.name,
                kind: g.kind,
                node: g.node,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.backed_up_within
            .cmp(&b.backed_up_within)
            .then_with(|| a.connection.cmp(&b.connection))
            .then_with(|| a.vmid.cmp(&b.vmid))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(vmid: u32, kind: &str) -> Guest {
        Guest {
            connection_id: "c".into(),
            connection: "c".into(),
            vmid,
            name: None,
            kind: kind.into(),
            node: None,
        }
    }

    #[test]
    fn the_join_matches_type_and_vmid_and_keeps_the_newest() {
        let now = 10 * 86_400;
        let mut a = Newest::new();
        a.insert(("vm".into(), "100".into()), (now - 3600, "prod".into()));
        a.insert(
            ("vm".into(), "101".into()),
            (now - 3 * 86_400, "prod".into()),
        );
        let mut b = Newest::new();
        b.insert(("vm".into(), "101".into()), (now - 100, "other".into()));
        // A CT backup does not cover a VM with the same id.
        b.insert(("ct".into(), "102".into()), (now - 100, "other".into()));
        let servers = vec![("a".to_owned(), a), ("b".to_owned(), b)];
        let rows = join(
            vec![guest(100, "qemu"), guest(101, "qemu"), guest(102, "qemu")],
            &servers,
            1,
            now,
        );
        let ids: Vec<(u32, bool)> = rows.iter().map(|r| (r.vmid, r.backed_up_within)).collect();
        assert_eq!(ids, vec![(102, false), (100, true), (101, true)]);
        assert_eq!(rows[2].last_backup_on.as_deref(), Some("b / other"));
        assert_eq!(rows[0].last_backup, None);
    }
}
