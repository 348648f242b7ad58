//! The client against proxdeck-sim on loopback: pinned TLS, token auth, PVE's errors.

use std::time::Duration;

use proxdeck_pve::{Auth, PveClient, PveError, Trust};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};

async fn demo() -> Sim {
    Sim::start(Scenario::demo(), SimOptions::default())
        .await
        .unwrap()
}

fn token(sim: &Sim, cluster: &str) -> Auth {
    let t = sim.credentials(cluster).token.unwrap();
    let (id, secret) = t.split_once('=').unwrap();
    Auth::PveToken {
        id: id.to_owned(),
        secret: secret.to_owned(),
    }
}

#[tokio::test]
async fn a_pinned_certificate_is_trusted_in_any_case_and_a_changed_one_is_refused() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let pin = prod.fingerprint().to_ascii_lowercase();
    let client = PveClient::new(
        &prod.base_url(),
        &Trust::Pinned(pin.clone()),
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap();
    let version = client.get("/version").await.unwrap();
    assert_eq!(version["release"], "9.1");
    let fresh = prod.swap_certificate();
    let client = PveClient::new(
        &prod.base_url(),
        &Trust::Pinned(pin),
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap();
    match client.get("/version").await {
        Err(PveError::CertificateMismatch { presented, .. }) => {
            assert_eq!(presented, fresh.fingerprint)
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn system_roots_do_not_trust_a_self_signed_node() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = PveClient::new(
        &prod.base_url(),
        &Trust::SystemRoots,
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(matches!(
        client.get("/version").await,
        Err(PveError::Unreachable { .. })
    ));
}

#[tokio::test]
async fn errors_are_typed() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let pin = Trust::Pinned(prod.fingerprint());
    let bad = Auth::PveToken {
        id: "root@pam!proxdeck".into(),
        secret: "00000000-0000-0000-0000-000000000000".into(),
    };
    let client = PveClient::new(&prod.base_url(), &pin, bad, Duration::from_secs(5)).unwrap();
    assert!(matches!(
        client.get("/version").await,
        Err(PveError::Unauthorized { .. })
    ));
    let client = PveClient::new(
        &prod.base_url(),
        &pin,
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap();
    prod.faults()
        .add(FaultRule::new("/api2/json/cluster/resources", Fault::Truncate).times(1));
    assert!(matches!(
        client.get("/cluster/resources").await,
        Err(PveError::Protocol { .. })
    ));
    prod.faults()
        .add(FaultRule::new("/api2/json/nodes/*", Fault::Status { status: 595 }).times(1));
    assert!(matches!(
        client.get("/nodes/pve1/status").await,
        Err(PveError::Unreachable { .. })
    ));
    assert!(matches!(
        client.get("/nodes/pve1/nothing").await,
        Err(PveError::Http { status: 501, .. })
    ));
    let e = PveClient::new(
        &prod.base_url(),
        &Trust::Pinned("zz".into()),
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap_err();
    assert!(e.to_string().contains("32 hex pairs"), "{e}");
}

fn login(username: &str, password: &str) -> Auth {
    Auth::Password {
        product: proxdeck_pve::Product::Pve,
        username: username.into(),
        password: password.into(),
    }
}

fn pinned(sim: &Sim, cluster: &str) -> Trust {
    Trust::Pinned(sim.cluster(cluster).fingerprint())
}

#[tokio::test]
async fn ticket_login_works_for_reads_and_writes_with_csrf() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD),
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
    // A write carries the CSRF token (the simulator refuses a ticket write without it).
    let upid = client
        .post(
            "/nodes/pve1/qemu/100/snapshot",
            &[("snapname", "from-client")],
        )
        .await
        .unwrap();
    assert!(upid.as_str().unwrap().starts_with("UPID:pve1:"), "{upid}");
    assert!(
        upid.as_str().unwrap().contains(":qmsnapshot:100:root@pam:"),
        "{upid}"
    );
    assert_eq!(client.stats().logins, 1, "one login serves many calls");
}

#[tokio::test]
async fn a_forced_ticket_expiry_costs_one_silent_re_login() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD),
        Duration::from_secs(5),
    )
    .unwrap();
    client.get("/version").await.unwrap();
    prod.sim.expire_tickets();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
    assert_eq!(client.stats().logins, 2);
    // A wrong password is Unauthorized, not a loop.
    let bad = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("root@pam", "wrong"),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(matches!(
        bad.get("/version").await,
        Err(PveError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn old_tickets_are_renewed_with_the_ticket_as_password() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD),
        Duration::from_secs(5),
    )
    .unwrap()
    .renew_after(Duration::from_millis(200));
    client.get("/version").await.unwrap();
    // 90 minutes pass on the cluster; the client's ticket is old enough to renew.
    prod.sim.advance_clock(90 * 60);
    tokio::time::sleep(Duration::from_millis(250)).await;
    client.get("/version").await.unwrap();
    // Another hour: the original ticket would be dead, the renewed one is not.
    prod.sim.advance_clock(60 * 60);
    client.get("/cluster/status").await.unwrap();
    let stats = client.stats();
    assert_eq!(stats.logins, 1, "{stats:?}");
    assert!(stats.renewals >= 1, "{stats:?}");
}

#[tokio::test]
async fn a_totp_user_logs_in_with_the_second_factor() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("secops@pve", proxdeck_sim::scenario::DEMO_SECOPS_PASSWORD),
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(
        client.login().await.unwrap(),
        proxdeck_pve::Login::NeedsSecondFactor
    );
    assert!(matches!(
        client.get("/version").await,
        Err(PveError::SecondFactorRequired)
    ));
    assert_eq!(
        client.login().await.unwrap(),
        proxdeck_pve::Login::NeedsSecondFactor
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key =
        proxdeck_sim::auth::base32_decode(proxdeck_sim::scenario::DEMO_SECOPS_TOTP_SECRET).unwrap();
    client
        .second_factor(proxdeck_pve::SecondFactor::Totp(
            proxdeck_sim::auth::totp_at(&key, now / 30),
        ))
        .await
        .unwrap();
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
}

#[tokio::test]
async fn failover_skips_a_dead_node_and_remembers_the_one_that_answered() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    // A port nothing listens on: refused at once.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("https://{}", dead.local_addr().unwrap());
    drop(dead);
    let urls = [dead_url.clone(), prod.base_url()];
    let client = PveClient::with_urls(
        &urls,
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_secs(2),
    )
    .unwrap();
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
    assert_eq!(client.current_url().await, prod.base_url());
    // All nodes down: Unreachable naming each.
    let client = PveClient::with_urls(
        std::slice::from_ref(&dead_url),
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_secs(2),
    )
    .unwrap();
    match client.get("/version").await {
        Err(PveError::Unreachable { reason, .. }) => {
            assert!(reason.contains(&dead_url), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_slow_node_times_out_as_unreachable() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    prod.faults().add(FaultRule::new(
        "/api2/json/version",
        Fault::Latency { ms: 1500 },
    ));
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_millis(300),
    )
    .unwrap();
    let t = std::time::Instant::now();
    match client.get("/version").await {
        Err(PveError::Unreachable { reason, .. }) => {
            assert!(reason.contains("timed out"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(t.elapsed() < Duration::from_millis(1200));
}

#[tokio::test]
async fn permission_and_parameter_errors_are_typed() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let auditor = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        login("auditor@pve", proxdeck_sim::scenario::DEMO_AUDITOR_PASSWORD),
        Duration::from_secs(5),
    )
    .unwrap();
    match auditor.post("/nodes/pve1/qemu/100/status/start", &[]).await {
        Err(PveError::MissingPrivilege { path, privilege }) => {
            assert_eq!(
                (path.as_str(), privilege.as_str()),
                ("/vms/100", "VM.PowerMgmt")
            );
        }
        other => panic!("{other:?}"),
    }
    match auditor.get("/cluster/resources?type=bogus").await {
        Err(e @ PveError::Invalid { .. }) => {
            let PveError::Invalid { fields, .. } = &e else {
                unreachable!()
            };
            assert!(fields.contains_key("type"), "{fields:?}");
            assert!(e.to_string().contains("type:"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn pbs_takes_its_own_token_form_and_ticket_cookie() {
    let sim = demo().await;
    let pbs = &sim.pbs[0];
    let creds = sim.pbs_credentials(&pbs.sim.name);
    let (id, secret) = creds.token.as_deref().unwrap().split_once(':').unwrap();
    let trust = Trust::Pinned(pbs.fingerprint());
    let client = PveClient::new(
        &pbs.base_url(),
        &trust,
        Auth::PbsToken {
            id: id.into(),
            secret: secret.into(),
        },
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(
        client
            .get("/version")
            .await
            .unwrap()
            .get("version")
            .is_some()
    );
    let by_password = PveClient::new(
        &pbs.base_url(),
        &trust,
        Auth::Password {
            product: proxdeck_pve::Product::Pbs,
            username: creds.username.clone(),
            password: creds.password.clone(),
        },
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(
        by_password
            .get("/admin/datastore")
            .await
            .unwrap()
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[tokio::test]
async fn the_probe_shows_what_a_node_presents_before_anything_is_trusted() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let seen = proxdeck_pve::probe(&prod.base_url(), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(seen.fingerprint, prod.fingerprint());
    assert!(seen.subject.contains("CN=prod"), "{}", seen.subject);
    assert_eq!(seen.subject, seen.issuer, "self-signed");
    assert!(!seen.trusted_by_system);
    assert!(seen.not_after.as_str() > "2026-01-01", "{}", seen.not_after);
    // After a swap the probe shows the new certificate: what the user compares.
    let fresh = prod.swap_certificate();
    let again = proxdeck_pve::probe(&prod.base_url(), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(again.fingerprint, fresh.fingerprint);
    // Nothing listening: Unreachable, not a certificate.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", dead.local_addr().unwrap());
    drop(dead);
    assert!(matches!(
        proxdeck_pve::probe(&url, Duration::from_secs(2)).await,
        Err(PveError::Unreachable { .. })
    ));
}
