//! The demo datacenter: the simulator started inside the app on loopback with its demo
//! scenario, so a new user sees a working datacenter before adding a cluster of their own.
//! Its certificates are generated at start and pinned here directly: the app made them.

use std::sync::Arc;
use std::time::Duration;

use proxdeck_pve::{Auth, PveClient, Trust};
use proxdeck_sim::{Scenario, Sim, SimOptions};
use tokio::sync::Mutex;

use crate::connections::{AccessType, Connection, ConnectionKind, Health, HealthState};
use crate::events::{CoreEvent, HealthChange};
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
        ctx.emit(CoreEvent::ConnectionsChanged);
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
        pool: None,
        demo: true,
        health: Health {
            state: HealthState::ApiOnly,
            since: None,
            checked_at: None,
            message: Some("the demo datacenter runs inside Proxdeck; it has no SSH".into()),
        },
    }
}

/// Takes one demo cluster (or backup server) down, as if it were switched off, or brings it
/// back: its listener refuses connections while down, so the app shows what it shows for a
/// real outage (last-known state, greyed and stale; actions disabled; a notification).
/// Takes one node of a demo cluster off the network, or brings it back (a node failure,
/// as during a migration): its API calls fail with 595 and it shows offline.
pub async fn set_node_online(
    ctx: &Ctx,
    id: &str,
    node: &str,
    online: bool,
) -> Result<(), AppError> {
    let running = ctx.demo.running.lock().await;
    let r = running.as_ref().ok_or_else(|| not_found(id))?;
    let (conn, _) = r
        .connections
        .iter()
        .find(|(c, _)| c.id == id)
        .ok_or_else(|| not_found(id))?;
    let cluster = r
        .sim
        .clusters
        .iter()
        .find(|c| c.sim.name == conn.name)
        .ok_or_else(|| not_found(id))?;
    if cluster.sim.set_node_online(node, online) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::NotFound,
            format!("{} has no node {node}", conn.name),
        ))
    }
}

pub async fn set_outage(ctx: &Ctx, id: &str, down: bool) -> Result<Connection, AppError> {
    let changed = {
        let mut running = ctx.demo.running.lock().await;
        let r = running.as_mut().ok_or_else(|| not_found(id))?;
        let index = r
            .connections
            .iter()
            .position(|(c, _)| c.id == id)
            .ok_or_else(|| not_found(id))?;
        let name = r.connections[index].0.name.clone();
        let served = r
            .sim
            .clusters
            .iter()
            .find(|c| c.sim.name == name)
            .map(|c| &c.served)
            .or_else(|| {
                r.sim
                    .pbs
                    .iter()
                    .find(|p| p.sim.name == name)
                    .map(|p| &p.served)
            })
            .ok_or_else(|| not_found(id))?;
        if down != served.is_up() {
            None
        } else {
            if down {
                served.take_down();
            } else {
                served.bring_up().await.map_err(|e| {
                    AppError::internal(format!("the demo cluster {name} could not listen again"))
                        .with_detail(e.to_string())
                })?;
            }
            let conn = &mut r.connections[index].0;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let (state, message) = if down {
                (
                    HealthState::Disconnected,
                    format!(
                        "{name} is switched off (a simulated outage); choose \"End the outage\" in its menu to bring it back"
                    ),
                )
            } else {
                (
                    HealthState::ApiOnly,
                    "the demo datacenter runs inside Proxdeck; it has no SSH".to_owned(),
                )
            };
            let change = HealthChange {
                connection_id: conn.id.clone(),
                name: name.clone(),
                from: conn.health.state,
                to: state,
                since: now.clone(),
                previous_since: conn.health.since.clone(),
                message: Some(message.clone()),
            };
            conn.health = Health {
                state,
                since: Some(now.clone()),
                checked_at: Some(now),
                message: Some(message),
            };
            tracing::info!(cluster = %name, down, "demo outage");
            Some((conn.clone(), change))
        }
    };
    match changed {
        Some((conn, change)) => {
            ctx.emit(CoreEvent::HealthChanged(change));
            ctx.emit(CoreEvent::ConnectionsChanged);
            crate::inventory::refresh_soon(ctx);
            Ok(conn)
        }
        None => client(ctx, id).await.map(|(c, _)| c),
    }
}

fn not_found(id: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("there is no demo connection `{id}`; open the demo datacenter first"),
    )
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
        ctx.emit(CoreEvent::ConnectionsChanged);
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
