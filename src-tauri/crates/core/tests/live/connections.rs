//! Live cases: stored connections against the simulator and a real Secret Service. The
//! secret must be in the keychain and nowhere else: not in the data directory, not in an
//! audit row, not in an event.

use std::sync::Arc;
use std::time::Duration;

use proxdeck_core::connections::{
    self, AccessType, ConnectionInput, ConnectionKind, HealthState, test,
};
use proxdeck_core::events::CoreEvent;
use proxdeck_core::{Ctx, ErrorCode};
use proxdeck_pve::{Auth, Product, PveClient, Trust};
use proxdeck_sim::Sim;
use proxdeck_store::AuditRecord;

use crate::common::{Case, files_containing, keychain_entries, open_ctx, sim, test_ctx};

pub const CASES: &[Case] = &[
    ("conn_token_secret_lives_only_in_the_keychain", || {
        Box::pin(token_secret_lives_only_in_the_keychain())
    }),
    ("conn_password_login_works", || {
        Box::pin(password_login_works())
    }),
    ("conn_pbs_token_works", || Box::pin(pbs_token_works())),
    ("conn_restart_keeps_connection_and_secret", || {
        Box::pin(restart_keeps_connection_and_secret())
    }),
    ("conn_update_keeps_or_replaces_the_secret", || {
        Box::pin(update_keeps_or_replaces_the_secret())
    }),
    ("conn_remove_deletes_secrets_and_the_token", || {
        Box::pin(remove_deletes_secrets_and_the_token())
    }),
    ("conn_remove_reports_a_token_it_could_not_delete", || {
        Box::pin(remove_reports_a_token_it_could_not_delete())
    }),
    ("conn_set_enabled_gates_the_client", || {
        Box::pin(set_enabled_gates_the_client())
    }),
    ("conn_duplicate_name_is_a_field_error", || {
        Box::pin(duplicate_name_is_a_field_error())
    }),
    ("conn_test_asks_to_trust_then_reports", || {
        Box::pin(test_asks_to_trust_then_reports())
    }),
    ("conn_test_wrong_secret_is_unauthorized", || {
        Box::pin(test_wrong_secret_is_unauthorized())
    }),
    ("conn_test_reports_each_node", || {
        Box::pin(test_reports_each_node())
    }),
    ("conn_test_refuses_a_swapped_certificate", || {
        Box::pin(test_refuses_a_swapped_certificate())
    }),
    ("conn_test_asks_for_each_nodes_certificate", || {
        Box::pin(test_asks_for_each_nodes_certificate())
    }),
    ("conn_test_on_edit_uses_the_stored_secret", || {
        Box::pin(test_on_edit_uses_the_stored_secret())
    }),
    ("conn_inventory_reads_stored_and_demo", || {
        Box::pin(inventory_reads_stored_and_demo())
    }),
];

// ---------------------------------------------------------------------------------------
// Helpers.

/// `user@realm!id` and the secret of a token written `user@realm!id=secret` (or `:`).
fn split_token(token: &str) -> (String, String) {
    let at = token.rfind(['=', ':']).expect("a token with its secret");
    (token[..at].to_owned(), token[at + 1..].to_owned())
}

fn pve_token(sim: &Sim) -> (String, String) {
    split_token(&sim.credentials("prod").token.expect("prod has a token"))
}

fn token_input(
    name: &str,
    urls: Vec<String>,
    fp: Option<String>,
    token: (&str, &str),
) -> ConnectionInput {
    ConnectionInput {
        name: name.into(),
        kind: ConnectionKind::Pve,
        urls,
        access: AccessType::ApiToken,
        username: String::new(),
        password: None,
        token_id: token.0.into(),
        token_secret: Some(token.1.into()),
        timeout_ms: 3000,
        fingerprints: fp.into_iter().collect(),
        node_order: vec![],
        pool: None,
        enabled: true,
    }
}

/// A token connection to the simulator's `prod`, pinned.
fn prod_input(sim: &Sim, name: &str) -> ConnectionInput {
    let (id, secret) = pve_token(sim);
    let prod = sim.cluster("prod");
    token_input(
        name,
        vec![prod.base_url()],
        Some(prod.fingerprint()),
        (&id, &secret),
    )
}

fn password_input(sim: &Sim, name: &str) -> ConnectionInput {
    let prod = sim.cluster("prod");
    ConnectionInput {
        access: AccessType::Credential,
        username: "root@pam".into(),
        password: Some(sim.credentials("prod").password),
        token_id: String::new(),
        token_secret: None,
        ..token_input(
            name,
            vec![prod.base_url()],
            Some(prod.fingerprint()),
            ("", ""),
        )
    }
}

async fn audit_rows(ctx: &Ctx) -> Vec<AuditRecord> {
    ctx.db(|s| s.audit_list(None, 10_000)).await.unwrap()
}

/// Every audit row, none of which may contain any of `secrets`.
async fn audit_without(ctx: &Ctx, secrets: &[&str]) -> Vec<AuditRecord> {
    let rows = audit_rows(ctx).await;
    for r in &rows {
        let text = serde_json::to_string(r).unwrap();
        for s in secrets {
            assert!(
                !text.contains(s),
                "audit row {} holds a secret: {text}",
                r.id
            );
        }
    }
    rows
}

fn actions(rows: &[AuditRecord]) -> Vec<String> {
    let mut a: Vec<String> = rows.iter().map(|r| r.entry.action.clone()).collect();
    a.reverse();
    a
}

/// A root@pam password client to the cluster, to read back what the app did.
fn root_client(sim: &Sim) -> PveClient {
    let prod = sim.cluster("prod");
    PveClient::new(
        &prod.base_url(),
        &Trust::Pinned(prod.fingerprint()),
        Auth::Password {
            product: Product::Pve,
            username: "root@pam".into(),
            password: sim.credentials("prod").password,
        },
        Duration::from_secs(5),
    )
    .unwrap()
}

/// A loopback URL where nothing listens.
fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("https://127.0.0.1:{port}")
}

fn no_file_holds(dir: &std::path::Path, secret: &str) {
    let found = files_containing(dir, secret);
    assert!(found.is_empty(), "the secret is in {found:?}");
}

// ---------------------------------------------------------------------------------------
// Cases.

async fn token_secret_lives_only_in_the_keychain() {
    let sim = sim().await;
    let t = test_ctx().await;
    let (_, secret) = pve_token(&sim);
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    assert!(c.id.starts_with("c-"), "{}", c.id);
    assert_eq!(c.access, AccessType::ApiToken);
    assert_eq!(c.token_id.as_deref(), Some("root@pam!proxdeck"));
    assert_eq!(c.username, "root@pam");
    assert!(c.has_secret && !c.demo && c.enabled);

    assert!(
        keychain_entries().contains(&(format!("{}:token-secret", c.id), secret.clone())),
        "{:?}",
        keychain_entries()
    );
    no_file_holds(t.dir.path(), &secret);

    let client = connections::client(&t.ctx, &c.id).await.unwrap();
    let version = client.get("/version").await.unwrap();
    assert_eq!(version["version"], "9.1.9");
    let again = connections::client(&t.ctx, &c.id).await.unwrap();
    assert!(Arc::ptr_eq(&client, &again), "the client is cached");

    let listed = connections::list(&t.ctx).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, c.id);
    assert!(listed[0].has_secret);
    assert_eq!(connections::get(&t.ctx, &c.id).await.unwrap(), listed[0]);
    assert!(t.events.events().contains(&CoreEvent::ConnectionsChanged));
    assert!(!format!("{:?}", t.events.events()).contains(&secret));

    let rows = audit_without(&t.ctx, &[&secret]).await;
    assert_eq!(actions(&rows), ["connection.add", "certificate.pin"]);
    let pin = &rows[0].entry;
    assert_eq!(pin.target, "prod");
    assert_eq!(
        pin.details["fingerprint"],
        sim.cluster("prod").fingerprint()
    );
    assert_eq!(pin.details["url"], sim.cluster("prod").base_url());
    assert_eq!(rows[1].entry.details["id"], c.id.as_str());

    connections::remove(&t.ctx, &c.id, false).await.unwrap();
    no_file_holds(t.dir.path(), &secret);
}

async fn password_login_works() {
    let sim = sim().await;
    let t = test_ctx().await;
    let password = sim.credentials("prod").password;
    let c = connections::add(&t.ctx, password_input(&sim, "prod (root)"))
        .await
        .unwrap();
    assert_eq!(c.access, AccessType::Credential);
    assert_eq!(c.token_id, None);
    assert!(keychain_entries().contains(&(format!("{}:password", c.id), password.clone())));
    let client = connections::client(&t.ctx, &c.id).await.unwrap();
    client.get("/version").await.unwrap();
    let perms = client.get("/access/permissions?path=%2F").await.unwrap();
    assert!(perms["/"]["Sys.Audit"].is_number(), "{perms}");
    assert_eq!(client.stats().logins, 1, "a ticket login");
    no_file_holds(t.dir.path(), &password);
    audit_without(&t.ctx, &[&password]).await;
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

async fn pbs_token_works() {
    let sim = sim().await;
    let t = test_ctx().await;
    let pbs = &sim.pbs[0];
    let token = sim.pbs_credentials(&pbs.sim.name).token.unwrap();
    let (_, secret) = split_token(&token);
    // The whole token pasted, PBS's way.
    let input = ConnectionInput {
        kind: ConnectionKind::Pbs,
        token_id: token.clone(),
        token_secret: None,
        ..token_input(
            "backup",
            vec![pbs.base_url()],
            Some(pbs.fingerprint()),
            ("", ""),
        )
    };
    let c = connections::add(&t.ctx, input.clone()).await.unwrap();
    assert_eq!(c.kind, ConnectionKind::Pbs);
    assert_eq!(c.token_id.as_deref(), Some("root@pam!proxdeck"));
    assert!(keychain_entries().contains(&(format!("{}:token-secret", c.id), secret.clone())));
    let client = connections::client(&t.ctx, &c.id).await.unwrap();
    assert_eq!(client.get("/version").await.unwrap()["version"], "4.1");

    let report = test::run(&t.ctx, input, None).await.unwrap();
    assert!(report.auth_ok, "{report:?}");
    assert_eq!(report.version.as_deref(), Some("4.1.0"));
    assert_eq!(report.cluster_name, None);
    assert!(report.cluster_nodes.is_empty());

    let e = proxdeck_core::inventory::resources(&t.ctx, &c.id)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    no_file_holds(t.dir.path(), &secret);
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

async fn restart_keeps_connection_and_secret() {
    let sim = sim().await;
    let t = test_ctx().await;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let events = t.events.clone();
    let dir = t.dir;
    drop(t.ctx);
    let (ctx, _) = open_ctx(dir.path(), events).await;
    let listed = connections::list(&ctx).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, c.id);
    assert_eq!(listed[0].fingerprints, c.fingerprints);
    assert_eq!(listed[0].urls, c.urls);
    assert!(listed[0].has_secret);
    let client = connections::client(&ctx, &c.id).await.unwrap();
    client.get("/version").await.unwrap();
    connections::remove(&ctx, &c.id, false).await.unwrap();
}

async fn update_keeps_or_replaces_the_secret() {
    let sim = sim().await;
    let t = test_ctx().await;
    let (token_id, secret) = pve_token(&sim);
    let password = sim.credentials("prod").password;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let first = connections::client(&t.ctx, &c.id).await.unwrap();

    // A rename without a secret keeps the stored one and drops the cached client.
    let renamed = connections::update(
        &t.ctx,
        &c.id,
        ConnectionInput {
            name: "production".into(),
            token_secret: None,
            node_order: vec!["prod2".into(), "prod1".into()],
            pool: None,
            ..prod_input(&sim, "x")
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.name, "production");
    assert_eq!(renamed.node_order, ["prod2", "prod1"]);
    assert!(renamed.has_secret);
    let second = connections::client(&t.ctx, &c.id).await.unwrap();
    assert!(
        !Arc::ptr_eq(&first, &second),
        "a change rebuilds the client"
    );
    second.get("/version").await.unwrap();
    assert!(keychain_entries().contains(&(format!("{}:token-secret", c.id), secret.clone())));

    // A new (wrong) secret replaces it.
    let wrong = "00000000-0000-0000-0000-000000000000";
    let mut input = prod_input(&sim, "production");
    input.node_order = renamed.node_order.clone();
    input.token_secret = Some(wrong.into());
    connections::update(&t.ctx, &c.id, input).await.unwrap();
    assert!(keychain_entries().contains(&(format!("{}:token-secret", c.id), wrong.into())));
    let e = connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap_err();
    assert_eq!(
        proxdeck_core::AppError::from(e).code,
        ErrorCode::Unauthorized
    );

    // Switching to a password login without one is a field error…
    let switch = ConnectionInput {
        password: None,
        ..password_input(&sim, "production")
    };
    let e = connections::update(&t.ctx, &c.id, switch.clone())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.fields["password"].contains("access type"), "{e:?}");
    // …with one it replaces the token secret.
    let switched = connections::update(&t.ctx, &c.id, password_input(&sim, "production"))
        .await
        .unwrap();
    assert_eq!(switched.access, AccessType::Credential);
    assert_eq!(switched.token_id, None);
    let mine: Vec<_> = keychain_entries()
        .into_iter()
        .filter(|(k, _)| k.starts_with(&c.id))
        .collect();
    assert_eq!(mine, [(format!("{}:password", c.id), password.clone())]);
    connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap();

    // Unpinning is a change; re-pinning is a pin.
    let mut unpinned = password_input(&sim, "production");
    unpinned.password = None;
    unpinned.fingerprints = Vec::new();
    connections::update(&t.ctx, &c.id, unpinned.clone())
        .await
        .unwrap();
    unpinned.fingerprints = vec![
        sim.cluster("prod")
            .fingerprint()
            .to_lowercase()
            .replace(':', ""),
    ];
    let repinned = connections::update(&t.ctx, &c.id, unpinned).await.unwrap();
    assert_eq!(repinned.fingerprints, [sim.cluster("prod").fingerprint()]);

    let rows = audit_without(&t.ctx, &[&secret, wrong, &password]).await;
    assert_eq!(
        actions(&rows),
        [
            "connection.add",
            "certificate.pin",
            "connection.update",
            "connection.update",
            "connection.update",
            "connection.update",
            "connection.update",
            "certificate.pin",
        ]
    );
    let updates: Vec<&AuditRecord> = rows
        .iter()
        .rev()
        .filter(|r| r.entry.action == "connection.update")
        .collect();
    assert_eq!(updates[0].entry.target, "production");
    assert_eq!(
        updates[0].entry.details["changed"],
        serde_json::json!(["name", "nodeOrder"])
    );
    assert_eq!(updates[0].entry.details["previousName"], "prod");
    assert_eq!(
        updates[1].entry.details["changed"],
        serde_json::json!(["secret"])
    );
    assert_eq!(updates[1].entry.details["secret"], "changed");
    assert_eq!(
        updates[2].entry.details["changed"],
        serde_json::json!(["access", "tokenId", "nodeOrder", "secret"])
    );
    let _ = token_id;
    no_file_holds(t.dir.path(), &secret);
    no_file_holds(t.dir.path(), &password);
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

async fn remove_deletes_secrets_and_the_token() {
    let sim = sim().await;
    let t = test_ctx().await;
    let root = root_client(&sim);
    let made = root
        .post(
            "/access/users/root%40pam/token/throwaway",
            &[("privsep", "0"), ("comment", "live test")],
        )
        .await
        .unwrap();
    let secret = made["value"].as_str().unwrap().to_owned();
    let prod = sim.cluster("prod");
    let input = token_input(
        "throwaway",
        vec![prod.base_url()],
        Some(prod.fingerprint()),
        ("root@pam!throwaway", &secret),
    );
    let c = connections::add(&t.ctx, input).await.unwrap();
    connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap();
    // A second connection that is removed without its token: the token stays.
    let keep = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let report = connections::remove(&t.ctx, &keep.id, false).await.unwrap();
    assert_eq!(report.secrets_deleted, 1);
    assert!(!report.token_deleted && report.token_error.is_none());

    let report = connections::remove(&t.ctx, &c.id, true).await.unwrap();
    assert!(report.token_deleted, "{report:?}");
    assert_eq!(report.token_error, None);
    assert_eq!(report.secrets_deleted, 1);
    assert!(
        !keychain_entries()
            .iter()
            .any(|(k, _)| k.starts_with(&c.id) || k.starts_with(&keep.id)),
        "{:?}",
        keychain_entries()
    );
    assert!(connections::list(&t.ctx).await.unwrap().is_empty());
    let e = connections::client(&t.ctx, &c.id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);

    let tokens = root.get("/access/users/root%40pam/token").await.unwrap();
    let names: Vec<&str> = tokens
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["tokenid"].as_str())
        .collect();
    assert!(!names.contains(&"throwaway"), "{names:?}");
    assert!(names.contains(&"proxdeck"), "{names:?}");

    let rows = audit_without(&t.ctx, &[&secret]).await;
    let removed: Vec<&AuditRecord> = rows
        .iter()
        .filter(|r| r.entry.action == "connection.remove")
        .collect();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[0].entry.target, "throwaway");
    assert_eq!(removed[0].entry.details["tokenDeleted"], true);
    assert_eq!(removed[1].entry.details["tokenDeleted"], false);
}

async fn remove_reports_a_token_it_could_not_delete() {
    let sim = sim().await;
    let t = test_ctx().await;
    let (id, secret) = pve_token(&sim);
    let input = token_input(
        "gone",
        vec![dead_url()],
        Some(sim.cluster("prod").fingerprint()),
        (&id, &secret),
    );
    let c = connections::add(&t.ctx, input).await.unwrap();
    let report = connections::remove(&t.ctx, &c.id, true).await.unwrap();
    assert!(!report.token_deleted);
    let why = report.token_error.expect("the cluster did not answer");
    assert!(why.contains("root@pam!proxdeck"), "{why}");
    assert!(
        why.contains("Datacenter → Permissions → API Tokens"),
        "{why}"
    );
    assert!(!why.contains(&secret));
    assert!(connections::list(&t.ctx).await.unwrap().is_empty());
    assert!(!keychain_entries().iter().any(|(k, _)| k.starts_with(&c.id)));
}

async fn set_enabled_gates_the_client() {
    let sim = sim().await;
    let t = test_ctx().await;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    connections::client(&t.ctx, &c.id).await.unwrap();
    let off = connections::set_enabled(&t.ctx, &c.id, false)
        .await
        .unwrap();
    assert!(!off.enabled);
    assert_eq!(off.health.state, HealthState::Disabled);
    let e = connections::client(&t.ctx, &c.id).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(
        e.message.contains("prod is disabled; enable it to use it"),
        "{}",
        e.message
    );
    // Twice is a no-op: no second audit row.
    connections::set_enabled(&t.ctx, &c.id, false)
        .await
        .unwrap();
    let on = connections::set_enabled(&t.ctx, &c.id, true).await.unwrap();
    assert!(on.enabled);
    connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap();
    let rows = audit_rows(&t.ctx).await;
    assert_eq!(
        actions(&rows),
        [
            "connection.add",
            "certificate.pin",
            "connection.disable",
            "connection.enable"
        ]
    );
    let changes = t
        .events
        .events()
        .iter()
        .filter(|e| **e == CoreEvent::ConnectionsChanged)
        .count();
    assert_eq!(changes, 3);
    let e = connections::set_enabled(&t.ctx, "c-0000000000000000", true)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

async fn duplicate_name_is_a_field_error() {
    let sim = sim().await;
    let t = test_ctx().await;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let before = keychain_entries().len();
    let e = connections::add(&t.ctx, prod_input(&sim, "PROD"))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.fields["name"].contains("exists already"), "{e:?}");
    assert_eq!(
        keychain_entries().len(),
        before,
        "no secret for a refused connection"
    );
    let other = connections::add(&t.ctx, prod_input(&sim, "lab"))
        .await
        .unwrap();
    let e = connections::update(&t.ctx, &other.id, prod_input(&sim, "Prod"))
        .await
        .unwrap_err();
    assert!(e.fields.contains_key("name"), "{e:?}");
    // Several bad fields come back together.
    let mut bad = prod_input(&sim, "");
    bad.token_id = "root@pam".into();
    bad.timeout_ms = 5;
    let e = connections::add(&t.ctx, bad).await.unwrap_err();
    let keys: Vec<&str> = e.fields.keys().map(String::as_str).collect();
    assert_eq!(keys, ["name", "timeoutMs", "tokenId"]);
    assert!(e.fields["tokenId"].contains("the format is user@realm!tokenname=secret"));
    assert_eq!(connections::list(&t.ctx).await.unwrap().len(), 2);
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
    connections::remove(&t.ctx, &other.id, false).await.unwrap();
}

async fn test_asks_to_trust_then_reports() {
    let sim = sim().await;
    let t = test_ctx().await;
    let prod = sim.cluster("prod");
    let mut input = prod_input(&sim, "prod");
    input.fingerprints = Vec::new();
    let report = test::run(&t.ctx, input.clone(), None).await.unwrap();
    let cert = report
        .untrusted_certificate
        .expect("the sim's certificate is self-signed");
    assert_eq!(cert.fingerprint, prod.fingerprint());
    assert_eq!(cert.url, prod.base_url());
    assert!(!cert.trusted_by_system);
    assert!(!report.auth_ok && report.version.is_none());
    assert!(report.nodes.iter().all(|n| n.reachable));

    let probed = test::probe_certificate(&prod.base_url()).await.unwrap();
    assert_eq!(probed, cert);

    input.fingerprints = vec![cert.fingerprint.to_lowercase()];
    let report = test::run(&t.ctx, input, None).await.unwrap();
    assert_eq!(report.untrusted_certificate, None);
    assert!(report.auth_ok, "{report:?}");
    assert_eq!(report.auth_error, None);
    assert_eq!(report.version.as_deref(), Some("9.1.9"));
    assert_eq!(report.cluster_name.as_deref(), Some("prod"));
    assert!(
        report.cluster_nodes.len() >= 2,
        "{:?}",
        report.cluster_nodes
    );
    let mut sorted = report.cluster_nodes.clone();
    sorted.sort();
    assert_eq!(sorted, report.cluster_nodes);
    assert!(
        report.privileges.iter().any(|p| p == "Sys.Audit"),
        "{:?}",
        report.privileges
    );
    let console = report
        .features
        .features
        .iter()
        .find(|f| f.key == connections::FeatureKey::GuestConsole)
        .unwrap();
    assert!(console.allowed, "a token on 9.1.9 may open guest consoles");
    assert!(
        connections::list(&t.ctx).await.unwrap().is_empty(),
        "testing stores nothing"
    );
    assert!(
        !keychain_entries()
            .iter()
            .any(|(_, v)| v == &pve_token(&sim).1)
    );
}

async fn test_wrong_secret_is_unauthorized() {
    let sim = sim().await;
    let t = test_ctx().await;
    let mut input = prod_input(&sim, "prod");
    input.token_secret = Some("00000000-0000-0000-0000-000000000000".into());
    let report = test::run(&t.ctx, input, None).await.unwrap();
    assert!(!report.auth_ok);
    let e = report.auth_error.expect("the token is refused");
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(report.privileges.is_empty());

    let mut login = password_input(&sim, "prod");
    login.password = Some("not-the-password".into());
    let report = test::run(&t.ctx, login, None).await.unwrap();
    assert_eq!(
        report.auth_error.map(|e| e.code),
        Some(ErrorCode::Unauthorized)
    );

    // A login with a second factor: Proxdeck cannot answer it unattended, and says what to
    // use instead.
    let mut tfa = password_input(&sim, "prod");
    tfa.username = "secops@pve".into();
    tfa.password = Some(proxdeck_sim::scenario::DEMO_SECOPS_PASSWORD.into());
    let report = test::run(&t.ctx, tfa, None).await.unwrap();
    assert!(!report.auth_ok);
    let e = report.auth_error.expect("the second factor is reported");
    assert_eq!(e.code, ErrorCode::Unauthorized);
    assert!(
        e.message.contains("two-factor") && e.message.contains("API token"),
        "{}",
        e.message
    );
}

async fn test_reports_each_node() {
    let sim = sim().await;
    let t = test_ctx().await;
    let dead = dead_url();
    let mut input = prod_input(&sim, "prod");
    input.urls = vec![dead.clone(), sim.cluster("prod").base_url()];
    let report = test::run(&t.ctx, input.clone(), None).await.unwrap();
    assert_eq!(report.nodes.len(), 2);
    assert_eq!(report.nodes[0].url, dead);
    assert!(!report.nodes[0].reachable);
    assert!(report.nodes[0].error.is_some());
    assert!(report.nodes[1].reachable && report.nodes[1].error.is_none());
    assert!(report.auth_ok, "{report:?}");

    input.urls = vec![dead.clone()];
    let report = test::run(&t.ctx, input, None).await.unwrap();
    assert_eq!(report.nodes.len(), 1);
    assert!(!report.nodes[0].reachable);
    assert!(!report.auth_ok && report.untrusted_certificate.is_none());
}

async fn test_refuses_a_swapped_certificate() {
    let sim = sim().await;
    let t = test_ctx().await;
    let prod = sim.cluster("prod");
    let pinned = prod.fingerprint();
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap();
    prod.swap_certificate();
    assert_ne!(prod.fingerprint(), pinned);

    let report = test::run(&t.ctx, prod_input_pinned(&sim, &pinned), None)
        .await
        .unwrap();
    let cert = report
        .untrusted_certificate
        .expect("the pin no longer matches");
    assert_eq!(cert.fingerprint, prod.fingerprint());
    assert!(!report.auth_ok);

    // The stored connection refuses the new certificate too (on a fresh client).
    connections::set_enabled(&t.ctx, &c.id, false)
        .await
        .unwrap();
    connections::set_enabled(&t.ctx, &c.id, true).await.unwrap();
    let e = connections::client(&t.ctx, &c.id)
        .await
        .unwrap()
        .get("/version")
        .await
        .unwrap_err();
    assert_eq!(
        proxdeck_core::AppError::from(e).code,
        ErrorCode::UntrustedCertificate
    );
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

/// Two node URLs with different self-signed certificates (two simulated clusters stand in
/// for two nodes): each is confirmed in turn, and a changed one is told apart from a new one.
async fn test_asks_for_each_nodes_certificate() {
    let sim = sim().await;
    let t = test_ctx().await;
    let (prod, lab) = (sim.cluster("prod"), sim.cluster("lab"));
    let mut input = prod_input(&sim, "prod");
    input.urls = vec![prod.base_url(), lab.base_url()];
    input.fingerprints = Vec::new();
    let first = test::run(&t.ctx, input.clone(), None).await.unwrap();
    let cert = first.untrusted_certificate.expect("the first node asks");
    assert_eq!(cert.fingerprint, prod.fingerprint());
    assert!(!first.certificate_changed);

    input.fingerprints.push(cert.fingerprint);
    let second = test::run(&t.ctx, input.clone(), None).await.unwrap();
    let cert = second
        .untrusted_certificate
        .expect("the second node asks too");
    assert_eq!(cert.url, lab.base_url());
    assert_eq!(cert.fingerprint, lab.fingerprint());
    assert!(!second.certificate_changed, "a new node, not a changed one");

    input.fingerprints.push(cert.fingerprint);
    let ok = test::run(&t.ctx, input.clone(), None).await.unwrap();
    assert_eq!(ok.untrusted_certificate, None);
    assert!(ok.auth_ok, "{ok:?}");
    let c = connections::add(&t.ctx, input.clone()).await.unwrap();
    assert_eq!(c.fingerprints, [prod.fingerprint(), lab.fingerprint()]);
    let pins = audit_rows(&t.ctx)
        .await
        .into_iter()
        .filter(|r| r.entry.action == "certificate.pin")
        .count();
    assert_eq!(pins, 2, "one pin row per confirmed certificate");

    // Both nodes re-keyed: nothing pinned matches any more, which is a change.
    prod.swap_certificate();
    lab.swap_certificate();
    let changed = test::run(&t.ctx, input, Some(c.id.clone())).await.unwrap();
    assert!(changed.untrusted_certificate.is_some());
    assert!(changed.certificate_changed);
}

fn prod_input_pinned(sim: &Sim, fingerprint: &str) -> ConnectionInput {
    ConnectionInput {
        fingerprints: vec![fingerprint.to_owned()],
        ..prod_input(sim, "prod")
    }
}

async fn test_on_edit_uses_the_stored_secret() {
    let sim = sim().await;
    let t = test_ctx().await;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let mut input = prod_input(&sim, "prod");
    input.token_secret = None;
    let e = test::run(&t.ctx, input.clone(), None).await.unwrap_err();
    assert!(
        e.fields.contains_key("tokenSecret"),
        "a new form needs the secret"
    );
    let report = test::run(&t.ctx, input, Some(c.id.clone())).await.unwrap();
    assert!(report.auth_ok, "{report:?}");
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}

async fn inventory_reads_stored_and_demo() {
    let sim = sim().await;
    let t = test_ctx().await;
    let c = connections::add(&t.ctx, prod_input(&sim, "prod"))
        .await
        .unwrap();
    let stored = proxdeck_core::inventory::resources(&t.ctx, &c.id)
        .await
        .unwrap();
    assert!(stored.iter().any(|r| r.kind == "node"));
    assert!(stored.iter().any(|r| r.kind == "qemu"));

    let demo = proxdeck_core::demo::open(&t.ctx).await.unwrap();
    let listed = connections::list(&t.ctx).await.unwrap();
    assert_eq!(listed.len(), 1 + demo.len());
    assert_eq!(listed[0].id, c.id, "stored first, then the demo's");
    assert!(listed[1..].iter().all(|c| c.demo));
    let demo_prod = demo.iter().find(|d| d.name == "prod").unwrap();
    let from_demo = proxdeck_core::inventory::resources(&t.ctx, &demo_prod.id)
        .await
        .unwrap();
    assert!(from_demo.iter().any(|r| r.kind == "qemu"));
    let e = connections::remove(&t.ctx, &demo_prod.id, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    proxdeck_core::demo::close(&t.ctx).await.unwrap();
    connections::remove(&t.ctx, &c.id, false).await.unwrap();
}
