//! Live cases: connection health against the simulator, with fault injection.

use std::sync::Arc;
use std::time::{Duration, Instant};

use proxdeck_core::connections::health::{self, HealthState, MonitorOptions};
use proxdeck_core::connections::{self, ConnectionInput};
use proxdeck_core::events::{CoreEvent, HealthChange};
use proxdeck_sim::{Fault, FaultRule, Sim};

use crate::common::{Case, Recorder, keychain_entries, open_ctx, sim, test_ctx};

/// A token connection to the sim's first cluster, its certificate pinned.
fn input_for(sim: &Sim) -> ConnectionInput {
    crate::common::token_connection(sim, &format!("health-{}", sim.clusters[0].sim.name))
}

fn health_changes(events: &Recorder) -> Vec<HealthChange> {
    events
        .events()
        .into_iter()
        .filter_map(|e| match e {
            CoreEvent::HealthChanged(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn unreachable(sim: &Sim) {
    sim.clusters[0]
        .faults()
        .add(FaultRule::new("", Fault::Reset));
}

fn reachable(sim: &Sim) {
    sim.clusters[0].faults().clear();
}

async fn wait_for(events: &Recorder, to: HealthState, n: usize, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let count = health_changes(events).iter().filter(|c| c.to == to).count();
        if count >= n {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "no change to {to:?} (#{n}) within {limit:?}: {:?}",
            health_changes(events)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub const CASES: &[Case] = &[
    ("health_keychain_session_is_private_and_real", || {
        Box::pin(async {
            let t = test_ctx().await;
            let kc = &t.ctx.keychain;
            kc.set(
                "probe",
                proxdeck_secrets::SecretKind::Password,
                &"pw-123".to_owned().into(),
            )
            .unwrap();
            assert!(
                keychain_entries().contains(&("probe:password".into(), "pw-123".into())),
                "{:?}",
                keychain_entries()
            );
            kc.delete("probe", proxdeck_secrets::SecretKind::Password)
                .unwrap();
            assert!(
                !keychain_entries()
                    .iter()
                    .any(|(a, _)| a == "probe:password"),
                "{:?}",
                keychain_entries()
            );
        })
    }),
    (
        "health_transitions_with_fault_injection_are_stored_and_announced",
        || {
            Box::pin(async {
                let sim = sim().await;
                let t = test_ctx().await;
                let conn = connections::add(&t.ctx, input_for(&sim)).await.unwrap();
                assert_eq!(conn.health.state, HealthState::Unknown);

                let h = health::check_now(&t.ctx, &conn.id).await.unwrap();
                assert_eq!(h.state, HealthState::ApiOnly, "{h:?}");
                assert!(h.message.unwrap().contains("SSH"));

                unreachable(&sim);
                let down = health::check_now(&t.ctx, &conn.id).await.unwrap();
                assert_eq!(down.state, HealthState::Disconnected, "{down:?}");
                let why = down.message.clone().unwrap();
                assert!(why.contains(&sim.clusters[0].base_url()), "{why}");
                // A second failed check is no new change.
                health::check_now(&t.ctx, &conn.id).await.unwrap();

                reachable(&sim);
                let up = health::check_now(&t.ctx, &conn.id).await.unwrap();
                assert_eq!(up.state, HealthState::ApiOnly);

                let changes = health_changes(&t.events);
                let path: Vec<_> = changes.iter().map(|c| (c.from, c.to)).collect();
                use HealthState::*;
                assert_eq!(
                    path,
                    [
                        (Unknown, ApiOnly),
                        (ApiOnly, Disconnected),
                        (Disconnected, ApiOnly)
                    ]
                );
                let (title, body) = health::notification_text(&changes[1]).unwrap();
                assert_eq!(title, format!("{} is unreachable", conn.name));
                assert!(body.contains("is unreachable since"), "{body}");
                let (title, _) = health::notification_text(&changes[2]).unwrap();
                assert_eq!(title, format!("{} is reachable again", conn.name));
                assert_eq!(
                    changes[2].previous_since.as_deref(),
                    Some(changes[1].since.as_str())
                );

                // The list shows the monitor's view; the store keeps the history.
                let listed = connections::get(&t.ctx, &conn.id).await.unwrap();
                assert_eq!(listed.health.state, ApiOnly);
                let id = conn.id.clone();
                let history = t.ctx.db(move |s| s.health_history(&id, 10)).await.unwrap();
                let states: Vec<_> = history.iter().map(|r| r.state.as_str()).collect();
                assert_eq!(states, ["apiOnly", "disconnected", "apiOnly"]);
            })
        },
    ),
    ("health_state_survives_a_restart", || {
        Box::pin(async {
            let sim = sim().await;
            let t = test_ctx().await;
            let conn = connections::add(&t.ctx, input_for(&sim)).await.unwrap();
            unreachable(&sim);
            let down = health::check_now(&t.ctx, &conn.id).await.unwrap();
            assert_eq!(down.state, HealthState::Disconnected);
            let (again, _) = open_ctx(t.dir.path(), Arc::new(Recorder::default())).await;
            let listed = connections::get(&again, &conn.id).await.unwrap();
            assert_eq!(listed.health.state, HealthState::Disconnected);
            assert_eq!(listed.health.since, down.since);
            assert!(listed.health.message.unwrap().contains("did not answer"));
        })
    }),
    (
        "health_monitor_notices_an_outage_and_the_recovery_on_its_own",
        || {
            Box::pin(async {
                let sim = sim().await;
                let t = test_ctx().await;
                let conn = connections::add(&t.ctx, input_for(&sim)).await.unwrap();
                let monitor = tokio::spawn(health::run_monitor(
                    Arc::clone(&t.ctx),
                    MonitorOptions {
                        interval: Some(Duration::from_millis(500)),
                        tick: Duration::from_millis(100),
                        first_paint_wait: Duration::ZERO,
                    },
                ));
                let first =
                    wait_for(&t.events, HealthState::ApiOnly, 1, Duration::from_secs(5)).await;
                unreachable(&sim);
                let noticed = wait_for(
                    &t.events,
                    HealthState::Disconnected,
                    1,
                    Duration::from_secs(10),
                )
                .await;
                reachable(&sim);
                let recovered =
                    wait_for(&t.events, HealthState::ApiOnly, 2, Duration::from_secs(10)).await;
                monitor.abort();
                println!(
                    "    first check {first:?}, outage noticed after {noticed:?}, recovery after {recovered:?}"
                );
                // Disabled connections are not checked.
                connections::set_enabled(&t.ctx, &conn.id, false)
                    .await
                    .unwrap();
                let n = health::check_due(&t.ctx, Duration::from_millis(1))
                    .await
                    .unwrap();
                assert_eq!(n, 0);
                let listed = connections::get(&t.ctx, &conn.id).await.unwrap();
                assert_eq!(listed.health.state, HealthState::Disabled);
            })
        },
    ),
];
