//! The Proxmox VE and Backup Server REST client: authentication, TLS trust, failover and
//! PVE's errors as types.
//!
//! - Authentication: API tokens (`PVEAPIToken=user@realm!id=secret`, PBS
//!   `PBSAPIToken=user@realm!id:secret`, read from pasted text by
//!   [`Auth::pve_token_from_str`] / [`Auth::pbs_token_from_str`]) or ticket logins with a
//!   second factor (TOTP, recovery key), the CSRF token on every non-GET, renewal before
//!   the 2 h expiry and one silent re-login on a 401.
//! - Trust: the system's roots or a pinned SHA-256 fingerprint (`AA:BB:…`, any case,
//!   colons optional); never "accept anything". [`probe()`] shows what a node presents
//!   before anything is trusted; a certificate the system does not trust is
//!   [`PveError::UntrustedCertificate`], a pin that no longer matches is
//!   [`PveError::CertificateMismatch`].
//! - Failover: the connection's node URLs in order, then the cluster's other nodes learned
//!   with [`PveClient::learn_nodes`], remembering which node answered. Each attempt is
//!   bounded by the connection's timeout ([`DEFAULT_TIMEOUT`]); a request that may have
//!   reached a node is only repeated elsewhere when it is a GET.
//! - Errors: [`PveError`] names the node and says what to do: unreachable (refused, reset,
//!   timed out, 595/596), a 400's per-field messages, a 403's missing privilege, and a
//!   server that is not a Proxmox API or sent damaged JSON, never a panic.
//!
//! Typed endpoints come next; [`PveClient::get`] and friends return the answer's `data`.

mod auth;
mod client;
mod error;
mod probe;
mod tls;
mod transport;

pub use auth::{Auth, PBS_TOKEN_FORMAT, PVE_TOKEN_FORMAT, Product};
pub use client::{
    DEFAULT_TIMEOUT, Login, PveClient, RENEW_AFTER, SecondFactor, Stats, percent_decode,
    percent_encode,
};
pub use error::PveError;
pub use probe::{PresentedCertificate, probe};
pub use tls::{Trust, fingerprint_of, normalize_fingerprint};
