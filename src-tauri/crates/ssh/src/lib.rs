//! SSH sessions to cluster nodes (russh): host-key trust on first use, exec, fan-out.
//!
//! Filled by a later issue; the crate exists now so the workspace has its final shape.
