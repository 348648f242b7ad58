//! Tasks started from Proxdeck, followed to their end: every call that returns a UPID
//! becomes a tracked task `{connection, node, upid}`, announced at once (the task bar shows
//! it before the next `/cluster/tasks` poll), polled until it stops, and announced again with
//! its exit status. The end is written to the audit log, makes the inventory refresh at once,
//! and becomes a desktop notification when the task failed or ran longer than
//! [`NOTIFY_AFTER`]. Stopping the local wait never claims the task stopped on the cluster;
//! [`stop`] asks the cluster to stop it (PVE's `DELETE /nodes/{node}/tasks/{upid}`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proxdeck_pve::{PveClient, percent_encode};
use proxdeck_store::AuditEntry;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::events::CoreEvent;
use crate::{AppError, Ctx, ErrorCode, audit};

/// A task that ran longer than this gets a desktop notification when it ends, even if it
/// succeeded: the admin has likely looked elsewhere meanwhile.
pub const NOTIFY_AFTER: Duration = Duration::from_secs(10);

/// A task started from Proxdeck, as the task bar and the notifications show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TrackedTask {
    pub connection_id: String,
    pub connection_name: String,
    pub node: String,
    pub upid: String,
    /// What the PVE web UI calls it: `VM 100 - Start`.
    pub description: String,
    /// What it acts on, for the audit log: `prod/qemu/100`.
    pub target: String,
    pub running: bool,
    /// `OK`, `WARNINGS: n`, or the error, once it stopped.
    pub exitstatus: Option<String>,
    /// How long it ran, once it stopped (as seen from here).
    #[specta(type = Option<f64>)]
    pub duration_ms: Option<u64>,
}

impl TrackedTask {
    /// Stopped with an error (warnings count as success, as in PVE).
    pub fn failed(&self) -> bool {
        match self.exitstatus.as_deref() {
            None => false,
            Some(s) => s != "OK" && !s.starts_with("WARNINGS"),
        }
    }
}

/// The parts of a UPID (`UPID:node:pid:pstart:starttime:type:id:user:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upid {
    pub node: String,
    pub kind: String,
    pub id: String,
    pub user: String,
}

/// Parses a UPID; `None` when it is not one.
pub fn parse_upid(upid: &str) -> Option<Upid> {
    let parts: Vec<&str> = upid.split(':').collect();
    if parts.len() < 8 || parts[0] != "UPID" || parts[1].is_empty() {
        return None;
    }
    Some(Upid {
        node: parts[1].to_owned(),
        kind: parts[5].to_owned(),
        id: parts[6].to_owned(),
        user: parts[7].to_owned(),
    })
}

/// The UPID a POST answered with, or a protocol error naming the call.
pub fn upid_from(answer: &Value, call: &str) -> Result<String, AppError> {
    answer
        .as_str()
        .filter(|s| parse_upid(s).is_some())
        .map(str::to_owned)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Protocol,
                format!("{call} did not answer with a task id (UPID)"),
            )
            .with_detail(answer.to_string())
        })
}

/// The tasks being followed, per connection, and whether that connection's watcher runs.
#[derive(Default)]
pub struct Watchers {
    by_connection: Mutex<HashMap<String, Watched>>,
    /// Ended tasks worth a notification, gathered for [`NOTIFY_BATCH`] so that a bulk action
    /// gives one notification, not hundreds.
    notices: Mutex<Vec<TrackedTask>>,
}

impl std::fmt::Debug for Watchers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watchers")
    }
}

struct Watched {
    client: Arc<PveClient>,
    tasks: HashMap<String, Pending>,
}

struct Pending {
    task: TrackedTask,
    started: Instant,
    /// Since when the task has been missing from `/cluster/tasks` (it keeps a bounded list).
    unseen_since: Option<Instant>,
}

impl Watchers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Watched>> {
        self.by_connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many tasks are being followed now.
    pub fn count(&self) -> usize {
        self.lock().values().map(|w| w.tasks.len()).sum()
    }
}

/// Individual status reads per watcher tick at most, for tasks `/cluster/tasks` does not list.
const STATUS_READS_PER_TICK: usize = 10;
/// A task missing from `/cluster/tasks` this long is read on its own.
const UNSEEN_GRACE: Duration = Duration::from_secs(3);

/// Announces `upid` as running and follows it to its end in the background. One watcher per
/// connection follows all of its tasks with one `/cluster/tasks` per tick (not one request per
/// task), so a bulk action of hundreds of guests costs what one does.
pub fn follow(
    ctx: Arc<Ctx>,
    client: Arc<PveClient>,
    connection_id: &str,
    connection_name: &str,
    upid: &str,
    target: &str,
) -> TrackedTask {
    let parsed = parse_upid(upid);
    let node = parsed.as_ref().map(|u| u.node.clone()).unwrap_or_default();
    let description = parsed
        .as_ref()
        .map(|u| crate::tasks::describe(&u.kind, &u.id))
        .unwrap_or_else(|| upid.to_owned());
    let task = TrackedTask {
        connection_id: connection_id.to_owned(),
        connection_name: connection_name.to_owned(),
        node,
        upid: upid.to_owned(),
        description,
        target: target.to_owned(),
        running: true,
        exitstatus: None,
        duration_ms: None,
    };
    ctx.emit(CoreEvent::TaskUpdated(task.clone()));
    let start_watcher = {
        let mut watchers = ctx.tracked.lock();
        let start = !watchers.contains_key(connection_id);
        let watched = watchers
            .entry(connection_id.to_owned())
            .or_insert_with(|| Watched {
                client,
                tasks: HashMap::new(),
            });
        watched.tasks.insert(
            upid.to_owned(),
            Pending {
                task: task.clone(),
                started: Instant::now(),
                unseen_since: None,
            },
        );
        start
    };
    if start_watcher {
        tokio::spawn(watch(ctx, connection_id.to_owned()));
    }
    task
}

/// Follows one connection's tasks until none is left: every 0.5 s while a task is young,
/// every second after. A list that cannot be read (the node is briefly away) is retried.
async fn watch(ctx: Arc<Ctx>, connection_id: String) {
    loop {
        let (client, young, upids) = {
            let mut watchers = ctx.tracked.lock();
            let Some(w) = watchers.get(&connection_id) else {
                return;
            };
            if w.tasks.is_empty() {
                watchers.remove(&connection_id);
                return;
            }
            let young = w
                .tasks
                .values()
                .any(|p| p.started.elapsed() < Duration::from_secs(5));
            (Arc::clone(&w.client), young, w.tasks.len())
        };
        tokio::time::sleep(if young {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(1)
        })
        .await;
        let listed: HashMap<String, Option<String>> = match client.get("/cluster/tasks").await {
            Ok(Value::Array(list)) => list
                .iter()
                .filter_map(|t| {
                    let upid = t.get("upid")?.as_str()?.to_owned();
                    // Finished tasks carry their exit status; running ones none (or "running").
                    let status = t
                        .get("status")
                        .and_then(Value::as_str)
                        .filter(|s| *s != "running")
                        .map(str::to_owned);
                    Some((upid, status))
                })
                .collect(),
            Ok(_) | Err(_) => HashMap::new(),
        };
        // What ended, and which missing ones to read on their own.
        let (ended, to_read) = {
            let mut watchers = ctx.tracked.lock();
            let Some(w) = watchers.get_mut(&connection_id) else {
                return;
            };
            let mut ended = Vec::new();
            let mut to_read = Vec::new();
            for (upid, p) in &mut w.tasks {
                match listed.get(upid) {
                    Some(Some(status)) => ended.push((upid.clone(), status.clone())),
                    Some(None) => p.unseen_since = None,
                    None => {
                        let since = *p.unseen_since.get_or_insert_with(Instant::now);
                        if since.elapsed() >= UNSEEN_GRACE && to_read.len() < STATUS_READS_PER_TICK
                        {
                            to_read.push((upid.clone(), p.task.node.clone()));
                        }
                    }
                }
            }
            (ended, to_read)
        };
        let mut ended = ended;
        for (upid, node) in to_read {
            let path = format!(
                "/nodes/{}/tasks/{}/status",
                percent_encode(&node),
                percent_encode(&upid)
            );
            if let Ok(status) = client.get(&path).await
                && status.get("status").and_then(Value::as_str) == Some("stopped")
            {
                let exit = status
                    .get("exitstatus")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_owned();
                ended.push((upid, exit));
            }
        }
        tracing::trace!(connection = %connection_id, followed = upids, ended = ended.len(), "task watcher tick");
        for (upid, exitstatus) in ended {
            let pending = ctx
                .tracked
                .lock()
                .get_mut(&connection_id)
                .and_then(|w| w.tasks.remove(&upid));
            if let Some(p) = pending {
                finish(&ctx, p, exitstatus).await;
            }
        }
    }
}

/// A followed task ended: the audit row, the event (and so the notification), a refresh.
async fn finish(ctx: &Arc<Ctx>, p: Pending, exitstatus: String) {
    let mut done = p.task;
    done.running = false;
    done.exitstatus = Some(exitstatus);
    done.duration_ms = Some(u64::try_from(p.started.elapsed().as_millis()).unwrap_or(u64::MAX));
    let entry = AuditEntry {
        actor: audit::local_actor(),
        action: "task.end".to_owned(),
        target: done.target.clone(),
        outcome: done.exitstatus.clone().unwrap_or_default(),
        details: serde_json::json!({
            "connection": done.connection_name,
            "upid": done.upid,
            "description": done.description,
            "durationMs": done.duration_ms,
        }),
    };
    if let Err(e) = audit::record(ctx, entry).await {
        tracing::warn!(upid = %done.upid, error = %e.message, "could not record a task's end");
    }
    tracing::info!(upid = %done.upid, exitstatus = ?done.exitstatus, "task ended");
    if notification_text(&done).is_some() {
        notice(ctx, done.clone());
    }
    ctx.emit(CoreEvent::TaskUpdated(done));
    crate::inventory::refresh_soon(ctx);
}

/// How long ended tasks are gathered into one desktop notification.
pub const NOTIFY_BATCH: Duration = Duration::from_millis(1500);

/// Queues a task's end for the next notification; the first of a batch schedules it.
fn notice(ctx: &Arc<Ctx>, task: TrackedTask) {
    let first = {
        let mut notices = ctx
            .tracked
            .notices
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        notices.push(task);
        notices.len() == 1
    };
    if first {
        let ctx = Arc::clone(ctx);
        tokio::spawn(async move {
            tokio::time::sleep(NOTIFY_BATCH).await;
            let batch = std::mem::take(
                &mut *ctx
                    .tracked
                    .notices
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            );
            if let Some((title, body)) = batch_notification_text(&batch) {
                ctx.emit(CoreEvent::Notification { title, body });
            }
        });
    }
}

/// One notification for tasks that ended close together: a single task's own text, or a
/// summary that counts the failures and names a few.
pub fn batch_notification_text(tasks: &[TrackedTask]) -> Option<(String, String)> {
    let notable: Vec<&TrackedTask> = tasks
        .iter()
        .filter(|t| notification_text(t).is_some())
        .collect();
    match notable.as_slice() {
        [] => None,
        [one] => notification_text(one),
        many => {
            let mut clusters: Vec<&str> = many.iter().map(|t| t.connection_name.as_str()).collect();
            clusters.sort_unstable();
            clusters.dedup();
            let clusters = clusters.join(", ");
            let failed: Vec<&&TrackedTask> = many.iter().filter(|t| t.failed()).collect();
            let title = if failed.is_empty() {
                format!("{} long tasks finished on {clusters}", many.len())
            } else {
                format!(
                    "{} of {} tasks failed on {clusters}",
                    failed.len(),
                    many.len()
                )
            };
            let shown: Vec<String> = if failed.is_empty() {
                many.iter().take(3).map(|t| t.description.clone()).collect()
            } else {
                failed
                    .iter()
                    .take(3)
                    .map(|t| {
                        format!(
                            "{}: {}",
                            t.description,
                            t.exitstatus.as_deref().unwrap_or_default()
                        )
                    })
                    .collect()
            };
            let listed = if failed.is_empty() {
                many.len()
            } else {
                failed.len()
            };
            let more = listed.saturating_sub(shown.len());
            let mut body = shown.join("; ");
            if more > 0 {
                body.push_str(&format!("; and {more} more. See the task bar."));
            } else {
                body.push('.');
            }
            Some((title, body))
        }
    }
}

/// Asks the cluster to stop a running task.
pub async fn stop(ctx: &Ctx, connection_id: &str, node: &str, upid: &str) -> Result<(), AppError> {
    let conn = crate::connections::get(ctx, connection_id).await?;
    let client = crate::connections::client(ctx, connection_id).await?;
    let path = format!(
        "/nodes/{}/tasks/{}",
        percent_encode(node),
        percent_encode(upid)
    );
    let result = client
        .delete(&path)
        .await
        .map(|_| ())
        .map_err(AppError::from);
    let entry = AuditEntry {
        actor: audit::local_actor(),
        action: "task.stop".to_owned(),
        target: format!("{}/{node}", conn.name),
        outcome: match &result {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("failed: {}", e.message),
        },
        details: serde_json::json!({ "upid": upid }),
    };
    if let Err(e) = audit::record(ctx, entry).await {
        tracing::warn!(upid, error = %e.message, "could not record a task stop");
    }
    result
}

/// The notification for a task's end: when it failed, or when it ran longer than
/// [`NOTIFY_AFTER`]. `None` for a short task that succeeded, or one still running.
pub fn notification_text(task: &TrackedTask) -> Option<(String, String)> {
    let status = task.exitstatus.as_deref()?;
    let long = task
        .duration_ms
        .is_some_and(|ms| ms > u64::try_from(NOTIFY_AFTER.as_millis()).unwrap_or(u64::MAX));
    if task.failed() {
        Some((
            format!("{} failed on {}", task.description, task.connection_name),
            format!("{status} (node {}).", task.node),
        ))
    } else if long {
        let secs = task.duration_ms.unwrap_or_default() / 1000;
        Some((
            format!("{} finished on {}", task.description, task.connection_name),
            format!("{status} after {secs} s (node {}).", task.node),
        ))
    } else {
        None
    }
}

/// A gathered list of task updates with each task once, in its latest state, where it first
/// appeared (a task that started and ended within one gathering is only its end).
pub fn latest_per_task(updates: Vec<TrackedTask>) -> Vec<TrackedTask> {
    let mut at: std::collections::HashMap<(String, String), usize> = Default::default();
    let mut out: Vec<TrackedTask> = Vec::with_capacity(updates.len());
    for t in updates {
        match at.entry((t.connection_id.clone(), t.upid.clone())) {
            std::collections::hash_map::Entry::Occupied(e) => out[*e.get()] = t,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(exitstatus: Option<&str>, ms: Option<u64>) -> TrackedTask {
        TrackedTask {
            connection_id: "c".into(),
            connection_name: "prod".into(),
            node: "pve1".into(),
            upid: "UPID:pve1:0000A1B2:00C0FFEE:6740A000:qmstart:100:root@pam:".into(),
            description: "VM 100 - Start".into(),
            target: "prod/qemu/100".into(),
            running: exitstatus.is_none(),
            exitstatus: exitstatus.map(str::to_owned),
            duration_ms: ms,
        }
    }

    #[test]
    fn upids_are_parsed_and_non_upids_refused() {
        let u =
            parse_upid("UPID:pve1:0000A1B2:00C0FFEE:6740A000:qmstart:100:root@pam!tok:").unwrap();
        assert_eq!(
            (
                u.node.as_str(),
                u.kind.as_str(),
                u.id.as_str(),
                u.user.as_str()
            ),
            ("pve1", "qmstart", "100", "root@pam!tok")
        );
        assert_eq!(parse_upid("not a upid"), None);
        assert_eq!(parse_upid("UPID::1:2:3:qmstart:100:root@pam:"), None);
        assert!(upid_from(&serde_json::json!(null), "POST /x").is_err());
        assert!(
            upid_from(
                &serde_json::json!("UPID:pve1:1:2:3:qmstart:100:root@pam:"),
                "x"
            )
            .is_ok()
        );
    }

    #[test]
    fn gathered_updates_keep_each_task_once_in_its_latest_state() {
        let started = task(None, None);
        let mut other = task(None, None);
        other.upid = other.upid.replace(":100:", ":101:");
        let ended = task(Some("OK"), Some(600));
        let mut elsewhere = task(None, None);
        elsewhere.connection_id = "d".into();
        let out = latest_per_task(vec![
            started,
            other.clone(),
            ended.clone(),
            elsewhere.clone(),
        ]);
        assert_eq!(out, vec![ended, other, elsewhere]);
    }

    #[test]
    fn only_failures_and_long_tasks_are_notified() {
        assert_eq!(notification_text(&task(None, None)), None);
        assert_eq!(notification_text(&task(Some("OK"), Some(2_000))), None);
        assert_eq!(
            notification_text(&task(Some("WARNINGS: 1"), Some(2_000))),
            None
        );
        let (title, body) =
            notification_text(&task(Some("VM is locked (backup)"), Some(300))).unwrap();
        assert_eq!(title, "VM 100 - Start failed on prod");
        assert_eq!(body, "VM is locked (backup) (node pve1).");
        let (title, body) = notification_text(&task(Some("OK"), Some(12_500))).unwrap();
        assert_eq!(title, "VM 100 - Start finished on prod");
        assert_eq!(body, "OK after 12 s (node pve1).");
    }

    #[test]
    fn tasks_ending_together_make_one_notification() {
        assert_eq!(
            batch_notification_text(&[task(Some("OK"), Some(100))]),
            None
        );
        let one = task(Some("no disk"), Some(100));
        assert_eq!(
            batch_notification_text(&[one.clone(), task(Some("OK"), Some(100))]),
            notification_text(&one)
        );
        let mut many = vec![task(Some("OK"), Some(100)); 3];
        for i in 0..5 {
            let mut t = task(Some("VM is locked (backup)"), Some(100));
            t.description = format!("VM {} - Start", 200 + i);
            t.connection_name = if i % 2 == 0 { "prod" } else { "lab" }.into();
            many.push(t);
        }
        many.push(task(Some("OK"), Some(20_000)));
        let (title, body) = batch_notification_text(&many).unwrap();
        assert_eq!(title, "5 of 6 tasks failed on lab, prod");
        assert_eq!(
            body,
            "VM 200 - Start: VM is locked (backup); VM 201 - Start: VM is locked (backup); VM 202 - Start: VM is locked (backup); and 2 more. See the task bar."
        );
        let long = vec![task(Some("OK"), Some(20_000)); 2];
        let (title, body) = batch_notification_text(&long).unwrap();
        assert_eq!(title, "2 long tasks finished on prod");
        assert_eq!(body, "VM 100 - Start; VM 100 - Start.");
    }
}
