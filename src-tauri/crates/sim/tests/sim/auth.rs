//! Logging in, tickets, CSRF, API tokens and TFA, as PVE enforces them.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{As, Fixture, RECOVERY_KEY, ROOT_PW, TOTP_SEED, enc};

fn ids(resources: &Value) -> Vec<String> {
    let mut v: Vec<String> = resources
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn login_returns_ticket_csrf_and_cluster_name() {
    let f = Fixture::start().await;
    let api = f.client();
    let r = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[("username", "root@pam"), ("password", ROOT_PW)],
        )
        .await;
    let d = r.data();
    assert_eq!(d["username"], "root@pam");
    assert_eq!(d["clustername"], "alpha");
    let ticket = d["ticket"].as_str().unwrap();
    assert!(ticket.starts_with("PVE:root@pam:"), "{ticket}");
    assert!(d["CSRFPreventionToken"].as_str().unwrap().contains(':'));
    // The realm may come separately, as the PVE login form sends it.
    let r = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[
                ("username", "root"),
                ("realm", "pam"),
                ("password", ROOT_PW),
            ],
        )
        .await;
    assert_eq!(r.data()["username"], "root@pam");
}

#[tokio::test]
async fn wrong_password_unknown_user_and_disabled_user_get_401_with_empty_body() {
    let f = Fixture::start().await;
    let api = f.client();
    for (user, pw) in [
        ("root@pam", "nope"),
        ("ghost@pve", "x"),
        ("off@pve", "off-pw"),
    ] {
        let r = api
            .post(
                "/access/ticket",
                &As::Nobody,
                &[("username", user), ("password", pw)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{user}");
        assert!(r.raw.is_empty(), "{user}: {}", r.raw);
    }
    let r = api.get("/version", &As::Nobody).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn writes_with_a_ticket_need_the_matching_csrf_token() {
    let f = Fixture::start().await;
    let api = f.client();
    let auth = api.login("root@pam", ROOT_PW).await;
    let As::Ticket { ticket, csrf } = auth.clone() else {
        unreachable!()
    };
    let path = "/nodes/n1/qemu/100/status/start";
    let no_csrf = As::Ticket {
        ticket: ticket.clone(),
        csrf: None,
    };
    assert_eq!(
        api.post(path, &no_csrf, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let forged = As::Ticket {
        ticket: ticket.clone(),
        csrf: Some("6761A2B1:forged".into()),
    };
    assert_eq!(
        api.post(path, &forged, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Another user's CSRF token does not fit this ticket.
    let As::Ticket {
        csrf: other_csrf, ..
    } = api.login("auditor@pve", "auditor-pw").await
    else {
        unreachable!()
    };
    let mixed = As::Ticket {
        ticket: ticket.clone(),
        csrf: other_csrf,
    };
    assert_eq!(
        api.post(path, &mixed, &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // GET needs no CSRF token; the right one lets the POST through.
    assert!(api.get("/version", &no_csrf).await.status.is_success());
    let ok = api.post(path, &As::Ticket { ticket, csrf }, &[]).await;
    assert!(ok.data().as_str().unwrap().starts_with("UPID:n1:"));
}

#[tokio::test]
async fn tickets_expire_after_two_hours_and_renew_with_the_ticket_as_password() {
    let f = Fixture::start().await;
    let api = f.client();
    let auth = api.login("root@pam", ROOT_PW).await;
    let As::Ticket { ticket, .. } = &auth else {
        unreachable!()
    };
    // Renewal: the ticket is the password.
    f.alpha().sim.advance_clock(3600);
    let renewed = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[("username", "root@pam"), ("password", ticket)],
        )
        .await;
    let fresh = renewed.data()["ticket"].as_str().unwrap().to_owned();
    assert_ne!(&fresh, ticket);
    // 2 h + 1 s after issue the old ticket is dead, the renewed one still works.
    f.alpha().sim.advance_clock(3601);
    assert_eq!(
        api.get("/version", &auth).await.status,
        StatusCode::UNAUTHORIZED
    );
    let fresh_auth = As::Ticket {
        ticket: fresh.clone(),
        csrf: None,
    };
    assert!(api.get("/version", &fresh_auth).await.status.is_success());
    // A dead ticket cannot renew itself.
    let r = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[("username", "root@pam"), ("password", ticket)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Forced expiry (the fault a test injects) kills every ticket issued so far.
    f.alpha().sim.expire_tickets();
    assert_eq!(
        api.get("/version", &fresh_auth).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_tampered_ticket_is_refused() {
    let f = Fixture::start().await;
    let api = f.client();
    let As::Ticket { ticket, .. } = api.login("auditor@pve", "auditor-pw").await else {
        unreachable!()
    };
    let forged = ticket.replace("auditor@pve", "root@pam");
    let r = api
        .get(
            "/version",
            &As::Ticket {
                ticket: forged,
                csrf: None,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

fn totp_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let key = proxdeck_sim::auth::base32_decode(TOTP_SEED).unwrap();
    proxdeck_sim::auth::totp_at(&key, now / 30)
}

#[tokio::test]
async fn totp_users_get_a_challenge_then_a_ticket() {
    let f = Fixture::start().await;
    let api = f.client();
    let r = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[("username", "tfa@pve"), ("password", "tfa-pw")],
        )
        .await;
    let d = r.data().clone();
    assert_eq!(d["NeedTFA"], 1);
    let challenge = d["ticket"].as_str().unwrap().to_owned();
    assert!(challenge.contains("!tfa!"));
    assert!(d.get("CSRFPreventionToken").is_none());
    // The half ticket opens nothing.
    let r = api
        .get(
            "/version",
            &As::Ticket {
                ticket: challenge.clone(),
                csrf: None,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A wrong code fails, the right one gives a full ticket.
    let wrong = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[
                ("username", "tfa@pve"),
                ("password", "totp:000000"),
                ("tfa-challenge", &challenge),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code = format!("totp:{}", totp_now());
    let ok = api
        .post(
            "/access/ticket",
            &As::Nobody,
            &[
                ("username", "tfa@pve"),
                ("password", &code),
                ("tfa-challenge", &challenge),
            ],
        )
        .await;
    let full = ok.data()["ticket"].as_str().unwrap().to_owned();
    assert!(full.starts_with("PVE:tfa@pve:"));
    assert!(
        api.get(
            "/version",
            &As::Ticket {
                ticket: full,
                csrf: None
            }
        )
        .await
        .status
        .is_success()
    );
    // A recovery key works exactly once.
    let recovery = format!("recovery:{RECOVERY_KEY}");
    let form = [
        ("username", "tfa@pve"),
        ("password", recovery.as_str()),
        ("tfa-challenge", challenge.as_str()),
    ];
    assert!(
        api.post("/access/ticket", &As::Nobody, &form)
            .await
            .status
            .is_success()
    );
    assert_eq!(
        api.post("/access/ticket", &As::Nobody, &form).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_tokens_authenticate_and_are_refused_where_pve_refuses_them() {
    let f = Fixture::start().await;
    let api = f.client();
    let token = As::Token(f.full_token.clone());
    assert_eq!(api.get("/version", &token).await.data()["release"], "9.1");
    // A token never needs CSRF, and writes work.
    let r = api
        .post("/nodes/n1/qemu/100/status/start", &token, &[])
        .await;
    assert!(
        r.data()
            .as_str()
            .unwrap()
            .ends_with(":qmstart:100:root@pam!full:"),
        "{}",
        r.raw
    );
    // Wrong secret, unknown token, malformed header.
    let bad = As::Token(format!("root@pam!full={}", crate::common::secret()));
    assert_eq!(
        api.get("/version", &bad).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = As::Token(format!("root@pam!nope={}", crate::common::secret()));
    assert_eq!(
        api.get("/version", &unknown).await.status,
        StatusCode::UNAUTHORIZED
    );
    let malformed = As::Token("root@pam-without-bang".into());
    assert_eq!(
        api.get("/version", &malformed).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Logging in is for users; PVE refuses tokens there.
    let r = api
        .post(
            "/access/ticket",
            &token,
            &[("username", "root@pam"), ("password", ROOT_PW)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn privilege_separation_intersects_token_and_user_rights() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let user_view = ids(api.get("/cluster/resources", &root).await.data());
    // privsep=0: exactly the user's view.
    let full = ids(api
        .get("/cluster/resources", &As::Token(f.full_token.clone()))
        .await
        .data());
    assert_eq!(full, user_view);
    assert!(full.contains(&"qemu/100".to_owned()) && full.contains(&"node/n1".to_owned()));
    // privsep=1 with PVEAuditor on /vms/101 only: just that guest.
    let sep_auth = As::Token(f.sep_token.clone());
    let sep = ids(api.get("/cluster/resources", &sep_auth).await.data());
    assert_eq!(sep, vec!["qemu/101".to_owned()]);
    // And it may not power it on (PVEAuditor has no VM.PowerMgmt), though its user may.
    let r = api
        .post("/nodes/n1/qemu/101/status/stop", &sep_auth, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json.unwrap()["message"],
        "Permission check failed (/vms/101, VM.PowerMgmt)\n"
    );
}

#[tokio::test]
async fn permissions_are_checked_per_path_with_pools() {
    let f = Fixture::start().await;
    let api = f.client();
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let r = api
        .post("/nodes/n1/qemu/100/status/start", &auditor, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json.as_ref().unwrap()["message"],
        "Permission check failed (/vms/100, VM.PowerMgmt)\n"
    );
    // The operator has PVEVMUser on /pool/web, which holds guest 100 only.
    let op = api.login("operator@pve", "operator-pw").await;
    let seen = ids(api.get("/cluster/resources?type=vm", &op).await.data());
    assert_eq!(seen, vec!["qemu/100".to_owned()]);
    assert!(
        api.post("/nodes/n1/qemu/100/status/start", &op, &[])
            .await
            .status
            .is_success()
    );
    let r = api.post("/nodes/n1/qemu/101/status/stop", &op, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // /cluster/status needs Sys.Audit on /.
    assert_eq!(
        api.get("/cluster/status", &op).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        api.get("/cluster/status", &auditor)
            .await
            .status
            .is_success()
    );
}

#[tokio::test]
async fn access_permissions_reports_effective_privileges() {
    let f = Fixture::start().await;
    let api = f.client();
    let op = api.login("operator@pve", "operator-pw").await;
    let r = api
        .get(
            &format!("/access/permissions?path={}", enc("/vms/100")),
            &op,
        )
        .await;
    let privs = r.data()["/vms/100"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(privs.contains_key("VM.PowerMgmt"), "{}", r.raw);
    assert!(!privs.contains_key("VM.Allocate"), "{}", r.raw);
    // Someone else's permissions need Sys.Audit on /access.
    let r = api.get("/access/permissions?userid=root%40pam", &op).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
