//! Events the core pushes to whoever shows them (the UI through the shell, or a test).
//!
//! The core does not know how they travel; the shell turns each into a typed Tauri event.

use crate::connections::HealthState;
use crate::inventory::InventoryDelta;
use crate::settings::Settings;

#[derive(Debug, Clone, PartialEq)]
pub enum CoreEvent {
    /// The settings changed (from this window or another).
    SettingsChanged(Settings),
    /// A connection was added, changed, enabled, disabled or removed.
    ConnectionsChanged,
    /// A connection's health changed.
    HealthChanged(HealthChange),
    /// A cluster's inventory changed (resources, or its stale / error state).
    InventoryChanged(InventoryDelta),
    /// A task started from Proxdeck began or ended.
    TaskUpdated(crate::tracked::TrackedTask),
    /// A desktop notification to show: tasks that failed or ran long, gathered over
    /// [`crate::tracked::NOTIFY_BATCH`].
    Notification { title: String, body: String },
}

/// A connection's health moved from one state to another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthChange {
    pub connection_id: String,
    pub name: String,
    pub from: HealthState,
    pub to: HealthState,
    /// When the new state began (RFC 3339).
    pub since: String,
    /// When the previous state began, if known (for "back since …, down since …").
    pub previous_since: Option<String>,
    pub message: Option<String>,
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
