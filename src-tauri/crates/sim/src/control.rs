//! The harness-only control surface: what tests in other processes (or languages) use to
//! inject faults, expire tickets, swap the certificate or take a node offline. It lives
//! under `/_proxdeck-sim/` — a prefix PVE never serves — and needs the control secret that
//! the `proxdeck-sim` binary prints on start, so no API client reaches it by accident.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::json;

use crate::faults::{FaultRule, Faults};
use crate::state::ClusterSim;
use crate::tls::CertSlot;

pub const PREFIX: &str = "/_proxdeck-sim";
pub const HEADER: &str = "x-proxdeck-sim-control";

#[derive(Clone)]
pub struct Control {
    pub secret: Arc<str>,
    pub sim: Arc<ClusterSim>,
    pub faults: Arc<Faults>,
    pub cert: CertSlot,
}

pub fn router(control: Control) -> axum::Router {
    axum::Router::new()
        .route(
            &format!("{PREFIX}/faults"),
            get(list_faults).post(add_fault),
        )
        .route(&format!("{PREFIX}/faults"), delete(clear_faults))
        .route(&format!("{PREFIX}/expire-tickets"), post(expire_tickets))
        .route(
            &format!("{PREFIX}/swap-certificate"),
            post(swap_certificate),
        )
        .route(
            &format!("{PREFIX}/nodes/{{node}}/online"),
            post(node_online),
        )
        .route(
            &format!("{PREFIX}/nodes/{{node}}/offline"),
            post(node_offline),
        )
        .with_state(control)
}

fn authorized(c: &Control, headers: &HeaderMap) -> bool {
    let given = headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    crate::auth::constant_time_eq(given.as_bytes(), c.secret.as_bytes())
}

fn denied() -> Response {
    (StatusCode::FORBIDDEN, "control secret missing or wrong").into_response()
}

async fn list_faults(State(c): State<Control>, headers: HeaderMap) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    Json(json!({ "rules": c.faults.rules() })).into_response()
}

async fn add_fault(
    State(c): State<Control>,
    headers: HeaderMap,
    Json(rule): Json<FaultRule>,
) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    c.faults.add(rule);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(c): State<Control>, headers: HeaderMap) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    c.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn expire_tickets(State(c): State<Control>, headers: HeaderMap) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    c.sim.expire_tickets();
    StatusCode::NO_CONTENT.into_response()
}

async fn swap_certificate(State(c): State<Control>, headers: HeaderMap) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    let fresh = c.cert.swap(&c.sim.name);
    Json(json!({ "fingerprint": fresh.fingerprint })).into_response()
}

async fn set_online(c: Control, headers: HeaderMap, node: String, online: bool) -> Response {
    if !authorized(&c, &headers) {
        return denied();
    }
    if c.sim.set_node_online(&node, online) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::NOT_FOUND, format!("no node {node}")).into_response()
    }
}

async fn node_online(
    State(c): State<Control>,
    headers: HeaderMap,
    Path(node): Path<String>,
) -> Response {
    set_online(c, headers, node, true).await
}

async fn node_offline(
    State(c): State<Control>,
    headers: HeaderMap,
    Path(node): Path<String>,
) -> Response {
    set_online(c, headers, node, false).await
}

impl ClusterSim {
    /// Takes a node off the network (or brings it back): its API calls then fail with 595
    /// and `/cluster/resources` shows it offline with its guests unknown.
    pub fn set_node_online(&self, node: &str, online: bool) -> bool {
        let mut state = self.state();
        match state.spec.nodes.iter_mut().find(|n| n.name == node) {
            Some(n) => {
                n.online = online;
                true
            }
            None => false,
        }
    }
}
