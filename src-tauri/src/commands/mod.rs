//! Tauri commands: one line each, from IPC to `proxdeck-core`.

pub mod app;
pub mod connections;
pub mod settings;
