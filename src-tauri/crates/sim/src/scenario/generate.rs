//! Scenarios of any size for benchmarks and scale tests: deterministic for a seed (so a
//! slow run can be reproduced), realistic in mix, and cheap to build (10,000 guests in
//! milliseconds). The PRNG is written here because the crate has no `rand`, and because
//! the output must not change when a dependency's algorithm does.

use std::collections::BTreeMap;

use super::{
    Acl, BackupGroup, BackupType, Cluster, Datastore, GcStatus, Guest, GuestKind, GuestStatus,
    HaResource, HaState, Node, Pbs, Pool, Scenario, Snapshot, Storage, StorageKind, Token, User,
};

/// Password of `root@pam` on every generated cluster and PBS.
pub const GENERATED_ROOT_PASSWORD: &str = "bench-root-password";
/// Secret of the `root@pam!bench` token (privsep off) on every generated cluster, and
/// (with `Admin` on `/`) on the generated PBS.
pub const GENERATED_TOKEN_SECRET: &str = "be7c4b0e-0000-4000-8000-000000000001";
/// The fixed "now" that generated snapshot and backup times are relative to
/// (2026-01-01T00:00:00Z), since generation must not depend on the clock.
pub const GENERATED_EPOCH: i64 = 1_767_225_600;

const DAY: i64 = 86_400;

/// splitmix64: tiny, fast, and good enough to pick a guest mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const ROLES: &[(&str, &str, Option<&str>)] = &[
    ("web", "web", Some("web")),
    ("api", "web", Some("web")),
    ("db", "db", Some("db")),
    ("cache", "cache", Some("db")),
    ("worker", "batch", Some("apps")),
    ("ci", "ci", None),
    ("mon", "monitoring", Some("apps")),
    ("dev", "dev", None),
];

impl Scenario {
    /// A datacenter of `clusters` clusters (`c01`, `c02`, ...) of `nodes_per_cluster` nodes
    /// (`c01-n01`, ...) with `guests_per_node` guests each, the same for the same `seed`.
    ///
    /// Each cluster has storages local (dir), local-zfs (zfspool), ceph-vm (rbd) and pbs01
    /// (pbs); pools web, db and apps; vmids from 100 upward; about 70% QEMU, 60% running,
    /// 2% templates, some HA resources and snapshots.
    ///
    /// Credentials, identical everywhere so benchmarks can log in:
    /// - user `root@pam`, password [`GENERATED_ROOT_PASSWORD`];
    /// - token `root@pam!bench`, secret [`GENERATED_TOKEN_SECRET`], privilege separation off.
    ///
    /// With at least one cluster there is also PBS `pbs01` (same credentials) with one
    /// datastore per cluster, named after it, holding backups of about 80% of the guests,
    /// timed relative to [`GENERATED_EPOCH`].
    pub fn generate(
        clusters: usize,
        nodes_per_cluster: usize,
        guests_per_node: usize,
        seed: u64,
    ) -> Scenario {
        let mut rng = Rng(seed);
        let mut scenario = Scenario::default();
        let mut datastores = Vec::new();
        for ci in 0..clusters {
            let (cluster, backups) = gen_cluster(&mut rng, ci, nodes_per_cluster, guests_per_node);
            datastores.push(Datastore {
                name: cluster.name.clone(),
                path: format!("/mnt/datastore/{}", cluster.name),
                total_gib: 20_000,
                used_gib: 4_000 + rng.next() % 8_000,
                gc_status: Some(GcStatus {
                    last_run: GENERATED_EPOCH - 3 * 3600,
                    removed_bytes: rng.next() % (64 << 30),
                }),
                namespaces: Vec::new(),
                backups,
            });
            scenario.clusters.push(cluster);
        }
        if clusters > 0 {
            scenario.pbs.push(Pbs {
                name: "pbs01".into(),
                version: "4.1.0".into(),
                datastores,
                users: vec![User::new("root@pam", GENERATED_ROOT_PASSWORD)],
                tokens: vec![bench_token()],
                acl: vec![Acl::for_token("/", "root@pam!bench", "Admin")],
            });
        }
        scenario
    }
}

fn bench_token() -> Token {
    Token {
        userid: "root@pam".into(),
        tokenid: "bench".into(),
        secret: GENERATED_TOKEN_SECRET.into(),
        privsep: false,
        expire: 0,
        comment: "benchmarks".into(),
    }
}

fn storage(id: &str, kind: StorageKind, content: &[&str], total_gib: u64) -> Storage {
    Storage {
        id: id.into(),
        kind,
        content: content.iter().map(|c| (*c).to_owned()).collect(),
        nodes: None,
        shared: kind.is_network(),
        total_gib,
        used_gib: total_gib / 3,
        datastore: None,
        server: None,
        username: None,
        namespace: None,
    }
}

fn gen_cluster(
    rng: &mut Rng,
    ci: usize,
    nodes_per_cluster: usize,
    guests_per_node: usize,
) -> (Cluster, Vec<BackupGroup>) {
    let name = format!("c{:02}", ci + 1);
    let mut c = Cluster::new(name.clone());
    c.nodes = (0..nodes_per_cluster)
        .map(|ni| Node {
            ip: format!("127.{}.{}.{}", (ci + 1) % 256, ni / 250, ni % 250 + 1),
            cpus: *rng.pick(&[32, 48, 64, 96]),
            memory_gib: *rng.pick(&[256, 384, 512, 768]),
            ..Node::new(format!("{name}-n{:02}", ni + 1))
        })
        .collect();
    c.storages = vec![
        storage(
            "local",
            StorageKind::Dir,
            &["iso", "vztmpl", "backup", "snippets"],
            100,
        ),
        storage(
            "local-zfs",
            StorageKind::Zfspool,
            &["images", "rootdir"],
            1_800,
        ),
        storage("ceph-vm", StorageKind::Rbd, &["images", "rootdir"], 50_000),
        Storage {
            datastore: Some(name.clone()),
            server: Some("pbs01".into()),
            username: Some("root@pam".into()),
            ..storage("pbs01", StorageKind::Pbs, &["backup"], 20_000)
        },
    ];
    c.pools = ["web", "db", "apps"]
        .iter()
        .map(|p| Pool {
            id: (*p).into(),
            comment: String::new(),
        })
        .collect();
    c.users = vec![User::new("root@pam", GENERATED_ROOT_PASSWORD)];
    c.tokens = vec![bench_token()];

    let total = nodes_per_cluster * guests_per_node;
    c.guests.reserve(total);
    let mut backups = Vec::with_capacity(total);
    for gi in 0..total {
        let vmid = 100 + gi as u32;
        let node = &c.nodes[gi / guests_per_node].name;
        let g = gen_guest(rng, vmid, node);
        if !g.template && rng.chance(80) {
            let n = 1 + rng.next() % 7;
            let offset = (rng.next() % 7200) as i64;
            backups.push(BackupGroup {
                ns: String::new(),
                backup_type: match g.kind {
                    GuestKind::Qemu => BackupType::Vm,
                    GuestKind::Lxc => BackupType::Ct,
                },
                backup_id: vmid.to_string(),
                owner: "root@pam".into(),
                snapshots: (0..n as i64)
                    .rev()
                    .map(|d| GENERATED_EPOCH - 23 * 3600 - d * DAY + offset)
                    .collect(),
                size_gib: g.disk_gib,
            });
        }
        let shared = g.config.values().any(|v| v.starts_with("ceph-vm:"));
        if shared && g.status == GuestStatus::Running && rng.chance(30) {
            c.ha.push(HaResource {
                sid: g.ha_sid(),
                state: HaState::Started,
                group: None,
                max_restart: 1,
                max_relocate: 1,
            });
        }
        c.guests.push(g);
    }
    (c, backups)
}

fn gen_guest(rng: &mut Rng, vmid: u32, node: &str) -> Guest {
    let (role, tag, pool) = *rng.pick(ROLES);
    let kind = if rng.chance(70) {
        GuestKind::Qemu
    } else {
        GuestKind::Lxc
    };
    let template = rng.chance(2);
    let status = if template || !rng.chance(60) {
        GuestStatus::Stopped
    } else {
        GuestStatus::Running
    };
    let mut g = Guest::new(vmid, format!("{role}-{vmid}"), node);
    g.kind = kind;
    g.status = status;
    g.template = template;
    g.tags = if rng.chance(70) {
        vec![(*rng.pick(&["prod", "staging", "test"])).into(), tag.into()]
    } else {
        Vec::new()
    };
    g.pool = pool.filter(|_| rng.chance(60)).map(str::to_owned);
    g.cores = *rng.pick(&[1, 2, 2, 4, 4, 8, 16]);
    g.memory_mib = *rng.pick(&[512, 1024, 2048, 4096, 4096, 8192, 16384, 32768]);
    g.disk_gib = *rng.pick(&[8, 16, 32, 32, 64, 100, 250]);
    let storage = if rng.chance(40) {
        "ceph-vm"
    } else {
        "local-zfs"
    };
    let mac = format!(
        "BC:24:11:{:02X}:{:02X}:{:02X}",
        (vmid >> 16) as u8,
        (vmid >> 8) as u8,
        vmid as u8
    );
    let prefix = if template { "base" } else { "vm" };
    let mut config = BTreeMap::new();
    match kind {
        GuestKind::Qemu => {
            config.insert(
                "scsi0".to_owned(),
                format!(
                    "{storage}:{prefix}-{vmid}-disk-0,iothread=1,size={}G",
                    g.disk_gib
                ),
            );
            config.insert("net0".to_owned(), format!("virtio={mac},bridge=vmbr0"));
            config.insert("ostype".to_owned(), "l26".to_owned());
        }
        GuestKind::Lxc => {
            config.insert(
                "rootfs".to_owned(),
                format!("{storage}:{prefix}-{vmid}-disk-0,size={}G", g.disk_gib),
            );
            config.insert(
                "net0".to_owned(),
                format!("name=eth0,bridge=vmbr0,hwaddr={mac},ip=dhcp,type=veth"),
            );
            config.insert("ostype".to_owned(), "debian".to_owned());
        }
    }
    g.config = config;
    if rng.chance(5) {
        g.snapshots.push(Snapshot {
            name: "before_upgrade".into(),
            description: String::new(),
            parent: None,
            snaptime: GENERATED_EPOCH - (rng.next() % 90) as i64 * DAY,
            vmstate: false,
        });
    }
    g
}
