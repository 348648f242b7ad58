//! The Proxmox VE and Backup Server REST client: authentication (tickets, API tokens),
//! TLS verification and pinning, failover across node URLs and typed endpoints.
//!
//! What exists so far: HTTPS with a pinned certificate fingerprint (PVE's and PBS's trust
//! model for self-signed nodes), API tokens and ticket logins (TFA, CSRF, renewal, one
//! re-login on 401), failover across node URLs, and PVE's errors as types. The certificate
//! probe shows what a node presents before it is trusted. Typed endpoints come next with the "Connections and trust" issue.

mod client;
mod error;
mod probe;
mod tls;

pub use client::{Auth, Login, Product, PveClient, RENEW_AFTER, SecondFactor, Stats};
pub use error::PveError;
pub use probe::{PresentedCertificate, probe};
pub use tls::{Trust, fingerprint_of, normalize_fingerprint};
