//! Managing who may do what: users, groups, roles, ACLs and API tokens under `/access`.
//!
//! Clients build their admin screens, and decide what to offer a user, from these calls, so
//! they answer as pve-access-control 9.1 does: the same filtering of lists, the same
//! refusals (including the "<action> failed: ..." prefix PVE adds to errors raised while it
//! holds the user.cfg lock, which turns even parameter errors there into HTTP 500), and the
//! same shapes (`special` roles, a token secret shown exactly once). Every change lands in
//! the cluster's scenario and is followed by `refresh_access`, so the next request is judged
//! by the new rules.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::{ApiError, Call, Kind, Route, opt, req};
use crate::perms::{
    Check, GroupsParam, Permission, ROOT, builtin_roles, is_valid_privilege, normalize_path,
    split_list, verify_username,
};
use crate::scenario::{Acl, Group, Role, Token, User};
use crate::state::ClusterState;

pub fn routes(r: &mut Vec<Route>) {
    let user_fields = || {
        vec![
            opt("comment", Kind::String),
            opt("email", Kind::Format("email-opt")),
            opt("enable", Kind::Boolean),
            opt(
                "expire",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            opt("firstname", Kind::String),
            opt("groups", Kind::Format("pve-groupid-list")),
            opt("keys", Kind::Pattern(r"[0-9a-zA-Z!=]{0,4096}")),
            opt("lastname", Kind::String),
            req("userid", Kind::UserId),
        ]
    };
    let self_or_user_modify = || {
        Permission::Check(Check::or(vec![
            Check::userid_param_self(),
            Check::userid_group(&["User.Modify"]),
        ]))
    };
    let sys_modify = || Permission::Check(Check::perm("/access", &["Sys.Modify"]));
    let group_allocate = || Permission::Check(Check::perm("/access/groups", &["Group.Allocate"]));

    // Users.
    r.push(Route {
        method: Method::GET,
        path: "/access/users",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![opt("enabled", Kind::Boolean), opt("full", Kind::Boolean)],
        handler: user_index,
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/users",
        permission: Permission::Check(Check::and(vec![
            Check::userid_param_realm_allocate_user(),
            Check::userid_group(&["User.Modify"]).groups_param(GroupsParam::Create),
        ])),
        allow_token: true,
        params: {
            let mut p = user_fields();
            p.push(opt("password", Kind::String));
            p
        },
        handler: create_user,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/users/{userid}",
        permission: Permission::Check(Check::userid_group(&["User.Modify", "Sys.Audit"])),
        allow_token: true,
        params: vec![req("userid", Kind::UserId)],
        handler: read_user,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/access/users/{userid}",
        permission: Permission::Check(
            Check::userid_group(&["User.Modify"]).groups_param(GroupsParam::Update),
        ),
        allow_token: true,
        params: {
            let mut p = user_fields();
            p.push(opt("append", Kind::Boolean));
            p
        },
        handler: update_user,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/access/users/{userid}",
        permission: Permission::Check(Check::and(vec![
            Check::userid_param_realm_allocate_user(),
            Check::userid_group(&["User.Modify"]),
        ])),
        allow_token: true,
        params: vec![req("userid", Kind::UserId)],
        handler: delete_user,
    });

    // API tokens.
    r.push(Route {
        method: Method::GET,
        path: "/access/users/{userid}/token",
        permission: self_or_user_modify(),
        allow_token: true,
        params: vec![req("userid", Kind::UserId)],
        handler: token_index,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/users/{userid}/token/{tokenid}",
        permission: self_or_user_modify(),
        allow_token: true,
        params: vec![
            req("tokenid", Kind::Pattern(r"(?^:[A-Za-z][A-Za-z0-9\.\-_]+)")),
            req("userid", Kind::UserId),
        ],
        handler: read_token,
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/users/{userid}/token/{tokenid}",
        permission: self_or_user_modify(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            opt(
                "expire",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            opt("privsep", Kind::Boolean),
            req("tokenid", Kind::Pattern(r"(?^:[A-Za-z][A-Za-z0-9\.\-_]+)")),
            req("userid", Kind::UserId),
        ],
        handler: generate_token,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/access/users/{userid}/token/{tokenid}",
        permission: self_or_user_modify(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            opt("delete", Kind::Format("pve-configid-list")),
            opt(
                "expire",
                Kind::Integer {
                    min: Some(0),
                    max: None,
                },
            ),
            opt("privsep", Kind::Boolean),
            req("tokenid", Kind::Pattern(r"(?^:[A-Za-z][A-Za-z0-9\.\-_]+)")),
            req("userid", Kind::UserId),
        ],
        handler: update_token,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/access/users/{userid}/token/{tokenid}",
        permission: self_or_user_modify(),
        allow_token: true,
        params: vec![
            req("tokenid", Kind::Pattern(r"(?^:[A-Za-z][A-Za-z0-9\.\-_]+)")),
            req("userid", Kind::UserId),
        ],
        handler: remove_token,
    });

    // Groups.
    r.push(Route {
        method: Method::GET,
        path: "/access/groups",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: group_index,
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/groups",
        permission: group_allocate(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            req("groupid", Kind::Format("pve-groupid")),
        ],
        handler: create_group,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/groups/{groupid}",
        permission: Permission::Check(
            Check::perm("/access/groups", &["Sys.Audit", "Group.Allocate"]).any(),
        ),
        allow_token: true,
        params: vec![req("groupid", Kind::Format("pve-groupid"))],
        handler: read_group,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/access/groups/{groupid}",
        permission: group_allocate(),
        allow_token: true,
        params: vec![
            opt("comment", Kind::String),
            req("groupid", Kind::Format("pve-groupid")),
        ],
        handler: update_group,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/access/groups/{groupid}",
        permission: group_allocate(),
        allow_token: true,
        params: vec![req("groupid", Kind::Format("pve-groupid"))],
        handler: delete_group,
    });

    // Roles.
    r.push(Route {
        method: Method::GET,
        path: "/access/roles",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: role_index,
    });
    r.push(Route {
        method: Method::POST,
        path: "/access/roles",
        permission: sys_modify(),
        allow_token: true,
        params: vec![
            opt("privs", Kind::Format("pve-priv-list")),
            req("roleid", Kind::Format("pve-roleid")),
        ],
        handler: create_role,
    });
    r.push(Route {
        method: Method::GET,
        path: "/access/roles/{roleid}",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![req("roleid", Kind::Format("pve-roleid"))],
        handler: read_role,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/access/roles/{roleid}",
        permission: sys_modify(),
        allow_token: true,
        params: vec![
            opt("append", Kind::Boolean),
            opt("privs", Kind::Format("pve-priv-list")),
            req("roleid", Kind::Format("pve-roleid")),
        ],
        handler: update_role,
    });
    r.push(Route {
        method: Method::DELETE,
        path: "/access/roles/{roleid}",
        permission: sys_modify(),
        allow_token: true,
        params: vec![req("roleid", Kind::Format("pve-roleid"))],
        handler: delete_role,
    });

    // ACL.
    r.push(Route {
        method: Method::GET,
        path: "/access/acl",
        permission: Permission::AllUsers,
        allow_token: true,
        params: vec![],
        handler: read_acl,
    });
    r.push(Route {
        method: Method::PUT,
        path: "/access/acl",
        permission: Permission::Check(Check::perm_modify("{path}")),
        allow_token: true,
        params: vec![
            opt("delete", Kind::Boolean),
            opt("groups", Kind::Format("pve-groupid-list")),
            req("path", Kind::String),
            opt("propagate", Kind::Boolean),
            req("roles", Kind::Format("pve-roleid-list")),
            opt("tokens", Kind::Format("pve-tokenid-list")),
            opt("users", Kind::Format("pve-userid-list")),
        ],
        handler: update_acl,
    });
}

// ---------------------------------------------------------------------------------------
// Errors and parameter formats, worded as PVE words them.

/// A `die` inside `lock_user_config($code, $errmsg)`: PVE prefixes the text.
fn lock_failed(action: &str, msg: impl std::fmt::Display) -> ApiError {
    ApiError::failed(format!("{action}: {msg}"))
}

/// A `raise_param_exc` inside `lock_user_config`: the exception is stringified into the
/// prefixed text, so the client gets a 500 that still reads like a 400.
fn lock_param_failed(action: &str, name: &str, msg: &str) -> ApiError {
    ApiError::failed(format!(
        "{action}: 400 Parameter verification failed.\n{name}: {msg}"
    ))
}

/// What PVE's schema check answers for a `requires` that is not met.
pub(super) fn check_requires(call: &Call<'_>, name: &str, needs: &str) -> Result<(), ApiError> {
    if call.params.get(name).is_some() && call.params.get(needs).is_none() {
        return Err(ApiError::param(
            needs,
            format!("missing property required by '{name}'"),
        ));
    }
    Ok(())
}

/// Checks a `*-list` format: every element (PVE's `split_list`) must pass `verify`.
pub(super) fn list_param(
    call: &Call<'_>,
    name: &str,
    verify: fn(&str) -> Result<(), String>,
) -> Result<Vec<String>, ApiError> {
    let Some(raw) = call.params.get(name) else {
        return Ok(Vec::new());
    };
    let items = split_list(raw);
    for item in &items {
        verify(item).map_err(|e| ApiError::param(name, format!("invalid format - {e}")))?;
    }
    Ok(items)
}

/// One-value format check, answered like the dispatcher's.
fn single_param(
    call: &Call<'_>,
    name: &str,
    verify: fn(&str) -> Result<(), String>,
) -> Result<(), ApiError> {
    match call.params.get(name) {
        Some(v) => verify(v).map_err(|e| ApiError::param(name, format!("invalid format - {e}"))),
        None => Ok(()),
    }
}

fn string_length(call: &Call<'_>, name: &str, min: usize, max: usize) -> Result<(), ApiError> {
    if let Some(v) = call.params.get(name) {
        let n = v.chars().count();
        if n > max {
            return Err(ApiError::param(
                name,
                format!("value may only be {max} characters long"),
            ));
        }
        if n < min {
            return Err(ApiError::param(
                name,
                format!("value must be at least {min} characters long"),
            ));
        }
    }
    Ok(())
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn verify_groupid(g: &str) -> Result<(), String> {
    (!g.is_empty() && g.chars().all(is_id_char))
        .then_some(())
        .ok_or_else(|| format!("group name '{g}' contains invalid characters"))
}

fn verify_roleid(r: &str) -> Result<(), String> {
    (!r.is_empty() && r.chars().all(is_id_char))
        .then_some(())
        .ok_or_else(|| format!("role name '{r}' contains invalid characters"))
}

fn verify_priv(p: &str) -> Result<(), String> {
    is_valid_privilege(p)
        .then_some(())
        .ok_or_else(|| format!("invalid privilege '{p}'"))
}

fn verify_userid(u: &str) -> Result<(), String> {
    verify_username(u)
        .map(|_| ())
        .map_err(|e| e.trim_end().to_owned())
}

/// The token name part (`[A-Za-z][A-Za-z0-9.\-_]+`).
fn is_token_name(t: &str) -> bool {
    let mut c = t.chars();
    t.len() >= 2 && c.next().is_some_and(|c| c.is_ascii_alphabetic()) && c.all(is_id_char)
}

/// The `tokenid` path parameter: the schema gives it as a pattern, not a format, and PVE
/// words a pattern mismatch without naming the pattern.
fn check_token_name(call: &Call<'_>) -> Result<(), ApiError> {
    match call.params.get("tokenid") {
        Some(t) if !is_token_name(t) => Err(ApiError::param(
            "tokenid",
            "value does not match the regex pattern",
        )),
        _ => Ok(()),
    }
}

fn verify_full_tokenid(t: &str) -> Result<(), String> {
    let ok = t
        .split_once('!')
        .is_some_and(|(user, name)| verify_username(user).is_ok() && is_token_name(name));
    ok.then_some(())
        .ok_or_else(|| format!("value '{t}' does not look like a valid token ID"))
}

/// `email-opt`: empty, or an address PVE's EMAIL_RE accepts.
fn verify_email_opt(e: &str) -> Result<(), String> {
    if e.is_empty() {
        return Ok(());
    }
    let local_ok = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_+-~".contains(c))
            })
    };
    let domain_ok = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    match e.split_once('@') {
        Some((l, d)) if local_ok(l) && domain_ok(d) => Ok(()),
        _ => Err("value does not look like a valid email address".to_owned()),
    }
}

fn verify_user_keys(k: &str) -> Result<(), String> {
    (k.len() <= 4096
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '!' || c == '='))
    .then_some(())
    .ok_or_else(|| "value does not match the regex pattern".to_owned())
}

/// The formats and lengths the schema gives the user properties.
fn check_user_fields(call: &Call<'_>) -> Result<(), ApiError> {
    string_length(call, "comment", 0, 2048)?;
    string_length(call, "firstname", 0, 1024)?;
    string_length(call, "lastname", 0, 1024)?;
    string_length(call, "email", 0, 254)?;
    single_param(call, "email", verify_email_opt)?;
    single_param(call, "keys", verify_user_keys)?;
    list_param(call, "groups", verify_groupid)?;
    Ok(())
}

fn bool01(b: bool) -> u8 {
    u8::from(b)
}

// ---------------------------------------------------------------------------------------
// Reading the user database the way PVE's parsed user.cfg looks.

impl ClusterState {
    /// Users as PVE's user.cfg has them: root@pam is always there.
    pub fn access_users(&self) -> Vec<User> {
        let mut users = self.spec.users.clone();
        if !users.iter().any(|u| u.userid == ROOT) {
            users.push(User::new(ROOT, ""));
        }
        users.sort_by(|a, b| a.userid.cmp(&b.userid));
        users
    }

    /// Members of a group, sorted.
    pub fn group_members(&self, groupid: &str) -> Vec<String> {
        let mut m: Vec<String> = self
            .spec
            .users
            .iter()
            .filter(|u| u.groups.iter().any(|g| g == groupid))
            .map(|u| u.userid.clone())
            .collect();
        m.sort();
        m
    }

    /// Privileges of a role, built-in or custom.
    pub fn role_privs(&self, roleid: &str) -> Option<BTreeSet<String>> {
        if let Some(privs) = builtin_roles().remove(roleid) {
            return Some(privs);
        }
        self.spec
            .roles
            .iter()
            .find(|r| r.roleid == roleid)
            .map(|r| r.privs.iter().cloned().collect())
    }
}

fn user_entry(u: &User, tokens: &[&Token], full: bool) -> Map<String, Value> {
    let mut e = Map::new();
    e.insert("enable".into(), json!(bool01(u.enable)));
    e.insert("expire".into(), json!(u.expire));
    for (k, v) in [
        ("firstname", &u.firstname),
        ("lastname", &u.lastname),
        ("email", &u.email),
        ("comment", &u.comment),
    ] {
        if !v.is_empty() {
            e.insert(k.into(), json!(v));
        }
    }
    if full {
        let mut groups = u.groups.clone();
        groups.sort();
        groups.dedup();
        e.insert("groups".into(), json!(groups));
        // PVE copies the user's token hash, which does not exist for a user without tokens.
        e.insert(
            "tokens".into(),
            if tokens.is_empty() {
                Value::Null
            } else {
                Value::Object(
                    tokens
                        .iter()
                        .map(|t| (t.tokenid.clone(), stored_token_info(t)))
                        .collect(),
                )
            },
        );
    }
    e
}

/// A token as user.cfg stores it (what every GET shows): never the secret.
fn stored_token_info(t: &Token) -> Value {
    let mut v = json!({ "privsep": bool01(t.privsep), "expire": t.expire });
    if !t.comment.is_empty() {
        v["comment"] = json!(t.comment);
    }
    v
}

fn tokens_of<'a>(state: &'a ClusterState, userid: &str) -> Vec<&'a Token> {
    let mut t: Vec<&Token> = state
        .spec
        .tokens
        .iter()
        .filter(|t| t.userid == userid)
        .collect();
    t.sort_by(|a, b| a.tokenid.cmp(&b.tokenid));
    t
}

fn no_such_user(userid: &str) -> String {
    format!("no such user ('{userid}')")
}

/// `check_user_exist`: the user, or PVE's "no such user".
fn find_user<'a>(state: &'a mut ClusterState, userid: &str) -> Option<&'a mut User> {
    if userid == ROOT && !state.spec.users.iter().any(|u| u.userid == ROOT) {
        state.spec.users.push(User::new(ROOT, ""));
    }
    state.spec.users.iter_mut().find(|u| u.userid == userid)
}

fn user_exists(state: &ClusterState, userid: &str) -> bool {
    userid == ROOT || state.spec.users.iter().any(|u| u.userid == userid)
}

fn group_exists(state: &ClusterState, groupid: &str) -> bool {
    state.spec.groups.iter().any(|g| g.groupid == groupid)
}

// ---------------------------------------------------------------------------------------
// Users.

/// `GET /access/users`: users in groups the caller may audit or modify (all of them with
/// that right on /access/groups), always including the caller.
fn user_index(call: &Call<'_>) -> Result<Value, ApiError> {
    let privs = ["User.Modify", "Sys.Audit"];
    let full = call.params.flag("full");
    let enabled = call
        .params
        .get("enabled")
        .map(|_| call.params.flag("enabled"));
    let authid = call.who().authid().to_owned();
    let can_all = call.can("/access/groups", &privs, true);
    let state = call.sim.state();
    let allowed: BTreeSet<String> = state
        .spec
        .groups
        .iter()
        .filter(|g| call.can(&format!("/access/groups/{}", g.groupid), &privs, true))
        .flat_map(|g| state.group_members(&g.groupid))
        .collect();
    let mut out = Vec::new();
    for u in state.access_users() {
        if !(can_all || u.userid == authid || allowed.contains(&u.userid)) {
            continue;
        }
        if enabled.is_some_and(|want| want != u.enable) {
            continue;
        }
        let tokens = tokens_of(&state, &u.userid);
        let mut e = user_entry(&u, &tokens, full);
        if full {
            // The index joins the groups and turns the token hash into a list.
            let groups: Vec<String> = e["groups"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|g| g.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            e.insert("groups".into(), json!(groups.join(",")));
            if !tokens.is_empty() {
                let list: Vec<Value> = tokens
                    .iter()
                    .map(|t| {
                        let mut v = stored_token_info(t);
                        v["tokenid"] = json!(t.tokenid);
                        v
                    })
                    .collect();
                e.insert("tokens".into(), Value::Array(list));
            }
        }
        if let Some((_, realm)) = u.userid.rsplit_once('@')
            && matches!(realm, "pam" | "pve")
        {
            e.insert("realm-type".into(), json!(realm));
        }
        e.insert("userid".into(), json!(u.userid));
        out.push(Value::Object(e));
    }
    Ok(Value::Array(out))
}

/// `POST /access/users`.
fn create_user(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "create user failed";
    check_user_fields(call)?;
    string_length(call, "password", 8, 64)?;
    let p = &call.params;
    let userid = p.str("userid")?;
    let (_, realm) = verify_username(userid).map_err(|e| lock_failed(ACTION, e))?;
    let groups = list_param(call, "groups", verify_groupid)?;
    let mut state = call.sim.state();
    if user_exists(&state, userid) {
        return Err(lock_failed(
            ACTION,
            format!("user '{userid}' already exists"),
        ));
    }
    let password = p.get("password");
    if password.is_some() && !matches!(realm.as_str(), "pam" | "pve") {
        return Err(lock_failed(
            ACTION,
            format!("auth domain '{realm}' does not exist"),
        ));
    }
    if let Some(g) = groups.iter().find(|g| !group_exists(&state, g)) {
        return Err(lock_failed(ACTION, format!("no such group '{g}'")));
    }
    let mut user = User::new(userid, password.unwrap_or(""));
    user.enable = p.get("enable").is_none_or(|_| p.flag("enable"));
    user.expire = p.int("expire")?.unwrap_or(0);
    let mut gs = groups;
    gs.sort();
    gs.dedup();
    user.groups = gs;
    user.firstname = p.get("firstname").unwrap_or("").to_owned();
    user.lastname = p.get("lastname").unwrap_or("").to_owned();
    user.email = p.get("email").unwrap_or("").to_owned();
    user.comment = p.get("comment").unwrap_or("").to_owned();
    state.spec.users.push(user);
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// `GET /access/users/{userid}`.
fn read_user(call: &Call<'_>) -> Result<Value, ApiError> {
    let userid = call.params.str("userid")?;
    let state = call.sim.state();
    let user = state
        .access_users()
        .into_iter()
        .find(|u| u.userid == userid)
        .ok_or_else(|| ApiError::failed(no_such_user(userid)))?;
    let tokens = tokens_of(&state, userid);
    Ok(Value::Object(user_entry(&user, &tokens, true)))
}

/// `PUT /access/users/{userid}`.
fn update_user(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "update user failed";
    check_requires(call, "append", "groups")?;
    check_user_fields(call)?;
    let p = &call.params;
    let userid = p.str("userid")?;
    let groups = list_param(call, "groups", verify_groupid)?;
    let expire = p.int("expire")?;
    let mut state = call.sim.state();
    if let Some(g) = groups.iter().find(|g| !group_exists(&state, g)) {
        if !user_exists(&state, userid) {
            return Err(lock_failed(ACTION, no_such_user(userid)));
        }
        return Err(lock_failed(ACTION, format!("no such group '{g}'")));
    }
    let user =
        find_user(&mut state, userid).ok_or_else(|| lock_failed(ACTION, no_such_user(userid)))?;
    if p.get("enable").is_some() {
        user.enable = p.flag("enable");
    }
    if let Some(e) = expire {
        user.expire = e;
    }
    if p.get("groups").is_some() {
        if !p.flag("append") {
            user.groups.clear();
        }
        user.groups.extend(groups);
        user.groups.sort();
        user.groups.dedup();
    }
    for (name, field) in [
        ("firstname", &mut user.firstname),
        ("lastname", &mut user.lastname),
        ("email", &mut user.email),
        ("comment", &mut user.comment),
    ] {
        if let Some(v) = p.get(name) {
            *field = v.to_owned();
        }
    }
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// `DELETE /access/users/{userid}`: the user, their group memberships, ACLs and tokens.
/// PVE does not look the user up first, so deleting an unknown user succeeds quietly.
fn delete_user(call: &Call<'_>) -> Result<Value, ApiError> {
    let userid = call.params.str("userid")?;
    let mut state = call.sim.state();
    state.spec.users.retain(|u| u.userid != userid);
    let token_prefix = format!("{userid}!");
    state.spec.tokens.retain(|t| t.userid != userid);
    state.spec.acl.retain(|a| {
        a.user.as_deref() != Some(userid)
            && !a
                .token
                .as_deref()
                .is_some_and(|t| t.starts_with(&token_prefix))
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

// ---------------------------------------------------------------------------------------
// API tokens.

fn token_index(call: &Call<'_>) -> Result<Value, ApiError> {
    let userid = call.params.str("userid")?;
    let state = call.sim.state();
    if !user_exists(&state, userid) {
        return Err(ApiError::failed(no_such_user(userid)));
    }
    Ok(Value::Array(
        tokens_of(&state, userid)
            .into_iter()
            .map(|t| {
                let mut v = stored_token_info(t);
                v["tokenid"] = json!(t.tokenid);
                v
            })
            .collect(),
    ))
}

/// `check_token_exist`'s message.
fn no_such_token(userid: &str, tokenid: &str) -> String {
    format!("no such token '{tokenid}' for user '{userid}'")
}

fn token_lookup<'a>(
    state: &'a ClusterState,
    userid: &str,
    tokenid: &str,
) -> Result<&'a Token, String> {
    if !user_exists(state, userid) {
        return Err(no_such_user(userid));
    }
    state
        .spec
        .tokens
        .iter()
        .find(|t| t.userid == userid && t.tokenid == tokenid)
        .ok_or_else(|| no_such_token(userid, tokenid))
}

fn read_token(call: &Call<'_>) -> Result<Value, ApiError> {
    check_token_name(call)?;
    let userid = call.params.str("userid")?;
    let tokenid = call.params.str("tokenid")?;
    let state = call.sim.state();
    let t = token_lookup(&state, userid, tokenid).map_err(ApiError::failed)?;
    Ok(stored_token_info(t))
}

/// A random UUID (version 4), the form PVE's token secrets have.
fn new_secret() -> String {
    let mut b = [0u8; 16];
    crate::auth::fill_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// `POST /access/users/{userid}/token/{tokenid}`: the only answer that carries the secret.
fn generate_token(call: &Call<'_>) -> Result<Value, ApiError> {
    check_token_name(call)?;
    let p = &call.params;
    let userid = p.str("userid")?;
    let tokenid = p.str("tokenid")?;
    let mut state = call.sim.state();
    if !user_exists(&state, userid) {
        return Err(ApiError::failed(no_such_user(userid)));
    }
    if token_lookup(&state, userid, tokenid).is_ok() {
        return Err(ApiError::param("tokenid", "Token already exists."));
    }
    let privsep = p.get("privsep").is_none_or(|_| p.flag("privsep"));
    let expire = p.int("expire")?;
    let comment = p.get("comment").unwrap_or("");
    let secret = new_secret();
    state.spec.tokens.push(Token {
        userid: userid.to_owned(),
        tokenid: tokenid.to_owned(),
        secret: secret.clone(),
        privsep,
        // "Same as user": the user's own expiry already ends every login of the token.
        expire: expire.unwrap_or(0),
        comment: comment.to_owned(),
    });
    call.sim.refresh_access(&state);
    let mut info = json!({ "privsep": bool01(privsep) });
    if let Some(e) = expire {
        info["expire"] = json!(e);
    }
    if !comment.is_empty() {
        info["comment"] = json!(comment);
    }
    Ok(json!({
        "full-tokenid": format!("{userid}!{tokenid}"),
        "info": info,
        "value": secret,
    }))
}

/// `PUT /access/users/{userid}/token/{tokenid}`.
fn update_token(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "updating token info failed";
    check_token_name(call)?;
    let p = &call.params;
    let userid = p.str("userid")?;
    let tokenid = p.str("tokenid")?;
    let delete = list_param(call, "delete", |k| {
        let mut c = k.chars();
        (k.len() >= 2
            && c.next().is_some_and(|c| c.is_ascii_alphabetic())
            && c.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some(())
        .ok_or_else(|| format!("invalid configuration ID '{k}'"))
    })?;
    let expire = p.int("expire")?;
    let mut state = call.sim.state();
    token_lookup(&state, userid, tokenid).map_err(ApiError::failed)?;
    if let Some(k) = delete.iter().find(|k| *k != "comment") {
        return Err(lock_param_failed(
            ACTION,
            "delete",
            &format!("unknown option '{k}'"),
        ));
    }
    let Some(token) = state
        .spec
        .tokens
        .iter_mut()
        .find(|t| t.userid == userid && t.tokenid == tokenid)
    else {
        return Err(lock_failed(ACTION, no_such_token(userid, tokenid)));
    };
    if p.get("privsep").is_some() {
        token.privsep = p.flag("privsep");
    }
    if let Some(e) = expire {
        token.expire = e;
    }
    if let Some(c) = p.get("comment") {
        token.comment = c.to_owned();
    }
    if !delete.is_empty() {
        token.comment.clear();
    }
    let info = stored_token_info(token);
    call.sim.refresh_access(&state);
    Ok(info)
}

/// `DELETE /access/users/{userid}/token/{tokenid}`: the secret stops working at once, and
/// the token's ACL entries go with it (PVE drops them when it next reads user.cfg).
fn remove_token(call: &Call<'_>) -> Result<Value, ApiError> {
    check_token_name(call)?;
    let userid = call.params.str("userid")?;
    let tokenid = call.params.str("tokenid")?;
    let mut state = call.sim.state();
    token_lookup(&state, userid, tokenid).map_err(ApiError::failed)?;
    state
        .spec
        .tokens
        .retain(|t| !(t.userid == userid && t.tokenid == tokenid));
    let full = format!("{userid}!{tokenid}");
    state
        .spec
        .acl
        .retain(|a| a.token.as_deref() != Some(full.as_str()));
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

// ---------------------------------------------------------------------------------------
// Groups.

fn group_index(call: &Call<'_>) -> Result<Value, ApiError> {
    let privs = ["User.Modify", "Sys.Audit", "Group.Allocate"];
    let state = call.sim.state();
    let mut groups: Vec<&Group> = state.spec.groups.iter().collect();
    groups.sort_by(|a, b| a.groupid.cmp(&b.groupid));
    let mut out = Vec::new();
    for g in groups {
        if !call.can(&format!("/access/groups/{}", g.groupid), &privs, true) {
            continue;
        }
        let mut e = json!({
            "groupid": g.groupid,
            "users": state.group_members(&g.groupid).join(","),
        });
        if !g.comment.is_empty() {
            e["comment"] = json!(g.comment);
        }
        out.push(e);
    }
    Ok(Value::Array(out))
}

fn create_group(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "groupid", verify_groupid)?;
    let groupid = call.params.str("groupid")?;
    let mut state = call.sim.state();
    if group_exists(&state, groupid) {
        return Err(lock_failed(
            "create group failed",
            format!("group '{groupid}' already exists"),
        ));
    }
    state.spec.groups.push(Group {
        groupid: groupid.to_owned(),
        comment: call.params.get("comment").unwrap_or("").to_owned(),
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

fn read_group(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "groupid", verify_groupid)?;
    let groupid = call.params.str("groupid")?;
    let state = call.sim.state();
    let g = state
        .spec
        .groups
        .iter()
        .find(|g| g.groupid == groupid)
        .ok_or_else(|| ApiError::failed(format!("group '{groupid}' does not exist")))?;
    let mut v = json!({ "members": state.group_members(groupid) });
    if !g.comment.is_empty() {
        v["comment"] = json!(g.comment);
    }
    Ok(v)
}

fn update_group(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "groupid", verify_groupid)?;
    let groupid = call.params.str("groupid")?;
    let mut state = call.sim.state();
    let g = state
        .spec
        .groups
        .iter_mut()
        .find(|g| g.groupid == groupid)
        .ok_or_else(|| {
            lock_failed(
                "update group failed",
                format!("group '{groupid}' does not exist"),
            )
        })?;
    if let Some(c) = call.params.get("comment") {
        g.comment = c.to_owned();
    }
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// `DELETE /access/groups/{groupid}`: members lose the membership, the group's ACLs go.
fn delete_group(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "groupid", verify_groupid)?;
    let groupid = call.params.str("groupid")?;
    let mut state = call.sim.state();
    if !group_exists(&state, groupid) {
        return Err(lock_failed(
            "delete group failed",
            format!("group '{groupid}' does not exist"),
        ));
    }
    state.spec.groups.retain(|g| g.groupid != groupid);
    for u in &mut state.spec.users {
        u.groups.retain(|g| g != groupid);
    }
    state
        .spec
        .acl
        .retain(|a| a.group.as_deref() != Some(groupid));
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

// ---------------------------------------------------------------------------------------
// Roles.

fn is_special_role(roleid: &str) -> bool {
    builtin_roles().contains_key(roleid)
}

fn role_index(call: &Call<'_>) -> Result<Value, ApiError> {
    let state = call.sim.state();
    let mut roles: BTreeMap<String, (BTreeSet<String>, bool)> = builtin_roles()
        .into_iter()
        .map(|(id, privs)| (id, (privs, true)))
        .collect();
    for r in &state.spec.roles {
        roles
            .entry(r.roleid.clone())
            .or_insert_with(|| (r.privs.iter().cloned().collect(), false));
    }
    Ok(Value::Array(
        roles
            .into_iter()
            .map(|(id, (privs, special))| {
                json!({
                    "roleid": id,
                    "privs": privs.into_iter().collect::<Vec<_>>().join(","),
                    "special": bool01(special),
                })
            })
            .collect(),
    ))
}

fn create_role(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "roleid", verify_roleid)?;
    let privs = list_param(call, "privs", verify_priv)?;
    let roleid = call.params.str("roleid")?;
    if roleid.len() >= 3 && roleid[..3].eq_ignore_ascii_case("pve") {
        return Err(ApiError::param(
            "roleid",
            "cannot use role ID starting with the (case-insensitive) 'PVE' namespace",
        ));
    }
    let mut state = call.sim.state();
    if state.role_privs(roleid).is_some() {
        return Err(lock_failed(
            "create role failed",
            format!("role '{roleid}' already exists"),
        ));
    }
    let mut privs = privs;
    privs.sort();
    privs.dedup();
    state.spec.roles.push(Role {
        roleid: roleid.to_owned(),
        privs,
    });
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

fn read_role(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "roleid", verify_roleid)?;
    let roleid = call.params.str("roleid")?;
    let state = call.sim.state();
    let privs = state
        .role_privs(roleid)
        .ok_or_else(|| ApiError::failed(format!("role '{roleid}' does not exist")))?;
    Ok(Value::Object(
        privs.into_iter().map(|p| (p, json!(1))).collect(),
    ))
}

fn update_role(call: &Call<'_>) -> Result<Value, ApiError> {
    check_requires(call, "append", "privs")?;
    single_param(call, "roleid", verify_roleid)?;
    let privs = list_param(call, "privs", verify_priv)?;
    let roleid = call.params.str("roleid")?;
    if is_special_role(roleid) {
        return Err(ApiError::failed(format!(
            "auto-generated role '{roleid}' cannot be modified"
        )));
    }
    let mut state = call.sim.state();
    let role = state
        .spec
        .roles
        .iter_mut()
        .find(|r| r.roleid == roleid)
        .ok_or_else(|| {
            lock_failed(
                "update role failed",
                format!("role '{roleid}' does not exist"),
            )
        })?;
    if !call.params.flag("append") {
        role.privs.clear();
    }
    role.privs.extend(privs);
    role.privs.sort();
    role.privs.dedup();
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// `DELETE /access/roles/{roleid}`. PVE leaves ACL lines naming the role in the file and
/// ignores them from then on; removing them gives the same decisions and keeps a role
/// created again under the name from inheriting them.
fn delete_role(call: &Call<'_>) -> Result<Value, ApiError> {
    single_param(call, "roleid", verify_roleid)?;
    let roleid = call.params.str("roleid")?;
    if is_special_role(roleid) {
        return Err(ApiError::failed(format!(
            "auto-generated role '{roleid}' cannot be deleted"
        )));
    }
    let mut state = call.sim.state();
    if !state.spec.roles.iter().any(|r| r.roleid == roleid) {
        return Err(lock_failed(
            "delete role failed",
            format!("role '{roleid}' does not exist"),
        ));
    }
    state.spec.roles.retain(|r| r.roleid != roleid);
    state.spec.acl.retain(|a| a.role != roleid);
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

// ---------------------------------------------------------------------------------------
// ACL.

/// PVE's `check_path`: the ACL paths an entry may be added on.
fn acl_path_allowed(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let name = |s: &str| !s.is_empty() && s.chars().all(is_id_char);
    let alnum = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    if path == "/" {
        return true;
    }
    match parts.as_slice() {
        ["access"] | ["nodes"] | ["pool"] | ["sdn"] | ["storage"] | ["vms"] | ["mapping"] => true,
        ["access", "groups" | "realm"] => true,
        ["access", "groups" | "realm", n] => name(n),
        ["nodes", n] | ["storage", n] | ["mapping", n] => name(n),
        ["mapping", a, b] => name(a) && name(b),
        ["pool", rest @ ..] => !rest.is_empty() && rest.len() <= 3 && rest.iter().all(|s| name(s)),
        ["vms", id] => {
            id.len() >= 3 && !id.starts_with('0') && id.chars().all(|c| c.is_ascii_digit())
        }
        ["sdn", kind] => matches!(
            *kind,
            "controllers" | "dns" | "fabrics" | "ipams" | "prefix-lists" | "route-maps" | "zones"
        ),
        ["sdn", "controllers", n] => {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        [
            "sdn",
            "dns" | "fabrics" | "ipams" | "prefix-lists" | "route-maps",
            n,
        ] => alnum(n),
        ["sdn", "zones", z] => name(z),
        ["sdn", "zones", z, v] => name(z) && name(v),
        ["sdn", "zones", z, v, tag] => {
            name(z)
                && name(v)
                && (1..=4).contains(&tag.len())
                && !tag.starts_with('0')
                && tag.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// `check_perm_modify` with errors off: may `who` change permissions on `path`?
pub(super) fn can_modify_perms(call: &Call<'_>, path: &str) -> bool {
    let below = |prefix: &str| path.strip_prefix(prefix).is_some_and(|r| !r.is_empty());
    let mut privs = vec!["Permissions.Modify"];
    if below("/storage/") {
        privs.push("Datastore.Allocate");
    } else if below("/vms/") {
        privs.push("VM.Allocate");
    } else if below("/pool/") {
        privs.push("Pool.Allocate");
    }
    call.can(path, &privs, true)
}

/// `GET /access/acl`: every entry with Sys.Audit on /access, else those on paths where the
/// caller may modify permissions.
fn read_acl(call: &Call<'_>) -> Result<Value, ApiError> {
    let audit = call.can("/access", &["Sys.Audit"], false);
    let state = call.sim.state();
    let mut roles: BTreeSet<String> = builtin_roles().into_keys().collect();
    roles.extend(state.spec.roles.iter().map(|r| r.roleid.clone()));
    // Per path, per subject kind (user, group, token in PVE's order), subject -> role ->
    // propagate: the tree PVE walks, with a later duplicate line winning as it does there.
    type Subjects = BTreeMap<String, BTreeMap<String, bool>>;
    let mut tree: BTreeMap<String, [Subjects; 3]> = BTreeMap::new();
    for a in &state.spec.acl {
        let Some(path) = normalize_path(&a.path) else {
            continue;
        };
        if !roles.contains(&a.role) {
            continue;
        }
        let (kind, id) = match (&a.user, &a.group, &a.token) {
            (Some(u), None, None) => (0, u),
            (None, Some(g), None) => (1, g),
            (None, None, Some(t)) => {
                if !state.spec.tokens.iter().any(|tk| tk.full_id() == *t) {
                    continue;
                }
                (2, t)
            }
            _ => continue,
        };
        tree.entry(path).or_default()[kind]
            .entry(id.clone())
            .or_default()
            .insert(a.role.clone(), a.propagate);
    }
    let mut out = Vec::new();
    for (path, kinds) in tree {
        if !(audit || can_modify_perms(call, &path)) {
            continue;
        }
        for (kind, subjects) in ["user", "group", "token"].iter().zip(kinds) {
            for (ugid, roles) in subjects {
                for (role, propagate) in roles {
                    out.push(json!({
                        "path": path,
                        "type": kind,
                        "ugid": ugid,
                        "roleid": role,
                        "propagate": bool01(propagate),
                    }));
                }
            }
        }
    }
    Ok(Value::Array(out))
}

/// `PUT /access/acl`. Without Permissions.Modify on the path (perm-modify let the caller in
/// through VM.Allocate, Datastore.Allocate or Pool.Allocate) a caller may only hand out
/// roles whose privileges it holds there itself, propagated if the entry propagates.
fn update_acl(call: &Call<'_>) -> Result<Value, ApiError> {
    const ACTION: &str = "ACL update failed";
    let p = &call.params;
    let users = list_param(call, "users", verify_userid)?;
    let groups = list_param(call, "groups", verify_groupid)?;
    let tokens = list_param(call, "tokens", verify_full_tokenid)?;
    let roles = list_param(call, "roles", verify_roleid)?;
    // Perl-false ("" / "0") lists count as absent.
    let given = |name: &str| p.get(name).is_some_and(|v| !v.is_empty() && v != "0");
    if !(given("users") || given("groups") || given("tokens")) {
        let msg = "either 'users', 'groups' or 'tokens' is required.";
        return Err(ApiError::params(
            ["users", "groups", "tokens"]
                .iter()
                .map(|k| (k.to_string(), msg.to_owned()))
                .collect(),
        ));
    }
    let raw_path = p.str("path")?;
    let delete = p.flag("delete");
    let invalid_path = || ApiError::param("path", format!("invalid ACL path '{raw_path}'"));
    let path = normalize_path(raw_path).ok_or_else(invalid_path)?;
    if !delete && !acl_path_allowed(&path) {
        return Err(invalid_path());
    }
    let propagate = p.get("propagate").is_none_or(|_| p.flag("propagate"));
    let own = call.sim.access().privileges_on(call.who(), &path, call.now);

    let mut state = call.sim.state();
    let mut acl = state.spec.acl.clone();
    for role in &roles {
        let Some(role_privs) = state.role_privs(role) else {
            return Err(lock_failed(ACTION, format!("role '{role}' does not exist")));
        };
        if !own.contains_key("Permissions.Modify") {
            let verb = if delete { "remove" } else { "add" };
            for privilege in &role_privs {
                let Some(own_prop) = own.get(privilege) else {
                    return Err(lock_param_failed(
                        ACTION,
                        "role",
                        &format!(
                            "Cannot {verb} role '{role}' - requires 'Permissions.Modify' or superset of privileges."
                        ),
                    ));
                };
                if propagate && !*own_prop && !delete {
                    return Err(lock_param_failed(
                        ACTION,
                        "role",
                        &format!(
                            "Cannot {verb} role '{role}' with propagation - requires 'Permissions.Modify' or propagated superset of privileges."
                        ),
                    ));
                }
            }
            if role == "NoAccess" {
                return Err(lock_param_failed(
                    ACTION,
                    "role",
                    &format!("Cannot {verb} role '{role}' - requires 'Permissions.Modify'"),
                ));
            }
        }
        for g in &groups {
            if !group_exists(&state, g) {
                return Err(lock_failed(ACTION, format!("group '{g}' does not exist")));
            }
            set_acl(
                &mut acl,
                &path,
                Acl::for_group(&path, g, role),
                propagate,
                delete,
            );
        }
        for u in &users {
            if !user_exists(&state, u) {
                return Err(lock_failed(ACTION, format!("user '{u}' does not exist")));
            }
            set_acl(
                &mut acl,
                &path,
                Acl::for_user(&path, u, role),
                propagate,
                delete,
            );
        }
        for t in &tokens {
            let (user, name) = t.split_once('!').unwrap_or((t, ""));
            token_lookup(&state, user, name).map_err(|e| lock_failed(ACTION, e))?;
            set_acl(
                &mut acl,
                &path,
                Acl::for_token(&path, t, role),
                propagate,
                delete,
            );
        }
    }
    state.spec.acl = acl;
    call.sim.refresh_access(&state);
    Ok(Value::Null)
}

/// Adds (or re-flags) or removes one subject's role on a path; entries written with a
/// non-normalized path are the same node to PVE.
fn set_acl(acl: &mut Vec<Acl>, path: &str, entry: Acl, propagate: bool, delete: bool) {
    let same = |a: &Acl| {
        normalize_path(&a.path).as_deref() == Some(path)
            && a.role == entry.role
            && a.user == entry.user
            && a.group == entry.group
            && a.token == entry.token
    };
    if delete {
        acl.retain(|a| !same(a));
        return;
    }
    match acl.iter_mut().find(|a| same(a)) {
        Some(existing) => existing.propagate = propagate,
        None => acl.push(Acl { propagate, ..entry }),
    }
}
