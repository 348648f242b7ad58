//! One inventory refresh of 20 simulated clusters holding 10,000 guests in total: wall
//! time and requests per refresh, without and with 50 ms of latency injected per request.
//! Each cluster is fetched, parsed and diffed as the engine does it (`inventory::fetch` +
//! `inventory::diff::diff`, bounded by a semaphore of `DEFAULT_CONCURRENCY`). The requests
//! are counted by the simulator itself. A second part runs the engine itself
//! (`inventory::refresh_once` on a context with 20 stored connections, a private keychain
//! and a temporary SQLite store): fetch, diff, cache write and events. Prints numbers;
//! asserts nothing about time.
//!
//! Run: `cargo bench -p proxdeck-core --bench refresh` (REFRESH_BENCH_ROUNDS to change the
//! number of measured refreshes per case, default 20).

use std::sync::Arc;
use std::time::{Duration, Instant};

use proxdeck_core::inventory::{self, DEFAULT_CONCURRENCY, Resource, diff};
use proxdeck_pve::{Auth, PveClient, Trust};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};
use tokio::sync::Semaphore;

const CLUSTERS: usize = 20;
const NODES: usize = 5;
const GUESTS_PER_NODE: usize = 100;
/// A counting rule's budget: what it has left tells how many requests it saw.
const BUDGET: u32 = 1_000_000;

struct Target {
    name: String,
    client: Arc<PveClient>,
    last: Vec<Resource>,
}

/// One refresh: every target at once, `concurrency` requests in flight. Returns the
/// changed-resource count (to keep the diff from being optimised away).
async fn refresh(targets: &mut [Target], concurrency: usize) -> usize {
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in targets.iter_mut().enumerate() {
        let (client, name, last) = (
            Arc::clone(&t.client),
            t.name.clone(),
            std::mem::take(&mut t.last),
        );
        let permits = Arc::clone(&permits);
        set.spawn(async move {
            let fetched = {
                let _p = permits.acquire().await;
                inventory::fetch(&client, &name).await
            };
            let now = fetched.expect("the simulator answers");
            let changes = diff::diff(&last, &now);
            (
                i,
                now,
                changes.added.len() + changes.changed.len() + changes.removed.len(),
            )
        });
    }
    let mut changed = 0;
    while let Some(done) = set.join_next().await {
        let (i, now, n) = done.unwrap();
        targets[i].last = now;
        changed += n;
    }
    changed
}

fn counted(sim: &Sim) -> u32 {
    sim.clusters
        .iter()
        .map(|c| {
            c.faults()
                .rules()
                .iter()
                .map(|r| BUDGET - r.times.unwrap_or(BUDGET))
                .sum::<u32>()
        })
        .sum()
}

fn count_with(sim: &Sim, latency_ms: u64) {
    for c in &sim.clusters {
        c.faults().clear();
        c.faults()
            .add(FaultRule::new("", Fault::Latency { ms: latency_ms }).times(BUDGET));
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::var("REFRESH_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The stored connections' secrets need a keychain: a private one, before any thread.
    let keyring = proxdeck_secrets::testing::KeyringSession::start();
    runtime.block_on(async {
        let sim = Sim::start(
            Scenario::generate(CLUSTERS, NODES, GUESTS_PER_NODE, 7),
            SimOptions::default(),
        )
        .await
        .unwrap();
        let mut targets: Vec<Target> = sim
            .clusters
            .iter()
            .map(|c| {
                let token = sim.credentials(&c.sim.name).token.unwrap();
                let (id, secret) = token.split_once('=').unwrap();
                let client = PveClient::new(
                    &c.base_url(),
                    &Trust::Pinned(c.fingerprint()),
                    Auth::PveToken {
                        id: id.to_owned(),
                        secret: secret.to_owned(),
                    },
                    Duration::from_secs(5),
                )
                .unwrap();
                Target {
                    name: c.sim.name.clone(),
                    client: Arc::new(client),
                    last: Vec::new(),
                }
            })
            .collect();
        println!(
            "inventory refresh bench: {CLUSTERS} clusters x {NODES} nodes x {GUESTS_PER_NODE} guests = {} guests; simulator in-process on loopback; {rounds} refreshes per case",
            CLUSTERS * NODES * GUESTS_PER_NODE
        );
        println!(
            "machine: {} cores",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        for (latency, concurrency) in [
            (0, DEFAULT_CONCURRENCY),
            (50, DEFAULT_CONCURRENCY),
            (0, 16),
            (50, 16),
            (0, CLUSTERS),
            (50, CLUSTERS),
        ] {
            count_with(&sim, latency);
            // The first refresh opens the TLS connections: reported apart.
            let t = Instant::now();
            let first = refresh(&mut targets, concurrency).await;
            let cold = t.elapsed();
            let cold_requests = counted(&sim);
            let mut times = Vec::new();
            let mut requests = Vec::new();
            for _ in 0..rounds {
                let before = counted(&sim);
                let t = Instant::now();
                std::hint::black_box(refresh(&mut targets, concurrency).await);
                times.push(t.elapsed());
                requests.push(counted(&sim) - before);
            }
            times.sort();
            let all_same = requests.iter().all(|&r| r == requests[0]);
            println!(
                "latency {latency:3} ms  concurrency {concurrency:2}  first {:7.1} ms ({cold_requests} requests, {first} changes)  p50 {:7.1} ms  p90 {:7.1} ms  max {:7.1} ms  requests/refresh {}{}",
                cold.as_secs_f64() * 1e3,
                pct(&times, 0.5),
                pct(&times, 0.9),
                times.last().unwrap().as_secs_f64() * 1e3,
                requests[0],
                if all_same { "" } else { " (varied!)" },
            );
            for t in &mut targets {
                t.last.clear();
            }
        }
        engine(&sim, rounds).await;
    });
    drop(runtime);
    drop(keyring);
}

/// `inventory::refresh_once` end to end, with `DEFAULT_CONCURRENCY`.
async fn engine(sim: &Sim, rounds: usize) {
    use proxdeck_core::connections::{self, ConnectionInput};
    let dir = tempfile::tempdir().unwrap();
    let ctx = Arc::new(
        proxdeck_core::Ctx::builder("bench", proxdeck_core::paths::Paths::under(dir.path()))
            .keychain(proxdeck_secrets::Keychain::new("proxdeck-bench"))
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
    for latency in [0, 50] {
        count_with(sim, latency);
        let first = inventory::refresh_once(&ctx).await.unwrap();
        let mut times = Vec::new();
        let mut requests = Vec::new();
        for _ in 0..rounds {
            let before = counted(sim);
            let report = inventory::refresh_once(&ctx).await.unwrap();
            assert_eq!(report.failed, 0);
            times.push(Duration::from_millis(u64::from(report.took_ms)));
            requests.push(counted(sim) - before);
        }
        times.sort();
        println!(
            "engine refresh_once  latency {latency:3} ms  concurrency {DEFAULT_CONCURRENCY}  first {:5} ms  p50 {:7.1} ms  p90 {:7.1} ms  max {:7.1} ms  requests/refresh {}{}",
            first.took_ms,
            pct(&times, 0.5),
            pct(&times, 0.9),
            times.last().unwrap().as_secs_f64() * 1e3,
            requests[0],
            if requests.iter().all(|&r| r == requests[0]) {
                ""
            } else {
                " (varied!)"
            },
        );
    }
}
