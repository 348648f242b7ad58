//! What the live cases share: a context on a temporary directory with its own keychain
//! service name, an event recorder and a running simulator.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use proxdeck_core::Ctx;
use proxdeck_core::events::{CoreEvent, EventSink};
use proxdeck_core::paths::Paths;
use proxdeck_secrets::Keychain;
use proxdeck_secrets::testing::KeyringSession;
use proxdeck_sim::{Scenario, Sim, SimOptions};

pub type CaseFuture = Pin<Box<dyn Future<Output = ()> + Send>>;
/// A named async case: `("name", || Box::pin(async { … }))`.
pub type Case = (&'static str, fn() -> CaseFuture);

/// The keychain service the live cases use (never the app's `proxdeck`).
pub const SERVICE: &str = "proxdeck-live-test";

#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<CoreEvent>>);

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<CoreEvent> {
        self.0.lock().unwrap().clone()
    }
}

/// A context on its own temporary directory (kept alive by the returned guard).
pub struct TestCtx {
    pub ctx: Arc<Ctx>,
    pub events: Arc<Recorder>,
    pub dir: tempfile::TempDir,
}

pub async fn test_ctx() -> TestCtx {
    let dir = tempfile::tempdir().unwrap();
    let ctx = open_ctx(dir.path(), Arc::new(Recorder::default())).await;
    TestCtx {
        events: ctx.1,
        ctx: ctx.0,
        dir,
    }
}

/// Opens (again) a context on `dir`: a restart of the app.
pub async fn open_ctx(dir: &std::path::Path, events: Arc<Recorder>) -> (Arc<Ctx>, Arc<Recorder>) {
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir))
        .keychain(Keychain::new(SERVICE))
        .events(events.clone())
        .open()
        .await
        .unwrap();
    (Arc::new(ctx), events)
}

/// The demo scenario, served with quick tasks.
pub async fn sim() -> Sim {
    Sim::start(Scenario::demo(), SimOptions::default())
        .await
        .unwrap()
}

/// Every secret stored under the test service, read by another program (`secret-tool`).
pub fn keychain_entries() -> Vec<(String, String)> {
    KeyringSession::all(SERVICE)
}

/// Every file under `dir`, read as bytes, that contains `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(p);
            }
        }
    }
    found
}

/// A token connection named `name` to the sim's first cluster, its certificate pinned.
pub fn token_connection(sim: &Sim, name: &str) -> proxdeck_core::connections::ConnectionInput {
    let c = &sim.clusters[0];
    proxdeck_core::connections::ConnectionInput {
        timeout_ms: 1000,
        ..proxdeck_core::connections::ConnectionInput::pve_token(
            name,
            c.base_url(),
            sim.credentials(&c.sim.name).token.unwrap(),
            c.fingerprint(),
        )
    }
}
