//! Power actions as tasks: real UPIDs, asynchronous completion, PVE's refusals.

use reqwest::StatusCode;

use crate::common::{As, Fixture, ROOT_PW};

async fn guest_status(
    api: &crate::common::Api,
    auth: &As,
    node: &str,
    vmid: u32,
) -> serde_json::Value {
    api.get(&format!("/nodes/{node}/qemu/{vmid}/status/current"), auth)
        .await
        .data()
        .clone()
}

#[tokio::test]
async fn start_runs_as_a_task_and_changes_the_guest_only_when_it_ends() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    assert_eq!(
        guest_status(&api, &root, "n1", 100).await["status"],
        "stopped"
    );
    let upid = api
        .post("/nodes/n1/qemu/100/status/start", &root, &[])
        .await
        .data()
        .as_str()
        .unwrap()
        .to_owned();
    let parts = proxdeck_sim::tasks::parse_upid(&upid).expect("a PVE UPID");
    assert_eq!(
        (
            parts.node.as_str(),
            parts.kind.as_str(),
            parts.id.as_str(),
            parts.user.as_str()
        ),
        ("n1", "qmstart", "100", "root@pam")
    );
    // Still running right after the call: the guest has not changed yet.
    let st = api
        .get(
            &format!("/nodes/n1/tasks/{}/status", crate::common::enc(&upid)),
            &root,
        )
        .await;
    assert_eq!(st.data()["status"], "running");
    assert_eq!(
        guest_status(&api, &root, "n1", 100).await["status"],
        "stopped"
    );
    let done = api.wait_task("n1", &upid, &root).await;
    assert_eq!(done["exitstatus"], "OK");
    let now = guest_status(&api, &root, "n1", 100).await;
    assert_eq!(now["status"], "running");
    assert_eq!(now["qmpstatus"], "running");
    // The log ends as PVE's does, and /cluster/tasks lists it.
    let log = api
        .get(
            &format!("/nodes/n1/tasks/{}/log", crate::common::enc(&upid)),
            &root,
        )
        .await;
    let lines = log.data().as_array().unwrap();
    assert_eq!(lines.last().unwrap()["t"], "TASK OK");
    assert_eq!(lines[0]["n"], 1);
    let tasks = api.get("/cluster/tasks", &root).await;
    assert!(
        tasks
            .data()
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["upid"] == upid.as_str() && t["status"] == "OK")
    );
}

#[tokio::test]
async fn pve_refuses_what_does_not_fit_the_guest_state() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let cases = [
        ("/nodes/n1/qemu/101/status/start", "VM 101 already running"),
        ("/nodes/n1/qemu/100/status/shutdown", "VM 100 not running"),
        (
            "/nodes/n1/qemu/9000/status/start",
            "you can't start a vm if it's a template",
        ),
        ("/nodes/n2/lxc/102/status/stop", "CT is locked (backup)"),
        ("/nodes/n1/qemu/101/status/resume", "VM 101 not suspended"),
        (
            "/nodes/n2/qemu/100/status/start",
            "Configuration file 'nodes/n2/qemu-server/100.conf' does not exist",
        ),
    ];
    for (path, message) in cases {
        let r = api.post(path, &root, &[]).await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {}",
            r.raw
        );
        assert_eq!(r.json.unwrap()["message"], format!("{message}\n"), "{path}");
    }
    // A paused VM is "running" with qmpstatus "paused", and resumes.
    let st = guest_status(&api, &root, "n2", 103).await;
    assert_eq!(
        (st["status"].as_str(), st["qmpstatus"].as_str()),
        (Some("running"), Some("paused"))
    );
    let upid = api
        .post("/nodes/n2/qemu/103/status/resume", &root, &[])
        .await
        .data()
        .as_str()
        .unwrap()
        .to_owned();
    api.wait_task("n2", &upid, &root).await;
    assert_eq!(
        guest_status(&api, &root, "n2", 103).await["qmpstatus"],
        "running"
    );
}

#[tokio::test]
async fn an_offline_node_answers_595_and_shows_as_offline() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let r = api.get("/nodes/n3/status", &root).await;
    assert_eq!(r.status.as_u16(), 595);
    let res = api.get("/cluster/resources", &root).await;
    let all = res.data().as_array().unwrap();
    let node = all.iter().find(|r| r["id"] == "node/n3").unwrap();
    assert_eq!(node["status"], "offline");
    let guest = all.iter().find(|r| r["id"] == "qemu/104").unwrap();
    assert_eq!(guest["status"], "unknown");
    let st = api.get("/cluster/status", &root).await;
    let members = st.data().as_array().unwrap();
    assert_eq!(members[0]["quorate"], 1, "2 of 3 nodes keep quorum");
    assert!(
        members
            .iter()
            .any(|m| m["name"] == "n3" && m["online"] == 0)
    );
}

#[tokio::test]
async fn parameters_are_verified_with_pve_error_shape() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let r = api.get("/cluster/resources?type=bogus", &root).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = r.json.unwrap();
    assert!(body["data"].is_null());
    assert!(
        body["errors"]["type"]
            .as_str()
            .unwrap()
            .contains("enumeration"),
        "{body}"
    );
    let r = api
        .post("/nodes/n1/qemu/abc/status/start", &root, &[])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json.unwrap()["errors"]["vmid"].is_string());
    let r = api
        .post(
            "/nodes/n1/qemu/100/status/start",
            &root,
            &[("frobnicate", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json.unwrap()["errors"]["frobnicate"].is_string());
    let r = api
        .post(
            "/nodes/n1/qemu/100/status/stop",
            &root,
            &[("timeout", "-5")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Unknown paths answer 501 as PVE does.
    let r = api.get("/nodes/n1/frobnicate", &root).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        r.json.unwrap()["message"],
        "Method 'GET /nodes/n1/frobnicate' not implemented\n"
    );
    // nextid finds the first free id and refuses a taken one.
    assert_eq!(api.get("/cluster/nextid", &root).await.data(), 105);
    assert_eq!(
        api.get("/cluster/nextid?vmid=100", &root).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn numbered_parameters_are_checked_against_their_declaration() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let path = "/nodes/n1/qemu/100/config";
    // serial[n] is declared with the pattern `(/dev/.+|socket)`.
    let bad = api
        .call(reqwest::Method::PUT, path, &root, &[("serial0", "telnet")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.raw);
    assert!(bad.json.unwrap()["errors"]["serial0"].is_string());
    let good = api
        .call(reqwest::Method::PUT, path, &root, &[("serial0", "socket")])
        .await;
    assert!(good.status.is_success(), "{}", good.raw);
    let config = api.get(path, &root).await;
    assert_eq!(config.data()["serial0"], "socket");
    // A number that was never declared stays unknown.
    let r = api
        .call(reqwest::Method::PUT, path, &root, &[("serialx", "socket")])
        .await;
    assert!(r.json.unwrap()["errors"]["serialx"].is_string());
}

#[tokio::test]
async fn cluster_resources_is_steady_within_the_status_window_but_shows_changes_at_once() {
    let f = Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", ROOT_PW).await;
    let first = api.get("/cluster/resources", &root).await;
    let second = api.get("/cluster/resources", &root).await;
    assert_eq!(
        first.raw, second.raw,
        "same 10 s status window, same answer"
    );
    let state_of = |r: &crate::common::Reply, id: &str| {
        r.data()
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["status"].clone())
            .unwrap()
    };
    assert_eq!(state_of(&first, "qemu/100"), "stopped");
    let upid = api
        .post("/nodes/n1/qemu/100/status/start", &root, &[])
        .await
        .data()
        .as_str()
        .unwrap()
        .to_owned();
    api.wait_task("n1", &upid, &root).await;
    let after = api.get("/cluster/resources", &root).await;
    assert_eq!(
        state_of(&after, "qemu/100"),
        "running",
        "a change is never hidden by the window"
    );
    // Each caller gets its own view.
    let op = api.login("operator@pve", "operator-pw").await;
    let theirs = api.get("/cluster/resources", &op).await;
    assert!(theirs.data().as_array().unwrap().len() < after.data().as_array().unwrap().len());
    // The next window brings fresh numbers (uptime moves on).
    f.alpha().sim.advance_clock(10);
    let later = api.get("/cluster/resources", &root).await;
    assert_ne!(later.raw, after.raw);
}
