//! PVE tasks: every mutating call that takes time returns a UPID, runs in the background
//! and finishes later with an exit status and a log, exactly in PVE's formats.

use serde_json::{Value, json};

/// `UPID:{node}:{pid:08X}:{pstart:08X}:{starttime:08X}:{type}:{id}:{user}:`
pub fn upid(
    node: &str,
    pid: u32,
    pstart: u32,
    starttime: i64,
    kind: &str,
    id: &str,
    user: &str,
) -> String {
    format!("UPID:{node}:{pid:08X}:{pstart:08X}:{starttime:08X}:{kind}:{id}:{user}:")
}

/// The parts of a UPID, as PVE's task list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpidParts {
    pub node: String,
    pub pid: u32,
    pub pstart: u32,
    pub starttime: i64,
    pub kind: String,
    pub id: String,
    pub user: String,
}

pub fn parse_upid(upid: &str) -> Option<UpidParts> {
    let rest = upid.strip_prefix("UPID:")?.strip_suffix(':')?;
    let mut it = rest.splitn(7, ':');
    let node = it.next()?.to_owned();
    let pid = u32::from_str_radix(it.next()?, 16).ok()?;
    let pstart = u32::from_str_radix(it.next()?, 16).ok()?;
    let starttime = i64::from_str_radix(it.next()?, 16).ok()?;
    let kind = it.next()?.to_owned();
    let id = it.next()?.to_owned();
    let user = it.next()?.to_owned();
    Some(UpidParts {
        node,
        pid,
        pstart,
        starttime,
        kind,
        id,
        user,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    Running,
    /// `exitstatus`: `OK`, or the error text.
    Stopped {
        exitstatus: String,
        endtime: i64,
    },
}

#[derive(Debug, Clone)]
pub struct Task {
    pub upid: String,
    pub parts: UpidParts,
    pub state: TaskState,
    pub log: Vec<String>,
}

impl Task {
    pub fn new(upid: String, log: Vec<String>) -> Self {
        let parts = parse_upid(&upid).expect("we format UPIDs ourselves");
        Self {
            upid,
            parts,
            state: TaskState::Running,
            log,
        }
    }

    pub fn finish(&mut self, result: Result<(), String>, now: i64) {
        let exitstatus = match result {
            Ok(()) => {
                self.log.push("TASK OK".to_owned());
                "OK".to_owned()
            }
            Err(e) => {
                self.log.push(format!("TASK ERROR: {e}"));
                e
            }
        };
        self.state = TaskState::Stopped {
            exitstatus,
            endtime: now,
        };
    }

    /// `GET /nodes/{node}/tasks/{upid}/status`.
    pub fn status_json(&self) -> Value {
        let p = &self.parts;
        let mut v = json!({
            "upid": self.upid, "node": p.node, "pid": p.pid, "pstart": p.pstart,
            "starttime": p.starttime, "type": p.kind, "id": p.id, "user": p.user,
            "status": if self.state == TaskState::Running { "running" } else { "stopped" },
        });
        if let TaskState::Stopped { exitstatus, .. } = &self.state {
            v["exitstatus"] = json!(exitstatus);
        }
        v
    }

    /// An entry of `/cluster/tasks` and `/nodes/{node}/tasks`.
    pub fn list_json(&self) -> Value {
        let p = &self.parts;
        let mut v = json!({
            "upid": self.upid, "node": p.node, "pid": p.pid, "pstart": p.pstart,
            "starttime": p.starttime, "type": p.kind, "id": p.id, "user": p.user,
        });
        if let TaskState::Stopped {
            exitstatus,
            endtime,
        } = &self.state
        {
            v["status"] = json!(exitstatus);
            v["endtime"] = json!(endtime);
        }
        v
    }

    /// `GET …/log` with PVE's `start` (0-based line) and `limit` (default 50).
    pub fn log_json(&self, start: usize, limit: usize) -> Value {
        Value::Array(
            self.log
                .iter()
                .enumerate()
                .skip(start)
                .take(limit)
                .map(|(i, t)| json!({ "n": i + 1, "t": t }))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upid_round_trip_in_pve_format() {
        let u = upid(
            "pve1",
            0x1a2b,
            0x3c4d,
            0x6761_a2b1,
            "qmstart",
            "100",
            "root@pam",
        );
        assert_eq!(
            u,
            "UPID:pve1:00001A2B:00003C4D:6761A2B1:qmstart:100:root@pam:"
        );
        let p = parse_upid(&u).unwrap();
        assert_eq!(
            (
                p.node.as_str(),
                p.pid,
                p.kind.as_str(),
                p.id.as_str(),
                p.user.as_str()
            ),
            ("pve1", 0x1a2b, "qmstart", "100", "root@pam")
        );
        assert_eq!(p.starttime, 0x6761_a2b1);
        // Token users carry a '!' and still parse.
        let t = upid("n", 1, 2, 3, "vzdump", "", "root@pam!ci");
        assert_eq!(parse_upid(&t).unwrap().user, "root@pam!ci");
        assert!(parse_upid("UPID:broken").is_none());
    }

    #[test]
    fn finishing_adds_pve_last_line_and_status() {
        let mut t = Task::new(
            upid("n", 1, 2, 3, "qmstop", "100", "u@pve"),
            vec!["stopping".into()],
        );
        assert_eq!(t.status_json()["status"], "running");
        assert!(t.status_json().get("exitstatus").is_none());
        t.finish(Err("VM 100 not running".into()), 10);
        assert_eq!(t.status_json()["status"], "stopped");
        assert_eq!(t.status_json()["exitstatus"], "VM 100 not running");
        assert_eq!(t.log.last().unwrap(), "TASK ERROR: VM 100 not running");
        assert_eq!(
            t.log_json(1, 50),
            json!([{ "n": 2, "t": "TASK ERROR: VM 100 not running" }])
        );
    }
}
