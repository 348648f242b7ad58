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
