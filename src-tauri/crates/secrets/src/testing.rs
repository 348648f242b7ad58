//! A private, real Secret Service for tests: a session bus of its own and gnome-keyring on
//! it, under a throwaway HOME. Only built with the `testing` feature (dev-dependencies).
//!
//! [`KeyringSession::start`] must run before any thread that reads the environment is
//! started (call it first thing in a `harness = false` test's `main`): it points this
//! process's `DBUS_SESSION_BUS_ADDRESS`, `HOME` and `XDG_*` at the private session. The
//! user's own keyring is never touched. Dropping the session stops both daemons.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The tools the session needs; the message says how to get them.
pub fn require_tools() {
    for tool in [
        "dbus-daemon",
        "dbus-run-session",
        "gnome-keyring-daemon",
        "secret-tool",
    ] {
        assert!(
            which(tool),
            "`{tool}` is not installed. Install dbus, gnome-keyring and libsecret-tools (scripts/test does this): these tests need a real Secret Service"
        );
    }
}

pub fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false)
}

/// Makes `home` a fresh HOME whose keyring directory gnome-keyring will use, and returns
/// the runtime directory to use as `XDG_RUNTIME_DIR`.
pub fn prepare_home(home: &Path) -> PathBuf {
    let keyrings = home.join(".local/share/keyrings");
    std::fs::create_dir_all(&keyrings).expect("create the keyrings directory");
    // A fresh gnome-keyring has no "default" alias; point it at the login keyring it creates.
    std::fs::write(keyrings.join("default"), "login").expect("write the default alias");
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).expect("create the runtime directory");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))
            .expect("chmod the runtime directory");
    }
    runtime
}

/// Starts gnome-keyring's secrets component on the current session bus, unlocked.
pub fn start_keyring() {
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--unlock", "--components=secrets"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("gnome-keyring-daemon starts");
    // The login keyring's password; it only guards the throwaway HOME.
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(b"test-login")
        .expect("write the keyring password");
    // The daemon forks itself into the background and the parent exits once it is ready.
    assert!(
        child.wait().expect("wait for gnome-keyring").success(),
        "gnome-keyring-daemon failed to start"
    );
}

/// A running private session bus with gnome-keyring on it.
pub struct KeyringSession {
    home: Option<tempfile_like::TempHome>,
    bus: Child,
}

impl KeyringSession {
    /// Starts the bus and the keyring and points this process at them.
    ///
    /// Call this before starting any other thread (the environment is changed).
    pub fn start() -> Self {
        require_tools();
        let home = tempfile_like::TempHome::new();
        let runtime = prepare_home(home.path());
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("HOME", home.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .spawn()
            .expect("dbus-daemon starts");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout is piped"))
            .read_line(&mut address)
            .expect("dbus-daemon prints its address");
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        // SAFETY: called at the start of a test binary's main, before other threads exist.
        unsafe {
            std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
            std::env::set_var("HOME", home.path());
            std::env::set_var("XDG_DATA_HOME", home.path().join(".local/share"));
            std::env::set_var("XDG_CONFIG_HOME", home.path().join(".config"));
            std::env::set_var("XDG_CACHE_HOME", home.path().join(".cache"));
            std::env::set_var("XDG_RUNTIME_DIR", &runtime);
            std::env::remove_var("DISPLAY");
            std::env::remove_var("WAYLAND_DISPLAY");
        }
        start_keyring();
        Self {
            home: Some(home),
            bus,
        }
    }

    /// The throwaway HOME.
    pub fn home(&self) -> &Path {
        self.home
            .as_ref()
            .expect("home lives as long as the session")
            .path()
    }

    /// `secret-tool lookup`: the secret stored for (`service`, `owner:kind`), read by another
    /// program through the Secret Service, or `None`.
    pub fn lookup(service: &str, account: &str) -> Option<String> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", service, "username", account])
            .output()
            .expect("secret-tool runs");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Every secret stored under `service`, as `(account, secret)`, read with `secret-tool`.
    pub fn all(service: &str) -> Vec<(String, String)> {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "--unlock", "service", service])
            .output()
            .expect("secret-tool runs");
        // secret-tool prints each item's label and secret on stdout and its attributes on
        // stderr, item by item in the same order: pair them up.
        let secrets = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("secret = ").map(str::to_owned))
            .collect::<Vec<_>>();
        let accounts = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = ").map(str::to_owned))
            .collect::<Vec<_>>();
        assert_eq!(
            secrets.len(),
            accounts.len(),
            "secret-tool listed {} secrets but {} accounts",
            secrets.len(),
            accounts.len()
        );
        accounts.into_iter().zip(secrets).collect()
    }
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        // gnome-keyring exits when its bus goes away.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        self.home.take();
    }
}

mod tempfile_like {
    use std::path::{Path, PathBuf};

    /// A directory under the system temp dir, removed on drop.
    pub struct TempHome(PathBuf);

    impl TempHome {
        pub fn new() -> Self {
            let mut n = [0u8; 8];
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            n.copy_from_slice(&(t as u64 ^ u64::from(std::process::id())).to_le_bytes());
            let dir = std::env::temp_dir().join(format!(
                "proxdeck-keyring-{}",
                n.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ));
            std::fs::create_dir_all(&dir).expect("create a temporary HOME");
            Self(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempHome {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
