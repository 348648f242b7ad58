//! The Proxmox VE and Backup Server REST client: authentication (tickets, API tokens),
//! TLS verification and pinning, failover across node URLs and typed endpoints.
//!
//! Filled by the "Connections and trust" issue; the crate exists now so the workspace has
//! its final shape and the dependency rules can be checked from the start.
