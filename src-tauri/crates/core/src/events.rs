//! Events the core pushes to whoever shows them (the UI through the shell, or a test).
//!
//! The core does not know how they travel; the shell turns each into a typed Tauri event.

use crate::settings::Settings;

#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    /// The settings changed (from this window or another).
    SettingsChanged(Settings),
}

pub trait EventSink: Send + Sync {
    fn emit(&self, event: CoreEvent);
}

/// A sink that drops everything, for contexts with nobody listening (CLI tools).
#[derive(Debug, Default)]
pub struct Discard;

impl EventSink for Discard {
    fn emit(&self, _event: CoreEvent) {}
}
