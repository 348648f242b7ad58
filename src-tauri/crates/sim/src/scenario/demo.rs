//! The built-in demo datacenter: what the app's demo mode shows and what most tests log
//! into. It has to look like a real shop's estate so that every view has something to
//! show: HA, templates, cloud-init, guest-agent addresses, snapshots, a paused VM, a
//! backup in progress, users with every kind of access, a second factor, and backups
//! that cover most but deliberately not all production guests.
//!
//! Every address is loopback or from the documentation ranges (192.0.2.0/24,
//! 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), so nothing here can collide with a
//! real network. The passwords and secrets are fixtures, published on purpose.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{
    Acl, AgentInterface, BackupGroup, BackupType, CloudInit, Cluster, Datastore, GcStatus, Group,
    Guest, GuestKind, GuestStatus, HaResource, HaState, Node, Pbs, Pool, Role, Scenario, Snapshot,
    Storage, StorageKind, Token, User,
};

/// `root@pam` on both clusters and on the PBS.
pub const DEMO_ROOT_PASSWORD: &str = "demo-root-password";
/// `admin@pve` (PVEAdmin on `/`) on both clusters.
pub const DEMO_ADMIN_PASSWORD: &str = "demo-admin-password";
/// `auditor@pve` (PVEAuditor on `/`) on prod.
pub const DEMO_AUDITOR_PASSWORD: &str = "demo-auditor-password";
/// `operator@pve` (PVEVMUser on `/pool/prod-web`, and via group `ops` on `/pool/prod-db`).
pub const DEMO_OPERATOR_PASSWORD: &str = "demo-operator-password";
/// `secops@pve`, who also needs a TOTP code (see [`DEMO_SECOPS_TOTP_SECRET`]).
pub const DEMO_SECOPS_PASSWORD: &str = "demo-secops-password";
/// Base32 TOTP seed of `secops@pve`.
pub const DEMO_SECOPS_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
/// Secret of `root@pam!proxdeck` (privsep off) on prod.
pub const DEMO_PROD_TOKEN_SECRET: &str = "5f0c8e2a-3b1d-4c6e-9a7f-1d2e3f4a5b6c";
/// Secret of `root@pam!proxdeck` (privsep off) on lab.
pub const DEMO_LAB_TOKEN_SECRET: &str = "a7b3c9d1-e5f2-4a68-8b0c-2e4f6a8c0d1e";
/// Secret of `operator@pve!ci` (privsep on, role CIDeployer on `/pool/prod-web`) on prod.
pub const DEMO_CI_TOKEN_SECRET: &str = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";
/// Secret of `root@pam!proxdeck` (Admin on `/`) on the PBS.
pub const DEMO_PBS_TOKEN_SECRET: &str = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";

const DAY: i64 = 86_400;

impl Scenario {
    /// The demo datacenter with times (snapshots, backups, GC) relative to now.
    pub fn demo() -> Scenario {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Scenario::demo_at(now)
    }

    /// The demo datacenter as it looks at `now` (unix seconds); equal inputs give equal
    /// scenarios.
    ///
    /// - cluster `prod`: nodes pve1–pve3; storages local (dir), local-zfs (zfspool),
    ///   ceph-vm (rbd, shared), pbs-backup (pbs); pools prod-web, prod-db, infra;
    ///   29 guests including templates 9000 debian-12-cloud, 9001 ubuntu-24.04-cloud and
    ///   9010 debian-12-ct, paused 181 win-rdp, 122 db3 locked by a backup; 11 HA resources.
    /// - cluster `lab`: node lab1; storages local, local-lvm (lvmthin), pbs-backup; pool
    ///   lab; 11 guests including template 9100 debian-13-cloud.
    /// - PBS `pbs-backup`: datastores `prod` and `lab`, each cluster's backups in its own
    ///   namespace (`pve-prod`, `pve-lab`; each cluster's `pbs-backup` storage points there,
    ///   its address filled in when the simulator starts); lab1's host backup is in the
    ///   root of `lab`. Prod guests 113, 171, 190 and 191 have no backup and 140's newest
    ///   is three weeks old.
    pub fn demo_at(now: i64) -> Scenario {
        let prod = prod_cluster(now);
        let lab = lab_cluster(now);
        let pbs = pbs_server(now, &prod, &lab);
        Scenario {
            clusters: vec![prod, lab],
            pbs: vec![pbs],
        }
    }
}

/// The row of the guest tables below.
struct Spec {
    vmid: u32,
    name: &'static str,
    node: &'static str,
    kind: GuestKind,
    status: GuestStatus,
    pool: Option<&'static str>,
    tags: &'static str,
    cores: u32,
    memory_mib: u64,
    disk_gib: u64,
    storage: &'static str,
    /// Last octet of the guest's address, 0 for none.
    host: u8,
}

use GuestKind::{Lxc as CT, Qemu as VM};
use GuestStatus::{Paused as PAUSED, Running as UP, Stopped as DOWN};

#[rustfmt::skip]
const PROD_GUESTS: &[Spec] = &[
    Spec { vmid: 100, name: "lb1", node: "pve1", kind: VM, status: UP, pool: Some("prod-web"), tags: "prod;lb", cores: 2, memory_mib: 2048, disk_gib: 16, storage: "ceph-vm", host: 10 },
    Spec { vmid: 101, name: "lb2", node: "pve2", kind: VM, status: UP, pool: Some("prod-web"), tags: "prod;lb", cores: 2, memory_mib: 2048, disk_gib: 16, storage: "ceph-vm", host: 11 },
    Spec { vmid: 110, name: "web1", node: "pve1", kind: VM, status: UP, pool: Some("prod-web"), tags: "prod;web", cores: 4, memory_mib: 8192, disk_gib: 40, storage: "ceph-vm", host: 21 },
    Spec { vmid: 111, name: "web2", node: "pve2", kind: VM, status: UP, pool: Some("prod-web"), tags: "prod;web", cores: 4, memory_mib: 8192, disk_gib: 40, storage: "ceph-vm", host: 22 },
    Spec { vmid: 112, name: "web3", node: "pve3", kind: VM, status: UP, pool: Some("prod-web"), tags: "prod;web", cores: 4, memory_mib: 8192, disk_gib: 40, storage: "ceph-vm", host: 23 },
    Spec { vmid: 113, name: "web4", node: "pve3", kind: VM, status: DOWN, pool: Some("prod-web"), tags: "prod;web;spare", cores: 4, memory_mib: 8192, disk_gib: 40, storage: "ceph-vm", host: 24 },
    Spec { vmid: 120, name: "db1", node: "pve1", kind: VM, status: UP, pool: Some("prod-db"), tags: "prod;db", cores: 8, memory_mib: 32768, disk_gib: 250, storage: "ceph-vm", host: 31 },
    Spec { vmid: 121, name: "db2", node: "pve2", kind: VM, status: UP, pool: Some("prod-db"), tags: "prod;db", cores: 8, memory_mib: 32768, disk_gib: 250, storage: "ceph-vm", host: 32 },
    Spec { vmid: 122, name: "db3", node: "pve3", kind: VM, status: UP, pool: Some("prod-db"), tags: "prod;db;replica", cores: 8, memory_mib: 32768, disk_gib: 250, storage: "local-zfs", host: 33 },
    Spec { vmid: 130, name: "cache1", node: "pve1", kind: CT, status: UP, pool: Some("prod-web"), tags: "prod;cache", cores: 2, memory_mib: 4096, disk_gib: 8, storage: "local-zfs", host: 41 },
    Spec { vmid: 131, name: "cache2", node: "pve2", kind: CT, status: UP, pool: Some("prod-web"), tags: "prod;cache", cores: 2, memory_mib: 4096, disk_gib: 8, storage: "local-zfs", host: 42 },
    Spec { vmid: 140, name: "mq1", node: "pve3", kind: VM, status: UP, pool: None, tags: "prod;queue", cores: 4, memory_mib: 8192, disk_gib: 64, storage: "local-zfs", host: 51 },
    Spec { vmid: 150, name: "dns1", node: "pve1", kind: CT, status: UP, pool: Some("infra"), tags: "infra;dns", cores: 1, memory_mib: 512, disk_gib: 4, storage: "ceph-vm", host: 53 },
    Spec { vmid: 151, name: "dns2", node: "pve2", kind: CT, status: UP, pool: Some("infra"), tags: "infra;dns", cores: 1, memory_mib: 512, disk_gib: 4, storage: "ceph-vm", host: 54 },
    Spec { vmid: 152, name: "ntp", node: "pve3", kind: CT, status: UP, pool: Some("infra"), tags: "infra", cores: 1, memory_mib: 256, disk_gib: 4, storage: "local-zfs", host: 55 },
    Spec { vmid: 160, name: "monitoring", node: "pve3", kind: VM, status: UP, pool: Some("infra"), tags: "infra;monitoring", cores: 4, memory_mib: 16384, disk_gib: 200, storage: "local-zfs", host: 60 },
    Spec { vmid: 161, name: "grafana", node: "pve3", kind: CT, status: UP, pool: Some("infra"), tags: "infra;monitoring", cores: 2, memory_mib: 2048, disk_gib: 8, storage: "local-zfs", host: 61 },
    Spec { vmid: 170, name: "ci-runner1", node: "pve2", kind: VM, status: UP, pool: None, tags: "ci", cores: 8, memory_mib: 16384, disk_gib: 100, storage: "local-zfs", host: 70 },
    Spec { vmid: 171, name: "ci-runner2", node: "pve2", kind: VM, status: DOWN, pool: None, tags: "ci", cores: 8, memory_mib: 16384, disk_gib: 100, storage: "local-zfs", host: 71 },
    Spec { vmid: 180, name: "win-ad1", node: "pve1", kind: VM, status: UP, pool: Some("infra"), tags: "infra;windows", cores: 4, memory_mib: 8192, disk_gib: 80, storage: "ceph-vm", host: 80 },
    Spec { vmid: 181, name: "win-rdp", node: "pve2", kind: VM, status: PAUSED, pool: None, tags: "windows", cores: 4, memory_mib: 16384, disk_gib: 120, storage: "local-zfs", host: 81 },
    Spec { vmid: 190, name: "legacy-app", node: "pve3", kind: VM, status: DOWN, pool: None, tags: "legacy", cores: 2, memory_mib: 4096, disk_gib: 50, storage: "local-zfs", host: 90 },
    Spec { vmid: 191, name: "old-wiki", node: "pve1", kind: CT, status: DOWN, pool: None, tags: "legacy", cores: 1, memory_mib: 1024, disk_gib: 10, storage: "local-zfs", host: 91 },
    Spec { vmid: 200, name: "staging-web", node: "pve1", kind: VM, status: UP, pool: None, tags: "staging;web", cores: 2, memory_mib: 4096, disk_gib: 40, storage: "local-zfs", host: 121 },
    Spec { vmid: 201, name: "staging-db", node: "pve2", kind: VM, status: UP, pool: None, tags: "staging;db", cores: 4, memory_mib: 8192, disk_gib: 100, storage: "local-zfs", host: 131 },
    Spec { vmid: 210, name: "bastion", node: "pve1", kind: CT, status: UP, pool: Some("infra"), tags: "infra;ssh", cores: 1, memory_mib: 512, disk_gib: 4, storage: "ceph-vm", host: 5 },
    Spec { vmid: 9000, name: "debian-12-cloud", node: "pve1", kind: VM, status: DOWN, pool: None, tags: "template", cores: 2, memory_mib: 2048, disk_gib: 3, storage: "ceph-vm", host: 0 },
    Spec { vmid: 9001, name: "ubuntu-24.04-cloud", node: "pve1", kind: VM, status: DOWN, pool: None, tags: "template", cores: 2, memory_mib: 2048, disk_gib: 4, storage: "ceph-vm", host: 0 },
    Spec { vmid: 9010, name: "debian-12-ct", node: "pve2", kind: CT, status: DOWN, pool: None, tags: "template", cores: 1, memory_mib: 512, disk_gib: 4, storage: "ceph-vm", host: 0 },
];

#[rustfmt::skip]
const LAB_GUESTS: &[Spec] = &[
    Spec { vmid: 500, name: "k8s-cp1", node: "lab1", kind: VM, status: UP, pool: Some("lab"), tags: "lab;k8s", cores: 2, memory_mib: 4096, disk_gib: 32, storage: "local-lvm", host: 10 },
    Spec { vmid: 501, name: "k8s-w1", node: "lab1", kind: VM, status: UP, pool: Some("lab"), tags: "lab;k8s", cores: 4, memory_mib: 8192, disk_gib: 64, storage: "local-lvm", host: 11 },
    Spec { vmid: 502, name: "k8s-w2", node: "lab1", kind: VM, status: UP, pool: Some("lab"), tags: "lab;k8s", cores: 4, memory_mib: 8192, disk_gib: 64, storage: "local-lvm", host: 12 },
    Spec { vmid: 510, name: "pihole", node: "lab1", kind: CT, status: UP, pool: Some("lab"), tags: "lab;dns", cores: 1, memory_mib: 512, disk_gib: 4, storage: "local-lvm", host: 53 },
    Spec { vmid: 511, name: "nextcloud-test", node: "lab1", kind: CT, status: DOWN, pool: Some("lab"), tags: "lab", cores: 2, memory_mib: 2048, disk_gib: 32, storage: "local-lvm", host: 60 },
    Spec { vmid: 520, name: "win11-test", node: "lab1", kind: VM, status: DOWN, pool: Some("lab"), tags: "lab;windows", cores: 4, memory_mib: 8192, disk_gib: 64, storage: "local-lvm", host: 70 },
    Spec { vmid: 521, name: "opnsense-test", node: "lab1", kind: VM, status: DOWN, pool: Some("lab"), tags: "lab;network", cores: 2, memory_mib: 4096, disk_gib: 16, storage: "local-lvm", host: 1 },
    Spec { vmid: 530, name: "dev-box", node: "lab1", kind: VM, status: UP, pool: Some("lab"), tags: "lab;dev", cores: 8, memory_mib: 16384, disk_gib: 128, storage: "local-lvm", host: 30 },
    Spec { vmid: 531, name: "gitea", node: "lab1", kind: CT, status: UP, pool: Some("lab"), tags: "lab;dev", cores: 2, memory_mib: 2048, disk_gib: 16, storage: "local-lvm", host: 31 },
    Spec { vmid: 540, name: "scratch", node: "lab1", kind: CT, status: DOWN, pool: None, tags: "", cores: 1, memory_mib: 512, disk_gib: 8, storage: "local-lvm", host: 0 },
    Spec { vmid: 9100, name: "debian-13-cloud", node: "lab1", kind: VM, status: DOWN, pool: None, tags: "template", cores: 2, memory_mib: 2048, disk_gib: 3, storage: "local-lvm", host: 0 },
];

/// Proxmox's own OUI (BC:24:11), which PVE uses for the MACs it generates.
fn mac(vmid: u32, nic: u8) -> String {
    format!(
        "BC:24:11:{:02X}:{:02X}:{:02X}",
        (vmid >> 8) as u8,
        vmid as u8,
        nic
    )
}

/// The network (documentation range) a guest's address lives in.
struct Net {
    prefix: &'static str,
    v6: &'static str,
}

fn build_guest(spec: &Spec, net: &Net) -> Guest {
    let mut g = Guest::new(spec.vmid, spec.name, spec.node);
    g.kind = spec.kind;
    g.status = spec.status;
    g.template = spec.tags == "template";
    g.tags = spec
        .tags
        .split(';')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    g.pool = spec.pool.map(str::to_owned);
    g.cores = spec.cores;
    g.memory_mib = spec.memory_mib;
    g.disk_gib = spec.disk_gib;

    // Templates' disks are base images; local ZFS containers use subvolumes.
    let volume_prefix = match (g.template, spec.kind, spec.storage) {
        (true, _, _) => "base",
        (false, GuestKind::Lxc, "local-zfs") => "subvol",
        _ => "vm",
    };
    let volume = format!(
        "{}:{volume_prefix}-{}-disk-0,size={}G",
        spec.storage, spec.vmid, spec.disk_gib
    );
    let windows = spec.tags.contains("windows");
    let mut config = BTreeMap::new();
    match spec.kind {
        GuestKind::Qemu => {
            let disk_opts = if windows {
                ",discard=on"
            } else {
                ",discard=on,iothread=1,ssd=1"
            };
            config.insert("scsi0".into(), format!("{volume}{disk_opts}"));
            config.insert("scsihw".into(), "virtio-scsi-single".into());
            config.insert(
                "net0".into(),
                format!("virtio={},bridge=vmbr0,firewall=1", mac(spec.vmid, 0)),
            );
            config.insert("boot".into(), "order=scsi0;net0".into());
            config.insert("cpu".into(), "x86-64-v2-AES".into());
            config.insert("sockets".into(), "1".into());
            config.insert("numa".into(), "0".into());
            config.insert("agent".into(), "1".into());
            config.insert("onboot".into(), u8::from(!g.template).to_string());
            if windows {
                config.insert("ostype".into(), "win11".into());
                config.insert("machine".into(), "pc-q35-10.0".into());
                config.insert("bios".into(), "ovmf".into());
                config.insert(
                    "efidisk0".into(),
                    format!(
                        "{}:vm-{}-disk-1,efitype=4m,pre-enrolled-keys=1,size=1M",
                        spec.storage, spec.vmid
                    ),
                );
                config.insert(
                    "tpmstate0".into(),
                    format!(
                        "{}:vm-{}-disk-2,size=4M,version=v2.0",
                        spec.storage, spec.vmid
                    ),
                );
            } else {
                config.insert("ostype".into(), "l26".into());
                config.insert("serial0".into(), "socket".into());
            }
        }
        GuestKind::Lxc => {
            config.insert("rootfs".into(), volume);
            config.insert("arch".into(), "amd64".into());
            config.insert("ostype".into(), "debian".into());
            config.insert("unprivileged".into(), "1".into());
            config.insert("features".into(), "nesting=1".into());
            config.insert("swap".into(), "512".into());
            config.insert("onboot".into(), u8::from(!g.template).to_string());
            let ip = if spec.host == 0 {
                "dhcp".to_owned()
            } else {
                format!("{}.{}/24,gw={}.1", net.prefix, spec.host, net.prefix)
            };
            config.insert(
                "net0".into(),
                format!(
                    "name=eth0,bridge=vmbr0,firewall=1,hwaddr={},ip={ip},type=veth",
                    mac(spec.vmid, 0)
                ),
            );
        }
    }
    g.config = config;

    // Only a running guest has an agent (or container) reporting its addresses.
    if spec.host != 0 && spec.status != GuestStatus::Stopped {
        let v4 = format!("{}.{}/24", net.prefix, spec.host);
        let v6 = format!("{}::{:x}/64", net.v6, spec.host);
        g.agent_interfaces = if windows {
            vec![
                AgentInterface {
                    name: "Loopback Pseudo-Interface 1".into(),
                    mac: String::new(),
                    ips: vec!["127.0.0.1/8".into(), "::1/128".into()],
                },
                AgentInterface {
                    name: "Ethernet".into(),
                    mac: mac(spec.vmid, 0).to_lowercase(),
                    ips: vec![v4, v6],
                },
            ]
        } else {
            let nic = if spec.kind == GuestKind::Lxc {
                "eth0"
            } else {
                "ens18"
            };
            vec![
                AgentInterface {
                    name: "lo".into(),
                    mac: "00:00:00:00:00:00".into(),
                    ips: vec!["127.0.0.1/8".into(), "::1/128".into()],
                },
                AgentInterface {
                    name: nic.into(),
                    mac: mac(spec.vmid, 0).to_lowercase(),
                    ips: vec![v4, v6],
                },
            ]
        };
    }
    g
}

const OPS_KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGRlbW8ta2V5LW9ubHktbm90LWEtcmVhbC1rZXktMDAx ops@example.com";

fn cloudinit(user: &str, net: &Net, host: u8, searchdomain: &str) -> CloudInit {
    let ipconfig0 = if host == 0 {
        "ip=dhcp".to_owned()
    } else {
        format!("ip={}.{host}/24,gw={}.1", net.prefix, net.prefix)
    };
    CloudInit {
        user: Some(user.to_owned()),
        ipconfig0: Some(ipconfig0),
        nameserver: Some(format!("{}.53", net.prefix)),
        searchdomain: Some(searchdomain.to_owned()),
        sshkeys: vec![OPS_KEY.to_owned()],
    }
}

fn add_cloudinit_drive(g: &mut Guest, storage: &str) {
    g.config.insert(
        "ide2".into(),
        format!("{storage}:vm-{}-cloudinit,media=cdrom", g.vmid),
    );
}

fn snapshot(
    name: &str,
    parent: Option<&str>,
    snaptime: i64,
    vmstate: bool,
    text: &str,
) -> Snapshot {
    Snapshot {
        name: name.into(),
        description: text.into(),
        parent: parent.map(str::to_owned),
        snaptime,
        vmstate,
    }
}

fn guest_mut(c: &mut Cluster, vmid: u32) -> &mut Guest {
    c.guests
        .iter_mut()
        .find(|g| g.vmid == vmid)
        .expect("demo guest table lists this vmid")
}

fn node(name: &str, ip: &str, cpus: u32, memory_gib: u32, kernel: &str) -> Node {
    Node {
        ip: ip.into(),
        cpus,
        memory_gib,
        kernel: kernel.into(),
        ..Node::new(name)
    }
}

fn storage(
    id: &str,
    kind: StorageKind,
    content: &[&str],
    total_gib: u64,
    used_gib: u64,
) -> Storage {
    Storage {
        id: id.into(),
        kind,
        content: content.iter().map(|c| (*c).to_owned()).collect(),
        nodes: None,
        shared: kind.is_network(),
        total_gib,
        used_gib,
        datastore: None,
        server: None,
        username: None,
        namespace: None,
    }
}

/// The namespace cluster `name` backs up into.
fn cluster_namespace(name: &str) -> String {
    format!("pve-{name}")
}

fn pbs_storage(datastore: &str, username: &str) -> Storage {
    Storage {
        datastore: Some(datastore.into()),
        server: Some("pbs-backup".into()),
        username: Some(username.into()),
        namespace: Some(cluster_namespace(datastore)),
        ..storage("pbs-backup", StorageKind::Pbs, &["backup"], 8000, 3120)
    }
}

fn user(userid: &str, password: &str, first: &str, last: &str, comment: &str) -> User {
    let name = userid.split('@').next().unwrap_or(userid);
    User {
        firstname: first.into(),
        lastname: last.into(),
        comment: comment.into(),
        email: format!("{name}@example.com"),
        ..User::new(userid, password)
    }
}

fn token(userid: &str, tokenid: &str, secret: &str, privsep: bool, comment: &str) -> Token {
    Token {
        userid: userid.into(),
        tokenid: tokenid.into(),
        secret: secret.into(),
        privsep,
        expire: 0,
        comment: comment.into(),
    }
}

fn ha(sid: &str, state: HaState) -> HaResource {
    HaResource {
        sid: sid.into(),
        state,
        group: None,
        max_restart: 1,
        max_relocate: 1,
    }
}

fn prod_cluster(now: i64) -> Cluster {
    let web = Net {
        prefix: "192.0.2",
        v6: "2001:db8:10",
    };
    let db = Net {
        prefix: "198.51.100",
        v6: "2001:db8:20",
    };
    let mut c = Cluster::new("prod");
    c.nodes = vec![
        node("pve1", "127.0.10.1", 64, 512, "6.17.2-1-pve"),
        node("pve2", "127.0.10.2", 64, 512, "6.17.2-1-pve"),
        node("pve3", "127.0.10.3", 48, 384, "6.17.2-1-pve"),
    ];
    c.storages = vec![
        storage(
            "local",
            StorageKind::Dir,
            &["iso", "vztmpl", "backup", "snippets", "import"],
            94,
            23,
        ),
        storage(
            "local-zfs",
            StorageKind::Zfspool,
            &["images", "rootdir"],
            1760,
            612,
        ),
        storage(
            "ceph-vm",
            StorageKind::Rbd,
            &["images", "rootdir"],
            12_288,
            4_315,
        ),
        pbs_storage("prod", "pve-prod@pbs"),
    ];
    c.pools = vec![
        Pool {
            id: "prod-web".into(),
            comment: "Public web tier".into(),
        },
        Pool {
            id: "prod-db".into(),
            comment: "PostgreSQL cluster".into(),
        },
        Pool {
            id: "infra".into(),
            comment: "DNS, directory, monitoring".into(),
        },
    ];
    c.guests = PROD_GUESTS
        .iter()
        .map(|s| build_guest(s, if s.tags.contains("db") { &db } else { &web }))
        .collect();

    for (vmid, user) in [(9000, "debian"), (9001, "ubuntu")] {
        let g = guest_mut(&mut c, vmid);
        g.cloudinit = Some(cloudinit(user, &web, 0, "prod.example.com"));
        add_cloudinit_drive(g, "ceph-vm");
        g.config
            .insert("description".into(), "Cloud image, generic".into());
    }
    for (vmid, host) in [(110, 21), (111, 22), (112, 23), (113, 24)] {
        let g = guest_mut(&mut c, vmid);
        g.cloudinit = Some(cloudinit("debian", &web, host, "prod.example.com"));
        add_cloudinit_drive(g, "ceph-vm");
    }
    for (vmid, host) in [(120, 31), (121, 32)] {
        let g = guest_mut(&mut c, vmid);
        g.cloudinit = Some(cloudinit("ubuntu", &db, host, "prod.example.com"));
        add_cloudinit_drive(g, "ceph-vm");
    }

    guest_mut(&mut c, 120).snapshots = vec![
        snapshot(
            "weekly_base",
            None,
            now - 30 * DAY,
            false,
            "State after the monthly patch run",
        ),
        snapshot(
            "before_pg17",
            Some("weekly_base"),
            now - 3 * DAY,
            false,
            "Before the PostgreSQL 17 upgrade",
        ),
    ];
    guest_mut(&mut c, 201).snapshots = vec![
        snapshot(
            "clean_install",
            None,
            now - 60 * DAY,
            false,
            "Fresh install",
        ),
        snapshot(
            "seeded_data",
            Some("clean_install"),
            now - 14 * DAY,
            true,
            "With anonymised production data, RAM included",
        ),
    ];
    guest_mut(&mut c, 190).snapshots = vec![snapshot(
        "last_known_good",
        None,
        now - 400 * DAY,
        false,
        "Before the vendor's final update",
    )];
    // A nightly backup is running right now.
    guest_mut(&mut c, 122).lock = Some("backup".into());

    c.groups = vec![Group {
        groupid: "ops".into(),
        comment: "Operations on-call".into(),
    }];
    c.roles = vec![Role {
        roleid: "CIDeployer".into(),
        privs: ["VM.Audit", "VM.Console", "VM.PowerMgmt", "VM.Snapshot"]
            .map(str::to_owned)
            .to_vec(),
    }];
    let mut operator = user(
        "operator@pve",
        DEMO_OPERATOR_PASSWORD,
        "Olga",
        "Operator",
        "Web on-call",
    );
    operator.groups = vec!["ops".into()];
    let mut secops = user(
        "secops@pve",
        DEMO_SECOPS_PASSWORD,
        "Sam",
        "Secure",
        "Security team, TOTP enforced",
    );
    secops.groups = vec!["ops".into()];
    secops.totp_secret = Some(DEMO_SECOPS_TOTP_SECRET.into());
    secops.recovery_keys = [
        "3f1a-9c2e-7b4d-0e8f",
        "a5d2-61c7-e09b-4f3a",
        "7c8e-b1f0-2d6a-93e5",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut former = user(
        "former@pve",
        "demo-former-password",
        "Fred",
        "Former",
        "Left the team",
    );
    former.enable = false;
    let mut contractor = user(
        "contractor@pve",
        "demo-contractor-password",
        "Casey",
        "Contractor",
        "Staging access, contract ended",
    );
    contractor.expire = now - 30 * DAY;
    c.users = vec![
        user("root@pam", DEMO_ROOT_PASSWORD, "", "", ""),
        user(
            "admin@pve",
            DEMO_ADMIN_PASSWORD,
            "Alex",
            "Meyer",
            "Cluster administrator",
        ),
        user(
            "auditor@pve",
            DEMO_AUDITOR_PASSWORD,
            "Ana",
            "Lyst",
            "Read-only, compliance",
        ),
        operator,
        secops,
        former,
        contractor,
    ];
    c.tokens = vec![
        token(
            "root@pam",
            "proxdeck",
            DEMO_PROD_TOKEN_SECRET,
            false,
            "ProxDeck console",
        ),
        token(
            "operator@pve",
            "ci",
            DEMO_CI_TOKEN_SECRET,
            true,
            "Deploy pipeline",
        ),
    ];
    c.acl = vec![
        Acl::for_user("/", "admin@pve", "PVEAdmin"),
        Acl::for_user("/", "auditor@pve", "PVEAuditor"),
        Acl::for_user("/pool/prod-web", "operator@pve", "PVEVMUser"),
        Acl::for_group("/pool/prod-db", "ops", "PVEVMUser"),
        Acl::for_group("/", "ops", "PVEAuditor"),
        Acl::for_token("/pool/prod-web", "operator@pve!ci", "CIDeployer"),
        Acl::for_user("/vms/200", "contractor@pve", "PVEVMUser"),
        Acl::for_user("/", "former@pve", "PVEVMAdmin"),
    ];
    c.ha = vec![
        ha("vm:100", HaState::Started),
        ha("vm:101", HaState::Started),
        ha("vm:110", HaState::Started),
        ha("vm:111", HaState::Started),
        ha("vm:112", HaState::Started),
        ha("vm:113", HaState::Stopped),
        ha("vm:120", HaState::Started),
        ha("vm:121", HaState::Started),
        ha("vm:180", HaState::Started),
        ha("ct:150", HaState::Started),
        ha("ct:151", HaState::Started),
    ];
    c
}

fn lab_cluster(now: i64) -> Cluster {
    let net = Net {
        prefix: "203.0.113",
        v6: "2001:db8:30",
    };
    let mut c = Cluster::new("lab");
    // Upgraded to 9.1 but not rebooted yet: still on the 9.0 kernel.
    c.nodes = vec![node("lab1", "127.0.20.1", 16, 128, "6.14.11-4-pve")];
    let mut lab_pbs = pbs_storage("lab", "pve-lab@pbs");
    lab_pbs.total_gib = 2000;
    lab_pbs.used_gib = 410;
    c.storages = vec![
        storage(
            "local",
            StorageKind::Dir,
            &["iso", "vztmpl", "backup", "snippets"],
            98,
            41,
        ),
        storage(
            "local-lvm",
            StorageKind::Lvmthin,
            &["images", "rootdir"],
            832,
            371,
        ),
        lab_pbs,
    ];
    c.pools = vec![Pool {
        id: "lab".into(),
        comment: "Experiments; may be wiped".into(),
    }];
    c.guests = LAB_GUESTS.iter().map(|s| build_guest(s, &net)).collect();
    {
        let g = guest_mut(&mut c, 9100);
        g.cloudinit = Some(cloudinit("debian", &net, 0, "lab.example.com"));
        add_cloudinit_drive(g, "local-lvm");
    }
    for (vmid, host) in [(500, 10), (501, 11), (502, 12)] {
        let g = guest_mut(&mut c, vmid);
        g.cloudinit = Some(cloudinit("debian", &net, host, "lab.example.com"));
        add_cloudinit_drive(g, "local-lvm");
    }
    guest_mut(&mut c, 530).snapshots = vec![snapshot(
        "baseline",
        None,
        now - 45 * DAY,
        true,
        "Toolchain installed",
    )];
    guest_mut(&mut c, 531).snapshots = vec![snapshot(
        "pre_update",
        None,
        now - 2 * DAY,
        false,
        "Before Gitea update",
    )];
    c.users = vec![
        user("root@pam", DEMO_ROOT_PASSWORD, "", "", ""),
        user(
            "admin@pve",
            DEMO_ADMIN_PASSWORD,
            "Alex",
            "Meyer",
            "Cluster administrator",
        ),
    ];
    c.tokens = vec![token(
        "root@pam",
        "proxdeck",
        DEMO_LAB_TOKEN_SECRET,
        false,
        "ProxDeck console",
    )];
    c.acl = vec![Acl::for_user("/", "admin@pve", "PVEAdmin")];
    c
}

/// Nightly backups at 01:00 UTC (keep-daily 7, keep-weekly 4) of the guests given, plus
/// older-only ones for the guests whose job was dropped.
fn backups_for(
    now: i64,
    cluster: &Cluster,
    owner: &str,
    skip: &[u32],
    stale: &[u32],
) -> Vec<BackupGroup> {
    let mut last = now - now.rem_euclid(DAY) + 3600;
    if last > now {
        last -= DAY;
    }
    let mut groups = Vec::new();
    for g in &cluster.guests {
        if skip.contains(&g.vmid) || (g.template && g.vmid != 9000) {
            continue;
        }
        // Spread over the backup window as a real job does.
        let offset = i64::from(g.vmid % 97) * 40;
        let mut times: Vec<i64> = if stale.contains(&g.vmid) {
            (3..=6).map(|w| last - w * 7 * DAY + offset).collect()
        } else if g.template {
            vec![last - 40 * DAY + offset]
        } else {
            (1..=4)
                .map(|w| last - (w * 7 + 7) * DAY + offset)
                .chain((0..7).map(|d| last - d * DAY + offset))
                .collect()
        };
        times.sort_unstable();
        let (backup_type, size_gib) = match g.kind {
            GuestKind::Qemu => (BackupType::Vm, g.disk_gib),
            GuestKind::Lxc => (BackupType::Ct, g.disk_gib.div_ceil(2)),
        };
        groups.push(BackupGroup {
            ns: cluster_namespace(&cluster.name),
            backup_type,
            backup_id: g.vmid.to_string(),
            owner: owner.into(),
            snapshots: times,
            size_gib,
        });
    }
    groups
}

fn pbs_server(now: i64, prod: &Cluster, lab: &Cluster) -> Pbs {
    let gc_time = now - now.rem_euclid(DAY) + 3 * 3600;
    let gc_time = if gc_time > now {
        gc_time - DAY
    } else {
        gc_time
    };
    let mut lab_backups = backups_for(now, lab, "pve-lab@pbs", &[511, 520, 521, 540], &[]);
    lab_backups.push(BackupGroup {
        ns: String::new(),
        backup_type: BackupType::Host,
        backup_id: "lab1".into(),
        owner: "root@pam".into(),
        snapshots: (0..3)
            .map(|w| gc_time - 2 * 3600 - w * 7 * DAY)
            .rev()
            .collect(),
        size_gib: 6,
    });
    Pbs {
        name: "pbs-backup".into(),
        version: "4.1.0".into(),
        datastores: vec![
            Datastore {
                name: "prod".into(),
                path: "/mnt/datastore/prod".into(),
                total_gib: 8000,
                used_gib: 3120,
                gc_status: Some(GcStatus {
                    last_run: gc_time,
                    removed_bytes: 48_318_382_080,
                }),
                namespaces: vec![cluster_namespace(&prod.name)],
                // 113 (spare), 171 (CI), 190 and 191 (legacy) were never added to the job;
                // 140 dropped out of it three weeks ago.
                backups: backups_for(now, prod, "pve-prod@pbs", &[113, 171, 190, 191], &[140]),
            },
            Datastore {
                name: "lab".into(),
                path: "/mnt/datastore/lab".into(),
                total_gib: 2000,
                used_gib: 410,
                gc_status: Some(GcStatus {
                    last_run: gc_time - 6 * DAY,
                    removed_bytes: 3_221_225_472,
                }),
                namespaces: vec![cluster_namespace(&lab.name)],
                backups: lab_backups,
            },
        ],
        users: vec![
            user("root@pam", DEMO_ROOT_PASSWORD, "", "", ""),
            user(
                "pve-prod@pbs",
                "demo-pve-prod-password",
                "",
                "",
                "Backups of cluster prod",
            ),
            user(
                "pve-lab@pbs",
                "demo-pve-lab-password",
                "",
                "",
                "Backups of cluster lab",
            ),
        ],
        tokens: vec![token(
            "root@pam",
            "proxdeck",
            DEMO_PBS_TOKEN_SECRET,
            true,
            "ProxDeck console",
        )],
        acl: vec![
            Acl::for_token("/", "root@pam!proxdeck", "Admin"),
            Acl::for_user("/datastore/prod", "pve-prod@pbs", "DatastorePowerUser"),
            Acl::for_user("/datastore/lab", "pve-lab@pbs", "DatastorePowerUser"),
        ],
    }
}
