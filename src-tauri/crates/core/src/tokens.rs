//! Automatic API token creation (the key button beside the token field): with an admin
//! login used once and never stored, creates the `proxdeck@pve` user, its roles, ACLs and
//! token for one of two profiles, and returns the secret once.
//!
//! The admin password lives in a [`Sensitive`] and in the one temporary [`PveClient`] that
//! logs in with it; both are dropped when the call returns. Nothing here logs it, puts it
//! in an error or the audit log, or returns it. The new token's secret goes back to the UI
//! once (and to the keychain when the wizard was opened from a saved connection).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proxdeck_pve::{Auth, Login, Product, PveClient, PveError, SecondFactor, Trust};
use proxdeck_secrets::{SecretKind, Sensitive};
use proxdeck_store::AuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use specta::Type;

use crate::connections::ConnectionKind;
use crate::{AppError, Ctx, ErrorCode, audit};

/// The user every profile creates (cv4pve-admin and the OpenVLE guide use one dedicated
/// `@pve` user without a password: only its tokens can log in).
pub const USER: &str = "proxdeck@pve";
/// The token name the form starts with.
pub const DEFAULT_TOKEN_NAME: &str = "proxdeck";
/// Least privilege, on `/`: see the node and cluster state, open node consoles.
pub const GENERAL_ROLE: &str = "Proxdeck-General";
/// Least privilege, on the chosen pool: manage the pool's guests.
pub const VMS_ROLE: &str = "Proxdeck-VMs";
/// Full admin, on `/`: PVE's built-in role (everything but root-only privileges).
pub const ADMIN_ROLE: &str = "PVEAdmin";
/// Least privilege, on each chosen storage: allocate disks and backups, browse content.
pub const DATASTORE_ROLE: &str = "PVEDatastoreUser";
/// Least privilege, on each chosen SDN zone: attach guests to its VNets / bridges.
pub const SDN_ROLE: &str = "PVESDNUser";
/// PVE's pseudo-zone of the nodes' plain Linux bridges (`/sdn/zones/localnetwork/vmbr0`).
/// It is not in `/cluster/sdn/zones`, but since PVE 8 a non-root login needs `SDN.Use` on
/// it to put a guest's NIC on `vmbr0`, so the wizard offers it.
pub const LOCAL_NETWORK_ZONE: &str = "localnetwork";

/// Privileges of [`GENERAL_ROLE`], as the OpenVLE guide's general role.
pub const GENERAL_PRIVILEGES: &[&str] = &["Sys.Audit", "Sys.Console"];

/// Privileges of [`VMS_ROLE`] on every PVE version: the VM privileges of the OpenVLE
/// guide's pool role (<https://docs.openvle.org/en/docs/admin/install/proxmoxve>) — what
/// a management app needs to see, configure, power, clone, migrate, snapshot and back up
/// the pool's guests and open their consoles. Names checked against the PVE 9.1 API schema
/// (pve-docs 9.1.3 `apidata.js`, the `/access/roles/{roleid}` answer's properties) and
/// present since PVE 7 (`VM.Config.Cloudinit` since 6). Deliberately absent:
/// `VM.GuestAgent.Unrestricted` and the other guest-agent write privileges (command
/// execution and file access inside guests), `VM.Replicate`, and PVE 8's `VM.Monitor`
/// (which includes guest-exec).
pub const VM_PRIVILEGES: &[&str] = &[
    "VM.Allocate",
    "VM.Audit",
    "VM.Backup",
    "VM.Clone",
    "VM.Config.CDROM",
    "VM.Config.CPU",
    "VM.Config.Cloudinit",
    "VM.Config.Disk",
    "VM.Config.HWType",
    "VM.Config.Memory",
    "VM.Config.Network",
    "VM.Config.Options",
    "VM.Console",
    "VM.Migrate",
    "VM.PowerMgmt",
    "VM.Snapshot",
    "VM.Snapshot.Rollback",
];

/// Added to [`VM_PRIVILEGES`] on PVE 9 and later: read-only guest-agent information
/// (addresses, OS, host name). PVE 9.0 replaced `VM.Monitor` with the `VM.GuestAgent.*`
/// privileges (pve-access-control "add VM.GuestAgent privileges" / "privileges: drop
/// VM.Monitor", pve-devel, July 2025); PVE 8 refuses a role naming them.
pub const VM_PRIVILEGES_SINCE_9: &[&str] = &["VM.GuestAgent.Audit"];

/// The VM privileges for a cluster whose `/version` has this major version.
pub fn vm_privileges(pve_major: u32) -> Vec<&'static str> {
    let mut privs = VM_PRIVILEGES.to_vec();
    if pve_major >= 9 {
        privs.extend_from_slice(VM_PRIVILEGES_SINCE_9);
    }
    privs.sort_unstable();
    privs
}

/// Writes to the cluster filesystem can take longer than a read; the wizard runs once, so
/// a generous floor under the form's timeout costs nothing.
const MIN_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum TokenProfile {
    /// As cv4pve-admin: `PVEAdmin` on `/` (propagated), token without privilege separation.
    FullAdmin,
    /// As the OpenVLE guide: privilege-separated token; `Proxdeck-General` on `/`,
    /// `Proxdeck-VMs` on the pool, `PVEDatastoreUser` on the storages, `PVESDNUser` on the
    /// SDN zones; each ACL for both the user and the token.
    LeastPrivilege {
        pool: String,
        storages: Vec<String>,
        sdn_zones: Vec<String>,
    },
}

impl TokenProfile {
    fn name(&self) -> &'static str {
        match self {
            TokenProfile::FullAdmin => "fullAdmin",
            TokenProfile::LeastPrivilege { .. } => "leastPrivilege",
        }
    }

    /// Whether the token gets its own ACLs (privsep=1) or acts as its user (privsep=0).
    fn privsep(&self) -> bool {
        matches!(self, TokenProfile::LeastPrivilege { .. })
    }
}

/// The wizard's form. The admin password is used for this call only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenWizardInput {
    /// The connection form's node URLs and trust (the connection may not be saved yet).
    pub urls: Vec<String>,
    /// The form's pinned fingerprints; empty: the system's roots.
    pub fingerprints: Vec<String>,
    pub timeout_ms: u32,
    /// An administrator, e.g. `root@pam`.
    pub admin_username: String,
    pub admin_password: String,
    /// The admin's TOTP code, when the admin has a second factor.
    pub admin_otp: Option<String>,
    /// Default `proxdeck`.
    pub token_name: String,
    pub profile: TokenProfile,
    /// When the token (or user) already exists: replace the token with a new secret.
    pub rotate: bool,
    /// The saved connection being edited: its keychain entry gets the new secret at once.
    pub connection_id: Option<String>,
}

/// Written by hand so that a stray `{:?}` can never print the admin password.
impl std::fmt::Debug for TokenWizardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenWizardInput")
            .field("urls", &self.urls)
            .field("fingerprints", &self.fingerprints)
            .field("timeout_ms", &self.timeout_ms)
            .field("admin_username", &self.admin_username)
            .field("admin_password", &"<redacted>")
            .field("admin_otp", &self.admin_otp.as_ref().map(|_| "<redacted>"))
            .field("token_name", &self.token_name)
            .field("profile", &self.profile)
            .field("rotate", &self.rotate)
            .field("connection_id", &self.connection_id)
            .finish()
    }
}

/// One ACL entry the wizard set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AclGrant {
    pub path: String,
    pub role: String,
    /// `proxdeck@pve` or `proxdeck@pve!proxdeck`.
    pub ugid: String,
    pub propagate: bool,
}

/// What the wizard created. `secret` is shown once in the copy dialog.
#[derive(Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CreatedToken {
    /// `proxdeck@pve!proxdeck`
    pub token_id: String,
    pub secret: String,
    pub user_created: bool,
    pub roles_created: Vec<String>,
    pub acls: Vec<AclGrant>,
    /// Whether the secret was stored in the keychain for `connection_id`.
    pub stored_in_keychain: bool,
}

/// Written by hand so that a stray `{:?}` can never print the secret.
impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token_id", &self.token_id)
            .field("secret", &"<redacted>")
            .field("user_created", &self.user_created)
            .field("roles_created", &self.roles_created)
            .field("acls", &self.acls)
            .field("stored_in_keychain", &self.stored_in_keychain)
            .finish()
    }
}

/// What the least-privilege profile can be given: the cluster's pools, storages and SDN
/// zones, read with the admin login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct WizardChoices {
    pub version: String,
    pub pools: Vec<String>,
    pub storages: Vec<String>,
    pub sdn_zones: Vec<String>,
    /// Whether `proxdeck@pve` exists already, and whether the named token does.
    pub user_exists: bool,
    pub token_exists: bool,
}

/// Logs in as the admin and lists what the least-privilege profile can be given.
pub async fn choices(ctx: &Ctx, mut input: TokenWizardInput) -> Result<WizardChoices, AppError> {
    let _ = ctx;
    let secrets = AdminSecrets::take(&mut input);
    let form = Form::check(&input, &secrets, false)?;
    let admin = Admin::login(&form, secrets).await?;
    let version = admin.version().await?;
    let listing = admin.listing(version.major).await?;
    let existing = admin.existing(&form.token_name).await?;
    Ok(WizardChoices {
        version: version.text,
        pools: listing.pools,
        storages: listing.storages,
        sdn_zones: listing.sdn_zones.unwrap_or_else(|| {
            if version.major >= 8 {
                vec![LOCAL_NETWORK_ZONE.to_owned()]
            } else {
                Vec::new()
            }
        }),
        user_exists: existing.user,
        token_exists: existing.token.is_some(),
    })
}

/// Creates user, roles, ACLs and token for the profile. An existing token is a `Conflict`
/// that explains and offers rotation, unless `rotate` is set. Audit row `token.create` /
/// `token.rotate` without the secret.
pub async fn create(ctx: &Ctx, mut input: TokenWizardInput) -> Result<CreatedToken, AppError> {
    let secrets = AdminSecrets::take(&mut input);
    let form = Form::check(&input, &secrets, true)?;
    let mut done = Progress::default();
    let result = run_create(ctx, &input, &form, secrets, &mut done).await;

    let outcome = match &result {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("failed: {}", e.message),
    };
    let entry = AuditEntry {
        actor: audit::local_actor(),
        action: if done.rotated {
            "token.rotate"
        } else {
            "token.create"
        }
        .to_owned(),
        target: form.token_id.clone(),
        outcome,
        details: done.details(&input, &form),
    };
    // A token exists on the cluster now and its secret is shown only here: a failing audit
    // write must not swallow it.
    if let Err(e) = audit::record(ctx, entry).await {
        tracing::error!(token = %form.token_id, error = %e, "could not record the token wizard in the audit log");
    }
    result
}

async fn run_create(
    ctx: &Ctx,
    input: &TokenWizardInput,
    form: &Form,
    secrets: AdminSecrets,
    done: &mut Progress,
) -> Result<CreatedToken, AppError> {
    let admin = Admin::login(form, secrets).await?;
    done.cluster = Some(admin.client.current_url().await);
    let version = admin.version().await?;
    done.version = Some(version.text.clone());
    let existing = admin.existing(&form.token_name).await?;
    if let Some(comment) = &existing.token
        && !input.rotate
    {
        let about = if comment.is_empty() {
            String::new()
        } else {
            format!(" ({comment})")
        };
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "The user {USER} and its token {}{about} already exist on this cluster, and a token's secret cannot be shown again: choose Rotate to replace the token's secret; programs using the old secret stop working.",
                form.token_id
            ),
        ));
    }

    let plan = Plan::for_profile(&input.profile, &form.token_id, version.major);
    if let TokenProfile::LeastPrivilege {
        pool,
        storages,
        sdn_zones,
    } = &input.profile
    {
        let listing = admin.listing(version.major).await?;
        check_choices(&listing, version.major, pool, storages, sdn_zones)?;
    }

    if !existing.user {
        admin
            .post(
                "/access/users",
                &[("userid", USER), ("comment", "Proxdeck")],
            )
            .await?;
        done.user_created = true;
    }
    admin.ensure_roles(&plan.roles, done).await?;

    if existing.token.is_some() {
        admin
            .delete(&format!("/access/users/{USER}/token/{}", form.token_name))
            .await?;
        done.rotated = true;
    }
    let comment = format!(
        "Proxdeck, {} profile, created {}",
        match input.profile {
            TokenProfile::FullAdmin => "full admin",
            TokenProfile::LeastPrivilege { .. } => "least privilege",
        },
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let answer = admin
        .post(
            &format!("/access/users/{USER}/token/{}", form.token_name),
            &[
                ("privsep", if input.profile.privsep() { "1" } else { "0" }),
                ("comment", &comment),
            ],
        )
        .await?;
    let secret = Sensitive::new(
        answer["value"]
            .as_str()
            .ok_or_else(|| AppError::new(ErrorCode::Protocol, "the cluster created the token but sent no secret; delete the token in the cluster's Permissions > API Tokens and try again"))?
            .to_owned(),
    );
    done.token_created = true;

    // From here on a failure would leave a token whose secret nobody saw: remove it, so
    // running the wizard again starts clean.
    if let Err(e) = admin.apply_acls(&plan, done).await {
        if admin
            .delete(&format!("/access/users/{USER}/token/{}", form.token_name))
            .await
            .is_ok()
        {
            done.rolled_back = true;
        }
        return Err(e);
    }
    drop(admin);
    tracing::info!(token = %form.token_id, profile = input.profile.name(), "API token created");

    let stored_in_keychain = match &input.connection_id {
        Some(id) => store_secret(ctx, id, &secret, done).await,
        None => false,
    };
    Ok(CreatedToken {
        token_id: form.token_id.clone(),
        secret: secret.expose().clone(),
        user_created: done.user_created,
        roles_created: done.roles_created.clone(),
        acls: done.acls.clone(),
        stored_in_keychain,
    })
}

/// Puts the secret in the keychain entry of a saved connection. The token exists and its
/// secret is about to be shown, so a failure here is reported, not raised.
async fn store_secret(
    ctx: &Ctx,
    id: &str,
    secret: &Sensitive<String>,
    done: &mut Progress,
) -> bool {
    match crate::connections::get(ctx, id).await {
        Ok(conn) if !conn.demo => {}
        Ok(_) => {
            done.keychain = Some("not stored: a demo connection".into());
            return false;
        }
        Err(e) => {
            done.keychain = Some(format!("not stored: {}", e.message));
            return false;
        }
    }
    let keychain = ctx.keychain.clone();
    let owner = id.to_owned();
    let secret = secret.clone();
    let stored =
        tokio::task::spawn_blocking(move || keychain.set(&owner, SecretKind::TokenSecret, &secret))
            .await;
    match stored {
        Ok(Ok(_)) => {
            done.keychain = Some("stored".into());
            true
        }
        Ok(Err(e)) => {
            tracing::warn!(connection = id, error = %e, "could not store the new token secret");
            done.keychain = Some(format!("not stored: {e}"));
            false
        }
        Err(e) => {
            done.keychain = Some(format!("not stored: {e}"));
            false
        }
    }
}

/// The admin's password and TOTP code, moved out of the form at once so the form can be
/// kept around (for audit details) without them.
struct AdminSecrets {
    password: Sensitive<String>,
    otp: Option<Sensitive<String>>,
}

impl AdminSecrets {
    fn take(input: &mut TokenWizardInput) -> Self {
        Self {
            password: Sensitive::new(std::mem::take(&mut input.admin_password)),
            otp: input
                .admin_otp
                .take()
                .map(|c| Sensitive::new(c.trim().to_owned()))
                .filter(|c| !c.expose().is_empty()),
        }
    }
}

/// The checked form.
struct Form {
    urls: Vec<String>,
    trust: Trust,
    timeout: Duration,
    admin: String,
    token_name: String,
    /// `proxdeck@pve!<name>`
    token_id: String,
}

impl Form {
    /// Every problem a form can have before the cluster is asked, one message per field.
    fn check(
        input: &TokenWizardInput,
        secrets: &AdminSecrets,
        for_create: bool,
    ) -> Result<Self, AppError> {
        let mut fields = BTreeMap::new();
        let urls = match crate::connections::normalize_urls(ConnectionKind::Pve, &input.urls) {
            Ok(urls) => urls,
            Err(e) => {
                fields.extend(e.fields);
                Vec::new()
            }
        };
        let pins: Vec<String> = input
            .fingerprints
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        if pins
            .iter()
            .any(|fp| proxdeck_pve::normalize_fingerprint(fp).is_none())
        {
            fields.insert(
                "fingerprints".into(),
                "a SHA-256 fingerprint is 32 hex pairs, e.g. AB:CD:…".into(),
            );
        }
        let trust = if fields.contains_key("fingerprints") {
            Trust::SystemRoots
        } else {
            Trust::from_pins(&pins)
        };
        let admin = input.admin_username.trim().to_owned();
        if !is_userid(&admin) {
            fields.insert(
                "adminUsername".into(),
                "enter an administrator as user@realm, e.g. root@pam".into(),
            );
        }
        if secrets.password.expose().is_empty() {
            fields.insert(
                "adminPassword".into(),
                "enter the administrator's password".into(),
            );
        }
        let token_name = match input.token_name.trim() {
            "" => DEFAULT_TOKEN_NAME.to_owned(),
            name => name.to_owned(),
        };
        if !is_token_name(&token_name) {
            fields.insert(
                "tokenName".into(),
                "a token name starts with a letter and has at least two characters: letters, digits, '.', '-' and '_'".into(),
            );
        }
        if for_create
            && let TokenProfile::LeastPrivilege {
                pool,
                storages,
                sdn_zones,
            } = &input.profile
        {
            if pool.trim().is_empty() {
                fields.insert(
                    "pool".into(),
                    "choose the pool whose guests Proxdeck may manage".into(),
                );
            } else if !is_acl_name(pool) {
                fields.insert("pool".into(), format!("`{pool}` is not a pool name"));
            }
            if let Some(s) = storages.iter().find(|s| !is_acl_name(s)) {
                fields.insert("storages".into(), format!("`{s}` is not a storage name"));
            }
            if let Some(z) = sdn_zones.iter().find(|z| !is_acl_name(z)) {
                fields.insert("sdnZones".into(), format!("`{z}` is not an SDN zone name"));
            }
        }
        if !fields.is_empty() {
            let message = if fields.len() == 1 {
                fields.values().next().cloned().unwrap_or_default()
            } else {
                "some fields need attention".to_owned()
            };
            return Err(AppError::fields(message, fields));
        }
        Ok(Self {
            urls,
            trust,
            timeout: Duration::from_millis(u64::from(input.timeout_ms)).max(MIN_TIMEOUT),
            token_id: format!("{USER}!{token_name}"),
            admin,
            token_name,
        })
    }
}

/// PVE's `pve-userid`, loosely: a name without whitespace, ':' or '/', '@', a realm.
fn is_userid(s: &str) -> bool {
    s.rsplit_once('@').is_some_and(|(name, realm)| {
        !name.is_empty()
            && !name
                .chars()
                .any(|c| c.is_whitespace() || c == ':' || c == '/')
            && is_token_name(realm)
    })
}

/// The schema's token id pattern `[A-Za-z][A-Za-z0-9.\-_]+` (also PVE's realm pattern).
fn is_token_name(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// A pool, storage or zone id as it may stand in an ACL path.
fn is_acl_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The roles and ACLs a profile wants.
struct Plan {
    /// Custom roles to create or bring to exactly these privileges.
    roles: Vec<(&'static str, Vec<&'static str>)>,
    /// (path, role): each for the user, and for the token when it is privilege-separated.
    acls: Vec<(String, &'static str)>,
    token_id: String,
    privsep: bool,
}

impl Plan {
    fn for_profile(profile: &TokenProfile, token_id: &str, pve_major: u32) -> Self {
        match profile {
            TokenProfile::FullAdmin => Plan {
                roles: Vec::new(),
                acls: vec![("/".to_owned(), ADMIN_ROLE)],
                token_id: token_id.to_owned(),
                privsep: false,
            },
            TokenProfile::LeastPrivilege {
                pool,
                storages,
                sdn_zones,
            } => {
                let mut acls = vec![
                    ("/".to_owned(), GENERAL_ROLE),
                    (format!("/pool/{pool}"), VMS_ROLE),
                ];
                let storages: BTreeSet<&String> = storages.iter().collect();
                acls.extend(
                    storages
                        .into_iter()
                        .map(|s| (format!("/storage/{s}"), DATASTORE_ROLE)),
                );
                let zones: BTreeSet<&String> = sdn_zones.iter().collect();
                acls.extend(
                    zones
                        .into_iter()
                        .map(|z| (format!("/sdn/zones/{z}"), SDN_ROLE)),
                );
                Plan {
                    roles: vec![
                        (GENERAL_ROLE, GENERAL_PRIVILEGES.to_vec()),
                        (VMS_ROLE, vm_privileges(pve_major)),
                    ],
                    acls,
                    token_id: token_id.to_owned(),
                    privsep: true,
                }
            }
        }
    }

    fn grants(&self) -> Vec<AclGrant> {
        let mut out = Vec::new();
        for (path, role) in &self.acls {
            let mut ugids = vec![USER.to_owned()];
            if self.privsep {
                ugids.push(self.token_id.clone());
            }
            for ugid in ugids {
                out.push(AclGrant {
                    path: path.clone(),
                    role: (*role).to_owned(),
                    ugid,
                    propagate: true,
                });
            }
        }
        out
    }
}

/// What `create` did so far, for the audit row (a failure is recorded with what it left).
#[derive(Default)]
struct Progress {
    cluster: Option<String>,
    version: Option<String>,
    user_created: bool,
    rotated: bool,
    roles_created: Vec<String>,
    roles_updated: Vec<String>,
    token_created: bool,
    /// The token was removed again after a later step failed.
    rolled_back: bool,
    acls: Vec<AclGrant>,
    acls_removed: Vec<AclGrant>,
    keychain: Option<String>,
}

impl Progress {
    fn details(&self, input: &TokenWizardInput, form: &Form) -> Value {
        let mut d = json!({
            "profile": input.profile.name(),
            "admin": form.admin,
            "cluster": self.cluster.clone().unwrap_or_else(|| form.urls.join(", ")),
            "pveVersion": self.version,
            "userCreated": self.user_created,
            "rolesCreated": self.roles_created,
            "rolesUpdated": self.roles_updated,
            "tokenCreated": self.token_created,
            "acls": self.acls,
            "aclsRemoved": self.acls_removed,
        });
        if let TokenProfile::LeastPrivilege {
            pool,
            storages,
            sdn_zones,
        } = &input.profile
        {
            d["pool"] = json!(pool);
            d["storages"] = json!(storages);
            d["sdnZones"] = json!(sdn_zones);
        }
        if self.rolled_back {
            d["tokenRemovedAfterFailure"] = json!(true);
        }
        if let Some(k) = &self.keychain {
            d["keychain"] = json!(k);
        }
        d
    }
}

struct Version {
    text: String,
    major: u32,
}

/// The cluster's pools, storages and (when PVE lists them) SDN zones.
struct Listing {
    pools: Vec<String>,
    storages: Vec<String>,
    /// `None` when the cluster has no SDN API (404 / 501).
    sdn_zones: Option<Vec<String>>,
}

/// Whether `proxdeck@pve` exists and, if the named token does, its comment.
struct Existing {
    user: bool,
    token: Option<String>,
}

fn check_choices(
    listing: &Listing,
    pve_major: u32,
    pool: &str,
    storages: &[String],
    sdn_zones: &[String],
) -> Result<(), AppError> {
    let mut fields = BTreeMap::new();
    if !listing.pools.iter().any(|p| p == pool) {
        fields.insert(
            "pool".to_owned(),
            format!("there is no pool `{pool}` on this cluster"),
        );
    }
    if let Some(s) = storages.iter().find(|s| !listing.storages.contains(s)) {
        fields.insert(
            "storages".to_owned(),
            format!("there is no storage `{s}` on this cluster"),
        );
    }
    if pve_major < 8 && !sdn_zones.is_empty() {
        fields.insert(
            "sdnZones".to_owned(),
            "SDN zone permissions (role PVESDNUser) need Proxmox VE 8 or later".to_owned(),
        );
    } else if let Some(zones) = &listing.sdn_zones
        && let Some(z) = sdn_zones
            .iter()
            .find(|z| *z != LOCAL_NETWORK_ZONE && !zones.contains(z))
    {
        fields.insert(
            "sdnZones".to_owned(),
            format!("there is no SDN zone `{z}` on this cluster"),
        );
    }
    if fields.is_empty() {
        return Ok(());
    }
    let message = fields.values().next().cloned().unwrap_or_default();
    Err(AppError::fields(message, fields))
}

/// The temporary admin session. Dropping it drops the only other copy of the password.
struct Admin {
    client: PveClient,
    name: String,
}

impl Admin {
    async fn login(form: &Form, secrets: AdminSecrets) -> Result<Self, AppError> {
        let client = PveClient::with_urls(
            &form.urls,
            &form.trust,
            Auth::Password {
                product: Product::Pve,
                username: form.admin.clone(),
                password: secrets.password.expose().clone(),
            },
            form.timeout,
        )?;
        drop(secrets.password);
        let refused = |what: &str, field: &str, hint: &str| {
            let mut e = AppError::new(
                ErrorCode::Unauthorized,
                format!("The cluster refused {what} of {}. {hint}", form.admin),
            );
            e.fields.insert(field.to_owned(), hint.to_owned());
            e
        };
        match client.login().await {
            Ok(Login::Complete) => {}
            Ok(Login::NeedsSecondFactor) => {
                let Some(code) = secrets.otp else {
                    return Err(refused(
                        "the login without a second factor",
                        "adminOtp",
                        "This administrator has a second factor: enter its current TOTP code.",
                    ));
                };
                match client
                    .second_factor(SecondFactor::Totp(code.expose().clone()))
                    .await
                {
                    Ok(()) => {}
                    Err(PveError::Unauthorized { .. }) => {
                        return Err(refused(
                            "the TOTP code",
                            "adminOtp",
                            "Enter the code your authenticator shows now.",
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Err(PveError::Unauthorized { .. }) => {
                return Err(refused(
                    "the login",
                    "adminPassword",
                    "Check the administrator's user name (user@realm) and password.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Self {
            client,
            name: form.admin.clone(),
        })
    }

    /// A refusal names the admin and what the wizard needs; other errors pass through.
    fn error(&self, e: PveError) -> AppError {
        match e {
            PveError::Forbidden { .. } | PveError::MissingPrivilege { .. } => {
                let base = AppError::from(e);
                AppError::new(
                    ErrorCode::MissingPrivilege,
                    format!(
                        "{} may not set up API tokens: {}. Use root@pam or a user with the Administrator role on /.",
                        self.name, base.message
                    ),
                )
            }
            other => other.into(),
        }
    }

    async fn get(&self, path: &str) -> Result<Value, AppError> {
        self.client.get(path).await.map_err(|e| self.error(e))
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<Value, AppError> {
        self.client
            .post(path, form)
            .await
            .map_err(|e| self.error(e))
    }

    async fn put(&self, path: &str, form: &[(&str, &str)]) -> Result<Value, AppError> {
        self.client.put(path, form).await.map_err(|e| self.error(e))
    }

    async fn delete(&self, path: &str) -> Result<Value, AppError> {
        self.client.delete(path).await.map_err(|e| self.error(e))
    }

    /// `/version`, read first: the privilege names depend on it.
    async fn version(&self) -> Result<Version, AppError> {
        let v = self.get("/version").await?;
        let text = v["version"].as_str().unwrap_or_default().to_owned();
        let major = text
            .split(['.', '-', '~'])
            .next()
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::Protocol,
                    format!("the cluster's /version answer has no version number (`{text}`)"),
                )
            })?;
        Ok(Version { text, major })
    }

    async fn listing(&self, pve_major: u32) -> Result<Listing, AppError> {
        let pools = ids(&self.get("/pools").await?, "poolid");
        let storages = ids(&self.get("/storage").await?, "storage");
        let sdn_zones = match self.client.get("/cluster/sdn/zones").await {
            Ok(v) => {
                let mut zones = ids(&v, "zone");
                if pve_major >= 8 && !zones.iter().any(|z| z == LOCAL_NETWORK_ZONE) {
                    zones.push(LOCAL_NETWORK_ZONE.to_owned());
                    zones.sort();
                }
                Some(zones)
            }
            Err(PveError::Http {
                status: 404 | 501, ..
            }) => None,
            Err(e) => return Err(self.error(e)),
        };
        Ok(Listing {
            pools,
            storages,
            sdn_zones,
        })
    }

    async fn existing(&self, token_name: &str) -> Result<Existing, AppError> {
        let users = self.get("/access/users").await?;
        let user = ids(&users, "userid").iter().any(|u| u == USER);
        let token = if user {
            let tokens = self.get(&format!("/access/users/{USER}/token")).await?;
            tokens.as_array().and_then(|list| {
                list.iter()
                    .find(|t| t["tokenid"].as_str() == Some(token_name))
                    .map(|t| t["comment"].as_str().unwrap_or_default().to_owned())
            })
        } else {
            None
        };
        Ok(Existing { user, token })
    }

    /// Creates each custom role, or sets an existing one to exactly the profile's
    /// privileges (an older Proxdeck, or someone, may have changed it).
    async fn ensure_roles(
        &self,
        roles: &[(&'static str, Vec<&'static str>)],
        done: &mut Progress,
    ) -> Result<(), AppError> {
        if roles.is_empty() {
            return Ok(());
        }
        let listed = self.get("/access/roles").await?;
        let existing: BTreeMap<String, BTreeSet<String>> = listed
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let id = r["roleid"].as_str()?.to_owned();
                let privs = r["privs"]
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned)
                    .collect();
                Some((id, privs))
            })
            .collect();
        for (role, privs) in roles {
            let want: BTreeSet<String> = privs.iter().map(|p| (*p).to_owned()).collect();
            let list = privs.join(",");
            match existing.get(*role) {
                None => {
                    self.post("/access/roles", &[("roleid", role), ("privs", &list)])
                        .await?;
                    done.roles_created.push((*role).to_owned());
                }
                Some(have) if *have != want => {
                    self.put(&format!("/access/roles/{role}"), &[("privs", &list)])
                        .await?;
                    done.roles_updated.push((*role).to_owned());
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Grants the plan's ACLs, then removes the token's other entries (and, for full
    /// admin, the user's): a deeper ACL replaces what `/` grants, so a leftover entry from
    /// another profile would cut `PVEAdmin` down on its path. A least-privilege run keeps
    /// the user's other entries: other tokens of the user may need them.
    async fn apply_acls(&self, plan: &Plan, done: &mut Progress) -> Result<(), AppError> {
        for (path, role) in &plan.acls {
            let mut form = vec![
                ("path", path.as_str()),
                ("roles", *role),
                ("users", USER),
                ("propagate", "1"),
            ];
            if plan.privsep {
                form.push(("tokens", plan.token_id.as_str()));
            }
            self.put("/access/acl", &form).await?;
        }
        done.acls = plan.grants();

        let wanted: BTreeSet<(String, String, String)> = done
            .acls
            .iter()
            .map(|g| (g.path.clone(), g.role.clone(), g.ugid.clone()))
            .collect();
        let acl = self.get("/access/acl").await?;
        for entry in acl.as_array().into_iter().flatten() {
            let (Some(path), Some(role), Some(kind), Some(ugid)) = (
                entry["path"].as_str(),
                entry["roleid"].as_str(),
                entry["type"].as_str(),
                entry["ugid"].as_str(),
            ) else {
                continue;
            };
            let ours = match kind {
                "token" => ugid == plan.token_id,
                "user" => ugid == USER && !plan.privsep,
                _ => false,
            };
            if !ours || wanted.contains(&(path.to_owned(), role.to_owned(), ugid.to_owned())) {
                continue;
            }
            let subject = if kind == "token" { "tokens" } else { "users" };
            self.put(
                "/access/acl",
                &[
                    ("path", path),
                    ("roles", role),
                    (subject, ugid),
                    ("delete", "1"),
                ],
            )
            .await?;
            done.acls_removed.push(AclGrant {
                path: path.to_owned(),
                role: role.to_owned(),
                ugid: ugid.to_owned(),
                propagate: entry["propagate"].as_i64() != Some(0),
            });
        }
        Ok(())
    }
}

/// The `key` of each object of a list answer, sorted.
fn ids(list: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v[key].as_str().map(str::to_owned))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_are_ones_pve_9_knows() {
        for p in vm_privileges(9).iter().chain(GENERAL_PRIVILEGES) {
            assert!(
                proxdeck_sim::perms::is_valid_privilege(p),
                "{p} is not a PVE 9.1 privilege"
            );
        }
    }

    #[test]
    fn guest_agent_audit_only_from_pve_9() {
        assert!(vm_privileges(9).contains(&"VM.GuestAgent.Audit"));
        assert!(vm_privileges(10).contains(&"VM.GuestAgent.Audit"));
        let pve8 = vm_privileges(8);
        assert!(!pve8.iter().any(|p| p.starts_with("VM.GuestAgent")));
        assert!(!pve8.contains(&"VM.Monitor"));
        assert_eq!(pve8.len(), VM_PRIVILEGES.len());
    }

    #[test]
    fn token_names_follow_the_schema_pattern() {
        for ok in ["proxdeck", "pd", "a.b-c_d", "Laptop2"] {
            assert!(is_token_name(ok), "{ok}");
        }
        for bad in ["", "p", "1abc", "-x", "a b", "a!b", "a=b", "ä1"] {
            assert!(!is_token_name(bad), "{bad}");
        }
    }

    #[test]
    fn debug_output_hides_the_password_and_secret() {
        let input = TokenWizardInput {
            urls: vec!["pve1".into()],
            fingerprints: Vec::new(),
            timeout_ms: 1000,
            admin_username: "root@pam".into(),
            admin_password: "hunter2-password".into(),
            admin_otp: Some("123456".into()),
            token_name: "proxdeck".into(),
            profile: TokenProfile::FullAdmin,
            rotate: false,
            connection_id: None,
        };
        let text = format!("{input:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("123456"),
            "{text}"
        );
        let created = CreatedToken {
            token_id: "proxdeck@pve!proxdeck".into(),
            secret: "0e9d8c7b-secret".into(),
            user_created: true,
            roles_created: vec![],
            acls: vec![],
            stored_in_keychain: false,
        };
        assert!(!format!("{created:?}").contains("0e9d8c7b"));
    }

    #[test]
    fn least_privilege_grants_each_acl_to_user_and_token() {
        let profile = TokenProfile::LeastPrivilege {
            pool: "web".into(),
            storages: vec!["ceph".into(), "ceph".into()],
            sdn_zones: vec!["localnetwork".into()],
        };
        let plan = Plan::for_profile(&profile, "proxdeck@pve!pd", 9);
        let grants: Vec<(String, String, String)> = plan
            .grants()
            .into_iter()
            .map(|g| (g.path, g.role, g.ugid))
            .collect();
        let mut want = Vec::new();
        for (path, role) in [
            ("/", GENERAL_ROLE),
            ("/pool/web", VMS_ROLE),
            ("/storage/ceph", DATASTORE_ROLE),
            ("/sdn/zones/localnetwork", SDN_ROLE),
        ] {
            for ugid in [USER, "proxdeck@pve!pd"] {
                want.push((path.to_owned(), role.to_owned(), ugid.to_owned()));
            }
        }
        assert_eq!(grants, want);
    }
}
