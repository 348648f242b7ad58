//! The summary reads against the in-process demo datacenter (see the demo scenario in
//! proxdeck-sim): values match the scenario, RRD options reach the server, and guest
//! addresses appear only when the guest can report them.

use proxdeck_core::monitor::{self, GuestType, RrdCf, RrdTarget, RrdTimeframe};
use proxdeck_core::paths::Paths;
use proxdeck_core::{Ctx, demo};

const GIB: f64 = (1u64 << 30) as f64;

async fn demo_ctx(dir: &std::path::Path) -> Ctx {
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir))
        .open()
        .await
        .unwrap();
    demo::open(&ctx).await.unwrap();
    ctx
}

#[tokio::test]
async fn cluster_summary_counts_the_prod_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let s = monitor::cluster_summary(&ctx, "demo-prod").await.unwrap();
    assert_eq!(s.name.as_deref(), Some("prod"));
    assert!(s.quorate);
    let names: Vec<&str> = s.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["pve1", "pve2", "pve3"]);
    assert_eq!(s.nodes_online, 3);
    // 29 guests, 3 of them templates; 113, 171, 190, 191 are stopped. Paused 181 counts
    // as running, as PVE's resources list it.
    assert_eq!(s.guests_total, 26);
    assert_eq!(s.guests_running, 22);
    assert!(s.cpu.total > 0.0 && s.cpu.used > 0.0 && s.cpu.used < s.cpu.total);
    assert!(s.memory.total > 0.0 && s.memory.used < s.memory.total);
    assert!(s.storage.total > 0.0 && s.storage.used < s.storage.total);

    let lab = monitor::cluster_summary(&ctx, "demo-lab").await.unwrap();
    assert_eq!(lab.nodes.len(), 1);
    assert_eq!(lab.guests_total, 10);
}

#[tokio::test]
async fn node_status_has_versions_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let n = monitor::node_status(&ctx, "demo-prod", "pve1")
        .await
        .unwrap();
    assert_eq!(n.node, "pve1");
    assert!(
        n.pve_version.starts_with("pve-manager/"),
        "{}",
        n.pve_version
    );
    assert!(
        n.kernel_version.starts_with("Linux "),
        "{}",
        n.kernel_version
    );
    assert_eq!(n.loadavg.len(), 3);
    assert!(n.cpus > 0);
    assert!(n.memory.total > 0.0 && n.memory.used <= n.memory.total);
    assert_eq!(n.swap.total, 8.0 * GIB);
    assert_eq!(n.rootfs.total, 100.0 * GIB);
    assert_eq!(n.rootfs.used, 23.0 * GIB);
    assert!(n.uptime >= 0.0);

    let missing = monitor::node_status(&ctx, "demo-prod", "nope").await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn rrd_passes_timeframe_and_cf_through() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let node = || RrdTarget::Node {
        node: "pve1".into(),
    };
    let hour = monitor::rrd(
        &ctx,
        "demo-prod",
        node(),
        RrdTimeframe::Hour,
        RrdCf::Average,
    )
    .await
    .unwrap();
    // PVE 9: 60 rows of 60 s for an hour, 336 rows of 30 min for a week.
    assert!((59..=60).contains(&hour.len()), "{}", hour.len());
    assert_eq!(hour[1].time - hour[0].time, 60.0);
    let p = &hour[0];
    for key in ["cpu", "memused", "memtotal", "netin", "netout", "loadavg"] {
        assert!(p.values.get(key).copied().flatten().is_some(), "{key}");
    }
    let week = monitor::rrd(
        &ctx,
        "demo-prod",
        node(),
        RrdTimeframe::Week,
        RrdCf::Average,
    )
    .await
    .unwrap();
    assert!((335..=336).contains(&week.len()), "{}", week.len());
    assert_eq!(week[1].time - week[0].time, 1800.0);

    // MAX of a bucket is never below its AVERAGE (a week's buckets hold several samples).
    let avg = monitor::rrd(
        &ctx,
        "demo-prod",
        node(),
        RrdTimeframe::Week,
        RrdCf::Average,
    )
    .await
    .unwrap();
    let max = monitor::rrd(&ctx, "demo-prod", node(), RrdTimeframe::Week, RrdCf::Max)
        .await
        .unwrap();
    let pick = |p: &monitor::RrdPoint| p.values["cpu"].unwrap();
    assert!(avg.iter().zip(&max).all(|(a, m)| pick(m) >= pick(a)));
    assert!(avg.iter().zip(&max).any(|(a, m)| pick(m) > pick(a)));

    let guest = monitor::rrd(
        &ctx,
        "demo-prod",
        RrdTarget::Guest {
            node: "pve1".into(),
            kind: GuestType::Qemu,
            vmid: 110,
        },
        RrdTimeframe::Hour,
        RrdCf::Max,
    )
    .await
    .unwrap();
    let last = guest.last().unwrap();
    for key in [
        "cpu",
        "mem",
        "maxmem",
        "netin",
        "netout",
        "diskread",
        "diskwrite",
    ] {
        assert!(last.values.contains_key(key), "{key}");
    }
    let ct = monitor::rrd(
        &ctx,
        "demo-prod",
        RrdTarget::Guest {
            node: "pve1".into(),
            kind: GuestType::Lxc,
            vmid: 130,
        },
        RrdTimeframe::Month,
        RrdCf::Average,
    )
    .await
    .unwrap();
    assert!(!ct.is_empty());
}

#[tokio::test]
async fn guest_summary_of_a_running_vm_has_agent_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let g = monitor::guest_summary(&ctx, "demo-prod", "pve1", GuestType::Qemu, 110)
        .await
        .unwrap();
    assert_eq!(g.name.as_deref(), Some("web1"));
    assert_eq!(g.status, "running");
    assert_eq!(g.cores, Some(4));
    assert_eq!(g.sockets, Some(1));
    assert_eq!(g.memory_mib, Some(8192.0));
    assert_eq!(g.ostype.as_deref(), Some("l26"));
    assert!(g.agent);
    let scsi0 = g.disks.iter().find(|d| d.key == "scsi0").unwrap();
    assert!(
        scsi0.value.starts_with("ceph-vm:vm-110-disk-0"),
        "{scsi0:?}"
    );
    assert_eq!(g.nets[0].key, "net0");
    let ifaces = g
        .interfaces
        .expect("a running VM with an agent reports addresses");
    let ens = ifaces.iter().find(|i| i.name == "ens18").unwrap();
    assert!(
        ens.addresses.iter().any(|a| a.ends_with(".21/24")),
        "{ens:?}"
    );
    assert!(
        ens.mac
            .as_deref()
            .is_some_and(|m| m.starts_with("bc:24:11"))
    );
}

#[tokio::test]
async fn guest_summary_without_a_reachable_agent_has_no_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    // Stopped.
    let stopped = monitor::guest_summary(&ctx, "demo-prod", "pve3", GuestType::Qemu, 113)
        .await
        .unwrap();
    assert_eq!(stopped.status, "stopped");
    assert_eq!(stopped.interfaces, None);
    // Paused: the agent does not answer, which is not an error.
    let paused = monitor::guest_summary(&ctx, "demo-prod", "pve2", GuestType::Qemu, 181)
        .await
        .unwrap();
    assert_eq!(paused.status, "paused");
    assert_eq!(paused.interfaces, None);
    // Not there at all: an error.
    let err = monitor::guest_summary(&ctx, "demo-prod", "pve1", GuestType::Qemu, 4242)
        .await
        .unwrap_err();
    assert!(err.message.contains("does not exist"), "{err:?}");
}

#[tokio::test]
async fn guest_summary_of_a_container_reads_its_interfaces() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let ct = monitor::guest_summary(&ctx, "demo-prod", "pve1", GuestType::Lxc, 130)
        .await
        .unwrap();
    assert_eq!(ct.name.as_deref(), Some("cache1"));
    assert!(!ct.agent);
    assert_eq!(ct.disks[0].key, "rootfs");
    let ifaces = ct
        .interfaces
        .expect("a running container reports its interfaces");
    assert!(
        ifaces
            .iter()
            .any(|i| i.name == "eth0" && i.addresses.iter().any(|a| a.ends_with(".41/24")))
    );
    let stopped = monitor::guest_summary(&ctx, "demo-prod", "pve1", GuestType::Lxc, 191)
        .await
        .unwrap();
    assert_eq!(stopped.interfaces, None);
}

#[tokio::test]
async fn storage_status_has_usage_and_content() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let s = monitor::storage_status(&ctx, "demo-prod", "pve1", "local")
        .await
        .unwrap();
    assert_eq!(s.kind, "dir");
    assert!(s.active && s.enabled && !s.shared);
    assert!(s.content.iter().any(|c| c == "iso"), "{:?}", s.content);
    assert!(s.usage.total > 0.0 && s.usage.used <= s.usage.total);
    let ceph = monitor::storage_status(&ctx, "demo-prod", "pve2", "ceph-vm")
        .await
        .unwrap();
    assert_eq!(ceph.kind, "rbd");
    assert!(ceph.shared);
    assert!(ceph.content.iter().any(|c| c == "images"));
}
