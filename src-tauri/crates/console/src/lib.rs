//! The loopback WebSocket relay that connects noVNC and xterm.js windows to a node's
//! `vncwebsocket`, and the SPICE `.vv` hand-off.
//!
//! Filled by the consoles issue; the crate exists now so the workspace has its final shape.
