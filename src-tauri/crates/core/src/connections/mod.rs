//! The clusters and backup servers the app talks to: stored connections (settings in the
//! store, secrets in the OS keychain) and, while it runs, the demo datacenter's.
//!
//! The form's content arrives as a [`ConnectionInput`]; [`validate`] turns it into a
//! checked form or an `Invalid` error naming each bad field and its format. Secrets travel
//! only inward: no result of this module carries a password or a token secret.

pub mod features;
pub mod health;
pub mod input;
pub mod pool;
pub mod test;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use proxdeck_pve::{PveClient, Trust};
use proxdeck_secrets::{Keychain, SecretKind, Sensitive};
use proxdeck_store::{AuditEntry, ConnectionRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;

use crate::events::CoreEvent;
use crate::{AppError, Ctx, ErrorCode};

pub use features::{Feature, FeatureKey, FeatureMatrix, feature_matrix};
pub use health::{Health, HealthState};
pub use input::{Validated, normalize_urls, validate, validate_new};
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
    /// Pinned node certificates by SHA-256 fingerprint (`AA:BB:…`), one per certificate the
    /// user confirmed (each node of a cluster has its own); empty verifies against the
    /// system's roots.
    pub fingerprints: Vec<String>,
    /// PVE: node names in display order; nodes not listed follow alphabetically.
    pub node_order: Vec<String>,
    pub enabled: bool,
    /// PVE: bind the connection to one resource pool (only its guests are shown and acted
    /// on), as a token confined to a pool would be; `None`: the whole cluster.
    pub pool: Option<String>,
}

impl ConnectionInput {
    /// An enabled PVE connection to one node URL with a whole API token
    /// (`user@realm!name=secret`) and one pinned certificate: what scripts, benchmarks and
    /// tests that set up clusters need.
    pub fn pve_token(name: &str, url: String, token: String, fingerprint: String) -> Self {
        Self {
            name: name.to_owned(),
            kind: ConnectionKind::Pve,
            urls: vec![url],
            access: AccessType::ApiToken,
            username: String::new(),
            password: None,
            token_id: token,
            token_secret: None,
            timeout_ms: 5000,
            fingerprints: vec![fingerprint],
            node_order: Vec::new(),
            enabled: true,
            pool: None,
        }
    }
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
    /// The pinned SHA-256 certificate fingerprints (`AA:BB:…`); empty: system roots.
    pub fingerprints: Vec<String>,
    pub node_order: Vec<String>,
    pub enabled: bool,
    /// The resource pool the connection is bound to: only its guests are shown and acted
    /// on. `None`: the whole cluster.
    pub pool: Option<String>,
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
pub async fn list(ctx: &Ctx) -> Result<Vec<Connection>, AppError> {
    let rows = ctx.db(|s| s.connection_list()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(to_connection(ctx, row).await?);
    }
    out.extend(crate::demo::connections(ctx).await);
    Ok(out)
}

/// One connection by id (stored or demo).
pub async fn get(ctx: &Ctx, id: &str) -> Result<Connection, AppError> {
    if is_demo(id) {
        return crate::demo::client(ctx, id).await.map(|(c, _)| c);
    }
    to_connection(ctx, stored(ctx, id).await?).await
}

/// Validates and stores a new connection; its secret goes to the keychain. Audit row
/// `connection.add`.
pub async fn add(ctx: &Ctx, input: ConnectionInput) -> Result<Connection, AppError> {
    let v = input::validate_new(&input)?;
    ensure_name_free(ctx, &v.name, None).await?;
    let access = v.access();
    let secret = v
        .secret
        .clone()
        .ok_or_else(|| AppError::internal("a checked new connection has no secret"))?;
    let id = proxdeck_store::new_connection_id();
    let kind = secret_kind(access);
    // The secret first: if the keychain refuses it, nothing is stored.
    let owner = id.clone();
    let secret_ref = keychain(ctx, move |k| k.set(&owner, kind, &secret)).await?;
    let row = ConnectionRow {
        id: id.clone(),
        name: v.name.clone(),
        kind: kind_str(v.kind).to_owned(),
        urls: v.urls.clone(),
        access: access_str(access).to_owned(),
        username: v.username.clone(),
        token_id: v.token_id.clone(),
        secret_ref: Some(secret_ref.to_string()),
        timeout_ms: v.timeout_ms,
        fingerprints: v.fingerprints.clone(),
        node_order: v.node_order.clone(),
        enabled: v.enabled,
        pool: v.pool.clone(),
        created_at: String::new(),
        updated_at: String::new(),
    };
    let stored = match ctx.db(move |s| s.connection_insert(&row)).await {
        Ok(r) => r,
        Err(e) => {
            let owner = id.clone();
            if let Err(k) = keychain(ctx, move |k| k.delete(&owner, kind)).await {
                tracing::warn!(connection = %id, error = %k.message, "could not take back the secret of a connection that was not stored");
            }
            return Err(e);
        }
    };
    audit(
        ctx,
        "connection.add",
        &stored.name,
        json!({
            "id": stored.id,
            "kind": stored.kind,
            "urls": stored.urls,
            "access": stored.access,
            "username": stored.username,
            "tokenId": stored.token_id,
            "timeoutMs": stored.timeout_ms,
            "fingerprints": stored.fingerprints,
            "nodeOrder": stored.node_order,
            "enabled": stored.enabled,
            "pool": stored.pool,
        }),
    )
    .await?;
    for fp in &stored.fingerprints {
        audit_pin(ctx, &stored, fp).await?;
    }
    ctx.emit(CoreEvent::ConnectionsChanged);
    to_connection(ctx, stored).await
}

/// Replaces a stored connection's settings (a `None` secret keeps the stored one). Audit
/// row `connection.update` naming the changed fields (never a secret's value).
pub async fn update(ctx: &Ctx, id: &str, input: ConnectionInput) -> Result<Connection, AppError> {
    refuse_demo(id, "edited")?;
    let old = stored(ctx, id).await?;
    let v = input::validate(&input)?;
    let access = v.access();
    let switched = access_str(access) != old.access;
    let new_token = access == AccessType::ApiToken && v.token_id != old.token_id;
    if v.secret.is_none() && (switched || new_token || old.secret_ref.is_none()) {
        let (field, what) = secret_field(access);
        let why = if switched {
            format!("the access type changed: enter the {what}")
        } else if new_token {
            format!(
                "the token changed: enter the {what} of {}",
                v.token_id.as_deref().unwrap_or_default()
            )
        } else {
            format!("no {what} is stored for this connection: enter it")
        };
        return Err(AppError::fields(
            why.clone(),
            [(field.to_owned(), why)].into(),
        ));
    }
    ensure_name_free(ctx, &v.name, Some(id)).await?;
    let kind = secret_kind(access);
    let secret_changed = v.secret.is_some();
    let secret_ref = match v.secret.clone() {
        Some(secret) => {
            let owner = id.to_owned();
            Some(
                keychain(ctx, move |k| k.set(&owner, kind, &secret))
                    .await?
                    .to_string(),
            )
        }
        None => old.secret_ref.clone(),
    };
    let row = ConnectionRow {
        id: id.to_owned(),
        name: v.name.clone(),
        kind: kind_str(v.kind).to_owned(),
        urls: v.urls.clone(),
        access: access_str(access).to_owned(),
        username: v.username.clone(),
        token_id: v.token_id.clone(),
        secret_ref,
        timeout_ms: v.timeout_ms,
        fingerprints: v.fingerprints.clone(),
        node_order: v.node_order.clone(),
        enabled: v.enabled,
        pool: v.pool.clone(),
        created_at: old.created_at.clone(),
        updated_at: old.updated_at.clone(),
    };
    let stored = ctx
        .db(move |s| s.connection_update(&row))
        .await?
        .ok_or_else(|| not_found(id))?;
    if switched {
        // The other access type's secret would only linger unused. The change itself is
        // stored already, so a refusal here is logged rather than reported as a failure.
        let owner = id.to_owned();
        let other = secret_kind(match access {
            AccessType::Credential => AccessType::ApiToken,
            AccessType::ApiToken => AccessType::Credential,
        });
        if let Err(e) = keychain(ctx, move |k| k.delete(&owner, other)).await {
            tracing::warn!(connection = %id, error = %e.message, "could not delete the secret of the previous access type");
        }
    }
    forget(ctx, id);

    let mut changed = changed_fields(&old, &stored);
    if secret_changed {
        changed.push("secret");
    }
    if !changed.is_empty() {
        let mut details = json!({ "id": id, "changed": changed });
        if secret_changed {
            details["secret"] = json!("changed");
        }
        if old.name != stored.name {
            details["previousName"] = json!(old.name);
        }
        audit(ctx, "connection.update", &stored.name, details).await?;
        for fp in stored
            .fingerprints
            .iter()
            .filter(|fp| !old.fingerprints.contains(fp))
        {
            audit_pin(ctx, &stored, fp).await?;
        }
        ctx.emit(CoreEvent::ConnectionsChanged);
    }
    to_connection(ctx, stored).await
}

/// Removes a stored connection and its keychain entries; with `delete_token`, first
/// deletes its API token on the cluster (a failure there is reported, not fatal). Audit
/// row `connection.remove`.
pub async fn remove(ctx: &Ctx, id: &str, delete_token: bool) -> Result<RemoveReport, AppError> {
    refuse_demo(id, "removed")?;
    let old = stored(ctx, id).await?;
    let mut report = RemoveReport {
        secrets_deleted: 0,
        token_deleted: false,
        token_error: None,
    };
    if delete_token && old.access == access_str(AccessType::ApiToken) {
        match delete_api_token(ctx, &old).await {
            Ok(()) => report.token_deleted = true,
            Err(why) => report.token_error = Some(why),
        }
    }
    // Secrets before the row: if the keychain refuses, the connection stays listed and the
    // removal can be retried, instead of leaving secrets nobody refers to.
    let owner = id.to_owned();
    let deleted = keychain(ctx, move |k| k.delete_all(&owner)).await?;
    report.secrets_deleted = u32::try_from(deleted).unwrap_or(u32::MAX);
    let owned = id.to_owned();
    ctx.db(move |s| s.connection_delete(&owned)).await?;
    forget(ctx, id);
    audit(
        ctx,
        "connection.remove",
        &old.name,
        json!({
            "id": id,
            "secretsDeleted": report.secrets_deleted,
            "tokenDeleteAsked": delete_token,
            "tokenDeleted": report.token_deleted,
            "tokenError": report.token_error,
        }),
    )
    .await?;
    ctx.emit(CoreEvent::ConnectionsChanged);
    Ok(report)
}

/// Enables or disables a stored connection (a disabled one is neither checked nor
/// queried). Audit row `connection.enable` / `connection.disable`.
pub async fn set_enabled(ctx: &Ctx, id: &str, enabled: bool) -> Result<Connection, AppError> {
    refuse_demo(id, if enabled { "enabled" } else { "disabled" })?;
    let old = stored(ctx, id).await?;
    if old.enabled != enabled {
        let owned = id.to_owned();
        ctx.db(move |s| s.connection_set_enabled(&owned, enabled))
            .await?;
        forget(ctx, id);
        let action = if enabled {
            "connection.enable"
        } else {
            "connection.disable"
        };
        audit(ctx, action, &old.name, json!({ "id": id })).await?;
        ctx.emit(CoreEvent::ConnectionsChanged);
    }
    get(ctx, id).await
}

/// The API client of a connection (stored: built from the store and the keychain and
/// cached until the connection changes; demo: the demo's).
pub async fn client(ctx: &Ctx, id: &str) -> Result<Arc<PveClient>, AppError> {
    if is_demo(id) {
        return crate::demo::client(ctx, id).await.map(|(_, c)| c);
    }
    if let Some(c) = ctx.clients.get(id) {
        return Ok(c);
    }
    let generation = ctx.clients.generation();
    let row = stored(ctx, id).await?;
    if !row.enabled {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!("connection {} is disabled; enable it to use it", row.name),
        ));
    }
    let client = Arc::new(build_client(ctx, &row).await?);
    Ok(ctx.clients.insert(id, generation, client))
}

/// One API client per stored connection, built on first use and kept (with its ticket and
/// the node that answered last) until the connection changes.
#[derive(Default)]
pub struct ClientCache {
    inner: std::sync::Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    clients: std::collections::HashMap<String, Arc<PveClient>>,
    /// Bumped by every invalidation, so that a client built from settings read before a
    /// change is not cached after it.
    generation: u64,
}

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCache")
            .field("connections", &self.state().clients.len())
            .finish()
    }
}

impl ClientCache {
    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, id: &str) -> Option<Arc<PveClient>> {
        self.state().clients.get(id).cloned()
    }

    fn generation(&self) -> u64 {
        self.state().generation
    }

    /// Keeps `client` unless the cache was invalidated since `generation` was read, and
    /// returns the client to use (one cached meanwhile from the same settings wins).
    fn insert(&self, id: &str, generation: u64, client: Arc<PveClient>) -> Arc<PveClient> {
        let mut state = self.state();
        if state.generation != generation {
            return client;
        }
        Arc::clone(state.clients.entry(id.to_owned()).or_insert(client))
    }

    /// Forgets the client of `id`: its settings or secret changed, or it was removed.
    pub(crate) fn invalidate(&self, id: &str) {
        let mut state = self.state();
        state.generation += 1;
        state.clients.remove(id);
    }
}

// ---------------------------------------------------------------------------------------

/// Drops what was derived from the connection's old settings: its client, and the health
/// monitor's entry (so the next check runs at once), and the login's cached privileges.
fn forget(ctx: &Ctx, id: &str) {
    ctx.clients.invalidate(id);
    ctx.privileges.forget(id);
    ctx.health.forget(id);
}

fn is_demo(id: &str) -> bool {
    id.starts_with("demo-")
}

fn refuse_demo(id: &str, done: &str) -> Result<(), AppError> {
    if is_demo(id) {
        return Err(AppError::new(
            ErrorCode::Invalid,
            format!(
                "the demo datacenter's connections cannot be {done}; close the demo to remove them, or add a connection of your own"
            ),
        ));
    }
    Ok(())
}

fn not_found(id: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("there is no connection `{id}`; it may have been removed"),
    )
}

async fn stored(ctx: &Ctx, id: &str) -> Result<ConnectionRow, AppError> {
    let owned = id.to_owned();
    ctx.db(move |s| s.connection_get(&owned))
        .await?
        .ok_or_else(|| not_found(id))
}

async fn ensure_name_free(ctx: &Ctx, name: &str, except: Option<&str>) -> Result<(), AppError> {
    let owned = name.to_owned();
    let holder = ctx.db(move |s| s.connection_by_name(&owned)).await?;
    match holder {
        Some(h) if Some(h.id.as_str()) != except => {
            let why = format!(
                "a connection named `{}` exists already; choose another name",
                h.name
            );
            Err(AppError::fields(
                why.clone(),
                [("name".to_owned(), why)].into(),
            ))
        }
        _ => Ok(()),
    }
}

pub(crate) fn kind_str(kind: ConnectionKind) -> &'static str {
    match kind {
        ConnectionKind::Pve => "pve",
        ConnectionKind::Pbs => "pbs",
    }
}

pub(crate) fn access_str(access: AccessType) -> &'static str {
    match access {
        AccessType::Credential => "credential",
        AccessType::ApiToken => "apiToken",
    }
}

fn parse_kind(row: &ConnectionRow) -> Result<ConnectionKind, AppError> {
    match row.kind.as_str() {
        "pve" => Ok(ConnectionKind::Pve),
        "pbs" => Ok(ConnectionKind::Pbs),
        other => Err(bad_row(row, "kind", other)),
    }
}

fn parse_access(row: &ConnectionRow) -> Result<AccessType, AppError> {
    match row.access.as_str() {
        "credential" => Ok(AccessType::Credential),
        "apiToken" => Ok(AccessType::ApiToken),
        other => Err(bad_row(row, "access", other)),
    }
}

fn bad_row(row: &ConnectionRow, column: &str, value: &str) -> AppError {
    AppError::new(
        ErrorCode::Storage,
        format!(
            "the stored connection {} has an unknown {column} `{value}`; remove it and add it again",
            row.name
        ),
    )
}

/// Where the keychain keeps an access type's secret.
pub(crate) fn secret_kind(access: AccessType) -> SecretKind {
    match access {
        AccessType::Credential => SecretKind::Password,
        AccessType::ApiToken => SecretKind::TokenSecret,
    }
}

/// The form field and the word for an access type's secret.
fn secret_field(access: AccessType) -> (&'static str, &'static str) {
    match access {
        AccessType::Credential => ("password", "password"),
        AccessType::ApiToken => ("tokenSecret", "token secret"),
    }
}

/// Runs a keychain call off the async runtime: the platform keychains block.
pub(crate) async fn keychain<T, F>(ctx: &Ctx, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Keychain) -> Result<T, proxdeck_secrets::SecretsError> + Send + 'static,
{
    let k = ctx.keychain.clone();
    Ok(tokio::task::spawn_blocking(move || f(&k)).await??)
}

/// The stored secret of connection `id` for `access`, if the keychain has one.
pub(crate) async fn stored_secret(
    ctx: &Ctx,
    id: &str,
    access: AccessType,
) -> Result<Option<Sensitive<String>>, AppError> {
    let owner = id.to_owned();
    keychain(ctx, move |k| k.get(&owner, secret_kind(access))).await
}

async fn to_connection(ctx: &Ctx, row: ConnectionRow) -> Result<Connection, AppError> {
    let kind = parse_kind(&row)?;
    let access = parse_access(&row)?;
    let health = health::current(ctx, &row.id, row.enabled).await;
    Ok(Connection {
        url: row.urls.first().cloned().unwrap_or_default(),
        has_secret: row.secret_ref.is_some(),
        id: row.id,
        name: row.name,
        kind,
        urls: row.urls,
        access,
        username: row.username,
        token_id: row.token_id,
        timeout_ms: row.timeout_ms,
        fingerprints: row.fingerprints,
        node_order: row.node_order,
        enabled: row.enabled,
        pool: row.pool,
        demo: false,
        health,
    })
}

/// A client from the stored settings and the keychain's secret, enabled or not.
async fn build_client(ctx: &Ctx, row: &ConnectionRow) -> Result<PveClient, AppError> {
    let kind = parse_kind(row)?;
    let access = parse_access(row)?;
    let secret = match row.secret_ref {
        Some(_) => stored_secret(ctx, &row.id, access).await?,
        None => None,
    };
    let Some(secret) = secret else {
        let (_, what) = secret_field(access);
        return Err(AppError::new(
            ErrorCode::Keychain,
            format!(
                "the {what} of connection {} is not in the OS keychain; edit the connection and enter the {what} again",
                row.name
            ),
        ));
    };
    let trust = Trust::from_pins(&row.fingerprints);
    let auth = input::auth_for(
        kind,
        access,
        &row.username,
        row.token_id.as_deref(),
        &secret,
    );
    PveClient::with_urls(
        &row.urls,
        &trust,
        auth,
        Duration::from_millis(u64::from(row.timeout_ms)),
    )
    .map_err(AppError::from)
}

/// Deletes the connection's API token on the cluster with the token itself; the error is
/// the sentence for the report.
async fn delete_api_token(ctx: &Ctx, row: &ConnectionRow) -> Result<(), String> {
    let token_id = row.token_id.clone().unwrap_or_default();
    let where_by_hand = match row.kind.as_str() {
        "pbs" => "Configuration → Access Control → API Token",
        _ => "Datacenter → Permissions → API Tokens",
    };
    let fail = |why: String| {
        format!(
            "the API token {token_id} could not be deleted on {}: {why}. Delete it by hand in {where_by_hand}",
            row.name
        )
    };
    let (user, name) = token_id
        .split_once('!')
        .ok_or_else(|| fail("the stored token ID has no `!tokenname`".into()))?;
    let client = build_client(ctx, row).await.map_err(|e| fail(e.message))?;
    client
        .delete(&format!(
            "/access/users/{}/token/{}",
            proxdeck_pve::percent_encode(user),
            proxdeck_pve::percent_encode(name)
        ))
        .await
        .map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// The names (as the form calls them) of the fields that differ.
fn changed_fields(old: &ConnectionRow, new: &ConnectionRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut note = |differs: bool, name: &'static str| {
        if differs {
            out.push(name);
        }
    };
    note(old.name != new.name, "name");
    note(old.kind != new.kind, "kind");
    note(old.urls != new.urls, "urls");
    note(old.access != new.access, "access");
    note(old.username != new.username, "username");
    note(old.token_id != new.token_id, "tokenId");
    note(old.timeout_ms != new.timeout_ms, "timeoutMs");
    note(old.fingerprints != new.fingerprints, "fingerprints");
    note(old.node_order != new.node_order, "nodeOrder");
    note(old.pool != new.pool, "pool");
    note(old.enabled != new.enabled, "enabled");
    out
}

async fn audit(
    ctx: &Ctx,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), AppError> {
    crate::audit::record(
        ctx,
        AuditEntry {
            actor: crate::audit::local_actor(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: "ok".to_owned(),
            details,
        },
    )
    .await
    .map(|_| ())
}

async fn audit_pin(ctx: &Ctx, row: &ConnectionRow, fingerprint: &str) -> Result<(), AppError> {
    audit(
        ctx,
        "certificate.pin",
        &row.name,
        json!({
            "id": row.id,
            "url": row.urls.first(),
            "urls": row.urls,
            "fingerprint": fingerprint,
        }),
    )
    .await
}
