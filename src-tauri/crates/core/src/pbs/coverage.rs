//! Backup coverage: which PVE guests have no recent backup.
//!
//! VMIDs are unique only inside one PVE cluster, so a backup group `vm/100` on a backup
//! server says nothing by itself about "VM 100" of a given cluster. What ties them together
//! is the cluster's storage configuration: PVE writes backups to PBS through a storage of
//! type `pbs` (`server`, `port`, `datastore`, `namespace`, `fingerprint`). So the join is
//! made per cluster: for each of its `pbs` storages, the backup server connection at that
//! address, and in it the groups of that datastore *and namespace*, matched to that
//! cluster's guests by type and VMID.
//!
//! Matching a storage to a connection: by address first (the storage's `server` and
//! `port`, default 8007, against the host and port of each of the connection's URLs,
//! case-insensitively). PVE often names the server by IP while the app uses a host name
//! (or the reverse), so when no address matches, the storage's certificate `fingerprint`
//! is compared with the fingerprints pinned for each connection. When neither matches the
//! storage is reported in [`Coverage::storages`] with a note saying so, and is not used:
//! guessing by VMID alone is exactly the mistake this module avoids. A cluster none of
//! whose `pbs` storages maps to a known connection has its guests listed with
//! [`CoverageStatus::NoPbsStorage`], not as "never backed up".

use std::collections::HashMap;
use std::sync::Arc;

use proxdeck_pve::{PveClient, percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{WireGroup, shape};
use crate::connections::{Connection, ConnectionKind};
use crate::{AppError, Ctx};

/// PBS's API port, which PVE assumes when a `pbs` storage has no `port`.
pub const PBS_DEFAULT_PORT: u16 = 8007;

/// Where a guest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum CoverageStatus {
    /// A backup within the window.
    Recent,
    /// Backups exist, the newest is older than the window.
    Stale,
    /// No backup in any datastore and namespace its cluster backs up to.
    Never,
    /// Its cluster has no `pbs` storage that maps to a known backup server connection.
    NoPbsStorage,
}

/// One PVE guest and its newest backup on the backup servers its cluster writes to.
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
    /// Where the newest backup is: `server / datastore`, plus ` / namespace` when not root.
    pub last_backup_on: Option<String>,
    pub backed_up_within: bool,
    pub status: CoverageStatus,
}

/// A connection that could not be read for the coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CoverageFailure {
    pub connection_id: String,
    pub connection: String,
    pub message: String,
}

/// One `pbs` storage of a cluster and the backup server connection it maps to.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CoverageStorage {
    /// The PVE cluster.
    pub connection_id: String,
    pub connection: String,
    /// The storage id in the cluster's `/storage`.
    pub storage: String,
    pub server: String,
    pub port: u16,
    pub datastore: String,
    /// `""` for the root namespace.
    pub namespace: String,
    /// The backup server connection it maps to; `None` when none matched.
    pub backup_server_id: Option<String>,
    pub backup_server: Option<String>,
    /// How it was matched when not by address, or why it was not.
    pub note: Option<String>,
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
    /// Connections (or datastores) that did not answer: a guest may have a backup there.
    pub failed: Vec<CoverageFailure>,
    /// Every `pbs` storage of every cluster read, and where it leads.
    pub storages: Vec<CoverageStorage>,
}

/// A PVE cluster to check: its guests come from `client`.
#[derive(Clone)]
pub struct ClusterTarget {
    pub connection_id: String,
    pub connection: String,
    pub client: Arc<PveClient>,
}

/// A backup server the app knows: its URLs and pinned fingerprints identify it.
#[derive(Clone)]
pub struct ServerTarget {
    pub connection_id: String,
    pub connection: String,
    pub urls: Vec<String>,
    pub fingerprints: Vec<String>,
    pub client: Arc<PveClient>,
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

/// The newest backup time per `(vm|ct, vmid)` in one datastore namespace.
pub type Newest = HashMap<(String, String), i64>;

/// The backups one cluster writes: `(where, newest)` per mapped storage. `None` when none
/// of its `pbs` storages maps to a known backup server.
pub type ClusterBackups = Option<Vec<(String, Newest)>>;

#[derive(Deserialize)]
struct WireStorage {
    storage: String,
    #[serde(rename = "type")]
    kind: String,
    server: Option<String>,
    port: Option<Value>,
    datastore: Option<String>,
    namespace: Option<String>,
    fingerprint: Option<String>,
}

/// Backup coverage of every guest of every enabled PVE connection, joined with the enabled
/// backup server connections through each cluster's `pbs` storages (see the module
/// comment): guests without a backup within `days` days come first.
pub async fn coverage(ctx: &Ctx, days: u32) -> Result<Coverage, AppError> {
    let mut failed = Vec::new();
    let mut clusters = Vec::new();
    let mut servers = Vec::new();
    for c in crate::connections::list(ctx).await? {
        if !c.enabled {
            continue;
        }
        match crate::connections::client(ctx, &c.id).await {
            Ok(client) => match c.kind {
                ConnectionKind::Pve => clusters.push(ClusterTarget {
                    connection_id: c.id,
                    connection: c.name,
                    client,
                }),
                ConnectionKind::Pbs => servers.push(server_target(c, client)),
            },
            Err(e) => failed.push(CoverageFailure {
                connection_id: c.id,
                connection: c.name,
                message: e.message,
            }),
        }
    }
    let mut cov = coverage_from(clusters, servers, days, chrono::Utc::now().timestamp()).await;
    cov.failed.extend(failed);
    cov.failed.sort_by(|a, b| a.connection.cmp(&b.connection));
    Ok(cov)
}

fn server_target(c: Connection, client: Arc<PveClient>) -> ServerTarget {
    let mut urls = c.urls;
    if urls.is_empty() {
        urls.push(c.url);
    }
    ServerTarget {
        connection_id: c.id,
        connection: c.name,
        urls,
        fingerprints: c.fingerprints,
        client,
    }
}

/// [`coverage`] on given clients, as of `now`.
pub async fn coverage_from(
    clusters: Vec<ClusterTarget>,
    servers: Vec<ServerTarget>,
    days: u32,
    now: i64,
) -> Coverage {
    let mut failed = Vec::new();
    let mut storages = Vec::new();
    let mut reads = tokio::task::JoinSet::new();
    for c in clusters {
        reads.spawn(async move {
            let guests = crate::inventory::fetch(&c.client, &c.connection).await;
            let pbs = c.client.get("/storage?type=pbs").await;
            (c, guests, pbs)
        });
    }
    let mut guests = Vec::new();
    // Each (server, datastore, namespace) is read once however many storages lead to it.
    let mut wanted: Vec<(usize, String, String)> = Vec::new();
    let mut per_cluster: Vec<(String, Vec<usize>)> = Vec::new();
    while let Some(Ok((c, g, pbs))) = reads.join_next().await {
        let fail = |failed: &mut Vec<CoverageFailure>, message: String| {
            failed.push(CoverageFailure {
                connection_id: c.connection_id.clone(),
                connection: c.connection.clone(),
                message,
            })
        };
        let resources = match g {
            Ok(r) => r,
            Err(e) => {
                fail(&mut failed, e.message);
                continue;
            }
        };
        let configured: Vec<WireStorage> = match pbs
            .map_err(AppError::from)
            .and_then(|v| serde_json::from_value(v).map_err(|e| shape("/storage", e)))
        {
            Ok(s) => s,
            Err(e) => {
                fail(
                    &mut failed,
                    format!("its storage configuration could not be read: {}", e.message),
                );
                continue;
            }
        };
        let mut used = Vec::new();
        for s in configured.into_iter().filter(|s| s.kind == "pbs") {
            let row = map_storage(&c, s, &servers);
            if let (Some(id), false) = (&row.backup_server_id, row.datastore.is_empty()) {
                let server = servers
                    .iter()
                    .position(|t| &t.connection_id == id)
                    .expect("matched among these servers");
                let key = (server, row.datastore.clone(), row.namespace.clone());
                let at = match wanted.iter().position(|w| *w == key) {
                    Some(i) => i,
                    None => {
                        wanted.push(key);
                        wanted.len() - 1
                    }
                };
                if !used.contains(&at) {
                    used.push(at);
                }
            }
            storages.push(row);
        }
        per_cluster.push((c.connection_id.clone(), used));
        guests.extend(
            resources
                .into_iter()
                .filter(|r| (r.kind == "qemu" || r.kind == "lxc") && !r.template)
                .filter_map(|r| {
                    Some(Guest {
                        connection_id: c.connection_id.clone(),
                        connection: c.connection.clone(),
                        vmid: r.vmid?,
                        name: r.name,
                        kind: r.kind,
                        node: r.node,
                    })
                }),
        );
    }

    let mut fetches = tokio::task::JoinSet::new();
    for (i, (server, store, ns)) in wanted.iter().cloned().enumerate() {
        let client = servers[server].client.clone();
        fetches.spawn(async move { (i, newest_in(&client, &store, &ns).await) });
    }
    let mut newest: Vec<Option<Newest>> = vec![None; wanted.len()];
    while let Some(Ok((i, r))) = fetches.join_next().await {
        let (server, store, ns) = &wanted[i];
        match r {
            Ok(n) => newest[i] = Some(n),
            Err(e) => failed.push(CoverageFailure {
                connection_id: servers[*server].connection_id.clone(),
                connection: servers[*server].connection.clone(),
                message: format!("datastore {}: {}", place(store, ns, ""), e.message),
            }),
        }
    }
    let backups: HashMap<String, ClusterBackups> = per_cluster
        .into_iter()
        .map(|(id, used)| {
            let sources = (!used.is_empty()).then(|| {
                used.iter()
                    .filter_map(|i| {
                        let (server, store, ns) = &wanted[*i];
                        let n = newest[*i].clone()?;
                        Some((place(&servers[*server].connection, store, ns), n))
                    })
                    .collect()
            });
            (id, sources)
        })
        .collect();
    failed.sort_by(|a, b| a.connection.cmp(&b.connection));
    storages.sort_by(|a, b| {
        (a.connection.as_str(), a.storage.as_str())
            .cmp(&(b.connection.as_str(), b.storage.as_str()))
    });
    Coverage {
        days,
        checked_at: now,
        rows: join(guests, &backups, days, now),
        failed,
        storages,
    }
}

/// `a / b[ / c]`: where a backup is (`server / datastore[ / namespace]`).
fn place(a: &str, b: &str, c: &str) -> String {
    if c.is_empty() {
        format!("{a} / {b}")
    } else {
        format!("{a} / {b} / {c}")
    }
}

/// The newest snapshot per `(vm|ct, vmid)` in one namespace of one datastore (not the
/// namespaces below it: PVE writes into exactly the storage's namespace).
pub async fn newest_in(client: &PveClient, store: &str, ns: &str) -> Result<Newest, AppError> {
    let mut path = format!("/admin/datastore/{}/groups", percent_encode(store));
    if !ns.is_empty() {
        path.push_str(&format!("?ns={}", percent_encode(ns)));
    }
    let groups: Vec<WireGroup> =
        serde_json::from_value(client.get(&path).await?).map_err(|e| shape("groups", e))?;
    let mut out = Newest::new();
    for g in groups {
        if g.backup_type == "host" {
            continue;
        }
        let Some(last) = g.last_backup else { continue };
        let key = (g.backup_type, g.backup_id);
        if out.get(&key).is_none_or(|t| *t < last) {
            out.insert(key, last);
        }
    }
    Ok(out)
}

/// The storage's row, with the backup server connection it maps to (if any).
fn map_storage(c: &ClusterTarget, s: WireStorage, servers: &[ServerTarget]) -> CoverageStorage {
    // PVE's schema has `port` as an integer; accept it as a string too.
    let port = match &s.port {
        Some(Value::Number(n)) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Some(Value::String(p)) => p.parse().ok(),
        _ => None,
    }
    .unwrap_or(PBS_DEFAULT_PORT);
    let server = s.server.unwrap_or_default();
    let mut row = CoverageStorage {
        connection_id: c.connection_id.clone(),
        connection: c.connection.clone(),
        storage: s.storage,
        server: server.clone(),
        port,
        datastore: s.datastore.unwrap_or_default(),
        namespace: s.namespace.unwrap_or_default(),
        backup_server_id: None,
        backup_server: None,
        note: None,
    };
    if row.datastore.is_empty() || server.is_empty() {
        row.note = Some("the storage names no server or datastore".into());
        return row;
    }
    let by_address = servers.iter().find(|t| {
        t.urls
            .iter()
            .filter_map(|u| host_port(u))
            .any(|(h, p)| p == port && same_host(&h, &server))
    });
    let by_fingerprint = || {
        let want = s.fingerprint.as_deref().map(normal_fingerprint)?;
        servers
            .iter()
            .find(|t| t.fingerprints.iter().any(|f| normal_fingerprint(f) == want))
    };
    if let Some(t) = by_address {
        row.backup_server_id = Some(t.connection_id.clone());
        row.backup_server = Some(t.connection.clone());
    } else if let Some(t) = by_fingerprint() {
        row.note = Some(format!(
            "matched to {} by its certificate fingerprint: no backup server connection is \
             at {server}:{port}",
            t.connection
        ));
        row.backup_server_id = Some(t.connection_id.clone());
        row.backup_server = Some(t.connection.clone());
    } else {
        row.note = Some(format!(
            "no backup server connection is at {server}:{port} or has the storage's \
             certificate fingerprint; add that server to see these backups"
        ));
    }
    row
}

/// Host (lower case, no IPv6 brackets) and port of `https://host[:port]/...`.
fn host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') => (h, Some(p)),
            _ => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => PBS_DEFAULT_PORT,
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

fn same_host(a: &str, b: &str) -> bool {
    let b = b.trim_start_matches('[').trim_end_matches(']');
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// `AA:bb:...` and `aabb...` are the same SHA-256 fingerprint.
fn normal_fingerprint(f: &str) -> String {
    f.chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Joins guests with the newest backups their own cluster wrote: one row per guest.
pub fn join(
    guests: Vec<Guest>,
    backups: &HashMap<String, ClusterBackups>,
    days: u32,
    now: i64,
) -> Vec<CoverageRow> {
    let window = i64::from(days) * 86_400;
    let mut rows: Vec<CoverageRow> = guests
        .into_iter()
        .map(|g| {
            let btype = if g.kind == "lxc" { "ct" } else { "vm" };
            let key = (btype.to_owned(), g.vmid.to_string());
            let sources = backups.get(&g.connection_id).cloned().flatten();
            let mut best: Option<(i64, &str)> = None;
            for (place, newest) in sources.iter().flatten() {
                if let Some(t) = newest.get(&key)
                    && best.is_none_or(|(b, _)| b < *t)
                {
                    best = Some((*t, place));
                }
            }
            let last_backup = best.map(|(t, _)| t);
            let status = match (&sources, last_backup) {
                (None, _) => CoverageStatus::NoPbsStorage,
                (Some(_), None) => CoverageStatus::Never,
                (Some(_), Some(t)) if now - t <= window => CoverageStatus::Recent,
                (Some(_), Some(_)) => CoverageStatus::Stale,
            };
            CoverageRow {
                backed_up_within: status == CoverageStatus::Recent,
                status,
                last_backup,
                last_backup_on: best.map(|(_, on)| on.to_owned()),
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

    fn guest(conn: &str, vmid: u32, kind: &str) -> Guest {
        Guest {
            connection_id: conn.into(),
            connection: conn.into(),
            vmid,
            name: None,
            kind: kind.into(),
            node: None,
        }
    }

    #[test]
    fn the_join_matches_type_and_vmid_within_the_cluster_and_keeps_the_newest() {
        let now = 10 * 86_400;
        let mut a = Newest::new();
        a.insert(("vm".into(), "100".into()), now - 3600);
        a.insert(("vm".into(), "101".into()), now - 3 * 86_400);
        let mut b = Newest::new();
        b.insert(("vm".into(), "101".into()), now - 100);
        // A CT backup does not cover a VM with the same id.
        b.insert(("ct".into(), "102".into()), now - 100);
        let mut other = Newest::new();
        other.insert(("vm".into(), "102".into()), now - 100);
        let backups = HashMap::from([
            (
                "c".to_owned(),
                Some(vec![("a / s".to_owned(), a), ("b / s / ns".to_owned(), b)]),
            ),
            // Another cluster's VM 102 does not cover this one's.
            ("d".to_owned(), Some(vec![("a / t".to_owned(), other)])),
            ("e".to_owned(), None),
        ]);
        let rows = join(
            vec![
                guest("c", 100, "qemu"),
                guest("c", 101, "qemu"),
                guest("c", 102, "qemu"),
                guest("e", 100, "qemu"),
            ],
            &backups,
            1,
            now,
        );
        let ids: Vec<(&str, u32, CoverageStatus)> = rows
            .iter()
            .map(|r| (r.connection.as_str(), r.vmid, r.status))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("c", 102, CoverageStatus::Never),
                ("e", 100, CoverageStatus::NoPbsStorage),
                ("c", 100, CoverageStatus::Recent),
                ("c", 101, CoverageStatus::Recent),
            ]
        );
        assert_eq!(rows[3].last_backup_on.as_deref(), Some("b / s / ns"));
        assert_eq!(rows[0].last_backup, None);
    }

    #[test]
    fn urls_give_host_and_port_with_pbs_default() {
        assert_eq!(
            host_port("https://PBS.example:8007/"),
            Some(("pbs.example".into(), 8007))
        );
        assert_eq!(
            host_port("https://pbs.example"),
            Some(("pbs.example".into(), 8007))
        );
        assert_eq!(
            host_port("https://127.0.0.1:41234"),
            Some(("127.0.0.1".into(), 41234))
        );
        assert_eq!(
            host_port("https://[2001:db8::5]:8443/api2"),
            Some(("2001:db8::5".into(), 8443))
        );
        assert!(same_host("pbs.example", "PBS.example."));
        assert_eq!(normal_fingerprint("AB:cd:01"), normal_fingerprint("abcd01"));
    }
}
