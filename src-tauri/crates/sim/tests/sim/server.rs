//! The listener: TLS identity and its swap, and injected faults.

use std::time::{Duration, Instant};

use proxdeck_sim::{Fault, FaultRule};
use reqwest::StatusCode;

use crate::common::{Api, As, Fixture, pinned_client};

#[tokio::test]
async fn the_presented_certificate_has_the_advertised_fingerprint_and_can_be_swapped() {
    let f = Fixture::start().await;
    let alpha = f.alpha();
    let before = alpha.fingerprint();
    assert_eq!(before.len(), 32 * 3 - 1);
    assert!(before.chars().all(|c| c.is_ascii_hexdigit() || c == ':'));
    let old_client = pinned_client(alpha);
    let old_der = alpha.served.cert.current().cert_der;
    let url = format!("{}/api2/json/version", alpha.base_url());
    // The old pin works (401: reached the API, no credentials).
    assert_eq!(
        old_client.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let fresh = alpha.swap_certificate();
    assert_ne!(fresh.fingerprint, before);
    assert_eq!(alpha.fingerprint(), fresh.fingerprint);
    // A client pinned to the old certificate now fails the handshake.
    let fresh_client = reqwest::Client::builder()
        .tls_certs_only([
            reqwest::Certificate::from_der(&alpha.served.cert.current().cert_der).unwrap(),
        ])
        .build()
        .unwrap();
    let stale = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_der(&old_der).unwrap()])
        .build()
        .unwrap();
    assert!(
        stale.get(&url).send().await.is_err(),
        "the old pin must no longer verify"
    );
    assert_eq!(
        fresh_client.get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // /nodes reports the fingerprint in use.
    let api = Api::new(alpha);
    let root = api.login("root@pam", crate::common::ROOT_PW).await;
    let nodes = api.get("/nodes", &root).await;
    assert_eq!(
        nodes.data()[0]["ssl_fingerprint"],
        fresh.fingerprint.as_str()
    );
}

#[tokio::test]
async fn injected_latency_status_truncation_and_reset() {
    let f = Fixture::start().await;
    let alpha = f.alpha();
    let api = f.client();
    let token = As::Token(f.full_token.clone());

    alpha.faults().add(FaultRule::new(
        "/api2/json/version",
        Fault::Latency { ms: 300 },
    ));
    let t = Instant::now();
    assert!(api.get("/version", &token).await.status.is_success());
    assert!(t.elapsed() >= Duration::from_millis(300));
    alpha.faults().clear();

    alpha
        .faults()
        .add(FaultRule::new("/api2/json/nodes/*", Fault::Status { status: 595 }).times(1));
    assert_eq!(
        api.get("/nodes/n1/status", &token).await.status.as_u16(),
        595
    );
    assert!(
        api.get("/nodes/n1/status", &token)
            .await
            .status
            .is_success(),
        "only once"
    );

    alpha.faults().add(FaultRule::new(
        "/api2/json/cluster/resources",
        Fault::Truncate,
    ));
    let r = api.get("/cluster/resources", &token).await;
    assert!(r.status.is_success());
    assert!(r.json.is_none(), "a truncated body is not JSON: {}", r.raw);
    alpha.faults().clear();

    alpha
        .faults()
        .add(FaultRule::new("/api2/json/version", Fault::Reset).times(1));
    let url = format!("{}/api2/json/version", alpha.base_url());
    let err = pinned_client(alpha)
        .get(&url)
        .header("authorization", format!("PVEAPIToken={}", f.full_token))
        .send()
        .await
        .expect_err("the connection is cut");
    assert!(
        err.is_request() || err.is_connect() || err.is_body(),
        "{err:?}"
    );
    assert!(api.get("/version", &token).await.status.is_success());
}

#[tokio::test]
async fn a_listener_taken_down_refuses_connections_and_comes_back_on_the_same_address() {
    let f = Fixture::start().await;
    let alpha = f.alpha();
    let api = Api::new(alpha);
    let root = api.login("root@pam", crate::common::ROOT_PW).await;
    // A keep-alive connection is open now; taking the node down must cut it too.
    assert_eq!(api.get("/version", &root).await.status, StatusCode::OK);
    let fingerprint = alpha.fingerprint();

    alpha.served.take_down();
    assert!(!alpha.served.is_up());
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(alpha.served.addr).is_ok() {
        assert!(Instant::now() < deadline, "the port still accepts");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let url = format!("{}/api2/json/version", alpha.base_url());
    let err = pinned_client(alpha).get(&url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // The client that had a keep-alive connection gets no answer either.
    assert!(api.http.get(&url).send().await.is_err());

    alpha.served.bring_up().await.unwrap();
    assert!(alpha.served.is_up());
    // Same address, same certificate, same state: the ticket from before still works.
    assert_eq!(alpha.fingerprint(), fingerprint);
    assert_eq!(api.get("/version", &root).await.status, StatusCode::OK);

    // Stopping for good is final: bring_up does not revive it.
    alpha.served.stop();
    assert!(alpha.served.bring_up().await.is_err());
}
