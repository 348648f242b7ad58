//! The API surface: a route table in the schema's own terms (path template, method,
//! permission rule, whether tokens may call it, parameters), one dispatcher that
//! authenticates, checks parameters and permissions as PVE does, and PVE's response shapes.

mod access;
mod access_admin;
mod agent;
mod cluster;
mod config;
mod guests;
mod ha;
mod lifecycle;
mod nodes;
mod pending;
mod pools;
mod resize;
mod rrd;
mod snapshots;
mod storage;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use regex::Regex;
use serde_json::{Value, json};

use crate::auth;
use crate::perms::{Denied, Permission, Principal};
use crate::state::ClusterSim;

/// The path prefix every API call carries.
pub const PREFIX: &str = "/api2/json";

/// A failure as PVE reports it: a status, a reason (PVE puts it in the HTTP status line
/// and the body's `message`), and per-parameter errors for 400.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub errors: Option<BTreeMap<String, String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "authentication failure")
    }

    /// Most handler failures in PVE are a `die` inside the handler: HTTP 500 with the text.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    pub fn params(errors: BTreeMap<String, String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: "Parameter verification failed.".into(),
            errors: Some(errors),
        }
    }

    pub fn param(name: &str, message: impl Into<String>) -> Self {
        Self::params(BTreeMap::from([(name.to_owned(), message.into())]))
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        Self::new(StatusCode::FORBIDDEN, d.to_string())
    }
}

/// PVE's error body: `{"data": null}` plus `errors` for parameter failures and `message`;
/// 401 comes with an empty body, as PVE sends it.
pub fn error_response(
    status: StatusCode,
    reason: &str,
    errors: Option<BTreeMap<String, String>>,
) -> Response {
    let mut response = if status == StatusCode::UNAUTHORIZED {
        (status, Bytes::new()).into_response()
    } else {
        let mut body = json!({ "data": null, "message": format!("{reason}\n") });
        if let Some(errors) = errors {
            body["errors"] = json!(errors);
        }
        (status, axum::Json(body)).into_response()
    };
    if let Ok(phrase) = hyper::ext::ReasonPhrase::try_from(reason.replace(['\r', '\n'], " ")) {
        response.extensions_mut().insert(phrase);
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.message, self.errors)
    }
}

/// What a parameter must look like. Mirrors the schema's `type`, `enum`, `minimum` and
/// `maximum` and `format`/`pattern`, so the conformance test can compare them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A string the schema constrains by neither `pattern` nor a named `format` (it may
    /// have an inline property-string format, which the handler checks).
    String,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    /// The schema's `number` (a float), with its bounds.
    Number {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Enum(&'static [&'static str]),
    /// The schema's `pattern`, in the schema's own (Perl) spelling, matched as PVE's
    /// `m/^$pattern$/`.
    Pattern(&'static str),
    /// The schema's named `format` (`pve-storage-id`, `pve-tag-list`, `email-opt`, …),
    /// checked as PVE's `check_format` does, `-list` and `-opt` suffixes included.
    Format(&'static str),
    /// A property with both: PVE checks the format first, then the pattern.
    FormatAndPattern {
        format: &'static str,
        pattern: &'static str,
    },
    /// The schema's `pve-node` format.
    Node,
    /// `pve-vmid`: 100 ..= 999999999.
    VmId,
    /// `pve-userid`: name@realm.
    UserId,
    /// `pve-poolid`.
    PoolId,
    /// A UPID.
    Upid,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamOf<K> {
    pub name: &'static str,
    pub required: bool,
    pub kind: K,
}

/// A PVE route parameter. The PBS listener uses the same shape with its own kinds.
pub type Param = ParamOf<Kind>;

pub const fn req<K>(name: &'static str, kind: K) -> ParamOf<K> {
    ParamOf {
        name,
        required: true,
        kind,
    }
}

pub const fn opt<K>(name: &'static str, kind: K) -> ParamOf<K> {
    ParamOf {
        name,
        required: false,
        kind,
    }
}

/// The request parameters: path placeholders, query string and body, as strings (PVE
/// reads everything as strings and checks types after).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(pub BTreeMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn str(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::param(name, "property is missing and it is not optional"))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::param(name, format!("type check ('integer') failed - got '{v}'"))
                })
            })
            .transpose()
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "true" | "yes" | "on"))
    }

    pub fn vmid(&self) -> Result<u32, ApiError> {
        let v = self.str("vmid")?;
        v.parse().map_err(|_| {
            ApiError::param(
                "vmid",
                "invalid format - value does not look like a valid VM ID".to_string(),
            )
        })
    }
}

pub type Handler = fn(&Call<'_>) -> Result<Value, ApiError>;

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
    /// The schema's `allowtoken`: false where PVE refuses API tokens (login, node shell).
    pub allow_token: bool,
    pub params: Vec<Param>,
    pub handler: Handler,
}

/// One authenticated, validated call, handed to a handler.
pub struct Call<'a> {
    pub sim: &'a Arc<ClusterSim>,
    /// The route's path template, for handlers shared by several routes.
    pub path: &'static str,
    pub params: Params,
    /// `None` only on `user: world` routes.
    pub who: Option<Principal>,
    pub now: i64,
    /// `data` already serialised, for the few answers too big to build as a `Value`.
    raw: std::cell::RefCell<Option<Arc<Vec<u8>>>>,
}

impl Call<'_> {
    /// Answers with `data` serialised straight from typed rows: `/cluster/resources` of
    /// 10,000 guests is 3 MB, and going through `serde_json::Value` tripled its cost.
    pub fn respond_typed<T: serde::Serialize>(&self, data: &T) -> Result<Value, ApiError> {
        let bytes = serde_json::to_vec(data)
            .map_err(|e| ApiError::failed(format!("cannot encode the answer: {e}")))?;
        Ok(self.respond_serialized(Arc::new(bytes)))
    }

    /// Answers with `data` serialised earlier (a cached answer).
    pub fn respond_serialized(&self, data: Arc<Vec<u8>>) -> Value {
        *self.raw.borrow_mut() = Some(data);
        Value::Null
    }

    /// The serialised answer set by `respond_typed`, to keep it for the next caller.
    pub fn serialized(&self) -> Option<Arc<Vec<u8>>> {
        self.raw.borrow().clone()
    }

    pub fn who(&self) -> &Principal {
        self.who
            .as_ref()
            .expect("the dispatcher authenticates before non-world routes")
    }

    /// The user id behind the caller (`user@realm` for a token too).
    pub fn userid(&self) -> &str {
        match self.who() {
            Principal::User(u) => u,
            Principal::Token { userid, .. } => userid,
        }
    }

    /// Whether the caller has `privs` on `path`, for handlers that filter (`user: all`).
    pub fn can(&self, path: &str, privs: &[&str], any: bool) -> bool {
        self.sim
            .access()
            .has(self.who(), path, privs, any, self.now)
    }
}

/// All routes of a PVE cluster listener.
pub fn pve_routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut r = Vec::new();
        access::routes(&mut r);
        access_admin::routes(&mut r);
        pools::routes(&mut r);
        cluster::routes(&mut r);
        nodes::routes(&mut r);
        guests::routes(&mut r);
        config::routes(&mut r);
        pending::routes(&mut r);
        resize::routes(&mut r);
        lifecycle::routes(&mut r);
        snapshots::routes(&mut r);
        agent::routes(&mut r);
        ha::routes(&mut r);
        rrd::routes(&mut r);
        storage::routes(&mut r);
        r
    })
}

/// Matches `path` (without the prefix) against a template; returns the placeholders.
pub fn match_path(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut t = template.split('/');
    let mut p = path.trim_end_matches('/').split('/');
    let mut captured = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(captured),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    captured.push((name.to_owned(), percent_decode(ps)));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_form(s: &str, into: &mut BTreeMap<String, String>) {
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        into.insert(percent_decode(k), percent_decode(v));
    }
}

fn json_to_params(v: &Value, into: &mut BTreeMap<String, String>) -> bool {
    let Value::Object(map) = v else {
        return false;
    };
    for (k, v) in map {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
            Value::Null => continue,
            other => other.to_string(),
        };
        into.insert(k.clone(), s);
    }
    true
}

/// Checks presence and format of every declared parameter and refuses undeclared ones,
/// answering like PVE's parameter verification.
fn verify_params(route: &Route, params: &Params) -> Result<(), ApiError> {
    let mut errors = BTreeMap::new();
    for p in &route.params {
        match params.get(p.name) {
            None if p.required => {
                errors.insert(
                    p.name.to_owned(),
                    "property is missing and it is not optional".to_owned(),
                );
            }
            None => {}
            Some(v) => {
                if let Err(e) = check_kind(p.kind, v) {
                    errors.insert(p.name.to_owned(), e);
                }
            }
        }
    }
    for (name, value) in &params.0 {
        if route.params.iter().any(|p| p.name == name) {
            continue;
        }
        // A numbered key (`net0`) is checked against its declaration (`net[n]`).
        match route.params.iter().find(|p| indexed_match(p.name, name)) {
            Some(p) => {
                if let Err(e) = check_kind(p.kind, value) {
                    errors.insert(name.clone(), e);
                }
            }
            None => {
                errors.insert(name.clone(), "property is not defined in schema and the schema does not allow additional properties".to_owned());
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::params(errors))
    }
}

/// The schema declares numbered keys once, as `net[n]`, `scsi[n]`, `ipconfig[n]`: a
/// request carries `net0`, `scsi1`, ….
pub fn indexed_match(declared: &str, given: &str) -> bool {
    declared
        .strip_suffix("[n]")
        .and_then(|base| given.strip_prefix(base))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks one value against its declared kind; the message is the one PVE's
/// `check_prop` puts in the 400's `errors` (without Perl's trailing newline).
pub fn check_kind(kind: Kind, v: &str) -> Result<(), String> {
    match kind {
        Kind::String => Ok(()),
        Kind::Integer { min, max } => {
            let n: i64 = v
                .parse()
                .map_err(|_| format!("type check ('integer') failed - got '{v}'"))?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(format!("value must have a minimum value of {min}"));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                return Err(format!("value may have a maximum value of {max}"));
            }
            Ok(())
        }
        Kind::Number { min, max } => {
            let n: f64 = v
                .parse()
                .map_err(|_| format!("type check ('number') failed - got '{v}'"))?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(format!("value must have a minimum value of {min}"));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                return Err(format!("value may have a maximum value of {max}"));
            }
            Ok(())
        }
        Kind::Boolean => matches!(
            v,
            "0" | "1" | "true" | "false" | "yes" | "no" | "on" | "off"
        )
        .then_some(())
        .ok_or_else(|| format!("type check ('boolean') failed - got '{v}'")),
        Kind::Enum(values) => values.contains(&v).then_some(()).ok_or_else(|| {
            format!(
                "value '{v}' does not have a value in the enumeration '{}'",
                values.join(", ")
            )
        }),
        Kind::Pattern(pattern) => check_pattern(pattern, v),
        Kind::Format(format) => check_named_format(format, v),
        Kind::FormatAndPattern { format, pattern } => {
            check_named_format(format, v)?;
            check_pattern(pattern, v)
        }
        Kind::Node => check_named_format("pve-node", v),
        Kind::VmId => match v.parse::<u64>() {
            Ok(n) if (100..=999_999_999).contains(&n) => Ok(()),
            _ => Err("invalid format - value does not look like a valid VM ID".to_owned()),
        },
        Kind::UserId => check_named_format("pve-userid", v),
        Kind::PoolId => check_named_format("pve-poolid", v),
        Kind::Upid => v
            .starts_with("UPID:")
            .then_some(())
            .ok_or_else(|| "unable to parse worker upid".to_owned()),
    }
}

/// `check_prop`'s pattern step: the whole value must match.
fn check_pattern(pattern: &'static str, v: &str) -> Result<(), String> {
    if perl_regex(pattern)?.is_match(v) {
        Ok(())
    } else {
        Err("value does not match the regex pattern".to_owned())
    }
}

/// `check_prop`'s format step: the validator's `die` text after "invalid format - ".
fn check_named_format(format: &str, v: &str) -> Result<(), String> {
    check_format(format, v).map_err(|e| format!("invalid format - {e}"))
}

/// Named formats the simulator accepts without checking them. Each is a property string
/// (`key=value,...`) whose sub-properties PVE checks one by one, or depends on the host;
/// they are validated by their handler where the simulator models the option, or not at
/// all yet. Keeping them in this one table keeps the gap visible: a format that is in
/// neither this table nor `format_validator` is refused as PVE refuses an undefined one.
const UNVALIDATED_FORMATS: &[(&str, &str)] = &[
    ("pve-qemu-sev-fmt", "property string (AMD SEV options)"),
    ("pve-qemu-tdx-fmt", "property string (Intel TDX options)"),
    ("pve-qm-boot", "property string (boot order)"),
    ("pve-qm-cicustom", "property string (cloud-init snippets)"),
    ("pve-qm-hostpci", "property string (PCI passthrough)"),
    ("pve-qm-ide", "property string (a drive)"),
    ("pve-qm-ipconfig", "property string (cloud-init IP config)"),
    ("pve-qm-rng", "property string (VirtIO RNG)"),
    ("pve-qm-smbios1", "property string (SMBIOS type 1 fields)"),
    ("pve-qm-watchdog", "property string (watchdog device)"),
    ("pve-vm-cpu-conf", "property string (CPU model and flags)"),
    (
        "pve-ct-timezone",
        "checked against the host's /usr/share/zoneinfo/zone.tab, which a simulator does not have",
    ),
];

/// Whether the simulator knows the named format (validates it, or lists it in
/// `UNVALIDATED_FORMATS`); PVE refuses an undefined format, and so does the simulator.
pub fn format_is_known(format: &str) -> bool {
    let (base, _) = split_format_name(format);
    format_validator(base).is_some() || UNVALIDATED_FORMATS.iter().any(|(f, _)| *f == base)
}

/// Whether the simulator accepts `format` without checking it (see `UNVALIDATED_FORMATS`).
pub fn format_is_unvalidated(format: &str) -> bool {
    UNVALIDATED_FORMATS.iter().any(|(f, _)| *f == format)
}

/// Why a schema pattern cannot be used by the simulator, if it cannot.
pub fn pattern_error(pattern: &'static str) -> Option<String> {
    perl_regex(pattern).err()
}

/// `PVE::JSONSchema::check_format` for named formats: `NAME-list` checks every entry of
/// `split_list`, `NAME-opt` allows the empty string (and "0").
fn check_format(format: &str, v: &str) -> Result<(), String> {
    let (base, suffix) = split_format_name(format);
    if UNVALIDATED_FORMATS.iter().any(|(f, _)| *f == base) {
        return Ok(());
    }
    let Some(validate) = format_validator(base) else {
        return Err(format!("undefined format '{format}'"));
    };
    match suffix {
        Some("list") => split_list(v).into_iter().try_for_each(validate),
        // `-opt` skips Perl-false values: the empty string and "0".
        Some(_) if v.is_empty() || v == "0" => Ok(()),
        _ => validate(v),
    }
}

/// Perl's `m/^(.*?)(?:-(list|opt))?$/` on a format name.
fn split_format_name(format: &str) -> (&str, Option<&str>) {
    match format.rsplit_once('-') {
        Some((base, suffix @ ("list" | "opt"))) => (base, Some(suffix)),
        _ => (format, None),
    }
}

/// `PVE::ParseUtils::split_list`: NUL-separated if there is a NUL, else on `,`, `;` and
/// whitespace. Perl's `split` drops trailing empty fields (and `\s+` leading ones).
fn split_list(v: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = if v.contains('\0') {
        v.split('\0').collect()
    } else {
        v.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect()
    };
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

type Validator = fn(&str) -> Result<(), String>;

/// The registered code-ref formats the simulator checks, with the rule and the message of
/// the `register_format` call in pve-common, pve-access-control, pve-storage, qemu-server,
/// pve-container and pve-ha-manager.
fn format_validator(name: &str) -> Option<Validator> {
    let validator: Validator = match name {
        "string" => |_| Ok(()),
        "urlencoded" => |v| {
            matches(r"[-%a-zA-Z0-9_.!~*'()]*", v, || {
                format!("invalid urlencoded string: {v}")
            })
        },
        "pve-configid" => |v| {
            matches(r"(?i:[a-z][a-z0-9_-]+)", v, || {
                format!("invalid configuration ID '{v}'")
            })
        },
        "pve-storage-id" => |v| verify_id(v, "storage"),
        "storage-pair" => verify_storage_pair,
        "pve-vmid" => |v| {
            matches(r"[1-9][0-9]{2,8}", v, || {
                "value does not look like a valid VM ID".to_owned()
            })
        },
        "pve-node" => |v| {
            matches(r"[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?", v, || {
                "value does not look like a valid node name".to_owned()
            })
        },
        "dns-name" => verify_dns_name,
        "address" => |v| {
            if verify_ip(v).is_ok() || verify_dns_name(v).is_ok() {
                Ok(())
            } else {
                Err(format!("value does not look like a valid address: {v}"))
            }
        },
        "ip" => verify_ip,
        "ipv4" => |v| {
            matches(IPV4_RE.as_str(), v, || {
                "value does not look like a valid IPv4 address".to_owned()
            })
        },
        "ipv6" => |v| {
            matches(IPV6_RE.as_str(), v, || {
                "value does not look like a valid IPv6 address".to_owned()
            })
        },
        "CIDR" => |v| {
            if is_cidr(IPV4_CIDR_RE.as_str(), v, 32) || is_cidr(IPV6_CIDR_RE.as_str(), v, 128) {
                Ok(())
            } else {
                Err("value does not look like a valid CIDR network".to_owned())
            }
        },
        "CIDRv4" => |v| {
            is_cidr(IPV4_CIDR_RE.as_str(), v, 32)
                .then_some(())
                .ok_or_else(|| "value does not look like a valid IPv4 CIDR network".to_owned())
        },
        "CIDRv6" => |v| {
            is_cidr(IPV6_CIDR_RE.as_str(), v, 128)
                .then_some(())
                .ok_or_else(|| "value does not look like a valid IPv6 CIDR network".to_owned())
        },
        "email" => |v| {
            matches(EMAIL_RE.as_str(), v, || {
                "value does not look like a valid email address".to_owned()
            })
        },
        "pve-startup-order" => verify_startup_order,
        "pve-tag" => |v| {
            matches(r"(?i:[a-z0-9_][a-z0-9_\-\+\.]*)", v, || {
                "invalid characters in tag".to_owned()
            })
        },
        "pve-realm" => |v| {
            matches(REALM_RE, v, || {
                "value does not look like a valid realm".to_owned()
            })
        },
        "pve-userid" => verify_username,
        "pve-tokenid" => |v| {
            matches(TOKENID_RE.as_str(), v, || {
                format!("value '{v}' does not look like a valid token ID")
            })
        },
        "pve-groupid" => |v| {
            matches(r"[A-Za-z0-9\.\-_]+", v, || {
                format!("group name '{v}' contains invalid characters")
            })
        },
        "pve-roleid" => |v| {
            matches(r"[A-Za-z0-9\.\-_]+", v, || {
                format!("role name '{v}' contains invalid characters")
            })
        },
        "pve-poolid" => verify_poolname,
        "pve-priv" => |v| {
            crate::perms::is_valid_privilege(v)
                .then_some(())
                .ok_or_else(|| format!("invalid privilege '{v}'"))
        },
        "pve-ha-resource-id" => |v| {
            matches(r"[a-z]+:\S+", v, || {
                "value does not look like a valid ha resource id".to_owned()
            })
        },
        "pve-ha-resource-or-vm-id" => |v| {
            matches(r"([a-z]+:\S+|\d+)", v, || {
                "value does not look like a valid ha resource id".to_owned()
            })
        },
        // `valid_content_types('dir')`, the plugin that has every content type.
        "pve-storage-content" => |v| {
            const CONTENT: &[&str] = &[
                "backup", "images", "import", "iso", "none", "rootdir", "snippets", "vztmpl",
            ];
            CONTENT
                .contains(&v)
                .then_some(())
                .ok_or_else(|| format!("invalid content type '{v}'"))
        },
        "pve-volume-id" => |v| {
            matches(r"(?i:([a-z][a-z0-9\-\_\.]*[a-z0-9]):(.+))", v, || {
                format!("unable to parse volume ID '{v}'")
            })
        },
        "pve-cpuset" => verify_cpuset,
        "pve-hotplug-features" => verify_hotplug_features,
        "pve-qm-bootdisk" => |v| {
            is_valid_drivename(v)
                .then_some(())
                .ok_or_else(|| format!("invalid boot disk '{v}'"))
        },
        "pve-iface" => verify_iface,
        "lxc-ip-with-ll-iface" => |v| {
            if let Ok(Some(c)) = perl_regex(r"(fe80:[^%]+)%(.*)").map(|re| re.captures(v))
                && verify_ip(&c[1]).is_ok()
                && verify_iface(&c[2]).is_ok()
            {
                return Ok(());
            }
            verify_ip(v)
        },
        _ => return None,
    };
    Some(validator)
}

/// `$value =~ m/^$re$/` or `die why()`.
fn matches(re: &'static str, v: &str, why: impl FnOnce() -> String) -> Result<(), String> {
    if perl_regex(re)?.is_match(v) {
        Ok(())
    } else {
        Err(why())
    }
}

const REALM_RE: &str = r"[A-Za-z][A-Za-z0-9\.\-_]+";
const USER_RE: &str = r"[^\s:/]+";

/// pve-common's `ParseUtils` address expressions (RFC 3986's grammar; an octet has no
/// leading zero).
static IPV4_RE: LazyLock<String> = LazyLock::new(|| {
    let octet = r"(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])";
    format!(r"(?:(?:{octet}\.){{3}}{octet})")
});
static IPV6_RE: LazyLock<String> = LazyLock::new(|| {
    let h16 = "(?:[0-9a-fA-F]{1,4})";
    let ls32 = format!("(?:(?:{}|{h16}:{h16}))", *IPV4_RE);
    let forms = [
        format!("(?:(?:{h16}:){{6}}){ls32}"),
        format!("(?:::(?:{h16}:){{5}}){ls32}"),
        format!("(?:(?:{h16})?::(?:{h16}:){{4}}){ls32}"),
        format!("(?:(?:(?:{h16}:){{0,1}}{h16})?::(?:{h16}:){{3}}){ls32}"),
        format!("(?:(?:(?:{h16}:){{0,2}}{h16})?::(?:{h16}:){{2}}){ls32}"),
        format!("(?:(?:(?:{h16}:){{0,3}}{h16})?::(?:{h16}:){{1}}){ls32}"),
        format!("(?:(?:(?:{h16}:){{0,4}}{h16})?::){ls32}"),
        format!("(?:(?:(?:{h16}:){{0,5}}{h16})?::){h16}"),
        format!("(?:(?:(?:{h16}:){{0,6}}{h16})?::)"),
    ];
    format!("(?:{})", forms.join("|"))
});
static IP_RE: LazyLock<String> = LazyLock::new(|| format!("(?:(?:{})|(?:{}))", *IPV4_RE, *IPV6_RE));
static IPV4_CIDR_RE: LazyLock<String> = LazyLock::new(|| format!(r"(?:{})(?:/(\d+))", *IPV4_RE));
static IPV6_CIDR_RE: LazyLock<String> = LazyLock::new(|| format!(r"(?:{})(?:/(\d+))", *IPV6_RE));
static EMAIL_RE: LazyLock<String> = LazyLock::new(|| {
    let user = r"[\w\+\-\~]+(\.[\w\+\-\~]+)*";
    format!(r"{user}@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*")
});
static TOKENID_RE: LazyLock<String> =
    LazyLock::new(|| format!(r"(({USER_RE})@({REALM_RE}))!({REALM_RE})"));

fn verify_ip(v: &str) -> Result<(), String> {
    matches(IP_RE.as_str(), v, || {
        "value does not look like a valid IP address".to_owned()
    })
}

/// `pve_verify_cidrv4`/`v6`: the prefix length must be above 7 and at most `max`.
fn is_cidr(re: &'static str, v: &str, max: u64) -> bool {
    let Ok(Some(c)) = perl_regex(re).map(|re| re.captures(v)) else {
        return false;
    };
    let bits = c[1].parse::<u64>().unwrap_or(u64::MAX);
    bits > 7 && bits <= max
}

fn verify_dns_name(v: &str) -> Result<(), String> {
    matches(
        r"(([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)",
        v,
        || "value does not look like a valid DNS name".to_owned(),
    )
}

fn verify_iface(v: &str) -> Result<(), String> {
    matches(r"(?i:[a-z][a-z0-9_]{1,20}([:\.]\d+)?)", v, || {
        format!("invalid network interface name '{v}'")
    })
}

/// `PVE::JSONSchema::parse_id`, behind `pve-storage-id`.
fn verify_id(v: &str, what: &str) -> Result<(), String> {
    if v.chars().count() < 2 {
        return Err(format!(
            "{what} ID '{v}' cannot be shorter than 2 characters"
        ));
    }
    matches(r"(?i:[a-z][a-z0-9\-\_\.]*[a-z0-9])", v, || {
        format!("{what} ID '{v}' contains illegal characters")
    })
}

/// `verify_storagepair`: one entry of an ID map, `1` (identity), `source:target` or a
/// default target, each ID a storage ID.
fn verify_storage_pair(entry: &str) -> Result<(), String> {
    let invalid = |e: String| format!("entry '{entry}' contains invalid ID - {e}");
    for e in split_list(entry) {
        if e == "1" {
            continue;
        }
        let pair = perl_regex(r"([^:]+):([^:]+)")?.captures(e);
        match pair {
            Some(c) => {
                verify_id(&c[1], "storage").map_err(invalid)?;
                verify_id(&c[2], "storage").map_err(invalid)?;
            }
            None => verify_id(e, "storage").map_err(invalid)?,
        }
    }
    Ok(())
}

/// `verify_username` in pve-access-control's `Auth::Plugin`.
fn verify_username(v: &str) -> Result<(), String> {
    // Perl's `$username = '' if !$username`: "0" is false.
    let v = if v == "0" { "" } else { v };
    let len = v.chars().count();
    if len < 3 {
        return Err(format!("user name '{v}' is too short"));
    }
    if len > 64 {
        return Err(format!("user name '{v}' is too long ({len} > 64)"));
    }
    static USERID_RE: LazyLock<String> = LazyLock::new(|| format!(r"({USER_RE})@({REALM_RE})"));
    matches(USERID_RE.as_str(), v, || {
        format!("value '{v}' does not look like a valid user name")
    })
}

/// `verify_poolname`: up to three levels (`a/b/c`).
fn verify_poolname(v: &str) -> Result<(), String> {
    // Perl's `split("/", ...)` in scalar context: the fields without trailing empty ones.
    let mut levels: Vec<&str> = v.split('/').collect();
    while levels.last().is_some_and(|l| l.is_empty()) {
        levels.pop();
    }
    if levels.len() > 3 {
        return Err(format!(
            "pool name '{v}' nested too deeply (max levels = 3)"
        ));
    }
    matches(r"[A-Za-z0-9\.\-_]+(?:/[A-Za-z0-9\.\-_]+){0,2}", v, || {
        format!("pool name '{v}' contains invalid characters")
    })
}

/// `pve_parse_startup_order`: `[order=]N`, `up=N`, `down=N`, comma-separated; Perl's
/// falsy values (empty, "0") do not parse.
fn verify_startup_order(v: &str) -> Result<(), String> {
    let fail = || "unable to parse startup options".to_owned();
    if v.is_empty() || v == "0" {
        return Err(fail());
    }
    for part in v.split(',') {
        if part.trim().is_empty() {
            continue;
        }
        let ok = perl_regex(r"(order=)?(\d+)")?.is_match(part)
            || perl_regex(r"up=(\d+)")?.is_match(part)
            || perl_regex(r"down=(\d+)")?.is_match(part);
        if !ok {
            return Err(fail());
        }
    }
    Ok(())
}

/// `PVE::CpuSet::parse_cpuset` behind `pve-cpuset`: comma-separated CPUs and ranges.
fn verify_cpuset(v: &str) -> Result<(), String> {
    let mut parts: Vec<&str> = v.split(',').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    for part in parts {
        let range = perl_regex(r"\s*(\d+)(?:-(\d+))?\s*")?.captures(part);
        let Some(c) = range else {
            return Err("unable to parse cpuset option".to_owned());
        };
        let from: f64 = c[1].parse().unwrap_or(f64::INFINITY);
        let to: f64 = c
            .get(2)
            .map_or(from, |m| m.as_str().parse().unwrap_or(f64::INFINITY));
        if to < from {
            return Err("unable to parse cpuset option".to_owned());
        }
    }
    Ok(())
}

/// `parse_hotplug_features`: `0`, `1` (the default set) or a list of features.
fn verify_hotplug_features(v: &str) -> Result<(), String> {
    if v == "0" || v == "1" {
        return Ok(());
    }
    for feature in split_list(v) {
        if !perl_regex(r"(network|disk|cpu|memory|usb|cloudinit)")?.is_match(feature) {
            return Err(format!("invalid hotplug feature '{feature}'"));
        }
    }
    Ok(())
}

/// qemu-server's `is_valid_drivename`: a drive slot that exists (not `unusedN`).
fn is_valid_drivename(v: &str) -> bool {
    let slot = |prefix: &str, count: u32| {
        v.strip_prefix(prefix)
            .filter(|n| !n.is_empty() && (n.len() == 1 || !n.starts_with('0')))
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n < count)
    };
    slot("ide", 4)
        || slot("sata", 6)
        || slot("scsi", 31)
        || slot("virtio", 16)
        || v == "efidisk0"
        || v == "tpmstate0"
}

/// The compiled form of a Perl expression, anchored as `m/^(?:RE)$/`: Perl's `$` also
/// matches before a final newline, hence the optional `\n`. Compiled once per expression.
fn perl_regex(re: &'static str) -> Result<Regex, String> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Result<Regex, String>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(re)
        .or_insert_with(|| {
            let translated = translate_perl_regex(re)
                .map_err(|why| format!("cannot use the schema pattern '{re}': {why}"))?;
            // Unicode classes under `(?i)` with a bounded repetition (`{0,256}`) exceed
            // the crate's default 10 MiB program size.
            regex::RegexBuilder::new(&format!(r"^(?:{translated})\n?$"))
                .size_limit(64 << 20)
                .build()
                .map_err(|e| format!("cannot use the schema pattern '{re}': {e}"))
        })
        .clone()
}

/// Rewrites the Perl constructs PVE's schema patterns use into the `regex` crate's
/// syntax, and refuses the ones it has no equivalent for rather than matching wrongly.
fn translate_perl_regex(re: &str) -> Result<String, String> {
    let mut out = String::with_capacity(re.len() + 8);
    let mut chars = re.chars().peekable();
    // Inside `[...]`: Perl takes `[`, `&&`, `~~` and `--` literally, the crate does not.
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                // `\0` is NUL (octal) in Perl.
                Some('0') if !chars.peek().is_some_and(|d| d.is_digit(8)) => out.push_str(r"\x00"),
                Some(e @ ('1'..='9' | 'g' | 'k')) if !in_class => {
                    return Err(format!("a backreference (\\{e}) has no equivalent"));
                }
                // Perl's `\v` and `\h` are classes (the crate's `\v` is one character), `\Z`
                // allows a final newline, and `\K`, `\G`, `\R`, `\X`, `\N`, `\Q` do not exist.
                Some(
                    e @ ('v' | 'h' | 'H' | 'V' | 'Z' | 'K' | 'G' | 'R' | 'X' | 'N' | 'Q' | 'E'),
                ) => {
                    return Err(format!("\\{e} has no equivalent"));
                }
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return Err("it ends in a backslash".to_owned()),
            },
            '[' if in_class => {
                if chars.peek() == Some(&':') {
                    // A POSIX class, `[:alpha:]`, the same in both.
                    out.push('[');
                } else {
                    out.push_str(r"\[");
                }
            }
            '&' | '~' | '-' if in_class && chars.peek() == Some(&c) => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ if in_class => out.push(c),
            '[' => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                // A `]` first in the class is a literal in both.
                if chars.peek() == Some(&']') {
                    out.push_str(r"\]");
                    chars.next();
                }
            }
            // Perl 5.34+ (PVE 9 runs 5.40) reads `{,n}` as `{0,n}`.
            '{' if chars.peek() == Some(&',') => out.push_str("{0"),
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    // `(?^flags:` resets the flags to Perl's defaults; nothing outside
                    // sets any, so `(?flags:` is the same group.
                    (Some('^'), _) => {
                        chars.next();
                        out.push_str("(?");
                    }
                    (Some('<'), Some('=' | '!')) | (Some('=' | '!'), _) => {
                        return Err("lookaround has no equivalent".to_owned());
                    }
                    (Some('>'), _) => {
                        return Err("an atomic group (?>...) has no equivalent".to_owned());
                    }
                    (Some(g @ ('|' | '#' | '{' | '?' | '(' | '+' | '&' | 'R')), _) => {
                        return Err(format!("the group (?{g} has no equivalent"));
                    }
                    _ => out.push_str("(?"),
                }
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The one handler behind every path of a PVE listener.
pub async fn dispatch(
    State(sim): State<Arc<ClusterSim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match dispatch_inner(&sim, &method, &uri, &headers, &body).await {
        Ok(Answer::Value(data)) => axum::Json(json!({ "data": data })).into_response(),
        Ok(Answer::Raw(data)) => {
            let mut body = Vec::with_capacity(data.len() + 10);
            body.extend_from_slice(b"{\"data\":");
            body.extend_from_slice(&data);
            body.push(b'}');
            (
                [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
                body,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn dispatch_inner(
    sim: &Arc<ClusterSim>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Answer, ApiError> {
    let Some(path) = uri.path().strip_prefix(PREFIX) else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Not found"));
    };
    let path = if path.is_empty() { "/" } else { path };
    let mut method_known = false;
    let mut found = None;
    for route in pve_routes() {
        if let Some(captured) = match_path(route.path, path) {
            method_known = true;
            if route.method == *method {
                found = Some((route, captured));
                break;
            }
        }
    }
    let Some((route, captured)) = found else {
        let _ = method_known;
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            format!("Method '{method} {path}' not implemented"),
        ));
    };

    let mut params = BTreeMap::new();
    if let Some(q) = uri.query() {
        parse_form(q, &mut params);
    }
    if !body.is_empty() {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if is_json {
            let v: Value = serde_json::from_slice(body).map_err(|e| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("unable to parse JSON body: {e}"),
                )
            })?;
            if !json_to_params(&v, &mut params) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "JSON body must be an object",
                ));
            }
        } else {
            parse_form(&String::from_utf8_lossy(body), &mut params);
        }
    }
    for (k, v) in captured {
        params.insert(k, v);
    }
    let params = Params(params);
    let now = sim.now();

    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let presented = auth::presented(
        "PVE",
        header("authorization"),
        header("cookie"),
        header("csrfpreventiontoken"),
    );
    let who = match route.permission {
        Permission::World => sim.authenticate(&presented, method, now).ok(),
        _ => Some(match sim.authenticate(&presented, method, now) {
            Ok(who) => who,
            Err(e) => {
                sim.unauthorized_delay().await;
                return Err(e);
            }
        }),
    };
    if let Some(Principal::Token { .. }) = who
        && !route.allow_token
    {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "API tokens are not allowed on this endpoint",
        ));
    }
    // PVE's HTTP server checks permissions (with the raw parameters) before the handler
    // verifies the parameters, so an unprivileged caller gets 403 even for bad input.
    // World routes are never authenticated in PVE, so their check sees no user; root@pam
    // passes every other check before the rule is looked at.
    let checked_as = match route.permission {
        Permission::World => None,
        _ => who.as_ref(),
    };
    route.permission.eval(
        &sim.access(),
        checked_as,
        &|name| params.get(name).map(str::to_owned),
        now,
    )?;
    verify_params(route, &params)?;
    let call = Call {
        sim,
        path: route.path,
        params,
        who,
        now,
        raw: std::cell::RefCell::new(None),
    };
    let data = (route.handler)(&call)?;
    Ok(match call.raw.into_inner() {
        Some(bytes) => Answer::Raw(bytes),
        None => Answer::Value(data),
    })
}

enum Answer {
    Value(Value),
    Raw(Arc<Vec<u8>>),
}
