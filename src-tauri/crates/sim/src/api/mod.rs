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
mod pools;
mod rrd;
mod snapshots;
mod storage;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
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
    /// The schema's `pve-node` format.
    Node,
    /// `pve-vmid`: 100 ..= 999999999.
    VmId,
    /// `pve-userid`: name@realm.
    UserId,
    /// `pve-tokenid` name part (`[A-Za-z][A-Za-z0-9.\-_]+`).
    TokenName,
    /// `pve-poolid`.
    PoolId,
    /// A UPID.
    Upid,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
}

pub const fn req(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        required: true,
        kind,
    }
}

pub const fn opt(name: &'static str, kind: Kind) -> Param {
    Param {
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
    raw: std::cell::RefCell<Option<Vec<u8>>>,
}

impl Call<'_> {
    /// Answers with `data` serialised straight from typed rows: `/cluster/resources` of
    /// 10,000 guests is 3 MB, and going through `serde_json::Value` tripled its cost.
    pub fn respond_typed<T: serde::Serialize>(&self, data: &T) -> Result<Value, ApiError> {
        let bytes = serde_json::to_vec(data)
            .map_err(|e| ApiError::failed(format!("cannot encode the answer: {e}")))?;
        *self.raw.borrow_mut() = Some(bytes);
        Ok(Value::Null)
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
    for name in params.0.keys() {
        if !route
            .params
            .iter()
            .any(|p| p.name == name || indexed_match(p.name, name))
        {
            errors.insert(name.clone(), "property is not defined in schema and the schema does not allow additional properties".to_owned());
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

fn check_kind(kind: Kind, v: &str) -> Result<(), String> {
    let bad_format = |what: &str| format!("value does not match the regex pattern ({what})");
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
        Kind::Node => (!v.is_empty()
            && v.len() <= 63
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !v.starts_with('-'))
        .then_some(())
        .ok_or_else(|| "invalid format - value does not look like a valid node name".to_owned()),
        Kind::VmId => match v.parse::<u64>() {
            Ok(n) if (100..=999_999_999).contains(&n) => Ok(()),
            _ => Err("invalid format - value does not look like a valid VM ID".to_owned()),
        },
        Kind::UserId => match v.split_once('@') {
            Some((name, realm))
                if !name.is_empty() && !realm.is_empty() && !v.contains(['!', ':', '/']) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "invalid format - value '{v}' does not look like a valid user name"
            )),
        },
        Kind::TokenName => {
            let mut chars = v.chars();
            (chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
            .then_some(())
            .ok_or_else(|| bad_format("pve-tokenid"))
        }
        // Nested pools (`parent/child`) exist since PVE 8.1.
        Kind::PoolId => (!v.is_empty()
            && !v.starts_with('/')
            && !v.ends_with('/')
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)))
        .then_some(())
        .ok_or_else(|| bad_format("pve-poolid")),
        Kind::Upid => v
            .starts_with("UPID:")
            .then_some(())
            .ok_or_else(|| "unable to parse worker upid".to_owned()),
    }
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
    Raw(Vec<u8>),
}
