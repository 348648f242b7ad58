//! Live cases: the API token wizard against the simulator. What each profile leaves on the
//! cluster is read back with a root login, the new token is tried inside and outside what
//! its profile allows, and the admin password is looked for everywhere it must not be.

use std::collections::BTreeSet;
use std::time::Duration;

use proxdeck_core::tokens::{self, CreatedToken, TokenProfile, TokenWizardInput, WizardChoices};
use proxdeck_core::{AppError, ErrorCode};
use proxdeck_pve::{Auth, Product, PveClient, PveError, Trust};
use proxdeck_sim::Sim;
use serde_json::Value;

use crate::common::{Case, TestCtx, files_containing, keychain_entries, sim, test_ctx};

const USER: &str = "proxdeck@pve";

fn least_privilege() -> TokenProfile {
    TokenProfile::LeastPrivilege {
        pool: "prod-web".into(),
        storages: vec!["ceph-vm".into()],
        sdn_zones: vec!["localnetwork".into()],
    }
}

/// The wizard's form for the sim's first cluster (prod), as root@pam.
fn wizard(sim: &Sim, profile: TokenProfile) -> TokenWizardInput {
    let c = &sim.clusters[0];
    TokenWizardInput {
        urls: vec![c.base_url()],
        fingerprints: vec![c.fingerprint()],
        timeout_ms: 1000,
        admin_username: "root@pam".into(),
        admin_password: sim.credentials(&c.sim.name).password,
        admin_otp: None,
        token_name: "proxdeck".into(),
        profile,
        rotate: false,
        connection_id: None,
    }
}

fn client(sim: &Sim, auth: Auth) -> PveClient {
    let c = &sim.clusters[0];
    PveClient::new(
        &c.base_url(),
        &Trust::Pinned(c.fingerprint()),
        auth,
        Duration::from_secs(5),
    )
    .unwrap()
}

fn root(sim: &Sim) -> PveClient {
    let name = &sim.clusters[0].sim.name;
    client(
        sim,
        Auth::Password {
            product: Product::Pve,
            username: "root@pam".into(),
            password: sim.credentials(name).password,
        },
    )
}

fn as_token(sim: &Sim, created: &CreatedToken) -> PveClient {
    client(
        sim,
        Auth::PveToken {
            id: created.token_id.clone(),
            secret: created.secret.clone(),
        },
    )
}

/// Every ACL entry naming `proxdeck@pve` or one of its tokens: (path, type, ugid, role,
/// propagate), sorted.
async fn our_acls(root: &PveClient) -> BTreeSet<(String, String, String, String, i64)> {
    let acl = root.get("/access/acl").await.unwrap();
    acl.as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let ugid = e["ugid"].as_str().unwrap();
            ugid == USER || ugid.starts_with(&format!("{USER}!"))
        })
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["type"].as_str().unwrap().to_owned(),
                e["ugid"].as_str().unwrap().to_owned(),
                e["roleid"].as_str().unwrap().to_owned(),
                e["propagate"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn acl(path: &str, kind: &str, ugid: &str, role: &str) -> (String, String, String, String, i64) {
    (path.into(), kind.into(), ugid.into(), role.into(), 1)
}

async fn users(root: &PveClient) -> Vec<String> {
    let list = root.get("/access/users").await.unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|u| u["userid"].as_str().unwrap().to_owned())
        .collect()
}

/// `proxdeck@pve`'s tokens: (name, privsep).
async fn tokens_of_user(root: &PveClient) -> Vec<(String, i64)> {
    let list = root
        .get(&format!("/access/users/{USER}/token"))
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tokenid"].as_str().unwrap().to_owned(),
                t["privsep"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn custom_roles(root: &PveClient) -> Vec<String> {
    let list = root.get("/access/roles").await.unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["special"].as_i64() != Some(1))
        .map(|r| r["roleid"].as_str().unwrap().to_owned())
        .filter(|r| r.starts_with("Proxdeck"))
        .collect()
}

async fn role_privs(root: &PveClient, role: &str) -> BTreeSet<String> {
    let v = root.get(&format!("/access/roles/{role}")).await.unwrap();
    v.as_object().unwrap().keys().cloned().collect()
}

fn is_denied(r: Result<Value, PveError>) -> bool {
    matches!(
        r,
        Err(PveError::MissingPrivilege { .. } | PveError::Forbidden { .. })
    )
}

async fn audit_rows(t: &TestCtx) -> Vec<proxdeck_store::AuditRecord> {
    t.ctx
        .db(|s| s.audit_list(None, 1000))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action.starts_with("token."))
        .collect()
}

/// Fails if `needle` is anywhere the app keeps or hands out data: the keychain, the data
/// directory (database, WAL, logs), the events, the audit log and the given JSON results.
async fn assert_nowhere(t: &TestCtx, needle: &str, what: &str, results: &[String]) {
    for (account, value) in keychain_entries() {
        assert!(
            !value.contains(needle) && !account.contains(needle),
            "{what} in the keychain under {account}"
        );
    }
    let files = files_containing(t.dir.path(), needle);
    assert!(files.is_empty(), "{what} in {files:?}");
    let events = format!("{:?}", t.events.events());
    assert!(!events.contains(needle), "{what} in an event");
    for row in audit_rows(t).await {
        let json = serde_json::to_string(&row).unwrap();
        assert!(!json.contains(needle), "{what} in audit row {json}");
    }
    for r in results {
        assert!(!r.contains(needle), "{what} in a returned value: {r}");
    }
}

fn json_of(r: &Result<impl serde::Serialize, AppError>) -> String {
    match r {
        Ok(v) => serde_json::to_string(v).unwrap(),
        Err(e) => serde_json::to_string(e).unwrap(),
    }
}

pub const CASES: &[Case] = &[
    ("token_choices_list_pools_storages_and_zones", || {
        Box::pin(async {
            let t = test_ctx().await;
            let sim = sim().await;
            let choices: WizardChoices = tokens::choices(&t.ctx, wizard(&sim, least_privilege()))
                .await
                .unwrap();
            assert_eq!(choices.version, "9.1.9");
            assert_eq!(choices.pools, ["infra", "prod-db", "prod-web"]);
            assert_eq!(
                choices.storages,
                ["ceph-vm", "local", "local-zfs", "pbs-backup"]
            );
            assert_eq!(choices.sdn_zones, ["localnetwork"]);
            assert!(!choices.user_exists && !choices.token_exists);

            tokens::create(&t.ctx, wizard(&sim, TokenProfile::FullAdmin))
                .await
                .unwrap();
            let again = tokens::choices(&t.ctx, wizard(&sim, least_privilege()))
                .await
                .unwrap();
            assert!(again.user_exists && again.token_exists);
            let mut other = wizard(&sim, least_privilege());
            other.token_name = "laptop".into();
            let other = tokens::choices(&t.ctx, other).await.unwrap();
            assert!(other.user_exists && !other.token_exists);
        })
    }),
    (
        "token_full_admin_leaves_exactly_its_user_acl_and_token",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let root = root(&sim);
                let created = tokens::create(&t.ctx, wizard(&sim, TokenProfile::FullAdmin))
                    .await
                    .unwrap();
                assert_eq!(created.token_id, "proxdeck@pve!proxdeck");
                assert!(created.user_created);
                assert!(created.roles_created.is_empty());
                assert!(!created.stored_in_keychain);
                assert_eq!(created.secret.len(), 36, "a UUID secret");
                assert_eq!(created.acls.len(), 1);
                assert_eq!(
                    (
                        created.acls[0].path.as_str(),
                        created.acls[0].role.as_str(),
                        created.acls[0].ugid.as_str(),
                        created.acls[0].propagate
                    ),
                    ("/", "PVEAdmin", USER, true)
                );

                // Read back: the user, one token without privilege separation, one ACL.
                assert!(users(&root).await.contains(&USER.to_owned()));
                assert_eq!(tokens_of_user(&root).await, [("proxdeck".to_owned(), 0)]);
                let token = root
                    .get(&format!("/access/users/{USER}/token/proxdeck"))
                    .await
                    .unwrap();
                assert_eq!(token["privsep"], 0);
                assert!(
                    token["comment"]
                        .as_str()
                        .unwrap()
                        .starts_with("Proxdeck, full admin profile, created ")
                );
                assert_eq!(
                    our_acls(&root).await,
                    BTreeSet::from([acl("/", "user", USER, "PVEAdmin")])
                );
                assert!(custom_roles(&root).await.is_empty());
                let user = root.get(&format!("/access/users/{USER}")).await.unwrap();
                assert_eq!(user["comment"], "Proxdeck");

                // The token works as an administrator: every guest, and an admin action.
                let tok = as_token(&sim, &created);
                let resources = tok.get("/cluster/resources?type=vm").await.unwrap();
                let vmids: BTreeSet<i64> = resources
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["vmid"].as_i64().unwrap())
                    .collect();
                assert!(vmids.contains(&140) && vmids.contains(&100) && vmids.contains(&9000));
                let upid = tok
                    .post("/nodes/pve3/qemu/190/status/start", &[])
                    .await
                    .unwrap();
                assert!(upid.as_str().unwrap().starts_with("UPID:"), "{upid}");
                tok.post("/pools", &[("poolid", "made-by-token")])
                    .await
                    .unwrap();
                // PVEAdmin is not Administrator: permissions stay root's.
                assert!(is_denied(
                    tok.put(
                        "/access/acl",
                        &[("path", "/"), ("roles", "Administrator"), ("users", USER)]
                    )
                    .await
                ));

                let rows = audit_rows(&t).await;
                assert_eq!(rows.len(), 1);
                let row = &rows[0].entry;
                assert_eq!(
                    (
                        row.action.as_str(),
                        row.target.as_str(),
                        row.outcome.as_str()
                    ),
                    ("token.create", "proxdeck@pve!proxdeck", "ok")
                );
                assert_eq!(row.details["profile"], "fullAdmin");
                assert_eq!(row.details["userCreated"], true);
                assert_eq!(row.details["cluster"], sim.clusters[0].base_url());
                assert_eq!(row.details["acls"][0]["role"], "PVEAdmin");
            })
        },
    ),
    (
        "token_least_privilege_leaves_exactly_its_roles_acls_and_token",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let root = root(&sim);
                let created = tokens::create(&t.ctx, wizard(&sim, least_privilege()))
                    .await
                    .unwrap();
                assert!(created.user_created);
                assert_eq!(created.roles_created, ["Proxdeck-General", "Proxdeck-VMs"]);
                assert_eq!(created.acls.len(), 8);

                assert_eq!(tokens_of_user(&root).await, [("proxdeck".to_owned(), 1)]);
                let mut roles = custom_roles(&root).await;
                roles.sort();
                assert_eq!(roles, ["Proxdeck-General", "Proxdeck-VMs"]);
                assert_eq!(
                    role_privs(&root, "Proxdeck-General").await,
                    BTreeSet::from(["Sys.Audit".to_owned(), "Sys.Console".to_owned()])
                );
                let vm_privs: BTreeSet<String> = [
                    "VM.Allocate",
                    "VM.Audit",
                    "VM.Backup",
                    "VM.Clone",
                    "VM.Config.CDROM",
                    "VM.Config.CPU",
                    "VM.Config.Cloudinit",
                    "VM.Config.Disk",
                    "VM.Config.HWType",
                    "VM.Config.Memory",
                    "VM.Config.Network",
                    "VM.Config.Options",
                    "VM.Console",
                    "VM.GuestAgent.Audit",
                    "VM.Migrate",
                    "VM.PowerMgmt",
                    "VM.Snapshot",
                    "VM.Snapshot.Rollback",
                ]
                .map(str::to_owned)
                .into();
                assert_eq!(role_privs(&root, "Proxdeck-VMs").await, vm_privs);
                let tid = "proxdeck@pve!proxdeck";
                let mut want = BTreeSet::new();
                for (path, role) in [
                    ("/", "Proxdeck-General"),
                    ("/pool/prod-web", "Proxdeck-VMs"),
                    ("/storage/ceph-vm", "PVEDatastoreUser"),
                    ("/sdn/zones/localnetwork", "PVESDNUser"),
                ] {
                    want.insert(acl(path, "user", USER, role));
                    want.insert(acl(path, "token", tid, role));
                }
                assert_eq!(our_acls(&root).await, want);

                // Inside the pool: see and act. Outside: 403.
                let tok = as_token(&sim, &created);
                let status = tok
                    .get("/nodes/pve1/qemu/100/status/current")
                    .await
                    .unwrap();
                assert_eq!(status["status"], "running");
                let upid = tok
                    .post("/nodes/pve3/qemu/113/status/start", &[])
                    .await
                    .unwrap();
                assert!(upid.as_str().unwrap().starts_with("UPID:"), "{upid}");
                let seen: BTreeSet<i64> = tok
                    .get("/cluster/resources?type=vm")
                    .await
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["vmid"].as_i64().unwrap())
                    .collect();
                assert_eq!(
                    seen,
                    BTreeSet::from([100, 101, 110, 111, 112, 113, 130, 131])
                );
                assert!(is_denied(
                    tok.get("/nodes/pve3/qemu/140/status/current").await
                ));
                assert!(is_denied(
                    tok.post("/nodes/pve3/qemu/190/status/start", &[]).await
                ));
                assert!(is_denied(
                    tok.get("/nodes/pve1/qemu/120/status/current").await
                ));
                assert!(is_denied(
                    tok.post("/access/users", &[("userid", "intruder@pve")])
                        .await
                ));
                assert!(is_denied(
                    tok.post("/pools", &[("poolid", "not-allowed")]).await
                ));
                // Node status comes with Proxdeck-General's Sys.Audit.
                tok.get("/nodes/pve1/status").await.unwrap();

                let rows = audit_rows(&t).await;
                assert_eq!(rows.len(), 1);
                let d = &rows[0].entry.details;
                assert_eq!(d["profile"], "leastPrivilege");
                assert_eq!(d["pool"], "prod-web");
                assert_eq!(d["rolesCreated"][1], "Proxdeck-VMs");
                assert_eq!(d["acls"].as_array().unwrap().len(), 8);
            })
        },
    ),
    (
        "token_rerun_is_a_conflict_and_rotate_replaces_the_secret",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let root = root(&sim);
                let first = tokens::create(&t.ctx, wizard(&sim, least_privilege()))
                    .await
                    .unwrap();

                let again = tokens::create(&t.ctx, wizard(&sim, least_privilege()))
                    .await
                    .unwrap_err();
                assert_eq!(again.code, ErrorCode::Conflict, "{again:?}");
                assert!(
                    again.message.contains("proxdeck@pve!proxdeck")
                        && again.message.contains("least privilege profile, created")
                        && again.message.contains("choose Rotate")
                        && again.message.contains("old secret stop working"),
                    "{}",
                    again.message
                );
                // Nothing changed: the first secret still works.
                as_token(&sim, &first)
                    .get("/nodes/pve1/qemu/100/status/current")
                    .await
                    .unwrap();

                let mut input = wizard(&sim, least_privilege());
                input.rotate = true;
                let second = tokens::create(&t.ctx, input).await.unwrap();
                assert_ne!(first.secret, second.secret);
                assert!(!second.user_created);
                assert!(second.roles_created.is_empty(), "the roles exist already");
                assert!(matches!(
                    as_token(&sim, &first).get("/version").await,
                    Err(PveError::Unauthorized { .. })
                ));
                as_token(&sim, &second)
                    .get("/nodes/pve1/qemu/100/status/current")
                    .await
                    .unwrap();
                assert_eq!(tokens_of_user(&root).await, [("proxdeck".to_owned(), 1)]);
                assert_eq!(our_acls(&root).await.len(), 8, "the token's ACLs are back");

                // Rotating into the other profile leaves that profile's token and ACLs.
                let mut input = wizard(&sim, TokenProfile::FullAdmin);
                input.rotate = true;
                let third = tokens::create(&t.ctx, input).await.unwrap();
                assert_eq!(tokens_of_user(&root).await, [("proxdeck".to_owned(), 0)]);
                assert_eq!(
                    our_acls(&root).await,
                    BTreeSet::from([acl("/", "user", USER, "PVEAdmin")])
                );
                let tok = as_token(&sim, &third);
                tok.get("/nodes/pve3/qemu/140/status/current")
                    .await
                    .unwrap();
                tok.get("/storage/ceph-vm").await.unwrap();

                let rows = audit_rows(&t).await;
                let summary: Vec<(String, bool)> = rows
                    .iter()
                    .rev()
                    .map(|r| (r.entry.action.clone(), r.entry.outcome == "ok"))
                    .collect();
                assert_eq!(
                    summary,
                    [
                        ("token.create".to_owned(), true),
                        ("token.create".to_owned(), false),
                        ("token.rotate".to_owned(), true),
                        ("token.rotate".to_owned(), true),
                    ]
                );
                assert!(rows[2].entry.outcome.starts_with("failed: "));
            })
        },
    ),
    (
        "token_wrong_admin_password_is_unauthorized_and_creates_nothing",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let root = root(&sim);
                let mut input = wizard(&sim, least_privilege());
                input.admin_password = "not-the-root-password".into();
                let e = tokens::create(&t.ctx, input.clone()).await.unwrap_err();
                assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
                assert!(e.fields.contains_key("adminPassword"), "{e:?}");
                assert!(!e.message.contains("not-the-root-password"));
                let e = tokens::choices(&t.ctx, input).await.unwrap_err();
                assert_eq!(e.code, ErrorCode::Unauthorized);

                assert!(!users(&root).await.contains(&USER.to_owned()));
                assert!(custom_roles(&root).await.is_empty());
                assert!(our_acls(&root).await.is_empty());
                let rows = audit_rows(&t).await;
                assert_eq!(rows.len(), 1);
                assert!(rows[0].entry.outcome.starts_with("failed: "));
                assert_eq!(rows[0].entry.details["userCreated"], false);
                assert_eq!(rows[0].entry.details["tokenCreated"], false);
            })
        },
    ),
    (
        "token_second_factor_and_a_non_admin_are_refused_cleanly",
        || {
            Box::pin(async {
                let t = test_ctx().await;
                let sim = sim().await;
                let root = root(&sim);
                let mut input = wizard(&sim, TokenProfile::FullAdmin);
                input.admin_username = "secops@pve".into();
                input.admin_password = proxdeck_sim::scenario::DEMO_SECOPS_PASSWORD.into();
                let e = tokens::create(&t.ctx, input.clone()).await.unwrap_err();
                assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
                assert!(e.fields.contains_key("adminOtp"), "{e:?}");

                input.admin_otp = Some("000000".into());
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs() as i64;
                let key = proxdeck_sim::auth::base32_decode(
                    proxdeck_sim::scenario::DEMO_SECOPS_TOTP_SECRET,
                )
                .unwrap();
                if (-1..=1).all(|s| proxdeck_sim::auth::totp_at(&key, now / 30 + s) != "000000") {
                    let e = tokens::create(&t.ctx, input.clone()).await.unwrap_err();
                    assert_eq!(e.code, ErrorCode::Unauthorized, "{e:?}");
                    assert!(e.fields.contains_key("adminOtp"), "{e:?}");
                }

                // The right code logs in, but secops is no administrator.
                input.admin_otp = Some(proxdeck_sim::auth::totp_at(&key, now / 30));
                let e = tokens::create(&t.ctx, input).await.unwrap_err();
                assert_eq!(e.code, ErrorCode::MissingPrivilege, "{e:?}");
                assert!(
                    e.message.contains("secops@pve may not set up API tokens")
                        && e.message.contains("Administrator role"),
                    "{}",
                    e.message
                );
                assert!(!users(&root).await.contains(&USER.to_owned()));
                assert!(our_acls(&root).await.is_empty());
            })
        },
    ),
    ("token_form_errors_name_their_fields", || {
        Box::pin(async {
            let t = test_ctx().await;
            let sim = sim().await;
            for bad in ["x", "1abc", "has space", "a!b"] {
                let mut input = wizard(&sim, TokenProfile::FullAdmin);
                input.token_name = bad.into();
                let e = tokens::create(&t.ctx, input).await.unwrap_err();
                assert_eq!(e.code, ErrorCode::Invalid, "{bad}: {e:?}");
                assert!(e.fields.contains_key("tokenName"), "{bad}: {e:?}");
            }
            let mut input = wizard(&sim, TokenProfile::FullAdmin);
            input.admin_username = "root".into();
            input.admin_password = String::new();
            input.urls = vec!["http://insecure:8006".into()];
            let e = tokens::create(&t.ctx, input).await.unwrap_err();
            let keys: Vec<&String> = e.fields.keys().collect();
            assert_eq!(keys, ["adminPassword", "adminUsername", "urls"], "{e:?}");

            let mut input = wizard(
                &sim,
                TokenProfile::LeastPrivilege {
                    pool: "no-such-pool".into(),
                    storages: vec!["no-such-storage".into()],
                    sdn_zones: vec![],
                },
            );
            input.token_name = String::new(); // the default name
            let e = tokens::create(&t.ctx, input).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::Invalid, "{e:?}");
            assert!(e.fields.contains_key("pool") && e.fields.contains_key("storages"));
            assert!(our_acls(&root(&sim)).await.is_empty());
            // Form errors are not attempts: only the cluster-side refusal is audited.
            assert_eq!(audit_rows(&t).await.len(), 1);
        })
    }),
    ("token_admin_password_is_never_persisted", || {
        Box::pin(async {
            let t = test_ctx().await;
            let sim = sim().await;
            // A dedicated administrator with a password found nowhere else.
            let root = root(&sim);
            let password = format!("wizard-admin-{}", std::process::id());
            root.post(
                "/access/users",
                &[("userid", "wizard@pve"), ("password", &password)],
            )
            .await
            .unwrap();
            root.put(
                "/access/acl",
                &[
                    ("path", "/"),
                    ("roles", "Administrator"),
                    ("users", "wizard@pve"),
                ],
            )
            .await
            .unwrap();
            let input = |profile| {
                let mut i = wizard(&sim, profile);
                i.admin_username = "wizard@pve".into();
                i.admin_password = password.clone();
                i
            };

            let mut results = Vec::new();
            results.push(json_of(
                &tokens::choices(&t.ctx, input(least_privilege())).await,
            ));
            let created = tokens::create(&t.ctx, input(least_privilege())).await;
            results.push(json_of(&created));
            let created = created.unwrap();
            results.push(json_of(
                &tokens::create(&t.ctx, input(least_privilege())).await,
            ));
            let mut rotate = input(TokenProfile::FullAdmin);
            rotate.rotate = true;
            let rotated = tokens::create(&t.ctx, rotate).await;
            results.push(json_of(&rotated));
            let rotated = rotated.unwrap();
            results.push(json_of(
                &tokens::choices(&t.ctx, input(least_privilege())).await,
            ));
            assert!(results[0].contains("prod-web") && results[2].contains("Conflict"));

            assert_nowhere(&t, &password, "the admin password", &results).await;
            // The secrets were returned once, and stored nowhere: no connection was given.
            for secret in [&created.secret, &rotated.secret] {
                assert_nowhere(&t, secret, "a token secret", &[]).await;
            }
            // The audit rows name the admin, not its password.
            let rows = audit_rows(&t).await;
            assert_eq!(rows.len(), 3);
            assert!(
                rows.iter()
                    .all(|r| r.entry.details["admin"] == "wizard@pve")
            );
            as_token(&sim, &rotated)
                .get("/cluster/resources")
                .await
                .unwrap();
        })
    }),
    (
        "token_secret_goes_to_the_keychain_of_a_saved_connection",
        || {
            Box::pin(async {
                use proxdeck_core::connections;
                let t = test_ctx().await;
                let sim = sim().await;
                let conn = connections::add(&t.ctx, crate::common::token_connection(&sim, "prod"))
                    .await
                    .unwrap();
                let mut input = wizard(&sim, TokenProfile::FullAdmin);
                input.connection_id = Some(conn.id.clone());
                let created = tokens::create(&t.ctx, input).await.unwrap();
                assert!(created.stored_in_keychain);
                let account = format!("{}:token-secret", conn.id);
                assert!(
                    keychain_entries().contains(&(account, created.secret.clone())),
                    "the new secret is the connection's token secret"
                );
                let stored = t
                    .ctx
                    .keychain
                    .get(&conn.id, proxdeck_secrets::SecretKind::TokenSecret)
                    .unwrap()
                    .unwrap();
                assert_eq!(stored.expose(), &created.secret);
                let rows = audit_rows(&t).await;
                assert_eq!(rows[0].entry.details["keychain"], "stored");
                assert!(
                    !serde_json::to_string(&rows[0])
                        .unwrap()
                        .contains(&created.secret)
                );

                // An unknown connection id stores nothing and says so.
                let mut input = wizard(&sim, TokenProfile::FullAdmin);
                input.rotate = true;
                input.connection_id = Some("no-such-connection".into());
                let rotated = tokens::create(&t.ctx, input).await.unwrap();
                assert!(!rotated.stored_in_keychain);
                assert!(!keychain_entries().iter().any(|(_, v)| *v == rotated.secret));
            })
        },
    ),
];
