//! Checking the form: each bad field gets a message that says the expected format.

use proxdeck_pve::{Auth, Product, normalize_fingerprint};
use proxdeck_secrets::Sensitive;

use super::{AccessType, ConnectionInput, ConnectionKind, FieldErrors};
use crate::AppError;

/// A checked form: normalized URLs, the parsed token, the pinned fingerprints in `AA:BB:…`.
#[derive(Debug)]
pub struct Validated {
    pub name: String,
    pub kind: ConnectionKind,
    /// `https://host:port`, without a trailing slash.
    pub urls: Vec<String>,
    /// `user@realm`.
    pub username: String,
    /// API token: `user@realm!tokenname`.
    pub token_id: Option<String>,
    /// The secret given in the form (password or token secret), if any.
    pub secret: Option<Sensitive<String>>,
    pub timeout_ms: u32,
    /// Pinned certificate fingerprints, `AA:BB:…`, deduplicated; empty: system roots.
    pub fingerprints: Vec<String>,
    pub node_order: Vec<String>,
    pub enabled: bool,
    /// PVE: the resource pool the connection is bound to.
    pub pool: Option<String>,
}

impl Validated {
    /// The client's authentication, with `secret` (the form's or the keychain's).
    pub fn auth(&self, secret: &Sensitive<String>) -> Auth {
        auth_for(
            self.kind,
            self.access(),
            &self.username,
            self.token_id.as_deref(),
            secret,
        )
    }

    pub fn access(&self) -> AccessType {
        if self.token_id.is_some() {
            AccessType::ApiToken
        } else {
            AccessType::Credential
        }
    }
}

/// The client's authentication for a connection's settings and its secret.
pub(crate) fn auth_for(
    kind: ConnectionKind,
    access: AccessType,
    username: &str,
    token_id: Option<&str>,
    secret: &Sensitive<String>,
) -> Auth {
    let product = match kind {
        ConnectionKind::Pve => Product::Pve,
        ConnectionKind::Pbs => Product::Pbs,
    };
    match (access, token_id) {
        (AccessType::ApiToken, Some(id)) => match kind {
            ConnectionKind::Pve => Auth::PveToken {
                id: id.to_owned(),
                secret: secret.expose().clone(),
            },
            ConnectionKind::Pbs => Auth::PbsToken {
                id: id.to_owned(),
                secret: secret.expose().clone(),
            },
        },
        _ => Auth::Password {
            product,
            username: username.to_owned(),
            password: secret.expose().clone(),
        },
    }
}

/// Checks every field; the error is `Invalid` with one message per bad field in
/// `AppError::fields` (keys are `ConnectionInput`'s camelCase field names). The secret may
/// be left out (an edit keeps the stored one); [`validate_new`] requires it.
pub fn validate(input: &ConnectionInput) -> Result<Validated, AppError> {
    check(input, false)
}

/// [`validate`] for a new connection: the password or token secret is required.
pub fn validate_new(input: &ConnectionInput) -> Result<Validated, AppError> {
    check(input, true)
}

const NAME_MAX: usize = 64;
const TIMEOUT_MS: std::ops::RangeInclusive<u32> = 100..=60_000;
const USER_FORMAT: &str = "the format is user@realm, e.g. root@pam";

fn token_format(kind: ConnectionKind) -> &'static str {
    match kind {
        ConnectionKind::Pve => {
            "the format is user@realm!tokenname=secret, e.g. root@pam!proxdeck=…"
        }
        ConnectionKind::Pbs => {
            "the format is user@realm!tokenname:secret, e.g. root@pam!proxdeck:…"
        }
    }
}

fn check(input: &ConnectionInput, secret_required: bool) -> Result<Validated, AppError> {
    let mut bad = FieldErrors::new();

    let name = input.name.trim().to_owned();
    if name.is_empty() {
        flag(
            &mut bad,
            "name",
            "enter a name to tell this connection apart, e.g. prod".into(),
        );
    } else if name.chars().count() > NAME_MAX {
        flag(
            &mut bad,
            "name",
            format!("a name has at most {NAME_MAX} characters"),
        );
    } else if name.chars().any(char::is_control) {
        flag(
            &mut bad,
            "name",
            "a name cannot hold control characters".into(),
        );
    }

    let urls = match normalize_urls(input.kind, &input.urls) {
        Ok(urls) => urls,
        Err(e) => {
            if let Some(why) = e.fields.get("urls") {
                flag(&mut bad, "urls", why.clone());
            }
            Vec::new()
        }
    };

    let (username, token_id, secret) = match input.access {
        AccessType::Credential => {
            let username = input.username.trim().to_owned();
            if let Err(why) = check_userid(&username) {
                flag(&mut bad, "username", why);
            }
            let secret = given(input.password.as_deref());
            if secret.is_none() && secret_required {
                flag(
                    &mut bad,
                    "password",
                    format!("enter the password of {}", or_user(&username)),
                );
            }
            (username, None, secret)
        }
        AccessType::ApiToken => {
            let separate = given(input.token_secret.as_deref());
            match parse_token(input.kind, &input.token_id) {
                Err(why) => {
                    flag(&mut bad, "tokenId", why);
                    (String::new(), None, separate)
                }
                Ok(t) => {
                    let secret = match (t.secret, separate) {
                        (Some(pasted), Some(apart)) if pasted.expose() != apart.expose() => {
                            flag(
&mut bad,
                                "tokenSecret",
                                "the token pasted in the token ID has another secret than this field; clear one of them".into(),
                            );
                            None
                        }
                        (pasted, apart) => pasted.or(apart),
                    };
                    if let Some(s) = &secret
                        && s.expose().chars().any(char::is_whitespace)
                    {
                        flag(
&mut bad,
                            "tokenSecret",
                            "a token secret has no spaces; copy it again from the dialog that showed it".into(),
                        );
                    }
                    if secret.is_none() && secret_required && !bad.contains_key("tokenSecret") {
                        flag(
                            &mut bad,
                            "tokenSecret",
                            format!(
                                "enter the secret of {}: it was shown once when the token was created (PVE token secrets look like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                t.id
                            ),
                        );
                    }
                    (t.user, Some(t.id), secret)
                }
            }
        }
    };

    if !TIMEOUT_MS.contains(&input.timeout_ms) {
        flag(
            &mut bad,
            "timeoutMs",
            format!(
                "the timeout is {} to {} milliseconds (default 1000)",
                TIMEOUT_MS.start(),
                TIMEOUT_MS.end()
            ),
        );
    }

    let mut fingerprints: Vec<String> = Vec::new();
    for raw in input
        .fingerprints
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.is_empty())
    {
        match normalize_fingerprint_text(raw) {
            Some(fp) if !fingerprints.contains(&fp) => fingerprints.push(fp),
            Some(_) => {}
            None => {
                flag(
                    &mut bad,
                    "fingerprints",
                    format!(
                        "`{raw}` is not a SHA-256 fingerprint: it is 32 hex pairs, e.g. AA:BB:…:FF, one per line; copy it from the node's Certificates panel"
                    ),
                );
            }
        }
    }

    let mut node_order: Vec<String> = Vec::new();
    for n in input
        .node_order
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
    {
        if !node_order.iter().any(|o| o == n) {
            node_order.push(n.to_owned());
        }
    }

    let pool = input
        .pool
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if let Some(p) = &pool {
        if input.kind != ConnectionKind::Pve {
            flag(
                &mut bad,
                "pool",
                "only a Proxmox VE connection can be bound to a pool".to_owned(),
            );
        } else if !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        {
            flag(
                &mut bad,
                "pool",
                format!(
                    "`{p}` is not a pool name: letters, digits, - _ . and / for a nested pool, as in Datacenter → Permissions → Pools"
                ),
            );
        }
    }

    if !bad.is_empty() {
        let fields = bad.keys().cloned().collect::<Vec<_>>().join(", ");
        return Err(AppError::fields(
            format!("the connection form has errors in: {fields}"),
            bad,
        ));
    }
    Ok(Validated {
        name,
        kind: input.kind,
        urls,
        username,
        token_id,
        secret,
        timeout_ms: input.timeout_ms,
        fingerprints,
        node_order,
        enabled: input.enabled,
        pool,
    })
}

/// Keeps the first message of each field.
fn flag(bad: &mut FieldErrors, field: &str, why: String) {
    bad.entry(field.to_owned()).or_insert(why);
}

fn or_user(username: &str) -> &str {
    if username.is_empty() {
        "the user"
    } else {
        username
    }
}

/// A secret field's value: `None` when empty (an edit keeps the stored one). Secrets are
/// not trimmed inside, only a pasted line break at either end is dropped.
fn given(value: Option<&str>) -> Option<Sensitive<String>> {
    value
        .map(|v| v.trim_matches(['\r', '\n']))
        .filter(|v| !v.is_empty())
        .map(|v| Sensitive::new(v.to_owned()))
}

/// `user@realm`: PVE's user part is anything but white space, `:` and `/`; the realm
/// starts with a letter and holds letters, digits, `.`, `-` and `_`.
fn check_userid(userid: &str) -> Result<(), String> {
    let Some((user, realm)) = userid.rsplit_once('@') else {
        return Err(if userid.is_empty() {
            format!("enter the user; {USER_FORMAT}")
        } else {
            format!("`{userid}` has no realm; {USER_FORMAT}")
        });
    };
    if userid.contains('!') {
        return Err(format!(
            "`!` belongs to API token IDs; for a token choose API token access, otherwise {USER_FORMAT}"
        ));
    }
    let user_ok = !user.is_empty()
        && user.len() <= 60
        && !user
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '/');
    let realm_ok = realm.len() >= 2
        && realm.len() <= 32
        && realm.starts_with(|c: char| c.is_ascii_alphabetic())
        && realm
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if user_ok && realm_ok {
        Ok(())
    } else {
        Err(format!("`{userid}` is not a user ID; {USER_FORMAT}"))
    }
}

struct ParsedToken {
    /// `user@realm!tokenname`
    id: String,
    /// `user@realm`
    user: String,
    secret: Option<Sensitive<String>>,
}

/// `user@realm!tokenname`, optionally with the secret pasted behind it (`=` as PVE shows
/// it, `:` as PBS does, either accepted for both) and the `PVEAPIToken=` / `PBSAPIToken=`
/// header prefix.
fn parse_token(kind: ConnectionKind, raw: &str) -> Result<ParsedToken, String> {
    let format = token_format(kind);
    let mut text = raw.trim();
    if text.is_empty() {
        return Err(format!("enter the token ID; {format}"));
    }
    for prefix in ["PVEAPIToken=", "PBSAPIToken="] {
        if text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix) {
            text = text[prefix.len()..].trim_start();
        }
    }
    let Some((user, rest)) = text.split_once('!') else {
        return Err(format!("`{text}` has no `!tokenname`; {format}"));
    };
    check_userid(user).map_err(|_| format!("`{user}` is not a user ID; {format}"))?;
    let (name, secret) = match rest.find(['=', ':']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let name_ok = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !name_ok {
        return Err(format!(
            "`{name}` is not a token name (a letter, then letters, digits, `.`, `-` or `_`); {format}"
        ));
    }
    let secret = match secret.map(str::trim) {
        Some("") => {
            return Err(format!(
                "the secret after the token name is empty; {format}"
            ));
        }
        Some(s) if s.chars().any(char::is_whitespace) => {
            return Err(format!("a token secret has no spaces; {format}"));
        }
        Some(s) => Some(Sensitive::new(s.to_owned())),
        None => None,
    };
    Ok(ParsedToken {
        id: format!("{user}!{name}"),
        user: user.to_owned(),
        secret,
    })
}

/// `aa:bb…`, `AABB…` or `AA BB …` → `AA:BB:…`; `None` if it is not 32 bytes of hex.
pub(crate) fn normalize_fingerprint_text(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact
        .strip_prefix("sha256:")
        .or_else(|| compact.strip_prefix("SHA256:"))
        .unwrap_or(&compact);
    let bytes = normalize_fingerprint(compact)?;
    Some(
        bytes
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

/// `host`, `host:port`, `https://host:port/` → `https://host:port`; the port defaults to
/// the kind's. `http://` is refused (Proxmox only speaks HTTPS).
pub fn normalize_urls(kind: ConnectionKind, urls: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for raw in urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
        let url = normalize_url(kind, raw).map_err(|why| {
            AppError::fields(
                format!("`{raw}` is not a node address: {why}"),
                [("urls".to_owned(), format!("`{raw}`: {why}"))].into(),
            )
        })?;
        if !out.contains(&url) {
            out.push(url);
        }
    }
    if out.is_empty() {
        return Err(AppError::fields(
            "a connection needs at least one node address",
            [(
                "urls".to_owned(),
                format!(
                    "enter at least one node: host name or IP, optionally with :port (default {})",
                    kind.default_port()
                ),
            )]
            .into(),
        ));
    }
    Ok(out)
}

const URL_FORMAT: &str = "the format is host, host:port or https://host:port";

fn normalize_url(kind: ConnectionKind, raw: &str) -> Result<String, String> {
    let rest = if let Some(r) = raw.strip_prefix("https://") {
        r
    } else if raw.starts_with("http://") {
        return Err(format!(
            "Proxmox only answers HTTPS; use https:// (port {})",
            kind.default_port()
        ));
    } else if raw.contains("://") {
        return Err(URL_FORMAT.to_owned());
    } else {
        raw
    };
    let authority = rest.trim_end_matches('/');
    if authority.contains('/') || authority.contains('?') || authority.contains('#') {
        return Err(format!("give the node only, without a path; {URL_FORMAT}"));
    }
    if authority.contains('@') {
        return Err(format!("no user name in the address; {URL_FORMAT}"));
    }
    // [v6]:port, [v6], v6 (bare, several colons), host:port, host
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("an IPv6 address needs its closing `]`; {URL_FORMAT}"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| URL_FORMAT.to_owned())?
                    .to_owned(),
            ),
        };
        h.parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("`{h}` is not an IPv6 address"))?;
        (format!("[{h}]"), port)
    } else if authority.matches(':').count() > 1 {
        authority.parse::<std::net::Ipv6Addr>().map_err(|_| {
            format!("`{authority}` is not an IPv6 address; write it as [addr]:port")
        })?;
        (format!("[{authority}]"), None)
    } else if let Some((h, p)) = authority.split_once(':') {
        (h.to_owned(), Some(p.to_owned()))
    } else {
        (authority.to_owned(), None)
    };
    if !host.starts_with('[') {
        let ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok {
            return Err(format!("`{host}` is not a host name or IP address"));
        }
    }
    let port = match port {
        None => kind.default_port(),
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{p}` is not a port (1-65535)"))?,
    };
    Ok(format!("https://{}:{port}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(kind: ConnectionKind, s: &str) -> Result<String, String> {
        normalize_url(kind, s)
    }

    #[test]
    fn addresses_are_normalized_with_the_kinds_port() {
        use ConnectionKind::*;
        assert_eq!(
            n(Pve, "pve1.example.com").unwrap(),
            "https://pve1.example.com:8006"
        );
        assert_eq!(n(Pbs, "PBS.lan").unwrap(), "https://pbs.lan:8007");
        assert_eq!(
            n(Pve, "https://127.0.0.1:9443/").unwrap(),
            "https://127.0.0.1:9443"
        );
        assert_eq!(n(Pve, "[::1]:8006").unwrap(), "https://[::1]:8006");
        assert_eq!(n(Pve, "::1").unwrap(), "https://[::1]:8006");
        assert!(n(Pve, "http://pve1").unwrap_err().contains("HTTPS"));
        assert!(n(Pve, "pve1:99999").unwrap_err().contains("not a port"));
        assert!(n(Pve, "pve1:0").unwrap_err().contains("not a port"));
        assert!(
            n(Pve, "https://pve1:8006/api2/json")
                .unwrap_err()
                .contains("without a path")
        );
        assert!(n(Pve, "pve 1").unwrap_err().contains("not a host name"));
        assert!(n(Pve, "root@pve1").unwrap_err().contains("no user name"));
    }

    #[test]
    fn a_list_is_deduplicated_and_must_not_be_empty() {
        let urls = vec![
            "pve1".to_owned(),
            " ".to_owned(),
            "https://pve1:8006".to_owned(),
            "pve2".to_owned(),
        ];
        assert_eq!(
            normalize_urls(ConnectionKind::Pve, &urls).unwrap(),
            ["https://pve1:8006", "https://pve2:8006"]
        );
        let e = normalize_urls(ConnectionKind::Pve, &[" ".to_owned()]).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::Invalid);
        assert!(e.fields["urls"].contains("at least one node"));
    }

    const FP: &str = "3f:a1:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd";

    fn form(kind: ConnectionKind, access: AccessType) -> ConnectionInput {
        ConnectionInput {
            name: " prod ".into(),
            kind,
            urls: vec!["pve1".into()],
            access,
            username: "root@pam".into(),
            password: Some("pw".into()),
            token_id: String::new(),
            token_secret: None,
            timeout_ms: 1000,
            fingerprints: Vec::new(),
            node_order: vec![],
            enabled: true,
            pool: None,
        }
    }

    fn token_form(kind: ConnectionKind, token_id: &str, secret: Option<&str>) -> ConnectionInput {
        ConnectionInput {
            token_id: token_id.into(),
            token_secret: secret.map(str::to_owned),
            password: None,
            ..form(kind, AccessType::ApiToken)
        }
    }

    fn fields(r: Result<Validated, AppError>) -> BTreeMap<String, String> {
        let e = r.expect_err("the form is invalid");
        assert_eq!(e.code, crate::ErrorCode::Invalid);
        e.fields
    }

    use std::collections::BTreeMap;

    #[test]
    fn a_credential_form_is_trimmed_and_normalized() {
        let v = validate_new(&form(ConnectionKind::Pve, AccessType::Credential)).unwrap();
        assert_eq!(v.name, "prod");
        assert_eq!(v.urls, ["https://pve1:8006"]);
        assert_eq!(v.username, "root@pam");
        assert_eq!(v.token_id, None);
        assert_eq!(v.access(), AccessType::Credential);
        assert_eq!(v.secret.as_ref().unwrap().expose(), "pw");
        match v.auth(v.secret.as_ref().unwrap()) {
            Auth::Password {
                product: Product::Pve,
                username,
                password,
            } => assert_eq!((username.as_str(), password.as_str()), ("root@pam", "pw")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once_with_its_format() {
        let bad = ConnectionInput {
            name: "  ".into(),
            urls: vec!["http://pve1".into()],
            username: "root".into(),
            password: None,
            timeout_ms: 50,
            fingerprints: vec!["12:34".into()],
            ..form(ConnectionKind::Pve, AccessType::Credential)
        };
        let f = fields(validate_new(&bad));
        assert_eq!(
            f.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "fingerprints",
                "name",
                "password",
                "timeoutMs",
                "urls",
                "username"
            ]
        );
        assert!(
            f["username"].contains("the format is user@realm, e.g. root@pam"),
            "{}",
            f["username"]
        );
        assert!(f["urls"].contains("HTTPS"), "{}", f["urls"]);
        assert!(
            f["timeoutMs"].contains("100 to 60000"),
            "{}",
            f["timeoutMs"]
        );
        assert!(
            f["fingerprints"].contains("32 hex pairs"),
            "{}",
            f["fingerprints"]
        );
        // On edit the password may stay empty (the stored one is kept).
        assert!(!fields(validate(&bad)).contains_key("password"));
        let long = ConnectionInput {
            name: "x".repeat(65),
            ..form(ConnectionKind::Pve, AccessType::Credential)
        };
        assert!(fields(validate(&long))["name"].contains("64"));
        assert!(
            validate(&ConnectionInput {
                name: "é".repeat(64),
                ..long
            })
            .is_ok()
        );
    }

    #[test]
    fn user_ids_need_a_realm() {
        for ok in ["root@pam", "admin@pve", "j.doe@ad-corp", "a@b@ldap"] {
            assert!(check_userid(ok).is_ok(), "{ok}");
        }
        for bad in [
            "root",
            "@pam",
            "root@",
            "root@p",
            "ro ot@pam",
            "root@pam!x",
            "root@1pam",
        ] {
            assert!(check_userid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_token_id_without_bang_says_the_format() {
        let f = fields(validate_new(&token_form(
            ConnectionKind::Pve,
            "root@pam",
            Some("s"),
        )));
        assert!(
            f["tokenId"].contains("the format is user@realm!tokenname=secret"),
            "{}",
            f["tokenId"]
        );
        let f = fields(validate_new(&token_form(
            ConnectionKind::Pbs,
            "root@pam",
            Some("s"),
        )));
        assert!(
            f["tokenId"].contains("user@realm!tokenname:secret"),
            "{}",
            f["tokenId"]
        );
        for bad in [
            "root!tok",
            "root@pam!",
            "root@pam!9x",
            "root@pam!to ken",
            "root@pam!tok=",
        ] {
            let f = fields(validate_new(&token_form(
                ConnectionKind::Pve,
                bad,
                Some("s"),
            )));
            assert!(f.contains_key("tokenId"), "{bad}");
        }
    }

    #[test]
    fn a_token_and_its_secret_apart() {
        let v = validate_new(&token_form(
            ConnectionKind::Pve,
            " root@pam!proxdeck ",
            Some("test-only-secret"),
        ))
        .unwrap();
        assert_eq!(v.token_id.as_deref(), Some("root@pam!proxdeck"));
        assert_eq!(v.username, "root@pam");
        assert_eq!(v.access(), AccessType::ApiToken);
        match v.auth(v.secret.as_ref().unwrap()) {
            Auth::PveToken { id, secret } => {
                assert_eq!(id, "root@pam!proxdeck");
                assert_eq!(secret, "test-only-secret");
            }
            other => panic!("{other:?}"),
        }
        let f = fields(validate_new(&token_form(
            ConnectionKind::Pve,
            "root@pam!proxdeck",
            None,
        )));
        assert!(
            f["tokenSecret"].contains("root@pam!proxdeck"),
            "{}",
            f["tokenSecret"]
        );
        // An edit may leave it out.
        let v = validate(&token_form(
            ConnectionKind::Pve,
            "root@pam!proxdeck",
            Some(""),
        ))
        .unwrap();
        assert!(v.secret.is_none());
        let f = fields(validate_new(&token_form(
            ConnectionKind::Pve,
            "root@pam!proxdeck",
            Some("a b"),
        )));
        assert!(f["tokenSecret"].contains("no spaces"));
    }

    #[test]
    fn a_whole_token_pasted_in_either_products_form() {
        let cases = [
            (ConnectionKind::Pve, "root@pam!proxdeck=test-only-secret"),
            (
                ConnectionKind::Pve,
                "PVEAPIToken=root@pam!proxdeck=test-only-secret",
            ),
            (ConnectionKind::Pbs, "root@pam!proxdeck:test-only-secret"),
            (
                ConnectionKind::Pbs,
                "PBSAPIToken=root@pam!proxdeck:test-only-secret\n",
            ),
        ];
        for (kind, pasted) in cases {
            let v = validate_new(&token_form(kind, pasted, None)).unwrap();
            assert_eq!(v.token_id.as_deref(), Some("root@pam!proxdeck"), "{pasted}");
            assert_eq!(
                v.secret.as_ref().unwrap().expose(),
                "test-only-secret",
                "{pasted}"
            );
            let auth = v.auth(v.secret.as_ref().unwrap());
            match (kind, auth) {
                (ConnectionKind::Pve, Auth::PveToken { .. })
                | (ConnectionKind::Pbs, Auth::PbsToken { .. }) => {}
                (k, a) => panic!("{k:?} {a:?}"),
            }
        }
        // The same secret pasted and typed apart is fine; two different ones are not.
        let same = token_form(ConnectionKind::Pve, "root@pam!proxdeck=abc", Some("abc"));
        assert!(validate_new(&same).is_ok());
        let differ = token_form(ConnectionKind::Pve, "root@pam!proxdeck=abc", Some("xyz"));
        assert!(fields(validate_new(&differ))["tokenSecret"].contains("another secret"));
    }

    #[test]
    fn a_fingerprint_is_normalized_from_any_spelling() {
        let want = FP.to_ascii_uppercase();
        for given in [
            FP.to_owned(),
            FP.replace(':', ""),
            FP.to_ascii_uppercase(),
            format!(" {} ", FP.replace(':', " ")),
        ] {
            let v = validate(&ConnectionInput {
                fingerprints: vec![given.clone()],
                ..form(ConnectionKind::Pve, AccessType::Credential)
            })
            .unwrap();
            assert_eq!(v.fingerprints, std::slice::from_ref(&want), "{given}");
        }
        // Blank lines go, duplicates (in any spelling) are kept once, order stays.
        let other = "11:".repeat(31) + "11";
        let v = validate(&ConnectionInput {
            fingerprints: vec!["  ".into(), FP.into(), other.clone(), FP.replace(':', "")],
            ..form(ConnectionKind::Pve, AccessType::Credential)
        })
        .unwrap();
        assert_eq!(v.fingerprints, [want.clone(), other]);
        for bad in [&FP[..FP.len() - 3], "zz:", &format!("{FP}:00")] {
            let f = fields(validate(&ConnectionInput {
                fingerprints: vec![FP.into(), bad.to_owned()],
                ..form(ConnectionKind::Pve, AccessType::Credential)
            }));
            assert!(f["fingerprints"].contains("AA:BB"), "{bad}");
            assert!(f["fingerprints"].contains(bad.trim()), "{bad}");
        }
    }

    #[test]
    fn node_order_is_trimmed_and_deduplicated() {
        let v = validate(&ConnectionInput {
            node_order: vec![" pve2".into(), "pve1".into(), "".into(), "pve2 ".into()],
            ..form(ConnectionKind::Pve, AccessType::Credential)
        })
        .unwrap();
        assert_eq!(v.node_order, ["pve2", "pve1"]);
    }

    #[test]
    fn a_pbs_login_uses_the_pbs_ticket() {
        let v = validate_new(&form(ConnectionKind::Pbs, AccessType::Credential)).unwrap();
        assert_eq!(v.urls, ["https://pve1:8007"]);
        assert!(matches!(
            v.auth(v.secret.as_ref().unwrap()),
            Auth::Password {
                product: Product::Pbs,
                ..
            }
        ));
    }
}
