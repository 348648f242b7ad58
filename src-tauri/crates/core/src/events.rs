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

/// Gathers a burst of items into few deliveries: the first item after a quiet moment goes out
/// at once; those that follow within `window` of a delivery are gathered and delivered
/// together when the window ends. So one task shows at once, and a bulk action's thousand
/// task events reach the window as a few lists rather than a thousand messages (each of which
/// costs the web view a script evaluation).
pub struct Coalescer<T> {
    state: std::sync::Arc<std::sync::Mutex<CoalescerState<T>>>,
    window: std::time::Duration,
    deliver: std::sync::Arc<dyn Fn(Vec<T>) + Send + Sync>,
    runtime: tokio::runtime::Handle,
}

struct CoalescerState<T> {
    pending: Vec<T>,
    scheduled: bool,
    last: Option<tokio::time::Instant>,
}

impl<T: Send + 'static> Coalescer<T> {
    /// `runtime` runs the delayed deliveries; `deliver` is called with at least one item.
    pub fn new(
        window: std::time::Duration,
        runtime: tokio::runtime::Handle,
        deliver: impl Fn(Vec<T>) + Send + Sync + 'static,
    ) -> Self {
        Self {
            state: std::sync::Arc::new(std::sync::Mutex::new(CoalescerState {
                pending: Vec::new(),
                scheduled: false,
                last: None,
            })),
            window,
            deliver: std::sync::Arc::new(deliver),
            runtime,
        }
    }

    pub fn push(&self, item: T) {
        let now = tokio::time::Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let quiet = state
            .last
            .is_none_or(|t| now.duration_since(t) >= self.window);
        if quiet && !state.scheduled {
            state.last = Some(now);
            drop(state);
            (self.deliver)(vec![item]);
            return;
        }
        state.pending.push(item);
        if state.scheduled {
            return;
        }
        state.scheduled = true;
        let due = state.last.map_or(now, |t| t + self.window);
        drop(state);
        let shared = std::sync::Arc::clone(&self.state);
        let deliver = std::sync::Arc::clone(&self.deliver);
        self.runtime.spawn(async move {
            tokio::time::sleep_until(due).await;
            let items = {
                let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                state.scheduled = false;
                state.last = Some(tokio::time::Instant::now());
                std::mem::take(&mut state.pending)
            };
            if !items.is_empty() {
                deliver(items);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    type Seen = Arc<Mutex<Vec<(u128, Vec<u32>)>>>;

    fn coalescer(window_ms: u64) -> (Coalescer<u32>, Seen) {
        let seen: Seen = Arc::default();
        let start = tokio::time::Instant::now();
        let sink = Arc::clone(&seen);
        let c = Coalescer::new(
            Duration::from_millis(window_ms),
            tokio::runtime::Handle::current(),
            move |items| {
                sink.lock()
                    .unwrap()
                    .push((start.elapsed().as_millis(), items));
            },
        );
        (c, seen)
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_item_goes_at_once_and_a_burst_goes_as_one_list_per_window() {
        let (c, seen) = coalescer(200);
        c.push(1);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(0, vec![1])],
            "the first at once"
        );
        // A burst right after: nothing now, all of it when the window ends.
        for i in 2..=500 {
            c.push(i);
        }
        assert_eq!(seen.lock().unwrap().len(), 1);
        tokio::time::sleep(Duration::from_millis(150)).await;
        for i in 501..=1000 {
            c.push(i);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        {
            let seen = seen.lock().unwrap();
            assert_eq!(
                seen.len(),
                2,
                "{:?}",
                seen.iter().map(|s| s.0).collect::<Vec<_>>()
            );
            assert_eq!(seen[1].0, 200, "delivered when the window ends");
            assert_eq!(seen[1].1, (2..=1000).collect::<Vec<_>>(), "all, in order");
        }
        // Still within a window of that delivery: gathered again.
        tokio::time::sleep(Duration::from_millis(50)).await;
        c.push(1001);
        assert_eq!(seen.lock().unwrap().len(), 2);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(seen.lock().unwrap()[2], (400, vec![1001]));
        // After a quiet window: at once again.
        tokio::time::sleep(Duration::from_millis(500)).await;
        c.push(1002);
        assert_eq!(seen.lock().unwrap()[3], (1000, vec![1002]));
    }
}
