//! Who a PBS request is and what it may do, following proxmox-backup 4 and proxmox-auth-api:
//! `PBS:` tickets and CSRF tokens, `PBSAPIToken=USER@REALM!ID:SECRET`, privilege bits,
//! built-in roles, and the ACL tree in which a deeper entry for a subject replaces (rather
//! than adds to) what it inherits, `NoAccess` wins, and an API token only ever gets the
//! intersection of its own ACLs and its user's. PBS has no groups and no custom roles,
//! which is why this is not the PVE permission model in `perms`.

use axum::http::{HeaderMap, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::scenario;

/// The privilege bits in PBS's own order, so that names listed from a bit set (error
/// messages, role listings) come out in the order PBS prints them.
pub const PRIVILEGES: &[(&str, u64)] = &[
    ("Sys.Audit", SYS_AUDIT),
    ("Sys.Modify", SYS_MODIFY),
    ("Sys.PowerManagement", SYS_POWER_MANAGEMENT),
    ("Datastore.Audit", DATASTORE_AUDIT),
    ("Datastore.Allocate", DATASTORE_ALLOCATE),
    ("Datastore.Modify", DATASTORE_MODIFY),
    ("Datastore.Read", DATASTORE_READ),
    ("Datastore.Verify", DATASTORE_VERIFY),
    ("Datastore.Backup", DATASTORE_BACKUP),
    ("Datastore.Prune", DATASTORE_PRUNE),
    ("Permissions.Modify", PERMISSIONS_MODIFY),
    ("Remote.Audit", REMOTE_AUDIT),
    ("Remote.Modify", REMOTE_MODIFY),
    ("Remote.Read", REMOTE_READ),
    ("Remote.DatastoreBackup", REMOTE_DATASTORE_BACKUP),
    ("Remote.DatastoreModify", REMOTE_DATASTORE_MODIFY),
    ("Remote.DatastorePrune", REMOTE_DATASTORE_PRUNE),
    ("Sys.Console", SYS_CONSOLE),
    ("Tape.Audit", TAPE_AUDIT),
    ("Tape.Modify", TAPE_MODIFY),
    ("Tape.Write", TAPE_WRITE),
    ("Tape.Read", TAPE_READ),
    ("Realm.Allocate", REALM_ALLOCATE),
];

pub const SYS_AUDIT: u64 = 1 << 0;
pub const SYS_MODIFY: u64 = 1 << 1;
pub const SYS_POWER_MANAGEMENT: u64 = 1 << 2;
pub const DATASTORE_AUDIT: u64 = 1 << 3;
pub const DATASTORE_ALLOCATE: u64 = 1 << 4;
pub const DATASTORE_MODIFY: u64 = 1 << 5;
pub const DATASTORE_READ: u64 = 1 << 6;
pub const DATASTORE_VERIFY: u64 = 1 << 7;
pub const DATASTORE_BACKUP: u64 = 1 << 8;
pub const DATASTORE_PRUNE: u64 = 1 << 9;
pub const PERMISSIONS_MODIFY: u64 = 1 << 10;
pub const REMOTE_AUDIT: u64 = 1 << 11;
pub const REMOTE_MODIFY: u64 = 1 << 12;
pub const REMOTE_READ: u64 = 1 << 13;
pub const REMOTE_DATASTORE_BACKUP: u64 = 1 << 14;
pub const REMOTE_DATASTORE_MODIFY: u64 = 1 << 15;
pub const REMOTE_DATASTORE_PRUNE: u64 = 1 << 16;
pub const SYS_CONSOLE: u64 = 1 << 17;
pub const TAPE_AUDIT: u64 = 1 << 18;
pub const TAPE_MODIFY: u64 = 1 << 19;
pub const TAPE_WRITE: u64 = 1 << 20;
pub const TAPE_READ: u64 = 1 << 21;
pub const REALM_ALLOCATE: u64 = 1 << 22;

/// What PBS accepts as "some access to a datastore or namespace" (its `NS_PRIVS_OK`).
pub const NS_PRIVS_OK: u64 = DATASTORE_MODIFY | DATASTORE_READ | DATASTORE_BACKUP | DATASTORE_AUDIT;

/// PBS's `Admin` is every bit, including ones a later release adds.
const ALL: u64 = u64::MAX;

/// The privileges of a built-in role; PBS has no others.
pub fn role_privileges(role: &str) -> Option<u64> {
    Some(match role {
        "Admin" => ALL,
        "Audit" => SYS_AUDIT | DATASTORE_AUDIT,
        "NoAccess" => 0,
        "DatastoreAdmin" => {
            DATASTORE_AUDIT
                | DATASTORE_MODIFY
                | DATASTORE_READ
                | DATASTORE_VERIFY
                | DATASTORE_BACKUP
                | DATASTORE_PRUNE
        }
        "DatastoreReader" => DATASTORE_AUDIT | DATASTORE_VERIFY | DATASTORE_READ,
        "DatastoreBackup" => DATASTORE_BACKUP,
        "DatastorePowerUser" => DATASTORE_PRUNE | DATASTORE_BACKUP,
        "DatastoreAudit" => DATASTORE_AUDIT,
        "RemoteAudit" => REMOTE_AUDIT,
        "RemoteAdmin" => REMOTE_AUDIT | REMOTE_MODIFY | REMOTE_READ,
        "RemoteSyncOperator" => REMOTE_AUDIT | REMOTE_READ,
        "RemoteSyncPushOperator" => REMOTE_AUDIT | REMOTE_DATASTORE_BACKUP,
        "RemoteDatastorePowerUser" => {
            REMOTE_AUDIT | REMOTE_DATASTORE_BACKUP | REMOTE_DATASTORE_PRUNE
        }
        "RemoteDatastoreAdmin" => {
            REMOTE_AUDIT
                | REMOTE_DATASTORE_BACKUP
                | REMOTE_DATASTORE_MODIFY
                | REMOTE_DATASTORE_PRUNE
        }
        "TapeAudit" => TAPE_AUDIT,
        "TapeAdmin" => TAPE_AUDIT | TAPE_MODIFY | TAPE_READ | TAPE_WRITE,
        "TapeOperator" => TAPE_AUDIT | TAPE_READ | TAPE_WRITE,
        "TapeReader" => TAPE_AUDIT | TAPE_READ,
        _ => return None,
    })
}

/// The bits of privilege names; unknown names have none.
pub fn privilege_bits(names: &[&str]) -> u64 {
    names
        .iter()
        .filter_map(|n| PRIVILEGES.iter().find(|(p, _)| p == n).map(|(_, b)| *b))
        .fold(0, |acc, b| acc | b)
}

/// The names of the privileges in `bits`, in PBS's order.
pub fn privilege_names(bits: u64) -> Vec<&'static str> {
    PRIVILEGES
        .iter()
        .filter(|(_, b)| bits & b != 0)
        .map(|(n, _)| *n)
        .collect()
}

/// `/datastore/store1` → `["datastore", "store1"]`; `/` → `[]`.
fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

/// PBS's `CachedUserInfo` over one server's users, tokens and ACL.
pub struct UserInfo<'a> {
    pub spec: &'a scenario::Pbs,
}

impl UserInfo<'_> {
    /// Only `root@pam` itself; its tokens go through the ACL like anyone's.
    pub fn is_superuser(&self, auth_id: &str) -> bool {
        auth_id == "root@pam"
    }

    fn user_active(&self, userid: &str, now: i64) -> bool {
        match self.spec.users.iter().find(|u| u.userid == userid) {
            Some(u) => u.enable && (u.expire == 0 || u.expire > now),
            // Every PBS host has root@pam, whether or not the scenario lists it.
            None => userid == "root@pam",
        }
    }

    /// PBS's `is_active_auth_id`: the user is enabled and unexpired, and for a token the
    /// token exists and is unexpired too.
    pub fn is_active_auth_id(&self, auth_id: &str, now: i64) -> bool {
        let userid = auth_id.split('!').next().unwrap_or(auth_id);
        if !self.user_active(userid, now) {
            return false;
        }
        if auth_id.contains('!') {
            return self
                .spec
                .tokens
                .iter()
                .find(|t| t.full_id() == auth_id)
                .is_some_and(|t| t.expire == 0 || t.expire > now);
        }
        true
    }

    /// Roles of `auth_id` at one node of the tree (`path` exactly); `last` says whether the
    /// node is the one asked about, where non-propagating entries count too.
    fn node_roles(&self, auth_id: &str, node: &str, last: bool) -> Vec<(String, bool)> {
        let mut roles = Vec::new();
        for acl in &self.spec.acl {
            let subject = acl.user.as_deref().or(acl.token.as_deref());
            if subject != Some(auth_id) || normalize(&acl.path) != node {
                continue;
            }
            if !(acl.propagate || last) {
                continue;
            }
            if acl.role == "NoAccess" {
                return vec![("NoAccess".to_owned(), false)];
            }
            roles.push((acl.role.clone(), acl.propagate));
        }
        roles
    }

    /// The roles that apply on `path`: the deepest node on the way that names the subject
    /// replaces everything above it.
    fn roles(&self, auth_id: &str, path: &[&str]) -> Vec<(String, bool)> {
        let mut current = self.node_roles(auth_id, "/", path.is_empty());
        let mut node = String::new();
        for (i, comp) in path.iter().enumerate() {
            node.push('/');
            node.push_str(comp);
            let found = self.node_roles(auth_id, &node, i + 1 == path.len());
            if !found.is_empty() {
                current = found;
            }
        }
        current
    }

    /// `(privileges, privileges that propagate below)` on `path`.
    pub fn lookup_privs_details(&self, auth_id: &str, path: &[&str]) -> (u64, u64) {
        if self.is_superuser(auth_id) {
            return (ALL, ALL);
        }
        let mut privs = 0;
        let mut propagated = 0;
        for (role, propagate) in self.roles(auth_id, path) {
            if let Some(bits) = role_privileges(&role) {
                privs |= bits;
                if propagate {
                    propagated |= bits;
                }
            }
        }
        if let Some((userid, _)) = auth_id.split_once('!') {
            let (owner, owner_propagated) = self.lookup_privs_details(userid, path);
            privs &= owner;
            propagated &= owner_propagated;
        }
        (privs, propagated)
    }

    pub fn lookup_privs(&self, auth_id: &str, path: &[&str]) -> u64 {
        self.lookup_privs_details(auth_id, path).0
    }

    /// Whether `auth_id` has any of `privs` on `path` or on any path below it that an ACL
    /// entry names for it (PBS's `any_privs_below`).
    pub fn any_privs_below(&self, auth_id: &str, path: &[&str], privs: u64) -> bool {
        if self.lookup_privs_details(auth_id, path).1 & privs != 0 {
            return true;
        }
        let prefix = format!("/{}/", path.join("/"));
        self.spec.acl.iter().any(|acl| {
            let subject = acl.user.as_deref().or(acl.token.as_deref());
            let p = normalize(&acl.path);
            subject == Some(auth_id)
                && (p.starts_with(&prefix) || (path.is_empty() && p != "/"))
                && self.lookup_privs(auth_id, &components(&p)) & privs != 0
        })
    }
}

fn normalize(path: &str) -> String {
    let parts = components(path);
    if parts.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}", parts.join("/"))
    }
}

/// How a request authenticates, as PBS's `extract_auth_data` reads it: a ticket cookie
/// (the `__Host-` one first) wins over an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    None,
    Ticket {
        ticket: String,
        csrf: Option<String>,
    },
    Token(String),
}

pub fn presented(headers: &HeaderMap) -> Presented {
    let mut ticket = None;
    for cookie in headers
        .get_all("cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
    {
        if let Some(t) = extract_cookie(cookie, "__Host-PBSAuthCookie") {
            ticket = Some(t);
            break;
        }
        if let Some(t) = extract_cookie(cookie, "PBSAuthCookie") {
            ticket = Some(t);
        }
    }
    if let Some(ticket) = ticket {
        let csrf = headers
            .get("CSRFPreventionToken")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        return Presented::Ticket { ticket, csrf };
    }
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Presented::None;
    };
    match auth.strip_prefix("PBSAPIToken") {
        Some(rest) if rest.starts_with([' ', '=']) => Presented::Token(rest[1..].to_owned()),
        _ => Presented::None,
    }
}

/// The first cookie called `name`, percent-decoded; a pair without `=` ends the search, as
/// in proxmox-rest-server.
pub fn extract_cookie(cookie: &str, name: &str) -> Option<String> {
    for pair in cookie.split(';') {
        let (k, v) = pair.split_once('=')?;
        if k.trim() == name {
            return percent_decode(v.trim());
        }
    }
    None
}

pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Ticket and CSRF signing. Real PBS signs tickets with its auth key pair and CSRF tokens
/// with an HMAC; one HMAC key keeps the same rules (tamper-proof, bound to user and time).
pub struct Keys {
    secret: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<secret>)")
    }
}

pub const TICKET_LIFETIME: i64 = 7200;

/// What a valid ticket carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketData {
    Full(String),
    /// `!tfa!` + the challenge JSON: the password was right, a second factor is owed.
    Partial(String),
}

impl Keys {
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        crate::auth::fill_random(&mut secret);
        Self { secret }
    }

    fn sign(&self, data: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        mac.update(data.as_bytes());
        B64.encode(mac.finalize().into_bytes())
    }

    /// `PBS:{data}:{HEXTIME}::{signature}`, `:` in the data percent-encoded; `aad` (the
    /// user of a partial ticket) is signed but not included, as in proxmox-auth-api.
    pub fn ticket(&self, data: &str, aad: Option<&str>, now: i64) -> String {
        let plain = format!(
            "PBS:{}:{now:08X}",
            data.replace('%', "%25").replace(':', "%3A")
        );
        let signed = match aad {
            Some(aad) => format!("{plain}:{aad}"),
            None => plain.clone(),
        };
        format!("{plain}::{}", self.sign(&signed))
    }

    /// Verifies a ticket within `frame` seconds of age; the errors are proxmox-auth-api's.
    pub fn verify_ticket(
        &self,
        ticket: &str,
        aad: Option<&str>,
        now: i64,
        frame: std::ops::Range<i64>,
    ) -> Result<TicketData, String> {
        let mut parts = ticket.splitn(4, ':');
        let prefix = parts.next().ok_or("ticket without prefix")?;
        let data = parts.next().ok_or("ticket without data")?;
        let hex_time = parts.next().ok_or("ticket without timestamp")?;
        let time = i64::from_str_radix(hex_time, 16)
            .map_err(|e| format!("ticket with bad timestamp: {e}"))?;
        let rest = parts.next().ok_or("ticket without signature")?;
        let sig = rest
            .strip_prefix(':')
            .ok_or("ticket without signature separator")?;
        if prefix != "PBS" {
            return Err("ticket with invalid prefix".into());
        }
        let age = now - time;
        if age < frame.start {
            return Err("invalid ticket - timestamp newer than expected".into());
        }
        if age > frame.end {
            return Err("invalid ticket - expired".into());
        }
        let plain = format!("{prefix}:{data}:{hex_time}");
        let signed = match aad {
            Some(aad) => format!("{plain}:{aad}"),
            None => plain,
        };
        if !crate::auth::constant_time_eq(self.sign(&signed).as_bytes(), sig.as_bytes()) {
            return Err("ticket with invalid signature".into());
        }
        let data = percent_decode(data).ok_or("invalid ticket, error decoding data")?;
        Ok(match data.strip_prefix("!tfa!") {
            Some(challenge) => TicketData::Partial(challenge.to_owned()),
            None => TicketData::Full(data),
        })
    }

    /// `{HEXTIME}:{signature over "HEXTIME:userid:"}`.
    pub fn csrf_token(&self, userid: &str, now: i64) -> String {
        let stamp = format!("{now:08X}");
        format!("{stamp}:{}", self.sign(&format!("{stamp}:{userid}:")))
    }

    pub fn verify_csrf(&self, userid: &str, token: &str, now: i64) -> Result<(), String> {
        let inner = || -> Result<(), String> {
            let (stamp, sig) = token
                .split_once(':')
                .filter(|(_, sig)| !sig.contains(':'))
                .ok_or("format error - wrong number of parts.")?;
            let time = i64::from_str_radix(stamp, 16)
                .map_err(|e| format!("timestamp format error - {e}"))?;
            let expected = self.sign(&format!("{time:08X}:{userid}:"));
            if !crate::auth::constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
                return Err("invalid signature.".into());
            }
            let age = now - time;
            if age < -300 {
                return Err("timestamp newer than expected.".into());
            }
            if age > TICKET_LIFETIME {
                return Err("timestamp too old.".into());
            }
            Ok(())
        };
        inner().map_err(|e| format!("invalid csrf token - {e}"))
    }
}

/// Splits an auth id into user and token name with PBS's checks and messages.
pub fn parse_authid(id: &str) -> Result<(String, Option<String>), String> {
    let at = id.rfind('@').ok_or("not a valid user id")?;
    let realm_end = match id.rfind('!') {
        Some(bang) if bang > at => bang,
        _ => id.len(),
    };
    if realm_end + 1 == id.len() {
        return Err("empty token name in userid".into());
    }
    let userid = &id[..realm_end];
    if !is_userid(userid) {
        return Err("value does not match the regex pattern".into());
    }
    let token = if realm_end < id.len() {
        let name = &id[realm_end + 1..];
        if !is_safe_id(name) {
            return Err("value does not match the regex pattern".into());
        }
        Some(name.to_owned())
    } else {
        None
    };
    Ok((userid.to_owned(), token))
}

/// PBS's `PROXMOX_SAFE_ID`: `[A-Za-z0-9_][A-Za-z0-9._\-]*`.
pub fn is_safe_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `name@realm`: a name without whitespace, `:`, `/` or control characters, a safe-id realm.
pub fn is_userid(s: &str) -> bool {
    let Some((name, realm)) = s.rsplit_once('@') else {
        return false;
    };
    (3..=64).contains(&s.chars().count())
        && !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '/' || c.is_control())
        && is_safe_id(realm)
}

impl super::PbsSim {
    /// PBS's `http_check_auth`: the auth id of the request or the reason it has none
    /// (`None` = no credentials at all).
    pub(super) fn check_auth(
        &self,
        presented: &Presented,
        method: &Method,
        now: i64,
    ) -> Result<String, Option<String>> {
        let state = self.state();
        let info = UserInfo { spec: &state.spec };
        match presented {
            Presented::None => Err(None),
            Presented::Ticket { ticket, csrf } => {
                let userid = match self
                    .keys
                    .verify_ticket(ticket, None, now, -300..TICKET_LIFETIME)
                    .map_err(Some)?
                {
                    TicketData::Full(user) => user,
                    TicketData::Partial(_) => {
                        return Err(Some("invalid ticket - expected full ticket".into()));
                    }
                };
                if !info.is_active_auth_id(&userid, now) {
                    return Err(Some("user account disabled or expired.".into()));
                }
                if method != Method::GET {
                    match csrf {
                        Some(token) => self.keys.verify_csrf(&userid, token, now).map_err(Some)?,
                        None => return Err(Some("missing CSRF prevention token".into())),
                    }
                }
                Ok(userid)
            }
            Presented::Token(value) => {
                let mut parts = value.splitn(2, ':');
                let tokenid = parts.next().unwrap_or_default();
                parse_authid(tokenid).map_err(Some)?;
                if !info.is_active_auth_id(tokenid, now) {
                    return Err(Some("user account or token disabled or expired.".into()));
                }
                let secret = parts
                    .next()
                    .ok_or_else(|| Some("failed to split API token header".to_owned()))?;
                let secret = percent_decode(secret)
                    .ok_or_else(|| Some("failed to decode API token header".to_owned()))?;
                if !tokenid.contains('!') {
                    return Err(Some("not an API token ID".into()));
                }
                let token = state
                    .spec
                    .tokens
                    .iter()
                    .find(|t| t.full_id() == tokenid)
                    .ok_or_else(|| Some("invalid API token".to_owned()))?;
                if !crate::auth::constant_time_eq(token.secret.as_bytes(), secret.as_bytes()) {
                    return Err(Some("invalid credentials".into()));
                }
                Ok(tokenid.to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Acl, Pbs, Token, User};

    fn spec() -> Pbs {
        Pbs {
            name: "pbs".into(),
            version: "4.1.0".into(),
            datastores: Vec::new(),
            users: vec![User::new("alice@pbs", "pw"), User::new("root@pam", "pw")],
            tokens: vec![Token {
                userid: "alice@pbs".into(),
                tokenid: "t".into(),
                secret: "s".into(),
                privsep: false,
                expire: 0,
                comment: String::new(),
            }],
            acl: vec![
                Acl::for_user("/datastore", "alice@pbs", "DatastoreAdmin"),
                Acl::for_user("/datastore/b", "alice@pbs", "DatastoreAudit"),
                Acl::for_user("/datastore/c", "alice@pbs", "NoAccess"),
                Acl::for_token("/", "alice@pbs!t", "Admin"),
            ],
        }
    }

    #[test]
    fn deeper_entries_replace_inherited_roles_and_tokens_are_capped_by_their_user() {
        let spec = spec();
        let info = UserInfo { spec: &spec };
        let a = info.lookup_privs("alice@pbs", &["datastore", "a"]);
        assert_eq!(a, role_privileges("DatastoreAdmin").unwrap());
        assert_eq!(
            info.lookup_privs("alice@pbs", &["datastore", "b"]),
            DATASTORE_AUDIT
        );
        assert_eq!(info.lookup_privs("alice@pbs", &["datastore", "c"]), 0);
        assert_eq!(info.lookup_privs("alice@pbs", &["system", "status"]), 0);
        // The token has Admin on /, but never more than alice.
        assert_eq!(info.lookup_privs("alice@pbs!t", &["datastore", "a"]), a);
        assert_eq!(info.lookup_privs("alice@pbs!t", &["system"]), 0);
        assert!(info.any_privs_below("alice@pbs", &["datastore"], NS_PRIVS_OK));
        assert!(!info.any_privs_below("alice@pbs", &["system"], NS_PRIVS_OK));
        assert_eq!(info.lookup_privs("root@pam", &["anything"]), u64::MAX);
    }

    #[test]
    fn tickets_and_csrf_tokens_bind_user_and_time() {
        let keys = Keys::random();
        let t = keys.ticket("alice@pbs", None, 1000);
        assert!(t.starts_with("PBS:alice@pbs:000003E8::"), "{t}");
        assert_eq!(
            keys.verify_ticket(&t, None, 1000, -300..TICKET_LIFETIME),
            Ok(TicketData::Full("alice@pbs".into()))
        );
        assert_eq!(
            keys.verify_ticket(&t, None, 1000 + 7201, -300..TICKET_LIFETIME),
            Err("invalid ticket - expired".into())
        );
        let forged = t.replace("alice@pbs", "root@pam");
        assert_eq!(
            keys.verify_ticket(&forged, None, 1000, -300..TICKET_LIFETIME),
            Err("ticket with invalid signature".into())
        );
        let csrf = keys.csrf_token("alice@pbs", 1000);
        assert!(keys.verify_csrf("alice@pbs", &csrf, 1000).is_ok());
        assert!(keys.verify_csrf("root@pam", &csrf, 1000).is_err());
    }

    #[test]
    fn auth_ids_are_checked_like_pbs() {
        assert_eq!(
            parse_authid("root@pam!ci"),
            Ok(("root@pam".into(), Some("ci".into())))
        );
        assert!(parse_authid("root@pam!ci=secret").is_err());
        assert!(parse_authid("root@pam!").is_err());
        assert!(parse_authid("root").is_err());
    }
}
