//! The `proxdeck-sim` binary as a harness in another process sees it: one JSON line with
//! listeners and credentials, then an API that works with them, and the control endpoints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use sha2::Digest;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxdeck-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON line: {line:?}: {e}"));
    (Running(child), info)
}

/// A client that accepts the listener's certificate only if its SHA-256 is `fingerprint`:
/// the check is done on the certificate the connection actually presented.
async fn get_pinned(url: &str, fingerprint: &str, auth: Option<&str>) -> (u16, String) {
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .tls_info(true)
        .build()
        .unwrap();
    let mut req = client.get(url);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let resp = req.send().await.unwrap();
    let der = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate().map(<[u8]>::to_vec))
        .expect("the peer certificate");
    let seen = sha2::Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    assert_eq!(
        seen, fingerprint,
        "the printed fingerprint is the presented certificate's"
    );
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn prints_listeners_and_working_credentials_then_serves() {
    let (_sim, info) = start(&["--scenario", "demo", "--task-ms", "50"]);
    let listeners = info["listeners"].as_array().unwrap();
    let names: Vec<&str> = listeners
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod", "lab", "pbs-backup"]);
    let kinds: Vec<&str> = listeners
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["pve", "pve", "pbs"]);
    let prod = &listeners[0];
    assert_eq!(prod["host"], "127.0.0.1");
    let port = prod["port"].as_u64().unwrap();
    let fp = prod["fingerprint"].as_str().unwrap();
    let creds = &info["credentials"]["prod"];
    let token = creds["token"].as_str().expect("a token");
    let base = format!("https://127.0.0.1:{port}/api2/json");
    let (status, body) = get_pinned(
        &format!("{base}/version"),
        fp,
        Some(&format!("PVEAPIToken={token}")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["data"]["release"],
        "9.1"
    );
    // The password works too.
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let login = client
        .post(format!("{base}/access/ticket"))
        .form(&[
            ("username", creds["username"].as_str().unwrap()),
            ("password", creds["password"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    // The backup server takes its own token form, `user@realm!id:secret`.
    let pbs = &listeners[2];
    let pbs_token = info["credentials"]["pbs-backup"]["token"]
        .as_str()
        .expect("a PBS token");
    assert!(
        pbs_token.contains(':') && !pbs_token.contains('='),
        "{pbs_token}"
    );
    let (status, body) = get_pinned(
        &format!(
            "https://127.0.0.1:{}/api2/json/admin/datastore",
            pbs["port"]
        ),
        pbs["fingerprint"].as_str().unwrap(),
        Some(&format!("PBSAPIToken={pbs_token}")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let stores: Value = serde_json::from_str(&body).unwrap();
    assert!(!stores["data"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test]
async fn the_control_endpoints_need_the_secret_and_inject_faults() {
    let (_sim, info) = start(&["--scenario", "demo"]);
    let prod = &info["listeners"][0];
    let port = prod["port"].as_u64().unwrap();
    let fp = prod["fingerprint"].as_str().unwrap().to_owned();
    let token = format!(
        "PVEAPIToken={}",
        info["credentials"]["prod"]["token"].as_str().unwrap()
    );
    let header = info["control"]["header"].as_str().unwrap().to_owned();
    let secret = info["control"]["secret"].as_str().unwrap().to_owned();
    let root = format!("https://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let rule = serde_json::json!({ "path": "/api2/json/version", "fault": { "kind": "status", "status": 596 } });
    let denied = client
        .post(format!("{root}/_proxdeck-sim/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let ok = client
        .post(format!("{root}/_proxdeck-sim/faults"))
        .header(&header, &secret)
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let (status, _) = get_pinned(&format!("{root}/api2/json/version"), &fp, Some(&token)).await;
    assert_eq!(status, 596);
    client
        .delete(format!("{root}/_proxdeck-sim/faults"))
        .header(&header, &secret)
        .send()
        .await
        .unwrap();
    let (status, _) = get_pinned(&format!("{root}/api2/json/version"), &fp, Some(&token)).await;
    assert_eq!(status, 200);
    // Node offline through the control surface.
    let r = client
        .post(format!("{root}/_proxdeck-sim/nodes/pve2/offline"))
        .header(&header, &secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, _) = get_pinned(
        &format!("{root}/api2/json/nodes/pve2/status"),
        &fp,
        Some(&token),
    )
    .await;
    assert_eq!(status, 595);
    // Certificate swap: the old fingerprint no longer matches.
    let swapped: Value = client
        .post(format!("{root}/_proxdeck-sim/swap-certificate"))
        .header(&header, &secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fresh = swapped["fingerprint"].as_str().unwrap();
    assert_ne!(fresh, fp);
    let (status, _) = get_pinned(&format!("{root}/api2/json/version"), fresh, Some(&token)).await;
    assert_eq!(status, 200);
}
