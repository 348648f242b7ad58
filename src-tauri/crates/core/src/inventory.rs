//! What a connection contains: its nodes, guests, storages and pools, from one
//! `/cluster/resources` call. The refresh engine, diffing and the offline cache come with the
//! inventory issue; this is the read the tree needs today.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connections::ConnectionKind;
use crate::{AppError, Ctx, ErrorCode};

/// One entry of `/cluster/resources`, with the fields the UI shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
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
    let data = client
        .get("/cluster/resources")
        .await
        .map_err(AppError::from)?;
    let wire: Vec<Wire> = serde_json::from_value(data).map_err(|e| {
        AppError::new(
            ErrorCode::Protocol,
            format!(
                "{} answered /cluster/resources in an unexpected shape",
                conn.name
            ),
        )
        .with_detail(e.to_string())
    })?;
    Ok(wire.into_iter().map(Resource::from).collect())
}
