//! Every route the simulator serves, checked against the real PVE 9.1 API schema in
//! ../shared/pve-api/: the path and method exist, the permission rule and token policy are
//! the schema's, the parameters are the schema's (names, required, enums, ranges,
//! formats), required parameters are enforced with PVE's 400 shape, and every field a GET
//! returns is one the schema documents.

use std::collections::{BTreeMap, BTreeSet};

use proxdeck_sim::api::{
    Kind, Route, check_kind, format_is_known, format_is_unvalidated, pattern_error, pve_routes,
};
use proxdeck_sim::{Scenario, Sim, SimOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Api, As, enc};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/pve-api/pve-apidata.json"
);

/// path -> method -> info
fn schema() -> BTreeMap<String, BTreeMap<String, Value>> {
    let text = std::fs::read_to_string(SCHEMA).unwrap_or_else(|e| {
        panic!("the PVE API schema must be beside the checkout at {SCHEMA}: {e}")
    });
    let tree: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let mut out = BTreeMap::new();
    fn walk(nodes: &Value, out: &mut BTreeMap<String, BTreeMap<String, Value>>) {
        for n in nodes.as_array().into_iter().flatten() {
            if let (Some(path), Some(info)) = (n["path"].as_str(), n["info"].as_object()) {
                let methods = out.entry(path.to_owned()).or_default();
                for (m, i) in info {
                    methods.insert(m.clone(), i.clone());
                }
            }
            walk(&n["children"], out);
        }
    }
    walk(&tree, &mut out);
    out
}

fn info_of<'a>(schema: &'a BTreeMap<String, BTreeMap<String, Value>>, r: &Route) -> &'a Value {
    schema
        .get(r.path)
        .and_then(|m| m.get(r.method.as_str()))
        .unwrap_or_else(|| panic!("{} {} is not in the PVE 9.1 API", r.method, r.path))
}

fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true)) || v.as_i64() == Some(1)
}

/// Why `kind` does not describe the schema property `p`, if it does not. A property the
/// schema constrains with a `pattern` or a named `format` must carry that exact pattern or
/// format name (or the dedicated kind of `pve-node`, `pve-vmid`, `pve-userid`,
/// `pve-poolid`), so the simulator checks what PVE checks; only unconstrained strings (or
/// inline property-string formats, which the handlers check) may be `Kind::String`.
fn kind_mismatch(kind: Kind, p: &Value) -> Option<String> {
    let ty = p["type"].as_str().unwrap_or("string");
    // A named format is a string; an inline property-string format is an object.
    let format = p["format"].as_str().unwrap_or("");
    let pattern = p["pattern"].as_str();
    // Bounds are numbers, or numbers written as strings ("0") in a few places.
    let bound = |k: &str| {
        p[k].as_f64()
            .or_else(|| p[k].as_str().and_then(|s| s.parse().ok()))
    };
    let num = |k: &str| bound(k).map(|f| f as i64);
    let ok = match kind {
        Kind::VmId => format == "pve-vmid",
        Kind::Node => format == "pve-node",
        Kind::UserId => format == "pve-userid",
        Kind::PoolId => format == "pve-poolid",
        Kind::Pattern(ours) => ty == "string" && format.is_empty() && pattern == Some(ours),
        Kind::Format(ours) => ty == "string" && pattern.is_none() && format == ours,
        Kind::FormatAndPattern {
            format: f,
            pattern: pat,
        } => ty == "string" && format == f && pattern == Some(pat),
        Kind::Boolean => ty == "boolean",
        Kind::Number { min, max } => {
            ty == "number" && min == bound("minimum") && max == bound("maximum")
        }
        Kind::Integer { min, max } => {
            ty == "integer" && min == num("minimum") && max == num("maximum") && format.is_empty()
        }
        Kind::Enum(values) => {
            let schema_values: Vec<&str> = p["enum"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            schema_values == values
        }
        Kind::String | Kind::Upid => {
            ty == "string" && p.get("enum").is_none() && format.is_empty() && pattern.is_none()
        }
    };
    if !ok {
        return Some(format!("{kind:?} vs schema {p}"));
    }
    // The simulator must be able to apply what it declares.
    match kind {
        Kind::Format(f) | Kind::FormatAndPattern { format: f, .. } if !format_is_known(f) => Some(
            format!("format '{f}' is neither validated nor listed as accepted unvalidated"),
        ),
        Kind::Pattern(pat) | Kind::FormatAndPattern { pattern: pat, .. } => pattern_error(pat),
        _ => None,
    }
}

#[test]
fn every_route_is_in_the_schema_with_its_permission_token_policy_and_parameters() {
    let schema = schema();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for r in pve_routes() {
        let id = format!("{} {}", r.method, r.path);
        assert!(seen.insert(id.clone()), "{id} is registered twice");
        let info = info_of(&schema, r);
        let mut declared = info["permissions"].clone();
        if let Some(o) = declared.as_object_mut() {
            o.remove("description");
        }
        if r.permission.to_schema() != declared {
            problems.push(format!(
                "{id}: permission {} but the schema says {declared}",
                r.permission.to_schema()
            ));
        }
        let allow = info.get("allowtoken").is_none_or(truthy);
        if r.allow_token != allow {
            problems.push(format!(
                "{id}: allow_token {} but the schema says {allow}",
                r.allow_token
            ));
        }
        let props = info["parameters"]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let ours: BTreeSet<&str> = r.params.iter().map(|p| p.name).collect();
        let theirs: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        if ours != theirs {
            problems.push(format!(
                "{id}: parameters differ; only ours: {:?}, only the schema's: {:?}",
                ours.difference(&theirs).collect::<Vec<_>>(),
                theirs.difference(&ours).collect::<Vec<_>>()
            ));
        }
        for p in &r.params {
            let Some(sp) = props.get(p.name) else {
                continue;
            };
            let required = !sp.get("optional").is_some_and(truthy);
            if p.required != required {
                problems.push(format!(
                    "{id}: {} required={} but schema required={required}",
                    p.name, p.required
                ));
            }
            if let Some(why) = kind_mismatch(p.kind, sp) {
                problems.push(format!("{id}: parameter {}: {why}", p.name));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let methods: BTreeSet<&str> = seen.iter().filter_map(|id| id.split(' ').next()).collect();
    println!(
        "{} PVE routes checked against the schema ({methods:?})",
        seen.len()
    );
    assert!(
        seen.len() >= 100,
        "the simulator serves only {} routes",
        seen.len()
    );
}

/// Sample values for path placeholders, from the demo scenario.
struct Samples {
    values: BTreeMap<&'static str, String>,
}

fn fill(template: &str, kind_hint: &str, s: &Samples) -> Result<String, String> {
    let mut out = String::new();
    for seg in template.split('/').skip(1) {
        out.push('/');
        match seg.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            Some("vmid") => {
                let key = if kind_hint.contains("/lxc/") {
                    "ct"
                } else {
                    "vm"
                };
                out.push_str(&s.values[key]);
            }
            Some(name) => match s.values.get(name) {
                Some(v) => out.push_str(&enc(v)),
                None => return Err(format!("no sample value for {{{name}}}")),
            },
            None => out.push_str(seg),
        }
    }
    Ok(out)
}

/// Where PVE's schema under-documents what PVE really returns, and the simulator follows
/// PVE: (route, fields, why). Keep this list short and every entry justified.
const SCHEMA_GAPS: &[(&str, &[&str], &str)] = &[
    (
        "GET /cluster/tasks",
        &[
            "endtime",
            "id",
            "node",
            "pid",
            "pstart",
            "starttime",
            "status",
            "type",
            "user",
        ],
        "the handler returns the same task entries as GET /nodes/{node}/tasks, whose schema documents these fields; the cluster variant documents only `upid`",
    ),
    (
        "GET /cluster/ha/resources",
        &[
            "type",
            "state",
            "digest",
            "max_restart",
            "max_relocate",
            "comment",
            "failback",
            "group",
            "errors",
        ],
        "each entry is the resource's config, the same object GET /cluster/ha/resources/{sid} documents",
    ),
    (
        "GET /cluster/log",
        &["uid", "time", "pri", "tag", "pid", "node", "user", "msg"],
        "the schema gives the items no properties; these are the syslog fields PVE's cluster log returns",
    ),
    (
        "GET /nodes/{node}/qemu/{vmid}/agent",
        &["name"],
        "the index lists `{name => command}` like every PVE directory index; the schema leaves properties empty",
    ),
    (
        "GET /nodes/{node}/storage/{storage}/content",
        &["content"],
        "PVE's volume listing sets `content` on every volume",
    ),
    (
        "GET /storage",
        &[
            "type",
            "content",
            "digest",
            "path",
            "pool",
            "sparse",
            "krbd",
            "server",
            "port",
            "fingerprint",
            "namespace",
            "export",
            "options",
            "datastore",
            "username",
            "shared",
            "nodes",
            "prune-backups",
            "thinpool",
            "vgname",
        ],
        "each entry is the storage's whole config section, as GET /storage/{storage} returns it",
    ),
    (
        "GET /nodes/{node}/qemu/{vmid}/snapshot/{snapname}",
        &["cmd"],
        "a directory index (`[{cmd: rollback}, {cmd: config}]`); the schema's properties are empty",
    ),
    (
        "GET /nodes/{node}/lxc/{vmid}/snapshot/{snapname}",
        &["cmd"],
        "a directory index (`[{cmd: rollback}, {cmd: config}]`); the schema's properties are empty",
    ),
    (
        "GET /nodes/{node}/lxc/{vmid}/config",
        &["parent"],
        "pve-container writes the current snapshot parent into the config and returns it, as the qemu config (which documents it) does",
    ),
];

fn documented_fields(returns: &Value) -> Option<(bool, BTreeSet<String>)> {
    let (is_array, obj) = match returns["type"].as_str() {
        Some("array") => (true, &returns["items"]),
        Some("object") => (false, returns),
        _ => return None,
    };
    if obj
        .get("additionalProperties")
        .is_some_and(|a| a.as_i64() == Some(1) || a == true)
    {
        return None;
    }
    let props = obj["properties"].as_object()?;
    Some((is_array, props.keys().cloned().collect()))
}

#[tokio::test]
async fn get_routes_return_only_documented_fields_and_enforce_required_parameters() {
    let schema = schema();
    let sim = Sim::start(Scenario::demo(), SimOptions::default())
        .await
        .unwrap();
    let prod = sim.cluster("prod");
    let api = Api::new(prod);
    let root = api
        .login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD)
        .await;
    // Samples: a running VM with the guest agent and a running container on one node.
    let (node, vm, ct) = {
        use proxdeck_sim::scenario::GuestKind;
        let state = prod.sim.state();
        let usable = |g: &&proxdeck_sim::state::GuestState, kind: GuestKind| {
            g.spec.kind == kind && g.running() && !g.spec.template && g.spec.lock.is_none()
        };
        let with_agent = |g: &&proxdeck_sim::state::GuestState| {
            g.spec
                .config
                .get("agent")
                .is_some_and(|a| a.starts_with('1') || a.contains("enabled=1"))
        };
        state
            .spec
            .nodes
            .iter()
            .find_map(|n| {
                let on = |g: &&proxdeck_sim::state::GuestState| g.spec.node == n.name;
                let vm = state
                    .guests
                    .values()
                    .find(|g| on(g) && usable(g, GuestKind::Qemu) && with_agent(g))?;
                let ct = state
                    .guests
                    .values()
                    .find(|g| on(g) && usable(g, GuestKind::Lxc))?;
                Some((n.name.clone(), vm.spec.vmid, ct.spec.vmid))
            })
            .expect("the demo has a node with a running agent VM and a running container")
    };
    // A snapshot on each, made through the API, and a finished task for the UPID sample.
    for (kind, id) in [("qemu", vm), ("lxc", ct)] {
        let r = api
            .post(
                &format!("/nodes/{node}/{kind}/{id}/snapshot"),
                &root,
                &[("snapname", "conformance")],
            )
            .await;
        let upid = r.data().as_str().unwrap().to_owned();
        let done = api.wait_task(&node, &upid, &root).await;
        assert_eq!(done["exitstatus"], "OK", "{kind} {id} snapshot");
    }
    let upid = api
        .post(
            &format!("/nodes/{node}/qemu/{vm}/status/reboot"),
            &root,
            &[],
        )
        .await
        .data()
        .as_str()
        .unwrap()
        .to_owned();
    api.wait_task(&node, &upid, &root).await;
    let samples = Samples {
        values: BTreeMap::from([
            ("node", node.clone()),
            ("vm", vm.to_string()),
            ("ct", ct.to_string()),
            ("upid", upid),
            ("storage", "local".to_owned()),
            ("userid", "root@pam".to_owned()),
            ("tokenid", "proxdeck".to_owned()),
            ("groupid", "ops".to_owned()),
            ("roleid", "PVEAuditor".to_owned()),
            ("poolid", "prod-web".to_owned()),
            ("sid", format!("vm:{vm}")),
            ("snapname", "conformance".to_owned()),
            ("command", "network-get-interfaces".to_owned()),
        ]),
    };
    let mut problems = Vec::new();
    let mut exercised = 0;
    for r in pve_routes() {
        let id = format!("{} {}", r.method, r.path);
        let info = info_of(&schema, r);
        let path = match fill(r.path, r.path, &samples) {
            Ok(p) => p,
            Err(e) => {
                problems.push(format!("{id}: {e}"));
                continue;
            }
        };
        // Required parameters that are not in the path: leaving one out must give 400
        // with that parameter named (checked on every method; nothing runs).
        if let Some(p) = r
            .params
            .iter()
            .find(|p| p.required && !r.path.contains(&format!("{{{}}}", p.name)))
        {
            let reply = api.call(r.method.clone(), &path, &root, &[]).await;
            if reply.status != StatusCode::BAD_REQUEST
                || reply
                    .json
                    .as_ref()
                    .and_then(|j| j["errors"][p.name].as_str())
                    .is_none()
            {
                problems.push(format!(
                    "{id}: without {} answered {} {}",
                    p.name, reply.status, reply.raw
                ));
            }
        }
        if r.method != Method::GET
            || r.params
                .iter()
                .any(|p| p.required && !r.path.contains(&format!("{{{}}}", p.name)))
        {
            continue;
        }
        let reply = api.get(&path, &root).await;
        if !reply.status.is_success() {
            problems.push(format!("{id} ({path}): {} {}", reply.status, reply.raw));
            continue;
        }
        exercised += 1;
        let Some((is_array, documented)) = documented_fields(&info["returns"]) else {
            continue;
        };
        let data = &reply.json.as_ref().unwrap()["data"];
        let objects: Vec<&Value> = if is_array {
            data.as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default()
        } else {
            vec![data]
        };
        for obj in objects {
            for key in obj
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let gap = SCHEMA_GAPS
                    .iter()
                    .any(|(route, fields, _)| *route == id && fields.contains(&key.as_str()));
                // `net[n]`, `scsi[n]`… document numbered keys once.
                let numbered = documented
                    .iter()
                    .any(|d| proxdeck_sim::api::indexed_match(d, &key));
                if !documented.contains(&key) && !gap && !numbered {
                    problems.push(format!("{id}: returns undocumented field `{key}`"));
                }
            }
        }
    }
    let mut problems: Vec<String> = problems
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    problems.sort();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        exercised >= 10,
        "only {exercised} GET routes were exercised"
    );
    let _ = As::Nobody;
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_as_pve() {
    let sim = Sim::start(Scenario::demo(), SimOptions::default())
        .await
        .unwrap();
    let api = Api::new(sim.cluster("prod"));
    let root = api
        .login("root@pam", proxdeck_sim::scenario::DEMO_ROOT_PASSWORD)
        .await;
    let r = api.get("/nodes/pve1/no-such-thing", &root).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
    let r = api.call(Method::DELETE, "/version", &root, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(
        r.json.unwrap()["message"],
        "Method 'DELETE /version' not implemented\n"
    );
}

/// The 400 PVE's parameter verification gives: `{"data": null, "errors": {name: message}}`
/// naming exactly the offending parameter.
fn assert_param_error(reply: &crate::common::Reply, name: &str, message: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.raw);
    let body = reply.json.as_ref().expect("a JSON body");
    assert_eq!(body["data"], Value::Null, "{}", reply.raw);
    assert_eq!(
        body["errors"],
        serde_json::json!({ name: message }),
        "{}",
        reply.raw
    );
    assert_eq!(body["message"], "Parameter verification failed.\n");
}

#[tokio::test]
async fn schema_formats_and_patterns_are_enforced_as_pve_enforces_them() {
    let f = crate::common::Fixture::start().await;
    let api = f.client();
    let root = api.login("root@pam", crate::common::ROOT_PW).await;

    // pve-storage-id (a path placeholder): PVE's parse_id.
    let ok = api.get("/nodes/n1/storage/local/status", &root).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
    let r = api.get("/nodes/n1/storage/1local/status", &root).await;
    assert_param_error(
        &r,
        "storage",
        "invalid format - storage ID '1local' contains illegal characters",
    );
    let r = api.get("/nodes/n1/storage/l/status", &root).await;
    assert_param_error(
        &r,
        "storage",
        "invalid format - storage ID 'l' cannot be shorter than 2 characters",
    );

    // pve-tag-list: split on `,`, `;` and spaces, each entry a pve-tag.
    let r = api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/100/config",
            &root,
            &[("tags", "web;prod staging")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    let r = api
        .call(
            Method::PUT,
            "/nodes/n1/qemu/100/config",
            &root,
            &[("tags", "web,prod!")],
        )
        .await;
    assert_param_error(&r, "tags", "invalid format - invalid characters in tag");

    // pve-configid (a snapshot name).
    let r = api
        .post(
            "/nodes/n1/qemu/100/snapshot",
            &root,
            &[("snapname", "pre upgrade")],
        )
        .await;
    assert_param_error(
        &r,
        "snapname",
        "invalid format - invalid configuration ID 'pre upgrade'",
    );
    let r = api
        .post(
            "/nodes/n1/qemu/100/snapshot",
            &root,
            &[("snapname", "pre-upgrade")],
        )
        .await;
    let upid = r.data().as_str().expect("a UPID").to_owned();
    assert_eq!(api.wait_task("n1", &upid, &root).await["exitstatus"], "OK");

    // A pattern: the token name `(?^:[A-Za-z][A-Za-z0-9\.\-_]+)`.
    let ok = api.get("/access/users/root@pam/token/full", &root).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
    let r = api.get("/access/users/root@pam/token/1full", &root).await;
    assert_param_error(&r, "tokenid", "value does not match the regex pattern");

    // A pattern with nested `(?^:...)` groups and its own anchors: a user or token ID.
    let ok = api
        .call(
            Method::GET,
            "/access/permissions",
            &root,
            &[("userid", "root@pam!full")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.raw);
    let r = api
        .call(
            Method::GET,
            "/access/permissions",
            &root,
            &[("userid", "root@pam!1full")],
        )
        .await;
    assert_param_error(&r, "userid", "value does not match the regex pattern");

    // The same rules, value by value.
    let cases: &[(Kind, &str, Result<(), &str>)] = &[
        (
            Kind::Format("pve-storage-id-list"),
            "local, nfs-1;pbs",
            Ok(()),
        ),
        (
            Kind::Format("pve-storage-id-list"),
            "local,x",
            Err("invalid format - storage ID 'x' cannot be shorter than 2 characters"),
        ),
        (Kind::Format("email-opt"), "", Ok(())),
        (
            Kind::Format("email-opt"),
            "admin",
            Err("invalid format - value does not look like a valid email address"),
        ),
        (Kind::Format("CIDR"), "198.51.100.0/24", Ok(())),
        (Kind::Format("CIDR"), "fd00::/64", Ok(())),
        (
            Kind::Format("CIDR"),
            "198.0.0.0/7",
            Err("invalid format - value does not look like a valid CIDR network"),
        ),
        (Kind::Format("pve-startup-order"), "order=1,up=30", Ok(())),
        (
            Kind::Format("pve-startup-order"),
            "first",
            Err("invalid format - unable to parse startup options"),
        ),
        (Kind::Format("storage-pair-list"), "local:nfs,zz", Ok(())),
        (
            Kind::Format("storage-pair-list"),
            "local:1x",
            Err(
                "invalid format - entry 'local:1x' contains invalid ID - storage ID '1x' contains illegal characters",
            ),
        ),
        (Kind::Format("pve-priv-list"), "VM.Audit,Sys.Audit", Ok(())),
        (
            Kind::Format("pve-priv-list"),
            "VM.Audit,VM.Fly",
            Err("invalid format - invalid privilege 'VM.Fly'"),
        ),
        // PVE matches `m/^...$/`, and Perl's `$` also matches before a final newline.
        (Kind::Format("pve-configid"), "snap1\n", Ok(())),
        // `\0` in a Perl pattern is a NUL.
        (
            Kind::Pattern(
                r"(?^:(?:\w+=[^\x00-\x08\x10-\x1F\x7F]*)(?:\0\w+=[^\x00-\x08\x10-\x1F\x7F]*)*)",
            ),
            "A=1\0B=2",
            Ok(()),
        ),
        (
            Kind::Pattern(
                r"(?^:(?:\w+=[^\x00-\x08\x10-\x1F\x7F]*)(?:\0\w+=[^\x00-\x08\x10-\x1F\x7F]*)*)",
            ),
            "A=1\0=2",
            Err("value does not match the regex pattern"),
        ),
        // Format first, then pattern: `efidisk0` is a drive but not a boot disk pattern.
        (
            Kind::FormatAndPattern {
                format: "pve-qm-bootdisk",
                pattern: r"(ide|sata|scsi|virtio)\d+",
            },
            "scsi30",
            Ok(()),
        ),
        (
            Kind::FormatAndPattern {
                format: "pve-qm-bootdisk",
                pattern: r"(ide|sata|scsi|virtio)\d+",
            },
            "scsi31",
            Err("invalid format - invalid boot disk 'scsi31'"),
        ),
        (
            Kind::FormatAndPattern {
                format: "pve-qm-bootdisk",
                pattern: r"(ide|sata|scsi|virtio)\d+",
            },
            "efidisk0",
            Err("value does not match the regex pattern"),
        ),
        (
            Kind::PoolId,
            "a/b/c/d",
            Err("invalid format - pool name 'a/b/c/d' nested too deeply (max levels = 3)"),
        ),
        (
            Kind::Format("pve-undefined"),
            "x",
            Err("invalid format - undefined format 'pve-undefined'"),
        ),
    ];
    for (kind, value, expected) in cases {
        assert_eq!(
            check_kind(*kind, value),
            expected.map_err(str::to_owned),
            "{kind:?} on {value:?}"
        );
    }
    // Property strings are accepted as they are, and visibly so.
    assert!(format_is_unvalidated("pve-qm-ipconfig"));
    assert_eq!(
        check_kind(Kind::Format("pve-qm-ipconfig"), "ip=nonsense"),
        Ok(())
    );
}
