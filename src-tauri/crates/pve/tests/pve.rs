//! The client against proxdeck-sim on loopback: pinned TLS, token and ticket auth, failover
//! (configured and learned nodes), timeouts, PVE's errors, and servers that are not PVE.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use proxdeck_pve::{Auth, DEFAULT_TIMEOUT, PveClient, PveError, Trust};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
    // Lower case and without colons: the same pin.
    let pin = prod.fingerprint().to_ascii_lowercase().replace(':', "");
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
async fn a_cluster_pins_each_nodes_own_certificate() {
    // Each PVE node has its own self-signed certificate; a connection pins the ones the
    // user confirmed, and any of them is accepted. Two simulated clusters stand in for two
    // nodes with different certificates.
    let sim = demo().await;
    let (prod, lab) = (sim.cluster("prod"), sim.cluster("lab"));
    let both = Trust::from_pins(&[lab.fingerprint(), prod.fingerprint()]);
    assert!(matches!(both, Trust::PinnedAny(_)));
    for (node, name) in [(prod, "prod"), (lab, "lab")] {
        let client = PveClient::new(
            &node.base_url(),
            &both,
            token(&sim, name),
            Duration::from_secs(5),
        )
        .unwrap();
        client.get("/version").await.unwrap();
    }
    let lab_only = Trust::from_pins(&[lab.fingerprint()]);
    let client = PveClient::new(
        &prod.base_url(),
        &lab_only,
        token(&sim, "prod"),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(matches!(
        client.get("/version").await,
        Err(PveError::CertificateMismatch { .. })
    ));
    assert_eq!(Trust::from_pins(&[]), Trust::SystemRoots);
    let bad = PveClient::new(
        &prod.base_url(),
        &Trust::PinnedAny(vec![prod.fingerprint(), "12:34".into()]),
        token(&sim, "prod"),
        Duration::from_secs(5),
    );
    assert!(matches!(bad, Err(PveError::Config(m)) if m.contains("12:34")));
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
    match client.get("/version").await {
        Err(e @ PveError::UntrustedCertificate { .. }) => {
            let PveError::UntrustedCertificate { url, reason } = &e else {
                unreachable!()
            };
            assert_eq!(url, &prod.base_url());
            assert!(reason.contains("not signed by an authority"), "{reason}");
            assert!(e.to_string().contains("pin it"), "{e}");
        }
        other => panic!("{other:?}"),
    }
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

/// A client for the `prod` cluster, its certificate pinned, logging in with `auth`.
fn prod_client(sim: &Sim, auth: Auth) -> PveClient {
    let prod = sim.cluster("prod");
    PveClient::new(
        &prod.base_url(),
        &pinned(sim, "prod"),
        auth,
        Duration::from_secs(5),
    )
    .unwrap()
}

fn pinned(sim: &Sim, cluster: &str) -> Trust {
    Trust::Pinned(sim.cluster(cluster).fingerprint())
}

#[tokio::test]
async fn ticket_login_works_for_reads_and_writes_with_csrf() {
    let sim = demo().await;
    let client = prod_client(
        &sim,
        login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD),
    );
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
    let client = prod_client(
        &sim,
        login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD),
    );
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
    let client = prod_client(
        &sim,
        login("secops@pve", proxdeck_sim::scenario::DEMO_SECOPS_PASSWORD),
    );
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
        Err(PveError::Unreachable { url, reason }) => {
            assert_eq!(url, dead_url);
            assert!(reason.contains("connection refused"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Two dead nodes: each named with its reason.
    let dead2 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead2_url = format!("https://{}", dead2.local_addr().unwrap());
    drop(dead2);
    let client = PveClient::with_urls(
        &[dead_url.clone(), dead2_url.clone()],
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_secs(2),
    )
    .unwrap();
    match client.get("/version").await {
        Err(PveError::Unreachable { reason, .. }) => {
            assert!(
                reason.contains(&format!("{dead_url}: connection refused")),
                "{reason}"
            );
            assert!(
                reason.contains(&format!("{dead2_url}: connection refused")),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
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

#[tokio::test]
async fn a_slow_node_times_out_as_unreachable() {
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_millis(1000));
    let sim = demo().await;
    let prod = sim.cluster("prod");
    prod.faults().add(FaultRule::new(
        "/api2/json/version",
        Fault::Latency { ms: 1500 },
    ));
    let timeout = Duration::from_millis(300);
    let client = PveClient::new(
        &prod.base_url(),
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        timeout,
    )
    .unwrap();
    let t = Instant::now();
    match client.get("/version").await {
        Err(e @ PveError::Unreachable { .. }) => {
            let PveError::Unreachable { url, reason } = &e else {
                unreachable!()
            };
            assert_eq!(url, &prod.base_url());
            assert!(reason.contains("timed out after 300 ms"), "{reason}");
            assert!(e.to_string().starts_with(&prod.base_url()), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(t.elapsed() < 3 * timeout, "{:?}", t.elapsed());
}

#[tokio::test]
async fn a_timed_out_read_moves_to_the_next_node_but_a_write_is_not_repeated() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let port = prod.served.addr.port();
    let relay = forward(SocketAddr::from(([127, 0, 0, 2], port)), prod.served.addr).await;
    let second = format!("https://127.0.0.2:{port}");
    let client = PveClient::with_urls(
        &[prod.base_url(), second.clone()],
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_millis(300),
    )
    .unwrap();
    // The first attempt is slow; the read is repeated on the second node.
    prod.faults()
        .add(FaultRule::new("/api2/json/version", Fault::Latency { ms: 1500 }).times(1));
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
    assert_eq!(client.current_url().await, second);
    // A write that timed out may have happened: it is not sent again elsewhere.
    prod.faults().add(
        FaultRule::new("/api2/json/nodes/*/snapshot", Fault::Latency { ms: 1500 })
            .method("POST")
            .times(1),
    );
    match client
        .post("/nodes/pve1/qemu/100/snapshot", &[("snapname", "once")])
        .await
    {
        Err(PveError::Unreachable { url, reason }) => {
            assert_eq!(url, second);
            assert!(
                reason.contains("may or may not have been carried out"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    relay.abort();
}

#[tokio::test]
async fn resets_and_proxy_errors_name_the_node() {
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let client = prod_client(&sim, token(&sim, "prod"));
    prod.faults()
        .add(FaultRule::new("/api2/json/version", Fault::Reset));
    match client.get("/version").await {
        Err(PveError::Unreachable { url, reason }) => {
            assert_eq!(url, prod.base_url());
            assert!(
                reason.contains("reset") || reason.contains("closed before the answer"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    prod.faults().clear();
    // 595: the node answered, but could not reach the node the request was for.
    prod.faults()
        .add(FaultRule::new("/api2/json/nodes/pve2/*", Fault::Status { status: 595 }).times(1));
    match client.get("/nodes/pve2/status").await {
        Err(PveError::Unreachable { url, reason }) => {
            assert_eq!(url, prod.base_url());
            assert!(reason.contains("could not reach node pve2"), "{reason}");
            assert!(reason.contains("595"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    prod.faults()
        .add(FaultRule::new("/api2/json/nodes/pve2/*", Fault::Status { status: 596 }).times(1));
    assert!(matches!(
        client.get("/nodes/pve2/status").await,
        Err(PveError::Unreachable { .. })
    ));
    // The node is fine again.
    assert!(client.get("/nodes/pve2/status").await.is_ok());
}

#[tokio::test]
async fn learned_nodes_take_over_when_the_configured_url_goes_away() {
    let mut scenario = Scenario::demo();
    let spec = scenario
        .clusters
        .iter_mut()
        .find(|c| c.name == "prod")
        .unwrap();
    // pve1 is the simulator's own address; pve2 is on IPv6 loopback; pve3 is offline.
    spec.nodes[0].ip = "127.0.0.1".into();
    spec.nodes[1].ip = "::1".into();
    spec.nodes[2].online = false;
    for g in spec.guests.iter_mut().filter(|g| g.node == "pve3") {
        g.status = proxdeck_sim::scenario::GuestStatus::Stopped;
    }
    let sim = Sim::start(scenario, SimOptions::default()).await.unwrap();
    let prod = sim.cluster("prod");
    let port = prod.served.addr.port();
    // The configured URL reaches the simulator through a relay on another loopback address.
    let relay = forward(SocketAddr::from(([127, 0, 0, 2], port)), prod.served.addr).await;
    let configured = format!("https://127.0.0.2:{port}");
    let client = PveClient::new(
        &configured,
        &pinned(&sim, "prod"),
        token(&sim, "prod"),
        Duration::from_secs(2),
    )
    .unwrap();
    assert_eq!(client.urls(), vec![configured.clone()]);
    let learned = client.learn_nodes().await.unwrap();
    let own = format!("https://127.0.0.1:{port}");
    assert_eq!(learned, vec![own.clone(), format!("https://[::1]:{port}")]);
    assert_eq!(
        client.urls()[0],
        configured,
        "configured URLs keep priority"
    );
    assert_eq!(client.urls()[1..], learned[..]);
    assert_eq!(client.current_url().await, configured);
    // Learning again changes nothing.
    assert_eq!(client.learn_nodes().await.unwrap(), learned);
    assert_eq!(client.urls().len(), 3);
    // The configured node goes away: the learned one answers, reads and writes.
    relay.abort();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(client.get("/version").await.unwrap()["release"], "9.1");
    assert_eq!(client.current_url().await, own);
    let upid = client
        .post(
            "/nodes/pve1/qemu/100/snapshot",
            &[("snapname", "after-failover")],
        )
        .await
        .unwrap();
    assert!(upid.as_str().unwrap().starts_with("UPID:pve1:"), "{upid}");
}

#[tokio::test]
async fn bad_inputs_give_errors_that_say_what_is_wrong() {
    // A token in the wrong form.
    let e = Auth::pve_token_from_str("root@pam:proxdeck=secret").unwrap_err();
    assert!(matches!(e, PveError::Config(_)), "{e:?}");
    assert!(
        e.to_string()
            .contains("the format is user@realm!tokenname=secret"),
        "{e}"
    );
    let e = Auth::pbs_token_from_str("root@pam!proxdeck=secret").unwrap_err();
    assert!(e.to_string().contains("user@realm!tokenname:secret"), "{e}");
    let sim = demo().await;
    let prod = sim.cluster("prod");
    let pin = pinned(&sim, "prod");
    let e = PveClient::new(
        &prod.base_url(),
        &pin,
        Auth::PveToken {
            id: "root@pam".into(),
            secret: "x".into(),
        },
        DEFAULT_TIMEOUT,
    )
    .unwrap_err();
    assert!(matches!(e, PveError::Config(_)), "{e:?}");
    // Plain http:// is refused before anything is sent.
    let plain = prod.base_url().replace("https://", "http://");
    let e = PveClient::new(&plain, &pin, token(&sim, "prod"), DEFAULT_TIMEOUT).unwrap_err();
    assert!(e.to_string().contains("only answers HTTPS"), "{e}");

    // A port nothing listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("https://{}", dead.local_addr().unwrap());
    drop(dead);
    let client = PveClient::new(&dead_url, &pin, token(&sim, "prod"), DEFAULT_TIMEOUT).unwrap();
    match client.get("/version").await {
        Err(PveError::Unreachable { url, reason }) => {
            assert_eq!(url, dead_url);
            assert!(reason.contains("connection refused"), "{reason}");
        }
        other => panic!("{other:?}"),
    }

    // Another HTTPS server (a web server's start page, a 404 page).
    for (status, content_type, body, shows) in [
        (
            "200 OK",
            "text/html; charset=utf-8",
            "<html><head><title>Welcome to nginx!</title></head></html>",
            "200 OK with text/html (\u{201c}Welcome to nginx!\u{201d})",
        ),
        (
            "404 Not Found",
            "text/plain",
            "404 page not found",
            "404 Not Found with text/plain",
        ),
    ] {
        let (addr, fingerprint) = foreign_https(status, content_type, body).await;
        let url = format!("https://{addr}");
        let client = PveClient::new(
            &url,
            &Trust::Pinned(fingerprint.clone()),
            token(&sim, "prod"),
            DEFAULT_TIMEOUT,
        )
        .unwrap();
        match client.get("/version").await {
            Err(e @ PveError::Protocol { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&format!("{url} is not a Proxmox VE API")),
                    "{msg}"
                );
                assert!(msg.contains(shows), "{msg}");
                assert!(msg.contains("port 8006"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
        // The probe still shows its certificate: it is HTTPS, just not Proxmox.
        let seen = proxdeck_pve::probe(&url, DEFAULT_TIMEOUT).await.unwrap();
        assert_eq!(seen.fingerprint, fingerprint);
    }

    // A plain-HTTP server on the port.
    let addr = plain_http().await;
    let url = format!("https://{addr}");
    let client = PveClient::new(&url, &pin, token(&sim, "prod"), DEFAULT_TIMEOUT).unwrap();
    match client.get("/version").await {
        Err(e @ PveError::Protocol { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("does not speak HTTPS"), "{msg}");
            assert!(msg.starts_with(&url), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    match proxdeck_pve::probe(&url, DEFAULT_TIMEOUT).await {
        Err(PveError::Protocol { context, .. }) => {
            assert!(context.contains("does not speak HTTPS"), "{context}")
        }
        other => panic!("{other:?}"),
    }

    // Truncated JSON.
    let client =
        PveClient::new(&prod.base_url(), &pin, token(&sim, "prod"), DEFAULT_TIMEOUT).unwrap();
    prod.faults()
        .add(FaultRule::new("/api2/json/cluster/resources", Fault::Truncate).times(1));
    match client.get("/cluster/resources").await {
        Err(e @ PveError::Protocol { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("GET /cluster/resources"), "{msg}");
            assert!(msg.contains("not complete JSON"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

/// Relays TCP from `listen` to `to` until the handle is aborted, which also cuts the
/// connections it relays.
async fn forward(listen: SocketAddr, to: SocketAddr) -> tokio::task::JoinHandle<()> {
    let listener = TcpListener::bind(listen).await.unwrap();
    tokio::spawn(async move {
        let mut relayed = tokio::task::JoinSet::new();
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                continue;
            };
            relayed.spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    })
}

/// An HTTPS server that is not Proxmox: every request gets the same answer. Its address
/// and certificate fingerprint.
async fn foreign_https(
    status: &'static str,
    content_type: &'static str,
    body: &'static str,
) -> (SocketAddr, String) {
    use tokio_rustls::rustls;
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let fingerprint = proxdeck_pve::fingerprint_of(cert.der());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                read_head(&mut tls).await;
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, fingerprint)
}

/// A plain-HTTP server: whatever arrives gets a 400, as a web server answers a TLS hello.
async fn plain_http() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/html\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    addr
}

/// Reads a request up to the end of its head.
async fn read_head<S: AsyncReadExt + Unpin>(stream: &mut S) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}
