//! Acting on guests: the power actions of QEMU VMs and LXC containers. Each call that PVE
//! answers with a UPID becomes a tracked task (see [`crate::tracked`]), and each is written
//! to the audit log, whether it started or was refused.

use std::sync::Arc;

use proxdeck_pve::percent_encode;
use proxdeck_store::AuditEntry;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::connections::ConnectionKind;
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
    let target = format!("{}/{}/{vmid}", conn.name, kind.path());
    if !action.applies_to(kind) {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "containers have no {}; use reboot or stop and start",
                action.as_str()
            ),
        ));
    }
    let client = crate::connections::client(ctx, connection_id).await?;
    let call = format!(
        "/nodes/{}/{}/{vmid}/status/{}",
        percent_encode(node),
        kind.path(),
        action.as_str()
    );
    let started = client
        .post(&call, &[])
        .await
        .map_err(AppError::from)
        .and_then(|answer| tracked::upid_from(&answer, &format!("POST {call}")));
    let entry = AuditEntry {
        actor: audit::local_actor(),
        action: format!("guest.{}", action.as_str()),
        target: target.clone(),
        outcome: match &started {
            Ok(_) => "started".to_owned(),
            Err(e) => format!("failed: {}", e.message),
        },
        details: serde_json::json!({
            "connection": conn.name,
            "node": node,
            "upid": started.as_ref().ok(),
        }),
    };
    if let Err(e) = audit::record(ctx, entry).await {
        tracing::warn!(%target, error = %e.message, "could not record a guest action");
    }
    let upid = started.map_err(|e| explain(e, action, vmid))?;
    tracing::info!(%target, action = action.as_str(), %upid, "guest action started");
    Ok(tracked::follow(
        Arc::clone(ctx),
        client,
        &conn.id,
        &conn.name,
        &upid,
        &target,
    ))
}

/// PVE's refusals in words that say what to do.
fn explain(e: AppError, action: PowerAction, vmid: u32) -> AppError {
    if e.message.contains("is locked") {
        let message = format!(
            "{vmid} cannot {}: {}. Wait for the operation holding the lock (backup, migration, snapshot…) to end, or unlock it on the node with `qm unlock {vmid}` / `pct unlock {vmid}` if it is stale",
            action.as_str(),
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
