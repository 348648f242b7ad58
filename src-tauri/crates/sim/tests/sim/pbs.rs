//! The Proxmox Backup Server listener: PBS's own authentication (`PBS:` tickets, CSRF,
//! `PBSAPIToken=ID:SECRET`), its privilege model and token separation, datastore listings
//! that follow the scenario, usage figures and estimates, node status, PBS's error bodies,
//! and every route against the published PBS schema.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use proxdeck_sim::pbs::{self, PbsSim};
use proxdeck_sim::tls::{CertSlot, Identity};
use proxdeck_sim::{Scenario, SimOptions, faults, server};
use reqwest::{Certificate, Client, Method, StatusCode};
use serde_json::Value;

use crate::common::{enc, secret};

const ROOT_PW: &str = "pbs-root-fixture-pw";
const READER_PW: &str = "reader-pw";
const BACKUP_PW: &str = "backup-pw";
const TFA_SEED: &str = "JBSWY3DPEHPK3PXP";
const DAY: i64 = 86_400;

struct PbsFixture {
    sim: Arc<PbsSim>,
    served: server::Served,
    http: Client,
    base: String,
    /// `root@pam!ci`, with Audit on `/` (tokens of root@pam are not superusers).
    ci: String,
    /// `reader@pbs!wide`, with Admin on `/` but capped by reader@pbs.
    wide: String,
    /// `backup@pbs!pve`, the token PVE backs up with; it owns vm/100.
    pve: String,
    now: i64,
}

/// `now` matters: snapshot times and the GC run are placed relative to it.
fn scenario(now: i64, ci: &str, wide: &str, pve: &str) -> Scenario {
    let growing: Vec<String> = (0..20)
        .map(|d| (now - (20 - d) * DAY).to_string())
        .collect();
    let toml = format!(
        r#"
[[pbs]]
name = "pbs1"
version = "4.1.0"

[[pbs.users]]
userid = "root@pam"
password = "{ROOT_PW}"

[[pbs.users]]
userid = "reader@pbs"
password = "{READER_PW}"

[[pbs.users]]
userid = "backup@pbs"
password = "{BACKUP_PW}"

[[pbs.users]]
userid = "tfa@pbs"
password = "tfa-pw"
totp_secret = "{TFA_SEED}"
recovery_keys = ["aaaa-bbbb-cccc"]

[[pbs.tokens]]
userid = "root@pam"
tokenid = "ci"
secret = "{ci}"

[[pbs.tokens]]
userid = "reader@pbs"
tokenid = "wide"
secret = "{wide}"

[[pbs.tokens]]
userid = "backup@pbs"
tokenid = "pve"
secret = "{pve}"

[[pbs.acl]]
path = "/datastore/store1"
user = "reader@pbs"
role = "DatastoreReader"

[[pbs.acl]]
path = "/"
token = "reader@pbs!wide"
role = "Admin"

[[pbs.acl]]
path = "/datastore/store1"
user = "backup@pbs"
role = "DatastoreBackup"

[[pbs.acl]]
path = "/datastore/store1"
token = "backup@pbs!pve"
role = "DatastoreBackup"

[[pbs.acl]]
path = "/"
token = "root@pam!ci"
role = "Audit"

[[pbs.acl]]
path = "/"
user = "tfa@pbs"
role = "Audit"

[[pbs.datastores]]
name = "store1"
path = "/mnt/datastore/store1"
total_gib = 1000
used_gib = 400
gc_status = {{ last_run = {gc_run}, removed_bytes = 5368709120 }}

[[pbs.datastores.backups]]
backup_type = "vm"
backup_id = "100"
owner = "backup@pbs!pve"
snapshots = [{growing}]
size_gib = 32

[[pbs.datastores.backups]]
backup_type = "ct"
backup_id = "101"
owner = "root@pam"
snapshots = [{ct1}, {ct2}, {ct3}]
size_gib = 8

[[pbs.datastores.backups]]
backup_type = "host"
backup_id = "build-01"
owner = "backup@pbs"
snapshots = [{host1}]
size_gib = 2

[[pbs.datastores]]
name = "store2"
path = "/mnt/datastore/store2"
total_gib = 500
used_gib = 100
namespaces = ["site-a", "site-a/rack1", "site-b"]

[[pbs.datastores.backups]]
backup_type = "vm"
backup_id = "200"
owner = "root@pam"
snapshots = [{old1}, {old2}]
size_gib = 16

# Another cluster's VM 200: the same VMID, its own group in its namespace.
[[pbs.datastores.backups]]
ns = "site-a"
backup_type = "vm"
backup_id = "200"
owner = "root@pam"
snapshots = [{ns1}]
size_gib = 4
"#,
        gc_run = now - DAY / 2,
        growing = growing.join(", "),
        ct1 = now - 3 * DAY,
        ct2 = now - 2 * DAY,
        ct3 = now - 3600,
        host1 = now - 5 * DAY,
        old1 = now - 60 * DAY,
        old2 = now - 45 * DAY,
        ns1 = now - 40 * DAY,
    );
    let s = Scenario::from_toml_str(&toml).expect("the PBS fixture parses");
    s.validate().expect("the PBS fixture is consistent");
    s
}

#[derive(Clone)]
enum Auth {
    Nobody,
    /// The raw `Authorization` header value.
    Header(String),
    Ticket {
        ticket: String,
        csrf: Option<String>,
    },
}

struct Reply {
    status: StatusCode,
    raw: String,
    json: Option<Value>,
}

impl Reply {
    fn data(&self) -> &Value {
        assert!(self.status.is_success(), "{}: {}", self.status, self.raw);
        &self.json.as_ref().expect("a JSON body")["data"]
    }
}

impl PbsFixture {
    async fn start() -> Self {
        let (ci, wide, pve) = (secret(), secret(), secret());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let spec = scenario(now, &ci, &wide, &pve).pbs.remove(0);
        let sim = PbsSim::new(spec, SimOptions::default());
        let cert = CertSlot::new(Identity::generate("pbs1"));
        sim.attach_certificate(cert.clone());
        let served = server::serve(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            pbs::router(Arc::clone(&sim)),
            cert.clone(),
            Arc::new(faults::Faults::default()),
        )
        .await
        .unwrap();
        let http = Client::builder()
            .tls_certs_only([Certificate::from_der(&cert.current().cert_der).unwrap()])
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self {
            base: format!("https://{}/api2/json", served.addr),
            sim,
            served,
            http,
            ci: format!("root@pam!ci:{ci}"),
            wide: format!("reader@pbs!wide:{wide}"),
            pve: format!("backup@pbs!pve:{pve}"),
            now,
        }
    }

    fn token(id_and_secret: &str) -> Auth {
        Auth::Header(format!("PBSAPIToken={id_and_secret}"))
    }

    async fn call(&self, method: Method, path: &str, auth: &Auth, form: &[(&str, &str)]) -> Reply {
        let url = format!("{}{path}", self.base);
        let mut req = if method == Method::GET || method == Method::DELETE {
            self.http.request(method, url).query(form)
        } else {
            let body: Vec<String> = form
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
            self.http
                .request(method, url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&"))
        };
        match auth {
            Auth::Nobody => {}
            Auth::Header(h) => req = req.header("authorization", h),
            Auth::Ticket { ticket, csrf } => {
                req = req.header("cookie", format!("PBSAuthCookie={}", enc(ticket)));
                if let Some(c) = csrf {
                    req = req.header("CSRFPreventionToken", c);
                }
            }
        }
        let resp = req.send().await.expect("the PBS simulator answers");
        let status = resp.status();
        let raw = resp.text().await.unwrap();
        let json = serde_json::from_str(&raw).ok();
        Reply { status, raw, json }
    }

    async fn get(&self, path: &str, auth: &Auth) -> Reply {
        self.call(Method::GET, path, auth, &[]).await
    }

    async fn login(&self, user: &str, password: &str) -> Auth {
        let r = self
            .call(
                Method::POST,
                "/access/ticket",
                &Auth::Nobody,
                &[("username", user), ("password", password)],
            )
            .await;
        let d = r.data();
        Auth::Ticket {
            ticket: d["ticket"].as_str().unwrap().to_owned(),
            csrf: Some(d["CSRFPreventionToken"].as_str().unwrap().to_owned()),
        }
    }
}

fn stores(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["store"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn pbs_tokens_use_a_colon_before_the_secret_and_the_pve_form_is_refused() {
    let f = PbsFixture::start().await;
    let r = f.get("/version", &PbsFixture::token(&f.ci)).await;
    let d = r.data();
    assert_eq!(d["version"], "4.1");
    assert_eq!(d["release"], "0");
    assert_eq!(d["repoid"].as_str().unwrap().len(), 40);
    assert!(
        r.raw.starts_with("{\"data\":"),
        "PBS wraps data only: {}",
        r.raw
    );

    // The PVE separator makes the token id unparsable.
    let pve_style = f.ci.replacen(':', "=", 1);
    let r = f.get("/version", &PbsFixture::token(&pve_style)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.raw,
        "authentication failed - value does not match the regex pattern"
    );
    // PVE's header name is not even recognised as credentials.
    let r = f
        .get(
            "/version",
            &Auth::Header(format!("PVEAPIToken={pve_style}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.raw,
        "authentication failed - no authentication credentials provided."
    );
    // The space form PBS also accepts.
    let r = f
        .get("/version", &Auth::Header(format!("PBSAPIToken {}", f.ci)))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let wrong = format!("root@pam!ci:{}", secret());
    let r = f.get("/version", &PbsFixture::token(&wrong)).await;
    assert_eq!(r.raw, "authentication failed - invalid credentials");
    let r = f
        .get(
            "/version",
            &PbsFixture::token(&format!("root@pam!nope:{}", secret())),
        )
        .await;
    assert_eq!(
        r.raw,
        "authentication failed - user account or token disabled or expired."
    );
    // Authentication comes before routing: an unknown path is 401 without credentials…
    let r = f.get("/no/such/path", &Auth::Nobody).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // …and 404 with them.
    let r = f.get("/no/such/path", &PbsFixture::token(&f.ci)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.raw, "Path '/api2/json/no/such/path' not found.");
}

#[tokio::test]
async fn ticket_login_sets_pbs_cookie_rules_and_csrf_guards_writes() {
    let f = PbsFixture::start().await;
    let r = f
        .call(
            Method::POST,
            "/access/ticket",
            &Auth::Nobody,
            &[("username", "backup@pbs"), ("password", BACKUP_PW)],
        )
        .await;
    let d = r.data().clone();
    assert_eq!(d["username"], "backup@pbs");
    let ticket = d["ticket"].as_str().unwrap().to_owned();
    assert!(ticket.starts_with("PBS:backup@pbs:"), "{ticket}");
    assert!(d.get("ticket-info").is_none(), "{d}");
    let csrf = d["CSRFPreventionToken"].as_str().unwrap().to_owned();

    let wrong = f
        .call(
            Method::POST,
            "/access/ticket",
            &Auth::Nobody,
            &[("username", "backup@pbs"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.raw, "permission check failed.");

    let no_csrf = Auth::Ticket {
        ticket: ticket.clone(),
        csrf: None,
    };
    let with_csrf = Auth::Ticket {
        ticket: ticket.clone(),
        csrf: Some(csrf.clone()),
    };
    // GET needs no CSRF token.
    let r = f.get("/admin/datastore", &no_csrf).await;
    assert_eq!(stores(r.data()), ["store1"]);

    // backup@pbs owns host/build-01 and may prune it (DatastoreBackup lacks Prune: 403).
    let time = (f.now - 5 * DAY).to_string();
    let target = [
        ("backup-type", "host"),
        ("backup-id", "build-01"),
        ("backup-time", time.as_str()),
    ];
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store1/snapshots",
            &no_csrf,
            &target,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.raw,
        "authentication failed - missing CSRF prevention token"
    );
    let other = f.login("reader@pbs", READER_PW).await;
    let Auth::Ticket {
        csrf: Some(other_csrf),
        ..
    } = other
    else {
        unreachable!()
    };
    let foreign = Auth::Ticket {
        ticket: ticket.clone(),
        csrf: Some(other_csrf),
    };
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store1/snapshots",
            &foreign,
            &target,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.raw,
        "authentication failed - invalid csrf token - invalid signature."
    );
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store1/snapshots",
            &with_csrf,
            &target,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.raw,
        "permission check failed - missing Datastore.Modify|Datastore.Prune on /datastore/store1"
    );
    // root may delete; the group then has no snapshot left and drops out of the list.
    let root = f.login("root@pam", ROOT_PW).await;
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store1/snapshots",
            &root,
            &target,
        )
        .await;
    assert_eq!(r.data(), &Value::Null);
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store1/snapshots",
            &root,
            &target,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.raw.contains("host/build-01/"), "{}", r.raw);
    let groups = f.get("/admin/datastore/store1/groups", &root).await;
    assert!(
        groups
            .data()
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["backup-id"] != "build-01"),
        "{}",
        groups.raw
    );

    // The ticket renews with itself as password.
    let r = f
        .call(
            Method::POST,
            "/access/ticket",
            &Auth::Nobody,
            &[("username", "backup@pbs"), ("password", ticket.as_str())],
        )
        .await;
    assert!(
        r.data()["ticket"]
            .as_str()
            .unwrap()
            .starts_with("PBS:backup@pbs:")
    );
    // A forged ticket is refused on use.
    let forged = Auth::Ticket {
        ticket: ticket.replace("backup@pbs", "root@pam"),
        csrf: None,
    };
    let r = f.get("/version", &forged).await;
    assert_eq!(
        r.raw,
        "authentication failed - ticket with invalid signature"
    );
    // Tickets expire after two hours.
    f.sim.advance_clock(7201);
    let r = f.get("/version", &no_csrf).await;
    assert_eq!(r.raw, "authentication failed - invalid ticket - expired");
}

#[tokio::test]
async fn http_only_login_puts_the_ticket_into_a_host_cookie() {
    let f = PbsFixture::start().await;
    let resp = f
        .http
        .post(format!("{}/access/ticket", f.base))
        .form(&[
            ("username", "root@pam"),
            ("password", ROOT_PW),
            ("http-only", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-PBSAuthCookie=PBS:root@pam:"),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert!(body["data"].get("ticket").is_none(), "{body}");
    assert!(
        body["data"]["ticket-info"]
            .as_str()
            .unwrap()
            .ends_with("::")
    );
    let ticket = cookie
        .trim_start_matches("__Host-PBSAuthCookie=")
        .split(';')
        .next()
        .unwrap();
    let r = f
        .http
        .get(format!("{}/admin/datastore", f.base))
        .header("cookie", format!("__Host-PBSAuthCookie={ticket}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_second_factor_is_required_when_the_user_has_one() {
    let f = PbsFixture::start().await;
    let first = f
        .call(
            Method::POST,
            "/access/ticket",
            &Auth::Nobody,
            &[("username", "tfa@pbs"), ("password", "tfa-pw")],
        )
        .await;
    let d = first.data().clone();
    let challenge = d["ticket"].as_str().unwrap().to_owned();
    assert!(challenge.starts_with("PBS:!tfa!"), "{challenge}");
    assert_eq!(d["CSRFPreventionToken"], "invalid");
    // The half ticket is no login.
    let r = f
        .get(
            "/version",
            &Auth::Ticket {
                ticket: challenge.clone(),
                csrf: None,
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let answer = |password: String| {
        let challenge = challenge.clone();
        let f = &f;
        async move {
            f.call(
                Method::POST,
                "/access/ticket",
                &Auth::Nobody,
                &[
                    ("username", "tfa@pbs"),
                    ("tfa-challenge", challenge.as_str()),
                    ("password", password.as_str()),
                ],
            )
            .await
        }
    };
    let r = answer("totp:000000".into()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let key = proxdeck_sim::auth::base32_decode(TFA_SEED).unwrap();
    let code = proxdeck_sim::auth::totp_at(&key, f.sim.now() / 30);
    let r = answer(format!("totp:{code}")).await;
    assert!(
        r.data()["ticket"]
            .as_str()
            .unwrap()
            .starts_with("PBS:tfa@pbs:")
    );
    // Recovery keys work once.
    assert_eq!(
        answer("recovery:aaaa-bbbb-cccc".into()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        answer("recovery:aaaa-bbbb-cccc".into()).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_datastore_reader_sees_only_its_store_and_tokens_are_capped_by_their_user() {
    let f = PbsFixture::start().await;
    let reader = f.login("reader@pbs", READER_PW).await;
    let r = f.get("/admin/datastore", &reader).await;
    assert_eq!(stores(r.data()), ["store1"]);
    let r = f.get("/status/datastore-usage", &reader).await;
    assert_eq!(stores(r.data()), ["store1"]);
    let r = f.get("/admin/datastore/store2/groups", &reader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.raw,
        "permission check failed - missing Datastore.Audit|Datastore.Backup on /datastore/store2"
    );
    let r = f.get("/admin/datastore/store2/snapshots", &reader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for path in [
        "/admin/datastore/store2/gc",
        "/admin/datastore/store2/status",
    ] {
        let r = f.get(path, &reader).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(r.raw, "permission check failed", "{path}");
    }
    let r = f.get("/nodes/localhost/status", &reader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The store it may read: all groups (Audit lists every owner's).
    let r = f.get("/admin/datastore/store1/groups", &reader).await;
    assert_eq!(r.data().as_array().unwrap().len(), 3);
    let r = f.get("/admin/datastore/store1/gc", &reader).await;
    assert_eq!(r.data()["store"], "store1");

    // Admin on / for the token, but never more than reader@pbs has.
    let wide = PbsFixture::token(&f.wide);
    assert_eq!(
        stores(f.get("/admin/datastore", &wide).await.data()),
        ["store1"]
    );
    assert_eq!(
        f.get("/admin/datastore/store2/gc", &wide).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.get("/nodes/localhost/status", &wide).await.status,
        StatusCode::FORBIDDEN
    );
    // root@pam's token is no superuser: it has what its own ACL (Audit) gives.
    let ci = PbsFixture::token(&f.ci);
    assert_eq!(
        stores(f.get("/admin/datastore", &ci).await.data()),
        ["store1", "store2"]
    );
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store2/snapshots",
            &ci,
            &[
                ("backup-type", "vm"),
                ("backup-id", "200"),
                ("backup-time", &(f.now - 60 * DAY).to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn groups_and_snapshots_follow_the_scenario_and_backup_users_see_only_their_own() {
    let f = PbsFixture::start().await;
    let root = f.login("root@pam", ROOT_PW).await;
    let r = f.get("/admin/datastore/store1/groups", &root).await;
    let groups = r.data().as_array().unwrap();
    let vm = groups.iter().find(|g| g["backup-id"] == "100").unwrap();
    assert_eq!(vm["backup-type"], "vm");
    assert_eq!(vm["backup-count"], 20);
    assert_eq!(vm["last-backup"], f.now - DAY);
    assert_eq!(vm["owner"], "backup@pbs!pve");
    let files: Vec<&str> = vm["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(files.contains(&"drive-scsi0.img.fidx") && files.contains(&"index.json.blob"));
    let ct = groups.iter().find(|g| g["backup-id"] == "101").unwrap();
    assert_eq!(ct["last-backup"], f.now - 3600);
    assert_eq!(ct["backup-count"], 3);

    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store1/snapshots",
            &root,
            &[("backup-type", "ct"), ("backup-id", "101")],
        )
        .await;
    let snaps = r.data().as_array().unwrap();
    let times: Vec<i64> = snaps
        .iter()
        .map(|s| s["backup-time"].as_i64().unwrap())
        .collect();
    assert_eq!(times, [f.now - 3 * DAY, f.now - 2 * DAY, f.now - 3600]);
    for s in snaps {
        assert_eq!(s["owner"], "root@pam");
        assert_eq!(s["protected"], false);
        let sum: u64 = s["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["size"].as_u64())
            .sum();
        assert_eq!(s["size"], sum);
        assert!(sum >= 8 << 30, "{s}");
    }
    // Daily verification: the older ones are verified, the fresh one not yet.
    assert_eq!(snaps[0]["verification"]["state"], "ok");
    assert!(
        snaps[0]["verification"]["upid"]
            .as_str()
            .unwrap()
            .starts_with("UPID:pbs1:")
    );
    assert!(snaps[2].get("verification").is_none());
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store1/snapshots",
            &root,
            &[("backup-type", "vm")],
        )
        .await;
    assert_eq!(r.data().as_array().unwrap().len(), 20);

    // DatastoreBackup: only groups owned by the user or its tokens.
    let backup = f.login("backup@pbs", BACKUP_PW).await;
    let r = f.get("/admin/datastore/store1/groups", &backup).await;
    let mut ids: Vec<&str> = r
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["backup-id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["100", "build-01"]);
    // A token owns only what it made itself.
    let r = f
        .get(
            "/admin/datastore/store1/snapshots",
            &PbsFixture::token(&f.pve),
        )
        .await;
    let snaps = r.data().as_array().unwrap();
    assert_eq!(snaps.len(), 20);
    assert!(snaps.iter().all(|s| s["backup-id"] == "100"));

    // PBS's errors: unknown store for someone allowed to ask, bad parameters.
    let r = f.get("/admin/datastore/nope/groups", &root).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.raw, "no such datastore 'nope'");
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store1/snapshots",
            &root,
            &[("backup-type", "qemu")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.raw,
        "parameter verification failed - 'backup-type': value 'qemu' is not defined in the enumeration."
    );
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store1/groups",
            &root,
            &[("vmid", "100")],
        )
        .await;
    assert_eq!(
        r.raw,
        "parameter verification failed - 'vmid': schema does not allow additional properties."
    );
}

#[tokio::test]
async fn namespaces_are_listed_and_groups_and_snapshots_are_per_namespace() {
    let f = PbsFixture::start().await;
    let root = f.login("root@pam", ROOT_PW).await;
    let names = |r: &Reply| -> Vec<String> {
        r.data()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["ns"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = f.get("/admin/datastore/store2/namespace", &root).await;
    assert_eq!(names(&r), ["", "site-a", "site-a/rack1", "site-b"]);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/namespace",
            &root,
            &[("parent", "site-a")],
        )
        .await;
    assert_eq!(names(&r), ["site-a", "site-a/rack1"]);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/namespace",
            &root,
            &[("max-depth", "0")],
        )
        .await;
    assert_eq!(names(&r), [""]);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/namespace",
            &root,
            &[("max-depth", "8")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Whether a namespace exists does not leak.
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/namespace",
            &root,
            &[("parent", "nope")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The reader has rights on store1 only.
    let reader = f.login("reader@pbs", READER_PW).await;
    let r = f.get("/admin/datastore/store2/namespace", &reader).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // vm/200 in the root and vm/200 in site-a are two groups.
    let group = |r: &Reply| -> Vec<(String, i64)> {
        r.data()
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    format!(
                        "{}/{}",
                        g["backup-type"].as_str().unwrap(),
                        g["backup-id"].as_str().unwrap()
                    ),
                    g["backup-count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let r = f.get("/admin/datastore/store2/groups", &root).await;
    assert_eq!(group(&r), [("vm/200".to_owned(), 2)]);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/groups",
            &root,
            &[("ns", "site-a")],
        )
        .await;
    assert_eq!(group(&r), [("vm/200".to_owned(), 1)]);
    assert_eq!(r.data()[0]["last-backup"], f.now - 40 * DAY);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/snapshots",
            &root,
            &[("ns", "site-a")],
        )
        .await;
    let snaps = r.data().as_array().unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0]["backup-time"], f.now - 40 * DAY);
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/groups",
            &root,
            &[("ns", "site-b")],
        )
        .await;
    assert!(r.data().as_array().unwrap().is_empty());
    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store2/groups",
            &root,
            &[("ns", "nope")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Deleting in a namespace touches only that namespace's group.
    let time = (f.now - 40 * DAY).to_string();
    let r = f
        .call(
            Method::DELETE,
            "/admin/datastore/store2/snapshots",
            &root,
            &[
                ("ns", "site-a"),
                ("backup-type", "vm"),
                ("backup-id", "200"),
                ("backup-time", time.as_str()),
            ],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.raw);
    let r = f.get("/admin/datastore/store2/groups", &root).await;
    assert_eq!(group(&r), [("vm/200".to_owned(), 2)]);
}

#[tokio::test]
async fn datastore_usage_is_consistent_and_estimates_when_a_store_fills() {
    let f = PbsFixture::start().await;
    let root = f.login("root@pam", ROOT_PW).await;
    let r = f.get("/status/datastore-usage", &root).await;
    let list = r.data().as_array().unwrap();
    assert_eq!(stores(r.data()), ["store1", "store2"]);
    for d in list {
        let (total, used, avail) = (
            d["total"].as_u64().unwrap(),
            d["used"].as_u64().unwrap(),
            d["avail"].as_u64().unwrap(),
        );
        assert_eq!(used + avail, total, "{}", d["store"]);
        assert_eq!(d["history-delta"], 1800);
        let history = d["history"].as_array().unwrap();
        assert!((1400..=1441).contains(&history.len()), "{}", history.len());
        let start = d["history-start"].as_i64().unwrap();
        assert!((f.now - 30 * DAY - 1800..=f.now - 30 * DAY).contains(&start));
        let last = history.last().unwrap().as_f64().unwrap();
        assert!(
            (last - used as f64 / total as f64).abs() < 1e-9,
            "{}",
            d["store"]
        );
        assert!(
            history
                .iter()
                .all(|u| (0.0..=1.0).contains(&u.as_f64().unwrap()))
        );
    }
    let store1 = &list[0];
    assert_eq!(store1["total"], 1000u64 << 30);
    assert_eq!(store1["used"], 400u64 << 30);
    // Backups kept arriving all month: full some time in the future.
    let est = store1["estimated-full-date"].as_i64().unwrap();
    assert!(est > f.now + DAY, "{est} vs {}", f.now);
    let h = store1["history"].as_array().unwrap();
    assert!(h[0].as_f64().unwrap() < h[h.len() - 1].as_f64().unwrap());
    assert_eq!(store1["gc-status"]["removed-bytes"], 5u64 << 30);
    assert!(
        store1["gc-status"]["upid"]
            .as_str()
            .unwrap()
            .contains(":garbage_collection:store1:root@pam:")
    );
    // store2's backups are all older than the window: flat, "never" (0).
    assert_eq!(list[1]["estimated-full-date"], 0);
    assert!(list[1]["gc-status"].get("upid").is_none());

    let r = f
        .call(
            Method::GET,
            "/admin/datastore/store1/status",
            &root,
            &[("verbose", "1")],
        )
        .await;
    let s = r.data();
    assert_eq!(s["total"], store1["total"]);
    assert_eq!(s["avail"], store1["avail"]);
    assert_eq!(s["counts"]["vm"]["groups"], 1);
    assert_eq!(s["counts"]["vm"]["snapshots"], 20);
    assert_eq!(s["counts"]["ct"]["snapshots"], 3);
    assert!(s["counts"].get("other").is_none());
    let gc = f.get("/admin/datastore/store1/gc", &root).await;
    let gc = gc.data();
    assert_eq!(gc["last-run-state"], "ok");
    assert_eq!(gc["last-run-endtime"], f.now - DAY / 2);
    assert!(gc["next-run"].as_i64().unwrap() > gc["last-run-endtime"].as_i64().unwrap());
}

#[tokio::test]
async fn node_status_reports_the_certificate_fingerprint_as_pbs_prints_it() {
    let f = PbsFixture::start().await;
    let root = f.login("root@pam", ROOT_PW).await;
    for node in ["localhost", "pbs1"] {
        let r = f.get(&format!("/nodes/{node}/status"), &root).await;
        let d = r.data();
        let presented = f.served.cert.current().fingerprint;
        assert_eq!(d["info"]["fingerprint"], presented.to_ascii_lowercase());
        assert!(d["uptime"].as_i64().unwrap() > 86_400);
        let m = &d["memory"];
        assert_eq!(
            m["used"].as_u64().unwrap() + m["free"].as_u64().unwrap(),
            m["total"].as_u64().unwrap()
        );
        let root_disk = &d["root"];
        assert_eq!(
            root_disk["used"].as_u64().unwrap() + root_disk["avail"].as_u64().unwrap(),
            root_disk["total"].as_u64().unwrap()
        );
        let release = d["current-kernel"]["release"].as_str().unwrap();
        assert!(
            d["kversion"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Linux {release} "))
        );
    }
    // A swapped certificate shows up at once.
    let fresh = f.served.cert.swap("pbs1");
    let http = Client::builder()
        .tls_certs_only([Certificate::from_der(&fresh.cert_der).unwrap()])
        .build()
        .unwrap();
    let Auth::Ticket { ticket, .. } = root else {
        unreachable!()
    };
    let d: Value = http
        .get(format!("{}/nodes/localhost/status", f.base))
        .header("cookie", format!("PBSAuthCookie={}", enc(&ticket)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        d["data"]["info"]["fingerprint"],
        fresh.fingerprint.to_ascii_lowercase()
    );
}

fn schema_node<'a>(nodes: &'a Value, path: &str) -> Option<&'a Value> {
    for n in nodes.as_array()? {
        if n["path"] == path {
            return Some(n);
        }
        if let Some(found) = n.get("children").and_then(|c| schema_node(c, path)) {
            return Some(found);
        }
    }
    None
}

#[test]
fn every_pbs_route_matches_the_published_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/pve-api/pbs-apidata.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for route in pbs::routes() {
        let at = format!("{} {}", route.method, route.path);
        let node = schema_node(&schema, route.path).unwrap_or_else(|| panic!("{at}: no such path"));
        let info = &node["info"][route.method.as_str()];
        assert!(info.is_object(), "{at}: no such method");
        let mut perms = info["permissions"].clone();
        perms.as_object_mut().unwrap().remove("description");
        assert_eq!(route.permission.to_schema(), perms, "{at}: permissions");
        let props = info["parameters"]["properties"].as_object().unwrap();
        let mut ours: Vec<&str> = route.params.iter().map(|p| p.name).collect();
        let mut theirs: Vec<&str> = props.keys().map(String::as_str).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs, "{at}: parameter names");
        for p in &route.params {
            let s = &props[p.name];
            let optional = s["optional"].as_i64() == Some(1) || s["optional"] == true;
            assert_eq!(p.required, !optional, "{at} {}: optional", p.name);
            match p.kind {
                pbs::Kind::Enum(values) => {
                    let theirs: Vec<&str> = s["enum"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    assert_eq!(values, theirs.as_slice(), "{at} {}: enum", p.name);
                }
                pbs::Kind::Integer { min, max } => {
                    assert_eq!(s["type"], "integer", "{at} {}", p.name);
                    assert_eq!(min, s["minimum"].as_i64(), "{at} {}: minimum", p.name);
                    assert_eq!(max, s["maximum"].as_i64(), "{at} {}: maximum", p.name);
                }
                pbs::Kind::Boolean => assert_eq!(s["type"], "boolean", "{at} {}", p.name),
                pbs::Kind::String {
                    min_length,
                    max_length,
                    pattern,
                } => {
                    assert_eq!(s["type"], "string", "{at} {}", p.name);
                    assert!(s.get("enum").is_none(), "{at} {}: is an enum", p.name);
                    let len = |k: &str| s[k].as_u64().map(|v| v as usize);
                    assert_eq!(min_length, len("minLength"), "{at} {}: minLength", p.name);
                    assert_eq!(max_length, len("maxLength"), "{at} {}: maxLength", p.name);
                    assert_eq!(
                        pattern.is_some(),
                        s.get("pattern").is_some(),
                        "{at} {}: pattern",
                        p.name
                    );
                }
            }
        }
    }
}

/// Every field the simulator returns must be one the schema documents for that call.
#[tokio::test]
async fn returned_fields_are_documented_in_the_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/pve-api/pbs-apidata.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let f = PbsFixture::start().await;
    let root = f.login("root@pam", ROOT_PW).await;
    for (api, query) in [
        ("/version", ""),
        ("/nodes/{node}/status", ""),
        ("/admin/datastore", ""),
        ("/status/datastore-usage", ""),
        ("/admin/datastore/{store}/groups", ""),
        ("/admin/datastore/{store}/snapshots", ""),
        ("/admin/datastore/{store}/namespace", ""),
        ("/admin/datastore/{store}/status", "?verbose=1"),
        ("/admin/datastore/{store}/gc", ""),
    ] {
        let concrete = api
            .replace("{node}", "localhost")
            .replace("{store}", "store1");
        let r = f.get(&format!("{concrete}{query}"), &root).await;
        let returns = &schema_node(&schema, api).unwrap()["info"]["GET"]["returns"];
        let (props, items) = match returns["type"].as_str() {
            Some("array") => (
                &returns["items"]["properties"],
                r.data().as_array().unwrap().clone(),
            ),
            _ => (&returns["properties"], vec![r.data().clone()]),
        };
        let documented = props.as_object().unwrap();
        assert!(!items.is_empty(), "{api}: nothing to compare");
        for item in &items {
            for key in item.as_object().unwrap().keys() {
                assert!(
                    documented.contains_key(key),
                    "{api}: undocumented field {key}"
                );
            }
            for (key, p) in documented {
                let optional = p["optional"].as_i64() == Some(1);
                let defaulted = p.get("default").is_some();
                assert!(
                    optional || defaulted || item.get(key).is_some(),
                    "{api}: required field {key} missing in {item}"
                );
            }
        }
    }
}
