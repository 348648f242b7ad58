//! Checking the form: each bad field gets a message that says the expected format.

use proxdeck_pve::Auth;
use proxdeck_secrets::Sensitive;

use super::{ConnectionInput, ConnectionKind};
use crate::AppError;

/// A checked form: normalized URLs, the parsed token, the pinned fingerprint in `AA:BB:…`.
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
    pub fingerprint: Option<String>,
    pub node_order: Vec<String>,
    pub enabled: bool,
}

impl Validated {
    /// The client's authentication, with `secret` (the form's or the keychain's).
    pub fn auth(&self, secret: &Sensitive<String>) -> Auth {
        let _ = secret;
        todo!("helper A")
    }
}

/// Checks every field; the error is `Invalid` with one message per bad field in
/// `AppError::fields` (keys are `ConnectionInput`'s camelCase field names).
pub fn validate(input: &ConnectionInput) -> Result<Validated, AppError> {
    let _ = input;
    todo!("helper A")
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
}
