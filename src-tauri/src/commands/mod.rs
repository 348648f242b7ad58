//! Tauri commands: one line each, from IPC to `proxdeck-core`.

pub mod app;
pub mod connections;
pub mod guest_ops;
pub mod guests;
pub mod inventory;
pub mod monitor;
pub mod pbs;
pub mod permissions;
pub mod settings;
pub mod tasks;
