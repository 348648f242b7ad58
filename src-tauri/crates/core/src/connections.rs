//! The clusters and backup servers the app talks to.
//!
//! For now only the demo datacenter's connections exist, kept in memory while the demo
//! runs; stored connections with keychain credentials come with the "Connections and
//! trust" issue and extend this type.

use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    Pve,
    Pbs,
}

/// A connection as the UI sees it. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub kind: ConnectionKind,
    /// `https://host:port`
    pub url: String,
    /// The pinned SHA-256 certificate fingerprint (`AA:BB:…`).
    pub fingerprint: Option<String>,
    /// Part of the built-in demo datacenter (served by the simulator inside the app).
    pub demo: bool,
}

/// Every connection the app knows.
pub async fn list(ctx: &crate::Ctx) -> Result<Vec<Connection>, crate::AppError> {
    Ok(crate::demo::connections(ctx).await)
}
