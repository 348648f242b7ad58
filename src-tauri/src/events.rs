//! Typed events to the UI: each core event becomes a tauri-specta event.

use proxdeck_core::events::{Coalescer, CoreEvent, EventSink, HealthChange};
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

/// Tasks started from Proxdeck began or ended: show them in the task bar at once. One task
/// comes alone and at once; a burst (a bulk action) comes gathered, each task once in its
/// latest state, at most one list per [`TASK_EVENTS_WINDOW`].
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct TasksUpdated(pub Vec<TrackedTask>);

/// How long task updates are gathered after one was sent. Each event costs the web view a
/// script evaluation: a bulk start of 500 guests sent 1,000 of them one by one, and the window
/// stalled for up to a third of a second at a time (BENCHMARKS.md, window bench part 4).
pub const TASK_EVENTS_WINDOW: std::time::Duration = std::time::Duration::from_millis(200);

pub struct TauriEvents {
    handle: tauri::AppHandle,
    tasks: Coalescer<TrackedTask>,
}

impl TauriEvents {
    pub fn new(handle: tauri::AppHandle) -> Self {
        let sender = handle.clone();
        let tasks = Coalescer::new(
            TASK_EVENTS_WINDOW,
            tauri::async_runtime::handle().inner().clone(),
            move |updates| {
                let updates = proxdeck_core::tracked::latest_per_task(updates);
                if let Err(e) = TasksUpdated(updates).emit(&sender) {
                    tracing::warn!(error = %e, "could not send task updates to the window");
                }
            },
        );
        Self { handle, tasks }
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
            CoreEvent::TaskUpdated(task) => {
                self.tasks.push(task);
                Ok(())
            }
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
