//! The demo datacenter: the simulator started inside the app on loopback with its demo
//! scenario, so a new user sees a working datacenter before adding a cluster of their own.
//! Its certificates are generated at start and pinned here directly: the app made them.

use std::sync::Arc;
use std::time::Duration;

use proxdeck_pve::{Auth, PveClient, Trust};
use proxdeck_sim::{Scenario, Sim, SimOptions};
use tokio::sync::Mutex;

use crate::connections::{AccessType, Connection, ConnectionKind, Health, HealthState};
use crate::{AppError, Ctx, ErrorCode};

/// How long demo tasks take: long enough to watch them in the task bar.
const DEMO_TASK: Duration = Duration::from_secs(2);

/// The running demo, if it was opened.
#[derive(Default)]
pub struct Demo {
    running: Mutex<Option<Running>>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Demo")
    }
}

struct Running {
    sim: Sim,
    connections: Vec<(Connection, Arc<PveClient>)>,
}

/// Starts the demo datacenter (once) and returns its connections.
pub async fn open(ctx: &Ctx) -> Result<Vec<Connection>, AppError> {
    let mut running = ctx.demo.running.lock().await;
    if running.is_none() {
        let sim = Sim::start(
            Scenario::demo(),
            SimOptions {
                task_duration: DEMO_TASK,
                ..SimOptions::default()
            },
        )
        .await
        .map_err(|e| AppError::internal("the demo datacenter could not start").with_detail(e))?;
        let mut connections = Vec::new();
        for c in &sim.clusters {
            let name = c.sim.name.clone();
            let creds = sim.credentials(&name);
            let (id, secret) = creds
                .token
                .as_deref()
                .and_then(|t| t.split_once('='))
                .ok_or_else(|| AppError::internal("the demo scenario has no API token"))?;
            let conn = demo_connection(
                &name,
                ConnectionKind::Pve,
                c.base_url(),
                c.fingerprint(),
                id,
            );
            let client = PveClient::new(
                &conn.url,
                &Trust::Pinned(c.fingerprint()),
                Auth::PveToken {
                    id: id.to_owned(),
                    secret: secret.to_owned(),
                },
                Duration::from_secs(5),
            )
            .map_err(|e| AppError::internal(e.to_string()))?;
            connections.push((conn, Arc::new(client)));
        }
        for p in &sim.pbs {
            let name = p.sim.name.clone();
            let creds = sim.pbs_credentials(&name);
            let Some((id, secret)) = creds.token.as_deref().and_then(|t| t.split_once(':')) else {
                continue;
            };
            let conn = demo_connection(
                &name,
                ConnectionKind::Pbs,
                p.base_url(),
                p.fingerprint(),
                id,
            );
            let client = PveClient::new(
                &conn.url,
                &Trust::Pinned(p.fingerprint()),
                Auth::PbsToken {
                    id: id.to_owned(),
                    secret: secret.to_owned(),
                },
                Duration::from_secs(5),
            )
            .map_err(|e| AppError::internal(e.to_string()))?;
            connections.push((conn, Arc::new(client)));
        }
        tracing::info!(listeners = ?sim.listeners(), "demo datacenter started");
        *running = Some(Running { sim, connections });
        ctx.emit(crate::events::CoreEvent::ConnectionsChanged);
    }
    Ok(running
        .as_ref()
        .map(|r| r.connections.iter().map(|(c, _)| c.clone()).collect())
        .unwrap_or_default())
}

fn demo_connection(
    name: &str,
    kind: ConnectionKind,
    url: String,
    fingerprint: String,
    token_id: &str,
) -> Connection {
    Connection {
        id: format!("demo-{name}"),
        name: name.to_owned(),
        kind,
        urls: vec![url.clone()],
        url,
        access: AccessType::ApiToken,
        username: token_id.split('!').next().unwrap_or_default().to_owned(),
        token_id: Some(token_id.to_owned()),
        has_secret: true,
        timeout_ms: 5000,
        fingerprints: vec![fingerprint],
        node_order: Vec::new(),
        enabled: true,
        demo: true,
        health: Health {
            state: HealthState::ApiOnly,
            since: None,
            checked_at: None,
            message: Some("the demo datacenter runs inside Proxdeck; it has no SSH".into()),
        },
    }
}

/// The variable that makes the app open straight into the demo (`scripts/run --demo`).
pub const DEMO_ENV: &str = "PROXDECK_DEMO";

/// Opens the demo at start when `PROXDECK_DEMO=1` asks for it.
pub async fn open_if_asked(ctx: &Ctx) -> Result<(), AppError> {
    if std::env::var(DEMO_ENV).is_ok_and(|v| v == "1") {
        open(ctx).await?;
    }
    Ok(())
}

/// Stops the demo and forgets its connections.
pub async fn close(ctx: &Ctx) -> Result<(), AppError> {
    if let Some(r) = ctx.demo.running.lock().await.take() {
        tracing::info!(clusters = r.sim.clusters.len(), "demo datacenter stopped");
        ctx.emit(crate::events::CoreEvent::ConnectionsChanged);
    }
    Ok(())
}

pub(crate) async fn connections(ctx: &Ctx) -> Vec<Connection> {
    ctx.demo
        .running
        .lock()
        .await
        .as_ref()
        .map(|r| r.connections.iter().map(|(c, _)| c.clone()).collect())
        .unwrap_or_default()
}

/// The client of a demo connection.
pub(crate) async fn client(ctx: &Ctx, id: &str) -> Result<(Connection, Arc<PveClient>), AppError> {
    let running = ctx.demo.running.lock().await;
    running
        .as_ref()
        .and_then(|r| r.connections.iter().find(|(c, _)| c.id == id).cloned())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("there is no connection `{id}`; it may have been removed"),
            )
        })
}

pub(crate) fn shared() -> Arc<Demo> {
    Arc::new(Demo::default())
}
