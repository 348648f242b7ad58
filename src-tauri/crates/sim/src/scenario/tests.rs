//! Tests for scenarios: the demo's promised contents, generation's determinism and
//! counts, round trips, defaults, and that every validation rule fires and names the item
//! at fault.

use std::collections::HashSet;
use std::time::Instant;

use super::*;

const NOW: i64 = 1_780_000_000;

fn demo() -> Scenario {
    Scenario::demo_at(NOW)
}

fn invalid_messages(s: &Scenario) -> Vec<String> {
    match s.validate() {
        Err(ScenarioError::Invalid(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected validation problems, got {other:?}"),
    }
}

/// Asserts that validation reports a problem containing every fragment.
fn assert_problem(s: &Scenario, fragments: &[&str]) {
    let messages = invalid_messages(s);
    assert!(
        messages
            .iter()
            .any(|m| fragments.iter().all(|f| m.contains(f))),
        "no problem mentions all of {fragments:?}; got {messages:#?}"
    );
}

fn minimal() -> Scenario {
    Scenario::from_toml_str(
        r#"
        [[clusters]]
        name = "one"

        [[clusters.nodes]]
        name = "pve1"

        [[clusters.guests]]
        vmid = 100
        name = "vm1"
        node = "pve1"
        "#,
    )
    .expect("minimal scenario parses")
}

#[test]
fn demo_validates() {
    demo().validate().expect("demo is consistent");
    Scenario::demo()
        .validate()
        .expect("demo with the real clock is consistent");
}

#[test]
fn demo_has_promised_clusters_nodes_and_guests() {
    let s = demo();
    assert_eq!(s.clusters.len(), 2);
    let prod = s.cluster("prod").expect("prod");
    let lab = s.cluster("lab").expect("lab");
    let names: Vec<&str> = prod.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["pve1", "pve2", "pve3"]);
    assert!(prod.nodes.iter().all(|n| n.online));
    assert_eq!(lab.nodes.len(), 1);
    assert!((35..=45).contains(&s.guest_count()), "{}", s.guest_count());

    let all: Vec<&Guest> = s.clusters.iter().flat_map(|c| &c.guests).collect();
    let qemu = all.iter().filter(|g| g.kind == GuestKind::Qemu).count();
    let running = all
        .iter()
        .filter(|g| g.status == GuestStatus::Running)
        .count();
    assert!(qemu > 0 && qemu < all.len(), "both kinds present");
    assert!(running > 0 && running < all.len(), "both states present");

    let t9000 = prod.guest(9000).expect("9000");
    assert!(t9000.template && t9000.name == "debian-12-cloud");
    let t9001 = prod.guest(9001).expect("9001");
    assert!(t9001.template && t9001.name == "ubuntu-24.04-cloud");

    let paused: Vec<&&Guest> = all
        .iter()
        .filter(|g| g.status == GuestStatus::Paused)
        .collect();
    assert_eq!(paused.len(), 1);
    assert_eq!(paused[0].kind, GuestKind::Qemu);
    assert!(all.iter().any(|g| g.lock.as_deref() == Some("backup")));
    assert!(all.iter().any(|g| g.tags == ["prod", "web"]));
    assert!(all.iter().filter(|g| g.cloudinit.is_some()).count() >= 3);
    assert!(all.iter().filter(|g| !g.snapshots.is_empty()).count() >= 2);
    assert!(all.iter().any(|g| !g.agent_interfaces.is_empty()));
    for pool in ["prod-web", "prod-db"] {
        assert!(prod.pools.iter().any(|p| p.id == pool), "{pool}");
    }
    assert!(lab.pools.iter().any(|p| p.id == "lab"));
    assert!(prod.ha.len() >= 3);
}

#[test]
fn demo_has_promised_storages() {
    let s = demo();
    let prod = s.cluster("prod").unwrap();
    let lab = s.cluster("lab").unwrap();
    let kind = |c: &Cluster, id: &str| c.storage(id).map(|s| s.kind);
    assert_eq!(kind(prod, "local"), Some(StorageKind::Dir));
    assert_eq!(kind(prod, "local-zfs"), Some(StorageKind::Zfspool));
    assert_eq!(kind(prod, "ceph-vm"), Some(StorageKind::Rbd));
    assert!(prod.storage("ceph-vm").unwrap().is_shared());
    assert!(!prod.storage("local-zfs").unwrap().is_shared());
    assert_eq!(kind(prod, "pbs-backup"), Some(StorageKind::Pbs));
    assert_eq!(kind(lab, "local-lvm"), Some(StorageKind::Lvmthin));
}

#[test]
fn demo_has_promised_access_control() {
    let s = demo();
    let prod = s.cluster("prod").unwrap();
    let root = prod.user("root@pam").unwrap();
    assert_eq!(root.password, DEMO_ROOT_PASSWORD);
    let grants = |subject: &str, path: &str, role: &str| {
        prod.acl.iter().any(|a| {
            a.path == path
                && a.role == role
                && [&a.user, &a.group, &a.token]
                    .iter()
                    .any(|x| x.as_deref() == Some(subject))
        })
    };
    assert!(grants("admin@pve", "/", "PVEAdmin"));
    assert!(grants("auditor@pve", "/", "PVEAuditor"));
    assert!(grants("operator@pve", "/pool/prod-web", "PVEVMUser"));
    assert!(prod.groups.iter().any(|g| g.groupid == "ops"));
    let totp_user = prod.users.iter().find(|u| u.totp_secret.is_some()).unwrap();
    assert_eq!(
        totp_user.totp_secret.as_deref(),
        Some(DEMO_SECOPS_TOTP_SECRET)
    );

    let token = |id: &str| prod.tokens.iter().find(|t| t.full_id() == id).unwrap();
    let proxdeck = token("root@pam!proxdeck");
    assert!(!proxdeck.privsep);
    assert_eq!(proxdeck.secret, DEMO_PROD_TOKEN_SECRET);
    let ci = token("operator@pve!ci");
    assert!(ci.privsep);
    assert!(
        prod.acl
            .iter()
            .any(|a| a.token.as_deref() == Some("operator@pve!ci")),
        "the privsep token has its own ACL"
    );
}

#[test]
fn demo_backups_cover_most_but_not_all_prod_guests() {
    let s = demo();
    let prod = s.cluster("prod").unwrap();
    let pbs = s.pbs_server("pbs-backup").expect("PBS pbs-backup");
    assert_eq!(pbs.datastores.len(), 2);
    let storage = prod.storage("pbs-backup").unwrap();
    let store = pbs
        .datastores
        .iter()
        .find(|d| Some(&d.name) == storage.datastore.as_ref())
        .unwrap();
    let recent: HashSet<u32> = store
        .backups
        .iter()
        .filter(|b| {
            b.snapshots
                .iter()
                .any(|t| NOW - t < 2 * 86_400 && *t <= NOW)
        })
        .map(|b| b.backup_id.parse().unwrap())
        .collect();
    let guests: Vec<u32> = prod
        .guests
        .iter()
        .filter(|g| !g.template)
        .map(|g| g.vmid)
        .collect();
    let covered = guests.iter().filter(|v| recent.contains(v)).count();
    assert!(covered < guests.len(), "some guests lack a recent backup");
    assert!(
        covered * 4 >= guests.len() * 3,
        "most are covered: {covered}/{}",
        guests.len()
    );
    // A stale group (backups exist, none recent) gives a coverage view a second case.
    assert!(
        store
            .backups
            .iter()
            .any(|b| !recent.contains(&b.backup_id.parse().unwrap_or(0)))
    );
}

#[test]
fn demo_times_follow_the_clock_given() {
    let a = Scenario::demo_at(NOW);
    let b = Scenario::demo_at(NOW + 86_400);
    assert_eq!(a, Scenario::demo_at(NOW));
    assert_ne!(a, b);
    let latest = |s: &Scenario| {
        s.pbs[0].datastores[0]
            .backups
            .iter()
            .flat_map(|b| b.snapshots.iter().copied())
            .max()
            .unwrap()
    };
    assert!(latest(&a) <= NOW && NOW - latest(&a) < 86_400 + 7200);
}

#[test]
fn generate_is_deterministic() {
    let a = Scenario::generate(3, 4, 5, 42);
    assert_eq!(a, Scenario::generate(3, 4, 5, 42));
    assert_ne!(a, Scenario::generate(3, 4, 5, 43));
}

#[test]
fn generate_has_exact_counts_and_unique_vmids() {
    let s = Scenario::generate(3, 4, 5, 7);
    s.validate().expect("generated scenario is consistent");
    assert_eq!(s.clusters.len(), 3);
    let names: Vec<&str> = s.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["c01", "c02", "c03"]);
    for c in &s.clusters {
        assert_eq!(c.nodes.len(), 4);
        assert_eq!(c.nodes[0].name, format!("{}-n01", c.name));
        assert_eq!(c.guests.len(), 20);
        for n in &c.nodes {
            assert_eq!(c.guests.iter().filter(|g| g.node == n.name).count(), 5);
        }
        let vmids: HashSet<u32> = c.guests.iter().map(|g| g.vmid).collect();
        assert_eq!(vmids.len(), 20);
        assert_eq!(vmids.iter().min(), Some(&100));
        assert!(
            c.user("root@pam")
                .is_some_and(|u| u.password == GENERATED_ROOT_PASSWORD)
        );
        assert!(c.tokens.iter().any(|t| t.full_id() == "root@pam!bench"
            && t.secret == GENERATED_TOKEN_SECRET
            && !t.privsep));
    }
}

#[test]
fn generate_at_scale_is_fast_and_realistic() {
    let start = Instant::now();
    let s = Scenario::generate(20, 10, 50, 1);
    let elapsed = start.elapsed();
    assert!(elapsed.as_millis() < 1000, "generation took {elapsed:?}");
    assert_eq!(s.guest_count(), 10_000);
    let start = Instant::now();
    s.validate()
        .expect("large generated scenario is consistent");
    assert!(
        start.elapsed().as_millis() < 1000,
        "validation took {:?}",
        start.elapsed()
    );

    let all: Vec<&Guest> = s.clusters.iter().flat_map(|c| &c.guests).collect();
    let frac = |n: usize| n as f64 / all.len() as f64;
    let qemu = frac(all.iter().filter(|g| g.kind == GuestKind::Qemu).count());
    let running = frac(
        all.iter()
            .filter(|g| g.status == GuestStatus::Running)
            .count(),
    );
    let templates = all.iter().filter(|g| g.template).count();
    assert!((0.65..0.75).contains(&qemu), "qemu {qemu}");
    assert!((0.52..0.66).contains(&running), "running {running}");
    assert!(templates > 0 && frac(templates) < 0.05);
    assert!(all.iter().any(|g| !g.tags.is_empty()));
    assert!(all.iter().any(|g| g.pool.is_some()));
}

#[test]
fn generate_zero_sizes_are_empty() {
    assert_eq!(Scenario::generate(0, 5, 5, 1), Scenario::default());
    let s = Scenario::generate(2, 3, 0, 1);
    assert_eq!(s.guest_count(), 0);
    s.validate().unwrap();
}

#[test]
fn toml_round_trip() {
    for s in [demo(), Scenario::generate(2, 2, 3, 9)] {
        let text = s.to_toml_string().expect("serializes to TOML");
        let back = Scenario::from_toml_str(&text).expect("parses back");
        assert_eq!(s, back);
    }
}

#[test]
fn json_round_trip() {
    for s in [demo(), Scenario::generate(2, 2, 3, 9)] {
        let text = s.to_json_string().unwrap();
        assert_eq!(s, Scenario::from_json_str(&text).unwrap());
    }
}

#[test]
fn minimal_toml_gets_defaults() {
    let s = minimal();
    s.validate().expect("minimal scenario is consistent");
    let c = &s.clusters[0];
    assert!(s.pbs.is_empty() && c.storages.is_empty() && c.users.is_empty());
    let n = &c.nodes[0];
    assert!(n.online);
    assert_eq!((n.cpus, n.memory_gib), (16, 64));
    assert_eq!(n.pve_version, "9.1.9");
    assert_eq!(n.kernel, "6.17.2-1-pve");
    assert_eq!(n.ip, "127.0.0.1");
    let g = &c.guests[0];
    assert_eq!(g.kind, GuestKind::Qemu);
    assert_eq!(g.status, GuestStatus::Stopped);
    assert!(!g.template && g.tags.is_empty() && g.pool.is_none() && g.lock.is_none());
    assert_eq!((g.cores, g.memory_mib, g.disk_gib), (2, 2048, 32));
    assert_eq!(g, &Guest::new(100, "vm1", "pve1"));
}

#[test]
fn minimal_json_gets_defaults() {
    let s = Scenario::from_json_str(
        r#"{"clusters":[{"name":"one","nodes":[{"name":"pve1"}],
            "users":[{"userid":"root@pam","password":"x"}],
            "tokens":[{"userid":"root@pam","tokenid":"ci","secret":"s"}],
            "acl":[{"path":"/","user":"root@pam","role":"Administrator"}],
            "guests":[{"vmid":100,"name":"vm1","node":"pve1"}],
            "ha":[{"sid":"vm:100"}]}]}"#,
    )
    .unwrap();
    s.validate().unwrap();
    let c = &s.clusters[0];
    assert!(c.users[0].enable && c.users[0].expire == 0);
    assert!(c.tokens[0].privsep, "PVE's default is privilege separation");
    assert!(c.acl[0].propagate);
    assert_eq!(c.ha[0].state, HaState::Started);
    assert_eq!((c.ha[0].max_restart, c.ha[0].max_relocate), (1, 1));
}

#[test]
fn unknown_fields_are_rejected() {
    let err = Scenario::from_toml_str(
        r#"
        [[clusters]]
        name = "one"
        [[clusters.nodes]]
        name = "pve1"
        memory_gb = 64
        "#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("memory_gb"), "{err}");
    let err = Scenario::from_json_str(r#"{"clusters":[],"pbss":[]}"#).unwrap_err();
    assert!(err.to_string().contains("pbss"), "{err}");
    let err = Scenario::from_json_str(
        r#"{"clusters":[{"name":"a","storages":[{"id":"x","kind":"zfs"}]}]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("zfs"), "{err}");
}

#[test]
fn load_chooses_format_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let s = minimal();
    let toml_path = dir.path().join("dc.toml");
    std::fs::write(&toml_path, s.to_toml_string().unwrap()).unwrap();
    assert_eq!(Scenario::load(&toml_path).unwrap(), s);
    let json_path = dir.path().join("dc.JSON");
    std::fs::write(&json_path, s.to_json_string().unwrap()).unwrap();
    assert_eq!(Scenario::load(&json_path).unwrap(), s);

    let yaml_path = dir.path().join("dc.yaml");
    std::fs::write(&yaml_path, "clusters: []").unwrap();
    let err = Scenario::load(&yaml_path).unwrap_err().to_string();
    assert!(err.contains(".toml") && err.contains(".json"), "{err}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "clusters = 3").unwrap();
    let err = Scenario::load(&bad).unwrap_err().to_string();
    assert!(err.contains("TOML") && err.contains("bad.toml"), "{err}");

    let missing = dir.path().join("missing.json");
    assert!(matches!(
        Scenario::load(&missing),
        Err(ScenarioError::Io { .. })
    ));

    let mut inconsistent = s.clone();
    inconsistent.clusters[0].guests[0].node = "nope".into();
    std::fs::write(&toml_path, inconsistent.to_toml_string().unwrap()).unwrap();
    assert!(matches!(
        Scenario::load(&toml_path),
        Err(ScenarioError::Invalid(_))
    ));
}

#[test]
fn rejects_duplicate_cluster_names() {
    let mut s = minimal();
    s.clusters.push(s.clusters[0].clone());
    assert_problem(&s, &["cluster 'one'", "duplicate cluster name"]);
}

#[test]
fn rejects_duplicate_vmids() {
    let mut s = minimal();
    let g = s.clusters[0].guests[0].clone();
    s.clusters[0].guests.push(g);
    assert_problem(&s, &["guest 100", "duplicate vmid 100"]);
}

#[test]
fn rejects_guest_on_unknown_node() {
    let mut s = minimal();
    s.clusters[0].guests[0].node = "pve9".into();
    assert_problem(&s, &["guest 100", "unknown node 'pve9'"]);
}

#[test]
fn rejects_unknown_pool_group_role_and_user_references() {
    let mut s = minimal();
    let c = &mut s.clusters[0];
    c.guests[0].pool = Some("nopool".into());
    let mut u = User::new("alice@pve", "pw");
    u.groups = vec!["nogroup".into()];
    c.users.push(u);
    c.acl.push(Acl::for_user("/", "alice@pve", "NoSuchRole"));
    c.acl.push(Acl::for_user("/", "bob@pve", "PVEAuditor"));
    c.acl.push(Acl::for_group("/", "ghosts", "PVEAuditor"));
    c.acl
        .push(Acl::for_token("/", "alice@pve!nope", "PVEAuditor"));
    c.acl
        .push(Acl::for_user("/pool/nopool2", "alice@pve", "PVEAuditor"));
    assert_problem(&s, &["guest 100", "unknown pool 'nopool'"]);
    assert_problem(&s, &["user 'alice@pve'", "unknown group 'nogroup'"]);
    assert_problem(&s, &["acl #1", "unknown role 'NoSuchRole'"]);
    assert_problem(&s, &["acl #2", "unknown user 'bob@pve'"]);
    assert_problem(&s, &["acl #3", "unknown group 'ghosts'"]);
    assert_problem(&s, &["acl #4", "unknown token 'alice@pve!nope'"]);
    assert_problem(&s, &["acl #5", "unknown pool 'nopool2'"]);
}

#[test]
fn rejects_token_of_unknown_user() {
    let mut s = minimal();
    s.clusters[0].tokens.push(Token {
        userid: "ghost@pve".into(),
        tokenid: "ci".into(),
        secret: "s".into(),
        privsep: true,
        expire: 0,
        comment: String::new(),
    });
    assert_problem(&s, &["token 'ghost@pve!ci'", "unknown user 'ghost@pve'"]);
}

#[test]
fn rejects_acl_with_zero_or_two_subjects() {
    let mut s = minimal();
    s.clusters[0].users.push(User::new("alice@pve", "pw"));
    s.clusters[0].groups.push(Group {
        groupid: "ops".into(),
        comment: String::new(),
    });
    let mut none = Acl::for_user("/", "alice@pve", "PVEAuditor");
    none.user = None;
    assert_eq!(none.subject(), None);
    let mut two = Acl::for_user("/vms/100", "alice@pve", "PVEAuditor");
    two.group = Some("ops".into());
    assert_eq!(two.subject(), None);
    s.clusters[0].acl = vec![none, two];
    assert_problem(&s, &["acl #1 (path '/')", "exactly one", "has 0"]);
    assert_problem(&s, &["acl #2 (path '/vms/100')", "exactly one", "has 2"]);
}

#[test]
fn rejects_malformed_userids() {
    for bad in [
        "alice",
        "alice@",
        "@pve",
        "al ice@pve",
        "a:b@pve",
        "alice@ldap",
    ] {
        let mut s = minimal();
        s.clusters[0].users.push(User::new(bad, "pw"));
        assert_problem(&s, &[&format!("user '{bad}'")]);
    }
    assert_eq!(User::split_userid("alice@pve"), Some(("alice", "pve")));
    // PBS's own realm is pbs, not pve.
    let mut s = demo();
    s.pbs[0].users.push(User::new("x@pve", "pw"));
    assert_problem(&s, &["PBS 'pbs-backup', user 'x@pve'", "realm 'pve'"]);
}

#[test]
fn rejects_ha_for_missing_or_mismatched_guest() {
    let mut s = minimal();
    let ha = |sid: &str| HaResource {
        sid: sid.into(),
        state: HaState::Started,
        group: None,
        max_restart: 1,
        max_relocate: 1,
    };
    s.clusters[0].ha = vec![ha("vm:999"), ha("ct:100"), ha("100")];
    assert_problem(&s, &["HA resource 'vm:999'", "guest 999 does not exist"]);
    assert_problem(&s, &["HA resource 'ct:100'", "'vm:100'"]);
    assert_problem(&s, &["HA resource '100'", "vm:<vmid>"]);
}

#[test]
fn rejects_impossible_guest_states() {
    let mut s = minimal();
    let c = &mut s.clusters[0];
    c.guests[0].template = true;
    c.guests[0].status = GuestStatus::Running;
    let mut ct = Guest::new(101, "ct1", "pve1");
    ct.kind = GuestKind::Lxc;
    ct.status = GuestStatus::Paused;
    ct.lock = Some("suspended".into());
    ct.tags = vec!["-bad".into()];
    ct.config.insert("memory".into(), "512".into());
    ct.config
        .insert("rootfs".into(), "nowhere:subvol-101-disk-0,size=8G".into());
    c.guests.push(ct);
    assert_problem(&s, &["guest 100", "template cannot be running"]);
    assert_problem(&s, &["guest 101", "only QEMU guests can be paused"]);
    assert_problem(&s, &["guest 101", "lock 'suspended'"]);
    assert_problem(&s, &["guest 101", "tag '-bad'"]);
    assert_problem(&s, &["guest 101", "config key 'memory'"]);
    assert_problem(&s, &["guest 101", "unknown storage 'nowhere'"]);
}

#[test]
fn rejects_bad_snapshots() {
    let mut s = minimal();
    s.clusters[0].guests[0].snapshots = vec![
        Snapshot {
            name: "current".into(),
            description: String::new(),
            parent: None,
            snaptime: 1,
            vmstate: false,
        },
        Snapshot {
            name: "second".into(),
            description: String::new(),
            parent: Some("first".into()),
            snaptime: 2,
            vmstate: false,
        },
    ];
    assert_problem(&s, &["guest 100", "snapshot name 'current'"]);
    assert_problem(
        &s,
        &["guest 100", "snapshot 'second' has unknown parent 'first'"],
    );
}

#[test]
fn rejects_storage_and_role_mistakes() {
    let mut s = demo();
    let prod = &mut s.clusters[0];
    prod.storages[1].content.push("iso".into());
    prod.storages[1].nodes = Some(vec!["pve7".into()]);
    let pbs = prod
        .storages
        .iter_mut()
        .find(|s| s.id == "pbs-backup")
        .unwrap();
    pbs.datastore = Some("nostore".into());
    prod.roles.push(Role {
        roleid: "Monitor".into(),
        privs: vec!["VM.Monitor".into()],
    });
    prod.roles.push(Role {
        roleid: "PVEAdmin".into(),
        privs: vec![],
    });
    assert_problem(&s, &["storage 'local-zfs'", "content 'iso'"]);
    assert_problem(&s, &["storage 'local-zfs'", "unknown node 'pve7'"]);
    assert_problem(&s, &["storage 'pbs-backup'", "no datastore 'nostore'"]);
    assert_problem(&s, &["role 'Monitor'", "unknown privilege 'VM.Monitor'"]);
    assert_problem(&s, &["role 'PVEAdmin'", "built-in"]);
}

#[test]
fn rejects_pbs_mistakes() {
    let mut s = demo();
    let pbs = &mut s.pbs[0];
    pbs.datastores[0].backups[0].owner = "nobody@pbs".into();
    pbs.acl.push(Acl::for_user("/", "root@pam", "PVEAdmin"));
    assert_problem(&s, &["datastore 'prod'", "unknown owner 'nobody@pbs'"]);
    assert_problem(
        &s,
        &["PBS 'pbs-backup', acl #4", "unknown PBS role 'PVEAdmin'"],
    );
}

#[test]
fn reports_every_problem_at_once() {
    let mut s = minimal();
    s.clusters[0].guests[0].node = "x".into();
    s.clusters[0].guests[0].pool = Some("y".into());
    let err = s.validate().unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("unknown node 'x'") && text.contains("unknown pool 'y'"),
        "{text}"
    );
}

#[test]
fn paused_is_presented_as_pve_does() {
    assert_eq!(GuestStatus::Paused.pve_status(), "running");
    assert_eq!(GuestStatus::Paused.qmpstatus(), "paused");
    assert_eq!(GuestStatus::Stopped.pve_status(), "stopped");
}

/// Every dotted quad in `text` that falls in 10/8, 172.16/12 or 192.168/16.
fn private_ipv4s(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .flat_map(|run| {
            let parts: Vec<&str> = run.split('.').collect();
            // Any four consecutive numeric parts of a run form a candidate address.
            (0..parts.len().saturating_sub(3))
                .filter_map(|i| {
                    let octets: Vec<u8> = parts[i..i + 4]
                        .iter()
                        .map(|p| p.parse().ok())
                        .collect::<Option<_>>()?;
                    let private = octets[0] == 10
                        || (octets[0] == 172 && (16..32).contains(&octets[1]))
                        || (octets[0] == 192 && octets[1] == 168);
                    private.then(|| parts[i..i + 4].join("."))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn private_ip_scanner_finds_private_addresses() {
    // Text only: the scanner must recognise private addresses to keep them out of the demo
    // and generated scenarios. Nothing here connects anywhere.
    assert_eq!(
        private_ipv4s(r#"{"a":"ip=10.0.0.5/24","b":"172.20.1.1","c":"x192.168.1.1y"}"#),
        ["10.0.0.5", "172.20.1.1", "192.168.1.1"]
    );
    assert!(private_ipv4s("127.0.0.1 192.0.2.1 172.32.0.1 9.1.9").is_empty());
}

#[test]
fn no_private_range_addresses_anywhere() {
    for s in [
        demo(),
        Scenario::generate(20, 10, 50, 3),
        Scenario::generate(300, 2, 1, 4),
    ] {
        let json = s.to_json_string().unwrap();
        let found = private_ipv4s(&json);
        assert!(found.is_empty(), "private addresses: {found:?}");
    }
}

#[test]
fn namespaces_of_pbs_storages_and_backup_groups_must_exist() {
    let mut s = demo();
    let prod = s.clusters.iter_mut().find(|c| c.name == "prod").unwrap();
    let storage = prod
        .storages
        .iter_mut()
        .find(|st| st.id == "pbs-backup")
        .unwrap();
    storage.namespace = Some("elsewhere".into());
    assert_problem(&s, &["pbs-backup", "no namespace 'elsewhere'"]);

    let mut s = demo();
    s.pbs[0].datastores[0].backups[0].ns = "missing".into();
    assert_problem(&s, &["unknown namespace 'missing'"]);

    let mut s = demo();
    s.pbs[0].datastores[0].namespaces.push("a/b".into());
    assert_problem(&s, &["namespace 'a/b'", "parent namespace 'a'"]);

    let mut s = demo();
    let local = &mut s.clusters[0].storages[0];
    local.namespace = Some("x".into());
    assert_problem(&s, &["apply to kind pbs only"]);
}
