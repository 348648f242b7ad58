//! Pending configuration changes and disk resize: what a running guest takes live, what
//! waits in the `[PENDING]` section until its next cold start, and how `resize` grows a
//! volume through a task.

use std::time::Duration;

use proxdeck_sim::{Scenario, Sim, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, As, Reply};

const ROOT_PW: &str = "root-pending-pw";
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

fn scenario() -> Scenario {
    let toml = format!(
        r#"
[[clusters]]
name = "alpha"
nodes = [{{ name = "n1" }}, {{ name = "n2" }}]
storages = [
  {{ id = "ceph", kind = "rbd", content = ["images", "rootdir"] }},
  {{ id = "local", kind = "dir", content = ["iso", "vztmpl", "backup"] }},
]
roles = [{{ roleid = "OptionsOnly", privs = ["VM.Audit", "VM.Config.Options"] }}]

[[clusters.guests]]
vmid = 100
name = "web-01"
node = "n1"
status = "running"
memory_mib = 2048
disk_gib = 32
config = {{ scsi0 = "ceph:vm-100-disk-0,iothread=1,size=32G", scsi1 = "ceph:vm-100-disk-1,size=10G", ide2 = "local:iso/debian-13.iso,media=cdrom", net0 = "virtio=BC:24:11:00:00:64,bridge=vmbr0", ostype = "l26", boot = "order=scsi0;ide2;net0" }}

[[clusters.guests]]
vmid = 101
name = "db-01"
node = "n1"
status = "stopped"
config = {{ scsi0 = "ceph:vm-101-disk-0,size=16G", ostype = "l26" }}

[[clusters.guests]]
vmid = 102
name = "ct-01"
node = "n2"
kind = "lxc"
status = "running"
memory_mib = 512
disk_gib = 8
config = {{ rootfs = "ceph:subvol-102-disk-0,size=8G", ostype = "debian", arch = "amd64", net0 = "name=eth0,bridge=vmbr0,ip=dhcp,type=veth" }}

[[clusters.guests]]
vmid = 103
name = "busy-01"
node = "n1"
status = "running"
lock = "backup"
config = {{ scsi0 = "ceph:vm-103-disk-0,size=8G" }}

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
"#
    );
    Scenario::from_toml_str(&toml).expect("the pending scenario parses")
}

struct Env {
    _sim: Sim,
    api: Api,
    root: As,
}

async fn start() -> Env {
    let sim = Sim::start(
        scenario(),
        SimOptions {
            task_duration: Duration::from_millis(100),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    let api = Api::new(sim.cluster("alpha"));
    let root = api.login("root@pam", ROOT_PW).await;
    Env {
        _sim: sim,
        api,
        root,
    }
}

impl Env {
    async fn config(&self, path: &str) -> Value {
        self.api
            .get(&format!("{path}/config"), &self.root)
            .await
            .data()
            .clone()
    }

    async fn current(&self, path: &str) -> Value {
        self.api
            .call(
                Method::GET,
                &format!("{path}/config"),
                &self.root,
                &[("current", "1")],
            )
            .await
            .data()
            .clone()
    }

    async fn pending(&self, path: &str) -> Vec<Value> {
        self.api
            .get(&format!("{path}/pending"), &self.root)
            .await
            .data()
            .as_array()
            .expect("a list")
            .clone()
    }

    async fn put(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.api
            .call(Method::PUT, &format!("{path}/config"), &self.root, form)
            .await
    }

    /// Runs a task-returning call to its end; the task's final status.
    async fn task(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Value {
        let r = self.api.call(method, path, &self.root, form).await;
        let upid = r.data().as_str().expect("a UPID").to_owned();
        let node = upid.split(':').nth(1).unwrap().to_owned();
        self.api.wait_task(&node, &upid, &self.root).await
    }

    async fn resource(&self, id: &str) -> Value {
        let r = self.api.get("/cluster/resources", &self.root).await;
        r.data()
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in /cluster/resources"))
    }
}

const VM: &str = "/nodes/n1/qemu/100";
const STOPPED_VM: &str = "/nodes/n1/qemu/101";
const CT: &str = "/nodes/n2/lxc/102";

fn item<'a>(list: &'a [Value], key: &str) -> &'a Value {
    list.iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no pending entry for {key}: {list:?}"))
}

/// Whether anything is pending at all.
fn anything_pending(list: &[Value]) -> bool {
    list.iter()
        .any(|i| i.get("pending").is_some() || i.get("delete").is_some())
}

fn message(r: &Reply) -> String {
    r.json
        .as_ref()
        .and_then(|j| j["message"].as_str())
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

#[tokio::test]
async fn memory_of_a_running_vm_goes_pending_until_a_reboot_applies_it() {
    let e = start().await;
    let before = e.config(VM).await;
    assert!(!anything_pending(&e.pending(VM).await));
    assert_eq!(e.put(VM, &[("memory", "4096")]).await.data(), &Value::Null);

    let list = e.pending(VM).await;
    let memory = item(&list, "memory");
    assert_eq!(memory["value"], "2048");
    assert_eq!(memory["pending"], "4096");
    assert!(memory.get("delete").is_none());
    // Entries come sorted by key, and the digest is one of them as in PVE.
    let keys: Vec<&str> = list.iter().map(|i| i["key"].as_str().unwrap()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(item(&list, "digest")["value"].is_string());
    // Other keys show their current value only.
    assert_eq!(item(&list, "ostype")["value"], "l26");
    assert!(item(&list, "ostype").get("pending").is_none());

    // GET config shows the pending value, `current=1` the one in effect.
    let config = e.config(VM).await;
    assert_eq!(config["memory"], "4096");
    assert_ne!(config["digest"], before["digest"]);
    assert_eq!(e.current(VM).await["memory"], "2048");
    assert_eq!(e.resource("qemu/100").await["maxmem"], 2048 * MIB);

    let done = e
        .task(Method::POST, &format!("{VM}/status/reboot"), &[])
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert!(!anything_pending(&e.pending(VM).await));
    assert_eq!(e.current(VM).await["memory"], "4096");
    assert_eq!(e.resource("qemu/100").await["maxmem"], 4096 * MIB);
}

#[tokio::test]
async fn fast_plug_and_hot_pluggable_keys_apply_at_once_on_a_running_vm() {
    let e = start().await;
    let r = e
        .put(
            VM,
            &[
                ("name", "web-02"),
                ("cores", "4"),
                ("net1", "virtio=BC:24:11:00:01:64,bridge=vmbr1"),
                ("bios", "ovmf"),
            ],
        )
        .await;
    assert_eq!(r.data(), &Value::Null);
    let current = e.current(VM).await;
    // name is a fast-plug option, net1 is hot-plugged (default hotplug has network).
    assert_eq!(current["name"], "web-02");
    assert_eq!(current["net1"], "virtio=BC:24:11:00:01:64,bridge=vmbr1");
    // CPU topology and firmware wait for the next start.
    assert_eq!(current["cores"], 2);
    assert!(current.get("bios").is_none());
    let list = e.pending(VM).await;
    assert_eq!(item(&list, "name")["value"], "web-02");
    assert!(item(&list, "name").get("pending").is_none());
    assert_eq!(item(&list, "cores")["pending"], "4");
    assert_eq!(item(&list, "bios")["pending"], "ovmf");
    assert!(item(&list, "bios").get("value").is_none());
    assert_eq!(e.resource("qemu/100").await["name"], "web-02");
    assert_eq!(e.resource("qemu/100").await["maxcpu"], 2);
    // A CD-ROM media change is live on any bus (`cdrom` is ide2's alias); changing a
    // drive's media type is a hot-plug error PVE reports per key.
    e.put(VM, &[("cdrom", "none")]).await.data();
    assert_eq!(e.current(VM).await["ide2"], "none,media=cdrom");
    let r = e
        .put(VM, &[("scsi1", "ceph:vm-100-disk-1,media=cdrom")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json.unwrap()["errors"]["scsi1"],
        "hotplug problem - unable to change media type"
    );
    // Deleting: a NIC is unplugged at once, an IDE drive waits.
    e.put(VM, &[("delete", "net1,ide2")]).await.data();
    assert!(e.current(VM).await.get("net1").is_none());
    assert_eq!(item(&e.pending(VM).await, "ide2")["delete"], 1);
    // The pending view of the config has them all.
    let config = e.config(VM).await;
    assert_eq!(
        (config["cores"].as_i64(), config["bios"].as_str()),
        (Some(4), Some("ovmf"))
    );
}

#[tokio::test]
async fn revert_drops_pending_values_and_deletions() {
    let e = start().await;
    e.put(VM, &[("memory", "4096"), ("sockets", "2")])
        .await
        .data();
    e.put(VM, &[("delete", "ostype")]).await.data();
    let list = e.pending(VM).await;
    assert_eq!(item(&list, "ostype")["delete"], 1);
    assert_eq!(item(&list, "ostype")["value"], "l26");
    assert!(e.config(VM).await.get("ostype").is_none());
    assert_eq!(e.current(VM).await["ostype"], "l26");

    let r = e.put(VM, &[("revert", "memory,ostype")]).await;
    assert_eq!(r.data(), &Value::Null);
    let list = e.pending(VM).await;
    assert!(item(&list, "memory").get("pending").is_none());
    assert!(item(&list, "ostype").get("delete").is_none());
    assert_eq!(item(&list, "sockets")["pending"], "2");
    let config = e.config(VM).await;
    assert_eq!(config["memory"], "2048");
    assert_eq!(config["ostype"], "l26");

    // A forced deletion is marked 2.
    e.put(VM, &[("delete", "ostype"), ("force", "1")])
        .await
        .data();
    assert_eq!(item(&e.pending(VM).await, "ostype")["delete"], 2);

    // Using a key and reverting it at once is refused, with qemu-server's wording.
    let r = e.put(VM, &[("memory", "1024"), ("revert", "memory")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json.unwrap()["errors"]["delete"],
        "you can't use '-memory' and -revert memory' at the same time"
    );
    let r = e.put(VM, &[("revert", "nonsense")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json.unwrap()["errors"]["revert"],
        "unknown option 'nonsense'"
    );
}

#[tokio::test]
async fn the_digest_covers_the_pending_section() {
    let e = start().await;
    let d0 = e.config(VM).await["digest"].as_str().unwrap().to_owned();
    assert_eq!(e.current(VM).await["digest"], d0.as_str());
    e.put(VM, &[("cores", "4"), ("digest", &d0)]).await.data();
    let d1 = e.config(VM).await["digest"].as_str().unwrap().to_owned();
    assert_ne!(d0, d1, "the [PENDING] section is part of the file");
    // The current values did not change, the file did: the old digest is stale.
    assert_eq!(e.current(VM).await["digest"], d1.as_str());
    let stale = e.put(VM, &[("sockets", "2"), ("digest", &d0)]).await;
    assert_eq!(stale.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        message(&stale),
        "checksum mismatch (file change by other user?)"
    );
    // A pending deletion changes it too.
    e.put(VM, &[("delete", "ostype")]).await.data();
    assert_ne!(e.config(VM).await["digest"], d1.as_str());
}

#[tokio::test]
async fn a_stopped_vm_applies_everything_at_once_and_a_start_applies_what_was_pending() {
    let e = start().await;
    let r = e
        .put(
            STOPPED_VM,
            &[("memory", "4096"), ("cores", "4"), ("delete", "ostype")],
        )
        .await;
    assert_eq!(r.data(), &Value::Null);
    assert!(!anything_pending(&e.pending(STOPPED_VM).await));
    let current = e.current(STOPPED_VM).await;
    assert_eq!(
        (current["memory"].as_str(), current["cores"].as_i64()),
        (Some("4096"), Some(4))
    );
    assert!(current.get("ostype").is_none());
    assert_eq!(e.resource("qemu/101").await["maxmem"], 4096 * MIB);

    // Stop keeps the pending section (PVE applies it when the VM starts), start applies it.
    e.put(VM, &[("cores", "6")]).await.data();
    let done = e
        .task(Method::POST, &format!("{VM}/status/stop"), &[])
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert_eq!(item(&e.pending(VM).await, "cores")["pending"], "6");
    let done = e
        .task(Method::POST, &format!("{VM}/status/start"), &[])
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert!(!anything_pending(&e.pending(VM).await));
    assert_eq!(e.current(VM).await["cores"], 6);
    assert_eq!(e.resource("qemu/100").await["maxcpu"], 6);
}

#[tokio::test]
async fn a_running_container_takes_resources_live_and_keeps_the_rest_pending() {
    let e = start().await;
    let r = e
        .put(
            CT,
            &[
                ("memory", "1024"),
                ("hostname", "ct-02"),
                ("nameserver", "192.0.2.53"),
                ("ostype", "ubuntu"),
            ],
        )
        .await;
    assert_eq!(r.data(), &Value::Null);
    let current = e.current(CT).await;
    assert_eq!(current["memory"], 1024);
    assert_eq!(current["hostname"], "ct-02");
    assert!(current.get("nameserver").is_none());
    assert_eq!(current["ostype"], "debian");
    let list = e.pending(CT).await;
    assert_eq!(item(&list, "nameserver")["pending"], "192.0.2.53");
    assert_eq!(item(&list, "ostype")["pending"], "ubuntu");
    assert_eq!(e.config(CT).await["ostype"], "ubuntu");
    // Required options cannot be deleted at all.
    let r = e.put(CT, &[("delete", "memory")]).await;
    assert_eq!(message(&r), "unable to delete required option 'memory'");
    // pve-container's reboot is a stop and a start: pending changes apply.
    let done = e
        .task(Method::POST, &format!("{CT}/status/reboot"), &[])
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert!(!anything_pending(&e.pending(CT).await));
    assert_eq!(e.current(CT).await["nameserver"], "192.0.2.53");
}

#[tokio::test]
async fn resize_grows_a_disk_by_absolute_size_and_by_increment() {
    let e = start().await;
    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "scsi0"), ("size", "40G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert_eq!(done["type"], "resize");
    assert_eq!(
        e.current(VM).await["scsi0"],
        "ceph:vm-100-disk-0,iothread=1,size=40G"
    );
    assert_eq!(e.resource("qemu/100").await["maxdisk"], 40 * GIB);

    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "scsi0"), ("size", "+512M")],
        )
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert_eq!(
        e.current(VM).await["scsi0"],
        "ceph:vm-100-disk-0,iothread=1,size=41472M"
    );
    // A second disk: its line changes, the guest's main disk size does not.
    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "scsi1"), ("size", "+2G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert_eq!(e.current(VM).await["scsi1"], "ceph:vm-100-disk-1,size=12G");
    assert_eq!(e.resource("qemu/100").await["maxdisk"], 41 * GIB);

    // A container's root file system.
    let done = e
        .task(
            Method::PUT,
            &format!("{CT}/resize"),
            &[("disk", "rootfs"), ("size", "+4G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "OK");
    assert_eq!(
        e.current(CT).await["rootfs"],
        "ceph:subvol-102-disk-0,size=12G"
    );
    assert_eq!(e.resource("lxc/102").await["maxdisk"], 12 * GIB);
}

#[tokio::test]
async fn resize_refuses_shrinking_stale_digests_locks_and_callers_without_disk_privilege() {
    let e = start().await;
    // qemu-server checks inside its worker: the task fails.
    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "scsi0"), ("size", "10G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "shrinking disks is not supported");
    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "scsi0"), ("size", "+1G"), ("digest", "0123")],
        )
        .await;
    assert_eq!(
        done["exitstatus"],
        "checksum mismatch (file change by other user?)"
    );
    let done = e
        .task(
            Method::PUT,
            "/nodes/n1/qemu/103/resize",
            &[("disk", "scsi0"), ("size", "+1G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "VM is locked (backup)");
    let done = e
        .task(
            Method::PUT,
            &format!("{VM}/resize"),
            &[("disk", "ide2"), ("size", "+1G")],
        )
        .await;
    assert_eq!(done["exitstatus"], "you can't resize a cdrom");
    assert_eq!(
        e.current(VM).await["scsi0"],
        "ceph:vm-100-disk-0,iothread=1,size=32G"
    );
    // pve-container checks before it forks: an error answer.
    let r = e
        .api
        .call(
            Method::PUT,
            &format!("{CT}/resize"),
            &e.root,
            &[("disk", "rootfs"), ("size", "4G")],
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(message(&r), "unable to shrink disk size");
    // The size pattern is the schema's.
    let r = e
        .api
        .call(
            Method::PUT,
            &format!("{VM}/resize"),
            &e.root,
            &[("disk", "scsi0"), ("size", "-1G")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Without VM.Config.Disk the route's own check refuses.
    let opts = e.api.login("opts@pve", "opts-pw").await;
    let r = e
        .api
        .call(
            Method::PUT,
            &format!("{VM}/resize"),
            &opts,
            &[("disk", "scsi0"), ("size", "+1G")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.raw);
    assert_eq!(
        message(&r),
        "Permission check failed (/vms/100, VM.Config.Disk)"
    );
}
