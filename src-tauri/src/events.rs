//! Typed events to the UI: each core event becomes a tauri-specta event.

use proxdeck_core::events::{CoreEvent, EventSink, HealthChange};
use proxdeck_core::inventory::InventoryDelta;
use proxdeck_core::settings::Settings;
use proxdeck_core::tracked::TrackedTask;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// The settings changed; the payload is what is now in force.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SettingsChanged(pub Settings);

/// A connection was added, changed, enabled, disabled or removed: refetch the list.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct ConnectionsChanged;

/// A connection's health changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct HealthChanged(pub HealthChange);

/// What changed in a cluster's inventory: apply it to the tree.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct InventoryChanged(pub InventoryDelta);

/// A task started from Proxdeck began or ended: show it in the task bar at once.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct TaskUpdated(pub TrackedTask);

pub struct TauriEvents {
    handle: tauri::AppHandle,
}

impl TauriEvents {
    pub fn new(handle: tauri::AppHandle) -> Self {
        Self { handle }
    }
}

impl EventSink for TauriEvents {
    fn emit(&self, event: CoreEvent) {
        let sent = match event {
            CoreEvent::SettingsChanged(s) => SettingsChanged(s).emit(&self.handle),
            CoreEvent::ConnectionsChanged => ConnectionsChanged.emit(&self.handle),
            CoreEvent::HealthChanged(change) => {
                crate::notify::health(&self.handle, &change);
                HealthChanged(change).emit(&self.handle)
            }
            CoreEvent::InventoryChanged(delta) => InventoryChanged(delta).emit(&self.handle),
            CoreEvent::TaskUpdated(task) => TaskUpdated(task).emit(&self.handle),
            CoreEvent::Notification { title, body } => {
                crate::notify::show(&self.handle, title, body);
                Ok(())
            }
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not send an event to the window");
        }
    }
}
