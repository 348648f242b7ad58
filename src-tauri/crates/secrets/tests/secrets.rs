//! The keychain against a real Secret Service: gnome-keyring on a private session bus.
//!
//! This binary is its own harness. Run plainly (by `cargo test`), it prepares a throwaway
//! HOME and starts itself again in three situations, each a separate process because the
//! session bus is chosen per process:
//!   * `inside`: under `dbus-run-session` with gnome-keyring started and unlocked — the real
//!     round trips;
//!   * `no-service`: under `dbus-run-session` with a bus that cannot start a Secret Service;
//!   * `no-bus`: with no session bus at all.
//!
//! The user's own keyring is never touched.

use std::process::{Command, Stdio};

use proxdeck_secrets::testing::{prepare_home, require_tools, start_keyring};
use proxdeck_secrets::{Keychain, SecretKind, Sensitive};

const STAGE: &str = "PROXDECK_SECRETS_TEST_STAGE";
const SERVICE: &str = "proxdeck-test";

type Case = (&'static str, fn());

fn main() {
    let cases: &[Case] = match std::env::var(STAGE).as_deref() {
        Ok("inside") => {
            start_keyring();
            INSIDE
        }
        Ok("no-service") | Ok("no-bus") => UNAVAILABLE,
        _ => return outer(),
    };
    run_cases(cases);
}

fn run_cases(cases: &[Case]) {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut failed = Vec::new();
    let mut passed = 0;
    for (name, case) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match std::panic::catch_unwind(case) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(*name);
            }
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}

/// Prepares the environment and runs the three stages as child processes.
fn outer() {
    require_tools();
    let home = tempfile::tempdir().unwrap();
    let runtime = prepare_home(home.path());
    let minimal_bus = home.path().join("bus-without-services.conf");
    std::fs::write(&minimal_bus, MINIMAL_BUS_CONFIG).unwrap();
    let me = std::env::current_exe().unwrap();
    let args: Vec<String> = std::env::args().skip(1).collect();

    // `wrapper` is the command line put in front of this binary (empty: run it directly).
    let stage = |name: &str, wrapper: &[&str]| {
        let mut cmd = match wrapper.split_first() {
            Some((program, pre)) => {
                let mut c = Command::new(program);
                c.args(pre).arg(&me);
                c
            }
            None => Command::new(&me),
        };
        cmd.args(&args)
            .env(STAGE, name)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        println!("--- stage {name}");
        let status = cmd.status().unwrap();
        status.success()
    };
    let config_arg = format!("--config-file={}", minimal_bus.display());
    let results = [
        stage("inside", &["dbus-run-session", "--"]),
        stage("no-service", &["dbus-run-session", &config_arg, "--"]),
        stage("no-bus", &[]),
    ];
    if results.iter().any(|ok| !ok) {
        eprintln!("secrets tests failed in one of the stages above");
        std::process::exit(101);
    }
}

const MINIMAL_BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn kc() -> Keychain {
    Keychain::new(SERVICE)
}

fn secret_tool_lookup(owner: &str, kind: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            SERVICE,
            "username",
            &format!("{owner}:{kind}"),
        ])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

const INSIDE: &[Case] = &[
    ("set_get_delete_round_trip", || {
        let k = kc();
        assert!(k.get("conn-a", SecretKind::Password).unwrap().is_none());
        let r = k
            .set("conn-a", SecretKind::Password, &"s3cret pässword".into())
            .unwrap();
        assert_eq!(r.to_string(), "conn-a:password");
        let got = k.get("conn-a", SecretKind::Password).unwrap().unwrap();
        assert_eq!(got.expose(), "s3cret pässword");
        assert!(k.delete("conn-a", SecretKind::Password).unwrap());
        assert!(k.get("conn-a", SecretKind::Password).unwrap().is_none());
        assert!(!k.delete("conn-a", SecretKind::Password).unwrap());
    }),
    ("the_secret_is_really_in_the_secret_service", || {
        let k = kc();
        k.set(
            "conn-b",
            SecretKind::TokenSecret,
            &"5f0c7a1e-token-secret".into(),
        )
        .unwrap();
        // Read back by another program through the Secret Service API, not by our code.
        assert_eq!(
            secret_tool_lookup("conn-b", "token-secret").as_deref(),
            Some("5f0c7a1e-token-secret")
        );
        k.delete("conn-b", SecretKind::TokenSecret).unwrap();
        assert_eq!(secret_tool_lookup("conn-b", "token-secret"), None);
    }),
    ("kinds_and_owners_are_separate", || {
        let k = kc();
        k.set("conn-c", SecretKind::Password, &"pw-c".into())
            .unwrap();
        k.set("conn-c", SecretKind::TokenSecret, &"tok-c".into())
            .unwrap();
        k.set("conn-d", SecretKind::Password, &"pw-d".into())
            .unwrap();
        assert_eq!(
            k.get("conn-c", SecretKind::Password)
                .unwrap()
                .unwrap()
                .expose(),
            "pw-c"
        );
        assert_eq!(
            k.get("conn-c", SecretKind::TokenSecret)
                .unwrap()
                .unwrap()
                .expose(),
            "tok-c"
        );
        assert_eq!(
            k.get("conn-d", SecretKind::Password)
                .unwrap()
                .unwrap()
                .expose(),
            "pw-d"
        );
        // A different service name is a different namespace.
        assert!(
            Keychain::new("proxdeck-test-other")
                .get("conn-c", SecretKind::Password)
                .unwrap()
                .is_none()
        );
        assert_eq!(k.delete_all("conn-c").unwrap(), 2);
        assert!(k.get("conn-c", SecretKind::TokenSecret).unwrap().is_none());
        assert_eq!(
            k.get("conn-d", SecretKind::Password)
                .unwrap()
                .unwrap()
                .expose(),
            "pw-d"
        );
        k.delete_all("conn-d").unwrap();
    }),
    ("set_replaces_the_previous_value", || {
        let k = kc();
        k.set("conn-e", SecretKind::SshPassphrase, &"old".into())
            .unwrap();
        k.set("conn-e", SecretKind::SshPassphrase, &"new".into())
            .unwrap();
        assert_eq!(
            k.get("conn-e", SecretKind::SshPassphrase)
                .unwrap()
                .unwrap()
                .expose(),
            "new"
        );
        assert_eq!(k.delete_all("conn-e").unwrap(), 1);
    }),
    ("a_multiline_private_key_survives", || {
        let k = kc();
        let key = "-----BEGIN TEST KEY-----\nline1\nline2\n-----END TEST KEY-----\n";
        k.set(
            "conn-f",
            SecretKind::SshPrivateKey,
            &Sensitive::new(key.to_owned()),
        )
        .unwrap();
        assert_eq!(
            k.get("conn-f", SecretKind::SshPrivateKey)
                .unwrap()
                .unwrap()
                .expose(),
            key
        );
        k.delete_all("conn-f").unwrap();
    }),
    ("an_empty_owner_is_refused", || {
        let err = kc().set("", SecretKind::Password, &"x".into()).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }),
];

const UNAVAILABLE: &[Case] = &[(
    "without_a_secret_service_the_error_is_keychain_and_says_how_to_fix_it",
    || {
        let secret = "never-written-anywhere-4711";
        let err = kc()
            .set("conn-x", SecretKind::Password, &secret.into())
            .unwrap_err();
        let proxdeck_secrets::SecretsError::Keychain { message } = &err else {
            panic!("expected a Keychain error, got {err:?}");
        };
        assert!(message.contains("Secret Service"), "{message}");
        assert!(message.contains("gnome-keyring"), "{message}");
        assert!(
            message.contains("never keeps secrets in a plain file"),
            "{message}"
        );
        assert!(!message.contains(secret));
        assert!(!format!("{err:?}").contains(secret));
        // Reading fails the same way instead of pretending there is nothing stored.
        assert!(matches!(
            kc().get("conn-x", SecretKind::Password),
            Err(proxdeck_secrets::SecretsError::Keychain { .. })
        ));
        // And nothing was written to the throwaway HOME as a fallback.
        let home = std::env::var("HOME").unwrap();
        let found = Command::new("grep")
            .args(["-r", "-l", secret, &home])
            .output()
            .unwrap();
        assert!(found.stdout.is_empty(), "secret found on disk: {:?}", found);
    },
)];
