//! Looking at a running datacenter: guest agent, cloud-init, HA, RRD graphs, storage
//! contents and the cluster log, each answered the way PVE 9.1 answers.

use std::time::Duration;

use proxdeck_sim::{Scenario, Sim, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, enc};

const ROOT_PW: &str = "observe-root-pw";
const SSH_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9ic2VydmUtdGVzdC1rZXk ops@example.com";

fn scenario() -> Scenario {
    let toml = format!(
        r#"
[[clusters]]
name = "obs"
nodes = [{{ name = "n1" }}, {{ name = "n2" }}]
storages = [
  {{ id = "local", kind = "dir", content = ["iso", "vztmpl", "backup"], total_gib = 100, used_gib = 10 }},
  {{ id = "local-zfs", kind = "zfspool", content = ["images", "rootdir"], total_gib = 1000, used_gib = 200 }},
  {{ id = "pbs-backup", kind = "pbs", content = ["backup"], server = "pbs1", datastore = "store1", namespace = "obs", username = "pve@pbs", total_gib = 2000, used_gib = 500 }},
]

[[clusters.guests]]
vmid = 100
name = "web-01"
node = "n1"
status = "running"
config = {{ agent = "1", scsi0 = "local-zfs:vm-100-disk-0,size=32G", ide2 = "local-zfs:vm-100-cloudinit,media=cdrom", net0 = "virtio=BC:24:11:00:01:00,bridge=vmbr0", ostype = "l26" }}
cloudinit = {{ user = "deploy", ipconfig0 = "ip=192.0.2.10/24,gw=192.0.2.1", nameserver = "192.0.2.53", searchdomain = "example.com", sshkeys = ["{SSH_KEY}"] }}
agent_interfaces = [{{ name = "ens18", mac = "BC:24:11:00:01:00", ips = ["192.0.2.10/24", "2001:db8::10/64"] }}]

[[clusters.guests]]
vmid = 101
name = "db-01"
node = "n1"
status = "stopped"
config = {{ agent = "1", scsi0 = "local-zfs:vm-101-disk-0,size=64G" }}

[[clusters.guests]]
vmid = 102
name = "noagent-01"
node = "n1"
status = "running"
config = {{ scsi0 = "local-zfs:vm-102-disk-0,size=16G" }}

[[clusters.guests]]
vmid = 103
name = "ct-01"
node = "n2"
kind = "lxc"
status = "running"
config = {{ rootfs = "local-zfs:subvol-103-disk-0,size=8G" }}

[[clusters.users]]
userid = "root@pam"
password = "{ROOT_PW}"

[[clusters.users]]
userid = "auditor@pve"
password = "auditor-pw"

[[clusters.users]]
userid = "diskview@pve"
password = "diskview-pw"

[[clusters.users]]
userid = "nobody@pve"
password = "nobody-pw"

[[clusters.acl]]
path = "/"
user = "auditor@pve"
role = "PVEAuditor"

[[clusters.acl]]
path = "/storage/local-zfs"
user = "diskview@pve"
role = "PVEAuditor"

[[clusters.acl]]
path = "/vms/100"
user = "diskview@pve"
role = "PVEVMAdmin"

[[pbs]]
name = "pbs1"
users = [{{ userid = "pve@pbs", password = "pbs-pw" }}]
datastores = [{{ name = "store1", path = "/mnt/datastore/store1", namespaces = ["obs"] }}]
"#
    );
    Scenario::from_toml_str(&toml).expect("the observe scenario parses")
}

async fn start() -> (Sim, Api) {
    let sim = Sim::start(
        scenario(),
        SimOptions {
            task_duration: Duration::from_millis(100),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    let api = Api::new(sim.cluster("obs"));
    (sim, api)
}

fn message(r: &crate::common::Reply) -> String {
    r.json
        .as_ref()
        .and_then(|j| j["message"].as_str())
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array().expect("an array")
}

#[tokio::test]
async fn agent_reports_interfaces_of_a_running_vm_and_refuses_as_pve_does() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;

    let r = api
        .get("/nodes/n1/qemu/100/agent/network-get-interfaces", &root)
        .await;
    let ifaces = array(&r.data()["result"]).clone();
    assert_eq!(ifaces.len(), 2, "lo plus the scenario's interface");
    assert_eq!(ifaces[0]["name"], "lo");
    assert_eq!(ifaces[0]["ip-addresses"][0]["ip-address"], "127.0.0.1");
    assert_eq!(ifaces[1]["name"], "ens18");
    assert_eq!(ifaces[1]["hardware-address"], "bc:24:11:00:01:00");
    let addrs = array(&ifaces[1]["ip-addresses"]);
    assert_eq!(addrs[0]["ip-address"], "192.0.2.10");
    assert_eq!(addrs[0]["ip-address-type"], "ipv4");
    assert_eq!(addrs[0]["prefix"], 24);
    assert_eq!(addrs[1]["ip-address"], "2001:db8::10");
    assert_eq!(addrs[1]["ip-address-type"], "ipv6");
    assert_eq!(addrs[1]["prefix"], 64);
    assert!(ifaces[1]["statistics"]["rx-bytes"].as_u64().unwrap() > 0);

    // The compatibility endpoint answers the same through `command`.
    let r = api
        .post(
            "/nodes/n1/qemu/100/agent",
            &root,
            &[("command", "network-get-interfaces")],
        )
        .await;
    assert_eq!(array(&r.data()["result"]).len(), 2);
    // network-get-interfaces is a GET in PVE; POST on it does not exist.
    let r = api
        .post(
            "/nodes/n1/qemu/100/agent/network-get-interfaces",
            &root,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
    let r = api.post("/nodes/n1/qemu/100/agent/ping", &root, &[]).await;
    assert_eq!(r.data(), &serde_json::json!({ "result": {} }));
    let r = api
        .get("/nodes/n1/qemu/100/agent/get-host-name", &root)
        .await;
    assert_eq!(r.data()["result"]["host-name"], "web-01");

    let r = api
        .get("/nodes/n1/qemu/101/agent/network-get-interfaces", &root)
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(message(&r), "VM 101 is not running");
    let r = api.get("/nodes/n1/qemu/102/agent/get-osinfo", &root).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(message(&r), "No QEMU guest agent configured");
    // The VM must live on the node asked.
    let r = api
        .get("/nodes/n2/qemu/100/agent/network-get-interfaces", &root)
        .await;
    assert_eq!(
        message(&r),
        "Configuration file 'nodes/n2/qemu-server/100.conf' does not exist"
    );

    // VM.GuestAgent.Audit (PVEAuditor) reads, but the old POST endpoint needs Unrestricted.
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let r = api
        .get("/nodes/n1/qemu/100/agent/network-get-interfaces", &auditor)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = api
        .post(
            "/nodes/n1/qemu/100/agent",
            &auditor,
            &[("command", "network-get-interfaces")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let nobody = api.login("nobody@pve", "nobody-pw").await;
    let r = api
        .get("/nodes/n1/qemu/100/agent/network-get-interfaces", &nobody)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

fn hastate(resources: &Value, vmid: u32) -> Option<String> {
    array(resources)
        .iter()
        .find(|r| r["vmid"] == vmid)
        .and_then(|r| r["hastate"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn ha_resources_show_in_cluster_resources_and_guest_status() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let res = api.get("/cluster/resources?type=vm", &root).await;
    assert_eq!(hastate(res.data(), 100), None);

    // A plain VMID is resolved to vm:100.
    let r = api
        .post(
            "/cluster/ha/resources",
            &root,
            &[("sid", "100"), ("comment", "web tier")],
        )
        .await;
    assert_eq!(r.data(), &Value::Null);
    let res = api.get("/cluster/resources?type=vm", &root).await;
    assert_eq!(hastate(res.data(), 100).as_deref(), Some("started"));
    let st = api.get("/nodes/n1/qemu/100/status/current", &root).await;
    assert_eq!(st.data()["ha"]["managed"], 1);
    let one = api
        .get(&format!("/cluster/ha/resources/{}", enc("vm:100")), &root)
        .await;
    let one = one.data().clone();
    assert_eq!(one["sid"], "vm:100");
    assert_eq!(one["type"], "vm");
    assert_eq!(one["state"], "started");
    assert_eq!(one["comment"], "web tier");
    assert_eq!(one["digest"].as_str().unwrap().len(), 40);
    let current = api.get("/cluster/ha/status/current", &root).await;
    let svc = array(current.data())
        .iter()
        .find(|e| e["id"] == "service:vm:100")
        .expect("the service is listed")
        .clone();
    assert_eq!(svc["node"], "n1");
    assert_eq!(svc["state"], "started");
    assert_eq!(svc["request_state"], "started");
    assert!(
        array(current.data())
            .iter()
            .any(|e| e["type"] == "quorum" && e["quorate"] == 1)
    );

    // PVE's refusals.
    let r = api
        .post("/cluster/ha/resources", &root, &[("sid", "100")])
        .await;
    assert_eq!(
        message(&r),
        "create resource failed: resource ID 'vm:100' already defined"
    );
    let r = api
        .post("/cluster/ha/resources", &root, &[("sid", "999")])
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&r),
        "unable to detect SID from VMID - VM/CT 999 does not exist"
    );
    let r = api
        .post("/cluster/ha/resources", &root, &[("sid", "vm:998")])
        .await;
    assert_eq!(message(&r), "resource 'vm:998' does not exist in cluster");
    let r = api
        .post("/cluster/ha/resources", &root, &[("sid", "vm:103")])
        .await;
    assert_eq!(
        message(&r),
        "resource 'vm:103' - guest with ID 103 is not a VM"
    );
    let r = api
        .post(
            "/cluster/ha/resources",
            &root,
            &[("sid", "ct:103"), ("group", "g1")],
        )
        .await;
    assert_eq!(
        message(&r),
        "invalid parameter 'group': ha groups have been migrated to rules"
    );
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let r = api
        .post("/cluster/ha/resources", &auditor, &[("sid", "ct:103")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        api.get("/cluster/ha/resources", &auditor).await.status,
        StatusCode::OK
    );

    // A stale digest is refused; a new requested state shows at once.
    let r = api
        .call(
            Method::PUT,
            "/cluster/ha/resources/vm:100",
            &root,
            &[
                ("state", "stopped"),
                ("digest", "0000000000000000000000000000000000000000"),
            ],
        )
        .await;
    assert!(message(&r).contains("detected modified configuration"));
    let r = api
        .call(
            Method::PUT,
            "/cluster/ha/resources/vm:100",
            &root,
            &[
                ("state", "stopped"),
                ("digest", one["digest"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let res = api.get("/cluster/resources?type=vm", &root).await;
    assert_eq!(hastate(res.data(), 100).as_deref(), Some("stopped"));
    let st = api.get("/nodes/n1/qemu/100/status/current", &root).await;
    assert_eq!(st.data()["ha"]["state"], "stopped");

    let r = api
        .call(Method::DELETE, "/cluster/ha/resources/vm:100", &root, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let res = api.get("/cluster/resources?type=vm", &root).await;
    assert_eq!(hastate(res.data(), 100), None);
    let st = api.get("/nodes/n1/qemu/100/status/current", &root).await;
    assert_eq!(st.data()["ha"]["managed"], 0);
    let r = api
        .call(Method::DELETE, "/cluster/ha/resources/vm:100", &root, &[])
        .await;
    assert_eq!(
        message(&r),
        "cannot delete service 'vm:100', not HA managed!"
    );
}

#[tokio::test]
async fn ha_migrate_moves_the_guest_through_a_task() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let r = api
        .post(
            "/cluster/ha/resources/vm:100/migrate",
            &root,
            &[("node", "n2")],
        )
        .await;
    assert_eq!(message(&r), "resource 'vm:100' is not HA managed");
    api.post("/cluster/ha/resources", &root, &[("sid", "vm:100")])
        .await
        .data();
    let r = api
        .post(
            "/cluster/ha/resources/vm:100/migrate",
            &root,
            &[("node", "n2")],
        )
        .await;
    assert_eq!(r.data()["sid"], "vm:100");
    assert_eq!(r.data()["requested-node"], "n2");
    let tasks = api.get("/cluster/tasks", &root).await;
    let upid = array(tasks.data())
        .iter()
        .find(|t| t["type"] == "qmigrate" && t["id"] == "100")
        .and_then(|t| t["upid"].as_str())
        .expect("the LRM's migration task")
        .to_owned();
    assert_eq!(api.wait_task("n1", &upid, &root).await["exitstatus"], "OK");
    let res = api.get("/cluster/resources?type=vm", &root).await;
    let vm = array(res.data())
        .iter()
        .find(|r| r["vmid"] == 100)
        .unwrap()
        .clone();
    assert_eq!(vm["node"], "n2");
    assert_eq!(vm["hastate"], "started");
}

fn assert_rrd_shape(rows: &[Value], step: i64, count: usize, now: i64) {
    assert!(
        rows.len() == count || rows.len() == count - 1,
        "{} rows, expected {count}",
        rows.len()
    );
    for w in rows.windows(2) {
        assert_eq!(
            w[1]["time"].as_i64().unwrap() - w[0]["time"].as_i64().unwrap(),
            step
        );
    }
    for r in rows {
        assert_eq!(r["time"].as_i64().unwrap() % step, 0, "aligned to the step");
    }
    let last = rows.last().unwrap()["time"].as_i64().unwrap();
    assert!(last <= now && last > now - 3 * step);
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn rrddata_has_pve9_resolutions_and_max_is_at_least_average() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let now = unix_now();
    for (timeframe, step, count) in [("hour", 60, 60), ("week", 1800, 336)] {
        let avg = api
            .get(
                &format!("/nodes/n1/qemu/100/rrddata?timeframe={timeframe}"),
                &root,
            )
            .await
            .data()
            .clone();
        let max = api
            .get(
                &format!("/nodes/n1/qemu/100/rrddata?timeframe={timeframe}&cf=MAX"),
                &root,
            )
            .await
            .data()
            .clone();
        assert_rrd_shape(array(&avg), step, count, now);
        assert_rrd_shape(array(&max), step, count, now);
        let mut compared = 0;
        for a in array(&avg) {
            let Some(m) = array(&max).iter().find(|m| m["time"] == a["time"]) else {
                continue;
            };
            for field in ["cpu", "mem", "netin", "netout", "diskread", "diskwrite"] {
                if let (Some(av), Some(mv)) = (a[field].as_f64(), m[field].as_f64()) {
                    assert!(mv >= av, "{timeframe} {field}: MAX {mv} < AVERAGE {av}");
                    compared += 1;
                }
            }
            assert_eq!(a["maxmem"].as_f64(), Some(2048.0 * 1024.0 * 1024.0));
        }
        assert!(compared > 0);
        let cpu_values: Vec<f64> = array(&avg)
            .iter()
            .filter_map(|r| r["cpu"].as_f64())
            .collect();
        assert!(cpu_values.iter().all(|c| (0.0..=1.0).contains(c)));
    }

    // Same (id, time), same numbers.
    let a = api
        .get("/nodes/n1/rrddata?timeframe=day", &root)
        .await
        .data()
        .clone();
    let b = api
        .get("/nodes/n1/rrddata?timeframe=day", &root)
        .await
        .data()
        .clone();
    assert_rrd_shape(array(&a), 60, 1440, now);
    for row in array(&a) {
        if let Some(other) = array(&b).iter().find(|r| r["time"] == row["time"]) {
            assert_eq!(row, other);
        }
    }
    let first = &array(&a)[0];
    for field in [
        "loadavg", "cpu", "memused", "memtotal", "swapused", "rootused", "netin",
    ] {
        assert!(first[field].is_number(), "node rrd has {field}");
    }

    // A stopped guest has its sizes but no usage.
    let stopped = api
        .get("/nodes/n1/qemu/101/rrddata?timeframe=hour", &root)
        .await
        .data()
        .clone();
    for row in array(&stopped) {
        assert!(row.get("cpu").is_none() && row.get("netin").is_none());
        assert_eq!(row["maxcpu"].as_f64(), Some(2.0));
    }
    let st = api
        .get("/nodes/n1/storage/local-zfs/rrddata?timeframe=month", &root)
        .await
        .data()
        .clone();
    assert_rrd_shape(array(&st), 1800, 1440, now);
    assert_eq!(
        array(&st)[0]["total"].as_f64(),
        Some(1000.0 * (1u64 << 30) as f64)
    );

    let r = api
        .get("/nodes/n1/qemu/4242/rrddata?timeframe=hour", &root)
        .await;
    assert_eq!(
        message(&r),
        "RRD error: opening '/var/lib/rrdcached/db/pve-vm-9.0/4242': No such file or directory"
    );
    let r = api
        .get("/nodes/n1/lxc/103/rrddata?timeframe=decade", &root)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

fn volids(v: &Value) -> Vec<String> {
    array(v)
        .iter()
        .map(|e| e["volid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn storage_content_filters_by_type_and_vmid_and_by_privileges() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;

    let all = api.get("/nodes/n1/storage/local-zfs/content", &root).await;
    assert_eq!(
        volids(all.data()),
        [
            "local-zfs:vm-100-cloudinit",
            "local-zfs:vm-100-disk-0",
            "local-zfs:vm-101-disk-0",
            "local-zfs:vm-102-disk-0",
        ],
        "a local storage holds the disks of the guests on that node only"
    );
    let disk = array(all.data())
        .iter()
        .find(|v| v["volid"] == "local-zfs:vm-101-disk-0")
        .unwrap()
        .clone();
    assert_eq!(disk["content"], "images");
    assert_eq!(disk["format"], "raw");
    assert_eq!(disk["size"], 64u64 << 30);
    assert_eq!(disk["vmid"], 101);
    let rootdir = api
        .get("/nodes/n2/storage/local-zfs/content?content=rootdir", &root)
        .await;
    assert_eq!(volids(rootdir.data()), ["local-zfs:subvol-103-disk-0"]);
    assert_eq!(array(rootdir.data())[0]["format"], "subvol");
    let by_vm = api
        .get("/nodes/n1/storage/local-zfs/content?vmid=100", &root)
        .await;
    assert_eq!(
        volids(by_vm.data()),
        ["local-zfs:vm-100-cloudinit", "local-zfs:vm-100-disk-0"]
    );

    let isos = api
        .get("/nodes/n1/storage/local/content?content=iso", &root)
        .await;
    assert!(
        array(isos.data())
            .iter()
            .all(|v| v["content"] == "iso" && v["format"] == "iso")
    );
    assert!(!array(isos.data()).is_empty());

    let backups = api
        .get("/nodes/n1/storage/pbs-backup/content?vmid=100", &root)
        .await;
    let backups = array(backups.data()).clone();
    assert!(!backups.is_empty());
    for b in &backups {
        let volid = b["volid"].as_str().unwrap();
        let stamp = volid
            .strip_prefix("pbs-backup:backup/vm/100/")
            .expect("a PBS backup volid");
        assert_eq!(stamp.len(), 20, "{stamp}");
        assert!(stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T');
        assert_eq!(b["format"], "pbs-vm");
        assert_eq!(b["content"], "backup");
        assert!(b["ctime"].as_i64().unwrap() <= unix_now());
    }

    // Without any storage privilege: refused outright.
    let nobody = api.login("nobody@pve", "nobody-pw").await;
    let r = api
        .get("/nodes/n1/storage/local-zfs/content", &nobody)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = api.get("/nodes/n1/storage", &nobody).await;
    assert!(array(list.data()).is_empty());
    // Datastore.Audit on the storage, VM.Config.Disk on VM 100 only: only its disks.
    let diskview = api.login("diskview@pve", "diskview-pw").await;
    let r = api
        .get("/nodes/n1/storage/local-zfs/content", &diskview)
        .await;
    assert_eq!(
        volids(r.data()),
        ["local-zfs:vm-100-cloudinit", "local-zfs:vm-100-disk-0"]
    );
    let list = api.get("/nodes/n1/storage", &diskview).await;
    let list = array(list.data()).clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["storage"], "local-zfs");
    assert_eq!(list[0]["total"], 1000u64 << 30);
    assert_eq!(list[0]["used"], 200u64 << 30);
    assert_eq!(list[0]["avail"], 800u64 << 30);
    assert_eq!(list[0]["active"], 1);
    assert_eq!(list[0]["enabled"], 1);
    assert_eq!(list[0]["type"], "zfspool");
    assert_eq!(
        api.get("/storage/local-zfs", &diskview).await.status,
        StatusCode::FORBIDDEN
    );

    let status = api.get("/nodes/n1/storage/pbs-backup/status", &root).await;
    assert_eq!(status.data()["shared"], 1);
    assert_eq!(status.data()["content"], "backup");
    let cfg = api.get("/storage", &root).await;
    assert_eq!(array(cfg.data()).len(), 3);
    let one = api.get("/storage/local-zfs", &root).await;
    assert_eq!(one.data()["pool"], "rpool/data");
    assert_eq!(one.data()["content"], "images,rootdir");
    let r = api.get("/storage/nope", &root).await;
    assert_eq!(message(&r), "storage 'nope' does not exist");
}

#[tokio::test]
async fn cloudinit_dump_renders_the_configured_user_and_network() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let user = api
        .get("/nodes/n1/qemu/100/cloudinit/dump?type=user", &root)
        .await;
    let user = user.data().as_str().unwrap().to_owned();
    assert!(
        user.starts_with("#cloud-config\nhostname: web-01\n"),
        "{user}"
    );
    assert!(user.contains("fqdn: web-01.example.com\n"));
    assert!(user.contains("user: deploy\n"));
    assert!(user.contains(&format!("ssh_authorized_keys:\n  - {SSH_KEY}\n")));
    assert!(user.contains("users:\n  - default\n"));

    let net = api
        .get("/nodes/n1/qemu/100/cloudinit/dump?type=network", &root)
        .await;
    let net = net.data().as_str().unwrap().to_owned();
    assert!(net.starts_with("version: 1\nconfig:\n"), "{net}");
    assert!(net.contains("mac_address: 'bc:24:11:00:01:00'"));
    assert!(net.contains("address: '192.0.2.10'\n"));
    assert!(net.contains("netmask: '255.255.255.0'\n"));
    assert!(net.contains("gateway: '192.0.2.1'\n"));
    assert!(net.contains("- type: nameserver\n      address:\n      - '192.0.2.53'\n"));
    assert!(net.contains("search:\n      - 'example.com'\n"));

    let meta = api
        .get("/nodes/n1/qemu/100/cloudinit/dump?type=meta", &root)
        .await;
    let meta = meta.data().as_str().unwrap().to_owned();
    let id = meta
        .strip_prefix("instance-id: ")
        .and_then(|s| s.strip_suffix('\n'))
        .expect("nocloud meta-data");
    assert_eq!(id.len(), 40);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

    let pending = api.get("/nodes/n1/qemu/100/cloudinit", &root).await;
    let ciuser = array(pending.data())
        .iter()
        .find(|e| e["key"] == "ciuser")
        .expect("ciuser is listed")
        .clone();
    assert_eq!(ciuser["value"], "deploy");
    assert!(ciuser.get("pending").is_none());
    let r = api
        .call(Method::PUT, "/nodes/n1/qemu/100/cloudinit", &root, &[])
        .await;
    assert_eq!(r.data(), &Value::Null);
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let r = api
        .call(Method::PUT, "/nodes/n1/qemu/100/cloudinit", &auditor, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cluster_log_records_tasks_for_those_allowed_to_read_it() {
    let (_sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let upid = api
        .post("/nodes/n1/qemu/101/status/start", &root, &[])
        .await
        .data()
        .as_str()
        .unwrap()
        .to_owned();
    api.wait_task("n1", &upid, &root).await;
    let log = api.get("/cluster/log", &root).await;
    let log = array(log.data()).clone();
    assert_eq!(log.len(), 2);
    // Newest first.
    assert_eq!(log[0]["msg"], format!("end task {upid} OK"));
    assert_eq!(log[1]["msg"], format!("starting task {upid}"));
    for e in &log {
        assert_eq!(e["node"], "n1");
        assert_eq!(e["user"], "root@pam");
        assert_eq!(e["pri"], 6);
        for f in ["uid", "time", "tag", "pid"] {
            assert!(!e[f].is_null(), "{f}");
        }
    }
    let one = api.get("/cluster/log?max=1", &root).await;
    assert_eq!(array(one.data()).len(), 1);
    // Without Sys.Syslog on / only one's own entries.
    let auditor = api.login("auditor@pve", "auditor-pw").await;
    let theirs = api.get("/cluster/log", &auditor).await;
    assert!(array(theirs.data()).is_empty());
}

#[tokio::test]
async fn a_pbs_storage_points_at_the_backup_server_listener_and_its_namespace() {
    let (sim, api) = start().await;
    let root = api.login("root@pam", ROOT_PW).await;
    let r = api.get("/storage?type=pbs", &root).await;
    let list = array(r.data());
    assert_eq!(list.len(), 1, "{list:?}");
    let s = &list[0];
    let pbs = &sim.pbs[0];
    // What storage.cfg holds: where the server listens, not the scenario's name for it.
    assert_eq!(s["type"], "pbs");
    assert_eq!(s["server"], "127.0.0.1");
    assert_eq!(s["port"], pbs.served.addr.port());
    assert_eq!(s["datastore"], "store1");
    assert_eq!(s["namespace"], "obs");
    assert_eq!(s["fingerprint"], pbs.fingerprint().to_ascii_lowercase());
    let one = api.get("/storage/pbs-backup", &root).await;
    assert_eq!(one.data()["namespace"], "obs");
    assert_eq!(one.data()["digest"], s["digest"]);
    let r = api.get("/nodes/n1/storage?content=backup", &root).await;
    assert!(
        array(r.data())
            .iter()
            .any(|s| s["storage"] == "pbs-backup" && s["type"] == "pbs"),
        "{:?}",
        r.data()
    );
}
