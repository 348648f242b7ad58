//! A Proxmox VE / Backup Server API simulator over HTTPS on loopback, for tests,
//! benchmarks and the app's demo datacenter.
//!
//! Filled by the simulator issue; the crate exists now so the workspace has its final shape.
