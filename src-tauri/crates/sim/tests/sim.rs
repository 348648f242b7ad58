//! proxdeck-sim from the outside: a real HTTPS client against the served listeners.

#[path = "sim/common.rs"]
mod common;

#[path = "sim/auth.rs"]
mod auth;
#[path = "sim/guests.rs"]
mod guests;
#[path = "sim/server.rs"]
mod server;
