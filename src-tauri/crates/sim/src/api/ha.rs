//! The HA stack as PVE 9 shows it (`/cluster/ha/resources`, `/cluster/ha/status`): the
//! resource configuration lives in the scenario's `ha` list, so `/cluster/resources`
//! `hastate` and a guest's `status/current` `ha` follow every change made here; the CRM's
//! reaction (starting, stopping or moving the guest) runs as the task the LRM would start.
//!
//! Also home of [`with_extra`], the per-cluster facts PVE keeps that the shared state does
//! not model yet (resource comments, the last generated cloud-init values).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};

use axum::http::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Permission};
use crate::scenario::{GuestKind, GuestStatus, HaResource, HaState};
use crate::state::{ClusterSim, ClusterState};

/// What PVE stores for a cluster beyond [`ClusterState`]: kept beside it, one entry per
/// live simulator. The `Weak` keeps the allocation (and so the address) reserved while
/// the entry exists, so a new simulator can never inherit a dropped one's facts.
#[derive(Debug, Default)]
pub struct Extra {
    /// `comment` and `failback` of HA resources, by sid (the scenario type has neither).
    pub ha_options: BTreeMap<String, HaOptions>,
    /// Cloud-init values as they were when the drive was last regenerated, by vmid.
    pub cloudinit_generated: BTreeMap<u32, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Clone)]
pub struct HaOptions {
    pub comment: Option<String>,
    pub failback: Option<bool>,
}

type ExtraTable = Vec<(Weak<ClusterSim>, Extra)>;

pub fn with_extra<R>(sim: &Arc<ClusterSim>, f: impl FnOnce(&mut Extra) -> R) -> R {
    static TABLE: Mutex<ExtraTable> = Mutex::new(Vec::new());
    let mut table = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    table.retain(|(w, _)| w.strong_count() > 0);
    let me = Arc::downgrade(sim);
    let pos = match table.iter().position(|(w, _)| w.ptr_eq(&me)) {
        Some(pos) => pos,
        None => {
            table.push((me, Extra::default()));
            table.len() - 1
        }
    };
    f(&mut table[pos].1)
}

const STATES: &[&str] = &["started", "stopped", "enabled", "disabled", "ignored"];

pub fn routes(r: &mut Vec<Route>) {
    let audit = || Permission::Check(Check::perm("/", &["Sys.Audit"]));
    let console = || Permission::Check(Check::perm("/", &["Sys.Console"]));
    let counter = || Kind::Integer {
        min: Some(0),
        max: None,
    };
    r.push(Route {
        method: Method::GET,
        path: "/cluster/ha/resources",
        permission: audit(),
        allow_token: true,
        params: vec![opt("type", Kind::Enum(&["ct", "vm"]))],
        handler: list,
    });
    r.push(Route {
        method: Method::POST,
        path: "/cluster/ha/resources",
        permission: console(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            opt("failback", Kind::Boolean),
            opt("group", Kind::Format("pve-configid")),
            opt("max_relocate", counter()),
            opt("max_restart", counter()),
            req("sid", Kind::Format("pve-ha-resource-or-vm-id")),
            opt("state", Kind::Enum(STATES)),
            opt("type", Kind::Enum(&["ct", "vm"])),
        ],
        handler: create,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/ha/resources/{sid}",
        permission: audit(),
        allow_token: true,
        params: vec![req("sid", Kind::Format("pve-ha-resource-or-vm-id"))],
        handler: read,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/cluster/ha/resources/{sid}",
        permission: console(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            opt("delete", Kind::Format("pve-configid-list")),
            opt("digest", Kind::String),
            opt("failback", Kind::Boolean),
            opt("group", Kind::Format("pve-configid")),
            opt("max_relocate", counter()),
            opt("max_restart", counter()),
            req("sid", Kind::Format("pve-ha-resource-or-vm-id")),
            opt("state", Kind::Enum(STATES)),
        ],
        handler: update,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/cluster/ha/resources/{sid}",
        permission: console(),
        allow_token: true,
        params: vec![
            opt("purge", Kind::Boolean),
            req("sid", Kind::Format("pve-ha-resource-or-vm-id")),
        ],
        handler: delete,
    });
    for path in [
        "/cluster/ha/resources/{sid}/migrate",
        "/cluster/ha/resources/{sid}/relocate",
    ] {
        r.push(Route {
            method: Method::POST,
            path,
            permission: console(),
            allow_token: true,
            params: vec![
                req("node", Kind::Node),
                req("sid", Kind::Format("pve-ha-resource-or-vm-id")),
            ],
            handler: motion,
        });
    }
    r.push(Route {
        method: Method::GET,
        path: "/cluster/ha/status/current",
        permission: audit(),
        allow_token: true,
        params: vec![],
        handler: status_current,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/ha/status/manager_status",
        permission: audit(),
        allow_token: true,
        params: vec![],
        handler: manager_status,
    });
}

/// `pve-ha-resource-or-vm-id` plus `PVE::HA::Config::parse_sid`: a bare VMID becomes
/// `vm:`/`ct:` by the guest's type, which must therefore exist.
fn parse_sid(state: &ClusterState, sid: &str) -> Result<(String, String, String), ApiError> {
    let well_formed = sid.split_once(':').is_some_and(|(t, n)| {
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_lowercase())
            && !n.is_empty()
            && !n.contains(char::is_whitespace)
    }) || (!sid.is_empty() && sid.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(ApiError::param(
            "sid",
            "value does not look like a valid ha resource id",
        ));
    }
    if let Some((t, n)) = sid.split_once(':') {
        return Ok((sid.to_owned(), t.to_owned(), n.to_owned()));
    }
    let vmid: u32 = sid.parse().unwrap_or(0);
    match state.guests.get(&vmid) {
        Some(g) => {
            let t = g.spec.kind.ha_prefix();
            Ok((format!("{t}:{sid}"), t.to_owned(), sid.to_owned()))
        }
        None => Err(ApiError::failed(format!(
            "unable to detect SID from VMID - VM/CT {sid} does not exist"
        ))),
    }
}

fn state_str(s: HaState) -> &'static str {
    match s {
        HaState::Started => "started",
        HaState::Stopped => "stopped",
        HaState::Disabled => "disabled",
        HaState::Ignored => "ignored",
    }
}

fn parse_state(s: &str) -> HaState {
    match s {
        "stopped" => HaState::Stopped,
        "disabled" => HaState::Disabled,
        "ignored" => HaState::Ignored,
        // 'enabled' is PVE's backwards-compatible spelling of 'started'.
        _ => HaState::Started,
    }
}

/// PVE 9 migrates HA groups to node-affinity rules once; a scenario that still names a
/// group models a cluster where that has not happened yet.
fn groups_migrated(state: &ClusterState) -> bool {
    state.spec.ha.iter().all(|h| h.group.is_none())
}

fn sid_type(sid: &str) -> &str {
    sid.split_once(':').map_or("", |(t, _)| t)
}

fn options_of(call: &Call<'_>, sid: &str) -> HaOptions {
    with_extra(call.sim, |e| {
        e.ha_options.get(sid).cloned().unwrap_or_default()
    })
}

/// `resources.cfg` as PVE writes it; its SHA-1 is the `digest`.
fn config_text(call: &Call<'_>, state: &ClusterState) -> String {
    let mut text = String::new();
    for h in &state.spec.ha {
        let o = options_of(call, &h.sid);
        let (t, n) = h.sid.split_once(':').unwrap_or(("vm", &h.sid));
        text.push_str(&format!("{t}: {n}\n"));
        if let Some(c) = &o.comment {
            text.push_str(&format!("\tcomment {c}\n"));
        }
        if let Some(f) = o.failback {
            text.push_str(&format!("\tfailback {}\n", u8::from(f)));
        }
        if let Some(g) = &h.group {
            text.push_str(&format!("\tgroup {g}\n"));
        }
        text.push_str(&format!("\tmax_relocate {}\n", h.max_relocate));
        text.push_str(&format!("\tmax_restart {}\n", h.max_restart));
        text.push_str(&format!("\tstate {}\n\n", state_str(h.state)));
    }
    text
}

fn digest(call: &Call<'_>, state: &ClusterState) -> String {
    hex::encode(Sha1::digest(config_text(call, state).as_bytes()))
}

fn resource_json(call: &Call<'_>, state: &ClusterState, h: &HaResource, digest: &str) -> Value {
    let o = options_of(call, &h.sid);
    let mut v = json!({
        "sid": h.sid, "type": sid_type(&h.sid), "state": state_str(h.state),
        "max_restart": h.max_restart, "max_relocate": h.max_relocate, "digest": digest,
    });
    if let Some(c) = o.comment {
        v["comment"] = json!(c);
    }
    if let Some(f) = o.failback {
        v["failback"] = json!(u8::from(f));
    }
    if let (Some(g), false) = (&h.group, groups_migrated(state)) {
        v["group"] = json!(g);
    }
    v
}

fn list(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let d = digest(call, &state);
    let want = call.params.get("type");
    Ok(Value::Array(
        state
            .spec
            .ha
            .iter()
            .filter(|h| want.is_none_or(|t| t == sid_type(&h.sid)))
            .map(|h| resource_json(call, &state, h, &d))
            .collect(),
    ))
}

fn read(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let (sid, _, _) = parse_sid(&state, call.params.str("sid")?)?;
    let h = state
        .spec
        .ha
        .iter()
        .find(|h| h.sid == sid)
        .ok_or_else(|| ApiError::failed(format!("no such resource '{sid}'")))?;
    let d = digest(call, &state);
    Ok(resource_json(call, &state, h, &d))
}

/// The guest behind a `vm:`/`ct:` sid, checked as the resource plugins' `exists` does.
fn check_guest_exists(state: &ClusterState, ty: &str, name: &str) -> Result<(), ApiError> {
    let kind = match ty {
        "vm" => GuestKind::Qemu,
        "ct" => GuestKind::Lxc,
        other => return Err(ApiError::failed(format!("unknown resource type '{other}'"))),
    };
    let valid =
        name.len() > 1 && !name.starts_with('0') && name.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err(ApiError::failed("invalid VMID"));
    }
    let vmid: u32 = name.parse().map_err(|_| ApiError::failed("invalid VMID"))?;
    match state.guests.get(&vmid) {
        None => Err(ApiError::failed(format!(
            "resource '{ty}:{vmid}' does not exist in cluster"
        ))),
        Some(g) if g.spec.kind != kind => Err(ApiError::failed(format!(
            "resource '{ty}:{vmid}' - guest with ID {vmid} is not a {}",
            if kind == GuestKind::Qemu { "VM" } else { "CT" }
        ))),
        Some(_) => Ok(()),
    }
}

fn check_group(state: &ClusterState, group: Option<&str>) -> Result<(), ApiError> {
    let Some(group) = group else { return Ok(()) };
    if groups_migrated(state) {
        return Err(ApiError::failed(
            "invalid parameter 'group': ha groups have been migrated to rules",
        ));
    }
    if !state
        .spec
        .ha
        .iter()
        .any(|h| h.group.as_deref() == Some(group))
    {
        return Err(ApiError::failed(format!(
            "HA group '{group}' does not exist"
        )));
    }
    Ok(())
}

fn create(call: &Call<'_>) -> Result<Value, ApiError> {
    let p = &call.params;
    let mut state = call.sim.state();
    let (sid, ty, name) = parse_sid(&state, p.str("sid")?)?;
    if let Some(t) = p.get("type")
        && t != ty
    {
        return Err(ApiError::failed("types does not match"));
    }
    check_group(&state, p.get("group"))?;
    check_guest_exists(&state, &ty, &name)?;
    if state.spec.ha.iter().any(|h| h.sid == sid) {
        return Err(ApiError::failed(format!(
            "create resource failed: resource ID '{sid}' already defined"
        )));
    }
    let resource = HaResource {
        sid: sid.clone(),
        state: p.get("state").map_or(HaState::Started, parse_state),
        group: p.get("group").map(str::to_owned),
        max_restart: p.int("max_restart")?.map_or(1, |n| n as u32),
        max_relocate: p.int("max_relocate")?.map_or(1, |n| n as u32),
    };
    let options = HaOptions {
        comment: p.get("comment").map(str::to_owned),
        failback: p.get("failback").map(|_| p.flag("failback")),
    };
    with_extra(call.sim, |e| e.ha_options.insert(sid.clone(), options));
    let wanted = resource.state;
    state.spec.ha.push(resource);
    drop(state);
    converge(call, &sid, wanted);
    Ok(Value::Null)
}

fn update(call: &Call<'_>) -> Result<Value, ApiError> {
    let p = &call.params;
    let mut state = call.sim.state();
    let (sid, _, _) = parse_sid(&state, p.str("sid")?)?;
    if let Some(group) = p.get("group").filter(|g| !g.is_empty()) {
        check_group(&state, Some(group))?;
    }
    let Some(idx) = state.spec.ha.iter().position(|h| h.sid == sid) else {
        return Err(ApiError::failed(format!(
            "update resources config failed: no such resource '{sid}'"
        )));
    };
    if let Some(given) = p.get("digest")
        && given != digest(call, &state)
    {
        return Err(ApiError::failed(
            "update resources config failed: detected modified configuration - file changed by other user? Try again.",
        ));
    }
    let mut options = options_of(call, &sid);
    let h = &mut state.spec.ha[idx];
    if let Some(s) = p.get("state") {
        h.state = parse_state(s);
    }
    if let Some(n) = p.int("max_restart")? {
        h.max_restart = n as u32;
    }
    if let Some(n) = p.int("max_relocate")? {
        h.max_relocate = n as u32;
    }
    if let Some(g) = p.get("group") {
        h.group = Some(g.to_owned());
    }
    if let Some(c) = p.get("comment") {
        options.comment = Some(c.to_owned());
    }
    if p.get("failback").is_some() {
        options.failback = Some(p.flag("failback"));
    }
    for key in crate::perms::split_list(p.get("delete").unwrap_or_default()) {
        match key.as_str() {
            "comment" => options.comment = None,
            "failback" => options.failback = None,
            "group" => h.group = None,
            // Deleting falls back to PVE's defaults, which is what the scenario stores.
            "max_restart" => h.max_restart = 1,
            "max_relocate" => h.max_relocate = 1,
            "state" => h.state = HaState::Started,
            other => {
                return Err(ApiError::failed(format!(
                    "update resources config failed: no such option '{other}'"
                )));
            }
        }
    }
    let wanted = h.state;
    drop(state);
    with_extra(call.sim, |e| e.ha_options.insert(sid.clone(), options));
    converge(call, &sid, wanted);
    Ok(Value::Null)
}

fn delete(call: &Call<'_>) -> Result<Value, ApiError> {
    let mut state = call.sim.state();
    let (sid, _, _) = parse_sid(&state, call.params.str("sid")?)?;
    let before = state.spec.ha.len();
    state.spec.ha.retain(|h| h.sid != sid);
    if state.spec.ha.len() == before {
        return Err(ApiError::failed(format!(
            "cannot delete service '{sid}', not HA managed!"
        )));
    }
    with_extra(call.sim, |e| e.ha_options.remove(&sid));
    Ok(Value::Null)
}

/// What the LRM does once the CRM sees a new requested state: start a stopped guest,
/// shut down a running one, as a task of `root@pam` on the guest's node.
fn converge(call: &Call<'_>, sid: &str, wanted: HaState) {
    let Some(vmid) = sid.split_once(':').and_then(|(_, n)| n.parse::<u32>().ok()) else {
        return;
    };
    let (node, kind, status) = {
        let state = call.sim.state();
        let Some(g) = state.guests.get(&vmid) else {
            return;
        };
        let online = state.node(&g.spec.node).is_some_and(|n| n.online);
        if !online {
            return;
        }
        (g.spec.node.clone(), g.spec.kind, g.spec.status)
    };
    let prefix = if kind == GuestKind::Qemu { "qm" } else { "vz" };
    let (action, target) = match (wanted, status) {
        (HaState::Started, GuestStatus::Stopped) => ("start", GuestStatus::Running),
        (HaState::Stopped | HaState::Disabled, GuestStatus::Running | GuestStatus::Paused) => {
            ("shutdown", GuestStatus::Stopped)
        }
        _ => return,
    };
    let now = call.now;
    let sim = Arc::clone(call.sim);
    call.sim.spawn_task(
        &node,
        &format!("{prefix}{action}"),
        &vmid.to_string(),
        "root@pam",
        vec![format!("{action} {} {vmid} (HA)", kind_noun(kind))],
        move |state| {
            let g = state
                .guests
                .get_mut(&vmid)
                .ok_or_else(|| format!("guest {vmid} vanished"))?;
            g.spec.status = target;
            g.started_at = (target == GuestStatus::Running).then_some(now);
            // The LRM's start is a cold start: it applies pending changes.
            if target == GuestStatus::Running {
                super::config::apply_pending(&sim, state, vmid);
            }
            Ok(())
        },
    );
}

fn kind_noun(kind: GuestKind) -> &'static str {
    if kind == GuestKind::Qemu { "VM" } else { "CT" }
}

/// `migrate` (online) and `relocate` (stop, move, start): PVE only queues a CRM command
/// and answers at once; the move itself is the LRM's `qmigrate`/`vzmigrate` task. A
/// target that is offline, unknown or already the guest's node is ignored by the CRM.
fn motion(call: &Call<'_>) -> Result<Value, ApiError> {
    let target = call.params.str("node")?.to_owned();
    let (sid, vmid, source, kind) = {
        let state = call.sim.state();
        let (sid, _, name) = parse_sid(&state, call.params.str("sid")?)?;
        let managed = state
            .spec
            .ha
            .iter()
            .any(|h| h.sid == sid && h.state != HaState::Ignored);
        if !managed {
            return Err(ApiError::failed(format!(
                "resource '{sid}' is not HA managed"
            )));
        }
        let vmid: u32 = name.parse().unwrap_or(0);
        let g = state.guests.get(&vmid);
        let target_ok = state.node(&target).is_some_and(|n| n.online);
        match g {
            Some(g) if target_ok && g.spec.node != target => {
                (sid, Some(vmid), g.spec.node.clone(), g.spec.kind)
            }
            _ => (sid, None, String::new(), GuestKind::Qemu),
        }
    };
    if let Some(vmid) = vmid {
        let prefix = if kind == GuestKind::Qemu { "qm" } else { "vz" };
        let dest = target.clone();
        call.sim.spawn_task(
            &source,
            &format!("{prefix}igrate"),
            &vmid.to_string(),
            "root@pam",
            vec![format!(
                "starting migration of {} {vmid} to node '{target}'",
                kind_noun(kind)
            )],
            move |state| {
                let g = state
                    .guests
                    .get_mut(&vmid)
                    .ok_or_else(|| format!("guest {vmid} vanished"))?;
                g.spec.node = dest;
                Ok(())
            },
        );
    }
    Ok(json!({ "sid": sid, "requested-node": target }))
}

/// The node that answers (the first online one) and the CRM master.
fn local_node(state: &ClusterState) -> String {
    state
        .spec
        .nodes
        .iter()
        .find(|n| n.online)
        .or(state.spec.nodes.first())
        .map(|n| n.name.clone())
        .unwrap_or_default()
}

/// `localtime()` in Perl's scalar form, in UTC: `Tue Jan  6 12:00:00 2026`.
fn perl_localtime(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            format!(
                "{} {} {:>2} {:02}:{:02}:{:02} {}",
                DAYS[d.weekday().number_days_from_monday() as usize],
                MONTHS[usize::from(u8::from(d.month())) - 1],
                d.day(),
                d.hour(),
                d.minute(),
                d.second(),
                d.year()
            )
        })
        .unwrap_or_default()
}

/// One service as the CRM tracks it: its node, CRM state and whether it runs.
struct ServiceStatus {
    node: String,
    crm_state: Option<&'static str>,
    running: bool,
}

fn service_status(state: &ClusterState, h: &HaResource) -> ServiceStatus {
    let vmid: u32 = h
        .sid
        .split_once(':')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0);
    let g = state.guests.get(&vmid);
    let running = g.is_some_and(|g| g.running());
    let crm_state = match h.state {
        // The CRM drops ignored services from its status.
        HaState::Ignored => None,
        _ if running => Some("started"),
        HaState::Started => Some("started"),
        _ => Some("stopped"),
    };
    ServiceStatus {
        node: g.map(|g| g.spec.node.clone()).unwrap_or_default(),
        crm_state,
        running,
    }
}

/// `PVE::HA::Tools::get_verbose_service_state`.
fn verbose_state(h: &HaResource, ss: &ServiceStatus) -> &'static str {
    let req = h.state;
    if req == HaState::Ignored {
        return "ignored";
    }
    match ss.crm_state {
        None => "queued",
        Some("stopped") => match req {
            HaState::Started => "starting",
            HaState::Disabled => "disabled",
            _ => "stopped",
        },
        Some("started") => {
            if !ss.running {
                "starting"
            } else if matches!(req, HaState::Stopped | HaState::Disabled) {
                "stopping"
            } else {
                "started"
            }
        }
        Some(other) => other,
    }
}

fn crm_timestamp(now: i64) -> i64 {
    now - now.rem_euclid(10)
}

fn status_current(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let local = local_node(&state);
    let online = state.spec.nodes.iter().filter(|n| n.online).count();
    let quorate = online * 2 > state.spec.nodes.len();
    let ts = crm_timestamp(call.now);
    let active = !state.spec.ha.is_empty();
    let mut out = vec![json!({
        "id": "quorum", "type": "quorum", "node": local,
        "status": if quorate { "OK".to_owned() } else { format!("No quorum on node '{local}'!") },
        "quorate": u8::from(quorate),
    })];
    out.push(json!({
        "id": "master", "type": "master", "node": local, "timestamp": ts,
        "status": format!("{local} ({}, {})", if active { "active" } else { "idle" }, perl_localtime(ts)),
    }));
    let (armed, wd) = if active {
        ("armed", "CRM watchdog active")
    } else {
        ("standby", "CRM watchdog standby")
    };
    out.push(json!({
        "id": "fencing", "type": "fencing", "node": local,
        "status": format!("{armed} ({wd})"), "armed-state": armed,
    }));
    let statuses: Vec<(&HaResource, ServiceStatus)> = state
        .spec
        .ha
        .iter()
        .map(|h| (h, service_status(&state, h)))
        .collect();
    let mut nodes: Vec<&crate::scenario::Node> = state.spec.nodes.iter().collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    for n in nodes {
        let services = statuses
            .iter()
            .filter(|(_, s)| s.node == n.name && s.crm_state.is_some())
            .count();
        let text = if !n.online {
            format!(
                "{} (old timestamp - dead?, watchdog standby, {})",
                n.name,
                perl_localtime(call.sim.boot_time())
            )
        } else if services > 0 {
            format!(
                "{} (active, watchdog active, {})",
                n.name,
                perl_localtime(ts)
            )
        } else {
            format!(
                "{} (idle, watchdog standby, {})",
                n.name,
                perl_localtime(ts)
            )
        };
        out.push(json!({
            "id": format!("lrm:{}", n.name), "type": "lrm", "node": n.name, "status": text,
            "timestamp": if n.online { ts } else { call.sim.boot_time() },
        }));
    }
    let mut sorted = statuses;
    sorted.sort_by(|a, b| a.0.sid.cmp(&b.0.sid));
    for (h, ss) in sorted {
        let verbose = verbose_state(h, &ss);
        let node = if ss.node.is_empty() { "---" } else { &ss.node };
        let o = options_of(call, &h.sid);
        let mut v = json!({
            "id": format!("service:{}", h.sid), "type": "service", "sid": h.sid,
            "node": ss.node, "state": verbose, "status": format!("{} ({node}, {verbose})", h.sid),
            "request_state": state_str(h.state),
            "max_restart": h.max_restart, "max_relocate": h.max_relocate,
        });
        if let Some(c) = ss.crm_state {
            v["crm_state"] = json!(c);
        }
        if let Some(c) = o.comment {
            v["comment"] = json!(c);
        }
        if let Some(f) = o.failback {
            v["failback"] = json!(u8::from(f));
        }
        out.push(v);
    }
    Ok(Value::Array(out))
}

fn manager_status(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let local = local_node(&state);
    let ts = crm_timestamp(call.now);
    let online = state.spec.nodes.iter().filter(|n| n.online).count();
    let mut node_status = serde_json::Map::new();
    let mut lrm_status = serde_json::Map::new();
    let mut service_status_map = serde_json::Map::new();
    for (i, h) in state.spec.ha.iter().enumerate() {
        let ss = service_status(&state, h);
        let Some(crm) = ss.crm_state else { continue };
        let mut v = json!({ "node": ss.node, "state": crm, "uid": format!("{:x}{i:03}", ts) });
        if crm == "started" {
            v["running"] = json!(u8::from(ss.running));
        }
        service_status_map.insert(h.sid.clone(), v);
    }
    for n in &state.spec.nodes {
        node_status.insert(
            n.name.clone(),
            json!(if n.online { "online" } else { "unknown" }),
        );
        let busy = service_status_map
            .values()
            .any(|s| s["node"] == n.name.as_str());
        lrm_status.insert(
            n.name.clone(),
            json!({
                "mode": "active",
                "state": if busy { "active" } else { "wait_for_agent_lock" },
                "timestamp": if n.online { ts } else { call.sim.boot_time() },
                "results": {},
            }),
        );
    }
    Ok(json!({
        "manager_status": {
            "master_node": local, "timestamp": ts,
            "node_status": node_status, "service_status": service_status_map,
        },
        "quorum": { "node": local, "quorate": u8::from(online * 2 > state.spec.nodes.len()).to_string() },
        "lrm_status": lrm_status,
    }))
}
