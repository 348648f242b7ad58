//! "Test connection": what the form's settings reach, before (or after) they are saved.

use serde::Serialize;
use specta::Type;

use super::{ConnectionInput, FeatureMatrix};
use crate::{AppError, Ctx};

/// A node certificate as the trust dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    pub url: String,
    /// SHA-256, `AA:BB:…`.
    pub fingerprint: String,
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_after: String,
    pub trusted_by_system: bool,
}

/// One node URL and whether it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NodeReach {
    pub url: String,
    pub reachable: bool,
    /// Why not, when not.
    pub error: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// Set when the certificate is neither trusted by the system nor pinned (or no longer
    /// matches its pin): the UI shows the trust dialog and tests again with the fingerprint
    /// pinned. The other fields are then empty.
    pub untrusted_certificate: Option<CertificateInfo>,
    pub nodes: Vec<NodeReach>,
    /// PVE / PBS version (`9.1.2`) and release.
    pub version: Option<String>,
    /// The cluster's name (`None` for a single node or a PBS).
    pub cluster_name: Option<String>,
    /// The cluster's node names (for the display-order list).
    pub cluster_nodes: Vec<String>,
    pub auth_ok: bool,
    /// Why the login failed, when it did.
    pub auth_error: Option<AppError>,
    /// The privileges this login has on `/` (from `/access/permissions`), sorted.
    pub privileges: Vec<String>,
    pub features: FeatureMatrix,
}

/// Tests the form's settings. `existing_id`: the connection being edited, whose stored
/// secret is used when the form leaves it empty.
pub async fn run(
    ctx: &Ctx,
    input: ConnectionInput,
    existing_id: Option<String>,
) -> Result<TestReport, AppError> {
    let _ = (ctx, input, existing_id);
    todo!("helper A")
}

/// What a node URL presents, for the trust dialog.
pub async fn probe_certificate(url: &str) -> Result<CertificateInfo, AppError> {
    let _ = url;
    todo!("helper A")
}
