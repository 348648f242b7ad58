//! History: the RRD graphs (`.../rrddata` for nodes, guests and storages) with PVE 9's
//! resolutions and point counts from `PVE::RRD::create_rrd_data`, and the cluster log
//! (`/cluster/log`), which PVE fills with the start and end of every task.
//!
//! Series are a pure function of (resource, timestamp): smooth daily and hourly waves plus
//! a little per-minute noise, so repeated calls and tests see the same numbers, and a
//! coarse bucket's AVERAGE and MAX are the mean and maximum of the same samples.

use std::f64::consts::TAU;

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::nodes::online_node;
use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{Check, Permission, Principal};
use crate::scenario::GuestKind;
use crate::state::ClusterState;
use crate::tasks::TaskState;

const GIB: f64 = (1u64 << 30) as f64;
const MIB: f64 = (1u64 << 20) as f64;
const TIMEFRAMES: &[&str] = &["hour", "day", "week", "month", "year"];

pub fn routes(r: &mut Vec<Route>) {
    let cf = || opt("cf", Kind::Enum(&["AVERAGE", "MAX"]));
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/rrddata",
        permission: Permission::Check(Check::perm("/nodes/{node}", &["Sys.Audit"])),
        allow_token: true,
        params: vec![
            cf(),
            req("node", Kind::Node),
            req(
                "timeframe",
                Kind::Enum(&["hour", "day", "week", "month", "year", "decade"]),
            ),
        ],
        handler: node_rrd,
    });
    for path in [
        "/nodes/{node}/qemu/{vmid}/rrddata",
        "/nodes/{node}/lxc/{vmid}/rrddata",
    ] {
        r.push(Route {
            method: Method::GET,
            path,
            permission: Permission::Check(Check::perm("/vms/{vmid}", &["VM.Audit"])),
            allow_token: true,
            params: vec![
                cf(),
                req("node", Kind::Node),
                req("timeframe", Kind::Enum(TIMEFRAMES)),
                req("vmid", Kind::VmId),
            ],
            handler: guest_rrd,
        });
    }
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/storage/{storage}/rrddata",
        permission: Permission::Check(
            Check::perm(
                "/storage/{storage}",
                &["Datastore.Audit", "Datastore.AllocateSpace"],
            )
            .any(),
        ),
        allow_token: true,
        params: vec![
            cf(),
            req("node", Kind::Node),
            req("storage", Kind::Format("pve-storage-id")),
            req("timeframe", Kind::Enum(TIMEFRAMES)),
        ],
        handler: storage_rrd,
    });
    r.push(Route {
        method: Method::GET,
        path: "/cluster/log",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt(
            "max",
            Kind::Integer {
                min: Some(1),
                max: None,
            },
        )],
        handler: cluster_log,
    });
}

/// PVE 9's `$setup`: (resolution in seconds, number of rows).
pub fn resolution(timeframe: &str) -> (i64, i64) {
    match timeframe {
        "hour" => (60, 60),
        "day" => (60, 1440),
        "week" => (1800, 336),
        "month" => (1800, 1440),
        "year" => (21_600, 1440),
        _ => (604_800, 570),
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn seed_of(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}

/// A smooth signal in [0, 1] for series `seed` at time `t`.
fn wave(seed: u64, t: f64) -> f64 {
    let p1 = (mix(seed) % 1000) as f64 / 1000.0 * TAU;
    let p2 = (mix(seed ^ 0x55) % 1000) as f64 / 1000.0 * TAU;
    let minute = (t / 60.0).floor() as i64 as u64;
    let noise = (mix(seed ^ minute.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 1000) as f64 / 1000.0;
    let v = 0.45
        + 0.25 * (TAU * t / 86_400.0 + p1).sin()
        + 0.12 * (TAU * t / 10_800.0 + p2).sin()
        + 0.16 * (noise - 0.5);
    v.clamp(0.0, 1.0)
}

/// One data source: a constant, or `base + span * wave`, present only while `alive`.
enum Ds {
    Const(f64),
    Wave { seed: u64, base: f64, span: f64 },
}

impl Ds {
    fn sample(&self, t: f64) -> f64 {
        match self {
            Ds::Const(v) => *v,
            Ds::Wave { seed, base, span } => base + span * wave(*seed, t),
        }
    }
}

/// The rows PVE returns: `count` buckets of `reso` seconds ending at the current aligned
/// time, each `{time, ds...}`; a bucket where `alive` is false only has the constant
/// sources. A trailing row with nothing but `time` is dropped, as PVE does.
fn series(
    now: i64,
    timeframe: &str,
    max: bool,
    sources: &[(&str, Ds, bool)],
    alive: &dyn Fn(i64) -> bool,
) -> Value {
    let (reso, count) = resolution(timeframe);
    let ctime = reso * now.div_euclid(reso);
    let start = ctime - reso * count;
    let samples = (reso / 60).clamp(1, 12);
    let mut rows: Vec<Value> = (0..count)
        .map(|i| {
            let t = start + i * reso;
            let mut row = Map::new();
            row.insert("time".into(), json!(t));
            let up = alive(t + reso / 2);
            for (name, ds, needs_up) in sources {
                if *needs_up && !up {
                    continue;
                }
                let values = (0..samples)
                    .map(|j| ds.sample(t as f64 + (j as f64 + 0.5) * reso as f64 / samples as f64));
                let v = if max {
                    values.fold(f64::MIN, f64::max)
                } else {
                    values.sum::<f64>() / samples as f64
                };
                row.insert((*name).into(), json!(v));
            }
            Value::Object(row)
        })
        .collect();
    if rows
        .last()
        .and_then(Value::as_object)
        .is_some_and(|r| r.len() == 1)
    {
        rows.pop();
    }
    Value::Array(rows)
}

fn rrd_missing(name: &str) -> ApiError {
    ApiError::failed(format!(
        "RRD error: opening '/var/lib/rrdcached/db/{name}': No such file or directory"
    ))
}

fn wave_ds(seed: u64, salt: &str, base: f64, span: f64) -> Ds {
    Ds::Wave {
        seed: seed ^ seed_of(salt),
        base,
        span,
    }
}

fn is_max(call: &Call<'_>) -> bool {
    call.params.get("cf") == Some("MAX")
}

fn node_rrd(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = call.params.str("node")?;
    let timeframe = call.params.str("timeframe")?;
    let state = call.sim.state();
    let n = state
        .node(name)
        .ok_or_else(|| rrd_missing(&format!("pve-node-9.0/{name}")))?;
    let seed = seed_of(&n.name);
    let cpus = f64::from(n.cpus);
    let mem = f64::from(n.memory_gib) * GIB;
    let sources = [
        (
            "loadavg",
            wave_ds(seed, "load", 0.05 * cpus, 0.4 * cpus),
            true,
        ),
        ("maxcpu", Ds::Const(cpus), true),
        ("cpu", wave_ds(seed, "cpu", 0.03, 0.35), true),
        ("iowait", wave_ds(seed, "io", 0.0005, 0.01), true),
        ("memtotal", Ds::Const(mem), true),
        ("memused", wave_ds(seed, "mem", 0.3 * mem, 0.4 * mem), true),
        (
            "memavailable",
            wave_ds(seed, "mem", 0.7 * mem, -0.4 * mem),
            true,
        ),
        ("swaptotal", Ds::Const(8.0 * GIB), true),
        (
            "swapused",
            wave_ds(seed, "swap", 0.0, 0.05 * 8.0 * GIB),
            true,
        ),
        ("roottotal", Ds::Const(100.0 * GIB), true),
        (
            "rootused",
            wave_ds(seed, "root", 23.0 * GIB, 0.5 * GIB),
            true,
        ),
        ("netin", wave_ds(seed, "netin", 2.0e5, 6.0e6), true),
        ("netout", wave_ds(seed, "netout", 1.0e5, 3.0e6), true),
        (
            "arcsize",
            wave_ds(seed, "arc", 0.05 * mem, 0.05 * mem),
            true,
        ),
        ("pressurecpusome", wave_ds(seed, "pcs", 0.0, 3.0), true),
        ("pressureiosome", wave_ds(seed, "pis", 0.0, 2.0), true),
        ("pressureiofull", wave_ds(seed, "pif", 0.0, 1.0), true),
        ("pressurememorysome", wave_ds(seed, "pms", 0.0, 0.5), true),
        ("pressurememoryfull", wave_ds(seed, "pmf", 0.0, 0.2), true),
    ];
    // pvestatd on an offline node writes nothing: its recent rows stay empty.
    let online = n.online;
    Ok(series(call.now, timeframe, is_max(call), &sources, &|_| {
        online
    }))
}

fn guest_rrd(call: &Call<'_>) -> Result<Value, ApiError> {
    let vmid = call.params.vmid()?;
    let timeframe = call.params.str("timeframe")?;
    let state = call.sim.state();
    let g = state
        .guests
        .get(&vmid)
        .ok_or_else(|| rrd_missing(&format!("pve-vm-9.0/{vmid}")))?;
    let s = &g.spec;
    let seed = mix(u64::from(vmid) ^ 0x5EED);
    let maxmem = s.memory_mib as f64 * MIB;
    let maxdisk = s.disk_gib as f64 * GIB;
    let disk = if s.kind == GuestKind::Lxc {
        0.4 * maxdisk
    } else {
        0.0
    };
    let sources = [
        ("maxcpu", Ds::Const(f64::from(s.cores)), false),
        ("cpu", wave_ds(seed, "cpu", 0.01, 0.5), true),
        ("maxmem", Ds::Const(maxmem), false),
        (
            "mem",
            wave_ds(seed, "mem", 0.25 * maxmem, 0.5 * maxmem),
            true,
        ),
        ("maxdisk", Ds::Const(maxdisk), false),
        ("disk", Ds::Const(disk), false),
        ("netin", wave_ds(seed, "netin", 1.0e3, 2.0e6), true),
        ("netout", wave_ds(seed, "netout", 5.0e2, 8.0e5), true),
        ("diskread", wave_ds(seed, "dr", 0.0, 5.0e6), true),
        ("diskwrite", wave_ds(seed, "dw", 1.0e3, 2.0e6), true),
        (
            "memhost",
            wave_ds(seed, "mem", 0.27 * maxmem, 0.5 * maxmem),
            true,
        ),
        ("pressurecpusome", wave_ds(seed, "pcs", 0.0, 4.0), true),
        ("pressurecpufull", wave_ds(seed, "pcf", 0.0, 1.5), true),
        ("pressureiosome", wave_ds(seed, "pis", 0.0, 2.0), true),
        ("pressureiofull", wave_ds(seed, "pif", 0.0, 1.0), true),
        ("pressurememorysome", wave_ds(seed, "pms", 0.0, 0.5), true),
        ("pressurememoryfull", wave_ds(seed, "pmf", 0.0, 0.2), true),
    ];
    let started = if g.running() { g.started_at } else { None };
    Ok(series(
        call.now,
        timeframe,
        is_max(call),
        &sources,
        &move |t| started.is_some_and(|s| t >= s),
    ))
}

fn storage_rrd(call: &Call<'_>) -> Result<Value, ApiError> {
    let node = online_node(call)?;
    let id = call.params.str("storage")?;
    let timeframe = call.params.str("timeframe")?;
    let state = call.sim.state();
    let s = state
        .spec
        .storages
        .iter()
        .find(|s| s.id == id && s.available_on(&node))
        .ok_or_else(|| rrd_missing(&format!("pve-storage-9.0/{node}/{id}")))?;
    let seed = seed_of(&format!("{node}/{id}"));
    let total = s.total_gib as f64 * GIB;
    let used = s.used_gib as f64 * GIB;
    let sources = [
        ("total", Ds::Const(total), true),
        (
            "used",
            wave_ds(
                seed,
                "used",
                used * 0.97,
                (used * 0.03).min(total - used * 0.97),
            ),
            true,
        ),
    ];
    Ok(series(call.now, timeframe, is_max(call), &sources, &|_| {
        true
    }))
}

/// The cluster log: a start and an end entry per task, newest first. Without Sys.Syslog
/// on `/`, only the caller's own entries.
fn cluster_log(call: &Call<'_>) -> Result<Value, ApiError> {
    let max = call.params.int("max")?.unwrap_or(50).max(1) as usize;
    let admin = call.can("/", &["Sys.Syslog"], false);
    let me = match call.who() {
        Principal::User(u) => u.clone(),
        Principal::Token { tokenid, .. } => tokenid.clone(),
    };
    let state = call.sim.state();
    let mut entries = log_entries(&state);
    entries.retain(|e| admin || e["user"] == me.as_str());
    entries.reverse();
    entries.truncate(max);
    Ok(Value::Array(entries))
}

fn log_entries(state: &ClusterState) -> Vec<Value> {
    let mut raw: Vec<(i64, u32, Value)> = Vec::new();
    for t in &state.tasks {
        let p = &t.parts;
        raw.push((
            p.starttime,
            0,
            json!({ "time": p.starttime, "pri": 6, "tag": "pvedaemon", "pid": p.pid,
                    "node": p.node, "user": p.user, "msg": format!("starting task {}", t.upid) }),
        ));
        if let TaskState::Stopped {
            exitstatus,
            endtime,
        } = &t.state
        {
            raw.push((
                *endtime,
                1,
                json!({ "time": endtime, "pri": if exitstatus == "OK" { 6 } else { 3 },
                        "tag": "pvedaemon", "pid": p.pid, "node": p.node, "user": p.user,
                        "msg": format!("end task {} {exitstatus}", t.upid) }),
            ));
        }
    }
    raw.sort_by_key(|(t, order, _)| (*t, *order));
    raw.into_iter()
        .enumerate()
        .map(|(i, (_, _, mut v))| {
            v["uid"] = json!(i + 1);
            v
        })
        .collect()
}
