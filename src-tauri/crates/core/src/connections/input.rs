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
    let _ = (kind, urls);
    todo!("helper A")
}
