//! Proxdeck's application layer: one plain async function per thing the app can do.
//!
//! The Tauri shell calls these in one-line commands; tests call them directly with a
//! [`Ctx`] built on a temporary directory. Nothing here knows Tauri exists: events leave
//! through the [`events::EventSink`] the shell provides.

pub mod app;
pub mod audit;
pub mod connections;
pub mod context;
pub mod demo;
pub mod error;
pub mod events;
pub mod guests;
pub mod inventory;
pub mod monitor;
pub mod paths;
pub mod pbs;
pub mod permissions;
pub mod settings;
pub mod tasks;
pub mod tokens;
pub mod tracked;

pub use context::Ctx;
pub use error::{AppError, ErrorCode};
