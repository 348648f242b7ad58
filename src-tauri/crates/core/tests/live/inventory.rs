//! Live cases: the inventory refresh engine and its offline cache against the simulator.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proxdeck_core::Ctx;
use proxdeck_core::connections::{self, ConnectionInput};
use proxdeck_core::events::CoreEvent;
use proxdeck_core::inventory::{self, ConnectionInventory, InventoryDelta, RefresherOptions};
use proxdeck_sim::scenario::GuestStatus;
use proxdeck_sim::{Fault, FaultRule, Sim};

use crate::common::{Case, Recorder, open_ctx, sim, test_ctx};

/// A token connection named `name` to the sim's cluster `index`, its certificate pinned.
fn input_for(sim: &Sim, index: usize, name: &str) -> ConnectionInput {
    let c = &sim.clusters[index];
    ConnectionInput {
        urls: vec![c.base_url()],
        token_id: sim.credentials(&c.sim.name).token.unwrap(),
        fingerprints: vec![c.fingerprint()],
        ..crate::common::token_connection(sim, name)
    }
}

fn deltas(events: &Recorder, id: &str) -> Vec<InventoryDelta> {
    events
        .events()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::InventoryChanged(d) if d.connection_id == id => Some(d),
            _ => None,
        })
        .collect()
}

async fn snapshot_of(ctx: &Ctx, id: &str) -> ConnectionInventory {
    inventory::snapshot(ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.connection_id == id)
        .unwrap_or_else(|| panic!("{id} is not in the snapshot"))
}

/// Stops the first running guest of the sim's cluster `index`; returns its resource id.
fn stop_a_guest(sim: &Sim, index: usize) -> String {
    let mut state = sim.clusters[index].sim.state();
    let g = state
        .guests
        .values_mut()
        .find(|g| g.running())
        .expect("a running guest");
    g.spec.status = GuestStatus::Stopped;
    g.started_at = None;
    format!("{}/{}", g.kind_str(), g.spec.vmid)
}

fn reset_all(sim: &Sim, index: usize) {
    sim.clusters[index]
        .faults()
        .add(FaultRule::new("", Fault::Reset));
}

pub const CASES: &[Case] = &[
    (
        "inv_a_failing_cluster_is_stale_and_does_not_delay_the_other",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let a = connections::add(&t.ctx, input_for(&sim, 0, "inv-a"))
                    .await
                    .unwrap();
                let b = connections::add(&t.ctx, input_for(&sim, 1, "inv-b"))
                    .await
                    .unwrap();
                let first = inventory::refresh_once(&t.ctx).await.unwrap();
                assert_eq!((first.connections, first.requests, first.failed), (2, 2, 0));
                let b_before = snapshot_of(&t.ctx, &b.id).await;
                assert!(!b_before.stale && !b_before.resources.is_empty());
                assert!(b_before.fetched_at.is_some());
                // First fetch: everything is added.
                let d = deltas(&t.events, &a.id);
                assert_eq!(d.len(), 1, "{d:?}");
                assert!(!d[0].added.is_empty() && !d[0].stale);

                // B hangs past its 1 s timeout; A changes and must be announced long before.
                sim.clusters[1]
                    .faults()
                    .add(FaultRule::new("", Fault::Latency { ms: 3000 }));
                let stopped = stop_a_guest(&sim, 0);
                let started = Instant::now();
                let ctx = Arc::clone(&t.ctx);
                let refresh = tokio::spawn(async move { inventory::refresh_once(&ctx).await });
                let a_seen = loop {
                    if deltas(&t.events, &a.id).len() >= 2 {
                        break started.elapsed();
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(5),
                        "A never announced"
                    );
                    tokio::time::sleep(Duration::from_millis(5)).await;
                };
                let report = refresh.await.unwrap().unwrap();
                let total = started.elapsed();
                assert_eq!((report.requests, report.failed), (2, 1), "{report:?}");
                assert!(
                    a_seen < Duration::from_millis(700) && total >= Duration::from_millis(900),
                    "A after {a_seen:?}, the refresh after {total:?}"
                );
                let a_delta = deltas(&t.events, &a.id).pop().unwrap();
                assert!(!a_delta.stale && a_delta.error.is_none());
                assert!(
                    a_delta
                        .changed
                        .iter()
                        .any(|r| r.id == stopped && r.status.as_deref() == Some("stopped")),
                    "{:?}",
                    a_delta.changed
                );
                assert!(a_delta.added.is_empty() && a_delta.removed.is_empty());

                // B: stale, with why, its last-known resources kept.
                let b_delta = deltas(&t.events, &b.id).pop().unwrap();
                assert!(b_delta.stale && b_delta.error.is_some(), "{b_delta:?}");
                assert!(b_delta.added.is_empty() && b_delta.changed.is_empty());
                let b_after = snapshot_of(&t.ctx, &b.id).await;
                assert!(b_after.stale && b_after.error.is_some());
                assert_eq!(b_after.resources, b_before.resources);
                assert_eq!(b_after.fetched_at, b_before.fetched_at);
                // Still failing the same way: no new event for B.
                let count = deltas(&t.events, &b.id).len();
                sim.clusters[1].faults().clear();
                reset_all(&sim, 1);
                inventory::refresh_once(&t.ctx).await.unwrap();
                let c2 = deltas(&t.events, &b.id).len();
                inventory::refresh_once(&t.ctx).await.unwrap();
                assert_eq!(deltas(&t.events, &b.id).len(), c2);
                assert!(c2 <= count + 1);
            })
        },
    ),
    (
        "inv_cache_is_read_back_after_a_restart_before_any_refresh",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let a = connections::add(&t.ctx, input_for(&sim, 0, "inv-cache"))
                    .await
                    .unwrap();
                inventory::refresh_once(&t.ctx).await.unwrap();
                let fresh = snapshot_of(&t.ctx, &a.id).await;
                assert!(!fresh.stale && fresh.fetched_at.is_some());
                let dir = t.dir.path().to_path_buf();
                drop(t.ctx);

                // A restart with the cluster unreachable: the cache paints it, stale.
                reset_all(&sim, 0);
                let (ctx, events) = open_ctx(&dir, Arc::new(Recorder::default())).await;
                let cached = snapshot_of(&ctx, &a.id).await;
                assert!(cached.stale, "{cached:?}");
                assert_eq!(cached.resources, fresh.resources);
                assert_eq!(cached.fetched_at, fresh.fetched_at);
                assert_eq!(cached.error, None);
                let report = inventory::refresh_once(&ctx).await.unwrap();
                assert_eq!(report.failed, 1);
                let after = snapshot_of(&ctx, &a.id).await;
                assert!(after.stale && after.error.is_some());
                assert_eq!(after.resources, fresh.resources);

                // Reachable again: fresh, and the delta is against the cached state.
                sim.clusters[0].faults().clear();
                inventory::refresh_once(&ctx).await.unwrap();
                let d = deltas(&events, &a.id).pop().unwrap();
                assert!(!d.stale && d.error.is_none(), "{d:?}");
                assert!(d.added.is_empty() && d.removed.is_empty(), "{d:?}");
                assert!(!snapshot_of(&ctx, &a.id).await.stale);
            })
        },
    ),
    (
        "inv_offline_when_the_listener_stops_and_back_with_a_delta",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let a = connections::add(&t.ctx, input_for(&sim, 0, "inv-offline"))
                    .await
                    .unwrap();
                inventory::refresh_once(&t.ctx).await.unwrap();
                let before = snapshot_of(&t.ctx, &a.id).await;

                reset_all(&sim, 0);
                let report = inventory::refresh_once(&t.ctx).await.unwrap();
                assert_eq!((report.requests, report.failed), (1, 1));
                let d = deltas(&t.events, &a.id).pop().unwrap();
                assert!(d.stale && d.error.is_some(), "{d:?}");
                let offline = snapshot_of(&t.ctx, &a.id).await;
                assert_eq!(offline.resources, before.resources);
                assert_eq!(offline.fetched_at, before.fetched_at);

                // While it was away a guest stopped and another disappeared.
                let stopped = stop_a_guest(&sim, 0);
                let gone = {
                    let mut state = sim.clusters[0].sim.state();
                    let vmid = *state.guests.keys().last().unwrap();
                    let g = state.guests.remove(&vmid).unwrap();
                    format!("{}/{vmid}", g.kind_str())
                };
                sim.clusters[0].faults().clear();
                inventory::refresh_once(&t.ctx).await.unwrap();
                let d = deltas(&t.events, &a.id).pop().unwrap();
                assert!(!d.stale && d.error.is_none(), "{d:?}");
                assert!(d.changed.iter().any(|r| r.id == stopped), "{d:?}");
                assert_eq!(d.removed, vec![gone.clone()]);
                let now = snapshot_of(&t.ctx, &a.id).await;
                assert!(!now.stale && now.resources.iter().all(|r| r.id != gone));

                // A stopped listener is offline too.
                sim.clusters[0].served.stop();
                tokio::time::sleep(Duration::from_millis(50)).await;
                inventory::refresh_once(&t.ctx).await.unwrap();
                let gone_away = snapshot_of(&t.ctx, &a.id).await;
                assert!(
                    gone_away.stale && gone_away.error.is_some(),
                    "{gone_away:?}"
                );
                assert_eq!(gone_away.resources, now.resources);
            })
        },
    ),
    ("inv_interval_follows_window_visibility", || {
        Box::pin(async {
            let t = test_ctx().await;
            let sim = sim().await;
            connections::add(&t.ctx, input_for(&sim, 0, "inv-interval"))
                .await
                .unwrap();
            let loop_task = tokio::spawn(inventory::run_refresher(
                Arc::clone(&t.ctx),
                RefresherOptions {
                    visible_interval: Some(Duration::from_millis(100)),
                    hidden_interval: Some(Duration::from_secs(5)),
                    first_paint_wait: Duration::ZERO,
                    ..RefresherOptions::default()
                },
            ));
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let visible = inventory::refresh_count(&t.ctx);
            assert!(
                visible >= 5,
                "only {visible} refreshes in 1 s while visible"
            );

            inventory::set_window_visible(&t.ctx, false);
            tokio::time::sleep(Duration::from_millis(150)).await;
            let hidden_start = inventory::refresh_count(&t.ctx);
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let hidden = inventory::refresh_count(&t.ctx) - hidden_start;
            assert_eq!(hidden, 0, "{hidden} refreshes in 1 s while hidden");

            // Visible again: a refresh at once, not after the hidden interval.
            let before = inventory::refresh_count(&t.ctx);
            inventory::set_window_visible(&t.ctx, true);
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(inventory::refresh_count(&t.ctx) > before);
            loop_task.abort();
        })
    }),
    ("inv_settings_intervals_are_range_checked", || {
        Box::pin(async {
            use proxdeck_core::settings::{self, GuestOrder, Settings};
            let t = test_ctx().await;
            let s = settings::get(&t.ctx).await.unwrap();
            assert_eq!(
                (s.refresh_visible_secs, s.refresh_hidden_secs, s.guest_order),
                (5, 60, GuestOrder::Vmid)
            );
            let e = settings::set(
                &t.ctx,
                Settings {
                    refresh_visible_secs: 1,
                    ..Settings::default()
                },
            )
            .await
            .unwrap_err();
            assert!(e.fields["refreshVisibleSecs"].contains("between 2 and 300"));
            let e = settings::set(
                &t.ctx,
                Settings {
                    refresh_hidden_secs: 5,
                    ..Settings::default()
                },
            )
            .await
            .unwrap_err();
            assert!(e.fields["refreshHiddenSecs"].contains("between 10 and 3600"));
            let saved = settings::set(
                &t.ctx,
                Settings {
                    refresh_visible_secs: 10,
                    refresh_hidden_secs: 120,
                    guest_order: GuestOrder::Name,
                    ..Settings::default()
                },
            )
            .await
            .unwrap();
            assert_eq!(saved.refresh_interval(true), Duration::from_secs(10));
            assert_eq!(saved.refresh_interval(false), Duration::from_secs(120));
            assert_eq!(saved.guest_order, GuestOrder::Name);
            let rows = t.ctx.db(|s| s.audit_list(None, 10)).await.unwrap();
            let targets: Vec<_> = rows.iter().map(|r| r.entry.target.as_str()).collect();
            for key in ["refreshVisibleSecs", "refreshHiddenSecs", "guestOrder"] {
                assert!(targets.contains(&key), "{targets:?}");
            }
        })
    }),
];
