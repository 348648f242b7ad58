//! Automatic API token creation (the key button beside the token field): with an admin
//! login used once and never stored, creates the `proxdeck@pve` user, its roles, ACLs and
//! token for one of two profiles, and returns the secret once.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{AppError, Ctx};

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

/// The wizard's form. The admin password is used for this call only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TokenWizardInput {
    /// The connection form's node URLs and trust (the connection may not be saved yet).
    pub urls: Vec<String>,
    pub fingerprint: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
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
pub async fn choices(ctx: &Ctx, input: TokenWizardInput) -> Result<WizardChoices, AppError> {
    let _ = (ctx, input);
    todo!("helper B")
}

/// Creates user, roles, ACLs and token for the profile. An existing token is a `Conflict`
/// that explains and offers rotation, unless `rotate` is set. Audit row `token.create` /
/// `token.rotate` without the secret.
pub async fn create(ctx: &Ctx, input: TokenWizardInput) -> Result<CreatedToken, AppError> {
    let _ = (ctx, input);
    todo!("helper B")
}
