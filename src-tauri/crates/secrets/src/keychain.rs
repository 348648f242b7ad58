//! Secrets by (owner, kind) in the OS credential store, through `keyring`.

use std::fmt;

use crate::Sensitive;

/// Which secret of an owner (a connection, an SSH identity) an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    /// The password of a user@realm login.
    Password,
    /// The secret half of an API token.
    TokenSecret,
    /// The TOTP seed of a login's second factor, when the user chose to keep it.
    TotpSeed,
    /// An SSH private key (OpenSSH PEM).
    SshPrivateKey,
    /// The passphrase of that key.
    SshPassphrase,
}

impl SecretKind {
    pub const ALL: [SecretKind; 5] = [
        SecretKind::Password,
        SecretKind::TokenSecret,
        SecretKind::TotpSeed,
        SecretKind::SshPrivateKey,
        SecretKind::SshPassphrase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::TokenSecret => "token-secret",
            SecretKind::TotpSeed => "totp-seed",
            SecretKind::SshPrivateKey => "ssh-private-key",
            SecretKind::SshPassphrase => "ssh-passphrase",
        }
    }
}

/// What the store keeps instead of a secret: where in the keychain to find it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretRef {
    pub owner: String,
    pub kind: SecretKind,
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.owner, self.kind.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The keychain could not be reached or refused the operation. The message says how
    /// to fix it; it never contains the secret.
    #[error("{message}")]
    Keychain { message: String },
    #[error("`{owner}` is not a usable secret owner: {reason}")]
    InvalidOwner { owner: String, reason: &'static str },
}

/// The OS keychain, under one service name. The app uses `proxdeck`; tests use their own
/// name so they never touch a user's entries.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    pub const APP_SERVICE: &'static str = "proxdeck";

    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Stores `secret` as `kind` of `owner`, replacing any previous value.
    pub fn set(
        &self,
        owner: &str,
        kind: SecretKind,
        secret: &Sensitive<String>,
    ) -> Result<SecretRef, SecretsError> {
        self.entry(owner, kind)?
            .set_password(secret.expose())
            .map_err(|e| keychain_error("store a secret in", e))?;
        Ok(SecretRef {
            owner: owner.to_owned(),
            kind,
        })
    }

    /// The secret stored as `kind` of `owner`, or `None` when there is none.
    pub fn get(
        &self,
        owner: &str,
        kind: SecretKind,
    ) -> Result<Option<Sensitive<String>>, SecretsError> {
        match self.entry(owner, kind)?.get_password() {
            Ok(s) => Ok(Some(Sensitive::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error("read a secret from", e)),
        }
    }

    /// Removes the secret; `Ok(false)` when there was none.
    pub fn delete(&self, owner: &str, kind: SecretKind) -> Result<bool, SecretsError> {
        match self.entry(owner, kind)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keychain_error("delete a secret from", e)),
        }
    }

    /// Removes every kind of secret of `owner` (used when a connection is removed) and
    /// returns how many there were.
    pub fn delete_all(&self, owner: &str) -> Result<usize, SecretsError> {
        let mut removed = 0;
        for kind in SecretKind::ALL {
            if self.delete(owner, kind)? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn entry(&self, owner: &str, kind: SecretKind) -> Result<keyring::Entry, SecretsError> {
        if owner.is_empty() {
            return Err(SecretsError::InvalidOwner {
                owner: owner.to_owned(),
                reason: "it is empty",
            });
        }
        let account = SecretRef {
            owner: owner.to_owned(),
            kind,
        }
        .to_string();
        keyring::Entry::new(&self.service, &account).map_err(|e| keychain_error("address", e))
    }
}

/// Turns a keyring failure into a message that says what to do. The keyring error text is
/// kept as the cause; none of keyring's errors carry the secret itself.
fn keychain_error(doing: &str, e: keyring::Error) -> SecretsError {
    let cause = e.to_string();
    let fix = match &e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => PLATFORM_FIX,
        keyring::Error::BadEncoding(_) => {
            "The stored value is not text; remove it in your keychain tool and enter the secret again."
        }
        keyring::Error::TooLong(..) | keyring::Error::Invalid(..) => {
            "This is a bug in Proxdeck; please report it with the log file."
        }
        _ => PLATFORM_FIX,
    };
    SecretsError::Keychain {
        message: format!(
            "Proxdeck could not {doing} the OS keychain ({cause}). {fix} Proxdeck never keeps secrets in a plain file instead."
        ),
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
const PLATFORM_FIX: &str = "Proxdeck needs a Secret Service on the session bus: start and unlock GNOME Keyring (package gnome-keyring) or KWallet, or enable KeePassXC's Secret Service integration, then try again.";
#[cfg(target_os = "macos")]
const PLATFORM_FIX: &str =
    "Unlock the login keychain in Keychain Access and allow Proxdeck to use it, then try again.";
#[cfg(target_os = "windows")]
const PLATFORM_FIX: &str =
    "Check that Windows Credential Manager is available for your account, then try again.";
