//! What can go wrong talking to a node, each case worded to say what to do.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum PveError {
    #[error(
        "{url} did not answer: {reason}. Check that the node is up and reachable from this machine"
    )]
    Unreachable { url: String, reason: String },
    #[error(
        "{url} presented a certificate that does not match the pinned fingerprint ({presented}). If the node's certificate was renewed on purpose, compare the new fingerprint with the node's Certificates panel and trust it again"
    )]
    CertificateMismatch { url: String, presented: String },
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
    #[error("{url} sent an answer that is not the API Proxdeck knows ({context})")]
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
