//! What an end-to-end test needs around the app: an X display (Xvfb unless one is given),
//! a private session bus with gnome-keyring (the app's Secret Service) and dunst (its
//! notification daemon) on it, a D-Bus monitor recording the notifications, tauri-driver
//! (which drives WebKitWebDriver) and a throwaway data directory and HOME. Everything
//! started here is stopped on drop.
//!
//! Shared by tests/e2e.rs and benches/window.rs; each uses a part of it.

#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const WAIT: Duration = Duration::from_secs(30);

/// A child process killed (with its process group) when dropped.
struct Guarded {
    child: Child,
    what: &'static str,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let pgid = self.child.id();
        // Negative pid: the whole group, so helpers the child started go too.
        signal_group(pgid, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("{} did not stop on TERM; killing it", self.what);
        signal_group(pgid, "KILL");
        let _ = self.child.wait();
    }
}

/// Signals a whole process group (`kill -s SIG -- -PGID`).
fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

fn spawn(cmd: &mut Command, what: &'static str) -> Guarded {
    let child = cmd.process_group(0).spawn().unwrap_or_else(|e| {
        panic!("cannot start {what}: {e}. Run scripts/test, which installs it")
    });
    Guarded { child, what }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub struct Harness {
    pub data_dir: tempfile::TempDir,
    pub artifacts: PathBuf,
    /// The private session bus (for `secret-tool` and friends).
    pub bus_address: String,
    /// The throwaway HOME the app and the keyring run under.
    pub home: tempfile::TempDir,
    notifications_log: PathBuf,
    display: String,
    driver_port: u16,
    // Dropped in reverse order of start: driver, monitor, dunst, bus, display.
    _driver: Option<Guarded>,
    _monitor: Option<Guarded>,
    _dunst: Option<Guarded>,
    _bus: Option<Guarded>,
    _xvfb: Option<Guarded>,
}

impl Harness {
    pub fn start(artifacts_name: &str) -> Self {
        let artifacts = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("artifacts")
            .join(artifacts_name);
        std::fs::create_dir_all(&artifacts).unwrap();
        let (display, xvfb) = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => (d, None),
            _ => start_xvfb(),
        };
        let home = tempfile::tempdir().unwrap();
        let runtime = proxdeck_secrets::testing::prepare_home(home.path());
        let (bus_address, bus) = start_bus(home.path(), &runtime);
        start_keyring(&bus_address, home.path(), &runtime);
        let dunst = start_dunst(&bus_address, &display, home.path());
        let notifications_log = artifacts.join("notifications.log");
        let monitor = start_notification_monitor(&bus_address, &notifications_log);
        let data_dir = tempfile::tempdir().unwrap();
        let driver_port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &driver_port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
        .env("HOME", home.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .env("PROXDECK_DATA_DIR", data_dir.path())
        // The web view keeps its own storage under XDG_DATA_HOME: keep it out of the
        // user's real profile and out of other runs.
        .env("XDG_DATA_HOME", data_dir.path().join("xdg-data"))
        .env_remove("PROXDECK_LOG_DIR")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null());
        let driver = spawn(&mut cmd, "tauri-driver");
        wait_for_port(driver_port, "tauri-driver");
        Self {
            data_dir,
            artifacts,
            bus_address,
            home,
            notifications_log,
            display,
            driver_port,
            _driver: Some(driver),
            _monitor: Some(monitor),
            _dunst: dunst,
            _bus: Some(bus),
            _xvfb: xvfb,
        }
    }

    /// Starts the app in a new WebDriver session (a new process each time).
    pub async fn launch(&self) -> Client {
        let client = self.connect().await;
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-testid=main-pane]"))
            .await
            .expect("the main window shows its main pane");
        client
    }

    /// The pid of tauri-driver: the app runs below it (tauri-driver, WebKitWebDriver, app).
    pub fn driver_pid(&self) -> u32 {
        self._driver.as_ref().map_or(0, |d| d.child.id())
    }

    /// Starts the app in a new WebDriver session and returns as soon as the session exists,
    /// without waiting for the page.
    pub async fn connect(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env!("CARGO_BIN_EXE_proxdeck") }),
        );
        ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.driver_port))
            .await
            .unwrap_or_else(|e| panic!("no WebDriver session on display {}: {e}", self.display))
    }

    /// Saves the window as PNG under artifacts/<name>/ and returns the path.
    pub async fn screenshot(&self, client: &Client, name: &str) -> PathBuf {
        // Let the last DOM change reach the screen.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "WebDriver returned no PNG");
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
        path
    }
}

fn start_xvfb() -> (String, Option<Guarded>) {
    for n in 91..200 {
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
        if socket.exists() || lock.exists() {
            continue;
        }
        let name = format!(":{n}");
        let mut cmd = Command::new("Xvfb");
        cmd.args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut guard = spawn(&mut cmd, "Xvfb");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if socket.exists() {
                return (name, Some(guard));
            }
            if let Ok(Some(_)) = guard.child.try_wait() {
                break; // lost a race for this display number; try the next
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("could not start Xvfb on any display :91..:199");
}

fn start_bus(home: &Path, runtime: &Path) -> (String, Guarded) {
    use std::io::{BufRead, BufReader};
    let mut cmd = Command::new("dbus-daemon");
    cmd.args(["--session", "--nofork", "--print-address=1"])
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", runtime)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut guard = spawn(&mut cmd, "dbus-daemon");
    let mut line = String::new();
    BufReader::new(guard.child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().to_owned();
    assert!(
        address.starts_with("unix:"),
        "dbus-daemon printed {address:?}"
    );
    (address, guard)
}

/// gnome-keyring's Secret Service on the private bus, unlocked, under the throwaway HOME.
fn start_keyring(bus: &str, home: &Path, runtime: &Path) {
    use std::io::Write;
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_RUNTIME_DIR", runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon starts (scripts/test installs it)");
    child.stdin.take().unwrap().write_all(b"e2e-login").unwrap();
    assert!(
        child.wait().unwrap().success(),
        "gnome-keyring-daemon failed"
    );
}

/// dunst answers the app's notifications, as a desktop's notification daemon would.
fn start_dunst(bus: &str, display: &str, home: &Path) -> Option<Guarded> {
    if !proxdeck_secrets::testing::which("dunst") {
        eprintln!("dunst is not installed: notifications are recorded but not shown");
        return None;
    }
    let mut cmd = Command::new("dunst");
    cmd.env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("DISPLAY", display)
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Some(spawn(&mut cmd, "dunst"))
}

/// Records every Notify call on the bus to `log`.
fn start_notification_monitor(bus: &str, log: &Path) -> Guarded {
    let file = std::fs::File::create(log).unwrap();
    let mut cmd = Command::new("dbus-monitor");
    cmd.args([
        "--address",
        bus,
        "interface='org.freedesktop.Notifications',member='Notify'",
    ])
    .stdin(Stdio::null())
    .stdout(file)
    .stderr(Stdio::null());
    let guard = spawn(&mut cmd, "dbus-monitor");
    // Give it a moment to register its match rule.
    std::thread::sleep(Duration::from_millis(300));
    guard
}

impl Harness {
    /// What the app sent as desktop notifications so far (dbus-monitor's record).
    pub fn notifications(&self) -> String {
        std::fs::read_to_string(&self.notifications_log).unwrap_or_default()
    }

    /// The secret the app stored in the keychain for (owner, kind), read with `secret-tool`.
    pub fn keychain_lookup(&self, account: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "proxdeck", "username", account])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("HOME", self.home.path())
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Polls `probe` until it returns `Some`, or fails the test after [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
