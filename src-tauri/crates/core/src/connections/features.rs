//! What each access type can do, shown beside the access type and enforced by the features
//! that need it (consoles, node shells, SSH "same as Web API").

use serde::Serialize;
use specta::Type;

use super::{AccessType, ConnectionKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FeatureKey {
    /// SSH with the same user and password as the Web API login.
    SshSameAsApi,
    /// A node's console (xterm.js / noVNC shell on the node).
    NodeConsole,
    /// VM and container consoles (noVNC / xterm.js).
    GuestConsole,
    /// Node shells over the API (`termproxy` on a node).
    NodeShell,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Feature {
    pub key: FeatureKey,
    /// What the feature is, for the matrix's row label.
    pub label: String,
    pub allowed: bool,
    /// For a "no": why, and what to change.
    pub why: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FeatureMatrix {
    pub features: Vec<Feature>,
}

/// The matrix for a login: SSH "same as Web API" and node console need a PAM user;
/// VM/LXC consoles need a user login or a token on PVE ≥ 9.0.13; API tokens cannot open
/// node shells. `pve_version` is the cluster's (`9.1.2`), when known.
pub fn feature_matrix(
    kind: ConnectionKind,
    access: AccessType,
    username: &str,
    pve_version: Option<&str>,
) -> FeatureMatrix {
    let _ = (kind, access, username, pve_version);
    todo!("helper A")
}
