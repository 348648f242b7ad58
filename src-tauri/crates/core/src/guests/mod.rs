//! Acting on guests: the power actions of QEMU VMs and LXC containers, and (in the
//! submodules) clone, configuration, delete, migrate, HA, cloud-init, agent and snapshots. Each call that PVE
//! answers with a UPID becomes a tracked task (see [`crate::tracked`]), and each is written
//! to the audit log, whether it started or was refused.

pub mod agent;
pub mod clone;
pub mod cloudinit;
pub mod config;
pub mod ha;
pub mod lifecycle;
pub mod snapshots;

use std::sync::Arc;

use proxdeck_pve::{PveClient, percent_encode};
use proxdeck_store::AuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::connections::{Connection, ConnectionKind};
use crate::monitor::GuestType;
use crate::tracked::{self, TrackedTask};
use crate::{AppError, Ctx, ErrorCode, audit};

/// A power action, as PVE names its `status/{action}` endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum PowerAction {
    Start,
    Stop,
    Shutdown,
    Reboot,
    /// QEMU only: a hard reset, like the reset button.
    Reset,
    /// QEMU: pause (or hibernate with `todisk`); LXC: freeze.
    Suspend,
    Resume,
}

impl PowerAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PowerAction::Start => "start",
            PowerAction::Stop => "stop",
            PowerAction::Shutdown => "shutdown",
            PowerAction::Reboot => "reboot",
            PowerAction::Reset => "reset",
            PowerAction::Suspend => "suspend",
            PowerAction::Resume => "resume",
        }
    }

    /// Whether PVE has this action for the guest type (`/nodes/{node}/lxc/{vmid}/status/`
    /// has no `reset`).
    pub fn applies_to(self, kind: GuestType) -> bool {
        !(self == PowerAction::Reset && kind == GuestType::Lxc)
    }
}

/// Runs a power action on one guest and returns its task, which is followed to its end.
pub async fn power(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    action: PowerAction,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    if !action.applies_to(kind) {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "containers have no {}; use reboot or stop and start",
                action.as_str()
            ),
        ));
    }
    let call = guest.path(&format!("/status/{}", action.as_str()));
    guest
        .start_task(
            ctx,
            Call::post(call, Vec::new()),
            &format!("guest.{}", action.as_str()),
            serde_json::json!({}),
        )
        .await
        .map_err(|e| explain(e, action.as_str(), vmid))
}

/// A guest of a PVE connection, ready to be acted on.
pub struct Guest {
    pub conn: Connection,
    pub client: Arc<PveClient>,
    pub node: String,
    pub kind: GuestType,
    pub vmid: u32,
}

/// One API call that changes something.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub form: Vec<(String, String)>,
}

/// The HTTP methods of the calls that change something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Post,
    Put,
    Delete,
}

impl Call {
    pub fn post(path: String, form: Vec<(String, String)>) -> Self {
        Self {
            method: Method::Post,
            path,
            form,
        }
    }

    pub fn put(path: String, form: Vec<(String, String)>) -> Self {
        Self {
            method: Method::Put,
            path,
            form,
        }
    }

    /// A DELETE; its parameters travel in the query string.
    pub fn delete(path: String, form: Vec<(String, String)>) -> Self {
        Self {
            method: Method::Delete,
            path,
            form,
        }
    }

    fn describe(&self) -> String {
        let m = match self.method {
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        };
        format!("{m} {}", self.path)
    }

    /// Sends the call.
    pub async fn send(&self, client: &PveClient) -> Result<Value, AppError> {
        let form: Vec<(&str, &str)> = self
            .form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let answer = match self.method {
            Method::Post => client.post(&self.path, &form).await,
            Method::Put => client.put(&self.path, &form).await,
            Method::Delete => {
                let query: Vec<String> = self
                    .form
                    .iter()
                    .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
                    .collect();
                let path = if query.is_empty() {
                    self.path.clone()
                } else {
                    format!("{}?{}", self.path, query.join("&"))
                };
                client.delete(&path).await
            }
        };
        answer.map_err(AppError::from)
    }
}

impl Guest {
    /// The guest `vmid` on `node` of a PVE connection. A connection bound to a pool acts
    /// only on that pool's guests.
    pub async fn open(
        ctx: &Ctx,
        connection_id: &str,
        node: &str,
        kind: GuestType,
        vmid: u32,
    ) -> Result<Self, AppError> {
        let conn = pve_connection(ctx, connection_id).await?;
        crate::connections::pool::check_guest(ctx, &conn, vmid).await?;
        let client = crate::connections::client(ctx, connection_id).await?;
        Ok(Self {
            conn,
            client,
            node: node.to_owned(),
            kind,
            vmid,
        })
    }

    /// `/nodes/{node}/{qemu|lxc}/{vmid}` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!(
            "/nodes/{}/{}/{}{rest}",
            percent_encode(&self.node),
            self.kind.path(),
            self.vmid
        )
    }

    /// What the audit log names: `prod/qemu/100`.
    pub fn target(&self) -> String {
        format!("{}/{}/{}", self.conn.name, self.kind.path(), self.vmid)
    }

    /// Sends a call PVE answers with a UPID, writes the audit row (started or refused) and
    /// follows the task to its end.
    pub async fn start_task(
        &self,
        ctx: &Arc<Ctx>,
        call: Call,
        action: &str,
        details: Value,
    ) -> Result<TrackedTask, AppError> {
        let target = self.target();
        let described = call.describe();
        let started = call
            .send(&self.client)
            .await
            .and_then(|answer| tracked::upid_from(&answer, &described));
        self.audit(
            ctx,
            action,
            &started.as_ref().map(|_| "started"),
            details,
            started.as_ref().ok(),
        )
        .await;
        let upid = started?;
        tracing::info!(%target, action, %upid, "guest task started");
        Ok(tracked::follow(
            Arc::clone(ctx),
            Arc::clone(&self.client),
            &self.conn.id,
            &self.conn.name,
            &upid,
            &target,
        ))
    }

    /// Sends a call PVE carries out at once (no task), and writes the audit row.
    pub async fn change(
        &self,
        ctx: &Ctx,
        call: Call,
        action: &str,
        details: Value,
    ) -> Result<Value, AppError> {
        let result = call.send(&self.client).await;
        self.audit(ctx, action, &result.as_ref().map(|_| "ok"), details, None)
            .await;
        result
    }

    async fn audit(
        &self,
        ctx: &Ctx,
        action: &str,
        outcome: &Result<&str, &AppError>,
        mut details: Value,
        upid: Option<&String>,
    ) {
        let target = self.target();
        if let Some(map) = details.as_object_mut() {
            map.insert("connection".into(), Value::from(self.conn.name.clone()));
            map.insert("node".into(), Value::from(self.node.clone()));
            if let Some(upid) = upid {
                map.insert("upid".into(), Value::from(upid.clone()));
            }
        }
        let entry = AuditEntry {
            actor: audit::local_actor(),
            action: action.to_owned(),
            target: target.clone(),
            outcome: match outcome {
                Ok(o) => (*o).to_owned(),
                Err(e) => format!("failed: {}", e.message),
            },
            details,
        };
        if let Err(e) = audit::record(ctx, entry).await {
            tracing::warn!(%target, error = %e.message, "could not record a guest action");
        }
    }
}

/// A PVE connection, or an error saying backup servers have no guests.
pub async fn pve_connection(ctx: &Ctx, connection_id: &str) -> Result<Connection, AppError> {
    let conn = crate::connections::get(ctx, connection_id).await?;
    if conn.kind != ConnectionKind::Pve {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "{} is a backup server; guests are acted on through a Proxmox VE connection",
                conn.name
            ),
        ));
    }
    Ok(conn)
}

/// PVE's refusals in words that say what to do.
pub(crate) fn explain(e: AppError, action: &str, vmid: u32) -> AppError {
    if e.message.contains("is locked") {
        let message = format!(
            "{vmid} cannot {action}: {}. Wait for the operation holding the lock (backup, migration, snapshot…) to end, or unlock it on the node with `qm unlock {vmid}` / `pct unlock {vmid}` if it is stale",
            e.message
        );
        return AppError { message, ..e };
    }
    e
}

/// One guest of a bulk action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestRef {
    pub connection_id: String,
    pub node: String,
    pub kind: GuestType,
    pub vmid: u32,
}

/// What a bulk action did to one guest: its task, or why it did not start.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub guest: GuestRef,
    pub task: Option<TrackedTask>,
    pub error: Option<AppError>,
}

/// Requests in flight at once during a bulk action (across all clusters): enough to start
/// hundreds of guests in seconds, few enough not to flood a cluster's API daemon.
pub const BULK_CONCURRENCY: usize = 8;

/// Runs `action` on many guests, possibly of several clusters, at most `concurrency` calls in
/// flight; every guest gets its outcome, in the given order. Each started task is followed to
/// its end like a single one.
pub async fn power_many(
    ctx: &Arc<Ctx>,
    guests: Vec<GuestRef>,
    action: PowerAction,
    concurrency: usize,
) -> Vec<BulkOutcome> {
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let count = guests.len();
    for (i, g) in guests.into_iter().enumerate() {
        let ctx = Arc::clone(ctx);
        let permits = Arc::clone(&permits);
        set.spawn(async move {
            let result = {
                let _permit = permits.acquire_owned().await;
                power(&ctx, &g.connection_id, &g.node, g.kind, g.vmid, action).await
            };
            let outcome = match result {
                Ok(task) => BulkOutcome {
                    guest: g,
                    task: Some(task),
                    error: None,
                },
                Err(e) => BulkOutcome {
                    guest: g,
                    task: None,
                    error: Some(e),
                },
            };
            (i, outcome)
        });
    }
    let mut out: Vec<Option<BulkOutcome>> = vec![None; count];
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, outcome)) => out[i] = Some(outcome),
            Err(e) => tracing::error!(error = %e, "a bulk action's call panicked"),
        }
    }
    out.into_iter().flatten().collect()
}
