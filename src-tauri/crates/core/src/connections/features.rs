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

/// The first PVE release whose VM and container consoles accept an API token.
pub const TOKEN_CONSOLE_SINCE: &str = "9.0.13";

/// The matrix for a login: SSH "same as Web API" and node console need a PAM user;
/// VM/LXC consoles need a user login or a token on PVE ≥ 9.0.13; API tokens cannot open
/// node shells. `pve_version` is the cluster's (`9.1.2`), when known.
pub fn feature_matrix(
    kind: ConnectionKind,
    access: AccessType,
    username: &str,
    pve_version: Option<&str>,
) -> FeatureMatrix {
    let token = access == AccessType::ApiToken;
    // A token's user is the part before `!`; its realm does not help a token anyway.
    let user = username.split('!').next().unwrap_or_default();
    let realm = user.rsplit_once('@').map(|(_, r)| r).unwrap_or_default();
    let pam = realm == "pam";
    let host = match kind {
        ConnectionKind::Pve => "node",
        ConnectionKind::Pbs => "backup server",
    };

    let ssh = if token {
        no("an API token has no password to log in over SSH; switch to credential access with a @pam user (e.g. root@pam), or give SSH its own user and key".to_owned())
    } else if !pam {
        no(format!(
            "SSH logs in as a Linux user of the {host}, and {user} is in realm `{realm}`, not `pam`; use a @pam login (e.g. root@pam), or give SSH its own user and key"
        ))
    } else {
        yes()
    };

    let node_console = if token {
        no(format!(
            "API tokens cannot open a {host}'s console; switch to credential access with a @pam user (e.g. root@pam)"
        ))
    } else if !pam {
        no(format!(
            "the {host}'s console logs in as a Linux user, and {user} is in realm `{realm}`, not `pam`; use a @pam login (e.g. root@pam)"
        ))
    } else {
        yes()
    };

    let guest_console = match kind {
        ConnectionKind::Pbs => no(
            "Proxmox Backup Server has no VMs or containers; consoles are for PVE clusters"
                .to_owned(),
        ),
        ConnectionKind::Pve if !token => yes(),
        ConnectionKind::Pve => match pve_version {
            Some(v) if version_at_least(v, TOKEN_CONSOLE_SINCE) => yes(),
            Some(v) => no(format!(
                "this cluster runs PVE {v}; VM and container consoles accept API tokens from PVE {TOKEN_CONSOLE_SINCE} on. Upgrade the cluster, or switch to credential access"
            )),
            None => no(format!(
                "with an API token, VM and container consoles need PVE {TOKEN_CONSOLE_SINCE} or later, and this cluster's version is not known yet; test the connection, or switch to credential access"
            )),
        },
    };

    let node_shell = if token {
        no(format!(
            "API tokens cannot open {host} shells (termproxy refuses them); switch to credential access with a user login"
        ))
    } else {
        yes()
    };

    let row = |key, label: &str, (allowed, why): (bool, Option<String>)| Feature {
        key,
        label: label.to_owned(),
        allowed,
        why,
    };
    FeatureMatrix {
        features: vec![
            row(FeatureKey::SshSameAsApi, "SSH with the Web API login", ssh),
            row(FeatureKey::NodeConsole, "Node console", node_console),
            row(
                FeatureKey::GuestConsole,
                "VM and container consoles",
                guest_console,
            ),
            row(FeatureKey::NodeShell, "Node shell over the API", node_shell),
        ],
    }
}

fn yes() -> (bool, Option<String>) {
    (true, None)
}

/// A "no" with its reason, as a sentence.
fn no(why: String) -> (bool, Option<String>) {
    let mut chars = why.chars();
    let sentence = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => why,
    };
    (false, Some(sentence))
}

/// Numeric, component by component: `9.0.13` < `9.1.2` < `10.0`; missing parts count as 0,
/// a suffix such as `-pve1` is ignored.
pub fn version_at_least(version: &str, minimum: &str) -> bool {
    let parts = |v: &str| -> Vec<u64> {
        v.trim()
            .split(['.', '-', '~', '+'])
            .map_while(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().ok()
            })
            .collect()
    };
    let (a, b) = (parts(version), parts(minimum));
    let n = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    for i in 0..n {
        match at(&a, i).cmp(&at(&b, i)) {
            std::cmp::Ordering::Equal => continue,
            other => return other == std::cmp::Ordering::Greater,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessType::*;
    use ConnectionKind::*;

    fn get(m: &FeatureMatrix, key: FeatureKey) -> &Feature {
        m.features.iter().find(|f| f.key == key).unwrap()
    }

    fn allowed(m: &FeatureMatrix) -> [bool; 4] {
        [
            get(m, FeatureKey::SshSameAsApi).allowed,
            get(m, FeatureKey::NodeConsole).allowed,
            get(m, FeatureKey::GuestConsole).allowed,
            get(m, FeatureKey::NodeShell).allowed,
        ]
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("9.0.13", "9.0.13"));
        assert!(version_at_least("9.1.2", "9.0.13"));
        assert!(version_at_least("10.0", "9.0.13"));
        assert!(version_at_least("9.0.13-pve1", "9.0.13"));
        assert!(!version_at_least("9.0.9", "9.0.13"));
        assert!(!version_at_least("9.0", "9.0.13"));
        assert!(!version_at_least("8.4.14", "9.0.13"));
    }

    #[test]
    fn a_pam_login_can_do_everything_on_pve() {
        let m = feature_matrix(Pve, Credential, "root@pam", None);
        assert_eq!(allowed(&m), [true; 4]);
        assert!(m.features.iter().all(|f| f.why.is_none()));
        let keys: Vec<FeatureKey> = m.features.iter().map(|f| f.key).collect();
        assert_eq!(
            keys,
            [
                FeatureKey::SshSameAsApi,
                FeatureKey::NodeConsole,
                FeatureKey::GuestConsole,
                FeatureKey::NodeShell
            ]
        );
    }

    #[test]
    fn a_pve_realm_login_has_no_ssh_nor_node_console() {
        let m = feature_matrix(Pve, Credential, "admin@pve", Some("8.0.1"));
        assert_eq!(allowed(&m), [false, false, true, true]);
        let why = get(&m, FeatureKey::SshSameAsApi).why.as_deref().unwrap();
        assert!(why.contains("admin@pve") && why.contains("@pam"), "{why}");
        let why = get(&m, FeatureKey::NodeConsole).why.as_deref().unwrap();
        assert!(why.contains("`pve`") && why.contains("root@pam"), "{why}");
    }

    #[test]
    fn a_token_gets_guest_consoles_from_9_0_13_and_never_shells() {
        let old = feature_matrix(Pve, ApiToken, "root@pam", Some("9.0.12"));
        assert_eq!(allowed(&old), [false; 4]);
        let why = get(&old, FeatureKey::GuestConsole).why.as_deref().unwrap();
        assert!(why.contains("9.0.12") && why.contains("9.0.13"), "{why}");
        let why = get(&old, FeatureKey::NodeShell).why.as_deref().unwrap();
        assert!(
            why.contains("API tokens") && why.contains("credential"),
            "{why}"
        );

        for v in ["9.0.13", "9.1.2", "10.0"] {
            let m = feature_matrix(Pve, ApiToken, "root@pam!proxdeck", Some(v));
            assert_eq!(allowed(&m), [false, false, true, false], "{v}");
        }
        let unknown = feature_matrix(Pve, ApiToken, "root@pam", None);
        let why = get(&unknown, FeatureKey::GuestConsole)
            .why
            .as_deref()
            .unwrap();
        assert!(
            why.contains("not known") && why.contains("test the connection"),
            "{why}"
        );
    }

    #[test]
    fn a_backup_server_has_no_guest_consoles() {
        let m = feature_matrix(Pbs, Credential, "root@pam", Some("4.1.0"));
        assert_eq!(allowed(&m), [true, true, false, true]);
        let why = get(&m, FeatureKey::GuestConsole).why.as_deref().unwrap();
        assert!(why.contains("Proxmox Backup Server has no"), "{why}");
        let m = feature_matrix(Pbs, ApiToken, "root@pam", Some("4.1.0"));
        assert_eq!(allowed(&m), [false; 4]);
        assert!(m.features.iter().all(|f| f.why.is_some()));
    }
}
