//! The Proxmox Backup Server side of the simulator: one PBS 4 host per `scenario::Pbs`,
//! served on its own listener as a backup server is a separate host.
//!
//! PBS is not PVE with another prefix. Its REST server (proxmox-rest-server) authenticates
//! before it even looks for the route, checks the route's permission before the
//! parameters, answers errors with the bare message as body (400 for any handler failure,
//! the `HttpError` status otherwise), and its privileges, roles, tickets and token header
//! differ. So it has its own route table and dispatcher here; only the listener (`server`),
//! the certificate (`tls`) and the fault layer are shared with the PVE side.

pub(crate) mod access;
mod datastore;
mod node;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::scenario;
use crate::state::SimOptions;

pub use access::{
    NS_PRIVS_OK, PRIVILEGES, UserInfo, privilege_bits, privilege_names, role_privileges,
};

/// The API prefix, as on PVE.
pub const PREFIX: &str = "/api2/json";

const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// One simulated backup server's mutable state.
#[derive(Debug)]
pub struct PbsState {
    pub spec: scenario::Pbs,
}

impl PbsState {
    pub fn datastore(&self, name: &str) -> Option<&scenario::Datastore> {
        self.spec.datastores.iter().find(|d| d.name == name)
    }
}

/// One simulated Proxmox Backup Server.
pub struct PbsSim {
    pub name: String,
    pub options: SimOptions,
    keys: access::Keys,
    state: Mutex<PbsState>,
    clock_offset: AtomicI64,
    boot_time: i64,
    cert: OnceLock<crate::tls::CertSlot>,
}

impl std::fmt::Debug for PbsSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PbsSim")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl PbsSim {
    pub fn new(spec: scenario::Pbs, options: SimOptions) -> Arc<Self> {
        let now = unix_now();
        Arc::new(Self {
            name: spec.name.clone(),
            options,
            keys: access::Keys::random(),
            state: Mutex::new(PbsState { spec }),
            clock_offset: AtomicI64::new(0),
            boot_time: now - 86_400 * 9 - 4_321,
            cert: OnceLock::new(),
        })
    }

    pub fn state(&self) -> MutexGuard<'_, PbsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Real time plus what a test moved the clock by.
    pub fn now(&self) -> i64 {
        unix_now() + self.clock_offset.load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }

    pub fn boot_time(&self) -> i64 {
        self.boot_time
    }

    /// Called once by whoever serves this server, so node status can report the
    /// certificate that is presented right now.
    pub fn attach_certificate(&self, cert: crate::tls::CertSlot) {
        let _ = self.cert.set(cert);
    }

    /// The certificate's SHA-256 fingerprint as PBS prints it: lower-case hex pairs (PVE
    /// prints the same digest upper-case).
    pub fn certificate_fingerprint(&self) -> String {
        self.cert
            .get()
            .map(|c| c.current().fingerprint.to_ascii_lowercase())
            .unwrap_or_default()
    }

    async fn unauthorized_delay(&self) {
        if !self.options.unauthorized_delay.is_zero() {
            tokio::time::sleep(self.options.unauthorized_delay).await;
        }
    }
}

/// The axum router of one PBS listener: every path goes through [`dispatch`].
pub fn router(sim: Arc<PbsSim>) -> axum::Router {
    axum::Router::new().fallback(dispatch).with_state(sim)
}

/// A failure as PBS sends it: the status and the bare message as body.
#[derive(Debug, Clone, PartialEq)]
pub struct PbsError {
    pub status: StatusCode,
    pub message: String,
}

impl PbsError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// What an `anyhow::bail!` in a PBS handler becomes: HTTP 400.
    pub fn bail(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
}

impl IntoResponse for PbsError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.message).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        response
    }
}

/// The schema's string patterns the simulator checks; named after PBS's schema constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `PROXMOX_SAFE_ID` (datastore names, archive names).
    SafeId,
    /// `BACKUP_ID`: a safe id.
    BackupId,
    /// `BACKUP_NAMESPACE`: up to 8 safe ids joined by `/`, or empty for the root.
    Namespace,
    /// `HOSTNAME` (the `node` parameter).
    Hostname,
    /// `name@realm`.
    Userid,
}

impl Pattern {
    fn matches(self, v: &str) -> bool {
        match self {
            Pattern::SafeId | Pattern::BackupId => access::is_safe_id(v),
            Pattern::Namespace => {
                v.is_empty() || {
                    let parts: Vec<&str> = v.split('/').collect();
                    parts.len() <= 8 && parts.iter().all(|p| access::is_safe_id(p))
                }
            }
            Pattern::Hostname => {
                let b = v.as_bytes();
                !b.is_empty()
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            }
            Pattern::Userid => access::is_userid(v),
        }
    }
}

/// A parameter's type as the PBS schema states it, so the conformance test can compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    String {
        min_length: Option<usize>,
        max_length: Option<usize>,
        pattern: Option<Pattern>,
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Enum(&'static [&'static str]),
}

pub const TEXT: Kind = Kind::String {
    min_length: None,
    max_length: None,
    pattern: None,
};
pub const STORE: Kind = Kind::String {
    min_length: Some(3),
    max_length: Some(32),
    pattern: Some(Pattern::SafeId),
};
pub const NAMESPACE: Kind = Kind::String {
    min_length: None,
    max_length: Some(256),
    pattern: Some(Pattern::Namespace),
};
pub const BACKUP_ID: Kind = Kind::String {
    min_length: None,
    max_length: None,
    pattern: Some(Pattern::BackupId),
};
pub const BACKUP_TYPE: Kind = Kind::Enum(&["vm", "ct", "host"]);
pub const NODE: Kind = Kind::String {
    min_length: None,
    max_length: None,
    pattern: Some(Pattern::Hostname),
};
pub const USERID: Kind = Kind::String {
    min_length: Some(3),
    max_length: Some(64),
    pattern: Some(Pattern::Userid),
};

pub type Param = crate::api::ParamOf<Kind>;
pub use crate::api::{opt, req};

/// A route's access rule in proxmox-router's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Permission {
    /// No authentication at all.
    World,
    /// Any authenticated user or token; the handler filters or checks itself.
    Anybody,
    /// Privileges on an ACL path whose `{param}` parts come from the URL; `partial` means
    /// any one of them suffices.
    Privilege {
        path: &'static [&'static str],
        privs: &'static [&'static str],
        partial: bool,
    },
}

impl Permission {
    /// The schema's `permissions` entry, description aside.
    pub fn to_schema(&self) -> Value {
        match self {
            Permission::World => json!({ "user": "world" }),
            Permission::Anybody => json!({ "user": "all" }),
            Permission::Privilege {
                path,
                privs,
                partial,
            } => json!({ "check": { "partial": partial, "path": path, "privs": privs } }),
        }
    }

    /// proxmox-router's `check_api_permission`.
    fn allows(&self, info: &UserInfo<'_>, auth_id: &str, uri: &BTreeMap<String, String>) -> bool {
        let Permission::Privilege {
            path,
            privs,
            partial,
        } = self
        else {
            return true;
        };
        let mut acl_path = Vec::new();
        for comp in path.iter() {
            match comp.strip_prefix('{').and_then(|c| c.strip_suffix('}')) {
                Some(name) => match uri.get(name) {
                    Some(v) => acl_path.push(v.as_str()),
                    None => return false,
                },
                None => acl_path.push(comp),
            }
        }
        let have = info.lookup_privs(auth_id, &acl_path);
        let want = privilege_bits(privs);
        if have == 0 {
            return false;
        }
        if *partial {
            want & have != 0
        } else {
            want & have == want
        }
    }
}

pub type Handler = fn(&Call<'_>) -> Result<Value, PbsError>;

pub struct Route {
    pub method: Method,
    /// Schema path template, e.g. `/admin/datastore/{store}/groups`.
    pub path: &'static str,
    pub permission: Permission,
    pub params: Vec<Param>,
    pub handler: Handler,
}

/// One authenticated, permitted call with verified parameters.
pub struct Call<'a> {
    pub sim: &'a Arc<PbsSim>,
    pub params: BTreeMap<String, String>,
    /// The auth id (`user@realm` or `user@realm!token`); `None` on world routes.
    pub who: Option<String>,
    pub now: i64,
}

impl Call<'_> {
    pub fn auth_id(&self) -> &str {
        self.who
            .as_deref()
            .expect("the dispatcher authenticates before non-world routes")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A parameter the schema requires (verified before the handler runs).
    pub fn req(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(parse_bool_true)
    }
}

fn parse_bool_true(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

/// Every route of a PBS listener.
pub fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut r = Vec::new();
        node::routes(&mut r);
        datastore::routes(&mut r);
        r
    })
}

fn match_route(method: &Method, path: &str) -> Option<(&'static Route, Vec<(String, String)>)> {
    routes().iter().find_map(|route| {
        (route.method == *method)
            .then(|| crate::api::match_path(route.path, path))
            .flatten()
            .map(|captured| (route, captured))
    })
}

/// proxmox-schema's parameter parsing: every error collected, one message.
fn verify_params(
    route: &Route,
    params: &[(String, String)],
) -> Result<BTreeMap<String, String>, PbsError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut out = BTreeMap::new();
    for (k, v) in params {
        let Some(p) = route.params.iter().find(|p| p.name == k) else {
            errors.push((
                k.clone(),
                "schema does not allow additional properties.".into(),
            ));
            continue;
        };
        if out.contains_key(k) {
            errors.push((k.clone(), "duplicate parameter.".into()));
            continue;
        }
        if let Err(e) = check_kind(p.kind, v) {
            errors.push((k.clone(), e));
        }
        out.insert(k.clone(), v.clone());
    }
    for p in &route.params {
        if p.required && !out.contains_key(p.name) {
            errors.push((
                p.name.to_owned(),
                "parameter is missing and it is not optional.".into(),
            ));
        }
    }
    match errors.len() {
        0 => Ok(out),
        1 => Err(PbsError::bail(format!(
            "parameter verification failed - '{}': {}",
            errors[0].0, errors[0].1
        ))),
        _ => {
            let list: Vec<String> = errors
                .iter()
                .map(|(k, e)| format!("- '{k}': {e}"))
                .collect();
            Err(PbsError::bail(format!(
                "parameter verification failed:\n{}",
                list.join("\n")
            )))
        }
    }
}

fn check_kind(kind: Kind, v: &str) -> Result<(), String> {
    match kind {
        Kind::String {
            min_length,
            max_length,
            pattern,
        } => {
            let len = v.chars().count();
            if let Some(min) = min_length.filter(|m| len < *m) {
                return Err(format!("value must be at least {min} characters long"));
            }
            if let Some(max) = max_length.filter(|m| len > *m) {
                return Err(format!("value may only be {max} characters long"));
            }
            if pattern.is_some_and(|p| !p.matches(v)) {
                return Err("value does not match the regex pattern".into());
            }
            Ok(())
        }
        Kind::Integer { min, max } => {
            let n: i64 = v
                .parse()
                .map_err(|e: std::num::ParseIntError| e.to_string())?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(format!(
                    "value must have a minimum value of {min} (got {n})"
                ));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                return Err(format!(
                    "value must have a maximum value of {max} (got {n})"
                ));
            }
            Ok(())
        }
        Kind::Boolean => matches!(
            v.to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on" | "0" | "false" | "no" | "off"
        )
        .then_some(())
        .ok_or_else(|| "Unable to parse boolean option.".to_owned()),
        Kind::Enum(values) => values
            .contains(&v)
            .then_some(())
            .ok_or_else(|| format!("value '{v}' is not defined in the enumeration.")),
    }
}

fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |x: &str| access::percent_decode(&x.replace('+', " ")).unwrap_or_default();
            (dec(k), dec(v))
        })
        .collect()
}

/// The one handler behind every path of a PBS listener.
pub async fn dispatch(
    State(sim): State<Arc<PbsSim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match dispatch_inner(&sim, &method, &uri, &headers, &body).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn dispatch_inner(
    sim: &Arc<PbsSim>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, PbsError> {
    let full_path = uri.path();
    let not_found = || {
        PbsError::new(
            StatusCode::NOT_FOUND,
            format!("Path '{full_path}' not found."),
        )
    };
    let Some(path) = full_path.strip_prefix(PREFIX) else {
        return Err(not_found());
    };
    let path = if path.is_empty() { "/" } else { path };
    let found = match_route(method, path);
    let now = sim.now();

    // PBS authenticates before it knows whether the path exists.
    let who = match found.as_ref().map(|(r, _)| &r.permission) {
        Some(Permission::World) => None,
        _ => match sim.check_auth(&access::presented(headers), method, now) {
            Ok(who) => Some(who),
            Err(reason) => {
                sim.unauthorized_delay().await;
                let reason =
                    reason.unwrap_or_else(|| "no authentication credentials provided.".into());
                // Outside the formatter: the bare message, no content type.
                return Ok((
                    StatusCode::UNAUTHORIZED,
                    format!("authentication failed - {reason}"),
                )
                    .into_response());
            }
        },
    };
    let Some((route, captured)) = found else {
        return Err(not_found());
    };
    let uri_params: BTreeMap<String, String> = captured.iter().cloned().collect();
    if let Some(who) = &who {
        let state = sim.state();
        let info = UserInfo { spec: &state.spec };
        if !route.permission.allows(&info, who, &uri_params) {
            return Err(PbsError::forbidden("permission check failed"));
        }
    }

    let mut pairs = Vec::new();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.split(';').next().unwrap_or_default().trim().to_owned());
    match is_json.as_deref() {
        None | Some("application/x-www-form-urlencoded") => {
            pairs.extend(form_pairs(&String::from_utf8_lossy(body)));
        }
        Some("application/json") => {
            let v: Value = if body.is_empty() {
                json!({})
            } else {
                serde_json::from_slice(body).map_err(|e| PbsError::bail(e.to_string()))?
            };
            let Value::Object(map) = v else {
                return Err(PbsError::bail("Expected object - got scalar value."));
            };
            for (k, v) in map {
                let s = match v {
                    Value::String(s) => s,
                    Value::Null => continue,
                    other => other.to_string(),
                };
                pairs.push((k, s));
            }
        }
        Some(other) => {
            return Err(PbsError::bail(format!(
                "unsupported content type Ok(\"{other}\")"
            )));
        }
    }
    // With a JSON body PBS reads only the body (and the URL placeholders).
    if is_json.as_deref() != Some("application/json")
        && let Some(q) = uri.query()
    {
        pairs.extend(form_pairs(q).into_iter().filter(|(k, _)| k != "_dc"));
    }
    pairs.extend(captured);
    let params = verify_params(route, &pairs)?;
    let call = Call {
        sim,
        params,
        who,
        now,
    };
    let data = (route.handler)(&call)?;
    if route.path == "/access/ticket" && call.flag("http-only") {
        return Ok(node::http_only_ticket(data));
    }
    let mut response = axum::Json(json!({ "data": data })).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    Ok(response)
}
