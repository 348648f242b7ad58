//! The one error type that crosses the IPC boundary.
//!
//! Inside the crates errors are precise `thiserror` enums; here they become an [`AppError`]
//! whose `code` is the small set of cases the UI branches on, and whose `message` tells the
//! user what happened and what to do. Messages never carry secrets.

use serde::Serialize;
use specta::Type;

/// What kind of failure this is, for the UI to choose its reaction (retry, ask to trust a
/// certificate, show a permission hint, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum ErrorCode {
    /// No node of the cluster answered in time.
    Unreachable,
    /// The login or token was refused, or the ticket expired and could not be renewed.
    Unauthorized,
    /// The login lacks a privilege on a path.
    MissingPrivilege,
    /// The server's certificate is not trusted (yet) or no longer matches its pin.
    UntrustedCertificate,
    /// A node's SSH host key differs from the one trusted before.
    HostKeyChanged,
    /// The object asked for does not exist.
    NotFound,
    /// The input is malformed; the message names the field and the expected format.
    Invalid,
    /// The object changed underneath (digest mismatch, lock, duplicate).
    Conflict,
    /// The OS keychain is unavailable or refused the operation.
    Keychain,
    /// The local database could not be opened, migrated or written.
    Storage,
    /// A server answered something that is not the API we know.
    Protocol,
    /// The user cancelled the operation.
    Cancelled,
    /// A bug: something that should not happen did.
    Internal,
}

/// The error every command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    /// One or two sentences for the user: what happened, what to do.
    pub message: String,
    /// Optional technical detail (the underlying error), shown folded.
    pub detail: Option<String>,
    /// Per-field messages for a form (`Invalid`), keyed by the input's camelCase field name.
    pub fields: std::collections::BTreeMap<String, String>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
            fields: Default::default(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// An `Invalid` error for a form: one message per bad field.
    pub fn fields(
        message: impl Into<String>,
        fields: std::collections::BTreeMap<String, String>,
    ) -> Self {
        let mut e = Self::new(ErrorCode::Invalid, message);
        e.fields = fields;
        e
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl From<proxdeck_store::StoreError> for AppError {
    fn from(e: proxdeck_store::StoreError) -> Self {
        match e {
            proxdeck_store::StoreError::DuplicateName { .. } => {
                AppError::fields(e.to_string(), [("name".to_owned(), e.to_string())].into())
            }
            e => AppError::new(ErrorCode::Storage, e.to_string()),
        }
    }
}

impl From<proxdeck_secrets::SecretsError> for AppError {
    fn from(e: proxdeck_secrets::SecretsError) -> Self {
        match e {
            proxdeck_secrets::SecretsError::Keychain { message } => {
                AppError::new(ErrorCode::Keychain, message)
            }
            other @ proxdeck_secrets::SecretsError::InvalidOwner { .. } => {
                AppError::new(ErrorCode::Invalid, other.to_string())
            }
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::internal("a background step stopped unexpectedly").with_detail(e.to_string())
    }
}

impl From<proxdeck_pve::PveError> for AppError {
    fn from(e: proxdeck_pve::PveError) -> Self {
        use proxdeck_pve::PveError as P;
        let code = match &e {
            P::Unreachable { .. } => ErrorCode::Unreachable,
            P::CertificateMismatch { .. } | P::UntrustedCertificate { .. } => {
                ErrorCode::UntrustedCertificate
            }
            P::Unauthorized { .. } | P::SecondFactorRequired => ErrorCode::Unauthorized,
            P::Forbidden { .. } | P::MissingPrivilege { .. } => ErrorCode::MissingPrivilege,
            P::Invalid { .. } => ErrorCode::Invalid,
            P::Http { status: 404, .. } => ErrorCode::NotFound,
            P::Http { status: 400, .. } | P::Config(_) => ErrorCode::Invalid,
            P::Http { .. } => ErrorCode::Internal,
            P::Protocol { .. } => ErrorCode::Protocol,
        };
        let fields = match &e {
            P::Invalid { fields, .. } => fields.clone(),
            _ => Default::default(),
        };
        let mut out = AppError::new(code, e.to_string());
        out.fields = fields;
        out
    }
}
