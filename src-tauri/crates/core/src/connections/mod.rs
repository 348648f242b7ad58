//! The clusters and backup servers the app talks to: stored connections (settings in the
//! store, secrets in the OS keychain) and, while it runs, the demo datacenter's.
//!
//! The form's content arrives as a [`ConnectionInput`]; [`validate`] turns it into a
//! checked form or an `Invalid` error naming each bad field and its format. Secrets travel
//! only inward: no result of this module carries a password or a token secret.

pub mod features;
pub mod health;
pub mod input;
pub mod test;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specta::Type;

pub use features::{Feature, FeatureKey, FeatureMatrix, feature_matrix};
pub use health::{Health, HealthState};
pub use input::{Validated, normalize_urls, validate};
pub use test::{CertificateInfo, NodeReach, TestReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    /// A Proxmox VE cluster (or single node), API on port 8006.
    Pve,
    /// A Proxmox Backup Server, API on port 8007.
    Pbs,
}

impl ConnectionKind {
    pub fn default_port(self) -> u16 {
        match self {
            ConnectionKind::Pve => 8006,
            ConnectionKind::Pbs => 8007,
        }
    }
}

/// How the connection logs in (cv4pve-admin's "Web API Access").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum AccessType {
    /// `user@realm` and password: a ticket login.
    Credential,
    /// An API token: `user@realm!tokenname` and its secret.
    ApiToken,
}

/// What the add / edit form sends. Secrets only ever travel this way (inward).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInput {
    pub name: String,
    pub kind: ConnectionKind,
    /// The node URLs in the order to try them: `host`, `host:port` or `https://host:port`
    /// (the port defaults to 8006 for PVE, 8007 for PBS).
    pub urls: Vec<String>,
    pub access: AccessType,
    /// Credential: `user@realm`.
    pub username: String,
    /// Credential: the password. `None` on edit keeps the stored one.
    pub password: Option<String>,
    /// API token: `user@realm!tokenname`, or the whole token pasted
    /// (`user@realm!tokenname=secret` for PVE, `user@realm!tokenname:secret` for PBS).
    pub token_id: String,
    /// API token: the secret, when given apart. `None` on edit keeps the stored one.
    pub token_secret: Option<String>,
    /// Per-request timeout in milliseconds (default 1000).
    pub timeout_ms: u32,
    /// `AA:BB:…` pins the node certificate by its SHA-256 fingerprint; `None` verifies
    /// against the system's roots.
    pub fingerprint: Option<String>,
    /// PVE: node names in display order; nodes not listed follow alphabetically.
    pub node_order: Vec<String>,
    pub enabled: bool,
}

/// A connection as the UI sees it. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// The first node URL (`https://host:port`).
    pub url: String,
    /// Every node URL, in the order they are tried.
    pub urls: Vec<String>,
    pub access: AccessType,
    /// `user@realm` (for a token: the token's user).
    pub username: String,
    /// API token: `user@realm!tokenname`.
    pub token_id: Option<String>,
    /// Whether the keychain holds the password / token secret.
    pub has_secret: bool,
    pub timeout_ms: u32,
    /// The pinned SHA-256 certificate fingerprint (`AA:BB:…`); `None`: system roots.
    pub fingerprint: Option<String>,
    pub node_order: Vec<String>,
    pub enabled: bool,
    /// Part of the built-in demo datacenter (served by the simulator inside the app).
    pub demo: bool,
    pub health: Health,
}

/// What removing a connection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RemoveReport {
    /// How many keychain entries were deleted.
    pub secrets_deleted: u32,
    /// Whether the API token was deleted on the cluster (asked for and done).
    pub token_deleted: bool,
    /// Why deleting the token on the cluster failed, when it was asked for and failed.
    /// The connection is removed anyway.
    pub token_error: Option<String>,
}

/// Per-field messages of an invalid form, keyed by the `ConnectionInput` field name.
pub type FieldErrors = BTreeMap<String, String>;

/// Every connection the app knows: the stored ones in name order, then the demo's.
pub async fn list(ctx: &crate::Ctx) -> Result<Vec<Connection>, crate::AppError> {
    let _ = ctx;
    todo!("helper A: stored connections + demo::connections")
}

/// One connection by id (stored or demo).
pub async fn get(ctx: &crate::Ctx, id: &str) -> Result<Connection, crate::AppError> {
    let _ = (ctx, id);
    todo!("helper A")
}

/// Validates and stores a new connection; its secret goes to the keychain. Audit row
/// `connection.add`.
pub async fn add(ctx: &crate::Ctx, input: ConnectionInput) -> Result<Connection, crate::AppError> {
    let _ = (ctx, input);
    todo!("helper A")
}

/// Replaces a stored connection's settings (a `None` secret keeps the stored one). Audit
/// row `connection.update` naming the changed fields (never a secret's value).
pub async fn update(
    ctx: &crate::Ctx,
    id: &str,
    input: ConnectionInput,
) -> Result<Connection, crate::AppError> {
    let _ = (ctx, id, input);
    todo!("helper A")
}

/// Removes a stored connection and its keychain entries; with `delete_token`, first
/// deletes its API token on the cluster (a failure there is reported, not fatal). Audit
/// row `connection.remove`.
pub async fn remove(
    ctx: &crate::Ctx,
    id: &str,
    delete_token: bool,
) -> Result<RemoveReport, crate::AppError> {
    let _ = (ctx, id, delete_token);
    todo!("helper A")
}

/// Enables or disables a stored connection (a disabled one is neither checked nor
/// queried). Audit row `connection.enable` / `connection.disable`.
pub async fn set_enabled(
    ctx: &crate::Ctx,
    id: &str,
    enabled: bool,
) -> Result<Connection, crate::AppError> {
    let _ = (ctx, id, enabled);
    todo!("helper A")
}

/// The API client of a connection (stored: built from the store and the keychain and
/// cached until the connection changes; demo: the demo's).
pub async fn client(
    ctx: &crate::Ctx,
    id: &str,
) -> Result<std::sync::Arc<proxdeck_pve::PveClient>, crate::AppError> {
    let _ = (ctx, id);
    todo!("helper A")
}
