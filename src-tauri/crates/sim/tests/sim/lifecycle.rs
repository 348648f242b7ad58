//! Config, clone, destroy, migrate and snapshots: the intermediate states PVE shows while a
//! task runs (locks, a clone that exists but cannot be used), digest checks, per-key
//! privileges, and PVE's refusals.

use std::time::Duration;

use proxdeck_sim::{Scenario, Sim, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, As, Reply};

const ROOT_PW: &str = "root-lifecycle-pw";

fn scenario() -> Scenario {
    let toml = format!(
        r#"
[[clusters]]
name = "alpha"
nodes = [{{ name = "n1" }}, {{ name = "n2" }}, {{ name = "n3", online = false }}]
pools = [{{ id = "web" }}]
storages = [
  {{ id = "ceph", kind = "rbd", content = ["images", "rootdir"] }},
  {{ id = "local", kind = "dir", content = ["iso", "vztmpl", "backup"] }},
]
roles = [{{ roleid = "OptionsOnly", privs = ["VM.Audit", "VM.Config.Options"] }}]
ha = [{{ sid = "vm:104" }}]

[[clusters.guests]]
vmid = 100
name = "web-01"
node = "n1"
pool = "web"
config = {{ scsi0 = "ceph:vm-100-disk-0,size=32G", net0 = "virtio=BC:24:11:00:00:64,bridge=vmbr0", ostype = "l26" }}
cloudinit = {{ user = "admin", ipconfig0 = "ip=dhcp" }}

[[clusters.guests]]
vmid = 101
name = "db-01"
node = "n1"
status = "running"

[[clusters.guests]]
vmid = 102
name = "ct-01"
node = "n2"
kind = "lxc"

[[clusters.guests]]
vmid = 103
name = "busy-01"
node = "n1"
lock = "backup"

[[clusters.guests]]
vmid = 104
name = "ha-01"
node = "n1"

[[clusters.guests]]
vmid = 9000
name = "tmpl"
node = "n1"
template = true
config = {{ scsi0 = "ceph:base-9000-disk-0,size=8G", net0 = "virtio=BC:24:11:00:23:28,bridge=vmbr0" }}

[[clusters.users]]
userid = "root@pam"
password = "{ROOT_PW}"

[[clusters.users]]
userid = "opts@pve"
password = "opts-pw"

[[clusters.acl]]
path = "/vms/100"
user = "opts@pve"
role = "OptionsOnly"

[[clusters.acl]]
path = "/vms/100"
user = "root@pam"
role = "PVEAuditor"
"#
    );
    Scenario::from_toml_str(&toml).expect("the lifecycle scenario parses")
}

struct Env {
    sim: Sim,
    api: Api,
    root: As,
}

async fn start() -> Env {
    let sim = Sim::start(
        scenario(),
        SimOptions {
            task_duration: Duration::from_millis(400),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    let api = Api::new(sim.cluster("alpha"));
    let root = api.login("root@pam", ROOT_PW).await;
    Env { sim, api, root }
}

impl Env {
    async fn config(&self, node: &str, kind: &str, vmid: u32) -> Reply {
        self.api
            .get(&format!("/nodes/{node}/{kind}/{vmid}/config"), &self.root)
            .await
    }

    async fn upid(&self, method: Method, path: &str, form: &[(&str, &str)]) -> String {
        let r = self.api.call(method, path, &self.root, form).await;
        r.data().as_str().expect("a UPID").to_owned()
    }

    async fn finish(&self, upid: &str) -> Value {
        let node = upid.split(':').nth(1).unwrap().to_owned();
        self.api.wait_task(&node, upid, &self.root).await
    }

    /// Starts a task and waits for its end; its exit status.
    async fn run(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Value {
        let upid = self.upid(method, path, form).await;
        self.finish(&upid).await["exitstatus"].clone()
    }

    /// A config value, as a string.
    async fn config_value(&self, node: &str, kind: &str, vmid: u32, key: &str) -> String {
        self.config(node, kind, vmid).await.data()[key]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

fn message(r: &Reply) -> String {
    r.json
        .as_ref()
        .and_then(|j| j["message"].as_str())
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

fn task_kind(upid: &str) -> &str {
    upid.split(':').nth(5).unwrap()
}

#[tokio::test]
async fn config_digest_round_trips_and_a_stale_digest_is_refused() {
    let e = start().await;
    let before = e.config("n1", "qemu", 100).await.data().clone();
    assert_eq!(before["name"], "web-01");
    assert_eq!(before["cores"], 2);
    assert_eq!(before["memory"], "2048");
    assert_eq!(before["ostype"], "l26");
    assert_eq!(before["ciuser"], "admin");
    assert_eq!(before["ipconfig0"], "ip=dhcp");
    assert!(before["ide2"].as_str().unwrap().contains("cloudinit"));
    let digest = before["digest"].as_str().unwrap().to_owned();
    assert_eq!(digest.len(), 40);
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()));
    // Same file, same digest.
    assert_eq!(
        e.config("n1", "qemu", 100).await.data()["digest"],
        before["digest"]
    );

    let ok = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/100/config",
            &e.root,
            &[
                ("memory", "4096"),
                ("digest", &digest),
                ("delete", "ostype"),
            ],
        )
        .await;
    assert_eq!(ok.data(), &Value::Null);
    let after = e.config("n1", "qemu", 100).await.data().clone();
    assert_eq!(after["memory"], "4096");
    assert!(after.get("ostype").is_none());
    assert_ne!(after["digest"], before["digest"]);

    let stale = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/100/config",
            &e.root,
            &[("cores", "8"), ("digest", &digest)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&stale),
        "checksum mismatch (file change by other user?)"
    );
    assert_eq!(e.config("n1", "qemu", 100).await.data()["cores"], 2);

    // pve-container uses assert_if_modified, with its own wording.
    let ct = e.config("n2", "lxc", 102).await.data().clone();
    assert_eq!(ct["hostname"], "ct-01");
    let lxc_digest = ct["digest"].as_str().unwrap().to_owned();
    e.api
        .call(
            Method::PUT,
            "/nodes/n2/lxc/102/config",
            &e.root,
            &[("memory", "1024"), ("digest", &lxc_digest)],
        )
        .await
        .data();
    let stale = e
        .api
        .call(
            Method::PUT,
            "/nodes/n2/lxc/102/config",
            &e.root,
            &[("memory", "512"), ("digest", &lxc_digest)],
        )
        .await;
    assert_eq!(
        message(&stale),
        "detected modified configuration - file changed by other user? Try again."
    );
    assert_eq!(e.config("n2", "lxc", 102).await.data()["memory"], 1024);

    // POST is the asynchronous variant: a qmconfig task that applies the change at its end.
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/100/config",
            &[("description", "front end")],
        )
        .await;
    assert_eq!(task_kind(&upid), "qmconfig");
    assert!(
        e.config("n1", "qemu", 100)
            .await
            .data()
            .get("description")
            .is_none()
    );
    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    assert_eq!(
        e.config("n1", "qemu", 100).await.data()["description"],
        "front end"
    );
}

#[tokio::test]
async fn per_key_privileges_are_checked_inside_the_handler() {
    let e = start().await;
    let opts = e.api.login("opts@pve", "opts-pw").await;
    let put = |form: Vec<(&'static str, &'static str)>| {
        let api = &e.api;
        let opts = opts.clone();
        async move {
            api.call(Method::PUT, "/nodes/n1/qemu/100/config", &opts, &form)
                .await
        }
    };
    // VM.Config.Options covers description and name.
    assert_eq!(
        put(vec![("description", "mine"), ("name", "web-02")])
            .await
            .data(),
        &Value::Null
    );
    let cases = [
        (
            ("memory", "1024"),
            "Permission check failed (/vms/100, VM.Config.Memory)",
        ),
        (
            ("cores", "4"),
            "Permission check failed (/vms/100, VM.Config.CPU)",
        ),
        (
            ("ciuser", "ops"),
            "Permission check failed (/vms/100, VM.Config.Cloudinit|VM.Config.Network)",
        ),
        (
            ("delete", "net0"),
            "Permission check failed (/vms/100, VM.Config.Network)",
        ),
    ];
    for ((k, v), expected) in cases {
        let r = put(vec![(k, v)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{k}");
        assert_eq!(message(&r), expected, "{k}");
    }
    // Nothing of the refused calls was applied, the allowed one was.
    let c = e.config("n1", "qemu", 100).await.data().clone();
    assert_eq!(
        (c["memory"].as_str(), c["cores"].as_i64()),
        (Some("2048"), Some(2))
    );
    assert_eq!(c["name"], "web-02");
    assert!(c["net0"].is_string());
    // Without any VM.Config.* on the guest, the route's own check refuses.
    let r = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/101/config",
            &opts,
            &[("description", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_clone_exists_at_once_but_stays_locked_until_its_task_ends() {
    let e = start().await;
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/9000/clone",
            &[("newid", "200"), ("name", "from-tmpl"), ("pool", "web")],
        )
        .await;
    assert_eq!(task_kind(&upid), "qmclone");
    let during = e.config("n1", "qemu", 200).await.data().clone();
    assert_eq!(during["lock"], "clone");
    // qemu-server only flocks the source; its config carries no lock.
    assert!(
        e.config("n1", "qemu", 9000)
            .await
            .data()
            .get("lock")
            .is_none()
    );
    let refused = e
        .api
        .post("/nodes/n1/qemu/200/status/start", &e.root, &[])
        .await;
    assert_eq!(message(&refused), "VM is locked (clone)");

    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    let after = e.config("n1", "qemu", 200).await.data().clone();
    assert!(after.get("lock").is_none());
    assert!(after.get("template").is_none());
    assert_eq!(after["name"], "from-tmpl");
    // A template is linked-cloned by default: the disk refers to the base volume.
    assert_eq!(
        after["scsi0"],
        "ceph:base-9000-disk-0/vm-200-disk-0,size=8G"
    );
    assert_ne!(
        after["net0"],
        e.config("n1", "qemu", 9000).await.data()["net0"]
    );
    let resources = e
        .api
        .get("/cluster/resources?type=vm", &e.root)
        .await
        .data()
        .clone();
    let clone = resources
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vmid"] == 200)
        .expect("the clone is listed");
    assert_eq!(clone["pool"], "web");
    let started = e
        .upid(Method::POST, "/nodes/n1/qemu/200/status/start", &[])
        .await;
    assert_eq!(e.finish(&started).await["exitstatus"], "OK");

    // pve-container locks the source 'disk' and the new CT 'create' for the copy.
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n2/lxc/102/clone",
            &[("newid", "202"), ("hostname", "ct-02")],
        )
        .await;
    assert_eq!(task_kind(&upid), "vzclone");
    assert_eq!(e.config("n2", "lxc", 102).await.data()["lock"], "disk");
    assert_eq!(e.config("n2", "lxc", 202).await.data()["lock"], "create");
    e.finish(&upid).await;
    assert!(
        e.config("n2", "lxc", 102)
            .await
            .data()
            .get("lock")
            .is_none()
    );
    let ct = e.config("n2", "lxc", 202).await.data().clone();
    assert!(ct.get("lock").is_none());
    assert_eq!(ct["hostname"], "ct-02");
}

#[tokio::test]
async fn cloning_onto_an_existing_vmid_fails() {
    let e = start().await;
    let r = e
        .api
        .post("/nodes/n1/qemu/100/clone", &e.root, &[("newid", "101")])
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&r),
        "unable to create VM 101: config file already exists"
    );
    let r = e
        .api
        .post(
            "/nodes/n1/qemu/100/clone",
            &e.root,
            &[("newid", "300"), ("storage", "ceph")],
        )
        .await;
    assert!(r.status.is_success(), "a full clone may pick a storage");
    let r = e
        .api
        .post(
            "/nodes/n1/qemu/9000/clone",
            &e.root,
            &[("newid", "301"), ("storage", "ceph"), ("full", "0")],
        )
        .await;
    assert_eq!(
        message(&r),
        "parameter 'storage' not allowed for linked clones"
    );
}

#[tokio::test]
async fn destroy_refuses_a_running_guest_and_removes_a_stopped_one_after_its_task() {
    let e = start().await;
    let r = e
        .api
        .call(Method::DELETE, "/nodes/n1/qemu/101", &e.root, &[])
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(message(&r), "VM 101 is running - destroy failed");
    let r = e
        .api
        .call(Method::DELETE, "/nodes/n1/qemu/104", &e.root, &[])
        .await;
    assert_eq!(
        message(&r),
        "unable to remove VM 104 - used in HA resources and purge parameter not set."
    );

    let upid = e.upid(Method::DELETE, "/nodes/n1/qemu/100", &[]).await;
    assert_eq!(task_kind(&upid), "qmdestroy");
    assert_eq!(
        e.config("n1", "qemu", 100).await.data()["lock"],
        "destroyed"
    );
    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    let gone = e.config("n1", "qemu", 100).await;
    assert_eq!(
        message(&gone),
        "Configuration file 'nodes/n1/qemu-server/100.conf' does not exist"
    );
    {
        let state = e.sim.cluster("alpha").sim.state();
        assert!(!state.spec.acl.iter().any(|a| a.path == "/vms/100"));
        assert!(!state.spec.guests.iter().any(|g| g.vmid == 100));
    }

    // purge also drops the HA resource.
    let upid = e
        .upid(Method::DELETE, "/nodes/n1/qemu/104", &[("purge", "1")])
        .await;
    e.finish(&upid).await;
    assert!(e.sim.cluster("alpha").sim.state().spec.ha.is_empty());

    // A locked VM is refused inside the worker, as qemu-server checks it there.
    let upid = e.upid(Method::DELETE, "/nodes/n1/qemu/103", &[]).await;
    assert_eq!(e.finish(&upid).await["exitstatus"], "VM is locked (backup)");
    assert_eq!(e.config("n1", "qemu", 103).await.data()["lock"], "backup");
}

#[tokio::test]
async fn migrate_moves_the_guest_only_when_its_task_ends() {
    let e = start().await;
    let pre = e
        .api
        .get("/nodes/n1/qemu/100/migrate", &e.root)
        .await
        .data()
        .clone();
    assert_eq!(pre["running"], 0);
    assert!(
        pre["allowed_nodes"]
            .as_array()
            .unwrap()
            .contains(&"n2".into())
    );

    let r = e
        .api
        .post("/nodes/n1/qemu/101/migrate", &e.root, &[("target", "n2")])
        .await;
    assert_eq!(message(&r), "can't migrate running VM without --online");

    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/100/migrate",
            &[("target", "n2")],
        )
        .await;
    assert_eq!(task_kind(&upid), "qmigrate");
    assert_eq!(e.config("n1", "qemu", 100).await.data()["lock"], "migrate");
    assert!(!e.config("n2", "qemu", 100).await.status.is_success());
    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    assert!(!e.config("n1", "qemu", 100).await.status.is_success());
    let moved = e.config("n2", "qemu", 100).await.data().clone();
    assert!(moved.get("lock").is_none());

    // An online migration keeps the VM running.
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/101/migrate",
            &[("target", "n2"), ("online", "1")],
        )
        .await;
    e.finish(&upid).await;
    let st = e
        .api
        .get("/nodes/n2/qemu/101/status/current", &e.root)
        .await
        .data()
        .clone();
    assert_eq!(st["status"], "running");

    // The target is a cluster member but down: the task fails, nothing moves or stays locked.
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/104/migrate",
            &[("target", "n3")],
        )
        .await;
    assert_eq!(task_kind(&upid), "hamigrate");
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/9000/migrate",
            &[("target", "n3")],
        )
        .await;
    assert_eq!(e.finish(&upid).await["exitstatus"], "migration aborted");
    assert!(
        e.config("n1", "qemu", 9000)
            .await
            .data()
            .get("lock")
            .is_none()
    );
}

#[tokio::test]
async fn snapshots_create_list_rollback_and_delete_with_the_current_entry() {
    let e = start().await;
    let snap = |name: &'static str| {
        let e = &e;
        async move {
            e.upid(
                Method::POST,
                "/nodes/n1/qemu/101/snapshot",
                &[("snapname", name), ("description", "before upgrade")],
            )
            .await
        }
    };
    let upid = snap("s1").await;
    assert_eq!(task_kind(&upid), "qmsnapshot");
    assert_eq!(e.config("n1", "qemu", 101).await.data()["lock"], "snapshot");
    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    let upid = snap("s2").await;
    e.finish(&upid).await;

    let list = e
        .api
        .get("/nodes/n1/qemu/101/snapshot", &e.root)
        .await
        .data()
        .clone();
    let by_name = |n: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("snapshot {n} listed"))
    };
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(by_name("s1")["description"], "before upgrade");
    assert!(by_name("s1").get("parent").is_none());
    assert_eq!(by_name("s2")["parent"], "s1");
    assert_eq!(by_name("current")["parent"], "s2");
    assert_eq!(by_name("current")["description"], "You are here!");

    let upid = snap("s1").await;
    assert_eq!(
        e.finish(&upid).await["exitstatus"],
        "snapshot name 's1' already used"
    );

    // Rolling back a running VM to a snapshot without RAM stops it.
    let upid = e
        .upid(Method::POST, "/nodes/n1/qemu/101/snapshot/s1/rollback", &[])
        .await;
    assert_eq!(task_kind(&upid), "qmrollback");
    assert_eq!(e.config("n1", "qemu", 101).await.data()["lock"], "rollback");
    assert_eq!(e.finish(&upid).await["exitstatus"], "OK");
    let st = e
        .api
        .get("/nodes/n1/qemu/101/status/current", &e.root)
        .await
        .data()
        .clone();
    assert_eq!(st["status"], "stopped");
    assert_eq!(e.config("n1", "qemu", 101).await.data()["parent"], "s1");

    let upid = e
        .upid(Method::DELETE, "/nodes/n1/qemu/101/snapshot/s1", &[])
        .await;
    assert_eq!(task_kind(&upid), "qmdelsnapshot");
    assert_eq!(
        e.config("n1", "qemu", 101).await.data()["lock"],
        "snapshot-delete"
    );
    e.finish(&upid).await;
    let list = e
        .api
        .get("/nodes/n1/qemu/101/snapshot", &e.root)
        .await
        .data()
        .clone();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["s2", "current"]);
    assert!(
        list[0].get("parent").is_none(),
        "s2 moved up to s1's parent"
    );
    assert!(list[1].get("parent").is_none());
    let r = e
        .api
        .post(
            "/nodes/n1/qemu/101/snapshot",
            &e.root,
            &[("snapname", "current")],
        )
        .await;
    assert_eq!(
        message(&r),
        "unable to use snapshot name 'current' (reserved name)"
    );
}

#[tokio::test]
async fn conflicting_actions_on_a_locked_guest_are_refused() {
    let e = start().await;
    let put = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/103/config",
            &e.root,
            &[("cores", "4")],
        )
        .await;
    assert_eq!(message(&put), "VM is locked (backup)");
    let clone = e
        .api
        .post("/nodes/n1/qemu/103/clone", &e.root, &[("newid", "250")])
        .await;
    assert_eq!(message(&clone), "VM is locked (backup)");
    assert!(!e.config("n1", "qemu", 250).await.status.is_success());
    let migrate = e
        .api
        .post("/nodes/n1/qemu/103/migrate", &e.root, &[("target", "n2")])
        .await;
    assert_eq!(message(&migrate), "VM is locked (backup)");
    let template = e
        .api
        .post("/nodes/n1/qemu/103/template", &e.root, &[])
        .await;
    assert_eq!(message(&template), "VM is locked (backup)");
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/103/snapshot",
            &[("snapname", "s1")],
        )
        .await;
    assert_eq!(e.finish(&upid).await["exitstatus"], "VM is locked (backup)");
    // While a migration holds its lock, a second action on the guest is refused too.
    let upid = e
        .upid(
            Method::POST,
            "/nodes/n1/qemu/100/migrate",
            &[("target", "n2")],
        )
        .await;
    let again = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/100/config",
            &e.root,
            &[("cores", "4")],
        )
        .await;
    assert_eq!(message(&again), "VM is locked (migrate)");
    e.finish(&upid).await;
    // root may skip the lock.
    let skipped = e
        .api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/103/config",
            &e.root,
            &[("cores", "4"), ("skiplock", "1")],
        )
        .await;
    assert_eq!(skipped.data(), &Value::Null);
}

/// The address a guest's agent reports on `ens18` (a VM) or a container's `eth0`, IPv4 first.
fn reported(ifaces: &Value, name: &str) -> (String, Vec<String>) {
    let i = ifaces
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no interface {name} in {ifaces}"));
    let addrs = i["ip-addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| format!("{}/{}", a["ip-address"].as_str().unwrap(), a["prefix"]))
        .collect();
    (i["hardware-address"].as_str().unwrap().to_owned(), addrs)
}

#[tokio::test]
async fn a_clone_reports_its_own_nic_and_a_lease_then_the_static_address_cloud_init_set() {
    let e = start().await;
    let clone = [("newid", "201"), ("name", "web-02"), ("full", "1")];
    assert_eq!(
        e.run(Method::POST, "/nodes/n1/qemu/100/clone", &clone)
            .await,
        "OK"
    );
    let net0 = e.config_value("n1", "qemu", 201, "net0").await;
    let mac = net0
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("virtio=");
    let vm = "/nodes/n1/qemu/201";
    e.api
        .call(
            Method::PUT,
            &format!("{vm}/config"),
            &e.root,
            &[("agent", "1")],
        )
        .await;
    assert_eq!(
        e.run(Method::POST, &format!("{vm}/status/start"), &[])
            .await,
        "OK"
    );
    let path = format!("{vm}/agent/network-get-interfaces");
    let r = e.api.get(&path, &e.root).await;
    let (hw, addrs) = reported(&r.data()["result"], "ens18");
    assert_eq!(hw, mac.to_lowercase(), "the clone's own, new MAC");
    // ipconfig0 is `ip=dhcp`: a lease from the documentation range, fixed by the VMID.
    assert_eq!(addrs, ["198.51.100.211/24", "fe80::200:c9/64"]);

    // A static address set through cloud-init waits for the next start, as the guest does.
    let ipconfig = [("ipconfig0", "ip=192.0.2.50/24,gw=192.0.2.1,ip6=auto")];
    e.api
        .call(Method::PUT, &format!("{vm}/config"), &e.root, &ipconfig)
        .await;
    let r = e.api.get(&path, &e.root).await;
    assert_eq!(
        reported(&r.data()["result"], "ens18").1[0],
        "198.51.100.211/24"
    );
    assert_eq!(
        e.run(Method::POST, &format!("{vm}/status/reboot"), &[])
            .await,
        "OK"
    );
    let r = e.api.get(&path, &e.root).await;
    assert_eq!(
        reported(&r.data()["result"], "ens18").1,
        ["192.0.2.50/24", "2001:db8:100::c9/64", "fe80::200:c9/64"]
    );

    // A container's clone: its own hwaddr, and its net0's `ip=dhcp` a lease.
    let clone = [("newid", "202"), ("hostname", "ct-02")];
    assert_eq!(
        e.run(Method::POST, "/nodes/n2/lxc/102/clone", &clone).await,
        "OK"
    );
    let net0 = e.config_value("n2", "lxc", 202, "net0").await;
    assert_eq!(
        e.run(Method::POST, "/nodes/n2/lxc/202/status/start", &[])
            .await,
        "OK"
    );
    let r = e.api.get("/nodes/n2/lxc/202/interfaces", &e.root).await;
    let (hw, addrs) = reported(r.data(), "eth0");
    assert!(
        net0.to_lowercase().contains(&format!("hwaddr={hw}")),
        "{net0} vs {hw}"
    );
    assert_eq!(addrs[0], "198.51.100.212/24");
}
