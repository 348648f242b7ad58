//! The task bar and the backup views against the simulator: recent tasks of all clusters,
//! a task's live log, PBS datastores and groups, and backup coverage.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use proxdeck_core::paths::Paths;
use proxdeck_core::{Ctx, demo, inventory, pbs, tasks};
use proxdeck_pve::{Auth, PveClient, Trust};
use proxdeck_sim::scenario::{BackupType, GuestKind};
use proxdeck_sim::{Fault, FaultRule, Scenario, Sim, SimOptions};

async fn demo_ctx(dir: &std::path::Path) -> Ctx {
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir))
        .open()
        .await
        .unwrap();
    demo::open(&ctx).await.unwrap();
    ctx
}

/// A stopped, non-template VM of a demo cluster: `(node, vmid)`.
async fn stopped_vm(ctx: &Ctx, conn: &str) -> (String, u32) {
    let r = inventory::resources(ctx, conn).await.unwrap();
    r.into_iter()
        .find(|r| r.kind == "qemu" && !r.template && r.status.as_deref() == Some("stopped"))
        .map(|r| (r.node.unwrap(), r.vmid.unwrap()))
        .expect("the demo has a stopped VM")
}

async fn start(client: &PveClient, node: &str, vmid: u32) -> String {
    client
        .post(&format!("/nodes/{node}/qemu/{vmid}/status/start"), &[])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_started_guest_shows_in_recent_tasks_running_then_ok_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let (node, vmid) = stopped_vm(&ctx, "demo-prod").await;
    let client = proxdeck_core::connections::client(&ctx, "demo-prod")
        .await
        .unwrap();
    let upid = start(&client, &node, vmid).await;

    let list = tasks::recent(&ctx, 50).await.unwrap();
    assert!(list.failed.is_empty(), "{:?}", list.failed);
    let first = list.tasks.iter().find(|t| t.upid == upid).expect("listed");
    assert_eq!(first.status, "running");
    assert_eq!(first.connection_id, "demo-prod");
    assert_eq!(first.node, node);
    assert_eq!(first.kind, "qmstart");
    assert_eq!(first.description, format!("VM {vmid} - Start"));
    assert!(
        list.tasks
            .windows(2)
            .all(|w| w[0].starttime >= w[1].starttime),
        "newest first"
    );

    let log = tasks::log(&ctx, "demo-prod", &node, &upid, 0)
        .await
        .unwrap();
    assert!(log.running);
    assert!(log.exitstatus.is_none());
    let mut next = log.next_start;
    let mut lines = log.lines;

    // Follow the log until the task ends, as the dialog does.
    let mut done = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let page = tasks::log(&ctx, "demo-prod", &node, &upid, next)
            .await
            .unwrap();
        next = page.next_start;
        lines.extend(page.lines);
        if !page.running {
            done = page.exitstatus;
            break;
        }
    }
    assert_eq!(done.as_deref(), Some("OK"));
    assert_eq!(lines.last().unwrap().t, "TASK OK");
    let numbers: Vec<u32> = lines.iter().map(|l| l.n).collect();
    let expected: Vec<u32> = (1..=lines.len() as u32).collect();
    assert_eq!(numbers, expected, "each line read once, in order");

    let list = tasks::recent(&ctx, 50).await.unwrap();
    let ended = list.tasks.iter().find(|t| t.upid == upid).unwrap();
    assert_eq!(ended.status, "OK");
    assert!(ended.endtime.is_some());
}

fn client_of(sim: &Sim, cluster: &str) -> Arc<PveClient> {
    let c = sim.cluster(cluster);
    let creds = sim.credentials(cluster);
    let (id, secret) = creds.token.as_deref().unwrap().split_once('=').unwrap();
    Arc::new(
        PveClient::new(
            &c.base_url(),
            &Trust::Pinned(c.fingerprint()),
            Auth::PveToken {
                id: id.to_owned(),
                secret: secret.to_owned(),
            },
            Duration::from_secs(2),
        )
        .unwrap(),
    )
}

#[tokio::test]
async fn a_cluster_that_resets_is_reported_failed_and_the_others_tasks_still_arrive() {
    let sim = Sim::start(Scenario::demo(), SimOptions::default())
        .await
        .unwrap();
    let prod = client_of(&sim, "prod");
    let lab = client_of(&sim, "lab");
    let resources = prod.get("/cluster/resources?type=vm").await.unwrap();
    let vm = resources
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "qemu" && r["status"] == "stopped" && r["template"] != 1)
        .unwrap()
        .clone();
    let upid = start(
        &prod,
        vm["node"].as_str().unwrap(),
        vm["vmid"].as_u64().unwrap() as u32,
    )
    .await;
    sim.cluster("lab")
        .faults()
        .add(FaultRule::new("", Fault::Reset));

    let target = |id: &str, client: &Arc<PveClient>| tasks::Target {
        connection_id: id.to_owned(),
        connection_name: id.to_owned(),
        client: client.clone(),
    };
    let list = tasks::recent_from(vec![target("lab", &lab), target("prod", &prod)], 50).await;
    assert_eq!(list.failed.len(), 1, "{:?}", list.failed);
    assert_eq!(list.failed[0].connection, "lab");
    assert!(!list.failed[0].message.is_empty());
    assert!(list.tasks.iter().any(|t| t.upid == upid));
    assert!(list.tasks.iter().all(|t| t.connection_id == "prod"));
}

#[tokio::test]
async fn datastore_usage_gc_and_groups_match_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let scenario = Scenario::demo();
    let spec = &scenario.pbs[0];
    let stores = pbs::datastores(&ctx, "demo-pbs-backup").await.unwrap();
    assert_eq!(stores.len(), spec.datastores.len());
    for d in &spec.datastores {
        let got = stores.iter().find(|s| s.name == d.name).unwrap();
        let gib = (1u64 << 30) as f64;
        assert_eq!(got.total, Some(d.total_gib as f64 * gib));
        assert_eq!(got.used, Some(d.used_gib as f64 * gib));
        assert_eq!(got.avail, Some((d.total_gib - d.used_gib) as f64 * gib));
        let gc = got.gc.as_ref().expect("gc status");
        let want = d.gc_status.as_ref().unwrap();
        assert_eq!(gc.last_run_endtime, Some(want.last_run));
        assert_eq!(gc.last_run_state.as_deref(), Some("ok"));
        assert_eq!(gc.removed_bytes, Some(want.removed_bytes as f64));
        assert!(gc.upid.as_deref().unwrap().starts_with("UPID:"));
        // The demo's stores grow with every nightly backup.
        assert!(got.estimated_full_date.is_some_and(|t| t > 0), "{got:?}");

        let groups = pbs::snapshots(&ctx, "demo-pbs-backup", &d.name)
            .await
            .unwrap();
        let with_snapshots: Vec<_> = d
            .backups
            .iter()
            .filter(|g| !g.snapshots.is_empty())
            .collect();
        assert_eq!(groups.len(), with_snapshots.len());
        for g in with_snapshots {
            let got = groups
                .iter()
                .find(|x| x.backup_id == g.backup_id && x.backup_type == g.backup_type.as_str())
                .unwrap();
            assert_eq!(got.count as usize, g.snapshots.len());
            assert_eq!(got.snapshots.len(), g.snapshots.len());
            assert_eq!(got.last_backup, g.snapshots.iter().max().copied());
            assert_eq!(got.snapshots[0].time, *g.snapshots.iter().max().unwrap());
            assert_eq!(got.owner.as_deref(), Some(g.owner.as_str()));
        }
    }
    let err = pbs::datastores(&ctx, "demo-prod").await.unwrap_err();
    assert_eq!(err.code, proxdeck_core::ErrorCode::Invalid);
}

/// `(connection id, vmid)` of the scenario's guests without a backup within `days`.
fn uncovered_in_scenario(scenario: &Scenario, now: i64, days: i64) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    for c in &scenario.clusters {
        for g in c.guests.iter().filter(|g| !g.template) {
            let btype = match g.kind {
                GuestKind::Qemu => BackupType::Vm,
                GuestKind::Lxc => BackupType::Ct,
            };
            let newest = scenario
                .pbs
                .iter()
                .flat_map(|p| &p.datastores)
                .flat_map(|d| &d.backups)
                .filter(|b| b.backup_type == btype && b.backup_id == g.vmid.to_string())
                .flat_map(|b| b.snapshots.iter().copied())
                .max();
            if newest.is_none_or(|t| now - t > days * 86_400) {
                out.insert((format!("demo-{}", c.name), g.vmid));
            }
        }
    }
    out
}

#[tokio::test]
async fn coverage_lists_exactly_the_guests_without_a_recent_backup() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = demo_ctx(dir.path()).await;
    let scenario = Scenario::demo();
    for days in [1u32, 30] {
        let cov = pbs::coverage(&ctx, days).await.unwrap();
        assert!(cov.failed.is_empty(), "{:?}", cov.failed);
        assert_eq!(cov.days, days);
        let got: BTreeSet<(String, u32)> = cov
            .rows
            .iter()
            .filter(|r| !r.backed_up_within)
            .map(|r| (r.connection_id.clone(), r.vmid))
            .collect();
        let want = uncovered_in_scenario(&scenario, cov.checked_at, i64::from(days));
        assert_eq!(got, want, "days = {days}");
        // Uncovered first.
        let first_covered = cov.rows.iter().position(|r| r.backed_up_within).unwrap();
        assert!(cov.rows[first_covered..].iter().all(|r| r.backed_up_within));
        // Templates are not listed; every other guest is.
        let guests: usize = scenario
            .clusters
            .iter()
            .map(|c| c.guests.iter().filter(|g| !g.template).count())
            .sum();
        assert_eq!(cov.rows.len(), guests);
    }
    // What the demo's description promises: never backed up, and three weeks stale.
    let cov = pbs::coverage(&ctx, 1).await.unwrap();
    let uncovered: Vec<(&str, u32)> = cov
        .rows
        .iter()
        .filter(|r| !r.backed_up_within)
        .map(|r| (r.connection_id.as_str(), r.vmid))
        .collect();
    for vmid in [113, 171, 190, 191, 140] {
        assert!(uncovered.contains(&("demo-prod", vmid)), "{vmid}");
    }
    let stale = cov.rows.iter().find(|r| r.vmid == 140).unwrap();
    assert!(stale.last_backup.is_some());
    assert_eq!(stale.last_backup_on.as_deref(), Some("pbs-backup / prod"));
    let never = cov.rows.iter().find(|r| r.vmid == 113).unwrap();
    assert_eq!(never.last_backup, None);
}
