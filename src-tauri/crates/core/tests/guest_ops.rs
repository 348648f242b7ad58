//! The guest actions beyond power, against the in-process demo datacenter: each sends the
//! request PVE expects (the simulator checks every parameter against the PVE 9.1 schema and
//! refuses what PVE refuses), its task is followed to its end, the result is read back, and
//! the audit log has its rows. Conflicts, bad input and locked guests are explained.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proxdeck_core::events::{CoreEvent, EventSink};
use proxdeck_core::guests::clone::CloneInput;
use proxdeck_core::guests::cloudinit::CloudInitInput;
use proxdeck_core::guests::config::{ConfigChange, DiskResize};
use proxdeck_core::guests::ha::{HaSettings, HaState};
use proxdeck_core::guests::lifecycle::DeleteInput;
use proxdeck_core::guests::snapshots::SnapshotInput;
use proxdeck_core::guests::{
    self, PowerAction, agent, clone, cloudinit, config, ha, lifecycle, snapshots,
};
use proxdeck_core::inventory::Resource;
use proxdeck_core::monitor::GuestType::{self, Lxc, Qemu};
use proxdeck_core::paths::Paths;
use proxdeck_core::tracked::TrackedTask;
use proxdeck_core::{Ctx, ErrorCode, demo, inventory};

#[derive(Default)]
struct Recorder(Mutex<Vec<CoreEvent>>);

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}

struct Demo {
    ctx: Arc<Ctx>,
    events: Arc<Recorder>,
    _dir: tempfile::TempDir,
}

const PROD: &str = "demo-prod";

async fn open() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Recorder::default());
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir.path()))
        .events(events.clone())
        .open()
        .await
        .unwrap();
    demo::open(&ctx).await.unwrap();
    Demo {
        ctx: Arc::new(ctx),
        events,
        _dir: dir,
    }
}

impl Demo {
    /// Waits for the end of a task (demo tasks take about 2 s) and returns it.
    async fn ended(&self, task: &TrackedTask) -> TrackedTask {
        for _ in 0..300 {
            let done = self.events.0.lock().unwrap().iter().find_map(|e| match e {
                CoreEvent::TaskUpdated(t) if t.upid == task.upid && !t.running => Some(t.clone()),
                _ => None,
            });
            if let Some(t) = done {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("task {} did not end", task.upid);
    }

    async fn ok(&self, task: TrackedTask) -> TrackedTask {
        let done = self.ended(&task).await;
        assert_eq!(done.exitstatus.as_deref(), Some("OK"), "{done:?}");
        done
    }

    async fn guest(&self, vmid: u32) -> Option<Resource> {
        inventory::refresh_once(&self.ctx).await.unwrap();
        inventory::snapshot(&self.ctx)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.connection_id == PROD)
            .unwrap()
            .resources
            .into_iter()
            .find(|r| r.vmid == Some(vmid))
    }

    async fn audit(&self) -> Vec<proxdeck_store::AuditEntry> {
        let mut rows: Vec<_> = self
            .ctx
            .db(|s| s.audit_list(None, 200))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry)
            .collect();
        rows.reverse();
        rows
    }

    /// The newest audit row of `action` on `target`.
    async fn audited(&self, action: &str, target: &str) -> proxdeck_store::AuditEntry {
        self.audit()
            .await
            .into_iter()
            .rev()
            .find(|e| e.action == action && e.target == target)
            .unwrap_or_else(|| panic!("no audit row {action} on {target}"))
    }

    async fn update(
        &self,
        node: &str,
        kind: GuestType,
        vmid: u32,
        change: ConfigChange,
    ) -> Result<config::GuestConfig, proxdeck_core::AppError> {
        config::update(&self.ctx, PROD, node, kind, vmid, change).await
    }

    async fn snapshot(
        &self,
        node: &str,
        kind: GuestType,
        vmid: u32,
        input: SnapshotInput,
    ) -> Result<TrackedTask, proxdeck_core::AppError> {
        snapshots::create(&self.ctx, PROD, node, kind, vmid, input).await
    }

    async fn config(&self, node: &str, kind: GuestType, vmid: u32) -> config::GuestConfig {
        config::get(&self.ctx, PROD, node, kind, vmid)
            .await
            .unwrap()
    }
}

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn snap(name: &str) -> SnapshotInput {
    SnapshotInput {
        name: name.to_owned(),
        description: String::new(),
        vmstate: false,
    }
}

fn change(digest: &str, pairs: &[(&str, &str)]) -> ConfigChange {
    ConfigChange {
        digest: digest.to_owned(),
        set: set(pairs),
        delete: Vec::new(),
        revert: Vec::new(),
    }
}

#[tokio::test]
async fn a_linked_clone_of_the_template_appears_with_its_name_and_is_audited() {
    let d = open().await;
    let options = clone::options(&d.ctx, PROD, "pve1", Qemu, 9000)
        .await
        .unwrap();
    assert!(options.template);
    assert_eq!(options.name.as_deref(), Some("debian-12-cloud"));
    assert_eq!(options.nodes.first().map(String::as_str), Some("pve1"));
    assert!(
        options.pools.contains(&"prod-web".to_owned()),
        "{options:?}"
    );
    let newid = options.next_vmid;
    assert!(d.guest(newid).await.is_none());
    let storages = clone::storages(&d.ctx, PROD, "pve1", Qemu).await.unwrap();
    assert!(
        storages.iter().any(|s| s.storage == "ceph-vm" && s.shared),
        "{storages:?}"
    );

    let task = clone::clone(
        &d.ctx,
        PROD,
        "pve1",
        Qemu,
        9000,
        CloneInput {
            newid,
            name: Some("web5".into()),
            description: None,
            target: None,
            full: false,
            storage: None,
            pool: Some("prod-web".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(task.description, format!("VM 9000 - Clone"));
    d.ok(task).await;
    let new = d.guest(newid).await.expect("the clone is in the inventory");
    assert_eq!(new.name.as_deref(), Some("web5"));
    assert_eq!(new.pool.as_deref(), Some("prod-web"));
    assert!(!new.template);
    let row = d.audited("guest.clone", "prod/qemu/9000").await;
    assert_eq!(row.outcome, "started");
    assert_eq!(row.details["newid"], newid);
    assert!(
        d.audit()
            .await
            .iter()
            .any(|e| e.action == "task.end" && e.target == "prod/qemu/9000")
    );

    // The VMID is taken now: the check and the clone both say so on the `newid` field.
    let e = clone::check_vmid(&d.ctx, PROD, newid).await.unwrap_err();
    assert!(e.fields["newid"].contains(&newid.to_string()), "{e:?}");
    let again = clone::clone(
        &d.ctx,
        PROD,
        "pve1",
        Qemu,
        9000,
        CloneInput {
            newid,
            name: Some("web6".into()),
            description: None,
            target: None,
            full: true,
            storage: None,
            pool: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(again.code, ErrorCode::Invalid);
    assert!(again.fields["newid"].contains("taken"), "{again:?}");
    // A linked clone cannot pick a storage: said before anything is sent.
    let e = clone::clone(
        &d.ctx,
        PROD,
        "pve1",
        Qemu,
        9000,
        CloneInput {
            newid: newid + 1,
            name: None,
            description: None,
            target: None,
            full: false,
            storage: Some("local-zfs".into()),
            pool: None,
        },
    )
    .await
    .unwrap_err();
    assert!(e.fields.contains_key("storage"), "{e:?}");
}

#[tokio::test]
async fn a_config_edit_sends_the_digest_and_a_change_made_elsewhere_is_a_conflict() {
    let d = open().await;
    // 113 web4 is stopped: changes apply at once.
    let before = d.config("pve3", Qemu, 113).await;
    assert_eq!(before.effective("memory"), Some("8192"));
    let after = d
        .update(
            "pve3",
            Qemu,
            113,
            change(&before.digest, &[("memory", "4096"), ("cores", "2")]),
        )
        .await
        .unwrap();
    assert_eq!(after.effective("memory"), Some("4096"));
    assert_eq!(after.effective("cores"), Some("2"));
    assert_ne!(after.digest, before.digest);
    let row = d.audited("guest.config", "prod/qemu/113").await;
    assert_eq!(row.outcome, "ok");
    assert_eq!(row.details["set"], serde_json::json!(["cores", "memory"]));

    // The form still holds the old digest: PVE refuses, nothing is written.
    let e = d
        .update(
            "pve3",
            Qemu,
            113,
            change(&before.digest, &[("memory", "2048")]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert!(e.message.contains("changed elsewhere"), "{e:?}");
    assert_eq!(
        d.config("pve3", Qemu, 113).await.effective("memory"),
        Some("4096")
    );

    // PVE's 400 comes back on the field.
    let e = d
        .update(
            "pve3",
            Qemu,
            113,
            change(&after.digest, &[("cores", "zero")]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
    assert!(e.fields.contains_key("cores"), "{e:?}");

    // Deleting a key.
    let cur = d.config("pve3", Qemu, 113).await;
    let gone = d
        .update(
            "pve3",
            Qemu,
            113,
            ConfigChange {
                digest: cur.digest.clone(),
                set: BTreeMap::new(),
                delete: vec!["description".into()],
                revert: Vec::new(),
            },
        )
        .await;
    assert!(gone.is_ok(), "{gone:?}");
}

#[tokio::test]
async fn a_change_to_a_running_vm_waits_for_the_reboot_as_pve_shows_it() {
    let d = open().await;
    // 110 web1 runs on pve1 with 8 GiB.
    let before = d.config("pve1", Qemu, 110).await;
    let after = d
        .update(
            "pve1",
            Qemu,
            110,
            change(
                &before.digest,
                &[("memory", "12288"), ("name", "web1-renamed")],
            ),
        )
        .await
        .unwrap();
    let memory = after.entries.iter().find(|e| e.key == "memory").unwrap();
    assert_eq!(memory.value.as_deref(), Some("8192"), "{memory:?}");
    assert_eq!(memory.pending.as_deref(), Some("12288"), "{memory:?}");
    assert!(memory.is_pending());
    // A name is applied at once.
    let name = after.entries.iter().find(|e| e.key == "name").unwrap();
    assert_eq!(
        (name.value.as_deref(), name.pending.as_deref()),
        (Some("web1-renamed"), None)
    );
    // The reboot applies it.
    let task = guests::power(&d.ctx, PROD, "pve1", Qemu, 110, PowerAction::Reboot)
        .await
        .unwrap();
    d.ok(task).await;
    let rebooted = d.config("pve1", Qemu, 110).await;
    let memory = rebooted.entries.iter().find(|e| e.key == "memory").unwrap();
    assert_eq!(
        (memory.value.as_deref(), memory.pending.as_deref()),
        (Some("12288"), None)
    );
    // Reverting a pending change drops it.
    let cur = d.config("pve1", Qemu, 110).await;
    let pending = d
        .update("pve1", Qemu, 110, change(&cur.digest, &[("cores", "6")]))
        .await
        .unwrap();
    assert!(
        pending
            .entries
            .iter()
            .any(|e| e.key == "cores" && e.pending.as_deref() == Some("6"))
    );
    let reverted = d
        .update(
            "pve1",
            Qemu,
            110,
            ConfigChange {
                digest: pending.digest.clone(),
                set: BTreeMap::new(),
                delete: Vec::new(),
                revert: vec!["cores".into()],
            },
        )
        .await
        .unwrap();
    assert!(
        reverted.entries.iter().all(|e| !e.is_pending()),
        "{reverted:?}"
    );
}

#[tokio::test]
async fn a_disk_grows_by_a_task_and_bad_sizes_or_shrinking_are_refused() {
    let d = open().await;
    let cfg = d.config("pve3", Qemu, 113).await;
    assert!(
        cfg.effective("scsi0").unwrap().contains("size=40G"),
        "{cfg:?}"
    );
    let resize = |size: &str, digest: &str| DiskResize {
        disk: "scsi0".into(),
        size: size.into(),
        digest: digest.into(),
    };
    let e = config::resize_disk(&d.ctx, PROD, "pve3", Qemu, 113, resize("lots", &cfg.digest))
        .await
        .unwrap_err();
    assert!(e.fields["size"].contains("not a size"), "{e:?}");
    let task = config::resize_disk(&d.ctx, PROD, "pve3", Qemu, 113, resize("+8G", &cfg.digest))
        .await
        .unwrap();
    d.ok(task).await;
    let grown = d.config("pve3", Qemu, 113).await;
    assert!(
        grown.effective("scsi0").unwrap().contains("size=48G"),
        "{grown:?}"
    );
    d.audited("guest.resize", "prod/qemu/113").await;
    let e = config::resize_disk(
        &d.ctx,
        PROD,
        "pve3",
        Qemu,
        113,
        resize("20G", &grown.digest),
    )
    .await;
    match e {
        Err(e) => assert!(e.message.contains("shrink"), "{e:?}"),
        Ok(task) => {
            let done = d.ended(&task).await;
            assert!(done.failed() && done.exitstatus.unwrap().contains("shrink"));
        }
    }
}

#[tokio::test]
async fn delete_needs_the_typed_name_a_stopped_guest_and_purges_it_from_ha() {
    let d = open().await;
    let input = |confirm: &str, purge: bool| DeleteInput {
        confirm: confirm.into(),
        purge,
        destroy_unreferenced_disks: false,
    };
    // Wrong name: nothing is sent.
    let e = lifecycle::delete(&d.ctx, PROD, "pve3", Qemu, 113, input("web", true))
        .await
        .unwrap_err();
    assert!(e.fields["confirm"].contains("web4"), "{e:?}");
    // A running guest.
    let e = lifecycle::delete(&d.ctx, PROD, "pve3", Qemu, 112, input("web3", true))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("stop it first"), "{e:?}");
    // 113 is in HA: without purge PVE refuses.
    let e = lifecycle::delete(&d.ctx, PROD, "pve3", Qemu, 113, input("web4", false))
        .await
        .unwrap_err();
    assert!(e.message.contains("HA"), "{e:?}");
    let task = lifecycle::delete(&d.ctx, PROD, "pve3", Qemu, 113, input("web4", true))
        .await
        .unwrap();
    d.ok(task).await;
    assert!(d.guest(113).await.is_none());
    assert!(
        ha::get(&d.ctx, PROD, "pve3", Qemu, 113).await.is_err()
            || ha::get(&d.ctx, PROD, "pve3", Qemu, 113)
                .await
                .unwrap()
                .is_none()
    );
    let row = d.audited("guest.delete", "prod/qemu/113").await;
    assert_eq!(row.details["purge"], true);
}

#[tokio::test]
async fn migrate_offers_only_valid_nodes_and_moves_a_running_vm_online() {
    let d = open().await;
    // 110 web1 runs on pve1, on shared ceph-vm: online to pve2 or pve3.
    let options = lifecycle::migrate_options(&d.ctx, PROD, "pve1", Qemu, 110)
        .await
        .unwrap();
    assert!(options.running && options.online);
    let free: Vec<&str> = options
        .targets
        .iter()
        .filter(|t| t.reason.is_none())
        .map(|t| t.node.as_str())
        .collect();
    assert_eq!(free, ["pve2", "pve3"]);
    assert!(options.local_disks.is_empty());
    // 122 db3 is locked by a backup: the precondition says so.
    let e = lifecycle::migrate_options(&d.ctx, PROD, "pve3", Qemu, 122)
        .await
        .unwrap_err();
    assert!(e.message.contains("locked"), "{e:?}");
    // A node that is not in the cluster.
    let e = lifecycle::migrate(&d.ctx, PROD, "pve1", Qemu, 110, "pve9".into())
        .await
        .unwrap_err();
    assert!(e.fields.contains_key("target"), "{e:?}");

    let task = lifecycle::migrate(&d.ctx, PROD, "pve1", Qemu, 110, "pve2".into())
        .await
        .unwrap();
    d.ok(task).await;
    let moved = d.guest(110).await.unwrap();
    assert_eq!(moved.node.as_deref(), Some("pve2"));
    assert_eq!(moved.status.as_deref(), Some("running"));
    let row = d.audited("guest.migrate", "prod/qemu/110").await;
    assert_eq!(row.details["online"], true);

    // A running container moves in restart mode.
    let ct = lifecycle::migrate_options(&d.ctx, PROD, "pve1", Lxc, 150)
        .await
        .unwrap();
    assert!(ct.running && !ct.online);
    let task = lifecycle::migrate(&d.ctx, PROD, "pve1", Lxc, 150, "pve3".into())
        .await
        .unwrap();
    d.ok(task).await;
    assert_eq!(d.guest(150).await.unwrap().node.as_deref(), Some("pve3"));
}

#[tokio::test]
async fn ha_is_enabled_changed_and_disabled_from_the_guest() {
    let d = open().await;
    // 200 staging-web is not under HA.
    assert_eq!(
        ha::get(&d.ctx, PROD, "pve1", Qemu, 200).await.unwrap(),
        None
    );
    let settings = HaSettings {
        state: HaState::Started,
        group: None,
        max_restart: 2,
        max_relocate: 1,
        comment: Some("staging front".into()),
    };
    let added = ha::set(&d.ctx, PROD, "pve1", Qemu, 200, settings.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(added.sid, "vm:200");
    assert_eq!(added.settings.max_restart, 2);
    assert_eq!(added.settings.comment.as_deref(), Some("staging front"));
    assert!(d.guest(200).await.unwrap().hastate.is_some());
    let changed = ha::set(
        &d.ctx,
        PROD,
        "pve1",
        Qemu,
        200,
        HaSettings {
            state: HaState::Stopped,
            comment: None,
            ..settings.clone()
        },
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(changed.settings.state, HaState::Stopped);
    assert_eq!(changed.settings.comment, None);
    // PVE 9 has no groups any more once migrated to rules: the group field says why.
    let e = ha::set(
        &d.ctx,
        PROD,
        "pve1",
        Qemu,
        200,
        HaSettings {
            group: Some("prefer-pve1".into()),
            ..settings
        },
    )
    .await
    .unwrap_err();
    assert!(e.fields.contains_key("group"), "{e:?}");
    ha::remove(&d.ctx, PROD, "pve1", Qemu, 200).await.unwrap();
    assert_eq!(
        ha::get(&d.ctx, PROD, "pve1", Qemu, 200).await.unwrap(),
        None
    );
    let actions: Vec<String> = d
        .audit()
        .await
        .into_iter()
        .filter(|e| e.target == "prod/qemu/200")
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "guest.ha.add",
            "guest.ha.update",
            "guest.ha.update",
            "guest.ha.remove"
        ]
    );
}

#[tokio::test]
async fn cloud_init_settings_round_trip_and_the_password_is_never_kept() {
    let d = open().await;
    let before = cloudinit::get(&d.ctx, PROD, "pve3", Qemu, 113)
        .await
        .unwrap();
    assert!(before.has_drive);
    assert_eq!(before.user.as_deref(), Some("debian"));
    assert_eq!(before.nets, ["net0"]);
    assert!(before.changed.is_empty(), "{before:?}");
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb6k+/proxdeck admin@laptop";
    let secret = "correct horse battery staple";
    let after = cloudinit::set(
        &d.ctx,
        PROD,
        "pve3",
        Qemu,
        113,
        CloudInitInput {
            digest: before.digest.clone(),
            user: Some("ops".into()),
            password: Some(secret.into()),
            ssh_keys: Some(vec![key.into()]),
            nameserver: Some("192.0.2.53".into()),
            searchdomain: None,
            ipconfig: set(&[("ipconfig0", "ip=192.0.2.24/24,gw=192.0.2.1")]),
        },
    )
    .await
    .unwrap();
    assert_eq!(after.user.as_deref(), Some("ops"));
    assert!(after.password_set);
    assert_eq!(after.ssh_keys, [key]);
    assert_eq!(after.nameserver.as_deref(), Some("192.0.2.53"));
    assert_eq!(after.ipconfig["ipconfig0"], "ip=192.0.2.24/24,gw=192.0.2.1");
    // (PVE lists only its eight cloud-init options here, not `ipconfigN`.)
    for k in ["ciuser", "cipassword", "sshkeys"] {
        assert!(
            after.changed.contains(&k.to_owned()),
            "{k} not pending regeneration: {after:?}"
        );
    }
    // The password is in no audit row, and not in the database file at all.
    let row = d.audited("guest.cloudinit", "prod/qemu/113").await;
    assert!(!row.details.to_string().contains(secret));
    let db = std::fs::read(d.ctx.paths.data_dir.join("proxdeck.sqlite3")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&db).contains(secret));
    // A private key is refused before anything is sent.
    let e = cloudinit::set(
        &d.ctx,
        PROD,
        "pve3",
        Qemu,
        113,
        CloudInitInput {
            digest: after.digest.clone(),
            user: None,
            password: None,
            // The header of a pasted private key (built, so no key-like text sits in the source).
            ssh_keys: Some(vec![format!("-----BEGIN OPENSSH {} KEY-----", "PRIVATE")]),
            nameserver: None,
            searchdomain: None,
            ipconfig: BTreeMap::new(),
        },
    )
    .await
    .unwrap_err();
    assert!(e.fields.contains_key("sshKeys"));
    let regenerated = cloudinit::regenerate(&d.ctx, PROD, "pve3", Qemu, 113)
        .await
        .unwrap();
    assert!(regenerated.changed.is_empty(), "{regenerated:?}");
    // Containers have none.
    let e = cloudinit::get(&d.ctx, PROD, "pve1", Lxc, 150)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
}

#[tokio::test]
async fn agent_addresses_come_ipv4_first_and_a_silent_agent_is_a_state() {
    let d = open().await;
    let ips = agent::ips(&d.ctx, PROD, "pve1", Qemu, 110).await.unwrap();
    assert_eq!(ips.state, agent::AgentState::Answered);
    assert!(
        ips.addresses[0].parse::<std::net::Ipv4Addr>().is_ok(),
        "{ips:?}"
    );
    assert!(ips.addresses.iter().all(|a| a != "127.0.0.1"));
    let ct = agent::ips(&d.ctx, PROD, "pve1", Lxc, 150).await.unwrap();
    assert_eq!(ct.state, agent::AgentState::Answered);
    assert!(!ct.addresses.is_empty());
    let stopped = agent::ips(&d.ctx, PROD, "pve3", Qemu, 113).await.unwrap();
    assert_eq!(stopped.state, agent::AgentState::GuestStopped);
    // A VM started without the agent enabled: not configured, not an error. (On a running
    // VM the change would wait for the next start, as in PVE.)
    let cfg = d.config("pve2", Qemu, 171).await;
    d.update("pve2", Qemu, 171, change(&cfg.digest, &[("agent", "0")]))
        .await
        .unwrap();
    let started = guests::power(&d.ctx, PROD, "pve2", Qemu, 171, PowerAction::Start)
        .await
        .unwrap();
    d.ok(started).await;
    let off = agent::ips(&d.ctx, PROD, "pve2", Qemu, 171).await.unwrap();
    assert!(
        matches!(off.state, agent::AgentState::NotConfigured),
        "{off:?}"
    );
    // The poller asks each running guest once, then leaves them until they are due.
    d.guest(100).await;
    let asked = agent::poll_once(&d.ctx).await;
    assert!(asked > 10, "{asked}");
    assert_eq!(agent::poll_once(&d.ctx).await, 0);
    let known = agent::known(&d.ctx);
    assert!(
        known
            .iter()
            .any(|k| k.vmid == 100 && !k.addresses.is_empty())
    );
}

#[tokio::test]
async fn snapshots_show_the_tree_and_are_taken_with_ram_rolled_back_and_removed() {
    let d = open().await;
    // 120 db1: weekly_base → before_pg17 → current.
    let list = snapshots::list(&d.ctx, PROD, "pve1", Qemu, 120)
        .await
        .unwrap();
    let names: Vec<(&str, Option<&str>)> = list
        .iter()
        .map(|s| (s.name.as_str(), s.parent.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("weekly_base", None),
            ("before_pg17", Some("weekly_base")),
            ("current", Some("before_pg17"))
        ]
    );
    assert!(list.last().unwrap().current);

    let e = d
        .snapshot("pve1", Qemu, 120, snap("1st"))
        .await
        .unwrap_err();
    assert!(e.fields.contains_key("snapname"), "{e:?}");
    let task = d
        .snapshot(
            "pve1",
            Qemu,
            120,
            SnapshotInput {
                name: "before_tuning".into(),
                description: "with RAM".into(),
                vmstate: true,
            },
        )
        .await
        .unwrap();
    d.ok(task).await;
    let list = snapshots::list(&d.ctx, PROD, "pve1", Qemu, 120)
        .await
        .unwrap();
    let taken = list.iter().find(|s| s.name == "before_tuning").unwrap();
    assert!(taken.vmstate);
    assert_eq!(taken.parent.as_deref(), Some("before_pg17"));
    assert_eq!(
        list.last().unwrap().parent.as_deref(),
        Some("before_tuning")
    );
    // The same name again.
    let dup = d.snapshot("pve1", Qemu, 120, snap("before_tuning")).await;
    match dup {
        Err(e) => assert!(e.message.contains("already exists"), "{e:?}"),
        Ok(t) => assert!(d.ended(&t).await.failed()),
    }

    let task = snapshots::rollback(&d.ctx, PROD, "pve1", Qemu, 120, "weekly_base".into(), false)
        .await
        .unwrap();
    d.ok(task).await;
    let list = snapshots::list(&d.ctx, PROD, "pve1", Qemu, 120)
        .await
        .unwrap();
    assert_eq!(list.last().unwrap().parent.as_deref(), Some("weekly_base"));

    let task = snapshots::delete(&d.ctx, PROD, "pve1", Qemu, 120, "before_tuning".into())
        .await
        .unwrap();
    d.ok(task).await;
    let list = snapshots::list(&d.ctx, PROD, "pve1", Qemu, 120)
        .await
        .unwrap();
    assert!(list.iter().all(|s| s.name != "before_tuning"));
    let actions: Vec<String> = d
        .audit()
        .await
        .into_iter()
        .filter(|e| e.target == "prod/qemu/120" && e.action.starts_with("guest."))
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"guest.snapshot".to_owned()));
    assert!(actions.contains(&"guest.snapshot.rollback".to_owned()));
    assert!(actions.contains(&"guest.snapshot.delete".to_owned()));
}

#[tokio::test]
async fn a_locked_guest_explains_the_lock_for_every_action() {
    let d = open().await;
    // 122 db3 is locked by a backup.
    let cfg = d.config("pve3", Qemu, 122).await;
    let e = d
        .update(
            "pve3",
            Qemu,
            122,
            change(&cfg.digest, &[("memory", "4096")]),
        )
        .await
        .unwrap_err();
    assert!(
        e.message.contains("locked") && e.message.contains("qm unlock 122"),
        "{e:?}"
    );
    let e = d.snapshot("pve3", Qemu, 122, snap("x1")).await;
    match e {
        Err(e) => assert!(e.message.contains("locked"), "{e:?}"),
        Ok(t) => assert!(d.ended(&t).await.exitstatus.unwrap().contains("locked")),
    }
}

#[tokio::test]
async fn a_task_log_streams_line_by_line_and_closing_the_window_leaves_the_task_running() {
    let d = open().await;
    let task = guests::power(&d.ctx, PROD, "pve3", Qemu, 113, PowerAction::Start)
        .await
        .unwrap();
    let pages = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&pages);
    proxdeck_core::tasks::follow_log(
        &d.ctx,
        PROD,
        "pve3",
        &task.upid,
        "w1",
        Duration::from_millis(100),
        |page| {
            sink.lock().unwrap().push(page);
            true
        },
    )
    .await
    .unwrap();
    let pages = pages.lock().unwrap().clone();
    assert!(
        pages.len() >= 2,
        "the log came in more than one page: {pages:?}"
    );
    assert!(pages.first().unwrap().running);
    let last = pages.last().unwrap();
    assert!(!last.running);
    assert_eq!(last.exitstatus.as_deref(), Some("OK"));
    let numbers: Vec<u32> = pages
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| l.n))
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "no line twice, in order: {numbers:?}"
    );
    assert!(
        pages
            .iter()
            .flat_map(|p| &p.lines)
            .any(|l| l.t.starts_with("TASK OK"))
    );
    assert_eq!(d.ctx.log_follows.count(), 0);

    // Closing the window: the stream ends at once, the task is not stopped.
    let task = guests::power(&d.ctx, PROD, "pve3", Qemu, 113, PowerAction::Shutdown)
        .await
        .unwrap();
    let ctx = Arc::clone(&d.ctx);
    let upid = task.upid.clone();
    let follow = tokio::spawn(async move {
        let mut n = 0;
        proxdeck_core::tasks::follow_log(
            &ctx,
            PROD,
            "pve3",
            &upid,
            "w2",
            Duration::from_millis(100),
            |_| {
                n += 1;
                true
            },
        )
        .await
        .map(|()| n)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(d.ctx.log_follows.count(), 1);
    proxdeck_core::tasks::unfollow_log(&d.ctx, "w2");
    let seen = tokio::time::timeout(Duration::from_millis(500), follow)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(seen >= 1);
    let done = d.ok(task).await;
    assert!(!done.failed(), "the task went on to its end: {done:?}");
}

#[tokio::test]
async fn a_node_lost_mid_migration_fails_the_task_and_the_guest_stays_where_it_was() {
    let d = open().await;
    let task = lifecycle::migrate(&d.ctx, PROD, "pve1", Qemu, 100, "pve3".into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    demo::set_node_online(&d.ctx, PROD, "pve3", false)
        .await
        .unwrap();
    let done = d.ended(&task).await;
    assert!(done.failed(), "{done:?}");
    assert!(
        done.exitstatus.as_deref().unwrap().contains("pve3"),
        "{done:?}"
    );
    let vm = d.guest(100).await.unwrap();
    assert_eq!(
        (vm.node.as_deref(), vm.status.as_deref()),
        (Some("pve1"), Some("running"))
    );
    // The next try offers pve3 no more, and says why.
    let options = lifecycle::migrate_options(&d.ctx, PROD, "pve1", Qemu, 100)
        .await
        .unwrap();
    let pve3 = options.targets.iter().find(|t| t.node == "pve3").unwrap();
    assert_eq!(pve3.reason.as_deref(), Some("offline"));
    let e = lifecycle::migrate(&d.ctx, PROD, "pve1", Qemu, 100, "pve3".into())
        .await
        .unwrap_err();
    assert!(e.fields["target"].contains("offline"), "{e:?}");
}

#[tokio::test]
async fn tasks_failing_together_give_one_desktop_notification() {
    let d = open().await;
    let mut tasks = Vec::new();
    for (node, vmid) in [("pve1", 100), ("pve2", 101), ("pve1", 110)] {
        tasks.push(
            lifecycle::migrate(&d.ctx, PROD, node, Qemu, vmid, "pve3".into())
                .await
                .unwrap(),
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    demo::set_node_online(&d.ctx, PROD, "pve3", false)
        .await
        .unwrap();
    for t in &tasks {
        assert!(d.ended(t).await.failed());
    }
    tokio::time::sleep(proxdeck_core::tracked::NOTIFY_BATCH + Duration::from_millis(500)).await;
    let notes: Vec<(String, String)> = d
        .events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::Notification { title, body } => Some((title.clone(), body.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].0, "3 of 3 tasks failed on prod");
    assert!(notes[0].1.contains("pve3"), "{notes:?}");
}

#[tokio::test]
async fn containers_clone_edit_live_and_snapshot_through_their_own_endpoints() {
    let d = open().await;
    // The CT template 9010 on pve2: a full clone onto the shared storage.
    let options = clone::options(&d.ctx, PROD, "pve2", Lxc, 9010)
        .await
        .unwrap();
    assert!(options.template);
    let storages = clone::storages(&d.ctx, PROD, "pve2", Lxc).await.unwrap();
    assert!(
        storages.iter().any(|s| s.storage == "ceph-vm"),
        "{storages:?}"
    );
    let newid = options.next_vmid;
    let task = clone::clone(
        &d.ctx,
        PROD,
        "pve2",
        Lxc,
        9010,
        CloneInput {
            newid,
            name: Some("ct-e2e".into()),
            description: None,
            target: None,
            full: true,
            storage: Some("ceph-vm".into()),
            pool: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(task.description, "CT 9010 - Clone");
    d.ok(task).await;
    let ct = d.guest(newid).await.unwrap();
    assert_eq!(
        (ct.kind.as_str(), ct.name.as_deref()),
        ("lxc", Some("ct-e2e"))
    );

    // A running container takes a memory change at once (pve-container hot-plugs it).
    let cfg = d.config("pve1", Lxc, 130).await;
    let after = d
        .update("pve1", Lxc, 130, change(&cfg.digest, &[("memory", "6144")]))
        .await
        .unwrap();
    let memory = after.entries.iter().find(|e| e.key == "memory").unwrap();
    assert_eq!(
        (memory.value.as_deref(), memory.pending.as_deref()),
        (Some("6144"), None)
    );
    // Its rootfs grows by a task.
    let task = config::resize_disk(
        &d.ctx,
        PROD,
        "pve1",
        Lxc,
        130,
        DiskResize {
            disk: "rootfs".into(),
            size: "+2G".into(),
            digest: after.digest.clone(),
        },
    )
    .await
    .unwrap();
    d.ok(task).await;
    assert!(
        d.config("pve1", Lxc, 130)
            .await
            .effective("rootfs")
            .unwrap()
            .contains("size=10G")
    );
    // A container snapshot has no RAM state, whatever is asked.
    let task = d
        .snapshot(
            "pve1",
            Lxc,
            130,
            SnapshotInput {
                name: "ct_snap".into(),
                description: String::new(),
                vmstate: true,
            },
        )
        .await
        .unwrap();
    d.ok(task).await;
    let list = snapshots::list(&d.ctx, PROD, "pve1", Lxc, 130)
        .await
        .unwrap();
    let snap = list.iter().find(|s| s.name == "ct_snap").unwrap();
    assert!(!snap.vmstate);
    // Containers have no reset.
    let e = guests::power(&d.ctx, PROD, "pve1", Lxc, 130, PowerAction::Reset)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Invalid);
}
