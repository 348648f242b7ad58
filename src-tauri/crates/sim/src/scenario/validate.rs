//! Consistency checks for a scenario, so that the server never has to invent semantics for
//! a dangling reference and a hand-written file's mistakes are reported with the item at
//! fault. The name formats and lists below follow PVE 9.1's access-control and schema
//! rules (user, realm, group, role, pool and storage id formats; the privilege list after
//! `VM.Monitor` was dropped) and PBS 4's built-in roles.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;

use super::{
    Acl, AclSubject, BackupType, Cluster, Guest, GuestKind, GuestStatus, Pbs, Scenario,
    StorageKind, Token, User,
};

/// One inconsistency: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The offending item, e.g. `cluster 'prod', guest 101`.
    pub at: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl Problem {
    pub(super) fn list(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

const QEMU_LOCKS: &[&str] = &[
    "backup",
    "clone",
    "create",
    "migrate",
    "rollback",
    "snapshot",
    "snapshot-delete",
    "suspending",
    "suspended",
];

const LXC_LOCKS: &[&str] = &[
    "backup",
    "create",
    "destroyed",
    "disk",
    "fstrim",
    "migrate",
    "mounted",
    "rollback",
    "snapshot",
    "snapshot-delete",
];

/// Config keys that have a typed field in [`Guest`]; two sources for one value would
/// disagree sooner or later.
const TYPED_CONFIG_KEYS: &[&str] = &[
    "name",
    "hostname",
    "cores",
    "memory",
    "tags",
    "template",
    "lock",
    "ciuser",
    "ipconfig0",
    "nameserver",
    "searchdomain",
    "sshkeys",
];

/// Collects problems with the place they were found.
struct Report {
    problems: Vec<Problem>,
}

impl Report {
    fn add(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            at: at.into(),
            message: message.into(),
        });
    }
}

pub(super) fn check(scenario: &Scenario) -> Vec<Problem> {
    let mut r = Report {
        problems: Vec::new(),
    };
    let mut names = HashSet::new();
    for cluster in &scenario.clusters {
        let at = format!("cluster '{}'", cluster.name);
        if !is_cluster_name(&cluster.name) {
            r.add(
                &at,
                "cluster name must be 1 to 15 letters, digits or '-' (PVE's limit)",
            );
        }
        if !names.insert(cluster.name.as_str()) {
            r.add(&at, "duplicate cluster name");
        }
        check_cluster(&mut r, scenario, cluster, &at);
    }
    for pbs in &scenario.pbs {
        let at = format!("PBS '{}'", pbs.name);
        if pbs.name.is_empty() {
            r.add(&at, "name is empty");
        }
        if !names.insert(pbs.name.as_str()) {
            r.add(&at, "name already used by another cluster or PBS");
        }
        check_pbs(&mut r, pbs, &at);
    }
    r.problems
}

fn check_cluster(r: &mut Report, scenario: &Scenario, c: &Cluster, at: &str) {
    if c.nodes.is_empty() {
        r.add(at, "a cluster needs at least one node");
    }
    let mut nodes = HashMap::new();
    for n in &c.nodes {
        let nat = format!("{at}, node '{}'", n.name);
        if !is_hostname(&n.name) {
            r.add(&nat, "node name must be a host name (letters, digits, '-')");
        }
        if nodes.insert(n.name.as_str(), n).is_some() {
            r.add(&nat, "duplicate node name");
        }
        if n.ip.parse::<IpAddr>().is_err() {
            r.add(&nat, format!("ip '{}' is not an IP address", n.ip));
        }
        if n.cpus == 0 || n.memory_gib == 0 {
            r.add(&nat, "cpus and memory_gib must be positive");
        }
    }

    let mut storages = HashMap::new();
    for s in &c.storages {
        let sat = format!("{at}, storage '{}'", s.id);
        if !is_storage_id(&s.id) {
            r.add(
                &sat,
                "storage id must start with a lower-case letter and contain only a-z, 0-9, '-', '_', '.'",
            );
        }
        if storages.insert(s.id.as_str(), s).is_some() {
            r.add(&sat, "duplicate storage id");
        }
        for ct in &s.content {
            if !s.kind.allowed_content().contains(&ct.as_str()) {
                r.add(
                    &sat,
                    format!(
                        "content '{ct}' is not supported by type {} (allowed: {})",
                        s.kind.as_str(),
                        s.kind.allowed_content().join(", ")
                    ),
                );
            }
        }
        for node in s.nodes.iter().flatten() {
            if !nodes.contains_key(node.as_str()) {
                r.add(&sat, format!("unknown node '{node}'"));
            }
        }
        if s.used_gib > s.total_gib {
            r.add(&sat, "used_gib exceeds total_gib");
        }
        if s.kind == StorageKind::Pbs {
            check_pbs_storage(r, scenario, s, &sat);
        } else if s.server.is_some()
            || s.datastore.is_some()
            || s.username.is_some()
            || s.namespace.is_some()
        {
            r.add(
                &sat,
                "server, datastore, username and namespace apply to kind pbs only",
            );
        }
    }

    let mut pools = HashSet::new();
    for p in &c.pools {
        let pat = format!("{at}, pool '{}'", p.id);
        if !is_pool_id(&p.id) {
            r.add(
                &pat,
                "pool id may contain only letters, digits, '-', '_', '.' (and up to 3 '/'-separated levels)",
            );
        }
        if !pools.insert(p.id.as_str()) {
            r.add(&pat, "duplicate pool id");
        }
    }

    let mut vmids = HashMap::new();
    for g in &c.guests {
        let gat = format!("{at}, guest {} ('{}')", g.vmid, g.name);
        if vmids.insert(g.vmid, g.kind).is_some() {
            r.add(&gat, format!("duplicate vmid {}", g.vmid));
        }
        check_guest(r, g, &gat, &nodes, &storages, &pools);
    }

    let mut groups = HashSet::new();
    for g in &c.groups {
        let gat = format!("{at}, group '{}'", g.groupid);
        if !is_simple_id(&g.groupid) {
            r.add(
                &gat,
                "group id may contain only letters, digits, '-', '_', '.'",
            );
        }
        if !groups.insert(g.groupid.as_str()) {
            r.add(&gat, "duplicate group id");
        }
    }

    let mut users = HashSet::new();
    for u in &c.users {
        let uat = format!("{at}, user '{}'", u.userid);
        check_user(r, u, &uat, &["pam", "pve"]);
        if !users.insert(u.userid.as_str()) {
            r.add(&uat, "duplicate userid");
        }
        for g in &u.groups {
            if !groups.contains(g.as_str()) {
                r.add(&uat, format!("unknown group '{g}'"));
            }
        }
    }

    // The built-in roles and privileges are the permission engine's, so a scenario is
    // judged by the same lists the simulator enforces.
    let builtin = crate::perms::builtin_roles();
    let mut roles: HashSet<&str> = builtin.keys().map(String::as_str).collect();
    for role in &c.roles {
        let rat = format!("{at}, role '{}'", role.roleid);
        if !is_simple_id(&role.roleid) {
            r.add(
                &rat,
                "role id may contain only letters, digits, '-', '_', '.'",
            );
        }
        if builtin.contains_key(role.roleid.as_str()) {
            r.add(&rat, "is a built-in role and cannot be redefined");
        } else if !roles.insert(role.roleid.as_str()) {
            r.add(&rat, "duplicate role id");
        }
        for p in &role.privs {
            if !crate::perms::all_privileges().contains(&p.as_str()) {
                r.add(&rat, format!("unknown privilege '{p}'"));
            }
        }
    }

    let tokens = check_tokens(r, &c.tokens, &users, at);

    for (i, acl) in c.acl.iter().enumerate() {
        let aat = format!("{at}, acl #{} (path '{}')", i + 1, acl.path);
        check_acl_common(r, acl, &aat, &users, &tokens);
        if let Some(AclSubject::Group(g)) = acl.subject()
            && !groups.contains(g)
        {
            r.add(&aat, format!("unknown group '{g}'"));
        }
        if !roles.contains(acl.role.as_str()) {
            r.add(&aat, format!("unknown role '{}'", acl.role));
        }
        check_acl_path_target(r, acl, &aat, &nodes, &storages, &pools);
    }

    let mut sids = HashSet::new();
    for h in &c.ha {
        let hat = format!("{at}, HA resource '{}'", h.sid);
        if !sids.insert(h.sid.as_str()) {
            r.add(&hat, "duplicate HA resource");
        }
        let parsed = h.sid.split_once(':').and_then(|(prefix, id)| {
            let kind = match prefix {
                "vm" => GuestKind::Qemu,
                "ct" => GuestKind::Lxc,
                _ => return None,
            };
            Some((kind, id.parse::<u32>().ok()?))
        });
        match parsed {
            None => r.add(&hat, "sid must be 'vm:<vmid>' or 'ct:<vmid>'"),
            Some((kind, vmid)) => match vmids.get(&vmid) {
                None => r.add(&hat, format!("guest {vmid} does not exist")),
                Some(actual) if *actual != kind => r.add(
                    &hat,
                    format!(
                        "guest {vmid} is {}, so its sid is '{}:{vmid}'",
                        actual.as_str(),
                        actual.ha_prefix()
                    ),
                ),
                Some(_) => {}
            },
        }
    }
}

fn check_pbs_storage(r: &mut Report, scenario: &Scenario, s: &super::Storage, sat: &str) {
    let (Some(server), Some(datastore)) = (&s.server, &s.datastore) else {
        r.add(sat, "a pbs storage needs server and datastore");
        return;
    };
    let Some(pbs) = scenario.pbs_server(server) else {
        r.add(sat, format!("unknown PBS '{server}'"));
        return;
    };
    match pbs.datastores.iter().find(|d| &d.name == datastore) {
        None => r.add(
            sat,
            format!("PBS '{server}' has no datastore '{datastore}'"),
        ),
        // PVE refuses to back up into a namespace that does not exist.
        Some(d) => {
            if let Some(ns) = s.namespace.as_deref().filter(|ns| !ns.is_empty())
                && !d.namespaces.iter().any(|n| n == ns)
            {
                r.add(
                    sat,
                    format!("datastore '{datastore}' of PBS '{server}' has no namespace '{ns}'"),
                );
            }
        }
    }
    if let Some(username) = &s.username {
        let known = pbs.users.iter().any(|u| &u.userid == username)
            || pbs.tokens.iter().any(|t| &t.full_id() == username);
        if !known {
            r.add(
                sat,
                format!("PBS '{server}' has no user or token '{username}'"),
            );
        }
    }
}

fn check_guest(
    r: &mut Report,
    g: &Guest,
    at: &str,
    nodes: &HashMap<&str, &super::Node>,
    storages: &HashMap<&str, &super::Storage>,
    pools: &HashSet<&str>,
) {
    if !(100..=999_999_999).contains(&g.vmid) {
        r.add(at, "vmid must be between 100 and 999999999");
    }
    if g.name.is_empty()
        || !g
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '.')
    {
        r.add(at, "name must be a DNS name (letters, digits, '-', '.')");
    }
    match nodes.get(g.node.as_str()) {
        None => r.add(at, format!("unknown node '{}'", g.node)),
        Some(node) if !node.online && g.status != GuestStatus::Stopped => r.add(
            at,
            format!(
                "cannot be {} on offline node '{}'",
                g.status.qmpstatus(),
                g.node
            ),
        ),
        Some(_) => {}
    }
    if let Some(pool) = &g.pool
        && !pools.contains(pool.as_str())
    {
        r.add(at, format!("unknown pool '{pool}'"));
    }
    if g.template && g.status != GuestStatus::Stopped {
        r.add(at, "a template cannot be running or paused");
    }
    if g.kind == GuestKind::Lxc {
        if g.status == GuestStatus::Paused {
            r.add(at, "only QEMU guests can be paused");
        }
        if g.cloudinit.is_some() {
            r.add(at, "cloud-init applies to QEMU guests only");
        }
        if g.snapshots.iter().any(|s| s.vmstate) {
            r.add(at, "containers cannot have vmstate snapshots");
        }
    }
    if g.cores == 0 || g.memory_mib == 0 {
        r.add(at, "cores and memory_mib must be positive");
    }
    if let Some(lock) = &g.lock {
        let allowed = match g.kind {
            GuestKind::Qemu => QEMU_LOCKS,
            GuestKind::Lxc => LXC_LOCKS,
        };
        if !allowed.contains(&lock.as_str()) {
            r.add(
                at,
                format!(
                    "lock '{lock}' is not a {} lock (allowed: {})",
                    g.kind.as_str(),
                    allowed.join(", ")
                ),
            );
        }
    }
    for tag in &g.tags {
        if !is_tag(tag) {
            r.add(
                at,
                format!("tag '{tag}' must be letters, digits, '_', '-', '+', '.' (not starting with '-', '+' or '.')"),
            );
        }
    }
    for key in g.config.keys() {
        if TYPED_CONFIG_KEYS.contains(&key.as_str()) {
            r.add(
                at,
                format!("config key '{key}' duplicates a typed field; set that field instead"),
            );
        }
    }
    for (key, value) in &g.config {
        if !is_volume_key(key) {
            continue;
        }
        let volume = value.split(',').next().unwrap_or("");
        if let Some((storage, _)) = volume.split_once(':') {
            match storages.get(storage) {
                None => r.add(at, format!("{key} uses unknown storage '{storage}'")),
                Some(s) if !s.available_on(&g.node) => r.add(
                    at,
                    format!(
                        "{key} uses storage '{storage}', which is not available on node '{}'",
                        g.node
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    for iface in &g.agent_interfaces {
        for ip in &iface.ips {
            if !is_cidr(ip) {
                r.add(
                    at,
                    format!(
                        "interface {}: '{ip}' is not an address in CIDR form",
                        iface.name
                    ),
                );
            }
        }
    }
    let names: HashSet<&str> = g.snapshots.iter().map(|s| s.name.as_str()).collect();
    if names.len() != g.snapshots.len() {
        r.add(at, "duplicate snapshot name");
    }
    for s in &g.snapshots {
        if !is_config_id(&s.name) || s.name == "current" || s.name.len() > 40 {
            r.add(
                at,
                format!(
                    "snapshot name '{}' must start with a letter, contain only letters, digits, '-', '_', be at most 40 long and not be 'current'",
                    s.name
                ),
            );
        }
        if let Some(parent) = &s.parent
            && (parent == &s.name || !names.contains(parent.as_str()))
        {
            r.add(
                at,
                format!("snapshot '{}' has unknown parent '{parent}'", s.name),
            );
        }
    }
}

fn check_user(r: &mut Report, u: &User, at: &str, realms: &[&str]) {
    match split_userid(&u.userid) {
        None => r.add(at, "userid must be name@realm"),
        Some((_, realm)) if !realms.contains(&realm) => r.add(
            at,
            format!(
                "realm '{realm}' does not exist here (realms: {})",
                realms.join(", ")
            ),
        ),
        Some(_) => {}
    }
    if let Some(secret) = &u.totp_secret
        && !is_base32(secret)
    {
        r.add(at, "totp_secret must be base32 (A-Z, 2-7)");
    }
}

/// Returns the full ids (`user@realm!id`) of the tokens.
fn check_tokens(
    r: &mut Report,
    tokens: &[Token],
    users: &HashSet<&str>,
    at: &str,
) -> HashSet<String> {
    let mut ids = HashSet::new();
    for t in tokens {
        let full = t.full_id();
        let tat = format!("{at}, token '{full}'");
        if !users.contains(t.userid.as_str()) {
            r.add(&tat, format!("unknown user '{}'", t.userid));
        }
        if !is_token_id(&t.tokenid) {
            r.add(
                &tat,
                "token id must start with a letter and contain only letters, digits, '.', '-', '_'",
            );
        }
        if t.secret.is_empty() {
            r.add(&tat, "secret is empty");
        }
        if !ids.insert(full) {
            r.add(&tat, "duplicate token");
        }
    }
    ids
}

fn check_acl_common(
    r: &mut Report,
    acl: &Acl,
    at: &str,
    users: &HashSet<&str>,
    tokens: &HashSet<String>,
) {
    if !acl.path.starts_with('/') || (acl.path.len() > 1 && acl.path.ends_with('/')) {
        r.add(at, "path must start with '/' and not end with '/'");
    }
    let set = [acl.user.is_some(), acl.group.is_some(), acl.token.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    if set != 1 {
        r.add(
            at,
            format!("needs exactly one of user, group or token (has {set})"),
        );
    }
    if let Some(u) = &acl.user
        && !users.contains(u.as_str())
    {
        r.add(at, format!("unknown user '{u}'"));
    }
    if let Some(t) = &acl.token
        && !tokens.contains(t)
    {
        r.add(at, format!("unknown token '{t}'"));
    }
}

/// ACLs on paths naming pools, storages or nodes must name existing ones: in a written
/// file a mismatch is almost always a typo. `/vms/<id>` may name a guest not created yet,
/// as in PVE.
fn check_acl_path_target(
    r: &mut Report,
    acl: &Acl,
    at: &str,
    nodes: &HashMap<&str, &super::Node>,
    storages: &HashMap<&str, &super::Storage>,
    pools: &HashSet<&str>,
) {
    let mut parts = acl.path.trim_start_matches('/').splitn(2, '/');
    let (Some(kind), Some(rest)) = (parts.next(), parts.next()) else {
        return;
    };
    let missing = match kind {
        "pool" => (!pools.contains(rest)).then_some("pool"),
        "storage" => (!storages.contains_key(rest)).then_some("storage"),
        "nodes" => (!nodes.contains_key(rest)).then_some("node"),
        _ => None,
    };
    if let Some(what) = missing {
        r.add(at, format!("unknown {what} '{rest}'"));
    }
}

fn check_pbs(r: &mut Report, pbs: &Pbs, at: &str) {
    let mut users = HashSet::new();
    for u in &pbs.users {
        let uat = format!("{at}, user '{}'", u.userid);
        check_user(r, u, &uat, &["pam", "pbs"]);
        if !u.groups.is_empty() {
            r.add(&uat, "PBS has no groups");
        }
        if !users.insert(u.userid.as_str()) {
            r.add(&uat, "duplicate userid");
        }
    }
    let tokens = check_tokens(r, &pbs.tokens, &users, at);
    for (i, acl) in pbs.acl.iter().enumerate() {
        let aat = format!("{at}, acl #{} (path '{}')", i + 1, acl.path);
        check_acl_common(r, acl, &aat, &users, &tokens);
        if acl.group.is_some() {
            r.add(&aat, "PBS ACLs name users or tokens, not groups");
        }
        if crate::pbs::access::role_privileges(&acl.role).is_none() {
            r.add(&aat, format!("unknown PBS role '{}'", acl.role));
        }
    }
    let mut stores = HashSet::new();
    for d in &pbs.datastores {
        let dat = format!("{at}, datastore '{}'", d.name);
        if !is_storage_id(&d.name) && !is_simple_id(&d.name) {
            r.add(
                &dat,
                "datastore name may contain only letters, digits, '-', '_', '.'",
            );
        }
        if !stores.insert(d.name.as_str()) {
            r.add(&dat, "duplicate datastore name");
        }
        if !d.path.starts_with('/') {
            r.add(&dat, "path must be absolute");
        }
        if d.used_gib > d.total_gib {
            r.add(&dat, "used_gib exceeds total_gib");
        }
        let mut namespaces = HashSet::new();
        for ns in &d.namespaces {
            let nat = format!("{dat}, namespace '{ns}'");
            let parts: Vec<&str> = ns.split('/').collect();
            if parts.len() > 7 || !parts.iter().all(|p| is_simple_id(p)) {
                r.add(
                    &nat,
                    "a namespace is up to 7 '/'-separated names of letters, digits, '-', '_', '.'",
                );
            }
            if let Some((parent, _)) = ns.rsplit_once('/')
                && !namespaces.contains(parent)
            {
                r.add(
                    &nat,
                    format!("parent namespace '{parent}' is not listed before it"),
                );
            }
            if !namespaces.insert(ns.as_str()) {
                r.add(&nat, "duplicate namespace");
            }
        }
        let mut groups = HashSet::new();
        for b in &d.backups {
            let bat = format!(
                "{dat}, backup group {}/{}",
                b.backup_type.as_str(),
                b.backup_id
            );
            if !groups.insert((b.ns.as_str(), b.backup_type, b.backup_id.as_str())) {
                r.add(&bat, "duplicate backup group");
            }
            if !b.ns.is_empty() && !namespaces.contains(b.ns.as_str()) {
                r.add(&bat, format!("unknown namespace '{}'", b.ns));
            }
            let id_ok = match b.backup_type {
                BackupType::Vm | BackupType::Ct => b.backup_id.parse::<u32>().is_ok(),
                BackupType::Host => is_hostname(&b.backup_id),
            };
            if !id_ok {
                r.add(
                    &bat,
                    "backup_id must be a vmid (vm, ct) or a host name (host)",
                );
            }
            if !users.contains(b.owner.as_str()) && !tokens.contains(&b.owner) {
                r.add(&bat, format!("unknown owner '{}'", b.owner));
            }
        }
    }
}

pub(super) fn split_userid(userid: &str) -> Option<(&str, &str)> {
    if userid.len() > 64 {
        return None;
    }
    let (name, realm) = userid.rsplit_once('@')?;
    let name_ok = !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '/');
    (name_ok && is_realm(realm)).then_some((name, realm))
}

fn is_realm(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Token ids share the realm format in PVE.
fn is_token_id(s: &str) -> bool {
    is_realm(s)
}

fn is_simple_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn is_pool_id(s: &str) -> bool {
    let levels: Vec<&str> = s.split('/').collect();
    levels.len() <= 3 && levels.iter().all(|l| is_simple_id(l))
}

fn is_storage_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_lowercase()
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.')
        })
}

fn is_hostname(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn is_cluster_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 15 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_config_id(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_tag(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'))
}

fn is_base32(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
}

fn is_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let Ok(addr) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    len.parse::<u8>().is_ok_and(|l| l <= max)
}

/// Config keys whose value is a volume `storage:volname,...`.
fn is_volume_key(key: &str) -> bool {
    if key == "rootfs" || key == "efidisk0" || key == "tpmstate0" {
        return true;
    }
    ["scsi", "virtio", "sata", "ide", "mp", "unused"]
        .iter()
        .any(|prefix| {
            key.strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
}
