//! The task bar: recent tasks of every cluster in one list, and a task's log read in pages
//! so a running task can be followed live.
//!
//! One `/cluster/tasks` per enabled PVE connection, all in parallel; a cluster that does not
//! answer is reported beside the list instead of hiding the others' tasks.

use std::collections::HashMap;
use std::sync::Arc;

use proxdeck_pve::{PveClient, percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::connections::ConnectionKind;
use crate::{AppError, Ctx, ErrorCode};

/// How many log lines one [`log`] call reads at most.
const LOG_PAGE: u32 = 500;

/// One task as the task bar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    pub connection_id: String,
    pub connection_name: String,
    pub upid: String,
    pub node: String,
    /// PVE's task type (`qmstart`, `vzdump`, …).
    pub kind: String,
    /// The object the task works on (a VMID, a storage…); may be empty.
    pub id: String,
    pub user: String,
    /// Unix seconds.
    #[specta(type = f64)]
    pub starttime: i64,
    #[specta(type = Option<f64>)]
    pub endtime: Option<i64>,
    /// `running`, `OK`, or the error text (`WARNINGS: 2` counts as finished with warnings).
    pub status: String,
    /// What the PVE web UI would call it: `VM 100 - Start`.
    pub description: String,
}

impl TaskEntry {
    pub fn is_running(&self) -> bool {
        self.status == "running"
    }
}

/// A cluster whose tasks could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskFailure {
    pub connection_id: String,
    pub connection: String,
    pub message: String,
}

/// Recent tasks of all clusters, newest first, and the clusters that did not answer.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskList {
    pub tasks: Vec<TaskEntry>,
    pub failed: Vec<TaskFailure>,
}

/// One line of a task log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct LogLine {
    /// 1-based line number.
    pub n: u32,
    pub t: String,
}

/// A page of a task's log.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskLog {
    pub lines: Vec<LogLine>,
    pub running: bool,
    /// `OK` or the error text once the task stopped.
    pub exitstatus: Option<String>,
    /// The `start` of the next call: the 0-based index after the last line read.
    pub next_start: u32,
}

/// The wire form of a `/cluster/tasks` entry.
#[derive(Deserialize)]
struct WireTask {
    upid: String,
    node: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user: String,
    starttime: i64,
    #[serde(default)]
    endtime: Option<i64>,
    #[serde(default)]
    status: Option<String>,
}

/// A cluster to read tasks from.
#[derive(Clone)]
pub struct Target {
    pub connection_id: String,
    pub connection_name: String,
    pub client: Arc<PveClient>,
}

/// Recent tasks of every enabled PVE connection, newest first, at most `limit`.
pub async fn recent(ctx: &Ctx, limit: u32) -> Result<TaskList, AppError> {
    let mut targets = Vec::new();
    let mut failed = Vec::new();
    for c in crate::connections::list(ctx).await? {
        if c.kind != ConnectionKind::Pve || !c.enabled {
            continue;
        }
        match crate::connections::client(ctx, &c.id).await {
            Ok(client) => targets.push(Target {
                connection_id: c.id,
                connection_name: c.name,
                client,
            }),
            Err(e) => failed.push(TaskFailure {
                connection_id: c.id,
                connection: c.name,
                message: e.message,
            }),
        }
    }
    let mut list = recent_from(targets, limit).await;
    list.failed.extend(failed);
    Ok(list)
}

/// Recent tasks of the given clusters, read in parallel; newest first, at most `limit`.
pub async fn recent_from(targets: Vec<Target>, limit: u32) -> TaskList {
    let mut set = tokio::task::JoinSet::new();
    for t in targets {
        set.spawn(async move {
            let answer = t.client.get("/cluster/tasks").await;
            (t, answer)
        });
    }
    let mut tasks = Vec::new();
    let mut failed = Vec::new();
    while let Some(joined) = set.join_next().await {
        let Ok((t, answer)) = joined else { continue };
        let parsed = answer.map_err(AppError::from).and_then(|v| {
            serde_json::from_value::<Vec<WireTask>>(v).map_err(|e| {
                AppError::new(
                    ErrorCode::Protocol,
                    "the cluster answered /cluster/tasks in an unexpected shape",
                )
                .with_detail(e.to_string())
            })
        });
        match parsed {
            Ok(list) => tasks.extend(list.into_iter().map(|w| entry(&t, w))),
            Err(e) => failed.push(TaskFailure {
                connection_id: t.connection_id.clone(),
                connection: t.connection_name.clone(),
                message: e.message,
            }),
        }
    }
    tasks.sort_by(|a, b| {
        b.starttime
            .cmp(&a.starttime)
            .then_with(|| a.upid.cmp(&b.upid))
    });
    tasks.truncate(limit as usize);
    failed.sort_by(|a, b| a.connection.cmp(&b.connection));
    TaskList { tasks, failed }
}

fn entry(t: &Target, w: WireTask) -> TaskEntry {
    let id = w.id.unwrap_or_default();
    // PVE lists a running task without status; an ended one without status is unknown.
    let status = match (w.status, w.endtime) {
        (Some(s), _) if !s.is_empty() => s,
        (_, None) => "running".to_owned(),
        _ => "unknown".to_owned(),
    };
    TaskEntry {
        connection_id: t.connection_id.clone(),
        connection_name: t.connection_name.clone(),
        description: describe(&w.kind, &id),
        upid: w.upid,
        node: w.node,
        kind: w.kind,
        id,
        user: w.user,
        starttime: w.starttime,
        endtime: w.endtime,
        status,
    }
}

/// The PVE web UI's task names (`Proxmox.Utils.task_desc_table`), for the common types.
pub fn describe(kind: &str, id: &str) -> String {
    let (object, action) = match kind {
        "qmstart" => ("VM", "Start"),
        "qmstop" => ("VM", "Stop"),
        "qmshutdown" => ("VM", "Shutdown"),
        "qmreboot" => ("VM", "Reboot"),
        "qmreset" => ("VM", "Reset"),
        "qmsuspend" => ("VM", "Hibernate"),
        "qmpause" => ("VM", "Pause"),
        "qmresume" => ("VM", "Resume"),
        "qmclone" => ("VM", "Clone"),
        "qmcreate" => ("VM", "Create"),
        "qmdestroy" => ("VM", "Destroy"),
        "qmigrate" => ("VM", "Migrate"),
        "qmconfig" => ("VM", "Configure"),
        "qmsnapshot" => ("VM", "Snapshot"),
        "qmdelsnapshot" => ("VM", "Delete Snapshot"),
        "qmrollback" => ("VM", "Rollback"),
        "qmtemplate" => ("VM", "Convert to template"),
        "qmmove" => ("VM", "Move disk"),
        "resize" => ("VM/CT", "Resize"),
        "vncproxy" => ("VM/CT", "Console"),
        "vncshell" => ("", "Shell"),
        "spiceproxy" => ("VM/CT", "Console (Spice)"),
        "vzstart" => ("CT", "Start"),
        "vzstop" => ("CT", "Stop"),
        "vzshutdown" => ("CT", "Shutdown"),
        "vzreboot" => ("CT", "Reboot"),
        "vzsuspend" => ("CT", "Suspend"),
        "vzresume" => ("CT", "Resume"),
        "vzcreate" => ("CT", "Create"),
        "vzdestroy" => ("CT", "Destroy"),
        "vzclone" => ("CT", "Clone"),
        "vzmigrate" => ("CT", "Migrate"),
        "vzsnapshot" => ("CT", "Snapshot"),
        "vzdelsnapshot" => ("CT", "Delete Snapshot"),
        "vzrollback" => ("CT", "Rollback"),
        "vztemplate" => ("CT", "Convert to template"),
        "vzdump" => {
            return if id.is_empty() {
                "Backup Job".to_owned()
            } else {
                format!("VM/CT {id} - Backup")
            };
        }
        "hamigrate" => ("HA", "Migrate"),
        "hastart" => ("HA", "Start"),
        "hastop" => ("HA", "Stop"),
        "startall" => return "Bulk start VMs and Containers".to_owned(),
        "stopall" => return "Bulk shutdown VMs and Containers".to_owned(),
        "migrateall" => return "Bulk migrate VMs and Containers".to_owned(),
        "aptupdate" => return "Update package database".to_owned(),
        "imgcopy" => ("", "Copy data"),
        "download" => ("", "Download"),
        _ => {
            return if id.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind} {id}")
            };
        }
    };
    match (object.is_empty(), id.is_empty()) {
        (false, false) => format!("{object} {id} - {action}"),
        (false, true) => format!("{object} - {action}"),
        (true, false) => format!("{action} {id}"),
        (true, true) => action.to_owned(),
    }
}

/// Up to 500 lines of a task's log from line `start` (0-based), and whether it still runs.
pub async fn log(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    upid: &str,
    start: u32,
) -> Result<TaskLog, AppError> {
    let client = crate::connections::client(ctx, connection_id).await?;
    log_from(&client, node, upid, start).await
}

/// [`log`] on a given client.
pub async fn log_from(
    client: &PveClient,
    node: &str,
    upid: &str,
    start: u32,
) -> Result<TaskLog, AppError> {
    let base = format!(
        "/nodes/{}/tasks/{}",
        percent_encode(node),
        percent_encode(upid)
    );
    // Status first: a task that stopped before the log was read has its whole log read.
    let status = client.get(&format!("{base}/status")).await?;
    let lines = client
        .get(&format!("{base}/log?start={start}&limit={LOG_PAGE}"))
        .await?;
    let lines: Vec<LogLine> = serde_json::from_value(lines).map_err(|e| {
        AppError::new(
            ErrorCode::Protocol,
            "the node answered the task log in an unexpected shape",
        )
        .with_detail(e.to_string())
    })?;
    let running = status.get("status").and_then(Value::as_str) == Some("running");
    let exitstatus = status
        .get("exitstatus")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let next_start = lines.last().map_or(start, |l| l.n.max(start));
    Ok(TaskLog {
        lines,
        running,
        exitstatus,
        next_start,
    })
}

/// How often a followed log is read again while its task runs.
pub const LOG_FOLLOW_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// The task logs being streamed to windows, by the id the window chose: closing the window
/// stops the stream (the local wait), never the task.
#[derive(Default)]
pub struct LogFollows {
    inner: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Notify>>>,
}

impl std::fmt::Debug for LogFollows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogFollows")
    }
}

impl LogFollows {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<tokio::sync::Notify>>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many logs are streamed now.
    pub fn count(&self) -> usize {
        self.lock().len()
    }
}

/// Streams a task's log: every new line as it appears (read every `interval`), then its
/// end with the exit status. `send` returns `false` when nobody listens any more. Ends when
/// the task ends, when [`unfollow_log`] is called with `follow_id`, or when `send` fails;
/// stopping the stream does nothing to the task.
pub async fn follow_log(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    upid: &str,
    follow_id: &str,
    interval: std::time::Duration,
    mut send: impl FnMut(TaskLog) -> bool,
) -> Result<(), AppError> {
    let client = crate::connections::client(ctx, connection_id).await?;
    let stop = Arc::new(tokio::sync::Notify::new());
    ctx.log_follows
        .lock()
        .insert(follow_id.to_owned(), Arc::clone(&stop));
    let result = async {
        let mut next = 0u32;
        let mut failures = 0u32;
        loop {
            match log_from(&client, node, upid, next).await {
                Ok(page) => {
                    failures = 0;
                    let full = page.lines.len() >= LOG_PAGE as usize;
                    next = page.next_start;
                    let running = page.running;
                    if !send(page) {
                        return Ok(());
                    }
                    if !running && !full {
                        return Ok(());
                    }
                    if full {
                        // More lines are waiting: read on at once.
                        continue;
                    }
                }
                // A node briefly away: keep following, but not forever.
                Err(e) if failures < 10 && e.code == ErrorCode::Unreachable => failures += 1,
                Err(e) => return Err(e),
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                () = stop.notified() => return Ok(()),
            }
        }
    }
    .await;
    ctx.log_follows.lock().remove(follow_id);
    result
}

/// Stops streaming the log `follow_id` (the window closed). The task goes on.
pub fn unfollow_log(ctx: &Ctx, follow_id: &str) {
    if let Some(stop) = ctx.log_follows.lock().remove(follow_id) {
        stop.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_follow_the_pve_web_ui() {
        assert_eq!(describe("qmstart", "100"), "VM 100 - Start");
        assert_eq!(describe("vzshutdown", "201"), "CT 201 - Shutdown");
        assert_eq!(describe("vzdump", ""), "Backup Job");
        assert_eq!(describe("vzdump", "104"), "VM/CT 104 - Backup");
        assert_eq!(describe("srvreload", "networking"), "srvreload networking");
        assert_eq!(describe("vncshell", ""), "Shell");
    }
}
