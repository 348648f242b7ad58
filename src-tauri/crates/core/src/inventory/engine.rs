//! The refresh engine: one `/cluster/resources` per enabled cluster per refresh, all
//! clusters at once with a bounded number of requests in flight. Each cluster's result is
//! handled as soon as it arrives (diffed, cached, announced), so a slow or failing cluster
//! never holds back the others. The interval follows the window: short while it is
//! visible, long while it is hidden.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};

use super::{ConnectionInventory, InventoryDelta, RefreshReport, Resource, cache, diff};
use crate::connections::ConnectionKind;
use crate::events::CoreEvent;
use crate::settings::{DEFAULT_REFRESH_HIDDEN_SECS, DEFAULT_REFRESH_VISIBLE_SECS};
use crate::{AppError, Ctx};

/// Requests in flight at once during a refresh.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The engine's in-memory state, one per context.
#[derive(Debug)]
pub struct Inventory {
    entries: Mutex<HashMap<String, Entry>>,
    /// One refresh at a time (the loop and "refresh now" take turns).
    turn: tokio::sync::Mutex<()>,
    visible: AtomicBool,
    /// Refresh at once on the next wake (the window became visible).
    kick: AtomicBool,
    wake: Notify,
    refreshes: AtomicU64,
    /// The window has read its first snapshot (painted from the cache).
    painted: AtomicBool,
    painted_notify: Notify,
}

impl Default for Inventory {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            turn: tokio::sync::Mutex::new(()),
            // The window opens visible.
            visible: AtomicBool::new(true),
            kick: AtomicBool::new(false),
            wake: Notify::new(),
            refreshes: AtomicU64::new(0),
            painted: AtomicBool::new(false),
            painted_notify: Notify::new(),
        }
    }
}

/// What is known of one connection's inventory.
#[derive(Debug, Clone)]
struct Entry {
    resources: Arc<Vec<Resource>>,
    fetched_at: Option<String>,
    stale: bool,
    error: Option<String>,
}

impl Entry {
    fn empty() -> Self {
        Self {
            resources: Arc::new(Vec::new()),
            fetched_at: None,
            stale: false,
            error: None,
        }
    }
}

impl Inventory {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A connection the engine refreshes.
#[derive(Debug, Clone)]
struct Target {
    id: String,
    name: String,
    demo: bool,
    pool: Option<String>,
}

/// The enabled cluster (PVE) connections; a backup server has no cluster resources.
async fn targets(ctx: &Ctx) -> Result<Vec<Target>, AppError> {
    Ok(crate::connections::list(ctx)
        .await?
        .into_iter()
        .filter(|c| c.enabled && c.kind == ConnectionKind::Pve)
        .map(|c| Target {
            id: c.id,
            name: c.name,
            demo: c.demo,
            pool: c.pool,
        })
        .collect())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What the engine knows of `target`: its memory, else the cache (stale until a refresh
/// succeeds), else nothing yet. A cache read is kept in memory, so the next refresh is
/// diffed against what the UI painted.
async fn baseline(ctx: &Ctx, target: &Target) -> Entry {
    if let Some(e) = ctx.inventory.entries().get(&target.id) {
        return e.clone();
    }
    let cached = if target.demo {
        None
    } else {
        cache::read(ctx, &target.id).await
    };
    let entry = match cached {
        Some((resources, fetched_at)) => Entry {
            resources: Arc::new(resources),
            fetched_at: Some(fetched_at),
            stale: true,
            error: None,
        },
        None => Entry::empty(),
    };
    ctx.inventory
        .entries()
        .entry(target.id.clone())
        .or_insert(entry)
        .clone()
}

/// The last-known inventory of every enabled cluster connection: what the UI paints at
/// start, before any refresh returns (from the cache after a restart, marked stale).
pub async fn snapshot(ctx: &Ctx) -> Result<Vec<ConnectionInventory>, AppError> {
    let mut out = Vec::new();
    for t in targets(ctx).await? {
        let e = baseline(ctx, &t).await;
        out.push(ConnectionInventory {
            connection_id: t.id,
            resources: e.resources.to_vec(),
            fetched_at: e.fetched_at,
            stale: e.stale,
            error: e.error,
        });
    }
    ctx.inventory.painted.store(true, Ordering::Release);
    ctx.inventory.painted_notify.notify_waiters();
    Ok(out)
}

/// Reads every cluster's cached inventory into memory, so the window's first snapshot is
/// answered from memory.
pub async fn prewarm(ctx: &Ctx) -> Result<(), AppError> {
    for t in targets(ctx).await? {
        baseline(ctx, &t).await;
    }
    Ok(())
}

/// Waits until the window has read its first snapshot, or `at_most`. The first refresh and
/// the first health checks wait for it: at start the window paints from the cache, and the
/// network work must not compete with that (it shares the store and the two cores).
pub async fn wait_first_paint(ctx: &Ctx, at_most: Duration) {
    let notified = ctx.inventory.painted_notify.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    if ctx.inventory.painted.load(Ordering::Acquire) {
        return;
    }
    let _ = tokio::time::timeout(at_most, notified).await;
}

/// How long the first refresh waits for the window's first paint (a window that never asks,
/// such as a headless start, only delays the first refresh by this).
pub const FIRST_PAINT_WAIT: Duration = Duration::from_secs(3);

/// Refreshes every enabled cluster now, [`DEFAULT_CONCURRENCY`] requests at a time.
pub async fn refresh_once(ctx: &Arc<Ctx>) -> Result<RefreshReport, AppError> {
    refresh_with(ctx, DEFAULT_CONCURRENCY).await
}

/// Refreshes every enabled cluster now with at most `concurrency` requests in flight, and
/// returns when each has answered, failed or timed out (the client's timeout).
pub async fn refresh_with(ctx: &Arc<Ctx>, concurrency: usize) -> Result<RefreshReport, AppError> {
    let _turn = ctx.inventory.turn.lock().await;
    let started = Instant::now();
    let targets = targets(ctx).await?;
    // Forget connections that were removed or disabled (and the demo's, once closed).
    ctx.inventory
        .entries()
        .retain(|id, _| targets.iter().any(|t| t.id == *id));
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let count = targets.len() as u32;
    for t in targets {
        let (ctx, permits) = (Arc::clone(ctx), Arc::clone(&permits));
        set.spawn(async move { refresh_one(&ctx, &t, &permits).await });
    }
    let mut report = RefreshReport {
        connections: count,
        requests: 0,
        failed: 0,
        took_ms: 0,
    };
    while let Some(done) = set.join_next().await {
        match done {
            Ok((requested, ok)) => {
                report.requests += u32::from(requested);
                report.failed += u32::from(!ok);
            }
            Err(e) => {
                report.failed += 1;
                tracing::error!(error = %e, "an inventory refresh task failed");
            }
        }
    }
    report.took_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    ctx.inventory.refreshes.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(?report, "inventory refreshed");
    Ok(report)
}

/// Fetches one cluster and applies the result; returns (a request was sent, it succeeded).
async fn refresh_one(ctx: &Ctx, target: &Target, permits: &Semaphore) -> (bool, bool) {
    let fetched = {
        let _permit = permits.acquire().await;
        match crate::connections::client(ctx, &target.id).await {
            Ok(client) => Some(
                super::fetch(&client, &target.name)
                    .await
                    .map(|r| crate::connections::pool::scope(r, target.pool.as_deref())),
            ),
            Err(e) => {
                apply(ctx, target, Err(e)).await;
                None
            }
        }
    };
    match fetched {
        Some(result) => {
            let ok = result.is_ok();
            apply(ctx, target, result).await;
            (true, ok)
        }
        None => (false, false),
    }
}

/// Records a fetch's result; caches a success and announces what changed.
async fn apply(ctx: &Ctx, target: &Target, result: Result<Vec<Resource>, AppError>) {
    let prev = baseline(ctx, target).await;
    match result {
        Ok(resources) => {
            let changes = diff::diff(&prev.resources, &resources);
            let fetched_at = now_rfc3339();
            let resources = Arc::new(resources);
            let entry = Entry {
                resources: Arc::clone(&resources),
                fetched_at: Some(fetched_at.clone()),
                stale: false,
                error: None,
            };
            ctx.inventory.entries().insert(target.id.clone(), entry);
            if !target.demo {
                cache::write(ctx, &target.id, resources, &fetched_at, !changes.is_empty()).await;
            }
            let recovered = prev.stale || prev.error.is_some();
            if !changes.is_empty() || recovered || prev.fetched_at.is_none() {
                ctx.emit(CoreEvent::InventoryChanged(InventoryDelta {
                    connection_id: target.id.clone(),
                    fetched_at: Some(fetched_at),
                    stale: false,
                    error: None,
                    added: changes.added,
                    changed: changes.changed,
                    removed: changes.removed,
                }));
            }
        }
        Err(e) => {
            let error = Some(e.message);
            tracing::debug!(connection = %target.name, error = ?error, "inventory refresh failed");
            let entry = Entry {
                stale: true,
                error: error.clone(),
                ..prev.clone()
            };
            ctx.inventory.entries().insert(target.id.clone(), entry);
            if !prev.stale || prev.error != error {
                ctx.emit(CoreEvent::InventoryChanged(InventoryDelta {
                    connection_id: target.id.clone(),
                    fetched_at: prev.fetched_at,
                    stale: true,
                    error,
                    added: Vec::new(),
                    changed: Vec::new(),
                    removed: Vec::new(),
                }));
            }
        }
    }
}

/// Tells the engine whether the window is visible. Becoming visible refreshes at once;
/// either way the new interval applies from now.
pub fn set_window_visible(ctx: &Ctx, visible: bool) {
    let was = ctx.inventory.visible.swap(visible, Ordering::AcqRel);
    if was != visible {
        if visible {
            ctx.inventory.kick.store(true, Ordering::Release);
        }
        wake(ctx);
    }
}

/// Whether the engine believes the window is visible.
pub fn window_visible(ctx: &Ctx) -> bool {
    ctx.inventory.visible.load(Ordering::Acquire)
}

/// Makes the refresh loop look at its interval again (the settings changed).
pub fn wake(ctx: &Ctx) {
    ctx.inventory.wake.notify_one();
}

/// Makes the refresh loop refresh at once (something changed that the user should see now).
pub fn refresh_soon(ctx: &Ctx) {
    ctx.inventory.kick.store(true, Ordering::Release);
    ctx.inventory.wake.notify_one();
}

/// How many refreshes have completed since the context opened.
pub fn refresh_count(ctx: &Ctx) -> u64 {
    ctx.inventory.refreshes.load(Ordering::Relaxed)
}

/// How the refresh loop runs; tests shorten the intervals.
#[derive(Debug, Clone, Copy)]
pub struct RefresherOptions {
    /// Overrides the `refreshVisibleSecs` setting.
    pub visible_interval: Option<Duration>,
    /// Overrides the `refreshHiddenSecs` setting.
    pub hidden_interval: Option<Duration>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// How long the first refresh waits for the window's first snapshot read.
    pub first_paint_wait: Duration,
}

impl Default for RefresherOptions {
    fn default() -> Self {
        Self {
            visible_interval: None,
            hidden_interval: None,
            concurrency: DEFAULT_CONCURRENCY,
            first_paint_wait: FIRST_PAINT_WAIT,
        }
    }
}

async fn interval(ctx: &Ctx, options: &RefresherOptions, visible: bool) -> Duration {
    let overridden = if visible {
        options.visible_interval
    } else {
        options.hidden_interval
    };
    if let Some(i) = overridden {
        return i;
    }
    match crate::settings::get(ctx).await {
        Ok(s) => s.refresh_interval(visible),
        Err(e) => {
            tracing::warn!(error = %e.message, "could not read the refresh interval");
            Duration::from_secs(u64::from(if visible {
                DEFAULT_REFRESH_VISIBLE_SECS
            } else {
                DEFAULT_REFRESH_HIDDEN_SECS
            }))
        }
    }
}

/// Refreshes the inventory for as long as the future is polled: once the window painted
/// from the cache (see [`wait_first_paint`]), then every interval (by window visibility). Spawn it on the app's runtime at start; abort the task
/// to stop.
pub async fn run_refresher(ctx: Arc<Ctx>, options: RefresherOptions) {
    if let Err(e) = prewarm(&ctx).await {
        tracing::warn!(error = %e.message, "could not read the cached inventory");
    }
    wait_first_paint(&ctx, options.first_paint_wait).await;
    let mut last: Option<Instant> = None;
    loop {
        let visible = window_visible(&ctx);
        let every = interval(&ctx, &options, visible).await;
        let kicked = ctx.inventory.kick.swap(false, Ordering::AcqRel);
        let due = match last {
            Some(l) if !kicked => l + every,
            _ => Instant::now(),
        };
        if due <= Instant::now() {
            last = Some(Instant::now());
            if let Err(e) = refresh_with(&ctx, options.concurrency).await {
                tracing::warn!(error = %e.message, "the inventory could not be refreshed");
            }
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep_until(due.into()) => {}
            () = ctx.inventory.wake.notified() => {}
        }
    }
}

/// The last-known resources of each connection in memory, with whether they are stale:
/// for background work that follows the inventory (the agent address poller).
pub(crate) fn known(ctx: &Ctx) -> Vec<(String, Arc<Vec<Resource>>, bool)> {
    ctx.inventory
        .entries()
        .iter()
        .map(|(id, e)| (id.clone(), Arc::clone(&e.resources), e.stale))
        .collect()
}
