//! The Proxmox VE and Backup Server REST client: authentication (tickets, API tokens),
//! TLS verification and pinning, failover across node URLs and typed endpoints.
//!
//! What exists so far is the transport the demo datacenter needs: HTTPS with a pinned
//! certificate fingerprint (PVE's and PBS's trust model for self-signed nodes), API-token
//! authentication, and PVE's response envelope. Ticket login, failover and the typed
//! endpoints come with the "Connections and trust" issue.

mod client;
mod error;
mod tls;

pub use client::{Auth, PveClient};
pub use error::PveError;
pub use tls::{Trust, fingerprint_of, normalize_fingerprint};
