//! Guest power actions against the in-process demo datacenter: the request PVE expects, the
//! task followed to its end, the state read back, the audit rows; refusals explained.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proxdeck_core::events::{CoreEvent, EventSink};
use proxdeck_core::guests::{self, PowerAction};
use proxdeck_core::monitor::GuestType;
use proxdeck_core::paths::Paths;
use proxdeck_core::tracked::TrackedTask;
use proxdeck_core::{Ctx, ErrorCode, demo, inventory, tracked};

#[derive(Default)]
struct Recorder(Mutex<Vec<CoreEvent>>);

impl EventSink for Recorder {
    fn emit(&self, event: CoreEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Recorder {
    fn tasks(&self, upid: &str) -> Vec<TrackedTask> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                CoreEvent::TaskUpdated(t) if t.upid == upid => Some(t.clone()),
                _ => None,
            })
            .collect()
    }
}

async fn demo_ctx(dir: &std::path::Path) -> (Arc<Ctx>, Arc<Recorder>) {
    let events = Arc::new(Recorder::default());
    let ctx = Ctx::builder("9.9.9-test", Paths::under(dir))
        .events(events.clone())
        .open()
        .await
        .unwrap();
    demo::open(&ctx).await.unwrap();
    (Arc::new(ctx), events)
}

/// Waits for the task's end event (demo tasks take 2 s).
async fn ended(events: &Recorder, upid: &str) -> TrackedTask {
    for _ in 0..200 {
        if let Some(t) = events.tasks(upid).into_iter().find(|t| !t.running) {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {upid} did not end");
}

/// A power action on a guest of the demo's prod cluster.
async fn prod(
    ctx: &Arc<Ctx>,
    node: &str,
    kind: GuestType,
    vmid: u32,
    action: PowerAction,
) -> Result<TrackedTask, proxdeck_core::AppError> {
    guests::power(ctx, "demo-prod", node, kind, vmid, action).await
}

async fn status_of(ctx: &Arc<Ctx>, vmid: u32) -> String {
    inventory::refresh_once(ctx).await.unwrap();
    let snap = inventory::snapshot(ctx).await.unwrap();
    let prod = snap
        .iter()
        .find(|c| c.connection_id == "demo-prod")
        .unwrap();
    prod.resources
        .iter()
        .find(|r| r.vmid == Some(vmid))
        .and_then(|r| r.status.clone())
        .unwrap()
}

async fn audit(ctx: &Ctx) -> Vec<proxdeck_store::AuditEntry> {
    let mut rows: Vec<_> = ctx
        .db(|s| s.audit_list(None, 100))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect();
    rows.reverse(); // oldest first
    rows
}

#[tokio::test]
async fn starting_a_stopped_vm_is_a_task_followed_to_its_end_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, events) = demo_ctx(dir.path()).await;
    // 113 web4 is stopped on pve3 in the demo.
    assert_eq!(status_of(&ctx, 113).await, "stopped");
    let task = prod(&ctx, "pve3", GuestType::Qemu, 113, PowerAction::Start)
        .await
        .unwrap();
    assert!(task.running);
    assert_eq!(task.description, "VM 113 - Start");
    assert_eq!(task.node, "pve3");
    assert_eq!(task.target, "prod/qemu/113");
    let parsed = tracked::parse_upid(&task.upid).unwrap();
    assert_eq!(
        (parsed.kind.as_str(), parsed.id.as_str()),
        ("qmstart", "113")
    );
    // Announced at once, before the end.
    assert!(events.tasks(&task.upid).first().is_some_and(|t| t.running));

    let done = ended(&events, &task.upid).await;
    assert_eq!(done.exitstatus.as_deref(), Some("OK"));
    assert!(!done.failed());
    assert!(done.duration_ms.unwrap() >= 1_500, "{done:?}");
    assert_eq!(status_of(&ctx, 113).await, "running");

    let rows = audit(&ctx).await;
    let started = rows.iter().find(|r| r.action == "guest.start").unwrap();
    assert_eq!(started.target, "prod/qemu/113");
    assert_eq!(started.outcome, "started");
    assert_eq!(started.details["upid"], task.upid.as_str());
    let end = rows.iter().find(|r| r.action == "task.end").unwrap();
    assert_eq!(
        (end.target.as_str(), end.outcome.as_str()),
        ("prod/qemu/113", "OK")
    );

    // Starting it again: PVE refuses before any task; the refusal is audited too.
    let err = prod(&ctx, "pve3", GuestType::Qemu, 113, PowerAction::Start)
        .await
        .unwrap_err();
    assert!(err.message.contains("already running"), "{err:?}");
    let rows = audit(&ctx).await;
    let refused = rows
        .iter()
        .rev()
        .find(|r| r.action == "guest.start")
        .unwrap();
    assert!(refused.outcome.starts_with("failed: "), "{refused:?}");
}

#[tokio::test]
async fn a_container_shuts_down_and_has_no_reset() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, events) = demo_ctx(dir.path()).await;
    // 130 cache1 is a running container on pve1.
    let err = prod(&ctx, "pve1", GuestType::Lxc, 130, PowerAction::Reset)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("containers have no reset"), "{err:?}");

    let task = prod(&ctx, "pve1", GuestType::Lxc, 130, PowerAction::Shutdown)
        .await
        .unwrap();
    assert_eq!(task.description, "CT 130 - Shutdown");
    assert_eq!(
        ended(&events, &task.upid).await.exitstatus.as_deref(),
        Some("OK")
    );
    assert_eq!(status_of(&ctx, 130).await, "stopped");
}

#[tokio::test]
async fn a_locked_guest_says_what_holds_the_lock_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, _events) = demo_ctx(dir.path()).await;
    // 122 db3 is locked by a backup in the demo.
    let err = prod(&ctx, "pve3", GuestType::Qemu, 122, PowerAction::Shutdown)
        .await
        .unwrap_err();
    assert!(err.message.contains("locked (backup)"), "{err:?}");
    assert!(err.message.contains("qm unlock 122"), "{err:?}");
    assert_eq!(status_of(&ctx, 122).await, "running");
}

#[tokio::test]
async fn stopping_a_running_task_ends_it_as_interrupted_and_nothing_happens() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, events) = demo_ctx(dir.path()).await;
    // 171 ci-runner2 is stopped on pve2.
    let task = prod(&ctx, "pve2", GuestType::Qemu, 171, PowerAction::Start)
        .await
        .unwrap();
    tracked::stop(&ctx, "demo-prod", &task.node, &task.upid)
        .await
        .unwrap();
    let done = ended(&events, &task.upid).await;
    assert_eq!(done.exitstatus.as_deref(), Some("interrupted by signal"));
    assert!(done.failed());
    let (title, _) = tracked::notification_text(&done).unwrap();
    assert_eq!(title, "VM 171 - Start failed on prod");
    // The start never happened, even after the task's time has passed.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(status_of(&ctx, 171).await, "stopped");
    let rows = audit(&ctx).await;
    assert!(
        rows.iter()
            .any(|r| r.action == "task.stop" && r.outcome == "ok")
    );
}

#[tokio::test]
async fn a_bulk_start_across_clusters_reports_each_guest_and_follows_every_task() {
    let dir = tempfile::tempdir().unwrap();
    let (ctx, events) = demo_ctx(dir.path()).await;
    inventory::refresh_once(&ctx).await.unwrap();
    // Every stopped, unlocked, non-template guest of both demo clusters, plus one running.
    let mut wanted = Vec::new();
    for c in inventory::snapshot(&ctx).await.unwrap() {
        for r in &c.resources {
            if (r.kind == "qemu" || r.kind == "lxc")
                && r.status.as_deref() == Some("stopped")
                && !r.template
                && r.lock.is_none()
            {
                wanted.push(guests::GuestRef {
                    connection_id: c.connection_id.clone(),
                    node: r.node.clone().unwrap(),
                    kind: if r.kind == "lxc" {
                        GuestType::Lxc
                    } else {
                        GuestType::Qemu
                    },
                    vmid: r.vmid.unwrap(),
                });
            }
        }
    }
    let clusters: std::collections::BTreeSet<_> =
        wanted.iter().map(|g| g.connection_id.clone()).collect();
    assert!(wanted.len() >= 4 && clusters.len() == 2, "{wanted:?}");
    let running = guests::GuestRef {
        connection_id: "demo-prod".into(),
        node: "pve1".into(),
        kind: GuestType::Qemu,
        vmid: 110,
    };
    let mut all = wanted.clone();
    all.push(running.clone());

    let outcomes = guests::power_many(&ctx, all.clone(), PowerAction::Start, 3).await;
    assert_eq!(
        outcomes.iter().map(|o| o.guest.clone()).collect::<Vec<_>>(),
        all,
        "one outcome per guest, in order"
    );
    let refused = outcomes.last().unwrap();
    assert!(refused.task.is_none());
    assert!(
        refused
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("already running")
    );
    let tasks: Vec<TrackedTask> = outcomes[..wanted.len()]
        .iter()
        .map(|o| o.task.clone().unwrap_or_else(|| panic!("{o:?}")))
        .collect();
    for t in &tasks {
        assert_eq!(
            ended(&events, &t.upid).await.exitstatus.as_deref(),
            Some("OK")
        );
    }
    // Nothing is followed any more, and every guest runs.
    for _ in 0..40 {
        if ctx.tracked.count() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ctx.tracked.count(), 0);
    inventory::refresh_once(&ctx).await.unwrap();
    let snap = inventory::snapshot(&ctx).await.unwrap();
    for g in &wanted {
        let c = snap
            .iter()
            .find(|c| c.connection_id == g.connection_id)
            .unwrap();
        let r = c.resources.iter().find(|r| r.vmid == Some(g.vmid)).unwrap();
        assert_eq!(r.status.as_deref(), Some("running"), "{g:?}");
    }
}
