//! What can go wrong talking to a node, each case worded to say what to do.

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
    #[error("permission denied: {message}")]
    Forbidden { message: String },
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
