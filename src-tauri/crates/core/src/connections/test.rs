//! "Test connection": what the form's settings reach, before (or after) they are saved.

use std::time::Duration;

use proxdeck_pve::{PveClient, Trust};
use serde::Serialize;
use serde_json::Value;
use specta::Type;

use super::{
    AccessType, ConnectionInput, ConnectionKind, FeatureMatrix, feature_matrix, normalize_urls,
    validate, validate_new,
};
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
    /// Set when a node's certificate is neither trusted by the system nor pinned: the UI
    /// shows the trust dialog and tests again with the fingerprint added to the pins. The
    /// other fields (but `nodes`) are then empty.
    pub untrusted_certificate: Option<CertificateInfo>,
    /// The connection had pins and no node presents any of them any more: the certificate
    /// changed (the dialog warns) rather than a new node joined (the dialog asks).
    pub certificate_changed: bool,
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

/// How long the certificate probe of the trust dialog waits for a node.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Tests the form's settings. `existing_id`: the connection being edited, whose stored
/// secret is used when the form leaves it empty.
pub async fn run(
    ctx: &Ctx,
    input: ConnectionInput,
    existing_id: Option<String>,
) -> Result<TestReport, AppError> {
    let v = match existing_id {
        Some(_) => validate(&input)?,
        None => validate_new(&input)?,
    };
    let access = v.access();
    let secret = match (&v.secret, &existing_id) {
        (Some(s), _) => s.clone(),
        (None, Some(id)) => super::stored_secret(ctx, id, access)
            .await?
            .ok_or_else(|| {
                let (field, what) = match access {
                    AccessType::Credential => ("password", "password"),
                    AccessType::ApiToken => ("tokenSecret", "token secret"),
                };
                let why = format!("no {what} is stored for this connection: enter it");
                AppError::fields(why.clone(), [(field.to_owned(), why)].into())
            })?,
        (None, None) => return Err(AppError::internal("a checked new form has no secret")),
    };
    let username = v.token_id.clone().unwrap_or_else(|| v.username.clone());
    let mut report = TestReport {
        untrusted_certificate: None,
        certificate_changed: false,
        nodes: Vec::new(),
        version: None,
        cluster_name: None,
        cluster_nodes: Vec::new(),
        auth_ok: false,
        auth_error: None,
        privileges: Vec::new(),
        features: feature_matrix(v.kind, access, &username, None),
    };

    // What each node presents, all at once: a dead node costs one timeout, not one each.
    let timeout = Duration::from_millis(u64::from(v.timeout_ms));
    let mut probes = tokio::task::JoinSet::new();
    for (i, url) in v.urls.iter().enumerate() {
        let url = url.clone();
        probes.spawn(async move { (i, proxdeck_pve::probe(&url, timeout).await) });
    }
    let mut presented: Vec<Option<_>> = v.urls.iter().map(|_| None).collect();
    while let Some(done) = probes.join_next().await {
        let (i, result) = done?;
        presented[i] = Some(result);
    }
    let mut certificates = Vec::new();
    for (url, result) in v.urls.iter().zip(presented) {
        match result {
            Some(Ok(cert)) => {
                report.nodes.push(NodeReach {
                    url: url.clone(),
                    reachable: true,
                    error: None,
                });
                certificates.push(info(url, cert));
            }
            Some(Err(e)) => report.nodes.push(NodeReach {
                url: url.clone(),
                reachable: false,
                error: Some(AppError::from(e).message),
            }),
            None => report.nodes.push(NodeReach {
                url: url.clone(),
                reachable: false,
                error: Some("the check stopped before this node answered".into()),
            }),
        }
    }
    if certificates.is_empty() {
        return Ok(report);
    }
    let pinned = |c: &CertificateInfo| v.fingerprints.contains(&c.fingerprint);
    let untrusted = certificates.iter().find(|c| {
        if v.fingerprints.is_empty() {
            !c.trusted_by_system
        } else {
            !pinned(c)
        }
    });
    if let Some(c) = untrusted {
        report.untrusted_certificate = Some(c.clone());
        report.certificate_changed = !v.fingerprints.is_empty() && !certificates.iter().any(pinned);
        return Ok(report);
    }

    let trust = Trust::from_pins(&v.fingerprints);
    let client = PveClient::with_urls(&v.urls, &trust, v.auth(&secret), timeout)?;
    let version = match client.get("/version").await {
        Ok(data) => data,
        Err(proxdeck_pve::PveError::SecondFactorRequired) => {
            report.auth_error = Some(AppError::new(
                crate::ErrorCode::Unauthorized,
                format!(
                    "{username} has two-factor authentication, which Proxdeck cannot answer for its background checks and renewals. Use an API token instead: choose API Token and the key button beside the token field creates one"
                ),
            ));
            return Ok(report);
        }
        Err(e) => {
            report.auth_error = Some(AppError::from(e));
            return Ok(report);
        }
    };
    report.auth_ok = true;
    report.version = version_of(v.kind, &version);
    if v.kind == ConnectionKind::Pve {
        // Reading the cluster needs Sys.Audit; a login without it still passes the test.
        if let Ok(status) = client.get("/cluster/status").await {
            let (name, nodes) = cluster_of(&status);
            report.cluster_name = name;
            report.cluster_nodes = nodes;
        }
    }
    // PBS has the same endpoint; a server that does not answer it leaves the list empty.
    if let Ok(perms) = client.get("/access/permissions?path=%2F").await {
        report.privileges = privileges_on_root(&perms);
    }
    report.features = feature_matrix(v.kind, access, &username, report.version.as_deref());
    Ok(report)
}

/// What a node URL presents, for the trust dialog.
pub async fn probe_certificate(url: &str) -> Result<CertificateInfo, AppError> {
    let urls = normalize_urls(ConnectionKind::Pve, &[url.to_owned()])?;
    let cert = proxdeck_pve::probe(&urls[0], PROBE_TIMEOUT).await?;
    Ok(info(&urls[0], cert))
}

fn info(url: &str, c: proxdeck_pve::PresentedCertificate) -> CertificateInfo {
    CertificateInfo {
        url: url.to_owned(),
        fingerprint: c.fingerprint,
        subject: c.subject,
        issuer: c.issuer,
        not_after: c.not_after,
        trusted_by_system: c.trusted_by_system,
    }
}

/// PVE's `/version` has the whole version (`9.1.2`); PBS's has `4.1` and the release `0`.
fn version_of(kind: ConnectionKind, data: &Value) -> Option<String> {
    let version = data.get("version").and_then(Value::as_str)?;
    let release = data.get("release").and_then(|r| match r {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    match (kind, release) {
        (ConnectionKind::Pbs, Some(r))
            if version.matches('.').count() == 1
                && !r.is_empty()
                && r.chars().all(|c| c.is_ascii_digit()) =>
        {
            Some(format!("{version}.{r}"))
        }
        _ => Some(version.to_owned()),
    }
}

/// `/cluster/status`: the `cluster` entry's name, and the `node` entries' names (sorted).
fn cluster_of(status: &Value) -> (Option<String>, Vec<String>) {
    let entries = status.as_array().map(Vec::as_slice).unwrap_or_default();
    let name_of = |e: &Value| e.get("name").and_then(Value::as_str).map(str::to_owned);
    let kind_of = |e: &Value| {
        e.get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let cluster = entries
        .iter()
        .find(|e| kind_of(e) == "cluster")
        .and_then(name_of);
    let mut nodes: Vec<String> = entries
        .iter()
        .filter(|e| kind_of(e) == "node")
        .filter_map(name_of)
        .collect();
    nodes.sort();
    (cluster, nodes)
}

/// `/access/permissions?path=/`: `{"/": {"Sys.Audit": 1, …}}`. The number is the propagate
/// flag, not the grant: every privilege listed is held on `/`.
fn privileges_on_root(perms: &Value) -> Vec<String> {
    let mut privs: Vec<String> = perms
        .get("/")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    privs.sort();
    privs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_read_as_each_product_writes_them() {
        let pve = json!({"version": "9.1.9", "release": "9.1", "repoid": "x"});
        assert_eq!(
            version_of(ConnectionKind::Pve, &pve).as_deref(),
            Some("9.1.9")
        );
        let pbs = json!({"version": "4.1", "release": "0", "repoid": "x"});
        assert_eq!(
            version_of(ConnectionKind::Pbs, &pbs).as_deref(),
            Some("4.1.0")
        );
        assert_eq!(version_of(ConnectionKind::Pbs, &json!({})), None);
    }

    #[test]
    fn cluster_status_gives_name_and_nodes() {
        let status = json!([
            {"type": "cluster", "name": "prod", "nodes": 2},
            {"type": "node", "name": "pve2"},
            {"type": "node", "name": "pve1"},
        ]);
        assert_eq!(
            cluster_of(&status),
            (Some("prod".into()), vec!["pve1".into(), "pve2".into()])
        );
        let single = json!([{"type": "node", "name": "pve"}]);
        assert_eq!(cluster_of(&single), (None, vec!["pve".into()]));
    }

    #[test]
    fn privileges_are_every_key_on_root_sorted() {
        let perms = json!({"/": {"VM.Audit": 1, "Sys.Audit": 0}, "/vms": {"VM.PowerMgmt": 1}});
        assert_eq!(privileges_on_root(&perms), ["Sys.Audit", "VM.Audit"]);
    }
}
