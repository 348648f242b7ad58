//! The real app window under Xvfb, driven over WebDriver (the e2e harness): three goals of
//! the inventory work, measured with 20 simulated clusters holding 10,000 guests
//! (`Scenario::generate(20, 5, 100, 7)`, served by the simulator inside this process on
//! loopback, TLS with pinned certificates, API tokens in the harness's keychain).
//!
//! 1. Cold start with the inventory cached: the app ran once (its SQLite inventory cache
//!    holds all 10,000 guests and it was closed on the Guests page, which it reopens), then
//!    from process start to the first frame of the guest table with rows.
//! 2. Filtering the 10,000-row table by text, measured inside the page.
//! 3. Idle memory: RSS (and PSS) of the app and all its processes while the 20 connections
//!    refresh every 5 s with the window visible.
//! 4. Responsiveness during a bulk start of 500 guests on 5 other clusters (20 ms latency per
//!    request): the page's timer and frame gaps while the 500 tasks start, are announced,
//!    end and refresh the inventory, against the same window idle just before.
//!
//! Prints numbers; asserts nothing about time.
//!
//! Run: `cargo bench --features custom-protocol --bench window` (release build, bundled UI:
//! build ui/dist first with `npm --prefix ui run build`). Environment:
//! WINDOW_BENCH_IDLE_SECS (default 600), WINDOW_BENCH_COLD_RUNS (default 7),
//! WINDOW_BENCH_FILTER_RUNS (default 10), WINDOW_BENCH_ONLY=bulk (only the 4th part),
//! WINDOW_BENCH_BULK_PAGE (the page in front during the 4th part; default the guest table),
//! WINDOW_BENCH_ATTRIBUTE=1 (the 4th part also says what ran inside each long gap).

#[path = "../tests/e2e/harness.rs"]
mod harness;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::Client;
use harness::Harness;
use proxdeck_core::connections::{self, ConnectionInput};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};
use serde_json::{Value, json};

const CLUSTERS: usize = 20;
const NODES: usize = 5;
const GUESTS_PER_NODE: usize = 100;
const GUESTS: usize = CLUSTERS * NODES * GUESTS_PER_NODE;
/// A counting rule's budget: what it has left tells how many requests it saw.
const BUDGET: u32 = 10_000_000;
const RESOURCES_PATH: &str = "/api2/json/cluster/resources";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1e3
}

fn main() {
    if !cfg!(feature = "custom-protocol") {
        eprintln!(
            "build the bench with `--features custom-protocol` (and ui/dist built), or the app loads the Vite dev server: cargo bench --features custom-protocol --bench window"
        );
        std::process::exit(2);
    }
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build is not representative; run it with `cargo bench`");
    }
    let idle_secs = env_num("WINDOW_BENCH_IDLE_SECS", 600);
    let cold_runs = env_num("WINDOW_BENCH_COLD_RUNS", 7).max(1) as usize;
    let filter_runs = env_num("WINDOW_BENCH_FILTER_RUNS", 10).max(1) as usize;

    let h = Harness::start("bench-window");
    // This process stores the connections' secrets in the harness's keychain (where the app
    // reads them): point it at the private bus. No other thread exists yet.
    // SAFETY: single-threaded at this point (the runtime is built below).
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &h.bus_address);
        std::env::set_var("HOME", h.home.path());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        if std::env::var("WINDOW_BENCH_ONLY").as_deref() != Ok("bulk") {
            run(&h, idle_secs, cold_runs, filter_runs).await;
        }
        bulk_responsiveness(&h).await;
    });
    drop(runtime);
    drop(h);
}

async fn run(h: &Harness, idle_secs: u64, cold_runs: usize, filter_runs: usize) {
    let sim = Sim::start(
        Scenario::generate(CLUSTERS, NODES, GUESTS_PER_NODE, 7),
        SimOptions::default(),
    )
    .await
    .unwrap();
    for c in &sim.clusters {
        c.faults()
            .add(FaultRule::new(RESOURCES_PATH, Fault::Latency { ms: 0 }).times(BUDGET));
    }
    store_connections(&sim, h.data_dir.path()).await;
    println!(
        "window bench: {CLUSTERS} clusters x {NODES} nodes x {GUESTS_PER_NODE} guests = {GUESTS} guests; simulator in this process on loopback; {} cores; app {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        env!("CARGO_BIN_EXE_proxdeck"),
    );

    // The first run: fills the inventory cache and leaves the window on the Guests page.
    let app = h.launch().await;
    app.execute("window.location.hash = '#/guests'", vec![])
        .await
        .unwrap();
    let t = Instant::now();
    wait_for_guests(
        &app,
        "all 10,000 guests fetched",
        GUESTS,
        Duration::from_secs(120),
    )
    .await;
    println!(
        "first run: 10,000 guests on screen {:.1} s after the page opened",
        t.elapsed().as_secs_f64()
    );
    // Let the cache writes and the web view's localStorage (the remembered page) settle.
    tokio::time::sleep(Duration::from_secs(3)).await;
    close(h, app).await;

    // 1. Cold starts.
    let mut from_proc = Vec::new();
    let mut from_request = Vec::new();
    let mut to_fresh = Vec::new();
    let mut to_all_fresh = Vec::new();
    let mut session_ms = Vec::new();
    let mut page_start = Vec::new();
    let mut page_ready = Vec::new();
    let mut last = None;
    for run in 1..=cold_runs {
        let requested = now_ms();
        let app = h.connect().await;
        let session = now_ms() - requested;
        let pid = app_pid(h.driver_pid()).expect("the app process under tauri-driver");
        let started = process_start_ms(pid);
        let first = wait_for(
            &app,
            "the guest table's first rows",
            Duration::from_secs(60),
            || {
                let app = app.clone();
                async move {
                    let m = marks(&app).await?;
                    (m.get("guestRowsPainted").copied().unwrap_or(-1.0) > 0.0).then_some(m)
                }
            },
        )
        .await;
        let painted = first["guestRowsPainted"];
        let rows = first.get("guestRowsAtFirstPaint").copied().unwrap_or(0.0);
        let hash: String = app
            .execute("return window.location.hash", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // The first network answers (the cache's rows are marked stale until then).
        let fresh = wait_for(
            &app,
            "every cluster refreshed",
            Duration::from_secs(60),
            || {
                let app = app.clone();
                async move {
                    let m = marks(&app).await?;
                    (m.get("inventoryAllFresh").copied().unwrap_or(-1.0) > 0.0).then_some(m)
                }
            },
        )
        .await;
        let nav = app
            .execute(
                "const n = performance.getEntriesByType('navigation')[0]; return { origin: performance.timeOrigin, dcl: n ? n.domContentLoadedEventEnd : -1 }",
                vec![],
            )
            .await
            .unwrap();
        let origin = nav["origin"].as_f64().unwrap_or(f64::NAN);
        let dcl = nav["dcl"].as_f64().unwrap_or(f64::NAN);
        page_start.push(origin - started);
        page_ready.push(origin + dcl - started);
        from_proc.push(painted - started);
        from_request.push(painted - requested);
        to_fresh.push(fresh["inventoryFresh"] - started);
        to_all_fresh.push(fresh["inventoryAllFresh"] - started);
        session_ms.push(session);
        println!(
            "cold start {run}: rows painted {:6.0} ms after process start ({:6.0} ms after the session request; session took {:4.0} ms; process started {:+4.0} ms after the request); {} rows at first paint on {hash}; first refreshed cluster painted at {:6.0} ms, all 20 at {:6.0} ms",
            painted - started,
            painted - requested,
            session,
            started - requested,
            rows,
            fresh["inventoryFresh"] - started,
            fresh["inventoryAllFresh"] - started,
        );
        println!(
            "  page navigation began at {:6.0} ms, DOMContentLoaded at {:6.0} ms after process start",
            origin - started,
            origin + dcl - started
        );
        if run < cold_runs {
            close(h, app).await;
        } else {
            last = Some(app);
        }
    }
    let app = last.unwrap();
    println!(
        "COLD START (process start -> guest rows painted, {cold_runs} runs): p50 {:.0} ms  min {:.0} ms  max {:.0} ms  [goal < 1500 ms]",
        p50(&from_proc),
        min(&from_proc),
        max(&from_proc)
    );
    println!(
        "  from the WebDriver session request: p50 {:.0} ms  min {:.0} ms  max {:.0} ms; session request alone p50 {:.0} ms",
        p50(&from_request),
        min(&from_request),
        max(&from_request),
        p50(&session_ms)
    );
    println!(
        "  first network refresh painted: p50 {:.0} ms (first cluster)  p50 {:.0} ms (all 20) after process start",
        p50(&to_fresh),
        p50(&to_all_fresh)
    );

    println!(
        "  page navigation began p50 {:.0} ms, DOMContentLoaded p50 {:.0} ms after process start",
        p50(&page_start),
        p50(&page_ready)
    );
    snapshot_ipc(&app).await;

    // 2. Filtering.
    filtering(&app, filter_runs).await;

    // 3. Idle memory, on the Guests page with nothing filtered.
    idle_memory(h, &app, &sim, idle_secs).await;
    close(h, app).await;
    drop(sim);
}

/// The 20 connections, stored as the app stores them: rows in its database under the data
/// directory, token secrets in the (harness's) keychain.
/// Removes every stored connection (and its keychain entry).
async fn clear_connections(data_dir: &Path) {
    let ctx = proxdeck_core::Ctx::builder(
        env!("CARGO_PKG_VERSION"),
        proxdeck_core::paths::Paths::under(data_dir),
    )
    .open()
    .await
    .unwrap();
    for c in connections::list(&ctx).await.unwrap() {
        connections::remove(&ctx, &c.id, false).await.unwrap();
    }
}

/// Stores a token connection per cluster of `sim` (as the user would add them); their ids.
async fn store_connections(sim: &Sim, data_dir: &Path) -> Vec<String> {
    let ctx = proxdeck_core::Ctx::builder(
        env!("CARGO_PKG_VERSION"),
        proxdeck_core::paths::Paths::under(data_dir),
    )
    .open()
    .await
    .unwrap();
    let mut ids = Vec::new();
    for c in &sim.clusters {
        let conn = connections::add(
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
        ids.push(conn.id);
    }
    ids
}

/// Ends the session and waits for the app process to be gone.
async fn close(h: &Harness, app: Client) {
    let pid = app_pid(h.driver_pid());
    app.close().await.unwrap();
    if let Some(pid) = pid {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
}

async fn wait_for<T, F, Fut>(app: &Client, what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        if Instant::now() > deadline {
            let png = app.screenshot().await.unwrap_or_default();
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/bench-window/timeout.png");
            let _ = std::fs::write(&path, png);
            panic!(
                "timed out waiting for {what} (screenshot {})",
                path.display()
            );
        }
        // The marks are taken in the page: polling often would only steal CPU from the app.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn marks(app: &Client) -> Option<HashMap<String, f64>> {
    let v = app
        .execute("return window.__proxdeckMarks || null", vec![])
        .await
        .ok()?;
    let obj = v.as_object()?;
    Some(
        obj.iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
            .collect(),
    )
}

/// Waits until the guest table lists `n` guests.
async fn wait_for_guests(app: &Client, what: &str, n: usize, limit: Duration) {
    wait_for(app, what, limit, || {
        let app = app.clone();
        async move { (guest_count(&app).await? == n).then_some(()) }
    })
    .await;
}

/// The number the Guests page shows ("10,000 guests" or "12 of 10,000 guests").
async fn guest_count(app: &Client) -> Option<usize> {
    let v = app
        .execute(
            "const e = document.querySelector('[data-testid=guest-count]'); return e ? e.textContent : null",
            vec![],
        )
        .await
        .ok()?;
    let text = v.as_str()?;
    let first: String = text
        .split_whitespace()
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    first.parse().ok()
}

/// What the page pays for the inventory snapshot it asks for at start (10,000 resources over
/// Tauri's IPC), measured in the page once the app is warm.
async fn snapshot_ipc(app: &Client) {
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..5 {
        let v = app
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   const t0 = performance.now();
                   window.__TAURI_INTERNALS__.invoke('inventory_snapshot').then(
                     (r) => done({ ms: performance.now() - t0, n: r.reduce((s, c) => s + c.resources.length, 0) }),
                     (e) => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .unwrap();
        times.push(v["ms"].as_f64().unwrap_or(f64::NAN));
        count = v["n"].as_u64().unwrap_or(0);
    }
    println!(
        "  inventory_snapshot IPC in the warm page ({count} resources): p50 {:.0} ms  max {:.0} ms",
        p50(&times),
        max(&times)
    );
}

// ---- 2. filtering ------------------------------------------------------------------------

/// Types `text` into the filter the way React sees typing (the native value setter, then an
/// input event) and waits for the count to change, then for the frame to be painted (rAF,
/// then a task after it). Also reports the frame after that (the facet counts follow the
/// rows as a deferred render).
const FILTER_SCRIPT: &str = r#"
const text = arguments[0];
const done = arguments[arguments.length - 1];
const input = document.querySelector('[data-testid=guest-filter]');
const count = document.querySelector('[data-testid=guest-count]');
if (!input || !count) { done({ error: 'no filter or count on the page' }); return; }
const before = count.textContent;
if (input.value === text) { done({ error: 'the filter already holds ' + JSON.stringify(text) }); return; }
const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
const afterPaint = (cb) => requestAnimationFrame(() => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => cb(performance.now());
  ch.port2.postMessage(null);
});
let finished = false;
const t0 = performance.now();
const timer = setTimeout(() => {
  if (!finished) { finished = true; observer.disconnect(); done({ error: 'the count did not change: ' + count.textContent }); }
}, 20000);
const observer = new MutationObserver(() => {
  if (finished || count.textContent === before) return;
  finished = true;
  observer.disconnect();
  clearTimeout(timer);
  const dom = performance.now();
  afterPaint((painted) => afterPaint((next) => {
    const rows = document.querySelectorAll('[data-testid^=guest-row-]').length;
    done({ dom: dom - t0, painted: painted - t0, settled: next - t0, count: count.textContent, rows });
  }));
});
observer.observe(count, { childList: true, characterData: true, subtree: true });
setter.call(input, text);
input.dispatchEvent(new Event('input', { bubbles: true }));
"#;

struct FilterCase {
    label: String,
    text: String,
    painted: Vec<f64>,
    settled: Vec<f64>,
    count: String,
}

async fn filter_once(app: &Client, text: &str) -> (f64, f64, String) {
    let v = app
        .execute_async(FILTER_SCRIPT, vec![json!(text)])
        .await
        .unwrap_or_else(|e| panic!("filter script for {text:?}: {e}"));
    if let Some(e) = v.get("error") {
        panic!("filtering by {text:?}: {e}");
    }
    let num = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    (
        num("painted"),
        num("settled"),
        v.get("count")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    )
}

async fn filtering(app: &Client, runs: usize) {
    // Pick real texts from the table: a name fragment, a vmid, a tag.
    let sample = app
        .execute(
            r#"const rows = [...document.querySelectorAll('[data-testid^=guest-row-]')];
               const r = rows[Math.min(7, rows.length - 1)];
               const cells = r ? [...r.querySelectorAll('[role=gridcell]')].map(c => c.textContent) : [];
               const tags = [...document.querySelectorAll('[data-testid^=guest-row-] [role=gridcell]:nth-child(8) span span')].map(s => s.textContent);
               return { vmid: cells[0] || '', name: cells[1] || '', tag: tags[0] || '' };"#,
            vec![],
        )
        .await
        .unwrap();
    let name = sample["name"].as_str().unwrap_or_default().to_owned();
    let vmid = sample["vmid"].as_str().unwrap_or_default().to_owned();
    let tag = sample["tag"].as_str().unwrap_or_default().to_owned();
    // A fragment of the name: its first part up to a digit or dash ("web-0012" -> "web").
    let fragment: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>();
    let fragment = if fragment.len() >= 2 {
        fragment
    } else {
        name.clone()
    };
    let mut cases = vec![
        ("name fragment", fragment),
        ("whole name", name),
        ("vmid", vmid),
        ("tag", tag),
    ];
    cases.retain(|(_, t)| !t.is_empty());
    let mut results: Vec<FilterCase> = cases
        .iter()
        .map(|(label, text)| FilterCase {
            label: (*label).to_owned(),
            text: text.clone(),
            painted: Vec::new(),
            settled: Vec::new(),
            count: String::new(),
        })
        .collect();
    let mut clear = FilterCase {
        label: "clear the filter".into(),
        text: String::new(),
        painted: Vec::new(),
        settled: Vec::new(),
        count: String::new(),
    };
    // One round first, not counted (code paths warmed up, as for a user's second search).
    for (_, text) in &cases {
        filter_once(app, text).await;
        filter_once(app, "").await;
    }
    for _ in 0..runs {
        for case in &mut results {
            let (painted, settled, count) = filter_once(app, &case.text).await;
            case.painted.push(painted);
            case.settled.push(settled);
            case.count = count;
            let (painted, settled, count) = filter_once(app, "").await;
            clear.painted.push(painted);
            clear.settled.push(settled);
            clear.count = count;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
    results.push(clear);
    println!(
        "FILTERING the {GUESTS}-row table ({runs} runs per case; refresh running; in-page: input event -> count changed -> next frame painted). The filter input is NOT debounced (the rows follow every keystroke; only the facet counts are deferred with useDeferredValue)."
    );
    for c in &results {
        let quoted = format!("{:?}", c.text);
        println!(
            "  {:18} {:>14}  -> {:>22}:  rows painted p50 {:6.1} ms  max {:6.1} ms;  next frame (facet counts) p50 {:6.1} ms  max {:6.1} ms  [goal < 50 ms]",
            c.label,
            quoted,
            c.count,
            p50(&c.painted),
            max(&c.painted),
            p50(&c.settled),
            max(&c.settled),
        );
    }
}

// ---- 3. idle memory ----------------------------------------------------------------------

struct Proc {
    pid: u32,
    ppid: u32,
    comm: String,
}

fn processes() -> Vec<Proc> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_owned();
        let ppid = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        out.push(Proc { pid, ppid, comm });
    }
    out
}

fn descendants(root: u32, all: &[Proc]) -> Vec<u32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(all.iter().filter(|p| p.ppid == parent).map(|p| p.pid));
        i += 1;
    }
    found
}

/// The app process below tauri-driver: the descendant running the app's binary.
fn app_pid(driver: u32) -> Option<u32> {
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_proxdeck")).ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let all = processes();
        let found = descendants(driver, &all).into_iter().find(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .ok()
                .as_deref()
                == Some(exe.as_path())
        });
        if found.is_some() || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// When `pid` started, in epoch milliseconds: its start in clock ticks after boot
/// (/proc/PID/stat field 22) against /proc/uptime, both read now (10 ms resolution).
fn process_start_ms(pid: u32) -> f64 {
    let ticks = clock_ticks();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    // Fields after comm start at 3 (state); starttime is field 22.
    let start: f64 = after
        .split_whitespace()
        .nth(22 - 3)
        .unwrap()
        .parse()
        .unwrap();
    let now = now_ms();
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    now - (uptime - start / ticks) * 1e3
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    read_kib(&format!("/proc/{pid}/status"), field)
}

fn read_kib(path: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct MemSample {
    rss_kib: u64,
    pss_kib: Option<u64>,
    by_name: Vec<(String, u32, u64, Option<u64>)>,
}

fn memory(root: u32) -> MemSample {
    let all = processes();
    let names: HashMap<u32, &str> = all.iter().map(|p| (p.pid, p.comm.as_str())).collect();
    let mut by_name = Vec::new();
    let (mut rss, mut pss, mut pss_ok) = (0, 0, true);
    for pid in descendants(root, &all) {
        let Some(r) = status_kib(pid, "VmRSS:") else {
            continue; // a kernel thread or gone
        };
        let p = read_kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:");
        rss += r;
        match p {
            Some(p) => pss += p,
            None => pss_ok = false,
        }
        by_name.push((
            names.get(&pid).copied().unwrap_or("?").to_owned(),
            pid,
            r,
            p,
        ));
    }
    MemSample {
        rss_kib: rss,
        pss_kib: pss_ok.then_some(pss),
        by_name,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn resources_requests(sim: &Sim) -> u32 {
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

async fn idle_memory(h: &Harness, app: &Client, sim: &Sim, idle_secs: u64) {
    let pid = app_pid(h.driver_pid()).expect("the app process");
    app.execute("window.location.hash = '#/guests'", vec![])
        .await
        .unwrap();
    let visible = app
        .execute("return document.visibilityState", vec![])
        .await
        .unwrap();
    println!(
        "IDLE MEMORY: {idle_secs} s on the Guests page (10,000 rows, no filter), window {visible}, default refresh interval; app pid {pid} and its descendants"
    );
    let started = Instant::now();
    let requests_before = resources_requests(sim);
    let mut samples: Vec<(u64, MemSample)> = Vec::new();
    let mut next = 0;
    loop {
        let elapsed = started.elapsed().as_secs();
        if elapsed >= next {
            let m = memory(pid);
            println!(
                "  t={:4} s  RSS {:6.1} MiB  PSS {}  ({} processes)  /cluster/resources requests so far {}",
                elapsed,
                mib(m.rss_kib),
                m.pss_kib
                    .map_or("n/a".into(), |p| format!("{:6.1} MiB", mib(p))),
                m.by_name.len(),
                resources_requests(sim) - requests_before,
            );
            samples.push((elapsed, m));
            next += 60;
        }
        if elapsed >= idle_secs {
            break;
        }
        let wait = next.min(idle_secs).saturating_sub(elapsed).max(1);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    let m = memory(pid);
    let requests = resources_requests(sim) - requests_before;
    println!(
        "IDLE MEMORY after {} s: RSS {:.1} MiB ({:.0} MB), PSS {}  [goal RSS < 200 MB]; {requests} /cluster/resources requests in the period (≈ {:.1} refreshes of 20)",
        started.elapsed().as_secs(),
        mib(m.rss_kib),
        m.rss_kib as f64 * 1024.0 / 1e6,
        m.pss_kib.map_or("n/a".into(), |p| format!(
            "{:.1} MiB ({:.0} MB)",
            mib(p),
            p as f64 * 1024.0 / 1e6
        )),
        f64::from(requests) / CLUSTERS as f64,
    );
    for (name, pid, rss, pss) in &m.by_name {
        println!(
            "  {name:24} pid {pid:7}  RSS {:6.1} MiB  PSS {}",
            mib(*rss),
            pss.map_or("n/a".into(), |p| format!("{:6.1} MiB", mib(p)))
        );
    }
    let peak = samples.iter().map(|(_, s)| s.rss_kib).max().unwrap_or(0);
    println!("  peak RSS over the samples {:.1} MiB", mib(peak));
}

// ---- statistics --------------------------------------------------------------------------

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

fn p50(v: &[f64]) -> f64 {
    let s = sorted(v);
    if s.is_empty() {
        return f64::NAN;
    }
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn min(v: &[f64]) -> f64 {
    sorted(v).first().copied().unwrap_or(f64::NAN)
}

fn max(v: &[f64]) -> f64 {
    sorted(v).last().copied().unwrap_or(f64::NAN)
}

/// Records, in the page, the gaps between 10 ms timer ticks and between animation frames:
/// a gap far above its period is a moment the window could not react.
const LAG_PROBE: &str = "
  const p = { timers: [], frames: [], on: true, start: performance.now() };
  window.__lagProbe = p;
  let t0 = performance.now();
  const tick = () => { const t = performance.now(); p.timers.push(t - t0); t0 = t; if (p.on) setTimeout(tick, 10); };
  setTimeout(tick, 10);
  let f0 = performance.now();
  const frame = (t) => { p.frames.push(t - f0); f0 = t; if (p.on) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
";

/// WINDOW_BENCH_ATTRIBUTE=1: times every Tauri callback the page runs (event deliveries by
/// event name, invoke answers, channel messages), so each long gap can be put down to what ran
/// inside it. With a profiling build of the UI (`VITE_PROFILE=1 npm --prefix ui run build`) the
/// React renders of the frame's areas are counted too. What runs in none of them (style,
/// layout, paint, GC, the answers' JSON parsing) is the rest.
const ATTRIBUTION_PROBE: &str = "
  const a = { runs: [], on: true };
  window.__attr = a;
  const cbs = window.__TAURI_INTERNALS__.callbacks;
  const wrap = (id, f) => {
    if (f.__wrapped) return f;
    const w = (data) => {
      if (!a.on) return f(data);
      const t0 = performance.now();
      try { return f(data); } finally {
        const t1 = performance.now();
        const label = data && typeof data === 'object' && typeof data.event === 'string' ? 'event ' + data.event
          : (data && typeof data === 'object' && 'message' in data && 'index' in data) ? 'channel' : 'callback';
        a.runs.push([t0, t1 - t0, label]);
      }
    };
    w.__wrapped = true;
    return w;
  };
  for (const [id, f] of [...cbs.entries()]) Map.prototype.set.call(cbs, id, wrap(id, f));
  cbs.set = function (id, f) { return Map.prototype.set.call(this, id, wrap(id, f)); };
";

/// The attribution of the gaps over 50 ms: for each, what ran inside it.
async fn print_attribution(app: &Client) {
    let v = app
        .execute(
            "const a = window.__attr; a.on = false; const p = window.__lagProbe;
             let t = p.start; const gaps = [];
             for (const g of p.timers) { t += g; if (g > 50) gaps.push([t - g, t]); }
             const runs = a.runs.slice();
             for (const [id, phase, d, st] of (window.__proxdeckRenders ?? [])) if (st >= p.start) runs.push([st, d, 'render ' + id]);
             const totals = {};
             for (const [t0, d, l] of runs) { const x = totals[l] ??= [0, 0, 0]; x[0]++; x[1] += d; x[2] = Math.max(x[2], d); }
             const inGaps = gaps.map(([s, e]) => {
               const by = {};
               for (const [t0, d, l] of runs) if (t0 >= s && t0 < e) { const x = by[l] ??= [0, 0]; x[0]++; x[1] += d; }
               return [e - s, by];
             });
             return JSON.stringify({ totals, inGaps });",
            vec![],
        )
        .await
        .unwrap();
    println!("  attribution: {}", v.as_str().unwrap_or("?"));
}

async fn lag_sample(app: &Client) -> (Vec<f64>, Vec<f64>) {
    let v = app
        .execute(
            "const p = window.__lagProbe; p.on = false; return [p.timers, p.frames];",
            vec![],
        )
        .await
        .unwrap();
    let lists: Vec<Vec<f64>> = serde_json::from_value(v).unwrap();
    (lists[0].clone(), lists[1].clone())
}

fn print_lag(label: &str, timers: &[f64], frames: &[f64]) {
    let over = |v: &[f64], ms: f64| v.iter().filter(|g| **g > ms).count();
    let p99 = |v: &[f64]| {
        let s = sorted(v);
        s.get(s.len() * 99 / 100).copied().unwrap_or(0.0)
    };
    println!(
        "  {label}: timer gaps p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {} over 50 ms (of {}); frame gaps p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {} over 50 ms (of {})",
        p50(timers),
        p99(timers),
        max(timers),
        over(timers, 50.0),
        timers.len(),
        p50(frames),
        p99(frames),
        max(frames),
        over(frames, 50.0),
        frames.len(),
    );
}

/// Part 4: a bulk start of 500 guests through the app's own command, with the window on
/// the guest table; how long the page stalls while the calls, the 1,000 task events and the
/// inventory deltas arrive.
async fn bulk_responsiveness(h: &Harness) {
    const BULK_CLUSTERS: usize = 5;
    const BULK_NODES: usize = 2;
    const BULK_PER_NODE: usize = 50;
    let sim = Sim::start(
        Scenario::generate(BULK_CLUSTERS, BULK_NODES, BULK_PER_NODE, 11),
        SimOptions {
            task_duration: Duration::from_millis(500),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    let mut guests = Vec::new();
    // Only these 5 clusters: the first parts' 20 are removed.
    clear_connections(h.data_dir.path()).await;
    let ids = store_connections(&sim, h.data_dir.path()).await;
    for (c, id) in sim.clusters.iter().zip(&ids) {
        for g in c.sim.state().guests.values_mut() {
            g.spec.status = proxdeck_sim::scenario::GuestStatus::Stopped;
            g.spec.lock = None;
            g.spec.template = false;
            g.started_at = None;
            let kind = match g.spec.kind {
                proxdeck_sim::scenario::GuestKind::Qemu => "qemu",
                proxdeck_sim::scenario::GuestKind::Lxc => "lxc",
            };
            guests.push(json!({ "connectionId": id, "node": g.spec.node, "kind": kind, "vmid": g.spec.vmid }));
        }
        c.faults()
            .add(FaultRule::new("", Fault::Latency { ms: 20 }).times(BUDGET));
    }
    let total = guests.len();
    println!(
        "bulk: start {total} guests on {BULK_CLUSTERS} clusters (20 ms per request, tasks 0.5 s), the window on the guest table"
    );
    let app = h.launch().await;
    app.execute("window.location.hash = '#/guests'", vec![])
        .await
        .unwrap();
    wait_for_guests(
        &app,
        "the 500 guests listed",
        total,
        Duration::from_secs(60),
    )
    .await;
    // WINDOW_BENCH_BULK_PAGE (e.g. `#/settings`) measures with another page in front.
    if let Ok(page) = std::env::var("WINDOW_BENCH_BULK_PAGE") {
        println!("  (the window on {page} instead)");
        app.execute("window.location.hash = arguments[0]", vec![json!(page)])
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    app.execute(LAG_PROBE, vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (idle_t, idle_f) = lag_sample(&app).await;

    app.execute(LAG_PROBE, vec![]).await.unwrap();
    let attribute = std::env::var_os("WINDOW_BENCH_ATTRIBUTE").is_some();
    if attribute {
        app.execute(ATTRIBUTION_PROBE, vec![]).await.unwrap();
    }
    let started = Instant::now();
    app.execute(
        "window.__bulkDone = null; window.__TAURI_INTERNALS__.invoke('guests_power_many', { guests: arguments[0], action: 'start' }).then(r => { window.__bulkDone = performance.now(); window.__bulkOutcomes = r.length; });",
        vec![json!(guests)],
    )
    .await
    .unwrap();
    let all_running = || {
        sim.clusters.iter().all(|c| {
            c.sim
                .state()
                .guests
                .values()
                .all(|g| g.spec.status == proxdeck_sim::scenario::GuestStatus::Running)
        })
    };
    wait_for(
        &app,
        "all 500 guests running",
        Duration::from_secs(120),
        || {
            let done = all_running();
            async move { done.then_some(()) }
        },
    )
    .await;
    let running_after = started.elapsed();
    // The tasks' ends, the notification and the inventory's deltas follow within seconds.
    tokio::time::sleep(Duration::from_secs(5)).await;
    if attribute {
        print_attribution(&app).await;
    }
    let (bulk_t, bulk_f) = lag_sample(&app).await;
    let outcomes = app
        .execute("return window.__bulkOutcomes", vec![])
        .await
        .unwrap();
    println!(
        "  all {total} guests running {:.1} s after the call; {} outcomes returned to the page",
        running_after.as_secs_f64(),
        outcomes
    );
    print_lag("idle window, 5 s", &idle_t, &idle_f);
    print_lag("during the bulk and 5 s after", &bulk_t, &bulk_f);
    close(h, app).await;
}
