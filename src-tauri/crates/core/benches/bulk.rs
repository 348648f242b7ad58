//! A bulk start of 500 guests across 5 simulated clusters: wall time until every call was
//! answered and until every task was followed to its end, the peak number of API requests
//! the simulator answered at once (per cluster and in sum), and the requests sent. Runs
//! `guests::power_many` on a context with 5 stored connections (private keychain, temporary
//! SQLite store), 20 ms of latency injected per request. Prints numbers; asserts only that
//! the work was done (500 tasks, all OK), nothing about time.
//!
//! Run: `cargo bench -p proxdeck-core --bench bulk`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proxdeck_core::connections::{self, ConnectionInput};
use proxdeck_core::events::{CoreEvent, EventSink};
use proxdeck_core::guests::{self, BULK_CONCURRENCY, GuestRef, PowerAction};
use proxdeck_core::inventory;
use proxdeck_core::monitor::GuestType;
use proxdeck_sim::scenario::GuestStatus;
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};

const CLUSTERS: usize = 5;
const NODES: usize = 2;
const GUESTS_PER_NODE: usize = 50;
const LATENCY_MS: u64 = 20;
/// A counting rule's budget: what it has left tells how many requests it saw.
const BUDGET: u32 = 1_000_000;

#[derive(Default)]
struct Ends(Mutex<Vec<(String, String)>>);

impl EventSink for Ends {
    fn emit(&self, event: CoreEvent) {
        if let CoreEvent::TaskUpdated(t) = event
            && let Some(status) = t.exitstatus
        {
            self.0.lock().unwrap().push((t.upid, status));
        }
    }
}

fn requests(sim: &Sim) -> u32 {
    sim.clusters
        .iter()
        .flat_map(|c| c.faults().rules())
        .map(|r| BUDGET - r.times.unwrap_or(BUDGET))
        .sum()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The stored connections' secrets need a keychain: a private one, before any thread.
    let _keyring = proxdeck_secrets::testing::KeyringSession::start();
    runtime.block_on(run());
}

async fn run() {
    let sim = Sim::start(
        Scenario::generate(CLUSTERS, NODES, GUESTS_PER_NODE, 11),
        SimOptions {
            task_duration: Duration::from_millis(500),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    // Every guest stopped, unlocked and no template, so all 500 can start.
    for c in &sim.clusters {
        for g in c.sim.state().guests.values_mut() {
            g.spec.status = GuestStatus::Stopped;
            g.spec.lock = None;
            g.spec.template = false;
            g.started_at = None;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let ends = Arc::new(Ends::default());
    let ctx = Arc::new(
        proxdeck_core::Ctx::builder("bench", proxdeck_core::paths::Paths::under(dir.path()))
            .keychain(proxdeck_secrets::Keychain::new("proxdeck-bench"))
            .events(ends.clone())
            .open()
            .await
            .unwrap(),
    );
    for c in &sim.clusters {
        connections::add(
            &ctx,
            ConnectionInput::pve_token(
                &c.sim.name,
                c.base_url(),
                sim.credentials(&c.sim.name).token.unwrap(),
                c.fingerprint(),
            ),
        )
        .await
        .unwrap();
    }
    inventory::refresh_once(&ctx).await.unwrap();
    let mut refs = Vec::new();
    for c in inventory::snapshot(&ctx).await.unwrap() {
        for r in c.resources {
            if r.kind == "qemu" || r.kind == "lxc" {
                refs.push(GuestRef {
                    connection_id: c.connection_id.clone(),
                    node: r.node.unwrap(),
                    kind: if r.kind == "lxc" {
                        GuestType::Lxc
                    } else {
                        GuestType::Qemu
                    },
                    vmid: r.vmid.unwrap(),
                });
            }
        }
    }
    assert_eq!(refs.len(), CLUSTERS * NODES * GUESTS_PER_NODE);
    for c in &sim.clusters {
        c.faults().clear();
        c.faults()
            .add(FaultRule::new("", Fault::Latency { ms: LATENCY_MS }).times(BUDGET));
        c.faults().reset_peak();
    }

    // The bound is global: sample the sum of every cluster's requests in flight.
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let listeners: Vec<_> = sim
            .clusters
            .iter()
            .map(|c| Arc::clone(&c.served.faults))
            .collect();
        let sampling = Arc::clone(&sampling);
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Acquire) {
                peak = peak.max(listeners.iter().map(|f| f.in_flight()).sum::<usize>());
                std::thread::sleep(Duration::from_micros(200));
            }
            peak
        })
    };
    let started = Instant::now();
    let outcomes =
        guests::power_many(&ctx, refs.clone(), PowerAction::Start, BULK_CONCURRENCY).await;
    let calls_done = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Release);
    let global_peak = sampler.join().unwrap();
    let failed: Vec<_> = outcomes.iter().filter(|o| o.task.is_none()).collect();
    assert!(failed.is_empty(), "not started: {failed:?}");
    let requests_to_start = requests(&sim);
    loop {
        if ends.0.lock().unwrap().len() >= refs.len() && ctx.tracked.count() == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "only {} of {} tasks followed to their end",
            ends.0.lock().unwrap().len(),
            refs.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_tracked = started.elapsed();
    let ok = ends
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, s)| s == "OK")
        .count();
    assert_eq!(ok, refs.len(), "every task ends OK");
    let peaks: Vec<usize> = sim
        .clusters
        .iter()
        .map(|c| c.faults().peak_in_flight())
        .collect();
    let total = requests(&sim);
    println!(
        "bulk start  {} guests on {CLUSTERS} clusters  latency {LATENCY_MS} ms/request  bound {BULK_CONCURRENCY} calls in flight",
        refs.len()
    );
    println!(
        "  all calls answered   {:7.0} ms   ({requests_to_start} requests)",
        calls_done.as_secs_f64() * 1e3
    );
    println!(
        "  all tasks followed   {:7.0} ms   ({ok} ended OK; {} requests in all, {} to follow them)",
        all_tracked.as_secs_f64() * 1e3,
        total,
        total - requests_to_start
    );
    println!(
        "  peak requests in flight: {global_peak} across all clusters (sampled every 0.2 ms); per cluster {peaks:?}"
    );
}
