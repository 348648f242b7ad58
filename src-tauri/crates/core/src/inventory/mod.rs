//! What each cluster contains: its nodes, guests, storages and pools, from one
//! `/cluster/resources` call per cluster and refresh.
//!
//! The [`engine`] refreshes every enabled cluster in parallel and pushes only what changed
//! ([`diff`]) as [`InventoryDelta`] events; every success is written to the [`cache`], so
//! the tree is painted at start before any call returns and an unreachable cluster stays
//! browsable, marked stale with its age. Offline is a state of the data, not an error.

pub mod cache;
pub mod diff;
pub mod engine;

use proxdeck_pve::PveClient;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connections::ConnectionKind;
use crate::{AppError, Ctx, ErrorCode};

pub use engine::{
    DEFAULT_CONCURRENCY, FIRST_PAINT_WAIT, RefresherOptions, prewarm, refresh_count, refresh_once,
    refresh_soon, refresh_with, run_refresher, set_window_visible, snapshot, wait_first_paint,
    wake, window_visible,
};

/// What the UI paints for one cluster connection: its last-known resources and how fresh
/// they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInventory {
    pub connection_id: String,
    pub resources: Vec<Resource>,
    /// When `resources` was fetched (RFC 3339); `None`: never fetched yet.
    pub fetched_at: Option<String>,
    /// The resources are the last-known state, not the current one: the last refresh failed
    /// or none has succeeded since the app started (they come from the cache). Show them
    /// greyed with their age, and disable actions on them.
    pub stale: bool,
    /// Why the last refresh failed.
    pub error: Option<String>,
}

/// What changed in one connection's inventory since the previous event: apply it to the
/// tree instead of reloading it. Resources are matched by `id`. A change of only a
/// resource's `uptime` is not a change (it grows with the clock).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InventoryDelta {
    pub connection_id: String,
    /// When the connection's resources were fetched (RFC 3339), after this change.
    pub fetched_at: Option<String>,
    /// See [`ConnectionInventory::stale`].
    pub stale: bool,
    pub error: Option<String>,
    /// Resources that appeared (a new guest, a node joined).
    pub added: Vec<Resource>,
    /// Resources whose fields changed (a guest started, a node went offline), whole.
    pub changed: Vec<Resource>,
    /// Ids of resources that disappeared.
    pub removed: Vec<String>,
}

/// What one refresh of every enabled cluster did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    /// Cluster connections refreshed (enabled PVE connections).
    pub connections: u32,
    /// API requests sent: one `/cluster/resources` per connection that had a client.
    pub requests: u32,
    /// Connections whose refresh failed (now stale).
    pub failed: u32,
    /// Wall time of the whole refresh, in milliseconds.
    pub took_ms: u32,
}

/// One entry of `/cluster/resources`, with the fields the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub id: String,
    /// `node`, `qemu`, `lxc`, `storage`, `pool`, `sdn`.
    pub kind: String,
    pub node: Option<String>,
    pub vmid: Option<u32>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub template: bool,
    pub pool: Option<String>,
    pub tags: Option<String>,
    pub lock: Option<String>,
    pub hastate: Option<String>,
    pub storage: Option<String>,
    pub cpu: Option<f64>,
    pub maxcpu: Option<f64>,
    pub mem: Option<f64>,
    pub maxmem: Option<f64>,
    pub disk: Option<f64>,
    pub maxdisk: Option<f64>,
    pub uptime: Option<f64>,
}

/// The wire form: PVE's names, and 0/1 for booleans.
#[derive(Deserialize)]
struct Wire {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    node: Option<String>,
    vmid: Option<u32>,
    name: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    template: bool,
    pool: Option<String>,
    tags: Option<String>,
    lock: Option<String>,
    hastate: Option<String>,
    storage: Option<String>,
    cpu: Option<f64>,
    maxcpu: Option<f64>,
    mem: Option<f64>,
    maxmem: Option<f64>,
    disk: Option<f64>,
    maxdisk: Option<f64>,
    uptime: Option<f64>,
}

impl From<Wire> for Resource {
    fn from(w: Wire) -> Self {
        Self {
            id: w.id,
            kind: w.kind,
            node: w.node,
            vmid: w.vmid,
            name: w.name,
            status: w.status,
            template: w.template,
            pool: w.pool,
            tags: w.tags,
            lock: w.lock,
            hastate: w.hastate,
            storage: w.storage,
            cpu: w.cpu,
            maxcpu: w.maxcpu,
            mem: w.mem,
            maxmem: w.maxmem,
            disk: w.disk,
            maxdisk: w.maxdisk,
            uptime: w.uptime,
        }
    }
}

/// PVE writes booleans as 0/1.
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::Number(n) => n.as_i64() == Some(1),
        serde_json::Value::String(s) => s == "1",
        _ => false,
    })
}

/// The resources of connection `id` (a PVE cluster).
pub async fn resources(ctx: &Ctx, id: &str) -> Result<Vec<Resource>, AppError> {
    let conn = crate::connections::get(ctx, id).await?;
    if conn.kind != ConnectionKind::Pve {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "{} is a backup server; it has no cluster resources",
                conn.name
            ),
        ));
    }
    let client = crate::connections::client(ctx, id).await?;
    let all = fetch(&client, &conn.name).await?;
    Ok(crate::connections::pool::scope(all, conn.pool.as_deref()))
}

/// One `GET /cluster/resources` through `client`, parsed: the engine's work per cluster.
/// `name` names the cluster in an error message.
pub async fn fetch(client: &PveClient, name: &str) -> Result<Vec<Resource>, AppError> {
    let data = client
        .get("/cluster/resources")
        .await
        .map_err(AppError::from)?;
    let wire: Vec<Wire> = serde_json::from_value(data).map_err(|e| {
        AppError::new(
            ErrorCode::Protocol,
            format!("{name} answered /cluster/resources in an unexpected shape"),
        )
        .with_detail(e.to_string())
    })?;
    Ok(wire.into_iter().map(Resource::from).collect())
}
