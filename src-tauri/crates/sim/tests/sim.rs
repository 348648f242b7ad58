//! proxdeck-sim from the outside: a real HTTPS client against the served listeners.

#[path = "sim/common.rs"]
mod common;

#[path = "sim/access_admin.rs"]
mod access_admin;
#[path = "sim/auth.rs"]
mod auth;
#[path = "sim/binary.rs"]
mod binary;
#[path = "sim/conformance.rs"]
mod conformance;
#[path = "sim/guests.rs"]
mod guests;
#[path = "sim/lifecycle.rs"]
mod lifecycle;
#[path = "sim/observe.rs"]
mod observe;
#[path = "sim/pbs.rs"]
mod pbs;
#[path = "sim/pending.rs"]
mod pending;
#[path = "sim/server.rs"]
mod server;
