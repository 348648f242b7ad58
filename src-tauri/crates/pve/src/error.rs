//! What can go wrong talking to a node, each case worded to say what to do.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum PveError {
    /// No usable answer: refused, reset, timed out, or (595/596) the node could not reach
    /// the node the request was for. `url` is the node's base URL (all of them, comma
    /// separated, when every node of a connection failed); `reason` continues the sentence
    /// that starts with `url`: what happened and what to check.
    #[error("{url} {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "{url} presented a certificate that does not match the pinned fingerprint ({presented}). If the node's certificate was renewed on purpose, compare the new fingerprint with the node's Certificates panel and trust it again"
    )]
    CertificateMismatch { url: String, presented: String },
    /// The certificate does not chain to this system's roots (self-signed, expired, or
    /// for another name). [`crate::probe()`] shows what the node presents so the user can
    /// compare and pin it.
    #[error(
        "the certificate of {url} is not trusted by this system ({reason}). Compare its fingerprint with the one in the node's Certificates panel and pin it"
    )]
    UntrustedCertificate { url: String, reason: String },
    #[error(
        "the login or API token was refused by {url}; check the credentials and that the token is not expired"
    )]
    Unauthorized { url: String },
    #[error("this login needs its second factor (TOTP code or recovery key)")]
    SecondFactorRequired,
    #[error("permission denied: {message}")]
    Forbidden { message: String },
    /// PVE's "Permission check failed (/vms/100, VM.PowerMgmt)", taken apart.
    #[error(
        "this login lacks {privilege} on {path}. Ask an administrator for a role with {privilege} on {path}"
    )]
    MissingPrivilege { path: String, privilege: String },
    /// A 400 with PVE's per-parameter messages.
    #[error("{message}{}", fields.iter().map(|(k, v)| format!(" {k}: {v}.")).collect::<String>())]
    Invalid {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("{url} answered {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },
    /// The node answered something that is not the API: not HTTPS, not Proxmox, or
    /// invalid or truncated JSON. `context` continues the sentence that starts with `url`.
    #[error("{url} {context}")]
    Protocol { url: String, context: String },
    #[error("invalid connection settings: {0}")]
    Config(String),
}

impl PveError {
    /// A 403: PVE's permission message becomes `MissingPrivilege` when it has that shape.
    pub fn forbidden(message: String) -> Self {
        let parsed = message
            .strip_prefix("Permission check failed (")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|inner| inner.split_once(", "))
            .map(|(path, privilege)| (path.to_owned(), privilege.to_owned()));
        match parsed {
            Some((path, privilege)) => PveError::MissingPrivilege { path, privilege },
            None => PveError::Forbidden { message },
        }
    }
}
