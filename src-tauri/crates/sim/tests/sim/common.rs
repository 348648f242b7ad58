//! A small scenario with one of everything the tests need, and a client that trusts only
//! the simulator's certificate (pinned, as the app will).

use std::time::Duration;

use proxdeck_sim::{Scenario, Sim, SimCluster, SimOptions};
use reqwest::{Certificate, Client, Method, StatusCode};
use serde_json::Value;

pub const ROOT_PW: &str = "root-fixture-pw";
pub const TOTP_SEED: &str = "JBSWY3DPEHPK3PXP";
pub const RECOVERY_KEY: &str = "4c1d-9e2a-77b0";

/// Token secrets are made per run, never written into the source.
pub fn secret() -> String {
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .unwrap();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub struct Fixture {
    pub sim: Sim,
    pub full_token: String,
    pub sep_token: String,
}

pub fn scenario(full_secret: &str, sep_secret: &str) -> Scenario {
    let toml = format!(
        r#"
[[clusters]]
name = "alpha"
nodes = [{{ name = "n1" }}, {{ name = "n2" }}, {{ name = "n3", online = false }}]
pools = [{{ id = "web" }}]
storages = [{{ id = "local", kind = "dir", content = ["iso", "vztmpl", "backup"], total_gib = 100, used_gib = 10 }}]

[[clusters.guests]]
vmid = 100
name = "web-01"
node = "n1"
kind = "qemu"
status = "stopped"
pool = "web"

[[clusters.guests]]
vmid = 101
name = "db-01"
node = "n1"
kind = "qemu"
status = "running"

[[clusters.guests]]
vmid = 102
name = "ct-01"
node = "n2"
kind = "lxc"
status = "running"
lock = "backup"

[[clusters.guests]]
vmid = 103
name = "paused-01"
node = "n2"
kind = "qemu"
status = "paused"

[[clusters.guests]]
vmid = 104
name = "gone-01"
node = "n3"
kind = "qemu"
status = "stopped"

[[clusters.guests]]
vmid = 9000
name = "tmpl"
node = "n1"
kind = "qemu"
status = "stopped"
template = true

[[clusters.users]]
userid = "root@pam"
password = "{ROOT_PW}"

[[clusters.users]]
userid = "auditor@pve"
password = "auditor-pw"

[[clusters.users]]
userid = "operator@pve"
password = "operator-pw"

[[clusters.users]]
userid = "tfa@pve"
password = "tfa-pw"
totp_secret = "{TOTP_SEED}"
recovery_keys = ["{RECOVERY_KEY}"]

[[clusters.users]]
userid = "off@pve"
password = "off-pw"
enable = false

[[clusters.acl]]
path = "/"
user = "auditor@pve"
role = "PVEAuditor"

[[clusters.acl]]
path = "/pool/web"
user = "operator@pve"
role = "PVEVMUser"

[[clusters.acl]]
path = "/"
user = "tfa@pve"
role = "PVEAuditor"

[[clusters.acl]]
path = "/vms/101"
token = "root@pam!sep"
role = "PVEAuditor"

[[clusters.tokens]]
userid = "root@pam"
tokenid = "full"
secret = "{full_secret}"
privsep = false

[[clusters.tokens]]
userid = "root@pam"
tokenid = "sep"
secret = "{sep_secret}"
privsep = true
"#
    );
    Scenario::from_toml_str(&toml).expect("the fixture scenario parses")
}

impl Fixture {
    pub async fn start() -> Self {
        Self::start_with(SimOptions {
            task_duration: Duration::from_millis(150),
            ..SimOptions::default()
        })
        .await
    }

    pub async fn start_with(options: SimOptions) -> Self {
        let (full, sep) = (secret(), secret());
        let sim = Sim::start(scenario(&full, &sep), options).await.unwrap();
        Self {
            sim,
            full_token: format!("root@pam!full={full}"),
            sep_token: format!("root@pam!sep={sep}"),
        }
    }

    pub fn alpha(&self) -> &SimCluster {
        self.sim.cluster("alpha")
    }

    pub fn client(&self) -> Api {
        Api::new(self.alpha())
    }
}

/// An HTTP client that trusts exactly the certificate the cluster presents now.
pub fn pinned_client(cluster: &SimCluster) -> Client {
    let der = cluster.served.cert.current().cert_der;
    Client::builder()
        .tls_certs_only([Certificate::from_der(&der).unwrap()])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub struct Reply {
    pub status: StatusCode,
    pub reason: String,
    pub raw: String,
    pub json: Option<Value>,
}

impl Reply {
    pub fn data(&self) -> &Value {
        assert!(
            self.status.is_success(),
            "{} {}: {}",
            self.status,
            self.reason,
            self.raw
        );
        &self.json.as_ref().expect("a JSON body")["data"]
    }
}

/// How the client authenticates.
#[derive(Clone)]
pub enum As {
    Nobody,
    Ticket {
        ticket: String,
        csrf: Option<String>,
    },
    Token(String),
}

pub struct Api {
    pub base: String,
    pub http: Client,
}

impl Api {
    pub fn new(cluster: &SimCluster) -> Self {
        Self {
            base: format!("{}/api2/json", cluster.base_url()),
            http: pinned_client(cluster),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &As,
        form: &[(&str, &str)],
    ) -> Reply {
        let url = format!("{}{path}", self.base);
        let mut req = if method == Method::GET {
            self.http.request(method, url).query(form)
        } else {
            let body: String = form
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join("&");
            self.http
                .request(method, url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        };
        match auth {
            As::Nobody => {}
            As::Ticket { ticket, csrf } => {
                req = req.header("cookie", format!("PVEAuthCookie={}", enc(ticket)));
                if let Some(c) = csrf {
                    req = req.header("CSRFPreventionToken", c);
                }
            }
            As::Token(t) => req = req.header("authorization", format!("PVEAPIToken={t}")),
        }
        let resp = req.send().await.expect("the simulator answers");
        let status = resp.status();
        let reason = status.canonical_reason().unwrap_or_default().to_owned();
        let raw = resp.text().await.unwrap();
        let json = serde_json::from_str(&raw).ok();
        Reply {
            status,
            reason,
            raw,
            json,
        }
    }

    pub async fn get(&self, path: &str, auth: &As) -> Reply {
        self.call(Method::GET, path, auth, &[]).await
    }

    pub async fn post(&self, path: &str, auth: &As, form: &[(&str, &str)]) -> Reply {
        self.call(Method::POST, path, auth, form).await
    }

    /// Logs in and returns ticket + CSRF token.
    pub async fn login(&self, user: &str, password: &str) -> As {
        let r = self
            .post(
                "/access/ticket",
                &As::Nobody,
                &[("username", user), ("password", password)],
            )
            .await;
        let d = r.data();
        As::Ticket {
            ticket: d["ticket"].as_str().unwrap().to_owned(),
            csrf: Some(d["CSRFPreventionToken"].as_str().unwrap().to_owned()),
        }
    }

    /// Waits for a task to stop and returns its final status object.
    pub async fn wait_task(&self, node: &str, upid: &str, auth: &As) -> Value {
        for _ in 0..100 {
            let r = self
                .get(&format!("/nodes/{node}/tasks/{}/status", enc(upid)), auth)
                .await;
            let d = r.data().clone();
            if d["status"] == "stopped" {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("task {upid} did not finish");
    }
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
