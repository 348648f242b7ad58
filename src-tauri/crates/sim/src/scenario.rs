//! What a simulated datacenter contains: clusters, nodes, storages, pools, guests, users,
//! groups, roles, tokens, ACLs and HA resources; loaded from TOML or JSON, built in (demo),
//! or generated at any scale.
//!
//! The server builds its in-memory state from a [`Scenario`], so tests, benchmarks and the
//! app's demo mode all start here. The types are meant to be written by hand: every field
//! that PVE itself defaults has the same default here, so a minimal file names little more
//! than a cluster, a node and a guest, and unknown fields are rejected so that a typo is an
//! error rather than a silently ignored setting.
//!
//! Field names and value spellings follow PVE's own (`zfspool`, `vm:100`, `PVEVMUser`,
//! `snapshot-delete`, ...) so that what the simulator serves can be taken straight from here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

mod demo;
mod generate;
mod validate;

#[cfg(test)]
mod tests;

pub use demo::{
    DEMO_ADMIN_PASSWORD, DEMO_AUDITOR_PASSWORD, DEMO_CI_TOKEN_SECRET, DEMO_LAB_TOKEN_SECRET,
    DEMO_OPERATOR_PASSWORD, DEMO_PBS_TOKEN_SECRET, DEMO_PROD_TOKEN_SECRET, DEMO_ROOT_PASSWORD,
    DEMO_SECOPS_PASSWORD, DEMO_SECOPS_TOTP_SECRET,
};
pub use generate::{GENERATED_EPOCH, GENERATED_ROOT_PASSWORD, GENERATED_TOKEN_SECRET};
pub use validate::Problem;

/// Why a scenario could not be read or is not self-consistent.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("scenario file {path} has no supported extension: use .toml or .json")]
    UnsupportedFormat { path: String },
    #[error("invalid {format} scenario: {message}")]
    Parse {
        format: &'static str,
        message: String,
    },
    #[error("cannot serialize scenario: {0}")]
    Serialize(String),
    /// Every inconsistency found, not only the first, so a hand-written file can be fixed
    /// in one go.
    #[error("invalid scenario:\n{}", Problem::list(.0))]
    Invalid(Vec<Problem>),
}

/// A whole simulated datacenter: PVE clusters (each served on its own listener, as real
/// clusters are separate hosts) and Proxmox Backup Servers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<Cluster>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pbs: Vec<Pbs>,
}

/// One PVE cluster. A standalone node is a cluster of one, as PVE itself presents it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<Node>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storages: Vec<Storage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pools: Vec<Pool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guests: Vec<Guest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Custom roles only: PVE's built-in roles ([`crate::perms::builtin_roles`]) always exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acl: Vec<Acl>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ha: Vec<HaResource>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub name: String,
    #[serde(default = "yes")]
    pub online: bool,
    #[serde(default = "default_cpus")]
    pub cpus: u32,
    #[serde(default = "default_memory_gib")]
    pub memory_gib: u32,
    #[serde(default = "default_pve_version")]
    pub pve_version: String,
    #[serde(default = "default_kernel")]
    pub kernel: String,
    /// Only displayed (cluster status, node summary); nothing connects to it, which is why
    /// loopback or documentation addresses are the right choice.
    #[serde(default = "default_ip")]
    pub ip: String,
}

/// PVE storage types the simulator knows, spelled as in `storage.cfg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    Zfspool,
    Lvmthin,
    Rbd,
    Dir,
    Pbs,
    Nfs,
}

impl StorageKind {
    /// The `type` PVE reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::Zfspool => "zfspool",
            StorageKind::Lvmthin => "lvmthin",
            StorageKind::Rbd => "rbd",
            StorageKind::Dir => "dir",
            StorageKind::Pbs => "pbs",
            StorageKind::Nfs => "nfs",
        }
    }

    /// Content types PVE accepts for this storage type.
    pub fn allowed_content(self) -> &'static [&'static str] {
        match self {
            StorageKind::Zfspool | StorageKind::Lvmthin | StorageKind::Rbd => {
                &["images", "rootdir"]
            }
            StorageKind::Dir | StorageKind::Nfs => &[
                "images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import",
            ],
            StorageKind::Pbs => &["backup"],
        }
    }

    /// Network storages are one pool of space seen by every node, whatever `shared` says.
    pub fn is_network(self) -> bool {
        matches!(self, StorageKind::Rbd | StorageKind::Pbs | StorageKind::Nfs)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub id: String,
    pub kind: StorageKind,
    /// PVE content types: images, rootdir, vztmpl, iso, backup, snippets, import.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<String>,
    /// `None`: available on every node of the cluster (PVE's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<String>>,
    #[serde(default)]
    pub shared: bool,
    /// For a local (not shared) storage these are per node: each node has its own.
    #[serde(default = "default_storage_total_gib")]
    pub total_gib: u64,
    #[serde(default)]
    pub used_gib: u64,
    /// kind = pbs: the datastore on the backup server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore: Option<String>,
    /// kind = pbs: the name of a [`Pbs`] in this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// kind = pbs: the PBS user or token PVE authenticates as; it owns the backups it makes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// kind = pbs: the namespace in the datastore backups go to; `None` for the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Storage {
    /// Whether PVE treats the storage as shared between nodes.
    pub fn is_shared(&self) -> bool {
        self.shared || self.kind.is_network()
    }

    pub fn available_on(&self, node: &str) -> bool {
        self.nodes
            .as_ref()
            .is_none_or(|nodes| nodes.iter().any(|n| n == node))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestKind {
    #[default]
    Qemu,
    Lxc,
}

impl GuestKind {
    /// The prefix of HA service ids: `vm:100`, `ct:101`.
    pub fn ha_prefix(self) -> &'static str {
        match self {
            GuestKind::Qemu => "vm",
            GuestKind::Lxc => "ct",
        }
    }

    /// The `type` in `/cluster/resources` and the API path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            GuestKind::Qemu => "qemu",
            GuestKind::Lxc => "lxc",
        }
    }
}

/// The state a guest starts in.
///
/// `Paused` is kept apart although PVE has no such `status`: a paused QEMU guest reports
/// `status: running` with `qmpstatus: paused`. Use [`GuestStatus::pve_status`] and
/// [`GuestStatus::qmpstatus`] to present it as PVE does. Only QEMU guests can be paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GuestStatus {
    Running,
    #[default]
    Stopped,
    Paused,
}

impl GuestStatus {
    /// What PVE's `status` field says.
    pub fn pve_status(self) -> &'static str {
        match self {
            GuestStatus::Running | GuestStatus::Paused => "running",
            GuestStatus::Stopped => "stopped",
        }
    }

    /// What PVE's `qmpstatus` field says for a QEMU guest.
    pub fn qmpstatus(self) -> &'static str {
        match self {
            GuestStatus::Running => "running",
            GuestStatus::Stopped => "stopped",
            GuestStatus::Paused => "paused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guest {
    pub vmid: u32,
    /// The VM's `name`, or the container's `hostname`.
    pub name: String,
    pub node: String,
    #[serde(default)]
    pub kind: GuestKind,
    #[serde(default)]
    pub status: GuestStatus,
    #[serde(default)]
    pub template: bool,
    /// One tag per entry; PVE joins them with `;` in the config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    #[serde(default = "default_cores")]
    pub cores: u32,
    #[serde(default = "default_memory_mib")]
    pub memory_mib: u64,
    #[serde(default = "default_disk_gib")]
    pub disk_gib: u64,
    /// Further raw config keys as PVE writes them (`net0`, `scsi0`, `ostype`, `boot`, ...).
    /// Keys that have a typed field above do not belong here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, String>,
    /// QEMU only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudinit: Option<CloudInit>,
    /// What the QEMU guest agent (or, for a container, the host) reports as the guest's
    /// network interfaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_interfaces: Vec<AgentInterface>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<Snapshot>,
    /// PVE lock name: for QEMU backup, clone, create, migrate, rollback, snapshot,
    /// snapshot-delete, suspending, suspended; for LXC backup, create, destroyed, disk,
    /// fstrim, migrate, mounted, rollback, snapshot, snapshot-delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// The config's `[PENDING]` section: changes PVE could not apply to the running guest,
    /// raw keys as PVE writes them (including `name`, `cores`, `memory`, which the typed
    /// fields above keep current). They become current when the guest is next started.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, String>,
    /// Pending deletions (the `[PENDING]` section's `delete:` line): key -> forced (PVE
    /// writes a forced one as `!key`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_delete: BTreeMap<String, bool>,
}

impl Guest {
    /// The HA service id for this guest (`vm:100` / `ct:101`). HA membership itself lives
    /// in [`Cluster::ha`] only.
    pub fn ha_sid(&self) -> String {
        format!("{}:{}", self.kind.ha_prefix(), self.vmid)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudInit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// As PVE writes it: `ip=192.0.2.10/24,gw=192.0.2.1` or `ip=dhcp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipconfig0: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nameserver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searchdomain: Option<String>,
    /// One public key per entry; PVE stores them URL-encoded and newline-joined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sshkeys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentInterface {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// Addresses in CIDR form, IPv4 or IPv6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Unix time.
    #[serde(default)]
    pub snaptime: i64,
    /// Whether RAM was saved with it (QEMU only).
    #[serde(default)]
    pub vmstate: bool,
}

/// A PVE or PBS user. PVE realms here are `pam` and `pve`; PBS realms are `pam` and `pbs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub userid: String,
    /// Plain text: the simulator checks logins against it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub password: String,
    #[serde(default = "yes")]
    pub enable: bool,
    /// Unix time the account expires; 0 = never (PVE's convention).
    #[serde(default)]
    pub expire: i64,
    /// PVE only: PBS has no groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub firstname: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lastname: String,
    /// Base32 TOTP seed. When set, a password login must be completed with a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// Unused one-time recovery keys, usable as the second factor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recovery_keys: Vec<String>,
}

impl User {
    /// `(name, realm)` when the userid is well formed.
    pub fn split_userid(userid: &str) -> Option<(&str, &str)> {
        validate::split_userid(userid)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub groupid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub roleid: String,
    #[serde(default)]
    pub privs: Vec<String>,
}

/// One ACL entry: a role for exactly one subject on a path. PVE's `user.cfg` lists
/// several subjects and roles per line; one per entry is easier to write and check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acl {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// PVE only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Full token id, `user@realm!tokenid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub role: String,
    #[serde(default = "yes")]
    pub propagate: bool,
}

/// The subject of an ACL entry once it is known to be exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclSubject<'a> {
    User(&'a str),
    Group(&'a str),
    Token(&'a str),
}

impl Acl {
    /// `None` unless exactly one of user / group / token is set.
    pub fn subject(&self) -> Option<AclSubject<'_>> {
        match (&self.user, &self.group, &self.token) {
            (Some(u), None, None) => Some(AclSubject::User(u)),
            (None, Some(g), None) => Some(AclSubject::Group(g)),
            (None, None, Some(t)) => Some(AclSubject::Token(t)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    pub userid: String,
    pub tokenid: String,
    /// The API secret, a UUID as PVE generates it.
    pub secret: String,
    /// Privilege separation: the token's own ACL intersected with its user's. PVE's
    /// default is on. PBS always separates, so it is ignored there.
    #[serde(default = "yes")]
    pub privsep: bool,
    #[serde(default)]
    pub expire: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

impl Token {
    /// `user@realm!tokenid`, as used in ACLs and the `PVEAPIToken=` header.
    pub fn full_id(&self) -> String {
        format!("{}!{}", self.userid, self.tokenid)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HaState {
    #[default]
    Started,
    Stopped,
    Disabled,
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaResource {
    /// `vm:<vmid>` or `ct:<vmid>`.
    pub sid: String,
    #[serde(default)]
    pub state: HaState,
    /// PVE 9 migrated HA groups to node-affinity rules; kept for scenarios that model the
    /// older layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default = "one")]
    pub max_restart: u32,
    #[serde(default = "one")]
    pub max_relocate: u32,
}

/// A Proxmox Backup Server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pbs {
    pub name: String,
    #[serde(default = "default_pbs_version")]
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datastores: Vec<Datastore>,
    /// Realms `pam` and `pbs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<User>,
    /// `user@realm!tokenid`, as in PVE.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<Token>,
    /// Subjects are users and tokens only; roles are PBS's built-in ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acl: Vec<Acl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Datastore {
    pub name: String,
    pub path: String,
    #[serde(default = "default_storage_total_gib")]
    pub total_gib: u64,
    #[serde(default)]
    pub used_gib: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_status: Option<GcStatus>,
    /// Namespaces besides the root, as paths (`a`, `a/b`); a parent is listed before its
    /// children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<BackupGroup>,
}

/// The outcome of the datastore's last garbage collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcStatus {
    /// Unix time the last run finished.
    pub last_run: i64,
    #[serde(default)]
    pub removed_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackupType {
    Vm,
    Ct,
    Host,
}

impl BackupType {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupType::Vm => "vm",
            BackupType::Ct => "ct",
            BackupType::Host => "host",
        }
    }
}

/// All snapshots of one guest (or host) in a datastore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupGroup {
    /// The namespace it is in: `""` (the default) for the root, else one of the
    /// datastore's `namespaces`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ns: String,
    pub backup_type: BackupType,
    /// The vmid for `vm` / `ct`, a host name for `host`.
    pub backup_id: String,
    /// The user or token that made the backups.
    pub owner: String,
    /// Backup times (unix), one per snapshot.
    #[serde(default)]
    pub snapshots: Vec<i64>,
    /// Size of one snapshot.
    #[serde(default)]
    pub size_gib: u64,
}

impl Scenario {
    /// Parses TOML without validating (see [`Scenario::validate`]).
    pub fn from_toml_str(text: &str) -> Result<Self, ScenarioError> {
        toml::from_str(text).map_err(|e| ScenarioError::Parse {
            format: "TOML",
            message: e.to_string(),
        })
    }

    /// Parses JSON without validating (see [`Scenario::validate`]).
    pub fn from_json_str(text: &str) -> Result<Self, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError::Parse {
            format: "JSON",
            message: e.to_string(),
        })
    }

    /// Reads a `.toml` or `.json` file and validates it: a file is what a person wrote,
    /// and the server must not start from an inconsistent datacenter.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ScenarioError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let parse: fn(&str) -> Result<Self, ScenarioError> = match ext.as_deref() {
            Some("toml") => Self::from_toml_str,
            Some("json") => Self::from_json_str,
            _ => return Err(ScenarioError::UnsupportedFormat { path: shown }),
        };
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            path: shown.clone(),
            source,
        })?;
        let scenario = parse(&text).map_err(|e| match e {
            ScenarioError::Parse { format, message } => ScenarioError::Parse {
                format,
                message: format!("{shown}: {message}"),
            },
            other => other,
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_toml_string(&self) -> Result<String, ScenarioError> {
        toml::to_string(self).map_err(|e| ScenarioError::Serialize(e.to_string()))
    }

    pub fn to_json_string(&self) -> Result<String, ScenarioError> {
        serde_json::to_string_pretty(self).map_err(|e| ScenarioError::Serialize(e.to_string()))
    }

    /// Checks that every reference resolves and every name is well formed; lists all
    /// problems found.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let problems = validate::check(self);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(problems))
        }
    }

    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.name == name)
    }

    pub fn pbs_server(&self, name: &str) -> Option<&Pbs> {
        self.pbs.iter().find(|p| p.name == name)
    }

    /// All guests of all clusters.
    pub fn guest_count(&self) -> usize {
        self.clusters.iter().map(|c| c.guests.len()).sum()
    }
}

impl Cluster {
    /// An empty cluster, for building scenarios in code.
    pub fn new(name: impl Into<String>) -> Self {
        Cluster {
            name: name.into(),
            nodes: Vec::new(),
            storages: Vec::new(),
            pools: Vec::new(),
            guests: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            roles: Vec::new(),
            acl: Vec::new(),
            tokens: Vec::new(),
            ha: Vec::new(),
        }
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn guest(&self, vmid: u32) -> Option<&Guest> {
        self.guests.iter().find(|g| g.vmid == vmid)
    }

    pub fn user(&self, userid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.userid == userid)
    }

    pub fn storage(&self, id: &str) -> Option<&Storage> {
        self.storages.iter().find(|s| s.id == id)
    }
}

impl Node {
    /// A node with PVE-like defaults, for building scenarios in code.
    pub fn new(name: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            online: true,
            cpus: default_cpus(),
            memory_gib: default_memory_gib(),
            pve_version: default_pve_version(),
            kernel: default_kernel(),
            ip: default_ip(),
        }
    }
}

impl Guest {
    /// A stopped QEMU guest with the defaults a minimal file gets.
    pub fn new(vmid: u32, name: impl Into<String>, node: impl Into<String>) -> Self {
        Guest {
            vmid,
            name: name.into(),
            node: node.into(),
            kind: GuestKind::Qemu,
            status: GuestStatus::Stopped,
            template: false,
            tags: Vec::new(),
            pool: None,
            cores: default_cores(),
            memory_mib: default_memory_mib(),
            disk_gib: default_disk_gib(),
            config: BTreeMap::new(),
            cloudinit: None,
            agent_interfaces: Vec::new(),
            snapshots: Vec::new(),
            lock: None,
            pending: BTreeMap::new(),
            pending_delete: BTreeMap::new(),
        }
    }
}

impl User {
    /// An enabled user without second factor, for building scenarios in code.
    pub fn new(userid: impl Into<String>, password: impl Into<String>) -> Self {
        User {
            userid: userid.into(),
            password: password.into(),
            enable: true,
            expire: 0,
            groups: Vec::new(),
            comment: String::new(),
            email: String::new(),
            firstname: String::new(),
            lastname: String::new(),
            totp_secret: None,
            recovery_keys: Vec::new(),
        }
    }
}

impl Acl {
    fn with(path: &str, role: &str) -> Self {
        Acl {
            path: path.to_owned(),
            user: None,
            group: None,
            token: None,
            role: role.to_owned(),
            propagate: true,
        }
    }

    pub fn for_user(path: &str, user: &str, role: &str) -> Self {
        Acl {
            user: Some(user.to_owned()),
            ..Self::with(path, role)
        }
    }

    pub fn for_group(path: &str, group: &str, role: &str) -> Self {
        Acl {
            group: Some(group.to_owned()),
            ..Self::with(path, role)
        }
    }

    pub fn for_token(path: &str, token: &str, role: &str) -> Self {
        Acl {
            token: Some(token.to_owned()),
            ..Self::with(path, role)
        }
    }
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn default_cpus() -> u32 {
    16
}
fn default_memory_gib() -> u32 {
    64
}
fn default_pve_version() -> String {
    "9.1.9".to_owned()
}
fn default_kernel() -> String {
    "6.17.2-1-pve".to_owned()
}
fn default_ip() -> String {
    "127.0.0.1".to_owned()
}
fn default_storage_total_gib() -> u64 {
    1024
}
fn default_cores() -> u32 {
    2
}
fn default_memory_mib() -> u64 {
    2048
}
fn default_disk_gib() -> u64 {
    32
}
fn default_pbs_version() -> String {
    "4.1.0".to_owned()
}
