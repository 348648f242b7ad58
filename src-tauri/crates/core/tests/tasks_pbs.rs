//! The task bar and the backup views against the simulator: recent tasks of all clusters,
//! a task's live log, PBS datastores and groups, and backup coverage.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use proxdeck_core::paths::Paths;
use proxdeck_core::{Ctx, demo, inventory, pbs, tasks};
use proxdeck_pve::{Auth, PveClient, Trust};
use proxdeck_sim::scenario::{BackupType, GuestKind, StorageKind};
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
                .find(|x| {
                    x.ns == g.ns
                        && x.backup_id == g.backup_id
                        && x.backup_type == g.backup_type.as_str()
                })
                .unwrap();
            assert_eq!(got.count as usize, g.snapshots.len());
            assert_eq!(got.snapshots.len(), g.snapshots.len());
            assert_eq!(got.last_backup, g.snapshots.iter().max().copied());
            assert_eq!(got.snapshots[0].time, *g.snapshots.iter().max().unwrap());
            assert_eq!(got.owner.as_deref(), Some(g.owner.as_str()));
            assert_eq!(got.ns, g.ns);
        }
    }
    let err = pbs::datastores(&ctx, "demo-prod").await.unwrap_err();
    assert_eq!(err.code, proxdeck_core::ErrorCode::Invalid);
}

/// `(connection id, vmid)` of the scenario's guests without a backup within `days` in a
/// datastore namespace their own cluster's `pbs` storages write to.
fn uncovered_in_scenario(scenario: &Scenario, now: i64, days: i64) -> BTreeSet<(String, u32)> {
    let mut out = BTreeSet::new();
    for c in &scenario.clusters {
        let targets: Vec<(&str, &str, &str)> = c
            .storages
            .iter()
            .filter(|s| s.kind == StorageKind::Pbs)
            .map(|s| {
                (
                    s.server.as_deref().unwrap(),
                    s.datastore.as_deref().unwrap(),
                    s.namespace.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        assert!(!targets.is_empty(), "every demo cluster backs up to PBS");
        for g in c.guests.iter().filter(|g| !g.template) {
            let btype = match g.kind {
                GuestKind::Qemu => BackupType::Vm,
                GuestKind::Lxc => BackupType::Ct,
            };
            let newest = scenario
                .pbs
                .iter()
                .flat_map(|p| p.datastores.iter().map(move |d| (p, d)))
                .flat_map(|(p, d)| d.backups.iter().map(move |b| (p, d, b)))
                .filter(|(p, d, b)| {
                    targets.contains(&(p.name.as_str(), d.name.as_str(), b.ns.as_str()))
                })
                .map(|(_, _, b)| b)
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
        // Each demo cluster's storage leads to the demo backup server, by address.
        assert_eq!(cov.storages.len(), 2, "{:?}", cov.storages);
        for st in &cov.storages {
            assert_eq!(st.backup_server_id.as_deref(), Some("demo-pbs-backup"));
            assert_eq!(st.note, None);
            assert_eq!(st.namespace, format!("pve-{}", st.connection));
        }
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
    assert_eq!(
        stale.last_backup_on.as_deref(),
        Some("pbs-backup / prod / pve-prod")
    );
    assert_eq!(stale.status, pbs::CoverageStatus::Stale);
    let never = cov.rows.iter().find(|r| r.vmid == 113).unwrap();
    assert_eq!(never.last_backup, None);
    assert_eq!(never.status, pbs::CoverageStatus::Never);
}

const PVE_TOKEN: &str = "0b5f2a7e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const PBS_TOKEN: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
const DAY: i64 = 86_400;

/// Clusters `east` and `west` both have VM 100 and CT 101 and back up to the same
/// datastore of `pbs1`, each into its own namespace; `solo` has VM 100 too and no PBS
/// storage at all. East's VM 100 was backed up an hour ago; west's VM 100 only ten days ago;
/// a backup of vm/101 sits in the root namespace, where neither cluster writes.
fn twin_clusters(now: i64) -> Scenario {
    let cluster = |name: &str, pbs: bool| {
        let storage = if pbs {
            format!(
                r#"storages = [{{ id = "backup", kind = "pbs", content = ["backup"], server = "pbs1", datastore = "shared", namespace = "{name}", username = "pve@pbs" }}]"#
            )
        } else {
            r#"storages = [{ id = "local", kind = "dir", content = ["backup", "images"] }]"#
                .to_owned()
        };
        format!(
            r#"
[[clusters]]
name = "{name}"
nodes = [{{ name = "{name}1" }}]
{storage}
guests = [
  {{ vmid = 100, name = "app", node = "{name}1" }},
  {{ vmid = 101, name = "cache", node = "{name}1", kind = "lxc" }},
]
users = [{{ userid = "root@pam", password = "pw" }}]
tokens = [{{ userid = "root@pam", tokenid = "coverage", secret = "{PVE_TOKEN}", privsep = false }}]
"#
        )
    };
    let toml = format!(
        r#"{east}{west}{solo}
[[pbs]]
name = "pbs1"
users = [{{ userid = "root@pam", password = "pw" }}, {{ userid = "pve@pbs", password = "pw" }}]
tokens = [{{ userid = "root@pam", tokenid = "coverage", secret = "{PBS_TOKEN}" }}]
acl = [{{ path = "/", token = "root@pam!coverage", role = "Admin" }}]

[[pbs.datastores]]
name = "shared"
path = "/mnt/datastore/shared"
namespaces = ["east", "west"]
backups = [
  {{ ns = "east", backup_type = "vm", backup_id = "100", owner = "pve@pbs", snapshots = [{recent}] }},
  {{ ns = "east", backup_type = "ct", backup_id = "101", owner = "pve@pbs", snapshots = [{recent}] }},
  {{ ns = "west", backup_type = "vm", backup_id = "100", owner = "pve@pbs", snapshots = [{old}] }},
  {{ backup_type = "vm", backup_id = "101", owner = "pve@pbs", snapshots = [{recent}] }},
]
"#,
        east = cluster("east", true),
        west = cluster("west", true),
        solo = cluster("solo", false),
        recent = now - 3600,
        old = now - 10 * DAY,
    );
    let s = Scenario::from_toml_str(&toml).unwrap();
    s.validate().unwrap();
    s
}

fn pbs_client_of(sim: &Sim, name: &str, url: &str) -> Arc<PveClient> {
    let p = sim.pbs.iter().find(|p| p.sim.name == name).unwrap();
    let token = sim.pbs_credentials(name).token.unwrap();
    let (id, secret) = token.split_once(':').unwrap();
    Arc::new(
        PveClient::new(
            url,
            &Trust::Pinned(p.fingerprint()),
            Auth::PbsToken {
                id: id.to_owned(),
                secret: secret.to_owned(),
            },
            Duration::from_secs(2),
        )
        .unwrap(),
    )
}

fn cluster_targets(sim: &Sim) -> Vec<pbs::ClusterTarget> {
    sim.clusters
        .iter()
        .map(|c| pbs::ClusterTarget {
            connection_id: c.sim.name.clone(),
            connection: c.sim.name.clone(),
            client: client_of(sim, &c.sim.name),
        })
        .collect()
}

fn server_target(sim: &Sim, url: String) -> pbs::ServerTarget {
    let p = &sim.pbs[0];
    pbs::ServerTarget {
        connection_id: "pbs1-conn".into(),
        connection: "pbs1".into(),
        client: pbs_client_of(sim, "pbs1", &url),
        urls: vec![url],
        fingerprints: vec![p.fingerprint()],
    }
}

fn status_of(cov: &pbs::Coverage, cluster: &str, vmid: u32) -> pbs::CoverageStatus {
    cov.rows
        .iter()
        .find(|r| r.connection_id == cluster && r.vmid == vmid)
        .unwrap_or_else(|| panic!("{cluster}/{vmid} listed"))
        .status
}

#[tokio::test]
async fn the_same_vmid_in_two_clusters_is_matched_to_each_clusters_own_namespace() {
    use pbs::CoverageStatus::{Never, NoPbsStorage, Recent, Stale};
    let now = chrono_now();
    let sim = Sim::start(twin_clusters(now), SimOptions::default())
        .await
        .unwrap();
    let servers = vec![server_target(&sim, sim.pbs[0].base_url())];
    let cov = pbs::coverage_from(cluster_targets(&sim), servers.clone(), 1, now).await;
    assert!(cov.failed.is_empty(), "{:?}", cov.failed);
    assert_eq!(cov.rows.len(), 6);
    assert_eq!(status_of(&cov, "east", 100), Recent);
    assert_eq!(status_of(&cov, "east", 101), Recent);
    // West's VM 100 has its own, older backup: east's does not cover it.
    assert_eq!(status_of(&cov, "west", 100), Stale);
    // vm/101 in the root namespace is nobody's: west's CT 101 has none, and a VM backup
    // would not cover a CT anyway.
    assert_eq!(status_of(&cov, "west", 101), Never);
    assert_eq!(status_of(&cov, "solo", 100), NoPbsStorage);
    assert_eq!(status_of(&cov, "solo", 101), NoPbsStorage);
    let west = cov
        .rows
        .iter()
        .find(|r| r.connection_id == "west" && r.vmid == 100)
        .unwrap();
    assert_eq!(west.last_backup, Some(now - 10 * DAY));
    assert_eq!(west.last_backup_on.as_deref(), Some("pbs1 / shared / west"));
    assert!(!west.backed_up_within);
    // Uncovered first.
    assert!(cov.rows[..4].iter().all(|r| !r.backed_up_within));
    assert_eq!(cov.storages.len(), 2);
    assert!(
        cov.storages
            .iter()
            .all(|s| s.backup_server_id.as_deref() == Some("pbs1-conn") && s.note.is_none()),
        "{:?}",
        cov.storages
    );

    // A wider window covers west's VM 100; the guest with only a stale backup is listed
    // only while the window is shorter than its age.
    let cov = pbs::coverage_from(cluster_targets(&sim), servers, 30, now).await;
    assert_eq!(status_of(&cov, "west", 100), Recent);
    assert_eq!(status_of(&cov, "west", 101), Never);
}

#[tokio::test]
async fn a_storage_is_matched_by_fingerprint_when_the_address_differs_and_reported_when_not_at_all()
{
    let now = chrono_now();
    let sim = Sim::start(twin_clusters(now), SimOptions::default())
        .await
        .unwrap();
    // The connection names the server `localhost`, the storage `127.0.0.1`.
    let url = format!("https://localhost:{}", sim.pbs[0].served.addr.port());
    let cov = pbs::coverage_from(
        cluster_targets(&sim),
        vec![server_target(&sim, url)],
        1,
        now,
    )
    .await;
    assert!(cov.failed.is_empty(), "{:?}", cov.failed);
    assert_eq!(status_of(&cov, "east", 100), pbs::CoverageStatus::Recent);
    for s in &cov.storages {
        assert_eq!(s.backup_server_id.as_deref(), Some("pbs1-conn"));
        assert!(
            s.note.as_deref().unwrap().contains("fingerprint"),
            "{:?}",
            s.note
        );
    }

    // No known backup server at all: the guests are not "never backed up".
    let cov = pbs::coverage_from(cluster_targets(&sim), Vec::new(), 1, now).await;
    assert!(
        cov.rows
            .iter()
            .all(|r| r.status == pbs::CoverageStatus::NoPbsStorage),
        "{:?}",
        cov.rows
    );
    let east = cov
        .storages
        .iter()
        .find(|s| s.connection == "east")
        .unwrap();
    assert_eq!(east.server, "127.0.0.1");
    assert_eq!(east.port, sim.pbs[0].served.addr.port());
    assert_eq!(east.datastore, "shared");
    assert_eq!(east.namespace, "east");
    assert_eq!(east.backup_server_id, None);
    assert!(
        east.note
            .as_deref()
            .unwrap()
            .contains(&format!("127.0.0.1:{}", east.port)),
        "{:?}",
        east.note
    );
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
