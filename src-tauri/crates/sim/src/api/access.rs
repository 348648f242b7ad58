//! `/access/*` and `/version`: logging in (tickets, renewal, TFA), who may do what.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ApiError, Call, Kind, Route, opt, req};
use crate::auth;
use crate::perms::{Permission, Principal};

pub fn routes(r: &mut Vec<Route>) {
    r.push(Route {
        method: Method::GET,
        path: "/version",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: version,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/ticket",
        permission: Permission::World,
        allow_token: true,
        params: vec![],
        handler: |_| Ok(Value::Null),
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/ticket",
        permission: Permission::World,
        allow_token: false,
        params: vec![
            opt("new-format", Kind::Boolean),
            opt("otp", Kind::String),
            req("password", Kind::String),
            opt("path", Kind::String),
            opt("privs", Kind::Format("pve-priv-list")),
            opt("realm", Kind::Format("pve-realm")),
            opt("tfa-challenge", Kind::String),
            req("username", Kind::String),
        ],
        handler: ticket,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/permissions",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("path", Kind::String), opt("userid", Kind::Pattern(r"(?^:^(?^:[^\s:/]+)\@(?^:[A-Za-z][A-Za-z0-9\.\-_]+)(?:!(?^:[A-Za-z][A-Za-z0-9\.\-_]+))?$)"))],
        handler: permissions,
    });
}

fn version(_: &Call<'_>) -> Result<Value, ApiError> {
    Ok(json!({ "version": "9.1.9", "release": "9.1", "repoid": "5e0c4f1a", "console": "xtermjs" }))
}

/// `POST /access/ticket`: password login, TFA second step, ticket renewal, and ticket
/// verification for a path and privileges (what PVE's console proxies use).
fn ticket(call: &Call<'_>) -> Result<Value, ApiError> {
    let sim = call.sim;
    let p = &call.params;
    let now = call.now;
    let mut username = p.str("username")?.to_owned();
    if !username.contains('@') {
        let realm = p.get("realm").unwrap_or("pam");
        username = format!("{username}@{realm}");
    }
    let password = p.str("password")?;
    let refuse = || ApiError::new(StatusCode::UNAUTHORIZED, "authentication failure");

    // Second step of a TFA login: the challenge ticket plus "totp:123456" / "recovery:KEY".
    if let Some(challenge) = p.get("tfa-challenge") {
        let user = sim
            .keys()
            .verify_tfa_challenge(challenge, now)
            .filter(|u| *u == username)
            .ok_or_else(refuse)?;
        let ok = {
            let mut state = sim.state();
            let Some(spec) = state.spec.users.iter_mut().find(|u| u.userid == user) else {
                return Err(refuse());
            };
            match password.split_once(':') {
                Some(("totp", code)) => spec
                    .totp_secret
                    .as_deref()
                    .is_some_and(|s| auth::totp_ok(s, code, now)),
                Some(("recovery", key)) => {
                    // A recovery key works once.
                    match spec.recovery_keys.iter().position(|k| k == key) {
                        Some(i) => {
                            spec.recovery_keys.remove(i);
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            }
        };
        if !ok || !sim.user_active(&user, now) {
            return Err(refuse());
        }
        return Ok(full_ticket(call, &user));
    }

    // A valid ticket works as the password: that is how clients renew before expiry, and
    // how console proxies verify a ticket for a path.
    let by_ticket = sim
        .authenticate(
            &auth::Presented::Ticket {
                ticket: password.to_owned(),
                csrf: None,
            },
            &Method::GET,
            now,
        )
        .ok()
        .filter(|who| matches!(who, Principal::User(u) if *u == username));
    if let Some(who) = by_ticket {
        if let (Some(path), Some(privs)) = (p.get("path"), p.get("privs")) {
            let privs: Vec<&str> = privs.split(',').map(str::trim).collect();
            if !sim.access().has(&who, path, &privs, false, now) {
                return Err(refuse());
            }
            return Ok(json!({ "username": username }));
        }
        return Ok(full_ticket(call, &username));
    }

    let (password_ok, needs_tfa) = {
        let state = sim.state();
        match state.spec.users.iter().find(|u| u.userid == username) {
            Some(u) => (
                !u.password.is_empty()
                    && auth::constant_time_eq(u.password.as_bytes(), password.as_bytes()),
                u.totp_secret.is_some(),
            ),
            None => (false, false),
        }
    };
    if !password_ok || !sim.user_active(&username, now) {
        return Err(refuse());
    }
    if needs_tfa {
        return Ok(json!({
            "username": username,
            "ticket": sim.keys().tfa_challenge(&username, now),
            "NeedTFA": 1,
        }));
    }
    Ok(full_ticket(call, &username))
}

fn full_ticket(call: &Call<'_>, user: &str) -> Value {
    let keys = call.sim.keys();
    json!({
        "username": user,
        "ticket": keys.ticket(user, call.now),
        "CSRFPreventionToken": keys.csrf_token(user, call.now),
        "clustername": call.sim.name,
    })
}

/// `GET /access/permissions`: the caller's own privileges, or another user's (and their
/// tokens') with Sys.Audit on /access.
fn permissions(call: &Call<'_>) -> Result<Value, ApiError> {
    let who = call.who();
    let target = match call.params.get("userid") {
        None => who.clone(),
        Some(id) => {
            let own_token = matches!(who, Principal::User(u) if id.starts_with(&format!("{u}!")));
            let is_self = match who {
                Principal::User(u) => u == id,
                Principal::Token { tokenid, .. } => tokenid == id,
            };
            if !is_self && !own_token && !call.can("/access", &["Sys.Audit"], false) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "Permission check failed (/access, Sys.Audit)",
                ));
            }
            match id.split_once('!') {
                Some((user, _)) => Principal::Token {
                    userid: user.to_owned(),
                    tokenid: id.to_owned(),
                },
                None => Principal::User(id.to_owned()),
            }
        }
    };
    let dump = call
        .sim
        .access()
        .permissions_dump(&target, call.params.get("path"), call.now);
    Ok(serde_json::to_value(dump).unwrap_or(Value::Null))
}
