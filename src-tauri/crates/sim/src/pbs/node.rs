//! The host-level PBS routes: version, node status (with the certificate fingerprint a
//! client pins) and login, including the HttpOnly-cookie variant and TOTP / recovery-key
//! second factors as proxmox-auth-api runs them.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha1::Digest;

use super::access::{self, TicketData, UserInfo};
use super::{Call, Kind, NODE, PbsError, Permission, Route, TEXT, USERID, opt, req};

pub(super) fn routes(r: &mut Vec<Route>) {
    r.push(Route {
        method: Method::GET,
        path: "/version",
        permission: Permission::Anybody,
        params: vec![],
        handler: version,
    });
    r.push(Route {
        method: Method::GET,
        path: "/nodes/{node}/status",
        permission: Permission::Privilege {
            path: &["system", "status"],
            privs: &["Sys.Audit"],
            partial: false,
        },
        params: vec![req("node", NODE)],
        handler: node_status,
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/ticket",
        permission: Permission::World,
        params: vec![
            opt("http-only", Kind::Boolean),
            opt("password", TEXT),
            opt("path", TEXT),
            opt(
                "port",
                Kind::Integer {
                    min: Some(0),
                    max: Some(65535),
                },
            ),
            opt("privs", TEXT),
            opt("tfa-challenge", TEXT),
            req("username", USERID),
        ],
        handler: create_ticket,
    });
}

/// `4.1.0` → (`4.1`, `0`): PBS reports major.minor as version and the patch as release.
fn split_version(v: &str) -> (String, String) {
    let mut parts = v.splitn(3, '.');
    let major = parts.next().unwrap_or("4");
    let minor = parts.next().unwrap_or("0");
    let patch = parts.next().unwrap_or("0");
    (format!("{major}.{minor}"), patch.to_owned())
}

fn version(call: &Call<'_>) -> Result<Value, PbsError> {
    let v = call.sim.state().spec.version.clone();
    let (version, release) = split_version(&v);
    // A stable stand-in for the build's git commit.
    let repoid = hex::encode(sha1::Sha1::digest(format!("proxmox-backup {v}").as_bytes()));
    Ok(json!({ "version": version, "release": release, "repoid": repoid }))
}

/// The kernel each PBS series ships with.
fn kernel(version: &str) -> (&'static str, &'static str) {
    match split_version(version).0.as_str() {
        "4.0" => (
            "6.14.8-2-pve",
            "#1 SMP PREEMPT_DYNAMIC PMX 6.14.8-2 (2025-07-22T10:04Z)",
        ),
        v if v.starts_with("3.") => (
            "6.8.12-9-pve",
            "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-9 (2025-03-16T19:18Z)",
        ),
        _ => (
            "6.17.2-1-pve",
            "#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z)",
        ),
    }
}

const GIB: u64 = 1 << 30;

fn node_status(call: &Call<'_>) -> Result<Value, PbsError> {
    let version = call.sim.state().spec.version.clone();
    let (release, kversion) = kernel(&version);
    let uptime = (call.now - call.sim.boot_time()).max(0);
    // A small dedicated backup host: what a node summary would show, stable over calls
    // but not frozen, so a dashboard sees it move.
    let wobble = (call.now % 60) as f64 / 6000.0;
    let mem_total = 32 * GIB;
    let mem_used = 11 * GIB + (call.now % 97) as u64 * (1 << 20);
    let root_total = 98 * GIB;
    let root_used = 7 * GIB;
    Ok(json!({
        "memory": { "total": mem_total, "used": mem_used, "free": mem_total - mem_used },
        "swap": { "total": 8 * GIB, "used": 0, "free": 8 * GIB },
        "root": { "total": root_total, "used": root_used, "avail": root_total - root_used },
        "uptime": uptime,
        "loadavg": [0.18 + wobble, 0.14, 0.11],
        "kversion": format!("Linux {release} {kversion}"),
        "current-kernel": {
            "sysname": "Linux",
            "release": release,
            "version": kversion,
            "machine": "x86_64",
        },
        "cpu": 0.021 + wobble,
        "wait": 0.0013,
        "cpuinfo": {
            "model": "AMD EPYC 7313P 16-Core Processor",
            "sockets": 1,
            "cpus": 32,
        },
        "info": { "fingerprint": call.sim.certificate_fingerprint() },
        "boot-info": { "mode": "efi", "secureboot": false },
    }))
}

/// What a login attempt came to before the answer is shaped.
enum Outcome {
    Ticket,
    Partial(Value),
}

/// A refused login: PBS logs the reason and answers only this.
fn login_failed() -> PbsError {
    PbsError::new(StatusCode::UNAUTHORIZED, "permission check failed.")
}

fn create_ticket(call: &Call<'_>) -> Result<Value, PbsError> {
    let username = call.req("username").to_owned();
    let password = call
        .get("password")
        .ok_or_else(|| PbsError::bail("no password provided"))?
        .to_owned();
    let outcome = authenticate(call, &username, &password).map_err(|_| login_failed())?;
    let keys = &call.sim.keys;
    Ok(match outcome {
        Outcome::Ticket => {
            let ticket = keys.ticket(&username, None, call.now);
            let mut answer = json!({
                "username": username,
                "ticket": ticket,
                "CSRFPreventionToken": keys.csrf_token(&username, call.now),
            });
            // Only the HttpOnly flow keeps the unsigned copy; PBS drops it otherwise.
            if call.flag("http-only")
                && let Some((plain, _)) = ticket.rsplit_once("::")
            {
                answer["ticket-info"] = json!(format!("{plain}::"));
            }
            answer
        }
        Outcome::Partial(challenge) => json!({
            "username": username,
            "ticket": keys.ticket(&format!("!tfa!{challenge}"), Some(&username), call.now),
            "CSRFPreventionToken": "invalid",
        }),
    })
}

/// proxmox-auth-api's `authenticate_user`: account state, second factor, ticket renewal,
/// then the realm's password check and the TFA challenge.
fn authenticate(call: &Call<'_>, username: &str, password: &str) -> Result<Outcome, String> {
    let sim = call.sim;
    let now = call.now;
    {
        let state = sim.state();
        if !(UserInfo { spec: &state.spec }).is_active_auth_id(username, now) {
            return Err("user account disabled or expired.".into());
        }
    }
    if let Some(challenge) = call.get("tfa-challenge") {
        return second_factor(call, username, challenge, password);
    }
    if password.starts_with("PBS:")
        && let Ok(TicketData::Full(user)) =
            sim.keys
                .verify_ticket(password, None, now, -300..access::TICKET_LIFETIME)
    {
        return if user == username {
            Ok(Outcome::Ticket)
        } else {
            Err("ticket login failed - wrong userid".into())
        };
    }
    let realm = username
        .rsplit_once('@')
        .map(|(_, r)| r)
        .unwrap_or_default();
    if realm != "pam" && realm != "pbs" {
        return Err(format!("unknown realm \"{realm}\""));
    }
    let state = sim.state();
    let user = state
        .spec
        .users
        .iter()
        .find(|u| u.userid == username)
        .ok_or("user not found")?;
    if user.password.is_empty()
        || !crate::auth::constant_time_eq(user.password.as_bytes(), password.as_bytes())
    {
        return Err("authentication failure".into());
    }
    if user.totp_secret.is_none() && user.recovery_keys.is_empty() {
        return Ok(Outcome::Ticket);
    }
    let mut challenge = serde_json::Map::new();
    if user.totp_secret.is_some() {
        challenge.insert("totp".into(), json!(true));
    }
    if !user.recovery_keys.is_empty() {
        challenge.insert(
            "recovery".into(),
            json!(vec![true; user.recovery_keys.len()]),
        );
    }
    Ok(Outcome::Partial(Value::Object(challenge)))
}

/// The answer to a TFA challenge: `totp:CODE` or `recovery:KEY` (a key works once).
fn second_factor(
    call: &Call<'_>,
    username: &str,
    challenge: &str,
    response: &str,
) -> Result<Outcome, String> {
    match call
        .sim
        .keys
        .verify_ticket(challenge, Some(username), call.now, -60..600)?
    {
        TicketData::Partial(_) => {}
        TicketData::Full(_) => return Err("invalid ticket - expected partial ticket".into()),
    }
    let mut state = call.sim.state();
    let user = state
        .spec
        .users
        .iter_mut()
        .find(|u| u.userid == username)
        .ok_or("user not found")?;
    let ok = if let Some(code) = response.strip_prefix("totp:") {
        user.totp_secret
            .as_deref()
            .is_some_and(|s| crate::auth::totp_ok(s, code, call.now))
    } else if let Some(key) = response.strip_prefix("recovery:") {
        match user.recovery_keys.iter().position(|k| k == key.trim()) {
            Some(i) => {
                user.recovery_keys.remove(i);
                true
            }
            None => false,
        }
    } else {
        return Err("invalid tfa response".into());
    };
    if ok {
        Ok(Outcome::Ticket)
    } else {
        Err("authentication failed".into())
    }
}

/// The HttpOnly flow: the ticket goes into a `__Host-PBSAuthCookie` cookie, the body keeps
/// only the unsigned `ticket-info`, in the ExtJS-style envelope PBS uses for this call.
pub(super) fn http_only_ticket(mut data: Value) -> Response {
    let ticket = if data.get("ticket-info").is_some() {
        data.as_object_mut()
            .and_then(|o| o.remove("ticket"))
            .and_then(|t| t.as_str().map(str::to_owned))
    } else {
        None
    };
    let body = json!({ "data": data, "status": 200, "success": true });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(ticket) = ticket
        && let Ok(v) = HeaderValue::from_str(&format!(
            "__Host-PBSAuthCookie={ticket}; Secure; SameSite=Lax; HttpOnly; Path=/;"
        ))
    {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
