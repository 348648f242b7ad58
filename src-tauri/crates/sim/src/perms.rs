//! Access control as PVE does it: privileges, roles, ACLs with propagation, groups, API
//! tokens with privilege separation, pools, and the schema's permission-check language.
//!
//! The simulator is only useful if a client that works against it also works against a
//! real cluster, so every rule here follows pve-access-control 9.1 (`PVE::AccessControl`
//! `roles()`, `PVE::RPCEnvironment` `permissions()` / `check_api2_permissions()`), including
//! its quirks, rather than a tidier model of what permissions "should" be.

mod check;

pub use check::{
    Check, Denied, GroupsParam, Permission, UseridParamTest, check_api2_permissions, split_list,
    template_replace, verify_username,
};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub type Privs = BTreeSet<String>;

/// The one user PVE never checks ACLs for.
pub const ROOT: &str = "root@pam";

/// Privileges grouped the way PVE derives its built-in roles from them: per category, the
/// ones only root/Administrator should hold, the admin ones, the user ones and the audit ones.
struct Category {
    name: &'static str,
    root: &'static [&'static str],
    admin: &'static [&'static str],
    user: &'static [&'static str],
    audit: &'static [&'static str],
}

const CATEGORIES: &[Category] = &[
    Category {
        name: "VM",
        root: &[],
        admin: &[
            "VM.Config.Disk",
            "VM.Config.CPU",
            "VM.Config.Memory",
            "VM.Config.Network",
            "VM.Config.HWType",
            "VM.Config.Options",
            "VM.Allocate",
            "VM.Clone",
            "VM.GuestAgent.Unrestricted",
            "VM.Migrate",
            "VM.Replicate",
            "VM.Snapshot",
            "VM.Snapshot.Rollback",
        ],
        user: &[
            "VM.Config.CDROM",
            "VM.Config.Cloudinit",
            "VM.Console",
            "VM.Backup",
            "VM.GuestAgent.FileRead",
            "VM.GuestAgent.FileSystemMgmt",
            "VM.GuestAgent.FileWrite",
            "VM.PowerMgmt",
        ],
        audit: &["VM.Audit", "VM.GuestAgent.Audit"],
    },
    Category {
        name: "Sys",
        root: &[
            "Sys.PowerMgmt",
            "Sys.Modify",
            "Sys.Incoming",
            "Sys.AccessNetwork",
        ],
        admin: &["Sys.Console", "Sys.Syslog"],
        user: &[],
        audit: &["Sys.Audit"],
    },
    Category {
        name: "Datastore",
        root: &[],
        admin: &["Datastore.Allocate", "Datastore.AllocateTemplate"],
        user: &["Datastore.AllocateSpace"],
        audit: &["Datastore.Audit"],
    },
    Category {
        name: "SDN",
        root: &[],
        admin: &["SDN.Allocate", "SDN.Audit"],
        user: &["SDN.Use"],
        audit: &["SDN.Audit"],
    },
    Category {
        name: "User",
        root: &["Realm.Allocate"],
        admin: &["User.Modify", "Group.Allocate", "Realm.AllocateUser"],
        user: &[],
        audit: &[],
    },
    Category {
        name: "Pool",
        root: &[],
        admin: &["Pool.Allocate"],
        user: &["Pool.Audit"],
        audit: &["Pool.Audit"],
    },
    Category {
        name: "Mapping",
        root: &[],
        admin: &["Mapping.Modify"],
        user: &["Mapping.Use"],
        audit: &["Mapping.Audit"],
    },
];

/// Sorted, so callers can binary-search and listings are stable.
const ALL_PRIVILEGES: &[&str] = &[
    "Datastore.Allocate",
    "Datastore.AllocateSpace",
    "Datastore.AllocateTemplate",
    "Datastore.Audit",
    "Group.Allocate",
    "Mapping.Audit",
    "Mapping.Modify",
    "Mapping.Use",
    "Permissions.Modify",
    "Pool.Allocate",
    "Pool.Audit",
    "Realm.Allocate",
    "Realm.AllocateUser",
    "SDN.Allocate",
    "SDN.Audit",
    "SDN.Use",
    "Sys.AccessNetwork",
    "Sys.Audit",
    "Sys.Console",
    "Sys.Incoming",
    "Sys.Modify",
    "Sys.PowerMgmt",
    "Sys.Syslog",
    "User.Modify",
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
    "VM.GuestAgent.Audit",
    "VM.GuestAgent.FileRead",
    "VM.GuestAgent.FileSystemMgmt",
    "VM.GuestAgent.FileWrite",
    "VM.GuestAgent.Unrestricted",
    "VM.Migrate",
    "VM.PowerMgmt",
    "VM.Replicate",
    "VM.Snapshot",
    "VM.Snapshot.Rollback",
];

/// All privilege names PVE 9.1 accepts (its `$valid_privs`); custom roles cannot add others.
pub fn all_privileges() -> &'static [&'static str] {
    ALL_PRIVILEGES
}

pub fn is_valid_privilege(name: &str) -> bool {
    ALL_PRIVILEGES.binary_search(&name).is_ok()
}

/// Privileges PVE reserves for root: no built-in role but Administrator has them.
pub fn root_only_privileges() -> impl Iterator<Item = &'static str> {
    CATEGORIES
        .iter()
        .flat_map(|c| c.root.iter().copied())
        .chain(["Permissions.Modify"])
}

/// The built-in ("special") roles, derived from the categories the same way PVE does, so a
/// privilege added to a category lands in exactly the roles it would in PVE.
pub fn builtin_roles() -> BTreeMap<String, Privs> {
    let mut roles: BTreeMap<String, Privs> = BTreeMap::new();
    let mut add = |role: &str, privs: &[&str]| {
        let set = roles.entry(role.to_string()).or_default();
        set.extend(privs.iter().map(|p| p.to_string()));
    };
    add("NoAccess", &[]);
    add("Administrator", ALL_PRIVILEGES);
    for cat in CATEGORIES {
        for part in [cat.admin, cat.user, cat.audit] {
            add(&format!("PVE{}Admin", cat.name), part);
            add("PVEAdmin", part);
        }
        // Categories without user-level privileges (Sys, User) get no PVE<cat>User role.
        if !cat.user.is_empty() {
            add(&format!("PVE{}User", cat.name), cat.user);
            add(&format!("PVE{}User", cat.name), cat.audit);
        }
        // Root-level privileges (cat.root) go to no role but Administrator.
        add("PVEAuditor", cat.audit);
    }
    add("PVETemplateUser", &["VM.Clone", "VM.Audit"]);
    // PVE keeps mapping modification to Administrator and PVEMappingAdmin.
    if let Some(admin) = roles.get_mut("PVEAdmin") {
        admin.remove("Mapping.Modify");
    }
    roles
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Subject {
    User(String),
    Group(String),
    /// Full token id, "user@realm!tokenid".
    Token(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    pub path: String,
    pub subject: Subject,
    pub role: String,
    pub propagate: bool,
}

impl AclEntry {
    pub fn new(path: &str, subject: Subject, role: &str, propagate: bool) -> Self {
        AclEntry {
            path: path.to_string(),
            subject,
            role: role.to_string(),
            propagate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccess {
    pub enabled: bool,
    /// 0 = never, else unix time; the account still works during the second `expire` itself.
    pub expire: i64,
    pub groups: BTreeSet<String>,
}

impl Default for UserAccess {
    /// PVE creates users enabled and without expiry.
    fn default() -> Self {
        UserAccess {
            enabled: true,
            expire: 0,
            groups: BTreeSet::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenAccess {
    pub privsep: bool,
    pub expire: i64,
}

impl Default for TokenAccess {
    /// PVE's API creates tokens privilege-separated unless told otherwise.
    fn default() -> Self {
        TokenAccess {
            privsep: true,
            expire: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    User(String),
    Token {
        userid: String,
        /// Full "user@realm!id".
        tokenid: String,
    },
}

impl Principal {
    pub fn user(userid: &str) -> Self {
        Principal::User(userid.to_string())
    }

    /// From a full token id "user@realm!id"; `None` if there is no `!`.
    pub fn token(tokenid: &str) -> Option<Self> {
        let (user, sub) = tokenid.split_once('!')?;
        if user.is_empty() || sub.is_empty() {
            return None;
        }
        Some(Principal::Token {
            userid: user.to_string(),
            tokenid: tokenid.to_string(),
        })
    }

    /// User id or token id — what PVE calls the auth id and puts in ACLs and task owners.
    pub fn authid(&self) -> &str {
        match self {
            Principal::User(u) => u,
            Principal::Token { tokenid, .. } => tokenid,
        }
    }

    /// The owning user.
    pub fn userid(&self) -> &str {
        match self {
            Principal::User(u) => u,
            Principal::Token { userid, .. } => userid,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessModel {
    /// key "user@realm"
    pub users: BTreeMap<String, UserAccess>,
    /// built-in + custom
    pub roles: BTreeMap<String, Privs>,
    pub acl: Vec<AclEntry>,
    /// key "user@realm!tokenid"
    pub tokens: BTreeMap<String, TokenAccess>,
    /// ACL path of a pool member ("/vms/100", "/storage/local-zfs") -> pool id
    pub pool_of: BTreeMap<String, String>,
    /// The ACL tree, cached: a `/cluster/resources` of 10,000 guests asks 10,000 questions
    /// of one model, and rebuilding the tree for each was most of its time. The cache is
    /// keyed by a hash of `acl`, so editing the public fields stays safe.
    #[serde(skip)]
    tree: TreeCache,
}

#[derive(Default)]
struct TreeCache(std::sync::RwLock<Option<(u64, std::sync::Arc<AclTree>)>>);

impl Clone for TreeCache {
    /// A clone may be edited, so it starts without a cached tree.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for TreeCache {
    /// A cache is not part of what a model means.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TreeCache {}

impl std::fmt::Debug for TreeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TreeCache")
    }
}

/// Role name -> propagate flag, as PVE's `roles()` returns it.
type RoleSet = BTreeMap<String, bool>;

/// ACLs of one tree node, per subject kind: subject -> role -> propagate.
#[derive(Default)]
struct AclNode {
    users: BTreeMap<String, RoleSet>,
    groups: BTreeMap<String, RoleSet>,
    tokens: BTreeMap<String, RoleSet>,
}

/// PVE keeps ACLs as a tree keyed by path component; a map from normalized path gives the
/// same lookups, and listing its keys plus their ancestors gives the same node set that
/// `iterate_acl_tree` walks.
struct AclTree {
    nodes: BTreeMap<String, AclNode>,
}

impl AclTree {
    fn build(model: &AccessModel) -> Self {
        let mut nodes: BTreeMap<String, AclNode> = BTreeMap::new();
        for e in &model.acl {
            // parse_user_config drops these lines, so they never take part in a decision.
            let Some(path) = normalize_path(&e.path) else {
                continue;
            };
            if !model.roles.contains_key(&e.role) {
                continue;
            }
            if let Subject::Token(t) = &e.subject
                && !model.tokens.contains_key(t)
            {
                continue;
            }
            let node = nodes.entry(path).or_default();
            let (map, key) = match &e.subject {
                Subject::User(u) => (&mut node.users, u),
                Subject::Group(g) => (&mut node.groups, g),
                Subject::Token(t) => (&mut node.tokens, t),
            };
            map.entry(key.clone())
                .or_default()
                .insert(e.role.clone(), e.propagate);
        }
        AclTree { nodes }
    }

    /// Every node PVE's tree would have: each ACL path and all its ancestors, plus the root.
    fn all_paths(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        out.insert("/".to_string());
        for p in self.nodes.keys() {
            let mut cur = String::new();
            for comp in p.split('/').filter(|c| !c.is_empty()) {
                cur.push('/');
                cur.push_str(comp);
                out.insert(cur.clone());
            }
        }
        out
    }
}

/// PVE's `normalize_path`: collapse slashes, drop a trailing one, force a leading one, and
/// reject characters outside `[alnum . - _ /]`. Perl treats "" and "0" as absent.
pub fn normalize_path(path: &str) -> Option<String> {
    if path.is_empty() || path == "0" {
        return None;
    }
    let mut out = String::with_capacity(path.len() + 1);
    for c in path.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    if out.ends_with('/') {
        out.pop();
    }
    if out.is_empty() {
        out.push('/');
    }
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    if !out
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
    {
        return None;
    }
    Some(out)
}

/// Perl's `split("/", $path)`: keeps a leading empty field, drops trailing empty ones.
fn perl_split_path(path: &str) -> Vec<&str> {
    if path == "/" {
        return vec![""];
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

fn is_expired(expire: i64, now: i64) -> bool {
    expire != 0 && expire < now
}

fn take_roles(ri: &RoleSet, is_final: bool) -> Option<RoleSet> {
    let new: RoleSet = ri
        .iter()
        .filter(|(_, prop)| is_final || **prop)
        .map(|(r, p)| (r.clone(), *p))
        .collect();
    (!new.is_empty()).then_some(new)
}

impl AccessModel {
    /// Empty model whose roles are the built-in ones.
    pub fn with_builtin_roles() -> Self {
        AccessModel {
            roles: builtin_roles(),
            ..Default::default()
        }
    }

    fn tree(&self) -> std::sync::Arc<AclTree> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for e in &self.acl {
            e.path.hash(&mut h);
            match &e.subject {
                Subject::User(x) => (0u8, x).hash(&mut h),
                Subject::Group(x) => (1u8, x).hash(&mut h),
                Subject::Token(x) => (2u8, x).hash(&mut h),
            }
            e.role.hash(&mut h);
            e.propagate.hash(&mut h);
        }
        let key = h.finish();
        if let Some((k, tree)) = &*self.tree.0.read().unwrap_or_else(|p| p.into_inner())
            && *k == key
        {
            return std::sync::Arc::clone(tree);
        }
        let tree = std::sync::Arc::new(AclTree::build(self));
        *self.tree.0.write().unwrap_or_else(|p| p.into_inner()) =
            Some((key, std::sync::Arc::clone(&tree)));
        tree
    }

    /// The paths directly under `parent` (e.g. "/vms") that something names itself: an
    /// ACL sits on them or they are pool members. All other children inherit alike, so a
    /// caller checking many can ask once for a plain child and look up only these.
    pub fn named_children(&self, parent: &str) -> std::collections::HashSet<String> {
        let prefix = format!("{}/", parent.trim_end_matches('/'));
        let is_child = |p: &str| {
            p.strip_prefix(&prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        };
        self.tree()
            .nodes
            .keys()
            .chain(self.pool_of.keys())
            .filter(|p| is_child(p))
            .cloned()
            .collect()
    }

    /// Whether `userid` exists as PVE sees it: root@pam is always there.
    pub fn user_exists(&self, userid: &str) -> bool {
        userid == ROOT || self.users.contains_key(userid)
    }

    /// Groups PVE would know. The model has no explicit group list, so a group exists if a
    /// user is in it, an ACL names it, or an ACL sits on its `/access/groups/<g>` path.
    pub fn known_groups(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .users
            .values()
            .flat_map(|u| u.groups.iter().cloned())
            .collect();
        for e in &self.acl {
            if let Subject::Group(g) = &e.subject {
                out.insert(g.clone());
            }
            if let Some(path) = normalize_path(&e.path)
                && let Some(g) = path.strip_prefix("/access/groups/")
                && !g.is_empty()
                && !g.contains('/')
            {
                out.insert(g.to_string());
            }
        }
        out
    }

    /// Members of `group`.
    pub fn group_members(&self, group: &str) -> BTreeSet<String> {
        self.users
            .iter()
            .filter(|(_, u)| u.groups.contains(group))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Whether `who` could authenticate at `now` (PVE checks this at login and on every
    /// ticket/token verification, not in the ACL code): enabled, not expired, token present
    /// and unexpired.
    pub fn can_authenticate(&self, who: &Principal, now: i64) -> bool {
        let userid = who.userid();
        let user_ok = match self.users.get(userid) {
            Some(u) => u.enabled && !is_expired(u.expire, now),
            None => userid == ROOT,
        };
        if !user_ok {
            return false;
        }
        match who {
            Principal::User(_) => true,
            Principal::Token { userid, tokenid } => {
                tokenid
                    .strip_prefix(userid.as_str())
                    .is_some_and(|rest| rest.starts_with('!'))
                    && self
                        .tokens
                        .get(tokenid)
                        .is_some_and(|t| !is_expired(t.expire, now))
            }
        }
    }

    /// PVE's `roles()`: walk the path from the root, letting each level that grants anything
    /// replace what came before (token ACLs, else user ACLs, else the union of group ACLs).
    fn roles_of(&self, tree: &AclTree, authid: &str, path: &str) -> RoleSet {
        if let Some((user, _)) = authid.split_once('!') {
            let Some(tok) = self.tokens.get(authid) else {
                return RoleSet::new();
            };
            if !tok.privsep {
                return self.roles_of(tree, user, path);
            }
        }
        let groups_of = self.users.get(authid).map(|u| &u.groups);
        let mut roles = RoleSet::new();
        let mut cur = String::new();
        let parts = perl_split_path(path);
        let n = parts.len();
        for (i, p) in parts.iter().enumerate() {
            let is_final = i + 1 == n;
            if !p.is_empty() {
                cur.push('/');
                cur.push_str(p);
            }
            let key = if cur.is_empty() { "/" } else { cur.as_str() };
            let Some(node) = tree.nodes.get(key) else {
                // Intermediate nodes without ACLs are simply empty; deeper ones may exist.
                continue;
            };
            if let Some(new) = node
                .tokens
                .get(authid)
                .and_then(|ri| take_roles(ri, is_final))
            {
                roles = new;
                continue;
            }
            if let Some(new) = node
                .users
                .get(authid)
                .and_then(|ri| take_roles(ri, is_final))
            {
                roles = new;
                continue;
            }
            let mut new = RoleSet::new();
            for (g, ri) in &node.groups {
                if !groups_of.is_some_and(|gs| gs.contains(g)) {
                    continue;
                }
                for (role, prop) in ri {
                    if is_final || *prop {
                        // PVE's result here depends on hash order; OR-ing is the stable choice.
                        *new.entry(role.clone()).or_insert(false) |= *prop;
                    }
                }
            }
            if !new.is_empty() {
                roles = new;
            }
        }
        if let Some(prop) = roles.get("NoAccess") {
            return RoleSet::from([("NoAccess".to_string(), *prop)]);
        }
        roles
    }

    /// PVE's `permissions()` — ACL-derived privileges without the login-state gate.
    fn acl_privileges(&self, tree: &AclTree, authid: &str, path: &str) -> BTreeMap<String, bool> {
        if authid == ROOT {
            return ALL_PRIVILEGES
                .iter()
                .map(|p| (p.to_string(), true))
                .collect();
        }
        let owner = match authid.split_once('!') {
            Some((user, _)) => {
                let Some(tok) = self.tokens.get(authid) else {
                    return BTreeMap::new();
                };
                let user_privs = self.acl_privileges(tree, user, path);
                if !tok.privsep {
                    return user_privs;
                }
                Some((user, user_privs))
            }
            None => None,
        };

        let mut roles = self.roles_of(tree, authid, path);

        // Pool membership adds the pool's roles to the member's own path (never below it, and
        // never propagating); a NoAccess on either side wins, the member's own first.
        if let Some(pool) = self.pool_of.get(path) {
            let pool_roles = self.roles_of(tree, authid, &format!("/pool/{pool}"));
            if !pool_roles.is_empty() && !roles.contains_key("NoAccess") {
                if pool_roles.contains_key("NoAccess") {
                    roles = RoleSet::from([("NoAccess".to_string(), false)]);
                } else {
                    for role in pool_roles.keys() {
                        roles.entry(role.clone()).or_insert(false);
                    }
                }
            }
        }

        let mut privs: BTreeMap<String, bool> = BTreeMap::new();
        for (role, prop) in &roles {
            if let Some(set) = self.roles.get(role) {
                for p in set {
                    *privs.entry(p.clone()).or_insert(false) |= *prop;
                }
            }
        }

        // A privilege-separated token never exceeds its owner; root@pam's tokens are the
        // exception PVE makes, since root is not computed through the ACL cache.
        if let Some((user, user_privs)) = owner
            && user != ROOT
        {
            privs = privs
                .into_iter()
                .filter_map(|(p, prop)| user_privs.get(&p).map(|up| (p, prop && *up)))
                .collect();
        }
        privs
    }

    /// Effective privileges of `who` on `path`, each with its propagate flag, exactly as PVE
    /// computes them — and empty when `who` could not log in at `now` (disabled or expired
    /// user, missing or expired token), since PVE would reject the request before any check.
    pub fn privileges_on(&self, who: &Principal, path: &str, now: i64) -> BTreeMap<String, bool> {
        if !self.can_authenticate(who, now) {
            return BTreeMap::new();
        }
        self.acl_privileges(&self.tree(), who.authid(), path)
    }

    /// True when `who` has all of `privs` on `path` (or any one of them when `any`). Like
    /// PVE's `check_any`, an empty list with `any` is never satisfied.
    pub fn has(&self, who: &Principal, path: &str, privs: &[&str], any: bool, now: i64) -> bool {
        let have = self.privileges_on(who, path, now);
        if any {
            privs.iter().any(|p| have.contains_key(*p))
        } else {
            privs.iter().all(|p| have.contains_key(*p))
        }
    }

    /// What GET /access/permissions returns for `who` (optionally for one `path`):
    /// path -> (privilege -> 1/0 propagate).
    ///
    /// Like PVE, this reports what the ACLs grant and does not look at whether the account
    /// is enabled (root may inspect a disabled user's permissions), so `_now` is unused. With
    /// `path`, that one path is returned even if empty, and not normalized; without, PVE's
    /// fixed top-level paths, every ACL tree node and every pool member path, minus those
    /// with no privileges.
    pub fn permissions_dump(
        &self,
        who: &Principal,
        path: Option<&str>,
        _now: i64,
    ) -> BTreeMap<String, BTreeMap<String, u8>> {
        let tree = &*self.tree();
        let as_u8 = |m: BTreeMap<String, bool>| -> BTreeMap<String, u8> {
            m.into_iter().map(|(k, v)| (k, u8::from(v))).collect()
        };
        let authid = who.authid();
        let mut out = BTreeMap::new();
        if let Some(p) = path {
            out.insert(p.to_string(), as_u8(self.acl_privileges(tree, authid, p)));
            return out;
        }
        let mut paths: BTreeSet<String> = [
            "/",
            "/access",
            "/access/groups",
            "/nodes",
            "/pool",
            "/sdn",
            "/storage",
            "/vms",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        paths.extend(tree.all_paths());
        paths.extend(
            self.pool_of
                .keys()
                .filter(|k| k.starts_with("/vms/") || k.starts_with("/storage/"))
                .cloned(),
        );
        for p in paths {
            let privs = self.acl_privileges(tree, authid, &p);
            if !privs.is_empty() {
                out.insert(p, as_u8(privs));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
